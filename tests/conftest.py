import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.services import running_celery_worker, running_redis_server

# Speed is measured by the benchmark, never by a timed test: hypothesis' per-example deadline
# (200 ms) only made property tests fail at random on a loaded 2-core CI machine.
hypothesis_settings.register_profile("gapmap", deadline=None)
hypothesis_settings.load_profile("gapmap")

# pytest-playwright's sync API runs an event loop in the main thread; without this Django
# refuses database access in django_db_setup (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    from django.conf import settings

    # The SQLite test database is a file under var/, which a fresh clone does not have yet.
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Tests run with DEBUG off, where credentials need a configured key: one per test session.
    if settings.BADGE_SIGNING_KEYS is None:
        from roadmap.services.credentials import key_new

        settings.BADGE_SIGNING_KEYS = [key_new("test-session")]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists("/usr/bin/chromium"):
        pytest.fail(
            "Browser tests need Debian's chromium at /usr/bin/chromium: "
            "run scripts/ensure-test-tools"
        )
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def redis_url():
    """A throwaway redis-server on a free port, for this test session only."""
    with running_redis_server() as url:
        yield url


@pytest.fixture
def celery_worker(redis_url, transactional_db):
    """A real Celery worker process on the throwaway Redis, using this test's database.

    Data the test writes must be committed (transactional_db) for the worker to see it."""
    with running_celery_worker(redis_url) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test's database rolls back and hands out the same ids (and curriculum version
    tokens) again, so anything cached under them (the cohort dashboard's figures in Django's
    cache, the per-process curriculum cache) could otherwise outlive its test."""
    from django.core.cache import cache

    from curriculum import cache as curriculum_cache

    cache.clear()
    curriculum_cache.clear()
