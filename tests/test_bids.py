"""Bid sheets: the same bids as vendors@1 YAML, CSV and XLSX give the same catalog and the
same award, byte for byte; errors point at file:sheet:row:column; the template and the
converters round-trip."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from procure.bids import COLUMNS, read_sheet, sheet_csv, sheet_xlsx, template_xlsx
from procure.vendors import builtin_catalog, load_vendor_file

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
    assert book.sheetnames == ["概要", "各系统授标", "供应商", "分年度成本", "规则及其代价"]
    summary = [c.value for c in book["概要"][2]]
    assert summary[:3] == [award["total_cost_cny"], award["budget_cny"], award["value"]]
    placed = {row[1]: row[4] for row in book["各系统授标"].iter_rows(min_row=2, values_only=True)}
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
