"""Account writes that more than one request can race."""

from django.db import IntegrityError, transaction

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
