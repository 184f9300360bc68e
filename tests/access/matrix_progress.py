"""Access-matrix entries for the progress area (see tests/access/matrix.py).

Every page here is about the signed-in user's own data, so every signed-in role gets its own."""

from tests.access.matrix import LOGIN, Entry, learner_page, mentor_page, owned_by_learner_a  # noqa: F401

ENTRIES: dict[str, Entry] = {
    "roadmap:dashboard": learner_page(),
    "roadmap:my_data": learner_page(),
    "roadmap:export_json": learner_page(),
    "roadmap:export_csv": learner_page(),
    # GET shows the confirmation form; deleting needs a POST with the typed e-mail.
    "roadmap:delete_account": learner_page(),
}
