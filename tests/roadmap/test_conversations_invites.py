"""Invitations by e-mail: a cohort's mentor pastes addresses (validated, de-duplicated, an error
per bad address); each gets a personal link (signed, single-use, expiring) e-mailed through a
Delivery row once; the link admits only the account with that address."""

import datetime as dt

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import CohortEmailInvite, CohortMembership, User
from roadmap.models import Delivery, Notification
from roadmap.services import conversations, deliveries
from tests import factories
from tests.factories_conversations import EmailInviteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(name="Autumn cohort")
    cohort.mentors.add(mentor)
    return {"mentor": mentor, "cohort": cohort}


def url(w):
    return reverse("roadmap:cohort_email_invites", args=[w["cohort"].pk])


def link(invite):
    return reverse("roadmap:email_invite", args=[conversations.invite_token(invite)])


# --- parsing pasted addresses ---------------------------------------------------------------------
local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
addresses = st.builds(lambda a, b: f"{a}@{b}.example", local, local)


@given(
    st.lists(addresses, min_size=1, max_size=12),
    st.lists(st.sampled_from([",", ";", " ", "\n", ", ", "\r\n", "\t"]), min_size=12, max_size=12),
    st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_parse_keeps_each_address_once_in_order_whatever_the_case_and_separators(
    emails, separators, upper
):
    typed = [e.upper() if up else e for e, up in zip(emails, upper, strict=False)]
    text = "".join(f"{e}{sep}" for e, sep in zip(typed, separators, strict=False))
    parsed = conversations.addresses_parse(text)
    expected = list(dict.fromkeys(e.casefold() for e in emails))
    assert [a.casefold() for a in parsed.addresses] == expected
    assert parsed.invalid == []
    folded = [e.casefold() for e in emails]
    assert {r.casefold() for r in parsed.repeated} == {e for e in folded if folded.count(e) > 1}


def test_parse_reports_each_bad_address_and_accepts_angle_brackets():
    parsed = conversations.addresses_parse("<ada@example.com>, bob@, @x.org\nnot an address")
    assert parsed.addresses == ["ada@example.com"]
    assert parsed.invalid == ["bob@", "@x.org", "not", "an", "address"]


# --- the mentor's page ----------------------------------------------------------------------------
def test_mentor_invites_addresses_each_once_through_a_delivery(
    client, w, django_capture_on_commit_callbacks
):
    client.force_login(w["mentor"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            url(w), {"addresses": "ada@example.com\nBob@Example.com, ADA@example.com"}
        )
    assert response.status_code == 302
    invites = CohortEmailInvite.objects.order_by("pk")
    assert [i.email for i in invites] == ["ada@example.com", "Bob@example.com"]
    rows = Delivery.objects.order_by("pk")
    assert [(d.recipient, d.to_address, d.kind) for d in rows] == [
        (None, "ada@example.com", "invite"),
        (None, "Bob@example.com", "invite"),
    ]
    assert [d.period for d in rows] == [f"invite-{i.pk}" for i in invites]
    assert len(callbacks) == 2
    page = client.get(url(w))
    assert "Invitation sent to ada@example.com, Bob@example.com." in page.text
    assert "Listed more than once, invited once: ADA@example.com." in page.text
    assert page.text.count('<span class="badge warn">open</span>') == 2


def test_invitation_email_carries_the_personal_link(client, w):
    client.force_login(w["mentor"])
    client.post(url(w), {"addresses": "ada@example.com"})
    delivery = Delivery.objects.get()
    assert deliveries.delivery_send(delivery_id=delivery.pk).outcome == "sent"
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Mia Mentor invited you to Autumn cohort on Gapmap"
    invite = CohortEmailInvite.objects.get()
    sent_link = delivery.context["url"]
    assert sent_link in message.body
    token = sent_link.rstrip("/").rsplit("/", 1)[1]
    assert conversations.invite_from_token(token) == invite
    assert "List-Unsubscribe" not in message.extra_headers  # no account, nothing to unsubscribe
    assert deliveries.delivery_send(delivery_id=delivery.pk).outcome == "skipped"


def test_bad_addresses_are_listed_one_by_one_and_nothing_is_sent(client, w):
    client.force_login(w["mentor"])
    response = client.post(url(w), {"addresses": "ada@example.com, bob@, carol@@x.org"})
    assert response.status_code == 400
    assert "“bob@” is not an e-mail address" in response.text
    assert "“carol@@x.org” is not an e-mail address" in response.text
    assert not CohortEmailInvite.objects.exists() and not Delivery.objects.exists()


def test_empty_and_too_many_are_refused(client, w):
    client.force_login(w["mentor"])
    assert "Paste at least one" in client.post(url(w), {"addresses": " ,\n"}).text
    many = "\n".join(f"p{i}@example.com" for i in range(51))
    response = client.post(url(w), {"addresses": many})
    assert response.status_code == 400 and "send at most 50" in response.text
    assert not CohortEmailInvite.objects.exists()


def test_members_and_open_invitations_are_skipped_and_said_why(client, w):
    member = factories.LearnerFactory(email="member@example.com")
    factories.CohortMembershipFactory(cohort=w["cohort"], learner=member)
    EmailInviteFactory(cohort=w["cohort"], email="pending@example.com")
    client.force_login(w["mentor"])
    response = client.post(
        url(w), {"addresses": "MEMBER@example.com pending@example.com new@example.com"}, follow=True
    )
    assert "Not sent to MEMBER@example.com: already in this cohort." in response.text
    assert "Not sent to pending@example.com: already invited; that invitation is open" in (
        response.text
    )
    assert list(Delivery.objects.values_list("to_address", flat=True)) == ["new@example.com"]


def test_an_address_with_an_account_gets_the_email_and_a_notification(client, w):
    ada = factories.LearnerFactory(email="ada@example.com")
    client.force_login(w["mentor"])
    client.post(url(w), {"addresses": "Ada@Example.com"})
    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.to_address) == (ada, "")
    note = Notification.objects.get(user=ada)
    assert note.kind == "invite" and note.url == delivery.context["url"]
    assert deliveries.delivery_send(delivery_id=delivery.pk).outcome == "sent"
    assert mail.outbox[0].to == ["ada@example.com"]


def test_htmx_post_returns_the_fragment_with_the_outcome(client, w):
    client.force_login(w["mentor"])
    response = client.post(url(w), {"addresses": "ada@example.com"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert (
        response.text.lstrip().startswith('<div id="invite-form"') and "<html" not in response.text
    )
    assert "Invitation sent to: ada@example.com." in response.text


@pytest.mark.parametrize("who", ["learner", "other_mentor", "staff"])
def test_others_get_404(client, w, who):
    user = {
        "learner": factories.LearnerFactory,
        "other_mentor": factories.MentorFactory,
        "staff": factories.StaffFactory,
    }[who]()
    if who == "other_mentor":
        factories.CohortFactory().mentors.add(user)
    client.force_login(user)
    assert client.get(url(w)).status_code == 404
    assert client.post(url(w), {"addresses": "a@example.com"}).status_code == 404
    assert not CohortEmailInvite.objects.exists()


def test_anonymous_and_wrong_method(client, w):
    assert "/login/" in client.get(url(w))["Location"]
    client.force_login(w["mentor"])
    assert client.delete(url(w)).status_code == 405


# --- the delivery row for an address --------------------------------------------------------------
def test_a_delivery_needs_a_recipient_or_an_address():
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(kind="invite", period="invite-1")


def test_an_address_gets_one_row_per_invitation():
    Delivery.objects.create(to_address="a@example.com", kind="invite", period="invite-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(to_address="a@example.com", kind="invite", period="invite-1")


# --- the link -------------------------------------------------------------------------------------
def test_get_names_cohort_and_mentor_and_joins_nobody(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"], email="ada@example.com")
    ada = factories.LearnerFactory(email="ada@example.com")
    client.force_login(ada)
    response = client.get(link(invite))
    assert response.status_code == 200
    assert "Join Autumn cohort" in response.text and "Mia Mentor" in response.text
    assert not CohortMembership.objects.exists()


def test_signed_in_with_the_address_joins_once(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"], email="ada@example.com")
    ada = factories.LearnerFactory(email="ADA@example.com")
    client.force_login(ada)
    response = client.post(link(invite))
    assert response.status_code == 302 and response["Location"] == reverse("roadmap:my_cohorts")
    assert CohortMembership.objects.get().learner == ada
    invite.refresh_from_db()
    assert invite.accepted_by == ada and invite.accepted_at is not None
    assert Notification.objects.filter(user=ada, kind="joined").count() == 1
    again = client.post(link(invite))
    assert again.status_code == 410 and "This invitation is accepted" in again.text


def test_signed_in_as_someone_else_is_refused(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"], email="ada@example.com")
    bob = factories.LearnerFactory(email="bob@example.com")
    client.force_login(bob)
    page = client.get(link(invite))
    assert (
        "You are signed in as bob@example.com" in page.text
        and "Join Autumn cohort</button>" not in page.text
    )
    response = client.post(link(invite))
    assert response.status_code == 400 and "was sent to ada@example.com" in response.text
    assert not CohortMembership.objects.exists()
    invite.refresh_from_db()
    assert invite.accepted_at is None


def test_anonymous_signs_up_with_the_invited_address_and_joins(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"], email="new@example.com")
    page = client.get(link(invite))
    assert page.status_code == 200 and "Create my account and join" in page.text
    response = client.post(
        link(invite),
        {
            "email": "someone-else@example.com",  # ignored: the invitation's address is used
            "full_name": "New Learner",
            "password1": "a long and unusual passphrase 42",
            "password2": "a long and unusual passphrase 42",
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(full_name="New Learner")
    assert user.email == "new@example.com"
    assert CohortMembership.objects.get().learner == user
    assert int(client.session["_auth_user_id"]) == user.pk


def test_anonymous_with_an_account_is_sent_to_log_in_and_back(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"], email="ada@example.com")
    factories.LearnerFactory(email="ada@example.com")
    page = client.get(link(invite))
    login = f"{reverse('accounts:login')}?next={link(invite)}"
    assert page.status_code == 200 and login.replace("&", "&amp;") in page.text
    response = client.post(link(invite))
    assert response.status_code == 302 and response["Location"] == login
    assert not CohortMembership.objects.exists()


def test_tampered_or_other_salt_links_are_404(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"], email="ada@example.com")
    token = conversations.invite_token(invite)
    other_salt = signing.TimestampSigner(salt="gapmap.reminders.unsubscribe").sign_object(
        {"i": invite.pk, "e": "ada@example.com"}, compress=True
    )
    for bad in (token[:-2] + "xx", other_salt):
        response = client.get(reverse("roadmap:email_invite", args=[bad]))
        assert response.status_code == 404 and "does not work" in response.text


def test_expired_and_revoked_invitations_do_not_admit(client, w):
    ada = factories.LearnerFactory(email="ada@example.com")
    expired = EmailInviteFactory(
        cohort=w["cohort"], email=ada.email, expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    revoked = EmailInviteFactory(cohort=w["cohort"], email=ada.email, revoked_at=timezone.now())
    client.force_login(ada)
    assert "This invitation is expired" in client.post(link(expired)).text
    assert client.post(link(revoked)).status_code == 410
    assert not CohortMembership.objects.exists()


def test_a_link_older_than_its_lifetime_is_refused_even_if_the_row_is_open(w, time_machine):
    invite = EmailInviteFactory(
        cohort=w["cohort"],
        email="ada@example.com",
        expires_at=timezone.now() + dt.timedelta(days=60),
    )
    token = conversations.invite_token(invite)
    assert conversations.invite_from_token(token) == invite
    time_machine.move_to(timezone.now() + dt.timedelta(days=conversations.INVITE_DAYS + 1))
    assert conversations.invite_from_token(token) is None


def test_htmx_post_with_bad_addresses_swaps_in_the_errors(client, w):
    client.force_login(w["mentor"])
    response = client.post(url(w), {"addresses": "bob@"}, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx 2 swaps only 2xx answers
    assert response.text.lstrip().startswith('<div id="invite-form"')
    assert "“bob@” is not an e-mail address" in response.text
    assert not CohortEmailInvite.objects.exists()


# --- revoking -------------------------------------------------------------------------------------
def revoke_url(w, invite):
    return reverse("roadmap:cohort_email_invite_revoke", args=[w["cohort"].pk, invite.pk])


def test_mentor_revokes_an_open_invitation_and_its_link_stops_working(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"], email="ada@example.com")
    client.force_login(w["mentor"])
    assert "Revoke the invitation to ada@example.com" in client.get(url(w)).text
    response = client.post(revoke_url(w, invite), follow=True)
    assert "The invitation to ada@example.com no longer works." in response.text
    invite.refresh_from_db()
    assert invite.revoked_at is not None
    again = client.post(revoke_url(w, invite), follow=True)
    assert "was already revoked" in again.text
    ada = factories.LearnerFactory(email="ada@example.com")
    client.force_login(ada)
    assert client.post(link(invite)).status_code == 410
    assert not CohortMembership.objects.exists()


def test_revoke_is_post_only_and_scoped_to_the_cohort(client, w):
    invite = EmailInviteFactory(cohort=w["cohort"])
    client.force_login(w["mentor"])
    assert client.get(revoke_url(w, invite)).status_code == 405
    other = factories.CohortFactory()
    other.mentors.add(w["mentor"])
    wrong = reverse("roadmap:cohort_email_invite_revoke", args=[other.pk, invite.pk])
    assert client.post(wrong).status_code == 404
    outsider = factories.MentorFactory()
    client.force_login(outsider)
    assert client.post(revoke_url(w, invite)).status_code == 404
    invite.refresh_from_db()
    assert invite.revoked_at is None
    client.logout()
    assert "/login/" in client.post(revoke_url(w, invite))["Location"]
