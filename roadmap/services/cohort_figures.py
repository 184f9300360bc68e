"""The cohort dashboard's expensive figures (weekly medians, reached levels now and 4 weeks ago,
top gaps, calibration), cached, and the per-member "basis" they are computed from, brought up to
date incrementally after new ratings. Apart from cohort_reads so that the caching and its
incremental update can be read in one go; cohort_reads.cohort_data is their only caller in the
app. Every read here runs a fixed number of queries, whatever the cohort size."""

import hashlib
import time

from django.db.models import Case, DateTimeField, F, IntegerField, Max, Sum, Value, When
from django.db.models.functions import Least

from accounts.models import CohortMembership
from roadmap import cohorts
from roadmap.models import CurrentRating, Rating
from roadmap.shared_cache import cache_get, cache_set


def member_ids(cohort):
    """The active members' ids as a subquery: filtering ratings by it lets the database use its
    index instead of matching hundreds of bound ids one by one (and sends one parameter)."""
    return CohortMembership.objects.active().filter(cohort=cohort).values("learner_id")


def _per_requirement(requirements, value):
    """CASE on the competency: value(target, weight) for each requirement, 0 for the rest. In
    the query instead of a join to PathCompetency, which SQLite would start from, reading every
    learner's ratings of each competency instead of the cohort's through the learner index."""
    return Case(
        *[
            When(competency_id=r.competency_id, then=value(Value(r.target), Value(r.weight)))
            for r in requirements
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def _capped_change(target, weight):
    # what a rating adds to `reached`: its capped level minus the capped one it replaced
    return weight * (Least(F("level"), target) - Least(F("previous_level"), target))


def _changes(cohort, requirements, since, cuts, *, detail=None):
    """({learner: {bucket: change of reached}}, {learner: [(POSIX time, change), ...]}) of the
    self-ratings since `since`: bucket n holds those before cuts[n] (len(cuts): after the last
    cut); the ratings in `detail` (a [start, end) range) also come one by one. A rating changes
    `reached` by weight x (capped level - capped previous level), so the database sums the
    changes per week without anyone replaying the history. One query."""
    bucket = Case(
        *[When(created_at__lt=cut, then=Value(n)) for n, cut in enumerate(cuts)],
        default=Value(len(cuts)),
        output_field=IntegerField(),
    )
    start, end = detail or (since, since)
    at = Case(
        When(created_at__gte=start, created_at__lt=end, then=F("created_at")),
        default=Value(None),
        output_field=DateTimeField(null=True),
    )
    rows = (
        Rating.objects.filter(
            learner__in=member_ids(cohort),
            source=Rating.Source.SELF,
            created_at__gte=since,
            competency__in=[r.competency_id for r in requirements],
        )
        .order_by()
        .annotate(bucket=bucket, at=at)
        .values("learner_id", "bucket", "at")
        .annotate(change=Sum(_per_requirement(requirements, _capped_change)))
        .values_list("learner_id", "bucket", "at", "change")
    )
    changes: dict[int, dict[int, int]] = {}
    events: dict[int, list[tuple]] = {}
    for lid, b, when, change in rows:
        if not change:
            continue
        mine = changes.setdefault(lid, {})
        mine[b] = mine.get(b, 0) + change
        if when is not None:
            events.setdefault(lid, []).append((when.timestamp(), change))
    return changes, events


def _current_levels(learners, requirements) -> tuple[dict, dict]:
    """({learner: levels_in_order tuple of their current self-ratings}, {learner: {competency:
    their mentors' current level}}) over the path's requirements, for `learners` (ids or a
    subquery). One query, one row per rated competency."""
    own: dict[int, dict[int, int]] = {}
    mentor: dict[int, dict[int, int]] = {}
    for lid, cid, source, level in CurrentRating.objects.filter(
        learner__in=learners, competency__in=[r.competency_id for r in requirements]
    ).values_list("learner_id", "competency_id", "source", "level"):
        (own if source == Rating.Source.SELF else mentor).setdefault(lid, {})[cid] = level
    levels = {lid: cohorts.levels_in_order(requirements, mine) for lid, mine in own.items()}
    return levels, mentor


STATS_SECONDS = 600  # an upper bound only: any change to what the figures come from changes the key
# A basis older than this is rebuilt from scratch rather than brought up to date. It bounds how
# long a rating can be missed whose id was handed out before, but committed after, a newer one
# that a dashboard view had already taken in (a window of a few milliseconds in rating_record).
BASIS_SECONDS = STATS_SECONDS
# Bringing a basis up to date reads each changed learner's current rows and chart-weeks ratings
# (about 0.4 ms a learner at 40 competencies, against about 0.3 ms a member for a build): past
# this share of the members changed, one pass over the whole cohort is cheaper.
BASIS_MAX_CHANGED_SHARE = 1 / 3


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _basis_parts(members, requirements, starts) -> tuple:
    return (
        [(r.competency_id, r.target, r.weight) for r in requirements],
        [m.id for m in members],
        [start.isoformat() for start in starts],
    )


def _newest_rating_id(cohort) -> int:
    """Ratings are append-only and a new one, even back-dated, gets a larger id; deleting a user
    also ends their membership. So the newest id among the members' ratings changes with every
    rating that changes the cohort's figures."""
    newest = Rating.objects.filter(learner__in=member_ids(cohort)).aggregate(newest=Max("id"))
    return newest["newest"] or 0


def _basis_build(cohort, members, requirements, starts, newest) -> dict:
    """Every member's part of the figures, from two queries over the whole cohort: current levels
    (self and mentor) and the self-ratings' changes per chart week (summed by the database)."""
    levels, mentor = _current_levels(member_ids(cohort), requirements)
    changes, events = _changes(
        cohort, requirements, starts[0], starts[1:], detail=(starts[3], starts[4])
    )
    basis = {
        "built": time.time(),
        "newest": newest,
        "levels": levels,
        "mentor": mentor,
        "series": {},
        "events": events,
        "counts": {},
    }
    for m in members:
        _basis_set_series(basis, requirements, starts, m.id, changes.get(m.id, {}))
    for mine in levels.values():
        cohorts.add_gap_counts(basis["counts"], requirements, mine)
    return basis


def _basis_set_series(basis, requirements, starts, lid, changes) -> None:
    # bucket n: ratings before starts[n + 1]; the last bucket: since this week's start
    ends = [*range(1, len(starts)), len(starts)]
    mine = basis["levels"].get(lid)
    reached = cohorts.reached_of(requirements, mine) if mine else 0
    basis["series"][lid] = cohorts.reached_before(reached, changes, ends)


def _basis_update(cohort, members, requirements, starts, basis, newest) -> dict:
    """The basis with the learners who rated since it was built (or last brought up to date)
    read again: their current levels and the ratings of the chart's weeks, a few rows each."""
    changed = set(
        Rating.objects.filter(learner__in=member_ids(cohort), id__gt=basis["newest"])
        .order_by()
        .values_list("learner_id", flat=True)
        .distinct()
    )
    if len(changed) > BASIS_MAX_CHANGED_SHARE * len(members):
        return _basis_build(cohort, members, requirements, starts, newest)
    if changed:
        levels, mentor = _current_levels(changed, requirements)
        changes, events = cohorts.rating_changes(
            requirements,
            Rating.objects.filter(
                learner__in=changed,
                source=Rating.Source.SELF,
                created_at__gte=starts[0],
                competency__in=[r.competency_id for r in requirements],
            )
            .order_by()
            .values_list("learner_id", "competency_id", "level", "previous_level", "created_at"),
            starts[1:],
            (starts[3], starts[4]),
        )
        counts = basis["counts"]
        for lid in changed:
            old = basis["levels"].pop(lid, None)
            if old:
                cohorts.add_gap_counts(counts, requirements, old, -1)
            if lid in levels:
                basis["levels"][lid] = levels[lid]
                cohorts.add_gap_counts(counts, requirements, levels[lid])
            for part, value in (("mentor", mentor.get(lid)), ("events", events.get(lid))):
                basis[part].pop(lid, None)
                if value:
                    basis[part][lid] = value
            _basis_set_series(basis, requirements, starts, lid, changes.get(lid, {}))
    basis["newest"] = newest
    return basis


def _figures(members, requirements, starts, basis) -> dict:
    """The dashboard's figures from a basis: the weekly medians, each learner's reached levels
    now and just before the chart's fourth week (and that week's rating changes, where "4 weeks
    ago" falls), the top gaps and the self-versus-mentor calibration."""
    percent = cohorts.percent_of(requirements)
    series = basis["series"]
    weekly = []
    for i, start in enumerate(starts):
        value = cohorts.median([percent(series[m.id][i]) for m in members])
        weekly.append((start.date(), None if value is None else round(value, 1)))
    levels, mentor = basis["levels"], basis["mentor"]
    own = {}
    for lid in mentor:
        mine = levels.get(lid, ())
        own[lid] = {
            r.competency_id: level
            for r, level in zip(requirements, mine, strict=False)
            if level is not None
        }
    counts = {cid: cohorts.GapCounts(*values) for cid, values in basis["counts"].items()}
    return {
        "reached": {m.id: series[m.id][-1] for m in members},
        "weekly": weekly,
        "base": {m.id: series[m.id][2] for m in members},  # just before starts[3]
        "events": basis["events"],
        "gaps": cohorts.top_gaps_from_counts(requirements, counts, len(members)),
        "bias": cohorts.calibration_bias(own, mentor),
    }


def cohort_stats(cohort, members, requirements, starts) -> dict:
    """The expensive figures of the dashboard (_figures), kept in the cache under a key of
    everything they are computed from: the path's requirements, who is in the cohort, the newest
    rating of any member and the chart's weeks (in the viewer's time zone). So a new rating, a
    curriculum edit or a membership change shows up on the next view.

    They are computed from a "basis", each member's part of them, cached under the same key
    without the newest rating. After a new rating (the usual reason for a new key) only the
    learners who rated since are read again, instead of every member's ratings of 8 weeks."""
    newest = _newest_rating_id(cohort)
    parts = _basis_parts(members, requirements, starts)
    key = f"cohort-stats:{cohort.pk}:{_digest(*parts, newest)}"
    stats = cache_get(key)
    if stats is not None:
        return stats
    basis_key = f"cohort-basis:{cohort.pk}:{_digest(*parts)}"
    basis = cache_get(basis_key)
    # A newest rating older than the basis's: ratings were deleted (a repair), not added.
    if basis is None or basis["newest"] > newest or time.time() - basis["built"] > BASIS_SECONDS:
        basis = _basis_build(cohort, members, requirements, starts, newest)
    elif basis["newest"] < newest:
        basis = _basis_update(cohort, members, requirements, starts, basis, newest)
    cache_set(basis_key, basis, BASIS_SECONDS)
    stats = _figures(members, requirements, starts, basis)
    cache_set(key, stats, STATS_SECONDS)
    return stats


def reached_past(cohort, requirements, stats, starts, cut) -> dict[int, int]:
    """{learner: reached levels just before `cut`}: 4 weeks ago is in the chart's fourth week
    (whose ratings cohort_stats keeps), unless a clock change moved it: then ask the database."""
    if not starts[3] <= cut < starts[4]:
        since, _ = _changes(cohort, requirements, cut, [])
        return {lid: r - since.get(lid, {}).get(0, 0) for lid, r in stats["reached"].items()}
    cut = cut.timestamp()
    return {
        lid: base + sum(change for at, change in stats["events"].get(lid, ()) if at < cut)
        for lid, base in stats["base"].items()
    }
