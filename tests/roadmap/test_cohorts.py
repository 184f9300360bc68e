"""The cohort math in roadmap/lib/cohorts.py, without the database."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib import cohorts
from roadmap.lib.cohorts import Member
from roadmap.lib.gaps import Requirement
from tests.roadmap import reference

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
REQS = [Requirement(1, 3, 2), Requirement(2, 2, 1)]


def test_heatmap_rows_cells_readiness_and_change():
    rows = reference.heatmap_rows(
        [Member(10, "Ada", NOW)], REQS, {10: {1: 3, 2: 1}}, {10: {1: 1}}, now=NOW
    )
    row = rows[0]
    assert [(c.competency_id, c.level, c.target, c.met) for c in row.cells] == [
        (1, 3, 3, True),
        (2, 1, 2, False),
    ]
    # (2*3 + 1*1) / (2*3 + 1*2) = 7/8 -> 87; 4 weeks ago 2/8 -> 25
    assert row.readiness == 87
    assert row.readiness_change == 62
    assert not row.needs_attention


def test_missing_levels_count_as_zero():
    row = reference.heatmap_rows([Member(1, "B")], REQS, {}, {}, now=NOW)[0]
    assert [c.level for c in row.cells] == [0, 0]
    assert row.readiness == 0


def test_needs_attention_after_21_days_falls_back_to_last_rating():
    old = NOW - dt.timedelta(days=21)
    recent = NOW - dt.timedelta(days=20)
    rows = reference.heatmap_rows(
        [
            Member(1, "Idle", old),
            Member(2, "Fallback", None),
            Member(3, "Never", None),
            Member(4, "Busy", recent),
        ],
        REQS,
        {},
        {},
        now=NOW,
        last_rating_at={2: recent},
    )
    by_name = {r.name: r for r in rows}
    assert by_name["Idle"].reasons == ["no activity for 21 days"]
    assert not by_name["Fallback"].needs_attention
    assert by_name["Never"].reasons == ["no activity yet"]
    assert not by_name["Busy"].needs_attention


def test_behind_plan_by_the_cohorts_weeks_marks_attention():
    rows = reference.heatmap_rows(
        [Member(1, "A", NOW), Member(2, "B", NOW)], REQS, {}, {}, now=NOW, behind_plan={1: 2, 2: 1}
    )
    assert rows[0].reasons == ["behind their plan by 2 weeks"]
    assert not rows[1].needs_attention


def _rows():
    members = [Member(1, "carol", NOW), Member(2, "Alice", None), Member(3, "bob", NOW)]
    current = {1: {1: 3, 2: 2}, 2: {1: 1}, 3: {1: 0, 2: 2}}
    return reference.heatmap_rows(members, REQS, current, {}, now=NOW)


def test_sort_by_name_readiness_and_competency():
    rows = _rows()
    assert [r.name for r in cohorts.sort_rows(rows, "name")] == ["Alice", "bob", "carol"]
    assert [r.name for r in cohorts.sort_rows(rows, "readiness")] == ["Alice", "bob", "carol"]
    assert [r.name for r in cohorts.sort_rows(rows, "c2")] == ["Alice", "bob", "carol"]
    assert [r.name for r in cohorts.sort_rows(rows, "c1")] == ["bob", "Alice", "carol"]
    assert [r.name for r in cohorts.sort_rows(rows, "bogus")] == ["Alice", "bob", "carol"]


def test_filter_by_status_and_lacking():
    rows = _rows()
    assert [r.name for r in cohorts.filter_rows(rows, status="attention")] == ["Alice"]
    assert [r.name for r in cohorts.filter_rows(rows, status="on_track")] == ["carol", "bob"]
    assert [r.name for r in cohorts.filter_rows(rows, lacking=2)] == ["Alice"]
    assert [r.name for r in cohorts.filter_rows(rows, lacking=1)] == ["Alice", "bob"]


def test_top_gaps_most_lacking_first():
    current = {1: {1: 3, 2: 0}, 2: {1: 1, 2: 0}, 3: {1: 3}}
    gaps = reference.top_gaps(REQS, current, [1, 2, 3])
    assert [(g.competency_id, g.lacking, g.of) for g in gaps] == [(2, 3, 3), (1, 1, 3)]
    assert gaps[0].shortfall == 2 and gaps[0].percent == 100
    assert reference.top_gaps(REQS, current, []) == []


def test_week_starts_are_local_mondays_across_dst():
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    now_local = dt.datetime(2026, 11, 4, 9, 0, tzinfo=berlin)  # a Wednesday after DST ended
    starts = cohorts.week_starts(now_local, 3)
    assert [s.date() for s in starts] == [
        dt.date(2026, 10, 19),
        dt.date(2026, 10, 26),
        dt.date(2026, 11, 2),
    ]
    assert all(s.hour == 0 and s.weekday() == 0 for s in starts)
    assert starts[0].utcoffset() == dt.timedelta(hours=2)
    assert starts[2].utcoffset() == dt.timedelta(hours=1)


def test_weekly_medians_sweep_events_into_their_week():
    starts = cohorts.week_starts(NOW, 3)  # Mondays 9, 16, 23 Nov
    baseline = {1: {1: 1}, 2: {}}
    events = [
        (1, 1, 3, starts[1] + dt.timedelta(hours=1)),  # learner 1 reaches the target in week 2
        (2, 1, 3, starts[2] + dt.timedelta(days=1)),  # learner 2 in week 3
        (2, 2, 2, starts[2] + dt.timedelta(days=1)),
        (99, 1, 3, starts[2]),  # not a member any more: ignored
    ]
    ends, labels = [*starts[1:], NOW], [s.date() for s in starts]
    points = reference.weekly_medians(REQS, [1, 2], baseline, events, ends, labels)
    assert [day for day, _ in points] == [s.date() for s in starts]
    # week 1: 2/8=25% and 0 -> 12.5; week 2: 6/8=75% and 0 -> 37.5; week 3: 75% and 100% -> 87.5
    assert [value for _, value in points] == [12.5, 37.5, 87.5]
    assert reference.weekly_medians(REQS, [], {}, [], ends, labels)[0][1] is None


def test_weekly_medians_accept_bucket_numbers():
    # the service passes bucket numbers from the database instead of timestamps
    events = [(1, 1, 3, 1), (1, 2, 2, 2)]
    points = reference.weekly_medians(REQS, [1], {}, events, [1, 2, 3], ["w1", "w2", "w3"])
    assert [v for _, v in points] == [0, 75.0, 100.0]


def test_levels_as_of_applies_events_up_to_the_moment():
    t = NOW
    events = [
        (1, 1, 2, t - dt.timedelta(days=2)),
        (1, 1, 4, t + dt.timedelta(days=1)),
        (2, 1, 4, t),
    ]
    assert reference.levels_as_of({1: {1: 0}}, events, t) == {1: {1: 2}}


def test_calibration_bias_is_mean_self_minus_mentor_where_both_rated():
    self_levels = {1: {1: 3, 2: 2}, 2: {1: 2}}
    mentor_levels = {1: {1: 2}, 2: {1: 2, 2: 1}, 3: {1: 4}}
    assert cohorts.calibration_bias(self_levels, mentor_levels) == {1: (0.5, 2)}


def test_calibration_rows_only_where_a_mentor_rated():
    comp = lambda cid, name: SimpleNamespace(name=name)  # noqa: E731
    r = lambda pk, cid, source, level, day: SimpleNamespace(  # noqa: E731
        pk=pk,
        competency_id=cid,
        competency=comp(cid, f"C{cid}"),
        source=source,
        level=level,
        created_at=NOW + dt.timedelta(days=day),
    )
    rows = cohorts.calibration_rows(
        [
            r(1, 1, "self", 3, 0),
            r(2, 1, "mentor", 2, 1),
            r(3, 2, "self", 1, 0),
            r(4, 1, "self", 4, 2),
        ]
    )
    assert [row.competency_id for row in rows] == [1]
    assert [e.pk for e in rows[0].entries] == [1, 2, 4]
    assert rows[0].difference == 2


@given(
    st.lists(
        st.builds(
            Requirement,
            competency_id=st.integers(1, 30),
            target=st.integers(1, 4),
            weight=st.integers(1, 10),
        ),
        max_size=20,
        unique_by=lambda r: r.competency_id,
    ),
    st.dictionaries(st.integers(1, 30), st.integers(0, 4)),
)
def test_readiness_of_equals_gaps_readiness(requirements, levels):
    from roadmap.lib.gaps import readiness

    assert cohorts.readiness_of(requirements)(levels) == readiness(requirements, levels)


@given(
    st.dictionaries(
        st.integers(1, 6), st.dictionaries(st.integers(1, 2), st.integers(0, 4)), max_size=6
    ),
    st.lists(st.integers(1, 6), min_size=0, max_size=6, unique=True),
)
def test_top_gaps_from_counts_match_top_gaps(current, extra):
    reqs = REQS + [Requirement(3, 0, 1)]
    learner_ids = sorted(set(current) | set(extra))
    counts = {}
    for lid in learner_ids:
        for r in reqs:
            if r.competency_id in current.get(lid, {}):
                level = current[lid][r.competency_id]
                rated, below, levels = counts.get(r.competency_id, (0, 0, 0))
                counts[r.competency_id] = cohorts.GapCounts(
                    rated + 1,
                    below + (level < r.target),
                    levels + (level if level < r.target else 0),
                )
    expected = reference.top_gaps(reqs, current, learner_ids)
    got = cohorts.top_gaps_from_counts(reqs, counts, len(learner_ids))
    assert [(g.competency_id, g.lacking, g.of) for g in got] == [
        (g.competency_id, g.lacking, g.of) for g in expected
    ]
    assert [round(g.shortfall, 9) for g in got] == [round(g.shortfall, 9) for g in expected]


def test_reached_before_subtracts_the_changes_from_that_bucket_on():
    assert cohorts.reached_before(10, {1: 2, 3: 5}, [1, 2, 4]) == [3, 5, 10]


def test_levels_in_order_reached_and_gap_counts_taken_back():
    levels = cohorts.levels_in_order(REQS, {2: 1, 9: 4})
    assert levels == (None, 1)
    assert cohorts.reached_of(REQS, levels) == 1
    assert cohorts.reached_of(REQS, (4, 0)) == 2 * 3  # capped at the target
    counts = {}
    cohorts.add_gap_counts(counts, REQS, (4, 0))
    cohorts.add_gap_counts(counts, REQS, levels)
    assert counts == {1: [1, 0, 0], 2: [2, 2, 1]}
    cohorts.add_gap_counts(counts, REQS, levels, -1)
    assert counts == {1: [1, 0, 0], 2: [1, 1, 0]}


def test_rating_changes_per_bucket_and_the_detail_range():
    cuts = [NOW, NOW + dt.timedelta(days=7)]
    detail = (NOW, NOW + dt.timedelta(days=7))
    rows = [
        (7, 1, 4, 1, NOW - dt.timedelta(days=1)),  # 2 x (3 - 1), bucket 0
        (7, 1, 2, 4, NOW),  # 2 x (2 - 3), bucket 1, in the detail range
        (7, 2, 2, 2, NOW + dt.timedelta(days=1)),  # no change: left out
        (8, 2, 1, 0, NOW + dt.timedelta(days=8)),  # bucket 2 (after the last cut)
    ]
    changes, events = cohorts.rating_changes(REQS, rows, cuts, detail)
    assert changes == {7: {0: 4, 1: -2}, 8: {2: 1}}
    assert events == {7: [(NOW.timestamp(), -2)]}
