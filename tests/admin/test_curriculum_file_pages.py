"""The curriculum file pages beside the admin: upload, read the diff, confirm; download."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from curriculum.curriculum_file import DEFAULT_FILE
from curriculum.models import CareerGoal, Path, Project
from curriculum.services import curriculum_import
from tests import factories
from tests.curriculum.helpers import MINI, replace_once

pytestmark = pytest.mark.django_db

IMPORT = reverse("curriculum:import_file")
CONFIRM = reverse("curriculum:import_confirm")
EXPORT = reverse("curriculum:export_file")


def dump() -> str:
    out = StringIO()
    call_command("dumpdata", "curriculum", stdout=out)
    return out.getvalue()


def upload(client, text=MINI, name="mini.yaml"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, text.encode())})


def confirm_data(preview, **extra):
    form = preview.context["confirm_form"]
    return {
        **{name: form[name].value() for name in ("data_text", "source_name", "digest")},
        **extra,
    }


@pytest.fixture
def editor(client):
    staff = factories.StaffFactory(email="editor@example.com")
    staff.groups.add(Group.objects.get(name="Curriculum editors"))
    client.force_login(staff)
    return staff


@pytest.fixture
def with_default():
    call_command("import_curriculum", str(DEFAULT_FILE), stdout=StringIO())


def test_admin_index_links_the_curriculum_file_pages(client, editor):
    for url in (reverse("admin:index"), reverse("admin:app_list", args=["curriculum"])):
        html = client.get(url).content.decode()
        assert f'href="{IMPORT}"' in html and f'href="{EXPORT}"' in html
    assert IMPORT not in client.get(reverse("admin:app_list", args=["accounts"])).content.decode()


def test_upload_page_shows_the_form(client, editor):
    response = client.get(IMPORT)

    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"Gapmap administration" in response.content


def test_preview_shows_the_diff_and_changes_nothing(client, editor, with_default):
    before = dump()

    response = upload(client)

    assert response.status_code == 200
    assert dump() == before
    html = response.content.decode()
    assert "What importing mini.yaml would change" in html
    assert "Paths: 2 added" in html
    assert "Not in the file (kept)" in html
    # The checkbox says what would go.
    assert 'id="would-go"' in html and "paths: ai-developer" in html
    assert 'name="retire_missing"' in html


def test_confirming_imports_exactly_the_preview_and_keeps_missing_rows(
    client, editor, with_default
):
    preview = upload(client)
    shown = preview.context["diff"]
    goals = CareerGoal.objects.count()

    response = client.post(CONFIRM, confirm_data(preview))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:app_list", args=["curriculum"])
    assert Path.objects.active().count() == 6  # 4 kept + 2 added
    assert CareerGoal.objects.count() == goals + 2
    again = curriculum_import(data_text=MINI, source_name="mini.yaml", dry_run=True)
    assert not again.has_changes
    assert {(c.kind, c.key) for c in again.kept} == {(c.kind, c.key) for c in shown.kept}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages and messages[0].startswith("Imported mini.yaml: ")


def test_confirming_with_the_box_ticked_retires_what_was_listed(client, editor, with_default):
    preview = upload(client)
    would_go = {(c.kind, c.label) for c in preview.context["diff"].would_go()}

    client.post(CONFIRM, confirm_data(preview, retire_missing="on"))

    assert set(Path.objects.active().values_list("slug", flat=True)) == {"dev", "eng"}
    assert set(CareerGoal.objects.values_list("slug", flat=True)) == {
        "first-portfolio",
        "reliable-systems",
    }
    retired = {
        ("paths", s) for s in Path.objects.filter(is_active=False).values_list("slug", flat=True)
    }
    retired |= {
        ("projects", s)
        for s in Project.objects.filter(is_active=False).values_list("slug", flat=True)
    }
    assert retired <= would_go


def test_a_bad_file_shows_its_errors_by_slug_and_changes_nothing(client, editor):
    before = dump()

    response = upload(client, replace_once(MINI, "    path: eng\n", "    path: ops\n"))

    assert response.status_code == 400
    assert dump() == before
    html = response.content.decode()
    assert "project &#x27;eval-dashboard&#x27;, path: unknown path &#x27;ops&#x27;" in html
    assert 'name="file"' in html  # the form again


def test_a_file_that_is_not_utf8_is_refused(client, editor):
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.yaml", b"\xff\xfe\x00")})

    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_a_preview_gone_stale_is_shown_again_and_imports_nothing(client, editor):
    curriculum_import(data_text=MINI, source_name="mini.yaml")
    text = replace_once(MINI, "name: Python\n", "name: Python 3\n")
    preview = upload(client, text)
    Path.objects.filter(slug="dev").update(summary="Edited meanwhile.")
    before = dump()

    response = client.post(CONFIRM, confirm_data(preview))

    assert response.status_code == 409
    assert dump() == before
    assert "changed since you previewed" in response.content.decode()


def test_an_incomplete_confirmation_is_a_400(client, editor):
    assert client.post(CONFIRM, {"source_name": "x.yaml"}).status_code == 400


def test_download_is_the_export_and_re_imports_with_no_changes(client, editor, with_default):
    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="curriculum.yaml"'
    text = response.content.decode()
    assert text.startswith("# Gapmap curriculum file.")
    assert curriculum_import(data_text=text, source_name="curriculum.yaml").changes == 0


@pytest.mark.parametrize(("url", "method"), [(IMPORT, "put"), (CONFIRM, "get"), (EXPORT, "post")])
def test_wrong_method_is_405(client, editor, url, method):
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize("url", [IMPORT, EXPORT])
def test_anonymous_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("url", [IMPORT, EXPORT])
def test_learners_and_mentors_get_404(client, url):
    for user in (factories.LearnerFactory(), factories.MentorFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert upload(client).status_code == 404


def test_staff_without_curriculum_rights_get_403(client):
    client.force_login(factories.StaffFactory())
    assert client.get(IMPORT).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert upload(client).status_code == 403
    assert not Path.objects.exists()


def test_posts_need_the_csrf_token(editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    before = dump()

    response = strict.post(IMPORT, {"file": SimpleUploadedFile("mini.yaml", MINI.encode())})
    assert response.status_code == 403
    assert strict.post(CONFIRM, {"data_text": MINI}).status_code == 403
    assert dump() == before


def test_every_admin_page_and_site_page_has_the_favicon(client, editor):
    for url in (reverse("admin:index"), IMPORT, reverse("admin:curriculum_path_changelist")):
        assert b'rel="icon"' in client.get(url).content
    assert b'rel="icon"' in client.get(reverse("curriculum:path_list")).content
