"""Pure graph helpers for project prerequisites (no database): admin validation uses them."""

from collections.abc import Hashable, Iterable


def find_cycle(edges: Iterable[tuple[Hashable, Hashable]]) -> list | None:
    """A cycle in the directed graph given by (from, to) edges, or None if there is none.

    The cycle is returned as its nodes with the first repeated at the end ([a, b, a] for a -> b ->
    a; [a, a] for a self-loop), so it reads as a path. Deterministic: nodes are visited in the
    order they first appear in `edges`, so the same input names the same cycle."""
    graph: dict = {}
    for source, target in edges:
        graph.setdefault(source, []).append(target)
        graph.setdefault(target, [])

    done: set = set()
    for root in graph:
        if root in done:
            continue
        # Iterative depth-first search: deep prerequisite chains must not hit the recursion limit.
        on_path = {root: 0}
        path = [root]
        stack = [iter(graph[root])]
        while stack:
            child = next(stack[-1], _END)
            if child is _END:
                stack.pop()
                node = path.pop()
                del on_path[node]
                done.add(node)
                continue
            if child in on_path:
                return [*path[on_path[child] :], child]
            if child in done:
                continue
            on_path[child] = len(path)
            path.append(child)
            stack.append(iter(graph[child]))
    return None


_END = object()


def edges_reachable_from(edges: Iterable[tuple[Hashable, Hashable]], start: Hashable) -> list:
    """The edges whose source can be reached from `start` (start's own edges included), in their
    given order: a cycle among them is one that `start` depends on."""
    edges = list(edges)
    graph: dict = {}
    for source, target in edges:
        graph.setdefault(source, []).append(target)
    seen = {start}
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return [(source, target) for source, target in edges if source in seen]
