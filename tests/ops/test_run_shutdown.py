"""Ctrl-C on `make run` (scripts/run) stops the web server, the worker and beat within 10 s,
with nothing left running. The script runs as a terminal would run it: in its own process
group, which receives the SIGINT."""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped running


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_ctrl_c_stops_web_worker_and_beat_within_10_seconds(tmp_path):
    port = free_port()
    log = tmp_path / "run.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CACHE_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(GAPMAP_VAR_DIR=str(tmp_path), PORT=str(port), LOG_LEVEL="INFO")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "run")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    everyone: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while True:
            output = log.read_text(errors="replace")
            started = " ready." in output and "beat: Starting" in output
            if started and _answers(f"http://127.0.0.1:{port}/health/"):
                break
            assert proc.poll() is None, output
            assert time.monotonic() < deadline, f"not up after 90 s:\n{output}"
            time.sleep(0.3)
        everyone = _descendants(proc.pid) | {proc.pid}
        assert len(everyone) >= 5  # the script, web, beat, the worker and its pool

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        start = time.monotonic()
        while any(_running(pid) for pid in everyone) and time.monotonic() - start < 15:
            time.sleep(0.1)
        took = time.monotonic() - start

        left = [pid for pid in everyone if _running(pid)]
        assert not left, f"still running after {took:.1f} s: {left}\n{log.read_text()}"
        assert took < 10
        assert proc.wait(timeout=1) == 0
    finally:
        for pid in everyone | _descendants(proc.pid):
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.wait()
