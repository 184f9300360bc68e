"""curriculum_import / curriculum_export and their commands: idempotence, round trips, retiring
what the file drops, and bad files that name the line and field and change nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum.curriculum_file import DEFAULT_FILE, CurriculumError
from curriculum.models import Competency, Path, PathCompetency, Project
from curriculum.services import curriculum_export, curriculum_import
from roadmap.models import Rating
from tests.curriculum.helpers import MINI, db_snapshot, line_of, replace_once
from tests.factories import RatingFactory

pytestmark = pytest.mark.django_db

SOURCE = "mini.yaml"


def load(text=MINI):
    return curriculum_import(data_text=text, source_name=SOURCE)


def test_first_import_creates_everything():
    report = load()

    assert report.created["paths"] == 2
    assert report.created["competencies"] == 3
    assert report.created["level descriptors"] == 15
    assert report.created["projects"] == 3
    assert report.updated.total() == 0
    rag = Project.objects.get(slug="rag")
    assert list(rag.prerequisites.values_list("slug", flat=True)) == ["chatbot"]
    assert list(rag.builds.values_list("competency__slug", "builds_to_level")) == [("python", 3)]
    assert [pc.competency.slug for pc in PathCompetency.objects.filter(path__slug="dev")] == [
        "python",
        "prompting",
    ]


def test_second_import_changes_nothing_and_reports_no_changes():
    load()
    before = db_snapshot()

    report = load()

    assert report.changes == 0
    assert db_snapshot() == before


def test_shipped_file_imports_twice_with_no_changes_the_second_time(capsys):
    call_command("import_curriculum", str(DEFAULT_FILE))
    before = db_snapshot()
    capsys.readouterr()

    call_command("import_curriculum", str(DEFAULT_FILE))

    assert "no changes" in capsys.readouterr().out
    assert db_snapshot() == before


def test_export_then_import_reports_no_changes_and_round_trips_into_an_empty_db():
    call_command("import_curriculum", str(DEFAULT_FILE))
    exported = curriculum_export()

    assert curriculum_import(data_text=exported, source_name="export.yaml").changes == 0

    # Into an empty database: the same text comes back out.
    for model in reversed(_deletion_order()):
        model.objects.all().delete()
    assert not Path.objects.exists()
    curriculum_import(data_text=exported, source_name="export.yaml")
    assert curriculum_export() == exported


def _deletion_order():
    from curriculum.models import (
        CareerGoal,
        Competency,
        LevelDescriptor,
        Path,
        PathCompetency,
        PathTrait,
        Project,
        ProjectCheckpoint,
        ProjectCompetency,
        ScaleLevel,
    )

    return [
        ScaleLevel,
        Path,
        Competency,
        PathTrait,
        LevelDescriptor,
        Project,
        PathCompetency,
        ProjectCheckpoint,
        ProjectCompetency,
        CareerGoal,
    ]


def test_export_command_writes_stdout_and_file(tmp_path, capsys):
    load()

    call_command("export_curriculum")
    printed = capsys.readouterr().out
    target = tmp_path / "out.yaml"
    call_command("export_curriculum", output=str(target))

    assert printed.startswith("# Gapmap curriculum file.")
    assert "- {slug: python, target: 3, weight: 8}" in printed
    assert target.read_text() == printed


def test_renaming_a_competency_keeps_its_identity_and_ratings():
    load()
    python = Competency.objects.get(slug="python")
    rating = RatingFactory(competency=python, level=3)

    report = load(replace_once(MINI, "name: Python\n", "name: Python 3\n"))

    assert report.updated["competencies"] == 1
    assert report.changes == 1
    python.refresh_from_db()
    assert python.name == "Python 3"
    rating.refresh_from_db()
    assert rating.competency_id == python.id
    assert Rating.objects.latest_levels(rating.learner) == {python.id: 3}


def test_changing_targets_and_descriptors_updates_in_place():
    load()
    pc = PathCompetency.objects.get(path__slug="dev", competency__slug="python")

    text = replace_once(
        MINI, "{slug: python, target: 3, weight: 8}", "{slug: python, target: 4, weight: 2}"
    )
    text = replace_once(text, "3: Ships tested packages.", "3: Ships typed, tested packages.")
    report = load(text)

    assert report.updated == {"path competencies": 1, "level descriptors": 1}
    updated = PathCompetency.objects.get(pk=pc.pk)
    assert (updated.target_level, updated.weight) == (4, 2)
    assert Competency.objects.get(slug="python").descriptors.get(level=3).description == (
        "Ships typed, tested packages."
    )


def test_dropping_a_competency_from_a_path_retires_it_and_keeps_ratings():
    load()
    prompting = Competency.objects.get(slug="prompting")
    rating = RatingFactory(competency=prompting, level=2)
    dev = Path.objects.get(slug="dev")

    text = replace_once(MINI, "      - {slug: prompting, target: 2, weight: 5}\n", "")
    text = replace_once(text, "      prompting: 2\n", "")
    report = load(text)

    assert report.retired["path competencies"] == 1
    link = PathCompetency.objects.get(path=dev, competency=prompting)
    assert link.retired_at is not None
    assert list(
        PathCompetency.objects.current().filter(path=dev).values_list("competency_id", flat=True)
    ) == [Competency.objects.get(slug="python").id]
    assert Rating.objects.filter(pk=rating.pk, competency=prompting).exists()
    assert "prompting" not in curriculum_export()
    # Importing again retires nothing more; listing it again brings it back.
    assert load(text).changes == 0
    assert load().updated["path competencies"] == 1
    link.refresh_from_db()
    assert link.retired_at is None


def test_dropping_a_project_or_path_deactivates_instead_of_deleting():
    load()
    text = replace_once(MINI, "prerequisites: [chatbot]", "prerequisites: []")
    chatbot_block = MINI[MINI.index("  - slug: chatbot") : MINI.index("  - slug: rag")]
    text = replace_once(text, chatbot_block, "")

    report = curriculum_import(data_text=text, source_name=SOURCE, retire_missing=True)

    assert report.retired["projects"] == 1
    assert Project.objects.get(slug="chatbot").is_active is False
    assert "slug: chatbot" not in curriculum_export()
    load()
    assert Project.objects.get(slug="chatbot").is_active is True


def test_import_command_prints_a_summary(tmp_path, capsys):
    source = tmp_path / "mini.yaml"
    source.write_text(MINI)

    call_command("import_curriculum", str(source))

    out = capsys.readouterr().out
    assert "competencies: 3 added" in out
    assert "  + python\n" in out
    assert "rag needs chatbot" in out
    assert "Learners whose readiness would change: 0" in out


# --- bad files


def _case(old, new, needle, where, message, occurrence=1):
    text = replace_once(MINI, old, new)
    return pytest.param(text, line_of(text, needle, occurrence), where, message, id=where)


BAD_FILES = [
    _case(
        "    summary: The language.\n",
        "    summary: The language.\n    colour: red\n",
        "colour: red",
        "competency 'python', colour",
        "unknown key",
    ),
    _case(
        "    name: Engineer\n", "", "  - slug: eng", "path 'eng', name", "missing required field"
    ),
    _case(
        "estimated_hours: 20",
        "estimated_hours: lots",
        "estimated_hours: lots",
        "project 'rag', estimated_hours",
        "expected a whole number, got text",
    ),
    _case(
        "      4: Designs eval strategy.\n",
        "      5: Designs eval strategy.\n",
        "5: Designs eval strategy.",
        "competency 'evals', levels, 5",
        "level 5 is off the scale 0-4",
    ),
    _case(
        "{slug: evals, target: 3, weight: 9}",
        "{slug: evals, target: 0, weight: 9}",
        "{slug: evals, target: 0",
        "path 'eng', competency 'evals', target",
        "target 0 is off the scale 1-4",
    ),
    _case(
        "{slug: evals, target: 3, weight: 9}",
        "{slug: evals, target: 3, weight: 11}",
        "weight: 11",
        "path 'eng', competency 'evals', weight",
        "weight 11 is off the scale 1-10",
    ),
    _case(
        "{slug: evals, target: 3, weight: 9}",
        "{slug: evalz, target: 3, weight: 9}",
        "slug: evalz",
        "path 'eng', competency 'evalz', slug",
        "unknown competency 'evalz'",
    ),
    _case(
        "    path: eng\n",
        "    path: ops\n",
        "path: ops",
        "project 'eval-dashboard', path",
        "unknown path 'ops'",
    ),
    _case(
        "prerequisites: [chatbot]",
        "prerequisites: [chatbot, bot]",
        "prerequisites: [chatbot, bot]",
        "project 'rag', prerequisites, bot",
        "unknown project 'bot'",
    ),
    _case(
        "  - slug: evals\n",
        "  - slug: python\n",
        "  - slug: python",
        "competency 'python', slug",
        "duplicate slug 'python'",
        occurrence=2,
    ),
    _case(
        "    estimated_hours: 10\n    prerequisites: []",
        "    estimated_hours: 10\n    prerequisites: [rag]",
        "prerequisites: [rag]",
        "project 'chatbot', prerequisites, rag",
        "prerequisite cycle: chatbot -> rag -> chatbot",
    ),
    _case(
        "      evals: 3\n",
        "      evals: 3\n      prompting: 2\n",
        "      prompting: 2",
        "project 'eval-dashboard', builds, prompting",
        "competency 'prompting' is not on path 'eng'",
        occurrence=2,
    ),
    _case(
        "      python: 3\n",
        "      python: 7\n",
        "python: 7",
        "project 'rag', builds, python",
        "level 7 is off the scale 1-4",
    ),
    _case(
        "    recommended_path: eng\n",
        "    recommended_path: [eng]\n",
        "recommended_path: [eng]",
        "career goal 'reliable-systems', recommended_path",
        "is not a slug",
    ),
    _case(
        "    kind: tool\n",
        "    kind: gadget\n",
        "kind: gadget",
        "competency 'python', kind",
        "'gadget' is not one of skill, tool",
    ),
    _case(
        "  - {level: 4, name: Expert, descriptor: Teaches it.}\n",
        "",
        "scale:",
        "scale",
        "levels [4] are missing",
    ),
    _case(
        "    name: Engineer\n",
        "    name: " + "E" * 81 + "\n",
        "EEEE",
        "path 'eng', name",
        "is 81 characters long; at most 80 fit",
    ),
]


@pytest.mark.parametrize(("text", "line", "where", "message"), BAD_FILES)
def test_bad_file_names_line_and_field_and_changes_nothing(text, line, where, message):
    load()
    before = db_snapshot()

    with pytest.raises(CurriculumError) as excinfo:
        load(text)

    assert f"{SOURCE} line {line}, {where}: " in str(excinfo.value)
    assert message in str(excinfo.value)
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    kind: tool\n", "    kind: tool\n    kind: skill\n", "key 'kind' appears twice"),
        ("    summary: The language.\n", "    summary: [unclosed\n", "not valid YAML"),
    ],
)
def test_unparseable_file_names_the_line(old, new, message):
    text = replace_once(MINI, old, new)
    with pytest.raises(CurriculumError) as excinfo:
        load(text)
    assert message in str(excinfo.value)
    assert f"{SOURCE} line " in str(excinfo.value)
    assert not Path.objects.exists()


def test_example_from_the_shipped_file_names_its_line():
    text = DEFAULT_FILE.read_text()
    bad = text.replace("      prompt-design: 2\n", "      prompt-design: 7\n", 1)
    line = line_of(bad, "prompt-design: 7")

    with pytest.raises(CurriculumError) as excinfo:
        curriculum_import(data_text=bad, source_name=DEFAULT_FILE.name)

    assert str(excinfo.value) == (
        f"default_curriculum.yaml line {line}, project 'ai-study-assistant', builds, "
        "prompt-design: "
        "level 7 is off the scale 1-4"
    )
    assert not Competency.objects.exists()


def test_import_command_fails_with_a_clear_error_and_changes_nothing(tmp_path):
    load()
    before = db_snapshot()
    source = tmp_path / "bad.yaml"
    source.write_text(replace_once(MINI, "      python: 3\n", "      python: 7\n"))

    with pytest.raises(CommandError) as excinfo:
        call_command("import_curriculum", str(source))

    assert "nothing changed" in str(excinfo.value)
    assert (
        f"bad.yaml line {line_of(source.read_text(), 'python: 7')}, project 'rag', builds, python"
        in str(excinfo.value)
    )
    assert db_snapshot() == before


def test_import_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_curriculum", str(tmp_path / "missing.yaml"))


def test_all_errors_are_reported_at_once():
    text = replace_once(MINI, "      python: 3\n", "      python: 7\n")
    text = replace_once(text, "    path: eng\n", "    path: ops\n")
    with pytest.raises(CurriculumError) as excinfo:
        load(text)
    assert len(excinfo.value.errors) == 2


def test_import_command_exits_non_zero_on_a_bad_file(tmp_path, capsys, monkeypatch):
    from django.core.management import base

    from curriculum.management.commands.import_curriculum import Command

    # run_from_argv closes connections when it ends, which would close the test's database.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    source = tmp_path / "bad.yaml"
    source.write_text(replace_once(MINI, "    path: eng\n", "    path: ops\n"))

    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["manage.py", "import_curriculum", str(source)])

    assert excinfo.value.code == 1
    assert "project 'eval-dashboard', path: unknown path 'ops'" in capsys.readouterr().err
    assert not Path.objects.exists()


def test_a_path_name_clash_with_an_unlisted_path_is_a_clear_error():
    from tests.factories import PathFactory

    PathFactory(slug="other", name="Developer")

    with pytest.raises(CurriculumError, match="clashes with the database"):
        load()
    assert not Competency.objects.exists()


def test_reordering_or_renaming_checkpoints_keeps_their_rows():
    load()
    chatbot = Project.objects.get(slug="chatbot")
    ids = dict(chatbot.checkpoints.values_list("title", "id"))
    swapped = replace_once(
        MINI,
        "      - title: Prompt set\n        description: Prompts that work.\n"
        "      - title: Demo\n        description: A demo page.\n",
        "      - title: Demo\n        description: A demo page.\n"
        "      - title: Prompt set\n        description: Prompts that work.\n",
    )

    report = load(swapped)

    # One move: Demo now comes before the prompt set (the rows keep their ids).
    assert report.updated["checkpoints"] == 1
    assert list(chatbot.checkpoints.values_list("title", "id")) == [
        ("Demo", ids["Demo"]),
        ("Prompt set", ids["Prompt set"]),
    ]
    load(replace_once(swapped, "title: Demo\n", "title: Live demo\n"))
    assert chatbot.checkpoints.get(title="Live demo").id == ids["Demo"]
