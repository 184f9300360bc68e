from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib.assessment import parse_focus, parse_suggest, stale_ids


def test_parse_focus():
    assert parse_focus(None) is None
    assert parse_focus("") is None
    assert parse_focus("abc,,-1,0") is None
    assert parse_focus("3, 7,3,x,12") == [3, 7, 12]
    assert parse_focus("٣") is None  # non-ASCII digits are not ids


def test_parse_suggest():
    assert parse_suggest(None) == {}
    assert parse_suggest("3:2,7:4,8:5,9:-1,x:1,10,11:") == {3: 2, 7: 4}
    assert parse_suggest("3:2,3:4") == {3: 2}


@given(st.text(max_size=200))
def test_parsers_never_fail_and_stay_in_range(raw):
    assert all(cid > 0 for cid in parse_focus(raw) or [])
    assert all(0 <= level <= 4 for level in parse_suggest(raw).values())


def test_stale_ids_includes_never_rated_and_old_in_given_order():
    now = datetime(2026, 3, 1, tzinfo=UTC)
    last = {1: now - timedelta(weeks=4), 2: now - timedelta(weeks=4) + timedelta(seconds=1)}
    assert stale_ids([3, 2, 1], last, now=now, weeks=4) == [3, 1]


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from roadmap.lib.assessment import reassessment_suggestion  # noqa: E402

LEVELS = st.integers(min_value=0, max_value=4)


@given(current=st.none() | LEVELS, build=LEVELS, target=LEVELS)
def test_reassessment_suggestion_never_lowers_a_rating(current, build, target):
    offered = min(build, target)
    suggested = reassessment_suggestion(current=current, offered=offered)
    assert suggested >= offered
    assert 0 <= suggested <= 4
    if current is not None:
        assert suggested == max(current, offered)
