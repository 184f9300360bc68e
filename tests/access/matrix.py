"""Who gets what from every named URL, by role. The test fails for any URL without an entry.

An entry says, for a GET by each role, which status code it answers. `kwargs(world)` returns
the URL's arguments (creating objects as needed: what belongs to learner_a is the usual case).
Shorthands: LOGIN means a redirect to the login page; statuses per role default to `others`.

Each area keeps its own entries in matrix_<area>.py; they are merged here."""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"


@dataclass
class Entry:
    expect: dict[str, int | str]
    others: int | str | None = None
    kwargs: Callable | None = None
    query: str = ""
    method: str = "GET"
    data: dict = field(default_factory=dict)

    def status_for(self, role: str):
        if role in self.expect:
            return self.expect[role]
        if self.others is None:
            raise KeyError(f"no expectation for role {role}")
        return self.others


# Shapes that most views share.
def public_page() -> Entry:
    return Entry(expect={}, others=200)


def signed_in_page() -> Entry:
    return Entry(expect={"anonymous": LOGIN}, others=200)


def learner_page(**kwargs) -> Entry:
    """A page about the signed-in user's own data: every signed-in user gets their own."""
    return Entry(expect={"anonymous": LOGIN}, others=200, **kwargs)


def mentor_page(**kwargs) -> Entry:
    """Mentors and superusers; staff without accounts.view_all_cohorts get 404."""
    return Entry(
        expect={"anonymous": LOGIN, "learner_a": 404, "learner_b": 404, "staff": 404},
        others=200,
        **kwargs,
    )


def owned_by_learner_a(**kwargs) -> Entry:
    """An object of learner_a's: only they (and, where said, their mentor and staff) see it."""
    return Entry(expect={"anonymous": LOGIN, "learner_a": 200}, others=404, **kwargs)


def collect_entries() -> dict[str, Entry]:
    from tests.access import (
        matrix_admin,
        matrix_assessment,
        matrix_conversations,
        matrix_core,
        matrix_mentoring,
        matrix_ops,
        matrix_plans,
        matrix_progress,
        matrix_reminders,
        matrix_standards,
    )

    modules = [
        matrix_core,
        matrix_admin,
        matrix_assessment,
        matrix_progress,
        matrix_plans,
        matrix_mentoring,
        matrix_conversations,
        matrix_reminders,
        matrix_ops,
        matrix_standards,
    ]
    entries: dict[str, Entry] = {}
    for module in modules:
        overlap = entries.keys() & module.ENTRIES.keys()
        assert not overlap, f"URL names listed twice in the access matrix: {overlap}"
        entries.update(module.ENTRIES)
    return entries
