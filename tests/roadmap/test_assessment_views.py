"""The self-assessment page, rating one row (plain and htmx), and the reassessment page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from curriculum.models import Competency, LevelDescriptor
from curriculum.services import curriculum_changed
from roadmap.models import Rating
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on, path_with_competencies

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def setup():
    scale_levels()
    path, pcs = path_with_competencies(3)
    learner = learner_on(path)
    return path, pcs, learner


def rate_url(pc):
    return reverse("roadmap:rate", args=[pc.competency_id])


# --- the page -------------------------------------------------------------------------------------


def test_assess_lists_every_current_competency_with_descriptors(client, setup):
    path, pcs, learner = setup
    factories.LevelDescriptorFactory(
        competency=pcs[0].competency, level=3, description="Ships a tested feature alone"
    )
    retired = factories.PathCompetencyFactory(path=path, retired_at=timezone.now())
    client.force_login(learner)
    response = client.get(reverse("roadmap:assess"))
    assert response.status_code == 200
    html = response.content.decode()
    for pc in pcs:
        assert f'id="competency-{pc.competency_id}"' in html
    assert f'id="competency-{retired.competency_id}"' not in html
    # The five descriptors are not in the page: each row links to its levels (htmx on toggle).
    assert "Ships a tested feature alone" not in html
    levels_url = reverse("roadmap:assess_levels", args=[pcs[0].competency_id])
    assert f'href="{levels_url}" data-load' in html
    # The competency's own descriptor where there is one, the scale's default elsewhere.
    levels = client.get(levels_url).content.decode()
    assert "Ships a tested feature alone" in levels
    assert "Default meaning of Proficient" not in levels
    assert "Default meaning of Working" in levels
    assert 'id="readiness-summary"' in html
    assert "Tools" in html and "Core" in html


def test_assess_shows_current_level_checked(client, setup):
    path, pcs, learner = setup
    factories.RatingFactory(learner=learner, competency=pcs[1].competency, level=2)
    client.force_login(learner)
    html = client.get(reverse("roadmap:assess")).content.decode()
    row = html.split(f'id="competency-{pcs[1].competency_id}"')[1].split("</section>")[0]
    assert 'value="2" checked' in row


def test_curriculum_and_learner_text_with_script_is_escaped(client, setup):
    """The rows are built in Python (roadmap/assessment_html.py): markup in a competency's name,
    summary or descriptor, in a stored evidence link or in a submitted note comes out as text."""
    path, pcs, learner = setup
    script = '<script>alert("x")</script>'
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    competency = pcs[0].competency
    competency.name, competency.summary = f"Py {script}", f"About {script}"
    competency.save()
    factories.LevelDescriptorFactory(competency=competency, level=2, description=script)
    factories.RatingFactory(
        learner=learner,
        competency=competency,
        level=1,
        evidence_url=f"https://e.com/?q={script}",
        created_at=timezone.now() - timedelta(weeks=52),  # stale: on the reassessment page too
    )
    client.force_login(learner)
    levels_url = reverse("roadmap:assess_levels", args=[pcs[0].competency_id])
    for html in (
        client.get(reverse("roadmap:assess")).content.decode(),
        client.get(reverse("roadmap:reassess")).content.decode(),
        client.post(
            rate_url(pcs[0]), {"level": "2", "note": script, "evidence_url": "bad"}, **HTMX
        ).content.decode(),
    ):
        row = html.split(f'id="competency-{pcs[0].competency_id}"')[1].split("</section>")[0]
        assert "<script" not in row
        assert f"Py {escaped}" in row and f"About {escaped}" in row
    assert f"<dd>{escaped}</dd>" in html  # the error answer shows the levels inline
    for levels in (client.get(levels_url), client.get(levels_url, **HTMX)):
        levels = levels.content.decode()
        assert "<script" not in levels.replace('<script src="', "").replace("<script>", "")
        assert f"<dd>{escaped}</dd>" in levels
        assert f'value="https://e.com/?q={escaped}"' in levels
    assert f'rows="2">{escaped}</textarea>' in html  # the submitted note, shown again


def test_a_curriculum_edit_in_admin_shows_up_on_the_next_page(client, setup):
    """The path's rows and descriptors are cached per curriculum version; an admin edit of a
    competency (its descriptors are inline) makes a new version."""
    path, pcs, learner = setup
    competency = pcs[0].competency
    factories.LevelDescriptorFactory(competency=competency, level=2, description="Before the edit")
    client.force_login(learner)
    levels_url = reverse("roadmap:assess_levels", args=[competency.pk])
    assert "Before the edit" in client.get(levels_url).content.decode()

    admin = Client()
    admin.force_login(factories.StaffFactory(email="root@example.com", is_superuser=True))
    url = admin_url(Competency, "change", competency.pk)
    form_page = admin.get(url)
    data = post_data_from(form_page)
    data["name"] = "Renamed competency"
    prefix = inline_prefix(form_page, LevelDescriptor)
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith(f"{prefix}-")
        and key.endswith("-description")
        and value == "Before the edit"
    )
    data[f"{prefix}-{index}-description"] = "After the edit"
    assert admin.post(url, data).status_code == 302

    html = client.get(levels_url).content.decode()
    assert "After the edit" in html and "Before the edit" not in html
    assert "Renamed competency" in client.get(reverse("roadmap:assess")).content.decode()


def test_a_rating_save_after_a_curriculum_import_uses_the_new_descriptors(client, setup):
    """Every curriculum writer renews the version (here: what the import calls)."""
    path, pcs, learner = setup
    descriptor = factories.LevelDescriptorFactory(
        competency=pcs[0].competency, level=2, description="Before the import"
    )
    client.force_login(learner)
    client.get(reverse("roadmap:assess"))
    descriptor.description = "After the import"
    descriptor.save()
    curriculum_changed()
    # A bad link: the answer shows the row's levels inline.
    html = client.post(
        rate_url(pcs[0]), {"level": "2", "evidence_url": "bad"}, **HTMX
    ).content.decode()
    assert "After the import" in html and "Before the import" not in html


def test_assess_without_target_path_goes_to_onboarding(client):
    learner = factories.LearnerFactory()
    client.force_login(learner)
    for name in ("roadmap:assess", "roadmap:reassess", "roadmap:gaps"):
        response = client.get(reverse(name), follow=True)
        assert response.redirect_chain[-1][0] == reverse("roadmap:onboarding")
        assert "Choose the path you are aiming for first" in response.content.decode()


def test_assess_anonymous_goes_to_login(client):
    response = client.get(reverse("roadmap:assess"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_assess_rejects_post(client, setup):
    client.force_login(setup[2])
    assert client.post(reverse("roadmap:assess")).status_code == 405


def test_focus_shows_only_those_competencies_and_suggest_preselects(client, setup):
    path, pcs, learner = setup
    factories.RatingFactory(learner=learner, competency=pcs[0].competency, level=1)
    client.force_login(learner)
    ids = f"{pcs[0].competency_id},{pcs[2].competency_id},99999,abc"
    url = reverse("roadmap:assess") + f"?focus={ids}&suggest={pcs[0].competency_id}:3,x:9"
    html = client.get(url).content.decode()
    assert f'id="competency-{pcs[0].competency_id}"' in html
    assert f'id="competency-{pcs[2].competency_id}"' in html
    assert f'id="competency-{pcs[1].competency_id}"' not in html
    row = html.split(f'id="competency-{pcs[0].competency_id}"')[1].split("</section>")[0]
    assert 'value="3" checked' in row and 'value="1" checked' not in row
    assert "suggested" in row
    # The plain-POST fallback returns to the same focused view.
    assert "focus=" in row


def test_a_suggestion_below_the_current_level_suggests_the_current_level(client, setup):
    """After a project that builds to 2, a learner already at 3 is offered 3, not 2."""
    path, pcs, learner = setup
    factories.RatingFactory(learner=learner, competency=pcs[0].competency, level=3)
    client.force_login(learner)
    cid = pcs[0].competency_id
    html = client.get(reverse("roadmap:assess") + f"?focus={cid}&suggest={cid}:2").content.decode()
    row = html.split(f'id="competency-{cid}"')[1].split("</section>")[0]
    assert 'value="3" checked' in row and 'value="2" checked' not in row


def test_focus_with_no_ids_on_path_has_empty_state(client, setup):
    client.force_login(setup[2])
    html = client.get(reverse("roadmap:assess") + "?focus=99999").content.decode()
    assert "None of those competencies are on your path" in html


# --- rating a row ---------------------------------------------------------------------------------


def test_plain_post_stores_rating_and_redirects_to_row(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    response = client.post(
        rate_url(pcs[0]),
        {"level": "3", "note": "Built one", "evidence_url": "https://example.com/repo"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:assess") + f"#competency-{pcs[0].competency_id}"
    rating = Rating.objects.get(learner=learner)
    assert (rating.level, rating.note, rating.evidence_url) == (
        3,
        "Built one",
        "https://example.com/repo",
    )
    assert rating.competency == pcs[0].competency
    learner.refresh_from_db()
    assert learner.last_activity_at is not None


def test_plain_post_returns_to_focused_view(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    back = reverse("roadmap:assess") + f"?focus={pcs[0].competency_id}"
    response = client.post(rate_url(pcs[0]), {"level": "2", "next": back})
    assert response["Location"] == back + f"#competency-{pcs[0].competency_id}"


def test_next_pointing_elsewhere_is_ignored(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    rate_path = rate_url(pcs[1])
    for bad in ("https://evil.example/assess/", "//evil.example/assess/", "/admin/", rate_path):
        response = client.post(rate_url(pcs[0]), {"level": "2", "next": bad})
        assert response["Location"].startswith(reverse("roadmap:assess") + "#")


def test_every_rating_is_kept_and_latest_counts(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    for level in ("1", "3", "2"):
        client.post(rate_url(pcs[0]), {"level": level})
    assert Rating.objects.filter(learner=learner).count() == 3
    assert Rating.objects.latest_levels(learner) == {pcs[0].competency_id: 2}


def test_htmx_post_returns_row_and_oob_summary_only(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "3"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<nav" not in html
    assert html.count("<section") == 2
    assert f'id="competency-{pcs[0].competency_id}"' in html
    assert 'id="readiness-summary"' in html and 'hx-swap-oob="true"' in html
    assert "data-focus-after-swap" in html and "Saved" in html
    # 1 of 3 equally weighted competencies at target 3 -> 33%.
    assert "33%" in html
    assert Rating.objects.filter(learner=learner, level=3).count() == 1


def test_htmx_summary_counts_the_other_ratings_and_the_row_shows_the_new_one(client, setup):
    path, pcs, learner = setup
    factories.RatingFactory(learner=learner, competency=pcs[1].competency, level=3)
    factories.RatingFactory(
        learner=learner,
        competency=pcs[0].competency,
        level=1,
        created_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(learner)
    response = client.post(
        rate_url(pcs[0]), {"level": "3", "evidence_url": "https://example.com/demo?a=1&b=2"}, **HTMX
    )
    html = response.content.decode()
    # 2 of 3 competencies at target 3 -> 66%; 2 of 3 rated.
    assert "66%" in html and "2 of 3 rated" in html
    assert "now <b>3 Proficient</b>" in html
    assert 'href="https://example.com/demo?a=1&amp;b=2"' in html


def test_htmx_save_dated_before_the_current_rating_keeps_showing_the_current_one(client, setup):
    """A current rating dated after the save (clock skew): it stays current, and the answer
    shows it, not the rating just saved."""
    path, pcs, learner = setup
    ahead = factories.RatingFactory(
        learner=learner,
        competency=pcs[0].competency,
        level=1,
        evidence_url="https://example.com/ahead",
        created_at=timezone.now() + timedelta(days=2),
    )
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "3"}, **HTMX)
    html = response.content.decode()
    assert "now <b>1 Aware</b>" in html
    assert 'href="https://example.com/ahead"' in html
    # level 1 of target 3 in one of 3 equally weighted competencies -> 11%
    assert "11%" in html and "1 of 3 rated" in html
    assert Rating.objects.latest_levels(learner) == {pcs[0].competency_id: 1}
    saved = Rating.objects.get(learner=learner, level=3)
    assert saved.previous_level == 0
    assert Rating.objects.get(pk=ahead.pk).previous_level == 3


def test_htmx_post_with_bad_url_shows_error_on_row_and_stores_nothing(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "3", "evidence_url": "not a url"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    # Once: not per validator, and not again in the row's summary (it was three times).
    assert html.count("Enter a full web address") == 1
    assert 'value="3" checked' in html
    assert "<html" not in html
    assert not Rating.objects.exists()


def test_plain_post_with_bad_link_shows_its_message_once_on_the_row(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "3", "evidence_url": "not a url"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Enter a full web address") == 1
    assert "Not saved: check the" in html  # the page's message names the row


def test_learner_with_no_ratings_is_told_not_rated_yet(client, setup):
    client.force_login(setup[2])
    html = client.get(reverse("roadmap:assess")).content.decode()
    assert "to reassess" not in html
    assert "Not rated yet: 3 to rate" in html


def test_row_without_javascript_opens_its_levels_page_with_the_level_chosen(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    levels_url = reverse("roadmap:assess_levels", args=[pcs[0].competency_id])
    html = client.get(reverse("roadmap:assess")).content.decode()
    assert f'<form action="{levels_url}" hx-post="{rate_url(pcs[0])}">' in html
    back = reverse("roadmap:assess") + f"?focus={pcs[0].competency_id}"
    page = client.get(levels_url, {"level": "2", "next": back}).content.decode()
    assert 'value="2" checked' in page
    assert f'method="post" action="{rate_url(pcs[0])}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'name="next" value="{back.replace("&", "&amp;")}"' in page
    # A crafted level or next is ignored.
    page = client.get(levels_url, {"level": "9", "next": "https://evil.example/"}).content.decode()
    assert " checked" not in page and "evil.example" not in page


def test_levels_page_refusals(client, setup):
    path, pcs, learner = setup
    levels_url = reverse("roadmap:assess_levels", args=[pcs[0].competency_id])
    assert reverse("accounts:login") in client.get(levels_url)["Location"]
    client.force_login(learner)
    assert client.post(levels_url).status_code == 405
    other_path, other_pcs = path_with_competencies(1, slug="ai-engineer", name="AI Engineer")
    other = reverse("roadmap:assess_levels", args=[other_pcs[0].competency_id])
    assert client.get(other).status_code == 404
    htmx = client.get(levels_url, **HTMX).content.decode()
    assert "<html" not in htmx and 'name="evidence_url"' in htmx


def test_plain_post_with_bad_level_rerenders_page_with_message(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "7"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a level from 0 (None) to 4 (Expert)." in html
    assert "Not saved" in html
    assert not Rating.objects.exists()
    # The re-rendered rows post back to the assessment page (the default, so no `next`), not
    # to the rating URL.
    assert 'name="next"' not in html


def test_failed_plain_post_in_focus_mode_shows_the_focused_rows(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    back = reverse("roadmap:assess") + f"?focus={pcs[0].competency_id}"
    response = client.post(rate_url(pcs[0]), {"level": "9", "next": back})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="competency-{pcs[0].competency_id}"' in html
    assert f'id="competency-{pcs[1].competency_id}"' not in html


def test_evidence_without_scheme_is_stored_as_https(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    client.post(rate_url(pcs[0]), {"level": "1", "evidence_url": "github.com/me/repo"})
    assert Rating.objects.get().evidence_url == "https://github.com/me/repo"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "http://"])
def test_non_web_evidence_links_are_refused(client, setup, url):
    path, pcs, learner = setup
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "1", "evidence_url": url})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_rate_unknown_competency_is_404(client, setup):
    client.force_login(setup[2])
    response = client.post(reverse("roadmap:rate", args=[999999]), {"level": "2"})
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_rate_competency_of_another_path_is_404(client, setup):
    other_path, other_pcs = path_with_competencies(1, slug="ai-engineer", name="AI Engineer")
    client.force_login(setup[2])
    response = client.post(rate_url(other_pcs[0]), {"level": "2"})
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_rate_retired_competency_is_404(client, setup):
    path, pcs, learner = setup
    pcs[0].retired_at = timezone.now()
    pcs[0].save()
    client.force_login(learner)
    assert client.post(rate_url(pcs[0]), {"level": "2"}).status_code == 404


def test_rate_without_target_path_is_404(client, setup):
    pcs = setup[1]
    client.force_login(factories.LearnerFactory())
    assert client.post(rate_url(pcs[0]), {"level": "2"}).status_code == 404


def test_rate_get_is_405(client, setup):
    client.force_login(setup[2])
    assert client.get(rate_url(setup[1][0])).status_code == 405


def test_rate_anonymous_goes_to_login_and_stores_nothing(client, setup):
    response = client.post(rate_url(setup[1][0]), {"level": "2"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Rating.objects.exists()


def test_one_learner_never_sees_another_learners_ratings(client, setup):
    path, pcs, learner = setup
    other = learner_on(path)
    factories.RatingFactory(
        learner=other, competency=pcs[0].competency, level=4, note="secret-note"
    )
    client.force_login(learner)
    html = client.get(reverse("roadmap:assess")).content.decode()
    assert "secret-note" not in html
    row = html.split(f'id="competency-{pcs[0].competency_id}"')[1].split("</section>")[0]
    assert "checked" not in row


def test_htmx_post_without_csrf_header_is_refused(setup):
    from django.test import Client

    path, pcs, learner = setup
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "2"}, **HTMX)
    assert response.status_code == 403
    assert not Rating.objects.exists()


# --- reassessment ---------------------------------------------------------------------------------


def test_reassess_lists_stale_and_never_rated(client, setup, settings):
    settings.GAPMAP_STALE_WEEKS = 4
    path, pcs, learner = setup
    now = timezone.now()
    factories.RatingFactory(
        learner=learner, competency=pcs[0].competency, created_at=now - timedelta(weeks=5)
    )
    factories.RatingFactory(
        learner=learner, competency=pcs[1].competency, created_at=now - timedelta(days=3)
    )
    client.force_login(learner)
    html = client.get(reverse("roadmap:reassess")).content.decode()
    assert f'id="competency-{pcs[0].competency_id}"' in html  # stale
    assert f'id="competency-{pcs[1].competency_id}"' not in html  # fresh
    assert f'id="competency-{pcs[2].competency_id}"' in html  # never rated
    # Rows post back to this page when JavaScript is off.
    assert f'value="{reverse("roadmap:reassess")}"' in html


def test_reassess_respects_the_setting(client, setup, settings):
    settings.GAPMAP_STALE_WEEKS = 1
    path, pcs, learner = setup
    for pc in pcs:
        factories.RatingFactory(
            learner=learner,
            competency=pc.competency,
            created_at=timezone.now() - timedelta(days=10),
        )
    client.force_login(learner)
    html = client.get(reverse("roadmap:reassess")).content.decode()
    assert all(f'id="competency-{pc.competency_id}"' in html for pc in pcs)


def test_reassess_empty_state_when_all_fresh(client, setup):
    path, pcs, learner = setup
    for pc in pcs:
        factories.RatingFactory(learner=learner, competency=pc.competency)
    client.force_login(learner)
    html = client.get(reverse("roadmap:reassess")).content.decode()
    assert "All your ratings are fresh" in html


def test_plain_post_from_reassess_returns_there(client, setup):
    path, pcs, learner = setup
    client.force_login(learner)
    response = client.post(rate_url(pcs[0]), {"level": "2", "next": reverse("roadmap:reassess")})
    assert response["Location"].startswith(reverse("roadmap:reassess"))


# --- query counts ---------------------------------------------------------------------------------


def _learner_with_path_of(size, *, rated):
    scale_levels()
    path, pcs = path_with_competencies(size, slug=f"size-{size}", name=f"Size {size}")
    for pc in pcs:
        for level in range(5):
            factories.LevelDescriptorFactory(competency=pc.competency, level=level)
    learner = learner_on(path)
    for pc in pcs[:rated]:
        factories.RatingFactory(learner=learner, competency=pc.competency, level=1)
        factories.RatingFactory(learner=learner, competency=pc.competency, level=2)
    return learner, pcs


def _count_queries(client, url, django_assert_max_num_queries, *, method="get", data=None, **extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {}, **extra)
    assert response.status_code in (200, 302)
    return len(captured)


# Session, user, the curriculum version token, the latest ratings, the nav's unread count; the
# first view of a path under a curriculum version also reads its rows and their descriptors with
# the scale (curriculum/cache.py).
PAGE_QUERIES = {
    "roadmap:assess": 5,
    "roadmap:reassess": 5,
    "roadmap:gaps": 12,
}  # gaps: + resources of the next steps, + studied marks
FIRST_VIEW_EXTRA = {"roadmap:assess": 2, "roadmap:reassess": 2, "roadmap:gaps": 0}


@pytest.mark.parametrize("name", ["roadmap:assess", "roadmap:reassess", "roadmap:gaps"])
def test_page_queries_do_not_grow_with_the_path(client, name, django_assert_max_num_queries):
    small, _ = _learner_with_path_of(10, rated=5)
    big, _ = _learner_with_path_of(160, rated=80)
    client.force_login(small)
    small_first = _count_queries(client, reverse(name), django_assert_max_num_queries)
    small_count = _count_queries(client, reverse(name), django_assert_max_num_queries)
    client.force_login(big)
    with django_assert_max_num_queries(small_first):
        response = client.get(reverse(name))
    with django_assert_max_num_queries(small_count):
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert small_count <= PAGE_QUERIES[name]
    assert small_first <= PAGE_QUERIES[name] + FIRST_VIEW_EXTRA[name]


@pytest.mark.parametrize("htmx", [True, False])
def test_rate_queries_do_not_grow_with_the_path(client, htmx, django_assert_max_num_queries):
    extra = HTMX if htmx else {}
    small, small_pcs = _learner_with_path_of(10, rated=5)
    big, big_pcs = _learner_with_path_of(160, rated=80)
    client.force_login(small)
    client.get(reverse("roadmap:assess"))  # the path's curriculum is read once, then cached
    small_count = _count_queries(
        client, rate_url(small_pcs[0]), None, method="post", data={"level": "3"}, **extra
    )
    client.force_login(big)
    client.get(reverse("roadmap:assess"))
    with django_assert_max_num_queries(small_count):
        client.post(rate_url(big_pcs[0]), {"level": "3"}, **extra)
    # Besides what the rating service itself runs: session, user and the curriculum version
    # token (the path's rows and descriptors are cached; the latest ratings come from the
    # service).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roadmap.services.assessment import rating_record

    with CaptureQueriesContext(connection) as service:
        rating_record(learner=big, competency=big_pcs[1].competency, level=2)
    assert small_count <= len(service) + 3
