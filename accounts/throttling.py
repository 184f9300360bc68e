"""The client address django-axes counts login failures against.

Behind a reverse proxy every request arrives from the proxy's address; counting failures per
(e-mail, proxy address) would let anyone lock a user out for everybody. With
TRUSTED_PROXY_COUNT=N the address is read from X-Forwarded-For, N entries from the right (the
client as seen by the outermost proxy we trust; entries further left are client-supplied).

Below that, the throttles per client address on log-in, sign-up and password reset."""

import hashlib
import logging
import math
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return hops[-count]


# --- throttles per client address --------------------------------------------------------------
# django-axes locks an (account, address) pair; these count every attempt from one address (and
# reset e-mails per recipient), so one address trying many accounts is stopped too. The counters
# live in Django's cache: per process without CACHE_URL (each web process counts on its own, so
# the real limit is the setting times the processes), shared with it.


def throttle_hit(*, scope: str, key: str) -> int | None:
    """Count one attempt for `key` in `scope`'s current window (settings.THROTTLES). Returns the
    seconds until the window ends when the limit is exceeded, else None. A cache that cannot be
    reached lets the attempt through (axes still locks accounts) and says so in the log."""
    limit, window = settings.THROTTLES[scope]
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"throttle:{scope}:{digest}:{bucket}"
    try:
        cache.add(cache_key, 0, timeout=window)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window)
            count = 1
    except (RedisError, OSError):
        logger.warning("throttle %s: cache unavailable, not counted", scope)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((bucket + 1) * window - now))


def too_many_requests(request, *, retry_after: int, what: str):
    response = render(
        request,
        "429.html",
        {"what": what, "retry_minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def throttled(scope: str, *, what: str):
    """POSTs to the view count against the client address; over the limit they get the 429
    page, before the form (or axes) sees them."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                retry_after = throttle_hit(scope=scope, key=client_ip(request) or "unknown")
                if retry_after is not None:
                    logger.warning("throttle %s: address over the limit", scope)
                    return too_many_requests(request, retry_after=retry_after, what=what)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
