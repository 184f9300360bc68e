"""The benchmark's world at 1x and 10x: cohort learners with a year of weekly ratings, cohorts of
50, 500 and (at 10x) 5,000, and users with reminder preferences for the dispatcher.

1x is 500 learners x 52 weeks and 10,000 reminder users; 10x is 5,000 learners (about 1.5 million
ratings) and 100,000 reminder users. `grow` takes the world from one size to the next by adding
rows, so the same people are measured at both sizes.

Rows are written in bulk: COPY on PostgreSQL (psycopg's copy), executemany on SQLite, with ids
given here so ratings, current ratings and memberships need no read-back. Rating.previous_level
and CurrentRating are computed while the ratings are generated, as the services keep them.
Nobody is due for a reminder in this world (recent activity, weekly slot three days ahead), so the
dispatcher's tick reads 100,000 users and finds no work; `make_due` turns some of them due."""

import contextlib
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from accounts.models import Cohort, CohortMembership, User
from curriculum.models import Path
from roadmap.models import CurrentRating, Rating, ReminderPreference
from tests.benchmarks import synthetic

SMALL, MID = 50, 500
BASE_LEARNERS, BASE_REMINDER_USERS = 500, 10_000
WEEKS = 52
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]


@dataclass(frozen=True)
class Size:
    learners: int
    reminder_users: int

    @classmethod
    def at(cls, scale: float, base_learners: int = BASE_LEARNERS) -> "Size":
        return cls(
            learners=round(base_learners * scale),
            reminder_users=round(BASE_REMINDER_USERS * scale * base_learners / BASE_LEARNERS),
        )


@dataclass
class World:
    path: Path
    learner_ids: list[int] = field(default_factory=list)
    reminder_user_ids: list[int] = field(default_factory=list)
    cohorts: dict[str, Cohort] = field(default_factory=dict)  # "small", "mid", "all"
    mentors: dict[str, User] = field(default_factory=dict)  # same keys
    small_cohorts: int = 0

    @property
    def largest(self) -> str:
        return "all" if "all" in self.cohorts else "mid" if "mid" in self.cohorts else "small"


# --- writing rows in bulk -------------------------------------------------------------------------


class Progress:
    """A plain progress line on stderr, rewritten at most twice a second."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.start = self.shown = time.monotonic()

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.shown >= 0.5 and self.total >= 1000:
            self.shown = now
            self._show()

    def _show(self, end: str = "") -> None:
        share = self.done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        sys.stderr.write(
            f"\r  {self.label:<16} [{bar:<30}] {self.done:>10,}/{self.total:,} "
            f"{time.monotonic() - self.start:5.0f}s{end}"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.total >= 1000:  # small writes stay quiet
            self._show("\n")


def next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def write_rows(model, columns: list[str], rows, *, total: int, label: str) -> None:
    """Insert `rows` (tuples in `columns` order, ids included) into `model`'s table."""
    table = model._meta.db_table
    progress = Progress(label, total)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                foreign_key_checks_skipped(cursor),
                cursor.cursor.copy(
                    f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
                ) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    progress.step()
        else:
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    progress.step(len(batch))
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                progress.step(len(batch))
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
    progress.close()


@contextlib.contextmanager
def foreign_key_checks_skipped(cursor):
    """Django's foreign keys are checked at COMMIT (deferred): a million rows wait a minute
    there. The ids written here are right by construction, so a superuser skips the checks for
    these rows, as pg_restore --disable-triggers does; anyone else pays the minute. Rows written
    after the block are checked again."""
    from django.db import DatabaseError

    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        yield
        return
    yield
    cursor.execute("SET LOCAL session_replication_role = origin")


def write_objects(model, objects: list, *, label: str) -> None:
    """Unsaved instances with their pk set, written with every concrete field as the ORM would
    (defaults, auto_now), so a field added to the model later is seeded too."""
    fields = model._meta.concrete_fields
    rows = (
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
        for obj in objects
    )
    write_rows(model, [f.column for f in fields], rows, total=len(objects), label=label)


def checked_columns(model, columns: list[str]) -> list[str]:
    """The fast path writes these columns only: fail loudly if the model gained a required one."""
    missing = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in columns and not f.null and f.db_default is NOT_PROVIDED
    ]
    if missing:
        raise RuntimeError(f"world.py does not seed {model.__name__}.{missing}: add them")
    return columns


# --- people ---------------------------------------------------------------------------------------


def not_due_preference(user_id: int, rng: random.Random, today: dt.date) -> ReminderPreference:
    """A weekly slot three days ahead and a 30-day inactivity window: nothing due today."""
    return ReminderPreference(
        user_id=user_id,
        weekday=(today.weekday() + 3) % 7,
        hour=rng.randint(8, 18),
        inactivity_days=30,
    )


def make_users(prefix: str, count: int, *, role=User.Role.LEARNER, path=None, seed=0) -> list[int]:
    """`count` users (one password hash for all) with a reminder preference each."""
    rng = random.Random(seed)
    now = timezone.now()
    first = next_id(User)
    password = synthetic._password_hash()
    users = [
        User(
            pk=first + i,
            email=f"{prefix}{first + i}@bench.test",
            password=password,
            role=role,
            target_path=path,
            weekly_hours=8,
            timezone=ZONES[i % len(ZONES)],
            last_activity_at=now - dt.timedelta(hours=rng.randint(0, 240)),
            date_joined=now - dt.timedelta(days=400),
        )
        for i in range(count)
    ]
    write_objects(User, users, label=f"users ({prefix})")
    ids = [u.pk for u in users]
    add_preferences(ids, seed=seed)
    return ids


def add_preferences(user_ids: list[int], *, seed: int = 0) -> None:
    rng = random.Random(seed)
    today = timezone.now().date()
    first = next_id(ReminderPreference)
    prefs = []
    for i, uid in enumerate(user_ids):
        pref = not_due_preference(uid, rng, today)
        pref.pk = first + i
        prefs.append(pref)
    write_objects(ReminderPreference, prefs, label="reminder prefs")


def preferences_for_everyone() -> None:
    """The page scenarios' people (made through the ORM) get a not-due preference too."""
    missing = list(
        User.objects.filter(reminder_preference__isnull=True).values_list("pk", flat=True)
    )
    if missing:
        add_preferences(missing, seed=99)


# --- ratings --------------------------------------------------------------------------------------

RATING_COLUMNS = [
    "id",
    "learner_id",
    "competency_id",
    "level",
    "note",
    "evidence_url",
    "source",
    "rated_by_id",
    "created_at",
    "previous_level",
    "withdrawn",
]
CURRENT_COLUMNS = [
    "id",
    "learner_id",
    "competency_id",
    "source",
    "level",
    "rating_id",
    "created_at",
]


def write_ratings(learner_ids: list[int], competency_ids: list[int], weeks: int) -> None:
    """Every competency in the first week, then an eighth of them each week after."""
    per_week = max(1, len(competency_ids) // 8)
    total = len(learner_ids) * (len(competency_ids) + (weeks - 1) * per_week)
    first_rating = next_id(Rating)
    now = timezone.now()
    current: list[tuple] = []
    vendor_dt = connection.vendor != "postgresql"

    def stamp(value: dt.datetime):
        return connection.ops.adapt_datetimefield_value(value) if vendor_dt else value

    def rows():
        rid = first_rating
        for learner_id in learner_ids:
            rng = random.Random(learner_id)
            levels = {cid: rng.randint(0, 2) for cid in competency_ids}
            before = dict.fromkeys(competency_ids, 0)
            latest = {}
            for week in range(weeks, 0, -1):
                at = now - dt.timedelta(weeks=week, minutes=rng.randint(0, 600))
                rated = competency_ids if week == weeks else rng.sample(competency_ids, per_week)
                for cid in rated:
                    if rng.random() < 0.3:
                        levels[cid] = min(4, levels[cid] + 1)
                    yield (
                        rid,
                        learner_id,
                        cid,
                        levels[cid],
                        "",
                        "",
                        Rating.Source.SELF,
                        learner_id,
                        stamp(at),
                        before[cid],
                        False,
                    )
                    before[cid] = levels[cid]
                    latest[cid] = (rid, levels[cid], at)
                    rid += 1
            for cid, (rating_id, level, at) in latest.items():
                current.append((learner_id, cid, Rating.Source.SELF, level, rating_id, stamp(at)))

    write_rows(
        Rating, checked_columns(Rating, RATING_COLUMNS), rows(), total=total, label="ratings"
    )
    first_current = next_id(CurrentRating)
    write_rows(
        CurrentRating,
        checked_columns(CurrentRating, CURRENT_COLUMNS),
        ((first_current + i, *row) for i, row in enumerate(current)),
        total=len(current),
        label="current ratings",
    )


# --- cohorts --------------------------------------------------------------------------------------


def add_members(cohort: Cohort, learner_ids: list[int], *, label: str) -> None:
    first = next_id(CohortMembership)
    now = timezone.now()
    write_objects(
        CohortMembership,
        [
            CohortMembership(pk=first + i, cohort=cohort, learner_id=lid, joined_at=now)
            for i, lid in enumerate(learner_ids)
        ],
        label=label,
    )


def new_cohort(world: World, key: str, label: str, members: list[int]) -> Cohort:
    cohort = Cohort.objects.create(
        name=f"Bench cohort {label}", path=world.path, start_date=timezone.localdate()
    )
    if key in world.mentors:
        mentor = world.mentors[key]
    else:
        mentor = User.objects.create(
            email=f"mentor-{key}@bench.test",
            role=User.Role.MENTOR,
            password=synthetic._password_hash(),
        )
        add_preferences([mentor.pk])
        world.mentors.setdefault(key, mentor)
    cohort.mentors.add(mentor)
    add_members(cohort, members, label=f"members ({key})")
    world.cohorts.setdefault(key, cohort)
    return cohort


# --- the world ------------------------------------------------------------------------------------


def new_world(path: Path) -> World:
    return World(path=path)


def grow(world: World, size: Size) -> None:
    """Add learners, cohorts and reminder users until the world has `size`."""
    start = time.perf_counter()
    competency_ids = list(
        world.path.path_competencies.order_by("position").values_list("competency_id", flat=True)
    )
    have = len(world.learner_ids)
    if size.learners > have:
        new = make_users("learner", size.learners - have, path=world.path, seed=have + 1)
        write_ratings(new, competency_ids, WEEKS)
        world.learner_ids += new
        # Cohorts of 50 over every learner (whole ones; one smaller if there are fewer than 50),
        # one of 500 (the first 500) and, once there are more learners than that, everybody.
        for offset in range(world.small_cohorts * SMALL, len(world.learner_ids), SMALL):
            chunk = world.learner_ids[offset : offset + SMALL]
            if len(chunk) < SMALL and world.small_cohorts:
                break
            new_cohort(world, "small", f"s{offset // SMALL}", chunk)
            world.small_cohorts += 1
        if "mid" not in world.cohorts:
            new_cohort(world, "mid", "mid", world.learner_ids[:MID])
        if len(world.learner_ids) > MID:
            if "all" in world.cohorts:
                add_members(world.cohorts["all"], new, label="members (all)")
            else:
                new_cohort(world, "all", "all", list(world.learner_ids))
    have = len(world.reminder_user_ids)
    if size.reminder_users > have:
        world.reminder_user_ids += make_users("rem", size.reminder_users - have, seed=-have - 1)
    if connection.vendor == "postgresql":
        # As autovacuum would soon after a bulk load: without statistics the planner guesses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"world: {len(world.learner_ids):,} learners, {Rating.objects.count():,} ratings, "
        f"{User.objects.count():,} users, {Cohort.objects.count():,} cohorts "
        f"(grown in {time.perf_counter() - start:.0f}s)",
        flush=True,
    )


# --- reminders ------------------------------------------------------------------------------------


def _field(model, name: str) -> bool:
    return name in {f.name for f in model._meta.get_fields()}


def refresh_next_due() -> str:
    """If the reminders area keeps a stored "next due at" per user, bring it up to date after
    these bulk writes the way the code itself does, and say what was done.

    With User.reminders_due_at (a new user is due at once) one dispatcher tick looks at everyone
    it has not scheduled yet and sets their instant: that settling tick is timed and reported."""
    from roadmap.services import reminders

    if _field(User, "reminders_due_at"):
        start = time.perf_counter()
        result = reminders.reminders_dispatch()
        return (
            f"stored User.reminders_due_at: the settling tick after seeding examined "
            f"{result.examined:,} users in {time.perf_counter() - start:.1f}s "
            f"({result.due:,} due)"
        )
    if not _field(ReminderPreference, "next_due_at"):
        return "no stored next-due instant: every tick reads every active user"
    return "ReminderPreference.next_due_at NOT recomputed (the bench knows no service for it)"


def look_again(user_ids: list[int]) -> None:
    """After bulk UPDATEs of these users' activity or preferences: due for a look at the next
    tick, as the services mark a user whose preferences they save."""
    if _field(User, "reminders_due_at"):
        User.objects.filter(pk__in=user_ids).update(reminders_due_at=LONG_AGO)


LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def make_due(user_ids: list[int]) -> None:
    """These users' inactivity nudge is due now: 60 days idle, no quiet hours, weekly off."""
    User.objects.filter(pk__in=user_ids).update(
        last_activity_at=timezone.now() - dt.timedelta(days=60)
    )
    ReminderPreference.objects.filter(user_id__in=user_ids).update(
        weekly_enabled=False,
        inactivity_days=10,
        hour=0,
        quiet_start=dt.time(0),
        quiet_end=dt.time(0),
    )
    look_again(user_ids)


def make_not_due(user_ids: list[int]) -> None:
    User.objects.filter(pk__in=user_ids).update(last_activity_at=timezone.now())
    ReminderPreference.objects.filter(user_id__in=user_ids).update(
        weekly_enabled=True, inactivity_days=30, hour=9
    )
    look_again(user_ids)
