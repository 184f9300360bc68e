"""Access-matrix entries for the conversations area (see tests/access/matrix.py).

A feedback thread of learner_a's (from mentor_x): learner_a, mentor_x and superusers read it;
learner_b, mentor_y and plain staff get 404. Announcements and e-mail invitations are cohort_x's
mentor pages. An invitation link is public: anyone with it sees whom it is for (only that
address can accept; tests/roadmap/test_conversations_invites.py)."""

from tests.access.matrix import LOGIN, Entry, owned_by_learner_a
from tests.access.matrix_mentoring import COHORT_X, cohort_x

THREAD = {
    "anonymous": LOGIN,
    "learner_a": 200,
    "mentor_x": 200,
    "superuser": 200,
}


def feedback_a(world):
    from tests.factories_mentoring import FeedbackFactory

    return {"feedback_id": FeedbackFactory(learner=world.learner_a, author=world.mentor_x).pk}


def invite_token(world):
    from roadmap.services.conversations import invite_token
    from tests.factories_conversations import EmailInviteFactory

    invite = EmailInviteFactory(cohort=world.cohort_x, created_by=world.mentor_x)
    return {"token": invite_token(invite)}


def email_invite_x(world):
    from tests.factories_conversations import EmailInviteFactory

    invite = EmailInviteFactory(cohort=world.cohort_x, created_by=world.mentor_x)
    return {**cohort_x(world), "invite_id": invite.pk}


ENTRIES: dict[str, Entry] = {
    "roadmap:feedback_thread": Entry(expect=THREAD, others=404, kwargs=feedback_a),
    # An empty (not form-encoded) POST: 400 (the reply is required) past the access check.
    "roadmap:feedback_reply": Entry(
        expect={**THREAD, "learner_a": 400, "mentor_x": 400, "superuser": 400},
        others=404,
        kwargs=feedback_a,
        method="POST",
    ),
    "roadmap:cohort_announcements": Entry(expect=COHORT_X, others=200, kwargs=cohort_x),
    "roadmap:cohort_email_invites": Entry(expect=COHORT_X, others=200, kwargs=cohort_x),
    # POST: the mentor of cohort_x (and superusers) are redirected after revoking; others 404.
    "roadmap:cohort_email_invite_revoke": Entry(
        expect=COHORT_X, others=302, kwargs=email_invite_x, method="POST"
    ),
    "roadmap:email_invite": Entry(expect={}, others=200, kwargs=invite_token),
    # A cohort's announcements, for its current members: learner_a.
    "roadmap:my_announcements": owned_by_learner_a(kwargs=cohort_x),
}
