"""The package's modules import each other without cycles, counting imports inside functions and
under TYPE_CHECKING: a cycle hidden in a function still ties two modules into one."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "procure"


def module_of(path: Path) -> str:
    """A root module by its name; every module of a stage's sub-package as the package."""
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else path.stem


def imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] != "procure":
                    continue
                found |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {
                    a.name.split(".")[1]
                    for a in node.names
                    if a.name.startswith("procure.") and a.name.count(".") >= 1
                }
        name = module_of(path)
        graph[name] = graph.get(name, set()) | (found - {name})
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, set()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    graph = imports()
    assert {"scenario", "vendors", "knowledge", "rules", "optimizer", "award"} <= graph.keys()
    assert "scenario" in graph["inputs"]  # the finder sees imports at all
    assert cycles(graph) == []


def test_nothing_imports_the_evaluation_stage_but_the_cli() -> None:
    """procure/evaluation/ is a stage of its own (its __init__ says what it may import)."""
    graph = imports()
    assert "evaluation" in graph and "errors" in graph["evaluation"]
    assert sorted(m for m, found in graph.items() if "evaluation" in found) == ["cli"]
    allowed = {
        "errors",
        "money",
        "files",
        "yamlio",
        "validation",
        "catalog",
        "record",
        "knowledge",
        "report",
        "bids",
        "verify",
        "__version__",
    }
    assert graph["evaluation"] <= allowed, graph["evaluation"] - allowed
