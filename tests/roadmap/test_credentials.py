"""Open Badges 3.0 credentials (roadmap/services/credentials.py, roadmap/views/credentials.py):
claimed only for mentor-verified projects, signed as VC-JWT with Ed25519 and verified here by an
independent implementation (the `cryptography` library against the published JWKS), tampering
detected, revocation reported, old credentials valid after a key rotation."""

import base64
import json
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.contrib.admin.sites import site
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Credential, PlanItem
from roadmap.services import credentials as svc
from roadmap.services.mentoring import checkpoint_sign_off
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory

pytestmark = pytest.mark.django_db


def b64d(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(autouse=True)
def keys(settings):
    settings.SITE_URL = "http://testserver"
    settings.ISSUER_NAME = "Gapmap Test"
    settings.BADGE_SIGNING_KEYS = [svc.key_new("k-2026-01")]
    return settings.BADGE_SIGNING_KEYS


@pytest.fixture
def setup():
    path = factories.PathFactory()
    comp = factories.CompetencyFactory(name="Retrieval")
    factories.PathCompetencyFactory(path=path, competency=comp)
    factories.LevelDescriptorFactory(competency=comp, level=3, description="Ships RAG alone.")
    project = factories.ProjectFactory(path=path, name="Doc QA")
    factories.ProjectCompetencyFactory(project=project, competency=comp, builds_to_level=3)
    checkpoints = [
        factories.ProjectCheckpointFactory(project=project, title=t, position=i)
        for i, t in enumerate(["Ingestion", "Demo"])
    ]
    learner = factories.LearnerFactory(email="ada@example.com", full_name="Ada L")
    mentor = factories.MentorFactory(full_name="Grace H")
    cohort = factories.CohortFactory(path=path)
    cohort.mentors.add(mentor)
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    item = PlanItemFactory(plan=PlanFactory(learner=learner, path=path), project=project)
    item.complete(evidence_url="https://github.com/ada/docqa", reflection="Chunking mattered.")
    for cp in checkpoints:
        checkpoint_sign_off(mentor=mentor, learner=learner, checkpoint=cp, comment="Good")
    item.refresh_from_db()
    assert item.verified_at is not None
    return {"learner": learner, "mentor": mentor, "item": item, "project": project}


def independent_verify(client, token: str) -> dict:
    """Check the EdDSA signature with `cryptography` and the key from the published JWKS."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64d(header_b64))
    assert header["alg"] == "EdDSA"
    published = client.get(reverse("roadmap:credential_jwks")).json()["keys"]
    jwk = next(k for k in published if k["kid"] == header["kid"])
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    public_key = Ed25519PublicKey.from_public_bytes(b64d(jwk["x"]))
    public_key.verify(b64d(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    return json.loads(b64d(payload_b64))


def test_claimed_credential_verifies_independently_and_says_what_it_should(client, setup):
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])

    claims = independent_verify(client, credential.jwt)
    vc = claims["vc"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["iss"] == vc["issuer"]["id"] == "http://testserver/credentials/issuer/"
    assert claims["jti"] == vc["id"] == f"urn:uuid:{credential.uuid}"
    assert vc["issuer"]["name"] == "Gapmap Test" and vc["issuer"]["type"] == ["Profile"]
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["name"] == "Doc QA"
    (alignment,) = subject["achievement"]["alignment"]
    assert alignment["targetName"] == "Retrieval"
    assert alignment["targetType"] == "CFItem"
    assert alignment["targetDescription"].startswith("Level 3")
    assert "Ships RAG alone." in alignment["targetDescription"]
    evidence = {e["name"]: e for e in vc["evidence"]}
    assert evidence["The learner's project"]["id"] == "https://github.com/ada/docqa"
    assert "Grace H" in evidence["Mentor verification"]["description"]
    assert "Ingestion" in evidence["Mentor verification"]["narrative"]
    assert vc["credentialStatus"]["type"] == "1EdTechRevocationList"
    # The e-mail address is hashed, never in the clear.
    assert "ada@example.com" not in json.dumps(vc)


def test_tampered_payload_fails_both_verifiers(client, setup):
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    header_b64, payload_b64, signature_b64 = credential.jwt.split(".")
    claims = json.loads(b64d(payload_b64))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Something grander"
    forged = f"{header_b64}.{b64e(json.dumps(claims).encode())}.{signature_b64}"

    with pytest.raises(InvalidSignature):
        independent_verify(client, forged)
    result = svc.credential_verify(text=forged)
    assert not result.valid
    assert "changed after it was signed" in next(c for c in result.checks if not c.ok).message


def test_revoked_credential_is_reported(client, setup):
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    svc.credential_revoke(credential=credential, by=setup["learner"], reason="Mistake")

    result = svc.credential_verify(text=credential.jwt)

    assert not result.valid
    revocation = next(c for c in result.checks if c.name == "revocation")
    assert not revocation.ok and "Mistake" in revocation.message
    listed = client.get(reverse("roadmap:credential_revocations")).json()
    assert listed["revokedCredentials"] == [{"id": credential.urn, "revocationReason": "Mistake"}]


def test_rotation_keeps_old_credentials_valid(client, setup, settings, keys):
    old = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    # Rotate: a new signing key first; the old key stays published, without its private part.
    old_public = {k: v for k, v in keys[0].items() if k != "d"}
    settings.BADGE_SIGNING_KEYS = [svc.key_new("k-2026-07"), old_public]
    svc.credential_revoke(credential=old, by=setup["learner"])
    new = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])

    assert json.loads(b64d(new.jwt.split(".")[0]))["kid"] == "k-2026-07"
    independent_verify(client, old.jwt)
    independent_verify(client, new.jwt)
    assert svc.credential_verify(text=new.jwt).valid
    old_result = svc.credential_verify(text=old.jwt)
    assert {c.name for c in old_result.checks if not c.ok} == {"revocation"}

    # A key dropped from the list no longer verifies what it signed.
    settings.BADGE_SIGNING_KEYS = [settings.BADGE_SIGNING_KEYS[0]]
    result = svc.credential_verify(text=old.jwt)
    assert "does not publish" in next(c for c in result.checks if c.name == "signature").message


def test_expiry_is_checked(setup, settings):
    settings.BADGE_VALIDITY_DAYS = 30
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])

    assert svc.credential_verify(text=credential.jwt).valid
    later = svc.credential_verify(text=credential.jwt, now=timezone.now() + timedelta(days=31))
    expiry = next(c for c in later.checks if c.name == "expiry")
    assert not expiry.ok and "Expired" in expiry.message


def test_claim_needs_a_verified_finished_item(setup):
    learner = setup["learner"]
    unverified = PlanItemFactory(plan=setup["item"].plan, project=factories.ProjectFactory())
    with pytest.raises(svc.CredentialError, match="mentor has signed off"):
        svc.credential_claim(learner=learner, plan_item=unverified)
    with pytest.raises(svc.CredentialError, match="not on your plan"):
        svc.credential_claim(learner=factories.LearnerFactory(), plan_item=setup["item"])
    assert not Credential.objects.exists()


def test_claiming_twice_returns_the_live_credential(setup):
    first = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    again = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    assert again.pk == first.pk
    assert Credential.objects.count() == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Paste a credential"),
        ("hello", "not a VC-JWT"),
        ("a.b.c", "not a VC-JWT"),
        ("!!!.***.???", "not a VC-JWT"),
        ('{"vc": 1}', "no signature"),
        (b64e(b'{"alg":"none"}') + ".e30.", "'none'"),
        (b64e(b'{"alg":"EdDSA","kid":"other"}') + ".e30.AAAA", "does not publish"),
        (b64e(b'{"alg":"EdDSA","kid":"k-2026-01"}') + ".e30.AAAA", "changed after"),
        (b64e(b"[1,2]") + ".e30.AAAA", "not a VC-JWT"),
        ("x" * 60_000, "a credential is shorter"),
    ],
)
def test_garbage_gets_a_clear_message(text, message):
    result = svc.credential_verify(text=text)
    assert not result.valid
    assert message in " ".join(c.message for c in result.checks)


def test_production_without_keys_refuses(settings):
    settings.BADGE_SIGNING_KEYS = None
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="BADGE_SIGNING_KEYS must be set"):
        svc.signing_keys()
    from roadmap.checks import badge_signing_keys_check

    assert [e.id for e in badge_signing_keys_check(None)] == ["gapmap.E003"]


def test_development_key_is_generated_once_into_var(settings, tmp_path):
    settings.BADGE_SIGNING_KEYS = None
    settings.DEBUG = True
    settings.BADGE_DEV_KEY_FILE = tmp_path / "keys.json"
    first = svc.signing_keys()
    assert svc.signing_keys() == first
    assert (tmp_path / "keys.json").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "bad, message",
    [
        ([], "empty"),
        ([{"kty": "RSA"}], "must be an Ed25519 JWK"),
        ([{"kty": "OKP", "crv": "Ed25519", "x": "abc"}], "needs a kid"),
    ],
)
def test_bad_key_settings_are_named(settings, bad, message):
    settings.BADGE_SIGNING_KEYS = bad
    with pytest.raises(ImproperlyConfigured, match=message):
        svc.signing_keys()


# --- views


def test_claim_view_issues_and_portfolio_links_it(client, setup):
    client.force_login(setup["learner"])
    page = client.get(reverse("roadmap:portfolio"))
    claim_url = reverse("roadmap:credential_claim", args=[setup["item"].pk])
    assert claim_url in page.content.decode()

    response = client.post(claim_url)

    assert response.status_code == 302
    credential = Credential.objects.get()
    page = client.get(reverse("roadmap:portfolio")).content.decode()
    assert reverse("roadmap:credential_jwt", args=[credential.uuid]) in page
    assert claim_url not in page
    # The public portfolio links the credential too.
    plan = setup["item"].plan
    plan.share_token = "share-me"
    plan.save()
    client.logout()
    public = client.get(reverse("roadmap:portfolio_public", args=["share-me"])).content.decode()
    assert reverse("roadmap:credential_json", args=[credential.uuid]) in public
    assert reverse("roadmap:credential_revoke", args=[credential.uuid]) not in public


def test_claim_view_refuses_wrong_method_anonymous_and_outsider(client, setup):
    url = reverse("roadmap:credential_claim", args=[setup["item"].pk])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(factories.LearnerFactory())
    assert client.post(url).status_code == 404
    client.force_login(setup["learner"])
    assert client.get(url).status_code == 405
    assert not Credential.objects.exists()


def test_unverified_claim_view_says_why(client, setup):
    PlanItem.objects.filter(pk=setup["item"].pk).update(verified_at=None)
    client.force_login(setup["learner"])
    response = client.post(
        reverse("roadmap:credential_claim", args=[setup["item"].pk]), follow=True
    )
    assert "mentor has signed off every checkpoint" in response.content.decode()
    assert not Credential.objects.exists()


def test_downloads(client, setup):
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    jwt_response = client.get(reverse("roadmap:credential_jwt", args=[credential.uuid]))
    assert jwt_response["Content-Type"] == "application/jwt"
    assert jwt_response.content.decode() == credential.jwt
    assert "attachment" in jwt_response["Content-Disposition"]
    json_response = client.get(reverse("roadmap:credential_json", args=[credential.uuid]))
    assert json_response.json()["id"] == credential.urn
    unknown = "0b7d3c9e-51f6-4a56-9d3b-2d6f4f0c8a11"
    assert client.get(reverse("roadmap:credential_jwt", args=[unknown])).status_code == 404


def test_learner_revokes_own_credential_only(client, setup):
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    url = reverse("roadmap:credential_revoke", args=[credential.uuid])
    client.force_login(factories.LearnerFactory())
    assert client.post(url).status_code == 404
    client.force_login(setup["learner"])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoked_by == setup["learner"]


def test_staff_revoke_in_admin(client, setup):
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    staff = factories.StaffFactory(is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:roadmap_credential_changelist"),
        {"action": "revoke", "_selected_action": [credential.pk]},
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_by == staff
    assert site.is_registered(Credential)


def test_verify_page(client, setup):
    credential = svc.credential_claim(learner=setup["learner"], plan_item=setup["item"])
    url = reverse("roadmap:credential_verify")
    assert client.get(url).status_code == 200

    good = client.post(url, {"credential": credential.jwt})
    assert good.status_code == 200
    assert "Valid credential" in good.content.decode()
    assert "Doc QA" in good.content.decode()

    for garbage in ["nonsense", "a.b.c", "é" * 100]:
        response = client.post(url, {"credential": garbage})
        assert response.status_code == 200
        assert "Not valid" in response.content.decode()
    nulls = client.post(url, {"credential": "\x00\x01"})
    assert nulls.status_code == 200
    assert "Null characters are not allowed" in nulls.content.decode()
    assert client.post(url, {}).status_code == 200
    assert client.put(url).status_code == 405


def test_issuer_profile_and_jwks_are_public(client):
    profile = client.get(reverse("roadmap:credential_issuer"))
    assert profile.status_code == 200
    assert profile.json()["type"] == ["Profile"]
    assert "public" in profile["Cache-Control"]
    keys = client.get(reverse("roadmap:credential_jwks")).json()["keys"]
    assert [k["kid"] for k in keys] == ["k-2026-01"]
    assert all("d" not in k for k in keys)


def test_portfolio_query_count_flat_with_credentials(client, setup, django_assert_max_num_queries):
    learner = setup["learner"]
    client.force_login(learner)
    svc.credential_claim(learner=learner, plan_item=setup["item"])
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            item = PlanItemFactory(plan=setup["item"].plan, project=factories.ProjectFactory())
            item.complete(evidence_url="https://example.com/x")
            Credential.objects.create(
                learner=learner,
                project=item.project,
                plan_item=item,
                jwt="x.y.z",
                kid="k",
                issued_at=timezone.now(),
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("roadmap:portfolio")).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
