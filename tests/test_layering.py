"""The layering of the code, read from the import statements of every module.

- imports run one way: no cycle among cari's modules (imports inside
  functions count: a lazy import is still a dependency);
- ``search`` never imports ``web``;
- ``readers`` and ``analysis`` never import ``indexing`` or ``retrieval``;
- writing the index (``indexing``) and reading it (``retrieval``) never
  import each other: they meet in the schema, the analysis and the store.
"""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGES = ("search", "web")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The cari modules ``path`` imports (``from pkg import mod`` names the module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            names = [n for n in names if n in known][:1] or [node.module]
        else:
            continue
        found.update(n for n in names if n in known)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    names = set(known)
    return {name: imports_of(path, names) - {name} for name, path in known.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def package_imports(edges, source: str, targets: tuple[str, ...]) -> list[str]:
    """Edges from modules under ``source`` to modules under any of ``targets``."""
    def under(name, prefix):
        return name == prefix or name.startswith(prefix + ".")

    return sorted(f"{a} -> {b}" for a, deps in edges.items() if under(a, source)
                  for b in deps if any(under(b, t) for t in targets))


def without_package_inits(edges):
    # ``search/__init__`` re-exports the public API lazily and ``search._moved``
    # aliases old paths; neither is a dependency of the modules they name.
    return {a: {b for b in deps if b not in ("search", "search._moved")}
            for a, deps in edges.items() if a not in ("search", "search._moved")}


def test_no_import_cycles():
    assert find_cycle(without_package_inits(graph())) is None


def test_search_never_imports_web():
    assert package_imports(graph(), "search", ("web",)) == []


def test_readers_and_analysis_never_import_indexing_or_retrieval():
    edges = graph()
    targets = ("search.indexing", "search.retrieval")
    assert package_imports(edges, "search.readers", targets) == []
    assert package_imports(edges, "search.analysis", targets) == []


def test_writing_and_reading_meet_only_in_shared_modules():
    edges = graph()
    assert package_imports(edges, "search.indexing", ("search.retrieval",)) == []
    assert package_imports(edges, "search.retrieval", ("search.indexing",)) == []


def test_the_checks_see_a_cycle_and_a_crossing():
    """The checker itself: a made-up cycle and a made-up crossing are found."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert package_imports({"search.indexing.x": {"search.retrieval.y"}}, "search.indexing",
                           ("search.retrieval",)) == ["search.indexing.x -> search.retrieval.y"]
