"""Running an evaluation end to end (file -> Evaluation with its record), and running it again
from the copy a PDF report carries, for `procure verify`."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procure.errors import InputError, Problem
from procure.evaluation.model import EvaluationFile, load_evaluation
from procure.evaluation.scoring import Evaluation, evaluate
from procure.inputs.record import (
    EVALUATION_JSON,
    BriefRecord,
    InputFile,
    knowledge_version,
    portable_name,
    today,
)
from procure.inputs.yamlio import STDIN

if TYPE_CHECKING:
    from procure.documents.verify import Verdict


def attachment_name(path: Path) -> str:
    return "evaluation.yaml" if str(path) == STDIN else path.name


def run(path: Path) -> tuple[EvaluationFile, Evaluation, bytes]:
    """Load, evaluate and record: the file, the result (with its record) and the bytes read."""
    from procure import __version__

    ev, raw = load_evaluation(path)
    result = evaluate(ev)
    record = BriefRecord(
        tool_version=__version__,
        knowledge_version=knowledge_version(),
        date=today(),
        inputs=[
            InputFile(
                role="evaluation",
                name=attachment_name(path),
                sha256=hashlib.sha256(raw).hexdigest(),
                bytes=len(raw),
            )
        ],
    )
    return ev, result.model_copy(update={"record": record}), raw


@dataclass
class Rerun:
    """What verify needs to judge an evaluation report: its record, the inputs that differ
    from it, notes (en, zh), and the numbers as recorded and as computed now."""

    record: BriefRecord
    recorded: dict[str, Any]
    fresh: dict[str, Any]
    altered: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def is_evaluation_report(files: dict[str, bytes]) -> bool:
    return EVALUATION_JSON in files


def rerun(path: Path, files: dict[str, bytes], against: Path | None = None) -> Rerun:
    """Evaluate again the input a report carries (or `against`, the file as it is now)."""

    def refuse(en: str, zh: str) -> InputError:
        return InputError([Problem(str(path), en, zh=zh)])

    try:
        recorded = json.loads(files[EVALUATION_JSON])
        record = BriefRecord.model_validate(recorded["record"])
    except (ValueError, KeyError, TypeError):
        raise refuse(
            "the attached evaluation.json is damaged or lacks its record",
            "附件 evaluation.json 已损坏或缺少记录信息",
        ) from None
    item = next((i for i in record.inputs if i.role == "evaluation"), None)
    if item is None or item.name not in files:
        raise refuse(
            "the evaluation file the report was computed from is not attached",
            "评审报告中没有附上其计算所用的评审记录文件",
        )
    altered: list[tuple[str, str]] = []
    if hashlib.sha256(files[item.name]).hexdigest() != item.sha256:
        altered.append(
            (
                f"the attached {item.name} is not the file the report was computed from (its "
                "SHA-256 differs from the one recorded): it was edited afterwards",
                f"附件 {item.name} 不是生成评审报告时所用的文件（SHA-256 与记录不符）：它在报告生成后被修改过",
            )
        )
    if against is not None:
        _, result, raw = run(against)
    else:
        name = portable_name(item.name)
        if name is None:
            raise refuse(
                f"the attachment name {item.name!r} is not a plain relative path",
                f"附件名 {item.name!r} 不是普通的相对路径",
            )
        with tempfile.TemporaryDirectory(prefix="procure-verify-") as tmp:
            target = Path(tmp) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[item.name])
            _, result, raw = run(target)
    if against is not None and hashlib.sha256(raw).hexdigest() != item.sha256 and not altered:
        altered.append(
            (
                f"{against} differs from the file the report was computed from ({item.name}, "
                f"SHA-256 {item.sha256[:12]}…)",
                f"{against} 与生成评审报告时所用的文件（{item.name}，SHA-256 {item.sha256[:12]}…）不同",
            )
        )
    fresh = json.loads(result.model_dump_json())
    notes: list[tuple[str, str]] = []
    now = fresh.pop("record")
    if now["knowledge_version"] != record.knowledge_version:
        notes.append(
            (
                f"the knowledge base has changed since ({record.knowledge_version} -> "
                f"{now['knowledge_version']})",
                f"知识库已更新（{record.knowledge_version} -> {now['knowledge_version']}）",
            )
        )
    recorded.pop("record", None)
    return Rerun(record=record, recorded=recorded, fresh=fresh, altered=altered, notes=notes)


def verify_report(path: Path, against: Path | None = None, sha256: str | None = None) -> Verdict:
    """`procure verify` for an evaluation report: its attachments read as a brief's are (only
    the recorded ones, each inflated under a cap; an added one is a difference), the input
    evaluated again and every number compared. (The pages are not laid out again: the numbers
    they print all come from the compared JSON.)"""
    from pypdf import apply_configuration

    from procure.documents.verify import MAX_CHANGES, PDF_LIMITS, Mismatch, differences, open_brief
    from procure.text import Text

    with apply_configuration(None, **PDF_LIMITS):
        opened = open_brief(path, EVALUATION_JSON, (EVALUATION_JSON,))
    verdict = opened.verdict
    if sha256 is not None and verdict.sha256 != sha256:
        raise Mismatch(
            f"{path}: this PDF's SHA-256 is {verdict.sha256}, not the published {sha256}: it "
            "is not the file its author published",
            f"{path}：本 PDF 的 SHA-256 为 {verdict.sha256}，与公布的 {sha256} 不符：它不是作者公布的那个文件",
        )
    again = rerun(path, {**opened.files, EVALUATION_JSON: opened.brief_json}, against)
    found = differences(again.recorded, again.fresh)
    verdict.altered = verdict.altered or [Text(en=en, zh=zh) for en, zh in again.altered]
    verdict.changes = found[:MAX_CHANGES]
    verdict.more = max(0, len(found) - MAX_CHANGES)
    verdict.notes += [Text(en=en, zh=zh) for en, zh in again.notes]
    return verdict
