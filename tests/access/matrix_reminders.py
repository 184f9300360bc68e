"""Access-matrix entries for the reminders area (see tests/access/matrix.py)."""

from tests.access.matrix import LOGIN, Entry, learner_page, mentor_page, owned_by_learner_a  # noqa: F401


def _notification_of_learner_a(world):
    from tests.factories_reminders import NotificationFactory

    return {"pk": NotificationFactory(user=world.learner_a).pk}


def _unsubscribe_token_of_learner_a(world):
    from roadmap.services.deliveries import unsubscribe_token

    return {"token": unsubscribe_token(user_id=world.learner_a.pk, kind="weekly")}


ENTRIES: dict[str, Entry] = {
    # Everyone signed in has their own preferences and notifications.
    "roadmap:reminder_preferences": learner_page(),
    "roadmap:notifications": learner_page(),
    # POST only: a GET answers 405 once signed in.
    "roadmap:notifications_read_all": Entry(expect={"anonymous": LOGIN}, others=405),
    # Marking learner_a's notification read: only learner_a (redirect back); others 404.
    "roadmap:notification_read": Entry(
        expect={"anonymous": LOGIN, "learner_a": 302},
        others=404,
        method="POST",
        kwargs=_notification_of_learner_a,
    ),
    # Public on purpose (the signed token is the authority); GET only shows a confirmation form.
    "roadmap:unsubscribe": Entry(expect={}, others=200, kwargs=_unsubscribe_token_of_learner_a),
}
