"""Standards in and out: the CASE curriculum (public), Open Badges credentials, the JSON API."""

from tests.access.matrix import LOGIN, Entry


def _path_uuid(world):
    return {"identifier": world.path.case_uuid}


def _item_uuid(world):
    return {"identifier": world.path.path_competencies.first().competency.case_uuid}


def _public(kwargs=None) -> Entry:
    return Entry(expect={}, others=200, kwargs=kwargs)


ENTRIES = {
    "curriculum:case_documents": _public(),
    "curriculum:case_document": _public(_path_uuid),
    "curriculum:case_package": _public(_path_uuid),
    "curriculum:case_item": _public(_item_uuid),
}


def _credential(world):
    """A credential of learner_a's (signed for real: its JSON download decodes the JWT)."""
    from django.utils import timezone

    from roadmap.models import Credential
    from roadmap.services.credentials import signing_keys
    from tests.factories import ProjectFactory

    project = ProjectFactory(path=world.path)
    kid = signing_keys()[0]["kid"]
    credential = Credential(learner=world.learner_a, project=project, kid=kid)
    credential.issued_at = timezone.now()
    credential.jwt = "eyJhbGciOiJFZERTQSJ9." + "eyJ2YyI6eyJpZCI6InVybjp4In19" + ".c2ln"
    credential.save()
    return {"uuid": credential.uuid}


def _plan_item(world):
    from tests.factories_plans import PlanFactory, PlanItemFactory

    return {"item_id": PlanItemFactory(plan=PlanFactory(learner=world.learner_a)).pk}


# A GET of a POST-only view: sign-in first, then 405 for everyone signed in.
_POST_ONLY = {"expect": {"anonymous": LOGIN}, "others": 405}

ENTRIES |= {
    "roadmap:credential_issuer": _public(),
    "roadmap:credential_jwks": _public(),
    "roadmap:credential_revocations": _public(),
    "roadmap:credential_verify": _public(),
    # Credentials are public by their unguessable id: they are made to be shown to employers.
    "roadmap:credential_jwt": _public(_credential),
    "roadmap:credential_json": _public(_credential),
    "roadmap:credential_revoke": Entry(**_POST_ONLY, kwargs=_credential),
    "roadmap:credential_claim": Entry(**_POST_ONLY, kwargs=_plan_item),
}


def _token(world):
    from roadmap.services.api import token_create

    token, _ = token_create(user=world.learner_a, name="matrix")
    return {"token_id": token.pk}


# The JSON API reads bearer tokens only: a signed-in session (what this matrix drives) is not
# enough, so every role gets 401. tests/roadmap/test_api.py checks each endpoint with tokens of
# the owner, another learner, mentors inside and outside the cohort, staff.
def _api(kwargs=None) -> Entry:
    return Entry(expect={}, others=401, kwargs=kwargs)


ENTRIES |= {
    "roadmap:api_schema": _public(),
    "roadmap:api_me": _api(),
    "roadmap:api_current_ratings": _api(lambda w: {"learner_id": w.learner_a.pk}),
    "roadmap:api_ratings": _api(lambda w: {"learner_id": w.learner_a.pk}),
    "roadmap:api_readiness": _api(lambda w: {"learner_id": w.learner_a.pk}),
    "roadmap:api_plans": _api(lambda w: {"learner_id": w.learner_a.pk}),
    "roadmap:api_cohorts": _api(),
    "roadmap:api_cohort": _api(lambda w: {"cohort_id": w.cohort_x.pk}),
    "roadmap:api_token_create": Entry(**_POST_ONLY),
    "roadmap:api_token_revoke": Entry(**_POST_ONLY, kwargs=_token),
}
