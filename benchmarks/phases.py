"""Where a brief's CPU time goes, by phase (issue #25): `python benchmarks/phases.py
[SCENARIO] [--lang zh] [--jobs N]`. One process, `-j 1` by default so that every phase runs
on this thread and its CPU time (this process, every thread) is its own. Each phase is
timed exclusively: a phase inside another (the extras inside the award) is taken out of the
outer one. Also counts the MILP solves and how many of them repeat an earlier solve's model
exactly (the same arrays, bounds and objective). Prints figures; asserts nothing.
"""

from __future__ import annotations

import hashlib
import resource
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_spent: dict[str, float] = defaultdict(float)
_walls: dict[str, float] = defaultdict(float)
_calls: Counter[str] = Counter()
_stack: list[list[float]] = []  # [CPU at start, wall at start, nested CPU, nested wall]


def _timed(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn, its CPU and wall time added to `phase` less that of the phases inside it (with
    --jobs above 1, only the phases of the main thread are timed)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return fn(*args, **kwargs)
        _stack.append([_cpu(), time.perf_counter(), 0.0, 0.0])
        try:
            return fn(*args, **kwargs)
        finally:
            cpu, wall, nested_cpu, nested_wall = _stack.pop()
            total, elapsed = _cpu() - cpu, time.perf_counter() - wall
            _spent[phase] += total - nested_cpu
            _walls[phase] += elapsed - nested_wall
            _calls[phase] += 1
            if _stack:
                _stack[-1][2] += total
                _stack[-1][3] += elapsed

    return wrapper


def _patch(module: Any, name: str, phase: str) -> None:
    setattr(module, name, _timed(phase, getattr(module, name)))


_keys: Counter[str] = Counter()


def _model_key(model: Any) -> str:
    """A digest of the array model a solve is handed: equal digests, the same MILP."""
    a = getattr(model, "a", None)
    if a is None:
        return "pulp"
    h = hashlib.sha1()
    for name in ("cost", "vals", "col_lower", "col_upper", "row_lower", "row_upper"):
        value = getattr(a, name, None)
        if value is not None:
            h.update(name.encode())
            h.update(getattr(value, "tobytes", lambda v=value: repr(v).encode())())
    h.update(repr(getattr(a, "offset", 0.0)).encode())
    return h.hexdigest()


def main(argv: list[str]) -> None:
    lang = "zh" if "--lang" in argv and argv[argv.index("--lang") + 1] == "zh" else None
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 1
    files = [a for a in argv if a.endswith((".yaml", ".yml"))]
    scenario = Path(files[0]) if files else ROOT / "scenarios" / "prefecture-binzhou.yaml"

    start = _cpu()
    wall = time.perf_counter()
    import procure.cli
    from procure.cli import publish

    _spent["import: procure, typer"] = _cpu() - start
    t0 = _cpu()
    import weasyprint  # noqa: F401

    _spent["import: weasyprint"] = _cpu() - t0
    t0 = _cpu()
    from procure.documents import charts

    charts.warm_up()
    _spent["import: matplotlib (charts.warm_up)"] = _cpu() - t0
    t0 = _cpu()
    import procure.analysis.explain
    import procure.analysis.sensitivity
    import procure.documents.report
    import procure.recommendation

    _spent["import: procure's modules"] = _cpu() - t0

    import procure.recommendation as rec_mod
    from procure.analysis import explain, sensitivity
    from procure.award import optimizer
    from procure.documents import report
    from procure.inputs import record

    _patch(publish, "_inputs", "inputs (read, validate)")
    _patch(rec_mod, "assess", "assess")
    _patch(rec_mod, "optimize", "award's own solve (and the other structure's)")
    _patch(optimizer, "rule_costs", "extras: rule costs")
    _patch(optimizer, "alternatives", "extras: alternatives")
    _patch(optimizer, "frontier", "extras: frontier")
    _patch(rec_mod, "analyse", "robustness (analyse)")
    _patch(rec_mod, "plan_and_estimate", "plan")
    _patch(rec_mod, "compare_modes", "cash-flow comparison")
    _patch(rec_mod, "explain", "bidder explanations")
    for name in dir(charts):
        if name.endswith("_chart"):
            _patch(charts, name, "charts")
    _patch(report, "_render", "jinja")
    _patch(report, "layout", "weasyprint layout")
    _patch(report, "systems_csv", "attachments")
    from procure import files

    _patch(files, "write_atomic", "write file")
    _patch(record, "attachments", "attachments")
    from weasyprint.document import Document

    Document.write_pdf = _timed("weasyprint write_pdf", Document.write_pdf)  # type: ignore[method-assign]

    solve = optimizer.solve_exact

    def counted(model: Any, *args: Any, **kwargs: Any) -> Any:
        _keys[_model_key(model)] += 1
        return solve(model, *args, **kwargs)

    optimizer.solve_exact = counted  # type: ignore[assignment]
    for module in (sensitivity, explain):
        if hasattr(module, "solve_exact"):
            module.solve_exact = counted  # type: ignore[attr-defined]

    out = Path("/tmp") / f"phases-{scenario.stem}.pdf"
    args = ["brief", str(scenario), "-o", str(out), "-j", str(jobs)]
    if lang:
        args += ["--lang", lang]
    from typer.main import get_command

    try:
        get_command(procure.cli.app).main(args, standalone_mode=False)
    except SystemExit as exc:  # pragma: no cover - a failing brief
        print(f"exit {exc.code}", file=sys.stderr)
    total = _cpu() - start
    width = max(len(k) for k in _spent)
    for phase, seconds in sorted(_spent.items(), key=lambda kv: -kv[1]):
        calls = f" ({_calls[phase]} calls)" if _calls[phase] > 1 else ""
        print(f"{phase:<{width}}  {seconds:6.2f} s CPU {_walls[phase]:6.2f} s wall{calls}")
    accounted = sum(_spent.values())
    print(f"{'other':<{width}}  {total - accounted:6.2f} s CPU")
    print(f"{'total':<{width}}  {total:6.2f} s CPU, {time.perf_counter() - wall:.2f} s wall")
    solves = sum(_keys.values())
    print(f"solves: {solves}, distinct models: {len(_keys)}, repeats: {solves - len(_keys)}")


if __name__ == "__main__":
    main(sys.argv[1:])
