"""A brief carries its inputs: versions, date and SHA-256 on the cover and in the JSON, the
files themselves attached to the PDF; `procure verify` re-runs them and names what changed."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter

from procure.bids import COLUMNS
from procure.record import knowledge_version

from .conftest import ROOT, example, run

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenario with its bids in a workbook beside it, and its PDF brief."""
    root = tmp_path_factory.mktemp("made")
    (root / "bids").mkdir()
    shutil.copy(ROOT / "scenarios" / "vendors" / "bids-example.xlsx", root / "bids" / "bids.xlsx")
    text = example("prefecture-binzhou").read_text(encoding="utf-8")
    (root / "s.yaml").write_text(
        text.replace("vendors: default", "vendors: bids/bids.xlsx"), encoding="utf-8"
    )
    result = run("brief", str(root / "s.yaml"), "-o", str(root / "brief.pdf"), "-j", "1")
    assert result.exit_code == 0, result.stderr
    return root


def test_the_pdf_attaches_its_inputs_byte_for_byte_and_records_their_hashes(made: Path) -> None:
    reader = PdfReader(made / "brief.pdf")
    files = {name: data[0] for name, data in reader.attachments.items()}
    assert files["s.yaml"] == (made / "s.yaml").read_bytes()
    assert files["bids/bids.xlsx"] == (made / "bids" / "bids.xlsx").read_bytes()
    record = json.loads(files["brief.json"])["record"]
    assert record["knowledge_version"] == knowledge_version()
    assert {i["name"]: i["sha256"] for i in record["inputs"]} == {
        "s.yaml": hashlib.sha256(files["s.yaml"]).hexdigest(),
        "bids/bids.xlsx": hashlib.sha256(files["bids/bids.xlsx"]).hexdigest(),
    }
    cover = " ".join(reader.pages[0].extract_text().split())
    assert hashlib.sha256(files["s.yaml"]).hexdigest()[:40] in cover.replace(" ", "")
    assert record["date"] in cover and knowledge_version() in cover


def test_the_json_brief_carries_the_record_too(made: Path) -> None:
    result = run("brief", str(made / "s.yaml"), "-o", "-", "--format", "json")
    record = json.loads(result.stdout)["record"]
    assert record["tool_version"] and record["inputs"][0]["name"] == "s.yaml"


def test_verify_passes_on_a_fresh_brief(made: Path) -> None:
    result = run("verify", str(made / "brief.pdf"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok:" in result.stdout


def _edit_bid(src: Path, dst: Path) -> None:
    book = load_workbook(src)
    sheet = book.active
    assert sheet is not None
    vcpu = next(i for i, c in enumerate(COLUMNS, 1) if c.key == "vcpu")
    for row in range(2, sheet.max_row + 1):  # every bidder 20% dearer per vCPU
        cell = sheet.cell(row=row, column=vcpu)
        cell.value = round(float(cell.value) * 1.2)  # type: ignore[arg-type]
    book.save(dst)


def test_verify_fails_naming_the_change_when_the_bid_on_disk_is_edited(
    made: Path, tmp_path: Path
) -> None:
    shutil.copytree(made, tmp_path / "now")
    _edit_bid(made / "bids" / "bids.xlsx", tmp_path / "now" / "bids" / "bids.xlsx")
    result = run("verify", str(made / "brief.pdf"), "--against", str(tmp_path / "now" / "s.yaml"))
    assert result.exit_code == 4, result.stdout + result.stderr
    assert "vendors file bids/bids.xlsx differs" in result.stdout
    assert "award.total_cost_cny:" in result.stdout


def test_verify_fails_naming_the_change_when_an_attached_bid_is_edited(
    made: Path, tmp_path: Path
) -> None:
    reader = PdfReader(made / "brief.pdf")
    edited = tmp_path / "bids.xlsx"
    _edit_bid(made / "bids" / "bids.xlsx", edited)
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for name, data in reader.attachments.items():
        writer.add_attachment(name, edited.read_bytes() if name.endswith(".xlsx") else data[0])
    tampered = tmp_path / "tampered.pdf"
    with open(tampered, "wb") as handle:
        writer.write(handle)
    result = run("verify", str(tampered), "--lang", "zh")
    assert result.exit_code == 4
    assert "附件 bids/bids.xlsx 不是生成简报时所用的文件" in result.stdout
    assert "award.total_cost_cny:" in result.stdout


@pytest.mark.parametrize(
    ("payload", "message"),
    [(b"not a pdf", "not a PDF file"), (b"%PDF-1.7\n%%EOF", "cannot read the PDF")],
)
def test_verify_refuses_what_is_not_a_brief(tmp_path: Path, payload: bytes, message: str) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(payload)
    result = run("verify", str(path))
    assert result.exit_code == 2 and message in result.stderr


def test_verify_never_writes_outside_its_scratch_directory(made: Path, tmp_path: Path) -> None:
    reader = PdfReader(made / "brief.pdf")
    files = {name: data[0] for name, data in reader.attachments.items()}
    brief = json.loads(files["brief.json"])
    brief["record"]["inputs"][0]["name"] = "../escaped.yaml"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment("../escaped.yaml", files["s.yaml"])
    writer.add_attachment("bids/bids.xlsx", files["bids/bids.xlsx"])
    writer.add_attachment("brief.json", json.dumps(brief).encode())
    hostile = tmp_path / "hostile.pdf"
    stream = io.BytesIO()
    writer.write(stream)
    hostile.write_bytes(stream.getvalue())
    result = run("verify", str(hostile))
    assert result.exit_code == 2 and "not a plain relative path" in result.stderr
    assert not (tmp_path.parent / "escaped.yaml").exists()
