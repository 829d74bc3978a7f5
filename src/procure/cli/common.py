"""What every command shares: the typer app, the option types, the run's language and quiet
setting, and how a domain error becomes a message and an exit code."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from procure import __version__
from procure.errors import InputError, ProcureError

if TYPE_CHECKING:
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


def is_quiet() -> bool:
    return _quiet


def _err(message: str) -> None:
    from procure.inputs.yamlio import visible

    typer.echo(visible(message), err=True)


def _out(text: str) -> None:
    """A result line on standard output that quotes something from outside the inputs'
    checks (a path as typed, a PDF's own record and text in `verify`), made `visible`."""
    from procure.inputs.yamlio import visible

    typer.echo(visible(text))


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


MAX_PROBLEMS = 50  # an input's problems printed; past that, a count (fix these, run again)
MAX_ERROR_TEXT = 4_000  # characters of one error's text; past that, its start and end


def _cut(text: str, lang: str) -> str:
    """An error's text within MAX_ERROR_TEXT: its start and its end (which says what to do),
    the characters left out counted. Every message is built to be short; this bounds one
    that lists what a hostile input has thousands of."""
    if len(text) <= MAX_ERROR_TEXT:
        return text
    head, tail = text[: MAX_ERROR_TEXT - 1000], text[-800:]
    cut = len(text) - len(head) - len(tail)
    gap = (
        f" …（此处略去 {cut:,} 个字符）… "
        if lang == "zh"
        else f" … ({cut:,} characters left out) … "
    )
    return head + gap + tail


def _problem_lines(exc: ProcureError, lang: str) -> list[str]:
    prefix = "错误：" if lang == "zh" else "error: "
    if isinstance(exc, InputError):
        lines = [prefix + p.render(lang) for p in exc.problems[:MAX_PROBLEMS]]
        more = len(exc.problems) - MAX_PROBLEMS
        if more > 0:
            lines.append(
                prefix + f"另有 {more:,} 处问题未列出；请先修正以上问题，再重新运行"
                if lang == "zh"
                else prefix + f"{more:,} more problems not shown; fix these first, then run again"
            )
        return lines
    return [prefix + _cut(exc.text(lang), lang)]


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
        help="Seconds for the estimate's MILP solve. When it runs out, the best mix found is "
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
        help="Seconds shared by everything around the estimate (rule costs, alternatives, the "
        "frontier, robustness re-solves, bidder explanations, the other contract structure's "
        "award), counted from the start of the analysis. When they run out, the analysis "
        "stops where it is and the output says what it left out and the precision it "
        "reached. Not covered: the estimate's own solve (--time-limit), building models and "
        "the exact check after each solve, and laying out the brief.",
    ),
]
