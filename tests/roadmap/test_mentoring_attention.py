"""Attention a mentor can act on: reasons with figures, rules per cohort, severity order,
suggested actions; short heatmap labels; the demo cohort flags only the stuck."""

import datetime as dt

import pytest

from roadmap.lib.cohorts import (
    Action,
    AttentionRules,
    LearnerRow,
    attention_flags,
    attention_order,
    short_labels,
)

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
RULES = AttentionRules(behind_weeks=2, idle_days=21, drop_points=10)


def _flags(**kwargs):
    return attention_flags(now=NOW, rules=RULES, last_active=kwargs.pop("last", NOW), **kwargs)


def test_on_track_learner_has_no_flag():
    assert _flags(behind_weeks=1, readiness_change=-9, last=NOW - dt.timedelta(days=20)) == []


def test_each_rule_states_its_reason_and_action():
    (behind,) = _flags(behind_weeks=3)
    assert behind.reason == "behind their plan by 3 weeks" and behind.action == Action.CHECK_IN
    (idle,) = _flags(last=NOW - dt.timedelta(days=30))
    assert idle.reason == "no activity for 30 days" and idle.action == Action.CHECK_IN
    (drop,) = _flags(readiness_change=-12)
    assert drop.reason == "readiness fell 12 points in four weeks"
    assert drop.action == Action.FEEDBACK
    (never,) = _flags(last=None)
    assert never.reason == "no activity yet"


def test_rules_are_tunable():
    strict = AttentionRules(behind_weeks=1, idle_days=7, drop_points=5)
    flags = attention_flags(
        now=NOW,
        rules=strict,
        last_active=NOW - dt.timedelta(days=8),
        behind_weeks=1,
        readiness_change=-5,
    )
    assert len(flags) == 3


def test_flags_and_rows_are_ordered_by_severity():
    flags = _flags(behind_weeks=2, last=NOW - dt.timedelta(days=70))
    assert [f.reason for f in flags] == ["no activity for 70 days", "behind their plan by 2 weeks"]
    rows = [
        LearnerRow(1, "A", 50, 0, [], NOW, _flags(behind_weeks=2)),
        LearnerRow(2, "B", 50, 0, [], NOW, []),
        LearnerRow(3, "C", 50, 0, [], NOW, _flags(behind_weeks=8)),
        LearnerRow(4, "D", 50, 0, [], NOW, _flags(behind_weeks=2, readiness_change=-20)),
    ]
    assert [r.name for r in attention_order(rows)] == ["C", "D", "A"]


def test_short_labels_fit_and_stay_distinct():
    names = [
        "Python and SQL",
        "Prompt design and evaluation",
        "Prompt engineering",
        "LLM APIs",
        "LLM evaluation",
        "Retrieval-augmented generation",
        "Deployment",
    ]
    labels = short_labels(names)
    assert len(set(labels)) == len(labels)
    assert all(len(label) <= 10 for label in labels)
    assert labels[0] == "Python" and labels[-1] == "Deplo."


@pytest.mark.django_db
def test_demo_cohort_flags_only_the_stuck_learners(settings):
    from django.conf import settings as conf
    from django.core.management import call_command

    from accounts.models import Cohort
    from roadmap.services import cohorts as svc
    from roadmap.services.demo import INACTIVE_LEARNERS, LEARNERS

    settings.DEBUG = True  # seed_demo is for development
    call_command("import_curriculum", str(conf.BASE_DIR / "curriculum/default_curriculum.yaml"))
    call_command("seed_demo", verbosity=0)
    stuck = {LEARNERS[n - 1][0] for n in INACTIVE_LEARNERS}
    for cohort in Cohort.objects.all():
        data = svc.cohort_data(cohort)
        flagged = {r.name for r in data.rows if r.needs_attention}
        assert flagged <= stuck, flagged - stuck
        assert len(flagged) <= 3
        assert flagged, "the stuck learners are flagged"
