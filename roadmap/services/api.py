"""Personal access tokens for the read-only JSON API: made, revoked, checked, throttled."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from roadmap.models import PersonalToken

TOKEN_PREFIX = "gmp_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[PersonalToken, str]:
    """A new token; returns the row and the token itself, which is never stored or shown again."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        user=user,
        name=name,
        token_hash=_hash(raw),
        prefix=raw[:10],
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return token, raw


def token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if there is no such live token of theirs."""
    return bool(
        PersonalToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def token_authenticate(raw: str) -> PersonalToken | None:
    """The usable token (with its user) for a presented secret, or None. One query, plus one
    write a minute at most per token to keep last_used_at."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        PersonalToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), user__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_throttle(token: PersonalToken) -> int | None:
    """Count a request against the token's per-minute budget; the seconds to wait when it is
    spent, else None. The cache holds the counter (a lost counter only forgives a minute)."""
    now = timezone.now()
    key = f"api-throttle:{token.pk}:{now:%Y%m%d%H%M}"
    cache.add(key, 0, 90)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, 90)
        count = 1
    if count > settings.API_THROTTLE_PER_MINUTE:
        return 60 - now.second
    return None
