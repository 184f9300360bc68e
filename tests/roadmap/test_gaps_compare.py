"""Side-by-side path comparison and next levels (pure functions added to roadmap.lib.gaps)."""

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib.gaps import (
    Gap,
    Requirement,
    best_fit,
    next_level,
    path_additions,
    readiness,
    side_by_side,
)

DEV = [Requirement(1, 3, 5), Requirement(2, 2, 3)]
ENG = [Requirement(1, 3, 5), Requirement(2, 4, 3), Requirement(3, 3, 8)]


def test_next_level_is_one_step_up_and_none_when_met():
    assert next_level(Gap(1, target=3, current=0, weight=1)) == 1
    assert next_level(Gap(1, target=3, current=2, weight=1)) == 3
    assert next_level(Gap(1, target=3, current=3, weight=1)) is None
    assert next_level(Gap(1, target=2, current=4, weight=1)) is None


def test_additions_are_new_competencies_and_higher_targets_biggest_first():
    additions = path_additions(DEV, ENG)
    assert [(a.competency_id, a.target, a.your_target) for a in additions] == [(3, 3, 0), (2, 4, 2)]
    assert additions[0].is_new and not additions[1].is_new
    assert path_additions(ENG, DEV) == []


def test_side_by_side_marks_mine_and_best_fit():
    levels = {1: 3, 2: 2}
    result = side_by_side({"dev": DEV, "eng": ENG}, levels, mine="eng")
    by_key = {c.key: c for c in result}
    assert by_key["dev"].display == 100 and by_key["dev"].fits_now
    assert by_key["eng"].is_mine and not by_key["eng"].fits_now
    assert by_key["eng"].additions == []
    assert by_key["dev"].additions == []  # dev asks for nothing beyond eng
    assert [c.key for c in result] == ["dev", "eng"]


def test_ties_go_to_the_learners_own_path():
    assert best_fit({"dev": 0.0, "eng": 0.0}, prefer="eng") == "eng"
    assert best_fit({"dev": 50.2, "eng": 50.9}, prefer="dev") == "dev"  # both show 50%
    assert best_fit({}, prefer=None) is None


requirement_lists = st.lists(
    st.builds(Requirement, st.integers(1, 15), st.integers(1, 4), st.integers(1, 10)),
    max_size=12,
    unique_by=lambda r: r.competency_id,
)


@given(requirement_lists, requirement_lists, st.dictionaries(st.integers(1, 15), st.integers(0, 4)))
def test_exactly_one_path_fits_now_and_it_has_the_top_readiness(mine, other, levels):
    result = side_by_side({"a": mine, "b": other}, levels, mine="a")
    fits = [c for c in result if c.fits_now]
    assert len(fits) == 1
    assert fits[0].display == max(c.display for c in result)
    for c in result:
        assert c.readiness == readiness({"a": mine, "b": other}[c.key], levels)


@given(requirement_lists, requirement_lists)
def test_adding_what_the_other_path_adds_covers_it(mine, other):
    my_targets = {r.competency_id: r.target for r in mine}
    for addition in path_additions(mine, other):
        my_targets[addition.competency_id] = addition.target
    assert all(my_targets.get(r.competency_id, 0) >= r.target for r in other)
