"""Concurrent sign-ups with one address: one account, and a clear form error for the others,
never a 500."""

import threading

import pytest
from django.test import Client
from django.urls import reverse

from accounts.forms import SignupForm
from accounts.models import User
from accounts.services import EmailTaken, user_signup
from tests import factories

DATA = {
    "email": "race@example.com",
    "full_name": "Rae Race",
    "password1": factories.PASSWORD,
    "password2": factories.PASSWORD,
}


@pytest.mark.django_db
def test_a_sign_up_that_loses_the_race_gets_email_taken_not_an_integrity_error():
    form = SignupForm(DATA)
    assert form.is_valid()  # the address is free when the form checks it ...
    factories.LearnerFactory(email="race@example.com")  # ... and taken before the insert

    with pytest.raises(EmailTaken, match="already exists"):
        user_signup(form=form)

    assert User.objects.filter(email="race@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_with_one_address_give_one_account_and_form_errors():
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    responses = []

    def sign_up():
        client = Client(raise_request_exception=False)
        barrier.wait()
        responses.append(client.post(reverse("accounts:signup"), DATA))

    threads = [threading.Thread(target=sign_up) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * (threads_count - 1) + [302]
    for response in responses:
        if response.status_code == 200:
            assert "already exists" in response.content.decode()
    assert User.objects.filter(email="race@example.com").count() == 1
