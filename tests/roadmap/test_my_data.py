"""My data: the JSON and CSV exports hold only the signed-in user's rows, and deleting the account
removes their data and logs them out."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.models import CohortMembership, User
from roadmap.models import CurriculumSnapshot, PathSelection, Rating
from roadmap.services.assessment import path_select, rating_record
from tests import factories
from tests.factories_progress import CurriculumSnapshotFactory, path_with_competencies

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def two_learners(db):
    path, (python, sql) = path_with_competencies(2)
    python.name, python.slug = "Python", "python"
    python.save()
    alice = factories.LearnerFactory(email="alice@example.com", timezone="Europe/Berlin")
    bob = factories.LearnerFactory(email="bob@example.com")
    path_select(learner=alice, path=path, reason="first portfolio")
    rating_record(learner=alice, competency=python, level=2, note="did a course")
    rating_record(learner=alice, competency=python, level=3, evidence_url="https://example.com/x")
    rating_record(learner=bob, competency=sql, level=4, note="bob's secret note")
    return alice, bob, path


def test_my_data_page_links_the_downloads_and_deletion(client, two_learners):
    client.force_login(two_learners[0])
    html = client.get(reverse("roadmap:my_data")).text
    for name in ("roadmap:export_json", "roadmap:export_csv", "roadmap:delete_account"):
        assert reverse(name) in html


@pytest.mark.parametrize("name", ["roadmap:my_data", "roadmap:export_json", "roadmap:export_csv"])
def test_anonymous_is_sent_to_login_and_post_is_refused(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(factories.LearnerFactory())
    assert client.post(reverse(name)).status_code == 405


def test_json_export_holds_only_the_users_own_data(
    client, two_learners, django_assert_max_num_queries
):
    alice, bob, path = two_learners
    client.force_login(alice)
    # 5 + one query each for plans, items, checkpoints, feedback, verifications, sign-offs,
    # reminder preference, deliveries and notifications
    # the studied resources, the celebrations and the logged hours are one more query each
    with django_assert_max_num_queries(17):
        response = client.get(reverse("roadmap:export_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="gapmap-data-2026-11-25.json"'
    data = json.loads(response.content)
    assert data["profile"]["email"] == "alice@example.com"
    assert data["profile"]["target_path"] == path.slug
    assert [s["reason"] for s in data["path_selections"]] == ["first portfolio"]
    assert [(r["competency_slug"], r["competency_name"], r["level"]) for r in data["ratings"]] == [
        ("python", "Python", 2),
        ("python", "Python", 3),
    ]
    assert data["ratings"][1]["evidence_url"] == "https://example.com/x"
    text = response.content.decode()
    assert "bob" not in text and "secret" not in text


def test_json_export_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    path, competencies = path_with_competencies(20)
    learner = factories.LearnerFactory()
    for competency in competencies:
        rating_record(learner=learner, competency=competency, level=1)
        path_select(learner=learner, path=path)
    client.force_login(learner)
    # 5 + one query each for plans, items, checkpoints, feedback, verifications, sign-offs,
    # reminder preference, deliveries and notifications
    # the studied resources, the celebrations and the logged hours are one more query each
    with django_assert_max_num_queries(17):
        data = json.loads(client.get(reverse("roadmap:export_json")).content)
    assert len(data["ratings"]) == 20 and len(data["path_selections"]) == 20


def test_csv_export_has_one_row_per_rating_of_the_user(client, two_learners):
    alice, _, _ = two_learners
    client.force_login(alice)
    response = client.get(reverse("roadmap:export_csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gapmap-data-2026-11-25.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "rated_at",
        "competency_slug",
        "competency_name",
        "level",
        "source",
        "note",
        "evidence_url",
    ]
    assert [(r[1], r[2], r[3], r[5]) for r in rows[1:]] == [
        ("python", "Python", "2", "did a course"),
        ("python", "Python", "3", ""),
    ]


def test_delete_account_asks_for_confirmation(client, two_learners):
    alice, _, _ = two_learners
    client.force_login(alice)
    response = client.get(reverse("roadmap:delete_account"))
    assert response.status_code == 200
    assert "Type your e-mail address to confirm" in response.text


def test_delete_account_with_the_wrong_email_changes_nothing(client, two_learners):
    alice, _, _ = two_learners
    client.force_login(alice)
    response = client.post(reverse("roadmap:delete_account"), {"email": "bob@example.com"})
    assert response.status_code == 200
    assert "not the e-mail address of this account" in response.text
    assert User.objects.filter(pk=alice.pk).exists()
    assert Rating.objects.filter(learner=alice).count() == 2


def test_delete_account_removes_the_users_data_and_logs_out(client, two_learners):
    alice, bob, path = two_learners
    cohort = factories.CohortFactory(path=path)
    factories.CohortMembershipFactory(cohort=cohort, learner=alice)
    CurriculumSnapshotFactory(learner=alice, path=path)
    client.force_login(alice)
    response = client.post(
        reverse("roadmap:delete_account"), {"email": " ALICE@example.com "}, follow=True
    )
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your account and all your data have been deleted." in response.text
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.filter(pk=alice.pk).exists()
    for model in (Rating, PathSelection, CurriculumSnapshot, CohortMembership):
        assert not model.objects.filter(learner_id=alice.pk).exists()
    # Bob is untouched.
    assert Rating.objects.filter(learner=bob).count() == 1
    # The old session is dead.
    assert client.get(reverse("roadmap:dashboard")).status_code == 302


def test_delete_account_refuses_other_methods_and_anonymous(client, db):
    response = client.post(reverse("roadmap:delete_account"), {"email": "x@example.com"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(factories.LearnerFactory())
    assert client.put(reverse("roadmap:delete_account")).status_code == 405


def test_deleting_a_mentor_keeps_the_ratings_they_gave(client, db):
    path, (python,) = path_with_competencies(1)
    learner = factories.LearnerFactory()
    mentor = factories.MentorFactory(email="m@example.com")
    rating = rating_record(
        learner=learner, competency=python, level=2, source=Rating.Source.MENTOR, rated_by=mentor
    )
    client.force_login(mentor)
    client.post(reverse("roadmap:delete_account"), {"email": "m@example.com"})
    rating.refresh_from_db()
    assert rating.rated_by is None


def test_csv_export_defuses_spreadsheet_formulas(client, db):
    _, (python,) = path_with_competencies(1)
    learner = factories.LearnerFactory()
    rating_record(learner=learner, competency=python, level=1, note='=HYPERLINK("http://x")')
    client.force_login(learner)
    response = client.get(reverse("roadmap:export_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][5] == '\'=HYPERLINK("http://x")'
