"""NUL and other control characters in a URL's token answer 404, never a 500 (PostgreSQL refuses
a NUL in a query parameter)."""

import pytest
from django.urls import reverse

from roadmap.services.deliveries import unsubscribe_token
from tests import factories

pytestmark = pytest.mark.django_db

BAD = ["%00", "%01", "%1F", "%7F", "a%00b", "%C2%85"]
URLS = ["/p/{}/", "/plan/calendar/{}.ics", "/join/{}/", "/unsubscribe/{}/"]


@pytest.mark.parametrize("template", URLS)
@pytest.mark.parametrize("token", BAD)
def test_a_control_character_in_a_token_answers_404(client, template, token):
    client.force_login(factories.LearnerFactory())

    assert client.get(template.format(token)).status_code == 404
    assert client.post(template.format(token)).status_code == 404


@pytest.mark.parametrize("template", URLS[:2])
def test_anonymous_gets_404_too(client, template):
    assert client.get(template.format("%00")).status_code == 404


def test_real_tokens_still_resolve():
    token = unsubscribe_token(user_id=12345, kind="all")
    assert reverse("roadmap:unsubscribe", args=[token]).startswith("/unsubscribe/")
    assert reverse("roadmap:portfolio_public", args=["AbC-_09xyz"]) == "/p/AbC-_09xyz/"
