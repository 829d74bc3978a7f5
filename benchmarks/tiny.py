"""What a brief's tiny MILPs cost (issue #25): `python benchmarks/tiny.py [SCENARIO]`.

Makes the brief once (`-j 1`, to /tmp) recording every MIP HiGHS is handed (`mip._mip`: the
arrays, bounds, gap and start), then replays them all, CPU medians of 3 rounds (the variants
interleaved, so load moves them alike): HiGHS alone (the model passed and run, nothing else),
`mip._mip` as the code runs it (from the watchdog's thread), the same task on this thread,
and HiGHS with its default cut pool instead of `mip.TINY_POOL`. Says how many answers differ
from the brief's own (objective beyond 1e-9, or another award of the same score). Prints
figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _record(scenario: Path) -> list[dict[str, Any]]:
    from typer.main import get_command

    import procure.cli
    from procure.award import mip

    calls: list[dict[str, Any]] = []
    original = mip._mip

    def recorded(
        a: Any,
        gap: float,
        limit: float,
        lower: Any,
        upper: Any,
        start: Any,
        hint: Any = None,
        max_nodes: Any = None,
    ) -> Any:
        result = original(a, gap, limit, lower, upper, start, hint, max_nodes)
        calls.append(
            {
                "a": deepcopy(a),
                "gap": gap,
                "lower": lower,
                "upper": upper,
                "start": start,
                "hint": hint,
                "max_nodes": max_nodes,
                "objective": result.objective,
                "values": result.values,
            }
        )
        return result

    mip._mip = recorded  # type: ignore[assignment]
    try:
        args = ["brief", str(scenario), "-o", "/tmp/tiny-brief.pdf", "-j", "1"]
        get_command(procure.cli.app).main(args, standalone_mode=False)
    finally:
        mip._mip = original  # type: ignore[assignment]
    return calls


def main(argv: list[str]) -> None:
    from procure.award import mip, watchdog

    files = [a for a in argv if a.endswith((".yaml", ".yml"))]
    scenario = Path(files[0]) if files else ROOT / "scenarios" / "prefecture-binzhou.yaml"
    calls = _record(scenario)

    def alone(c: dict[str, Any], pool: bool = True) -> tuple[float, np.ndarray]:
        h = mip._model(c["a"], lower=c["lower"], upper=c["upper"])
        h.setOptionValue("mip_rel_gap", c["gap"])
        if pool and len(c["a"].vals) < mip.TINY_NONZEROS:
            h.setOptionValue("mip_pool_soft_limit", mip.TINY_POOL)
        if c["hint"] is not None:
            cols, values = c["hint"]
            h.setSolution(len(cols), cols.astype(np.int32), values)
        h.run()
        return float(h.getInfo().objective_function_value), np.array(h.getSolution().col_value)

    def code(c: dict[str, Any]) -> tuple[float, np.ndarray]:
        r = mip._mip(
            c["a"], c["gap"], 10.0, c["lower"], c["upper"], c["start"], c["hint"], c["max_nodes"]
        )
        return float(r.objective or 0.0), r.values  # type: ignore[return-value]

    threaded = watchdog.guarded

    def here(task: Any, deadline: float, *, apart: bool, grace: float = 1.0) -> Any:
        progress = watchdog.Progress()
        return task(lambda message: watchdog._keep(progress, message)), progress

    variants: dict[str, Callable[[dict[str, Any]], tuple[float, np.ndarray]]] = {
        "HiGHS alone": alone,
        "mip._mip (watchdog thread)": code,
        "mip._mip (this thread)": code,
        "HiGHS alone, default cut pool": lambda c: alone(c, pool=False),
    }
    spent: dict[str, list[float]] = {name: [] for name in variants}
    differ: dict[str, int] = {}
    for _ in range(3):
        for name, solve in variants.items():
            watchdog.guarded = here if name.endswith("(this thread)") else threaded
            began = time.process_time()
            answers = [solve(c) for c in calls]
            spent[name].append(time.process_time() - began)
            differ[name] = sum(
                abs(objective - c["objective"]) > 1e-9 * max(1.0, abs(c["objective"]))
                or not np.array_equal(np.round(values), np.round(c["values"]))
                for (objective, values), c in zip(answers, calls, strict=True)
            )
    watchdog.guarded = threaded
    n = len(calls)
    print(f"{n} MIPs, {len(calls[0]['a'].cost)} columns x {len(calls[0]['a'].row_lower)} rows")
    for name, times in spent.items():
        cpu = statistics.median(times)
        print(
            f"{name:<30} {cpu:6.3f} s CPU, {1000 * cpu / n:5.1f} ms a solve; "
            f"answers not the brief's: {differ[name]}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
