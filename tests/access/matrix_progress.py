"""Access-matrix entries for the progress area (see tests/access/matrix.py).

Every page here is about the signed-in user's own data, so every signed-in role gets its own."""

from tests.access.matrix import LOGIN, Entry, learner_page, mentor_page, owned_by_learner_a  # noqa: F401


def _celebration(world):
    from django.utils import timezone

    from roadmap.models import Celebration

    celebration = Celebration.objects.create(
        learner=world.learner_a,
        path=world.path,
        kind="project_done",
        subject_id=1,
        name="A",
        achieved_at=timezone.now(),
    )
    return {"celebration_id": celebration.pk}


ENTRIES: dict[str, Entry] = {
    "roadmap:dashboard": learner_page(),
    "roadmap:my_data": learner_page(),
    "roadmap:export_json": learner_page(),
    "roadmap:export_csv": learner_page(),
    # GET shows the confirmation form; deleting needs a POST with the typed e-mail.
    "roadmap:delete_account": learner_page(),
    # Closing learner_a's celebration: they are sent back to the dashboard, others get 404.
    "roadmap:celebration_dismiss": Entry(
        expect={"anonymous": LOGIN, "learner_a": 302},
        others=404,
        method="POST",
        kwargs=_celebration,
    ),
}
