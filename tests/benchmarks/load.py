"""`make load`: Gapmap under gunicorn (DEBUG=false) on PostgreSQL and Redis, driven by wrk.

Everything stays on loopback and is thrown away afterwards: a database `gapmap_load` on the local
PostgreSQL (LOAD_DATABASE_SERVER, default postgres://root@127.0.0.1:5432/postgres) is created,
seeded (the default curriculum plus synthetic learners, mentors and cohorts) and dropped; a
throwaway redis-server is started on a free port (or LOAD_REDIS_URL is used). Learners and mentors
are signed in by creating their sessions directly; wrk (installed with apt-get if missing) then
replays a mix of learner and mentor GETs with their session cookies from a second process for
LOAD_SECONDS (default 30) and this script prints throughput, p50/p95/p99 latency and the count of
non-2xx answers and socket errors. The bar is zero errors: the exit status is 1 otherwise.

The app runs with production settings behind a pretend TLS proxy (BEHIND_PROXY=true and wrk sends
X-Forwarded-Proto: https), so HTTPS redirects, secure cookies and HSTS stay as in production."""

import contextlib
import os
import random
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

from tests.services import free_port, running_redis_server  # noqa: E402

SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "8"))
SERVER = os.environ.get("LOAD_DATABASE_SERVER", "postgres://root@127.0.0.1:5432/postgres")
DB_NAME = "gapmap_load"
LEARNERS, MENTORS, COHORT_SIZE = 40, 4, 50
BIN = Path(sys.executable).parent


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


@contextlib.contextmanager
def throwaway_postgres():
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        yield SERVER.rsplit("/", 1)[0] + f"/{DB_NAME}"
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


@contextlib.contextmanager
def redis_server():
    if os.environ.get("LOAD_REDIS_URL"):
        yield os.environ["LOAD_REDIS_URL"]
    else:
        with running_redis_server() as url:
            yield url


def production_env(*, tmp: Path, database_url: str, redis_url: str, port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "roadmap.settings",
        "DEBUG": "false",
        "SECRET_KEY": "load-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "true",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # As the README advises: one cache for all gunicorn workers (Redis database 1).
        "CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1",
        "GAPMAP_VAR_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def seed(env: dict) -> list[tuple[str, str]]:
    """Seed in this process (same settings) and return (url, cookie) pairs for the mix."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    from accounts.models import User
    from curriculum.models import Path as CurriculumPath
    from tests.benchmarks import synthetic

    def session_cookie(user) -> str:
        from importlib import import_module

        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    def url(name, *args):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None

    start = time.perf_counter()
    path = CurriculumPath.objects.get(slug="ai-engineer")
    learners = [
        synthetic.make_learner(path, f"load-l{i}@load.test", weeks=12, seed=i)
        for i in range(LEARNERS)
    ]
    mentors = []
    for m in range(MENTORS):
        mentor = User.objects.create(
            email=f"load-m{m}@load.test", role=User.Role.MENTOR, password=synthetic._password_hash()
        )
        cohort = synthetic.make_cohort(path, COHORT_SIZE, 10, mentor, label=f"load{m}")
        mentors.append((mentor, cohort))
    try:
        from roadmap.services.plans import plan_generate
    except ImportError:
        plan_generate = None
    if plan_generate:
        for learner in learners:
            plan_generate(learner=learner, path=path)
    print(
        f"seeded {LEARNERS} learners, {MENTORS} cohorts of {COHORT_SIZE} in "
        f"{time.perf_counter() - start:.0f}s",
        flush=True,
    )

    learner_pages = [
        url(n) for n in ("roadmap:dashboard", "roadmap:assess", "roadmap:gaps", "roadmap:plan")
    ]
    mix = []
    for learner in learners:
        cookie = session_cookie(learner)
        mix += [(u, cookie) for u in learner_pages if u]
    for mentor, cohort in mentors:
        cookie = session_cookie(mentor)
        for name in ("roadmap:cohort_detail", "roadmap:mentor_home"):
            u = url(name, cohort.pk) if name == "roadmap:cohort_detail" else url(name)
            if u:
                mix += [(u, cookie)] * 5
    mix += [(url("roadmap:health"), "")] * 10
    random.Random(1).shuffle(mix)
    connection.close()
    return mix


LUA = r"""
local reqs = {
%s
}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  counter = math.random(#reqs)
  non2xx = 0
end
function request()
  counter = counter %% #reqs + 1
  local r = reqs[counter]
  local headers = {["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1"}
  if r[2] ~= "" then headers["Cookie"] = r[2] end
  return wrk.format("GET", r[1], headers)
end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    bad, e.connect + e.read + e.write, e.timeout))
end
"""


def lua_script(mix: list[tuple[str, str]]) -> str:
    rows = ",\n".join(f'  {{"{u}", "{c}"}}' for u, c in mix)
    return LUA % rows


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/", headers={"X-Forwarded-Proto": "https"}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not healthy after {timeout}s")


def per_page_latency(port: int, mix: list[tuple[str, str]]) -> dict[str, float]:
    """Median latency of each distinct page (ids replaced by <id>), one client, no load."""
    import re
    import statistics

    firsts: dict[str, tuple[str, str]] = {}
    for url, cookie in mix:
        firsts.setdefault(re.sub(r"/\d+/", "/<id>/", url), (url, cookie))
    out = {}
    for page, (url, cookie) in firsts.items():
        headers = {"X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {})}
        times = []
        for _ in range(10):
            start = time.perf_counter()
            with urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}{url}", headers=headers),
                timeout=30,
            ) as response:
                response.read()
            times.append(time.perf_counter() - start)
        out[page] = statistics.median(times) * 1000
    return out


def main() -> int:
    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="gapmap-load-"))
    port = free_port()
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, True)
        database_url = stack.enter_context(throwaway_postgres())
        redis_url = stack.enter_context(redis_server())
        env = production_env(tmp=tmp, database_url=database_url, redis_url=redis_url, port=port)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "import_curriculum", "curriculum/default_curriculum.yaml")
        mix = seed(env)
        script = tmp / "mix.lua"
        script.write_text(lua_script(mix))

        log = (tmp / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "roadmap.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def stop_gunicorn():
            if gunicorn.poll() is None:
                os.killpg(gunicorn.pid, signal.SIGTERM)
                gunicorn.wait(timeout=30)

        stack.callback(stop_gunicorn)
        wait_healthy(port, gunicorn)
        static = urllib.request.Request(
            f"http://127.0.0.1:{port}/static/css/gapmap.css", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(static, timeout=5) as response:
            static_ok = response.status == 200
        print(
            f"gunicorn ({WORKERS} sync workers) on 127.0.0.1:{port}; static files served: "
            f"{static_ok}; driving {len(mix)} (url, session) pairs for {SECONDS}s with "
            f"{CONNECTIONS} connections",
            flush=True,
        )
        threads = min(2, CONNECTIONS)
        run = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=SECONDS + 60,
        )
        pages = per_page_latency(port, mix)
        stop_gunicorn()
        log.close()
        result = [line for line in run.stdout.splitlines() if line.startswith("RESULT")]
        if run.returncode != 0 or not result:
            print(run.stdout, run.stderr)
            return 1
        requests, duration_us, p50, p95, p99, non2xx, socket_errors, timeouts = map(
            int, result[0].split()[1:]
        )
        errors = non2xx + socket_errors + timeouts
        report = (
            "| Mix | Requests | Throughput (req/s) | p50 ms | p95 ms | p99 ms | Non-2xx | "
            "Socket errors | Timeouts |\n|---|---|---|---|---|---|---|---|---|\n"
            f"| learner + mentor GETs, {WORKERS} gunicorn workers, {CONNECTIONS} connections, "
            f"{SECONDS}s | {requests} | {requests / (duration_us / 1e6):.0f} | {p50 / 1000:.1f} | "
            f"{p95 / 1000:.1f} | {p99 / 1000:.1f} | {non2xx} | {socket_errors} | {timeouts} |"
        )
        print()
        print(report)
        print()
        print("Each page alone, one client after the run (median of 10 sequential requests):")
        for page, ms in pages.items():
            print(f"  {page}: {ms:.1f} ms")
        print()
        print("zero errors" if errors == 0 else f"{errors} ERRORS (the bar is zero)")
        server_log = (tmp / "gunicorn.log").read_text().strip()
        if server_log:
            print("gunicorn log (last lines):")
            print("\n".join(server_log.splitlines()[-15:]))
        return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
