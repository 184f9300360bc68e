"""Throttles per client address on log-in, sign-up and password reset (beside axes' lock-out
per account), a styled 429 page, reset e-mails limited per recipient, and a username length cap
before axes sees it."""

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PRODUCTION_THROTTLES = {
    "login": (20, 15 * 60),
    "signup": (10, 60 * 60),
    "password_reset": (10, 60 * 60),
    "password_reset_email": (3, 60 * 60),
}


@pytest.fixture(autouse=True)
def _production_limits(settings):
    settings.THROTTLES = PRODUCTION_THROTTLES


def _login(client, email, password, address="203.0.113.7"):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def test_many_accounts_from_one_address_are_throttled(client):
    emails = [f"user{n}@example.com" for n in range(6)]
    for email in emails:
        factories.LearnerFactory(email=email)
    # Four wrong passwords each on five accounts: never enough for axes' lock-out per account.
    for email in emails[:5]:
        for _ in range(4):
            assert _login(client, email, "wrong").status_code == 200

    response = _login(client, emails[5], factories.PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts" in html
    assert 'class="site-header"' in html  # the site's own look
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_throttled(client):
    factories.LearnerFactory(email="dee@example.com")
    for n in range(21):
        _login(client, f"nobody{n}@example.com", "wrong")

    response = _login(client, "dee@example.com", factories.PASSWORD, address="198.51.100.9")

    assert response.status_code == 302


def test_the_log_in_page_itself_is_never_throttled(client):
    for n in range(21):
        _login(client, f"nobody{n}@example.com", "wrong")

    assert client.get(reverse("accounts:login"), REMOTE_ADDR="203.0.113.7").status_code == 200


def test_sign_ups_from_one_address_are_throttled(client):
    def signup(n):
        return client.post(
            reverse("accounts:signup"),
            {"email": f"new{n}@example.com", "full_name": "N", "password1": "", "password2": ""},
            REMOTE_ADDR="203.0.113.7",
        )

    for n in range(10):
        assert signup(n).status_code == 200  # refused (no password), but counted
    assert signup(10).status_code == 429


def test_password_reset_requests_from_one_address_are_throttled(client):
    for n in range(10):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": f"nobody{n}@example.com"},
            REMOTE_ADDR="203.0.113.7",
        )
        assert response.status_code == 302
    response = client.post(
        reverse("accounts:password_reset"), {"email": "x@example.com"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 429


def test_reset_e_mails_to_one_address_are_limited_per_hour(client):
    factories.LearnerFactory(email="dee@example.com")
    for n in range(6):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": "dee@example.com"},
            REMOTE_ADDR=f"198.51.100.{n}",  # from different addresses
        )
        # Always the same "sent" page: it never tells whether the account exists.
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_reset_done")

    assert len(mail.outbox) == 3


def test_an_over_long_username_is_refused_before_axes_records_it(client):
    username = "a" * 250 + "@example.com"  # 262 characters

    response = _login(client, username, "wrong")

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="aaaa").exists()
