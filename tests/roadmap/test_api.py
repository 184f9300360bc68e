"""The read-only JSON API (roadmap/views/api.py) and personal access tokens: every endpoint for
the owner, another learner (404), a mentor inside and outside the cohort, a revoked and an
expired token; pagination, throttling, the OpenAPI document, flat query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roadmap.models import PersonalToken
from roadmap.services import api as api_services
from roadmap.services.progress import EXPORT_SCHEMA_VERSION, learner_export
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    path = factories.PathFactory(slug="dev", name="Developer")
    comps = [factories.CompetencyFactory() for _ in range(3)]
    for c in comps:
        factories.PathCompetencyFactory(path=path, competency=c, target_level=3, weight=3)
    owner = factories.LearnerFactory(target_path=path)
    other = factories.LearnerFactory(target_path=path)
    mentor_in = factories.MentorFactory()
    mentor_out = factories.MentorFactory()
    cohort = factories.CohortFactory(path=path, name="In")
    cohort.mentors.add(mentor_in)
    factories.CohortMembershipFactory(cohort=cohort, learner=owner)
    other_cohort = factories.CohortFactory(path=path, name="Out")
    other_cohort.mentors.add(mentor_out)
    factories.CohortMembershipFactory(cohort=other_cohort, learner=other)
    for level, c in enumerate(comps, start=1):
        factories.RatingFactory(learner=owner, competency=c, level=level)
    plan = PlanFactory(learner=owner, path=path)
    PlanItemFactory(plan=plan)
    return {
        "path": path,
        "comps": comps,
        "owner": owner,
        "other": other,
        "mentor_in": mentor_in,
        "mentor_out": mentor_out,
        "cohort": cohort,
        "other_cohort": other_cohort,
    }


def bearer(user, **kwargs) -> dict:
    _, raw = api_services.token_create(user=user, name="test", **kwargs)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


LEARNER_ENDPOINTS = ["api_current_ratings", "api_ratings", "api_readiness", "api_plans"]


@pytest.mark.parametrize("name", LEARNER_ENDPOINTS)
def test_learner_endpoints_by_role(client, world, name):
    url = reverse(f"roadmap:{name}", args=[world["owner"].pk])
    owner = client.get(url, **bearer(world["owner"]))
    assert owner.status_code == 200, owner.content
    assert owner.json()["learner_id"] == world["owner"].pk
    assert client.get(url, **bearer(world["other"])).status_code == 404
    assert client.get(url, **bearer(world["mentor_in"])).status_code == 200
    assert client.get(url, **bearer(world["mentor_out"])).status_code == 404
    assert client.get(url).status_code == 401
    # A session is not enough: the API reads tokens only.
    client.force_login(world["owner"])
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("name", LEARNER_ENDPOINTS + ["api_me", "api_cohorts", "api_cohort"])
def test_revoked_and_expired_tokens_get_401(client, world, name):
    args = {
        "api_me": [],
        "api_cohorts": [],
        "api_cohort": [world["cohort"].pk],
    }.get(name, [world["owner"].pk])
    url = reverse(f"roadmap:{name}", args=args)
    user = world["mentor_in"] if name.startswith("api_cohort") else world["owner"]
    token, raw = api_services.token_create(user=user, name="t")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    api_services.token_revoke(user=user, token_id=token.pk)
    revoked = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"].startswith("Bearer")
    expired, raw2 = api_services.token_create(user=user, name="t2", expires_in_days=1)
    PersonalToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer gmp_nonsense").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_cohort_endpoints_by_role(client, world):
    listing = reverse("roadmap:api_cohorts")
    detail = reverse("roadmap:api_cohort", args=[world["cohort"].pk])
    mine = client.get(listing, **bearer(world["mentor_in"])).json()
    assert [c["name"] for c in mine["results"]] == ["In"]
    assert mine["results"][0]["size"] == 1
    assert client.get(detail, **bearer(world["mentor_in"])).json()["name"] == "In"
    assert client.get(detail, **bearer(world["mentor_out"])).status_code == 404
    assert client.get(listing, **bearer(world["mentor_out"])).json()["count"] == 1
    for learner in (world["owner"], world["other"]):
        assert client.get(listing, **bearer(learner)).status_code == 404
        assert client.get(detail, **bearer(learner)).status_code == 404
    staff = factories.CohortStaffFactory()
    assert client.get(listing, **bearer(staff)).json()["count"] == 2


def test_me_and_content(client, world):
    headers = bearer(world["owner"])
    me = client.get(reverse("roadmap:api_me"), **headers).json()
    assert me["id"] == world["owner"].pk and me["target_path"] == "dev"
    current = client.get(
        reverse("roadmap:api_current_ratings", args=[world["owner"].pk]), **headers
    ).json()
    assert sorted(r["level"] for r in current["results"]) == [1, 2, 3]
    readiness = client.get(
        reverse("roadmap:api_readiness", args=[world["owner"].pk]), **headers
    ).json()["results"]
    (dev,) = [r for r in readiness if r["path_slug"] == "dev"]
    assert dev["weeks"][-1]["readiness"] > 0


def test_api_reuses_the_export_serialisers(client, world):
    """Ratings and plans read the same through the API as in the my-data export."""
    headers = bearer(world["owner"])
    export = learner_export(learner=world["owner"])
    assert export["schema_version"] == EXPORT_SCHEMA_VERSION
    assert export["format"] == "gapmap.my-data"
    ratings = client.get(reverse("roadmap:api_ratings", args=[world["owner"].pk]), **headers).json()
    assert ratings["results"] == export["ratings"]
    plans = client.get(reverse("roadmap:api_plans", args=[world["owner"].pk]), **headers).json()
    assert plans["results"] == export["plans"]


def test_pagination(client, world):
    headers = bearer(world["owner"])
    url = reverse("roadmap:api_ratings", args=[world["owner"].pk])
    first = client.get(url, {"page_size": 2}, **headers).json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    second = client.get(url, {"page_size": 2, "page": 2}, **headers).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get(url, {"page": 9}, **headers).json()["results"] == []
    for bad in ({"page": "x"}, {"page": 0}, {"page_size": 1000}):
        response = client.get(url, bad, **headers)
        assert response.status_code == 400
        assert "page" in response.json()["error"]


def test_read_only(client, world):
    url = reverse("roadmap:api_me")
    response = client.post(url, **bearer(world["owner"]))
    assert response.status_code == 405
    assert response.json()["error"].startswith("The API is read-only")


def test_throttle_per_token(client, world, settings):
    settings.API_THROTTLE_PER_MINUTE = 3
    url = reverse("roadmap:api_me")
    first, second = bearer(world["owner"]), bearer(world["owner"])
    assert [client.get(url, **first).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = client.get(url, **first)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert client.get(url, **second).status_code == 200  # another token's budget


def test_openapi_document_lists_every_api_url(client):
    doc = client.get(reverse("roadmap:api_schema")).json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {
        "/me/",
        "/learners/{learner_id}/ratings/current/",
        "/learners/{learner_id}/ratings/",
        "/learners/{learner_id}/readiness/",
        "/learners/{learner_id}/plans/",
        "/cohorts/",
        "/cohorts/{cohort_id}/",
    }
    for path in doc["paths"]:
        url = "/api/v1" + path.replace("{learner_id}", "1").replace("{cohort_id}", "1")
        assert client.get(url).status_code == 401  # every documented path exists


# --- tokens on the profile


def test_token_created_shown_once_and_hashed(client, world):
    client.force_login(world["owner"])
    response = client.post(
        reverse("roadmap:api_token_create"), {"name": "laptop", "expires_in_days": "30"}
    )
    assert response.status_code == 200
    token = PersonalToken.objects.get(user=world["owner"])
    raw = response.context["raw"]
    assert raw in response.content.decode()
    assert raw not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    assert token.expires_at > timezone.now() + timedelta(days=29)
    profile = client.get(reverse("roadmap:profile")).content.decode()
    assert "laptop" in profile and raw not in profile


def test_token_without_name_is_refused(client, world):
    client.force_login(world["owner"])
    response = client.post(reverse("roadmap:api_token_create"), {"name": ""}, follow=True)
    assert "needs a name" in response.content.decode()
    assert not PersonalToken.objects.exists()


def test_token_views_refuse_wrong_method_anonymous_and_outsider(client, world):
    token, _ = api_services.token_create(user=world["owner"], name="t")
    revoke = reverse("roadmap:api_token_revoke", args=[token.pk])
    create = reverse("roadmap:api_token_create")
    assert client.post(create, {"name": "x"}).status_code == 302  # to sign-in
    client.force_login(world["other"])
    assert client.post(revoke).status_code == 404
    client.force_login(world["owner"])
    assert client.get(revoke).status_code == 405
    assert client.get(create).status_code == 405
    assert client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post(revoke).status_code == 404  # already revoked


# --- query counts


def _count(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **headers).status_code == 200
    return len(ctx)


def _grow(world, n):
    owner = world["owner"]
    for _ in range(n):
        comp = factories.CompetencyFactory()
        factories.PathCompetencyFactory(path=world["path"], competency=comp)
        factories.RatingFactory(learner=owner, competency=comp, level=2)
        PlanItemFactory(plan=owner.plans.first())
        learner = factories.LearnerFactory()
        factories.CohortMembershipFactory(cohort=world["cohort"], learner=learner)
    PlanFactory(learner=owner, path=factories.PathFactory())
    c = factories.CohortFactory(path=world["path"])
    c.mentors.add(world["mentor_in"])


@pytest.mark.parametrize("name", LEARNER_ENDPOINTS + ["api_cohorts", "api_cohort"])
def test_query_counts_are_flat(client, world, name):
    args = {"api_cohorts": [], "api_cohort": [world["cohort"].pk]}.get(name, [world["owner"].pk])
    url = reverse(f"roadmap:{name}", args=args)
    user = world["mentor_in"] if name.startswith("api_cohort") else world["owner"]
    headers = bearer(user)
    client.get(url, **headers)  # the token's first use writes last_used_at (once a minute)
    small = _count(client, url, headers)
    _grow(world, 8)
    assert _count(client, url, headers) == small
