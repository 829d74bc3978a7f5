"""Commands that start and check inputs: init, validate, schema, vendors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from procure.cli.common import (
    DataDirOpt,
    JsonOpt,
    LangOpt,
    Level,
    ToFormat,
    _err,
    _fail,
    _language,
    _note,
    _out,
    _problem_lines,
    _t,
    app,
)
from procure.errors import InputError, Problem, ProcureError

if TYPE_CHECKING:
    pass


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
        _out(t["term_ok"].format(path=path, systems=len(scenario.systems), weights=shown))
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
