from django.db import transaction
from django.utils import timezone

from accounts.models import User
from curriculum.models import Competency, Path
from roadmap.models import PathSelection, Rating


def activity_touch(*, learner: User, at=None) -> None:
    """Record that the learner did something (assessed, updated their plan) just now."""
    at = at or timezone.now()
    User.objects.filter(pk=learner.pk).update(last_activity_at=at)
    learner.last_activity_at = at


@transaction.atomic
def rating_record(
    *,
    learner: User,
    competency: Competency,
    level: int,
    note: str = "",
    evidence_url: str = "",
    source: str = Rating.Source.SELF,
    rated_by: User | None = None,
    at=None,
) -> Rating:
    """Append a rating; the newest one per competency is the learner's current level."""
    rating = Rating.objects.create(
        learner=learner,
        competency=competency,
        level=level,
        note=note,
        evidence_url=evidence_url,
        source=source,
        rated_by=rated_by or learner,
        created_at=at or timezone.now(),
    )
    if source == Rating.Source.SELF:
        activity_touch(learner=learner, at=rating.created_at)
    return rating


@transaction.atomic
def path_select(*, learner: User, path: Path, reason: str = "") -> PathSelection:
    """Make `path` the learner's target; earlier choices stay in their history."""
    selection = PathSelection.objects.create(learner=learner, path=path, reason=reason[:300])
    learner.target_path = path
    learner.save(update_fields=["target_path"])
    activity_touch(learner=learner)
    return selection
