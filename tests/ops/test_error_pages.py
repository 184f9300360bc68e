"""404, 500 and 429 pages in the site's look; the 500 page renders without the database."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.views.defaults import server_error

from accounts.throttling import too_many_requests


@pytest.mark.django_db
def test_404_uses_the_site_look(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "We could not find that page" in html
    assert "css/gapmap.css" in html


def test_500_renders_without_the_database():
    # No django_db mark: any query here raises, as with a database that is down.
    response = server_error(RequestFactory().get("/anything/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "Something went wrong on our side" in html
    assert "css/gapmap.css" in html


@pytest.mark.django_db
def test_429_uses_the_site_look():
    request = RequestFactory().post("/accounts/login/")
    request.user = AnonymousUser()
    response = too_many_requests(request, retry_after=90, what="log-in attempts")

    assert response.status_code == 429
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "too many log-in attempts" in html
    assert "2 minutes" in html
    assert response["Retry-After"] == "90"
