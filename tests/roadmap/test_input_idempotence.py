"""Completing a plan item twice is idempotent, and the Markdown export keeps every evidence URL
inside its own link."""

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.models import PlanItem
from roadmap.services.plans import plan_generate, plan_item_complete
from tests import factories
from tests.factories_plans import curriculum_with_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return factories.LearnerFactory()


@pytest.fixture
def item(learner):
    path, _c, _p = curriculum_with_gaps(learner, projects=1)
    return plan_generate(learner=learner, path=path).items.get()


def test_completing_an_item_twice_keeps_the_first_and_records_nothing_more(learner, item):
    first = plan_item_complete(item=item, evidence_url="https://example.com/a", reflection="one")
    learner.refresh_from_db()
    done_at, touched_at = first.completed_at, learner.last_activity_at
    again = PlanItem.objects.get(pk=item.pk)
    second = plan_item_complete(item=again, evidence_url="https://example.com/b", reflection="two")
    assert (second.status, second.evidence_url, second.reflection) == (
        "done",
        "https://example.com/a",
        "one",
    )
    stored = PlanItem.objects.get(pk=item.pk)
    assert (stored.completed_at, stored.evidence_url) == (done_at, "https://example.com/a")
    learner.refresh_from_db()
    assert learner.last_activity_at == touched_at  # no second activity


def test_a_stale_page_completing_a_done_item_is_not_an_error(client, learner, item):
    client.force_login(learner)
    url = reverse("roadmap:plan_item_complete", args=[item.pk])
    data = {"evidence_url": "https://example.com/a", "reflection": ""}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "evidence_url": "https://example.com/b"}, follow=True)
    assert response.status_code == 200
    assert not [m for m in response.context["messages"] if m.level_tag == "error"]
    stored = PlanItem.objects.get(pk=item.pk)
    assert stored.status == "done" and stored.evidence_url == "https://example.com/a"


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://github.com/me/first", "<https://github.com/me/first>"),
        (
            "https://x.test/a>[click](https://evil.test)",
            "<https://x.test/a%3E[click](https://evil.test)>",
        ),
        ("https://x.test/a b<c", "<https://x.test/a%20b%3Cc>"),
        ("https://x.test/wiki/Foo_(bar)", "<https://x.test/wiki/Foo_(bar)>"),
    ],
)
def test_markdown_export_keeps_each_evidence_url_inside_its_link(client, learner, item, url, link):
    PlanItem.objects.filter(pk=item.pk).update(status="done")
    item.refresh_from_db()
    PlanItem.objects.filter(pk=item.pk).update(evidence_url=url, completed_at=timezone.now())
    client.force_login(learner)
    text = client.get(reverse("roadmap:portfolio_markdown")).content.decode()
    (line,) = [line for line in text.splitlines() if line.startswith("- Evidence:")]
    assert line == f"- Evidence: {link}"
    inner = line.removeprefix("- Evidence: <").removesuffix(">")
    assert not any(c in inner for c in "<> ")
