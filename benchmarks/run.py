"""Benchmarks: print figures, assert nothing. Compare ratios within one run (noisy machines).

Targets (from the issues): assess 1,000 systems < 1 s; rank acceptability 10,000 draws for
100 systems < 1 s and 200 award re-solves of the prefecture example < 60 s; optimizer 500x30 < 3 s and 1000x40 < 10 s
to gap <= 0.01%, >= 3x faster than the naive formulation, peak memory < 1 GB; Monte Carlo
10,000 draws < 1 s; brief on the prefecture example median < 2 s end to end.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT = 120.0  # seconds per solve, so a slow formulation still reports
sys.path.insert(0, str(ROOT / "benchmarks"))


def solve_child(systems: int, vendor_count: int, naive: bool) -> None:
    """Build and solve one instance in this process; print a JSON line of figures."""
    from generate import scenario, vendors

    from procure.assess import assess
    from procure.award import build_instance
    from procure.knowledge import knowledge
    from procure.optimizer import Model

    catalog = vendors(vendor_count, seed=systems)
    s = scenario(systems, catalog, seed=systems + 1)
    a = assess(s, catalog)
    start = time.perf_counter()
    inst = build_instance(s, a.deployment, a.weights.weights, catalog, knowledge().costs)
    model = Model(inst, naive=naive)
    built = time.perf_counter() - start
    status, solve = model.solve(time_limit=TIME_LIMIT)
    from procure.optimizer import _gap

    print(
        json.dumps(
            {
                "status": status,
                "build_s": built,
                "solve_s": solve,
                "total_s": built + solve,
                "variables": model.problem.numVariables(),
                "gap": _gap(model),
                "objective": float(model.problem.objective.value() or 0.0),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def run_child(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench_optimizer() -> None:
    print("optimizer (HiGHS, one thread, gap 0.01%): pruned formulation vs naive")
    print(f"(each solve capped at {TIME_LIMIT:.0f} s; status shown when the cap was hit)")
    print(
        f"{'size':>9} {'vars':>7} {'time s':>7} {'gap':>9} {'peak MB':>8} | "
        f"{'naive vars':>10} {'time s':>7} {'ratio':>6} {'same obj':>8}"
    )
    for systems, vendor_count in ((100, 10), (200, 20), (500, 30), (1000, 40)):
        pruned = run_child("child", str(systems), str(vendor_count), "pruned")
        naive = run_child("child", str(systems), str(vendor_count), "naive")
        ratio = float(naive["total_s"]) / float(pruned["total_s"])  # type: ignore[arg-type]
        same = abs(float(pruned["objective"]) - float(naive["objective"])) < 1e-4  # type: ignore[arg-type]
        gap = f"{float(pruned['gap']):.4%}" if pruned["gap"] is not None else "-"  # type: ignore[arg-type]
        note = "" if pruned["status"] == "Optimal" else f" pruned: {pruned['status']}"
        note += "" if naive["status"] == "Optimal" else f" naive: {naive['status']}"
        print(
            f"{systems:>4}x{vendor_count:<4} {pruned['variables']:>7} "
            f"{pruned['total_s']:>7.2f} {gap:>9} {pruned['peak_mb']:>8.0f} | "
            f"{naive['variables']:>10} {naive['total_s']:>7.2f} {ratio:>6.1f} {same!s:>8}{note}",
            flush=True,
        )


def bench_assess() -> None:
    from generate import scenario, vendors

    from procure.assess import assess

    catalog = vendors(12, seed=1)
    s = scenario(1000, catalog, seed=2)
    assess(s, catalog)  # warm the knowledge cache
    times = []
    for _ in range(3):
        start = time.perf_counter()
        assess(s, catalog)
        times.append(time.perf_counter() - start)
    print(f"assess 1,000 systems: median {statistics.median(times):.3f} s (target < 1 s)")


def bench_monte_carlo() -> None:
    from procure.cashflow import monte_carlo, resolve_inputs
    from procure.knowledge import knowledge
    from procure.scenario import load_scenario

    s = load_scenario(ROOT / "scenarios" / "province-integrated-jv.yaml")
    inputs = resolve_inputs(s, knowledge().cashflow, 1e8, 0.0, "benchmark")
    times = []
    for seed in range(3):
        start = time.perf_counter()
        monte_carlo(inputs, knowledge().cashflow, draws=10_000, seed=seed)
        times.append(time.perf_counter() - start)
    print(
        f"Monte Carlo 10,000 draws over {s.partnership.horizon_years} years: median "
        f"{statistics.median(times):.3f} s (target < 1 s)"
    )


def bench_sensitivity() -> None:
    from generate import scenario, vendors

    from procure.assess import assess
    from procure.knowledge import knowledge
    from procure.scenario import load_scenario
    from procure.sensitivity import FitModel, analyse, first_rank_acceptability

    catalog = vendors(12, seed=1)
    s = scenario(100, catalog, seed=3)
    a = assess(s, catalog)
    fm = FitModel(s, a.deployment, knowledge().deployment)
    times = []
    for seed in range(3):
        start = time.perf_counter()
        first_rank_acceptability(fm, a.weights.weights, 10_000, seed=seed, spread=None)
        times.append(time.perf_counter() - start)
    print(
        f"rank acceptability, 10,000 weight draws x 100 systems: median "
        f"{statistics.median(times):.3f} s (target < 1 s)"
    )
    example = ROOT / "scenarios" / "prefecture-binzhou.yaml"
    p = load_scenario(example)
    from procure.vendors import catalog_for

    pool = catalog_for(p.vendors, example.parent)
    pa = assess(p, pool)
    start = time.perf_counter()
    result = analyse(
        p,
        pa.deployment,
        pa.weights.weights,
        pool,
        draws=1000,
        award_draws=200,
        award_intervals=False,
    )
    print(
        f"200 award re-solves, prefecture example: {time.perf_counter() - start:.1f} s "
        f"({result.acceptability.award_draws} solved; target < 60 s)"
    )


def bench_brief() -> None:
    example = ROOT / "scenarios" / "prefecture-binzhou.yaml"
    walls = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "procure",
                "brief",
                str(example),
                "-o",
                "/tmp/procure-bench.pdf",
            ],
            check=True,
            capture_output=True,
        )
        walls.append(time.perf_counter() - start)
    from procure.recommend import recommend
    from procure.report import render
    from procure.scenario import load_scenario

    s = load_scenario(example)
    start = time.perf_counter()
    rec = recommend(s, example.parent)
    analysis = time.perf_counter() - start
    render(rec, "pdf", "en")  # warm fonts and imports
    renders = []
    for _ in range(3):
        start = time.perf_counter()
        render(rec, "pdf", "en")
        renders.append(time.perf_counter() - start)
    print(
        f"brief, prefecture example: end to end median {statistics.median(walls):.2f} s "
        f"(target < 2 s); analysis {analysis:.2f} s; rendering median "
        f"{statistics.median(renders):.2f} s (target < 0.5 s)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        solve_child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "naive")
    else:
        benches = {
            "assess": bench_assess,
            "montecarlo": bench_monte_carlo,
            "sensitivity": bench_sensitivity,
            "brief": bench_brief,
            "optimizer": bench_optimizer,
        }
        for name in sys.argv[1:] or list(benches):
            benches[name]()
