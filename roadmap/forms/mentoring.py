"""Forms of the mentoring area."""

from django import forms

from curriculum.models import Level


class FeedbackForm(forms.Form):
    competency = forms.ModelChoiceField(queryset=None, required=False, empty_label="(general)")
    project = forms.ModelChoiceField(queryset=None, required=False, empty_label="(none)")
    body = forms.CharField(widget=forms.Textarea, max_length=4000, label="Feedback")

    def __init__(self, *args, competencies, projects, **kwargs):
        # distinct ids: this form shares the learner page with MentorRatingForm
        kwargs.setdefault("auto_id", "feedback_%s")
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = competencies
        self.fields["project"].queryset = projects


class MentorRatingForm(forms.Form):
    competency = forms.ModelChoiceField(queryset=None)
    level = forms.TypedChoiceField(choices=Level.choices, coerce=int)
    note = forms.CharField(widget=forms.Textarea, max_length=2000, required=False)

    def __init__(self, *args, competencies, **kwargs):
        kwargs.setdefault("auto_id", "rating_%s")
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = competencies


class CommentForm(forms.Form):
    """The optional comment on a verification or a sign-off. Too long is refused with a message
    (the view stores nothing then), never cut or dropped."""

    comment = forms.CharField(
        max_length=500,
        required=False,
        error_messages={
            "max_length": "A comment is at most %(limit_value)d characters; this one has "
            "%(show_value)d. Nothing was saved: shorten it and try again."
        },
    )

    def error_text(self) -> str:
        return " ".join(self.errors.get("comment", [])) or "The comment could not be read."
