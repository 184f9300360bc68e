"""Users and cohorts in admin (staff manage people here), and the read-only progress history."""

from django.test import Client
from django.urls import reverse

from accounts.models import Cohort, CohortMembership, User
from roadmap.models import Rating
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from


def test_add_user_with_email_and_password(admin_client):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "new.mentor@example.com",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "full_name": "New Mentor",
            "role": "mentor",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.mentor@example.com")
    assert user.check_password(factories.PASSWORD)
    assert user.is_mentor and not user.is_staff


def test_add_user_refuses_a_taken_email(admin_client):
    factories.LearnerFactory(email="taken@example.com")
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "taken@example.com",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "role": "learner",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_change_user_profile_fields(admin_client):
    path = factories.PathFactory()
    user = factories.LearnerFactory()
    url = admin_url(User, "change", user.pk)
    data = post_data_from(admin_client.get(url))
    data.update(timezone="Europe/Berlin", weekly_hours="10", target_path=str(path.pk))

    response = admin_client.post(url, data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.timezone, user.weekly_hours, user.target_path) == ("Europe/Berlin", 10, path)


def test_user_password_page_renders(admin_client):
    user = factories.LearnerFactory()
    response = admin_client.get(reverse("admin:auth_user_password_change", args=[user.pk]))
    assert response.status_code == 200


def test_change_user_rejects_unknown_timezone(admin_client):
    user = factories.LearnerFactory()
    url = admin_url(User, "change", user.pk)
    data = post_data_from(admin_client.get(url))
    data["timezone"] = "Mars/Olympus"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "is not a known time zone" in response.content.decode()


def test_user_list_filters_by_cohort_and_role(admin_client):
    cohort = factories.CohortFactory()
    inside = factories.CohortMembershipFactory(cohort=cohort).learner
    # The admin offers (and applies) the cohort filter once there is more than one cohort.
    factories.CohortMembershipFactory()
    factories.MentorFactory()
    url = admin_url(User, "changelist")
    cl = admin_client.get(url, {"memberships__cohort__id__exact": cohort.pk}).context["cl"]
    assert list(cl.result_list) == [inside]
    assert admin_client.get(url, {"role__exact": "mentor"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"role__exact": "learner"}).context["cl"].result_count == 3


def test_staff_create_a_cohort_with_members_and_mentors(admin_client):
    path = factories.PathFactory()
    learner = factories.LearnerFactory()
    mentor = factories.MentorFactory()
    response = admin_client.get(admin_url(Cohort, "add"))
    data = post_data_from(response)
    prefix = inline_prefix(response, CohortMembership)
    data.update(
        {
            "name": "Spring 2027",
            "path": str(path.pk),
            "start_date": "2027-03-01",
            "mentors": [str(mentor.pk)],
            f"{prefix}-0-learner": str(learner.pk),
        }
    )

    response = admin_client.post(admin_url(Cohort, "add"), data)

    assert response.status_code == 302, response.context["errors"]
    cohort = Cohort.objects.get(name="Spring 2027")
    assert list(cohort.mentors.all()) == [mentor]
    assert [m.learner for m in cohort.memberships.all()] == [learner]


def test_cohort_refuses_a_mentor_as_member_and_a_learner_as_mentor(admin_client):
    path = factories.PathFactory()
    learner = factories.LearnerFactory()
    mentor = factories.MentorFactory()
    response = admin_client.get(admin_url(Cohort, "add"))
    data = post_data_from(response)
    prefix = inline_prefix(response, CohortMembership)
    data.update(
        {
            "name": "Wrong roles",
            "path": str(path.pk),
            "start_date": "2027-03-01",
            "mentors": [str(learner.pk)],
            f"{prefix}-0-learner": str(mentor.pk),
        }
    )

    response = admin_client.post(admin_url(Cohort, "add"), data)

    assert response.status_code == 200
    assert response.content.decode().count("Select a valid choice") == 2
    assert not Cohort.objects.exists()


def test_learner_autocomplete_offers_learners_only(admin_client):
    learner = factories.LearnerFactory(full_name="Ada Learner")
    factories.MentorFactory(full_name="Ada Mentor")
    factories.StaffFactory(full_name="Ada Staff")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Ada",
            "app_label": "accounts",
            "model_name": "cohortmembership",
            "field_name": "learner",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(learner.pk)]


def test_cohort_list_shows_active_member_counts(admin_client):
    cohort = factories.CohortFactory()
    factories.CohortMembershipFactory.create_batch(3, cohort=cohort)
    left = factories.CohortMembershipFactory(cohort=cohort)
    left.left_at = left.joined_at
    left.save()
    cl = admin_client.get(admin_url(Cohort, "changelist")).context["cl"]
    assert cl.result_list[0].active_members == 3


# --- ratings: append-only history


def test_rating_cannot_be_added_or_changed(admin_client):
    rating = factories.RatingFactory(level=2)
    assert admin_client.get(admin_url(Rating, "add")).status_code == 403
    url = admin_url(Rating, "change", rating.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = admin_client.post(url, {"level": "4", "source": "self"})
    assert response.status_code == 403
    rating.refresh_from_db()
    assert rating.level == 2


def test_only_a_superuser_deletes_a_rating(admin_client):
    rating = factories.RatingFactory()
    staff = factories.StaffFactory()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_rating", "delete_rating"])
    )
    client = Client()
    client.force_login(staff)
    url = admin_url(Rating, "delete", rating.pk)
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Rating.objects.filter(pk=rating.pk).exists()

    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Rating.objects.filter(pk=rating.pk).exists()


def test_rating_search_by_learner_email(admin_client):
    rating = factories.RatingFactory(learner=factories.LearnerFactory(email="zoe@example.com"))
    factories.RatingFactory()
    cl = admin_client.get(admin_url(Rating, "changelist"), {"q": "zoe@"}).context["cl"]
    assert list(cl.result_list) == [rating]
