"""RELIABILITY 19 for the profile (preferences) form: any input is either stored in range or
refused with a message; never a 500, never a partial write."""

import zoneinfo

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests import factories

text_or_number = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
)


class ProfileFormProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.path = factories.PathFactory(slug="ai-developer", name="AI Developer")

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        full_name=st.text(max_size=200),
        zone=st.one_of(
            st.sampled_from(["UTC", "Asia/Kolkata", "Europe/Berlin"]), st.text(max_size=40)
        ),
        hours=text_or_number,
        target_date=st.one_of(st.dates().map(str), st.text(max_size=12)),
        target_path=st.one_of(st.just(""), st.integers(-5, 10**6).map(str), st.text(max_size=5)),
    )
    def test_input_is_stored_in_range_or_refused_with_a_message(
        self, full_name, zone, hours, target_date, target_path
    ):
        user = factories.LearnerFactory(full_name="Before", timezone="UTC", weekly_hours=6)
        client = Client()
        client.force_login(user)
        response = client.post(
            reverse("roadmap:profile"),
            {
                "full_name": full_name,
                "timezone": zone,
                "weekly_hours": hours,
                "target_date": target_date,
                "target_path": target_path,
            },
        )
        user.refresh_from_db()
        if response.status_code == 302:
            assert 1 <= user.weekly_hours <= 80
            assert user.timezone in zoneinfo.available_timezones()
            assert user.full_name == full_name.strip() and user.full_name
        else:
            assert response.status_code == 200
            assert response.context["form"].errors
            assert (user.full_name, user.timezone, user.weekly_hours) == ("Before", "UTC", 6)
            assert user.target_path_id is None
