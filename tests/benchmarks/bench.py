"""`make bench`: server time and SQL queries of Gapmap's heavy pages, the reminder dispatcher's
tick and reminder delivery, at 1x and 10x data, in one run on this machine. Numbers are reported
as met or missed against their targets (issue 17), never asserted.

The database: PostgreSQL, the reference, when one answers on 127.0.0.1:5432 (or the server or
database BENCH_DATABASE_URL names); SQLite in a temporary directory otherwise, or with
BENCH_DATABASE=sqlite. A server URL (postgres://root@127.0.0.1:5432/) gets a throwaway database
`gapmap_bench_<pid>`, dropped afterwards; a database URL (.../gapmap_bench) is created if missing,
emptied first if its name starts with gapmap_bench, and kept afterwards.

The world (tests/benchmarks/world.py) is seeded at 1x (500 learners x 52 weeks, cohorts of 50 and
500, 10,000 reminder users), every scenario is measured, the world grows to BENCH_SCALE (default
10: 5,000 learners, about 1.5 million ratings, a cohort of 5,000, 100,000 reminder users) and every
scenario is measured again. Pages run in this process with django.test.Client under
production-like settings (DEBUG=false, manifest static files, the full middleware stack); each
time is compared with a floor, a trivial view behind the same middleware measured just before it.
Reminder delivery runs through a throwaway redis-server and one real Celery worker, against that
worker's rate on a no-op task, in alternating rounds. The table (tests/benchmarks/report.py,
written into results.md) puts each scenario's 1x and 10x figures and SQL query counts side by
side, with the growth as the ratio of the two ratios to the floor.

    .venv/bin/python tests/benchmarks/bench.py          (or: make bench)
    BENCH_SCALE=1 | 3 | 10   the larger world (1: the 1x world only)
    BENCH_BASE_LEARNERS=60   a smaller 1x world (500), for smoke runs; results.md is kept
    BENCH_QUICK=1            fewer requests and rounds, for a smoke run
    BENCH_ONLY=cohort,csv    only these scenario groups (see GROUPS)
    BENCH_PROFILE=/gaps/     also print pyinstrument profiles of requests to matching URLs
"""

import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import measure as m  # noqa: E402
from tests.services import running_redis_server  # noqa: E402

QUICK = m.QUICK
SCALE = float(os.environ.get("BENCH_SCALE", "10"))
# Learners at 1x (500); smaller for smoke runs and the test of the tooling.
BASE_LEARNERS = int(os.environ.get("BENCH_BASE_LEARNERS", "500"))
ONLY = {part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()}
GROUPS = (
    "assess dash gaps rate plan cohort mentor csv export delete login program health tick dispatch"
)
LOCAL_POSTGRES = "postgres://127.0.0.1:5432/postgres"


# --- environment ----------------------------------------------------------------------------------


def postgres_answers() -> bool:
    import psycopg

    try:
        psycopg.connect(LOCAL_POSTGRES, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def chosen_database() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        return url
    if os.environ.get("BENCH_DATABASE", "") != "sqlite" and postgres_answers():
        return LOCAL_POSTGRES
    return ""


def database_plan(url: str, *, prefix: str = "gapmap_bench") -> tuple[str, bool, str]:
    """(database name, whether it is a throwaway, its URL) for a server or a database URL:
    no database, or the maintenance database `postgres`, names the server."""
    parts = urlsplit(url)
    named = parts.path.strip("/")
    throwaway = named in ("", "postgres")
    name = f"{prefix}_{os.getpid()}" if throwaway else named
    return name, throwaway, urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def bench_database(tmp: Path, url: str, *, prefix: str = "gapmap_bench"):
    """The URL of an empty database for this run (see the module's docstring)."""
    if not url:
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    if url.startswith("sqlite"):
        yield url
        return
    import dj_database_url
    import psycopg

    name, throwaway, database_url = database_plan(url, prefix=prefix)
    cfg = dj_database_url.parse(database_url)
    server_only = throwaway
    admin = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not server_only:
            if not name.startswith("gapmap_bench"):
                with psycopg.connect(**{**admin, "dbname": name}) as db:
                    tables = db.execute(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                    ).fetchone()[0]
                if tables:
                    raise SystemExit(
                        f"database {name} is not empty: name a server, an empty database, or "
                        "one whose name starts with gapmap_bench (emptied first)"
                    )
            else:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url
    finally:
        if server_only:
            with psycopg.connect(**admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"(database {name} kept, with the world in it)", flush=True)


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
        EMAIL_BACKEND=m.DUMMY_MAIL,
        AXES_ENABLED="false",
    )


# --- the run --------------------------------------------------------------------------------------


@dataclass
class Run:
    scales: list[float]
    sizes: dict[float, str] = field(default_factory=dict)  # scale -> world summary
    results: dict[str, dict[float, m.Result]] = field(default_factory=dict)
    specs: dict[str, m.Spec] = field(default_factory=dict)  # key -> the last spec (its labels)
    floors: dict[float, list[float]] = field(default_factory=dict)
    dispatch: dict | None = None
    # The machine is shared: its load average at the start, to read the figures by.
    load_start: float = field(default_factory=lambda: os.getloadavg()[0])

    def add(self, scale: float, spec: m.Spec, result: m.Result) -> None:
        self.specs[spec.key] = spec
        self.results.setdefault(spec.key, {})[scale] = result
        if result.floor_ms:
            self.floors.setdefault(scale, []).append(result.floor_ms)


def scales() -> list[float]:
    return [1.0] if SCALE <= 1 else [1.0, SCALE]


def measure_scale(run: Run, scale: float, people: dict, world) -> None:
    from tests.benchmarks import scenarios

    for spec in scenarios.page_specs(people, world):
        if ONLY and spec.group not in ONLY:
            continue
        # Signed in afresh for each row: the log-in scenario ends every session, and a floor
        # measured signed out (no session, no user read) would be cheaper than the others.
        result = m.measure(spec, m.client_for(people["floor"]))
        run.add(scale, spec, result)
        shown = result.note if result.median_ms is None else f"{result.median_ms:.1f} ms"
        print(f"  [{scale:g}x] {spec.scenario} ({spec.size}): {shown}", flush=True)
    if not ONLY or "assess" in ONLY:
        run.add(scale, *scenarios.page_weight(people))
    if not ONLY or "tick" in ONLY:
        spec, result = scenarios.dispatcher_tick(world)
        run.add(scale, spec, result)
        print(f"  [{scale:g}x] {spec.scenario}: {result.median_ms:.1f} ms", flush=True)


def main() -> None:
    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="gapmap-bench-"))
    run = Run(scales=scales())
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, True)
        redis_url = stack.enter_context(running_redis_server())
        database_url = stack.enter_context(bench_database(tmp, chosen_database()))
        production_like_env(tmp=tmp, database_url=database_url, redis_url=redis_url)

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from tests.benchmarks import report, scenarios, world

        call_command("migrate", verbosity=0)
        # Manifest storage needs collectstatic, as in production.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
        )
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
        people, the_world = scenarios.seed_people()
        for scale in run.scales:
            world.grow(the_world, world.Size.at(scale, BASE_LEARNERS))
            world.preferences_for_everyone()
            next_due = world.refresh_next_due()
            run.sizes[scale] = scenarios.world_summary(the_world) + f"; {next_due}"
            measure_scale(run, scale, people, the_world)
        if not ONLY or "dispatch" in ONLY:
            run.dispatch = scenarios.dispatch_rounds(the_world, redis_url)
        web_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        engine = connection.vendor
        if engine == "postgresql":
            engine += f" {connection.pg_version // 10000}"
        table = report.render(
            run, web_kb=web_kb, engine=engine, seconds=time.perf_counter() - began
        )
        connection.close()
    if ONLY or BASE_LEARNERS != 500:
        print("(BENCH_ONLY or BENCH_BASE_LEARNERS: results.md left as it was)")
    else:
        report.write_section("bench", table)
    print()
    print(table)


if __name__ == "__main__":
    main()
