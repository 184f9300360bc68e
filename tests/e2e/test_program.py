"""Staff who run the program open the program view, drill down to a cohort and download the
CSV, in a real browser; axe passes at 1280 and 390 px. The mentor's compact learner page too."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roadmap.models import CheckpointSignOff
from roadmap.services.assessment import rating_record
from tests import factories
from tests.e2e.axe import axe_violations
from tests.e2e.test_mentoring import _log_in
from tests.factories_plans import PlanFactory, PlanItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1280, 800), (390, 844))


def _program():
    path = factories.PathFactory(name="AI Developer", slug="ai-developer")
    comps = [
        factories.PathCompetencyFactory(
            path=path, competency=factories.CompetencyFactory(name=name), target_level=3
        ).competency
        for name in ("Prompt design", "Retrieval and RAG", "Evaluation")
    ]
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    now = timezone.now()
    for name, size in (("Spring cohort", 4), ("Autumn cohort", 3)):
        cohort = factories.CohortFactory(name=name, path=path)
        cohort.mentors.add(mentor)
        for n in range(size):
            learner = factories.LearnerFactory(full_name=f"{name.split()[0]} learner {n}")
            factories.CohortMembershipFactory(cohort=cohort, learner=learner)
            rating_record(
                learner=learner, competency=comps[0], level=n % 4, at=now - dt.timedelta(weeks=6)
            )
            rating_record(learner=learner, competency=comps[1], level=(n + 2) % 5, at=now)
    return path, comps, mentor


def test_staff_open_the_program_drill_down_and_download_the_csv(page, live_server):
    _program()
    staff = factories.CohortStaffFactory(full_name="Pat Program")
    _log_in(page, live_server, staff)
    page.goto(f"{live_server.url}/mentor/")
    page.get_by_role("link", name="Program view").click()
    expect(page.get_by_role("heading", name="Program", exact=True)).to_be_visible()
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        expect(page.get_by_role("heading", name="The program's top gaps")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        violations = axe_violations(page)
        assert not violations, (width, violations)
    page.set_viewport_size({"width": 1280, "height": 800})
    spring = page.locator("tbody tr", has_text="Spring cohort")
    expect(spring).to_contain_text("4")
    expect(page.get_by_text("Evaluation:")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("program-")
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "cohort"
    assert {row[0]: row[4] for row in rows[1:]} == {"Spring cohort": "4", "Autumn cohort": "3"}

    page.get_by_role("link", name="Spring cohort").click()
    expect(page.get_by_role("heading", name="Spring cohort")).to_be_visible()
    expect(page.locator("table.heatmap tbody th").first).to_contain_text("Spring learner")


def test_mentor_learner_page_is_compact_and_passes_axe(page, live_server):
    path, comps, mentor = _program()
    cohort = mentor.mentored_cohorts.get(name="Spring cohort")
    learner = cohort.memberships.first().learner
    for level in (1, 2, 3):
        rating_record(learner=learner, competency=comps[2], level=level)
    started = factories.ProjectFactory(path=path, name="RAG app")
    factories.ProjectCheckpointFactory(project=started, title="Retrieval report")
    waiting = factories.ProjectFactory(path=path, name="Eval dashboard")
    factories.ProjectCheckpointFactory(project=waiting, title="Dashboard demo")
    learner.target_path = path
    learner.save(update_fields=["target_path"])
    PlanItemFactory(plan=PlanFactory(learner=learner, path=path), project=started).start()

    _log_in(page, live_server, mentor)
    page.goto(f"{live_server.url}/mentor/cohorts/{cohort.pk}/learners/{learner.pk}/")
    expect(page.get_by_role("heading", name=learner.full_name)).to_be_visible()
    # one Verify per rated competency, none in the collapsed history
    expect(page.get_by_role("button", name="Verify")).to_have_count(3)
    expect(page.get_by_role("button", name="Sign off")).to_have_count(1)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        violations = axe_violations(page)
        assert not violations, (width, violations)
    page.get_by_role("button", name="Verify Evaluation at level 3").click()
    expect(page.locator("#levels").get_by_text("Verified by you")).to_be_visible()
    page.get_by_label("Comment on Retrieval report").fill("Clear write-up")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("“Retrieval report” signed off.")).to_be_visible()
    assert CheckpointSignOff.objects.filter(learner=learner).count() == 1
