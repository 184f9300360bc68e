"""What `make bench` measures: the people of the page scenarios, the scenarios at the world's
current size, the dispatcher's tick and reminder delivery against the no-op task rate."""

import contextlib
import statistics
import time
from pathlib import Path

from tests.benchmarks import synthetic as syn
from tests.benchmarks import world as w
from tests.benchmarks.measure import QUICK, Result, Spec, time_call, url_or_none

RUNS = 8 if QUICK else 30
FEW = 4 if QUICK else 12
DUE = 1_000 if QUICK else 10_000  # due reminders per delivery round
ROUNDS = 1 if QUICK else 2
NOOP_WINDOW = 20 if QUICK else 45
DISPATCH_WINDOW = 45 if QUICK else 120


def seed_people() -> tuple[dict, "w.World"]:
    from accounts.models import User

    start = time.perf_counter()
    paths = {
        "a40": syn.make_path("a40", 40, 20, seed=1),
        "a164": syn.make_path("a164", 164, 40, seed=2),
        "p300": syn.make_path("p300", 300, 150, seed=3),
        "p40": syn.make_path("p40", 40, 150, seed=4),
    }
    people = {
        "floor": syn.make_learner(paths["a40"], "floor@bench.test", 1, seed=10),
        "assess40": syn.make_learner(paths["a40"], "assess40@bench.test", 10, seed=11),
        "assess164": syn.make_learner(paths["a164"], "assess164@bench.test", 10, seed=12),
        "dash10": syn.make_learner(paths["a40"], "dash10@bench.test", 10, seed=13),
        "dash52": syn.make_learner(paths["a40"], "dash52@bench.test", 52, seed=14),
        "rater": syn.make_learner(paths["a40"], "rater@bench.test", 10, seed=15),
        "plan40": syn.make_learner(paths["p40"], "plan40@bench.test", 4, seed=16),
        "plan300": syn.make_learner(paths["p300"], "plan300@bench.test", 4, seed=17),
        "login": syn.make_learner(paths["a40"], "login@bench.test", 1, seed=18),
        "staff": User.objects.create(
            email="staff@bench.test", is_staff=True, password=syn._password_hash()
        ),
    }
    program_staff(people["staff"])
    print(f"seeded the page scenarios' people in {time.perf_counter() - start:.1f}s", flush=True)
    return people, w.new_world(paths["a40"])


def program_staff(user) -> None:
    """The program view's staff: the permission to see every cohort, where it exists."""
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(
        codename="view_all_cohorts", content_type__app_label="accounts"
    ).first()
    if permission is not None:
        user.user_permissions.add(permission)


def world_summary(world) -> str:
    from accounts.models import User
    from roadmap.models import Rating

    sizes = ", ".join(
        f"{key} {world.cohorts[key].memberships.count():,}"
        for key in ("small", "mid", "all")
        if key in world.cohorts
    )
    return (
        f"{len(world.learner_ids):,} cohort learners x {w.WEEKS} weeks, "
        f"{Rating.objects.count():,} ratings, {User.objects.count():,} users "
        f"({len(world.reminder_user_ids):,} reminder-only), {world.small_cohorts} cohorts of "
        f"{w.SMALL} with one mentor for all of them (first cohort of each kind: {sizes})"
    )


# --- what runs before each timed request ----------------------------------------------------------


def new_rating(cohort):
    """One member records a self-rating through the service, as a learner of the cohort would, so
    the page finds its cached figures out of date."""
    from roadmap.services.assessment import rating_record

    members = list(cohort.memberships.select_related("learner").order_by("pk")[:200])
    competencies = [
        pc.competency
        for pc in cohort.path.path_competencies.select_related("competency").order_by("position")
    ]
    count = 0

    def record(_client):
        nonlocal count
        member = members[count % len(members)].learner
        rating_record(
            learner=member,
            competency=competencies[(count * 7) % len(competencies)],
            level=1 + count % 4,
        )
        count += 1

    return record


def new_self_rating(learner):
    return new_rating_of(learner)


def new_rating_of(learner):
    from roadmap.services.assessment import rating_record

    competencies = [
        pc.competency
        for pc in learner.target_path.path_competencies.select_related("competency").order_by(
            "position"
        )
    ]
    count = 0

    def record(_client):
        nonlocal count
        rating_record(
            learner=learner,
            competency=competencies[(count * 7) % len(competencies)],
            level=1 + count % 4,
        )
        count += 1

    return record


def no_plan(learner):
    """The learner has no plan, so generating one writes every item."""
    from roadmap.models import Plan

    def delete(_client):
        Plan.objects.filter(learner=learner).delete()

    return delete


def other_weekly_hours(learner):
    """The weekly hours change (8 and 9 in turn): a regeneration moves every date."""
    from accounts.models import User

    hours = [8, 9]

    def change(_client):
        hours.reverse()
        User.objects.filter(pk=learner.pk).update(weekly_hours=hours[0])

    return change


def signed_out(_client):
    """End every session, so the log-in POST is a fresh log-in, not a redirect."""
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()


class FreshLearner:
    """For account deletion: a new learner with a year of ratings, signed in on the client."""

    def __init__(self, path):
        self.path, self.count, self.email = path, 0, ""

    def __call__(self, client):
        self.count += 1
        self.email = f"leaver{self.count}-{time.monotonic_ns()}@bench.test"
        learner = syn.make_learner(self.path, self.email, w.WEEKS, seed=self.count)
        client.force_login(learner)

    def data(self):
        return {"email": self.email}


# --- the page scenarios ---------------------------------------------------------------------------

LEARNER_TARGET = "<= 8x, 10x within 1.3x of 1x"


def page_specs(people: dict, world) -> list[Spec]:
    big = world.largest
    big_cohort, big_mentor = world.cohorts[big], world.mentors[big]
    big_size = f"{big_cohort.memberships.count():,} learners x 40"
    mid = world.cohorts["mid"]
    mid_size = f"{mid.memberships.count():,} learners x 40"
    first_learner = world.learner_ids[0]
    assess, gaps = url_or_none("roadmap:assess"), url_or_none("roadmap:gaps")
    dashboard = url_or_none("roadmap:dashboard")
    generate = url_or_none("roadmap:plan_generate")
    rater = people["rater"]
    competency_id = rater.target_path.path_competencies.order_by("position")[0].competency_id
    login = people["login"]
    leaver = FreshLearner(world.path)
    specs = [
        Spec(
            "assess40",
            "Self-assessment page",
            "40 competencies",
            "assess",
            people["assess40"],
            url=assess,
            target=LEARNER_TARGET,
        ),
        Spec(
            "assess164",
            "Self-assessment page",
            "164 competencies",
            "assess",
            people["assess164"],
            url=assess,
            target=LEARNER_TARGET,
        ),
        Spec(
            "dash10",
            "Learner dashboard",
            "10 weeks",
            "dash",
            people["dash10"],
            url=dashboard,
            target=LEARNER_TARGET,
        ),
        Spec(
            "dash52",
            "Learner dashboard",
            "52 weeks",
            "dash",
            people["dash52"],
            url=dashboard,
            target=LEARNER_TARGET,
        ),
        Spec(
            "dash52-new",
            "Learner dashboard, first view after a new rating",
            "52 weeks",
            "dash",
            people["dash52"],
            url=dashboard,
            before=new_self_rating(people["dash52"]),
        ),
        Spec(
            "gaps40",
            "Gaps page (/gaps/)",
            "40 competencies, 52 weeks",
            "gaps",
            people["dash52"],
            url=gaps,
            target=LEARNER_TARGET,
        ),
        Spec(
            "gaps164",
            "Gaps page (/gaps/)",
            "164 competencies",
            "gaps",
            people["assess164"],
            url=gaps,
            target=LEARNER_TARGET,
        ),
        Spec(
            "rate",
            "Save one rating (htmx POST)",
            "40 competencies",
            "rate",
            rater,
            method="post",
            url=url_or_none("roadmap:rate", competency_id),
            data={
                "level": "3",
                "note": "Built a small RAG demo.",
                "evidence_url": "https://example.com/demo",
            },
            headers={"HX-Request": "true"},
            form_encoded=True,
            ok=(200, 204),
            target="<= 4x",
        ),
        Spec(
            "plan40",
            "Generate a plan (POST)",
            "40 comp. x 150 projects",
            "plan",
            people["plan40"],
            method="post",
            url=generate,
            ok=(200, 302),
            before=no_plan(people["plan40"]),
            runs=FEW,
        ),
        Spec(
            "plan300",
            "Generate a plan (POST)",
            "300 comp. x 150 projects",
            "plan",
            people["plan300"],
            method="post",
            url=generate,
            ok=(200, 302),
            before=no_plan(people["plan300"]),
            runs=FEW,
            target="<= 15x",
        ),
        Spec(
            "replan300",
            "Regenerate a plan (POST), every date moved",
            "300 comp. x 150 projects",
            "plan",
            people["plan300"],
            method="post",
            url=generate,
            ok=(200, 302),
            before=other_weekly_hours(people["plan300"]),
            runs=FEW,
        ),
        Spec(
            "planpage",
            "Plan page",
            "300 comp. x 150 projects",
            "plan",
            people["plan300"],
            url=url_or_none("roadmap:plan"),
            runs=FEW,
            target=LEARNER_TARGET,
        ),
        Spec(
            "cohort50",
            "Cohort dashboard",
            "50 learners x 40",
            "cohort",
            world.mentors["small"],
            url=url_or_none("roadmap:cohort_detail", world.cohorts["small"].pk),
        ),
        Spec(
            "cohort500",
            "Cohort dashboard",
            mid_size,
            "cohort",
            world.mentors["mid"],
            url=url_or_none("roadmap:cohort_detail", mid.pk),
            runs=FEW,
            target="<= 20x",
        ),
        Spec(
            "cohort500-new",
            "Cohort dashboard, first view after a new rating",
            mid_size,
            "cohort",
            world.mentors["mid"],
            url=url_or_none("roadmap:cohort_detail", mid.pk),
            runs=FEW,
            before=new_rating(mid),
            target="<= 1.5x the cached view",
        ),
        Spec(
            "cohortbig",
            "Cohort dashboard, largest cohort",
            big_size,
            "cohort",
            big_mentor,
            url=url_or_none("roadmap:cohort_detail", big_cohort.pk),
            runs=FEW,
            target="<= 40x at 5,000",
        ),
        Spec(
            "cohortbig-new",
            "Cohort dashboard, largest cohort, first view after a new rating",
            big_size,
            "cohort",
            big_mentor,
            url=url_or_none("roadmap:cohort_detail", big_cohort.pk),
            runs=FEW,
            before=new_rating(big_cohort),
            target="<= 1.5x the cached view",
        ),
        Spec(
            "mentorhome",
            "Mentor home, mentor of the largest cohort",
            big_size,
            "mentor",
            big_mentor,
            url=url_or_none("roadmap:mentor_home"),
            runs=FEW,
            target="<= 20x at 5,000",
        ),
        Spec(
            "mentorlearner",
            "Mentor's page of one learner (largest cohort)",
            "52 weeks",
            "mentor",
            big_mentor,
            url=url_or_none("roadmap:mentor_learner", big_cohort.pk, first_learner),
            target=LEARNER_TARGET,
        ),
        Spec(
            "csv500",
            "Cohort CSV export, whole",
            mid_size,
            "csv",
            world.mentors["mid"],
            url=url_or_none("roadmap:cohort_csv", mid.pk),
            runs=FEW,
        ),
        Spec(
            "csvbig-first",
            "Cohort CSV export, largest cohort, first byte",
            big_size,
            "csv",
            big_mentor,
            url=url_or_none("roadmap:cohort_csv", big_cohort.pk),
            runs=FEW,
            first_byte=True,
            target="<= 10x",
        ),
        Spec(
            "csvbig",
            "Cohort CSV export, largest cohort, whole",
            big_size,
            "csv",
            big_mentor,
            url=url_or_none("roadmap:cohort_csv", big_cohort.pk),
            runs=FEW,
            target="<= 60x at 5,000, queries flat",
        ),
        Spec(
            "mydata",
            "My data page",
            "52 weeks",
            "export",
            people["dash52"],
            url=url_or_none("roadmap:my_data"),
        ),
        Spec(
            "exportjson",
            "JSON export of my data",
            "52 weeks",
            "export",
            people["dash52"],
            url=url_or_none("roadmap:export_json"),
            runs=FEW,
        ),
        Spec(
            "delete",
            "Account deletion (POST)",
            "a learner with 52 weeks",
            "delete",
            None,
            method="post",
            url=url_or_none("roadmap:delete_account"),
            data=leaver.data,
            form_encoded=True,
            ok=(302,),
            before=leaver,
            runs=FEW,
        ),
        Spec(
            "login",
            "Log in (POST, password check)",
            "one user",
            "login",
            login,
            method="post",
            url=url_or_none("accounts:login"),
            data={"username": login.email, "password": syn.PASSWORD},
            form_encoded=True,
            ok=(302,),
            before=signed_out,
            runs=FEW,
            target="p50 <= 300 ms",
        ),
        Spec(
            "program",
            "Staff program view",
            "every cohort",
            "program",
            people["staff"],
            url=url_or_none("roadmap:program"),
            runs=FEW,
            missing="skipped: no URL named roadmap:program in this checkout",
        ),
        Spec(
            "health",
            "Health check",
            "database + broker + cache",
            "health",
            people["floor"],
            url=url_or_none("roadmap:health"),
        ),
    ]
    return specs


def page_weight(people: dict) -> tuple[Spec, Result]:
    """The self-assessment page at 164 competencies: its size, and whether it is compressed."""
    from tests.benchmarks.measure import client_for

    spec = Spec(
        "assessweight",
        "Self-assessment page weight",
        "164 competencies",
        "assess",
        target="<= 150 KB uncompressed, gzip",
    )
    url = url_or_none("roadmap:assess")
    client = client_for(people["assess164"])
    plain = len(client.get(url).content)
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    gzip = response.get("Content-Encoding") == "gzip"
    note = f"gzip {len(response.content) / 1000:.0f} KB" if gzip else "not compressed"
    result = Result(size=spec.size, note=note, extra={"bytes": plain, "gzip": gzip})
    return spec, result


# --- the dispatcher -------------------------------------------------------------------------------


def dispatcher_tick(world) -> tuple[Spec, Result]:
    """One dispatcher run over every user with nobody due (the world's normal state)."""
    from accounts.models import User
    from roadmap.services.reminders import reminders_dispatch

    users = User.objects.filter(is_active=True).count()
    spec = Spec(
        "tick",
        "Dispatcher tick, nobody due",
        f"{users:,} users",
        "tick",
        target="<= 50 ms at 100,000 users",
    )
    times, queries, value = time_call(reminders_dispatch, runs=2 if QUICK else 5)
    result = Result(
        median_ms=statistics.median(times) * 1000,
        p95_ms=max(times) * 1000,
        queries=queries,
        size=spec.size,
        note=f"examined {value.examined:,}, due {value.due:,}, enqueued {value.enqueued:,}",
    )
    return spec, result


def dispatch_rounds(world, redis_url: str) -> dict:
    """Deliveries per second for DUE due reminders against the same worker's no-op task rate,
    in alternating rounds (no-op, dispatch, no-op, dispatch, ...) so load from elsewhere on the
    machine hits both. The rest of the world stays in place (and not due)."""
    import redis
    from django.db import connection

    from roadmap.celery import app
    from roadmap.models import Delivery
    from roadmap.services.reminders import reminders_dispatch
    from roadmap.tasks import ping_task

    due_ids = world.reminder_user_ids[:DUE]
    client = redis.Redis.from_url(redis_url)
    queue = app.conf.task_default_queue

    def waiting() -> int:
        # Queued plus delivered-but-unacknowledged (acks_late): zero once the worker is done.
        return client.llen(queue) + client.hlen("unacked")

    rounds = []
    connection.close()  # the worker process opens its own connections
    worker = patient_worker(
        redis_url, extra_env={"EMAIL_BACKEND": syn_dummy(), "LOG_LEVEL": "INFO"}
    )
    worker.start()
    try:
        for _ in range(ROUNDS):
            start = time.perf_counter()
            with app.producer_or_acquire() as producer:
                for _ in range(len(due_ids)):
                    ping_task.apply_async(producer=producer, ignore_result=True)
            wait_until(lambda: waiting() == 0, NOOP_WINDOW)
            elapsed = time.perf_counter() - start
            noop_rate = (len(due_ids) - waiting()) / elapsed
            app.control.purge()
            time.sleep(0.5)

            Delivery.objects.all().delete()
            w.make_due(due_ids)
            start = time.perf_counter()
            result = reminders_dispatch()
            dispatched = time.perf_counter() - start

            def sent() -> int:
                return Delivery.objects.filter(status=Delivery.Status.SENT).count()

            expected = result.enqueued
            wait_until(lambda expected=expected: sent() >= expected, DISPATCH_WINDOW)
            elapsed = time.perf_counter() - start
            done = sent()
            failed = Delivery.objects.filter(status=Delivery.Status.FAILED).count()
            rounds.append(
                {
                    "noop_rate": noop_rate,
                    "rate": done / elapsed,
                    "enqueued": result.enqueued,
                    "examined": result.examined,
                    "sent": done,
                    "failed": failed,
                    "elapsed": elapsed,
                    "dispatch_s": dispatched,
                }
            )
            print(
                f"  delivery round: no-op {noop_rate:,.0f}/s, dispatch {done / elapsed:,.0f}/s "
                f"({done:,} of {result.enqueued:,} sent in {elapsed:.0f}s)",
                flush=True,
            )
            app.control.purge()
            w.make_not_due(due_ids)
        worker_kb = worker_peak_rss_kb(worker.proc.pid)
    finally:
        worker.stop()
    Delivery.objects.all().delete()
    noop = statistics.mean(r["noop_rate"] for r in rounds)
    rate = statistics.mean(r["rate"] for r in rounds)
    return {
        "rounds": rounds,
        "noop": noop,
        "rate": rate,
        "share": rate / noop,
        "due": len(due_ids),
        "worker_kb": worker_kb,
    }


def patient_worker(*args, **kwargs):
    """A real Celery worker that may take minutes to start on a machine this loaded."""
    from tests.services import CeleryWorker

    class Patient(CeleryWorker):
        def wait_ready(self, timeout: float = 300) -> None:
            super().wait_ready(timeout)

    return Patient(*args, **kwargs)


def syn_dummy() -> str:
    from tests.benchmarks.measure import DUMMY_MAIL

    return DUMMY_MAIL


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def worker_peak_rss_kb(pid: int) -> int:
    """The largest peak RSS (VmHWM) of the worker's main process and its pool children."""
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    peak = 0
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak
