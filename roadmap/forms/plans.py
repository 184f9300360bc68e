"""Forms of the plans area."""

from django import forms


class CompleteItemForm(forms.Form):
    evidence_url = forms.URLField(
        label="Evidence link",
        max_length=500,
        assume_scheme="https",
        help_text="A repository, demo or write-up that shows the finished project.",
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/you/project"}),
    )
    reflection = forms.CharField(
        label="Short reflection",
        max_length=2000,
        required=False,
        help_text="What did you learn, what would you do differently?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_evidence_url(self):
        url = self.cleaned_data["evidence_url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web link starting with http:// or https://.")
        return url


class MoveItemForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PlanFixForm(forms.Form):
    """One of the late-target fixes, as the warning offers it: a new weekly pace or a new target
    date (exactly one). The values are absolute, so sending the same fix twice changes nothing
    more."""

    weekly_hours = forms.IntegerField(
        label="Hours a week",
        min_value=1,
        max_value=80,
        required=False,
        error_messages={
            "invalid": "Enter a whole number of hours, like 6.",
            "min_value": "Enter at least 1 hour a week.",
            "max_value": "80 hours a week is the most we plan for.",
        },
    )
    target_date = forms.DateField(
        label="Target date",
        required=False,
        error_messages={"invalid": "Enter a date like 2027-03-31."},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_target_date(self):
        value = self.cleaned_data.get("target_date")
        if value and value < self.today:
            raise forms.ValidationError("Choose a target date today or later.")
        return value

    def clean(self):
        data = super().clean()
        given = [name for name in ("weekly_hours", "target_date") if data.get(name) is not None]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError("Choose one fix: new weekly hours or a new target date.")
        return data

    @property
    def kind(self) -> str:
        return "hours" if self.cleaned_data.get("weekly_hours") is not None else "date"
