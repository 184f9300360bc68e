"""The Django cache as what it is here, a shortcut: pages keep figures they computed in it (the
cohort dashboard, the learner dashboard's history) under keys that name everything the figures
come from. With CACHE_URL, that cache is Redis; when Redis is down or slow, these pages compute
their figures again instead of failing (correctness never rests on Redis), and say so in the
log. Without CACHE_URL the cache is in process memory and never fails."""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

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
