"""Forms of the assessment area: rating one competency, choosing a path, the path questionnaire."""

from django import forms
from django.core.validators import URLValidator

from curriculum.models import Level, Path

from .onboarding import QUESTIONS


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
    evidence_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        # Links are shown to mentors, so only web addresses (no ftp:, javascript:, ...).
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={
            "invalid": "Enter a full web address, such as https://github.com/you/project.",
            "max_length": "Keep the link under %(limit_value)d characters.",
        },
    )


class PathChoiceForm(forms.Form):
    path = forms.ModelChoiceField(
        queryset=Path.objects.active(),
        to_field_name="slug",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the path you are aiming for.",
            "invalid_choice": "That path is not available; choose one of the paths shown.",
        },
    )
    weekly_hours = forms.IntegerField(
        min_value=1,
        max_value=80,
        label="Hours a week for learning",
        help_text="Your roadmap's dates come from this (1 to 80).",
    )


class QuestionnaireForm(forms.Form):
    """Answers of "which path fits me?", sent with GET: answering changes nothing stored."""

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        if goals:
            self.fields["goal"] = forms.ChoiceField(
                label="Which goal sounds most like you?",
                choices=[(goal.slug, goal.label) for goal in goals],
                required=False,
                widget=forms.RadioSelect,
            )
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.prompt,
                choices=[(option.value, option.label) for option in question.options],
                required=False,
                widget=forms.RadioSelect,
            )

    def answered(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())
