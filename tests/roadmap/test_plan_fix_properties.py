"""RELIABILITY 19 for the late-target fix form: any input to the preview or the one-click fix is
either applied in range (a weekly pace of 1 to 80 hours, a target date today or later) or refused
with a message and a 400; never a 500, never a partial write."""

import datetime

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from curriculum import cache
from roadmap.services.plans import learner_today, plan_generate
from tests import factories
from tests.factories_plans import curriculum_with_gaps

hours = st.one_of(
    st.just(""),
    st.text(max_size=8),
    st.integers(min_value=-(10**4), max_value=10**4).map(str),
)
dates = st.one_of(
    st.just(""),
    st.text(max_size=12),
    st.dates(datetime.date(1990, 1, 1), datetime.date(2200, 1, 1)).map(str),
)


class PlanFixProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(weekly_hours=hours, target_date=dates, htmx=st.booleans())
    def test_a_fix_is_applied_in_range_or_refused_with_a_message(
        self, weekly_hours, target_date, htmx
    ):
        cache.clear()
        learner = factories.LearnerFactory(weekly_hours=6)
        path, _comps, _projects = curriculum_with_gaps(learner)
        plan = plan_generate(learner=learner, path=path)
        today = learner_today(learner)
        learner.target_date = today + datetime.timedelta(days=20)
        learner.save(update_fields=["target_date"])
        before = list(plan.items.values_list("pk", "status", "planned_start", "planned_end"))
        client = Client()
        client.force_login(learner)
        data = {"weekly_hours": weekly_hours, "target_date": target_date}
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        preview = client.get(reverse("roadmap:plan_fix"), data, **headers)
        assert preview.status_code in (200, 400)
        response = client.post(reverse("roadmap:plan_fix_apply"), data, **headers)
        learner.refresh_from_db()
        after = list(plan.items.values_list("pk", "status", "planned_start", "planned_end"))
        applied = response.status_code == 302 or (
            htmx and response.status_code == 200 and 'class="alert ok"' in response.text
        )
        if applied:
            assert 1 <= learner.weekly_hours <= 80
            assert learner.target_date >= today
            assert [(pk, status) for pk, status, *_ in after] == [
                (pk, status) for pk, status, *_ in before
            ]
            assert all(start >= today for _pk, s, start, _e in after if s == "planned")
        else:
            assert response.status_code == (200 if htmx else 400)
            assert 'role="alert"' in response.text
            assert learner.weekly_hours == 6
            assert learner.target_date == today + datetime.timedelta(days=20)
            assert after == before
