"""Template helpers of the mentoring area.

The cohort dashboard repeats rows by the hundred (heatmap cells, sort links, the needs-attention
list): built here as one string each instead of through the template engine row by row. Every
piece of text goes through `esc`, the same escaping the template's autoescape applies
(django.utils.html.escape is html.escape with quote=True); only integers and constants go in
unescaped."""

from html import escape as esc

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def heatmap_cells(cells) -> str:
    """The <td>s of one heatmap row. Only integers go into the markup."""
    return mark_safe(  # noqa: S308 - integers only
        "".join(
            f'<td class="hm lvl-{int(level)}">{int(level)}{"✓" if level >= target else "↓"}</td>'
            for _, level, target in cells
        )
    )


def _learner_url(cohort_pk: int):
    """The mentor's page of a learner: reversed once, then the learner's id put in, because a
    cohort page links hundreds of learners."""
    sample = reverse("roadmap:mentor_learner", args=[cohort_pk, 0])
    prefix = esc(sample[: sample.rindex("/0/") + 1])
    return lambda learner_id: f"{prefix}{int(learner_id)}/"


@register.simple_tag
def attention_items(rows, cohort_pk) -> str:
    """The <li>s of the needs-attention list (hundreds in a large cohort)."""
    url = _learner_url(cohort_pk)
    return mark_safe(  # noqa: S308 - text escaped, ids are integers
        "\n".join(
            f'<li><a href="{url(row.learner_id)}">{esc(row.name)}</a>: '
            f"{esc(', '.join(row.reasons))}</li>"
            for row in rows
        )
    )


@register.simple_tag
def heatmap_rows(rows, cohort_pk) -> str:
    """The <tr>s of the heatmap page: learner, readiness and its change, the cells."""
    url = _learner_url(cohort_pk)
    out = []
    for row in rows:
        badge = (
            f' <span class="badge warn" title="{esc(", ".join(row.reasons))}">!</span>'
            if row.reasons
            else ""
        )
        change = int(row.readiness_change)
        if change > 0:
            change_html = f' <span class="up">+{change}</span>'
        elif change < 0:
            change_html = f' <span class="down">{change}</span>'
        else:
            change_html = ""
        out.append(
            f'<tr>\n        <th scope="row"><a href="{url(row.learner_id)}">{esc(row.name)}</a>'
            f"{badge}</th>\n"
            f'        <td class="hm-ready">{int(row.readiness)}%{change_html}</td>\n'
            f"        {heatmap_cells(row.cells)}\n      </tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - text escaped, the rest integers


@register.simple_tag(takes_context=True)
def heatmap_head(context, columns, sort) -> str:
    """The competency <th>s of the heatmap, each a sort link keeping the other parameters (as
    {% querystring sort=key page=None %} builds it)."""
    params = context.request.GET.copy()
    params.pop("page", None)
    out = []
    for pc, key in columns:
        params["sort"] = key
        link = esc(f"?{params.urlencode()}")
        current = ' aria-current="true"' if sort == key else ""
        out.append(
            f'<th scope="col" class="hm-head"><a href="{link}" hx-get="{link}" hx-target="#heatmap"'
            f' hx-swap="outerHTML" hx-push-url="true" data-sort="{esc(key)}"{current}>'
            f"{esc(pc.competency.name)}</a>"
            f' <span class="muted">target {int(pc.target_level)}</span></th>'
        )
    return mark_safe("\n      ".join(out))  # noqa: S308 - text escaped, the rest integers


@register.simple_tag
def competency_options(columns, selected, *, by_key: bool) -> str:
    """<option>s of the sort (value c<id>, "<name> level") or lacking (value <id>) select."""
    out = []
    for pc, key in columns:
        value = key if by_key else pc.competency_id
        chosen = " selected" if selected == value else ""
        suffix = " level" if by_key else ""
        out.append(
            f'<option value="{esc(str(value))}"{chosen}>{esc(pc.competency.name)}{suffix}</option>'
        )
    return mark_safe("".join(out))  # noqa: S308 - text escaped
