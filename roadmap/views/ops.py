"""/health/ for load balancers, and /health/?strict=1 for monitoring.

A load balancer should pull a web node only when the node cannot serve pages: that is when the
database fails. Every page still works without the broker (reminders wait in the database for
the next dispatcher run) and without the cache (pages compute their figures again), so those
two are reported as "degraded" with a 200. The strict variant fails on any of the three, for
uptime monitoring that should page someone. Each probe has its own short connect and read
timeout, so the whole answer comes within about a second even when Redis hangs."""

import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.backoff import NoBackoff
from redis.retry import Retry

from accounts.access import public
from roadmap.celery import app as celery_app

logger = logging.getLogger(__name__)

# Per Redis probe: connect and read each get this long, and no retries (redis-py retries
# timeouts by default, which would multiply them).
PROBE_TIMEOUT_SECONDS = 0.25


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        logger.exception("health: database check failed")
        return False


def _redis_ok(url: str, what: str) -> bool:
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError) as exc:
        logger.warning("health: %s unavailable: %s", what, exc)
        return False
    finally:
        client.close()


def _broker_ok() -> bool:
    url = celery_app.conf.broker_url or ""
    if url.startswith(("redis://", "rediss://")):
        return _redis_ok(url, "broker")
    try:
        # Any other broker (the filesystem one of `make run`): a bounded connection attempt.
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
        return True
    except Exception as exc:
        logger.warning("health: broker unavailable: %s", exc)
        return False


def _cache_ok() -> bool:
    config = settings.CACHES["default"]
    if not config["BACKEND"].endswith("redis.RedisCache"):
        return True  # in-process memory: there is nothing to reach
    location = config["LOCATION"]
    urls = location if isinstance(location, list | tuple) else location.split(",")
    return all(_redis_ok(url.strip(), "cache") for url in urls)


@public
@never_cache
@require_GET
def health(request):
    """200 unless the database fails ("degraded" when only the broker or the cache does);
    with ?strict=1, 503 when anything fails."""
    start = time.monotonic()
    checks = {"database": _database_ok(), "broker": _broker_ok(), "cache": _cache_ok()}
    strict = request.GET.get("strict", "") not in ("", "0")
    if all(checks.values()):
        status, code = "ok", 200
    elif checks["database"] and not strict:
        status, code = "degraded", 200
    else:
        status, code = "unavailable", 503
    elapsed_ms = round((time.monotonic() - start) * 1000)
    return JsonResponse(
        {"status": status, "checks": checks, "strict": strict, "elapsed_ms": elapsed_ms},
        status=code,
    )
