import logging

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from .access import public
from .forms import (
    GapmapPasswordChangeForm,
    GapmapPasswordResetForm,
    GapmapSetPasswordForm,
    LoginForm,
    SignupForm,
)
from .services import EmailTaken, user_signup
from .throttling import throttle_hit, throttled

logger = logging.getLogger(__name__)


@public
@require_http_methods(["GET", "POST"])
@throttled("signup", what="sign-ups")
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_signup(form=form)
        except EmailTaken as exc:
            form.add_error("email", str(exc))
        else:
            # Sign-up proves the password just now: no authenticate() round (and no axes count).
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, "Welcome to Gapmap. Start by choosing the path you are aiming for."
            )
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this for a locked-out login: say how long to wait and what else works."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


login_view = public(
    throttled("login", what="log-in attempts")(
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        )
    )
)
logout_view = public(auth_views.LogoutView.as_view())
# PasswordChangeView calls update_session_auth_hash: this session stays, every other one ends.
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    form_class=GapmapPasswordChangeForm,
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = GapmapPasswordResetForm
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if throttle_hit(scope="password_reset_email", key=email) is not None:
            # Enough reset e-mails to this address this hour. The page still says "sent", as it
            # does for an unknown address, so it tells nobody whether the account exists.
            logger.warning("password reset: e-mail limit reached for one recipient")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_reset = public(
    throttled("password_reset", what="password reset requests")(PasswordResetView.as_view())
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = GapmapSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever opened the e-mailed link owns the address: lift an axes lock-out at once.
        axes_reset(username=form.user.email)
        return response


password_reset_confirm = public(PasswordResetConfirmView.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)
