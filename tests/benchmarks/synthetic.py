"""Synthetic data at benchmark sizes, written with bulk_create so seeding stays quick."""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Cohort, CohortMembership, User
from curriculum.models import (
    Competency,
    LevelDescriptor,
    Path,
    PathCompetency,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
)
from roadmap.models import Rating
from roadmap.services.assessment import current_ratings_rebuild

PASSWORD = "bench-password"


def make_path(label: str, competencies: int, projects: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    path = Path.objects.create(
        slug=f"bench-{label}", name=f"Bench {label}", summary="s", best_fit_when="b"
    )
    comps = Competency.objects.bulk_create(
        Competency(
            slug=f"{label}-c{i}",
            name=f"{label} competency {i}",
            kind=Competency.Kind.TOOL if i % 4 == 0 else Competency.Kind.SKILL,
            category=f"Area {i % 8}",
        )
        for i in range(competencies)
    )
    PathCompetency.objects.bulk_create(
        PathCompetency(
            path=path,
            competency=c,
            target_level=rng.randint(2, 4),
            weight=rng.randint(1, 10),
            position=i,
        )
        for i, c in enumerate(comps)
    )
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(
            competency=c, level=lvl, description=f"{c.name} at level {lvl}: does things."
        )
        for c in comps
        for lvl in range(5)
    )
    project_rows = Project.objects.bulk_create(
        Project(
            slug=f"{label}-p{i}",
            name=f"{label} project {i}",
            path=path,
            summary="s",
            estimated_hours=rng.randint(8, 60),
            position=i,
        )
        for i in range(projects)
    )
    builds = []
    for project in project_rows:
        for c in rng.sample(comps, k=min(len(comps), rng.randint(2, 6))):
            builds.append(
                ProjectCompetency(project=project, competency=c, builds_to_level=rng.randint(1, 4))
            )
    ProjectCompetency.objects.bulk_create(builds)
    ProjectCheckpoint.objects.bulk_create(
        ProjectCheckpoint(project=p, title=f"Deliverable {k}", position=k)
        for p in project_rows
        for k in range(3)
    )
    through = Project.prerequisites.through
    prereqs = []
    for index, project in enumerate(project_rows[1:], start=1):
        if rng.random() < 0.3:
            prereqs.append(
                through(from_project=project, to_project=project_rows[rng.randrange(index)])
            )
    through.objects.bulk_create(prereqs)
    return path


_PASSWORD_HASH = None


def _password_hash() -> str:
    # Hashing once keeps seeding 500 learners from spending minutes in PBKDF2.
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from django.contrib.auth.hashers import make_password

        _PASSWORD_HASH = make_password(PASSWORD)
    return _PASSWORD_HASH


def make_learner(path: Path, email: str, weeks: int, seed: int = 2) -> User:
    rng = random.Random(seed)
    learner = User.objects.create(
        email=email, password=_password_hash(), target_path=path, weekly_hours=8
    )
    competency_ids = list(path.path_competencies.values_list("competency_id", flat=True))
    now = timezone.now()
    ratings = []
    levels = {cid: rng.randint(0, 2) for cid in competency_ids}
    for week in range(weeks, 0, -1):
        at = now - timedelta(weeks=week)
        rated = (
            competency_ids
            if week == weeks
            else rng.sample(competency_ids, k=max(1, len(competency_ids) // 5))
        )
        for cid in rated:
            levels[cid] = min(4, levels[cid] + (1 if rng.random() < 0.3 else 0))
            ratings.append(
                Rating(
                    learner=learner,
                    competency_id=cid,
                    level=levels[cid],
                    created_at=at,
                    rated_by=learner,
                )
            )
    Rating.objects.bulk_create(ratings, batch_size=2000)
    current_ratings_rebuild(learner_ids=[learner.pk])
    learner.last_activity_at = now - timedelta(days=rng.randint(0, 20))
    learner.save(update_fields=["last_activity_at"])
    return learner


def make_cohort(path: Path, learners: int, weeks: int, mentor: User, label: str) -> Cohort:
    cohort = Cohort.objects.create(
        name=f"Bench cohort {label}", path=path, start_date=timezone.localdate()
    )
    cohort.mentors.add(mentor)
    members = [
        make_learner(path, f"{label}-l{i}@bench.test", weeks, seed=i) for i in range(learners)
    ]
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=cohort, learner=m) for m in members
    )
    return cohort


def make_due_learners(count: int, prefix: str = "due") -> list[int]:
    """`count` learners whose inactivity nudge is due at any moment (idle for 60 days, no quiet
    hours, weekly reminder off: one delivery each), in a few INSERTs. Needs the reminders area."""
    import datetime as dt

    from roadmap.models import ReminderPreference

    idle_since = timezone.now() - timedelta(days=60)
    User.objects.bulk_create(
        (
            User(
                email=f"{prefix}{i}@bench.test",
                role=User.Role.LEARNER,
                password="!",
                last_activity_at=idle_since,
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    ids = list(
        User.objects.filter(email__startswith=prefix, email__endswith="@bench.test")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ReminderPreference.objects.bulk_create(
        (
            ReminderPreference(
                user_id=pk,
                weekly_enabled=False,
                hour=0,
                quiet_start=dt.time(0),
                quiet_end=dt.time(0),
            )
            for pk in ids
        ),
        batch_size=2000,
    )
    return ids
