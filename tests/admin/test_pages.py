"""Every admin page renders for staff, refuses learners and mentors, and keeps its query count
flat as rows grow. (The URL access matrix skips the admin namespace; this is its admin part.)"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.admin.conftest import grow
from tests.admin.helpers import admin_url, registered_models

MODELS = registered_models()
MODEL_IDS = [m._meta.label for m in MODELS]
# Gapmap's own models (not auth's groups or django-axes' records): add pages and query counts.
OURS = [m for m in MODELS if m._meta.app_label in {"accounts", "curriculum", "roadmap"}]
OUR_IDS = [m._meta.label for m in OURS]


def test_every_gapmap_model_is_in_admin():
    from django.apps import apps

    ours = {
        m
        for label in ("accounts", "curriculum", "roadmap")
        for m in apps.get_app_config(label).get_models()
        # Edited inline on their parent's page.
        if m._meta.model_name
        not in {
            "pathtrait",
            "leveldescriptor",
            "projectcheckpoint",
            "projectcompetency",
            "cohortmembership",
            "planitem",
            # Internal bookkeeping for the dashboard's "what changed" notice.
            "curriculumsnapshot",
            # A copy of each newest Rating, kept by roadmap.services.assessment.
            "currentrating",
            # The curriculum's version token, renewed by curriculum.services.curriculum_changed.
            "curriculumversion",
        }
    }
    assert ours <= set(MODELS), ours - set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_changelist_and_change_page_render_for_superuser(admin_client, model):
    grow(2)
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    if model._meta.app_label == "axes":
        return  # django-axes' own records; grow() makes none
    assert obj is not None, f"grow() makes no {model._meta.label}"
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", OURS, ids=OUR_IDS)
def test_add_page_renders_or_is_refused_for_append_only_history(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))
    # History and records the system writes: staff read them, nobody adds one by hand.
    append_only = model._meta.label in {
        "roadmap.Rating",
        "roadmap.PathSelection",
        "roadmap.Plan",
        "roadmap.Delivery",
        "roadmap.StudiedResource",
        "roadmap.LoggedHours",
        "roadmap.Celebration",
        "roadmap.Credential",
        "roadmap.PersonalToken",
    }
    assert response.status_code == (403 if append_only else 200)


def test_search_and_filters_render(admin_client):
    made = grow(3)
    from curriculum.models import Competency, Project
    from roadmap.models import Rating

    competencies = admin_url(Competency, "changelist")
    checks = [
        (competencies, {"q": made["competency"].name, "kind": "skill"}),
        (competencies, {"path_competencies__path__id__exact": made["path"].pk}),
        (admin_url(Project, "changelist"), {"path__id__exact": made["path"].pk, "is_active": 1}),
        (admin_url(Rating, "changelist"), {"q": made["learner"].email, "source": "self"}),
    ]
    for url, params in checks:
        response = admin_client.get(url, params)
        assert response.status_code == 200, (url, params)
        assert response.context["cl"].result_count >= 1, (url, params)


def test_competency_search_finds_by_summary_and_slug(admin_client):
    from curriculum.models import Competency

    factories.CompetencyFactory(slug="vector-dbs", name="Vector DBs", summary="pgvector, Qdrant")
    factories.CompetencyFactory(slug="python", name="Python")
    url = admin_url(Competency, "changelist")
    assert admin_client.get(url, {"q": "qdrant"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "vector-dbs"}).context["cl"].result_count == 1


@pytest.mark.parametrize("role", ["learner", "mentor", "plain_staff_without_permissions"])
def test_non_admins_cannot_use_admin(client, db, role):
    grow(1)
    if role == "learner":
        user = factories.LearnerFactory()
    elif role == "mentor":
        user = factories.MentorFactory()
    else:
        user = factories.StaffFactory()
    client.force_login(user)
    login = reverse("admin:login")
    if role == "plain_staff_without_permissions":
        # Staff without model permissions reach the index but no model page.
        assert client.get(reverse("admin:index")).status_code == 200
        for model in MODELS:
            assert client.get(admin_url(model, "changelist")).status_code == 403
        return
    for url in [reverse("admin:index")] + [admin_url(m, "changelist") for m in MODELS]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    obj = MODELS[0]._default_manager.first()
    response = client.get(admin_url(MODELS[0], "change", obj.pk))
    assert response.status_code == 302 and response["Location"].startswith(login)


def test_anonymous_is_sent_to_admin_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", OURS, ids=OUR_IDS)
def test_changelist_query_count_is_flat(admin_client, django_assert_max_num_queries, model):
    made = grow(2)
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200
    grow(10, path=made["path"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 10 or model._meta.model_name == "scalelevel"


def test_admin_site_registers_no_duplicate_auth_user():
    assert admin.site.is_registered(factories.UserFactory._meta.model)
