"""The conversation forms over any input: valid and within the limits, or refused with a
message; never an exception (RELIABILITY 19)."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from roadmap.forms.conversations import AnnouncementForm, EmailInviteForm, ReplyForm
from roadmap.models.conversations import ANNOUNCEMENT_MAX_LENGTH, REPLY_MAX_LENGTH

text = st.one_of(
    st.text(max_size=50),
    st.text(max_size=2100),
    st.builds(lambda n: "x" * n, st.integers(0, 4100)),
)


@given(text)
def test_a_reply_is_stored_stripped_within_the_limit_or_refused_with_a_message(body):
    form = ReplyForm({"body": body}, feedback_id=1)
    if form.is_valid():
        stored = form.cleaned_data["body"]
        assert stored and stored == stored.strip() and len(stored) <= REPLY_MAX_LENGTH
    else:
        assert form.errors["body"] and all(form.errors["body"])


@given(st.text(max_size=200), text, st.one_of(st.uuids().map(str), st.text(max_size=40)))
def test_an_announcement_is_valid_within_limits_or_refused_with_a_message(subject, body, key):
    form = AnnouncementForm({"subject": subject, "body": body, "key": key})
    if form.is_valid():
        assert 0 < len(form.cleaned_data["subject"]) <= 120
        assert 0 < len(form.cleaned_data["body"]) <= ANNOUNCEMENT_MAX_LENGTH
        assert isinstance(form.cleaned_data["key"], uuid.UUID)
    else:
        assert form.errors and "key" not in form.errors  # a hidden field's error is shown above


@given(st.lists(st.one_of(st.emails(), st.text(max_size=20)), max_size=60))
def test_pasted_addresses_are_all_valid_or_each_bad_one_is_named(pieces):
    form = EmailInviteForm({"addresses": "\n".join(pieces)})
    if form.is_valid():
        addresses = form.cleaned_data["addresses"]
        assert 0 < len(addresses) <= 50
        assert len({a.casefold() for a in addresses}) == len(addresses)
    else:
        assert form.errors["addresses"]
