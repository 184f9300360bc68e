"""The assessment rows' markup, pinned: a fixture's row (page GET, htmx save, htmx error) is
compared with the golden files in tests/roadmap/golden/, so a change of the row's HTML is a
reviewed change of those files. User and curriculum text stays escaped.

Regenerate after an intended change:
    GAPMAP_WRITE_GOLDEN=1 pytest tests/roadmap/test_assessment_markup.py
"""

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from roadmap.models import Rating
from tests import factories
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


@pytest.fixture
def world():
    scale_levels()
    path = factories.PathFactory(slug="golden", name="Golden path")
    competency = factories.CompetencyFactory(
        name=f"Py {SCRIPT}", summary=f"About {SCRIPT}", category="Core", kind="skill"
    )
    other = factories.CompetencyFactory(name="Other", category="Core", kind="tool")
    pcs = [
        factories.PathCompetencyFactory(path=path, competency=c, target_level=3, weight=3)
        for c in (competency, other)
    ]
    factories.LevelDescriptorFactory(competency=competency, level=2, description=SCRIPT)
    factories.LevelDescriptorFactory(competency=competency, level=3, description="Ships alone")
    learner = learner_on(path)
    factories.RatingFactory(
        learner=learner,
        competency=competency,
        level=1,
        evidence_url=f"https://e.com/?q={SCRIPT}",
        created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
    )
    return learner, pcs


def _row(html: str, cid: int) -> str:
    start = html.index(f'<section class="card assess-row" id="competency-{cid}"')
    end = html.index("</section>", start) + len("</section>")
    row = html[start:end]
    # What differs per run: the CSRF token and the ids of the fixture's rows.
    row = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="TOKEN"', row
    )
    return re.sub(rf"(competency-|evidence-|note-|/assess/){cid}\b", r"\1CID", row)


def _check(name: str, row: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("GAPMAP_WRITE_GOLDEN"):
        golden.write_text(row)
    assert row == golden.read_text(), f"{name} changed: compare with {golden}"


def test_page_row_is_unchanged_and_escaped(client, world):
    learner, pcs = world
    client.force_login(learner)
    html = client.get(reverse("roadmap:assess")).content.decode()
    row = _row(html, pcs[0].competency_id)
    assert "<script" not in row and ESCAPED in row
    _check("assess_row.html", row)


def test_saved_htmx_row_is_unchanged_and_escaped(client, world):
    learner, pcs = world
    client.force_login(learner)
    url = reverse("roadmap:rate", args=[pcs[0].competency_id])
    html = client.post(url, {"level": "2", "note": SCRIPT}, **HTMX).content.decode()
    assert Rating.objects.filter(learner=learner).count() == 2
    row = _row(html, pcs[0].competency_id)
    assert "<script" not in html
    # The date of the save is today's: pin it.
    row = re.sub(r"Last rated \d+ \w+ \d{4}", "Last rated DATE", row)
    _check("assess_row_saved.html", row)


def test_error_htmx_row_is_unchanged_and_escaped(client, world):
    learner, pcs = world
    client.force_login(learner)
    url = reverse("roadmap:rate", args=[pcs[0].competency_id])
    html = client.post(
        url, {"level": "3", "note": SCRIPT, "evidence_url": f"bad {SCRIPT}"}, **HTMX
    ).content.decode()
    row = _row(html, pcs[0].competency_id)
    assert "<script" not in html
    assert f'rows="2">{ESCAPED}</textarea>' in row
    _check("assess_row_error.html", row)
