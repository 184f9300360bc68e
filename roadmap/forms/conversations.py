"""Forms of the conversations area: a reply in a feedback thread, an announcement to a cohort,
invitations by e-mail."""

import uuid

from django import forms

from roadmap.models.conversations import ANNOUNCEMENT_MAX_LENGTH, REPLY_MAX_LENGTH
from roadmap.services.conversations import MAX_ADDRESSES, addresses_parse

TOO_LONG = (
    "A {what} is at most %(limit_value)d characters; this one has %(show_value)d. Nothing was "
    "sent: shorten it and try again."
)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write something before sending your reply.",
            "max_length": TOO_LONG.format(what="reply"),
        },
    )

    def __init__(self, *args, feedback_id: int, **kwargs):
        # several threads share a page: ids unique per thread
        kwargs.setdefault("auto_id", f"reply-{feedback_id}-%s")
        super().__init__(*args, **kwargs)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something before sending your reply.")
        return body


class AnnouncementForm(forms.Form):
    subject = forms.CharField(
        max_length=120,
        error_messages={
            "required": "Give the announcement a subject.",
            "max_length": TOO_LONG.format(what="subject"),
        },
    )
    body = forms.CharField(
        label="Message",
        max_length=ANNOUNCEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write the message to send.",
            "max_length": TOO_LONG.format(what="message"),
        },
    )
    # One key per form shown: the same form sent twice sends one announcement.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4()

    def clean(self):
        data = super().clean()
        if "key" in self.errors:  # a hidden field: say it where the page shows form errors
            del self.errors["key"]
            self.add_error(None, "This form could not be read: reload the page and try again.")
        return data


class EmailInviteForm(forms.Form):
    addresses = forms.CharField(
        label="E-mail addresses",
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        help_text=f"One per line, or separated by commas or spaces; up to {MAX_ADDRESSES} at a "
        "time. Each address gets its own link, which works only for that address.",
        error_messages={"required": "Paste at least one e-mail address."},
    )

    def clean_addresses(self):
        parsed = addresses_parse(self.cleaned_data["addresses"])
        errors = [
            forms.ValidationError(
                "“%(address)s” is not an e-mail address: check it for typos.",
                params={"address": address},
                code="invalid_address",
            )
            for address in parsed.invalid
        ]
        if not parsed.addresses and not errors:
            errors.append(forms.ValidationError("Paste at least one e-mail address."))
        if len(parsed.addresses) > MAX_ADDRESSES:
            errors.append(
                forms.ValidationError(
                    f"That is {len(parsed.addresses)} addresses; send at most {MAX_ADDRESSES} "
                    "at a time."
                )
            )
        if errors:
            raise forms.ValidationError(errors)
        self.repeated = parsed.repeated
        return parsed.addresses
