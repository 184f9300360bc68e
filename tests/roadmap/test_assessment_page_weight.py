"""The assessment page's weight and queries at two path sizes (40 and 164 competencies, the
benchmark's): every row ships its level choice, not the five descriptors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.benchmarks import synthetic
from tests.factories_assessment import scale_levels

pytestmark = pytest.mark.django_db

# 150 KiB. Measured: just under 150,000 bytes on SQLite and 150,209 on PostgreSQL, whose ids run
# longer; the margin is thin and the next markup change should win some back.
MAX_BYTES_AT_164 = 150 * 1024


def _page(client, size):
    scale_levels()
    path = synthetic.make_path(f"w{size}", size, projects=4, seed=size)
    learner = synthetic.make_learner(path, f"w{size}@example.com", 3, seed=size)
    client.force_login(learner)
    client.get(reverse("roadmap:assess"))  # the path's curriculum is read once, then cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roadmap:assess"))
    assert response.status_code == 200
    return response, len(queries)


def test_page_stays_small_and_flat_at_40_and_164_competencies(client):
    small, small_queries = _page(client, 40)
    big, big_queries = _page(client, 164)
    assert big.content.count(b'class="card assess-row"') == 164
    assert len(big.content) <= MAX_BYTES_AT_164, len(big.content)
    # Linear in rows at most, with no descriptor texts: about the same bytes per row.
    assert len(big.content) / 164 < 1.2 * len(small.content) / 40
    assert big_queries == small_queries
    # Each row says what its current level means, and only that one (of five).
    assert big.content.count(b": does things.") == 164
