"""Pure helpers of the self-assessment pages: parsing ?focus= and ?suggest=, and staleness."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

# The 0-4 scale of curriculum.models.Level (not imported: this module stays free of Django).
MIN_LEVEL, MAX_LEVEL = 0, 4
MAX_FOCUS = 200  # more ids than any path has; bounds the work a crafted URL can cause


def parse_focus(raw: str | None) -> list[int] | None:
    """`?focus=3,7,12` -> [3, 7, 12] (competency ids, first occurrence kept, junk skipped).

    None when the parameter is absent or holds no usable id: the page then shows everything."""
    if not raw:
        return None
    ids: list[int] = []
    for part in raw.split(",")[:MAX_FOCUS]:
        part = part.strip()
        if part.isdigit() and part.isascii():
            value = int(part)
            if value > 0 and value not in ids:
                ids.append(value)
    return ids or None


def parse_suggest(raw: str | None) -> dict[int, int]:
    """`?suggest=3:2,7:4` -> {3: 2, 7: 4}: suggested levels; pairs off the scale are skipped."""
    suggested: dict[int, int] = {}
    if not raw:
        return suggested
    for part in raw.split(",")[:MAX_FOCUS]:
        cid, sep, level = part.strip().partition(":")
        if not sep or not (cid.isdigit() and cid.isascii() and level.isdigit() and level.isascii()):
            continue
        cid_value, level_value = int(cid), int(level)
        if cid_value > 0 and MIN_LEVEL <= level_value <= MAX_LEVEL:
            suggested.setdefault(cid_value, level_value)
    return suggested


def stale_ids(
    competency_ids: Iterable[int],
    last_rated: Mapping[int, datetime],
    *,
    now: datetime,
    weeks: int,
) -> list[int]:
    """Competencies never rated, or last rated `weeks` or more ago, in the order given."""
    cutoff = now - timedelta(weeks=weeks)
    return [cid for cid in competency_ids if cid not in last_rated or last_rated[cid] <= cutoff]


def reassessment_suggestion(*, current: int | None, offered: int) -> int:
    """The level a pre-filled reassessment suggests: what the finished project offers
    (min(build level, target), from the plan), but never less than the current level."""
    return offered if current is None else max(current, offered)
