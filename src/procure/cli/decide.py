"""Commands that advise before the tender: assess, optimize, plan, compare, sensitivity, explain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from procure.analysis import AWARD_DRAWS
from procure.cli.common import (
    DataDirOpt,
    JobsOpt,
    JsonOpt,
    Lang,
    LangOpt,
    ScenarioArg,
    Solver,
    Structure,
    TimeBudgetOpt,
    TimeLimitOpt,
    _fail,
    _inputs,
    _language,
    _note,
    _t,
    app,
    is_quiet,
)
from procure.errors import InputError, Problem, ProcureError

if TYPE_CHECKING:
    from procure.advice.assess import Assessment
    from procure.analysis.cashflow import Comparison
    from procure.award.budget import Budget
    from procure.award.optimizer import Award
    from procure.inputs.load import Inputs
    from procure.inputs.scenario import Scenario


def _assess(
    path: Path, data_dir: Path | None = None, lang: Lang | None = None
) -> tuple[Inputs, Assessment]:
    from procure.advice.assess import assess as run_assess

    inputs = _inputs(path, data_dir, lang)
    try:
        return inputs, run_assess(inputs.scenario, inputs.vendors)
    except ProcureError as exc:
        _fail(exc)


@app.command()
def assess(
    file: ScenarioArg,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Readiness, deployment fit, partnership and procurement-route advice."""
    inputs, assessment = _assess(file, data_dir, lang)
    if as_json:
        typer.echo(assessment.model_dump_json(indent=2))
        return
    from procure.documents.terminal import console, print_assessment

    print_assessment(assessment, console(), _language(lang, inputs.scenario))


@app.command()
def optimize(
    file: ScenarioArg,
    as_json: JsonOpt = False,
    solver: Annotated[Solver, typer.Option("--solver", help="MILP solver.")] = Solver.highs,
    write_lp: Annotated[
        Path | None,
        typer.Option(
            "--write-lp",
            metavar="FILE",
            help="Write the model in LP format for review (only when a mix is found).",
        ),
    ] = None,
    lang: LangOpt = None,
    jobs: JobsOpt = 0,
    data_dir: DataDirOpt = None,
    time_limit: TimeLimitOpt = 120.0,
    time_budget: TimeBudgetOpt = 60.0,
    no_extras: Annotated[
        bool,
        typer.Option(
            "--no-extras",
            help="The estimated mix only: skip what each rule costs, the alternatives and the "
            "cost-value frontier (the re-solves that take most of the time on large tenders).",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the estimate to a file: award.xlsx (by system, vendor, year and rule, "
            "as numbers) or award.json.",
        ),
    ] = None,
    structure: Annotated[
        Structure | None,
        typer.Option(
            "--structure",
            help="Contract structure: a general integrator with subcontractors, parallel "
            "contracts, or both side by side (default: the scenario's).",
        ),
    ] = None,
) -> None:
    """The recommended vendor mix, alternatives, and what each rule costs."""
    from procure.award.budget import Budget as TimeBudget
    from procure.award.parallel import set_jobs
    from procure.files import check_output, write_atomic

    set_jobs(jobs)
    inputs, assessment = _assess(file, data_dir, lang)
    chosen = inputs.scenario.procurement.structure
    wanted = (
        ["integrator", "parallel"]
        if structure is Structure.both
        else [structure.value if structure else chosen]
    )
    if write_lp is not None and len(wanted) > 1:
        _fail(
            InputError(
                [
                    Problem(
                        "--write-lp",
                        "give one --structure to write its model",
                        zh="请只指定一种 --structure 以写出其模型",
                    )
                ]
            )
        )
    if output is not None and output.suffix.lower() not in (".xlsx", ".json"):
        _fail(
            InputError(
                [
                    Problem(
                        str(output),
                        "name the award file .xlsx or .json",
                        field="--output",
                        zh="测算结果文件名应以 .xlsx 或 .json 结尾",
                    )
                ]
            )
        )
    lp: list[str] = []
    try:
        for target in (write_lp, output):
            if target is not None:  # before the solve, not after
                check_output(target, inputs.files, target.suffix[1:])
        awards = {
            name: _optimize(
                inputs,
                assessment,
                solver.value,
                lp if write_lp else None,
                structure=name,
                time_limit=time_limit,
                extras=not no_extras,
                budget=TimeBudget(time_budget),
            )
            for name in wanted
        }
        if write_lp is not None:
            write_atomic(write_lp, lp[0].encode("utf-8"), inputs.files)
    except ProcureError as exc:
        _fail(exc)
    language = _language(lang, inputs.scenario)
    if output is not None:
        from procure.documents.workbook import award_xlsx

        if output.suffix.lower() == ".xlsx":
            systems = {str(x.id): x.name for x in inputs.scenario.systems}
            payload = award_xlsx(awards, inputs.vendors, systems, language)
        else:
            payload = _awards_json(awards).encode("utf-8")
        try:
            write_atomic(output, payload, inputs.files, output.suffix[1:])
        except ProcureError as exc:
            _fail(exc)
        _note(_t("term_wrote").format(path=output, fmt=output.suffix[1:], lang=language))
        return
    if as_json:
        typer.echo(_awards_json(awards))
        return
    from procure.catalog import catalog
    from procure.documents.terminal import console, print_award

    for name, award in awards.items():
        if len(awards) > 1:
            t = catalog(language)
            console().rule(t["term_structure"].format(name=t[f"structure_{name}"]))
        print_award(award, console(), language, inputs.vendors)


@app.command()
def plan(
    file: ScenarioArg,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    data_dir: DataDirOpt = None,
    solver: Annotated[Solver, typer.Option("--solver", help="MILP solver.")] = Solver.highs,
    time_limit: TimeLimitOpt = 120.0,
) -> None:
    """The procurement plan: lots, ceilings, competition depth, method and scoring per lot, dates.

    The vendor mix serves only as a market-research estimate; per-supplier figures are kept
    apart, as an internal estimate not for publication."""
    from datetime import date

    from procure.advice.knowledge import knowledge
    from procure.inputs.record import today
    from procure.plan import build_plan

    inputs, assessment = _assess(file, data_dir, lang)
    award = _optimize(inputs, assessment, solver.value, extras=False, time_limit=time_limit)
    kb = knowledge()
    try:
        result = build_plan(
            inputs.scenario,
            award,
            assessment.deployment,
            assessment.weights.weights,
            inputs.vendors,
            kb.costs,
            kb.routes,
            date.fromisoformat(today()),  # as a brief's record dates it (SOURCE_DATE_EPOCH)
            solver=solver.value,
            time_limit=time_limit,  # bounds the estimate solved again under a relaxation too
        )
    except ProcureError as exc:
        _fail(exc)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    from procure.documents.terminal import console
    from procure.plan.show import print_plan

    print_plan(result, console(), _language(lang, inputs.scenario))


def _awards_json(awards: dict[str, Award]) -> str:
    if len(awards) == 1:
        return next(iter(awards.values())).model_dump_json(indent=2)
    return json.dumps(
        {k: a.model_dump(mode="json") for k, a in awards.items()}, indent=2, ensure_ascii=False
    )


def _optimize(
    inputs: Inputs,
    assessment: Assessment,
    solver: str = "highs",
    lp: list[str] | None = None,
    extras: bool = True,
    structure: str | None = None,
    time_limit: float = 120.0,
    budget: Budget | None = None,
) -> Award:
    """The award, or exit 3 with the diagnosis."""
    from procure.advice.knowledge import knowledge
    from procure.award.optimizer import optimize as run_optimize

    try:
        return run_optimize(
            inputs.scenario,
            assessment.deployment,
            assessment.weights.weights,
            inputs.vendors,
            knowledge().costs,
            solver=solver,
            lp=lp,
            extras=extras,
            structure=structure,
            time_limit=time_limit,
            budget=budget,
        )
    except ProcureError as exc:
        _fail(exc)


def _compare(
    path: Path, data_dir: Path | None, lang: Lang | None = None, time_limit: float = 120.0
) -> tuple[Scenario, Assessment, Award, Comparison]:
    from procure.advice.assess import spend_basis
    from procure.advice.knowledge import knowledge
    from procure.advice.route import advise_route
    from procure.analysis.cashflow import compare_modes

    inputs, assessment = _assess(path, data_dir, lang)
    award = _optimize(inputs, assessment, extras=False, time_limit=time_limit)  # none: exit 3
    years = inputs.scenario.procurement.contract_years
    spend, one_off, basis = spend_basis(assessment, award, years)
    route = advise_route(
        inputs.scenario,
        award.total_cost_cny,
        knowledge().routes,
        assessment.weights.weights,
        from_award=True,
        vendors=inputs.vendors,
    )
    assessment = assessment.model_copy(update={"route": route})
    comparison = compare_modes(
        inputs.scenario,
        assessment.partnership,
        knowledge().cashflow,
        spend,
        one_off,
        basis,
        route=route,
    )
    return inputs.scenario, assessment, award, comparison


@app.command()
def compare(
    file: ScenarioArg,
    vs: Annotated[
        Path | None,
        typer.Option(
            "--vs", metavar="SCENARIO", help="A second scenario to compare with, side by side."
        ),
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    data_dir: DataDirOpt = None,
    time_limit: TimeLimitOpt = 120.0,
) -> None:
    """Joint venture vs direct purchase side by side; or two scenario variants with --vs."""
    from procure.documents import terminal

    scenario, assessment, award, comparison = _compare(file, data_dir, lang, time_limit)
    language = _language(lang, scenario)
    if vs is None:
        if as_json:
            typer.echo(comparison.model_dump_json(indent=2))
            return
        terminal.print_comparison(comparison, terminal.console(), language)
        return
    other = _compare(vs, data_dir, Lang(language), time_limit)
    rows = terminal.variant_rows((scenario, assessment, award, comparison), other, language)
    if as_json:
        typer.echo(
            json.dumps({"files": [str(file), str(vs)], "rows": rows}, indent=2, ensure_ascii=False)
        )
        return
    terminal.print_variants(rows, file.name, vs.name, terminal.console(), language)


@app.command()
def sensitivity(
    file: ScenarioArg,
    draws: Annotated[
        int,
        typer.Option(
            "--draws", min=100, max=1_000_000, help="Weight draws for rank acceptability."
        ),
    ] = 10_000,
    award_draws: Annotated[
        int,
        typer.Option(
            "--award-draws",
            min=0,
            max=1000,
            help="Draws re-solving the estimate's MILP (the brief uses the same number).",
        ),
    ] = AWARD_DRAWS,
    spread: Annotated[
        float | None,
        typer.Option(
            "--spread",
            min=0.01,
            max=1.0,
            help="Sample weights around the given ones with this spread; omit with --uniform.",
        ),
    ] = 0.15,
    uniform: Annotated[
        bool, typer.Option("--uniform", help="Sample weights uniformly from the simplex instead.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Random seed.")] = 20201,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    jobs: JobsOpt = 0,
    data_dir: DataDirOpt = None,
    time_limit: TimeLimitOpt = 120.0,
    time_budget: TimeBudgetOpt = 60.0,
) -> None:
    """How robust the recommendation is: weight intervals, flip points, rank acceptability."""
    from rich.progress import Progress

    from procure.analysis.sensitivity import analyse
    from procure.award.budget import Budget as TimeBudget
    from procure.award.parallel import set_jobs
    from procure.documents.terminal import console, print_sensitivity

    set_jobs(jobs)

    inputs, assessment = _assess(file, data_dir, lang)
    language = _language(lang, inputs.scenario)
    base = _optimize(inputs, assessment, extras=False, time_limit=time_limit)  # none: exit 3
    with Progress(
        console=console(stderr=True), transient=True, disable=as_json or is_quiet()
    ) as bar:
        task = bar.add_task(_t("term_reresolving"), total=award_draws)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = analyse(
                inputs.scenario,
                assessment.deployment,
                assessment.weights.weights,
                inputs.vendors,
                draws=draws,
                award_draws=award_draws,
                seed=seed,
                spread=None if uniform else spread,
                progress=progress,
                base_award=base,
                budget=TimeBudget(time_budget),
            )
        except ProcureError as exc:
            _fail(exc)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    print_sensitivity(result, console(), language, inputs)
    if result.budget_note is not None:  # what was left out, and why (a tender too large)
        console().print(result.budget_note(language), markup=False)


@app.command()
def explain(
    file: ScenarioArg,
    vendor: Annotated[
        str | None,
        typer.Option("--vendor", metavar="ID", help="Explain this candidate supplier only."),
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    jobs: JobsOpt = 0,
    data_dir: DataDirOpt = None,
    time_limit: TimeLimitOpt = 120.0,
) -> None:
    """Why each candidate supplier is in the estimated mix or not (internal estimate, not for
    publication): the rule that makes it ineligible, the cut to enter the mix (the smallest
    uniform cut in its prices at which it gets anything, and what), or for one in the mix how
    far its prices could rise before it leaves a system."""
    from procure.advice.knowledge import knowledge
    from procure.analysis.explain import explain as run_explain
    from procure.award.parallel import set_jobs

    set_jobs(jobs)
    inputs, assessment = _assess(file, data_dir, lang)
    language = _language(lang, inputs.scenario)
    known = [v.id for v in inputs.vendors]
    if vendor is not None and vendor not in known:
        _fail(
            InputError(
                [
                    Problem(
                        "--vendor",
                        f"no candidate supplier has the id '{vendor}'; they are: {', '.join(known)}",
                        zh=f"没有编号为“{vendor}”的候选供应商；现有编号：{'、'.join(known)}",
                    )
                ]
            )
        )
    award = _optimize(inputs, assessment, extras=False, time_limit=time_limit)
    outcomes = run_explain(
        inputs.scenario,
        assessment.deployment,
        assessment.weights.weights,
        inputs.vendors,
        knowledge().costs,
        award,
        only=vendor,
    )
    if as_json:
        typer.echo(
            json.dumps([o.model_dump(mode="json") for o in outcomes], indent=2, ensure_ascii=False)
        )
        return
    from procure.documents.terminal import console, print_outcomes

    print_outcomes(outcomes, inputs, console(), language)
