"""Plan services and item state changes, without the views."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmap.models import PlanItem, PlanItemError
from roadmap.services.plans import (
    item_milestones,
    path_checkpoints,
    plan_generate,
    plan_reflow,
    plan_regenerate,
)
from tests import factories
from tests.factories_plans import curriculum_with_gaps

pytestmark = pytest.mark.django_db
NOON_UTC = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOON_UTC, tick=False)
def test_plans_start_on_the_learners_local_today():
    learner = factories.LearnerFactory(timezone="Pacific/Auckland")  # already the 26th there
    path, _c, _p = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path)
    assert plan.items.order_by("position").first().planned_start == datetime.date(2026, 11, 26)


def test_regenerating_writes_only_what_changed_and_keeps_item_ids():
    learner = factories.LearnerFactory()
    path, _c, _p = curriculum_with_gaps(learner)
    monday = datetime.date(2026, 11, 23)
    plan = plan_generate(learner=learner, path=path, today=monday)
    rows = list(plan.items.order_by("position").values_list("pk", "planned_start"))

    with CaptureQueriesContext(connection) as same_day:
        plan_generate(learner=learner, path=path, today=monday)
    writes = [
        q["sql"] for q in same_day.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))
    ]
    # Nothing changed: no item is written (the plan's regenerated_at is an UPDATE of the plan).
    assert writes == []
    assert not any('UPDATE "roadmap_planitem"' in q["sql"] for q in same_day.captured_queries)

    plan_generate(learner=learner, path=path, today=monday + datetime.timedelta(days=7))
    moved = list(plan.items.order_by("position").values_list("pk", "planned_start"))
    assert [pk for pk, _ in moved] == [pk for pk, _ in rows]
    assert all(
        after == before + datetime.timedelta(days=7)
        for (_, before), (_, after) in zip(rows, moved, strict=True)
    )


def test_regenerate_redates_started_items_from_today_and_keeps_their_place():
    learner = factories.LearnerFactory()
    path, _c, projects = curriculum_with_gaps(learner)
    with time_machine.travel(NOON_UTC, tick=False):
        plan = plan_generate(learner=learner, path=path)
    _first, second, _third = plan.items.order_by("position")
    second.start()
    later = datetime.date(2027, 1, 4)
    plan_regenerate(plan=plan, today=later)
    items = list(plan.items.order_by("position"))
    assert items[0].pk == second.pk  # kept items come before the re-planned ones
    started = PlanItem.objects.get(pk=second.pk)
    assert started.planned_start == later
    assert {i.project_id for i in items} == {p.id for p in projects}
    assert all(i.planned_start >= later for i in items)


def test_reflow_keeps_the_order_and_done_items():
    learner = factories.LearnerFactory()
    path, _c, _p = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path, today=datetime.date(2026, 1, 5))
    first, second, third = plan.items.order_by("position")
    first.complete(evidence_url="https://example.com")
    plan_reflow(plan=plan, today=datetime.date(2026, 6, 1))
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert first.planned_start == datetime.date(2026, 1, 5)
    assert second.planned_start == datetime.date(2026, 6, 1)
    assert second.planned_end <= third.planned_start
    dues = [m.due for m in item_milestones(second, path_checkpoints(path.pk))]
    assert len(dues) == 2 and all(due >= datetime.date(2026, 6, 1) for due in dues)


@pytest.mark.parametrize(
    ("status", "method", "message"),
    [
        ("skipped", "complete", "was skipped"),
        ("done", "complete", "already done"),
        ("done", "start", "Only a planned project"),
        ("started", "start", "Only a planned project"),
        ("done", "skip", "Only a planned or started"),
        ("skipped", "skip", "Only a planned or started"),
    ],
)
def test_refused_transitions_change_nothing(status, method, message):
    learner = factories.LearnerFactory()
    path, _c, _p = curriculum_with_gaps(learner, projects=1)
    item = plan_generate(learner=learner, path=path).items.get()
    PlanItem.objects.filter(pk=item.pk).update(status=status)
    item.refresh_from_db()
    kwargs = {"evidence_url": "https://example.com"} if method == "complete" else {}
    with pytest.raises(PlanItemError, match=message):
        getattr(item, method)(**kwargs)
    item.refresh_from_db()
    assert item.status == status and item.evidence_url == ""


def test_behind_weeks_counts_whole_weeks_rounded_up():
    item = PlanItem(status="planned", planned_end=datetime.date(2026, 1, 1))
    assert item.behind_weeks(datetime.date(2026, 1, 1)) == 0
    assert item.behind_weeks(datetime.date(2026, 1, 2)) == 1
    assert item.behind_weeks(datetime.date(2026, 1, 15)) == 2
    item.status = "done"
    assert item.behind_weeks(datetime.date(2026, 3, 1)) == 0
