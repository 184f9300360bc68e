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
