"""The curriculum file's resources, checkpoint evidence and path structure: carried by import and
export both ways, and every mistake reported with the slug and the line."""

import datetime as dt

import pytest

from curriculum.curriculum_file import CurriculumError, read_curriculum_file
from curriculum.models import Path, ProjectCheckpoint, Resource
from curriculum.services import curriculum_export, curriculum_import
from tests.curriculum.helpers import MINI

pytestmark = pytest.mark.django_db

PYTHON_RESOURCES = """\
    resources:
      - title: The Python Tutorial
        url: https://docs.python.org/3/tutorial/
        kind: docs
        cost: free
        minutes: 600
        levels: [0, 2]
        checked_on: 2026-12-03
        note: The language's own guided tour.
      - title: pytest documentation
        url: https://docs.pytest.org/en/stable/
        kind: docs
        cost: free
        language: de
        minutes: 120
        levels: [2, 3]
        note: How to write the tests level 3 asks for.
"""

RAG_RESOURCES = """\
    resources:
      - title: Retrieval guide
        url: https://huggingface.co/learn
        kind: course
        cost: free
        minutes: 240
        levels: [1, 3]
        note: Free courses from the model hub.
"""


def with_extras(text=MINI):
    """MINI with resources on python and the rag project, checkpoint evidence, an outcome and an
    earlier path."""
    text = text.replace(
        "      4: Sets the team's standards.\n",
        "      4: Sets the team's standards.\n" + PYTHON_RESOURCES,
    )
    text = text.replace(
        "      - title: Ingestion\n        description: Documents indexed.\n",
        "      - title: Ingestion\n        description: Documents indexed.\n"
        "        evidences: [python]\n",
    )
    text = text.replace(
        "    builds:\n      python: 3\n", "    builds:\n      python: 3\n" + RAG_RESOURCES
    )
    text = text.replace(
        "    best_fit_when: You like reliability.\n",
        "    best_fit_when: You like reliability.\n"
        "    outcome: Runs a service at a stated p95 latency.\n"
        "    recommended_earlier_path: dev\n",
    )
    return text


def errors_of(text):
    with pytest.raises(CurriculumError) as caught:
        read_curriculum_file(text, "c.yaml")
    return caught.value.errors


def line_of(text, needle, nth=0):
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[nth]


def test_import_creates_resources_evidence_and_path_structure():
    report = curriculum_import(data_text=with_extras(), source_name="c.yaml")

    assert report.created["resources"] == 3
    tutorial, pytest_docs = Resource.objects.filter(competency__slug="python").order_by("position")
    assert tutorial.title == "The Python Tutorial"
    assert (tutorial.level_from, tutorial.level_to, tutorial.minutes) == (0, 2, 600)
    assert tutorial.checked_on == dt.date(2026, 12, 3)
    assert tutorial.language == "en"
    assert pytest_docs.language == "de"
    assert pytest_docs.checked_on is None
    assert Resource.objects.get(project__slug="rag").kind == "course"
    ingestion = ProjectCheckpoint.objects.get(title="Ingestion")
    assert list(ingestion.evidences.values_list("slug", flat=True)) == ["python"]
    eng = Path.objects.get(slug="eng")
    assert eng.recommended_earlier_path.slug == "dev"
    assert eng.outcome == "Runs a service at a stated p95 latency."


def test_export_round_trips_resources_byte_for_byte():
    curriculum_import(data_text=with_extras(), source_name="c.yaml")
    exported = curriculum_export()
    assert "url: https://docs.python.org/3/tutorial/" in exported
    assert "levels: [0, 2]" in exported
    assert "checked_on: 2026-12-03" in exported
    assert "evidences: [python]" in exported
    assert "recommended_earlier_path: dev" in exported

    assert curriculum_import(data_text=exported, source_name="export.yaml").changes == 0
    Resource.objects.all().delete()
    ProjectCheckpoint.objects.all().delete()
    curriculum_import(data_text=exported, source_name="export.yaml")
    assert curriculum_export() == exported


def test_reimport_keeps_link_check_results_and_follows_the_files_order():
    curriculum_import(data_text=with_extras(), source_name="c.yaml")
    Resource.objects.filter(url__contains="pytest").update(last_status=200)
    first, second = PYTHON_RESOURCES.split("      - title: pytest")
    swapped = with_extras().replace(
        PYTHON_RESOURCES, "    resources:\n      - title: pytest" + second + first[15:]
    )

    report = curriculum_import(data_text=swapped, source_name="c.yaml")

    assert report.updated["resources"] == 2
    rows = list(Resource.objects.filter(competency__slug="python").order_by("position"))
    assert [r.title for r in rows] == ["pytest documentation", "The Python Tutorial"]
    assert rows[0].last_status == 200


def test_a_resource_dropped_from_the_file_is_deleted():
    curriculum_import(data_text=with_extras(), source_name="c.yaml")
    report = curriculum_import(data_text=with_extras().replace(RAG_RESOURCES, ""), source_name="c")
    assert report.deleted["resources"] == 1
    assert not Resource.objects.filter(project__isnull=False).exists()


@pytest.mark.parametrize(
    ("old", "new", "needle", "where", "message"),
    [
        (
            "url: https://docs.python.org/3/tutorial/",
            "url: http://docs.python.org/3/tutorial/",
            "http://docs.python.org",
            "competencies[0] (python).resources[0].url",
            "is not an https:// address",
        ),
        (
            "levels: [0, 2]",
            "levels: [3, 1]",
            "levels: [3, 1]",
            "competencies[0] (python).resources[0].levels",
            "from level 3 is above to level 1",
        ),
        (
            "levels: [0, 2]",
            "levels: [0, 5]",
            "levels: [0, 5]",
            "competencies[0] (python).resources[0].levels",
            "levels 0-5 are off the scale 0-4",
        ),
        (
            "kind: course",
            "kind: podcast",
            "kind: podcast",
            "projects[1] (rag).resources[0].kind",
            "'podcast' is not one of docs, course",
        ),
        (
            "cost: free\n        language: de",
            "cost: cheap\n        language: de",
            "cost: cheap",
            "competencies[0] (python).resources[1].cost",
            "'cheap' is not one of free, freemium, paid",
        ),
        (
            "checked_on: 2026-12-03",
            "checked_on: last week",
            "checked_on: last week",
            "competencies[0] (python).resources[0].checked_on",
            "expected a date like 2026-12-03, got text",
        ),
        (
            "        minutes: 600\n",
            "",
            "title: The Python Tutorial",
            "competencies[0] (python).resources[0].minutes",
            "missing required field",
        ),
        (
            "        note: The language's own guided tour.\n",
            "        note: The language's own guided tour.\n        rating: 5\n",
            "rating: 5",
            "competencies[0] (python).resources[0].rating",
            "unknown key",
        ),
        (
            "url: https://docs.pytest.org/en/stable/",
            "url: https://docs.python.org/3/tutorial/",
            "url: https://docs.python.org/3/tutorial/",
            "competencies[0] (python).resources[1].url",
            "duplicate url 'https://docs.python.org/3/tutorial/' (first on line",
        ),
        (
            "evidences: [python]",
            "evidences: [evals]",
            "evidences: [evals]",
            "projects[1] (rag).checkpoints[0].evidences[0]",
            "'evals' is not a competency this project builds",
        ),
        (
            "recommended_earlier_path: dev",
            "recommended_earlier_path: ops",
            "recommended_earlier_path: ops",
            "paths[1] (eng).recommended_earlier_path",
            "unknown path 'ops'",
        ),
        (
            "recommended_earlier_path: dev",
            "recommended_earlier_path: eng",
            "recommended_earlier_path: eng",
            "paths[1] (eng).recommended_earlier_path",
            "a path cannot come before itself",
        ),
    ],
)
def test_each_mistake_names_the_slug_and_the_line(old, new, needle, where, message):
    text = with_extras()
    assert old in text
    text = text.replace(old, new, 1)
    [error] = errors_of(text)
    nth = 1 if needle == "url: https://docs.python.org/3/tutorial/" else 0
    assert error.startswith(f"c.yaml line {line_of(text, needle, nth)}, {where}: "), error
    assert message in error


def test_more_than_eight_resources_is_refused_at_the_resources_line():
    extra = "".join(
        f"      - {{title: Page {n}, url: 'https://docs.python.org/3/library/m{n}.html', "
        f"kind: docs, cost: free, minutes: 10, levels: [1, 2], note: A page.}}\n"
        for n in range(7)
    )
    text = with_extras().replace(PYTHON_RESOURCES, PYTHON_RESOURCES + extra)
    [error] = errors_of(text)
    assert error.startswith(f"c.yaml line {line_of(text, '    resources:')}, ")
    assert "competencies[0] (python).resources: 9 resources; at most 8" in error


def test_an_earlier_path_cycle_is_refused():
    text = with_extras().replace(
        "    best_fit_when: You like building.\n",
        "    best_fit_when: You like building.\n    recommended_earlier_path: eng\n",
    )
    [error] = errors_of(text)
    assert "earlier-path cycle: " in error
