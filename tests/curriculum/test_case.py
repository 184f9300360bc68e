"""CASE 1.1 export and import (curriculum/case.py): the package has the fields and types of the
published binding (a JSON Schema kept here), identifiers survive renames, the public URLs are
cacheable, the round trip keeps every competency, descriptor and association, and a malformed
package is refused with a clear message and changes nothing."""

import json
from pathlib import Path as FilePath

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from curriculum.case import case_import, case_package
from curriculum.curriculum_file import DEFAULT_FILE, CurriculumError
from curriculum.models import (
    CareerGoal,
    Competency,
    LevelDescriptor,
    Path,
    PathCompetency,
    Project,
)
from curriculum.services import curriculum_import
from tests.curriculum.helpers import db_snapshot

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (FilePath(__file__).parent / "case_cfpackage_schema.json").read_text(encoding="utf-8")
)


def validate(package):
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(package)


@pytest.fixture
def curriculum():
    curriculum_import(data_text=DEFAULT_FILE.read_text(encoding="utf-8"), source_name="default")
    return Path.objects.get(slug="ai-developer")


def resources_of(owner):
    return list(
        owner.resources.order_by("position", "id").values_list(
            "title",
            "url",
            "kind",
            "cost",
            "language",
            "minutes",
            "level_from",
            "level_to",
            "checked_on",
            "note",
        )
    )


def path_state(path_slug):
    """Everything of one path that CASE carries, keyed by stable identifiers."""
    path = Path.objects.get(slug=path_slug)
    members = PathCompetency.objects.current().filter(path=path).select_related("competency")
    comps = {
        str(m.competency.case_uuid): {
            "slug": m.competency.slug,
            "name": m.competency.name,
            "kind": m.competency.kind,
            "category": m.competency.category,
            "summary": m.competency.summary,
            "target": m.target_level,
            "weight": m.weight,
            "position": m.position,
            "levels": dict(
                LevelDescriptor.objects.filter(competency=m.competency).values_list(
                    "level", "description"
                )
            ),
            "resources": resources_of(m.competency),
        }
        for m in members
    }
    projects = {}
    for p in Project.objects.filter(path=path, is_active=True):
        projects[str(p.case_uuid)] = {
            "slug": p.slug,
            "name": p.name,
            "summary": p.summary,
            "difficulty": p.difficulty,
            "hours": p.estimated_hours,
            "position": p.position,
            "checkpoints": [
                (cp.title, cp.description, sorted(c.slug for c in cp.evidences.all()))
                for cp in p.checkpoints.order_by("position", "id")
            ],
            "resources": resources_of(p),
            "builds": sorted(p.builds.values_list("competency__case_uuid", "builds_to_level")),
            "prerequisites": sorted(
                str(u) for u in p.prerequisites.values_list("case_uuid", flat=True)
            ),
        }
    return {
        "path": (str(path.case_uuid), path.name, path.summary, path.best_fit_when, path.outcome),
        "earlier": path.recommended_earlier_path and path.recommended_earlier_path.slug,
        "traits": list(path.traits.values_list("aspect", "value")),
        "competencies": comps,
        "projects": projects,
    }


def wipe_curriculum():
    """Remove every path, project and competency (the scale stays), as on a second instance."""
    CareerGoal.objects.all().delete()
    Project.objects.all().delete()
    PathCompetency.objects.all().delete()
    Path.objects.all().delete()
    Competency.objects.all().delete()


def test_export_matches_the_case_1_1_schema(curriculum):
    package = case_package(curriculum)

    validate(package)
    assert package["CFDocument"]["identifier"] == str(curriculum.case_uuid)
    assert package["CFDocument"]["caseVersion"] == "1.1"
    kinds = {a["associationType"] for a in package["CFAssociations"]}
    assert kinds == {"isChildOf", "precedes", "isRelatedTo"}
    members = PathCompetency.objects.current().filter(path=curriculum).count()
    projects = Project.objects.filter(path=curriculum, is_active=True).count()
    assert len(package["CFItems"]) == members + projects
    criteria = package["CFRubrics"][0]["CFRubricCriteria"]
    assert len(criteria) == members + 1  # one per competency and the default scale
    assert {lvl["score"] for lvl in criteria[0]["CFRubricCriterionLevels"]} == {0, 1, 2, 3, 4}


def test_schema_catches_a_wrong_type(curriculum):
    """The schema is strict enough to fail: a package with a non-UUID identifier is refused."""
    package = case_package(curriculum)
    package["CFItems"][0]["identifier"] = "python"
    with pytest.raises(jsonschema.ValidationError):
        validate(package)


def test_identifiers_survive_rename_and_edit(curriculum):
    before = case_package(curriculum)
    comp = Competency.objects.get(case_uuid=before["CFItems"][0]["identifier"])
    comp.name = "Renamed"
    comp.slug = "renamed-skill"
    comp.save()
    curriculum.name = "AI Developer (renamed)"
    curriculum.save()

    after = case_package(curriculum)

    assert after["CFDocument"]["identifier"] == before["CFDocument"]["identifier"]
    assert after["CFItems"][0]["identifier"] == before["CFItems"][0]["identifier"]
    assert after["CFItems"][0]["abbreviatedStatement"] == "Renamed"
    assert {a["identifier"] for a in after["CFAssociations"]} == {
        a["identifier"] for a in before["CFAssociations"]
    }


def test_round_trip_keeps_every_competency_descriptor_and_association(curriculum):
    slugs = ("ai-developer", "ai-engineer")
    texts = {slug: json.dumps(case_package(Path.objects.get(slug=slug))) for slug in slugs}
    before = {slug: path_state(slug) for slug in slugs}
    # The round trip must carry these, so the default curriculum has to have some of each.
    assert before["ai-engineer"]["earlier"] == "ai-developer"
    assert all(state["path"][-1] for state in before.values())
    assert any(c["resources"] for c in before["ai-developer"]["competencies"].values())
    assert any(p["resources"] for p in before["ai-developer"]["projects"].values())
    assert any(
        evidences
        for p in before["ai-developer"]["projects"].values()
        for _t, _d, evidences in p["checkpoints"]
    )
    # A second instance: the same packages, one after the other, into an empty curriculum
    # (the engineer path names the developer path as the one to follow first).
    wipe_curriculum()
    for slug in slugs:
        result = case_import(package_text=texts[slug], source_name="package.json")
        assert result.path_slug == slug
    assert {slug: path_state(slug) for slug in slugs} == before


def test_recommended_earlier_path_missing_here_is_left_out(curriculum):
    text = json.dumps(case_package(Path.objects.get(slug="ai-engineer")))
    wipe_curriculum()

    case_import(package_text=text, source_name="package.json")

    assert Path.objects.get(slug="ai-engineer").recommended_earlier_path is None


def test_resource_with_a_bad_date_is_refused_naming_it(curriculum):
    package = case_package(curriculum)
    item = next(
        i for i in package["CFItems"] if i.get("extensions", {}).get("gapmap", {}).get("resources")
    )
    item["extensions"]["gapmap"]["resources"][0]["checked_on"] = "yesterday"
    wipe_curriculum()
    before = db_snapshot()

    with pytest.raises(CurriculumError) as caught:
        case_import(package_text=json.dumps(package), source_name="p.json")

    assert "checked_on" in str(caught.value) and "expected a date" in str(caught.value)
    assert db_snapshot() == before


def test_import_beside_existing_path_reuses_competencies_by_identifier(curriculum):
    package = case_package(curriculum)
    # Another framework that shares competencies but has projects of its own.
    package["CFDocument"]["identifier"] = "0b7d3c9e-51f6-4a56-9d3b-2d6f4f0c8a11"
    package["CFDocument"]["title"] = "AI Developer, evening course"
    package["CFItems"] = [i for i in package["CFItems"] if i["CFItemType"] != "Portfolio project"]
    ids = {i["identifier"] for i in package["CFItems"]} | {"0b7d3c9e-51f6-4a56-9d3b-2d6f4f0c8a11"}
    package["CFAssociations"] = [
        a for a in package["CFAssociations"] if a["originNodeURI"]["identifier"] in ids
    ]
    for a in package["CFAssociations"]:
        if a["associationType"] == "isChildOf":
            a["destinationNodeURI"]["identifier"] = "0b7d3c9e-51f6-4a56-9d3b-2d6f4f0c8a11"
    competencies_before = Competency.objects.count()

    result = case_import(package_text=json.dumps(package), source_name="p.json", slug="evening")

    new = Path.objects.get(slug="evening")
    assert str(new.case_uuid) == "0b7d3c9e-51f6-4a56-9d3b-2d6f4f0c8a11"
    assert Competency.objects.count() == competencies_before
    assert PathCompetency.objects.filter(path=new).count() == len(package["CFItems"])
    assert result.reused


def test_dry_run_reports_and_changes_nothing(curriculum):
    text = json.dumps(case_package(curriculum))
    wipe_curriculum()
    before = db_snapshot()

    result = case_import(package_text=text, source_name="p.json", dry_run=True)

    assert db_snapshot() == before
    assert result.report.created["paths"] == 1
    assert "would create path 'ai-developer'" in result.summary()


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ("[]", "expected a CFPackage"),
        ('{"CFDocument": {"identifier": "x", "title": "T"}}', "CFDocument.identifier"),
        (
            '{"CFDocument": {"identifier": "0b7d3c9e-51f6-4a56-9d3b-2d6f4f0c8a11", "title": "T"},'
            ' "CFItems": [{"identifier": "nope", "fullStatement": ""}]}',
            "CFItems[0].identifier: missing or not a UUID",
        ),
    ],
)
def test_malformed_package_is_refused_and_changes_nothing(curriculum, text, message):
    before = db_snapshot()
    with pytest.raises(CurriculumError) as exc:
        case_import(package_text=text, source_name="bad.json")
    assert message in str(exc.value)
    assert db_snapshot() == before


def test_package_with_an_invalid_level_is_refused_through_curriculum_validation(curriculum):
    package = case_package(curriculum)
    wipe_curriculum()
    package["CFAssociations"][0]["extensions"]["gapmap"]["targetLevel"] = 9
    before = db_snapshot()

    with pytest.raises(CurriculumError) as exc:
        case_import(package_text=json.dumps(package), source_name="bad.json")

    assert "target 9 is off the scale 1-4" in str(exc.value)
    assert db_snapshot() == before


def test_import_into_existing_slug_is_refused(curriculum):
    text = json.dumps(case_package(curriculum))
    with pytest.raises(CurriculumError, match="a path with slug 'ai-developer' exists already"):
        case_import(package_text=text, source_name="p.json")


def test_commands_export_and_import(curriculum, tmp_path, capsys):
    out = tmp_path / "dev.json"
    call_command("export_case", "ai-developer", "-o", str(out))
    validate(json.loads(out.read_text()))
    wipe_curriculum()

    call_command("import_case", str(out), "--dry-run")
    assert not Path.objects.exists()
    call_command("import_case", str(out))
    assert Path.objects.filter(slug="ai-developer").exists()
    assert "created path 'ai-developer'" in capsys.readouterr().out

    with pytest.raises(CommandError, match="nothing changed"):
        call_command("import_case", str(out))
    with pytest.raises(CommandError, match="no active path"):
        call_command("export_case", "nope")


# --- the public URLs


def test_package_url_is_public_cacheable_and_valid(client, curriculum):
    url = reverse("curriculum:case_package", args=[curriculum.case_uuid])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    validate(response.json())
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_every_exported_item_uri_resolves(client, curriculum, settings):
    settings.SITE_URL = "http://testserver"
    package = client.get(reverse("curriculum:case_package", args=[curriculum.case_uuid])).json()
    for item in package["CFItems"][:3] + package["CFItems"][-1:]:
        response = client.get(item["uri"].removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response.json()["identifier"] == item["identifier"]
    doc = client.get(package["CFDocument"]["uri"].removeprefix("http://testserver"))
    assert doc.json()["identifier"] == package["CFDocument"]["identifier"]


def test_documents_list_and_unknown_ids(client, curriculum):
    listing = client.get(reverse("curriculum:case_documents")).json()
    assert {d["title"] for d in listing["CFDocuments"]} >= {"AI Developer", "AI Engineer"}
    unknown = "0b7d3c9e-51f6-4a56-9d3b-2d6f4f0c8a11"
    assert client.get(reverse("curriculum:case_package", args=[unknown])).status_code == 404
    assert client.get(reverse("curriculum:case_item", args=[unknown])).status_code == 404
    assert client.post(reverse("curriculum:case_documents")).status_code == 405


def test_inactive_path_is_not_published(client, curriculum):
    curriculum.is_active = False
    curriculum.save()
    url = reverse("curriculum:case_package", args=[curriculum.case_uuid])
    assert client.get(url).status_code == 404


def test_package_query_count_is_flat(client, curriculum, django_assert_max_num_queries):
    small = Path.objects.get(slug="ai-developer")
    large = Path.objects.get(slug="ai-engineer")
    for path in (small, large):
        # A fixed number whatever the path's size (the two paths differ in size).
        with django_assert_max_num_queries(15):
            client.get(reverse("curriculum:case_package", args=[path.case_uuid]))
