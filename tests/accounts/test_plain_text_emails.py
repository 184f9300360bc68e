"""Plain-text e-mails are not HTML-escaped: O'Brien stays O'Brien."""

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_password_reset_e_mail_keeps_apostrophes_and_ampersands(client):
    factories.LearnerFactory(email="ob@example.com", full_name="Siobhán O'Brien & <Co>")

    client.post(reverse("accounts:password_reset"), {"email": "ob@example.com"})

    (message,) = mail.outbox
    assert "Hello Siobhán O'Brien & <Co>," in message.body
    assert "&#x27;" not in message.body
    assert "&amp;" not in message.body
    assert "&" not in message.subject and "\n" not in message.subject
