"""Forms of the assessment area: rating one competency."""

from django import forms
from django.core.validators import URLValidator

from curriculum.models import Level


class WebURLField(forms.URLField):
    """A URLField that takes only web addresses (no ftp:, javascript:, ...): links are shown to
    mentors. Its one validator replaces URLField's own, so a bad link gets one message, not one
    per validator."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=Level.choices,
        coerce=int,
        error_messages={
            "required": "Choose a level from 0 (None) to 4 (Expert).",
            "invalid_choice": "Choose a level from 0 (None) to 4 (Expert).",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        error_messages={"max_length": "Keep the note under %(limit_value)d characters."},
    )
    evidence_url = WebURLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a full web address, such as https://github.com/you/project.",
            "max_length": "Keep the link under %(limit_value)d characters.",
        },
    )
