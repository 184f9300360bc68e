"""RELIABILITY 19: any input to the rating POST is stored in range or refused with a message;
never a 500, never a partial write."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.models import Rating
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on, path_with_competencies

pytestmark = pytest.mark.django_db

levels = st.one_of(
    st.integers(-5, 10).map(str),
    st.sampled_from(["", "abc", "3.0", " 2", "1e1", "0x2", "٣", "\x00", "4 ", "None"]),
    st.text(max_size=10),
)
urls = st.one_of(
    st.just(""),
    st.sampled_from(
        [
            "https://example.com/x",
            "example.com",
            "javascript:alert(1)",
            "http://",
            "https://" + "a" * 600 + ".com",
            "ftp://x.org",
            "https://exa mple.com",
            "http://[::1",
        ]
    ),
    st.text(max_size=60),
)
notes = st.one_of(st.text(max_size=50), st.just("x" * 2001), st.just("nul\x00byte"))


@pytest.fixture
def setup(client):
    scale_levels()
    path, pcs = path_with_competencies(1)
    learner = learner_on(path)
    client.force_login(learner)
    return reverse("roadmap:rate", args=[pcs[0].competency_id])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(level=levels, url=urls, note=notes, htmx=st.booleans())
def test_rating_post_stores_in_range_or_refuses_with_message(client, setup, level, url, note, htmx):
    before = Rating.objects.count()
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(setup, {"level": level, "evidence_url": url, "note": note}, **extra)
    after = Rating.objects.count()
    assert response.status_code < 500
    stored = after - before
    repeated = response.status_code in (200, 302) and "Not saved" not in response.content.decode()
    if stored or repeated:
        # A repeat of the previous example's rating within seconds is that rating, not another.
        assert stored in (0, 1)
        rating = Rating.objects.latest("id")
        assert 0 <= rating.level <= 4 and str(rating.level) == level
        assert len(rating.evidence_url) <= 500 and len(rating.note) <= 2000
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == (200 if htmx else 400)
        html = response.content.decode()
        assert "Not saved" in html
        assert 'class="form-errors"' in html


@pytest.mark.parametrize("level", ["7", "-1", "abc", "", "5"])
def test_level_off_the_scale_is_refused(client, setup, level):
    response = client.post(setup, {"level": level})
    assert response.status_code == 400
    assert "Choose a level from 0 (None) to 4 (Expert)." in response.content.decode()
    assert not Rating.objects.exists()
