"""Forms of the progress area."""

from django import forms
from django.utils.html import escape


class DeleteAccountForm(forms.Form):
    """Asks the user to type their own e-mail address, so a stray click deletes nothing."""

    email = forms.CharField(
        label="Type your e-mail address to confirm",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # includes/form_fields.html renders help text as safe HTML, so escape the address.
        self.fields["email"].help_text = f"This account's address is {escape(user.email)}."

    def clean_email(self):
        typed = self.cleaned_data["email"].strip()
        if typed.casefold() != self.user.email.casefold():
            raise forms.ValidationError("That is not the e-mail address of this account.")
        return typed
