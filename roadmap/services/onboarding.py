from django.db import transaction

from accounts.models import User
from curriculum.models import Path
from roadmap.models import PathSelection

from .assessment import path_select


@transaction.atomic
def onboarding_complete(
    *, learner: User, path: Path, weekly_hours: int, reason: str = ""
) -> PathSelection | None:
    """Save the learner's weekly hours and target path. Choosing the path they already have
    adds no PathSelection row, so the history lists only real changes."""
    if learner.weekly_hours != weekly_hours:
        learner.weekly_hours = weekly_hours
        learner.save(update_fields=["weekly_hours"])
    if learner.target_path_id == path.pk:
        return None
    return path_select(learner=learner, path=path, reason=reason)
