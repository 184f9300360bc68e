"""HTML responses are compressed for clients that accept gzip (GZipMiddleware)."""

import gzip

import pytest
from django.urls import reverse

from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on, path_with_competencies

pytestmark = pytest.mark.django_db


def test_html_is_gzipped_when_accepted_and_plain_otherwise(client):
    scale_levels()
    path, _ = path_with_competencies(30)
    client.force_login(learner_on(path))
    plain = client.get(reverse("roadmap:assess"))
    assert "Content-Encoding" not in plain
    zipped = client.get(reverse("roadmap:assess"), HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    body = gzip.decompress(zipped.content)
    assert b'id="readiness-summary"' in body
    assert len(zipped.content) < len(body) / 3
