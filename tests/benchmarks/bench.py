"""`make bench`: server time, SQL queries and memory of Gapmap's heavy pages and of reminder
dispatch, at several sizes, in one run on this machine. Numbers are reported, never asserted.

Every page is measured in this process with django.test.Client (force_login) under production-like
settings (DEBUG=false, manifest static files, JSON logs, the full middleware stack) on a fresh
throwaway database: SQLite in a temporary directory, or PostgreSQL when BENCH_DATABASE_URL is set
(a database `gapmap_bench_<pid>` is created on that server and dropped afterwards). Each page's
time is compared with a floor: a trivial view behind the same middleware (tests/benchmarks/urls.py).
Reminder dispatch runs through a throwaway redis-server and one real Celery worker, compared with
that worker's rate on a no-op task.

The table is printed and written to tests/benchmarks/results.md. A scenario whose code is not in
this checkout yet is reported as "not available".

    .venv/bin/python tests/benchmarks/bench.py           (or: make bench)
    BENCH_QUICK=1 ...     fewer iterations and 1,000 due learners, for a smoke run
    BENCH_PROFILE=/assess/ ...  also print a pyinstrument profile of requests to matching URLs
    BENCH_ONLY=assess,rate ...  only these scenarios (assess, dash, rate, plan, cohort, login,
                                health, dispatch); the table then holds only those rows
"""

import contextlib
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.services import running_celery_worker, running_redis_server  # noqa: E402

FLOOR_URL = "/__bench__/floor/"
RESULTS = Path(__file__).resolve().parent / "results.md"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DUE_LEARNERS = 1_000 if QUICK else 10_000
# BENCH_PROFILE=/assess/,/plan/ prints pyinstrument profiles of requests to URLs containing them.
PROFILE = os.environ.get("BENCH_PROFILE", "")
ONLY = {part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()}
# Rates are measured over bounded windows, so `make bench` stays within a few minutes.
NOOP_WINDOW = 20 if QUICK else 30
DISPATCH_WINDOW = 30 if QUICK else 90
DUMMY_MAIL = "django.core.mail.backends.dummy.EmailBackend"


# --- environment ----------------------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(tmp: Path):
    """The URL of an empty database that exists only for this run."""
    server = os.environ.get("BENCH_DATABASE_URL", "")
    if not server:
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(server)
    name = f"gapmap_bench_{os.getpid()}"
    conninfo = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": cfg.get("NAME") or "postgres",
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_like_env(*, tmp: Path, database_url: str, redis_url: str) -> None:
    """Production settings, except what Django's test client cannot do (HTTPS)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.benchmarks.settings",
        DEBUG="false",
        SECRET_KEY="bench-" + "k" * 60,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        GAPMAP_VAR_DIR=str(tmp),
        STATIC_ROOT=str(tmp / "static"),
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND=DUMMY_MAIL,
        AXES_ENABLED="false",
    )


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    size: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    ratio: float | None = None
    target: str = ""
    limit: float | None = None  # ratio target (<=); None: no target
    floor_ms: float | None = None  # the floor measured just before this row
    group: str = ""  # rows of one group must have flat query counts
    key: str = ""  # BENCH_ONLY name, when it is not the group
    note: str = ""
    flat: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.median_ms is not None or "value" in self.extra


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_request(
    client,
    method: str,
    url: str,
    *,
    data=None,
    headers=None,
    form_encoded: bool = False,
    runs: int,
    ok=(200,),
    before=None,
) -> tuple[list[float], int]:
    """Server time of `runs` requests (after two warm-ups) and the SQL queries of one.
    `before`, if given, runs before every request, outside the timing and the query count.
    `form_encoded` posts `data` urlencoded, as browsers and htmx do, instead of the test
    client's default multipart body."""
    from urllib.parse import urlencode

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def prepare():
        if before is not None:
            before()

    body, content_type = data or {}, {}
    if form_encoded:
        body = urlencode(data or {})
        content_type = {"content_type": "application/x-www-form-urlencoded"}

    def call():
        response = getattr(client, method)(url, data=body, headers=headers or {}, **content_type)
        if response.streaming:  # a streamed CSV runs its queries while it is consumed
            b"".join(response.streaming_content)
        if response.status_code not in ok:
            raise RuntimeError(f"{method.upper()} {url} answered {response.status_code}")
        return response

    for _ in range(2):
        prepare()
        call()
    prepare()
    # A full log (it keeps the last 9,000 queries) would make every capture count zero.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = len(captured.captured_queries)  # now: the next request empties the log
    if any(part and part in url for part in PROFILE.split(",")):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        for _ in range(5):
            prepare()
            profiler.start()
            call()
            profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False), flush=True)
    times = []
    for _ in range(runs):
        prepare()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times, queries


def url_or_none(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def syn_password() -> str:
    from tests.benchmarks import synthetic as syn

    return syn.PASSWORD


def signed_out(user):
    """Before each log-in: end every session, so the POST is a fresh log-in, not a redirect."""
    from django.contrib.sessions.models import Session

    def logout():
        Session.objects.all().delete()

    return logout


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- data -----------------------------------------------------------------------------------------


def seed() -> dict:
    from accounts.models import User
    from tests.benchmarks import synthetic as syn

    start = time.perf_counter()
    paths = {
        "a40": syn.make_path("a40", 40, 20, seed=1),
        "a164": syn.make_path("a164", 164, 40, seed=2),
        "p300": syn.make_path("p300", 300, 150, seed=3),
        "p40": syn.make_path("p40", 40, 150, seed=4),
    }
    people = {
        "assess40": syn.make_learner(paths["a40"], "assess40@bench.test", 10, seed=11),
        "assess164": syn.make_learner(paths["a164"], "assess164@bench.test", 10, seed=12),
        "dash10": syn.make_learner(paths["a40"], "dash10@bench.test", 10, seed=13),
        "dash52": syn.make_learner(paths["a40"], "dash52@bench.test", 52, seed=14),
        "rater": syn.make_learner(paths["a40"], "rater@bench.test", 10, seed=15),
        "plan40": syn.make_learner(paths["p40"], "plan40@bench.test", 4, seed=16),
        "plan300": syn.make_learner(paths["p300"], "plan300@bench.test", 4, seed=17),
        "login": syn.make_learner(paths["a40"], "login@bench.test", 1, seed=18),
    }
    cohorts = {}
    for size in (50, 500):
        mentor = User.objects.create(
            email=f"mentor{size}@bench.test", role=User.Role.MENTOR, password=syn._password_hash()
        )
        people[f"mentor{size}"] = mentor
        cohorts[size] = syn.make_cohort(paths["a40"], size, 10, mentor, label=f"c{size}")
    print(f"seeded in {time.perf_counter() - start:.1f}s", flush=True)
    return {"paths": paths, "people": people, "cohorts": cohorts}


# --- scenarios ------------------------------------------------------------------------------------


def new_rating(cohort):
    """Before each request: one member records a self-rating through the service, as a learner
    of the cohort would, so the page finds its cached figures out of date (a new rating id)."""
    from roadmap.services.assessment import rating_record

    members = list(cohort.memberships.select_related("learner").order_by("pk"))
    competencies = list(
        cohort.path.path_competencies.select_related("competency").order_by("position")
    )
    count = 0

    def record():
        nonlocal count
        member = members[count % len(members)].learner
        competency = competencies[(count * 7) % len(competencies)].competency
        rating_record(learner=member, competency=competency, level=1 + count % 4)
        count += 1

    return record


def no_plan(learner):
    """Before each request: the learner has no plan, so generating one writes every item (a
    regeneration with unchanged inputs would write none)."""
    from roadmap.models import Plan

    def delete():
        Plan.objects.filter(learner=learner).delete()

    return delete


def other_weekly_hours(learner):
    """Before each request: the learner's weekly hours change (8 and 9 in turn), so a
    regeneration moves the dates of every planned item and rewrites them all."""
    from accounts.models import User

    hours = [8, 9]

    def change():
        hours.reverse()
        User.objects.filter(pk=learner.pk).update(weekly_hours=hours[0])

    return change


def new_self_rating(learner):
    """Before each request: the learner records a self-rating through the service, so the
    dashboard finds its cached history out of date (a new rating id) and reads it all again."""
    from roadmap.services.assessment import rating_record

    competencies = list(
        learner.target_path.path_competencies.select_related("competency").order_by("position")
    )
    count = 0

    def record():
        nonlocal count
        competency = competencies[(count * 7) % len(competencies)].competency
        rating_record(learner=learner, competency=competency, level=1 + count % 4)
        count += 1

    return record


def page_rows(data: dict, floor_client) -> list[Row]:
    people, cohorts = data["people"], data["cohorts"]
    runs = 8 if QUICK else 30
    few = 4 if QUICK else 12
    rows: list[Row] = []

    def measure(row: Row, user, method, url, *, n=runs, **kwargs):
        if ONLY and (row.key or row.group) not in ONLY:
            return
        if url is None:
            row.note = "not available"
        else:
            try:
                # The floor again, just before: other load on the machine shifts both alike.
                floor_times, _ = time_request(floor_client, "get", FLOOR_URL, runs=60)
                floor_ms = statistics.median(floor_times) * 1000
                times, queries = time_request(client_for(user), method, url, runs=n, **kwargs)
            except Exception as exc:  # report it, go on with the other scenarios
                row.note = f"error: {exc}"[:120]
            else:
                row.median_ms = statistics.median(times) * 1000
                row.p95_ms = _p95(times) * 1000
                row.queries = queries
                row.ratio = row.median_ms / floor_ms
                row.floor_ms = floor_ms
        rows.append(row)
        print(f"  {row.scenario} {row.size}: {row.note or f'{row.median_ms:.1f} ms'}", flush=True)

    assess = url_or_none("roadmap:assess")
    measure(
        Row("Self-assessment page", "40 competencies", group="assess"),
        people["assess40"],
        "get",
        assess,
    )
    measure(
        Row("Self-assessment page", "164 competencies", target="<= 10x", limit=10, group="assess"),
        people["assess164"],
        "get",
        assess,
    )
    # The page's weight beside its time (issue 17: at most 150 KB uncompressed at 164).
    for row, person in zip(
        [r for r in rows if r.group == "assess"], ["assess40", "assess164"], strict=False
    ):
        if row.median_ms is not None:
            size = len(client_for(people[person]).get(assess).content)
            row.note = f"{size / 1000:.0f} KB uncompressed"

    dashboard = url_or_none("roadmap:dashboard")
    measure(
        Row("Learner dashboard", "10 weeks", target="<= 8x", limit=8, group="dash"),
        people["dash10"],
        "get",
        dashboard,
    )
    measure(
        Row("Learner dashboard", "52 weeks", target="<= 8x", limit=8, group="dash"),
        people["dash52"],
        "get",
        dashboard,
    )
    measure(
        Row("Learner dashboard, first view after a new rating", "52 weeks", key="dash"),
        people["dash52"],
        "get",
        dashboard,
        before=new_self_rating(people["dash52"]),
    )

    rater = people["rater"]
    competency_id = rater.target_path.path_competencies.order_by("position")[0].competency_id
    measure(
        Row("Save one rating (htmx POST)", "40 competencies", target="<= 4x", limit=4, key="rate"),
        rater,
        "post",
        url_or_none("roadmap:rate", competency_id),
        data={
            "level": "3",
            "note": "Built a small RAG demo.",
            "evidence_url": "https://example.com/demo",
        },
        headers={"HX-Request": "true"},
        form_encoded=True,  # as htmx sends it
        ok=(200, 204),
    )

    generate = url_or_none("roadmap:plan_generate")
    measure(
        Row("Generate a plan (POST)", "40 comp. x 150 projects", group="plan"),
        people["plan40"],
        "post",
        generate,
        n=few,
        ok=(200, 302),
        before=no_plan(people["plan40"]),
    )
    measure(
        Row(
            "Generate a plan (POST)",
            "300 comp. x 150 projects",
            target="<= 15x",
            limit=15,
            group="plan",
        ),
        people["plan300"],
        "post",
        generate,
        n=few,
        ok=(200, 302),
        before=no_plan(people["plan300"]),
    )
    measure(
        Row(
            "Regenerate a plan (POST), every date moved",
            "300 comp. x 150 projects",
            key="plan",
        ),
        people["plan300"],
        "post",
        generate,
        n=few,
        ok=(200, 302),
        before=other_weekly_hours(people["plan300"]),
    )
    plan_page = url_or_none("roadmap:plan")
    if plan_page and generate:
        measure(
            Row("Plan page", "300 comp. x 150 projects", key="plan"),
            people["plan300"],
            "get",
            plan_page,
            n=few,
        )

    for size in (50, 500):
        target = {"target": "<= 40x", "limit": 40} if size == 500 else {}
        measure(
            Row("Cohort dashboard", f"{size} learners x 40", group="cohort", **target),
            people[f"mentor{size}"],
            "get",
            url_or_none("roadmap:cohort_detail", cohorts[size].pk),
            n=few if size == 500 else runs,
        )
    measure(
        Row("Cohort dashboard, first view after a new rating", "500 learners x 40", key="cohort"),
        people["mentor500"],
        "get",
        url_or_none("roadmap:cohort_detail", cohorts[500].pk),
        n=few,
        before=new_rating(cohorts[500]),
    )
    measure(
        Row("Cohort CSV export", "500 learners x 40", key="cohort"),
        people["mentor500"],
        "get",
        url_or_none("roadmap:cohort_csv", cohorts[500].pk),
        n=few,
    )

    # Log-in: a real password check with the production hasher (Argon2); target p50 <= 300 ms.
    login = people["login"]
    measure(
        Row(
            "Log in (POST, password check)",
            "one user",
            target="p50 <= 300 ms",
            key="login",
            extra={"limit_ms": 300},
        ),
        login,
        "post",
        url_or_none("accounts:login"),
        data={"username": login.email, "password": syn_password()},
        form_encoded=True,
        ok=(302,),
        before=signed_out(login),
    )

    health = url_or_none("roadmap:health")
    measure(
        Row("Health check", "database + broker + cache", key="health"),
        people["assess40"],
        "get",
        health,
    )
    return rows


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


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def dispatch_rows(redis_url: str) -> tuple[list[Row], int | None]:
    """Deliveries per second of reminder dispatch against the same worker's no-op rate."""
    noop = Row("No-op task (ping_task), 1 worker", f"{DUE_LEARNERS:,} tasks")
    dispatch = Row(
        "Reminder dispatch + delivery, 1 worker",
        f"{DUE_LEARNERS:,} due learners",
        target=">= 50% of no-op",
    )
    try:
        from roadmap.services.reminders import reminders_dispatch
    except ImportError:
        dispatch.note = "not available"
        return [noop, dispatch], None

    import redis
    from django.db import connection

    from accounts.models import User
    from roadmap.celery import app
    from roadmap.models import Delivery
    from roadmap.tasks import ping_task
    from tests.benchmarks.synthetic import make_due_learners

    start = time.perf_counter()
    ids = make_due_learners(DUE_LEARNERS)
    # Only the due learners take part: the page scenarios' users would add digests and nudges.
    User.objects.exclude(pk__in=ids).update(is_active=False)
    print(f"seeded {len(ids):,} due learners in {time.perf_counter() - start:.1f}s", flush=True)
    connection.close()  # the worker process opens its own connections

    client = redis.Redis.from_url(redis_url)
    queue = app.conf.task_default_queue

    def waiting() -> int:
        # Queued plus delivered-but-unacknowledged (acks_late): zero once the worker is done.
        return client.llen(queue) + client.hlen("unacked")

    with running_celery_worker(redis_url, extra_env={"EMAIL_BACKEND": DUMMY_MAIL}) as worker:
        start = time.perf_counter()
        with app.producer_or_acquire() as producer:
            for _ in range(DUE_LEARNERS):
                # No result: the broker's and worker's own rate, not the result backend's.
                ping_task.apply_async(producer=producer, ignore_result=True)
        # Bounded: the rate over at most NOOP_WINDOW seconds, not the time to drain everything.
        wait_for(lambda: waiting() == 0, NOOP_WINDOW)
        elapsed = time.perf_counter() - start
        completed = DUE_LEARNERS - waiting()
        noop_rate = completed / elapsed
        noop.extra = {"value": f"{noop_rate:,.0f} tasks/s"}
        noop.note = f"{completed:,} done in {elapsed:.0f}s"
        app.control.purge()  # leftover pings must not compete with the deliveries
        time.sleep(1)

        start = time.perf_counter()
        result = reminders_dispatch()
        dispatched = time.perf_counter() - start
        expected = result.enqueued

        def sent_count():
            return Delivery.objects.filter(status=Delivery.Status.SENT).count()

        wait_for(lambda: sent_count() >= expected, DISPATCH_WINDOW)
        elapsed = time.perf_counter() - start
        sent = sent_count()
        failed = Delivery.objects.filter(status=Delivery.Status.FAILED).count()
        rate = sent / elapsed
        share = rate / noop_rate
        dispatch.extra = {"value": f"{rate:,.0f} deliveries/s", "share": share}
        dispatch.ratio = share
        dispatch.note = (
            f"{expected:,} enqueued, {sent:,} sent, {failed:,} failed in {elapsed:.0f}s; "
            f"creating and enqueueing the rows took {dispatched:.1f}s"
        )
        worker_kb = worker_peak_rss_kb(worker.proc.pid)
    return [noop, dispatch], worker_kb


# --- report ---------------------------------------------------------------------------------------


def mark_flat(rows: list[Row]) -> None:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.group and row.queries is not None:
            groups.setdefault(row.group, []).append(row)
    for members in groups.values():
        if len(members) > 1:
            flat = len({r.queries for r in members}) == 1
            for row in members:
                row.flat = "flat" if flat else "GROWS"


def verdict(row: Row) -> str:
    if not row.available:
        return ""
    if row.limit is not None and row.ratio is not None:
        met = row.ratio <= row.limit
    elif "limit_ms" in row.extra and row.median_ms is not None:
        met = row.median_ms <= row.extra["limit_ms"]
    elif "share" in row.extra:
        met = row.extra["share"] >= 0.5
    else:
        return ""
    return "met" if met else "MISSED"


def fmt(value, spec: str = ".1f") -> str:
    return "" if value is None else format(value, spec)


def render(
    rows: list[Row], floor: Row, *, web_kb: int, worker_kb: int | None, engine: str, seconds: float
) -> str:
    head = (
        "| Scenario | Size | Median ms | p95 ms | SQL queries | Floor ms | x floor | Target | Met |"
        " Queries across sizes | Note |"
    )
    lines = [
        "# Gapmap benchmark",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()}, {engine}), "
        f"in-process with Django's test client, DEBUG=false. Server time per request; each "
        f"ratio is to the floor view measured just before that row (60 requests), so load from "
        f"elsewhere on the machine shifts both alike. Whole run {seconds:.0f}s.",
        "",
        head,
        "|" + "---|" * (head.count("|") - 1),
    ]
    for row in [floor, *rows]:
        if "value" in row.extra:
            median = row.extra["value"]
            ratio = f"{row.extra['share']:.0%} of no-op" if "share" in row.extra else ""
            p95 = queries = floor_ms = ""
        else:
            median, p95 = fmt(row.median_ms), fmt(row.p95_ms)
            queries = fmt(row.queries, "d")
            floor_ms = fmt(row.floor_ms if row.floor_ms is not None else row.median_ms, ".2f")
            ratio = fmt(row.ratio, ".1f") + ("x" if row.ratio is not None else "")
        lines.append(
            f"| {row.scenario} | {row.size} | {median} | {p95} | {queries} | {floor_ms} | {ratio} "
            "| "
            f"{row.target} | {verdict(row)} | {row.flat} | {row.note} |"
        )
    worker = f"{worker_kb / 1024:.0f} MB" if worker_kb else "not measured"
    lines += [
        "",
        f"Peak memory (max RSS): web process (this one, seeding included) "
        f"{web_kb / 1024:.0f} MB; Celery worker (largest of main and pool processes) {worker}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="gapmap-bench-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, True)
        redis_url = stack.enter_context(running_redis_server())
        database_url = stack.enter_context(throwaway_database(tmp))
        production_like_env(tmp=tmp, database_url=database_url, redis_url=redis_url)

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        # Manifest storage needs collectstatic, as in production.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
        )
        data = seed()

        floor_user = data["people"]["assess40"]
        floor_client = client_for(floor_user)
        times, queries = time_request(floor_client, "get", FLOOR_URL, runs=60 if QUICK else 300)
        floor_ms = statistics.median(times) * 1000
        floor = Row(
            "Floor: trivial view, same middleware",
            "signed in",
            median_ms=floor_ms,
            p95_ms=_p95(times) * 1000,
            queries=queries,
            ratio=1.0,
        )
        print(f"  floor: {floor_ms:.2f} ms", flush=True)

        rows = page_rows(data, floor_client)
        worker_kb = None
        if not ONLY or "dispatch" in ONLY:
            more, worker_kb = dispatch_rows(redis_url)
            rows += more
        mark_flat(rows)
        web_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        table = render(
            rows,
            floor,
            web_kb=web_kb,
            worker_kb=worker_kb,
            engine=connection.vendor,
            seconds=time.perf_counter() - began,
        )
        connection.close()
    RESULTS.write_text(table)
    print()
    print(table)
    print(f"(written to {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
