"""Mentor data needs a mentor role or the accounts.view_all_cohorts permission; being staff alone
is not enough (issue 18). Every cohort and mentoring view, by role: plain staff, a staff member
who is also a mentor (only their own cohorts, and no choosing of other mentors), staff with the
permission (every cohort, choosing mentors), and a mentor."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Cohort, User
from roadmap.services import api as api_services
from tests import factories
from tests.access.matrix import collect_entries
from tests.access.world import build_world

pytestmark = pytest.mark.django_db

# Every cohort/mentor URL of the matrix whose expectations treat staff as an outsider.
MENTOR_URLS = sorted(
    name
    for name, entry in collect_entries().items()
    if entry.expect.get("staff") == 404 and entry.expect.get("learner_a") == 404
)


@pytest.fixture
def world():
    world = build_world()
    world.staff_mentor = factories.MentorFactory(email="sm@example.com", is_staff=True)
    world.cohort_staff = factories.CohortStaffFactory(email="cs@example.com")
    return world


def _url(world, name):
    entry = collect_entries()[name]
    return entry, reverse(name, kwargs=entry.kwargs(world) if entry.kwargs else {})


def test_the_audit_covers_every_cohort_and_mentoring_view():
    assert {
        "roadmap:cohort_create",
        "roadmap:cohort_edit",
        "roadmap:cohort_mentor_add",
        "roadmap:cohort_detail",
        "roadmap:cohort_csv",
        "roadmap:cohort_invites",
        "roadmap:cohort_invite_revoke",
        "roadmap:mentor_home",
        "roadmap:mentor_learner",
        "roadmap:mentor_feedback",
        "roadmap:mentor_rating_record",
        "roadmap:mentor_rating_verify",
        "roadmap:mentor_checkpoint_signoff",
    } <= set(MENTOR_URLS)


@pytest.mark.parametrize("name", MENTOR_URLS)
def test_plain_staff_get_404_from_every_mentor_view(client, world, name):
    entry, url = _url(world, name)
    client.force_login(world.staff)
    assert client.generic(entry.method, url, entry.data).status_code == 404


@pytest.mark.parametrize("name", MENTOR_URLS)
def test_a_staff_mentor_gets_what_a_mentor_of_another_cohort_gets(client, world, name):
    """Being staff adds nothing to the mentor role: cohort_x is not theirs."""
    entry, url = _url(world, name)
    client.force_login(world.staff_mentor)
    expected = entry.status_for("mentor_y")
    assert client.generic(entry.method, url, entry.data).status_code == expected


@pytest.mark.parametrize("name", MENTOR_URLS)
def test_staff_with_the_permission_get_what_a_superuser_gets(client, world, name):
    entry, url = _url(world, name)
    client.force_login(world.cohort_staff)
    expected = entry.status_for("superuser")
    assert client.generic(entry.method, url, entry.data).status_code == expected


def _cohort_post(world, **extra):
    return {
        "name": "Spring",
        "path": world.path.pk,
        "start_date": dt.date(2026, 3, 2).isoformat(),
        "attention_behind_weeks": "2",
        "attention_idle_days": "14",
        "attention_drop_points": "10",
        **extra,
    }


def test_plain_staff_cannot_create_a_cohort(client, world):
    client.force_login(world.staff)
    url = reverse("roadmap:cohort_create")
    assert client.get(url).status_code == 404
    response = client.post(url, _cohort_post(world, mentors=[world.mentor_x.pk]))
    assert response.status_code == 404
    assert not Cohort.objects.filter(name="Spring").exists()


def test_a_staff_mentor_creates_a_cohort_they_mentor_and_chooses_no_one_else(client, world):
    client.force_login(world.staff_mentor)
    url = reverse("roadmap:cohort_create")
    page = client.get(url)
    assert page.status_code == 200 and 'name="mentors"' not in page.content.decode()
    response = client.post(url, _cohort_post(world, mentors=[world.mentor_x.pk]))
    cohort = Cohort.objects.get(name="Spring")
    assert response.status_code == 302
    assert list(cohort.mentors.all()) == [world.staff_mentor]


def test_a_staff_mentor_cannot_replace_the_mentors_of_their_cohort(client, world):
    cohort = factories.CohortFactory(path=world.path)
    cohort.mentors.add(world.staff_mentor)
    client.force_login(world.staff_mentor)
    url = reverse("roadmap:cohort_edit", args=[cohort.pk])
    assert 'name="mentors"' not in client.get(url).content.decode()
    client.post(url, _cohort_post(world, mentors=[world.mentor_x.pk]))
    cohort.refresh_from_db()
    assert cohort.name == "Spring" and list(cohort.mentors.all()) == [world.staff_mentor]


def test_staff_with_the_permission_choose_mentors_among_mentor_accounts(client, world):
    client.force_login(world.cohort_staff)
    url = reverse("roadmap:cohort_create")
    form = client.get(url).context["form"]
    choices = set(form.fields["mentors"].queryset)
    assert {world.mentor_x, world.mentor_y, world.staff_mentor} <= choices
    assert not choices & {world.staff, world.superuser, world.cohort_staff, world.learner_a}
    client.post(url, _cohort_post(world, mentors=[world.mentor_x.pk, world.mentor_y.pk]))
    cohort = Cohort.objects.get(name="Spring")
    assert set(cohort.mentors.all()) == {world.mentor_x, world.mentor_y}


def test_the_api_refuses_plain_staff_and_scopes_a_staff_mentor(client, world):
    def get(user, name, **kwargs):
        _, raw = api_services.token_create(user=user, name="t")
        return client.get(reverse(name, kwargs=kwargs), HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert get(world.staff, "roadmap:api_cohorts").status_code == 404
    assert get(world.staff, "roadmap:api_cohort", cohort_id=world.cohort_x.pk).status_code == 404
    learner = {"learner_id": world.learner_a.pk}
    assert get(world.staff, "roadmap:api_current_ratings", **learner).status_code == 404
    assert get(world.staff_mentor, "roadmap:api_cohorts").json()["count"] == 0
    assert get(world.staff_mentor, "roadmap:api_current_ratings", **learner).status_code == 404
    assert get(world.cohort_staff, "roadmap:api_cohorts").json()["count"] == 2
    assert get(world.cohort_staff, "roadmap:api_current_ratings", **learner).status_code == 200


def test_the_staff_mentor_is_a_mentor_and_plain_staff_are_not(world):
    assert User.objects.get(pk=world.staff_mentor.pk).can_mentor
    assert not User.objects.get(pk=world.staff.pk).can_mentor
