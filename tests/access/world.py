"""The cast of the access-matrix test: two learners, two mentors, staff and a superuser.

learner_a is in cohort_x (mentored by mentor_x); learner_b is in cohort_y (mentored by mentor_y).
Matrix entries build whatever objects they need from this world."""

from dataclasses import dataclass

from tests import factories

ROLES = ["anonymous", "learner_a", "learner_b", "mentor_x", "mentor_y", "staff", "superuser"]


@dataclass
class World:
    path: object
    learner_a: object
    learner_b: object
    mentor_x: object
    mentor_y: object
    staff: object
    superuser: object
    cohort_x: object
    cohort_y: object

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


def build_world() -> World:
    path = factories.PathFactory(slug="ai-developer", name="AI Developer")
    competency = factories.CompetencyFactory(slug="python", name="Python")
    factories.PathCompetencyFactory(path=path, competency=competency)
    learner_a = factories.LearnerFactory(email="a@example.com", target_path=path)
    learner_b = factories.LearnerFactory(email="b@example.com", target_path=path)
    mentor_x = factories.MentorFactory(email="mx@example.com")
    mentor_y = factories.MentorFactory(email="my@example.com")
    staff = factories.StaffFactory(email="staff@example.com")
    superuser = factories.StaffFactory(email="root@example.com", is_superuser=True)
    cohort_x = factories.CohortFactory(name="Cohort X", path=path)
    cohort_x.mentors.add(mentor_x)
    factories.CohortMembershipFactory(cohort=cohort_x, learner=learner_a)
    cohort_y = factories.CohortFactory(name="Cohort Y", path=path)
    cohort_y.mentors.add(mentor_y)
    factories.CohortMembershipFactory(cohort=cohort_y, learner=learner_b)
    return World(
        path, learner_a, learner_b, mentor_x, mentor_y, staff, superuser, cohort_x, cohort_y
    )
