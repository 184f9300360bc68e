"""The two caches Gapmap uses, in one place.

`from_curriculum`: data derived only from the curriculum, kept per process under the curriculum
version token. The token changes with every change of the curriculum
(curriculum.services.curriculum_changed: the import and every curriculum admin write), so an
entry is never used after an edit. The token is read before computing: what is read after it is
at least as new, so nothing is cached under a token older than its data. Cached values are
shared by every request: callers must not change them.

`cache_get` / `cache_set`: the Django cache as what it is here, a shortcut. Pages keep figures
they computed in it (the cohort dashboard, the learner dashboard's history) under keys that name
everything the figures come from. With CACHE_URL that cache is Redis; when Redis is down or
slow, these pages compute their figures again instead of failing (correctness never rests on
Redis), and say so in the log. Without CACHE_URL the cache is in process memory and never
fails."""

import logging
from collections.abc import Callable, Hashable

from django.core.cache import cache
from redis.exceptions import RedisError

from curriculum.models import CurriculumVersion

logger = logging.getLogger(__name__)

# Entries of old tokens are never read again; they go wholesale once there are this many.
MAX_ENTRIES = 64
_entries: dict[tuple, object] = {}


def from_curriculum[T](key: Hashable, compute: Callable[[], T], *, token: str | None = None) -> T:
    """compute()'s value for `key` under the current curriculum: one query (the token) when it
    was computed before in this process and the curriculum has not changed since. A caller that
    has just read the token in a query it runs anyway (the dashboard's hub) passes it as `token`,
    and then there is no query at all."""
    if token is None:
        token = CurriculumVersion.objects.token()
    full_key = (token, key)
    if full_key in _entries:
        return _entries[full_key]
    value = compute()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[full_key] = value
    return value


def clear() -> None:
    """Forget everything (tests: rolled-back databases hand out the same ids and tokens again)."""
    _entries.clear()


# A refused connection fails at once; a timeout (settings: CACHES OPTIONS) is an OSError.
_UNAVAILABLE = (RedisError, OSError)


def cache_get(key: str):
    """The value under `key`, or None when it is missing or the cache cannot be read."""
    try:
        return cache.get(key)
    except _UNAVAILABLE:
        logger.warning("cache unavailable: computing %s again", key.split(":", 1)[0])
        return None


def cache_set(key: str, value, timeout: int) -> None:
    """Keep `value` under `key` for `timeout` seconds, if the cache can be written."""
    try:
        cache.set(key, value, timeout)
    except _UNAVAILABLE:
        logger.warning("cache unavailable: %s not kept", key.split(":", 1)[0])
