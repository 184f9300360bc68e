"""The one CSV writer (roadmap/lib/csv_export.py) and the exports that use it: UTF-8 with a BOM,
one formula guard for every text cell (header cells too), streamed in batches."""

import csv
import io

import pytest
from django.urls import reverse

from roadmap.lib.csv_export import BOM, csv_lines, safe_cell
from tests import factories
from tests.roadmap.test_mentoring_views import Setup


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "value", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x")']
)
def test_every_formula_start_is_guarded(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["García", "a=b", "", 3, -3, None, " =x"])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_the_header_starts_with_a_bom_and_is_guarded_too():
    lines = list(csv_lines(['=HYPERLINK("http://evil")', "name"], [["García", 1]]))
    assert lines[0].startswith(BOM)
    assert _rows("".join(lines).removeprefix(BOM)) == [
        ['\'=HYPERLINK("http://evil")', "name"],
        ["García", "1"],
    ]


def test_garcia_round_trips_through_utf8_with_bom():
    data = "".join(csv_lines(["name"], [["García"]])).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert _rows(data.decode("utf-8-sig")) == [["name"], ["García"]]


def test_the_header_leaves_before_any_row_is_read():
    def rows():
        yield ["a"]
        raise AssertionError("read too early")

    lines = csv_lines(["h"], rows(), batch=1)
    assert next(lines) == BOM + "h\r\n"
    assert next(lines) == "a\r\n"
    with pytest.raises(AssertionError):
        next(lines)


def test_rows_come_in_batches():
    lines = list(csv_lines(["h"], ([n] for n in range(5)), batch=2))
    assert lines[1:] == ["0\r\n1\r\n", "2\r\n3\r\n", "4\r\n"]


# --- the exports, through HTTP --------------------------------------------------------------------
@pytest.mark.django_db
def test_cohort_csv_is_utf8_with_bom_and_guards_competency_names_in_the_header(client):
    s = Setup(learners=2)
    competency = s.pcs[0].competency
    competency.name = '=HYPERLINK("http://evil")'
    competency.save()
    ada = s.learners[0]
    ada.full_name = "García"
    ada.save()
    client.force_login(s.mentor)
    response = client.get(reverse("roadmap:cohort_csv", args=[s.cohort.pk]))
    assert response.status_code == 200 and response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbf") and first.endswith(b"\r\n")  # the header alone
    rows = _rows((first + b"".join(chunks)).decode("utf-8-sig"))
    assert rows[0][1] == '\'=HYPERLINK("http://evil")'
    assert "García" in [row[0] for row in rows[1:]]


@pytest.mark.django_db
def test_my_data_csv_is_utf8_with_bom_and_guards_tab_and_cr_notes(client):
    learner = factories.LearnerFactory()
    competency = factories.CompetencyFactory(name="Análisis")
    factories.RatingFactory(learner=learner, competency=competency, level=2, note="\t=cmd()")
    factories.RatingFactory(learner=learner, competency=competency, level=3, note="\r@x")
    client.force_login(learner)
    response = client.get(reverse("roadmap:export_csv"))
    assert response.status_code == 200 and response.streaming
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data.decode("utf-8-sig"))
    assert rows[0][0] == "rated_at"
    assert {row[2] for row in rows[1:]} == {"Análisis"}
    assert {row[5] for row in rows[1:]} == {"'\r@x", "'\t=cmd()"}
