"""The import's diff sees resources, checkpoint evidence and the path's outcome and earlier path:
the default file re-imported over itself is "no changes", and a dry run of an edit to any of
them shows exactly that edit (and a confirmed import then does it)."""

from io import StringIO

import pytest
from django.core.management import call_command

from curriculum.curriculum_file import DEFAULT_FILE
from curriculum.models import Path, ProjectCheckpoint, Resource
from curriculum.services import curriculum_import
from tests.curriculum.helpers import replace_once

pytestmark = pytest.mark.django_db

DEFAULT = DEFAULT_FILE.read_text()
PRIMER = "https://github.com/donnemartin/system-design-primer"


def import_text(text, **options):
    return curriculum_import(data_text=text, source_name="c.yaml", **options)


def test_re_importing_the_default_file_reports_no_changes():
    import_text(DEFAULT)

    again = import_text(DEFAULT, dry_run=True)

    assert not again.has_changes, again.lines()
    assert again.summary() == "no changes"
    out = StringIO()
    call_command("import_curriculum", str(DEFAULT_FILE), "--dry-run", stdout=out)
    assert "No changes." in out.getvalue()


def test_a_dry_run_shows_one_changed_resource_and_the_import_does_it():
    import_text(DEFAULT)
    text = replace_once(
        DEFAULT,
        "        minutes: 600\n"
        "        levels: [0, 2]\n"
        "        checked_on: 2026-12-03\n"
        "        note: Caching, queues and load balancing, with worked examples.\n",
        "        minutes: 480\n"
        "        levels: [0, 2]\n"
        "        checked_on: 2026-12-03\n"
        "        note: Caching and queues, with worked examples.\n",
    )

    shown = import_text(text, dry_run=True)

    [change] = shown.entries
    assert (change.kind, change.action) == ("resources", "changed")
    assert change.key == ("competency", "scale-latency-architecture", PRIMER)
    assert {name for name, _, _ in change.fields} == {"minutes", "note"}
    assert "scale-latency-architecture: The System Design Primer" in "\n".join(shown.lines())
    assert Resource.objects.get(url=PRIMER).minutes == 600

    done = import_text(text)

    assert done.entries == shown.entries
    resource = Resource.objects.get(url=PRIMER)
    assert (resource.minutes, resource.note) == (480, "Caching and queues, with worked examples.")
    assert not import_text(text, dry_run=True).has_changes


def test_dropped_added_and_moved_resources_are_shown():
    import_text(DEFAULT)
    block = (
        "      - title: The System Design Primer\n"
        f"        url: {PRIMER}\n"
        "        kind: repository\n"
        "        cost: free\n"
        "        minutes: 600\n"
        "        levels: [0, 2]\n"
        "        checked_on: 2026-12-03\n"
        "        note: Caching, queues and load balancing, with worked examples.\n"
    )
    dropped = replace_once(DEFAULT, block, "")
    shown = import_text(dropped, dry_run=True)
    assert [(c.kind, c.action) for c in shown.entries] == [("resources", "deleted")]

    import_text(dropped)
    shown = import_text(DEFAULT, dry_run=True)
    assert [(c.kind, c.action) for c in shown.entries] == [("resources", "added")]
    import_text(DEFAULT)
    assert Resource.objects.get(url=PRIMER).position == 0

    # Swapped with the next one: one move, no field changes.
    locust = (
        "      - title: Locust documentation\n"
        "        url: https://docs.locust.io/en/stable/\n"
        "        kind: tool\n"
        "        cost: free\n"
        "        minutes: 60\n"
        "        levels: [1, 3]\n"
        "        checked_on: 2026-12-03\n"
        "        note: Load tests written in Python, to find where a service breaks.\n"
    )
    swapped = replace_once(DEFAULT, block + locust, locust + block)
    shown = import_text(swapped, dry_run=True)
    [change] = shown.entries
    assert (change.kind, change.action, change.fields, change.moved) == (
        "resources",
        "changed",
        (),
        True,
    )


def test_evidence_outcome_and_earlier_path_edits_are_shown_and_imported():
    import_text(DEFAULT)
    text = replace_once(
        DEFAULT, "        evidences: [rapid-prototyping]\n", "        evidences: [python]\n"
    )
    text = replace_once(text, "    recommended_earlier_path: ai-developer\n", "")
    text = replace_once(
        text,
        "    outcome: Someone at these targets can turn an organisation's own data",
        "    outcome: At these targets one can turn an organisation's own data",
    )

    shown = import_text(text, dry_run=True)

    changed = {(c.kind, c.key[0]): {f[0] for f in c.fields} for c in shown.entries}
    assert changed[("paths", "ai-engineer")] == {"recommended_earlier_path"}
    assert changed[("paths", "ml-engineer")] == {"outcome"}
    [checkpoint] = [c for c in shown.entries if c.kind == "checkpoints"]
    assert checkpoint.fields[0][0] == "evidences"
    assert checkpoint.fields[0][2] == "python"
    assert len(shown.entries) == 3

    import_text(text)

    assert Path.objects.get(slug="ai-engineer").recommended_earlier_path is None
    assert Path.objects.get(slug="ml-engineer").outcome.startswith("At these targets")
    row = ProjectCheckpoint.objects.get(project__slug=checkpoint.key[0], title="Human in the loop")
    assert list(row.evidences.values_list("slug", flat=True)) == ["python"]
    assert not import_text(text, dry_run=True).has_changes
