"""Celebrations: what the learner achieved lately (a project done, a target met by progress),
each shown once on the dashboard, then remembered (roadmap.models.Celebration)."""

import datetime as dt
from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from roadmap.models import Celebration, PlanItem

# Only achievements of the last two weeks are celebrated: a learner who comes back after months,
# or whose projects were done before celebrations existed, is not shown a backlog.
RECENT_DAYS = 14


def celebrations_since(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=RECENT_DAYS)


def celebration_annotations() -> dict:
    """For the dashboard's hub query, on the learner's User row: when the newest project of
    their plan for the target path was done, and when they were last shown a celebration of
    that path (None without one). With these, a dashboard with nothing new to celebrate needs
    no query of its own."""
    return {
        "newest_done_at": Subquery(
            PlanItem.objects.filter(
                plan__learner=OuterRef("pk"),
                plan__path=OuterRef("target_path"),
                status=PlanItem.Status.DONE,
            )
            .order_by("-completed_at")
            .values("completed_at")[:1]
        ),
        "celebrated_until": Subquery(
            Celebration.objects.filter(learner=OuterRef("pk"), path=OuterRef("target_path"))
            .order_by("-shown_at")
            .values("shown_at")[:1]
        ),
    }


def celebrations_claim(
    *,
    learner: User,
    path_id: int,
    targets_met: list[tuple[int, str, dt.datetime]],
    since: dt.date,
    newest_done_at: dt.datetime | None,
    celebrated_until: dt.datetime | None,
) -> list[Celebration]:
    """The celebrations to show now, stored as shown: the projects of the learner's plan for
    the path done, and the targets met (`targets_met`: (competency id, name, when), from
    roadmap.lib.progress.targets_reached), since `since` (a day in the learner's zone) and after
    the last celebration they were shown (`celebrated_until`).

    No query when nothing is newer (`newest_done_at` says when the newest project was done);
    otherwise one for the done projects (when one is newer) and one to store them. If a
    concurrent view stored one of them first, the insert fails as a whole and this view shows
    nothing: that one shows them."""
    start = datetime.combine(since, time.min, tzinfo=learner.zone)
    if celebrated_until is not None and celebrated_until > start:
        start = celebrated_until
    candidates = [
        (Celebration.Kind.TARGET_MET, cid, name, at) for cid, name, at in targets_met if at > start
    ]
    if newest_done_at is not None and newest_done_at > start:
        done = (
            PlanItem.objects.filter(
                plan__learner=learner,
                plan__path_id=path_id,
                status=PlanItem.Status.DONE,
                completed_at__gt=start,
            )
            .order_by("completed_at", "id")
            .values_list("project_id", "project__name", "completed_at")
        )
        candidates = [(Celebration.Kind.PROJECT_DONE, *row) for row in done] + candidates
    if not candidates:
        return []
    # One time for the batch (one message), later than all it shows, whatever the clocks.
    shown_at = max(timezone.now(), *(at for *_, at in candidates))
    new = [
        Celebration(
            learner=learner,
            path_id=path_id,
            kind=kind,
            subject_id=subject_id,
            name=name[:200],
            achieved_at=at,
            shown_at=shown_at,
        )
        for kind, subject_id, name, at in candidates
    ]
    try:
        with transaction.atomic():
            return Celebration.objects.bulk_create(new)
    except IntegrityError:
        return []


def celebration_dismiss(*, celebration: Celebration) -> None:
    """The learner closed the message it was shown in (it is not shown again either way):
    remembered for the record, on every celebration of that message (shown at the same time)."""
    Celebration.objects.filter(
        learner_id=celebration.learner_id,
        path_id=celebration.path_id,
        shown_at=celebration.shown_at,
        dismissed_at__isnull=True,
    ).update(dismissed_at=timezone.now())
