"""`procure verify BRIEF.pdf`: take the inputs a brief carries (its attachments), check them
against the fingerprints it recorded, compute the brief again, and say whether its numbers
still come out the same, and if not, which ones changed."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procure.errors import InputError, Problem
from procure.knowledge import Text
from procure.record import BRIEF_JSON, BriefRecord, portable_name, record_for
from procure.yamlio import read_bytes

if TYPE_CHECKING:
    from procure.inputs import Inputs

MAX_PDF_BYTES = 200_000_000
MAX_CHANGES = 25  # changes listed; the rest are counted


@dataclass
class Verdict:
    record: BriefRecord
    altered: list[Text] = field(default_factory=list)  # attachments that differ from the record
    changes: list[str] = field(default_factory=list)  # "path: recorded -> now"
    more: int = 0  # changes not listed
    notes: list[Text] = field(default_factory=list)  # e.g. another tool version

    @property
    def ok(self) -> bool:
        return not self.altered and not self.changes


def _refuse(path: Path, en: str, zh: str) -> InputError:
    return InputError([Problem(str(path), en, zh=zh)])


def read_attachments(path: Path) -> dict[str, bytes]:
    """The files embedded in a PDF, by name (a name embedded twice is refused)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    raw = read_bytes(path, MAX_PDF_BYTES, "PDF")
    if not raw.startswith(b"%PDF-"):
        raise _refuse(
            path,
            "not a PDF file; give the PDF that `procure brief` wrote",
            "不是 PDF 文件；请指定由 `procure brief` 生成的 PDF",
        )
    try:
        found = PdfReader(io.BytesIO(raw)).attachments
        files = {name: list(found[name]) for name in found}
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise _refuse(
            path,
            f"cannot read the PDF's attachments ({type(exc).__name__})",
            f"无法读取该 PDF 的附件（{type(exc).__name__}）",
        ) from None
    twice = [name for name, copies in files.items() if len(copies) != 1]
    if twice:
        raise _refuse(
            path,
            f"the attachment {twice[0]} appears more than once; the brief is not as procure wrote it",
            f"附件 {twice[0]} 出现不止一次；该简报已不是 procure 生成时的样子",
        )
    return {name: copies[0] for name, copies in files.items()}


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
            out.append(f"{key}: {a[key]!r} -> (gone)")
        elif key not in a:
            out.append(f"{key}: (new) -> {b[key]!r}")
        elif a[key] != b[key]:
            out.append(f"{key}: {a[key]!r} -> {b[key]!r}")
    return out


def verify_brief(
    path: Path,
    solver: str = "highs",
    time_limit: float | None = None,
    against: Path | None = None,
    data_dir: Path | None = None,
) -> Verdict:
    """Re-run the brief at `path` from the inputs it carries (or, with `against`, from that
    scenario and its vendor file as they are now); InputError if it carries none."""
    from procure.inputs import load_inputs

    files = read_attachments(path)
    if "evaluation.json" in files:  # a 评审报告 (procure evaluate): its own stage re-runs it
        from procure.evaluation.rerun import rerun

        again = rerun(path, files, against)
        found = differences(again.recorded, again.fresh)
        return Verdict(
            record=again.record,
            altered=[Text(en=en, zh=zh) for en, zh in again.altered],
            changes=found[:MAX_CHANGES],
            more=max(0, len(found) - MAX_CHANGES),
            notes=[Text(en=en, zh=zh) for en, zh in again.notes],
        )
    if BRIEF_JSON not in files:
        raise _refuse(
            path,
            "the PDF carries no inputs to re-run: it was not made by `procure brief` (0.1 or "
            "later), or its attachments were removed",
            "该 PDF 不含可重新计算的输入：它不是由 `procure brief` 生成的，或附件已被删除",
        )
    try:
        recorded = json.loads(files[BRIEF_JSON])
        record = BriefRecord.model_validate(recorded["record"])
    except (ValueError, KeyError, TypeError):
        raise _refuse(
            path,
            "the attached brief.json is damaged or lacks its record",
            "附件 brief.json 已损坏或缺少记录信息",
        ) from None
    verdict = Verdict(record=record)
    for item in record.inputs:
        raw = files.get(item.name)
        if raw is None:
            raise _refuse(
                path,
                f"the input {item.name} is recorded but not attached",
                f"记录中有输入文件 {item.name}，但 PDF 中没有该附件",
            )
        if hashlib.sha256(raw).hexdigest() != item.sha256:
            verdict.altered.append(
                Text(
                    en=f"the attached {item.name} is not the file the brief was computed from "
                    f"(its SHA-256 differs from the one recorded): it was edited afterwards",
                    zh=f"附件 {item.name} 不是生成简报时所用的文件（SHA-256 与记录不符）："
                    "它在简报生成后被修改过",
                )
            )
    scenario = next((i for i in record.inputs if i.role == "scenario"), None)
    if scenario is None:
        raise _refuse(path, "the record names no scenario", "记录中没有情景文件")
    if against is not None:
        return _compare(verdict, recorded, load_inputs(against, data_dir), solver, time_limit)
    with tempfile.TemporaryDirectory(prefix="procure-verify-") as tmp:
        root = Path(tmp)
        for item in record.inputs:
            name = portable_name(item.name)
            if name is None:  # never write outside the scratch directory
                raise _refuse(
                    path,
                    f"the attachment name {item.name!r} is not a plain relative path",
                    f"附件名 {item.name!r} 不是普通的相对路径",
                )
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[item.name])
        return _compare(verdict, recorded, load_inputs(root / scenario.name), solver, time_limit)


def _compare(
    verdict: Verdict, recorded: dict[str, Any], inputs: Inputs, solver: str, limit: float | None
) -> Verdict:
    """Compute the brief from `inputs` and set out how it differs from `recorded`."""
    from procure.formulation import TIME_LIMIT
    from procure.recommend import recommend

    record = verdict.record
    rec = recommend(
        inputs.scenario,
        inputs.base_dir,
        solver=solver,
        vendors=inputs.vendors,
        time_limit=limit or TIME_LIMIT,
    )
    now = rec.model_copy(
        update={"record": record_for(inputs.files, inputs.contents, inputs.scenario.vendors)}
    )
    fresh = json.loads(now.model_dump_json())
    assert now.record is not None
    was = {i.role: i for i in record.inputs}
    for item in now.record.inputs:
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
    if fresh["record"]["tool_version"] != record.tool_version:
        verdict.notes.append(
            Text(
                en=f"made with procure {record.tool_version}; re-run with "
                f"{fresh['record']['tool_version']}",
                zh=f"简报由 procure {record.tool_version} 生成；本次用 "
                f"{fresh['record']['tool_version']} 重新计算",
            )
        )
    if fresh["record"]["knowledge_version"] != record.knowledge_version:
        verdict.notes.append(
            Text(
                en=f"the knowledge base has changed since ({record.knowledge_version} -> "
                f"{fresh['record']['knowledge_version']}): rules, rates or sources differ",
                zh=f"知识库已更新（{record.knowledge_version} -> "
                f"{fresh['record']['knowledge_version']}）：规则、费率或出处有变化",
            )
        )
    recorded.pop("record", None)
    fresh.pop("record", None)
    changes = differences(recorded, fresh)
    verdict.changes = changes[:MAX_CHANGES]
    verdict.more = max(0, len(changes) - MAX_CHANGES)
    return verdict
