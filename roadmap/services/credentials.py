"""Open Badges 3.0 credentials for mentor-verified projects, signed as VC-JWT (EdDSA, Ed25519).

The credential is the W3C Verifiable Credentials 2.0 data model as Open Badges 3.0 profiles it
(an OpenBadgeCredential: the issuer's Profile, an AchievementSubject with the Achievement and its
alignments to the CASE items of the competencies, the evidence, a 1EdTechRevocationList status).
The VC-JWT follows the Open Badges 3.0 JWT proof format: the credential in the `vc` claim, with
`iss`, `jti`, `nbf` (and `exp` when it expires) beside it, and the signing key's `kid` in the
header; the key is in the issuer's published JWKS.

Signing and verifying go through joserfc (a maintained JOSE library by the Authlib author, with
Ed25519 OKP keys and key sets built in); nothing cryptographic is written here."""

import base64
import hashlib
import json
import os
import secrets
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey

from accounts.models import User
from curriculum.models import LevelDescriptor, ScaleLevel
from roadmap.models import CheckpointSignOff, Credential, PlanItem

ALG = "EdDSA"
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
MAX_PASTE = 50_000


class CredentialError(Exception):
    """A claim or revocation that cannot happen; the message says why, in words."""


# --- keys


def _check_key(jwk: dict, index: int) -> None:
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ImproperlyConfigured(
            f"BADGE_SIGNING_KEYS[{index}] must be an Ed25519 JWK (kty OKP, crv Ed25519)"
        )
    if not jwk.get("kid") or not jwk.get("x"):
        raise ImproperlyConfigured(f"BADGE_SIGNING_KEYS[{index}] needs a kid and x")


def key_new(kid: str) -> dict:
    """A new Ed25519 private key as a JWK with `kid` (badge_keygen prints it)."""
    return OKPKey.generate_key("Ed25519", parameters={"kid": kid}).as_dict(private=True)


def _dev_keys() -> list[dict]:
    """DEBUG only: one key generated into var/ on first use, shared by every process there."""
    path = settings.BADGE_DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps([key_new(f"dev-{datetime.now(UTC):%Y%m%d}")])
        try:
            # O_EXCL: of two processes starting at once, one writes and the other reads it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
    return json.loads(path.read_text())


def signing_keys() -> list[dict]:
    """The configured JWKs, the signing key first. Raises ImproperlyConfigured when unusable."""
    keys = settings.BADGE_SIGNING_KEYS
    if keys is None:
        if not settings.DEBUG:
            raise ImproperlyConfigured("BADGE_SIGNING_KEYS must be set when DEBUG is false")
        keys = _dev_keys()
    if not keys:
        raise ImproperlyConfigured("BADGE_SIGNING_KEYS is empty")
    for index, jwk in enumerate(keys):
        _check_key(jwk, index)
    if not keys[0].get("d"):
        raise ImproperlyConfigured("BADGE_SIGNING_KEYS[0] signs, so it needs its private part d")
    return keys


def jwks() -> dict:
    """Every configured key's public part: old credentials stay verifiable after a rotation."""
    public = []
    for jwk in signing_keys():
        key = OKPKey.import_key(jwk)
        public.append({**key.as_dict(private=False), "kid": jwk["kid"], "alg": ALG, "use": "sig"})
    return {"keys": public}


# --- the documents


def _abs(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def issuer_id() -> str:
    return _abs("roadmap:credential_issuer")


def _issuer() -> dict:
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.ISSUER_NAME,
        "url": settings.ISSUER_URL,
    }


def issuer_profile() -> dict:
    """The issuer's Profile, published at its own id."""
    return {"@context": CONTEXT, **_issuer()}


def revocation_list() -> dict:
    """The 1EdTech revocation list every credential's credentialStatus points at."""
    revoked = Credential.objects.exclude(revoked_at=None).order_by("-revoked_at", "-id")
    return {
        "id": _abs("roadmap:credential_revocations"),
        "issuer": issuer_id(),
        "revokedCredentials": [
            {"id": c.urn, "revocationReason": c.revocation_reason or "Revoked"}
            for c in revoked.only("uuid", "revocation_reason")
        ],
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _identity(learner: User) -> list[dict]:
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((learner.email.lower() + salt).encode()).hexdigest()
    return [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": f"sha256${digest}",
            "salt": salt,
        },
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": learner.display_name,
        },
    ]


def _credential_document(credential: Credential, item: PlanItem) -> dict:
    project = item.project
    builds = list(project.builds.select_related("competency").order_by("competency__name"))
    names = ScaleLevel.objects.names()
    descriptors = LevelDescriptor.objects.filter(
        competency_id__in=[b.competency_id for b in builds]
    ).as_map()
    alignments = []
    for build in builds:
        comp, level = build.competency, build.builds_to_level
        described = descriptors.get((comp.id, level), "")
        alignments.append(
            {
                "type": ["Alignment"],
                "targetType": "CFItem",
                "targetName": comp.name,
                "targetUrl": _abs("curriculum:case_item", comp.case_uuid),
                "targetCode": comp.slug,
                "targetFramework": project.path.name,
                "targetDescription": f"Level {level} ({names.get(level, level)})"
                + (f": {described}" if described else ""),
            }
        )
    sign_offs = list(
        CheckpointSignOff.objects.filter(learner=item.plan.learner, checkpoint__project=project)
        .select_related("checkpoint", "mentor")
        .order_by("checkpoint__position", "checkpoint_id")
    )
    mentor = item.verified_by.display_name if item.verified_by else "a mentor"
    evidence = []
    if item.evidence_url:
        evidence.append(
            {
                "id": item.evidence_url,
                "type": ["Evidence"],
                "name": "The learner's project",
                "genre": "Portfolio project",
                **({"narrative": item.reflection} if item.reflection else {}),
            }
        )
    evidence.append(
        {
            "type": ["Evidence"],
            "name": "Mentor verification",
            "genre": "Mentor review",
            "description": f"Verified by {mentor} on {item.verified_at:%Y-%m-%d}.",
            "narrative": "\n".join(
                f"- {s.checkpoint.title}: signed off"
                + (f" by {s.mentor.display_name}" if s.mentor else "")
                + f" on {s.created_at:%Y-%m-%d}"
                + (f" ({s.comment})" if s.comment else "")
                for s in sign_offs
            ),
        }
    )
    document = {
        "@context": CONTEXT,
        "id": credential.urn,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _issuer(),
        "validFrom": _iso(credential.issued_at),
        "name": project.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _identity(item.plan.learner),
            "achievement": {
                "id": _abs("curriculum:case_item", project.case_uuid),
                "type": ["Achievement"],
                "name": project.name,
                "description": project.summary,
                "criteria": {
                    "narrative": "Finish the portfolio project and have every checkpoint signed "
                    "off by a mentor: "
                    + "; ".join(cp.title for cp in project.checkpoints.order_by("position", "id"))
                    + "."
                },
                "alignment": alignments,
            },
        },
        "evidence": evidence,
        "credentialStatus": {
            "id": _abs("roadmap:credential_revocations"),
            "type": "1EdTechRevocationList",
        },
    }
    if credential.expires_at:
        document["validUntil"] = _iso(credential.expires_at)
    return document


def _sign(document: dict, credential: Credential, key: dict) -> str:
    claims = {
        "vc": document,
        "iss": document["issuer"]["id"],
        "jti": document["id"],
        "nbf": int(credential.issued_at.timestamp()),
    }
    if credential.expires_at:
        claims["exp"] = int(credential.expires_at.timestamp())
    header = {"alg": ALG, "typ": "JWT", "kid": key["kid"]}
    with warnings.catch_warnings():
        # joserfc warns that RFC 9864 prefers the algorithm name "Ed25519"; Open Badges 3.0
        # verifiers know "EdDSA", which names the same Ed25519 signature.
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, claims, OKPKey.import_key(key), algorithms=[ALG])


def credential_document(credential: Credential) -> dict:
    """The credential as JSON (the `vc` claim of its JWT, as signed)."""
    payload = credential.jwt.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims["vc"]


# --- claim and revoke


def credential_claim(*, learner: User, plan_item: PlanItem) -> Credential:
    """Issue the learner's credential for a verified, finished plan item (or return the live one
    already issued for that project). Raises CredentialError when the item does not qualify."""
    if plan_item.plan.learner_id != learner.pk:
        raise CredentialError("This project is not on your plan.")
    if plan_item.status != PlanItem.Status.DONE or plan_item.verified_at is None:
        raise CredentialError(
            "A credential can be claimed once the project is finished and a mentor has signed "
            "off every checkpoint."
        )
    existing = Credential.objects.live().filter(learner=learner, project=plan_item.project).first()
    if existing is not None:
        return existing
    key = signing_keys()[0]
    now = timezone.now().replace(microsecond=0)
    days = settings.BADGE_VALIDITY_DAYS
    credential = Credential(
        learner=learner,
        project=plan_item.project,
        plan_item=plan_item,
        kid=key["kid"],
        issued_at=now,
        expires_at=now + timedelta(days=days) if days > 0 else None,
    )
    credential.jwt = _sign(_credential_document(credential, plan_item), credential, key)
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError:
        # Claimed twice at once: the other request's credential is the live one.
        return Credential.objects.live().get(learner=learner, project=plan_item.project)
    return credential


def credential_revoke(*, credential: Credential, by: User, reason: str = "") -> bool:
    """Revoke once; True if this call revoked it. The revocation list shows it from now on."""
    changed = Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by, revocation_reason=reason[:200]
    )
    credential.refresh_from_db()
    return bool(changed)


# --- verification


@dataclass
class Check:
    name: str
    ok: bool
    message: str


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    document: dict | None = None

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, message: str) -> bool:
        self.checks.append(Check(name, ok, message))
        return ok


def _segment(part: str):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def credential_verify(*, text: str, now: datetime | None = None) -> Verification:
    """Check a pasted VC-JWT: format, signature against the published keys, issuer,
    revocation, validity dates. Never raises on bad input; every failure is a Check."""
    result = Verification()
    token = "".join((text or "").split())
    if not token:
        result.add("format", False, "Paste a credential (the contents of its .jwt file).")
        return result
    if len(token) > MAX_PASTE:
        result.add("format", False, f"That is {len(token)} characters; a credential is shorter.")
        return result
    if token.startswith("{"):
        result.add(
            "format",
            False,
            "This looks like the credential's JSON, which carries no signature. Paste the "
            "contents of the .jwt file instead.",
        )
        return result
    parts = token.split(".")
    try:
        header = _segment(parts[0]) if len(parts) == 3 else None
    except ValueError:
        header = None
    if not isinstance(header, dict):
        result.add(
            "format",
            False,
            "This is not a VC-JWT: expected three base64url parts separated by dots.",
        )
        return result
    result.add("format", True, "A JSON Web Token.")
    kid = header.get("kid")
    if header.get("alg") != ALG:
        result.add(
            "signature", False, f"Signed with {header.get('alg')!r}; this issuer signs with {ALG}."
        )
        return result
    keys = {k["kid"]: k for k in jwks()["keys"]}
    if kid not in keys:
        result.add(
            "signature", False, f"Signed with a key this issuer does not publish (kid {kid!r})."
        )
        return result
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            decoded = jwt.decode(
                token, KeySet.import_key_set({"keys": [keys[kid]]}), algorithms=[ALG]
            )
    except (JoseError, ValueError):
        result.add(
            "signature",
            False,
            "The signature does not match: the credential was "
            "changed after it was signed, or someone else signed it.",
        )
        return result
    result.add("signature", True, f"Signed by this issuer's key {kid}.")
    claims = decoded.claims
    document = claims.get("vc") if isinstance(claims.get("vc"), dict) else None
    result.document = document
    issuer = (document or {}).get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if claims.get("iss") != issuer_id() or issuer != issuer_id():
        result.add("issuer", False, f"Issued by {claims.get('iss')!r}, not by {issuer_id()}.")
    else:
        result.add("issuer", True, f"Issued by {settings.ISSUER_NAME} ({issuer_id()}).")
    jti = claims.get("jti") if isinstance(claims.get("jti"), str) else ""
    stored = (
        Credential.objects.filter(uuid=jti.removeprefix("urn:uuid:")).first()
        if (_is_uuid(jti.removeprefix("urn:uuid:")))
        else None
    )
    if stored is None:
        result.add("revocation", False, "This issuer has no record of this credential.")
    elif stored.revoked_at:
        result.add(
            "revocation",
            False,
            f"Revoked on {stored.revoked_at:%Y-%m-%d}"
            + (f": {stored.revocation_reason}" if stored.revocation_reason else "."),
        )
    else:
        result.add("revocation", True, "Not revoked.")
    moment = now or timezone.now()
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(nbf, int | float) and moment.timestamp() < nbf:
        result.add("expiry", False, f"Not valid before {_iso(_from_ts(nbf))}.")
    elif isinstance(exp, int | float) and moment.timestamp() >= exp:
        result.add("expiry", False, f"Expired on {_iso(_from_ts(exp))}.")
    else:
        result.add(
            "expiry", True, "No expiry." if exp is None else f"Valid until {_iso(_from_ts(exp))}."
        )
    return result


def _from_ts(value) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
