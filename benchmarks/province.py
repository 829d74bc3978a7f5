"""Where the province's award spends its time (#25): one generated province (3,000 systems x
40 bidders, `generate.province`), built and solved in this process with the branching
solver's pieces timed: the build, the heuristic's first award (`award.heuristic`), each node
LP (`mip._Relaxation.solve`), each HiGHS MIP (`mip._mip`: the hint's completion and
improvement, RENS roundings, leaf MIPs), the whole LP relaxation (`mip._lp_bound`), and when a
first award appears.

    .venv/bin/python benchmarks/province.py [SEED] [TIME_LIMIT] [--heuristic | --no-heuristic]
    .venv/bin/python benchmarks/province.py [SEED] [TIME_LIMIT] --optimize [--parallel]

`--optimize`: the award as the brief asks for it (`optimizer.optimize`, no extras, the
exact check and its repairs included), each solve of the model (`ArrayModel.solve`) and the
precise build timed too; `--parallel`: under the other contract structure (the brief's
comparison).

CPU seconds are this process's (HiGHS runs single-threaded here), wall seconds the clock's:
on a shared machine the CPU figure is the steadier one."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main(argv: list[str]) -> None:
    from generate import province

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award import mip
    from procure.award.formulation import ArrayModel
    from procure.award.instance import build_instance, evaluate

    args = [a for a in argv if not a.startswith("--")]
    seed = int(args[0]) if args else 1000
    limit = float(args[1]) if len(args) > 1 else 120.0
    use_heuristic = "--no-heuristic" not in argv
    events: list[dict[str, Any]] = []
    t0, c0 = time.perf_counter(), time.process_time()

    def stamp(what: str, wall: float, cpu: float, **more: Any) -> None:
        events.append(
            {
                "event": what,
                "at_cpu": round(time.process_time() - c0, 2),
                "wall": round(wall, 2),
                "cpu": round(cpu, 2),
                **more,
            }
        )

    def timed(fn: Any, what: str) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            w, c = time.perf_counter(), time.process_time()
            out = fn(*a, **k)
            extra = {}
            if isinstance(out, mip.Result):
                extra = {"status": out.status, "objective": out.objective}
            elif what == "node_lp":
                extra = {"feasible": out is not None}
            stamp(what, time.perf_counter() - w, time.process_time() - c, **extra)
            return out

        return wrapper

    mip._Relaxation.solve = timed(mip._Relaxation.solve, "node_lp")  # type: ignore[method-assign]
    mip._mip = timed(mip._mip, "highs_mip")  # type: ignore[assignment]
    mip._presolve_infeasible = timed(mip._presolve_infeasible, "presolve")  # type: ignore[assignment]
    mip._lp_bound = timed(mip._lp_bound, "lp_bound")  # type: ignore[assignment]
    ArrayModel.solve = timed(ArrayModel.solve, "model_solve")  # type: ignore[method-assign]
    precise = timed(ArrayModel.make_precise, "make_precise")
    ArrayModel.make_precise = precise  # type: ignore[method-assign]

    s, catalog = province(3000, 40, seed)
    a = assess(s, catalog)
    if "--optimize" in argv:
        _optimize(s, a, catalog, limit, "parallel" if "--parallel" in argv else None, events)
        print(
            json.dumps(
                {
                    "seed": seed,
                    "wall_s": round(time.perf_counter() - t0, 1),
                    "cpu_s": round(time.process_time() - c0, 1),
                    "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                }
            )
        )
        return
    w, c = time.perf_counter(), time.process_time()
    inst = build_instance(s, a.deployment, a.weights.weights, catalog, knowledge().costs)
    model = ArrayModel(inst, time_limit=limit)
    stamp(
        "build",
        time.perf_counter() - w,
        time.process_time() - c,
        columns=len(model.a.cost),
        rows=len(model.a.row_lower),
        nonzeros=len(model.a.vals),
    )
    start = None
    if use_heuristic:
        from procure.award.heuristic import first_award

        w, c = time.perf_counter(), time.process_time()
        start = first_award(inst)
        ev = evaluate(inst, *start) if start is not None else None
        stamp(
            "heuristic",
            time.perf_counter() - w,
            time.process_time() - c,
            found=start is not None,
            objective=ev.objective if ev else None,
            violations=ev.violations[:3] if ev else None,
        )
    status, _ = model.solve(time_limit=limit, start=start)
    r = model.result
    ev = evaluate(inst, *model.choice()) if r is not None and r.values is not None else None
    summary = {
        "seed": seed,
        "status": status,
        "objective": r.objective if r else None,
        "bound": r.bound if r else None,
        "gap": r.gap if r else None,
        "nodes": r.nodes if r else 0,
        "leaf_mips": r.leaf_mips if r else 0,
        "exact": None if ev is None else not ev.violations,
        "node_lps": sum(e["event"] == "node_lp" for e in events),
        "wall_s": round(time.perf_counter() - t0, 1),
        "cpu_s": round(time.process_time() - c0, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    for e in events:
        print(json.dumps(e))
    print(json.dumps(summary))


def _optimize(
    s: Any, a: Any, catalog: Any, limit: float, structure: str | None, events: list[Any]
) -> None:
    """`optimizer.optimize` as the brief calls it (no extras), its events printed."""
    from procure.advice.knowledge import knowledge
    from procure.award.optimizer import optimize

    w, c = time.perf_counter(), time.process_time()
    award = optimize(
        s,
        a.deployment,
        a.weights.weights,
        catalog,
        knowledge().costs,
        extras=False,
        time_limit=limit,
        structure=structure,
    )
    for e in events:
        print(json.dumps(e))
    print(
        json.dumps(
            {
                "optimize": award.structure,
                "status": award.status,
                "objective": award.objective,
                "gap": award.gap,
                "cautions": [x.en[:80] for x in award.cautions],
                "wall": round(time.perf_counter() - w, 2),
                "cpu": round(time.process_time() - c, 2),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
