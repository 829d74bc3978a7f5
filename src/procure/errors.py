"""Domain errors; the CLI turns them into messages and exit codes, never tracebacks."""

from __future__ import annotations

import errno
from dataclasses import dataclass

MAX_MESSAGE = 400  # characters of one error line's message; longer ones are cut


def excerpt(value: object, limit: int = 60) -> str:
    """A value as short, single-line text for an error message: never a whole file or number."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


_OS_ZH = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "权限不足",
    errno.EPERM: "不允许该操作",
    errno.EISDIR: "这是一个目录",
    errno.ENOTDIR: "路径中有一项不是目录",
    errno.EROFS: "文件系统为只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接层数过多",
}


def os_reason_zh(exc: OSError) -> str:
    """An operating-system error's reason in Chinese (the English one if it is a rare one)."""
    return _OS_ZH.get(exc.errno or 0, exc.strerror or str(exc))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the parser allows."""

    file: str
    message: str
    field: str = ""
    line: int | None = None
    column: int | None = None
    zh: str = ""  # the message in Chinese, for a Chinese terminal
    column_label: str | None = None  # a spreadsheet's column letter, in place of `column`

    def __str__(self) -> str:
        return self.render("en")

    def render(self, lang: str) -> str:
        """file:line:column: field: message, in the language asked for (the location stays
        machine-readable, so editors can jump to it)."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column_label is not None:
                where += f":{self.column_label}"
            elif self.column is not None:
                where += f":{self.column}"
        if lang == "zh" and self.zh:
            field = f" 字段 {excerpt(self.field, 80)}：" if self.field else " "
            return f"{excerpt(where, 200)}:{field}{excerpt(self.zh, MAX_MESSAGE)}"
        field = f" {excerpt(self.field, 80)}:" if self.field else ""
        return f"{excerpt(where, 200)}:{field} {excerpt(self.message, MAX_MESSAGE)}"


class ProcureError(Exception):
    """Base of every error the CLI reports without a traceback; `zh` is the message in
    Chinese, `language` the one the input stated (for the error's reader)."""

    exit_code = 1

    def __init__(self, message: str = "", zh: str = "") -> None:
        super().__init__(message)
        self.zh = zh
        self.language: str | None = None

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" and self.zh else str(self)


class InputError(ProcureError):
    """Bad input: usage, YAML syntax or validation. Exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def text(self, lang: str) -> str:
        return "\n".join(p.render(lang) for p in self.problems)


class InfeasibleError(ProcureError):
    """No award satisfies the constraints. Exit code 3; the message says why."""

    exit_code = 3


class FieldError(ValueError):
    """A validation error about a field below the model that raised it (path is relative)."""

    def __init__(self, path: tuple[str | int, ...], message: str, zh: str = "") -> None:
        self.path = path
        self.zh = zh
        super().__init__(message)
