"""Data derived only from the curriculum, kept per process under the curriculum version token.

The token changes with every change of the curriculum (curriculum.services.curriculum_changed:
the import and every curriculum admin write), so an entry is never used after an edit. The token
is read before computing: what is read after it is at least as new, so nothing is cached under a
token older than its data. Cached values are shared by every request: callers must not change
them."""

from collections.abc import Callable, Hashable

from curriculum.models import CurriculumVersion

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
