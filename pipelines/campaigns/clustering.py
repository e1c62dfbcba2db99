"""Clusters: connected components of the strong-link graph, by a mergeable union-find.

The input is the link groups (accounts sharing one link key). Union-find with union by size and path halving
costs O(total group size x alpha(n)). Partial forests built on each worker merge (`attachment.ClustersFn`, one
key per window); the forest holds only accounts with at least one link, not every account.
"""

from __future__ import annotations

from collections.abc import Sequence


class UnionFind:
    __slots__ = ("_parent", "_size")

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}

    def find(self, node: str) -> str:
        parent = self._parent.setdefault(node, node)
        while parent != node:
            grandparent = self._parent[parent]
            self._parent[node] = grandparent  # path halving
            node, parent = grandparent, self._parent[grandparent]
        return node

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        size_a, size_b = self._size.get(root_a, 1), self._size.get(root_b, 1)
        if size_a < size_b:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] = size_a + size_b
        self._size.pop(root_b, None)

    def union_all(self, group: Sequence[str]) -> None:
        for other in group[1:]:
            self.union(group[0], other)

    def merge(self, other: UnionFind) -> UnionFind:
        for node, parent in other._parent.items():
            self.union(node, parent)
        return self

    def components(self, min_size: int = 2) -> list[tuple[str, ...]]:
        """Components of at least `min_size` nodes, each sorted, ordered by their first member."""
        groups: dict[str, list[str]] = {}
        for node in self._parent:
            groups.setdefault(self.find(node), []).append(node)
        return sorted(tuple(sorted(members)) for members in groups.values() if len(members) >= min_size)

    def __getstate__(self) -> tuple[dict[str, str], dict[str, int]]:
        return self._parent, self._size

    def __setstate__(self, state: tuple[dict[str, str], dict[str, int]]) -> None:
        self._parent, self._size = state
