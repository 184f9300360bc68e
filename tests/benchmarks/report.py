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
    results = [r for r in by_scale.values() if r.median_ms is not None]
    if not results:
        return ""
    last = by_scale[top]
    target = spec.target
    if target.startswith("<= ") and target.endswith(" the cached view"):
        cached = run.results.get(key.removesuffix("-new"), {}).get(top)
        if not cached or cached.median_ms is None or last.median_ms is None:
            return ""
        share = last.median_ms / cached.median_ms
        return _met(share <= 1.5, f"{share:.2f}x the cached view")
    if target.startswith("p50 <= "):
        limit = float(re.findall(r"[\d.]+", target)[1])
        return _met(all(r.median_ms <= limit for r in results), "")
    if key == "tick":
        return _met(last.median_ms <= 50, f"{last.median_ms:.0f} ms at {last.size}")
    limit = float(re.findall(r"[\d.]+", target)[0])
    ok = all(r.ratio <= limit for r in results if r.ratio is not None)
    why = []
    if "1.3x of 1x" in target and len(results) > 1 and results[0].median_ms:
        growth = results[-1].median_ms / results[0].median_ms
        ok = ok and growth <= 1.3
        why.append(f"{growth:.2f}x of 1x")
    if "queries flat" in target and len(results) > 1:
        flat = len({r.queries for r in results}) == 1
        ok = ok and flat
        why.append("queries flat" if flat else "queries GROW")
    return _met(ok, ", ".join(why))


def _met(ok: bool, why: str) -> str:
    word = "met" if ok else "MISSED"
    return f"{word} ({why})" if why else word


def _cell(result) -> tuple[str, str, str]:
    if result is None:
        return "", "", ""
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
        head.append(f"{top:g}x / 1x")
    head += ["Target", "Met", "Note"]
    floors = ", ".join(
        f"{scale:g}x {statistics.median(run.floors[scale]):.2f} ms"
        for scale in scales
        if run.floors.get(scale)
    )
    floors = f". Floor medians: {floors}" if floors else ""
    lines = [
        "<!-- bench -->",
        "# Gapmap benchmark (`make bench`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()}, {engine}), in-process with "
        "Django's test client, DEBUG=false, production middleware. Server time per request; each "
        "ratio is to the floor view (a trivial view behind the same middleware) measured just "
        f"before that row{floors}. Whole run {seconds / 60:.0f} min.",
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
            growth = ""
            if first and last and first.median_ms and last.median_ms:
                growth = f"{last.median_ms / first.median_ms:.2f}x"
            cells.append(growth)
        notes = [by_scale[s].note for s in scales if s in by_scale and by_scale[s].median_ms]
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
