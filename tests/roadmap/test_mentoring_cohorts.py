"""Cohorts mentors run themselves: create, edit, co-mentors; staff manage all; others 404."""

import pytest
from django.urls import reverse

from accounts.models import Cohort
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def path():
    return factories.PathFactory()


@pytest.fixture
def mentor():
    return factories.MentorFactory(full_name="Maya Okafor")


@pytest.fixture
def cohort(path, mentor):
    cohort = factories.CohortFactory(name="Spring", path=path)
    cohort.mentors.add(mentor)
    return cohort


def _settings(path, **extra):
    data = {
        "name": "Autumn 2027",
        "path": path.pk,
        "start_date": "2027-09-06",
        "checkin_weekday": "2",
        "attention_behind_weeks": "2",
        "attention_idle_days": "21",
        "attention_drop_points": "10",
    }
    return {**data, **extra}


def test_mentor_creates_own_cohort(client, mentor, path):
    client.force_login(mentor)
    url = reverse("roadmap:cohort_create")
    page = client.get(url)
    assert page.status_code == 200 and 'name="mentors"' not in page.text
    response = client.post(url, _settings(path))
    cohort = Cohort.objects.get(name="Autumn 2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:cohort_detail", args=[cohort.pk])
    assert list(cohort.mentors.all()) == [mentor]
    assert cohort.checkin_weekday == 2 and str(cohort.start_date) == "2027-09-06"
    assert "Autumn 2027" in client.get(reverse("roadmap:mentor_home")).text


def test_mentor_cannot_choose_other_mentors_when_creating(client, mentor, path):
    other = factories.MentorFactory()
    client.force_login(mentor)
    client.post(reverse("roadmap:cohort_create"), _settings(path, mentors=[other.pk]))
    assert list(Cohort.objects.get(name="Autumn 2027").mentors.all()) == [mentor]


def test_create_with_errors_rerenders_and_stores_nothing(client, mentor, path):
    client.force_login(mentor)
    response = client.post(reverse("roadmap:cohort_create"), _settings(path, name=""))
    assert response.status_code == 400 and "This field is required" in response.text
    assert not Cohort.objects.exists()


def test_learner_cannot_create_a_cohort(client, path):
    client.force_login(factories.LearnerFactory())
    assert client.post(reverse("roadmap:cohort_create"), _settings(path)).status_code == 404
    assert not Cohort.objects.exists()


def test_create_and_edit_refuse_other_methods(client, mentor, cohort):
    client.force_login(mentor)
    assert client.put(reverse("roadmap:cohort_create")).status_code == 405
    assert client.delete(reverse("roadmap:cohort_edit", args=[cohort.pk])).status_code == 405
    assert client.get(reverse("roadmap:cohort_mentor_add", args=[cohort.pk])).status_code == 405


def test_mentor_edits_settings_and_attention_rules(client, mentor, cohort, path):
    client.force_login(mentor)
    url = reverse("roadmap:cohort_edit", args=[cohort.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, _settings(path, name="Spring (renamed)", attention_idle_days="10", checkin_weekday="")
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.name == "Spring (renamed)" and cohort.attention_idle_days == 10
    assert cohort.checkin_weekday is None
    assert list(cohort.mentors.all()) == [mentor]  # a mentor's edit keeps the mentors


def test_edit_rejects_bad_rule(client, mentor, cohort, path):
    client.force_login(mentor)
    url = reverse("roadmap:cohort_edit", args=[cohort.pk])
    response = client.post(url, _settings(path, attention_idle_days="0"))
    assert response.status_code == 400
    cohort.refresh_from_db()
    assert cohort.attention_idle_days == 21 and cohort.name == "Spring"


def test_mentor_of_other_cohort_gets_404(client, cohort, path):
    other = factories.MentorFactory()
    client.force_login(other)
    assert client.get(reverse("roadmap:cohort_edit", args=[cohort.pk])).status_code == 404
    assert client.get(reverse("roadmap:cohort_detail", args=[cohort.pk])).status_code == 404
    response = client.post(reverse("roadmap:cohort_edit", args=[cohort.pk]), _settings(path))
    assert response.status_code == 404
    add = reverse("roadmap:cohort_mentor_add", args=[cohort.pk])
    assert client.post(add, {"email": other.email}).status_code == 404
    cohort.refresh_from_db()
    assert cohort.name == "Spring" and not cohort.mentors.filter(pk=other.pk).exists()


def test_anonymous_is_sent_to_login(client, cohort):
    response = client.get(reverse("roadmap:cohort_edit", args=[cohort.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_manage_every_cohort_and_its_mentors(client, cohort, path):
    staff = factories.CohortStaffFactory()
    new_mentor = factories.MentorFactory()
    client.force_login(staff)
    url = reverse("roadmap:cohort_edit", args=[cohort.pk])
    assert 'name="mentors"' in client.get(url).text
    client.post(url, _settings(path, mentors=[new_mentor.pk]))
    assert list(cohort.mentors.all()) == [new_mentor]


def test_mentor_adds_a_co_mentor_by_email(client, mentor, cohort):
    co = factories.MentorFactory(email="tom@example.com", full_name="Tom Herrera")
    client.force_login(mentor)
    add = reverse("roadmap:cohort_mentor_add", args=[cohort.pk])
    response = client.post(add, {"email": "TOM@example.com"})
    assert response.status_code == 302
    assert set(cohort.mentors.all()) == {mentor, co}
    client.force_login(co)
    assert client.get(reverse("roadmap:cohort_detail", args=[cohort.pk])).status_code == 200


def test_co_mentor_must_be_a_mentor(client, mentor, cohort):
    learner = factories.LearnerFactory(email="lea@example.com")
    client.force_login(mentor)
    add = reverse("roadmap:cohort_mentor_add", args=[cohort.pk])
    for email in (learner.email, "nobody@example.com", "not an address"):
        response = client.post(add, {"email": email})
        assert response.status_code == 400
    assert list(cohort.mentors.all()) == [mentor]


def test_co_mentor_htmx_returns_the_fragment(client, mentor, cohort):
    co = factories.MentorFactory(full_name="Tom Herrera")
    client.force_login(mentor)
    add = reverse("roadmap:cohort_mentor_add", args=[cohort.pk])
    response = client.post(add, {"email": co.email}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="co-mentors"')
    assert "Tom Herrera" in response.text and "<html" not in response.text
    bad = client.post(add, {"email": "nobody@example.com"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "<html" not in bad.text and "No mentor account" in bad.text
