"""Open Badges 3.0 credentials: claim (learner), download (.jwt and JSON, public by their
unguessable id, as credentials are meant to be shown), revoke (learner; staff in admin), the
issuer's profile, JWKS and revocation list, and the public verify page."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import public
from roadmap.forms.credentials import VerifyForm
from roadmap.models import Credential, PlanItem
from roadmap.services import credentials as credential_services


def _json(data, *, max_age: int) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@public
@require_GET
def issuer(request):
    return _json(credential_services.issuer_profile(), max_age=3600)


@public
@require_GET
def jwks(request):
    return _json(credential_services.jwks(), max_age=3600)


@public
@require_GET
def revocations(request):
    # Short: a revocation should reach verifiers within a minute.
    return _json(credential_services.revocation_list(), max_age=60)


def _credential(uuid) -> Credential:
    return get_object_or_404(Credential, uuid=uuid)


@public
@require_GET
def credential_jwt(request, uuid):
    credential = _credential(uuid)
    response = HttpResponse(credential.jwt, content_type="application/jwt")
    response["Content-Disposition"] = f'attachment; filename="credential-{credential.uuid}.jwt"'
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@require_GET
def credential_json(request, uuid):
    credential = _credential(uuid)
    text = json.dumps(credential_services.credential_document(credential), indent=2)
    response = HttpResponse(text, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="credential-{credential.uuid}.json"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def claim(request, item_id):
    item = get_object_or_404(
        PlanItem.objects.select_related("plan", "project__path", "verified_by"),
        pk=item_id,
        plan__learner=request.user,
    )
    try:
        credential_services.credential_claim(learner=request.user, plan_item=item)
    except credential_services.CredentialError as exc:
        messages.error(request, str(exc))
    except ImproperlyConfigured:
        messages.error(request, "Credentials cannot be issued here yet: no signing key is set up.")
    else:
        messages.success(request, f"Your credential for {item.project.name} is ready.")
    return redirect("roadmap:portfolio")


@login_required
@require_POST
def revoke(request, uuid):
    credential = get_object_or_404(Credential, uuid=uuid, learner=request.user)
    if credential_services.credential_revoke(
        credential=credential, by=request.user, reason="Revoked by the learner"
    ):
        messages.success(request, f"The credential for {credential.project} is revoked.")
    return redirect("roadmap:portfolio")


@public
@require_http_methods(["GET", "POST"])
def verify(request):
    result = None
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = credential_services.credential_verify(text=form.cleaned_data["credential"])
        except ImproperlyConfigured:
            form.add_error(None, "This server has no keys set up, so it cannot verify.")
    return render(request, "roadmap/credentials/verify.html", {"form": form, "result": result})
