"""The package layers of DEVELOPERS.md, checked from the source: a package never imports one above
it, and the package-level import graph has no cycle (imports inside functions count too)."""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from pathlib import Path

import govcrawler

ROOT = Path(govcrawler.__file__).parent

# Top to bottom; a package may import its own layer (without cycles) and any layer below.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"cli"}),
    frozenset({"spiders", "archive", "export", "query"}),
    frozenset({"state"}),
    frozenset({"extraction", "cleaning", "sites", "evaluation"}),
    frozenset({"item", "settings", "__init__"}),
)


def layer_of(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def package_of(module: str) -> str | None:
    """`govcrawler.state.ledger` → `state`; `govcrawler` → `__init__`; other modules → None."""
    parts = module.split(".")
    if parts[0] != "govcrawler":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def import_graph() -> dict[str, dict[str, list[str]]]:
    """package → imported package → the files that import it."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        package = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                target = package_of(module)
                if target is not None and target != package:
                    graph[package][target].append(str(relative))
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in ROOT.glob("*.py")}
    for name in packages | modules:
        layer_of(name)  # StopIteration: a new package needs a place in LAYERS and DEVELOPERS.md


def test_no_package_imports_a_layer_above_it() -> None:
    upward = [
        f"{package} → {target} ({', '.join(sorted(set(files)))})"
        for package, targets in import_graph().items()
        for target, files in targets.items()
        if layer_of(target) < layer_of(package)
    ]
    assert upward == []


def test_the_package_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    cycle = find_cycle(graph)
    where = (
        [f"{a} → {b}: {', '.join(sorted(set(graph[a][b])))}" for a, b in itertools.pairwise(cycle)]
        if cycle
        else []
    )
    assert cycle is None, "\n".join(where)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph: dict[str, dict[str, list[str]]] = {"a": {"b": ["x"]}, "b": {"c": ["y"]}, "c": {"a": []}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": ["x"]}, "b": {}}) is None
