"""Account writes: sign-up (which requests can race) and django-axes' records."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .forms import SignupForm
from .models import User

EMAIL_TAKEN_MESSAGE = (
    "An account with this e-mail address already exists. Log in, or reset your password if you "
    "have forgotten it."
)


class EmailTaken(Exception):
    """Someone else signed up with this address between the form's check and our insert."""


def user_signup(*, form: SignupForm) -> User:
    """Create the learner account of a valid sign-up form. The form's check that the address is
    free can race another sign-up with the same address; the unique column decides, and the
    loser gets EmailTaken instead of a 500."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError as exc:
        if User.objects.filter(email__iexact=form.cleaned_data["email"]).exists():
            raise EmailTaken(EMAIL_TAKEN_MESSAGE) from exc
        raise


AXES_MODELS = ("AccessAttempt", "AccessLog", "AccessFailureLog")


def axes_records_delete(*, email: str) -> int:
    """Delete django-axes' records of log-ins with this address (account deletion)."""
    from axes import models as axes_models

    return sum(
        getattr(axes_models, name).objects.filter(username__iexact=email).delete()[0]
        for name in AXES_MODELS
    )


def axes_records_purge(*, older_than: datetime.timedelta) -> int:
    """Delete django-axes' records older than `older_than` (the retention period). An active
    lock-out is far younger than any retention period, so none is lifted early."""
    from axes import models as axes_models

    cutoff = timezone.now() - older_than
    return sum(
        getattr(axes_models, name).objects.filter(attempt_time__lt=cutoff).delete()[0]
        for name in AXES_MODELS
    )
