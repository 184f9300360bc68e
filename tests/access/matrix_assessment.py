"""Access-matrix entries for the assessment area (see tests/access/matrix.py)."""

from tests.access.matrix import LOGIN, Entry, learner_page, mentor_page, owned_by_learner_a  # noqa: F401

ENTRIES: dict[str, Entry] = {}
