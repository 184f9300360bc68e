"""`make load`: Gapmap as production runs it, under a mix of real use, on the 10x world.

Two gunicorn servers (LOAD_WEB_WORKERS sync workers each), two Celery workers and Celery beat
share one PostgreSQL database and one Redis, all on loopback. The database is either the one
LOAD_DATABASE_URL names, if it already holds the bench's world (`BENCH_DATABASE_URL=.../
gapmap_bench_world make bench` keeps one), or a throwaway `gapmap_bench_load_<pid>` on the local
server seeded here with tests/benchmarks/world.py at LOAD_SCALE (default 10) and dropped after.

The driver (tests/benchmarks/driver.py) runs LOAD_CONNECTIONS browser-like sessions in threads:
each signs in through the log-in form (CSRF token from the cookie, as a browser posts it), then
works as a learner (dashboards, the self-assessment and htmx rating POSTs with the X-CSRFToken
header, gaps, plan generation and item actions, the JSON export) or as a mentor (mentor home,
cohort dashboards, a learner's page, the cohort CSV), then signs out. A reminder dispatch is
enqueued at the start, so the workers write while the web does.

Phases, each LOAD_FLOOR_SECONDS / LOAD_SECONDS long: the floor view (a trivial view behind the
same middleware, tests/benchmarks/urls.py) on the same gunicorns, the mix, the floor again. The
report gives per endpoint count, p50 and p99, the mix's throughput against the floor's, errors
and the deadlocks PostgreSQL counted (pg_stat_database). The bar is zero errors and zero
deadlocks: the exit status is 1 otherwise. The report also goes into results.md.

The app runs with production settings behind a pretend TLS proxy (BEHIND_PROXY=true, the
driver sends X-Forwarded-Proto: https), so HTTPS redirects, secure cookies, CSRF origin checks
and HSTS stay as in production. One exception: every simulated user comes from 127.0.0.1, so the
per-address log-in throttle is raised (THROTTLE_LOGINS_PER_ADDRESS)."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench import LOCAL_POSTGRES, bench_database  # noqa: E402
from tests.services import free_port, running_redis_server  # noqa: E402

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
FLOOR_SECONDS = int(os.environ.get("LOAD_FLOOR_SECONDS", "10"))
WEB_WORKERS = int(os.environ.get("LOAD_WEB_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "8"))
SCALE = float(os.environ.get("LOAD_SCALE", "10"))
BASE_LEARNERS = int(os.environ.get("BENCH_BASE_LEARNERS", "500"))
BIN = Path(sys.executable).parent


def production_env(*, tmp: Path, database_url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "DEBUG": "false",
        "SECRET_KEY": "load-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "true",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # As the README advises: one cache for all gunicorn workers (Redis database 1).
        "CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1",
        "GAPMAP_VAR_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "THROTTLE_LOGINS_PER_ADDRESS": "1000000",
    }


@contextlib.contextmanager
def load_database(tmp: Path):
    """(url, seeded): the named database if it holds the world, else a throwaway one."""
    named = os.environ.get("LOAD_DATABASE_URL", "")
    if named:
        yield named, True
        return
    server = os.environ.get("LOAD_DATABASE_SERVER", LOCAL_POSTGRES)
    with bench_database(tmp, server, prefix="gapmap_bench_load") as url:
        yield url, False


def seed_world(env: dict) -> None:
    """The world at LOAD_SCALE, in this process (same settings)."""
    from tests.benchmarks import synthetic, world

    path = synthetic.make_path("a40", 40, 20, seed=1)
    the_world = world.new_world(path)
    world.grow(the_world, world.Size.at(SCALE, BASE_LEARNERS))
    world.preferences_for_everyone()
    print(world.refresh_next_due(), flush=True)


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 180) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/", headers={"X-Forwarded-Proto": "https"}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn not healthy after {timeout}s")


def wait_log(path: Path, text: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{path.name} exited early:\n{path.read_text()[-2000:]}")
        if text in path.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise RuntimeError(f"{path.name}: no {text!r} after {timeout}s")


def deadlocks(database_url: str) -> int:
    import psycopg

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [name]
        ).fetchone()[0]


def main() -> int:
    from tests.benchmarks import driver

    tmp = Path(tempfile.mkdtemp(prefix="gapmap-load-"))
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, True)
        database_url, seeded = stack.enter_context(load_database(tmp))
        redis_url = stack.enter_context(running_redis_server())
        env = production_env(tmp=tmp, database_url=database_url, redis_url=redis_url)
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        if not seeded:
            call_command("migrate", verbosity=0)
            seed_world(env)
        call_command("collectstatic", "--noinput", verbosity=0)
        plan = driver.plan_from_database()
        connection.close()

        procs = []
        for i, port in enumerate(ports):
            cmd = [str(BIN / "gunicorn"), "roadmap.wsgi", "--workers", str(WEB_WORKERS)]
            cmd += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
            procs.append(start(cmd, env, tmp / f"gunicorn{i}.log"))
        celery = [sys.executable, "-m", "celery", "-A", "roadmap"]
        for i in range(2):
            worker = [*celery, "worker", "--loglevel=INFO", "--concurrency=1", "-n", f"w{i}@%h"]
            procs.append(start(worker, {**env, "LOG_LEVEL": "INFO"}, tmp / f"worker{i}.log"))
        beat = [*celery, "beat", "--loglevel=INFO", "-s", str(tmp / "beat-schedule")]
        procs.append(start(beat, {**env, "LOG_LEVEL": "INFO"}, tmp / "beat.log"))
        for proc in reversed(procs):
            stack.callback(stop, proc)
        for port, proc in zip(ports, procs, strict=False):
            wait_healthy(port, proc)
        for i in range(2):
            wait_log(tmp / f"worker{i}.log", "ready.", procs[2 + i])
        print(
            f"2 gunicorns x {WEB_WORKERS} sync workers on {ports}, 2 Celery workers, beat; "
            f"{CONNECTIONS} sessions; floor {FLOOR_SECONDS}s, mix {SECONDS}s, floor "
            f"{FLOOR_SECONDS}s",
            flush=True,
        )
        before = deadlocks(database_url)
        load_start = os.getloadavg()[0]
        floor1 = driver.run_floor(ports, CONNECTIONS, FLOOR_SECONDS)
        from roadmap.tasks import reminders_dispatch_task

        reminders_dispatch_task.delay()
        mix = driver.run_mix(ports, CONNECTIONS, SECONDS, plan)
        floor2 = driver.run_floor(ports, CONNECTIONS, FLOOR_SECONDS)
        found = deadlocks(database_url) - before
        logs = {p.name: p.read_text(errors="replace") for p in sorted(tmp.glob("*.log"))}
        report = driver.report(
            mix,
            [floor1, floor2],
            deadlocks=found,
            setup=(
                f"2 gunicorn servers x {WEB_WORKERS} sync workers, 2 Celery workers "
                f"(concurrency 1) and beat, one PostgreSQL database and one Redis; "
                f"{CONNECTIONS} concurrent sessions; a reminder dispatch enqueued as the mix "
                f"began; load average (1 min) {load_start:.1f} before, "
                f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} shared cores; "
                f"{plan.summary}"
            ),
        )
    print()
    print(report)
    errors = [line for text in logs.values() for line in text.splitlines() if "Traceback" in line]
    if errors:
        print(f"{len(errors)} tracebacks in the server logs")
    from tests.benchmarks.report import write_section

    if BASE_LEARNERS == 500:
        write_section("load", report)
    ok = mix.errors == 0 and found == 0 and not errors
    print("zero errors, zero deadlocks" if ok else "ERRORS or DEADLOCKS (the bar is zero)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
