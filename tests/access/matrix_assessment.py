"""Access-matrix entries for the assessment area (see tests/access/matrix.py).

Assessment pages are about the signed-in user's own ratings. learner_a and learner_b have a
target path in the world; mentors and staff have none, so the pages send them to onboarding
(302) and rating answers 404 (the competency is not on their path: there is none)."""

from tests.access.matrix import LOGIN, Entry, learner_page

ENTRIES: dict[str, Entry] = {
    "roadmap:onboarding": learner_page(),
    "roadmap:assess": Entry(
        expect={"anonymous": LOGIN, "learner_a": 200, "learner_b": 200}, others=302
    ),
    "roadmap:reassess": Entry(
        expect={"anonymous": LOGIN, "learner_a": 200, "learner_b": 200}, others=302
    ),
    "roadmap:gaps": Entry(
        expect={"anonymous": LOGIN, "learner_a": 200, "learner_b": 200}, others=302
    ),
    # The levels of the world path's competency: only learners on that path see them.
    "roadmap:assess_levels": Entry(
        expect={"anonymous": LOGIN, "learner_a": 200, "learner_b": 200},
        others=404,
        kwargs=lambda world: {"competency_id": world.path.path_competencies.get().competency_id},
    ),
    "roadmap:skill_map": Entry(
        expect={"anonymous": LOGIN, "learner_a": 200, "learner_b": 200}, others=302
    ),
    # A POST on the world path's competency. The matrix sends no form-encoded body, so a learner
    # on that path gets 400 (no level chosen; valid saves are tested in tests/roadmap); with the
    # competency not on their own path, everyone else gets 404 before any validation.
    "roadmap:rate": Entry(
        expect={"anonymous": LOGIN, "learner_a": 400, "learner_b": 400},
        others=404,
        method="POST",
        kwargs=lambda world: {"competency_id": world.path.path_competencies.get().competency_id},
    ),
    # The confirmation, for a competency learner_a has rated: they get the question; learner_b
    # (unrated) is sent back to the assessment (nothing to withdraw); everyone else gets 404
    # (not on their path).
    "roadmap:rating_withdraw": Entry(
        expect={"anonymous": LOGIN, "learner_a": 200, "learner_b": 302},
        others=404,
        kwargs=lambda world: {"competency_id": _rated_by_learner_a(world)},
    ),
}


def _rated_by_learner_a(world) -> int:
    from roadmap.services.assessment import rating_record

    competency = world.path.path_competencies.get().competency
    rating_record(learner=world.learner_a, competency=competency, level=2)
    return competency.pk
