"""Template helpers of the mentoring area."""

from django import template
from django.template.defaulttags import querystring
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def heatmap_cells(cells) -> str:
    """The <td>s of one heatmap row. 500 learners x 40 competencies are 20,000 cells: through
    the template engine one by one they take seconds, as one string a few milliseconds. Only
    integers go into the markup, so nothing needs escaping."""
    return mark_safe(  # noqa: S308 - integers only
        "".join(
            f'<td class="hm lvl-{int(c.level)}">{int(c.level)}{"✓" if c.met else "↓"}</td>'
            for c in cells
        )
    )


def _learner_url(cohort_pk: int):
    """The mentor's page of a learner: reversed once, then the learner's id put in, because a
    cohort page links hundreds of learners."""
    sample = reverse("roadmap:mentor_learner", args=[cohort_pk, 0])
    prefix = sample[: sample.rindex("/0/") + 1]
    return lambda learner_id: f"{prefix}{int(learner_id)}/"


@register.simple_tag
def attention_items(rows, cohort_pk) -> str:
    """The <li>s of the needs-attention list (hundreds in a large cohort), names escaped."""
    url = _learner_url(cohort_pk)
    return format_html_join(
        "\n",
        '<li><a href="{}">{}</a>: {}</li>',
        ((url(row.learner_id), row.name, ", ".join(row.reasons)) for row in rows),
    )


@register.simple_tag
def heatmap_rows(rows, cohort_pk) -> str:
    """The <tr>s of the heatmap page: learner (escaped), readiness and its change, the cells."""
    url = _learner_url(cohort_pk)
    out = []
    for row in rows:
        badge = (
            format_html(' <span class="badge warn" title="{}">!</span>', ", ".join(row.reasons))
            if row.needs_attention
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
            format_html(
                '<tr>\n        <th scope="row"><a href="{}">{}</a>{}</th>\n'
                '        <td class="hm-ready">{}%{}</td>\n        {}\n      </tr>',
                url(row.learner_id),
                row.name,
                badge,
                int(row.readiness),
                mark_safe(change_html),  # noqa: S308 - integers only
                heatmap_cells(row.cells),
            )
        )
    return mark_safe("\n".join(out))  # noqa: S308 - each row built with format_html


@register.simple_tag(takes_context=True)
def heatmap_head(context, columns, sort) -> str:
    """The competency <th>s of the heatmap, each a sort link keeping the other parameters."""
    out = []
    for pc, key in columns:
        link = querystring(context, sort=key, page=None)
        out.append(
            format_html(
                '<th scope="col" class="hm-head"><a href="{}" hx-get="{}" hx-target="#heatmap"'
                ' hx-swap="outerHTML" hx-push-url="true" data-sort="{}"{}>{}</a>'
                ' <span class="muted">target {}</span></th>',
                link,
                link,
                key,
                mark_safe(' aria-current="true"' if sort == key else ""),  # noqa: S308
                pc.competency.name,
                pc.target_level,
            )
        )
    return mark_safe("\n      ".join(out))  # noqa: S308 - each built with format_html


@register.simple_tag
def competency_options(columns, selected, *, by_key: bool) -> str:
    """<option>s of the sort (value c<id>, "<name> level") or lacking (value <id>) select."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}{}</option>',
        (
            (
                key if by_key else pc.competency_id,
                mark_safe(  # noqa: S308 - a constant
                    " selected" if selected == (key if by_key else pc.competency_id) else ""
                ),
                pc.competency.name,
                " level" if by_key else "",
            )
            for pc, key in columns
        ),
    )
