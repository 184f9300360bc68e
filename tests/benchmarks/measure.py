"""Timing one scenario in this process: server time of requests through Django's test client, the
SQL queries of one, and the floor view measured just before, so other load on the machine shifts
both alike."""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
PROFILE = os.environ.get("BENCH_PROFILE", "")
FLOOR_URL = "/__bench__/floor/"
DUMMY_MAIL = "django.core.mail.backends.dummy.EmailBackend"
# Each scenario gets about this many seconds of timed requests (at least MIN_RUNS of them), so a
# 5,000-learner page does not take minutes while a fast page still gets many samples.
BUDGET_S = 1.5 if QUICK else 4.0
MIN_RUNS = 3 if QUICK else 5
FLOOR_RUNS = 30 if QUICK else 60


@dataclass
class Spec:
    key: str  # one row of the table: the same key at 1x and 10x
    scenario: str
    size: str
    group: str  # BENCH_ONLY name
    user: object = None
    method: str = "get"
    url: str | None = None
    data: dict | Callable | None = None
    headers: dict | None = None
    form_encoded: bool = False
    ok: tuple = (200,)
    before: Callable | None = None  # before(client), outside the timing and the query count
    first_byte: bool = False  # time to the first chunk of a streamed body only
    runs: int = 30
    missing: str = "not available"  # the note when url is None
    target: str = ""


@dataclass
class Result:
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    floor_ms: float | None = None
    ratio: float | None = None
    note: str = ""
    size: str = ""
    extra: dict = field(default_factory=dict)


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url_or_none(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def time_request(client, spec: Spec, *, runs: int | None = None) -> tuple[list[float], int]:
    """Server time of the spec's requests (after two warm-ups) and the SQL queries of one."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def call():
        data = spec.data() if callable(spec.data) else spec.data or {}
        extra = {}
        if spec.form_encoded:
            data, extra = urlencode(data), {"content_type": "application/x-www-form-urlencoded"}
        response = getattr(client, spec.method)(
            spec.url, data=data, headers=spec.headers or {}, **extra
        )
        if response.status_code not in spec.ok:
            raise RuntimeError(f"{spec.method.upper()} {spec.url} answered {response.status_code}")
        if response.streaming:  # a streamed body runs its queries while it is consumed
            chunks = iter(response.streaming_content)
            if spec.first_byte:
                next(chunks, b"")
                response.close()
            else:
                b"".join(chunks)
        return response

    def prepared_call():
        if spec.before is not None:
            spec.before(client)
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    estimate = min(prepared_call() for _ in range(2))
    if spec.before is not None:
        spec.before(client)
    # A full log (it keeps the last 9,000 queries) would make every capture count zero.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = len(captured.captured_queries)
    if any(part and part in spec.url for part in PROFILE.split(",")):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        for _ in range(5):
            if spec.before is not None:
                spec.before(client)
            profiler.start()
            call()
            profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False), flush=True)
    if runs is None:
        runs = min(spec.runs, max(MIN_RUNS, int(BUDGET_S / max(estimate, 1e-4))))
    return [prepared_call() for _ in range(runs)], queries


def floor_ms(floor_client) -> float:
    spec = Spec(key="floor", scenario="floor", size="", group="", url=FLOOR_URL)
    times, _ = time_request(floor_client, spec, runs=FLOOR_RUNS)
    return statistics.median(times) * 1000


def measure(spec: Spec, floor_client) -> Result:
    result = Result(size=spec.size)
    if spec.url is None:
        result.note = spec.missing
        return result
    client = client_for(spec.user)
    try:
        floor = floor_ms(floor_client)
        times, queries = time_request(client, spec)
    except Exception as exc:  # report it, go on with the other scenarios
        result.note = f"error: {exc}"[:160]
        return result
    result.median_ms = statistics.median(times) * 1000
    result.p95_ms = _p95(times) * 1000
    result.queries = queries
    result.floor_ms = floor
    result.ratio = result.median_ms / floor
    result.extra["runs"] = len(times)
    return result


def time_call(function, *, runs: int) -> tuple[list[float], int, object]:
    """Wall time of `function()` up to `runs` times (within about 5 budgets) after one warm-up,
    the queries of one, and its value."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    start = time.perf_counter()
    function()
    runs = max(1, min(runs, int(5 * BUDGET_S / (time.perf_counter() - start))))
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        value = function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times, len(captured.captured_queries), value
