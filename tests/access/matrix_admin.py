"""Access-matrix entries for the admin area (see tests/access/matrix.py)."""

from tests.access.matrix import LOGIN, Entry

# Staff pages beside the curriculum admin: others get 404; staff without the curriculum
# permissions (the world's plain staff member) get 403, as the admin answers them.
STAFF_WITH_CURRICULUM_RIGHTS = {
    "anonymous": LOGIN,
    "learner_a": 404,
    "learner_b": 404,
    "mentor_x": 404,
    "mentor_y": 404,
    "staff": 403,
    "superuser": 200,
}

ENTRIES: dict[str, Entry] = {
    "curriculum:import_file": Entry(expect=STAFF_WITH_CURRICULUM_RIGHTS),
    # Confirming is POST only: a GET answers 405 to everyone signed in.
    "curriculum:import_confirm": Entry(expect={"anonymous": LOGIN}, others=405),
    "curriculum:export_file": Entry(expect=STAFF_WITH_CURRICULUM_RIGHTS),
}
