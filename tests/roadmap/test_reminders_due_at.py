"""The dispatcher reads only who is due (User.reminders_due_at, set from
roadmap.lib.schedule.next_due_at), and keeps that instant right as preferences, zones and plans
change. Through the public surface: the dispatcher, the preference and profile pages, the
unsubscribe endpoint and the plan services."""

import datetime as dt
import importlib
import random

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from accounts.models import REMINDERS_DUE_AT_ONCE, User
from roadmap.lib import schedule
from roadmap.models import Delivery, ReminderPreference
from roadmap.services import digests as content
from roadmap.services import plans, reminders
from roadmap.services.deliveries import unsubscribe_token
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_reminders import ReminderPreferenceFactory, bulk_due_learners

UTC = dt.UTC
# Wednesday 25 November 2026, noon UTC
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def enqueued(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(
        reminders, "deliveries_enqueue", lambda *, delivery_ids: calls.extend(delivery_ids)
    )
    return calls


@pytest.fixture
def dispatch(enqueued, django_capture_on_commit_callbacks):
    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_dispatch(now=now)

    return run


def due_at(user) -> dt.datetime:
    return User.objects.values_list("reminders_due_at", flat=True).get(pk=user.pk)


@pytest.mark.django_db
def test_a_new_user_is_due_at_the_next_tick_whatever_the_clock():
    user = factories.LearnerFactory()
    assert due_at(user) == REMINDERS_DUE_AT_ONCE
    # also when inserted outside the ORM's defaults (the column has a database default)
    User.objects.bulk_create([User(email="copy@example.com", password="!")])
    assert due_at(User.objects.get(email="copy@example.com")) == REMINDERS_DUE_AT_ONCE


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 60])
def test_a_tick_with_nobody_due_reads_no_user_at_any_size(
    size, dispatch, django_assert_max_num_queries
):
    bulk_due_learners(size)
    first = dispatch(NOON)
    assert first.examined == size and first.due == size
    # reconcile (2 UPDATEs), the due users' ids (none), the pending rows to enqueue
    with django_assert_max_num_queries(4):
        later = dispatch(NOON + dt.timedelta(minutes=5))
    assert later.examined == 0 and later.due == 0


@pytest.mark.django_db
def test_after_a_tick_each_user_is_due_at_their_next_reminder(dispatch):
    learner = factories.LearnerFactory(timezone="Europe/Berlin", last_activity_at=NOON)
    ReminderPreferenceFactory(user=learner, weekday=4, hour=18, inactivity_enabled=False)
    dispatch(NOON)
    # Friday 18:00 Berlin is 17:00 UTC
    assert due_at(learner) == dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert dispatch(dt.datetime(2026, 11, 27, 16, 45, tzinfo=UTC)).examined == 0
    result = dispatch(dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    assert result.examined == 1 and result.due == 1
    assert Delivery.objects.get().period == "2026-W48"
    assert due_at(learner) == dt.datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_saving_preferences_moves_the_instant_to_the_new_slot_and_zone(client):
    learner = factories.LearnerFactory(timezone="UTC", last_activity_at=NOON)
    client.force_login(learner)
    data = {
        "weekly_enabled": "on",
        "frequency": "weekly",
        "weekday": "4",
        "hour": "18",
        "inactivity_days": "10",
        "quiet_start": "21",
        "quiet_end": "8",
        "timezone": "America/New_York",
    }
    with time_machine.travel(NOON, tick=False):
        assert client.post(reverse("roadmap:reminder_preferences"), data).status_code == 302
    # Friday 18:00 in New York (UTC-5 in November) is 23:00 UTC
    assert due_at(learner) == dt.datetime(2026, 11, 27, 23, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_time_zone_changed_in_the_profile_moves_the_instant(client):
    learner = factories.LearnerFactory(timezone="UTC", last_activity_at=NOON)
    ReminderPreferenceFactory(user=learner, weekday=4, hour=9, inactivity_enabled=False)
    client.force_login(learner)
    data = {"full_name": "Bo", "timezone": "Asia/Tokyo", "weekly_hours": "6", "target_path": ""}
    with time_machine.travel(NOON, tick=False):
        assert client.post(reverse("roadmap:profile"), data).status_code == 302
    # Friday 09:00 in Tokyo is Friday 00:00 UTC
    assert due_at(learner) == dt.datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_unsubscribing_from_everything_leaves_only_the_horizons_look(client):
    learner = factories.LearnerFactory(last_activity_at=NOON)
    token = unsubscribe_token(user_id=learner.pk, kind="all")
    with time_machine.travel(NOON, tick=False):
        response = client.post(reverse("roadmap:unsubscribe", args=[token]))
    assert response.status_code == 200
    assert due_at(learner) == NOON + schedule.HORIZON


@pytest.mark.django_db
def test_a_new_plan_makes_the_dispatcher_look_again_and_its_milestone_goes_out(dispatch):
    learner = factories.LearnerFactory(timezone="UTC", last_activity_at=NOON, weekly_hours=80)
    ReminderPreferenceFactory(
        user=learner, weekly_enabled=False, inactivity_enabled=False, digest_enabled=False
    )
    dispatch(NOON)
    assert due_at(learner) == NOON + schedule.HORIZON  # nothing to remind of yet
    plan = PlanFactory(learner=learner)
    learner.target_path = plan.path
    learner.save(update_fields=["target_path"])
    item = PlanItemFactory(
        plan=plan, planned_start=dt.date(2026, 11, 20), planned_end=dt.date(2026, 11, 27)
    )
    factories.ProjectCheckpointFactory(project=item.project)
    with time_machine.travel(NOON + dt.timedelta(minutes=5), tick=False):
        plans.plan_reflow(plan=plan, today=dt.date(2026, 11, 26))
    assert due_at(learner) == NOON + dt.timedelta(minutes=5)
    dispatch(NOON + dt.timedelta(minutes=15))
    (milestone,) = content.milestones_due(
        learner_ids=[learner.pk], start=NOON.date(), end=NOON.date() + dt.timedelta(days=7)
    )
    # reminded the day before, from the learner's hour (09:00, UTC)
    reminded = dt.datetime.combine(milestone.due_date - dt.timedelta(days=1), dt.time(9), UTC)
    assert due_at(learner) == reminded
    dispatch(reminded)
    assert Delivery.objects.get().kind == "milestone"


@pytest.mark.django_db
def test_a_change_during_a_tick_keeps_the_instant_it_set(dispatch, monkeypatch):
    learner = factories.LearnerFactory(last_activity_at=NOON)
    examine = reminders._examine
    changed_at = NOON + dt.timedelta(seconds=30)

    def examine_while_the_plan_changes(users, now):
        result = examine(users, now)
        User.objects.get(pk=learner.pk).reminders_look_again(at=changed_at)
        return result

    monkeypatch.setattr(reminders, "_examine", examine_while_the_plan_changes)
    dispatch(NOON)
    assert due_at(learner) == changed_at  # not the instant computed from what the tick read


@pytest.mark.django_db
def test_a_full_save_of_a_user_read_earlier_does_not_put_back_the_instant(dispatch):
    learner = factories.LearnerFactory(last_activity_at=NOON)
    stale = User.objects.get(pk=learner.pk)
    dispatch(NOON)
    stale.full_name = "Renamed"
    stale.save()
    assert due_at(learner) > NOON


def _world(count: int, seed: int) -> None:
    """Users with varied zones, preferences, activity and plans with milestones."""
    rng = random.Random(seed)
    zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham"]
    for i in range(count):
        user = factories.LearnerFactory(
            timezone=rng.choice(zones),
            last_activity_at=NOON - dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23)),
        )
        if i % 7 == 0:
            cohort = factories.CohortFactory()
            cohort.mentors.add(factories.MentorFactory(timezone=rng.choice(zones)))
        quiet = rng.choice([(21, 8), (0, 0), (12, 13), (23, 6)])
        ReminderPreferenceFactory(
            user=user,
            weekday=rng.randint(0, 6),
            hour=rng.randint(0, 23),
            frequency=rng.choice(["weekly", "fortnightly"]),
            inactivity_days=rng.randint(3, 12),
            quiet_start=dt.time(quiet[0]),
            quiet_end=dt.time(quiet[1]),
            weekly_enabled=rng.random() < 0.8,
            inactivity_enabled=rng.random() < 0.8,
        )
        if i % 2 == 0:
            plan = PlanFactory(learner=user)
            user.target_path = plan.path
            user.save(update_fields=["target_path"])
            end = NOON.date() + dt.timedelta(days=rng.randint(0, 8))
            item = PlanItemFactory(
                plan=plan, planned_start=end - dt.timedelta(days=6), planned_end=end
            )
            factories.ProjectCheckpointFactory(project=item.project)


@pytest.mark.django_db
def test_a_week_of_ticks_sends_what_looking_at_everyone_every_tick_sends(dispatch):
    """The reference is the dispatcher before reminders_due_at: every user looked at on every
    tick. Nine days of 15-minute ticks over varied users must create the same rows."""
    _world(24, seed=17)
    start, end = NOON + dt.timedelta(minutes=7), NOON + dt.timedelta(days=9)

    def run(*, everyone: bool) -> set:
        Delivery.objects.all().delete()
        User.objects.update(reminders_due_at=REMINDERS_DUE_AT_ONCE)
        moment, examined = start, 0
        while moment < end:
            if everyone:
                User.objects.update(reminders_due_at=REMINDERS_DUE_AT_ONCE)
            examined += dispatch(moment).examined
            moment += dt.timedelta(minutes=15)
        rows = set(Delivery.objects.values_list("recipient_id", "kind", "period"))
        return rows, examined

    reference, looked_at_all = run(everyone=True)
    indexed, looked_at = run(everyone=False)
    assert indexed == reference
    assert {kind for _, kind, _ in reference} == {"weekly", "inactivity", "milestone", "digest"}
    assert looked_at < looked_at_all / 20


@pytest.mark.django_db
def test_the_data_migration_sets_the_instant_of_existing_users():
    fill = importlib.import_module("roadmap.migrations.0019_reminders_due_at_fill").fill
    learner = factories.LearnerFactory(timezone="Europe/Berlin", last_activity_at=NOON)
    ReminderPreferenceFactory(user=learner, weekday=4, hour=18, inactivity_enabled=False)
    idle = factories.LearnerFactory(last_activity_at=NOON - dt.timedelta(days=30))
    with_plan = factories.LearnerFactory(last_activity_at=NOON)
    plan = PlanFactory(learner=with_plan)
    User.objects.filter(pk=with_plan.pk).update(target_path=plan.path)
    PlanItemFactory(plan=plan, planned_start=NOON.date(), planned_end=NOON.date())
    no_row = factories.LearnerFactory(last_activity_at=NOON)
    with time_machine.travel(NOON, tick=False):
        fill(apps, None)
    assert due_at(learner) == dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert due_at(idle) == REMINDERS_DUE_AT_ONCE  # a nudge is due now: the first tick sends it
    assert due_at(with_plan) == REMINDERS_DUE_AT_ONCE  # milestones: the first tick reads them
    assert NOON < due_at(no_row) <= NOON + schedule.HORIZON  # the defaults: Monday 09:00
    assert not ReminderPreference.objects.filter(user=no_row).exists()
