"""Mentoring writes (feedback, verification, sign-off) and the per-learner reads around them
(plan progress, verified projects, unread counts). Cohorts themselves (creating, inviting,
joining, the cohort dashboard's reads) are in `cohorts`. Every read here runs a fixed number
of queries, whatever the number of learners."""

from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from curriculum.models import Project, ProjectCheckpoint
from roadmap.models import CheckpointSignOff, Feedback, PlanItem, Rating, RatingVerification


# --- plans ----------------------------------------------------------------------------------------
def _current_items():
    # A learner's current plan is the one for their target path; plans for paths they left behind
    # do not make them "behind".
    return PlanItem.objects.filter(plan__path_id=F("plan__learner__target_path_id"))


def behind_plan_ids(learner_ids) -> set[int]:
    """Ids among `learner_ids` with an item of their current plan past its planned end and still
    planned or started. One query for any number of learners. "Today" is the UTC date, not each
    learner's local date: at worst someone shows as behind a few hours early or late, which is
    fine for a mentor's attention flag and keeps this a single query."""
    today = timezone.now().date()
    return set(
        _current_items()
        .filter(
            plan__learner__in=learner_ids,
            planned_end__lt=today,
            status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED],
        )
        .values_list("plan__learner_id", flat=True)
        .distinct()
    )


def behind_plan_weeks(learner_ids) -> dict[int, int]:
    """{learner: whole weeks their most overdue open item of the current plan is past its
    planned end} for those among `learner_ids` with one (0 weeks: less than a week late). One
    query for any number of learners; "today" is the UTC date, as in behind_plan_ids."""
    today = timezone.now().date()
    rows = (
        _current_items()
        .filter(
            plan__learner__in=learner_ids,
            planned_end__lt=today,
            status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED],
        )
        .order_by()
        .values("plan__learner_id")
        .annotate(oldest=Min("planned_end"))
        .values_list("plan__learner_id", "oldest")
    )
    return {lid: (today - oldest).days // 7 for lid, oldest in rows}


def plan_summary(learner) -> list[PlanItem]:
    """The items of the learner's current plan for the mentor's read-only view, each with
    `.behind` (whole weeks past the planned end, 0 if on time). One query; [] without a plan."""
    if learner.target_path_id is None:
        return []
    items = list(
        _current_items()
        .filter(plan__learner=learner)
        .select_related("project")
        .order_by("position", "id")
    )
    today = timezone.now().date()  # UTC date, as in behind_plan_ids
    for item in items:
        item.behind = item.behind_weeks(today)
    return items


def projects_started(learner, projects) -> set[int]:
    """Ids among `projects` that the learner has started or finished in any of their plans: the
    ones whose checkpoints a mentor can sign off. One query."""
    return set(
        PlanItem.objects.filter(
            plan__learner=learner,
            project__in=[getattr(p, "pk", p) for p in projects],
            status__in=[PlanItem.Status.STARTED, PlanItem.Status.DONE],
        ).values_list("project_id", flat=True)
    )


def plan_items_verify(*, mentor: User, learner: User, project: Project) -> int:
    """Mark the learner's plan items for `project` verified once every checkpoint of it is signed
    off. Returns how many items changed; the first verification is kept."""
    if not project_verified(learner, project):
        return 0
    return PlanItem.objects.filter(
        plan__learner=learner, project=project, verified_at__isnull=True
    ).update(verified_at=timezone.now(), verified_by=mentor)


# --- feedback, verification, sign-off -------------------------------------------------------------
def feedback_give(
    *, mentor: User, learner: User, body: str, competency=None, project=None
) -> Feedback:
    return Feedback.objects.create(
        learner=learner, author=mentor, body=body, competency=competency, project=project
    )


def rating_verify(*, mentor: User, rating: Rating, comment: str = "") -> RatingVerification:
    """Idempotent: verifying the same rating again keeps the first verification."""
    verification, _ = RatingVerification.objects.get_or_create(
        rating=rating, mentor=mentor, defaults={"comment": comment}
    )
    return verification


@transaction.atomic
def checkpoint_sign_off(
    *, mentor: User, learner: User, checkpoint: ProjectCheckpoint, comment: str = ""
) -> CheckpointSignOff:
    """Sign off one checkpoint; the last one of a project also verifies the learner's plan items
    for it (the plan page and portfolio show them as verified)."""
    sign_off, _ = CheckpointSignOff.objects.get_or_create(
        learner=learner, checkpoint=checkpoint, defaults={"mentor": mentor, "comment": comment}
    )
    plan_items_verify(mentor=mentor, learner=learner, project=checkpoint.project)
    return sign_off


def projects_verified(learner, projects=None) -> set[int]:
    """Ids of projects (optionally among `projects`) whose checkpoints are ALL signed off for the
    learner. One query. A project without checkpoints is never verified this way."""
    qs = (
        Project.objects.all()
        if projects is None
        else Project.objects.filter(pk__in=[getattr(p, "pk", p) for p in projects])
    )
    rows = qs.annotate(
        total=Count("checkpoints", distinct=True),
        signed=Count(
            "checkpoints__sign_offs",
            filter=Q(checkpoints__sign_offs__learner=learner),
            distinct=True,
        ),
    ).filter(total__gt=0, signed=F("total"))
    return set(rows.values_list("pk", flat=True))


def project_verified(learner, project) -> bool:
    return project.pk in projects_verified(learner, [project])


def _count_of(queryset):
    """A scalar subquery counting `queryset`'s rows (for annotations on a User query). COUNT as
    a plain function, not an aggregate, so Django adds no GROUP BY."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def mentoring_annotations() -> dict:
    """Expressions over a User query (OuterRef "pk" = the learner) for the learner's mentoring
    card: unread feedback, verifications and sign-offs, the verification count and the latest
    feedback. Lets the dashboard read them in the one query it also uses for its plan."""
    learner = OuterRef("pk")
    latest = Feedback.objects.filter(learner=learner).order_by("-created_at", "-id")
    return {
        "mentoring_unread": _count_of(
            Feedback.objects.filter(learner=learner, read_at__isnull=True)
        )
        + _count_of(
            RatingVerification.objects.filter(rating__learner=learner, read_at__isnull=True)
        )
        + _count_of(CheckpointSignOff.objects.filter(learner=learner, read_at__isnull=True)),
        "mentoring_verifications": _count_of(
            RatingVerification.objects.filter(rating__learner=learner)
        )
        + _count_of(CheckpointSignOff.objects.filter(learner=learner)),
        "feedback_latest_body": Subquery(latest.values("body")[:1]),
        "feedback_latest_at": Subquery(latest.values("created_at")[:1]),
        "feedback_latest_author": Subquery(latest.values("author__full_name")[:1]),
    }


def mentoring_unread_count(learner) -> int:
    """Feedback, verifications and sign-offs the learner has not seen yet (one query)."""
    return (
        User.objects.filter(pk=learner.pk)
        .annotate(unread=mentoring_annotations()["mentoring_unread"])
        .values_list("unread", flat=True)
        .get()
    )


def mentoring_mark_read(learner) -> None:
    now = timezone.now()
    Feedback.objects.filter(learner=learner, read_at__isnull=True).update(read_at=now)
    RatingVerification.objects.filter(rating__learner=learner, read_at__isnull=True).update(
        read_at=now
    )
    CheckpointSignOff.objects.filter(learner=learner, read_at__isnull=True).update(read_at=now)
