"""Invite codes people can type: no look-alike characters, any case, spaces and dashes ignored;
the join page names the cohort and its mentors before anyone joins."""

import importlib
import math

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.models import (
    INVITE_ALPHABET,
    INVITE_LENGTH,
    CohortInvite,
    CohortMembership,
    display_invite_code,
    invite_code,
    normalise_invite_code,
)
from roadmap.services import cohorts as svc
from tests import factories
from tests.factories_mentoring import CohortInviteFactory


def test_alphabet_has_no_look_alikes_and_codes_are_as_strong_as_before():
    assert not set("ILOU01") & set(INVITE_ALPHABET)
    assert len(set(INVITE_ALPHABET)) == len(INVITE_ALPHABET) == 30
    # token_urlsafe(8), the codes before, carried 64 random bits
    assert INVITE_LENGTH * math.log2(len(INVITE_ALPHABET)) >= 64
    codes = {invite_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == INVITE_LENGTH and set(c) <= set(INVITE_ALPHABET) for c in codes)


def test_display_form_normalises_back_to_the_code():
    code = invite_code()
    shown = display_invite_code(code)
    assert "-" in shown and normalise_invite_code(shown) == code


def _typed(draw_case, spaces, code):
    """`code` as someone might type it: each letter in the case drawn, spaces and dashes put
    in before the characters drawn."""
    out = []
    for ch, lower, gap in zip(code, draw_case, spaces, strict=True):
        out.append(gap)
        out.append(ch.lower() if lower else ch)
    return "".join(out)


typed_codes = st.builds(
    lambda code, case, gaps, tail: (code, _typed(case, gaps, code) + tail),
    st.text(alphabet=INVITE_ALPHABET, min_size=INVITE_LENGTH, max_size=INVITE_LENGTH),
    st.lists(st.booleans(), min_size=INVITE_LENGTH, max_size=INVITE_LENGTH),
    st.lists(
        st.sampled_from(["", "", " ", "-", "  ", "\t", " - "]),
        min_size=INVITE_LENGTH,
        max_size=INVITE_LENGTH,
    ),
    st.sampled_from(["", " ", "\n", "-"]),
)


@given(typed_codes)
def test_normalising_ignores_case_spaces_and_dashes(pair):
    code, typed = pair
    assert normalise_invite_code(typed) == code


@given(st.text(alphabet=INVITE_ALPHABET, min_size=INVITE_LENGTH, max_size=INVITE_LENGTH))
def test_a_different_code_never_matches(code):
    other = code[:-1] + ("Z" if code[-1] != "Z" else "Y")
    assert normalise_invite_code(other.lower()) != code


class TestJoinMatchesTypedCodes(TestCase):
    """The property through the database: whatever case and spacing, the right invite joins."""

    @settings(max_examples=25, deadline=None)
    @given(typed_codes)
    def test_joining_with_a_code_as_typed(self, pair):
        code, typed = pair
        cohort = factories.CohortFactory()
        CohortInviteFactory(cohort=cohort, code=code)
        learner = factories.LearnerFactory()
        membership = svc.cohort_join(learner=learner, code=typed)
        assert membership.cohort == cohort
        assert svc.invite_find(code=typed).code == code


pytestmark = pytest.mark.django_db


def test_new_invites_are_stored_normalised():
    invite = svc.cohort_invite_create(cohort=factories.CohortFactory(), created_by=None)
    assert invite.code == normalise_invite_code(invite.code)
    assert len(invite.code) == INVITE_LENGTH


def test_join_page_names_cohort_and_mentors_and_joins_only_on_post(client):
    cohort = factories.CohortFactory(name="Spring cohort")
    cohort.mentors.add(factories.MentorFactory(full_name="Maya Okafor"))
    cohort.mentors.add(factories.MentorFactory(full_name="Tom Herrera"))
    invite = CohortInviteFactory(cohort=cohort)
    learner = factories.LearnerFactory()
    client.force_login(learner)
    typed = " " + display_invite_code(invite.code).lower() + " "
    page = client.get(reverse("roadmap:join"), {"code": typed})
    assert page.status_code == 200
    assert "Spring cohort" in page.text
    assert "Maya Okafor" in page.text and "Tom Herrera" in page.text
    assert "Join Spring cohort" in page.text
    assert not CohortMembership.objects.exists()
    link = client.get(reverse("roadmap:join_code", args=[invite.code.lower()]))
    assert "Spring cohort" in link.text and "Maya Okafor" in link.text
    response = client.post(reverse("roadmap:join"), {"code": typed})
    assert response.status_code == 302
    assert CohortMembership.objects.active().filter(cohort=cohort, learner=learner).exists()


def test_join_page_without_code_shows_the_form(client):
    client.force_login(factories.LearnerFactory())
    page = client.get(reverse("roadmap:join"))
    assert page.status_code == 200 and 'name="code"' in page.text
    assert "not known" not in page.text


def test_unknown_typed_code_says_so_on_get(client):
    client.force_login(factories.LearnerFactory())
    page = client.get(reverse("roadmap:join"), {"code": "ZZZZ-ZZZZ"})
    assert page.status_code == 200 and "not known" in page.text


def test_invites_page_has_copy_button_and_selectable_link(client):
    cohort = factories.CohortFactory()
    mentor = factories.MentorFactory()
    cohort.mentors.add(mentor)
    invite = CohortInviteFactory(cohort=cohort)
    client.force_login(mentor)
    page = client.get(reverse("roadmap:cohort_invites", args=[cohort.pk]))
    assert f'data-copy="invite-link-{invite.pk}"' in page.text
    assert f'id="invite-link-{invite.pk}"' in page.text and "readonly" in page.text
    assert reverse("roadmap:join_code", args=[invite.code]) in page.text


def test_migration_normalises_old_codes():
    migration = importlib.import_module("accounts.migrations.0005_cohort_rules_and_invite_codes")
    cohort = factories.CohortFactory()
    old = CohortInviteFactory(cohort=cohort, code="aB-c_dEf9")
    same = CohortInviteFactory(cohort=cohort, code="ABC_DEF9")  # already the normalised form
    from django.apps import apps

    migration.normalise_codes(apps, None)
    old.refresh_from_db()
    same.refresh_from_db()
    assert same.code == "ABC_DEF9"
    assert old.code != same.code and old.code == normalise_invite_code(old.code)
    new = CohortInviteFactory(cohort=cohort, code="xy-z")
    migration.normalise_codes(apps, None)
    new.refresh_from_db()
    assert new.code == "XYZ"
    assert svc.invite_find(code="xy-z") == new
    assert CohortInvite.objects.count() == 3
