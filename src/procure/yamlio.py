"""Safe YAML loading that remembers the line and column of every key and value.

Only plain data is built (maps, lists, strings, numbers, booleans, null); any other tag
is refused. Files over `MAX_BYTES` and alias graphs that expand past `MAX_NODES`
(billion-laughs) are refused before anything is built.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from procure.errors import InputError, Problem

MAX_BYTES = 1_000_000
MAX_NODES = 200_000

YamlPath = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data plus where each value (and each mapping key) stands in the file."""

    data: Any
    file: str
    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: YamlPath, *, key: bool = False) -> tuple[int, int] | None:
        """The 1-based (line, column) of `path`, or of its nearest located ancestor."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return None
            probe = probe[:-1]


def format_path(path: YamlPath) -> str:
    """`('systems', 2, 'mlps_level')` -> `systems[2].mlps_level`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_yaml(path: Path) -> Located:
    """Read and parse a YAML file, refusing oversize files."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError([Problem(name, f"cannot read file: {exc.strerror}")]) from None
    if size > MAX_BYTES:
        raise InputError(
            [
                Problem(
                    name,
                    f"file is {size:,} bytes; the limit is {MAX_BYTES:,}. "
                    "Split it, or check that you named the right file.",
                    line=1,
                )
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
        ) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, file: str = "<string>") -> Located:
    """Parse YAML text into plain data with positions."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InputError([Problem(file, f"text is over the {MAX_BYTES:,}-byte limit", line=1)])
    try:
        node = YAML(typ="rt").compose(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "syntax error"
        raise InputError(
            [Problem(file, f"YAML syntax error: {what}", line=line, column=col)]
        ) from None
    except YAMLError as exc:
        raise InputError([Problem(file, f"YAML error: {exc}")]) from None
    located = Located(data=None, file=file)
    if node is None:
        raise InputError([Problem(file, "the file is empty", line=1)])
    builder = _Builder(located)
    located.data = builder.build(node, ())
    return located


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.count = 0

    def _bump(self, node: Node) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                [
                    Problem(
                        self.located.file,
                        f"the document expands to more than {MAX_NODES:,} values; aliases (*name) "
                        "that repeat large anchors are refused (a 'billion laughs' document)",
                        line=node.start_mark.line + 1,
                        column=node.start_mark.column + 1,
                    )
                ]
            )

    def build(self, node: Node, path: YamlPath) -> Any:
        self._bump(node)
        self.located.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node, path) if isinstance(key_node, ScalarNode) else None
                if key is None or isinstance(key, (dict, list)):
                    self._fail(key_node, path, "mapping keys must be plain names")
                key = str(key)
                if key == "<<":
                    self._fail(
                        key_node, path, "merge keys (<<) are not supported; write the fields out"
                    )
                if key in out:
                    self._fail(key_node, (*path, key), f"duplicate key '{key}'")
                self.located.keys[(*path, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _fail(self, node: Node, path: YamlPath, message: str) -> None:
        raise InputError(
            [
                Problem(
                    self.located.file,
                    message,
                    field=format_path(path),
                    line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1,
                )
            ]
        )

    def _scalar(self, node: Node, path: YamlPath) -> Any:
        tag = str(node.tag or "")
        value = str(node.value)
        if tag.endswith(":str"):
            return value
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return value.lower() in ("true", "yes", "on")
        if tag.endswith(":int"):
            digits = value.replace("_", "")
            try:
                return (
                    int(digits, 0) if digits.lower().startswith(("0x", "0o", "0b")) else int(digits)
                )
            except ValueError:
                self._fail(node, path, f"'{value}' is not a valid integer")
        if tag.endswith(":float"):
            low = value.lower()
            if low in (".inf", "+.inf"):
                return math.inf
            if low == "-.inf":
                return -math.inf
            if low == ".nan":
                return math.nan
            return float(value.replace("_", ""))
        self._fail(node, path, f"the YAML tag {tag} is not allowed; only plain values are")
        return None  # pragma: no cover - _fail raises


def dump_yaml(data: Any) -> str:
    """Serialise plain data as block-style YAML (safe dumper)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep order
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
