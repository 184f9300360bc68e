"""The benchmark's own tooling at a tiny size, so `make bench` and `make load` cannot rot
silently: the bulk seeding (COPY on PostgreSQL) writes what the services would, one page
scenario and the dispatcher tick run, and a database URL names a server or a database."""

import pytest
from django.test import override_settings

from accounts.models import Cohort, CohortMembership, User
from roadmap.models import CurrentRating, Rating, ReminderPreference
from roadmap.services.assessment import current_ratings_rebuild
from tests.benchmarks import measure, scenarios, synthetic, world
from tests.benchmarks.bench import database_plan

pytestmark = pytest.mark.django_db

LEARNERS, REMINDER_USERS, COMPETENCIES = 12, 30, 16


@pytest.fixture
def tiny_world():
    path = synthetic.make_path("t", COMPETENCIES, 4, seed=1)
    the_world = world.new_world(path)
    world.grow(the_world, world.Size(learners=LEARNERS, reminder_users=REMINDER_USERS))
    return the_world


def test_seeding_writes_what_the_services_would(tiny_world):
    per_learner = COMPETENCIES + (world.WEEKS - 1) * (COMPETENCIES // 8)
    assert Rating.objects.count() == LEARNERS * per_learner
    assert CurrentRating.objects.count() == LEARNERS * COMPETENCIES
    assert User.objects.filter(email__startswith="rem").count() == REMINDER_USERS
    assert ReminderPreference.objects.count() == User.objects.count()
    # One cohort of everybody (fewer than 50), the "mid" one of the same learners, one mentor each.
    assert Cohort.objects.count() == 2
    assert CohortMembership.objects.count() == 2 * LEARNERS

    written_previous = dict(Rating.objects.values_list("pk", "previous_level"))
    written_current = set(
        CurrentRating.objects.values_list("learner_id", "competency_id", "rating_id", "level")
    )
    current_ratings_rebuild(learner_ids=tiny_world.learner_ids)
    assert dict(Rating.objects.values_list("pk", "previous_level")) == written_previous
    rebuilt = set(
        CurrentRating.objects.values_list("learner_id", "competency_id", "rating_id", "level")
    )
    assert rebuilt == written_current
    # The ids handed out here leave the sequences usable for ordinary inserts.
    synthetic.make_learner(tiny_world.path, "after@bench.test", 1)


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_a_page_scenario_and_the_tick_run(tiny_world, monkeypatch):
    monkeypatch.setattr(measure, "FLOOR_RUNS", 3)
    monkeypatch.setattr(measure, "MIN_RUNS", 1)
    monkeypatch.setattr(measure, "BUDGET_S", 0.05)  # one timed tick
    mentor = tiny_world.mentors["mid"]
    spec = measure.Spec(
        "cohort",
        "Cohort dashboard",
        "tiny",
        "cohort",
        mentor,
        runs=2,
        url=measure.url_or_none("roadmap:cohort_detail", tiny_world.cohorts["mid"].pk),
    )
    result = measure.measure(spec, measure.client_for(mentor))
    assert result.note == ""
    assert result.median_ms > 0 and result.queries > 0 and result.ratio > 0

    spec, result = scenarios.dispatcher_tick(tiny_world)
    assert "due 0," in result.note  # the world is seeded with nobody due


def test_a_url_names_a_server_or_a_database():
    name, throwaway, url = database_plan("postgres://root@127.0.0.1:5432/")
    assert throwaway and name.startswith("gapmap_bench_") and url.endswith(f":5432/{name}")
    assert database_plan("postgres://127.0.0.1:5432/postgres")[1]
    name, throwaway, url = database_plan(
        "postgres://root@127.0.0.1:5432/gapmap_bench?sslmode=disable"
    )
    assert (name, throwaway) == ("gapmap_bench", False)
    assert url == "postgres://root@127.0.0.1:5432/gapmap_bench?sslmode=disable"


def test_the_report_marks_targets_from_both_sizes():
    from tests.benchmarks.bench import Run
    from tests.benchmarks.report import render

    run = Run(scales=[1.0, 10.0])

    def add(key, target, *figures):
        spec = measure.Spec(key, key, "", "", target=target)
        for scale, (ms, ratio, queries) in zip(run.scales, figures, strict=True):
            result = measure.Result(ms, ms, queries, ms / ratio, ratio, size=f"{scale:g}x")
            run.add(scale, spec, result)

    add("dash", scenarios.LEARNER_TARGET, (10, 5.0, 4), (12, 6.0, 4))
    add("gaps", scenarios.LEARNER_TARGET, (10, 5.0, 4), (14, 7.0, 4))
    add("csvbig", "<= 60x at 5,000, queries flat", (10, 80.0, 8), (12, 50.0, 30))
    add("cohortbig", "", (10, 5.0, 9), (100, 50.0, 9))
    add("cohortbig-new", "<= 1.5x the cached view", (10, 5.0, 9), (160, 80.0, 12))
    table = {
        line.split(" | ")[0]: line
        for line in render(run, web_kb=1, engine="x", seconds=1).splitlines()
    }
    assert "| met (grew 1.20x) |" in table["| dash"]
    assert "| MISSED (grew 1.40x) |" in table["| gaps"]
    assert "| MISSED (50.0x at 10x, queries grow) |" in table["| csvbig"]  # 80x at 1x: not judged
    assert "| MISSED (1.60x the cached view) |" in table["| cohortbig-new"]
