"""The command line: parse, call the library, print; domain errors become messages and exit codes.

Heavy libraries (pulp, weasyprint, matplotlib) are imported inside the commands that need them,
so `procure validate` stays fast.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from procure import __version__
from procure.errors import InputError, Problem, ProcureError

if TYPE_CHECKING:
    from procure.assess import Assessment
    from procure.cashflow import Comparison
    from procure.optimizer import Award
    from procure.scenario import Scenario
    from procure.vendors import Vendor

app = typer.Typer(
    name="procure",
    help="Decision support for government-cloud (政务云) procurement. "
    "Exit codes: 0 ok, 2 bad input, 3 infeasible, 1 other errors.",
    no_args_is_help=True,
    add_completion=False,
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


class Solver(StrEnum):
    highs = "highs"
    cbc = "cbc"


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(exc: ProcureError) -> NoReturn:
    if isinstance(exc, InputError):
        for p in exc.problems:
            _err(f"error: {p}")
    else:
        _err(f"error: {exc}")
    raise typer.Exit(exc.exit_code)


def _load(path: Path) -> Scenario:
    from procure.scenario import load_scenario

    try:
        return load_scenario(path)
    except ProcureError as exc:
        _fail(exc)


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
) -> None:
    """Decision support for government-cloud procurement."""


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenarios; errors name file, line, column and field. Exit 0 if all are valid."""
    from procure.scenario import load_scenario, warnings_for
    from procure.weights import criteria_weights

    failed = False
    for path in files:
        try:
            scenario = load_scenario(path)
            weights = criteria_weights(scenario.criteria)
        except ProcureError as exc:
            failed = True
            problems = (
                exc.problems if isinstance(exc, InputError) else [Problem(str(path), str(exc))]
            )
            for p in problems:
                _err(f"error: {p}")
            continue
        shown = ", ".join(f"{k} {v:.3f}" for k, v in weights.weights.items())
        typer.echo(f"ok: {path} ({len(scenario.systems)} systems; weights {shown})")
        for w in warnings_for(scenario):
            _err(f"warning: {path}: {w}")
    if failed:
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format, for editors' YAML plugins."""
    from procure.scenario import Scenario

    doc = Scenario.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "procure scenario (procure/scenario@1)"
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
) -> None:
    """Write a commented starter scenario that validates as it is."""
    from procure.starter import starter_scenario

    text = starter_scenario(level.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    if output.exists() and not force:
        _fail(InputError([Problem(str(output), "file exists; pass --force to overwrite it")]))
    from procure.files import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"))
    except ProcureError as exc:
        _fail(exc)
    _err(f"wrote {output}; next: procure validate {output}")


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


def _catalog(scenario: Scenario, path: Path) -> list[Vendor]:
    from procure.vendors import catalog_for

    try:
        return catalog_for(scenario.vendors, path.parent)
    except ProcureError as exc:
        _fail(exc)


def _assess(path: Path) -> tuple[Scenario, list[Vendor], Assessment]:
    from procure.assess import assess as run_assess

    scenario = _load(path)
    vendors = _catalog(scenario, path)
    try:
        return scenario, vendors, run_assess(scenario, vendors)
    except ProcureError as exc:
        _fail(exc)


@app.command()
def assess(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Readiness, deployment fit, partnership and procurement-route advice."""
    scenario, _, assessment = _assess(file)
    if as_json:
        typer.echo(assessment.model_dump_json(indent=2))
        return
    from rich.console import Console

    from procure.terminal import print_assessment

    print_assessment(assessment, Console(), (lang.value if lang else scenario.language))


@app.command()
def optimize(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    as_json: JsonOpt = False,
    solver: Annotated[Solver, typer.Option("--solver", help="MILP solver.")] = Solver.highs,
    write_lp: Annotated[
        Path | None, typer.Option("--write-lp", help="Write the model in LP format for review.")
    ] = None,
    lang: LangOpt = None,
    jobs: JobsOpt = 0,
) -> None:
    """The recommended vendor mix, alternatives, and what each rule costs."""
    from procure.parallel import set_jobs

    set_jobs(jobs)
    scenario, vendors, assessment = _assess(file)
    award = _optimize(scenario, vendors, assessment, solver.value, write_lp)
    if as_json:
        typer.echo(award.model_dump_json(indent=2))
        return
    from rich.console import Console

    from procure.terminal import print_award

    print_award(award, Console(), lang.value if lang else scenario.language)


def _optimize(
    scenario: Scenario,
    vendors: list[Vendor],
    assessment: Assessment,
    solver: str = "highs",
    write_lp: Path | None = None,
) -> Award:
    from procure.knowledge import knowledge
    from procure.optimizer import optimize as run_optimize

    try:
        return run_optimize(
            scenario,
            assessment.deployment,
            assessment.weights.weights,
            vendors,
            knowledge().costs,
            solver=solver,
            write_lp=write_lp,
        )
    except ProcureError as exc:
        _fail(exc)


def _compare(path: Path) -> tuple[Scenario, Assessment, Award | None, Comparison]:
    from procure.assess import spend_basis
    from procure.cashflow import compare_modes
    from procure.knowledge import knowledge

    scenario, vendors, assessment = _assess(path)
    try:
        from procure.optimizer import optimize as run_optimize

        award: Award | None = run_optimize(
            scenario,
            assessment.deployment,
            assessment.weights.weights,
            vendors,
            knowledge().costs,
            extras=False,
        )
    except ProcureError:
        award = None  # no award: the cash flows use the resource-based estimate
    spend, one_off, basis = spend_basis(assessment, award, scenario.procurement.contract_years)
    comparison = compare_modes(
        scenario, assessment.partnership, knowledge().cashflow, spend, one_off, basis
    )
    return scenario, assessment, award, comparison


@app.command()
def compare(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    vs: Annotated[
        Path | None, typer.Option("--vs", help="A second scenario to compare with, side by side.")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Joint venture vs direct purchase side by side; or two scenario variants with --vs."""
    from rich.console import Console

    from procure import terminal

    scenario, assessment, award, comparison = _compare(file)
    language = lang.value if lang else scenario.language
    if vs is None:
        if as_json:
            typer.echo(comparison.model_dump_json(indent=2))
            return
        terminal.print_comparison(comparison, Console(), language)
        return
    other = _compare(vs)
    rows = terminal.variant_rows((scenario, assessment, award, comparison), other)
    if as_json:
        typer.echo(
            json.dumps({"files": [str(file), str(vs)], "rows": rows}, indent=2, ensure_ascii=False)
        )
        return
    terminal.print_variants(rows, str(file), str(vs), Console())


@app.command()
def brief(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")] = Path(
        "brief.pdf"
    ),
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.pdf,
    lang: LangOpt = None,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="A directory of templates overriding the bundled ones."),
    ] = None,
    solver: Annotated[Solver, typer.Option("--solver", help="MILP solver.")] = Solver.highs,
    jobs: JobsOpt = 0,
) -> None:
    """The main job: everything above as a brief (PDF, HTML, JSON or Markdown)."""
    from procure.files import check_writable, write_atomic
    from procure.parallel import set_jobs
    from procure.recommend import recommend
    from procure.report import preload, render

    set_jobs(jobs)
    scenario = _load(file)
    language = lang.value if lang else scenario.language
    if templates is not None and not templates.is_dir():
        _fail(InputError([Problem(str(templates), "--templates must be a directory")]))
    try:
        check_writable(output)  # before minutes of work, not after
        preload(fmt.value)
        rec = recommend(scenario, file.parent, solver=solver.value)
        payload = render(rec, fmt.value, language, templates)
        write_atomic(output, payload)
    except ProcureError as exc:
        _fail(exc)
    _err(f"wrote {output} ({fmt.value}, {language})")


@app.command()
def sensitivity(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
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
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20201,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    jobs: JobsOpt = 0,
) -> None:
    """How robust the recommendation is: weight intervals, flip points, rank acceptability."""
    from rich.console import Console
    from rich.progress import Progress

    from procure.parallel import set_jobs
    from procure.sensitivity import analyse
    from procure.terminal import print_sensitivity

    set_jobs(jobs)

    scenario, vendors, assessment = _assess(file)
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=as_json) as bar:
        task = bar.add_task("re-solving the award", total=award_draws)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = analyse(
                scenario,
                assessment.deployment,
                assessment.weights.weights,
                vendors,
                draws=draws,
                award_draws=award_draws,
                seed=seed,
                spread=None if uniform else spread,
                progress=progress,
            )
        except ProcureError as exc:
            _fail(exc)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    print_sensitivity(result, Console(), lang.value if lang else scenario.language)


@app.command("vendors")
def list_vendors(
    file: Annotated[
        Path | None,
        typer.Argument(help="A procure/vendors@1 file (default: the built-in catalog)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List a vendor catalog."""
    from procure.vendors import builtin_catalog, load_vendor_file

    try:
        catalog = load_vendor_file(file) if file else builtin_catalog()
    except ProcureError as exc:
        _fail(exc)
    if as_json:
        typer.echo(catalog.model_dump_json(indent=2))
        return
    from rich.console import Console

    from procure.terminal import print_vendors

    print_vendors(catalog.vendors, Console())


def main() -> None:
    """Entry point for the `procure` script."""
    import os

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
