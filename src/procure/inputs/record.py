"""What a brief was computed from: the tool's and knowledge base's versions, the date, and a
SHA-256 fingerprint of every input file, which the PDF also carries as attachments so that
`procure verify` can re-run it later."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, field_validator

from procure import __version__
from procure.inputs.yamlio import STDIN

KNOWLEDGE_DIR = Path(__file__).parents[1] / "knowledge"
ODD = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # control, format, surrogate, private, unassigned
BRIEF_JSON = "brief.json"  # the attachment holding the numbers as computed
EVALUATION_JSON = "evaluation.json"  # an evaluation report's numbers as computed


class InputFile(BaseModel):
    role: Literal["scenario", "vendors", "evaluation"]
    name: str  # the attachment's name: the path the scenario uses for it
    sha256: str
    bytes: int


class BriefRecord(BaseModel):
    tool_version: str
    knowledge_version: str  # a fingerprint of the bundled knowledge files
    date: str  # ISO date the brief was made (SOURCE_DATE_EPOCH if set, for reproducible builds)
    inputs: list[InputFile]

    @field_validator("date")
    @classmethod
    def _iso_date(cls, v: str) -> str:
        """A date the plan's timeline starts from (a hostile record's is refused)."""
        if len(v) != 10:
            raise ValueError("the record's date must be YYYY-MM-DD")
        date.fromisoformat(v)
        return v


@cache
def knowledge_version() -> str:
    """The first 12 hex digits of a SHA-256 over the knowledge files (names and bytes): a
    change to any rule, rate or source gives another version."""
    digest = hashlib.sha256()
    for path in sorted(KNOWLEDGE_DIR.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    return date.today().isoformat()


def portable_name(name: str) -> str | None:
    """`name` if it is a plain relative path (no '..', not absolute, no control, invisible or
    unpaired characters, at most 255 bytes in UTF-8, so no file system finds it too long), the
    only kind written back out by `procure verify`; else None."""
    if not name or "\\" in name or any(unicodedata.category(c) in ODD for c in name):
        return None
    if len(name.encode("utf-8", "surrogatepass")) > 255:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", ".", "") for part in path.parts):
        return None
    return str(path)


def attachments(
    files: tuple[Path, ...], contents: tuple[bytes, ...], vendors: object
) -> list[tuple[str, Literal["scenario", "vendors"], bytes]]:
    """(name, role, bytes) of each input: the scenario by its file name, the vendor file by
    the path the scenario names it with (so the scenario finds it again beside it)."""
    out: list[tuple[str, Literal["scenario", "vendors"], bytes]] = []
    scenario_name = "scenario.yaml" if str(files[0]) == STDIN else files[0].name
    out.append((scenario_name, "scenario", contents[0]))
    if len(files) > 1:
        named = portable_name(vendors) if isinstance(vendors, str) else None
        out.append((named or files[1].name, "vendors", contents[1]))
    return out


def record_for(
    files: tuple[Path, ...], contents: tuple[bytes, ...], vendors: object
) -> BriefRecord:
    return BriefRecord(
        tool_version=__version__,
        knowledge_version=knowledge_version(),
        date=today(),
        inputs=[
            InputFile(role=role, name=name, sha256=hashlib.sha256(raw).hexdigest(), bytes=len(raw))
            for name, role, raw in attachments(files, contents, vendors)
        ],
    )
