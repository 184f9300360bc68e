"""What an import would change, shown before it changes anything: the dry run changes nothing,
the confirmed import does exactly what the dry run showed, rows the file leaves out are kept
unless asked, and the file's faults are named by slug, once each."""

from io import StringIO

import pytest
from django.core.management import call_command

from curriculum.curriculum_file import DEFAULT_FILE, CurriculumError, read_curriculum_file
from curriculum.diff import curriculum_diff, snapshot_from_db, snapshot_from_file
from curriculum.models import CareerGoal, Path, PathCompetency, Project, ProjectCheckpoint
from curriculum.services import StalePreview, curriculum_export, curriculum_import
from tests.curriculum.helpers import MINI, line_of, replace_once
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

SOURCE = "mini.yaml"


def dump() -> str:
    out = StringIO()
    call_command("dumpdata", "curriculum", stdout=out)
    return out.getvalue()


def import_text(text, **options):
    return curriculum_import(data_text=text, source_name=SOURCE, **options)


def fresh_diff(text, **options):
    data = read_curriculum_file(text, SOURCE)
    current = snapshot_from_db()
    return curriculum_diff(current, snapshot_from_file(data, current), **options)


def changed_mini() -> str:
    text = replace_once(MINI, "name: Python\n", "name: Python 3\n")
    text = replace_once(
        text, "{slug: python, target: 3, weight: 8}", "{slug: python, target: 4, weight: 8}"
    )
    text = replace_once(text, "title: Demo\n", "title: Live demo\n")
    text = replace_once(text, "      prompting: 2\n", "")
    return text


SCENARIOS = {
    "default file over an empty database": (None, DEFAULT_FILE.read_text()),
    "mini over the default file": (DEFAULT_FILE.read_text(), MINI),
    "edits to mini": (MINI, changed_mini()),
}


@pytest.mark.parametrize("retire_missing", [False, True])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_dry_run_changes_nothing_and_the_import_does_what_it_showed(scenario, retire_missing):
    before_text, text = SCENARIOS[scenario]
    if before_text:
        import_text(before_text)
    before = dump()

    shown = import_text(text, dry_run=True, retire_missing=retire_missing)

    assert dump() == before
    assert shown.has_changes
    done = import_text(text, retire_missing=retire_missing)
    assert done.entries == shown.entries
    assert done.digest() == shown.digest()
    # Afterwards the file and the database agree: nothing left to add, change or remove.
    after = fresh_diff(text, retire_missing=retire_missing)
    assert not after.has_changes, after.lines()
    assert import_text(text, retire_missing=retire_missing).changes == 0


def test_the_dry_run_command_prints_the_diff_and_changes_nothing(tmp_path, capsys):
    import_text(MINI)
    before = dump()
    source = tmp_path / "mini.yaml"
    source.write_text(changed_mini())

    call_command("import_curriculum", str(source), "--dry-run")

    out = capsys.readouterr().out
    assert dump() == before
    assert "Dry run of" in out and "nothing was changed" in out
    assert "  ~ python: name 'Python' -> 'Python 3'" in out
    assert "  ~ python on dev: target 3 -> 4" in out
    assert "  ~ chatbot: Live demo: title 'Demo' -> 'Live demo'" in out
    assert "  x chatbot builds prompting (deleted)" in out


def test_a_second_file_keeps_what_it_does_not_list_unless_asked():
    call_command("import_curriculum", str(DEFAULT_FILE), stdout=StringIO())
    paths = set(Path.objects.active().values_list("slug", flat=True))
    projects = Project.objects.filter(is_active=True).count()
    goals = CareerGoal.objects.count()

    report = import_text(MINI)

    # Nothing the file leaves out goes; only what it says about the competencies it lists does
    # (its python lists no resources, so the default file's python resources are deleted).
    assert report.retired == {}
    assert set(report.deleted) == {"resources"}
    assert {c.key[:2] for c in report.entries if c.action == "deleted"} <= {
        ("competency", slug) for slug in ("python", "prompting", "evals")
    }
    assert set(Path.objects.active().values_list("slug", flat=True)) == paths | {"dev", "eng"}
    assert Project.objects.filter(is_active=True).count() == projects + 3
    assert CareerGoal.objects.count() == goals + 2
    kept = {(c.kind, c.label) for c in report.kept}
    assert ("paths", "ai-developer") in kept
    assert ("career goals", "undecided") in kept
    assert "Not in the file (kept): 4 paths" in "\n".join(report.lines())

    asked = import_text(MINI, retire_missing=True)

    assert asked.retired["paths"] == 4
    assert asked.retired["projects"] == projects
    assert asked.deleted["career goals"] == goals
    assert set(Path.objects.active().values_list("slug", flat=True)) == {"dev", "eng"}


def test_re_importing_a_fresh_export_reports_no_changes_after_admin_edits():
    """Rows added in admin get position 0 (and keep gaps): the export lists them in order, and
    re-importing that export used to count every renumbered row as updated."""
    import_text(MINI)
    dev = Path.objects.get(slug="dev")
    chatbot = Project.objects.get(slug="chatbot")
    ProjectCheckpoint.objects.create(project=chatbot, title="Write-up", position=0)
    ProjectCheckpoint.objects.filter(project=chatbot, title="Demo").update(position=7)
    Project.objects.filter(slug="rag").update(position=5)
    CareerGoal.objects.create(slug="undecided", label="Undecided", recommended_path=dev, reason="r")
    exported = curriculum_export()

    report = import_text(exported)

    assert report.changes == 0, report.lines()
    assert report.summary() == "no changes"


def test_readiness_count_is_the_learners_whose_target_path_changes():
    import_text(MINI)
    dev, eng = Path.objects.get(slug="dev"), Path.objects.get(slug="eng")
    LearnerFactory.create_batch(2, target_path=dev)
    LearnerFactory(target_path=eng)
    LearnerFactory(target_path=None)

    assert import_text(changed_mini(), dry_run=True).learners == 2
    # Moving a competency on the assessment page changes no one's readiness.
    swapped = replace_once(
        MINI,
        "      - {slug: python, target: 3, weight: 8}\n"
        "      - {slug: prompting, target: 2, weight: 5}\n",
        "      - {slug: prompting, target: 2, weight: 5}\n"
        "      - {slug: python, target: 3, weight: 8}\n",
    )
    moved = import_text(swapped, dry_run=True)
    assert moved.updated["path competencies"] == 1
    assert moved.learners == 0


def test_a_confirmed_preview_is_refused_when_the_curriculum_changed_since():
    import_text(MINI)
    preview = import_text(changed_mini(), dry_run=True)
    PathCompetency.objects.filter(competency__slug="evals").update(weight=1)
    before = dump()

    with pytest.raises(StalePreview):
        import_text(changed_mini(), expected_digest=preview.digest())

    assert dump() == before


# --- faults in the file


def errors_of(text) -> list[str]:
    with pytest.raises(CurriculumError) as excinfo:
        import_text(text)
    return excinfo.value.errors


def test_one_bad_competency_is_one_error_not_one_per_reference():
    text = replace_once(MINI, "    kind: tool\n", "    kind: gadget\n")

    errors = errors_of(text)

    # python is used by both paths and two projects; only its definition is reported.
    assert errors == [
        f"{SOURCE} line {line_of(text, 'kind: gadget')}, competency 'python', kind: "
        "'gadget' is not one of skill, tool"
    ]


def test_an_unknown_slug_used_in_many_places_is_one_error_listing_the_lines():
    text = MINI.replace("slug: python, target", "slug: pyhton, target")
    text = text.replace("      python: 2\n", "      pyhton: 2\n")
    text = text.replace("      python: 3\n", "      pyhton: 3\n")

    errors = errors_of(text)

    assert len(errors) == 1
    first = line_of(text, "{slug: pyhton")
    assert errors[0].startswith(f"{SOURCE} line {first}, path 'dev', competency 'pyhton', slug:")
    assert "unknown competency 'pyhton' (also used on lines " in errors[0]
    assert str(line_of(text, "pyhton: 2")) in errors[0]


def test_a_prerequisite_from_another_path_is_refused():
    text = replace_once(
        MINI, "prerequisites: [chatbot]", "prerequisites: [chatbot, eval-dashboard]"
    )

    errors = errors_of(text)

    assert errors == [
        f"{SOURCE} line {line_of(text, 'eval-dashboard]')}, project 'rag', prerequisites, "
        "eval-dashboard: prerequisite 'eval-dashboard' is on path 'eng', not on 'dev': a "
        "project's prerequisites come from its own path"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - slug: python\n",
            "  - &py\n    slug: python\n",
            "YAML anchors and aliases (&py / *py) are not allowed",
        ),
        (
            "    summary: Runs systems.\n",
            "    summary: *dev_summary\n",
            "YAML anchors and aliases",
        ),
        (
            "    summary: Answers from documents.\n",
            "    summary: Answers from documents.\n    <<: {difficulty: beginner}\n",
            "YAML merge keys (<<) are not allowed",
        ),
    ],
)
def test_yaml_anchors_aliases_and_merge_keys_are_refused(old, new, message):
    text = replace_once(MINI, old, new)
    needle = new.strip().splitlines()[-1] if "<<" in new else new.strip().splitlines()[0]

    errors = errors_of(text)

    assert len(errors) == 1
    assert errors[0].startswith(f"{SOURCE} line {line_of(text, needle)}: ")
    assert message in errors[0]
    assert not Path.objects.exists()


def test_warnings_for_an_empty_path_a_project_building_nothing_and_no_career_goals():
    text = replace_once(
        MINI,
        "    competencies:\n      - {slug: python, target: 4, weight: 8}\n"
        "      - {slug: evals, target: 3, weight: 9}\n",
        "    competencies: []\n",
    )
    text = replace_once(text, "    builds:\n      evals: 3\n", "")
    goals = text[text.index("career_goals:") :]
    text = text.replace(goals, "career_goals: []\n")

    report = import_text(text, dry_run=True)

    warnings = "\n".join(report.warnings)
    assert "path 'eng': the path has no competencies" in warnings
    assert "project 'eval-dashboard': the project builds nothing" in warnings
    assert "career_goals: the list is empty" in warnings
    assert len(report.warnings) == 3
    assert "Warning: " in "\n".join(report.lines())
