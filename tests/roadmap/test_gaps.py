from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib.gaps import Requirement, gap_list, readiness, readiness_display

requirement_lists = st.lists(
    st.builds(
        Requirement,
        competency_id=st.integers(1, 40),
        target=st.integers(1, 4),
        weight=st.integers(1, 10),
    ),
    min_size=1,
    max_size=20,
    unique_by=lambda r: r.competency_id,
)
level_maps = st.dictionaries(st.integers(1, 40), st.integers(0, 4), max_size=40)


@given(requirement_lists, level_maps)
def test_readiness_is_a_percentage(requirements, levels):
    assert 0.0 <= readiness(requirements, levels) <= 100.0


@given(requirement_lists, level_maps, st.integers(1, 40))
def test_raising_one_level_never_lowers_readiness(requirements, levels, competency_id):
    before = readiness(requirements, levels)
    raised = {**levels, competency_id: min(4, levels.get(competency_id, 0) + 1)}
    assert readiness(requirements, raised) >= before


@given(requirement_lists, level_maps)
def test_readiness_is_100_exactly_when_every_target_is_met(requirements, levels):
    all_met = all(levels.get(r.competency_id, 0) >= r.target for r in requirements)
    assert (readiness(requirements, levels) == 100.0) == all_met
    assert (readiness_display(readiness(requirements, levels)) == 100) == all_met


@given(requirement_lists, level_maps)
def test_gap_list_puts_the_largest_weighted_gap_first(requirements, levels):
    weighted = [gap.weighted for gap in gap_list(requirements, levels)]
    assert weighted == sorted(weighted, reverse=True)


def test_levels_above_target_count_only_up_to_the_target():
    requirements = [Requirement(1, 2, 1), Requirement(2, 2, 1)]
    assert readiness(requirements, {1: 4, 2: 0}) == 50.0


def test_weighted_example():
    requirements = [Requirement(1, 4, 3), Requirement(2, 2, 1)]
    # reached 3*2 + 1*2 = 8 of 3*4 + 1*2 = 14
    assert readiness(requirements, {1: 2, 2: 3}) == 100.0 * 8 / 14
    gaps = gap_list(requirements, {1: 2, 2: 3})
    assert [(g.competency_id, g.size, g.weighted) for g in gaps] == [(1, 2, 6), (2, 0, 0)]
