"""Mentor data needs a mentor role or the accounts.view_all_cohorts permission; being staff
alone is not enough."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Cohort
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return factories.CohortFactory()


def _grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_all_cohorts"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: no cached permissions


def test_staff_without_the_permission_get_404_on_mentor_pages(client, cohort):
    staff = factories.StaffFactory()
    client.force_login(staff)

    assert client.get(reverse("roadmap:mentor_home")).status_code == 404
    assert client.get(reverse("roadmap:cohort_detail", args=[cohort.pk])).status_code == 404
    assert list(Cohort.objects.mentored_by(staff)) == []


def test_staff_with_the_permission_see_every_cohort(client, cohort):
    staff = _grant(factories.StaffFactory())
    client.force_login(staff)

    assert client.get(reverse("roadmap:mentor_home")).status_code == 200
    assert client.get(reverse("roadmap:cohort_detail", args=[cohort.pk])).status_code == 200
    assert list(Cohort.objects.mentored_by(staff)) == [cohort]


def test_the_permission_without_staff_grants_nothing(client, cohort):
    learner = _grant(factories.LearnerFactory())
    client.force_login(learner)

    assert client.get(reverse("roadmap:cohort_detail", args=[cohort.pk])).status_code == 404


def test_superusers_see_every_cohort(client, cohort):
    client.force_login(factories.StaffFactory(is_superuser=True))

    assert client.get(reverse("roadmap:cohort_detail", args=[cohort.pk])).status_code == 200
