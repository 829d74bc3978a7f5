"""The package is built in layers that follow a procurement's life, and imports go one way: a
module may import its own layer and the layers below it, never one above. Imports inside
functions and under TYPE_CHECKING count too: a cycle hidden in a function still ties two modules
into one. Modules import each other without cycles within a layer as well."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "procure"

# Lowest first. A sub-package is one layer; the root's modules are named one by one, since the
# root holds both the foundation (errors, money, ...) and the top (the pipeline, the CLI).
LAYERS: list[set[str]] = [
    {"errors", "money", "files", "catalog", "text", "__init__"},  # foundation
    {"inputs"},  # what the analyst gives: scenario, vendors, bid sheets, weights, record
    {"advice"},  # the report's and the law's rules: readiness, deployment, route, partnership
    {"award"},  # the vendor-mix MILP and its solve-time helpers
    {"analysis"},  # robustness, cash flows, explanations
    {"plan"},  # the procurement plan: lots, ceilings, method, SME terms, dated timeline
    {"recommendation"},  # the pipeline: one scenario to one Recommendation
    {"documents"},  # what a person reads: brief, charts, terminal, workbook, verify
    {"evaluation"},  # after the bids: the committee's scores to the legal result
    {"serve"},  # the what-if page: the pipeline and the plan re-solved as an analyst edits
    {"cli", "__main__"},  # the thin command line
]


def unit(module: str) -> str:
    """The layer unit of a dotted module name inside procure: its sub-package, or the root
    module itself ("procure.award.mip" -> "award"; "procure.errors" -> "errors")."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.parts[-1] == "__init__" else rel.parts
        found[".".join(parts)] = path
    return found


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """Every procure module `name` imports, resolved to the module (not the imported symbol)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:  # relative imports are not used in procure
                raise AssertionError(f"{name}: relative import of {node.module}")
            if node.module.split(".")[0] != "procure":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "procure"}
    return found - {name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(path, name, set(mods)) for name, path in mods.items()}


def layer_of(module: str) -> int:
    u = unit(module)
    for i, layer in enumerate(LAYERS):
        if u in layer:
            return i
    raise AssertionError(f"{module} belongs to no layer: add its package or module to LAYERS")


def upward(g: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{src} imports {dst} ({unit(dst)} is above {unit(src)})"
        for src, dsts in g.items()
        for dst in dsts
        if layer_of(dst) > layer_of(src)
    )


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in g.get(v, set()):
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

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    g = graph()
    assert {"procure.inputs.scenario", "procure.award.optimizer", "procure.cli"} <= g.keys()
    assert "procure.inputs.scenario" in g["procure.inputs.load"]  # the finder sees imports
    assert cycles(g) == []


def test_every_module_has_a_layer_and_no_import_goes_up() -> None:
    g = graph()
    for module in g:
        layer_of(module)
    assert upward(g) == []


def test_an_upward_import_is_caught() -> None:
    """A deliberate upward import: the scenario model importing the optimizer, and a rule of the
    advice layer importing the brief's renderer. Both must be reported."""
    g = graph()
    g["procure.inputs.scenario"] = g["procure.inputs.scenario"] | {"procure.award.optimizer"}
    g["procure.advice.route"] = g["procure.advice.route"] | {"procure.documents.report"}
    found = upward(g)
    assert found == [
        "procure.advice.route imports procure.documents.report (documents is above advice)",
        "procure.inputs.scenario imports procure.award.optimizer (award is above inputs)",
    ]


def test_a_new_module_outside_the_layers_is_caught() -> None:
    try:
        layer_of("procure.stray")
    except AssertionError as e:
        assert "belongs to no layer" in str(e)
    else:
        raise AssertionError("a module outside LAYERS was accepted")


def test_each_package_says_what_it_owns_and_may_import() -> None:
    for init in SRC.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init.parent.name}/__init__.py must say what it may import"
