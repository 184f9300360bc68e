"""Sign-up, log-in/out, profile, password change and reset, and the home page's redirects."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from roadmap.models import PathSelection
from tests import factories

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "Ada@Example.com",
    "full_name": "Ada Lovelace",
    "password1": "a-long-unusual-passphrase-42",
    "password2": "a-long-unusual-passphrase-42",
}


# --- sign up --------------------------------------------------------------------------------------


def _lands_on_the_learner_home(client, response):
    # Home sends a learner to the dashboard (which may send a brand-new one on to onboarding).
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).url == reverse("roadmap:dashboard")


def test_signup_creates_a_learner_signs_them_in_and_lands_on_the_dashboard(client):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    _lands_on_the_learner_home(client, response)
    response = client.get(reverse("roadmap:profile"))
    user = User.objects.get()
    assert user.email == "ada@example.com"  # stored lower-case
    assert user.full_name == "Ada Lovelace"
    assert user.role == User.Role.LEARNER and user.is_learner
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(SIGNUP["password1"])
    assert response.context["user"] == user


def test_signup_stores_the_chosen_time_zone_and_defaults_to_utc(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    select = (
        page.split('name="timezone"')[0].rsplit("<select", 1)[1]
        + page.split('name="timezone"')[1].split(">")[0]
    )
    assert 'data-detect-timezone="UTC"' in select
    assert '<option value="UTC" selected>' in page
    assert "otherwise UTC" in page  # without JavaScript the default is stated
    client.post(reverse("accounts:signup"), {**SIGNUP, "timezone": "Europe/London"})
    assert User.objects.get().timezone == "Europe/London"


def test_signup_without_a_time_zone_gets_utc_and_a_bad_one_is_refused(client):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "timezone": "Mars/Base"})
    assert response.status_code == 200 and "Pick a time zone from the list" in response.text
    assert not User.objects.exists()
    client.post(reverse("accounts:signup"), SIGNUP)
    assert User.objects.get().timezone == "UTC"


def test_signup_form_has_labels_and_autocomplete(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert 'autocomplete="name"' in html
    for field in ("id_email", "id_full_name", "id_password1", "id_password2"):
        assert f'<label for="{field}">' in html


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"email": ""}, "email", "Enter your e-mail address."),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address"),
        ({"full_name": ""}, "full_name", "Tell us your name"),
        ({"password2": "something-else-entirely"}, "password2", "didn’t match"),
        ({"password1": "short", "password2": "short"}, "password2", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password2", "too common"),
    ],
)
def test_signup_rejects_bad_input_with_a_message_and_stores_nothing(client, change, field, message):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not User.objects.exists()


def test_signup_refuses_an_existing_address_in_any_case(client):
    factories.LearnerFactory(email="ada@example.com")
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "ADA@example.com"})
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert User.objects.count() == 1


def test_signup_cannot_make_a_mentor_or_staff(client):
    client.post(reverse("accounts:signup"), {**SIGNUP, "role": "mentor", "is_staff": "on"})
    user = User.objects.get()
    assert user.role == User.Role.LEARNER and not user.is_staff


def test_signup_wrong_method(client):
    assert client.put(reverse("accounts:signup")).status_code == 405


def test_signup_when_signed_in_goes_home(client):
    client.force_login(factories.LearnerFactory())
    assert client.get(reverse("accounts:signup")).url == reverse("home")


# --- log in / log out -----------------------------------------------------------------------------


def test_login_with_email_any_case_lands_on_the_learner_home(client):
    factories.LearnerFactory(email="bo@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "BO@example.com", "password": factories.PASSWORD}
    )
    _lands_on_the_learner_home(client, response)
    assert client.get(reverse("roadmap:profile")).context["user"].email == "bo@example.com"


def test_login_wrong_password_says_so_and_stays_signed_out(client):
    factories.LearnerFactory(email="bo@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "bo@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_form_has_autocomplete_and_email_input(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'type="email"' in html and 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_login_empty_form_names_each_missing_field(client):
    response = client.post(reverse("accounts:login"), {})
    html = response.content.decode()
    assert "Enter your e-mail address." in html and "Enter your password." in html


def test_logout_is_post_only_and_signs_out(client):
    client.force_login(factories.LearnerFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


# --- home -----------------------------------------------------------------------------------------


def test_home_shows_the_landing_page_to_anonymous_visitors(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("accounts:signup") in response.content.decode()


@pytest.mark.parametrize(
    "factory, target",
    [
        (factories.LearnerFactory, "roadmap:dashboard"),
        (factories.MentorFactory, "roadmap:mentor_home"),
        (factories.StaffFactory, "admin:index"),
    ],
)
def test_home_sends_each_role_where_it_works(client, factory, target):
    client.force_login(factory())
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse(target)


def test_home_wrong_method(client):
    assert client.post(reverse("home")).status_code == 405


# --- profile --------------------------------------------------------------------------------------


def _profile_data(**change):
    return {
        "full_name": "Bo Diddley",
        "timezone": "Europe/Berlin",
        "weekly_hours": "10",
        "target_path": "",
        "target_date": "",
        **change,
    }


def test_profile_saves_and_records_a_new_target_path(client):
    path = factories.PathFactory(slug="ai-engineer", name="AI Engineer")
    user = factories.LearnerFactory()
    client.force_login(user)
    target = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    response = client.post(
        reverse("roadmap:profile"),
        _profile_data(target_path=path.pk, target_date=target),
    )
    assert response.status_code == 302 and response.url == reverse("roadmap:profile")
    user.refresh_from_db()
    assert (user.full_name, user.timezone, user.weekly_hours) == ("Bo Diddley", "Europe/Berlin", 10)
    assert user.target_path == path and user.target_date.isoformat() == target
    assert PathSelection.objects.filter(learner=user, path=path).count() == 1
    # Saving again without changing the path adds no history row.
    client.post(reverse("roadmap:profile"), _profile_data(target_path=path.pk, target_date=target))
    assert PathSelection.objects.filter(learner=user).count() == 1


def test_profile_timezone_select_offers_common_zones_grouped(client):
    client.force_login(factories.LearnerFactory())
    html = client.get(reverse("roadmap:profile")).content.decode()
    assert '<optgroup label="Common">' in html and '<optgroup label="Asia">' in html
    assert 'value="Asia/Kolkata"' in html


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"weekly_hours": "0"}, "weekly_hours", "at least 1 hour"),
        ({"weekly_hours": "81"}, "weekly_hours", "80 hours a week is the most"),
        ({"weekly_hours": "lots"}, "weekly_hours", "whole number"),
        ({"weekly_hours": ""}, "weekly_hours", "Enter how many hours"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Pick a time zone"),
        ({"full_name": ""}, "full_name", "Enter your name"),
        ({"target_path": "999999"}, "target_path", "Pick one of the paths"),
        ({"target_date": "31/02/2027"}, "target_date", "Enter a date like"),
        ({"target_date": "2001-01-01"}, "target_date", "today or later"),
    ],
)
def test_profile_rejects_bad_input_with_a_message_and_changes_nothing(
    client, change, field, message
):
    user = factories.LearnerFactory(full_name="Before", weekly_hours=6, timezone="UTC")
    client.force_login(user)
    response = client.post(reverse("roadmap:profile"), _profile_data(**change))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    user.refresh_from_db()
    assert (user.full_name, user.weekly_hours, user.timezone) == ("Before", 6, "UTC")


def test_profile_anonymous_goes_to_login(client):
    response = client.get(reverse("roadmap:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_profile_wrong_method(client):
    client.force_login(factories.LearnerFactory())
    assert client.delete(reverse("roadmap:profile")).status_code == 405


# --- password change and reset --------------------------------------------------------------------


def test_password_change_stores_the_new_password_and_keeps_this_session(client):
    user = factories.LearnerFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "a-brand-new-passphrase-7",
            "new_password2": "a-brand-new-passphrase-7",
        },
    )
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase-7")
    assert client.get(reverse("roadmap:profile")).status_code == 200


def test_password_change_with_a_wrong_old_password_is_refused(client):
    user = factories.LearnerFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "x-y-z-123456", "new_password2": "x-y-z-123456"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)


def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert reverse("accounts:login") in response.url


def test_password_reset_by_email_end_to_end(client):
    user = factories.LearnerFactory(email="cy@example.com")
    response = client.post(reverse("accounts:password_reset"), {"email": "CY@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cy@example.com"] and "Reset your Gapmap password" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "reset-passphrase-99", "new_password2": "reset-passphrase-99"}
    )
    assert response.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("reset-passphrase-99")
    # The link works once.
    assert "invalid" in client.get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_with_a_bad_address_says_so(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nope"})
    assert "Enter a valid e-mail address" in response.content.decode()


def test_after_a_failed_submit_the_first_field_in_error_has_focus(client):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "password2": "different-1234"})
    form = response.context["form"]
    assert form["password2"].field.widget.attrs.get("autofocus")
    assert "autofocus" not in form["email"].field.widget.attrs
    html = response.content.decode()
    assert re.search(r'<input[^>]*name="password2"[^>]*autofocus', html)
