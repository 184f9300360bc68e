"""Forms of onboarding: choosing a path, and the "which path fits me?" questionnaire."""

from django import forms

from curriculum.models import Path
from roadmap.lib.onboarding import QUESTIONS


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
