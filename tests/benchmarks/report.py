"""The bench's table: each scenario at 1x and at the larger size side by side, with its query
count at both, and each target marked met or missed from the figures of the same run."""

import os
import platform
import re
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


def _fmt(value, spec=".1f") -> str:
    return "" if value is None else format(value, spec)


def verdict(key: str, by_scale: dict, run) -> str:
    """'met' or 'MISSED' (with why) for the row's target, '' without one."""
    spec = run.specs[key]
    if not spec.target:
        return ""
    top = max(by_scale)
    if key == "assessweight":
        weighed = [r for r in by_scale.values() if "bytes" in r.extra]
        ok = all(r.extra["bytes"] <= 150_000 and r.extra["gzip"] for r in weighed)
        return _met(ok, "") if weighed else ""
    results = [r for r in by_scale.values() if r.median_ms is not None]
    if not results:
        return ""
    last = by_scale[top]
    target = spec.target
    if target.startswith("<= ") and target.endswith(" the cached view"):
        cached = run.results.get(key.removesuffix("-new"), {}).get(top)
        if not cached or cached.median_ms is None or last.median_ms is None:
            return ""
        share = growth(cached, last)
        return _met(share <= 1.5, f"{share:.2f}x the cached view")
    if target.startswith("p50 <= "):
        limit = float(re.findall(r"[\d.]+", target)[1])
        return _met(all(r.median_ms <= limit for r in results), "")
    if key == "tick":
        return _met(last.median_ms <= 50, f"{last.median_ms:.0f} ms at {last.size}")
    limit = float(re.findall(r"[\d.]+", target)[0])
    # "at 5,000": the largest size only (at 1x the largest cohort is smaller).
    judged = [last] if " at " in target else results
    scale_of = {id(r): scale for scale, r in by_scale.items()}
    over = [r for r in judged if r.ratio is not None and r.ratio > limit]
    shown = over or (judged if len(judged) == 1 else [])
    why = [f"{r.ratio:.1f}x at {scale_of[id(r)]:g}x" for r in shown if r.ratio is not None]
    ok = not over
    if "1.3x of 1x" in target and len(results) > 1:
        change = growth(results[0], results[-1])
        if change is not None:
            ok = ok and change <= 1.3
            why.append(f"grew {change:.2f}x")
    if "queries flat" in target and len(results) > 1:
        flat = len({r.queries for r in results}) == 1
        ok = ok and flat
        why.append("queries flat" if flat else "queries grow")
    return _met(ok, ", ".join(why))


def growth(first, last) -> float | None:
    """The larger size's figure over the 1x one, as ratios to their floors where both have one
    (load from elsewhere on the machine moves the floor too), else as times."""
    if first.ratio and last.ratio:
        return last.ratio / first.ratio
    if first.median_ms and last.median_ms:
        return last.median_ms / first.median_ms
    return None


def _met(ok: bool, why: str) -> str:
    word = "met" if ok else "MISSED"
    return f"{word} ({why})" if why else word


def _cell(result) -> tuple[str, str, str]:
    if result is None:
        return "", "", ""
    if "bytes" in result.extra:
        return f"{result.extra['bytes'] / 1000:.0f} KB", "", ""
    if result.median_ms is None:
        return result.note, "", ""
    ratio = f"{result.ratio:.1f}x" if result.ratio is not None else ""
    return f"{result.median_ms:.1f} ({result.p95_ms:.1f})", _fmt(result.queries, "d"), ratio


def render(run, *, web_kb: int, engine: str, seconds: float) -> str:
    scales = run.scales
    top = scales[-1]
    head = ["Scenario", "Size"]
    for scale in scales:
        head += [f"{scale:g}x ms median (p95)", f"{scale:g}x SQL", f"{scale:g}x floor"]
    if len(scales) > 1:
        head.append(f"{top:g}x / 1x (x floor)")
    head += ["Target", "Met", "Note"]
    floors = ", ".join(
        f"{scale:g}x {statistics.median(run.floors[scale]):.2f} ms"
        for scale in scales
        if run.floors.get(scale)
    )
    floors = f". Floor medians: {floors}" if floors else ""
    lines = [
        "<!-- bench -->",
        "## `make bench`",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()}, {engine}), in-process with "
        "Django's test client, DEBUG=false, production middleware. Server time per request; each "
        "ratio is to the floor view (a trivial view behind the same middleware) measured just "
        f"before that row{floors}. Whole run {seconds / 60:.0f} min; load average (1 min) "
        f"{run.load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on "
        f"{os.cpu_count()} cores shared with other work.",
        "",
        "Sizes:",
        "",
    ]
    lines += [f"- {scale:g}x: {run.sizes.get(scale, '')}" for scale in scales]
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, by_scale in run.results.items():
        spec = run.specs[key]
        sizes = [by_scale[s].size for s in scales if s in by_scale]
        size = sizes[0] if len(set(sizes)) <= 1 else " → ".join(dict.fromkeys(sizes))
        cells = [spec.scenario, size]
        for scale in scales:
            cells += list(_cell(by_scale.get(scale)))
        if len(scales) > 1:
            first, last = by_scale.get(scales[0]), by_scale.get(top)
            change = growth(first, last) if first and last else None
            cells.append("" if change is None else f"{change:.2f}x")
        notes = [
            by_scale[s].note
            for s in scales
            if s in by_scale and (by_scale[s].median_ms or by_scale[s].extra)
        ]
        note = "; ".join(f"{s:g}x: {n}" for s, n in zip(scales, notes, strict=False) if n)
        cells += [spec.target, verdict(key, by_scale, run), note]
        lines.append("| " + " | ".join(cells) + " |")
    if run.dispatch:
        d = run.dispatch
        lines += [
            "",
            f"Reminder delivery at {top:g}x, {d['due']:,} due reminders per round, one Celery "
            "worker (2 processes), throwaway Redis, alternating rounds of the no-op task "
            "(ping_task) and dispatch + delivery:",
            "",
            "| Round | No-op tasks/s | Dispatch + delivery /s | Users examined | Enqueued | Sent | "
            "Failed | Dispatch call s | Round s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for i, r in enumerate(d["rounds"], 1):
            lines.append(
                f"| {i} | {r['noop_rate']:,.0f} | {r['rate']:,.0f} | {r['examined']:,} | "
                f"{r['enqueued']:,} | {r['sent']:,} | {r['failed']:,} | {r['dispatch_s']:.1f} | "
                f"{r['elapsed']:.0f} |"
            )
        ok = "met" if d["share"] >= 0.5 else "MISSED"
        lines += [
            "",
            f"Delivery rate {d['share']:.0%} of the no-op rate (target >= 50%): **{ok}**. "
            f"Celery worker peak RSS {d['worker_kb'] / 1024:.0f} MB.",
        ]
    lines += [
        "",
        f"Peak memory (max RSS) of this process, seeding included: {web_kb / 1024:.0f} MB.",
        "<!-- /bench -->",
        "",
    ]
    return "\n".join(lines)


def write_section(name: str, text: str) -> None:
    """Replace the <!-- name --> ... <!-- /name --> block of results.md (or append it)."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    pattern = re.compile(rf"<!-- {name} -->.*?<!-- /{name} -->\n?", re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _m: text.rstrip("\n") + "\n", old)
    else:
        new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + text.rstrip("\n") + "\n"
    RESULTS.write_text(new)
