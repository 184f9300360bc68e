"""Invites, joining and leaving cohorts."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import CohortInvite, CohortMembership
from roadmap.services import cohorts as svc
from tests import factories
from tests.factories_mentoring import CohortInviteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return factories.CohortFactory()


@pytest.fixture
def learner():
    return factories.LearnerFactory()


def test_invite_code_is_short_and_unguessable(cohort):
    mentor = factories.MentorFactory()
    a = svc.cohort_invite_create(cohort=cohort, created_by=mentor)
    b = svc.cohort_invite_create(cohort=cohort, created_by=mentor)
    assert a.code != b.code and 10 <= len(a.code) <= 16


def test_join_creates_membership_and_counts_a_use(cohort, learner):
    invite = CohortInviteFactory(cohort=cohort)
    membership = svc.cohort_join(learner=learner, code=invite.code)
    assert membership.cohort == cohort and membership.left_at is None
    invite.refresh_from_db()
    assert invite.use_count == 1
    # joining again while in: no second use spent
    svc.cohort_join(learner=learner, code=invite.code)
    invite.refresh_from_db()
    assert invite.use_count == 1


def test_rejoining_after_leaving_reactivates_the_same_membership(cohort, learner):
    invite = CohortInviteFactory(cohort=cohort)
    first = svc.cohort_join(learner=learner, code=invite.code)
    first.leave()
    again = svc.cohort_join(learner=learner, code=invite.code)
    assert again.pk == first.pk and again.left_at is None
    assert CohortMembership.objects.filter(learner=learner).count() == 1


def test_invite_expires(cohort, learner):
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        invite = svc.cohort_invite_create(cohort=cohort, created_by=None, days=7)
    with time_machine.travel(dt.datetime(2026, 3, 8, 11, 59, tzinfo=dt.UTC), tick=False):
        svc.cohort_join(learner=learner, code=invite.code)
        CohortMembership.objects.filter(learner=learner).delete()
    with time_machine.travel(dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC), tick=False):
        with pytest.raises(svc.JoinError, match="expired"):
            svc.cohort_join(learner=learner, code=invite.code)
    assert not CohortMembership.objects.filter(learner=learner).exists()


@pytest.mark.parametrize("state", ["revoked", "used up", "unknown"])
def test_unusable_codes_change_nothing(cohort, learner, state):
    invite = CohortInviteFactory(cohort=cohort, max_uses=1)
    code = invite.code
    if state == "revoked":
        invite.revoke()
    elif state == "used up":
        svc.cohort_join(learner=factories.LearnerFactory(), code=code)
    else:
        code = "no-such-code"
    uses = CohortInvite.objects.get(pk=invite.pk).use_count
    with pytest.raises(svc.JoinError):
        svc.cohort_join(learner=learner, code=code)
    assert not CohortMembership.objects.filter(learner=learner).exists()
    assert CohortInvite.objects.get(pk=invite.pk).use_count == uses


def test_mentors_cannot_join_as_learners(cohort):
    invite = CohortInviteFactory(cohort=cohort)
    with pytest.raises(svc.JoinError):
        svc.cohort_join(learner=factories.MentorFactory(), code=invite.code)


def test_join_link_get_shows_cohort_and_changes_nothing(client, cohort, learner):
    invite = CohortInviteFactory(cohort=cohort)
    client.force_login(learner)
    response = client.get(reverse("roadmap:join_code", args=[invite.code]))
    assert response.status_code == 200
    assert cohort.name in response.text
    assert not CohortMembership.objects.exists()


def test_join_post_joins_and_redirects(client, cohort, learner):
    invite = CohortInviteFactory(cohort=cohort)
    client.force_login(learner)
    response = client.post(reverse("roadmap:join"), {"code": invite.code})
    assert response.status_code == 302 and response["Location"] == reverse("roadmap:my_cohorts")
    assert CohortMembership.objects.active().filter(learner=learner, cohort=cohort).exists()
    page = client.get(reverse("roadmap:my_cohorts"))
    assert cohort.name in page.text


def test_join_with_expired_code_shows_clear_message(client, cohort, learner):
    invite = CohortInviteFactory(cohort=cohort, expires_at=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(learner)
    get = client.get(reverse("roadmap:join_code", args=[invite.code]))
    assert "That invite is expired" in get.text
    response = client.post(reverse("roadmap:join"), {"code": invite.code})
    assert response.status_code == 400
    assert "That invite is expired" in response.text
    assert not CohortMembership.objects.exists()


def test_join_unknown_code_message(client, learner):
    client.force_login(learner)
    response = client.post(reverse("roadmap:join"), {"code": "nope"})
    assert response.status_code == 400 and "not known" in response.text


def test_join_wrong_method(client, learner):
    client.force_login(learner)
    assert client.put(reverse("roadmap:join")).status_code == 405


def test_join_anonymous_goes_to_login(client, cohort):
    invite = CohortInviteFactory(cohort=cohort)
    response = client.get(reverse("roadmap:join_code", args=[invite.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_leave_confirm_then_post(client, cohort, learner):
    membership = factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    client.force_login(learner)
    url = reverse("roadmap:cohort_leave", args=[cohort.pk])
    assert client.get(url).status_code == 200
    membership.refresh_from_db()
    assert membership.left_at is None
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert membership.left_at is not None
    # gone from "my cohorts", and leaving again is 404
    client.get(reverse("roadmap:my_cohorts"))  # shows (and so clears) the "You left" message
    assert cohort.name not in client.get(reverse("roadmap:my_cohorts")).text
    assert client.post(url).status_code == 404


def test_leave_someone_elses_cohort_is_404(client, cohort, learner):
    factories.CohortMembershipFactory(cohort=cohort)
    client.force_login(learner)
    assert client.post(reverse("roadmap:cohort_leave", args=[cohort.pk])).status_code == 404


def test_learner_in_several_cohorts(client, learner):
    a, b = factories.CohortFactory(name="Spring"), factories.CohortFactory(name="Autumn")
    for cohort in (a, b):
        svc.cohort_join(learner=learner, code=CohortInviteFactory(cohort=cohort).code)
    client.force_login(learner)
    text = client.get(reverse("roadmap:my_cohorts")).text
    assert "Spring" in text and "Autumn" in text


def test_mentor_creates_and_revokes_invites(client, cohort):
    mentor = factories.MentorFactory()
    cohort.mentors.add(mentor)
    client.force_login(mentor)
    url = reverse("roadmap:cohort_invites", args=[cohort.pk])
    response = client.post(url, {"days": "3", "max_uses": "5"})
    assert response.status_code == 302
    invite = CohortInvite.objects.get(cohort=cohort)
    assert invite.max_uses == 5 and invite.created_by == mentor
    assert invite.expires_at - timezone.now() > dt.timedelta(days=2, hours=23)
    assert invite.display_code in client.get(url).text
    bad = client.post(url, {"days": "0"})
    assert bad.status_code == 200 and CohortInvite.objects.count() == 1
    revoke = reverse("roadmap:cohort_invite_revoke", args=[cohort.pk, invite.pk])
    assert client.get(revoke).status_code == 405
    assert client.post(revoke).status_code == 302
    invite.refresh_from_db()
    assert invite.revoked_at is not None


def test_other_mentor_cannot_revoke(client, cohort):
    invite = CohortInviteFactory(cohort=cohort)
    client.force_login(factories.MentorFactory())
    revoke = reverse("roadmap:cohort_invite_revoke", args=[cohort.pk, invite.pk])
    assert client.post(revoke).status_code == 404
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_staff_creates_a_cohort_in_the_app(client):
    staff = factories.CohortStaffFactory()
    mentor = factories.MentorFactory()
    path = factories.PathFactory()
    client.force_login(staff)
    url = reverse("roadmap:cohort_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Winter 2027",
            "path": path.pk,
            "start_date": "2027-01-11",
            "mentors": [mentor.pk],
        },
    )
    assert response.status_code == 302
    from accounts.models import Cohort

    cohort = Cohort.objects.get(name="Winter 2027")
    assert list(cohort.mentors.all()) == [mentor]
    assert client.post(url, {"name": ""}).status_code == 400  # errors re-rendered
    assert Cohort.objects.count() == 1
