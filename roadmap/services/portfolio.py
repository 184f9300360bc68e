"""What the portfolio shows of a learner: their own current levels (self-rated, and what mentors
rated or verified, kept apart) and their readiness per path. Each read runs a fixed number of
queries, whatever the number of competencies or paths."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from curriculum.models import Path, PathCompetency, ScaleLevel
from roadmap.lib.gaps import Requirement, readiness, readiness_display
from roadmap.models import CurrentRating, Rating, RatingVerification


@dataclass(frozen=True)
class PortfolioLevel:
    name: str
    target: int
    self_level: int | None
    self_name: str
    mentor_level: int | None
    mentor_name: str
    verified: bool  # a mentor confirmed the learner's current self-rating


@dataclass(frozen=True)
class PathReadiness:
    name: str
    percent: int
    is_target: bool


def portfolio_figures(*, learner: User) -> tuple[list[PortfolioLevel], list[PathReadiness]]:
    """The learner's current levels on their target path's competencies that they or a mentor
    rated (in the path's order), and their readiness per active path from their self-ratings
    (their own path first). Four queries."""
    current = CurrentRating.objects.filter(learner=learner).annotate(
        verified=Exists(RatingVerification.objects.filter(rating_id=OuterRef("rating_id")))
    )
    rated: dict[int, dict] = {}
    for competency_id, source, level, verified in current.values_list(
        "competency_id", "source", "level", "verified"
    ):
        rated.setdefault(competency_id, {})[source] = (level, verified)
    if not rated:
        return [], []
    own_levels = {
        cid: by[Rating.Source.SELF][0] for cid, by in rated.items() if Rating.Source.SELF in by
    }
    names = ScaleLevel.objects.names()
    paths = list(Path.objects.filter(Q(is_active=True) | Q(pk=learner.target_path_id)))
    requirements: dict[int, list[Requirement]] = {p.pk: [] for p in paths}
    levels = []
    for pc in (
        PathCompetency.objects.current()
        .filter(path__in=paths)
        .select_related("competency")
        .order_by("position", "competency__name")
    ):
        requirements[pc.path_id].append(Requirement(pc.competency_id, pc.target_level, pc.weight))
        found = rated.get(pc.competency_id)
        if pc.path_id != learner.target_path_id or not found:
            continue
        own, own_verified = found.get(Rating.Source.SELF, (None, False))
        mentor, _ = found.get(Rating.Source.MENTOR, (None, False))
        levels.append(
            PortfolioLevel(
                name=pc.competency.name,
                target=pc.target_level,
                self_level=own,
                self_name=names.get(own, "") if own is not None else "",
                mentor_level=mentor,
                mentor_name=names.get(mentor, "") if mentor is not None else "",
                verified=own_verified,
            )
        )
    figures = [
        PathReadiness(
            name=p.name,
            percent=readiness_display(readiness(requirements[p.pk], own_levels)),
            is_target=p.pk == learner.target_path_id,
        )
        for p in paths
    ]
    readiness_rows = sorted(figures, key=lambda f: (not f.is_target, f.name)) if own_levels else []
    return levels, readiness_rows
