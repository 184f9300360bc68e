"""Conversations: what mentors and learners say to each other, and who hears of it.

Every event here (feedback, a verification, a sign-off, joining a cohort, a reply in a feedback
thread, an announcement, an e-mailed invitation) becomes an in-app Notification at once, and a
Delivery row for those who turned that kind of e-mail on. The row's context holds the words of
the e-mail, so the send (`deliveries`, claimed with a conditional UPDATE, at most once) needs no
other lookup; it is unique per (recipient or address, kind, period) and the period names the
event ("reply-42"), so an event is e-mailed once however often it is notified or enqueued.
Rows are enqueued after commit; a lost enqueue is repaired by the dispatcher's next run."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cohort, CohortEmailInvite, CohortMembership, User
from roadmap.models import (
    Announcement,
    Delivery,
    Feedback,
    FeedbackReply,
    Notification,
    ReminderKind,
    ReminderPreference,
)
from roadmap.services.deliveries import absolute_url, deliveries_enqueue

PREVIEW = 300  # characters of a message shown in a notification


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1].rstrip() + "…"


# --- notify: in-app for everyone, e-mail for those who asked --------------------------------------
def notify(
    *,
    users: Iterable[User],
    kind: str,
    period: str,
    title: str,
    body: str = "",
    url: str = "",
    email: dict | None = None,
) -> int:
    """Notify `users` in-app of one event, and queue its e-mail for those of them who turned
    `kind` on. `email`: the e-mail's words (subject, intro, body, action), the notification's
    otherwise. Returns how many e-mails were queued."""
    users = [u for u in users if u is not None]
    if not users:
        return 0
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user=u, kind=kind, title=title, body=_preview(body), url=url, created_at=now
            )
            for u in users
        ]
    )
    wanted = set(
        ReminderPreference.objects.filter(
            user__in=users, user__is_active=True, **{f"{kind}_enabled": True}
        ).values_list("user_id", flat=True)
    )
    context = {"subject": title, "intro": title, "body": body, "url": url, **(email or {})}
    rows = [
        Delivery(recipient=u, kind=kind, period=period, context=context, created_at=now)
        for u in users
        if u.pk in wanted
    ]
    return _queue(rows, kind=kind, period=period, now=now)


def _queue(rows: list[Delivery], *, kind: str, period: str, now: dt.datetime) -> int:
    """Insert the rows (one per recipient and event: a repeat is ignored) and enqueue those
    this call created, after commit."""
    if not rows:
        return 0
    for row in rows:
        row.enqueued_at = now
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    # bulk_create with ignore_conflicts sets no primary keys: read back the rows stamped now.
    ids = list(
        Delivery.objects.filter(
            kind=kind, period=period, enqueued_at=now, status=Delivery.Status.PENDING
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(partial(deliveries_enqueue, delivery_ids=ids))
    return len(ids)


# --- mentoring events -----------------------------------------------------------------------------
def feedback_notify(*, feedback: Feedback) -> None:
    mentor = feedback.author.display_name if feedback.author else "Your mentor"
    about = feedback.competency or feedback.project
    notify(
        users=[feedback.learner],
        kind=ReminderKind.FEEDBACK,
        period=f"feedback-{feedback.pk}",
        title=f"{mentor} sent you feedback" + (f" on {about}" if about else ""),
        body=feedback.body,
        url=reverse("roadmap:feedback_thread", args=[feedback.pk]),
        email={"action": "Read and reply"},
    )


def verification_notify(*, verification) -> None:
    rating = verification.rating
    mentor = verification.mentor.display_name if verification.mentor else "Your mentor"
    notify(
        users=[rating.learner],
        kind=ReminderKind.VERIFICATION,
        period=f"verification-{verification.pk}",
        title=f"{mentor} verified your {rating.competency} rating ({rating.get_level_display()})",
        body=verification.comment,
        url=reverse("roadmap:my_feedback"),
    )


def sign_off_notify(*, sign_off) -> None:
    checkpoint = sign_off.checkpoint
    mentor = sign_off.mentor.display_name if sign_off.mentor else "Your mentor"
    notify(
        users=[sign_off.learner],
        kind=ReminderKind.SIGNOFF,
        period=f"signoff-{sign_off.pk}",
        title=f"{mentor} signed off “{checkpoint.title}” of {checkpoint.project}",
        body=sign_off.comment,
        url=reverse("roadmap:my_feedback"),
    )


def joined_notify(*, membership: CohortMembership) -> None:
    cohort = membership.cohort
    mentors = ", ".join(sorted(m.display_name for m in cohort.mentors.all()))
    notify(
        users=[membership.learner],
        kind=ReminderKind.JOINED,
        # a rejoin is a new event: the membership row is the same, its join time is not
        period=f"joined-{membership.pk}-{membership.joined_at:%Y%m%d%H%M%S}",
        title=f"You joined {cohort.name}",
        body=f"Your mentors: {mentors}." if mentors else "",
        url=reverse("roadmap:my_cohorts"),
    )


# --- feedback threads -----------------------------------------------------------------------------
def _mentored_learners(user: User):
    """Learners in an active membership of a cohort `user` mentors (all, for staff who see all)."""
    memberships = CohortMembership.objects.active()
    if not user.sees_all_cohorts:
        memberships = memberships.filter(cohort__mentors=user)
    return memberships.values("learner_id")


def feedback_visible_to(user: User):
    """Feedback whose thread `user` may read and answer: their own, or (for a mentor) that of a
    learner in one of their cohorts. Anyone else gets 404."""
    visible = Q(learner=user)
    if user.can_mentor:
        visible |= Q(learner_id__in=_mentored_learners(user))
    return Feedback.objects.filter(visible)


def thread_replies(feedback_qs):
    """`feedback_qs` with each thread's replies and their authors, in two more queries."""
    return feedback_qs.prefetch_related("replies__author")


@transaction.atomic
def feedback_reply(*, feedback: Feedback, author: User, body: str) -> FeedbackReply:
    """Add `author`'s reply to the thread and notify the others in it who can still see it:
    the learner, the feedback's author and every mentor who replied."""
    reply = FeedbackReply.objects.create(feedback=feedback, author=author, body=body)
    people = {feedback.learner_id, feedback.author_id} | set(
        feedback.replies.values_list("author_id", flat=True)
    )
    people -= {author.pk, None}
    can_see = feedback_visible_to  # checked per person: a mentor may have left the cohort
    recipients = [
        u
        for u in User.objects.filter(pk__in=people, is_active=True)
        if can_see(u).filter(pk=feedback.pk).exists()
    ]
    notify(
        users=recipients,
        kind=ReminderKind.REPLY,
        period=f"reply-{reply.pk}",
        title=f"{author.display_name} replied to feedback",
        body=body,
        url=reverse("roadmap:feedback_thread", args=[feedback.pk]),
        email={"action": "Read the thread"},
    )
    return reply


# --- announcements --------------------------------------------------------------------------------
def announcement_send(
    *, cohort: Cohort, author: User, subject: str, body: str, key
) -> tuple[Announcement, bool]:
    """Send an announcement to every active member of `cohort`: in-app for all, by e-mail for
    those who turned announcements on. A form sent again with the same `key` (a double click, a
    reload) sends nothing more: returns (the first announcement, False)."""
    try:
        with transaction.atomic():
            announcement = Announcement.objects.create(
                cohort=cohort, author=author, subject=subject, body=body, key=key
            )
            members = list(
                User.objects.filter(
                    memberships__cohort=cohort, memberships__left_at__isnull=True, is_active=True
                )
            )
            announcement.recipients = len(members)
            announcement.save(update_fields=["recipients"])
            notify(
                users=members,
                kind=ReminderKind.ANNOUNCEMENT,
                period=f"announcement-{announcement.pk}",
                title=f"{cohort.name}: {subject}",
                body=body,
                url=reverse("roadmap:my_announcements", args=[cohort.pk]),
                email={
                    "subject": f"{cohort.name}: {subject}",
                    "intro": f"{author.display_name} wrote to everyone in {cohort.name}:",
                },
            )
    except IntegrityError:
        return Announcement.objects.get(cohort=cohort, key=key), False
    return announcement, True


# --- invitations by e-mail ------------------------------------------------------------------------
INVITE_SALT = "gapmap.cohorts.email-invite"
INVITE_DAYS = 14
MAX_ADDRESSES = 50
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class ParsedAddresses:
    addresses: list[str] = field(default_factory=list)  # valid, first spelling, in order
    invalid: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # listed more than once (invited once)


def addresses_parse(text: str) -> ParsedAddresses:
    """The addresses in pasted text: separated by commas, semicolons, spaces or new lines,
    each optionally in <angle brackets>; duplicates (in any case) kept once."""
    parsed = ParsedAddresses()
    seen = set()
    for piece in _SEPARATORS.split(text):
        address = piece.strip().strip("<>").strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            parsed.invalid.append(address)
            continue
        address = User.objects.normalize_email(address)
        if address.casefold() in seen:
            if address not in parsed.repeated:
                parsed.repeated.append(address)
            continue
        seen.add(address.casefold())
        parsed.addresses.append(address)
    return parsed


def invite_token(invite: CohortEmailInvite) -> str:
    return signing.TimestampSigner(salt=INVITE_SALT).sign_object(
        {"i": invite.pk, "e": invite.email.casefold()}, compress=True
    )


def invite_from_token(token: str) -> CohortEmailInvite | None:
    """The invitation a link names, or None if the link is tampered, from another salt,
    older than INVITE_DAYS or names no invitation to that address."""
    try:
        data = signing.TimestampSigner(salt=INVITE_SALT).unsign_object(
            token, max_age=dt.timedelta(days=INVITE_DAYS)
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    invite = (
        CohortEmailInvite.objects.select_related("cohort__path", "created_by")
        .prefetch_related("cohort__mentors")
        .filter(pk=data["i"])
        .first()
    )
    if invite is None or invite.email.casefold() != data.get("e"):
        return None
    return invite


@dataclass
class InviteOutcome:
    sent: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (address, why)


@transaction.atomic
def email_invites_send(
    *, cohort: Cohort, created_by: User, addresses: list[str], now: dt.datetime | None = None
) -> InviteOutcome:
    """Invite each address to `cohort` with a personal link, e-mailed once through a Delivery
    row (to the account if the address has one, with an in-app notification too). Addresses
    already in the cohort, or with an invitation still open, are skipped and said why."""
    now = now or timezone.now()
    outcome = InviteOutcome()
    folded = [a.casefold() for a in addresses]
    accounts = {u.email.casefold(): u for u in User.objects.filter(_iexact_any("email", folded))}
    members = {
        e.casefold()
        for e in CohortMembership.objects.active()
        .filter(cohort=cohort, learner__in=accounts.values())
        .values_list("learner__email", flat=True)
    }
    pending = {
        e.casefold(): expires
        for e, expires in CohortEmailInvite.objects.open(now)
        .filter(cohort=cohort)
        .filter(_iexact_any("email", folded))
        .values_list("email", "expires_at")
    }
    sender = created_by.display_name
    expires_at = now + dt.timedelta(days=INVITE_DAYS)
    for address in addresses:
        key = address.casefold()
        if key in members:
            outcome.skipped.append((address, "already in this cohort"))
            continue
        if key in pending:
            until = timezone.localtime(pending[key]).strftime("%-d %b %Y")
            outcome.skipped.append(
                (address, f"already invited; that invitation is open until {until}")
            )
            continue
        invite = CohortEmailInvite.objects.create(
            cohort=cohort,
            email=address,
            created_by=created_by,
            expires_at=expires_at,
            created_at=now,
        )
        link = absolute_url(reverse("roadmap:email_invite", args=[invite_token(invite)]))
        title = f"{sender} invited you to {cohort.name} on Gapmap"
        context = {
            "subject": title,
            "intro": f"{sender} invited you to join the cohort {cohort.name} ({cohort.path.name}). "
            f"The link below is yours alone: it works for {address}, once, "
            f"until {expires_at:%-d %b %Y}.",
            "action": "Accept the invitation",
            "url": link,
            "sender": sender,
        }
        account = accounts.get(key)
        if account is not None:
            Notification.objects.create(
                user=account, kind=ReminderKind.INVITE, title=title, url=link, created_at=now
            )
        row = Delivery(
            recipient=account,
            to_address="" if account else address,
            kind=ReminderKind.INVITE,
            period=f"invite-{invite.pk}",
            context=context,
            created_at=now,
        )
        _queue([row], kind=ReminderKind.INVITE, period=row.period, now=now)
        outcome.sent.append(address)
    return outcome


def _iexact_any(field_name: str, values: list[str]) -> Q:
    query = Q(pk__in=[])
    for value in values:
        query |= Q(**{f"{field_name}__iexact": value})
    return query


def email_invite_revoke(*, invite: CohortEmailInvite) -> bool:
    """Stop an open invitation's link from working (its e-mail may be out already). False if it
    was no longer open: accepted, expired or revoked before."""
    now = timezone.now()
    revoked = CohortEmailInvite.objects.open(now).filter(pk=invite.pk).update(revoked_at=now)
    invite.refresh_from_db()
    return revoked == 1


class InviteError(Exception):
    """An invitation that cannot admit this user; the message is for them."""


def address_matches(invite: CohortEmailInvite, user: User) -> bool:
    return user.email.casefold() == invite.email.casefold()


@transaction.atomic
def email_invite_accept(*, invite: CohortEmailInvite, user: User) -> CohortMembership:
    """Join (or rejoin) the invitation's cohort, using the invitation up. Only the account with
    the invited address, only a learner, only while the invitation is open."""
    now = timezone.now()
    if not address_matches(invite, user):
        raise InviteError(
            f"This invitation was sent to {invite.email}, and you are signed in as {user.email}."
        )
    if not user.is_learner:
        raise InviteError("Only learner accounts can join a cohort.")
    claimed = (
        CohortEmailInvite.objects.open(now)
        .filter(pk=invite.pk)
        .update(accepted_at=now, accepted_by=user)
    )
    if claimed != 1:
        invite.refresh_from_db()
        raise InviteError(
            f"This invitation is {invite.status(now)}. Ask your mentor for a new one."
        )
    membership = CohortMembership.objects.filter(cohort=invite.cohort, learner=user).first()
    if membership and membership.left_at is None:
        return membership
    if membership:
        CohortMembership.objects.filter(pk=membership.pk).update(left_at=None, joined_at=now)
        membership.refresh_from_db()
    else:
        membership = CohortMembership.objects.create(cohort=invite.cohort, learner=user)
    joined_notify(membership=membership)
    return membership
