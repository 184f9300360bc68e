"""The assessment rows built in Python (roadmap/assessment_html.py): every value escaped as the
template did, the level choice, badges, errors and the saved status. No database."""

from roadmap.assessment_html import Bound, RowCompetency, RowWriter, group_rows

SCALE = {
    0: ("None", "Default meaning of None"),
    1: ("Aware", ""),
    2: ("Working", "Default meaning of Working"),
    3: ("Proficient", "Default meaning of Proficient"),
    4: ("Expert", "Default meaning of Expert"),
}
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def writer(**kwargs):
    defaults = {
        "scale": SCALE,
        "csrf_token": "tok",
        "next_url": "/assess/",
        "rate_url": lambda cid: f"/assess/{cid}/",
    }
    return RowWriter(**(defaults | kwargs))


def competency(**kwargs):
    defaults = {
        "competency_id": 7,
        "name": "Python",
        "kind_label": "Skill",
        "summary": "",
        "target_level": 3,
        "descriptors": {},
    }
    return RowCompetency(**(defaults | kwargs))


def test_user_and_curriculum_text_with_script_is_escaped_everywhere():
    html = writer(next_url=f"/assess/?focus=7&x={SCRIPT}").row(
        competency(name=SCRIPT, summary=SCRIPT, descriptors={3: SCRIPT}),
        current=2,
        last_rated="9 Jul 2026",
        evidence_url=f'https://example.com/?a=1&b="{SCRIPT}',
    )
    assert "<script" not in html
    # The name (heading, legend, button), summary, descriptor, evidence link (href and value),
    # the next URL.
    assert html.count(ESCAPED) == 8
    assert 'href="https://example.com/?a=1&amp;b=&quot;&lt;script&gt;' in html
    assert 'name="next" value="/assess/?focus=7&amp;x=&lt;script&gt;' in html


def test_scale_names_and_defaults_are_escaped():
    scale = dict(SCALE) | {2: ("Work<i>ing</i>", SCRIPT)}
    html = writer(scale=scale).row(competency(target_level=2), current=2)
    assert "<i>" not in html and "<script" not in html
    assert "Work&lt;i&gt;ing&lt;/i&gt;" in html
    assert f'<span class="descriptor">{ESCAPED}</span>' in html


def test_submitted_note_url_and_errors_are_escaped():
    bound = Bound(
        data={"level": "3", "note": SCRIPT, "evidence_url": SCRIPT},
        errors={"evidence_url": [f"Bad {SCRIPT}"]},
    )
    html = writer().row(competency(), current=None, bound=bound)
    assert "<script" not in html
    assert f'rows="2">{ESCAPED}</textarea>' in html
    assert f'value="{ESCAPED}" aria-invalid="true"' in html
    assert f'<p class="error" id="evidence-7-error">Bad {ESCAPED}</p>' in html


def test_own_descriptor_wins_and_the_scale_stands_in():
    html = writer().row(competency(descriptors={3: "Ships alone"}), current=None)
    assert '<strong>Proficient</strong> <span class="descriptor">Ships alone</span>' in html
    assert "Default meaning of Proficient" not in html
    assert '<span class="descriptor">Default meaning of Working</span>' in html
    # No descriptor at all: no empty descriptor span.
    assert "<strong>Aware</strong></label>" in html


def test_current_level_is_checked_and_marked():
    html = writer().row(competency(), current=2, last_rated="9 Jul 2026")
    assert 'value="2" checked>' in html and html.count(" checked") == 1
    assert '<strong>Working</strong> <span class="badge">current</span>' in html
    assert 'Now: <span class="lvl lvl-2">2</span> Working' in html
    assert "Last rated 9 Jul 2026</p>" in html  # no evidence link without a URL


def test_never_rated_row():
    html = writer().row(competency(), current=None)
    assert "not rated yet" in html and " checked" not in html and "Last rated" not in html


def test_suggestion_is_checked_over_the_current_level():
    html = writer().row(competency(), current=1, suggested=3)
    assert 'value="3" checked>' in html and 'value="1" checked' not in html
    assert '<span class="badge ok">suggested</span>' in html
    assert '<span class="badge">current</span>' in html


def test_bound_form_keeps_the_submitted_level_and_shows_errors_first():
    bound = Bound(
        data={"level": "4", "note": "n"},
        errors={"level": ["Choose a level."], "note": ["Too long."]},
    )
    html = writer().row(competency(), current=1, bound=bound)
    assert 'value="4" checked>' in html and 'value="1" checked' not in html
    errors = html.index('class="form-errors" role="alert"')
    assert errors < html.index("<fieldset")
    assert "<p>Choose a level.</p><p>Too long.</p>" in html
    assert "<details open>" in html and 'class="field has-error"' in html
    assert "data-focus-after-swap" in html


def test_bound_form_with_a_level_off_the_scale_checks_nothing():
    bound = Bound(data={"level": "9"}, errors={"level": ["Choose a level."]})
    assert " checked" not in writer().row(competency(), current=2, bound=bound)


def test_saved_row_takes_the_focus_on_its_status():
    html = writer().row(competency(), current=3, saved=True)
    assert (
        'id="competency-7-status" role="status" aria-live="polite" data-focus-after-swap '
        'tabindex="-1">Saved</p>'
    ) in html
    assert "form-errors" not in html and "<details>" in html


def test_form_posts_to_the_rate_url_with_csrf_and_next():
    html = writer(csrf_token="abc").row(competency(), current=None)
    assert 'action="/assess/7/" hx-post="/assess/7/" hx-target="#competency-7"' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="abc">' in html
    assert '<input type="hidden" name="next" value="/assess/">' in html


def test_group_rows_keeps_page_order():
    rows = [("A", "1"), ("A", "2"), ("B", "3"), ("A", "4")]
    assert group_rows(rows) == [("A", "12"), ("B", "3"), ("A", "4")]
