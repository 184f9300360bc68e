"""The rows of the self-assessment pages as HTML, built in Python over plain data.

Why not a template: a path has up to ~170 competencies, each row with five level labels, and
rendering that row partial per competency was most of the page's time (make bench: 60 ms of
template work at 164 rows against a 0.9 ms floor view). Here one row is a few string joins.

This module is the only place the row's markup lives (the page, the reassessment page and the
htmx answer of a save all use it). Every value from the database or the request goes through
`escape`, the function Django's own `escape` and template autoescaping call
(django.utils.html.escape is `SafeString(html.escape(str(text)))`), so the output is what the
template produced. No Django imports: tested without the database (tests/roadmap/
test_assessment_html.py).

"&middot;" rather than the character: with the rows (most of the page) in ASCII, the whole page
usually is, and Python encodes an ASCII page to UTF-8 about 20 times faster (1 ms at 164 rows)."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import NamedTuple

CHECKED = " checked"
BADGE_CURRENT = ' <span class="badge">current</span>'
BADGE_SUGGESTED = ' <span class="badge ok">suggested</span>'
FOCUS_STATUS = ' data-focus-after-swap tabindex="-1"'


class RowCompetency(NamedTuple):
    """One competency of the path, as its row shows it (the curriculum's part of the row)."""

    competency_id: int
    name: str
    kind_label: str
    summary: str
    target_level: int
    descriptors: Mapping[int, str]  # its own descriptor per level; the scale's stands in


@dataclass(frozen=True, slots=True)
class Bound:
    """A submitted form shown again: what was typed, and the errors per field (in form order)."""

    data: Mapping[str, str]
    errors: Mapping[str, list[str]]


class RowWriter:
    """Writes the rows of one page (or one htmx answer).

    What every row shares is escaped once here: the scale's names and default descriptors, the
    CSRF token and the `next` URL of the plain-POST fallback."""

    def __init__(
        self,
        *,
        scale: Mapping[int, tuple[str, str]],
        csrf_token: str,
        next_url: str,
        rate_url: Callable[[int], str],
    ):
        self.scale = scale  # {level: (name, default descriptor)}, levels in order
        self.csrf_token = csrf_token
        self.rate_url = rate_url
        self.level_of = {str(level): level for level in scale}  # a submitted level's value
        self.level_names = {level: escape(name) for level, (name, _) in scale.items()}
        # Per level: the label up to " checked", from there to the badges, and the end with the
        # scale's descriptor (used where the competency has none of its own).
        self.label_parts = [
            (
                level,
                f'<label class="level-choice"><input type="radio" name="level" value="{level}"',
                f'>\n          <span class="lvl lvl-{level}">{level}</span> '
                f"<strong>{self.level_names[level]}</strong>",
                _descriptor_end(default),
            )
            for level, (_, default) in scale.items()
        ]
        self.form_start = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">\n'
            f'    <input type="hidden" name="next" value="{escape(next_url)}">\n'
        )

    def levels(
        self,
        competency: RowCompetency,
        *,
        checked: int | None,
        current: int | None,
        suggested: int | None,
    ) -> str:
        """The five radio labels, each with its level's name and descriptor."""
        own = competency.descriptors
        return "\n      ".join(
            [
                f"{start}{CHECKED if level == checked else ''}{middle}"
                f"{BADGE_CURRENT if level == current else ''}"
                f"{BADGE_SUGGESTED if level == suggested else ''}"
                f"{_descriptor_end(own[level]) if own.get(level) else default_end}"
                for level, start, middle, default_end in self.label_parts
            ]
        )

    def row(
        self,
        competency: RowCompetency,
        *,
        current: int | None,
        last_rated: str = "",
        evidence_url: str = "",
        suggested: int | None = None,
        bound: Bound | None = None,
        saved: bool = False,
    ) -> str:
        """One competency's card: its level now and its target, the level choice, the note and
        evidence fields, and the status line a save reports into.

        `last_rated`: the date of the latest rating, "" when never rated. `bound`: a submitted
        form shown again (its level stays chosen, its errors above the levels)."""
        cid = competency.competency_id
        name = escape(competency.name)
        url = self.rate_url(cid)
        if bound is not None:
            raw = bound.data.get("level")
            checked = self.level_of.get(raw) if isinstance(raw, str) else None
        else:
            checked = suggested if suggested is not None else current
        if current is None:
            now = '<span class="muted">not rated yet</span>'
        else:
            now = f'<span class="lvl lvl-{current}">{current}</span> {self.level_names[current]}'
        target = competency.target_level
        parts = [
            f'<section class="card assess-row" id="competency-{cid}" '
            f'aria-labelledby="competency-{cid}-name">\n'
            f'  <div class="spread">\n'
            f'    <h3 id="competency-{cid}-name">{name} '
            f'<span class="badge">{escape(competency.kind_label)}</span></h3>\n'
            f'    <p class="small">Now: {now}\n'
            f'      &middot; Target: <span class="lvl lvl-{target}">{target}</span> '
            f"{self.level_names[target]}</p>\n"
            f"  </div>\n"
        ]
        if competency.summary:
            parts.append(f'  <p class="muted small">{escape(competency.summary)}</p>\n')
        if last_rated:
            evidence = (
                f' &middot; <a href="{escape(evidence_url)}" rel="nofollow noopener">evidence</a>'
                if evidence_url
                else ""
            )
            parts.append(f'  <p class="muted small">Last rated {last_rated}{evidence}</p>\n')
        parts.append(
            f'  <form method="post" action="{url}" hx-post="{url}" '
            f'hx-target="#competency-{cid}" hx-swap="outerHTML" novalidate>\n    '
        )
        parts.append(self.form_start)
        errors = bound.errors if bound is not None else {}
        if errors:
            messages = "".join(
                f"<p>{escape(message)}</p>" for field in errors.values() for message in field
            )
            parts.append(
                f'    <div class="form-errors" role="alert" id="competency-{cid}-errors" '
                f"data-focus-after-swap>\n"
                f"      <p>Not saved:</p>\n"
                f"      {messages}\n"
                f"    </div>\n"
            )
        levels = self.levels(competency, checked=checked, current=current, suggested=suggested)
        parts.append(
            f'    <fieldset class="levels">\n'
            f"      <legend>Your level in {name}</legend>\n"
            f"      {levels}\n"
            f"    </fieldset>\n"
        )
        note_error = bool(errors.get("note"))
        evidence_errors = errors.get("evidence_url") or []
        if bound is not None:
            note = escape(bound.data.get("note", ""))
            evidence_value = escape(bound.data.get("evidence_url", ""))
        else:
            note, evidence_value = "", escape(evidence_url)
        invalid = (
            f' aria-invalid="true" aria-describedby="evidence-{cid}-error"'
            if evidence_errors
            else ""
        )
        evidence_messages = "".join(
            f'<p class="error" id="evidence-{cid}-error">{escape(message)}</p>'
            for message in evidence_errors
        )
        parts.append(
            f"    <details{' open' if note_error or evidence_errors else ''}>\n"
            f"      <summary>Note and evidence link (optional)</summary>\n"
            f'      <div class="field{" has-error" if note_error else ""}">\n'
            f'        <label for="note-{cid}">Note</label>\n'
            f'        <textarea id="note-{cid}" name="note" maxlength="2000" rows="2">'
            f"{note}</textarea>\n"
            f"      </div>\n"
            f'      <div class="field{" has-error" if evidence_errors else ""}">\n'
            f'        <label for="evidence-{cid}">Evidence link</label>\n'
            f'        <input type="url" id="evidence-{cid}" name="evidence_url" maxlength="500" '
            f'placeholder="https://github.com/you/project" value="{evidence_value}"{invalid}>\n'
            f"        {evidence_messages}\n"
            f"      </div>\n"
            f"    </details>\n"
            f'    <div class="row">\n'
            f'      <button type="submit">Save {name}</button>\n'
            f'      <p class="status" id="competency-{cid}-status" role="status" aria-live="polite"'
            f"{FOCUS_STATUS if saved else ''}>"
            f"{'Saved' if saved else ''}</p>\n"
            f"    </div>\n"
            f"  </form>\n"
            f"</section>\n"
        )
        return "".join(parts)


@lru_cache(maxsize=8192)
def _descriptor_end(text: str) -> str:
    # Memoised on the text itself, so an edited descriptor is simply a new entry: the same
    # curriculum text is escaped once per process, not 820 times per page.
    return f' <span class="descriptor">{escape(text)}</span></label>' if text else "</label>"


def group_rows(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """[(category, row html)] in page order -> [(category, its rows' html joined)]."""
    groups: list[tuple[str, list[str]]] = []
    for category, html in rows:
        if not groups or groups[-1][0] != category:
            groups.append((category, []))
        groups[-1][1].append(html)
    return [(category, "".join(htmls)) for category, htmls in groups]
