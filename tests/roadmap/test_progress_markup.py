"""The dashboard rows built in Python: the same markup the template loops wrote, text escaped."""

import re

from django.template import engines

from roadmap import progress_markup
from roadmap.lib import charts
from roadmap.lib.charts import calendar_cells, line_chart, sparkline
from roadmap.lib.progress import CalendarDay
from roadmap.views.progress import CompetencyRow
from tests.roadmap import reference

# The loop as competency_trends.html had it before the rows moved to Python.
# ruff: noqa: E501 (the template verbatim)
TREND_ROWS_TEMPLATE = """{% for row in competencies %}
        <tr{% if row.retired %} class="retired"{% endif %}>
          <th scope="row">{{ row.name }}
            {% if row.retired %}<span class="badge warn">retired</span>{% endif %}
            <span class="muted small kind">{{ row.kind }}</span>
          </th>
          <td>
            {% if row.spark %}
              {{ row.spark_svg }}
              <span class="visually-hidden">{% if row.first_level == row.level %}steady at {{ row.level }}{% else %}from {{ row.first_level }} to {{ row.level }}{% endif %}</span>
            {% else %}
              <span class="muted small">not rated yet</span>
            {% endif %}
          </td>
          <td>{% if row.level is not None %}<span class="lvl lvl-{{ row.level }}">{{ row.level }}</span> <span class="small level-name">{{ row.level_name }}</span>{% else %}<span class="muted">–</span>{% endif %}</td>
          <td>{% if row.retired %}<span class="muted small">left the path</span>{% else %}{{ row.target }}{% if row.met %} <span class="badge ok">met</span>{% endif %}{% endif %}</td>
        </tr>
      {% endfor %}"""

SCRIPT = "<script>alert(\"x\")</script> & 'co'"


def _collapsed(html: str) -> str:
    """Whitespace as a browser sees it: any run is one space, none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def _row(name, *, levels, target=3, retired=False, kind="skill"):
    rated = [lv for lv in levels if lv is not None]
    spark = sparkline(levels, target=None if retired else target) if rated else None
    return CompetencyRow(
        competency_id=1,
        name=name,
        kind=kind,
        target=target,
        weight=2,
        retired=retired,
        level=rated[-1] if rated else None,
        spark=spark,
        first_level=rated[0] if rated else None,
        spark_svg=charts.sparkline_svg(spark) if spark else "",
    )


def test_trend_rows_are_the_markup_the_template_wrote():
    rows = [
        _row("Python", levels=[None, 1, 2, 3]),  # met
        _row("SQL", levels=[2, 2, 2], target=4),  # steady, not met
        _row("Docker", levels=[None, None, None]),  # never rated
        _row("Old tool", levels=[1, 2, 2], retired=True, kind="tool"),
        _row(SCRIPT, levels=[None, 0, 4], kind="<b>kind</b>"),
    ]
    template = engines["django"].from_string(TREND_ROWS_TEMPLATE)
    expected = template.render({"competencies": rows})
    assert _collapsed(progress_markup.trend_rows(rows)) == _collapsed(expected)


def test_user_text_in_trend_rows_is_escaped():
    html = progress_markup.trend_rows([_row(SCRIPT, levels=[1], kind="<i>")])
    assert "<script>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;co&#x27;" in html


def test_table_rows_and_list_items_escape_their_labels():
    rows = progress_markup.readiness_rows([(SCRIPT, 40), ("Mon 2 Nov 2026", 55)])
    assert rows == (
        "<tr><td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;co&#x27;</td>"
        "<td>40%</td></tr><tr><td>Mon 2 Nov 2026</td><td>55%</td></tr>"
    )
    items = progress_markup.active_day_items([(SCRIPT, 3)])
    assert items == (
        "<li>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;co&#x27;: 3</li>"
    )


def test_chart_and_calendar_marks_escape_their_labels():
    chart = line_chart([10, 90], [SCRIPT, "9 Nov"])
    dots = charts.chart_dots_svg(chart)
    assert "<script>" not in dots and "Week of &lt;script&gt;" in dots
    assert '<circle class="dot" cx="36.0" cy="156.0" r="3.5">' in dots
    cells, _ = calendar_cells([CalendarDay(None, 0, 0, 0), CalendarDay(None, 2, 0, 1)])
    svg = reference.calendar_cells_svg(cells, [SCRIPT, "Tue 3 Nov 2026"])
    assert svg == (
        '<rect class="cell act-0" x="30" y="2" width="11" height="11" rx="2"><title>'
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;co&#x27;: no activity"
        '</title></rect><rect class="cell act-2" x="30" y="16" width="11" height="11" rx="2">'
        "<title>Tue 3 Nov 2026: 2 things done</title></rect>"
    )


# The axes as readiness_chart.html drew them before they moved to Python.
AXES_TEMPLATE = """{% for tick in chart.y_ticks %}
      <line class="grid-line" x1="{{ chart.left }}" x2="{{ chart.right }}" y1="{{ tick.position }}" y2="{{ tick.position }}"></line>
      <text x="{{ chart.y_label_x }}" y="{{ tick.position }}" text-anchor="end" dominant-baseline="middle">{{ tick.label }}%</text>
    {% endfor %}
    {% for tick in chart.x_ticks %}
      <text x="{{ tick.position }}" y="{{ chart.x_label_y }}" text-anchor="middle">{{ tick.label }}</text>
    {% endfor %}"""


def test_chart_axes_are_the_markup_the_template_wrote():
    for count in (1, 2, 10, 52):
        labels = [f"{n} Nov" for n in range(count - 1)] + [SCRIPT]
        chart = line_chart([n * 7 % 101 for n in range(count)], labels)
        expected = engines["django"].from_string(AXES_TEMPLATE).render({"chart": chart})
        axes = charts.chart_axes_svg(chart)
        assert _collapsed(axes) == _collapsed(expected)
        assert "<script>" not in axes
