"""Safe YAML loading that remembers the line and column of every key and value.

Only plain data is built (maps, lists, strings, numbers, booleans, null); any other tag
is refused. Input is read through a bounded read (a device or a pipe cannot make it read more
than `MAX_BYTES`), nesting deeper than `MAX_DEPTH` and alias cycles are refused before
anything recursive runs, and alias graphs that expand past `MAX_NODES` (billion-laughs) are
refused while building. Numbers must be finite, integers short, and text free of control and
format characters (bidirectional overrides, zero-width and other invisible characters), so
nothing downstream meets a value it cannot handle.
"""

from __future__ import annotations

import io
import math
import os
import select
import stat
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser

from procure.errors import InputError, Problem, excerpt, os_reason_zh

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64  # the scenario format nests 6 deep; this leaves room and stops recursion bombs
MAX_INT_DIGITS = 20  # every count and amount in the formats fits in 20 digits
STDIN = "-"
EXAMPLE_NAMES = {"PDF": "brief.pdf", "workbook": "scores.xlsx", "bid sheet": "bids.xlsx"}
READ_WAIT = 30.0  # seconds a named pipe or device may take to deliver a whole file

# Characters refused in text, wherever text is read (YAML scenarios and vendor files, bid
# sheets): C0/C1 controls other than tab and newline; every format character (Unicode category
# Cf: zero-width spaces and joiners, the soft hyphen, U+FEFF inside text, the bidirectional
# embedding, override and isolate controls, tag characters); the line and paragraph separators
# U+2028/U+2029; surrogates; and the other code points Unicode marks default-ignorable
# (DerivedCoreProperties.txt: variation selectors, Hangul fillers, ...), which a reader never
# sees. Any of them can hide, reverse or disguise a name or id in a brief.
_IGNORABLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def _refused(ch: str) -> bool:
    if ch in "\t\n":
        return False
    if unicodedata.category(ch) in _REFUSED_CATEGORIES:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _IGNORABLE)


def bad_char(text: str) -> str | None:
    """The first character of `text` that must not reach an output, as `U+XXXX (NAME)`, or
    None. Plain text is checked with one C-speed scan; only text with a character outside
    printable ASCII is looked at character by character."""
    if text.isascii() and text.isprintable():
        return None
    for ch in text:
        if _refused(ch):
            name = unicodedata.name(ch, "")
            return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")
    return None


def visible(text: str) -> str:
    """`text` with every character `bad_char` refuses written as `\\u{XXXX}`: what reaches a
    terminal from outside the inputs' checks (a file name, an option's value) cannot move the
    cursor, ring, recolour, clear the screen or reverse the line (a file named with ESC [2J)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(f"\\u{{{ord(ch):04X}}}" if _refused(ch) else ch for ch in text)


def bad_char_message(bad: str) -> tuple[str, str]:
    """The message (en, zh) for text holding the character `bad` names (the zh message gives
    the code point alone: Unicode's names are English)."""
    code = bad.split(" ", 1)[0]
    return (
        f"the text contains {bad}, an invisible, format or control character that can hide, "
        "reverse or disguise what a reader sees; delete it (retype the text if you cannot see "
        "where it is)",
        f"文本中含有 {code}，这是不可见字符、格式字符或控制字符，会隐藏、颠倒或伪装读者看到的内容；"
        "请删除（看不到位置时请重新输入该文本）",
    )


YamlPath = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data plus where each value (and each mapping key) stands in the file."""

    data: Any
    file: str
    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    raw: bytes = b""  # the bytes parsed, exactly as read (for fingerprints and attachments)

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


def read_bytes(path: Path, limit: int = MAX_BYTES, what: str = "file") -> bytes:
    """Read at most `limit` bytes of `path` (or standard input for `-`), refusing more.

    The size is found by reading, not by `stat`: a device or a pipe reports no size."""
    name = str(path)
    try:
        raw = sys.stdin.buffer.read(limit + 1) if name == STDIN else _read_named(path, limit)
    except TimeoutError:
        raise InputError(
            [
                Problem(
                    name,
                    f"is a pipe or device that did not deliver a whole {what} within "
                    f"{READ_WAIT:.0f} s (a FIFO nobody writes to?); name an ordinary file",
                    zh=f"这是管道或设备，{READ_WAIT:.0f} 秒内未读到完整文件（是否是无人写入的"
                    "命名管道？）；请指定普通文件",
                )
            ]
        ) from None
    except IsADirectoryError:
        inside = f"{name.rstrip('/')}/{EXAMPLE_NAMES.get(what, 'scenario.yaml')}"
        raise InputError(
            [
                Problem(
                    name,
                    f"is a directory; name a {what}, e.g. {inside}",
                    zh=f"这是一个目录；请指定文件，例如 {inside}",
                )
            ]
        ) from None
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    name, f"cannot read {what}: {exc.strerror}", zh=f"无法读取：{os_reason_zh(exc)}"
                )
            ]
        ) from None
    if len(raw) > limit:
        raise InputError(
            [
                Problem(
                    name,
                    f"is over the {limit:,}-byte limit for a {what}. "
                    "Split it, or check that you named the right file.",
                    line=1,
                    zh=f"超过 {limit:,} 字节的上限。请拆分文件，或检查是否指定了正确的文件。",
                )
            ]
        )
    return raw


def _read_named(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of the file at `path`. Opened without blocking, so that a
    FIFO with no writer cannot hang the open; an ordinary file is then read as usual, anything
    else (a FIFO, a device, a socket) only while it delivers within READ_WAIT seconds in all
    (TimeoutError past that)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.set_blocking(fd, True)
            with os.fdopen(os.dup(fd), "rb") as handle:
                return handle.read(limit + 1)
        return _read_waiting(fd, limit, time.monotonic() + READ_WAIT)
    finally:
        os.close(fd)


def _read_waiting(fd: int, limit: int, end: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        try:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
        except BlockingIOError:  # woken with nothing to read after all
            continue
        if not chunk:  # end of file
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_yaml(path: Path) -> Located:
    """Read and parse a YAML file (or standard input for `-`), refusing oversize input."""
    return parse_bytes(read_bytes(path), "<stdin>" if str(path) == STDIN else str(path))


def parse_bytes(raw: bytes, name: str) -> Located:
    """Decode (UTF-8) and parse YAML bytes read from `name`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    name,
                    f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8",
                    zh=f"不是 UTF-8 编码的文本（第 {exc.start} 字节处）；请另存为 UTF-8 编码",
                )
            ]
        ) from None
    located = parse_yaml(text, name)
    located.raw = raw
    return located


def _syntax_hint(text: str, line: int | None) -> tuple[str, str]:
    """A plain hint for the commonest YAML mistakes, found on the offending line (en, zh)."""
    lines = text.splitlines()
    here = lines[line - 1] if line and 0 < line <= len(lines) else ""
    if "\t" in here[: len(here) - len(here.lstrip())] or (line is None and "\t" in text):
        return " Hint: YAML indents with spaces, not tabs.", "提示：YAML 用空格缩进，不能用制表符。"
    return (
        " Hint: check the indentation (items of one list or map start in the same column) "
        "and quote text that contains ': ' or starts with a special character.",
        "提示：检查缩进（同一列表或映射的各项应从同一列开始），含有“: ”或以特殊字符开头的"
        "文本请加引号。",
    )


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _DepthParser(Parser):
    """The parser, refusing nesting deeper than MAX_DEPTH as it hands each event over. The
    parser is iterative and the composer pulls one event before each level it recurses into,
    so a deep document is refused before the composer's recursion gets deep (one pass over the
    text: checking depth in a first, separate parse doubled the time of a large scenario)."""

    def __init__(self, loader: Any) -> None:
        super().__init__(loader)
        self.depth = 0

    def get_event(self) -> Any:
        event = super().get_event()
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            self.depth -= 1
        return event


def _compose(text: str) -> Node | None:
    """The node tree of `text`: ruamel's pure-Python safe scanner (YAML 1.2, the round-trip
    loader's resolver; comments are skipped, not kept: nothing reads them) and the depth
    check above."""
    yaml = YAML(typ="safe", pure=True)
    yaml.Parser = _DepthParser
    return yaml.compose(io.StringIO(text))  # type: ignore[no-any-return]


def parse_yaml(text: str, file: str = "<string>") -> Located:
    """Parse YAML text into plain data with positions."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InputError(
            [
                Problem(
                    file,
                    f"text is over the {MAX_BYTES:,}-byte limit",
                    line=1,
                    zh=f"文本超过 {MAX_BYTES:,} 字节的上限",
                )
            ]
        )
    nel = text.find("\x85")  # YAML reads U+0085 as a line break: a name would silently split
    if nel >= 0:
        en, zh = bad_char_message("U+0085 (NEXT LINE)")
        raise InputError([Problem(file, en, line=text.count("\n", 0, nel) + 1, zh=zh)])
    try:
        node = _compose(text)
    except _TooDeep as exc:
        raise InputError(
            [
                Problem(
                    file,
                    f"nesting is deeper than {MAX_DEPTH} levels; a scenario or vendor "
                    "file needs about 6",
                    zh=f"嵌套超过 {MAX_DEPTH} 层；情景文件或供应商文件只需约 6 层",
                    line=exc.mark.line + 1,
                    column=exc.mark.column + 1,
                )
            ]
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "syntax error"
        hint, hint_zh = _syntax_hint(text, line)
        raise InputError(
            [
                Problem(
                    file,
                    f"YAML syntax error: {what}.{hint}",
                    line=line,
                    column=col,
                    zh=f"YAML 语法错误（解析器信息：{what}）。{hint_zh}",
                )
            ]
        ) from None
    except YAMLError as exc:
        raise InputError(
            [Problem(file, f"YAML error: {exc}", zh=f"YAML 错误（解析器信息：{exc}）")]
        ) from None
    located = Located(data=None, file=file)
    if node is None:
        raise InputError([Problem(file, "the file is empty", line=1, zh="文件为空")])
    builder = _Builder(located)
    located.data = builder.build(node, ())
    return located


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.count = 0
        self.open: set[int] = set()  # the nodes being built: an alias back to one is a cycle

    def _bump(self, node: Node) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                [
                    Problem(
                        self.located.file,
                        f"the document expands to more than {MAX_NODES:,} values; aliases (*name) "
                        "that repeat large anchors are refused (a 'billion laughs' document)",
                        zh=f"文档展开后超过 {MAX_NODES:,} 个值；重复引用大锚点的别名（*name）"
                        "会被拒绝（“十亿笑声”式文档）",
                        line=node.start_mark.line + 1,
                        column=node.start_mark.column + 1,
                    )
                ]
            )

    def build(self, node: Node, path: YamlPath) -> Any:
        self._bump(node)
        self.located.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, (MappingNode, SequenceNode)):
            if id(node) in self.open:
                self._fail(
                    node,
                    path,
                    "an alias (*name) refers to a map or list that contains it",
                    "别名（*name）引用了包含它自身的映射或列表",
                )
            if len(path) > MAX_DEPTH:  # aliases can nest deeper than the text does
                self._fail(
                    node,
                    path,
                    f"nesting is deeper than {MAX_DEPTH} levels",
                    f"嵌套超过 {MAX_DEPTH} 层",
                )
            self.open.add(id(node))
            try:
                return self._collection(node, path)
            finally:
                self.open.discard(id(node))
        return self._scalar(node, path)

    def _collection(self, node: Node, path: YamlPath) -> Any:
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node, path) if isinstance(key_node, ScalarNode) else None
                if key is None or isinstance(key, (dict, list)):
                    self._fail(
                        key_node, path, "mapping keys must be plain names", "映射的键必须是普通名称"
                    )
                key = str(key)
                if key == "<<":
                    self._fail(
                        key_node,
                        path,
                        "merge keys (<<) are not supported; write the fields out",
                        "不支持合并键（<<）；请把字段逐一写出",
                    )
                if key in out:
                    self._fail(key_node, (*path, key), f"duplicate key '{key}'", f"键“{key}”重复")
                self.located.keys[(*path, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = self.build(value_node, (*path, key))
            return out
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def _fail(self, node: Node, path: YamlPath, message: str, zh: str) -> None:
        raise InputError(
            [
                Problem(
                    self.located.file,
                    message,
                    field=format_path(path),
                    line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1,
                    zh=zh,
                )
            ]
        )

    def _scalar(self, node: Node, path: YamlPath) -> Any:
        tag = str(node.tag or "")
        value = str(node.value)
        if tag.endswith(":str"):
            bad = bad_char(value)
            if bad:
                self._fail(node, path, *bad_char_message(bad))
            return value
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return value.lower() in ("true", "yes", "on")
        if tag.endswith(":int"):
            digits = value.replace("_", "").lstrip("+-")
            if len(digits) > MAX_INT_DIGITS:
                self._fail(
                    node,
                    path,
                    f"an integer of {len(digits):,} digits ({excerpt(value, 24)}) is far too "
                    "large; amounts and counts here have at most 20 digits",
                    f"整数有 {len(digits):,} 位（{excerpt(value, 24)}），过大；金额和数量最多 20 位",
                )
            try:
                low = value.replace("_", "").lower()
                return int(low, 0) if low.lstrip("+-").startswith(("0x", "0o", "0b")) else int(low)
            except ValueError:
                self._fail(
                    node,
                    path,
                    f"'{excerpt(value)}' is not a valid integer",
                    f"“{excerpt(value)}”不是有效的整数",
                )
        if tag.endswith(":float"):
            try:
                number = float(value.replace("_", "").lower().replace(".inf", "inf"))
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                self._fail(
                    node,
                    path,
                    f"'{excerpt(value)}' is not a finite number; give an ordinary number "
                    "(infinity and NaN mean nothing to a budget or a weight)",
                    f"“{excerpt(value)}”不是有限数值；请填写普通数字（无穷大和 NaN 对预算或权重没有意义）",
                )
            return number
        if tag.endswith(":timestamp"):  # a date such as 2026-12-04 stays its text: fields
            return value  # that take a date parse it themselves (no datetime objects)
        self._fail(
            node,
            path,
            f"the YAML tag {tag} is not allowed; only plain values are",
            f"不允许使用 YAML 标签 {tag}；只接受普通值",
        )
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
