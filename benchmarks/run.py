"""Benchmarks: print figures, assert nothing. Compare ratios within one run (noisy machines).

Targets (from the issues): assess 1,000 systems < 1 s; rank acceptability 10,000 draws for
100 systems < 1 s; Monte Carlo 10,000 draws < 1 s; and `targets`, those of issue #25: award
500x30 <= 2 s and >= 20x HiGHS alone, 1000x40 <= 10 s on three seeds (gap <= 0.01%);
optimize with extras 500x30 <= 6 s; prefecture brief <= 3.0 s; a generated province of
3,000 systems x 40 bidders briefed in <= 60 s, <= 2 GB, <= 45 pages; the what-if
page's re-solve of the prefecture example p95 < 1 s.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT = 60.0  # seconds per solve, so a slow formulation still reports
sys.path.insert(0, str(ROOT / "benchmarks"))


def solve_child(systems: int, vendor_count: int, mode: str, seed: int | None = None) -> None:
    """Build and solve one instance in this process; print a JSON line of figures.

    mode: "ours" (eligible triples only; vendor-first branching on large models), "plain"
    (the same model, HiGHS's own branch and bound) or "naive" (a variable for every triple,
    ineligible ones fixed to 0 by constraints, HiGHS's own branch and bound)."""
    from generate import scenario, vendors

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.formulation import Model
    from procure.award.instance import build_instance
    from procure.award.optimizer import _gap

    seed = systems if seed is None else seed
    catalog = vendors(vendor_count, seed=seed)
    s = scenario(systems, catalog, seed=seed + 1)
    a = assess(s, catalog)
    start = time.perf_counter()
    cpu = _cpu()
    inst = build_instance(s, a.deployment, a.weights.weights, catalog, knowledge().costs)
    model = Model(inst, naive=mode == "naive")
    built = time.perf_counter() - start
    status, solve = model.solve(time_limit=TIME_LIMIT, branching=None if mode == "ours" else False)
    print(
        json.dumps(
            {
                "status": status,
                "build_s": built,
                "solve_s": solve,
                "total_s": built + solve,
                "cpu_s": _cpu() - cpu,
                "variables": model.problem.numVariables(),
                "gap": _gap(model),
                "objective": float(model.problem.objective.value() or 0.0),
                "peak_mb": _peak_mb(),
            }
        )
    )


def _cpu() -> float:
    """CPU seconds of this process so far, every thread (HiGHS's too), and of its children
    that ended (the solves the watchdog runs apart, `procure.award.watchdog`)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _peak_mb() -> float:
    """This process's peak resident memory. ru_maxrss would carry over the parent's peak
    across fork and exec on Linux, so read the kernel's high-water mark of this image."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _ratio(ours: dict[str, object], other: dict[str, object]) -> str:
    ratio = float(other["total_s"]) / float(ours["total_s"])  # type: ignore[arg-type]
    capped = other["status"] != "Optimal"  # stopped at the cap: the true ratio is larger
    return f"{'>=' if capped else ''}{ratio:.1f}x"


def bench_optimizer() -> None:
    print("optimizer (HiGHS, one thread, proven gap <= 0.01% on the [0, 1] award score)")
    print(
        "  ours: eligible triples only, vendor-first branching on large models; plain: the same"
        " model, HiGHS's own branch and bound;"
    )
    print(
        "  naive: a variable for every triple, HiGHS's own branch and bound."
        f" Each solve capped at {TIME_LIMIT:.0f} s; times include building the model."
    )
    print(
        f"{'size':>9} {'vars':>7} {'ours s':>7} {'gap':>8} {'peak MB':>8} | "
        f"{'plain s':>7} {'ratio':>7} | {'naive vars':>10} {'naive s':>7} {'ratio':>7} {'agree':>6}"
    )
    for systems, vendor_count in ((100, 10), (200, 20), (500, 30), (1000, 40)):
        ours = run_child("child", str(systems), str(vendor_count), "ours")
        plain = run_child("child", str(systems), str(vendor_count), "plain")
        naive = run_child("child", str(systems), str(vendor_count), "naive")
        agree = all(
            abs(float(r["objective"]) - float(ours["objective"]))  # type: ignore[arg-type]
            <= 1e-4 * abs(float(ours["objective"]))  # type: ignore[arg-type]
            for r in (plain, naive)
            if r["status"] == "Optimal"
        )
        gap = f"{float(ours['gap']):.4%}" if ours["gap"] is not None else "-"  # type: ignore[arg-type]
        note = "" if ours["status"] == "Optimal" else f" ours: {ours['status']}"
        print(
            f"{systems:>4}x{vendor_count:<4} {ours['variables']:>7} "
            f"{ours['total_s']:>7.2f} {gap:>8} {ours['peak_mb']:>8.0f} | "
            f"{plain['total_s']:>7.2f} {_ratio(ours, plain):>7} | "
            f"{naive['variables']:>10} {naive['total_s']:>7.2f} {_ratio(ours, naive):>7} "
            f"{agree!s:>6}{note}",
            flush=True,
        )


def bench_assess() -> None:
    from generate import scenario, vendors

    from procure.advice.assess import assess

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
    from procure.advice.knowledge import knowledge
    from procure.analysis.cashflow import monte_carlo, resolve_inputs
    from procure.inputs.load import load_scenario

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

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.analysis.sensitivity import FitModel, analyse, first_rank_acceptability
    from procure.inputs.load import load_scenario

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
    from procure.inputs.vendors import catalog_for

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
    from procure.documents.report import render
    from procure.inputs.load import load_scenario
    from procure.recommendation import recommend

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
    bench_brief_at_scale(100, 10)


def bench_brief_at_scale(systems: int, vendor_count: int) -> None:
    """One brief on a generated scenario: how the main job grows with the agency (no target)."""

    from generate import scenario, vendors
    from pypdf import PdfReader

    from procure.inputs.scenario import scenario_to_data
    from procure.inputs.yamlio import dump_yaml

    s = scenario(systems, vendors(vendor_count, seed=systems), seed=systems + 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(dump_yaml(scenario_to_data(s)), encoding="utf-8")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "procure", "brief", str(path), "-o", f"{tmp}/brief.pdf"],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
        pages = len(PdfReader(f"{tmp}/brief.pdf").pages)
    print(f"brief, generated {systems}x{vendor_count}: end to end {wall:.1f} s, {pages} pages")


def bench_hard_cases() -> None:
    """Two small cases that once ran away (issue #17): 8 identical bidders, and a 40x8 award
    whose budget is exactly a feasible award's cost. Each must answer within its limit."""
    from generate import capable, scenario, vendors
    from generate import with_budget as budget

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.optimizer import optimize
    from procure.errors import ProcureError

    def solve(s: Any, bidders: list[Any], limit: float) -> str:
        a = assess(s, bidders)
        start = time.perf_counter()
        try:
            award = optimize(
                s,
                a.deployment,
                a.weights.weights,
                bidders,
                knowledge().costs,
                extras=False,
                time_limit=limit,
            )
            status = f"{award.status}, gap {award.gap or 0:.4%}"
        except ProcureError as exc:
            status = str(exc)[:60]
        return f"{time.perf_counter() - start:.1f} s ({status}; limit {limit:g} s)"

    twin = capable(vendors(8, 1)[0], integrator=True)
    twins = [twin.model_copy(update={"id": f"twin-{i}", "name": f"Twin {i}"}) for i in range(8)]
    for n in (20, 40):
        s = scenario(n, twins, 3)
        print(
            f"8 identical bidders, {n} systems: "
            + solve(budget(s, s.procurement.budget_cny * 3), twins, 60)
        )
    bidders = [capable(v) for v in vendors(8, 2)]
    s = scenario(40, bidders, 2)
    s = budget(s, s.procurement.budget_cny * 3)
    a = assess(s, bidders)
    roomy = optimize(
        s,
        a.deployment,
        a.weights.weights,
        bidders,
        knowledge().costs,
        extras=False,
        time_limit=60,
    )
    print(
        "40x8, budget at a feasible award's cost: "
        + solve(budget(s, roomy.total_cost_cny), bidders, 30)
    )


HARD_100X10 = ROOT / "benchmarks" / "data" / "hard-100x10-budget-min" / "scenario.yaml"


def hard_child(mode: str) -> None:
    """The hard 100x10 case (budget 1% above its minimum; /work/shared/bench): "award" solves
    it as `procure optimize` does (`solve_exact` on the array model, the vendor-first branching
    by size), "highs" gives the same model of record to HiGHS alone, "bare" gives HiGHS alone
    the rules without the congruence rows (`procure.award.congruence`: valid rows that remove
    only awards breaking the 50% cap by the fen; without them HiGHS answers quickly with an
    award that breaks it by cents). Prints a JSON line with wall and CPU seconds."""
    if mode == "bare":
        from procure.award import formulation

        formulation.obstructed_pairs = lambda inst: []  # type: ignore[assignment]
    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.formulation import TIME_LIMIT as AWARD_LIMIT
    from procure.award.formulation import Model, model_for
    from procure.award.instance import build_instance, evaluate
    from procure.award.optimizer import solve_exact
    from procure.inputs.load import load_inputs

    inputs = load_inputs(HARD_100X10)
    a = assess(inputs.scenario, inputs.vendors)
    start, cpu = time.perf_counter(), _cpu()
    inst = build_instance(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs
    )
    if mode == "award":
        model: Any = model_for(inst, "highs", time_limit=AWARD_LIMIT)
        status, _ = solve_exact(model)
        ev = evaluate(inst, *model.choice())
        objective, exact = ev.objective, not ev.violations
    else:
        model = Model(inst, time_limit=AWARD_LIMIT)
        status, _ = model.solve(time_limit=AWARD_LIMIT, branching=False)
        ev = evaluate(inst, *model.choice())
        objective, exact = ev.objective, not ev.violations
    print(
        json.dumps(
            {
                "status": status,
                "total_s": time.perf_counter() - start,
                "cpu_s": _cpu() - cpu,
                "objective": objective,
                "exact": exact,
                "gap": model.result.gap if model.result is not None else None,
            }
        )
    )


def bench_hard_100x10() -> None:
    """procure's award against HiGHS alone on the same model, back to back in one run, in CPU
    time (the wall time of one solve is noise on a shared machine), and HiGHS alone on the
    rules without the congruence rows, whose award breaks the 50% cap by cents."""
    award = run_child("hard", "award")
    plain = run_child("hard", "highs")
    bare = run_child("hard", "bare")

    def said(r: dict[str, object]) -> str:
        return (
            f"{float(r['cpu_s']):.1f} s CPU, {float(r['total_s']):.1f} s wall "  # type: ignore[arg-type]
            f"({r['status']}, {float(r['objective']):.6f}, rules hold exactly: {r['exact']})"  # type: ignore[arg-type]
        )

    cpu_ratio = float(plain["cpu_s"]) / float(award["cpu_s"])  # type: ignore[arg-type]
    print(
        "hard 100x10, budget 1% above its minimum (limit 120 s each): "
        f"procure {said(award)}; HiGHS alone on the same model {said(plain)}; "
        f"ratio HiGHS/procure {cpu_ratio:.1f}x CPU, {_ratio(award, plain)} wall; "
        f"HiGHS alone without the congruence rows {said(bare)}",
        flush=True,
    )


def _timed(argv: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MB) of one child process, measured for that
    child alone (its own rusage: CPU time is the steadier figure on a shared machine)."""

    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", "replace")
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({child.returncode}): {err[-400:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KB on Linux


def _generated_file(directory: Path, systems: int, vendor_count: int) -> Path:
    from generate import scenario, vendors

    from procure.inputs.scenario import scenario_to_data
    from procure.inputs.yamlio import dump_yaml

    s = scenario(systems, vendors(vendor_count, seed=systems), seed=systems + 1)
    path = directory / f"generated-{systems}x{vendor_count}.yaml"
    path.write_text(dump_yaml(scenario_to_data(s)), encoding="utf-8")
    return path


def _province_file(directory: Path, systems: int, vendor_count: int, seed: int) -> Path:
    from generate import province

    from procure.inputs.scenario import scenario_to_data
    from procure.inputs.yamlio import dump_yaml

    s, _ = province(systems, vendor_count, seed)
    path = directory / f"province-{systems}x{vendor_count}-{seed}.yaml"
    path.write_text(dump_yaml(scenario_to_data(s)), encoding="utf-8")
    return path


def _runs(label: str, runs: list[tuple[float, float, float]], target: str) -> None:
    """One target's line: median wall and CPU of the runs, the largest child peak."""
    walls = sorted(w for w, _, _ in runs)
    cpus = sorted(c for _, c, _ in runs)
    print(
        f"  {label}: median {statistics.median(walls):.1f} s wall, "
        f"{statistics.median(cpus):.1f} s CPU (runs {', '.join(f'{w:.1f}' for w in walls)} s), "
        f"peak {max(m for _, _, m in runs):.0f} MB ({target})",
        flush=True,
    )


def _award_line(systems: int, bidders: int, seed: int, target: float, ratio: float | None) -> None:
    """The award (build and solve, as procure runs it) against HiGHS alone on the same model,
    back to back; median of 3 of ours."""
    ours = [run_child("child", str(systems), str(bidders), "ours", str(seed)) for _ in range(3)]
    mid = sorted(ours, key=lambda r: float(r["total_s"]))[1]  # type: ignore[arg-type]
    plain = run_child("child", str(systems), str(bidders), "plain", str(seed))
    want = f"<= {target:g} s" + (f", >= {ratio:g}x HiGHS alone" if ratio else "")
    gap = f"{float(mid['gap']):.4%}" if mid["gap"] is not None else "-"  # type: ignore[arg-type]
    print(
        f"  award {systems}x{bidders} seed {seed}: median {float(mid['total_s']):.1f} s wall, "  # type: ignore[arg-type]
        f"{float(mid['cpu_s']):.1f} s CPU, {mid['status']} gap {gap}, "  # type: ignore[arg-type]
        f"peak {float(mid['peak_mb']):.0f} MB; HiGHS alone {float(plain['total_s']):.1f} s wall, "  # type: ignore[arg-type]
        f"{float(plain['cpu_s']):.1f} s CPU ({plain['status']}); ratio {_ratio(mid, plain)} "  # type: ignore[arg-type]
        f"wall, {float(plain['cpu_s']) / float(mid['cpu_s']):.1f}x CPU ({want})",  # type: ignore[arg-type]
        flush=True,
    )


def bench_targets() -> None:
    """The targets of issue #25 (which carries those of #17 on), each as the user runs it:
    wall and CPU time of a child process (the machine may be shared: CPU time is the steadier
    figure), its own peak memory, the median of 3; ratios against HiGHS alone on the same
    model in the same run."""
    from pypdf import PdfReader

    procure = [sys.executable, "-m", "procure"]
    print("issue #25 targets (this machine; compare ratios within one run)")
    _award_line(500, 30, 500, 2.0, 20.0)
    for seed in (1000, 1001, 1002):
        _award_line(1000, 40, seed, 10.0, None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _extras_line(out)
        example = str(ROOT / "scenarios/prefecture-binzhou.yaml")
        runs = [_timed([*procure, "brief", example, "-o", str(out / "p.pdf")]) for _ in range(3)]
        _runs("brief, prefecture example, end to end", runs, "target <= 3.0 s")
        for systems, seed in ((1000, 1000), (3000, 3000)):
            path = _province_file(out, systems, 40, seed)
            wall, cpu, peak = _timed([*procure, "brief", str(path), "-o", str(out / "g.pdf")])
            pages = len(PdfReader(str(out / "g.pdf")).pages)
            print(
                f"  brief, generated province {systems}x40 (generate.province, seed {seed}): "
                f"{wall:.0f} s wall, {cpu:.0f} s CPU, peak {peak:.0f} MB, {pages} pages "
                "(target at 3,000: <= 60 s, <= 2 GB, <= 45 pages; one run)",
                flush=True,
            )


def _extras_line(out: Path) -> None:
    """`procure optimize --json` with its extras on the generated 500x30, median of 3."""
    g500 = _generated_file(out, 500, 30)
    argv = [sys.executable, "-m", "procure", "optimize", str(g500), "--json"]
    runs = [_timed(argv) for _ in range(3)]
    _runs("optimize with extras, generated 500x30", runs, "target <= 6 s")


def bench_targets_extras() -> None:
    """Only the extras' line of `targets` (#25), with the machine's load said."""
    print(f"issue #25 target: optimize with extras (load {os.getloadavg()[0]:.1f})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        _extras_line(Path(tmp))


def bench_resolves() -> None:
    """Issue #17: 200 award re-solves of a generated 500x30 (BENCH_RESOLVES of them)."""
    count = int(os.environ.get("BENCH_RESOLVES", "10"))
    per = _resolves(count)
    print(
        f"award re-solves, generated 500x30 (weights and prices drawn as the robustness "
        f"analysis draws them, each started from the base award): {count} measured, "
        f"{per:.2f} s each, so 200 take about {200 * per:.0f} s (target <= 30 s; "
        "BENCH_RESOLVES=200 measures all)",
        flush=True,
    )


def _peak_of(argv: list[str]) -> tuple[int, float, float]:
    """(exit code, wall seconds, peak resident MB) of one child, whatever its exit code."""

    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - start, usage.ru_maxrss / 1024


def bench_size() -> None:
    """The model-size bound (issue #22 item 4): the largest model accepted, solved as the user
    runs it, and one over the bound, refused (each child's own peak memory)."""

    from generate import scenario, vendors

    from procure.inputs.size import MAX_OPTIONS, estimate

    procure = [sys.executable, "-m", "procure"]
    print(f"model-size bound: {MAX_OPTIONS:,} eligible options")
    with tempfile.TemporaryDirectory() as tmp:
        for systems, bidders, argv in (
            (2000, 43, ["optimize", "--json", "--time-limit", "600"]),
            (2000, 60, ["validate"]),
        ):
            options = estimate(
                scenario(systems, vendors(bidders, seed=systems), seed=systems + 1),
                vendors(bidders, seed=systems),
            ).options
            path = _generated_file(Path(tmp), systems, bidders)
            code, wall, peak = _peak_of([*procure, argv[0], str(path), *argv[1:]])
            print(
                f"  {' '.join(argv)}, generated {systems}x{bidders} ({options:,} options): "
                f"exit {code}, {wall:.0f} s, peak {peak:.0f} MB",
                flush=True,
            )


def _resolves(count: int) -> float:
    """Mean seconds of one award re-solve on the generated 500x30 scenario."""
    import numpy as np
    from generate import scenario, vendors

    from procure.advice.assess import assess
    from procure.advice.deployment import assess_deployment
    from procure.advice.knowledge import knowledge
    from procure.analysis.sensitivity import perturbed_vendors
    from procure.award.optimizer import optimize

    kb = knowledge()
    catalog = vendors(30, seed=500)
    s = scenario(500, catalog, seed=501)
    a = assess(s, catalog)
    base = optimize(s, a.deployment, a.weights.weights, catalog, kb.costs, extras=False)
    rng = np.random.default_rng(7)
    keys = list(a.weights.weights)
    start = time.perf_counter()
    for _ in range(count):
        alpha = np.array([a.weights.weights[k] for k in keys]) / 0.15**2
        w = dict(zip(keys, (float(x) for x in rng.dirichlet(alpha)), strict=True))
        placed = assess_deployment(s, w, kb.deployment, kb.rules)
        pool = perturbed_vendors(catalog, rng)
        optimize(s, placed, w, pool, kb.costs, extras=False, start=base, time_limit=60)
    return (time.perf_counter() - start) / count


def bench_whatif() -> None:
    """Issue #28: the what-if page's re-solve latency, prefecture example, p95 < 1 s."""
    import whatif

    whatif.main()


def bench_evaluation() -> None:
    """Issue #27: 30 bids x 9 members x 20 factors with every check, < 1 s."""
    import evaluation

    evaluation.main()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        solve_child(
            int(sys.argv[2]),
            int(sys.argv[3]),
            sys.argv[4],
            int(sys.argv[5]) if len(sys.argv) > 5 else None,
        )
    elif len(sys.argv) > 1 and sys.argv[1] == "hard":
        hard_child(sys.argv[2])
    else:
        benches = {
            "assess": bench_assess,
            "montecarlo": bench_monte_carlo,
            "sensitivity": bench_sensitivity,
            "brief": bench_brief,
            "optimizer": bench_optimizer,
            "hard": bench_hard_cases,
            "hard100x10": bench_hard_100x10,
            "targets": bench_targets,
            "targets-extras": bench_targets_extras,
            "resolves": bench_resolves,
            "evaluation": bench_evaluation,
            "size": bench_size,
            "whatif": bench_whatif,
        }
        for name in sys.argv[1:] or list(benches):
            benches[name]()
