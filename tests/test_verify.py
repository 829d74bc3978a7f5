"""A brief carries its inputs: versions, date and SHA-256 on the cover and in the JSON, the
files themselves attached to the PDF; `procure verify` re-runs them and names what changed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter, apply_configuration
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from procure.documents import report
from procure.documents.verify import (
    PDF_LIMITS,
    Mismatch,
    _compare_catalog,
    _compare_pages,
    embedded_files,
    inflate,
    open_brief,
)
from procure.errors import InputError
from procure.inputs.bids import COLUMNS
from procure.inputs.record import knowledge_version

from .conftest import ROOT, example, run, shared_analysis, shared_layout

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@pytest.fixture(autouse=True)
def _one_analysis_per_input() -> Iterator[None]:
    """`procure verify` computes the brief again from the inputs it carries. Most tests here
    verify a tampered PDF whose inputs are the untouched ones: they share that computation
    (`shared_analysis`: same inputs and options, same result); each still lays the brief out
    and compares every page and attachment. The first verify of an input computes it afresh
    and is compared with what `procure brief` computed (a different time budget: not shared).
    Likewise the layout verify makes again of those inputs (`shared_layout`): the first is
    real and compared with the PDF `procure brief` laid out; each test still compares its
    PDF's every page and attachment with it."""
    with shared_analysis(), shared_layout():
        yield


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
    result = run(  # a time budget it finishes within however loaded the machine
        "brief",
        str(root / "s.yaml"),
        "-o",
        str(root / "brief.pdf"),
        "-j",
        "1",
        "--time-budget",
        "900",
    )
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
    dated = report.brief_date(record["date"], "en")  # as a reader writes it: 29 November 2025
    assert dated in cover and knowledge_version() in cover


def test_the_json_brief_carries_the_record_too(made: Path) -> None:
    result = run("brief", str(made / "s.yaml"), "-o", "-", "--format", "json")
    record = json.loads(result.stdout)["record"]
    assert record["tool_version"] and record["inputs"][0]["name"] == "s.yaml"


def test_verify_passes_on_a_fresh_brief(made: Path) -> None:
    digest = hashlib.sha256((made / "brief.pdf").read_bytes()).hexdigest()
    result = run("verify", str(made / "brief.pdf"), "--sha256", digest.upper())
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok:" in result.stdout
    assert f"this PDF, SHA-256: {digest}" in result.stdout


def test_a_pdf_that_is_not_the_published_one_is_a_mismatch(made: Path) -> None:
    result = run("verify", str(made / "brief.pdf"), "--sha256", "ab" * 32)
    assert result.exit_code == 4
    assert f"not the published {'ab' * 32}" in result.stderr
    result = run("verify", str(made / "brief.pdf"), "--sha256", "xyz")
    assert result.exit_code == 2 and "64 hexadecimal digits" in result.stderr


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


# --- what a reader sees: pages, page count, attachments (D07) --------------------------------


def _files(pdf: Path) -> dict[str, bytes]:
    return {name: data[0] for name, data in PdfReader(pdf).attachments.items()}


def _repack(src: Path, dst: Path, files: dict[str, bytes], pages: slice = slice(None)) -> Path:
    """The brief's pages (or some of them) with these attachments, as a tamperer writes it."""
    reader = PdfReader(src)
    writer = PdfWriter()
    for page in reader.pages[pages]:
        writer.add_page(page)
    for name, data in files.items():
        writer.add_attachment(name, data)
    with open(dst, "wb") as handle:
        writer.write(handle)
    return dst


def _edit_page(src: Path, dst: Path, before: bytes, after: bytes, font: bool = False) -> Path:
    """Page 1 drawn with `before` ahead of and `after` behind its own content (a cloned PDF:
    everything else as procure wrote it)."""
    writer = PdfWriter(clone_from=src)
    page = writer.pages[0]
    if font:  # a standard font to overprint with
        fonts = page["/Resources"]["/Font"]
        fonts[NameObject("/FHelv")] = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    parts = []
    for data in (before, None, after):
        if data is None:
            parts.append(page.raw_get("/Contents"))
            continue
        stream = DecodedStreamObject()
        stream.set_data(data)
        parts.append(writer._add_object(stream))
    page[NameObject("/Contents")] = ArrayObject(parts)
    with open(dst, "wb") as handle:
        writer.write(handle)
    return dst


def _verify(pdf: Path, *extra: str) -> Any:
    result = run("verify", str(pdf), *extra)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_a_brief_resaved_unchanged_still_verifies(made: Path, tmp_path: Path) -> None:
    """Only real changes count: the same pages and attachments written out again pass."""
    resaved = tmp_path / "resaved.pdf"
    PdfWriter(clone_from=made / "brief.pdf").write(resaved)
    assert resaved.read_bytes() != (made / "brief.pdf").read_bytes()
    result = _verify(resaved)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_removed_pages_are_a_mismatch(made: Path, tmp_path: Path) -> None:
    pdf = _repack(made / "brief.pdf", tmp_path / "t.pdf", _files(made / "brief.pdf"), slice(2))
    result = _verify(pdf)
    assert result.exit_code == 4, result.stdout + result.stderr
    pages = len(PdfReader(made / "brief.pdf").pages)
    assert f"the brief has 2 pages; laid out again from its inputs it has {pages}" in result.stdout


def test_a_page_overprinted_with_a_false_total_is_a_mismatch(made: Path, tmp_path: Path) -> None:
    overlay = b"BT /FHelv 20 Tf 72 400 Td (TOTAL AWARD: 1 CNY) Tj ET"
    pdf = _edit_page(made / "brief.pdf", tmp_path / "t.pdf", b"", overlay, font=True)
    result = _verify(pdf, "--lang", "zh")
    assert result.exit_code == 4, result.stdout + result.stderr
    assert "第 1 页的文字与重新排版的简报不同" in result.stdout
    assert "TOTAL AWARD: 1 CNY" in result.stdout


def test_a_page_moved_off_the_sheet_is_a_mismatch_though_its_text_is_the_same(
    made: Path, tmp_path: Path
) -> None:
    pdf = _edit_page(made / "brief.pdf", tmp_path / "t.pdf", b"q 1 0 0 1 0 -5000 cm", b"Q")
    assert (
        PdfReader(pdf).pages[0].extract_text()
        == PdfReader(made / "brief.pdf").pages[0].extract_text()
    )
    result = _verify(pdf)
    assert result.exit_code == 4, result.stdout + result.stderr
    assert "page 1 reads the same but is drawn differently" in result.stdout


@pytest.mark.parametrize("change", ["edited", "removed", "added"])
def test_the_attachments_must_be_exactly_those_procure_writes(
    made: Path, tmp_path: Path, change: str
) -> None:
    files = _files(made / "brief.pdf")
    if change == "edited":
        files["systems.csv"] = files["systems.csv"].replace(b"0", b"9")
        expected = "the attached systems.csv differs from the one procure writes"
    elif change == "removed":
        del files["systems.csv"]
        expected = "the attachment systems.csv is missing"
    else:
        files["notes.txt"] = b"the real award went elsewhere"
        expected = "the PDF carries an attachment 'notes.txt' that procure did not write"
    result = _verify(_repack(made / "brief.pdf", tmp_path / "t.pdf", files))
    assert result.exit_code == 4, result.stdout + result.stderr
    assert expected in result.stdout
    assert "the real award" not in result.stdout  # an added file is never read


def test_an_action_added_to_the_document_is_a_mismatch(made: Path, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=made / "brief.pdf")
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    pdf = tmp_path / "t.pdf"
    writer.write(pdf)
    result = _verify(pdf)
    assert result.exit_code == 4, result.stdout + result.stderr
    assert "the PDF's catalog has entries procure does not write (/OpenAction)" in result.stdout


# --- bounded: hostile names, filters, file specifications, JSON and bombs (D08, D09) ---------


def _with_record(made: Path, dst: Path, edit: Any) -> Path:
    """The brief with its record edited by `edit(record, files)` and attachments to match."""
    files = _files(made / "brief.pdf")
    brief = json.loads(files["brief.json"])
    edit(brief["record"], files)
    files["brief.json"] = json.dumps(brief).encode()
    return _repack(made / "brief.pdf", dst, files)


def _raw_attachment(src: Path, dst: Path, name: str, raw: bytes, filters: str | None) -> Path:
    """The brief with attachment `name` stored as these raw bytes under this /Filter."""
    writer = PdfWriter(clone_from=src)
    tree = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(tree), 2):
        if tree[i] == name:
            stream = tree[i + 1].get_object()["/EF"]["/F"].get_object()
            stream._data = raw
            if filters:
                stream[NameObject("/Filter")] = NameObject(filters)
            elif "/Filter" in stream:
                del stream["/Filter"]
    writer.write(dst)
    return dst


def _bomb(inflated: int) -> bytes:
    """Deflated zeros that inflate to `inflated` bytes (about 1,000 times smaller)."""
    packer = zlib.compressobj(9)
    chunk = bytes(1_000_000)
    out = [packer.compress(chunk) for _ in range(inflated // len(chunk))]
    return b"".join(out) + packer.flush()


def _rename(old: str, new: str) -> Any:
    def edit(record: dict[str, Any], files: dict[str, bytes]) -> None:
        for item in record["inputs"]:
            if item["name"] == old:
                item["name"] = new
        files[new] = files.pop(old)

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_rename("s.yaml", "bids"), "collides with another attachment's"),  # file, then dir
        (_rename("s.yaml", "BIDS/BIDS.XLSX"), "collides with another attachment's"),  # case
        (_rename("s.yaml", "systems.csv"), "collides with another attachment's"),
        (_rename("s.yaml", "中" * 90 + ".yaml"), "is not a plain relative path"),  # 275 bytes
        (_rename("s.yaml", "s\u202e.yaml"), "is not a plain relative path"),  # bidi override
        (_rename("s.yaml", "a/./s.yaml"), "is not a plain relative path"),
    ],
)
def test_hostile_recorded_names_are_refused_before_anything_is_written(
    made: Path, tmp_path: Path, edit: Any, message: str
) -> None:
    pdf = _with_record(made, tmp_path / "t.pdf", edit)
    result = _verify(pdf)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.pdf"]


def test_a_record_naming_two_scenarios_is_refused(made: Path, tmp_path: Path) -> None:
    def edit(record: dict[str, Any], files: dict[str, bytes]) -> None:
        record["inputs"][1]["role"] = "scenario"

    result = _verify(_with_record(made, tmp_path / "t.pdf", edit))
    assert result.exit_code == 2 and "one scenario" in result.stderr


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),  # past Python's recursion limit
        (b'{"record": ' + b'{"a": ' * 200 + b"1" + b"}" * 201, "nested too deep"),
        (b"[" + b"{}," * 2_000_000 + b"{}]", "too large"),  # two million dictionaries
        (b'{"record": {"date": 1}}', "the record in the attached brief.json is damaged"),
        (b"\xff\xfe garbage", "brief.json is damaged"),
    ],
)
def test_a_damaged_brief_json_is_bad_input(
    made: Path, tmp_path: Path, payload: bytes, message: str
) -> None:
    files = _files(made / "brief.pdf") | {"brief.json": payload}
    result = _verify(_repack(made / "brief.pdf", tmp_path / "t.pdf", files))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr


def test_an_input_under_an_unknown_filter_is_refused_unread(made: Path, tmp_path: Path) -> None:
    pdf = _raw_attachment(made / "brief.pdf", tmp_path / "t.pdf", "s.yaml", b"xyz", "/FooDecode")
    result = _verify(pdf)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "'s.yaml' is encoded in a way procure never writes (/FooDecode)" in result.stderr


def test_malformed_file_specifications_are_bad_input(made: Path, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=made / "brief.pdf")
    tree = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    tree[1] = NumberObject(7)  # the first file specification is a number
    pdf = tmp_path / "t.pdf"
    writer.write(pdf)
    result = _verify(pdf)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "list of attachments is malformed" in result.stderr


def test_too_many_attachments_are_refused_unread(made: Path, tmp_path: Path) -> None:
    files = _files(made / "brief.pdf") | {f"x{i}.bin": b"x" for i in range(70)}
    result = _verify(_repack(made / "brief.pdf", tmp_path / "t.pdf", files))
    assert result.exit_code == 2 and "more than 64 attachments" in result.stderr


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("s.yaml", 4, "the attached s.yaml inflates past 1,000,000 bytes"),
        ("brief.json", 2, "the attachment 'brief.json' inflates past"),
    ],
)
def test_an_attachment_that_inflates_too_far_is_refused_unread(
    made: Path, tmp_path: Path, name: str, code: int, message: str
) -> None:
    bomb = _bomb(300_000_000)
    pdf = _raw_attachment(made / "brief.pdf", tmp_path / "t.pdf", name, bomb, "/FlateDecode")
    result = _verify(pdf)
    assert result.exit_code == code, result.stdout + result.stderr
    assert message in result.stdout + result.stderr


def test_unrecorded_bombs_are_never_inflated(made: Path, tmp_path: Path) -> None:
    """D09: twenty attachments of 100 MB each (2 GB inflated) under a 1 GB address space."""
    pdf = tmp_path / "t.pdf"
    files = _files(made / "brief.pdf") | {f"big{i}.bin": b"x" for i in range(20)}
    _repack(made / "brief.pdf", pdf, files)
    bomb = _bomb(100_000_000)
    for i in range(20):
        _raw_attachment(pdf, pdf, f"big{i}.bin", bomb, "/FlateDecode")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))"
    script = f"{limit}; from procure.cli import app; app()"
    done = subprocess.run(
        [sys.executable, "-c", script, "verify", str(pdf), "-j", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 4, done.stdout + done.stderr
    assert "'big0.bin' (and 19 more) that procure did not write" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.pdf"]


# --- fuzz: mutated PDFs are read, refused or found different, never a crash -----------------

TOKENS = [
    b"/EmbeddedFiles",
    b"/Names",
    b"/EF",
    b"/UF",
    b"/F ",
    b"/FlateDecode",
    b"/Length",
    b"/Kids",
    b"/Filespec",
    b"brief.json",
    b"s.yaml",
    b"/Root",
    b"/Pages",
    b"/Contents",
    b"/Resources",
    b"/Font",
    b"stream",
    b" obj",
    b" R",
    b"xref",
    b"trailer",
]
REPLACEMENTS = [
    b"",
    b"/Foo",
    b"/Kids",
    b"/Names",
    b"/FooDecode",
    b"[",
    b"]",
    b"<<",
    b">>",
    b"(",
    b"999999999",
    b"-1",
    b"1 0 R",
    b"null",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with a few edits: a PDF keyword replaced, bytes flipped, inserted or cut off."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["token", "token", "flip", "insert", "cut"]))
        if kind == "token":
            token = draw(st.sampled_from(TOKENS))
            spots = [i for i in range(len(data)) if data.startswith(token, i)][:50]
            if spots:
                at = draw(st.sampled_from(spots))
                data[at : at + len(token)] = draw(st.sampled_from(REPLACEMENTS))
        elif kind == "flip":
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[draw(st.integers(len(data) // 2, len(data))) :]
    return bytes(data)


@pytest.fixture(scope="module")
def small(made: Path) -> Path:
    """The brief's first two pages with its attachments, every object written in the clear
    (pypdf writes no object streams), so that the mutations reach the structure."""
    return _repack(made / "brief.pdf", made / "small.pdf", _files(made / "brief.pdf"), slice(2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_verify_reads_any_mutated_pdf_without_crashing(small: Path, data: st.DataObject) -> None:
    """Reading (the name tree, file specs, inflation, brief.json, the record) and comparing
    pages, drawings and catalog: a clear refusal or a list of differences, nothing else."""
    pdf = small.parent / "mutated.pdf"
    pdf.write_bytes(data.draw(mutated(small.read_bytes())))
    fresh = PdfReader(small)
    with apply_configuration(None, **PDF_LIMITS):
        try:
            opened = open_brief(pdf)
        except (InputError, Mismatch) as exc:
            event(f"refused: {type(exc).__name__}")
            assert "Traceback" not in str(exc)
            return
        _compare_pages(opened.verdict, opened.reader, fresh)
        _compare_catalog(opened.verdict, opened.reader, fresh)
        event(f"read; {len(opened.verdict.differs)} differences")


def test_a_brief_laid_out_with_own_templates_verifies_with_them(made: Path, tmp_path: Path) -> None:
    brand = tmp_path / "brand"
    brand.mkdir()
    page = (ROOT / "templates" / "brief.html.j2").read_text(encoding="utf-8")
    body = page.index("<body")
    body = page.index(">", body) + 1
    page = page[:body] + "<p>Branded by the Municipal Big Data Bureau</p>" + page[body:]
    (brand / "brief.html.j2").write_text(page, encoding="utf-8")
    pdf = tmp_path / "branded.pdf"
    made_it = run(
        "brief",
        str(made / "s.yaml"),
        "-o",
        str(pdf),
        "--templates",
        str(brand),
        "--time-budget",
        "900",
    )
    assert made_it.exit_code == 0, made_it.stderr
    result = _verify(pdf, "--templates", str(brand))
    assert result.exit_code == 0, result.stdout + result.stderr
    result = _verify(pdf)
    assert result.exit_code == 4
    assert "Branded by the Municipal Big Data Bureau" in result.stdout
    assert "give the same directory to `procure verify --templates DIR`" in result.stdout


def test_an_invalid_attached_scenario_is_named_as_the_attachment(
    made: Path, tmp_path: Path
) -> None:
    def edit(record: dict[str, Any], files: dict[str, bytes]) -> None:
        files["s.yaml"] = b"name: [unclosed\n"
        record["inputs"][0]["sha256"] = hashlib.sha256(files["s.yaml"]).hexdigest()

    result = _verify(_with_record(made, tmp_path / "t.pdf", edit))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"{tmp_path / 't.pdf'}: attached s.yaml" in result.stderr
    assert "procure-verify-" not in result.stderr


def test_a_name_tree_whose_kids_repeat_is_not_walked_exponentially(
    made: Path, tmp_path: Path
) -> None:
    writer = PdfWriter(clone_from=made / "brief.pdf")
    node = DictionaryObject()  # an empty leaf: no name twice to stop the walk early
    for _ in range(8):  # 64 ** 8 paths to the leaf, if each were followed
        ref = writer._add_object(node)
        node = DictionaryObject({NameObject("/Kids"): ArrayObject([ref] * 64)})
    writer._root_object["/Names"][NameObject("/EmbeddedFiles")] = writer._add_object(node)
    pdf = tmp_path / "t.pdf"
    writer.write(pdf)
    result = _verify(pdf)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "too deep, too large" in result.stderr


def test_attachments_with_chinese_names_are_found_by_the_name_a_viewer_shows(
    tmp_path: Path,
) -> None:
    """WeasyPrint keys the name tree by the name's UTF-8 bytes, which pypdf reads as
    PDFDocEncoding; the viewer shows /UF. Both must name the same file."""
    from weasyprint import HTML, Attachment

    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(
        HTML(string="<p>x</p>").write_pdf(
            attachments=[Attachment(file_obj=io.BytesIO(b"id: x\n"), name="滨州情景.yaml")]
        )
    )
    with apply_configuration(None, **PDF_LIMITS):
        found = embedded_files(PdfReader(pdf), pdf)
        assert list(found) == ["滨州情景.yaml"]
        assert inflate(found["滨州情景.yaml"], 100, "滨州情景.yaml", pdf) == b"id: x\n"


def test_a_brief_cut_short_by_its_time_budget_says_why_it_differs(
    made: Path, tmp_path: Path
) -> None:
    """Its robustness depends on the machine's speed then: a difference is explained."""
    files = _files(made / "brief.pdf")
    brief = json.loads(files["brief.json"])
    brief["robustness"]["budget_note"] = {
        "en": "The analysis's time budget (60 s, --time-budget) ran out: the award intervals.",
        "zh": "分析的时间预算（60秒，--time-budget）已用完：授标区间。",
    }
    files["brief.json"] = json.dumps(brief).encode()
    result = _verify(_repack(made / "brief.pdf", tmp_path / "t.pdf", files))
    assert result.exit_code == 4, result.stdout + result.stderr
    assert "the brief's analysis ran out of time when it was made" in result.stdout
    assert "robustness.budget_note" in result.stdout


def test_the_tool_version_is_the_installed_one_with_its_build_commit() -> None:
    """The version a brief records: the package metadata's, with the commit a wheel was built
    from (procure/BUILD, written by hatch_build.py) when there is one; never a guess."""
    from importlib import metadata

    import procure
    from procure import tool_version

    assert procure.__version__.split("+")[0] == metadata.version("procure")
    assert tool_version("0.1.0", None) == "0.1.0"
    assert tool_version("0.1.0", "") == "0.1.0"
    commit = "495b67c6ff396fc4da42a616dc76b18f8c3999f7"
    assert tool_version("0.1.0", commit + "\n") == "0.1.0+g495b67c6ff39"
    assert tool_version("0.1.0", "not a commit") == "0.1.0"  # a damaged file: the version alone
    assert tool_version("0.1.0+local", commit) == "0.1.0+local"  # already local: kept as is
    assert tool_version(None, None) == "0+unknown"


def test_a_brief_made_by_another_version_says_so_and_still_verifies(
    made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verified by another build of procure: the figures and pages are compared as before (the
    cover laid out with the version that made it), and verify says which versions they are,
    not a mismatch."""
    import procure
    import procure.inputs.record as record

    monkeypatch.setattr(record, "__version__", "9.9.9+g0123456789ab")
    result = run("verify", str(made / "brief.pdf"), "--lang", "en")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"made with procure {procure.__version__}; re-run with 9.9.9+g0123456789ab" in (
        result.stdout
    )
    assert "ok:" in result.stdout


@pytest.fixture(scope="module")
def relaxed_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An English PDF brief whose plan adopts a relaxation (the prefecture with 信创 required
    and two suppliers left out: the plan makes it preferred, the estimate solved again)."""
    from procure.inputs.yamlio import dump_yaml, read_yaml

    from .test_plan_relaxed_brief import PROCUREMENT

    data = read_yaml(example("prefecture-binzhou")).data
    data["procurement"].update(PROCUREMENT)
    data["language"] = "en"
    root = tmp_path_factory.mktemp("relaxed-en")
    (root / "s.yaml").write_text(dump_yaml(data), encoding="utf-8")
    result = run("brief", str(root / "s.yaml"), "-o", str(root / "brief.pdf"), "-j", "1")
    assert result.exit_code == 0, result.stderr
    return root / "brief.pdf"


def test_verify_speaks_the_briefs_language_not_the_locales(
    relaxed_en: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`LANG=zh_CN.UTF-8 procure verify` on an English brief: its messages, and its errors once
    the brief is read, are in the brief's language; --lang still decides when given. The
    brief's plan adopts a relaxation and it verifies: its sealed inputs are the user's."""
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    reader = PdfReader(relaxed_en)
    files = {name: data[0] for name, data in reader.attachments.items()}
    recorded = json.loads(files["brief.json"])
    assert recorded["plan"]["relaxed"] == {"domestic_stack": "preferred"}
    assert "domestic_stack: required" in files["s.yaml"].decode("utf-8")  # the user's file
    result = run("verify", str(relaxed_en))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok:" in result.stdout and "通过" not in result.stdout
    wrong = "0" * 64
    result = run("verify", str(relaxed_en), "--sha256", wrong)
    assert result.exit_code == 4
    assert "is not the file its author published" in result.stderr, result.stderr
    result = run("verify", str(relaxed_en), "--sha256", wrong, "--lang", "zh")
    assert result.exit_code == 4 and "与公布的" in result.stderr, result.stderr
