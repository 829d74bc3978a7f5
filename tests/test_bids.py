"""Bid sheets: the same bids as vendors@1 YAML, CSV and XLSX give the same catalog and the
same award, byte for byte; errors point at file:sheet:row:column; the template and the
converters round-trip."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from procure.inputs.bids import (
    COLUMNS,
    as_text_cells,
    read_sheet,
    sheet_csv,
    sheet_xlsx,
    template_xlsx,
)
from procure.inputs.vendors import builtin_catalog, load_vendor_file

from .conftest import ROOT, example, run

BIDS = ROOT / "scenarios" / "vendors"


def with_vendors(tmp_path: Path, source: Path, name: str) -> Path:
    """The prefecture example with its vendors taken from `source`, copied beside it."""
    (tmp_path / name).write_bytes(source.read_bytes())
    text = example("prefecture-binzhou").read_text(encoding="utf-8")
    scenario = tmp_path / f"with-{name}.yaml"
    scenario.write_text(text.replace("vendors: default", f"vendors: {name}"), encoding="utf-8")
    return scenario


def test_the_same_bids_as_yaml_csv_and_xlsx_give_byte_identical_awards(tmp_path: Path) -> None:
    outputs = []
    for suffix in ("yaml", "csv", "xlsx"):
        scenario = with_vendors(tmp_path, BIDS / f"bids-example.{suffix}", f"bids.{suffix}")
        result = run("optimize", str(scenario), "--json")
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert {v["vendor"] for v in json.loads(outputs[0])["vendors"]} <= {
        "bidder-north",
        "bidder-south",
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_any_catalog_round_trips_through_a_sheet(tmp_path: Path, lang: str, fmt: str) -> None:
    catalog = builtin_catalog()
    path = tmp_path / f"bids.{fmt}"
    writer = sheet_csv if fmt == "csv" else sheet_xlsx
    path.write_bytes(writer(catalog.vendors, lang))
    assert load_vendor_file(path) == catalog


def test_a_gbk_csv_from_a_chinese_excel_reads(tmp_path: Path) -> None:
    text = (BIDS / "bids-example.csv").read_bytes().decode("utf-8-sig")
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gb18030"))
    assert load_vendor_file(path) == load_vendor_file(BIDS / "bids-example.yaml")


def test_a_bad_cell_is_located_at_file_sheet_row_column(tmp_path: Path) -> None:
    book = load_workbook(BIDS / "bids-example.xlsx")
    sheet = book.active
    assert sheet is not None
    price = next(i for i, c in enumerate(COLUMNS, 1) if c.key == "vcpu")
    mlps = next(i for i, c in enumerate(COLUMNS, 1) if c.key == "mlps_max")
    sheet.cell(row=3, column=price, value=-5)  # bidder-north, dedicated
    sheet.cell(row=5, column=mlps, value=7)  # bidder-south's first row
    path = tmp_path / "bad.xlsx"
    book.save(path)
    result = run("vendors", str(path), "--lang", "zh")
    assert result.exit_code == 2
    assert (
        f"{path}:报价:3:L: 字段 vendors[0].prices.dedicated.vcpu：应大于或等于 0" in result.stderr
    )
    assert f"{path}:报价:5:G:" in result.stderr and "mlps_max" in result.stderr
    english = run("vendors", str(path), "--lang", "en")
    assert f"{path}:报价:3:L: vendors[0].prices.dedicated.vcpu:" in english.stderr


def test_unknown_columns_and_conflicting_rows_are_refused_by_name(tmp_path: Path) -> None:
    rows = (BIDS / "bids-example.csv").read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "bids.csv"
    path.write_text("\n".join([rows[0] + ",折扣", *rows[1:]]), encoding="utf-8")
    result = run("vendors", str(path), "--lang", "en")
    assert result.exit_code == 2 and "unknown column '折扣'" in result.stderr
    assert f"{path}:1:AB:" in result.stderr
    second = rows[2].split(",")
    second[5] = "Other name"  # a bidder's own field given again, differently, on a later row
    second[1] = "Someone else"
    path.write_text("\n".join([rows[0], rows[1], ",".join(second), *rows[3:]]), encoding="utf-8")
    result = run("vendors", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert f"{path}:3:B:" in result.stderr and "first row" in result.stderr


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not a zip at all", "not an .xlsx workbook"),
        (b"", "not an .xlsx workbook"),
    ],
)
def test_a_damaged_workbook_is_exit_2(tmp_path: Path, payload: bytes, message: str) -> None:
    path = tmp_path / "bids.xlsx"
    path.write_bytes(payload)
    result = run("vendors", str(path), "--lang", "en")
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def damaged(kind: str) -> bytes:
    """The D04 workbook with its first entry's data scrambled, or flagged as encrypted."""
    raw = bytearray((HARD / "d04_nan_cell.xlsx").read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).infolist()[0]
    if kind == "encrypted":
        central = raw.find(b"PK\x01\x02")
        raw[central + 8] |= 1  # the general-purpose flag's "encrypted" bit
    else:
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        raw[start : start + 20] = bytes(b ^ 0x55 for b in raw[start : start + 20])
    return bytes(raw)


@pytest.mark.parametrize("kind", ["encrypted", "scrambled"])
def test_an_encrypted_or_scrambled_workbook_is_exit_2(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bids.xlsx"
    path.write_bytes(damaged(kind))
    refused(path, "not an .xlsx workbook")


def test_a_workbook_that_inflates_too_far_is_refused_unread(tmp_path: Path) -> None:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(stream.getvalue())
    assert path.stat().st_size < 1_000_000
    result = run("vendors", str(path), "--lang", "en")
    assert result.exit_code == 2 and "inflates to 60,000,000 bytes" in result.stderr


def test_the_template_has_headers_notes_and_cell_checks_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "bids.xlsx"
    result = run("vendors", "--template", str(path), "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    book = load_workbook(path)
    sheet = book["报价"]
    assert [c.value for c in sheet[1]] == [c.zh for c in COLUMNS]
    assert all(c.comment is not None and c.comment.text for c in sheet[1])
    checks = {str(r) for dv in sheet.data_validations.dataValidation for r in dv.sqref.ranges}
    model = next(i for i, c in enumerate(COLUMNS) if c.key == "model")
    assert any(r.startswith(chr(65 + model) + "2") for r in checks)
    assert "说明" in book.sheetnames
    again = run("vendors", "--template", str(path))
    assert again.exit_code == 2  # never overwritten without --force
    english = load_workbook(io.BytesIO(template_xlsx("en")))
    assert [c.value for c in english["bids"][1]] == [c.key for c in COLUMNS]
    assert read_sheet(path).data == {"format": "procure/vendors@1", "vendors": []}
    empty = run("vendors", str(path), "--lang", "en")  # a template not yet filled in
    assert empty.exit_code == 2 and "vendors: List should have at least 1 item" in empty.stderr


def test_vendors_converts_a_sheet_to_yaml_that_loads_the_same(tmp_path: Path) -> None:
    out = tmp_path / "bids.yaml"
    result = run("vendors", str(BIDS / "bids-example.xlsx"), "--to", "yaml", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert load_vendor_file(out) == load_vendor_file(BIDS / "bids-example.yaml")
    assert run("vendors", str(BIDS / "bids-example.yaml"), "--to", "xlsx").exit_code == 2


def test_the_award_workbook_carries_the_awards_numbers(tmp_path: Path) -> None:
    path = example("county-joins-prefecture")  # a Chinese scenario: Chinese sheets
    award = json.loads(run("optimize", str(path), "--json").stdout)
    out = tmp_path / "award.xlsx"
    result = run("optimize", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["概要", "各系统测算", "供应商", "分年度成本", "规则及其代价"]
    summary = [c.value for c in book["概要"][2]]
    assert summary[:3] == [award["total_cost_cny"], award["budget_cny"], award["value"]]
    placed = {row[1]: row[4] for row in book["各系统测算"].iter_rows(min_row=2, values_only=True)}
    assert placed == {s["system"]: s["cost_cny"] for s in award["systems"]}
    shares = [row[6] for row in book["供应商"].iter_rows(min_row=2, values_only=True)]
    assert shares == [v["share"] for v in award["vendors"]]
    years = [row[1] for row in book["分年度成本"].iter_rows(min_row=2, values_only=True)]
    assert years == award["cost_by_year"]
    assert run("optimize", str(path), "-o", str(tmp_path / "award.txt")).exit_code == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_name_that_looks_like_a_formula_stays_text(tmp_path: Path, fmt: str) -> None:
    """Hostile input: a bidder named '=HYPERLINK(...)' must never become a formula in a sheet
    procure writes, and must read back as the same name."""
    catalog = load_vendor_file(BIDS / "bids-example.yaml")
    evil = '=HYPERLINK("http://example.invalid","x")'
    vendors = [catalog.vendors[0].model_copy(update={"name": evil}), *catalog.vendors[1:]]
    path = tmp_path / f"bids.{fmt}"
    path.write_bytes((sheet_csv if fmt == "csv" else sheet_xlsx)(vendors, "en"))
    if fmt == "csv":
        assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")
    else:
        cell = load_workbook(path)["bids"]["B2"]
        assert cell.value == evil and cell.data_type == "s"  # a string, not a formula
    assert load_vendor_file(path).vendors[0].name == evil


def test_a_bidi_or_control_character_in_a_sheet_is_refused_and_located(tmp_path: Path) -> None:
    rows = (BIDS / "bids-example.csv").read_text(encoding="utf-8-sig").splitlines()
    first = rows[1].split(",")
    first[1] = "Bidder\u202enorth"  # RIGHT-TO-LEFT OVERRIDE: shows the name reversed
    path = tmp_path / "bids.csv"
    path.write_text("\n".join([rows[0], ",".join(first), *rows[2:]]), encoding="utf-8")
    result = run("vendors", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert f"{path}:2:B:" in result.stderr and "U+202E" in result.stderr


# --- Bid sheets never change or drop data silently (issue #22, items 5, 6 and 8) -----------

HARD = ROOT / "tests" / "data" / "hardening" / "bids"
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:[ \t,.;:/&()\-]+[A-Za-z][A-Za-z'’\-]*){2,}")


def example_rows() -> list[list[str]]:
    """bids-example.csv as rows of text (header first)."""
    text = (BIDS / "bids-example.csv").read_text(encoding="utf-8-sig")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def write_sheet(path: Path, rows: list[list[Any]]) -> Path:
    """Rows as a CSV or an .xlsx (text cells stay text), by the path's suffix."""
    if path.suffix == ".csv":
        stream = io.StringIO()
        csv.writer(stream, lineterminator="\r\n").writerows(rows)
        path.write_bytes(stream.getvalue().encode("utf-8-sig"))
        return path
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报价"
    for row in rows:
        sheet.append(row)
    as_text_cells(sheet)
    book.save(path)
    return path


def refused(path: Path, *words: str, lang: str = "en") -> str:
    """`vendors PATH --to yaml -o OUT` exits 2 with a message naming `words`, no traceback,
    and writes nothing; the message is returned."""
    out = path.parent / "out.yaml"
    result = run("vendors", str(path), "--to", "yaml", "-o", str(out), "--lang", lang)
    message = result.stderr
    assert result.exit_code == 2, (result.exit_code, message, result.exception)
    assert message.startswith(("error: ", "错误：")) and "Traceback" not in message, message
    assert all(len(line) < 700 for line in message.splitlines()), message
    for word in words:
        assert word in message, (word, message)
    assert not out.exists()
    return message


@pytest.mark.parametrize(
    ("name", "where", "words"),
    [
        ("d03_duplicate_model_row.csv", ":3:K:", ("second row for model private", "rows 2 and 3")),
        ("d04_nan_cell.xlsx", ":报价:2:A:", ("cannot be read",)),
        ("d05_long_field.csv", ":2:C:", ("131,073 characters",)),
        ("d06_chartsheet_first.xlsx", ":chart:", ("chart sheet",)),
        ("d11_row_without_model.csv", ":3:K:", ("needs its deployment model",)),
        ("d12_decimal_comma.csv", ":2:L:", ("ambiguous number '1,5'",)),
        ("d13_zwsp.csv", ":2:B:", ("U+200B (ZERO WIDTH SPACE)",)),
        ("d14_sst_amplification.xlsx", ": ", ("600,000 tags", "sharedStrings.xml")),
    ],
)
def test_the_bid_sheet_reproducers_are_refused_quickly_at_their_cell(
    tmp_path: Path, name: str, where: str, words: tuple[str, ...]
) -> None:
    path = tmp_path / name
    shutil.copy(HARD / name, path)
    start = time.monotonic()
    refused(path, f"{path}{where}", *words)
    assert time.monotonic() - start < 5  # D14 took 40 s
    message = refused(path, f"{path}{where}", lang="zh")  # Chinese, at the same place
    assert "错误" in message and not ENGLISH_RUN.search(re.sub(r"\S*/\S*", "", message))


def test_the_duplicate_model_reproducer_fails_validate_not_optimize(tmp_path: Path) -> None:
    """D03: validate said ok, and optimize ended in exit 1."""
    scenario = with_vendors(tmp_path, HARD / "d03_duplicate_model_row.csv", "bids.csv")
    for command in ("validate", "optimize"):
        result = run(command, str(scenario), "--lang", "en")
        assert result.exit_code == 2 and "rows 2 and 3" in result.stderr, result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("second", ["私有云", "private", " private "])
def test_a_second_row_for_a_bidder_and_model_is_refused_naming_both_rows(
    tmp_path: Path, suffix: str, second: str
) -> None:
    rows = example_rows()
    model = rows[0].index("部署模式")
    extra = [""] * len(rows[0])
    extra[0], extra[model] = rows[1][0], second  # bidder-north: private again
    extra[model + 1 : model + 4] = ["1", "2", "3"]
    path = write_sheet(tmp_path / f"bids{suffix}", [*rows, extra])
    sheet = ":报价" if suffix == ".xlsx" else ""
    refused(path, f"{path}{sheet}:{len(rows) + 1}:K:", f"rows 2 and {len(rows) + 1}")


def test_a_model_listed_twice_in_a_vendor_file_is_refused(tmp_path: Path) -> None:
    text = (BIDS / "bids-example.yaml").read_text(encoding="utf-8")
    assert "models: [private, dedicated, hybrid]" in text
    path = tmp_path / "bids.yaml"
    twice = text.replace("[private, dedicated, hybrid]", "[private, private]")
    path.write_text(twice, encoding="utf-8")
    refused(path, f"{path}:11:", "listed twice (models[0] and models[1])")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_a_bid_row_without_a_model_is_refused_at_its_row(
    tmp_path: Path, suffix: str, blank: str
) -> None:
    rows = example_rows()
    rows[3][rows[0].index("部署模式")] = blank
    path = write_sheet(tmp_path / f"bids{suffix}", rows)
    sheet = ":报价" if suffix == ".xlsx" else ""
    refused(path, f"{path}{sheet}:4:K:", "needs its deployment model")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_value_under_no_header_is_refused_not_dropped(tmp_path: Path, suffix: str) -> None:
    rows = example_rows()
    rows[2] = [*rows[2], "", "note"]  # two columns past the header's last
    path = write_sheet(tmp_path / f"bids{suffix}", rows)
    sheet = ":报价" if suffix == ".xlsx" else ""
    refused(path, f"{path}{sheet}:3:AC:", "without a header")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,234", 1234),
        ("1,234,567", 1234567),
        ("1,234.5", 1234.5),
        ("-1,000", -1000),
        ("1050", 1050),
        ("1050.25", 1050.25),
        ("1.5e3", 1500),
        (" 1,050 ", 1050),
        ("1，050", 1050),  # a full-width comma, as a Chinese keyboard types it
    ],
)
def test_numbers_with_thousands_separators_read_as_written(
    tmp_path: Path, text: str, number: float
) -> None:
    rows = example_rows()
    rows[1][rows[0].index("vCPU单价")] = text
    if number < 0:  # still read as a number: the validator names its sign
        refused(write_sheet(tmp_path / "bids.csv", rows), ":2:L:", "greater than or equal to 0")
        return
    for suffix in (".csv", ".xlsx"):
        catalog = load_vendor_file(write_sheet(tmp_path / f"bids{suffix}", rows))
        assert catalog.vendors[0].prices["private"].vcpu == number


@pytest.mark.parametrize(
    "text", ["1,5", "1,50", "12,3456", "1.234,5", "1,5,000", ",5", "1,2345", "1,234,56", "1，5"]
)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_comma_that_is_not_a_thousands_separator_is_an_ambiguous_number(
    tmp_path: Path, text: str, suffix: str
) -> None:
    rows = example_rows()
    rows[1][rows[0].index("vCPU单价")] = text
    path = write_sheet(tmp_path / f"bids{suffix}", rows)
    sheet = ":报价" if suffix == ".xlsx" else ""
    refused(path, f"{path}{sheet}:2:L:", "ambiguous number")
    refused(path, f"{path}{sheet}:2:L:", "有歧义", lang="zh")


@pytest.mark.parametrize("text", ["1_050", "nan", "inf", "١٠٥٠", "1 050", "0x41A", "1.2.3"])
def test_text_that_only_python_reads_as_a_number_stays_text(tmp_path: Path, text: str) -> None:
    """float() reads underscores, nan, inf and other scripts' digits: a bid sheet does not."""
    rows = example_rows()
    rows[1][rows[0].index("vCPU单价")] = text
    refused(write_sheet(tmp_path / "bids.csv", rows), ":2:L:", "valid number")


INVISIBLE = {
    "zero width space": "\u200b",
    "zero width joiner": "\u200d",
    "word joiner": "\u2060",
    "soft hyphen": "\u00ad",
    "BOM inside text": "\ufeff",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "tag character": "\U000e0041",
    "cancel tag": "\U000e007f",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "arabic letter mark": "\u061c",
    "hangul filler": "\u3164",
    "variation selector": "\ufe0f",
    "mongolian vowel separator": "\u180e",
    "interlinear annotation": "\ufff9",
    "C1 control": "\x85",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_and_format_characters_are_refused_everywhere_text_is_read(
    tmp_path: Path, char: str
) -> None:
    code = f"U+{ord(char):04X}"
    rows = example_rows()
    rows[1][1] = f"Bidder{char}North"
    for suffix in (".csv", ".xlsx"):
        path = write_sheet(tmp_path / f"bids{suffix}", rows)
        sheet = ":报价" if suffix == ".xlsx" else ""
        refused(path, f"{path}{sheet}:2:B:", code)
    yaml_text = (BIDS / "bids-example.yaml").read_text(encoding="utf-8")
    vendor_file = tmp_path / "bids.yaml"
    vendor_file.write_text(yaml_text.replace("Bidder North", f"Bidder{char}North", 1), "utf-8")
    refused(vendor_file, code)
    scenario = example("prefecture-binzhou").read_text(encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario.replace("name: ", f"name: X{char}", 1), encoding="utf-8")
    result = run("validate", str(path), "--lang", "en")
    assert result.exit_code == 2 and code in result.stderr, result.stderr


def test_visible_chinese_punctuation_and_spaces_are_kept(tmp_path: Path) -> None:
    rows = example_rows()
    rows[1][1] = "中国电信·滨州分公司　（政务云）"  # middle dot, ideographic space
    catalog = load_vendor_file(write_sheet(tmp_path / "bids.csv", rows))
    assert catalog.vendors[0].name == rows[1][1]


def with_cells(base: bytes, cells: str, shared: str | None = None) -> bytes:
    """`base` (a one-sheet workbook) with its sheet's rows 1-2 replaced: a header of id and
    model, then `cells` as row 2's XML; `shared` replaces the shared strings."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id'
        '</t></is></c><c r="B1" t="inlineStr"><is><t>model</t></is></c></row><row r="2">'
        f"{cells}</row></sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            dst.writestr(info, data)
        if shared is not None:
            dst.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cells", "where", "word"),
    [
        ('<c r="A2" t="n"><v>NaN</v></c>', ":2:A:", "cannot be read"),
        ('<c r="B2" t="n"><v>1.0E999</v></c>', ":2:B:", "not a finite number"),
        ('<c r="B2" t="n"><v>nan.0</v></c>', ":2:B:", "cannot be read"),
        ('<c r="A2" t="s"><v>99</v></c>', ":2:A:", "cannot be read"),
        ('<c r="A2" t="s"><v>x</v></c>', ":2:A:", "cannot be read"),
        ('<c r="A2" t="b"><v>maybe</v></c>', ":2:A:", "cannot be read"),
        ('<c r="A2" t="d"><v>not a date</v></c>', ":2:A:", "cannot be read"),
        ('<c r="C2" t="e"><v>#DIV/0!</v></c>', ":2:C:", "spreadsheet error #DIV/0!"),
        ('<c r="B2"><f>1/0</f></c>', ":2:B:", "formula whose result was never saved"),
        ('<c r="??" t="n"><v>1</v></c>', ":2:", "cannot be read"),
        ('<c r="XFD2" t="n"><v>1</v></c>', ":2:XFD:", "beyond column"),
        ('<c r="B2" t="n"><v>1</v></c><c r="B2" t="n"><v>2</v></c>', ":2:B:", "same place"),
    ],
)
def test_a_malformed_cell_is_exit_2_at_its_row_and_column(
    tmp_path: Path, cells: str, where: str, word: str
) -> None:
    path = tmp_path / "bids.xlsx"
    path.write_bytes(with_cells((HARD / "d04_nan_cell.xlsx").read_bytes(), cells))
    refused(path, f"{path}:报价{where}", word)


def test_a_row_past_the_limit_is_refused_but_blank_formatted_rows_are_not(
    tmp_path: Path,
) -> None:
    base = (BIDS / "bids-example.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as src:
        name = next(n for n in src.namelist() if n.startswith("xl/worksheets/"))
        xml = src.read(name).decode()
    for extra, ok in (
        ('<row r="1048576" s="1" customFormat="1"/>', True),
        ('<row r="5000"><c r="A5000" t="inlineStr"><is><t>x</t></is></c></row>', False),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == name:  # a used range that claims the whole sheet, too
                    text = xml.replace("</sheetData>", extra + "</sheetData>")
                    data = re.sub(
                        r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', text
                    ).encode()
                dst.writestr(info, data)
        path = tmp_path / "bids.xlsx"
        path.write_bytes(out.getvalue())
        if ok:
            assert load_vendor_file(path) == load_vendor_file(BIDS / "bids-example.yaml")
        else:
            refused(path, f"{path}:报价:5000:", "more than 2,000 rows")


def test_the_bids_sheet_may_not_be_a_chart(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    book = load_workbook(BIDS / "bids-example.xlsx")
    sheet = book.active
    assert sheet is not None
    sheet.title = "first"
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=12, min_row=1, max_row=7), titles_from_data=True)
    book.create_chartsheet("bids").add_chart(chart)
    path = tmp_path / "bids.xlsx"
    book.save(path)
    refused(path, f"{path}:bids:", "chart sheet")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("length", [4_001, 200_000])
def test_an_over_long_cell_is_refused_at_its_cell(tmp_path: Path, suffix: str, length: int) -> None:
    rows = example_rows()
    rows[2][rows[0].index("数据来源")] = "源" * length
    path = write_sheet(tmp_path / f"bids{suffix}", rows)
    sheet = ":报价" if suffix == ".xlsx" else ""
    shown = min(length, 32_767) if suffix == ".xlsx" else length  # Excel's own cell limit
    refused(path, f"{path}{sheet}:3:Y:", f"{shown:,} characters")


def test_a_csv_the_csv_module_cannot_parse_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bids.csv"
    path.write_bytes(b'id,model\r\na,"private\0\r\n')
    refused(path)


def test_a_workbook_with_more_xml_than_a_bid_sheet_needs_is_refused_quickly(
    tmp_path: Path,
) -> None:
    """Tiny when zipped, millions of elements when parsed: styles and sheets as well as
    shared strings (D14)."""
    base = (HARD / "d04_nan_cell.xlsx").read_bytes()
    for part, xml in (
        (
            "xl/styles.xml",
            b"<styleSheet><cellXfs>" + b"<xf/>" * 700_000 + b"</cellXfs></styleSheet>",
        ),
        (
            "xl/worksheets/sheet1.xml",
            b"<worksheet><sheetData>" + b"<row/>" * 700_000 + b"</sheetData></worksheet>",
        ),
    ):
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(base)) as src,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            for info in src.infolist():
                dst.writestr(info.filename, xml if info.filename == part else src.read(info))
            if part not in src.namelist():
                dst.writestr(part, xml)
        path = tmp_path / "bids.xlsx"
        path.write_bytes(out.getvalue())
        start = time.monotonic()
        refused(path, "600,000 tags", part)
        assert time.monotonic() - start < 3


def test_the_largest_bid_sheet_allowed_still_reads(tmp_path: Path) -> None:
    """The tag bound leaves room for 2,000 bid rows with every column filled."""
    rows = example_rows()
    header, first = rows[0], rows[1]
    body = []
    for n in range(500):
        for model in ("私有云", "专有云", "公有云", "混合云"):
            row = list(first) if not body or body[-1][0] != f"b{n}" else [""] * len(first)
            row[0], row[header.index("部署模式")] = f"b{n}", model
            row[header.index("vCPU单价")] = first[header.index("vCPU单价")]
            row[header.index("内存单价")] = first[header.index("内存单价")]
            row[header.index("存储单价")] = first[header.index("存储单价")]
            body.append(row)
    path = write_sheet(tmp_path / "bids.xlsx", [header, *body])
    start = time.monotonic()
    assert len(load_vendor_file(path).vendors) == 500
    assert time.monotonic() - start < 20


@pytest.mark.parametrize(
    "args",
    [
        ["vendors", "--to", "xlsx", "-o", "-"],
        ["vendors", str(BIDS / "bids-example.csv"), "--to", "xlsx", "-o", "-"],
        ["brief", str(BIDS.parent / "prefecture-binzhou.yaml"), "-o", "-"],
        ["brief", str(BIDS.parent / "prefecture-binzhou.yaml"), "-o", "-", "--format", "pdf"],
    ],
)
def test_no_command_writes_a_binary_format_to_standard_output(args: list[str]) -> None:
    result = run(*args, "--lang", "en")
    assert result.exit_code == 2 and "binary format" in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_text_formats_still_go_to_standard_output(fmt: str) -> None:
    result = run("vendors", str(BIDS / "bids-example.csv"), "--to", fmt, "-o", "-")
    assert result.exit_code == 0 and "bidder-north" in result.stdout
    assert "wrote" not in result.stderr


# --- Fuzz: any sheet gives exit 0 or 2, never 1 or a traceback, and nothing written on 2 ----

TRICKY = [
    "",
    " ",
    "1,5",
    "1,234",
    "1,234,567",
    "1.234,5",
    "12,3456",
    "-1",
    "0",
    "1e999",
    "nan",
    "1_000",
    "9" * 30,
    "是",
    "否",
    "yes",
    "私有云",
    "专有云",
    "private",
    "hybrid",
    "bidder-north",
    "bidder-south",
    "iaas, paas",
    "=1+1",
    '\'=HYPERLINK("x")',
    "x\u200by",
    "\u202e",
    "\ufeff",
    "a\u2028b",
    "\U000e0041",
    "#DIV/0!",
    "源" * 2_001,
]
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
cell_values = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@st.composite
def sheets(draw: st.DrawFn) -> list[list[Any]]:
    """The example sheet with rows dropped, repeated or added and cells replaced, the header's
    too, and values past its last column."""
    rows: list[list[Any]] = [list(r) for r in example_rows()]
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop", "drop", "repeat", "blank"]))
        n = draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0
        if action == "drop" and len(rows) > 1:
            del rows[n]
        elif action == "repeat":
            rows.append(list(rows[n]))
        else:
            rows.append([""] * len(rows[0]))
    for _ in range(draw(st.integers(0, 6))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[0]) + 1))
        rows[r] += [""] * (c + 1 - len(rows[r]))
        plausible = r > 0 and c < len(COLUMNS) and draw(st.integers(0, 3)) > 0
        rows[r][c] = draw(plausible_values(COLUMNS[c]) if plausible else cell_values)
    return rows


def plausible_values(column: Any) -> st.SearchStrategy[Any]:
    """Values a bidder might really type in `column` (most of them valid there)."""
    if column.kind in ("int", "number"):
        whole = st.integers(0, 10**7)
        return st.one_of(
            whole, whole.map(str), whole.map("{:,}".format), st.floats(0, 100).map(str)
        )
    if column.kind == "bool":
        return st.sampled_from(["是", "否", "yes", "no", "Y", "n", "", True, False])
    if column.key == "model":
        return st.sampled_from(["私有云", "专有云", "公有云", "混合云", "private", "public"])
    return st.text(st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=20)


def fuzz_writes_nothing_or_the_same(path: Path, rows: int | None = None) -> None:
    """Exit 0 or 2, never 1; on 2 a message and nothing written; on 0 a YAML that reads back
    the same, with one bid (bidder and model) for each of the sheet's `rows` bid rows."""
    out = path.parent / "out.yaml"
    out.unlink(missing_ok=True)
    result = run("vendors", str(path), "--to", "yaml", "-o", str(out), "--lang", "en")
    message = result.stderr
    event(f"exit {result.exit_code}")
    assert result.exit_code in (0, 2), (result.exit_code, message, result.exception)
    assert "Traceback" not in message and "unexpected" not in message, message
    if result.exit_code == 2:
        assert message.startswith("error: ") and not out.exists(), message
        return
    catalog = load_vendor_file(out)
    assert catalog == load_vendor_file(path)
    if rows is not None:  # no row dropped, none merged into another
        assert len({(v.id, m) for v in catalog.vendors for m in v.models}) == rows


def bid_rows(rows: list[list[Any]]) -> int:
    return sum(1 for row in rows[1:] if any(v not in (None, "") and str(v).strip() for v in row))


@FUZZ
@given(rows=sheets())
def test_any_csv_bid_sheet_is_read_or_refused(rows: list[list[Any]], tmp_path: Path) -> None:
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    path = write_sheet(tmp_path / "bids.csv", text_rows)
    fuzz_writes_nothing_or_the_same(path, bid_rows(text_rows))


@settings(FUZZ, max_examples=60)
@given(rows=sheets())
def test_any_xlsx_bid_sheet_is_read_or_refused(rows: list[list[Any]], tmp_path: Path) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = [
        [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row] for row in rows
    ]
    path = write_sheet(tmp_path / "bids.xlsx", cells)
    fuzz_writes_nothing_or_the_same(path, bid_rows(cells))


xml_cells = st.lists(
    st.tuples(
        st.sampled_from(["A2", "B2", "C2", "Z2", "XFD2", "A0", "2A", "", "A99999999"]),
        st.sampled_from(["n", "s", "b", "e", "str", "d", "inlineStr", "zz", ""]),
        st.one_of(st.sampled_from(TRICKY[:20]), st.text(alphabet="0123456789.eE-+xN", max_size=8)),
        st.booleans(),  # a formula
    ),
    max_size=4,
)


@settings(FUZZ, max_examples=100)
@given(cells=xml_cells)
def test_any_cell_xml_is_read_or_refused(
    cells: list[tuple[str, str, str, bool]], tmp_path: Path
) -> None:
    from xml.sax.saxutils import escape, quoteattr

    xml = "".join(
        f"<c{f' r={quoteattr(ref)}' if ref else ''}{f' t={quoteattr(t)}' if t else ''}>"
        + ("<f>1+1</f>" if formula else "")
        + (f"<is><t>{escape(v)}</t></is>" if t == "inlineStr" else f"<v>{escape(v)}</v>")
        + "</c>"
        for ref, t, v, formula in cells
    )
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>private</t></si><si><t>x</t></si></sst>"
    )
    path = tmp_path / "bids.xlsx"
    path.write_bytes(with_cells((HARD / "d04_nan_cell.xlsx").read_bytes(), xml, shared))
    fuzz_writes_nothing_or_the_same(path)


def test_blank_lines_and_far_columns_of_a_csv_cost_no_memory(tmp_path: Path) -> None:
    """5 MB of newlines were 5 million rows in memory (1.5 GB, 40 s); now they are skipped as
    read, and a value past the sheet's columns is refused at its cell."""
    rows = (BIDS / "bids-example.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "bids.csv"
    path.write_text(rows + "\n" * 4_000_000, encoding="utf-8")
    start = time.monotonic()
    assert load_vendor_file(path) == load_vendor_file(BIDS / "bids-example.yaml")
    assert time.monotonic() - start < 5
    path.write_text(rows + "bidder-north" + "," * 200 + "x\n", encoding="utf-8")
    refused(path, f"{path}:8:GS:", "beyond column CV")
    path.write_text(rows + "b,private\n" * 2_001, encoding="utf-8")
    refused(path, "more than 2,000 rows")


def test_a_number_of_thousands_of_digits_is_refused_briefly(tmp_path: Path) -> None:
    rows = example_rows()
    rows[1][rows[0].index("vCPU单价")] = "9" * 3_999
    message = refused(write_sheet(tmp_path / "bids.csv", rows), ":2:L:")
    assert "9" * 100 not in message


def test_the_bids_sheet_name_must_show_as_it_is(tmp_path: Path) -> None:
    book = load_workbook(BIDS / "bids-example.xlsx")
    sheet = book.active
    assert sheet is not None
    sheet.title = "报价\u200b"
    path = tmp_path / "bids.xlsx"
    book.save(path)
    refused(path, f"{path}: ", "U+200B")


def test_o_without_to_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    out = tmp_path / "bids.yaml"
    result = run("vendors", str(BIDS / "bids-example.csv"), "-o", str(out), "--lang", "en")
    assert result.exit_code == 2 and "--to" in result.stderr and not out.exists()


def test_a_date_out_of_range_is_refused_at_its_cell_without_warnings(tmp_path: Path) -> None:
    import datetime

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "bids"
    sheet.append(["id", "model"])
    sheet.append(["a", datetime.date(2020, 1, 1)])
    stream = io.BytesIO()
    book.save(stream)
    out = io.BytesIO()
    with zipfile.ZipFile(stream) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # a serial past year 9999
                data = re.sub(rb'(<c r="B2"[^>]*><v>)[^<]*', rb"\g<1>99999999", data)
            dst.writestr(info, data)
    path = tmp_path / "bids.xlsx"
    path.write_bytes(out.getvalue())
    message = refused(path, f"{path}:bids:2:B:", "#VALUE!")
    assert "Warning" not in message
