"""The command line: parse, call the library, print; domain errors become messages and exit codes.

Heavy libraries (pulp, weasyprint, matplotlib) are imported inside the commands that need them,
so `procure validate` stays fast.
"""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from procure import __version__
from procure.errors import InfeasibleError, InputError, Problem, ProcureError

if TYPE_CHECKING:
    from procure.advice.assess import Assessment
    from procure.analysis.cashflow import Comparison
    from procure.award.budget import Budget
    from procure.award.optimizer import Award
    from procure.inputs.load import Inputs
    from procure.inputs.scenario import Scenario

app = typer.Typer(
    name="procure",
    help="Decision support for government-cloud (政务云) procurement. "
    "Exit codes: 0 ok, 2 bad input, 3 infeasible, 4 a verified brief no longer matches, "
    "1 other errors.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


class Level(StrEnum):
    province = "province"
    prefecture = "prefecture"
    county = "county"


class Lang(StrEnum):
    en = "en"
    zh = "zh"


class Format(StrEnum):
    pdf = "pdf"
    html = "html"
    json = "json"
    md = "md"


class Structure(StrEnum):
    integrator = "integrator"
    parallel = "parallel"
    both = "both"


class ToFormat(StrEnum):
    yaml = "yaml"
    csv = "csv"
    xlsx = "xlsx"


class Solver(StrEnum):
    highs = "highs"
    cbc = "cbc"


_quiet = False  # --quiet: no progress or "wrote ..." lines, only results and errors


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _note(message: str) -> None:
    if not _quiet:
        _err(message)


_lang: str | None = None  # the language of this run's messages, once it is known


def _language(option: Lang | None, scenario: Scenario | None = None) -> str:
    """--lang, else the scenario's stated language, else the locale's; errors after this
    point speak it too."""
    from procure.catalog import choose_language

    global _lang
    _lang = choose_language(
        option.value if option else None, scenario.stated_language if scenario else None
    )
    return _lang


def _speak(language: str) -> None:
    """Messages from here on in `language` (a file's stated language, once it is read)."""
    global _lang
    _lang = language


def _t(key: str) -> str:
    from procure.catalog import catalog, locale_language

    return catalog(_lang or locale_language())[key]


def _problem_lines(exc: ProcureError, lang: str) -> list[str]:
    prefix = "错误：" if lang == "zh" else "error: "
    if isinstance(exc, InputError):
        return [prefix + p.render(lang) for p in exc.problems]
    return [prefix + exc.text(lang)]


def _fail(exc: ProcureError) -> NoReturn:
    from procure.catalog import locale_language

    for line in _problem_lines(exc, _lang or exc.language or locale_language()):
        _err(line)
    raise typer.Exit(exc.exit_code)


def _inputs(path: Path, data_dir: Path | None = None, lang: Lang | None = None) -> Inputs:
    from procure.inputs.load import load_inputs

    if lang is not None:
        _language(lang)
    try:
        inputs = load_inputs(path, data_dir)
    except ProcureError as exc:
        _fail(exc)
    _language(lang, inputs.scenario)
    return inputs


def _version(value: bool) -> None:
    if value:
        typer.echo(f"procure {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print results and errors only: no notes.")
    ] = False,
) -> None:
    """Decision support for government-cloud procurement."""
    global _quiet, _lang
    _quiet = quiet
    _lang = None


ScenarioArg = Annotated[
    Path, typer.Argument(metavar="SCENARIO", help="Scenario file, or - to read standard input.")
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        file_okay=False,
        help="A directory, besides the scenario's own, where `vendors:` files may lie.",
    ),
]


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(metavar="SCENARIO...", help="Scenario files to check.")
    ],
    data_dir: DataDirOpt = None,
    lang: LangOpt = None,
) -> None:
    """Check scenarios and the vendor files they name: every check a later command would
    refuse them for. Errors name file, line, column and field. Exit 0 if all are valid."""

    from procure.catalog import catalog, choose_language
    from procure.inputs.load import load_inputs, warnings_for
    from procure.inputs.weights import criteria_weights

    option = lang.value if lang else None
    failed = False
    for path in files:
        try:
            scenario = load_inputs(path, data_dir).scenario
            weights = criteria_weights(scenario.criteria)
        except ProcureError as exc:
            failed = True
            for line in _problem_lines(exc, choose_language(option, exc.language)):
                _err(line)
            continue
        language = choose_language(option, scenario.stated_language)
        t = catalog(language)
        shown = t["comma"].join(f"{t[k]} {v:.3f}" for k, v in weights.weights.items())
        typer.echo(t["term_ok"].format(path=path, systems=len(scenario.systems), weights=shown))
        for w in warnings_for(scenario):
            _note(f"{t['term_warning']}{t['colon']}{path}{t['colon']}{w(language)}")
    if failed:
        raise typer.Exit(2)


@app.command()
def schema(
    evaluation: Annotated[
        bool,
        typer.Option("--evaluation", help="The evaluation format (procure/evaluation@1) instead."),
    ] = False,
) -> None:
    """Print the JSON Schema of the scenario format, for editors' YAML plugins."""
    if evaluation:
        from procure.evaluation.model import EvaluationFile

        doc = EvaluationFile.model_json_schema()
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["title"] = "procure evaluation (procure/evaluation@1)"
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    from procure.inputs.scenario import Scenario
    from procure.inputs.size import MAX_OPTIONS, MEASURED_PEAK_MB

    doc = Scenario.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "procure scenario (procure/scenario@1)"
    doc["description"] = (
        f"{doc.get('description', '')} Besides the bounds on each field, the award model "
        f"may hold at most {MAX_OPTIONS:,} eligible options (system x bidder x deployment "
        "model, counted before the deployment assessment); a larger tender is refused as bad "
        f"input (exit 2) by every command, validate included. A model at the bound was "
        f"measured at {MEASURED_PEAK_MB:,} MB peak in procure optimize."
    ).strip()
    doc["x-procure-max-options"] = MAX_OPTIONS
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@app.command()
def init(
    level: Annotated[
        Level, typer.Option("--level", help="Administrative level to start from.")
    ] = Level.prefecture,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: print to the terminal)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    lang: LangOpt = None,
) -> None:
    """Write a commented starter scenario that validates as it is (names and comments in
    the --lang language)."""
    from procure.inputs.starter import starter_scenario

    language = _language(lang)
    text = starter_scenario(level.value, language)
    if output is None:
        typer.echo(text, nl=False)
        return
    if str(output) != "-" and output.exists() and not force:
        _fail(
            InputError(
                [
                    Problem(
                        str(output),
                        "file exists; pass --force to overwrite it",
                        zh="文件已存在；如需覆盖请加 --force",
                    )
                ]
            )
        )
    from procure.files import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"), fmt="yaml")
    except ProcureError as exc:
        _fail(exc)
    if str(output) != "-":
        _err(_t("term_init_wrote").format(path=output))


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
LangOpt = Annotated[Lang | None, typer.Option("--lang", help="Language (default: the scenario's).")]
JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        max=64,
        help="MILP solves to run at once: 0 = one per CPU, 1 = one at a time. "
        "Results do not depend on it.",
    ),
]


TimeLimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit",
        metavar="SECONDS",
        min=1,
        max=86_400,
        help="Seconds for the award's MILP solve. When it runs out, the best award found is "
        "given with its proven gap and a caution (exit 0); with none found, exit 1.",
    ),
]


TimeBudgetOpt = Annotated[
    float,
    typer.Option(
        "--time-budget",
        metavar="SECONDS",
        min=1,
        max=86_400,
        help="Seconds shared by everything around the award (rule costs, alternatives, the "
        "frontier, robustness re-solves, bidder explanations). When they run out, the "
        "analysis stops where it is and the output says what it left out and the precision "
        "it reached.",
    ),
]


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
            help="Write the model in LP format for review (only when an award is found).",
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
            help="The award only: skip what each rule costs, the alternatives and the "
            "cost-value frontier (the re-solves that take most of the time on large tenders).",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the award to a file: award.xlsx (by system, vendor, year and rule, "
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
                        zh="授标结果文件名应以 .xlsx 或 .json 结尾",
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
            date.today(),
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


EXTENSIONS = {
    ".pdf": Format.pdf,
    ".html": Format.html,
    ".htm": Format.html,
    ".md": Format.md,
    ".json": Format.json,
}


def output_format(output: Path | None, fmt: Format | None) -> tuple[Path, Format]:
    """The brief's file and format: --format wins, else the -o extension, else PDF; without
    -o the file is brief.<format> (so `--format json` never writes brief.pdf)."""
    if fmt is None and output is not None and str(output) != "-":
        fmt = EXTENSIONS.get(output.suffix.lower())
        if fmt is None:
            raise InputError(
                [
                    Problem(
                        str(output),
                        f"cannot tell the format from the extension '{output.suffix}'; name "
                        "the file .pdf, .html, .md or .json, or give --format",
                        field="--output",
                        zh=f"无法从扩展名“{output.suffix}”判断格式；文件名请以 .pdf、.html、.md 或"
                        " .json 结尾，或给出 --format",
                    )
                ]
            )
    fmt = fmt or Format.pdf
    if output is None:
        output = Path(f"brief.{fmt.value}")
    from procure.files import check_stdout

    check_stdout(output, fmt.value)  # a PDF is binary
    return output, fmt


@app.command()
def brief(
    file: ScenarioArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write; its extension sets the format. - writes a text format to "
            "standard output. [default: brief.pdf, or brief.<format> with --format]",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="Output format (default: from the -o extension, else pdf)."),
    ] = None,
    lang: LangOpt = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            help="A directory of templates overriding the bundled ones; templates run "
            "sandboxed and may read only files inside it.",
        ),
    ] = None,
    solver: Annotated[Solver, typer.Option("--solver", help="MILP solver.")] = Solver.highs,
    jobs: JobsOpt = 0,
    data_dir: DataDirOpt = None,
    time_limit: TimeLimitOpt = 120.0,
    time_budget: TimeBudgetOpt = 60.0,
) -> None:
    """The main job: everything above as a brief (PDF, HTML, JSON or Markdown)."""
    from procure.award.parallel import set_jobs
    from procure.documents.report import SYSTEMS_CSV, preload, render, systems_csv
    from procure.files import check_output, write_atomic
    from procure.inputs.record import attachments, record_for
    from procure.recommendation import recommend

    set_jobs(jobs)
    inputs = _inputs(file, data_dir, lang)
    language = _language(lang, inputs.scenario)
    try:
        output, fmt = output_format(output, fmt)
        if templates is not None and not templates.is_dir():
            raise InputError([Problem(str(templates), "--templates must be a directory")])
        check_output(output, inputs.files, fmt.value)  # before minutes of work, not after
        preload(fmt.value)
        rec = recommend(
            inputs.scenario,
            inputs.base_dir,
            solver=solver.value,
            vendors=inputs.vendors,
            time_limit=time_limit,
            time_budget=time_budget,
        )
        rec = rec.model_copy(
            update={"record": record_for(inputs.files, inputs.contents, inputs.scenario.vendors)}
        )
        if rec.award is None:  # exit 3 with the diagnosis; nothing is written
            why = rec.infeasible
            raise InfeasibleError(
                why.en if why else "no award satisfies the rules",
                why.zh if why else "没有满足全部规则的授标方案",
            )
        attach = [
            (name, raw)
            for name, _, raw in attachments(inputs.files, inputs.contents, inputs.scenario.vendors)
        ]
        attach.append((SYSTEMS_CSV, systems_csv(rec, language)))  # every system's row
        payload = render(rec, fmt.value, language, templates, attach)
        write_atomic(output, payload, inputs.files, fmt.value)
    except ProcureError as exc:
        _fail(exc)
    if str(output) != "-":
        _note(_t("term_wrote").format(path=output, fmt=fmt.value, lang=language))


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
        int, typer.Option("--award-draws", min=0, max=1000, help="Draws re-solving the award MILP.")
    ] = 50,
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
    with Progress(console=console(stderr=True), transient=True, disable=as_json or _quiet) as bar:
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


@app.command()
def explain(
    file: ScenarioArg,
    vendor: Annotated[
        str | None,
        typer.Option("--vendor", metavar="ID", help="Explain this bidder only."),
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    jobs: JobsOpt = 0,
    data_dir: DataDirOpt = None,
    time_limit: TimeLimitOpt = 120.0,
) -> None:
    """Why each bidder won or lost: the rule that makes it ineligible, its price to win (the
    smallest uniform cut in its prices at which it wins anything, and what), or for a winner
    how far its prices could rise before it loses a system."""
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
                        f"no bidder has the id '{vendor}'; the bidders are: {', '.join(known)}",
                        zh=f"没有编号为“{vendor}”的投标人；现有编号：{'、'.join(known)}",
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


@app.command()
def verify(
    brief: Annotated[
        Path, typer.Argument(metavar="BRIEF.pdf", help="A PDF brief written by procure brief.")
    ],
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            metavar="SCENARIO",
            help="Re-run this scenario (and its vendor file) as they are now, instead of the "
            "copies attached to the brief.",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            help="The template directory the brief was laid out with, if not the bundled one.",
        ),
    ] = None,
    sha256: Annotated[
        str | None,
        typer.Option(
            "--sha256",
            metavar="HEX",
            help="The PDF's SHA-256 as its author published (or signed) it: the file must be "
            "that one, byte for byte.",
        ),
    ] = None,
    lang: LangOpt = None,
    jobs: JobsOpt = 0,
    data_dir: DataDirOpt = None,
    time_limit: TimeLimitOpt = 120.0,
    time_budget: TimeBudgetOpt = 600.0,
) -> None:
    """Re-run a brief from the inputs it carries, lay it out again and compare: exit 0 if
    every number, page and attachment comes out the same, 4 if an input was edited or a
    number, page or attachment differs (the first ones named). Not a signature: see README."""
    from procure.award.parallel import set_jobs
    from procure.catalog import catalog
    from procure.documents.verify import record_name, verify_brief
    from procure.inputs.record import EVALUATION_JSON

    set_jobs(jobs)
    language = _language(lang)
    t = catalog(language)
    try:
        if templates is not None and not templates.is_dir():
            raise InputError([Problem(str(templates), "--templates must be a directory")])
        published = sha256.strip().lower() if sha256 is not None else None
        if published is not None and not re.fullmatch(r"[0-9a-f]{64}", published):
            raise InputError(
                [Problem("--sha256", "give the 64 hexadecimal digits of a SHA-256 digest")]
            )
        if record_name(brief) == EVALUATION_JSON:  # a 评审报告: its own stage re-runs it
            from procure.evaluation.rerun import verify_report

            verdict = verify_report(brief, against, published)
        else:
            verdict = verify_brief(
                brief,
                time_limit=time_limit,
                against=against,
                data_dir=data_dir,
                templates=templates,
                sha256=published,
                time_budget=time_budget,
            )
    except ProcureError as exc:
        _fail(exc)
    r = verdict.record
    typer.echo(t["record_line"].format(tool=r.tool_version, kb=r.knowledge_version, date=r.date))
    for item in r.inputs:
        typer.echo(f"  {t['file_role_' + item.role]} {item.name}{t['colon']}{item.sha256}")
    typer.echo(f"  {t['verify_pdf_sha']}{t['colon']}{verdict.sha256}")
    for note in verdict.notes:
        typer.echo(f"{t['term_warning']}{t['colon']}{note(language)}")
    for altered in verdict.altered:
        typer.echo(f"{t['verify_altered']}{t['colon']}{altered(language)}")
    for differs in verdict.differs:
        typer.echo(f"{t['verify_differs']}{t['colon']}{differs(language)}")
    for change in verdict.changes:
        typer.echo(f"  {change}")
    if verdict.more:
        typer.echo("  " + t["verify_more"].format(n=verdict.more))
    if verdict.ok:
        typer.echo(t["verify_ok"])
        return
    if verdict.changes:
        typer.echo(t["verify_changed"].format(n=len(verdict.changes) + verdict.more))
    else:
        typer.echo(t["verify_mismatch"])
    raise typer.Exit(4)


@app.command()
def evaluate(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="EVALUATION",
            help="An evaluation file: procure/evaluation@1 YAML or the .xlsx workbook "
            "(- reads YAML from standard input).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the 评审报告 draft: .pdf (with the input attached, for procure verify), "
            ".html or .json.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            metavar="FILE",
            help="Write an empty evaluation workbook (.xlsx: a sheet of bids, one per member, "
            "headers in the --lang language, drop-downs and number checks) to fill in.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """After the bids: the committee's scores to the ranking and the recommended candidates,
    with the checks the law names (87号令 第四十七、五十五至五十七、六十、六十四条)."""
    from procure.catalog import choose_language
    from procure.files import check_output, write_atomic

    if lang is not None:
        _language(lang)
    language = choose_language(lang.value if lang else None, None)
    try:
        if template is not None:
            from procure.evaluation.workbook import template_xlsx

            if template.suffix.lower() != ".xlsx":
                raise InputError(
                    [
                        Problem(
                            str(template),
                            "name the template .xlsx",
                            field="--template",
                            zh="模板文件名应以 .xlsx 结尾",
                        )
                    ]
                )
            if template.exists() and not force:
                raise InputError(
                    [
                        Problem(
                            str(template),
                            "file exists; pass --force to overwrite it",
                            zh="文件已存在；如需覆盖请加 --force",
                        )
                    ]
                )
            check_output(template)
            write_atomic(template, template_xlsx(language))
            _note(_t("term_wrote").format(path=template, fmt="xlsx", lang=language))
            return
        if file is None:
            raise InputError(
                [
                    Problem(
                        "EVALUATION",
                        "give an evaluation file, or --template eval.xlsx to start one",
                        zh="请指定评审记录文件，或用 --template eval.xlsx 生成空白模板",
                    )
                ]
            )
        fmt = None
        if output is not None:
            fmt = {".pdf": "pdf", ".html": "html", ".htm": "html", ".json": "json"}.get(
                output.suffix.lower()
            )
            if fmt is None:
                raise InputError(
                    [
                        Problem(
                            str(output),
                            "name the report .pdf, .html or .json",
                            field="--output",
                            zh="评审报告文件名应以 .pdf、.html 或 .json 结尾",
                        )
                    ]
                )
            check_output(output, [file])
        from procure.evaluation.rerun import attachment_name, run

        ev, result, raw = run(file)  # bad input speaks the file's language (exc.language)
        language = choose_language(lang.value if lang else None, ev.language)
        _speak(language)
        if output is not None and fmt is not None:
            from procure.evaluation.report import render

            payload = render(result, ev, fmt, language, [(attachment_name(file), raw)])
            write_atomic(output, payload, [file])
            _note(_t("term_wrote").format(path=output, fmt=fmt, lang=language))
            return
    except ProcureError as exc:
        _fail(exc)
    if as_json:
        from procure.evaluation.scoring import as_json as dump

        # the numbers alone: the record names the input file, which differs between a YAML
        # file and its workbook (a written report, -o, carries it)
        typer.echo(dump(result.model_copy(update={"record": None})), nl=False)
        return
    from procure.evaluation.report import terminal_text

    typer.echo(terminal_text(result, ev, language), nl=False)


@app.command("vendors")
def list_vendors(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FILE]",
            help="A vendor catalog: vendors@1 YAML or a bid sheet (.xlsx, .csv). "
            "Default: the built-in catalog.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    to: Annotated[
        ToFormat | None,
        typer.Option(
            "--to",
            help="Convert: print (or write with -o) the catalog as vendors@1 YAML or a bid "
            "sheet (csv, xlsx; headers in the --lang language).",
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            metavar="FILE",
            help="Write an empty bid sheet (.xlsx with notes and cell checks, or .csv) "
            "to fill in, with headers in the --lang language.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="File for --to (default: print)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    lang: LangOpt = None,
) -> None:
    """List a vendor catalog or bid sheet; convert it (--to yaml); or start a bid sheet
    (--template bids.xlsx)."""
    from procure.files import check_output, write_atomic
    from procure.inputs.vendors import builtin_catalog, load_vendor_file

    language = _language(lang)
    try:
        if template is not None:
            _write_template(template, language, force)
            return
        if output is not None and to is None:  # -o alone would write nothing, silently
            raise InputError(
                [
                    Problem(
                        str(output),
                        "-o names the file for --to; give --to yaml, csv or xlsx",
                        field="--output",
                        zh="-o 指定的是 --to 的输出文件；请同时给出 --to yaml、csv 或 xlsx",
                    )
                ]
            )
        if to is not None and output is not None:  # before any work, as everywhere
            check_output(output, [file] if file else [], to.value)
        catalog = load_vendor_file(file) if file else builtin_catalog()
        if to is not None:
            from procure.inputs.bids import sheet_csv, sheet_xlsx
            from procure.inputs.yamlio import dump_yaml

            if to is ToFormat.yaml:
                header = "# procure/vendors@1, converted by `procure vendors --to yaml`\n"
                data = catalog.model_dump(mode="json", exclude_defaults=True)
                payload = (header + dump_yaml({"format": "procure/vendors@1", **data})).encode()
            elif to is ToFormat.csv:
                payload = sheet_csv(catalog.vendors, language)
            else:
                payload = sheet_xlsx(catalog.vendors, language)
            if output is None:
                if to is ToFormat.xlsx:
                    raise InputError(
                        [
                            Problem(
                                "--to xlsx",
                                "a workbook is binary: give the file with -o bids.xlsx",
                                zh="工作簿是二进制文件：请用 -o bids.xlsx 指定输出文件",
                            )
                        ]
                    )
                sys.stdout.buffer.write(payload)
                sys.stdout.buffer.flush()
                return
            if str(output) != "-" and output.exists() and not force:
                raise InputError(
                    [
                        Problem(
                            str(output),
                            "file exists; pass --force to overwrite it",
                            zh="文件已存在；如需覆盖请加 --force",
                        )
                    ]
                )
            write_atomic(output, payload, [file] if file else [], to.value)
            if str(output) != "-":
                _note(_t("term_wrote").format(path=output, fmt=to.value, lang=language))
            return
    except ProcureError as exc:
        _fail(exc)
    if as_json:
        typer.echo(catalog.model_dump_json(indent=2))
        return
    from procure.documents.terminal import console, print_vendors

    print_vendors(catalog.vendors, console(), language)


def _write_template(path: Path, lang: str, force: bool) -> None:
    from procure.files import check_output, write_atomic
    from procure.inputs.bids import template_csv, template_xlsx

    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError(
            [
                Problem(
                    str(path),
                    "name the template .xlsx (with notes and cell checks) or .csv",
                    field="--template",
                    zh="模板文件名应以 .xlsx（带说明和单元格校验）或 .csv 结尾",
                )
            ]
        )
    if path.exists() and not force:
        raise InputError(
            [
                Problem(
                    str(path),
                    "file exists; pass --force to overwrite it",
                    zh="文件已存在；如需覆盖请加 --force",
                )
            ]
        )
    check_output(path)
    write_atomic(path, template_xlsx(lang) if suffix == ".xlsx" else template_csv(lang))
    _note(_t("term_wrote").format(path=path, fmt=suffix[1:], lang=lang))


def main() -> None:
    """Entry point for the `procure` script."""
    import os

    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show 政务云 gets '?'
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        app()
    except ProcureError as exc:  # pragma: no cover - commands catch their own
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)
    except Exception as exc:  # unexpected: a short message and exit 1, not a traceback
        if os.environ.get("PROCURE_DEBUG"):
            raise
        _err(
            f"error: unexpected {type(exc).__name__}: {exc} "
            "(set PROCURE_DEBUG=1 to see the traceback, and please report it)"
        )
        sys.exit(1)
