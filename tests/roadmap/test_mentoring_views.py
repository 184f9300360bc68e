"""The cohort dashboard, CSV export, the mentor's learner view, feedback, verification,
sign-off, and what the learner sees of them."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.models import CheckpointSignOff, Feedback, Rating, RatingVerification
from roadmap.services import cohorts as cohort_services
from roadmap.services import mentoring as svc
from roadmap.services.assessment import current_ratings_rebuild, rating_record
from tests import factories
from tests.factories_mentoring import FeedbackFactory

pytestmark = pytest.mark.django_db


class Setup:
    def __init__(self, learners=2, competencies=3):
        self.path = factories.PathFactory()
        self.pcs = [
            factories.PathCompetencyFactory(path=self.path, target_level=3, weight=1)
            for _ in range(competencies)
        ]
        self.mentor = factories.MentorFactory(full_name="Mia Mentor")
        self.cohort = factories.CohortFactory(path=self.path, name="Autumn cohort")
        self.cohort.mentors.add(self.mentor)
        self.learners = []
        for i in range(learners):
            learner = factories.LearnerFactory(full_name=f"Learner {i:03d}")
            factories.CohortMembershipFactory(cohort=self.cohort, learner=learner)
            self.learners.append(learner)

    def rate(self, learner, pc_index, level, *, days_ago=0, source=Rating.Source.SELF, by=None):
        return rating_record(
            learner=learner,
            competency=self.pcs[pc_index].competency,
            level=level,
            source=source,
            rated_by=by,
            at=timezone.now() - dt.timedelta(days=days_ago),
        )

    def start(self, learner, project):
        """The learner starts `project` (a mentor signs off checkpoints of started projects)."""
        from tests.factories_plans import PlanFactory, PlanItemFactory

        plan = learner.plans.filter(path=self.path).first() or PlanFactory(
            learner=learner, path=self.path
        )
        item = PlanItemFactory(plan=plan, project=project)
        item.start()
        return item

    @property
    def detail_url(self):
        return reverse("roadmap:cohort_detail", args=[self.cohort.pk])

    def learner_url(self, learner, suffix=""):
        return reverse("roadmap:mentor_learner", args=[self.cohort.pk, learner.pk]) + suffix


@pytest.fixture
def s():
    return Setup()


# --- cohort dashboard -----------------------------------------------------------------------------
def test_cohort_detail_shows_heatmap_gaps_attention_and_chart(client, s):
    ada, bob = s.learners
    s.rate(ada, 0, 3, days_ago=40)
    s.rate(ada, 1, 1)
    s.rate(bob, 0, 1, days_ago=25)
    client.force_login(s.mentor)
    response = client.get(s.detail_url)
    assert response.status_code == 200
    text = response.text
    assert "Learner 000" in text and "Learner 001" in text
    assert 'class="hm met">3<span class="visually-hidden">, met</span>' in text
    assert 'class="hm below-2">1<span class="visually-hidden">, 2 below</span>' in text
    assert "Top gaps" in text and "<svg" in text and "Figures per week" in text
    # bob last acted 25 days ago (the rule: 21): he needs attention, with the reason
    attention = [r.name for r in response.context["attention"]]
    assert attention == ["Learner 001"]
    assert "no activity for 25 days" in text and "Suggested:" in text
    gaps = response.context["top_gaps"]
    assert gaps[0][0].lacking == 2


def test_readiness_change_over_four_weeks(client, s):
    ada = s.learners[0]
    s.rate(ada, 0, 1, days_ago=40)
    s.rate(ada, 0, 3, days_ago=1)
    client.force_login(s.mentor)
    rows = {r.name: r for r in client.get(s.detail_url).context["data"].rows}
    # 1/9 = 11% four weeks ago, 3/9 = 33% now
    assert rows["Learner 000"].readiness == 33
    assert rows["Learner 000"].readiness_change == 22


def test_sort_by_competency_and_filter(client, s):
    ada, bob = s.learners
    s.rate(ada, 2, 4)
    s.rate(bob, 2, 1)
    client.force_login(s.mentor)
    cid = s.pcs[2].competency_id
    rows = client.get(s.detail_url, {"sort": f"c{cid}"}).context["rows"]
    assert [r.name for r in rows] == ["Learner 001", "Learner 000"]
    rows = client.get(s.detail_url, {"lacking": cid}).context["rows"]
    assert [r.name for r in rows] == ["Learner 001"]
    rows = client.get(s.detail_url, {"status": "on_track"}).context["rows"]
    assert [r.name for r in rows] == ["Learner 000", "Learner 001"]
    rows = client.get(s.detail_url, {"status": "attention", "sort": "nonsense"}).context["rows"]
    assert rows == []


def test_htmx_request_returns_only_the_heatmap(client, s):
    client.force_login(s.mentor)
    response = client.get(s.detail_url, {"sort": "readiness"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="heatmap"')
    assert "<html" not in response.text and "Top gaps" not in response.text


def test_cohort_detail_wrong_method_anonymous_outsider(client, s):
    assert client.get(s.detail_url).status_code == 302
    client.force_login(s.mentor)
    assert client.post(s.detail_url).status_code == 405
    client.force_login(factories.MentorFactory())
    assert client.get(s.detail_url).status_code == 404
    assert client.get(s.detail_url, headers={"HX-Request": "true"}).status_code == 404
    client.force_login(s.learners[0])
    assert client.get(s.detail_url).status_code == 404


def test_mentor_home_lists_cohort_with_median_and_attention(client, s):
    s.rate(s.learners[0], 0, 3)
    client.force_login(s.mentor)
    response = client.get(reverse("roadmap:mentor_home"))
    summary = response.context["summaries"][0]
    assert summary.size == 2 and summary.attention == 1
    assert summary.median_readiness == 16  # median of 33.3 and 0
    assert "Autumn cohort" in response.text


def test_calibration_bias_on_cohort_view(client, s):
    ada = s.learners[0]
    s.rate(ada, 0, 4)
    s.rate(ada, 0, 2, source=Rating.Source.MENTOR, by=s.mentor)
    client.force_login(s.mentor)
    bias = client.get(s.detail_url).context["bias"]
    assert bias == [(s.pcs[0].competency.name, 2.0, 1)]


def _populate(size):
    setup = Setup(learners=size, competencies=4)
    ratings = []
    for learner in setup.learners:
        for i, pc in enumerate(setup.pcs):
            for days in (3, 20, 60):
                ratings.append(
                    Rating(
                        learner=learner,
                        competency=pc.competency,
                        level=i % 5,
                        created_at=timezone.now() - dt.timedelta(days=days),
                    )
                )
    Rating.objects.bulk_create(ratings)
    Rating.objects.create(
        learner=setup.learners[0],
        competency=setup.pcs[0].competency,
        level=2,
        source=Rating.Source.MENTOR,
        rated_by=setup.mentor,
    )
    current_ratings_rebuild(learner_ids=[learner.pk for learner in setup.learners])
    return setup


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["detail", "csv", "home"])
def test_query_count_is_the_same_for_5_and_200_learners(client, name):
    counts = []
    for size in (5, 200):
        setup = _populate(size)
        client.force_login(setup.mentor)
        url = {
            "detail": setup.detail_url,
            "csv": reverse("roadmap:cohort_csv", args=[setup.cohort.pk]),
            "home": reverse("roadmap:mentor_home"),
        }[name]
        counts.append(_count_queries(client, url, None))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 14


def test_cohort_dashboard_max_queries(client, django_assert_max_num_queries):
    setup = _populate(30)
    client.force_login(setup.mentor)
    with django_assert_max_num_queries(14):
        client.get(setup.detail_url)


# --- CSV ------------------------------------------------------------------------------------------
def test_csv_one_row_per_learner(client, s):
    ada, bob = s.learners
    s.rate(ada, 0, 3)
    s.rate(ada, 1, 2)
    bob.full_name = "=cmd()"
    bob.save()
    client.force_login(s.mentor)
    response = client.get(reverse("roadmap:cohort_csv", args=[s.cohort.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0] == [
        "learner",
        *[pc.competency.name for pc in s.pcs],
        "readiness",
        "last activity",
    ]
    assert rows[1][0] == "'=cmd()"  # a formula is neutralised
    assert rows[1][1:5] == ["0", "0", "0", "0"]
    assert rows[2][:5] == ["Learner 000", "3", "2", "0", "55"]
    assert rows[2][5].startswith(str(timezone.now().year))
    assert len(rows) == 3


def test_csv_levels_and_readiness_match_the_dashboard(client):
    import random

    rng = random.Random(3)
    s = Setup(learners=4, competencies=3)
    for pc in s.pcs:
        pc.target_level, pc.weight = rng.randint(1, 4), rng.randint(1, 5)
        pc.save()
    for learner in s.learners[:3]:
        for _ in range(8):
            s.rate(learner, rng.randrange(3), rng.randint(0, 4), days_ago=rng.uniform(0, 40))
    rating_record(learner=s.learners[0], competency=factories.CompetencyFactory(), level=4)
    client.force_login(s.mentor)
    shown = {
        row.name: [str(cell.level) for cell in row.cells] + [str(row.readiness)]
        for row in client.get(s.detail_url).context["rows"]
    }
    response = client.get(reverse("roadmap:cohort_csv", args=[s.cohort.pk]))
    exported = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))[1:]
    assert {row[0]: row[1:5] for row in exported} == shown


def test_csv_outsider_404(client, s):
    client.force_login(factories.MentorFactory())
    assert client.get(reverse("roadmap:cohort_csv", args=[s.cohort.pk])).status_code == 404


# --- learner view for mentors ---------------------------------------------------------------------
def test_mentor_learner_view_shows_levels_history_and_projects(client, s):
    ada = s.learners[0]
    rating = s.rate(ada, 0, 2)
    Rating.objects.filter(pk=rating.pk).update(
        note="Built a RAG demo", evidence_url="https://x.example/r"
    )
    project = factories.ProjectFactory(path=s.path, name="RAG app")
    factories.ProjectCheckpointFactory(project=project, title="Evaluation report")
    s.start(ada, project)
    client.force_login(s.mentor)
    response = client.get(s.learner_url(ada))
    assert response.status_code == 200
    text = response.text
    assert "Built a RAG demo" in text and "https://x.example/r" in text
    assert "RAG app" in text and "Evaluation report" in text
    assert "No plan yet." in text


def test_mentor_learner_404_for_non_member_and_former_member(client, s):
    client.force_login(s.mentor)
    stranger = factories.LearnerFactory()
    assert client.get(s.learner_url(stranger)).status_code == 404
    s.cohort.memberships.filter(learner=s.learners[0]).update(left_at=timezone.now())
    assert client.get(s.learner_url(s.learners[0])).status_code == 404


def test_mentor_leaves_feedback(client, s):
    ada = s.learners[0]
    client.force_login(s.mentor)
    url = reverse("roadmap:mentor_feedback", args=[s.cohort.pk, ada.pk])
    assert client.get(url).status_code == 405
    response = client.post(
        url, {"body": "Work on retrieval evaluation.", "competency": s.pcs[0].competency_id}
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.learner, feedback.author, feedback.competency) == (
        ada,
        s.mentor,
        s.pcs[0].competency,
    )
    bad = client.post(url, {"body": ""})
    assert bad.status_code == 400 and Feedback.objects.count() == 1
    # a competency outside the cohort's path is refused
    other = factories.CompetencyFactory()
    assert client.post(url, {"body": "x", "competency": other.pk}).status_code == 400


def test_outsider_cannot_post_feedback_verify_or_sign_off(client, s):
    ada = s.learners[0]
    rating = s.rate(ada, 0, 2)
    checkpoint = factories.ProjectCheckpointFactory(project=factories.ProjectFactory(path=s.path))
    client.force_login(factories.MentorFactory())
    urls = [
        reverse("roadmap:mentor_feedback", args=[s.cohort.pk, ada.pk]),
        reverse("roadmap:mentor_rating_verify", args=[s.cohort.pk, ada.pk, rating.pk]),
        reverse("roadmap:mentor_checkpoint_signoff", args=[s.cohort.pk, ada.pk, checkpoint.pk]),
        reverse("roadmap:mentor_rating_record", args=[s.cohort.pk, ada.pk]),
    ]
    for url in urls:
        assert client.post(url, {"body": "x", "level": 1}).status_code == 404
    assert not Feedback.objects.exists() and not RatingVerification.objects.exists()
    assert not CheckpointSignOff.objects.exists()
    assert not Rating.objects.filter(source=Rating.Source.MENTOR).exists()


def test_verify_rating_is_idempotent_and_scoped(client, s):
    ada, bob = s.learners
    rating = s.rate(ada, 0, 2)
    bobs = s.rate(bob, 0, 2)
    client.force_login(s.mentor)
    url = reverse("roadmap:mentor_rating_verify", args=[s.cohort.pk, ada.pk, rating.pk])
    assert client.post(url, {"comment": "Saw the repo"}).status_code == 302
    assert client.post(url).status_code == 302
    verification = RatingVerification.objects.get()
    assert verification.rating == rating and verification.comment == "Saw the repo"
    # bob's rating through ada's URL: 404
    wrong = reverse("roadmap:mentor_rating_verify", args=[s.cohort.pk, ada.pk, bobs.pk])
    assert client.post(wrong).status_code == 404


def test_mentor_records_own_rating(client, s):
    ada = s.learners[0]
    client.force_login(s.mentor)
    url = reverse("roadmap:mentor_rating_record", args=[s.cohort.pk, ada.pk])
    response = client.post(url, {"competency": s.pcs[1].competency_id, "level": "3", "note": "ok"})
    assert response.status_code == 302
    rating = Rating.objects.get(source=Rating.Source.MENTOR)
    assert (rating.learner, rating.rated_by, rating.level) == (ada, s.mentor, 3)
    ada.refresh_from_db()
    assert ada.last_activity_at is None  # a mentor's rating is not the learner's activity
    assert client.post(url, {"competency": s.pcs[1].competency_id, "level": "9"}).status_code == 400


def test_checkpoint_sign_off_marks_project_verified(client, s):
    ada = s.learners[0]
    project = factories.ProjectFactory(path=s.path)
    first, second = (factories.ProjectCheckpointFactory(project=project) for _ in range(2))
    empty_project = factories.ProjectFactory(path=s.path)
    s.start(ada, project)
    client.force_login(s.mentor)

    def sign(cp):
        url = reverse("roadmap:mentor_checkpoint_signoff", args=[s.cohort.pk, ada.pk, cp.pk])
        return client.post(url, {"comment": "Meets the threshold"})

    assert sign(first).status_code == 302
    assert not svc.project_verified(ada, project)
    assert sign(second).status_code == 302
    assert sign(second).status_code == 302  # twice is harmless
    assert CheckpointSignOff.objects.count() == 2
    assert svc.project_verified(ada, project)
    assert not svc.project_verified(s.learners[1], project)
    assert svc.projects_verified(ada) == {project.pk}
    assert not svc.project_verified(ada, empty_project)
    assert "verified" in client.get(s.learner_url(ada)).text
    # a checkpoint of another path's project: 404
    foreign = factories.ProjectCheckpointFactory()
    assert sign(foreign).status_code == 404


# --- the learner's side ---------------------------------------------------------------------------
def test_learner_sees_feedback_and_verification_then_unread_clears(client, s):
    ada = s.learners[0]
    rating = s.rate(ada, 0, 2)
    svc.feedback_give(mentor=s.mentor, learner=ada, body="Great retrieval eval")
    svc.rating_verify(mentor=s.mentor, rating=rating)
    FeedbackFactory()  # someone else's
    assert svc.mentoring_unread_count(ada) == 2
    client.force_login(ada)
    response = client.get(reverse("roadmap:my_feedback"))
    assert "Great retrieval eval" in response.text and "verified" in response.text
    assert response.text.count(">new<") == 2
    assert svc.mentoring_unread_count(ada) == 0
    assert (
        "new"
        not in client.get(reverse("roadmap:my_feedback"))
        .text.split("<main")[1]
        .split("Feedback from mentors")[0]
    )


def test_learner_never_sees_others_feedback(client, s):
    FeedbackFactory(learner=s.learners[1], body="For bob only")
    client.force_login(s.learners[0])
    assert "For bob only" not in client.get(reverse("roadmap:my_feedback")).text


def test_calibration_page_for_learner(client, s):
    ada = s.learners[0]
    s.rate(ada, 0, 4, days_ago=2)
    s.rate(ada, 0, 2, source=Rating.Source.MENTOR, by=s.mentor, days_ago=1)
    s.rate(ada, 1, 1)
    client.force_login(ada)
    response = client.get(reverse("roadmap:calibration"))
    assert response.status_code == 200
    rows = response.context["calibration"]
    assert [r.competency_id for r in rows] == [s.pcs[0].competency_id]
    assert "self 2 above mentor" in response.text
    assert client.post(reverse("roadmap:calibration")).status_code == 405


def test_learner_view_query_count_does_not_grow_with_history(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 12):
        setup = Setup(learners=1, competencies=3)
        learner = setup.learners[0]
        for i in range(size):
            rating = setup.rate(learner, i % 3, i % 5, days_ago=i)
            svc.rating_verify(mentor=setup.mentor, rating=rating)
            project = factories.ProjectFactory(path=setup.path)
            checkpoint = factories.ProjectCheckpointFactory(project=project)
            svc.checkpoint_sign_off(mentor=setup.mentor, learner=learner, checkpoint=checkpoint)
            svc.feedback_give(mentor=setup.mentor, learner=learner, body=f"note {i}")
        setup.rate(learner, 0, 2, source=Rating.Source.MENTOR, by=setup.mentor)
        client.force_login(setup.mentor)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(setup.learner_url(learner)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_my_feedback_query_count_does_not_grow(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 10):
        setup = Setup(learners=1, competencies=1)
        learner = setup.learners[0]
        for _ in range(size):
            svc.feedback_give(mentor=setup.mentor, learner=learner, body="x")
            svc.rating_verify(mentor=setup.mentor, rating=setup.rate(learner, 0, 2))
        client.force_login(learner)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("roadmap:my_feedback"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_heatmap_pages_keep_sort_and_summary_covers_everyone(client):
    from roadmap.views.cohorts import PAGE_SIZE

    setup = _populate(PAGE_SIZE + 3)
    client.force_login(setup.mentor)
    response = client.get(setup.detail_url, {"sort": "readiness"})
    assert len(response.context["rows"]) == PAGE_SIZE
    assert response.context["pages"] == 2
    assert "page=2" in response.text and "sort=readiness" in response.text
    assert len(response.context["data"].rows) == PAGE_SIZE + 3  # summaries use all of them
    second = client.get(setup.detail_url, {"sort": "readiness", "page": "2"})
    assert len(second.context["rows"]) == 3
    assert client.get(setup.detail_url, {"page": "99"}).context["page"] == 2
    assert client.get(setup.detail_url, {"page": "x"}).context["page"] == 1


def test_csv_streams_in_chunks_of_learners(client, monkeypatch, django_assert_num_queries):
    from roadmap.views import cohorts as views

    s = Setup(learners=5)
    for i, learner in enumerate(s.learners):
        s.rate(learner, 0, i % 5)
    client.force_login(s.mentor)
    url = reverse("roadmap:cohort_csv", args=[s.cohort.pk])
    one_chunk = list(csv.reader(io.StringIO(client.get(url).getvalue().decode("utf-8-sig"))))
    monkeypatch.setattr(views, "CSV_CHUNK", 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as chunked_queries:
        chunked = list(csv.reader(io.StringIO(client.get(url).getvalue().decode("utf-8-sig"))))
    monkeypatch.setattr(views, "CSV_CHUNK", 200)
    with CaptureQueriesContext(connection) as single_queries:
        client.get(url).getvalue()
    assert chunked == one_chunk
    assert [row[0] for row in chunked[1:]] == [f"Learner {i:03d}" for i in range(5)]
    assert [row[1] for row in chunked[1:]] == ["0", "1", "2", "3", "4"]
    # one query per chunk of learners: 3 chunks of 2 instead of 1
    assert len(chunked_queries) == len(single_queries) + 2


# --- the cached figures and the denormalised levels -----------------------------------------------
def _old_figures(s, now):
    """The dashboard's figures as the code before CurrentRating computed them: every self-rating
    replayed through the pure functions."""
    from roadmap.lib import cohorts
    from roadmap.lib.gaps import Requirement
    from tests.roadmap import reference

    reqs = [Requirement(pc.competency_id, pc.target_level, pc.weight) for pc in s.pcs]
    ids = [learner.pk for learner in s.learners]
    events = [
        (r.learner_id, r.competency_id, r.level, r.created_at)
        for r in Rating.objects.filter(source=Rating.Source.SELF).order_by("created_at", "id")
    ]
    later = now + dt.timedelta(days=3650)
    current = reference.levels_as_of({}, events, later)
    past = reference.levels_as_of({}, events, now - dt.timedelta(weeks=4))
    starts = cohorts.week_starts(timezone.localtime(now), cohort_services.CHART_WEEKS)
    weekly = reference.weekly_medians(
        reqs, ids, {}, events, [*starts[1:], later], [start.date() for start in starts]
    )
    members = [cohorts.Member(learner.pk, learner.full_name, now) for learner in s.learners]
    rows = reference.heatmap_rows(members, reqs, current, past, now=now)
    gaps = reference.top_gaps(reqs, current, ids)
    return weekly, {r.learner_id: (r.readiness, r.readiness_change) for r in rows}, gaps


def test_figures_match_replaying_the_whole_history():
    import random

    rng = random.Random(11)
    s = Setup(learners=6, competencies=4)
    for pc in s.pcs:
        pc.target_level, pc.weight = rng.randint(1, 4), rng.randint(1, 5)
        pc.save()
    for learner in s.learners:
        for _ in range(25):
            s.rate(learner, rng.randrange(4), rng.randint(0, 4), days_ago=rng.uniform(0, 80))
    now = timezone.now()
    weekly, readiness, gaps = _old_figures(s, now)
    data = cohort_services.cohort_data(s.cohort, now=now)
    assert data.weekly == weekly
    assert {r.learner_id: (r.readiness, r.readiness_change) for r in data.rows} == readiness
    assert data.top_gaps == gaps
    # and again from the cache
    again = cohort_services.cohort_data(s.cohort, now=now)
    assert again.weekly == weekly and again.top_gaps == gaps
    assert {r.learner_id: (r.readiness, r.readiness_change) for r in again.rows} == readiness


def _figures_of(data):
    return (
        data.weekly,
        {r.learner_id: (r.readiness, r.readiness_change) for r in data.rows},
        data.top_gaps,
    )


def _counting(monkeypatch, name):
    calls = []
    real = getattr(cohort_services, name)

    def counted(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(cohort_services, name, counted)
    return calls


def test_figures_brought_up_to_date_after_new_ratings_match_the_replay(monkeypatch):
    import random

    from django.core.cache import cache

    rng = random.Random(7)
    s = Setup(learners=6, competencies=4)
    for pc in s.pcs:
        pc.target_level, pc.weight = rng.randint(1, 4), rng.randint(1, 5)
        pc.save()
    for learner in s.learners[:5]:  # the last one has not rated yet
        for _ in range(15):
            s.rate(learner, rng.randrange(4), rng.randint(0, 4), days_ago=rng.uniform(0, 70))
    cohort_services.cohort_data(s.cohort)  # builds the basis
    monkeypatch.setattr(cohort_services, "BASIS_MAX_CHANGED_SHARE", 1)
    builds = _counting(monkeypatch, "_basis_build")
    updates = _counting(monkeypatch, "_basis_update")
    outside = factories.CompetencyFactory()
    rounds = [
        lambda: s.rate(s.learners[0], 0, 4),
        lambda: s.rate(s.learners[5], 1, 2),  # a first rating
        lambda: s.rate(s.learners[1], 2, 0, days_ago=20),  # back-dated into the chart
        lambda: s.rate(s.learners[1], 2, 3, days_ago=200),  # back-dated before the chart
        lambda: s.rate(s.learners[2], 3, 1, source=Rating.Source.MENTOR, by=s.mentor),
        lambda: rating_record(learner=s.learners[3], competency=outside, level=3),
        lambda: [s.rate(s.learners[i], rng.randrange(4), rng.randint(0, 4)) for i in (0, 4)],
    ]
    for step in rounds:
        step()
        now = timezone.now()
        data = cohort_services.cohort_data(s.cohort, now=now)
        assert _figures_of(data) == _old_figures(s, now)
        cache.clear()  # and the same as a build from scratch
        rebuilt = cohort_services.cohort_data(s.cohort, now=now)
        assert _figures_of(rebuilt) == _figures_of(data)
        assert rebuilt.bias == data.bias
    assert len(updates) == len(rounds)
    assert len(builds) == len(rounds)  # only those after cache.clear()


@pytest.mark.parametrize("setting", ["BASIS_SECONDS", "BASIS_MAX_CHANGED_SHARE"])
def test_an_old_basis_or_many_changed_learners_are_built_from_scratch(monkeypatch, setting):
    s = Setup(learners=3)
    s.rate(s.learners[0], 0, 2, days_ago=10)
    cohort_services.cohort_data(s.cohort)
    monkeypatch.setattr(cohort_services, setting, -1 if setting == "BASIS_SECONDS" else 0)
    builds = _counting(monkeypatch, "_basis_build")
    s.rate(s.learners[1], 1, 3)
    now = timezone.now()
    assert _figures_of(cohort_services.cohort_data(s.cohort, now=now)) == _old_figures(s, now)
    assert builds == ["_basis_build"]


def test_a_deleted_newest_rating_rebuilds_the_figures(monkeypatch):
    s = Setup(learners=2)
    s.rate(s.learners[0], 0, 1, days_ago=10)
    newest = s.rate(s.learners[0], 0, 3)
    cohort_services.cohort_data(s.cohort)
    builds = _counting(monkeypatch, "_basis_build")
    newest.delete()  # a repair: the history without it
    current_ratings_rebuild(learner_ids=[s.learners[0].pk])
    now = timezone.now()
    assert _figures_of(cohort_services.cohort_data(s.cohort, now=now)) == _old_figures(s, now)
    assert builds == ["_basis_build"]


def test_query_count_after_a_new_rating_is_the_same_for_5_and_200_learners(client):
    counts = []
    for size in (5, 200):
        setup = _populate(size)
        client.force_login(setup.mentor)
        assert client.get(setup.detail_url).status_code == 200
        setup.rate(setup.learners[0], 1, 4)
        counts.append(_count_queries(client, setup.detail_url, None))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12


def _readiness_of(client, s, name):
    rows = client.get(s.detail_url).context["data"].rows
    return {r.name: r.readiness for r in rows}.get(name)


def test_a_new_rating_shows_up_on_the_next_view(client, s):
    ada = s.learners[0]
    s.rate(ada, 0, 1, days_ago=3)
    client.force_login(s.mentor)
    assert _readiness_of(client, s, "Learner 000") == 11  # 1/9
    s.rate(ada, 0, 3)
    assert _readiness_of(client, s, "Learner 000") == 33
    # a back-dated rating too
    s.rate(ada, 1, 3, days_ago=10)
    assert _readiness_of(client, s, "Learner 000") == 66


def test_a_curriculum_edit_shows_up_on_the_next_view(client, s):
    s.rate(s.learners[0], 0, 3)
    client.force_login(s.mentor)
    assert _readiness_of(client, s, "Learner 000") == 33
    s.pcs[0].weight = 7  # 7*3 / (7*3 + 3 + 3)
    s.pcs[0].save()
    assert _readiness_of(client, s, "Learner 000") == 77


def test_a_new_member_shows_up_on_the_next_view(client, s):
    client.force_login(s.mentor)
    assert client.get(s.detail_url).context["top_gaps"][0][0].of == 2
    learner = factories.LearnerFactory(full_name="Newcomer")
    factories.CohortMembershipFactory(cohort=s.cohort, learner=learner)
    response = client.get(s.detail_url)
    assert response.context["top_gaps"][0][0].of == 3
    assert "Newcomer" in response.text


def test_names_are_escaped_in_the_heatmap_and_attention_list(client, s):
    ada = s.learners[0]
    ada.full_name = '<script>alert("x")</script>'
    ada.save()
    competency = s.pcs[0].competency
    competency.name = "<b>SQL & co</b>"
    competency.save()
    s.rate(ada, 0, 1, days_ago=30)  # inactive: in the attention list and badged in the heatmap
    client.force_login(s.mentor)
    text = client.get(s.detail_url, {"sort": f"c{competency.pk}", "status": "x&y"}).text
    assert "<script>alert" not in text and "<b>SQL" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "&lt;b&gt;SQL &amp; co&lt;/b&gt; level</option>" in text  # sort options
    assert ">&lt;b&gt;SQL &amp; co&lt;/b&gt;</option>" in text  # lacking options
    assert '<span class="visually-hidden">&lt;b&gt;SQL &amp; co&lt;/b&gt;</span></a>' in text
    assert 'title="&lt;b&gt;SQL &amp; co&lt;/b&gt; (target 3): sort by it"' in text
    # the sort links keep the other parameters ({% querystring %}), escaped
    assert f'<a href="?sort=c{competency.pk}&amp;status=x%26y"' in text


def test_four_weeks_ago_outside_the_cached_week_asks_the_database():
    import random

    from roadmap.lib import cohorts

    rng = random.Random(5)
    s = Setup(learners=3, competencies=3)
    for learner in s.learners:
        for _ in range(12):
            s.rate(learner, rng.randrange(3), rng.randint(0, 4), days_ago=rng.uniform(0, 60))
    now = timezone.now()
    starts = cohorts.week_starts(timezone.localtime(now), cohort_services.CHART_WEEKS)
    members = cohort_services._members(s.cohort)
    _, reqs = cohort_services.cohort_requirements(s.cohort)
    stats = cohort_services.cohort_stats(s.cohort, members, reqs, starts)
    cut = now - dt.timedelta(weeks=4)
    from_cache = cohort_services.reached_past(s.cohort, reqs, stats, starts, cut)
    # as if a clock change had moved "4 weeks ago" out of the fourth week
    moved = [*starts[:3], cut + dt.timedelta(hours=1), *starts[4:]]
    assert cohort_services.reached_past(s.cohort, reqs, stats, moved, cut) == from_cache


def test_the_cohort_median_chart_is_drawn_by_lib_charts_with_a_dot_per_known_week(client, s):
    """One chart module: the cohort's median chart is a charts.line_chart drawn through
    templates/includes/line_chart_marks.html, like the learner's readiness chart."""
    s.rate(s.learners[0], 0, 3, days_ago=10)
    s.rate(s.learners[1], 1, 2)
    client.force_login(s.mentor)
    response = client.get(reverse("roadmap:cohort_detail", args=[s.cohort.pk]))
    text = response.text
    weekly = response.context["chart"]["rows"]
    known = [value for _, value in weekly if value is not None]
    assert text.count('<circle class="dot"') == len(known) > 0
    assert text.count('<line class="grid-line"') == 3
    assert '<path class="line" d="M' in text
    assert f"Week of {weekly[-1][0]:%d %b}: {weekly[-1][1]}%" in text
