import zoneinfo
from collections import defaultdict

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils import timezone

from curriculum.models import Path

from .models import User

# Zones most learners pick, offered first so nobody has to scroll through 400 names.
COMMON_TIMEZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
]


def timezone_choices() -> list:
    """Common zones first, then every zone grouped by region (optgroups keep the list usable)."""
    available = zoneinfo.available_timezones()
    groups: dict[str, list] = defaultdict(list)
    for name in sorted(available):
        region = name.split("/", 1)[0] if "/" in name else "Other"
        groups[region].append((name, name.replace("_", " ")))
    common = [(name, name.replace("_", " ")) for name in COMMON_TIMEZONES if name in available]
    return [("Common", common), *sorted(groups.items())]


# RFC 5321's limit, and the user model's e-mail column.
EMAIL_MAX_LENGTH = 254


# Pages with a time-zone select mark it so static/js/gapmap.js can pre-fill the browser's zone
# while the value is still the UTC default; without JavaScript the default stays UTC, and the help
# text says so.
DETECT_TIMEZONE = {"data-detect-timezone": "UTC"}
TIMEZONE_HELP = "Filled in from your browser when it can; otherwise UTC. Pick yours if it is wrong."


def timezone_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=timezone_choices,
        label="Time zone",
        widget=forms.Select(attrs=DETECT_TIMEZONE),
        error_messages={
            "invalid_choice": "Pick a time zone from the list, for example Europe/Berlin."
        },
        **kwargs,
    )


def _normalise_email(value: str) -> str:
    # E-mail addresses are unique and log in case-insensitively, so they are stored lower-case.
    return User.objects.normalize_email(value.strip()).lower()


class FocusFirstErrorMixin:
    """After a failed submit, put the cursor in the first field with an error (not the first
    field), so keyboard and screen-reader users land on what needs fixing."""

    def full_clean(self):
        super().full_clean()
        invalid = [name for name in self.fields if name in self.errors]
        if invalid:
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)
            self.fields[invalid[0]].widget.attrs["autofocus"] = True


class SignupForm(FocusFirstErrorMixin, BaseUserCreationForm):
    full_name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Tell us your name (it is shown to your mentor)."},
    )
    timezone = timezone_field(
        initial="UTC",
        required=False,
        help_text="Reminders and your weekly progress follow it. " + TIMEZONE_HELP,
    )

    class Meta:
        model = User
        fields = ["email", "full_name", "timezone"]
        labels = {"email": "E-mail address"}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})}
        error_messages = {
            "email": {
                "required": "Enter your e-mail address.",
                "invalid": "Enter a valid e-mail address, like name@example.com.",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].widget.attrs["autocomplete"] = "new-password"
        self.fields["password2"].widget.attrs["autocomplete"] = "new-password"
        self.fields["password1"].error_messages["required"] = "Choose a password."
        self.fields["password2"].error_messages["required"] = "Enter the same password again."

    def clean_timezone(self):
        return self.cleaned_data.get("timezone") or "UTC"

    def clean_email(self):
        email = _normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address already exists. Log in, or reset your "
                "password if you have forgotten it."
            )
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        # Everyone who signs up is a learner; mentors and staff are made in admin.
        user.role = User.Role.LEARNER
        user.is_staff = False
        user.is_superuser = False
        if commit:
            user.save()
        return user


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "That e-mail address and password do not match an account. Check both and try again "
            "(the password is case-sensitive)."
        ),
        "inactive": "This account is switched off. Ask an administrator to turn it back on.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "E-mail address"
        # "username" is the token password managers look for on a sign-in form.
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "username", "autofocus": True, "maxlength": 254}
        )
        self.fields["username"].error_messages["required"] = "Enter your e-mail address."
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields["password"].error_messages["required"] = "Enter your password."

    def clean_username(self):
        username = self.cleaned_data.get("username") or ""
        # Refused here, before authenticate(): axes would write it into a 255-character column.
        # (AuthenticationForm sets max_length after the field is built, so Django's own length
        # validator never runs.)
        if len(username) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters.", code="max_length"
            )
        # The same lower-casing as sign-up, so axes counts failures per address, not per spelling.
        return _normalise_email(username)


class GapmapPasswordChangeForm(FocusFirstErrorMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.update(autocomplete="current-password")
        self.fields["new_password1"].widget.attrs.update(autocomplete="new-password")
        self.fields["new_password2"].widget.attrs.update(autocomplete="new-password")


class GapmapSetPasswordForm(FocusFirstErrorMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].widget.attrs.update(autocomplete="new-password")
        self.fields["new_password2"].widget.attrs.update(autocomplete="new-password")


class GapmapPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].widget.attrs.update(autocomplete="email", autofocus=True)
        self.fields["email"].error_messages.update(
            required="Enter the e-mail address you signed up with.",
            invalid="Enter a valid e-mail address, like name@example.com.",
        )

    def clean_email(self):
        return _normalise_email(self.cleaned_data["email"])


class ProfileForm(FocusFirstErrorMixin, forms.ModelForm):
    timezone = timezone_field(
        help_text="Reminders and your weekly progress follow this zone. " + TIMEZONE_HELP
    )
    weekly_hours = forms.IntegerField(
        label="Hours a week",
        min_value=1,
        max_value=80,
        help_text="Hours a week you can give to learning and projects (1 to 80).",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many hours a week you can give (1 to 80).",
            "invalid": "Enter a whole number of hours, like 6.",
            "min_value": "Enter at least 1 hour a week.",
            "max_value": "80 hours a week is the most we plan for.",
        },
    )
    target_path = forms.ModelChoiceField(
        queryset=Path.objects.active(),
        required=False,
        label="Target path",
        empty_label="Not chosen yet",
        error_messages={"invalid_choice": "Pick one of the paths in the list."},
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "timezone",
            "weekly_hours",
            "target_path",
            "target_date",
            "headline",
            "bio",
            "free_resources_only",
        ]
        labels = {"full_name": "Name", "target_date": "Target date", "bio": "Short bio"}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "bio": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "target_date": "Optional: when you want to be job-ready.",
            "headline": "Optional, shown on your shared portfolio: for example "
            '"Data analyst moving into AI engineering".',
            "bio": "Optional, shown on your shared portfolio (up to 600 characters).",
        }
        error_messages = {
            "full_name": {"required": "Enter your name."},
            "target_date": {"invalid": "Enter a date like 2027-03-31."},
            "headline": {"max_length": "Keep the headline under %(limit_value)d characters."},
            "bio": {"max_length": "Keep the bio under %(limit_value)d characters."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True

    def clean_target_date(self):
        value = self.cleaned_data.get("target_date")
        # Only a newly entered date must lie ahead; an old one may stay while other fields change.
        if value and "target_date" in self.changed_data and value < timezone.localdate():
            raise forms.ValidationError("Choose a target date today or later.")
        return value
