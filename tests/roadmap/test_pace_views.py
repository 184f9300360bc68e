"""Logged hours through HTTP: the quick add on the plan and the dashboard (owner, anonymous,
another learner, wrong method, htmx fragments, validation, double submission), the week's total
against the weekly hours, the pace notice and its one-click replan, the data export and account
deletion, and the dashboard's "ready by" line."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from roadmap.models import LoggedHours, PlanItem, Rating
from roadmap.services.assessment import current_ratings_rebuild
from roadmap.services.pace import hours_log
from roadmap.services.plans import plan_generate
from roadmap.services.progress import account_delete
from tests import factories
from tests.factories_plans import curriculum_with_gaps

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = datetime.datetime(2026, 3, 4, 12, 0, tzinfo=datetime.UTC)  # a Wednesday
TODAY = NOW.date()
MONDAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def learner():
    return factories.LearnerFactory(weekly_hours=6)


@pytest.fixture
def plan(learner):
    path, _comps, _projects = curriculum_with_gaps(learner, projects=3)
    return plan_generate(learner=learner, path=path)


@pytest.fixture
def items(plan):
    items = list(plan.items.order_by("position"))
    items[0].start()
    return items


def _url(item):
    return reverse("roadmap:plan_item_hours", args=[item.pk])


def _data(**overrides):
    return {"hours": "1.5", "note": "", "token": str(uuid.uuid4()), **overrides}


def _log(learner, item, hours, day, note=""):
    return hours_log(
        learner=learner, item=item, hours=Decimal(hours), day=day, token=uuid.uuid4(), note=note
    )


# --- the quick add --------------------------------------------------------------------------------


def test_owner_logs_hours_on_a_started_item_dated_today(client, learner, items):
    client.force_login(learner)
    response = client.post(_url(items[0]), _data(note="Chunking experiments"))
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:plan") + f"#item-{items[0].pk}"
    entry = LoggedHours.objects.get()
    assert (entry.learner, entry.item, entry.hours, entry.day, entry.note) == (
        learner,
        items[0],
        Decimal("1.5"),
        TODAY,
        "Chunking experiments",
    )
    page = client.get(response["Location"]).text
    assert f"Logged 1.5 h on {items[0].project.name}." in page
    assert "This week: 1.5 h" in page and "of your 6 h a week" in page
    assert "1.5 h logged of about" in page


def test_the_day_defaults_to_today_in_the_learners_zone(client, learner, items):
    learner.timezone = "Pacific/Auckland"  # already Thursday there at 23:30 UTC on Wednesday
    learner.save(update_fields=["timezone"])
    client.force_login(learner)
    with time_machine.travel(datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC)):
        assert client.post(_url(items[0]), _data()).status_code == 302
    assert LoggedHours.objects.get().day == datetime.date(2026, 3, 5)


def test_a_comma_is_read_as_the_decimal_point(client, learner, items):
    client.force_login(learner)
    client.post(_url(items[0]), _data(hours="2,25", day="2026-03-03"))
    entry = LoggedHours.objects.get()
    assert (entry.hours, entry.day) == (Decimal("2.25"), datetime.date(2026, 3, 3))


def test_htmx_answers_the_plan_body_with_the_entry_counted(client, learner, items):
    client.force_login(learner)
    response = client.post(_url(items[0]), _data(), **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="plan-body"')
    assert "<html" not in response.text
    assert "This week: 1.5 h" in response.text
    assert "data-focus-after-swap" in response.text
    assert LoggedHours.objects.count() == 1


def test_from_the_dashboard_htmx_answers_the_hours_card(client, learner, items):
    client.force_login(learner)
    response = client.post(_url(items[0]), _data(return_to="dashboard"), **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card stack" id="pace-card"')
    assert "This week: 1.5 h" in response.text
    assert f"Logged 1.5 h on {items[0].project.name}." in response.text


def test_from_the_dashboard_htmx_errors_come_back_in_the_card(client, learner, items):
    client.force_login(learner)
    bad = client.post(_url(items[0]), _data(hours="0", return_to="dashboard"), **HTMX)
    assert bad.status_code == 200 and 'id="pace-card"' in bad.text
    assert "Enter more than 0 hours." in bad.text and '<details class="log-hours" open>' in bad.text
    planned = client.post(_url(items[1]), _data(return_to="dashboard"), **HTMX)
    assert "Start this project before logging hours on it." in planned.text
    assert 'role="alert"' in planned.text
    assert not LoggedHours.objects.exists()


def test_from_the_dashboard_a_plain_post_goes_back_to_it(client, learner, items):
    client.force_login(learner)
    response = client.post(_url(items[0]), _data(return_to="dashboard"))
    assert response["Location"] == reverse("roadmap:dashboard") + "#pace-card"
    page = client.get(reverse("roadmap:dashboard")).text
    assert 'id="pace-card"' in page and "This week: 1.5 h" in page


def test_get_shows_the_form_on_its_own_page(client, learner, items):
    client.force_login(learner)
    response = client.get(_url(items[0]))
    assert response.status_code == 200
    assert f"Log hours on {items[0].project.name}" in response.text
    assert 'name="token"' in response.text


def test_anonymous_is_sent_to_log_in_and_nothing_is_stored(client, items):
    response = client.post(_url(items[0]), _data())
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not LoggedHours.objects.exists()


def test_another_learner_gets_404_on_someone_elses_item(client, items):
    client.force_login(factories.LearnerFactory())
    assert client.post(_url(items[0]), _data()).status_code == 404
    assert client.post(_url(items[0]), _data(), **HTMX).status_code == 404
    assert client.get(_url(items[0])).status_code == 404
    assert not LoggedHours.objects.exists()


def test_wrong_method_is_405(client, learner, items):
    client.force_login(learner)
    assert client.put(_url(items[0])).status_code == 405
    assert client.delete(_url(items[0])).status_code == 405
    assert client.get(reverse("roadmap:plan_replan_pace")).status_code == 405


def test_csrf_is_required(learner, items):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(_url(items[0]), _data(), **HTMX).status_code == 403
    assert not LoggedHours.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hours": "0"}, "Enter more than 0 hours."),
        ({"hours": "-2"}, "Enter more than 0 hours."),
        ({"hours": "24.5"}, "A day holds at most 24 hours"),
        ({"hours": "100"}, "A day holds at most 24 hours"),
        ({"hours": "abc"}, "Enter the hours as a number"),
        ({"hours": ""}, "Enter the hours you spent"),
        ({"hours": "1.333"}, "at most two decimals"),
        ({"hours": "NaN"}, "Enter the hours as a number"),
        ({"day": "2026-03-05"}, "cannot be in the future"),
        ({"day": "2025-12-01"}, "Log hours from the last 60 days."),
        ({"day": "yesterday"}, "Enter the day as a date"),
        ({"note": "x" * 201}, "Keep the note to 200 characters."),
        ({"token": ""}, "This form is out of date"),
        ({"token": "not-a-uuid"}, "This form is out of date"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(client, learner, items, data, message):
    client.force_login(learner)
    response = client.post(_url(items[0]), _data(**data))
    assert response.status_code == 400
    assert message in response.text
    fragment = client.post(_url(items[0]), _data(**data), **HTMX)
    assert fragment.status_code == 200
    assert message in fragment.text and 'role="alert"' in fragment.text
    assert not LoggedHours.objects.exists()


def test_a_planned_item_is_refused_with_a_message(client, learner, items):
    client.force_login(learner)
    response = client.post(_url(items[1]), _data())
    assert response.status_code == 400
    assert "Start this project before logging hours on it." in response.text
    fragment = client.post(_url(items[1]), _data(), **HTMX)
    assert "Start this project before logging hours on it." in fragment.text
    assert not LoggedHours.objects.exists()


def test_a_skipped_item_is_refused(client, learner, items):
    items[2].skip()
    client.force_login(learner)
    response = client.post(_url(items[2]), _data())
    assert response.status_code == 400 and "restore it to log hours" in response.text
    assert not LoggedHours.objects.exists()


def test_a_done_item_takes_hours_logged_late(client, learner, items):
    items[0].complete(evidence_url="https://example.com/done")
    client.force_login(learner)
    assert client.post(_url(items[0]), _data()).status_code == 302
    assert LoggedHours.objects.get().item == items[0]
    assert "1.5 h logged" in client.get(reverse("roadmap:plan")).text


def test_the_same_form_sent_twice_is_logged_once(client, learner, items):
    client.force_login(learner)
    data = _data()
    assert client.post(_url(items[0]), data).status_code == 302
    again = client.post(_url(items[0]), data, **HTMX)
    assert again.status_code == 200
    assert "this form was sent twice" in again.text
    assert LoggedHours.objects.count() == 1


def test_a_day_holds_at_most_24_hours_in_all(client, learner, items):
    _log(learner, items[0], "20", TODAY)
    client.force_login(learner)
    response = client.post(_url(items[0]), _data(hours="5"))
    assert response.status_code == 400
    assert "already logged 20 h on 4 March" in response.text and "at most 4 h more" in response.text
    assert LoggedHours.objects.count() == 1
    assert client.post(_url(items[0]), _data(hours="4")).status_code == 302


def test_the_database_refuses_hours_out_of_range(learner, items):
    from django.db import IntegrityError, transaction

    for hours in ("0", "24.01"):
        with pytest.raises(IntegrityError), transaction.atomic():
            LoggedHours.objects.create(
                learner=learner, item=items[0], day=TODAY, hours=Decimal(hours), token=uuid.uuid4()
            )


# --- the week's total and the pace ----------------------------------------------------------------


def _slow_weeks(learner, item):
    """Two finished weeks at 2 h against a plan of 6 h a week."""
    for weeks_ago in (1, 2):
        _log(learner, item, "2", MONDAY - datetime.timedelta(weeks=weeks_ago))


def test_one_slow_week_says_nothing_yet(client, learner, items):
    _log(learner, items[0], "2", MONDAY - datetime.timedelta(weeks=1))
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "Replan at" not in page


def test_two_slow_weeks_make_the_plan_say_so_and_offer_a_replan(client, learner, items):
    _slow_weeks(learner, items[0])
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "For the last 2 weeks you logged about 2 h a week, less than the 6 h" in page
    assert f'action="{reverse("roadmap:plan_replan_pace")}"' in page
    assert "Replan at 2 h a week" in page
    dashboard = client.get(reverse("roadmap:dashboard")).text
    assert "Replan at 2 h a week on your plan" in dashboard


def test_two_fast_weeks_offer_a_replan_at_more_hours(client, learner, items):
    for weeks_ago in (1, 2):
        _log(learner, items[0], "12", MONDAY - datetime.timedelta(weeks=weeks_ago))
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "about 12 h a week, more than the 6 h" in page
    client.post(reverse("roadmap:plan_replan_pace"))
    learner.refresh_from_db()
    assert learner.weekly_hours == 12


def test_weeks_logged_nothing_after_the_first_say_so(client, learner, items):
    _backdate_ratings(learner, 3)
    _log(learner, items[0], "3", MONDAY - datetime.timedelta(weeks=5))
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    assert "You logged no hours in the last weeks" in page
    assert "about 0 h a week, less than the 6 h" in client.get(reverse("roadmap:plan")).text


def test_replan_at_the_logged_pace_keeps_each_items_state(client, learner, items):
    items[1].skip()
    items[2].refresh_from_db()
    _slow_weeks(learner, items[0])
    before = {i.pk: (i.status, i.started_at) for i in PlanItem.objects.all()}
    open_end = items[2].planned_end
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_replan_pace"))
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.weekly_hours == 2
    after = {i.pk: (i.status, i.started_at) for i in PlanItem.objects.all()}
    assert after == before
    assert PlanItem.objects.get(pk=items[2].pk).planned_end > open_end  # re-dated, later
    page = client.get(reverse("roadmap:plan")).text
    assert "re-dated at 2 h a week" in page
    assert "Replan at" not in page  # the logged pace now matches


def test_replan_with_htmx_answers_the_plan_body(client, learner, items):
    _slow_weeks(learner, items[0])
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_replan_pace"), **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="plan-body"')
    assert "re-dated at 2 h a week" in response.text
    assert "2 h a week</span>" in response.text  # the page is dated with the new hours


def test_replan_on_pace_changes_nothing(client, learner, items):
    for weeks_ago in (1, 2):
        _log(learner, items[0], "6", MONDAY - datetime.timedelta(weeks=weeks_ago))
    dates = list(PlanItem.objects.values_list("planned_start", "planned_end"))
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_replan_pace"), follow=True)
    assert "match your weekly hours" in response.text
    learner.refresh_from_db()
    assert learner.weekly_hours == 6
    assert list(PlanItem.objects.values_list("planned_start", "planned_end")) == dates


def test_replan_twice_is_harmless(client, learner, items):
    _slow_weeks(learner, items[0])
    client.force_login(learner)
    client.post(reverse("roadmap:plan_replan_pace"))
    dates = list(PlanItem.objects.values_list("planned_start", "planned_end"))
    client.post(reverse("roadmap:plan_replan_pace"))
    learner.refresh_from_db()
    assert learner.weekly_hours == 2
    assert list(PlanItem.objects.values_list("planned_start", "planned_end")) == dates


def test_replan_without_a_plan_is_404_and_anonymous_logs_in(client, learner):
    client.force_login(learner)
    assert client.post(reverse("roadmap:plan_replan_pace")).status_code == 404
    client.logout()
    response = client.post(reverse("roadmap:plan_replan_pace"))
    assert reverse("accounts:login") in response["Location"]


def test_another_learners_replan_does_not_touch_this_plan(client, learner, items):
    _slow_weeks(learner, items[0])
    other = factories.LearnerFactory(weekly_hours=6)
    client.force_login(other)
    assert client.post(reverse("roadmap:plan_replan_pace")).status_code == 404
    learner.refresh_from_db()
    assert learner.weekly_hours == 6


# --- the data export and deletion ----------------------------------------------------------------


def test_logged_hours_are_in_the_export(client, learner, items):
    _log(learner, items[0], "1.25", TODAY, note="Read the docs")
    client.force_login(learner)
    data = client.get(reverse("roadmap:export_json")).json()
    [row] = data["logged_hours"]
    assert row["hours"] == 1.25 and row["day"] == "2026-03-04" and row["note"] == "Read the docs"
    assert row["project_slug"] == items[0].project.slug
    other = factories.LearnerFactory()
    client.force_login(other)
    assert client.get(reverse("roadmap:export_json")).json()["logged_hours"] == []


def test_logged_hours_go_with_the_account(learner, items):
    _log(learner, items[0], "2", TODAY)
    account_delete(user=learner)
    assert not LoggedHours.objects.exists()


# --- the dashboard: hours card, "ready by", query counts -----------------------------------------


def _backdate_ratings(learner, weeks):
    """The learner's ratings moved `weeks` weeks back, so the chart has that many more points."""
    Rating.objects.filter(learner=learner).update(created_at=NOW - datetime.timedelta(weeks=weeks))
    current_ratings_rebuild(learner_ids=[learner.pk])


def test_dashboard_shows_the_weeks_total_and_a_quick_add_per_started_item(client, learner, items):
    _log(learner, items[0], "3.5", TODAY)
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    assert "This week: 3.5 h</strong> of your 6 h a week" in page
    assert f'action="{_url(items[0])}"' in page
    assert 'name="return_to" value="dashboard"' in page
    assert '<details class="log-hours" open>' in page  # a quick add: no click to open it
    assert f'action="{_url(items[1])}"' not in page  # planned: no quick add


def test_dashboard_without_a_started_item_says_what_to_do(client, learner, plan):
    client.force_login(learner)
    assert "Start a project on" in client.get(reverse("roadmap:dashboard")).text


def test_ready_by_with_too_little_history_says_so(client, learner, items):
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    assert "Too little history to tell when you will be ready" in page
    assert 'class="projection"' not in page


def test_ready_by_at_the_planned_pace_before_anything_is_logged(client, learner, items):
    _backdate_ratings(learner, 3)
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    # 10 + 11 + 12 hours at 6 h a week from Wednesday 4 March: done on 11 April
    assert "as planned: nothing logged yet" in page
    assert "reach your" in page and "targets around <strong>11 April</strong>" in page
    assert 'class="projection"' in page and 'class="target-line"' in page


def test_ready_by_says_how_it_falls_against_the_target_date(client, learner, items):
    _backdate_ratings(learner, 3)
    learner.target_date = datetime.date(2026, 3, 28)
    learner.save(update_fields=["target_date"])
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    assert "around <strong>11 April</strong>, 2 weeks after your target date of 28 March." in page


def test_ready_by_follows_the_logged_pace(client, learner, items):
    _backdate_ratings(learner, 3)
    _slow_weeks(learner, items[0])  # 2 h a week, 4 h of them on the started item
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    # 6 + 11 + 12 = 29 hours left at 2 h a week: 102 days, the last on 13 June
    assert "At this pace (2 h a week, as you logged lately)" in page
    assert "targets around <strong>13 June</strong>" in page


def test_more_logged_hours_bring_the_date_forward(client, learner, items):
    _backdate_ratings(learner, 3)
    _slow_weeks(learner, items[0])
    client.force_login(learner)
    slow = client.get(reverse("roadmap:dashboard")).text
    for weeks_ago in (1, 2):
        _log(learner, items[0], "10", MONDAY - datetime.timedelta(weeks=weeks_ago, days=-1))
    fast = client.get(reverse("roadmap:dashboard")).text
    assert "13 June" in slow and "13 June" not in fast
    assert "At this pace (12 h a week" in fast


def test_ready_by_without_a_plan_says_to_make_one(client, learner):
    curriculum_with_gaps(learner)
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    assert "to see when you could reach your" in page
    assert 'id="pace-card"' not in page


def _busy_learner(n_items, n_entries):
    learner = factories.LearnerFactory(weekly_hours=6)
    path, _c, _p = curriculum_with_gaps(learner, projects=n_items, competencies=n_items)
    plan = plan_generate(learner=learner, path=path)
    _backdate_ratings(learner, 4)
    plan_items = list(plan.items.order_by("position"))
    for item in plan_items[: max(1, n_items // 2)]:
        item.start()
    for n in range(n_entries):
        _log(
            learner,
            plan_items[n % len(plan_items[: max(1, n_items // 2)])],
            "0.5",
            TODAY - datetime.timedelta(days=n % 50),
        )
    return learner


@pytest.mark.parametrize(("n_items", "n_entries"), [(2, 3), (12, 60)])
def test_dashboard_queries_stay_flat(client, n_items, n_entries, django_assert_max_num_queries):
    learner = _busy_learner(n_items, n_entries)
    client.force_login(learner)
    client.get(reverse("roadmap:dashboard"))
    from django.core.cache import cache

    cache.clear()  # the history computed again, as on the first view after a rating
    # 5 (tests/roadmap/test_progress_dashboard.py), the next item's details, and the pace: the
    # open items and the logged hours; the planner's inputs come from the curriculum cache.
    # The same at both sizes.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("roadmap:dashboard")).status_code == 200


@pytest.mark.parametrize(("n_items", "n_entries"), [(2, 3), (12, 60)])
def test_plan_page_queries_stay_flat(client, n_items, n_entries, django_assert_max_num_queries):
    learner = _busy_learner(n_items, n_entries)
    client.force_login(learner)
    client.get(reverse("roadmap:plan"))
    # The plan page's own (tests/roadmap/test_plan_views.py) and one for the logged hours: the
    # same at both sizes.
    with django_assert_max_num_queries(11):
        assert client.get(reverse("roadmap:plan")).status_code == 200


# --- every input either stored in range or refused with a message (RELIABILITY 19) ----------------


class TestLogHoursInput(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        from curriculum import cache as curriculum_cache

        curriculum_cache.clear()
        cls.learner = factories.LearnerFactory(weekly_hours=6)
        path, _c, _p = curriculum_with_gaps(cls.learner, projects=1)
        cls.item = plan_generate(learner=cls.learner, path=path).items.get()
        cls.item.start()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        hours=st.one_of(
            st.text(max_size=8),
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.floats().map(str),
        ),
        day=st.one_of(st.text(max_size=12), st.dates().map(str)),
        note=st.text(max_size=260),
    )
    def test_never_a_500_never_out_of_range(self, hours, day, note):
        self.client.force_login(self.learner)
        before = LoggedHours.objects.count()
        data = {"hours": hours, "day": day, "note": note, "token": str(uuid.uuid4())}
        with time_machine.travel(NOW, tick=False):
            response = self.client.post(_url(self.item), data)
        assert response.status_code in (302, 400)
        after = LoggedHours.objects.count()
        if response.status_code == 302:
            assert after == before + 1
            entry = LoggedHours.objects.latest("id")
            assert Decimal(0) < entry.hours <= 24
        else:
            assert after == before
            assert 'class="error"' in response.text or 'role="alert"' in response.text


def test_logged_hours_download_as_csv_with_formula_guard(client, learner, items):
    import csv
    import io

    _log(learner, items[0], "1.5", TODAY, note="=SUM(A1)")
    other = factories.LearnerFactory()
    client.force_login(learner)
    response = client.get(reverse("roadmap:export_hours_csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gapmap-hours-2026-03-04.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["day", "hours", "project_slug", "project_name", "note", "logged_at"]
    slug, name = items[0].project.slug, items[0].project.name
    assert rows[1][:5] == ["2026-03-04", "1.5", slug, name, "'=SUM(A1)"]
    assert len(rows) == 2
    assert reverse("roadmap:export_hours_csv") in client.get(reverse("roadmap:my_data")).text
    assert client.post(reverse("roadmap:export_hours_csv")).status_code == 405
    client.force_login(other)  # another learner's download holds none of these
    other_text = b"".join(client.get(reverse("roadmap:export_hours_csv")).streaming_content)
    assert len(list(csv.reader(io.StringIO(other_text.decode("utf-8-sig"))))) == 1
    client.logout()
    assert reverse("accounts:login") in client.get(reverse("roadmap:export_hours_csv"))["Location"]
