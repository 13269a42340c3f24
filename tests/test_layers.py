"""The package layers of DEVELOPERS.md, checked from the source: a package never imports one above
it, and the package-level import graph has no cycle (imports inside functions count too)."""

from __future__ import annotations

import ast
import importlib
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


def govcrawler_classes() -> list[type]:
    classes = []
    for path in sorted(ROOT.rglob("*.py")):
        module_name = ".".join(("govcrawler", *path.relative_to(ROOT).with_suffix("").parts))
        module = importlib.import_module(module_name.removesuffix(".__init__"))
        classes += [
            c
            for c in vars(module).values()
            if isinstance(c, type) and c.__module__ == module.__name__
        ]
    return classes


def test_no_class_overrides_a_private_scrapy_method() -> None:
    """Only public Scrapy APIs: a private method of a Scrapy base class is never overridden."""
    overrides = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in govcrawler_classes()
        for name in vars(cls)
        if name.startswith("_") and not name.startswith("__") and name != "_abc_impl"
        for base in cls.__mro__[1:]
        if base.__module__.startswith(("scrapy.", "twisted.")) and name in vars(base)
    ]
    assert overrides == []


SLOT_ATTRIBUTES = {"delay", "jitter", "lastseen", "queue", "latercall", "transferring", "active"}


def test_nothing_writes_to_a_downloader_slot() -> None:
    """Scrapy's downloader slots are Scrapy's: no assignment to their attributes anywhere."""
    writes = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            writes += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for t in targets
                if isinstance(t, ast.Attribute)
                and t.attr in SLOT_ATTRIBUTES
                and not (isinstance(t.value, ast.Name) and t.value.id == "self")
            ]
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if (
                    node.func.attr in {"clear", "popleft", "append"}
                    and isinstance(owner, ast.Attribute)
                    and owner.attr == "queue"
                ):
                    writes.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert writes == []
