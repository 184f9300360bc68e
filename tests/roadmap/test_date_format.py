"""One date format across the site (issue 14): "3 Dec 2026" and "3 Dec 2026, 14:05", in the
viewer's time zone; ISO 8601 only where machines read it."""

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# |date with no argument (DATE_FORMAT), the named formats, and ISO for <time datetime="...">.
ALLOWED = {"", "DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "c"}
DATE_FILTER = re.compile(r"""\|date(?::(["'])(.*?)\1)?""")


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_templates_use_only_the_named_date_formats():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: |date:{match.group(2)!r}"
        for path in TEMPLATES.rglob("*")
        if path.is_file()
        for match in DATE_FILTER.finditer(path.read_text())
        if (match.group(2) or "") not in ALLOWED
    ]
    assert not offenders, "use |date or |date:'DATETIME_FORMAT' (formats.py): " + str(offenders)


def test_a_date_reads_day_short_month_year():
    assert _render("{{ d|date }}", d=date(2026, 12, 3)) == "3 Dec 2026"
    assert _render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=date(2026, 12, 3)) == "3 Dec 2026"
    assert _render("{{ d }}", d=date(2026, 12, 3)) == "3 Dec 2026"


def test_a_date_time_is_shown_in_the_viewers_zone_on_a_24_hour_clock():
    moment = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        assert _render('{{ m|date:"DATETIME_FORMAT" }}', m=moment) == "3 Dec 2026, 23:05"
        assert _render("{{ m }}", m=moment) == "3 Dec 2026, 23:05"
        assert _render("{{ m|date }}", m=moment) == "3 Dec 2026"
        # Machines read ISO 8601.
        assert _render("{{ m|date:'c' }}", m=moment) == "2026-12-03T23:05:00+09:00"


def test_date_inputs_still_parse_iso_and_british_dates():
    from django import forms

    field = forms.DateField()
    assert field.clean("2026-12-03") == date(2026, 12, 3)
    assert field.clean("03/12/2026") == date(2026, 12, 3)


# --- through HTTP ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_notifications_page_shows_date_times_in_the_viewers_zone(client):
    from roadmap.models import Notification
    from tests import factories

    learner = factories.LearnerFactory(timezone="Asia/Tokyo")
    Notification.objects.create(
        user=learner,
        kind="weekly",
        title="Time to reassess",
        created_at=datetime(2026, 12, 3, 14, 5, tzinfo=UTC),
    )
    client.force_login(learner)
    html = client.get(reverse("roadmap:notifications")).text
    assert '<time class="muted small" datetime="2026-12-03T23:05:00+09:00">' in html
    assert ">3 Dec 2026, 23:05</time>" in html


@pytest.mark.django_db
def test_the_plan_page_dates_read_day_month_year(client):
    from roadmap.services.plans import plan_generate
    from tests import factories
    from tests.factories_plans import curriculum_with_gaps

    learner = factories.LearnerFactory(weekly_hours=6)
    path, _, _ = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path)
    item = plan.items.order_by("position").first()
    client.force_login(learner)
    html = client.get(reverse("roadmap:plan")).text
    start, end = item.planned_start, item.planned_end
    assert f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}, about" in html
    # No ISO dates and no long month names (May is both) where people read them.
    assert not re.search(r">[^<]*\b\d{4}-\d{2}-\d{2}\b[^<]*<", html)
    long_months = (
        "January|February|March|April|June|July|August|September|October|November|December"
    )
    assert not re.search(rf"\b\d{{1,2}} ({long_months})\b", html)
