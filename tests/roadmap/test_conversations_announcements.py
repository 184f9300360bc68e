"""Announcements: a cohort's mentor writes to every active member: in-app for all, by e-mail
(one Delivery row each) for those who turned announcement e-mails on; a form sent twice sends
once. Others get 404."""

import uuid

import pytest
from django.urls import reverse

from roadmap.models import Announcement, Delivery, Notification, ReminderPreference
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(name="Autumn cohort")
    cohort.mentors.add(mentor)
    learners = [factories.LearnerFactory() for _ in range(3)]
    for learner in learners:
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    return {"mentor": mentor, "cohort": cohort, "learners": learners}


def url(w):
    return reverse("roadmap:cohort_announcements", args=[w["cohort"].pk])


def data(**extra):
    return {"subject": "Demo day", "body": "Demo day is Friday.", "key": str(uuid.uuid4()), **extra}


def test_mentor_sees_the_form_and_the_empty_state(client, w):
    client.force_login(w["mentor"])
    response = client.get(url(w))
    assert response.status_code == 200
    assert "Goes to all 3 learners" in response.text and "Nothing sent yet" in response.text
    assert 'name="key"' in response.text


def test_announcement_reaches_every_member_in_app_and_opted_in_by_email(
    client, w, django_capture_on_commit_callbacks
):
    keen, quiet, _ = w["learners"]
    ReminderPreference.objects.create(user=keen, announcement_enabled=True)
    ReminderPreference.objects.create(user=quiet, announcement_enabled=False)
    left = factories.LearnerFactory()
    factories.CohortMembershipFactory(cohort=w["cohort"], learner=left).leave()
    ReminderPreference.objects.create(user=left, announcement_enabled=True)
    client.force_login(w["mentor"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url(w), data())
    assert response.status_code == 302 and response["Location"] == url(w)
    announcement = Announcement.objects.get()
    assert (announcement.author, announcement.recipients) == (w["mentor"], 3)
    notes = Notification.objects.filter(kind="announcement")
    assert set(notes.values_list("user", flat=True)) == {u.pk for u in w["learners"]}
    assert notes.first().title == "Autumn cohort: Demo day"
    delivery = Delivery.objects.get()
    assert delivery.recipient == keen and delivery.period == f"announcement-{announcement.pk}"
    assert delivery.context["intro"] == "Mia Mentor wrote to everyone in Autumn cohort:"
    assert len(callbacks) == 1
    page = client.get(url(w))
    assert "Announcement sent to 3 learners." in page.text and "Demo day is Friday." in page.text


def test_the_same_form_sent_twice_sends_once(client, w):
    ReminderPreference.objects.create(user=w["learners"][0], announcement_enabled=True)
    client.force_login(w["mentor"])
    payload = data()
    client.post(url(w), payload)
    response = client.post(url(w), payload, follow=True)
    assert "already sent; it was not sent again" in response.text
    assert Announcement.objects.count() == 1
    assert Notification.objects.count() == 3 and Delivery.objects.count() == 1


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"subject": ""}, "Give the announcement a subject."),
        ({"body": "x" * 4001}, "at most 4000 characters; this one has 4001"),
        ({"key": "not-a-uuid"}, "reload the page and try again"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_sent(client, w, bad, message):
    client.force_login(w["mentor"])
    response = client.post(url(w), data(**bad))
    assert response.status_code == 400 and message in response.text
    assert not Announcement.objects.exists() and not Notification.objects.exists()


def test_htmx_post_returns_the_fragment_with_a_fresh_form(client, w):
    client.force_login(w["mentor"])
    payload = data()
    response = client.post(url(w), payload, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<div id="announce"') and "<html" not in text
    assert "Announcement sent to 3 learners." in text and payload["key"] not in text


@pytest.mark.parametrize("who", ["learner", "other_mentor", "staff"])
def test_others_get_404_and_send_nothing(client, w, who):
    user = {
        "learner": lambda: w["learners"][0],
        "other_mentor": factories.MentorFactory,
        "staff": factories.StaffFactory,
    }[who]()
    if who == "other_mentor":
        factories.CohortFactory().mentors.add(user)
    client.force_login(user)
    assert client.get(url(w)).status_code == 404
    assert client.post(url(w), data()).status_code == 404
    assert not Announcement.objects.exists()


def test_anonymous_is_sent_to_log_in(client, w):
    response = client.post(url(w), data())
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Announcement.objects.exists()


def test_wrong_method_is_refused(client, w):
    client.force_login(w["mentor"])
    assert client.put(url(w)).status_code == 405


def test_learner_sees_the_announcement_in_notifications(client, w):
    client.force_login(w["mentor"])
    client.post(url(w), data())
    client.force_login(w["learners"][1])
    page = client.get(reverse("roadmap:notifications"))
    assert "Autumn cohort: Demo day" in page.text and "Demo day is Friday." in page.text


@pytest.mark.parametrize("members", [2, 20])
def test_sending_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, members):
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory()
    cohort.mentors.add(mentor)
    for _ in range(members):
        learner = factories.LearnerFactory()
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
        ReminderPreference.objects.create(user=learner, announcement_enabled=True)
    client.force_login(mentor)
    with django_assert_max_num_queries(20):
        response = client.post(reverse("roadmap:cohort_announcements", args=[cohort.pk]), data())
    assert response.status_code == 302
    assert Delivery.objects.count() == members


def test_htmx_post_with_errors_swaps_in_the_form(client, w):
    client.force_login(w["mentor"])
    response = client.post(url(w), data(subject=""), headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx 2 swaps only 2xx answers
    assert "Give the announcement a subject." in response.text and "<html" not in response.text
    assert not Announcement.objects.exists()


# --- the learner's side ---------------------------------------------------------------------------
def my_url(w):
    return reverse("roadmap:my_announcements", args=[w["cohort"].pk])


def test_member_reads_the_full_announcement_from_the_notification(client, w):
    client.force_login(w["mentor"])
    client.post(url(w), data(body="Long news. " * 60))
    learner = w["learners"][0]
    note = Notification.objects.get(user=learner)
    assert note.url == my_url(w) and note.body.endswith("…")
    client.force_login(learner)
    page = client.get(note.url)
    assert page.status_code == 200 and ("Long news. " * 60).strip() in page.text
    assert my_url(w) in client.get(reverse("roadmap:my_cohorts")).text


def test_member_sees_the_empty_state(client, w):
    client.force_login(w["learners"][0])
    assert "No announcements yet." in client.get(my_url(w)).text


@pytest.mark.parametrize("who", ["outsider", "left", "mentor"])
def test_non_members_get_404(client, w, who):
    if who == "left":
        user = w["learners"][0]
        user.memberships.get().leave()
    else:
        user = factories.LearnerFactory() if who == "outsider" else w["mentor"]
    client.force_login(user)
    assert client.get(my_url(w)).status_code == 404


def test_my_announcements_anonymous_and_wrong_method(client, w):
    assert "/login/" in client.get(my_url(w))["Location"]
    client.force_login(w["learners"][0])
    assert client.post(my_url(w)).status_code == 405


@pytest.mark.parametrize("count", [2, 12])
def test_my_announcements_query_count_is_flat(client, w, django_assert_max_num_queries, count):
    from tests.factories_conversations import AnnouncementFactory

    for _ in range(count):
        AnnouncementFactory(cohort=w["cohort"], author=w["mentor"])
    client.force_login(w["learners"][0])
    with django_assert_max_num_queries(8):
        assert client.get(my_url(w)).status_code == 200
