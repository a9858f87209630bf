"""The import graph of a package, read with ``ast`` (nothing is imported), and the rules it must keep.

Rules (the issue "Redesign", item 3):

* Stages are ordered ``cli → publicity → results → draw → registry → plans → ledger → io → base``
  (base: the package's top-level modules). A module may import its own stage or a later one, never an
  earlier one.
* No cycles. Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``, so those count as
  imports too — except a module's own ancestors: a module importing its own package's ``__init__`` is
  not a cycle. A package ``__init__`` re-exporting from a module that imports back is.
* Imports under ``if TYPE_CHECKING:`` do not count. Imports inside functions count, and are allowed
  only where listed (measured lazy imports).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Graph:
    package: str
    edges: dict[str, set[str]] = field(default_factory=dict)  # module → modules it imports (explicitly)
    # module → (line, target) of imports made inside functions
    function_imports: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def module_name(root: Path, path: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def build(root: Path, package: str) -> Graph:
    """Every import of ``package`` (a folder ``root``) that targets ``package`` itself."""
    modules = {module_name(root, p, package): p for p in sorted(root.rglob("*.py"))}
    graph = Graph(package)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        found: set[str] = set()
        lazy: list[tuple[int, str]] = []
        for node, in_function in _imports(tree):
            for target in _targets(node, name, is_package, modules, package):
                found.add(target)
                if in_function:
                    lazy.append((node.lineno, target))
        graph.edges[name] = found
        graph.function_imports[name] = lazy
    return graph


def _imports(tree: ast.AST) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Import nodes with whether they sit inside a function; ``if TYPE_CHECKING:`` blocks are skipped."""

    def walk(node: ast.AST, in_function: bool) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                yield from (pair for stmt in child.orelse for pair in walk_one(stmt, in_function))
                continue
            yield from walk_one(child, in_function)

    def walk_one(node: ast.AST, in_function: bool) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, in_function
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from walk(node, inner)

    return walk(tree, False)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(
    node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, modules: dict[str, Path], package: str
) -> list[str]:
    """The package's modules an import statement runs (the named module or each imported submodule)."""
    if isinstance(node, ast.Import):
        return [n.name for n in node.names if n.name == package or n.name.startswith(package + ".")]
    base = node.module or ""
    if node.level:
        anchor = importer.split(".") if is_package else importer.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    if base != package and not base.startswith(package + "."):
        return []
    found = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        found.append(sub if sub in modules else base)  # "from pkg import module" runs that module
    return found


def with_ancestors(graph: Graph) -> dict[str, set[str]]:
    """Edges plus the ``__init__`` of every package a target lives in, except the importer's own ancestors."""
    full: dict[str, set[str]] = {}
    for module, targets in graph.edges.items():
        own = _ancestors(module) | {module}
        edges: set[str] = set()
        for target in targets:
            edges.add(target)
            edges.update(a for a in _ancestors(target) if a not in own and a in graph.edges)
        edges.discard(module)
        full[module] = edges
    return full


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle per strongly connected component that has one (Tarjan), each as a module path."""
    edges = with_ancestors(graph)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def backward(graph: Graph, stages: list[str]) -> list[tuple[str, str]]:
    """Imports that run against the stage order (``stages`` from first to last; others are base)."""
    rank = {stage: i for i, stage in enumerate(stages)}

    def stage_of(module: str) -> int:
        parts = module.split(".")
        return rank.get(parts[1], len(stages)) if len(parts) > 1 else len(stages)

    return sorted(
        (module, target)
        for module, targets in with_ancestors(graph).items()
        for target in targets
        if stage_of(target) < stage_of(module)
    )
