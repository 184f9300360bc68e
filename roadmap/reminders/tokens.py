"""Signed one-click unsubscribe tokens: user id + kind (or "all"), valid without a session.

A purpose-specific salt keeps other signed values of the site (password reset, sessions) from
being accepted here, and these from being accepted there."""

from dataclasses import dataclass

from django.core import signing

SALT = "gapmap.reminders.unsubscribe"
MAX_AGE = 60 * 60 * 24 * 90  # 90 days: long enough for an old e-mail, short enough to expire
ALL = "all"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user_id, "k": kind}, compress=True)


def unsubscribe_read(token: str, *, valid_kinds) -> Unsubscribe | None:
    """The token's content, or None if it is tampered, expired, from another salt or malformed."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or (kind != ALL and kind not in valid_kinds):
        return None
    return Unsubscribe(user_id, kind)
