"""CACHE_URL: with it, every process reads and writes one Redis cache (so web processes share
the cohort dashboard's aggregates); without it, each process has its own memory cache. Run in
subprocesses, since the cache is chosen when settings load."""

import subprocess
import sys

import pytest

from tests.ops.test_production_static import ROOT, production_env

SNIPPET = """
import sys

import pytest
import django
django.setup()
from django.core.cache import cache
from django.conf import settings
print(settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])
if sys.argv[1] == "set":
    cache.set("shared-cache-test", "from another process", 60)
print(cache.get("shared-cache-test"))
"""


def run_snippet(action: str, env: dict) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET, action],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")[:2]


def test_cache_url_makes_one_redis_cache_for_every_process(tmp_path, redis_url):
    env = production_env(tmp_path) | {"CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1"}
    assert run_snippet("set", env) == ["RedisCache", "from another process"]
    assert run_snippet("get", env) == ["RedisCache", "from another process"]


def test_without_cache_url_each_process_has_its_own_memory_cache(tmp_path):
    env = production_env(tmp_path)
    env.pop("CACHE_URL", None)
    assert run_snippet("set", env) == ["LocMemCache", "from another process"]
    assert run_snippet("get", env) == ["LocMemCache", "None"]


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_pages_that_cache_their_figures_still_answer_when_the_redis_cache_is_down(
    client, settings, caplog
):
    """CACHE_URL pointing at a Redis that is not there: the learner and cohort dashboards
    compute their figures again (and log it) instead of failing."""
    from django.core.cache import cache
    from django.urls import reverse

    from tests.roadmap.test_mentoring_views import Setup

    s = Setup()
    s.rate(s.learners[0], 0, 2, days_ago=3)
    s.learners[0].target_path = s.path
    s.learners[0].save(update_fields=["target_path"])
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    with pytest.raises(Exception):  # noqa: B017 - the point: this cache cannot be used
        cache.get("anything")

    client.force_login(s.mentor)
    cohort = client.get(s.detail_url)
    assert cohort.status_code == 200 and "Learner 000" in cohort.text
    client.force_login(s.learners[0])
    dashboard = client.get(reverse("roadmap:dashboard"))
    assert dashboard.status_code == 200 and "readiness" in dashboard.text.lower()
    assert "cache unavailable" in caplog.text
