"""Commands that write and check the brief: brief, verify."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from procure.cli.common import (
    DataDirOpt,
    Format,
    JobsOpt,
    LangOpt,
    ScenarioArg,
    Solver,
    TimeBudgetOpt,
    TimeLimitOpt,
    _fail,
    _inputs,
    _language,
    _note,
    _out,
    _speak,
    _t,
    app,
)
from procure.errors import InfeasibleError, InputError, Problem, ProcureError

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
        record = record_for(inputs.files, inputs.contents, inputs.scenario.vendors)
        rec = recommend(
            inputs.scenario,
            inputs.base_dir,
            solver=solver.value,
            vendors=inputs.vendors,
            time_limit=time_limit,
            time_budget=time_budget,
            today=date.fromisoformat(record.date),  # the plan's dates: verify re-renders them
        )
        rec = rec.model_copy(update={"record": record})
        if rec.award is None:  # exit 3 with the diagnosis; nothing is written
            why = rec.infeasible
            raise InfeasibleError(
                why.en if why else "no mix of candidate suppliers satisfies the rules",
                why.zh if why else "没有满足全部规则的测算方案",
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
                speak=None if lang is not None else _speak,  # the brief's language decides
            )
    except ProcureError as exc:
        _fail(exc)
    if lang is None and verdict.language is not None:
        language = verdict.language
        t = catalog(language)
    r = verdict.record
    _out(t["record_line"].format(tool=r.tool_version, kb=r.knowledge_version, date=r.date))
    for item in r.inputs:
        _out(f"  {t['file_role_' + item.role]} {item.name}{t['colon']}{item.sha256}")
    _out(f"  {t['verify_pdf_sha']}{t['colon']}{verdict.sha256}")
    for note in verdict.notes:
        _out(f"{t['term_warning']}{t['colon']}{note(language)}")
    for altered in verdict.altered:
        _out(f"{t['verify_altered']}{t['colon']}{altered(language)}")
    for differs in verdict.differs:
        _out(f"{t['verify_differs']}{t['colon']}{differs(language)}")
    for change in verdict.changes:
        _out(f"  {change}")
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
