"""find_cycle, the pure cycle finder behind the admin's prerequisite validation."""

from hypothesis import given
from hypothesis import strategies as st

from curriculum.graph import edges_reachable_from, find_cycle

edges_strategy = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40)


def _has_cycle_brute(edges) -> bool:
    """Reference: a graph has a cycle iff repeatedly removing nodes without incoming edges
    does not empty it (Kahn)."""
    nodes = {n for edge in edges for n in edge}
    remaining = set(edges)
    while True:
        with_incoming = {b for _, b in remaining}
        sources = nodes - with_incoming
        if not sources:
            return bool(nodes)
        nodes -= sources
        remaining = {(a, b) for a, b in remaining if a in nodes}


def test_no_edges_no_cycle():
    assert find_cycle([]) is None


def test_chain_has_no_cycle():
    assert find_cycle([("a", "b"), ("b", "c"), ("a", "c")]) is None


def test_self_loop_is_a_cycle():
    assert find_cycle([("a", "a")]) == ["a", "a"]


def test_two_cycle_is_named_in_order():
    assert find_cycle([("rag", "eval"), ("eval", "rag")]) == ["rag", "eval", "rag"]


def test_long_chain_does_not_hit_recursion_limit():
    edges = [(i, i + 1) for i in range(5000)]
    assert find_cycle(edges) is None
    assert find_cycle([*edges, (5000, 0)]) == [*range(5001), 0]


@given(edges_strategy)
def test_finds_a_cycle_exactly_when_there_is_one(edges):
    cycle = find_cycle(edges)
    assert (cycle is not None) == _has_cycle_brute(edges)


@given(edges_strategy)
def test_returned_cycle_is_made_of_real_edges_and_closes(edges):
    cycle = find_cycle(edges)
    if cycle is None:
        return
    assert cycle[0] == cycle[-1]
    assert len(cycle) >= 2
    # Each node appears once, apart from the closing repeat.
    assert len(set(cycle[:-1])) == len(cycle) - 1
    edge_set = set(edges)
    for a, b in zip(cycle, cycle[1:], strict=False):
        assert (a, b) in edge_set


@given(edges_strategy)
def test_deterministic(edges):
    assert find_cycle(edges) == find_cycle(list(edges))


def test_edges_reachable_from_keeps_only_what_start_depends_on():
    edges = [("a", "b"), ("b", "c"), ("x", "y"), ("y", "x"), ("c", "a")]
    assert edges_reachable_from(edges, "a") == [("a", "b"), ("b", "c"), ("c", "a")]
    assert edges_reachable_from(edges, "z") == []


@given(edges_strategy, st.integers(0, 12))
def test_a_cycle_among_reachable_edges_is_a_cycle_of_the_whole_graph(edges, start):
    reachable = edges_reachable_from(edges, start)
    assert set(reachable) <= set(edges)
    if find_cycle(reachable) is not None:
        assert find_cycle(edges) is not None
