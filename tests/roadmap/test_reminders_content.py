"""What the weekly reminder says, read in bulk for a chunk of sends."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from roadmap.models import Delivery, Notification, PlanItem, Rating, ReminderKind
from roadmap.services import deliveries, reminders
from roadmap.services import digests as content
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_reminders import DeliveryFactory, ReminderPreferenceFactory

NOW = timezone.now()


def _rate(learner, competency, level, *, days_ago=0, source=Rating.Source.SELF):
    return factories.RatingFactory(
        learner=learner,
        competency=competency,
        level=level,
        source=source,
        created_at=NOW - dt.timedelta(days=days_ago),
    )


def _learners_with_varied_progress():
    """Learners on two paths and none, with moves this week, stale ratings, mentor ratings and
    plans (started, planned, done, and an old plan for another path)."""
    paths = [factories.PathFactory(), factories.PathFactory()]
    comps = [factories.CompetencyFactory(name=f"Skill {chr(ord('Q') - i)}") for i in range(8)]
    for index, comp in enumerate(comps):
        factories.PathCompetencyFactory(
            path=paths[index % 2], competency=comp, target_level=3, weight=1 + index % 3
        )
        factories.PathCompetencyFactory(path=paths[(index + 1) % 2], competency=comp, weight=2)
    learners = []
    for n in range(6):
        learner = factories.LearnerFactory(target_path=paths[n % 2] if n < 5 else None)
        for index, comp in enumerate(comps[: 2 + n]):
            _rate(learner, comp, 1, days_ago=40 + index)  # stale unless rated again
            if (index + n) % 2 and n < 5:
                _rate(learner, comp, 3, days_ago=2)  # moved this week
        _rate(learner, comps[0], 4, source=Rating.Source.MENTOR)  # not a self-rating
        learners.append(learner)
    # Learner 1: a started item comes before an earlier planned one; done items never count.
    plan = PlanFactory(learner=learners[1], path=learners[1].target_path)
    PlanItemFactory(plan=plan, planned_start=dt.date(2026, 1, 5))
    started = PlanItemFactory(plan=plan, planned_start=dt.date(2026, 3, 1))
    PlanItem.objects.filter(pk=started.pk).update(status=PlanItem.Status.STARTED)
    done = PlanItemFactory(plan=plan, planned_start=dt.date(2025, 1, 1))
    PlanItem.objects.filter(pk=done.pk).update(status=PlanItem.Status.DONE)
    # Learner 2: the earliest planned item; learner 3: only a plan for a path they left.
    plan = PlanFactory(learner=learners[2], path=learners[2].target_path)
    PlanItemFactory(plan=plan, planned_start=dt.date(2026, 2, 1), position=1)
    PlanItemFactory(plan=plan, planned_start=dt.date(2026, 1, 1), position=2)
    PlanItemFactory(plan=PlanFactory(learner=learners[3], path=paths[1 - 3 % 2]))
    return [User.objects.select_related("target_path").get(pk=u.pk) for u in learners]


@pytest.mark.django_db
def test_weekly_contents_of_a_chunk_are_each_learners_own():
    learners = _learners_with_varied_progress()
    together = content.weekly_contents(learners=learners, now=NOW)
    for learner in learners:
        assert (
            together[learner.pk] == content.weekly_contents(learners=[learner], now=NOW)[learner.pk]
        )
    first, with_started, with_planned, left_path, _, no_path = (together[u.pk] for u in learners)
    assert first["readiness_change"] == first["readiness"] - first["readiness_before"] != 0
    assert with_started["next_item"].title == PlanItem.objects.get(status="started").project.name
    assert with_planned["next_item"].planned_start == dt.date(2026, 1, 1)
    assert with_planned["next_item"].url.startswith("/plan/#item-")
    assert left_path["next_item"] is None and left_path["top_gap"]["target"] == 3
    assert no_path["readiness"] is None and no_path["top_gap"] is None
    assert no_path["readiness_change"] is None and no_path["path"] is None
    # Stale: last self-rated four weeks ago or more, the first five by name.
    assert first["stale"] == ["Skill Q"]  # "Skill P" was rated again this week
    assert no_path["stale"] == ["Skill K", "Skill L", "Skill M", "Skill N", "Skill O"]  # of 7


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 20])
def test_weekly_contents_queries_do_not_grow_with_the_chunk(size, django_assert_max_num_queries):
    path = factories.PathFactory()
    comps = [factories.PathCompetencyFactory(path=path).competency for _ in range(3)]
    learners = []
    for _ in range(size):
        learner = factories.LearnerFactory(target_path=path)
        _rate(learner, comps[0], 1, days_ago=40)
        PlanItemFactory(plan=PlanFactory(learner=learner, path=path))
        learners.append(learner)
    with django_assert_max_num_queries(5):
        data = content.weekly_contents(learners=learners, now=NOW)
    assert all(data[u.pk]["next_item"] and data[u.pk]["stale"] for u in learners)


# Per row, the reliability steps stay one by one: the claim, the hand-off stamp, then the sent
# status with the in-app notification in one transaction (savepoint, update, insert, release).
WRITES_PER_ROW = 6
READS_PER_CHUNK = 6  # the chunk's rows with their recipients, then their content (5)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_sending_a_chunk_reads_content_once_not_per_row(size, django_assert_max_num_queries):
    path = factories.PathFactory()
    comp = factories.PathCompetencyFactory(path=path).competency
    rows = []
    for n in range(size):
        learner = factories.LearnerFactory(target_path=path if n % 2 else None)
        ReminderPreferenceFactory(user=learner)
        _rate(learner, comp, 1, days_ago=40)
        PlanItemFactory(plan=PlanFactory(learner=learner, path=path))
        rows.append(DeliveryFactory(recipient=learner, kind=ReminderKind.WEEKLY))
    with django_assert_max_num_queries(READS_PER_CHUNK + WRITES_PER_ROW * size):
        results = deliveries.deliveries_send(delivery_ids=[d.pk for d in rows])
    assert {r.outcome for r in results.values()} == {deliveries.Outcome.SENT}
    assert len(mail.outbox) == size
    assert Notification.objects.count() == size


@pytest.mark.django_db
def test_chunk_sends_each_learner_their_own_content():
    learners = _learners_with_varied_progress()
    rows = [DeliveryFactory(recipient=u, kind=ReminderKind.WEEKLY) for u in learners]
    deliveries.deliveries_send(delivery_ids=[d.pk for d in rows])
    bodies = {m.to[0]: m.body for m in mail.outbox}
    for learner in learners:
        alone = content.weekly_content(learner=learner, now=timezone.now())
        body = bodies[learner.email]
        if alone["readiness"] is not None:
            assert f"Readiness for {learner.target_path.name}: {alone['readiness']}%" in body
        if alone["next_item"]:
            assert f"Next on your plan: {alone['next_item'].title}" in body
        assert Delivery.objects.get(recipient=learner).status == "sent"


@pytest.mark.django_db
def test_row_changed_after_the_chunk_was_read_is_claimed_afresh(monkeypatch):
    """A row retried by another worker between the chunk's read and its claim (attempts moved
    on) is not claimed with stale data: the one-row path claims and reads it again."""
    learner = factories.LearnerFactory()
    delivery = DeliveryFactory(recipient=learner, kind=ReminderKind.WEEKLY)
    real_claim = deliveries._claim

    def claim_after_a_retry_elsewhere(delivery_id, *, attempts=None):
        if attempts is not None:
            Delivery.objects.filter(pk=delivery_id).update(attempts=3)
        return real_claim(delivery_id, attempts=attempts)

    monkeypatch.setattr(deliveries, "_claim", claim_after_a_retry_elsewhere)
    results = deliveries.deliveries_send(delivery_ids=[delivery.pk])
    assert results[delivery.pk].outcome == deliveries.Outcome.SENT
    assert results[delivery.pk].attempts == 4
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 4
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_user_text_in_the_weekly_email_is_escaped_in_html_only():
    path = factories.PathFactory(name="<script>alert(1)</script> path")
    comp = factories.CompetencyFactory(name="<b>Bold</b> & co")
    factories.PathCompetencyFactory(path=path, competency=comp)
    learner = factories.LearnerFactory(target_path=path, full_name="<script>x</script>")
    _rate(learner, comp, 1, days_ago=40)
    delivery = DeliveryFactory(recipient=learner, kind=ReminderKind.WEEKLY)
    deliveries.deliveries_send(delivery_ids=[delivery.pk])
    message = mail.outbox[0]
    html = message.alternatives[0].content
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; path" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "<script>alert(1)</script> path" in message.body  # plain text is not HTML-escaped


@pytest.mark.django_db
def test_mentor_with_a_sample_and_a_digest_in_one_chunk_gets_each_its_own_content():
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory()
    cohort.mentors.add(mentor)
    factories.CohortMembershipFactory(cohort=cohort)
    sample, _ = reminders.reminder_sample_request(user=mentor)
    digest = DeliveryFactory(recipient=mentor, kind=ReminderKind.DIGEST)
    results = deliveries.deliveries_send(delivery_ids=[sample.pk, digest.pk])
    assert {r.outcome for r in results.values()} == {deliveries.Outcome.SENT}
    by_subject = {m.subject: m.body for m in mail.outbox}
    assert cohort.name in by_subject["Your cohorts this week"]
    assert "Here is your week on Gapmap." in by_subject["Your week on Gapmap"]


@pytest.mark.django_db
def test_a_bug_reading_a_chunks_content_fails_its_rows_instead_of_looping(monkeypatch):
    def broken(**kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(content, "weekly_contents", broken)
    rows = [DeliveryFactory(kind=ReminderKind.WEEKLY) for _ in range(2)]
    results = deliveries.deliveries_send(delivery_ids=[d.pk for d in rows])
    assert {r.outcome for r in results.values()} == {deliveries.Outcome.FAILED}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    assert all("Rendering failed" in d.last_error for d in Delivery.objects.all())
    assert mail.outbox == []
