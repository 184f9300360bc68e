"""axe-core over every learner page, at a desktop and a phone size: no serious or critical
violation (issue: accessible learner pages). Each page is visited with real content (ratings, a
generated plan with a finished project), since empty pages hide most of what axe checks."""

import re

import pytest
from django.urls import reverse

from roadmap.services.plans import plan_generate
from tests import factories
from tests.e2e.axe import axe_violations
from tests.factories_assessment import scale_levels
from tests.factories_plans import curriculum_with_gaps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEARNER_PAGES = [
    "roadmap:dashboard",
    "roadmap:assess",
    "roadmap:reassess",
    "roadmap:gaps",
    "roadmap:skill_map",
    "roadmap:plan",
    "roadmap:portfolio",
    "roadmap:my_data",
    "roadmap:reminder_preferences",
    "roadmap:notifications",
    "roadmap:profile",
    "roadmap:my_cohorts",
    "roadmap:my_feedback",
    "roadmap:calibration",
    "roadmap:onboarding",
]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def learner_with_a_plan():
    scale_levels()
    learner = factories.LearnerFactory(weekly_hours=6)
    path, _comps, _projects = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path)
    first = plan.items.order_by("position").first()
    first.complete(evidence_url="https://github.com/me/first", reflection="Learned chunking.")
    return learner


@pytest.mark.parametrize("size", SIZES)
def test_learner_pages_have_no_serious_or_critical_axe_violations(
    page, live_server, learner_with_a_plan, size
):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail address").fill(learner_with_a_plan.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    found = {}
    for name in LEARNER_PAGES:
        page.goto(live_server.url + reverse(name))
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}


def test_the_axe_check_finds_violations_where_there_are_some(page):
    # Without this, an axe that silently did not run would pass every page above.
    page.set_content(
        '<html lang="en"><title>t</title><main><img src="x.png">'
        '<p style="color:#bbb;background:#fff">faint</p></main></html>'
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= ids
