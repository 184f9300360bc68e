"""The load driver of `make load`: browser-like sessions in threads over keep-alive HTTP
connections (the standard library's http.client), with their own cookie jar and CSRF token,
bounded in time. Every request is recorded under an endpoint name with its latency; an answer
other than the expected status, or a failed connection, is an error."""

import http.client
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
PASSWORD = "bench-password"  # tests/benchmarks/synthetic.py
ITEM_RE = re.compile(r"/plan/items/(\d+)/start/")


@dataclass
class Plan:
    """Who the sessions are and which URLs they may use, read from the seeded world."""

    learners: list[tuple[int, str]]  # (id, e-mail)
    mentors: list[tuple[str, list[int], list[int]]]  # (e-mail, cohort ids, a few learner ids)
    competency_ids: list[int]
    summary: str = ""


def plan_from_database() -> Plan:
    from accounts.models import Cohort, User
    from curriculum.models import Path

    path = Path.objects.filter(slug="bench-a40").first()
    if path is None:
        raise SystemExit(
            "this database holds no bench world: keep one with BENCH_DATABASE_URL=.../"
            "gapmap_bench_world make bench, or leave LOAD_DATABASE_URL unset to seed one"
        )
    learners = list(
        User.objects.filter(email__startswith="learner", email__endswith="@bench.test")
        .order_by("pk")
        .values_list("pk", "email")
    )
    mentors = []
    for key in ("small", "mid", "all"):
        mentor = User.objects.filter(email=f"mentor-{key}@bench.test").first()
        if mentor is None:
            continue
        cohorts = list(
            Cohort.objects.filter(mentors=mentor).order_by("pk").values_list("pk", flat=True)
        )[:5]
        members = list(
            User.objects.filter(memberships__cohort_id=cohorts[0])
            .order_by("pk")
            .values_list("pk", flat=True)[:50]
        )
        mentors.append((mentor.email, cohorts, members))
    comps = list(path.path_competencies.values_list("competency_id", flat=True))
    sizes = {
        key: Cohort.objects.filter(name=f"Bench cohort {key}").first() for key in ("mid", "all")
    }
    counted = ", ".join(
        f"cohort {key} {c.memberships.count():,}" for key, c in sizes.items() if c is not None
    )
    from roadmap.models import Rating

    summary = (
        f"world: {len(learners):,} learners, {Rating.objects.count():,} ratings, "
        f"{User.objects.count():,} users, {counted}"
    )
    return Plan(learners=learners, mentors=mentors, competency_ids=comps, summary=summary)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(name, []).append(seconds)
            if error:
                self.failures.setdefault(name, []).append(error)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def errors(self) -> int:
        return sum(len(v) for v in self.failures.values())


class Browser:
    """One signed-in person: a keep-alive connection to one gunicorn and a cookie jar."""

    def __init__(self, port: int, stats: Stats, deadline: float):
        self.port, self.stats, self.deadline = port, stats, deadline
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, name, method, path, *, data=None, htmx=False, ok=(200,)) -> str:
        headers = {
            "Host": f"{HOST}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "gzip",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            # As a browser posts a form, or htmx with the token header of <body hx-headers>.
            headers["Origin"] = f"https://{HOST}:{self.port}"
            headers["Referer"] = f"https://{HOST}:{self.port}{path}"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = dict(data or {})
            token = self.cookies.get("csrftoken", "")
            if htmx:
                headers["X-CSRFToken"] = token
            else:
                data["csrfmiddlewaretoken"] = token
            body = urlencode(data)
        if htmx:
            headers["HX-Request"] = "true"
        start = time.perf_counter()
        error, text = None, ""
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
            if response.status not in ok:
                error = f"{response.status} for {method} {path}"
            if response.getheader("Content-Encoding") != "gzip":
                text = raw.decode(errors="replace")
            else:
                import gzip

                text = gzip.decompress(raw).decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__} for {method} {path}"
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        self.stats.add(name, time.perf_counter() - start, error)
        return text

    def log_in(self, email: str) -> None:
        self.request("GET /accounts/login/", "GET", "/accounts/login/")
        self.request(
            "POST /accounts/login/",
            "POST",
            "/accounts/login/",
            data={"username": email, "password": PASSWORD},
            ok=(302,),
        )

    def log_out(self) -> None:
        self.request("POST /accounts/logout/", "POST", "/accounts/logout/", ok=(302,))
        self.conn.close()


def learner_session(b: Browser, rng: random.Random, plan: Plan) -> None:
    _, email = rng.choice(plan.learners)
    b.log_in(email)
    items: list[str] = []
    for _ in range(rng.randint(6, 14)):
        if time.monotonic() > b.deadline:
            break
        action = rng.choices(
            ["dash", "assess", "rate", "gaps", "plan", "generate", "item", "export"],
            weights=[20, 8, 25, 8, 10, 5, 12, 2],
        )[0]
        if action == "dash":
            b.request("GET /dashboard/", "GET", "/dashboard/")
        elif action == "assess":
            b.request("GET /assess/", "GET", "/assess/")
        elif action == "rate":
            cid = rng.choice(plan.competency_ids)
            b.request(
                "POST /assess/<id>/ (htmx)",
                "POST",
                f"/assess/{cid}/",
                data={"level": str(rng.randint(0, 4)), "note": "load test"},
                htmx=True,
                ok=(200, 204),
            )
        elif action == "gaps":
            b.request("GET /gaps/", "GET", "/gaps/")
        elif action == "plan":
            items = ITEM_RE.findall(b.request("GET /plan/", "GET", "/plan/")) or items
        elif action == "generate":
            b.request("POST /plan/generate/", "POST", "/plan/generate/", ok=(302,))
            items = ITEM_RE.findall(b.request("GET /plan/", "GET", "/plan/"))
        elif action == "item":
            if not items:
                b.request("POST /plan/generate/", "POST", "/plan/generate/", ok=(302,))
                items = ITEM_RE.findall(b.request("GET /plan/", "GET", "/plan/"))
            if items:
                item = rng.choice(items)
                verb = rng.choice(["start", "skip", "restore"])
                b.request(
                    f"POST /plan/items/<id>/{verb}/ (htmx)",
                    "POST",
                    f"/plan/items/{item}/{verb}/",
                    htmx=True,
                )
        else:
            b.request("GET /me/data/export.json", "GET", "/me/data/export.json")
    b.log_out()


def mentor_session(b: Browser, rng: random.Random, plan: Plan) -> None:
    email, cohorts, members = rng.choice(plan.mentors)
    b.log_in(email)
    for _ in range(rng.randint(4, 8)):
        if time.monotonic() > b.deadline:
            break
        cohort = cohorts[0] if rng.random() < 0.7 else rng.choice(cohorts)
        action = rng.choices(["home", "cohort", "learner", "csv"], weights=[25, 35, 30, 10])[0]
        if action == "home":
            b.request("GET /mentor/", "GET", "/mentor/")
        elif action == "cohort":
            b.request("GET /mentor/cohorts/<id>/", "GET", f"/mentor/cohorts/{cohort}/")
        elif action == "learner":
            learner = rng.choice(members)
            b.request(
                "GET /mentor/cohorts/<id>/learners/<id>/",
                "GET",
                f"/mentor/cohorts/{cohorts[0]}/learners/{learner}/",
            )
        else:
            b.request(
                "GET /mentor/cohorts/<id>/export.csv", "GET", f"/mentor/cohorts/{cohort}/export.csv"
            )
    b.log_out()


def _threads(count: int, target) -> float:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def run_mix(ports: list[int], connections: int, seconds: float, plan: Plan) -> Stats:
    stats = Stats()
    deadline = time.monotonic() + seconds

    def work(i: int) -> None:
        rng = random.Random(i)
        while time.monotonic() < deadline:
            b = Browser(ports[i % len(ports)], stats, deadline)
            if rng.random() < 0.8 or not plan.mentors:
                learner_session(b, rng, plan)
            else:
                mentor_session(b, rng, plan)

    stats.seconds = _threads(connections, work)
    return stats


def run_floor(ports: list[int], connections: int, seconds: float) -> Stats:
    stats = Stats()
    deadline = time.monotonic() + seconds

    def work(i: int) -> None:
        b = Browser(ports[i % len(ports)], stats, deadline)
        while time.monotonic() < deadline:
            b.request("GET /__bench__/floor/", "GET", "/__bench__/floor/")

    stats.seconds = _threads(connections, work)
    return stats


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


def report(mix: Stats, floors: list[Stats], *, deadlocks: int, setup: str) -> str:
    floor_rate = statistics.mean(f.requests / f.seconds for f in floors)
    mix_rate = mix.requests / mix.seconds
    lines = [
        "<!-- load -->",
        "## `make load`",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {setup}. "
        f"The mix ran {mix.seconds:.0f}s between two floor phases of "
        f"{floors[0].seconds:.0f}s on the same gunicorns.",
        "",
        "| Endpoint | Count | p50 ms | p99 ms | Errors |",
        "|---|---|---|---|---|",
    ]
    for name, values in sorted(mix.latencies.items(), key=lambda kv: -len(kv[1])):
        lines.append(
            f"| {name} | {len(values):,} | {_pct(values, 0.5):.0f} | {_pct(values, 0.99):.0f} | "
            f"{len(mix.failures.get(name, []))} |"
        )
    floor_values = [v for f in floors for vs in f.latencies.values() for v in vs]
    lines += [
        f"| *floor view (both floor phases)* | {len(floor_values):,} | "
        f"{_pct(floor_values, 0.5):.0f} | {_pct(floor_values, 0.99):.0f} | "
        f"{sum(f.errors for f in floors)} |",
        "",
        f"Throughput: the mix {mix_rate:,.0f} requests/s, the floor {floor_rate:,.0f} requests/s "
        f"({mix_rate / floor_rate:.1%} of the floor). Errors: {mix.errors}. Deadlocks "
        f"(pg_stat_database): {deadlocks}. Bar (zero errors, zero deadlocks): "
        f"**{'met' if mix.errors == 0 and deadlocks == 0 else 'MISSED'}**.",
    ]
    examples = [e for errs in mix.failures.values() for e in errs[:3]]
    if examples:
        lines += ["", "First errors: " + "; ".join(examples[:10])]
    lines += ["<!-- /load -->", ""]
    return "\n".join(lines)
