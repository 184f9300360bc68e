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
    comment = forms.CharField(max_length=500, required=False)
