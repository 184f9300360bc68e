"""Conversation views: a feedback thread and its replies (the learner and their cohorts'
mentors), a mentor's announcements to a cohort, invitations by e-mail and the personal link an
invitation carries.

Access (RELIABILITY 14): a thread only through _get_feedback_for_user (the learner's own, or a
learner in a cohort the user mentors); a cohort only through get_cohort_for_user (its mentors)
or the user's own active membership (its announcements, for learners); an invitation
link only by its signed token, and it admits only the account with the invited address.
Anything else is 404."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import mentor_required, public
from accounts.forms import SignupForm
from accounts.models import CohortMembership, User
from accounts.services import EmailTaken, user_signup
from accounts.throttling import client_ip, throttle_hit, too_many_requests
from roadmap.forms.conversations import AnnouncementForm, EmailInviteForm, ReplyForm
from roadmap.models import Feedback
from roadmap.services import conversations as svc
from roadmap.views.cohorts import get_cohort_for_user

ANNOUNCEMENTS_SHOWN = 20
INVITES_SHOWN = 100


# --- access helpers -------------------------------------------------------------------------------
def _get_feedback_for_user(user, feedback_id) -> Feedback:
    return get_object_or_404(
        svc.thread_replies(svc.feedback_visible_to(user)).select_related(
            "learner", "author", "competency", "project"
        ),
        pk=feedback_id,
    )


# --- feedback threads -----------------------------------------------------------------------------
def _thread_page(request, feedback, form=None, status=200, replied=False):
    context = {
        "f": feedback,
        "replied": replied,
        "reply_form": form or ReplyForm(feedback_id=feedback.pk),
        "is_learner": feedback.learner_id == request.user.pk,
    }
    if request.htmx:  # 200 with the errors: htmx 2 swaps only 2xx answers
        return render(request, "roadmap/conversations/thread.html#thread", context)
    return render(request, "roadmap/conversations/thread.html", context, status=status)


@require_GET
def feedback_thread(request, feedback_id):
    feedback = _get_feedback_for_user(request.user, feedback_id)
    if feedback.learner_id == request.user.pk and feedback.read_at is None:
        Feedback.objects.filter(pk=feedback.pk).update(read_at=timezone.now())
    return _thread_page(request, feedback)


@require_POST
def feedback_reply(request, feedback_id):
    feedback = _get_feedback_for_user(request.user, feedback_id)
    form = ReplyForm(request.POST, feedback_id=feedback.pk)
    if not form.is_valid():
        return _thread_page(request, feedback, form, status=400)
    svc.feedback_reply(feedback=feedback, author=request.user, body=form.cleaned_data["body"])
    if request.htmx:
        feedback = _get_feedback_for_user(request.user, feedback_id)  # with the new reply
        return _thread_page(request, feedback, replied=True)
    messages.success(request, "Reply sent.")
    response = redirect("roadmap:feedback_thread", feedback.pk)
    response["Location"] += f"#thread-{feedback.pk}"
    return response


# --- announcements (mentors) ----------------------------------------------------------------------
def _announcements_page(request, cohort, form, status=200):
    context = {
        "cohort": cohort,
        "form": form,
        "announcements": cohort.announcements.select_related("author")[:ANNOUNCEMENTS_SHOWN],
        "members": cohort.memberships.active().count(),
    }
    template = "roadmap/conversations/announcements.html"
    if request.htmx:  # 200 with the errors: htmx 2 swaps only 2xx answers
        template, status = template + "#announce", 200
    return render(request, template, context, status=status)


@mentor_required
@require_http_methods(["GET", "POST"])
def cohort_announcements(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    if request.method == "GET":
        return _announcements_page(request, cohort, AnnouncementForm())
    form = AnnouncementForm(request.POST)
    if not form.is_valid():
        return _announcements_page(request, cohort, form, status=400)
    announcement, created = svc.announcement_send(
        cohort=cohort, author=request.user, **form.cleaned_data
    )
    if created:
        messages.success(
            request,
            f"Announcement sent to {announcement.recipients} learner"
            f"{'' if announcement.recipients == 1 else 's'}.",
        )
    else:
        messages.info(request, "That announcement was already sent; it was not sent again.")
    if request.htmx:
        return _announcements_page(request, cohort, AnnouncementForm())
    return redirect("roadmap:cohort_announcements", cohort.pk)


@require_GET
def my_announcements(request, cohort_id):
    """A member's view of their cohort's announcements (the notification links here)."""
    membership = get_object_or_404(
        CohortMembership.objects.active().select_related("cohort"),
        learner=request.user,
        cohort_id=cohort_id,
    )
    cohort = membership.cohort
    return render(
        request,
        "roadmap/conversations/my_announcements.html",
        {
            "cohort": cohort,
            "announcements": cohort.announcements.select_related("author")[:ANNOUNCEMENTS_SHOWN],
        },
    )


# --- invitations by e-mail (mentors) --------------------------------------------------------------
def _invites_page(request, cohort, form, outcome=None, status=200):
    now = timezone.now()
    invites = cohort.email_invites.select_related("accepted_by")[:INVITES_SHOWN]
    context = {
        "cohort": cohort,
        "form": form,
        "outcome": outcome,
        "invites": [(invite, invite.status(now)) for invite in invites],
    }
    template = "roadmap/conversations/email_invites.html"
    if request.htmx:  # 200 with the errors: htmx 2 swaps only 2xx answers
        template, status = template + "#invite-form", 200
    return render(request, template, context, status=status)


@mentor_required
@require_http_methods(["GET", "POST"])
def cohort_email_invites(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    if request.method == "GET":
        return _invites_page(request, cohort, EmailInviteForm())
    form = EmailInviteForm(request.POST)
    if not form.is_valid():
        return _invites_page(request, cohort, form, status=400)
    outcome = svc.email_invites_send(
        cohort=cohort, created_by=request.user, addresses=form.cleaned_data["addresses"]
    )
    outcome.repeated = form.repeated
    if request.htmx:
        return _invites_page(request, cohort, EmailInviteForm(), outcome)
    if outcome.sent:
        messages.success(request, f"Invitation sent to {', '.join(outcome.sent)}.")
    for address, why in outcome.skipped:
        messages.info(request, f"Not sent to {address}: {why}.")
    if form.repeated:
        messages.info(request, f"Listed more than once, invited once: {', '.join(form.repeated)}.")
    return redirect("roadmap:cohort_email_invites", cohort.pk)


@mentor_required
@require_POST
def cohort_email_invite_revoke(request, cohort_id, invite_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    invite = get_object_or_404(cohort.email_invites, pk=invite_id)
    if svc.email_invite_revoke(invite=invite):
        messages.success(request, f"The invitation to {invite.email} no longer works.")
    else:
        messages.info(
            request,
            f"The invitation to {invite.email} was already {invite.status(timezone.now())}.",
        )
    return redirect("roadmap:cohort_email_invites", cohort.pk)


# --- the invitation's link (anyone with it) -------------------------------------------------------
def _signup_form(invite, data=None):
    """The sign-up form for the invited address: the address is the invitation's, not typed."""
    if data is not None:
        data = data.copy()
        data["email"] = invite.email
    form = SignupForm(data, initial={"email": invite.email})
    form.fields["email"].widget.attrs.update(readonly=True, autofocus=False)
    form.fields["full_name"].widget.attrs["autofocus"] = True
    return form


@public
@require_http_methods(["GET", "POST"])
def email_invite(request, token):
    """GET names the cohort and its mentors; POST accepts (link scanners must not join anyone).
    Signed in with the invited address: a Join button. Signed out: a sign-up form for that
    address, or a log-in link if it has an account. Signed in as someone else: says so."""
    invite = svc.invite_from_token(token)
    if invite is None:
        return render(
            request, "roadmap/conversations/invite_join.html", {"invalid": True}, status=404
        )
    now = timezone.now()
    state = invite.status(now)
    user = request.user
    context = {
        "invite": invite,
        "state": state,
        "token": token,
        "mentors": sorted(invite.cohort.mentors.all(), key=lambda m: m.display_name.casefold()),
        "login_url": f"{reverse('accounts:login')}?next={request.path}",
    }
    if state != "open":
        return render(request, "roadmap/conversations/invite_join.html", context, status=410)
    if user.is_authenticated:
        context["mismatch"] = not svc.address_matches(invite, user)
        if request.method == "POST":
            try:
                membership = svc.email_invite_accept(invite=invite, user=user)
            except svc.InviteError as error:
                context["error"] = str(error)
                return render(
                    request, "roadmap/conversations/invite_join.html", context, status=400
                )
            messages.success(request, f"You are in “{membership.cohort.name}”.")
            return redirect("roadmap:my_cohorts")
        return render(request, "roadmap/conversations/invite_join.html", context)
    context["has_account"] = User.objects.filter(email__iexact=invite.email).exists()
    if context["has_account"]:
        if request.method == "POST":
            return redirect(context["login_url"])
        return render(request, "roadmap/conversations/invite_join.html", context)
    if request.method == "POST":  # a sign-up: throttled per address like the sign-up page
        retry_after = throttle_hit(scope="signup", key=client_ip(request) or "unknown")
        if retry_after is not None:
            return too_many_requests(request, retry_after=retry_after, what="sign-ups")
    form = _signup_form(invite, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = user_signup(form=form)
        except EmailTaken as exc:
            form.add_error("email", str(exc))
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            try:
                membership = svc.email_invite_accept(invite=invite, user=new_user)
            except svc.InviteError as error:  # used up between the check above and now
                messages.error(request, f"Your account is ready, but: {error}")
                return redirect("home")
            messages.success(
                request,
                f"Welcome to Gapmap: you are in “{membership.cohort.name}”. Start by choosing "
                "the path you are aiming for.",
            )
            return redirect("home")
    context["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "roadmap/conversations/invite_join.html", context, status=status)
