"""The program view: every cohort side by side for staff who run the program (members, median
readiness and its 4-week change, share behind plan, top gaps), its CSV, access per role and
flat query counts. The pure math is tested without the database first."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib import cohorts
from roadmap.lib.gaps import Requirement, readiness, readiness_display
from roadmap.services.program import program_overview
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory

URL = reverse("roadmap:program")
CSV_URL = reverse("roadmap:program_csv")


# --- pure math ------------------------------------------------------------------------------------
REQS = [Requirement(1, 3, 2), Requirement(2, 2, 1)]  # needed: 3*2 + 2*1 = 8


def test_cohort_figures_median_change_and_behind():
    figures = cohorts.cohort_figures(
        REQS,
        [10, 11, 12],
        reached={10: 8, 11: 4, 12: 2},  # 100%, 50%, 25%
        changes={10: 4, 11: 0},  # four weeks ago: 50%, 50%, 25%
        behind_weeks={11: 3, 12: 1, 99: 9},
        behind_rule=2,
        counts={1: cohorts.GapCounts(3, 2, 2)},
    )
    assert figures.members == 3
    assert figures.median_readiness == 50
    assert figures.median_change == 0
    assert figures.behind == 1 and figures.behind_percent == 33
    # competency 2 has no rating at all: 3 learners at level 0, below its target 2
    assert figures.top_gap.competency_id == 2 and figures.top_gap.lacking == 3


def test_cohort_figures_change_is_the_difference_of_the_medians_shown():
    figures = cohorts.cohort_figures(
        REQS,
        [1, 2],
        reached={1: 8, 2: 6},  # 100, 75: median 87.5, shown 87
        changes={1: 3, 2: 3},  # 62.5 -> 62, 37.5 -> 37: median 49.5, shown 49
        behind_weeks={},
        behind_rule=2,
        counts={},
    )
    assert (figures.median_readiness, figures.median_change, figures.change_size) == (87, 38, 38)


def test_cohort_figures_without_members():
    figures = cohorts.cohort_figures(
        REQS, [], reached={}, changes={}, behind_weeks={}, behind_rule=2, counts={}
    )
    assert figures.members == 0
    assert figures.median_readiness is None and figures.median_change is None
    assert figures.behind_percent is None and figures.top_gap is None


def test_program_top_gaps_count_each_learner_against_their_path():
    other = [Requirement(2, 4, 1), Requirement(3, 1, 1)]
    gaps = cohorts.program_top_gaps(
        [
            (REQS, {1: cohorts.GapCounts(2, 0, 0), 2: cohorts.GapCounts(2, 1, 1)}, 2),
            (other, {2: cohorts.GapCounts(3, 3, 6), 3: cohorts.GapCounts(3, 0, 0)}, 3),
        ]
    )
    assert [(g.competency_id, g.lacking, g.of) for g in gaps] == [(2, 4, 5)]
    # one short by 1 (target 2, level 1), three short by 2 on average (target 4, levels sum 6)
    assert gaps[0].shortfall == pytest.approx((1 + 3 * 2) / 4)


counts_strategy = st.dictionaries(
    st.sampled_from([1, 2]),
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 10)).map(
        lambda t: cohorts.GapCounts(max(t[0], t[1]), t[1], min(t[2], t[1] * 2))
    ),
)


@given(counts=counts_strategy, members=st.integers(0, 8))
def test_one_cohort_program_gaps_are_its_own(counts, members):
    members = max([members, *(c.rated for c in counts.values())])
    mine = cohorts.top_gaps_from_counts(REQS, counts, members)
    program = cohorts.program_top_gaps([(REQS, counts, members)])
    assert [(g.competency_id, g.lacking, g.of) for g in program] == [
        (g.competency_id, g.lacking, g.of) for g in mine
    ]
    for a, b in zip(program, mine, strict=True):
        assert a.shortfall == pytest.approx(b.shortfall)


# --- the service against a direct reckoning -------------------------------------------------------


@pytest.fixture
def program_world(db):
    """Two paths, three cohorts; a learner in two cohorts of different paths; back-dated
    ratings before and after four weeks ago; a retired competency; a member who left."""
    now = timezone.now()
    old, recent = now - dt.timedelta(weeks=6), now - dt.timedelta(days=3)
    dev, eng = factories.PathFactory(name="Dev"), factories.PathFactory(name="Eng")
    a, b, c = (factories.CompetencyFactory(name=n) for n in ("Prompts", "Evals", "Retired one"))
    factories.PathCompetencyFactory(path=dev, competency=a, target_level=3, weight=2)
    factories.PathCompetencyFactory(path=dev, competency=b, target_level=2, weight=1)
    factories.PathCompetencyFactory(path=dev, competency=c, target_level=3, retired_at=now)
    factories.PathCompetencyFactory(path=eng, competency=b, target_level=4, weight=3)
    spring = factories.CohortFactory(name="Spring", path=dev, start_date=dt.date(2026, 3, 2))
    autumn = factories.CohortFactory(name="Autumn", path=dev, start_date=dt.date(2026, 9, 7))
    ops = factories.CohortFactory(name="Ops", path=eng)
    mentor = factories.MentorFactory(full_name="Maya Okafor")
    spring.mentors.add(mentor)
    learners = [factories.LearnerFactory(full_name=f"L{i}") for i in range(5)]
    for learner in learners[:3]:
        factories.CohortMembershipFactory(cohort=spring, learner=learner)
    factories.CohortMembershipFactory(cohort=ops, learner=learners[0])
    factories.CohortMembershipFactory(cohort=autumn, learner=learners[3])
    factories.CohortMembershipFactory(cohort=autumn, learner=learners[4], left_at=now)

    def rate(learner, comp, level, at, source="self"):
        factories.RatingFactory(
            learner=learner, competency=comp, level=level, created_at=at, source=source
        )

    rate(learners[0], a, 1, old)
    rate(learners[0], a, 3, recent)  # +2 levels in four weeks
    rate(learners[0], b, 4, old)
    rate(learners[1], a, 2, old)
    rate(learners[1], c, 3, recent)  # retired: counts nowhere
    rate(learners[2], a, 1, recent, source="mentor")  # a mentor's rating: not readiness
    rate(learners[3], b, 1, recent)
    rate(learners[4], a, 3, recent)  # left the cohort
    # learners[1] is three weeks behind their plan, learners[2] one week
    for learner, weeks in ((learners[1], 3), (learners[2], 1)):
        learner.target_path = dev
        learner.save(update_fields=["target_path"])
        plan = PlanFactory(learner=learner, path=dev)
        end = timezone.localdate() - dt.timedelta(weeks=weeks, days=1)
        PlanItemFactory(plan=plan, planned_start=end - dt.timedelta(days=7), planned_end=end)
    return {"now": now, "dev": dev, "eng": eng, "cohorts": (spring, autumn, ops)}


def _expected(requirements, levels_now, levels_then):
    now = [readiness_display(readiness(requirements, lv)) for lv in levels_now]
    then = [readiness_display(readiness(requirements, lv)) for lv in levels_then]
    shown = readiness_display(cohorts.median(now))
    return shown, shown - readiness_display(cohorts.median(then))


def test_program_figures_match_a_direct_reckoning(program_world):
    overview = program_overview(now=program_world["now"])
    by_name = {line.cohort.name: line for line in overview.cohorts}
    assert [line.cohort.name for line in overview.cohorts] == ["Autumn", "Spring", "Ops"]
    a, b = _ids(program_world)
    dev = [Requirement(a, 3, 2), Requirement(b, 2, 1)]
    spring = by_name["Spring"].figures
    assert spring.members == 3
    assert (spring.median_readiness, spring.median_change) == _expected(
        dev, [{a: 3, b: 4}, {a: 2}, {}], [{a: 1, b: 4}, {a: 2}, {}]
    )
    assert spring.behind == 1 and spring.behind_percent == 33  # the cohort's rule: 2 weeks
    assert by_name["Spring"].mentors == ["Maya Okafor"]
    autumn = by_name["Autumn"].figures
    assert autumn.members == 1  # who left does not count
    assert (autumn.median_readiness, autumn.median_change) == _expected(dev, [{b: 1}], [{}])
    ops = by_name["Ops"].figures
    # learners[0] against the Eng path: evals 4 of target 4
    assert (ops.members, ops.median_readiness, ops.median_change, ops.top_gap) == (1, 100, 0, None)
    assert overview.members == 4
    names = [name for _, name in overview.top_gaps]
    assert "Retired one" not in names and names[0] == "Prompts"
    prompts = overview.top_gaps[0][0]
    # Prompts: Spring's L1 (2 of 3) and L2 (unrated), Autumn's L3 (unrated); of 4 on Dev
    assert (prompts.lacking, prompts.of) == (3, 4)


def _ids(world):
    pcs = world["dev"].path_competencies.current().order_by("position")
    return [pc.competency_id for pc in pcs]


# --- the pages ------------------------------------------------------------------------------------
@pytest.fixture
def program_staff(db):
    return factories.CohortStaffFactory(email="programme@example.com")


def test_program_staff_see_every_cohort(client, program_world, program_staff):
    client.force_login(program_staff)
    page = client.get(URL)
    assert page.status_code == 200
    for cohort in program_world["cohorts"]:
        assert reverse("roadmap:cohort_detail", args=[cohort.pk]) in page.text
    assert "The program&#x27;s top gaps" in page.text or "The program's top gaps" in page.text
    assert "Maya Okafor" in page.text and reverse("roadmap:program_csv") in page.text


def test_program_staff_drill_down_to_a_cohort(client, program_world, program_staff):
    client.force_login(program_staff)
    spring = program_world["cohorts"][0]
    page = client.get(reverse("roadmap:cohort_detail", args=[spring.pk]))
    assert page.status_code == 200 and "Spring" in page.text


def test_superuser_sees_the_program(client, program_world):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    assert client.get(URL).status_code == 200
    assert client.get(CSV_URL).status_code == 200


@pytest.mark.parametrize(
    "make",
    [factories.MentorFactory, factories.LearnerFactory, factories.StaffFactory],
    ids=["mentor", "learner", "staff-without-permission"],
)
def test_others_get_404(client, program_world, make):
    client.force_login(make())
    assert client.get(URL).status_code == 404
    assert client.get(CSV_URL).status_code == 404


def test_mentor_of_a_cohort_gets_404(client, program_world):
    spring = program_world["cohorts"][0]
    client.force_login(spring.mentors.get())
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_wrong_method(client, program_staff):
    client.force_login(program_staff)
    assert client.post(URL).status_code == 405
    assert client.post(CSV_URL).status_code == 405


def test_empty_program_says_what_to_do(client, program_staff):
    client.force_login(program_staff)
    page = client.get(URL)
    assert page.status_code == 200
    assert "No cohorts yet" in page.text and reverse("roadmap:cohort_create") in page.text


def test_mentor_home_links_the_program_for_program_staff_only(client, program_staff):
    client.force_login(program_staff)
    assert URL in client.get(reverse("roadmap:mentor_home")).text
    client.force_login(factories.MentorFactory())
    assert URL not in client.get(reverse("roadmap:mentor_home")).text


def test_csv_has_a_line_per_cohort(client, program_world, program_staff):
    spring = program_world["cohorts"][0]
    spring.name = "=HYPERLINK(1)"  # a formula in a name is written as text
    spring.save(update_fields=["name"])
    client.force_login(program_staff)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["cohort", "path", "start date"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Autumn", "'=HYPERLINK(1)", "Ops"}
    overview = program_overview()
    spring_line = next(line for line in overview.cohorts if line.cohort.pk == spring.pk)
    row = by_name["'=HYPERLINK(1)"]
    assert row[3] == "Maya Okafor" and row[4] == "3"
    assert row[5] == str(spring_line.figures.median_readiness)
    assert row[7] == "1" and row[8] == "33"


# --- query counts ---------------------------------------------------------------------------------
def _grow(cohort_count, members_each):
    path = factories.PathFactory()
    comps = [factories.CompetencyFactory() for _ in range(4)]
    for comp in comps:
        factories.PathCompetencyFactory(path=path, competency=comp)
    mentor = factories.MentorFactory()
    for _ in range(cohort_count):
        cohort = factories.CohortFactory(path=path)
        cohort.mentors.add(mentor)
        for _ in range(members_each):
            learner = factories.LearnerFactory()
            factories.CohortMembershipFactory(cohort=cohort, learner=learner)
            factories.RatingFactory(learner=learner, competency=comps[0], level=2)


@pytest.mark.parametrize("size", [(1, 2), (6, 8)], ids=["small", "large"])
@pytest.mark.django_db
def test_query_count_is_flat(client, program_staff, django_assert_max_num_queries, size):
    _grow(*size)
    client.force_login(program_staff)
    with django_assert_max_num_queries(13):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(13):
        response = client.get(CSV_URL)
        assert len(b"".join(response.streaming_content).splitlines()) == size[0] + 1
