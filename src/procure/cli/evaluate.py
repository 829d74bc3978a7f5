"""The command of the evaluation stage, after the bids: evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procure.cli.common import (
    JsonOpt,
    LangOpt,
    _fail,
    _language,
    _note,
    _speak,
    _t,
    app,
)
from procure.errors import InputError, Problem, ProcureError


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
