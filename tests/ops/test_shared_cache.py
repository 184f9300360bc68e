"""CACHE_URL: with it, every process reads and writes one Redis cache (so web processes share
the cohort dashboard's aggregates); without it, each process has its own memory cache. Run in
subprocesses, since the cache is chosen when settings load."""

import subprocess
import sys

from tests.ops.test_production_static import ROOT, production_env

SNIPPET = """
import sys
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
