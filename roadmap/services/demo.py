"""Demo data for `manage.py seed_demo`: an admin, two mentors, two cohorts and 24 learners with
ten weeks of self-assessment history. Deterministic (seeded per learner) and idempotent: users
that already exist are left alone, so a second run creates nothing."""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Cohort, CohortMembership, User
from curriculum.models import MAX_LEVEL, Path, PathCompetency
from roadmap.models import PathSelection, Rating
from roadmap.services.assessment import activity_touch, current_ratings_rebuild

DEMO_PASSWORD = "gapmap-demo"
DEMO_DOMAIN = "gapmap.test"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
HISTORY_WEEKS = 10
# Learners who stopped assessing three weeks ago: the mentor views should flag them as stuck.
INACTIVE_LEARNERS = {5, 14, 21}
INACTIVE_WEEKS = 3

# (slug, cohort name, mentor e-mail, mentor name)
COHORTS = [
    ("ai-developer", "AI Developer cohort", f"mentor1@{DEMO_DOMAIN}", "Maya Okafor"),
    ("ai-engineer", "AI Engineer cohort", f"mentor2@{DEMO_DOMAIN}", "Tomás Herrera"),
]

# (name, time zone, hours a week); learner N is LEARNERS[N - 1].
LEARNERS = [
    ("Aisha Bello", "Africa/Lagos", 8),
    ("Ben Carter", "America/New_York", 5),
    ("Chen Wei", "Asia/Shanghai", 12),
    ("Daniela Rossi", "Europe/Rome", 6),
    ("Emeka Nwosu", "Europe/London", 4),
    ("Fatima Zahra", "Africa/Casablanca", 10),
    ("Gabriel Silva", "America/Sao_Paulo", 7),
    ("Hannah Müller", "Europe/Berlin", 9),
    ("Ishaan Patel", "Asia/Kolkata", 15),
    ("Julia Nowak", "Europe/Warsaw", 6),
    ("Kenji Tanaka", "Asia/Tokyo", 3),
    ("Lena Fischer", "Europe/Berlin", 11),
    ("Mateo García", "Europe/Madrid", 8),
    ("Nadia Haddad", "Asia/Dubai", 5),
    ("Oliver Smith", "Australia/Sydney", 7),
    ("Priya Sharma", "Asia/Kolkata", 13),
    ("Quinn O'Neill", "Europe/Dublin", 4),
    ("Rosa Martínez", "America/Mexico_City", 9),
    ("Samuel Osei", "Africa/Accra", 6),
    ("Tara Nguyen", "Asia/Ho_Chi_Minh", 10),
    ("Umar Farooq", "Asia/Karachi", 12),
    ("Valentina Costa", "America/Los_Angeles", 5),
    ("William Brown", "America/Chicago", 14),
    ("Yuki Sato", "Asia/Tokyo", 3),
]


class DemoDataError(Exception):
    """The demo cannot be seeded (the curriculum is missing)."""


@dataclass
class DemoReport:
    users_created: int = 0
    cohorts_created: int = 0
    memberships_created: int = 0
    ratings_created: int = 0
    plans_created: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def learner_email(number: int) -> str:
    return f"learner{number:02d}@{DEMO_DOMAIN}"


def demo_emails() -> list[str]:
    mentors = [mentor_email for _, _, mentor_email, _ in COHORTS]
    learners = [learner_email(n) for n in range(1, len(LEARNERS) + 1)]
    return [ADMIN_EMAIL, *mentors, *learners]


@transaction.atomic
def demo_wipe() -> int:
    """Delete the demo users and cohorts (their ratings go with them); returns users deleted."""
    Cohort.objects.filter(name__in=[name for _, name, _, _ in COHORTS]).delete()
    deleted, per_model = User.objects.filter(email__in=demo_emails()).delete()
    return per_model.get(User._meta.label, 0)


@transaction.atomic
def demo_seed(*, now: datetime.datetime | None = None) -> DemoReport:
    now = now or timezone.now()
    paths = {path.slug: path for path in Path.objects.filter(slug__in=[c[0] for c in COHORTS])}
    missing = [slug for slug, *_ in COHORTS if slug not in paths]
    if missing:
        raise DemoDataError(
            f"The curriculum has no path {', '.join(missing)}. Load it first: "
            "manage.py import_curriculum curriculum/default_curriculum.yaml"
        )
    report = DemoReport()
    start = now - datetime.timedelta(weeks=HISTORY_WEEKS)
    # One hash for every demo account keeps seeding fast (hashing is slow on purpose).
    password_hash = make_password(DEMO_PASSWORD)
    existing = set(User.objects.filter(email__in=demo_emails()).values_list("email", flat=True))

    def build(email, **fields) -> User | None:
        if email in existing:
            return None
        return User(email=email, password=password_hash, **fields)

    staff = [
        build(ADMIN_EMAIL, full_name="Demo Admin", is_staff=True, is_superuser=True),
        *(
            build(email, full_name=name, role=User.Role.MENTOR, timezone="Europe/London")
            for _, _, email, name in COHORTS
        ),
    ]
    new_learners: list[tuple[int, User]] = []
    for number, (name, zone, hours) in enumerate(LEARNERS, start=1):
        slug = COHORTS[(number - 1) % len(COHORTS)][0]
        user = build(
            learner_email(number),
            full_name=name,
            timezone=zone,
            weekly_hours=hours,
            target_path=paths[slug],
            target_date=(now + datetime.timedelta(weeks=20 + number % 12)).date(),
        )
        if user is not None:
            new_learners.append((number, user))
    created = User.objects.bulk_create(
        [u for u in staff if u is not None] + [u for _, u in new_learners]
    )
    report.users_created = len(created)

    cohorts = {}
    for slug, name, mentor_email, _ in COHORTS:
        cohort, made = Cohort.objects.get_or_create(
            name=name, defaults={"path": paths[slug], "start_date": start.date()}
        )
        cohort.mentors.add(User.objects.get(email=mentor_email))
        cohorts[slug] = cohort
        report.cohorts_created += made

    if new_learners:
        memberships = [
            CohortMembership(cohort=cohorts[user.target_path.slug], learner=user)
            for _, user in new_learners
        ]
        report.memberships_created = len(
            CohortMembership.objects.bulk_create(memberships, ignore_conflicts=True)
        )
        selections = PathSelection.objects.bulk_create(
            PathSelection(learner=user, path=user.target_path, reason="Demo: chosen at sign-up")
            for _, user in new_learners
        )
        # auto_now_add stamped them now; the demo learners chose their path when they started.
        PathSelection.objects.filter(pk__in=[s.pk for s in selections]).update(created_at=start)
        targets = {
            slug: list(
                PathCompetency.objects.current().filter(path=path).select_related("competency")
            )
            for slug, path in paths.items()
        }
        for number, user in new_learners:
            report.ratings_created += _history_write(
                learner=user,
                requirements=targets[user.target_path.slug],
                start=start,
                rng=random.Random(f"gapmap-demo-{number}"),
                inactive=number in INACTIVE_LEARNERS,
            )

        for number, user in new_learners:
            report.plans_created += _plan_write(
                learner=user,
                made_on=(start + datetime.timedelta(weeks=4)).date(),
                now=now,
                inactive=number in INACTIVE_LEARNERS,
            )

    report.logins = [
        ("admin", ADMIN_EMAIL, DEMO_PASSWORD),
        *(("mentor", email, DEMO_PASSWORD) for _, _, email, _ in COHORTS),
        *(("learner", learner_email(n), DEMO_PASSWORD) for n in range(1, len(LEARNERS) + 1)),
    ]
    return report


def _history_write(*, learner, requirements, start, rng, inactive: bool) -> int:
    """A first full self-assessment at `start`, then a few ratings a week trending upward,
    with plateau weeks; inactive learners stop INACTIVE_WEEKS before now. Written in bulk, then
    current_ratings_rebuild derives what rating_record would have kept."""
    levels = {}
    ratings = []

    def record(requirement, level, at):
        ratings.append(
            Rating(
                learner=learner,
                competency=requirement.competency,
                level=level,
                rated_by=learner,
                created_at=at,
            )
        )

    for requirement in requirements:
        level = rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
        levels[requirement.competency_id] = level
        at = start + datetime.timedelta(minutes=rng.randint(0, 90))
        record(requirement, level, at)
    pace = rng.choice([0.4, 0.6, 0.8])  # chance that a rating is a step up rather than a plateau
    last_week = HISTORY_WEEKS - (INACTIVE_WEEKS if inactive else 0)
    for week in range(1, last_week):
        if rng.random() < 0.15:
            continue  # a quiet week
        day = start + datetime.timedelta(
            weeks=week, days=rng.randint(0, 4), hours=rng.randint(7, 20)
        )
        open_gaps = [r for r in requirements if levels[r.competency_id] < MAX_LEVEL] or requirements
        for n, requirement in enumerate(
            rng.sample(open_gaps, k=min(len(open_gaps), rng.randint(1, 3)))
        ):
            current = levels[requirement.competency_id]
            level = min(MAX_LEVEL, current + 1) if rng.random() < pace else current
            levels[requirement.competency_id] = level
            at = day + datetime.timedelta(minutes=5 * n)
            record(requirement, level, at)
    Rating.objects.bulk_create(ratings)
    current_ratings_rebuild(learner_ids=[learner.pk])
    if ratings:
        activity_touch(learner=learner, at=ratings[-1].created_at)
    return len(ratings)


def _plan_write(*, learner: User, made_on: datetime.date, now, inactive: bool) -> int:
    """A roadmap made six weeks ago: active learners finished the projects due by now and are on
    the next; the inactive ones started one and fell behind."""
    from roadmap.services.plans import plan_generate

    last_activity = learner.last_activity_at
    plan = plan_generate(learner=learner, path=learner.target_path, today=made_on)
    items = list(plan.items.order_by("position"))
    if items:
        first_start = datetime.datetime.combine(
            items[0].planned_start, datetime.time(18), tzinfo=datetime.UTC
        )
        items[0].start(at=first_start)
        if not inactive:
            # Active learners keep pace: every project due before today is done (on its planned
            # end), the next one started. So the mentor views flag only the stuck ones.
            today = now.date()
            for i, item in enumerate(items):
                start = datetime.datetime.combine(
                    item.planned_start, datetime.time(18), tzinfo=datetime.UTC
                )
                if i:
                    item.start(at=min(now, start))
                if item.planned_end >= today:
                    break
                end = datetime.datetime.combine(
                    item.planned_end, datetime.time(18), tzinfo=datetime.UTC
                )
                item.complete(
                    evidence_url=f"https://github.com/{learner.email.split('@')[0]}/{item.project.slug}",
                    reflection="Shipped a first version; the checkpoints kept me honest.",
                    at=min(now, max(end, start)),
                )
    # Generating a plan counts as activity; keep the demo's inactive learners inactive.
    User.objects.filter(pk=learner.pk).update(last_activity_at=last_activity)
    return 1
