"""Where `procure optimize`'s extras spend their time (#25): the generated 500x30 of the
targets (`run.py` `_generated_file`), its award, then the extras (what each rule costs, the
next-best mixes, the cost/value frontier) run one after the other in this process, with every
exact solve (`optimizer.solve_exact`) timed: which extra called it, wall and CPU seconds,
status, proven gap, whether it started from an award.

    .venv/bin/python benchmarks/extras.py [SYSTEMS BIDDERS] [--jobs N] [--builds]

With --jobs 1 (the default) the extras run in order, so each solve's CPU seconds are its own;
--jobs 0 runs them side by side as `procure optimize` does (then only the totals count).
CPU seconds are this process's: on a shared machine the steadier figure.

--builds: instead, what making each rule's model costs, CPU medians of 3: its instance
read from the scenario (`build_instance`) or dropped from the award's (`without_rule`), its
arrays built (`ArrayModel`) or made from the award's (`ArrayModel.variant`; "built" where
the change reaches other rows)."""

from __future__ import annotations

import inspect
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

EXTRAS = {"cost_of": "rule_costs", "alternatives": "alternatives", "_best_at": "frontier"}


def _caller() -> str:
    """The extra whose call stack this is ("award" outside them)."""
    for frame in inspect.stack()[2:]:
        if frame.function in EXTRAS:
            return EXTRAS[frame.function]
    return "award"


def _cpu_median(fn: Any, runs: int = 3) -> tuple[float, Any]:
    """The median CPU seconds of `runs` calls of fn, and its last result."""
    times, result = [], None
    for _ in range(runs):
        c = time.process_time()
        result = fn()
        times.append(time.process_time() - c)
    return sorted(times)[len(times) // 2], result


def builds(systems: int, bidders: int) -> None:
    """What each rule's model costs to make, from the scenario and from the award's."""
    from generate import scenario, vendors

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.formulation import ArrayModel
    from procure.award.instance import RULE_FIELDS, build_instance, without_rule
    from procure.award.optimizer import dropped_rules

    catalog = vendors(bidders, seed=systems)
    s = scenario(systems, catalog, seed=systems + 1)
    a = assess(s, catalog)
    w, rates = a.weights.weights, knowledge().costs
    base = build_instance(s, a.deployment, w, catalog, rates)
    award = ArrayModel(base)
    award.variant(base)  # the award's own shape, computed once as `rule_costs` does
    for rule, _, overrides in dropped_rules(s, len(catalog), base.structure):
        read, inst = _cpu_median(
            lambda o=overrides: build_instance(s, a.deployment, w, catalog, rates, **o)
        )
        ours = set(overrides) <= RULE_FIELDS
        dropped = _cpu_median(lambda o=overrides: without_rule(base, **o))[0] if ours else 0.0
        built = _cpu_median(lambda i=inst: ArrayModel(i))[0]
        made, variant = _cpu_median(lambda i=inst: award.variant(i))
        print(
            f"{rule:26s} instance: scenario {read:.3f} s, "
            + (f"award's {dropped:.3f} s" if ours else "scenario only")
            + f"; arrays: built {built:.3f} s, "
            + ("unchanged" if inst == base else "built" if variant is None else "variant")
            + f" {made:.3f} s",
            flush=True,
        )


def main(argv: list[str]) -> None:
    from generate import scenario, vendors

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award import optimizer
    from procure.award.parallel import set_jobs

    args = [a for a in argv if not a.startswith("--")]
    systems, bidders = (int(args[0]), int(args[1])) if len(args) >= 2 else (500, 30)
    if "--builds" in argv:
        builds(systems, bidders)
        return
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 1
    set_jobs(jobs)
    solves: list[dict[str, Any]] = []
    inner = optimizer.solve_exact

    def timed(model: Any, *a: Any, **k: Any) -> tuple[str, float]:
        who = _caller()
        w, c = time.perf_counter(), time.process_time()
        status, seconds = inner(model, *a, **k)
        result = model.result
        solves.append(
            {
                "extra": who,
                "status": status,
                "wall": round(time.perf_counter() - w, 2),
                "cpu": round(time.process_time() - c, 2),
                "gap": None if result is None or result.gap is None else round(result.gap, 6),
                "warm": k.get("start") is not None,
            }
        )
        return status, seconds

    optimizer.solve_exact = timed  # type: ignore[assignment]
    catalog = vendors(bidders, seed=systems)
    s = scenario(systems, catalog, seed=systems + 1)
    a = assess(s, catalog)
    w, c = time.perf_counter(), time.process_time()
    award = optimizer.optimize(s, a.deployment, a.weights.weights, catalog, knowledge().costs)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    for row in solves:
        print(json.dumps(row), flush=True)
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for row in solves:
        t = totals[row["extra"]]
        t[0] += 1
        t[1] += row["wall"]
        t[2] += row["cpu"]
    for who, (n, tw, tc) in totals.items():
        print(f"{who}: {n:.0f} solves, {tw:.1f} s wall, {tc:.1f} s CPU")
    print(
        f"optimize with extras {systems}x{bidders} (jobs {jobs}): {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU; rule costs {len(award.rule_costs)}, alternatives "
        f"{len(award.alternatives)}, frontier {len(award.frontier)}; cautions: "
        + " | ".join(x.en for x in award.cautions)
    )
    print(json.dumps(award.model_dump(include={"rule_costs", "alternatives", "frontier"})))


if __name__ == "__main__":
    main(sys.argv[1:])
