"""Access-matrix entries for the ops area (see tests/access/matrix.py)."""

from tests.access.matrix import LOGIN, Entry, learner_page, mentor_page, owned_by_learner_a  # noqa: F401

ENTRIES: dict[str, Entry] = {
    # Health checks are public: load balancers call them without a session.
    "roadmap:health": Entry(expect={}, others=200),
}
