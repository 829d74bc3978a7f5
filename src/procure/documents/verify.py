"""`procure verify BRIEF.pdf`: take the inputs a brief carries (its attachments), check them
against the fingerprints it recorded, compute the brief again, lay it out again, and say
whether every number and everything a reader sees (each page, each attachment) come out the
same; if not, what differs first.

The PDF is hostile until proven otherwise: only the attachments the record names are read,
each inflated here under a cap on its size and its compression ratio before anything holds it
whole; pypdf's own decoding (pages, object streams) runs under tighter limits than its
defaults; names, the name tree and the JSON are bounded. What this proves, and what it does
not (it is not a signature), is set out in the README."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from procure.errors import InputError, Problem, ProcureError, excerpt
from procure.inputs.record import (
    BRIEF_JSON,
    EVALUATION_JSON,
    BriefRecord,
    portable_name,
    record_for,
)
from procure.inputs.yamlio import read_bytes
from procure.text import Text

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    from procure.inputs.load import Inputs
    from procure.recommendation import Recommendation

MAX_PDF_BYTES = 200_000_000
MAX_CHANGES = 25  # changes listed; the rest are counted
MAX_ENTRIES = 64  # attachments listed (procure writes four); more: refused unread
MAX_TREE_DEPTH = 8  # levels of the attachments' name tree (procure writes one)
MAX_NAME = 1_000  # characters of an attachment's name as listed
MAX_JSON_BYTES = 50_000_000  # brief.json inflated
MAX_JSON_DEPTH = 64  # brief.json nests about 8 deep
MAX_JSON_NODES = 3_000_000  # "{", "[" and "," before parsing: a brief has ~500 a system
MAX_RATIO = 200  # inflated bytes per compressed byte, past RATIO_FLOOR
RATIO_FLOOR = 1_000_000
MAX_NODES = 500_000  # PDF objects visited to fingerprint one page's drawing
# pypdf's own decoding of pages and object streams, well under its 75 MB defaults
PDF_LIMITS: dict[str, int] = {
    "zlib_maximum_output_length": 20_000_000,
    "maximum_declared_stream_length": 50_000_000,
    "stream_decoding_work_maximum_length": 60_000_000,
    "lzw_maximum_output_length": 20_000_000,
    "run_length_maximum_output_length": 20_000_000,
    "brotli_maximum_output_length": 20_000_000,
    "jbig2_maximum_output_length": 20_000_000,
    "image_maximum_buffer_size": 20_000_000,
}
LANGS = {"en": "en", "zh-CN": "zh"}  # the catalog's /Lang as the brief template writes it


class Mismatch(ProcureError):
    """The brief is not as procure wrote it, found before it could be re-run. Exit code 4."""

    exit_code = 4


@dataclass
class Verdict:
    record: BriefRecord
    altered: list[Text] = field(default_factory=list)  # inputs that differ from the record
    changes: list[str] = field(default_factory=list)  # "path: recorded -> now"
    more: int = 0  # changes not listed
    differs: list[Text] = field(default_factory=list)  # pages and attachments a reader sees
    sha256: str = ""  # of the PDF file itself, to compare with one its author published
    notes: list[Text] = field(default_factory=list)  # e.g. another tool version
    language: str | None = None  # the brief's language, once read: its messages speak it

    @property
    def ok(self) -> bool:
        return not self.altered and not self.changes and not self.differs


def _refuse(path: Path, en: str, zh: str) -> InputError:
    return InputError([Problem(str(path), en, zh=zh)])


def shown(name: object) -> str:
    """An attachment's name as a message shows it: escaped, short, never a terminal control."""
    return excerpt(repr(str(name)), 80)


def _open(path: Path) -> tuple[bytes, PdfReader]:
    from pypdf import PdfReader

    raw = read_bytes(path, MAX_PDF_BYTES, "PDF")
    if not raw.startswith(b"%PDF-"):
        raise _refuse(
            path,
            "not a PDF file; give the PDF that `procure brief` wrote",
            "不是 PDF 文件；请指定由 `procure brief` 生成的 PDF",
        )
    return raw, PdfReader(io.BytesIO(raw))


def _unreadable(path: Path, exc: BaseException) -> InputError:
    return _refuse(
        path,
        f"cannot read the PDF's attachments ({type(exc).__name__}): it is damaged or was not "
        "written by `procure brief`",
        f"无法读取该 PDF 的附件（{type(exc).__name__}）：文件已损坏，或不是由 `procure brief` 生成的",
    )


def embedded_files(reader: PdfReader, path: Path) -> dict[str, StreamObject]:
    """The PDF's attached files by name, as raw (still encoded) streams: nothing inflated.
    A malformed name tree or file specification, a name twice, or too many: InputError."""
    from pypdf.errors import PyPdfError
    from pypdf.generic import DictionaryObject

    found: dict[str, StreamObject] = {}
    try:
        root = reader.trailer["/Root"].get_object()
        names = root.get("/Names") if isinstance(root, DictionaryObject) else None
        tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
        if tree is not None:
            _walk(tree.get_object(), 0, found, path, [MAX_ENTRIES])
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise _unreadable(path, exc) from None
    except RecursionError as exc:
        raise _unreadable(path, exc) from None
    return found


def _malformed(path: Path, what: str, zh: str) -> InputError:
    return _refuse(
        path,
        f"the PDF's list of attachments is malformed ({what}); it was not written by "
        "`procure brief` as it is",
        f"该 PDF 的附件列表格式错误（{zh}）；它已不是 `procure brief` 生成时的样子",
    )


def _walk(
    node: Any, depth: int, found: dict[str, StreamObject], path: Path, nodes: list[int]
) -> None:
    """Collect the name tree's entries into `found`; `nodes` counts down the nodes it may
    visit (a tree whose kids repeat each other is not walked exponentially)."""
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    nodes[0] -= 1
    if not isinstance(node, DictionaryObject) or depth > MAX_TREE_DEPTH or nodes[0] < 0:
        raise _malformed(
            path,
            "a name tree too deep, too large, or a node not a dictionary",
            "名称树层级过深、节点过多或节点不是字典",
        )
    pairs = node.get("/Names")
    if pairs is not None:
        pairs = pairs.get_object()
        if not isinstance(pairs, ArrayObject) or len(pairs) % 2:
            raise _malformed(path, "/Names is not a list of pairs", "/Names 不是成对的列表")
        for i in range(0, len(pairs), 2):
            if len(found) >= MAX_ENTRIES:
                raise _refuse(
                    path,
                    f"the PDF carries more than {MAX_ENTRIES} attachments; procure writes four",
                    f"该 PDF 含有超过 {MAX_ENTRIES} 个附件；procure 只生成四个",
                )
            key = pairs[i]
            spec = pairs[i + 1].get_object()
            ef = spec.get("/EF") if isinstance(spec, DictionaryObject) else None
            ef = ef.get_object() if ef is not None else None
            stream = ef.get("/F") if isinstance(ef, DictionaryObject) else None
            stream = stream.get_object() if stream is not None else None
            if not isinstance(stream, StreamObject):
                raise _malformed(
                    path,
                    f"the file specification of {shown(key)} holds no embedded file",
                    f"附件 {shown(key)} 的文件说明中没有嵌入文件",
                )
            label = spec.get("/UF")  # the name a viewer shows; the key is its UTF-8 bytes
            name = _name(label.get_object() if label is not None else key, path)
            if not _same(key, name):
                raise _malformed(
                    path,
                    f"the attachment listed as {shown(name)} shows the reader another name",
                    f"列为 {shown(name)} 的附件向读者显示的是另一个名称",
                )
            if name in found:
                raise _refuse(
                    path,
                    f"the attachment {shown(name)} appears more than once; the brief is not as "
                    "procure wrote it",
                    f"附件 {shown(name)} 出现不止一次；该简报已不是 procure 生成时的样子",
                )
            found[name] = stream
    kids = node.get("/Kids")
    if kids is not None:
        kids = kids.get_object()
        if not isinstance(kids, ArrayObject) or len(kids) > MAX_ENTRIES:
            raise _malformed(path, "/Kids is not a short list", "/Kids 不是长度合理的列表")
        for kid in kids:
            _walk(kid.get_object(), depth + 1, found, path, nodes)


def _same(key: Any, name: str) -> bool:
    """Whether a name tree key names `name`: as text, or as its UTF-8 bytes (WeasyPrint writes
    the key as bytes, which pypdf reads as PDFDocEncoding)."""
    raw = getattr(key, "original_bytes", key if isinstance(key, bytes) else None)
    if isinstance(key, str) and key == name:
        return True
    return isinstance(raw, bytes) and raw.decode("utf-8", "replace") == name


def _name(value: Any, path: Path) -> str:
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise _malformed(path, "an attachment name is not text", "附件名不是文本") from None
    if not isinstance(value, str) or not value or len(value) > MAX_NAME:
        raise _malformed(
            path, "an attachment name is empty, not text or over-long", "附件名为空、不是文本或过长"
        )
    return str(value)


def inflate(stream: StreamObject, cap: int, name: str, path: Path) -> bytes | None:
    """An attached file's bytes, inflated here (never by pypdf) to at most `cap` bytes and at
    most MAX_RATIO bytes per compressed byte past RATIO_FLOOR; None if it holds more. A filter
    procure never writes: InputError."""
    from pypdf.generic import ArrayObject

    raw: bytes = stream._data  # the stream as stored, still encoded
    filters = stream.get("/Filter")
    if isinstance(filters, ArrayObject) and len(filters) == 1:
        filters = filters[0]
    if filters is None and "/DecodeParms" not in stream and "/F" not in stream:
        return raw if len(raw) <= cap else None
    if filters != "/FlateDecode" or stream.get("/DecodeParms") is not None or "/F" in stream:
        raise _refuse(
            path,
            f"the attachment {shown(name)} is encoded in a way procure never writes "
            f"({excerpt(filters, 40)}); it was replaced afterwards and is not read",
            f"附件 {shown(name)} 的编码方式不是 procure 所用的（{excerpt(filters, 40)}）："
            "它在简报生成后被替换过，未予读取",
        )
    limit = min(cap, max(RATIO_FLOOR, MAX_RATIO * len(raw)))
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise _refuse(
            path,
            f"the attachment {shown(name)} is damaged (its compressed data does not inflate)",
            f"附件 {shown(name)} 已损坏（压缩数据无法解压）",
        ) from None
    return None if len(out) > limit or inflater.unconsumed_tail else out


def _too_big(path: Path, name: str, cap: int) -> InputError:
    return _refuse(
        path,
        f"the attachment {shown(name)} inflates past {cap:,} bytes, or more than {MAX_RATIO} "
        "times its compressed size; it is refused unread",
        f"附件 {shown(name)} 解压后超过 {cap:,} 字节，或超过压缩大小的 {MAX_RATIO} 倍；已拒绝读取",
    )


def _json(raw: bytes, path: Path) -> dict[str, Any]:
    """brief.json parsed, at most MAX_JSON_DEPTH deep; InputError if damaged."""
    damaged = _refuse(
        path,
        "the attached brief.json is damaged, too large, nested too deep or lacks its record",
        "附件 brief.json 已损坏、过大、嵌套过深或缺少记录信息",
    )
    if raw.count(b"{") + raw.count(b"[") + raw.count(b",") > MAX_JSON_NODES:
        raise damaged  # 50 MB of "{}," would be 16 million dictionaries: a gigabyte
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise damaged from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise damaged
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    if not isinstance(value, dict) or not isinstance(value.get("record"), dict):
        raise damaged
    return value


def check_names(record: BriefRecord, path: Path, generated: tuple[str, ...]) -> None:
    """The record's inputs: one scenario and at most one vendor file (an evaluation report:
    one evaluation file), each a plain relative path
    that cannot collide with another (also ignoring case, or as a file and a directory) nor
    with the files procure generates; else InputError, before anything is written."""
    roles = [i.role for i in record.inputs]
    if EVALUATION_JSON in generated:  # an evaluation report: its one evaluation file
        if roles != ["evaluation"]:
            raise _refuse(
                path,
                "the record must name one evaluation file and nothing else",
                "记录中应有且仅有一个评审文件",
            )
    elif roles.count("scenario") != 1 or roles.count("vendors") > 1 or "evaluation" in roles:
        raise _refuse(
            path,
            "the record must name one scenario and at most one vendor file",
            "记录中应有且仅有一个情景文件，供应商文件至多一个",
        )
    seen: list[str] = [g.casefold() for g in generated]
    for item in record.inputs:
        name = portable_name(item.name)
        if name is None or name != item.name:
            raise _refuse(
                path,
                f"the attachment name {shown(item.name)} is not a plain relative path",
                f"附件名 {shown(item.name)} 不是普通的相对路径",
            )
        key = name.casefold()
        if any(key == s or key.startswith(s + "/") or s.startswith(key + "/") for s in seen):
            raise _refuse(
                path,
                f"the attachment name {shown(name)} collides with another attachment's",
                f"附件名 {shown(name)} 与另一个附件名冲突",
            )
        seen.append(key)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{'award.vendors[0].cost_cny': 123.0, ...}: every leaf of a JSON document by its path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{i}]"))
        return out or {prefix: []}
    return {prefix: value}


# what a reader checks first: listed before the other changes, in this order
HEADLINES = (
    "award.total_cost_cny",
    "award.value",
    "award.vendors",
    "award.systems",
    "assessment.route.method",
    "comparison.recommended",
    "comparison.direct.npv_cny",
    "comparison.jv.npv_cny",
    "assessment.readiness.overall",
)


def _rank(key: str) -> tuple[int, str]:
    for i, head in enumerate(HEADLINES):
        if key == head or key.startswith((head + ".", head + "[")):
            return i, key
    return len(HEADLINES), key


def differences(recorded: Any, now: Any) -> list[str]:
    """Every leaf that differs, headline figures first."""
    a, b = flatten(recorded), flatten(now)
    out = []
    for key in sorted(a.keys() | b.keys(), key=_rank):
        if key not in b:
            out.append(f"{key}: {excerpt(a[key])!r} -> (gone)")
        elif key not in a:
            out.append(f"{key}: (new) -> {excerpt(b[key])!r}")
        elif a[key] != b[key]:
            out.append(f"{key}: {a[key]!r} -> {b[key]!r}")
    return out


@dataclass
class Opened:
    """A brief's PDF as read so far: its attachments listed (not read), the record and the
    recorded inputs inflated and checked against their fingerprints."""

    path: Path
    raw: bytes
    reader: PdfReader
    streams: dict[str, StreamObject]
    brief_json: bytes  # as attached
    recorded: dict[str, Any]  # brief.json parsed
    files: dict[str, bytes]  # the recorded inputs, by name
    verdict: Verdict


def verify_brief(
    path: Path,
    solver: str = "highs",
    time_limit: float | None = None,
    against: Path | None = None,
    data_dir: Path | None = None,
    templates: Path | None = None,
    sha256: str | None = None,
    time_budget: float | None = None,
    speak: Callable[[str], None] | None = None,
) -> Verdict:
    """Re-run the brief at `path` from the inputs it carries (or, with `against`, from that
    scenario and its vendor file as they are now), lay it out again, and compare (with
    `sha256`, the file must also be the one published with that digest); InputError if it
    cannot be read safely, Mismatch if it cannot be re-run because it was tampered with.
    `speak`: told the brief's language once it is read (the messages from then on follow
    it, not the locale's)."""
    from pypdf import apply_configuration

    with apply_configuration(None, **PDF_LIMITS):
        brief = open_brief(path)
        if speak is not None and brief.verdict.language is not None:
            speak(brief.verdict.language)
        if sha256 is not None and brief.verdict.sha256 != sha256:
            raise Mismatch(
                f"{path}: this PDF's SHA-256 is {brief.verdict.sha256}, not the published "
                f"{sha256}: it is not the file its author published",
                f"{path}：本 PDF 的 SHA-256 为 {brief.verdict.sha256}，与公布的 {sha256} 不符："
                "它不是作者公布的那个文件",
            )
        return _rerun(brief, solver, time_limit, against, data_dir, templates, time_budget)


def record_name(path: Path) -> str | None:
    """The name of the attachment that holds the document's record (`brief.json` for a
    brief, `evaluation.json` for an evaluation report), listed without reading anything;
    None if it carries neither. InputError if the PDF cannot be read safely."""
    from pypdf import apply_configuration

    with apply_configuration(None, **PDF_LIMITS):
        try:
            _, reader = _open(path)
            streams = embedded_files(reader, path)
        except ProcureError:
            raise
        except Exception as exc:  # pypdf raises many kinds on a hostile file: all bad input
            raise _unreadable(path, exc) from None
    return next((n for n in (BRIEF_JSON, EVALUATION_JSON) if n in streams), None)


def open_brief(
    path: Path, record_json: str = BRIEF_JSON, generated: tuple[str, ...] | None = None
) -> Opened:
    """Read what `procure verify` needs from the PDF, reading nothing the record does not
    name; InputError if it cannot be read safely, Mismatch if an input was removed or
    replaced by more than any input could hold. (Call it under PDF_LIMITS.) The record is
    in the attachment `record_json`; `generated` names the attachments procure writes beside
    the inputs (a brief's: systems.csv and brief.json)."""
    from procure.documents.report import SYSTEMS_CSV
    from procure.inputs.bids import MAX_SHEET_BYTES, is_sheet
    from procure.inputs.yamlio import MAX_BYTES

    try:
        raw, reader = _open(path)
        streams = embedded_files(reader, path)
    except ProcureError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a hostile file: all bad input
        raise _unreadable(path, exc) from None
    if record_json not in streams:
        raise _refuse(
            path,
            "the PDF carries no inputs to re-run: it was not made by `procure brief` (0.1 or "
            "later), or its attachments were removed",
            "该 PDF 不含可重新计算的输入：它不是由 `procure brief` 生成的，或附件已被删除",
        )
    brief_json = inflate(streams[record_json], MAX_JSON_BYTES, record_json, path)
    if brief_json is None:
        raise _too_big(path, record_json, MAX_JSON_BYTES)
    recorded = _json(brief_json, path)
    try:
        record = BriefRecord.model_validate(recorded["record"])
    except ValueError:
        raise _refuse(
            path,
            f"the record in the attached {record_json} is damaged",
            f"附件 {record_json} 中的记录信息已损坏",
        ) from None
    if generated is None:
        generated = (SYSTEMS_CSV, BRIEF_JSON)
    check_names(record, path, generated)
    verdict = Verdict(
        record=record,
        sha256=hashlib.sha256(raw).hexdigest(),
        language=brief_language(reader, recorded),
    )
    wanted = {i.name for i in record.inputs} | set(generated)
    extra = sorted(set(streams) - wanted)
    if extra:
        more = len(extra) - 1
        verdict.differs.append(
            Text(
                en=f"the PDF carries an attachment {shown(extra[0])}"
                + (f" (and {more} more)" if more else "")
                + " that procure did not write: added afterwards, not read",
                zh=f"该 PDF 含有附件 {shown(extra[0])}"
                + (f"（另有 {more} 个）" if more else "")
                + "，不是 procure 生成的：是事后添加的，未读取",
            )
        )
    files: dict[str, bytes] = {}
    for item in record.inputs:
        if item.name not in streams:
            raise Mismatch(
                f"the input {item.name} is recorded but not attached: it was removed, and the "
                "brief cannot be computed again",
                f"记录中有输入文件 {item.name}，但 PDF 中没有该附件：它已被删除，无法重新计算",
            )
        cap = MAX_SHEET_BYTES if is_sheet(Path(item.name)) else MAX_BYTES
        data = inflate(streams[item.name], cap, item.name, path)
        if data is None:
            raise Mismatch(
                f"the attached {item.name} inflates past {cap:,} bytes (or {MAX_RATIO} times its "
                "compressed size), which no input procure accepts could: it was replaced "
                "afterwards, and is refused unread",
                f"附件 {item.name} 解压后超过 {cap:,} 字节（或超过压缩大小的 {MAX_RATIO} 倍），"
                "procure 不接受这样的输入：它在简报生成后被替换过，已拒绝读取",
            )
        files[item.name] = data
        if hashlib.sha256(data).hexdigest() != item.sha256:
            verdict.altered.append(
                Text(
                    en=f"the attached {item.name} is not the file the brief was computed from "
                    f"(its SHA-256 differs from the one recorded): it was edited afterwards",
                    zh=f"附件 {item.name} 不是生成简报时所用的文件（SHA-256 与记录不符）："
                    "它在简报生成后被修改过",
                )
            )
    return Opened(path, raw, reader, streams, brief_json, recorded, files, verdict)


def _rerun(
    brief: Opened,
    solver: str,
    time_limit: float | None,
    against: Path | None,
    data_dir: Path | None,
    templates: Path | None,
    time_budget: float | None = None,
) -> Verdict:
    """Compute the brief again from its inputs, lay it out again, and compare."""
    from procure.inputs.load import load_inputs

    path, verdict, recorded, files = brief.path, brief.verdict, brief.recorded, brief.files
    record = verdict.record
    scenario = next(i for i in record.inputs if i.role == "scenario")
    if against is not None:
        inputs = load_inputs(against, data_dir)
        now = _compare(verdict, recorded, inputs, solver, time_limit, time_budget)
    else:
        with tempfile.TemporaryDirectory(prefix="procure-verify-") as tmp:
            root = Path(tmp)
            try:
                for name, data in files.items():
                    target = root / PurePosixPath(name)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
            except OSError as exc:
                raise _refuse(
                    path,
                    f"cannot unpack the attachments to re-run them ({exc.strerror})",
                    f"无法解出附件以重新计算（{exc.strerror}）",
                ) from None
            try:
                inputs = load_inputs(root / scenario.name)
            except InputError as exc:  # named as the attachment, not the scratch copy
                raise InputError(
                    [
                        replace(p, file=f"{path}: attached {p.file.removeprefix(tmp + '/')}")
                        if p.file.startswith(tmp + "/")
                        else p
                        for p in exc.problems
                    ]
                ) from None
            now = _compare(verdict, recorded, inputs, solver, time_limit, time_budget)
    language = _language(brief.reader, now)
    _check_view(verdict, brief, now, inputs, language, templates)
    return verdict


def brief_language(reader: PdfReader, recorded: dict[str, Any]) -> str | None:
    """The language the brief is written in, for verify's messages: its catalog's /Lang as
    procure writes it, else its record's; None if neither says (the locale's then)."""
    lang = _catalog(reader).get("/Lang")
    if isinstance(lang, str) and str(lang) in LANGS:
        return LANGS[str(lang)]
    said = recorded.get("language")
    return said if said in ("en", "zh") else None


def _language(reader: PdfReader, rec: Recommendation) -> str:
    """The brief's language: its catalog's /Lang as procure writes it, else the scenario's.
    (Taken from the PDF, it cannot make a tampered brief pass: laid out in another language,
    every page differs.)"""
    lang = _catalog(reader).get("/Lang")
    return LANGS.get(str(lang), rec.language) if isinstance(lang, str) else rec.language


def _compare(
    verdict: Verdict,
    recorded: dict[str, Any],
    inputs: Inputs,
    solver: str,
    limit: float | None,
    time_budget: float | None = None,
) -> Recommendation:
    """Compute the brief from `inputs` and set out how its numbers differ from `recorded`;
    the brief computed, its record dated as the one it is compared with (to lay it out alike)."""
    from procure.award.formulation import TIME_LIMIT
    from procure.recommendation import recommend

    record = verdict.record
    rec = recommend(
        inputs.scenario,
        inputs.base_dir,
        solver=solver,
        vendors=inputs.vendors,
        time_limit=limit or TIME_LIMIT,
        time_budget=time_budget,
        today=date.fromisoformat(record.date),  # the plan's dates as the brief was made
    )
    fresh_record = record_for(inputs.files, inputs.contents, inputs.scenario.vendors)
    # laid out as it was made: its date, and the version its cover names (another version is
    # said below, never a page that differs by the version alone)
    made = {"date": record.date, "tool_version": record.tool_version}
    now = rec.model_copy(update={"record": fresh_record.model_copy(update=made)})
    fresh = json.loads(now.model_dump_json())
    was = {i.role: i for i in record.inputs}
    for item in fresh_record.inputs:
        before = was.get(item.role)
        if before is not None and before.sha256 != item.sha256 and not verdict.altered:
            verdict.altered.append(
                Text(
                    en=f"the {item.role} file {item.name} differs from the one the brief was "
                    f"computed from ({before.name}, SHA-256 {before.sha256[:12]}…)",
                    zh=f"{'情景文件' if item.role == 'scenario' else '供应商文件'} {item.name} "
                    f"与生成简报时所用的文件（{before.name}，SHA-256 {before.sha256[:12]}…）不同",
                )
            )
    if fresh_record.tool_version != record.tool_version:
        verdict.notes.append(
            Text(
                en=f"made with procure {excerpt(record.tool_version)}; re-run with "
                f"{fresh_record.tool_version}: a difference may come from that alone",
                zh=f"简报由 procure {excerpt(record.tool_version)} 生成；本次用 "
                f"{fresh_record.tool_version} 重新计算：差异可能仅由此而来",
            )
        )
    if fresh_record.knowledge_version != record.knowledge_version:
        verdict.notes.append(
            Text(
                en=f"the knowledge base has changed since ({excerpt(record.knowledge_version)} -> "
                f"{fresh_record.knowledge_version}): rules, rates or sources differ",
                zh=f"知识库已更新（{excerpt(record.knowledge_version)} -> "
                f"{fresh_record.knowledge_version}）：规则、费率或出处有变化",
            )
        )
    recorded = {k: v for k, v in recorded.items() if k != "record"}
    fresh.pop("record", None)
    changes = differences(recorded, fresh)
    if changes:  # why numbers can differ with the same inputs
        for who, brief in (("made", recorded), ("verified", fresh)):
            if _cut_short(brief):
                verdict.notes.append(
                    Text(
                        en="the brief's analysis ran out of time when it was made (its time budget, "
                        "or a solve's limit): what it left out or cut short comes out otherwise "
                        "whenever it is computed again; make it with a --time-budget and "
                        "--time-limit it finishes within to verify it exactly"
                        if who == "made"
                        else "this run's analysis ran out of time: give verify more with "
                        "--time-budget and --time-limit",
                        zh="简报生成时分析的时间已用完（时间预算或单次求解时限）：其省略或未算完的部分"
                        "每次重新计算都可能不同；请用足够的 --time-budget 和 --time-limit 生成简报，"
                        "才能精确核验"
                        if who == "made"
                        else "本次核验的分析时间已用完：请用 --time-budget 和 --time-limit 给出更多时间",
                    )
                )
    verdict.changes = changes[:MAX_CHANGES]
    verdict.more = max(0, len(changes) - MAX_CHANGES)
    return now


# what a brief says where a solve or the analysis ran out of time (optimizer, sensitivity,
# explain, budget.Budget.said): such a brief depends on the machine's speed
OUT_OF_TIME = ("--time-budget) ran out", "for lack of time", "--time-limit", "ran out of time")


def _cut_short(brief: dict[str, Any]) -> bool:
    """Whether the brief says that some solve or its analysis ran out of time."""
    return any(
        (key.endswith(".unknown") and value is True)
        or (isinstance(value, str) and any(m in value for m in OUT_OF_TIME))
        for key, value in flatten(brief).items()
    )


def _check_view(
    verdict: Verdict,
    brief: Opened,
    now: Recommendation,
    inputs: Inputs,
    language: str,
    templates: Path | None,
) -> None:
    """Lay the brief out again as `procure brief` does (the record's date stamps it, so the
    same inputs, versions and fonts give the same bytes) and name the first page and each
    attachment a reader would find different."""
    from pypdf import PdfReader

    from procure.documents.report import SYSTEMS_CSV, render, systems_csv
    from procure.inputs.record import attachments

    raw, reader, streams, path = brief.raw, brief.reader, brief.streams, brief.path
    attach = [
        (name, data)
        for name, _, data in attachments(inputs.files, inputs.contents, inputs.scenario.vendors)
    ]
    attach.append((SYSTEMS_CSV, systems_csv(now, language)))
    fresh_pdf = render(now, "pdf", language, templates, attach)
    if fresh_pdf == raw:
        return  # byte for byte the PDF procure writes for these inputs
    fresh = PdfReader(io.BytesIO(fresh_pdf))
    before = len(verdict.differs)
    _compare_pages(verdict, reader, fresh)
    if len(verdict.differs) > before and templates is None:
        verdict.notes.append(
            Text(
                en="laid out again with the bundled templates: if the brief was made with your "
                "own (`procure brief --templates DIR`), give the same directory to "
                "`procure verify --templates DIR`",
                zh="本次用内置模板重新排版：若简报是用自定义模板生成的（`procure brief --templates "
                "DIR`），请用 `procure verify --templates DIR` 指定同一目录",
            )
        )
    expected = {SYSTEMS_CSV: systems_csv(now, language), BRIEF_JSON: render(now, "json", language)}
    for name, data in expected.items():
        if name not in streams:
            verdict.differs.append(
                Text(
                    en=f"the attachment {name} is missing: it was removed afterwards",
                    zh=f"缺少附件 {name}：它在简报生成后被删除",
                )
            )
            continue
        given = (
            brief.brief_json
            if name == BRIEF_JSON
            else inflate(streams[name], len(data), name, path)
        )
        if given != data:
            should = hashlib.sha256(data).hexdigest()[:12]
            was = hashlib.sha256(given).hexdigest()[:12] if given is not None else None
            verdict.differs.append(
                Text(
                    en=f"the attached {name} differs from the one procure writes for these "
                    + (
                        f"inputs (SHA-256 {was}… where it should be {should}…)"
                        if was
                        else f"inputs (it is larger; SHA-256 should be {should}…)"
                    ),
                    zh=f"附件 {name} 与 procure 依据这些输入生成的不同"
                    + (
                        f"（SHA-256 为 {was}…，应为 {should}…）"
                        if was
                        else f"（更大；SHA-256 应为 {should}…）"
                    ),
                )
            )
    _compare_catalog(verdict, reader, fresh)
    if len(verdict.differs) > before:
        made, here = _producer(reader), _producer(fresh)
        if made != here:
            verdict.notes.append(
                Text(
                    en=f"the PDF names {excerpt(made)} as its producer; procure lays it out "
                    f"here with {here}: if that is another version, pages can differ for that "
                    "reason alone",
                    zh=f"该 PDF 标明的生成程序为 {excerpt(made)}；procure 在本机用 {here} 排版："
                    "若版本不同，页面可能仅因此不同",
                )
            )


def _producer(reader: PdfReader) -> str:
    try:
        info = reader.metadata
        return str(info.get("/Producer", "?")) if info is not None else "?"
    except Exception:  # a hostile /Info: reported as unknown
        return "?"


def _compare_pages(verdict: Verdict, given: PdfReader, fresh: PdfReader) -> None:
    """The page count, then the first page whose text or drawing differs."""
    try:
        count = len(given.pages)
    except Exception as exc:  # pypdf raises many kinds on a hostile page tree
        verdict.differs.append(
            Text(
                en=f"the PDF's pages cannot be read ({type(exc).__name__})",
                zh=f"无法读取该 PDF 的页面（{type(exc).__name__}）",
            )
        )
        return
    expected = len(fresh.pages)
    if count != expected:
        verdict.differs.append(
            Text(
                en=f"the brief has {count} pages; laid out again from its inputs it has "
                f"{expected}: pages were removed or added",
                zh=f"该简报有 {count} 页；依据其输入重新排版应有 {expected} 页：有页面被删除或添加",
            )
        )
    a, b = Drawing(given), Drawing(fresh)
    for i in range(min(count, expected)):
        seen, want = _text(given, i), _text(fresh, i)
        if seen != want:
            old, new = _first_difference(seen or "", want or "")
            verdict.differs.append(
                Text(
                    en=f"page {i + 1} reads differently from the brief laid out again: "
                    f"{old!r} where procure writes {new!r}",
                    zh=f"第 {i + 1} 页的文字与重新排版的简报不同：此处为 {old!r}，"
                    f"procure 生成的是 {new!r}",
                )
            )
            return
        if a.page(i) != b.page(i):
            verdict.differs.append(
                Text(
                    en=f"page {i + 1} reads the same but is drawn differently from the brief "
                    "laid out again (text placed, coloured or covered otherwise, or its fonts, "
                    "images or annotations changed)",
                    zh=f"第 {i + 1} 页文字相同，但绘制方式与重新排版的简报不同（文字位置、颜色或"
                    "遮盖，或字体、图像、批注有改动）",
                )
            )
            return


def _text(reader: PdfReader, i: int) -> str | None:
    try:
        return str(reader.pages[i].extract_text())
    except Exception:  # a hostile page: unreadable, so not the page procure writes
        return None


def _first_difference(seen: str, want: str) -> tuple[str, str]:
    """The first line that differs, in each text (shortened)."""
    a, b = seen.splitlines(), want.splitlines()
    for x, y in zip(a, b, strict=False):
        if x != y:
            return excerpt(x), excerpt(y)
    rest = (a[len(b) :] or ["(nothing)"])[0], (b[len(a) :] or ["(nothing)"])[0]
    return excerpt(rest[0]), excerpt(rest[1])


class Drawing:
    """A fingerprint of each page as drawn: its dictionary and everything it refers to
    (content streams as stored, fonts, images, annotations), other pages by their number and
    object numbers ignored, so the same drawing written alike gives the same fingerprint.
    Nothing is decoded; at most MAX_NODES objects are visited per page."""

    def __init__(self, reader: PdfReader) -> None:
        self.reader = reader
        self.memo: dict[int, bytes] = {}
        self.pages: dict[int, int] = {}
        try:
            for i, page in enumerate(reader.pages):
                if page.indirect_reference is not None:
                    self.pages[page.indirect_reference.idnum] = i
        except Exception:  # unreadable pages: every fingerprint is "unreadable"
            self.pages = {}

    def page(self, i: int) -> bytes:
        self.budget = MAX_NODES
        try:
            return hashlib.sha256(self._walk(self.reader.pages[i], 0)).digest()
        except Exception:  # too big, too deep or broken: unreadable, not procure's page
            return b"unreadable"

    def _walk(self, obj: Any, depth: int) -> bytes:
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

        self.budget -= 1
        if self.budget < 0 or depth > 64:
            raise ValueError("too large")
        if isinstance(obj, IndirectObject):
            if obj.idnum in self.pages:
                return b"page%d" % self.pages[obj.idnum]
            if obj.idnum not in self.memo:
                self.memo[obj.idnum] = b"cycle"
                body = self._walk(obj.get_object(), depth + 1)
                self.memo[obj.idnum] = hashlib.sha256(body).digest()
            return self.memo[obj.idnum]
        if isinstance(obj, DictionaryObject):
            items = sorted((str(k), v) for k, v in obj.items() if k not in ("/Parent", "/Length"))
            body = b"{" + b";".join(k.encode() + b"=" + self._walk(v, depth + 1) for k, v in items)
            if isinstance(obj, StreamObject):
                body += b"stream" + hashlib.sha256(obj._data).digest()
            return body + b"}"
        if isinstance(obj, ArrayObject):
            return b"[" + b",".join(self._walk(v, depth + 1) for v in obj) + b"]"
        return type(obj).__name__.encode() + b":" + repr(obj).encode("utf-8", "replace")


def _catalog(reader: PdfReader) -> dict[str, Any]:
    """The document catalog's entries (unresolved), and those of its name dictionary as
    "/Names/..." (JavaScript lives there); {"(unreadable)": None} if it is broken."""
    from pypdf.generic import DictionaryObject

    try:
        root = reader.trailer["/Root"].get_object()
        if isinstance(root, DictionaryObject):
            out = {str(k): v for k, v in root.items()}
            names = root.get("/Names")
            names = names.get_object() if names is not None else None
            if isinstance(names, DictionaryObject):
                out.update({f"/Names{k}": v for k, v in names.items()})
            return out
    except Exception:  # a hostile trailer
        pass
    return {"(unreadable)": None}


def _compare_catalog(verdict: Verdict, given: PdfReader, fresh: PdfReader) -> None:
    """Document-level entries procure does not write (an action run on opening, a form)."""
    extra = sorted(set(_catalog(given)) - set(_catalog(fresh)))
    if extra:
        listed = excerpt(" ".join(extra), 80)
        verdict.differs.append(
            Text(
                en=f"the PDF's catalog has entries procure does not write ({listed}): they can "
                "change what a reader sees or what the viewer does on opening",
                zh=f"该 PDF 的目录含有 procure 不会写入的条目（{listed}）：它们可能改变读者所见"
                "或阅读器打开时的行为",
            )
        )
