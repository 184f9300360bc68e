"""Feedback threads: the learner replies, the cohort's mentors see the thread (on its page, the
mentor's learner page and the learner's feedback page) and are notified, and answer in turn.
Only the learner and the mentors of a cohort the learner is in can read or post; others 404."""

import pytest
from django.urls import reverse

from roadmap.models import Delivery, FeedbackReply, Notification, ReminderPreference
from tests import factories
from tests.factories_conversations import FeedbackReplyFactory
from tests.factories_mentoring import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    path = factories.PathFactory()
    factories.PathCompetencyFactory(path=path)
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(path=path)
    cohort.mentors.add(mentor)
    learner = factories.LearnerFactory(full_name="Ada Learner")
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    feedback = FeedbackFactory(learner=learner, author=mentor, body="Add an eval set.")
    return {"mentor": mentor, "cohort": cohort, "learner": learner, "feedback": feedback}


def thread_url(w):
    return reverse("roadmap:feedback_thread", args=[w["feedback"].pk])


def reply_url(w):
    return reverse("roadmap:feedback_reply", args=[w["feedback"].pk])


# --- reading a thread -----------------------------------------------------------------------------
def test_learner_reads_the_thread_and_it_counts_as_read(client, w):
    FeedbackReplyFactory(feedback=w["feedback"], author=w["learner"], body="Which set?")
    client.force_login(w["learner"])
    response = client.get(thread_url(w))
    assert response.status_code == 200
    assert "Add an eval set." in response.text and "Which set?" in response.text
    w["feedback"].refresh_from_db()
    assert w["feedback"].read_at is not None


def test_mentor_of_the_cohort_reads_the_thread(client, w):
    client.force_login(w["mentor"])
    response = client.get(thread_url(w))
    assert response.status_code == 200 and "Feedback for Ada Learner" in response.text


def test_co_mentor_who_did_not_write_it_reads_it_too(client, w):
    co = factories.MentorFactory()
    w["cohort"].mentors.add(co)
    client.force_login(co)
    assert client.get(thread_url(w)).status_code == 200


@pytest.mark.parametrize("who", ["other_learner", "other_mentor", "staff"])
def test_outsiders_get_404(client, w, who):
    other_cohort = factories.CohortFactory()
    outsider = {
        "other_learner": factories.LearnerFactory,
        "other_mentor": factories.MentorFactory,
        "staff": factories.StaffFactory,
    }[who]()
    if who == "other_mentor":
        other_cohort.mentors.add(outsider)
    client.force_login(outsider)
    assert client.get(thread_url(w)).status_code == 404
    assert client.post(reply_url(w), {"body": "hi"}).status_code == 404
    assert not FeedbackReply.objects.exists()


def test_mentor_loses_the_thread_when_the_learner_leaves_the_cohort(client, w):
    w["learner"].memberships.get().leave()
    client.force_login(w["mentor"])
    assert client.get(thread_url(w)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, w):
    for response in (client.get(thread_url(w)), client.post(reply_url(w), {"body": "x"})):
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not FeedbackReply.objects.exists()


def test_wrong_methods_are_refused(client, w):
    client.force_login(w["learner"])
    assert client.post(thread_url(w)).status_code == 405
    assert client.get(reply_url(w)).status_code == 405


def test_htmx_get_returns_only_the_thread(client, w):
    client.force_login(w["learner"])
    response = client.get(thread_url(w), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<article") and "<html" not in response.text


# --- replying -------------------------------------------------------------------------------------
def test_learner_reply_is_stored_and_notifies_the_mentor(client, w):
    ReminderPreference.objects.create(user=w["mentor"], reply_enabled=True)
    client.force_login(w["learner"])
    response = client.post(reply_url(w), {"body": "  Which eval set?  "})
    assert response.status_code == 302
    assert response["Location"] == thread_url(w) + f"#thread-{w['feedback'].pk}"
    reply = FeedbackReply.objects.get()
    assert (reply.author, reply.body) == (w["learner"], "Which eval set?")
    note = Notification.objects.get(user=w["mentor"])
    assert note.kind == "reply" and note.title == "Ada Learner replied to feedback"
    assert note.url == thread_url(w)
    assert not Notification.objects.filter(user=w["learner"]).exists()
    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.period) == (w["mentor"], f"reply-{reply.pk}")


def test_mentor_sees_the_reply_on_the_learner_page(client, w):
    FeedbackReplyFactory(feedback=w["feedback"], author=w["learner"], body="Which eval set?")
    client.force_login(w["mentor"])
    page = client.get(reverse("roadmap:mentor_learner", args=[w["cohort"].pk, w["learner"].pk]))
    assert "Which eval set?" in page.text and f'id="thread-{w["feedback"].pk}"' in page.text
    assert reply_url(w) in page.text


def test_mentor_answers_and_the_learner_is_notified(client, w):
    FeedbackReplyFactory(feedback=w["feedback"], author=w["learner"])
    client.force_login(w["mentor"])
    assert client.post(reply_url(w), {"body": "The public one."}).status_code == 302
    note = Notification.objects.get(user=w["learner"])
    assert note.title == "Mia Mentor replied to feedback" and note.body == "The public one."
    assert not Delivery.objects.exists()  # the learner has reply e-mails off (the default)


def test_a_co_mentor_who_replied_hears_of_later_replies(client, w):
    co = factories.MentorFactory()
    w["cohort"].mentors.add(co)
    FeedbackReplyFactory(feedback=w["feedback"], author=co)
    client.force_login(w["learner"])
    client.post(reply_url(w), {"body": "Thanks both"})
    assert set(Notification.objects.values_list("user", flat=True)) == {w["mentor"].pk, co.pk}


def test_a_mentor_no_longer_in_the_cohort_is_not_notified(client, w):
    w["cohort"].mentors.remove(w["mentor"])
    client.force_login(w["learner"])
    client.post(reply_url(w), {"body": "Anyone?"})
    assert FeedbackReply.objects.count() == 1 and not Notification.objects.exists()


def test_learner_sees_the_reply_form_on_their_feedback_page(client, w):
    client.force_login(w["learner"])
    page = client.get(reverse("roadmap:my_feedback"))
    assert reply_url(w) in page.text and 'for="reply-' in page.text


def test_over_long_reply_is_refused_with_a_message_and_nothing_stored(client, w):
    client.force_login(w["learner"])
    response = client.post(reply_url(w), {"body": "x" * 2001})
    assert response.status_code == 400
    assert "at most 2000 characters; this one has 2001" in response.text
    assert not FeedbackReply.objects.exists() and not Notification.objects.exists()


def test_blank_reply_is_refused(client, w):
    client.force_login(w["learner"])
    response = client.post(reply_url(w), {"body": "   "})
    assert response.status_code == 400 and "Write something" in response.text
    assert not FeedbackReply.objects.exists()


def test_htmx_reply_returns_the_thread_with_the_new_reply(client, w):
    client.force_login(w["learner"])
    response = client.post(reply_url(w), {"body": "Done!"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith("<article") and "Done!" in text and "<html" not in text
    assert "data-focus-after-swap" in text  # focus lands on the new reply


def test_htmx_reply_with_errors_returns_the_thread_with_the_error(client, w):
    client.force_login(w["learner"])
    response = client.post(reply_url(w), {"body": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx 2 swaps only 2xx answers
    assert response.text.lstrip().startswith("<article") and "Write something" in response.text


def test_reply_without_csrf_token_is_refused(w):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(w["learner"])
    assert csrf_client.post(reply_url(w), {"body": "hi"}).status_code == 403
    assert not FeedbackReply.objects.exists()


@pytest.mark.parametrize("size", [2, 8])
def test_feedback_page_query_count_is_flat(client, django_assert_max_num_queries, size):
    learner = factories.LearnerFactory()
    mentor = factories.MentorFactory()
    for _ in range(size):
        feedback = FeedbackFactory(learner=learner, author=mentor)
        FeedbackReplyFactory(feedback=feedback, author=learner)
        FeedbackReplyFactory(feedback=feedback, author=mentor)
    client.force_login(learner)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("roadmap:my_feedback")).status_code == 200


def test_the_learners_replies_are_in_their_data_export(client, w):
    import json

    FeedbackReplyFactory(feedback=w["feedback"], author=w["learner"], body="My own words")
    FeedbackReplyFactory(feedback=w["feedback"], author=w["mentor"], body="The mentor's")
    client.force_login(w["learner"])
    data = json.loads(client.get(reverse("roadmap:export_json")).content)
    assert [r["body"] for r in data["feedback_replies"]] == ["My own words"]
