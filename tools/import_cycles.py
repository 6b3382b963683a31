"""Fail when project modules import each other in a cycle (run by `make lint`).

Uses grimp (installed with import-linter), which reads every import statement, including those
inside functions: a deferred import hides a cycle from Python at load time, not from this check.
A cycle is a strongly connected group of two or more modules; each is printed with one of its
loops. Package `__init__` modules count as modules of their own (grimp's view).
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "crp_portal",
    "plans",
    "plan_history",
    "public_pages",
    "objectives",
    "interventions",
    "funding",
    "partners",
    "demo",
]


def strongly_connected(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; returns the groups of two or more modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def main() -> int:
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    nodes = set(graph.modules)
    edges = {m: graph.find_modules_directly_imported_by(m) & nodes for m in nodes}
    groups = strongly_connected(nodes, edges)
    for group in groups:
        members = set(group)
        start = group[0]
        nxt = next(m for m in sorted(edges[start]) if m in members)
        chain = graph.find_shortest_chain(importer=nxt, imported=start) or (nxt, start)
        path = (start, *chain)
        print(f"Import cycle among {len(group)} modules: {', '.join(group)}")
        print("  e.g. " + " -> ".join(path))
    if groups:
        print(f"{len(groups)} import cycle(s) among project modules.")
        return 1
    print(f"No import cycles among {len(nodes)} project modules.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
