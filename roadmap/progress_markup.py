"""The dashboard's repeated rows (a row per competency, per week, per active day) as HTML built in
Python: a template loop resolving a dozen variables per row cost the page more than everything
else it renders. The markup is the same the templates wrote; text goes through escape(), numbers
go in as they are (their text has nothing to escape)."""

from collections.abc import Iterable, Sequence
from html import escape  # what django.utils.html.escape does, minus its lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe


def _trend_row(row) -> str:
    """One row of the "each skill and tool over the weeks" table; `row` is a CompetencyRow."""
    retired = row.retired
    if row.spark:
        if row.first_level == row.level:
            said = f"steady at {row.level}"
        else:
            said = f"from {row.first_level} to {row.level}"
        trend = f'{row.spark_svg} <span class="visually-hidden">{said}</span>'
    else:
        trend = '<span class="muted small">not rated yet</span>'
    if row.level is not None:
        now = (
            f'<span class="lvl lvl-{row.level}">{row.level}</span> '
            f'<span class="small level-name">{escape(row.level_name)}</span>'
        )
    else:
        now = '<span class="muted">–</span>'
    if retired:
        opening = '<tr class="retired">'
        badge = '<span class="badge warn">retired</span> '
        target = '<span class="muted small">left the path</span>'
    else:
        opening = "<tr>"
        badge = ""
        target = f'{row.target} <span class="badge ok">met</span>' if row.met else str(row.target)
    return (
        f'{opening}\n<th scope="row">{escape(row.name)}\n{badge}'
        f'<span class="muted small kind">{escape(row.kind)}</span> </th>\n'
        f"<td> {trend} </td>\n<td>{now}</td>\n<td>{target}</td>\n</tr>\n"
    )


def trend_rows(rows: Iterable) -> SafeString:
    return mark_safe("".join(_trend_row(row) for row in rows))


def readiness_rows(rows: Sequence[tuple[str, int]]) -> SafeString:
    """The readiness table's rows: (week label, whole percent)."""
    return mark_safe(
        "".join(f"<tr><td>{escape(label)}</td><td>{value}%</td></tr>" for label, value in rows)
    )


def active_day_items(rows: Sequence[tuple[str, int]]) -> SafeString:
    """The list of active days: (day label, things done)."""
    return mark_safe("".join(f"<li>{escape(label)}: {count}</li>" for label, count in rows))
