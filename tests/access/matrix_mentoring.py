"""Access-matrix entries for the mentoring area (see tests/access/matrix.py).

mentor_x mentors cohort_x (learner_a); mentor_y mentors cohort_y and gets 404 for cohort_x and
learner_a; learners get 404 for mentor pages; superusers see everything. Staff without the
accounts.view_all_cohorts permission get 404 too: being staff alone grants no learner data
(tests/accounts/test_mentor_access.py gives staff the permission)."""

from tests.access.matrix import LOGIN, Entry, learner_page, mentor_page, owned_by_learner_a  # noqa: F401

# Mentor of cohort_x (and superusers) get it; mentor_y, learners and plain staff get 404.
COHORT_X = {"anonymous": LOGIN, "learner_a": 404, "learner_b": 404, "mentor_y": 404, "staff": 404}


# The program view: staff with accounts.view_all_cohorts (superusers have it) only; mentors,
# learners and plain staff get 404 (tests/roadmap/test_program.py gives staff the permission).
PROGRAM = {
    "anonymous": LOGIN,
    "learner_a": 404,
    "learner_b": 404,
    "mentor_x": 404,
    "mentor_y": 404,
    "staff": 404,
}


def cohort_x(world):
    return {"cohort_id": world.cohort_x.pk}


def learner_a(world):
    return {"cohort_id": world.cohort_x.pk, "learner_id": world.learner_a.pk}


def invite_x(world):
    from tests.factories_mentoring import CohortInviteFactory

    invite = CohortInviteFactory(cohort=world.cohort_x, created_by=world.mentor_x)
    return {**cohort_x(world), "invite_id": invite.pk}


def rating_a(world):
    from tests.factories import RatingFactory

    competency = world.path.path_competencies.first().competency
    rating = RatingFactory(learner=world.learner_a, competency=competency)
    return {**learner_a(world), "rating_id": rating.pk}


def checkpoint_x(world):
    from tests.factories import ProjectCheckpointFactory, ProjectFactory

    checkpoint = ProjectCheckpointFactory(project=ProjectFactory(path=world.path))
    return {**learner_a(world), "checkpoint_id": checkpoint.pk}


def invite_code(world):
    from tests.factories_mentoring import CohortInviteFactory

    return {"code": CohortInviteFactory(cohort=world.cohort_x).code}


ENTRIES: dict[str, Entry] = {
    # Mentors and staff create cohorts; learners get 404.
    "roadmap:cohort_create": mentor_page(),
    "roadmap:cohort_edit": Entry(expect=COHORT_X, others=200, kwargs=cohort_x),
    # An empty (not form-encoded) POST: 400 (form errors) once past the access check.
    "roadmap:cohort_mentor_add": Entry(expect=COHORT_X, others=400, kwargs=cohort_x, method="POST"),
    "roadmap:cohort_detail": Entry(expect=COHORT_X, others=200, kwargs=cohort_x),
    "roadmap:cohort_csv": Entry(expect=COHORT_X, others=200, kwargs=cohort_x),
    "roadmap:cohort_invites": Entry(expect=COHORT_X, others=200, kwargs=cohort_x),
    # POSTs: the mentor of cohort_x and staff are redirected after the change; others 404.
    "roadmap:cohort_invite_revoke": Entry(
        expect=COHORT_X, others=302, kwargs=invite_x, method="POST"
    ),
    "roadmap:mentor_learner": Entry(expect=COHORT_X, others=200, kwargs=learner_a),
    # The matrix sends POSTs with client.generic, whose body is not form-encoded: these forms
    # arrive empty, so 400 (form errors) proves the view was reached past the access check. The
    # valid POSTs are tested in tests/roadmap/test_mentoring_views.py.
    "roadmap:mentor_feedback": Entry(expect=COHORT_X, others=400, kwargs=learner_a, method="POST"),
    "roadmap:mentor_rating_record": Entry(
        expect=COHORT_X, others=400, kwargs=learner_a, method="POST"
    ),
    "roadmap:mentor_rating_verify": Entry(
        expect=COHORT_X, others=302, kwargs=rating_a, method="POST"
    ),
    "roadmap:mentor_checkpoint_signoff": Entry(
        expect=COHORT_X, others=302, kwargs=checkpoint_x, method="POST"
    ),
    # Learner pages about the signed-in user's own data.
    "roadmap:join": learner_page(),
    "roadmap:join_code": learner_page(kwargs=invite_code),
    "roadmap:my_cohorts": learner_page(),
    "roadmap:my_feedback": learner_page(),
    "roadmap:calibration": learner_page(),
    # Only a current member can open the leave confirmation of cohort_x: learner_a.
    "roadmap:cohort_leave": owned_by_learner_a(kwargs=cohort_x),
    "roadmap:program": Entry(expect=PROGRAM, others=200),
    "roadmap:program_csv": Entry(expect=PROGRAM, others=200),
}
