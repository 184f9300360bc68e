"""Template helpers of the mentoring area."""

from django import template
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
