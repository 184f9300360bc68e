"""RELIABILITY 18: login throttling with a finite cool-off (django-axes), and session hygiene."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_sixth_attempt_is_locked_out_with_a_page_that_says_what_to_do(client):
    factories.LearnerFactory(email="dee@example.com")
    for _ in range(4):
        assert _login(client, "dee@example.com", "wrong").status_code == 200
    # The fifth failure reaches the limit: axes answers it with the lock-out page already.
    assert _login(client, "dee@example.com", "wrong").status_code == 429
    response = _login(client, "dee@example.com", factories.PASSWORD)  # even the right password
    assert response.status_code == 429
    html = response.content.decode()
    assert "15 minutes" in html
    assert reverse("accounts:password_reset") in html
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_the_cool_off(client):
    factories.LearnerFactory(email="dee@example.com")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _login(client, "dee@example.com", "wrong")
        assert _login(client, "dee@example.com", factories.PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert _login(client, "dee@example.com", factories.PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        response = _login(client, "dee@example.com", factories.PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"]


def test_lockout_counts_the_address_in_any_case(client):
    factories.LearnerFactory(email="dee@example.com")
    for spelling in ["dee@example.com", "DEE@example.com", "Dee@Example.com", "dee@EXAMPLE.com"]:
        _login(client, spelling, "wrong")
    _login(client, "DEE@EXAMPLE.COM", "wrong")
    assert _login(client, "dee@example.com", factories.PASSWORD).status_code == 429


def test_lockout_of_one_address_leaves_another_alone(client):
    factories.LearnerFactory(email="dee@example.com")
    factories.LearnerFactory(email="eve@example.com")
    for _ in range(6):
        _login(client, "dee@example.com", "wrong")
    assert _login(client, "eve@example.com", factories.PASSWORD).status_code == 302


def test_a_password_reset_lifts_the_lockout(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = factories.LearnerFactory(email="dee@example.com")
    for _ in range(6):
        _login(client, "dee@example.com", "wrong")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]
    )
    form_url = client.get(link).url
    client.post(
        form_url, {"new_password1": "fresh-passphrase-31", "new_password2": "fresh-passphrase-31"}
    )
    assert _login(client, "dee@example.com", "fresh-passphrase-31").status_code == 302


def test_login_gives_a_new_session_key(client):
    factories.LearnerFactory(email="fay@example.com")
    client.get(reverse("accounts:login"))
    session = client.session
    session["before"] = "anonymous"
    session.save()
    old_key = session.session_key
    assert _login(client, "fay@example.com", factories.PASSWORD).status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != old_key


def test_old_session_cookie_is_dead_after_logout(client):
    factories.LearnerFactory(email="fay@example.com")
    _login(client, "fay@example.com", factories.PASSWORD)
    old_cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    response = replay.get(reverse("roadmap:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_password_change_ends_other_sessions_but_keeps_this_one(client):
    factories.LearnerFactory(email="gus@example.com")
    other = Client()
    _login(client, "gus@example.com", factories.PASSWORD)
    _login(other, "gus@example.com", factories.PASSWORD)
    assert other.get(reverse("roadmap:profile")).status_code == 200
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "another-new-passphrase-5",
            "new_password2": "another-new-passphrase-5",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("roadmap:profile")).status_code == 200
    response = other.get(reverse("roadmap:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_behind_a_proxy_failures_count_per_client_not_per_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factories.LearnerFactory(email="hal@example.com")
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(6):
        client.post(
            reverse("accounts:login"), {"username": "hal@example.com", "password": "x"}, **attacker
        )
    owner = Client()
    response = owner.post(
        reverse("accounts:login"),
        {"username": "hal@example.com", "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302


def test_client_ip_reads_only_trusted_hops(rf, settings):
    from accounts.throttling import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the spoofable 6.6.6.6 is ignored
