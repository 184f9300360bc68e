from django import forms

from roadmap.services.credentials import MAX_PASTE


class VerifyForm(forms.Form):
    credential = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        max_length=MAX_PASTE,
        label="Credential (the contents of its .jwt file)",
    )
