"""Writing output files safely: check first, write beside, then rename.

An output path is refused unless it is absent or an ordinary file: a device, FIFO, socket,
directory or symlink at the path is never replaced (as root, `-o /dev/null` would otherwise
swap the device for a file), and neither is any input of the same run. `-` is standard
output, for text formats only: a binary format (BINARY_FORMATS) there is refused, by every
command alike, before any work.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from procure.errors import InputError, Problem, os_reason_zh

STDOUT = "-"
BINARY_FORMATS = {"pdf": "brief.pdf", "xlsx": "bids.xlsx"}  # format -> an example file name


def _refuse(path: Path, message: str, zh: str) -> InputError:
    return InputError([Problem(str(path), message, zh=zh)])


def check_stdout(path: Path, fmt: str) -> None:
    """Refuse `-o -` for a binary format: it would garble a terminal, and a pipe is better
    served by a file."""
    if str(path) == STDOUT and fmt.lower() in BINARY_FORMATS:
        example = BINARY_FORMATS[fmt.lower()]
        raise InputError(
            [
                Problem(
                    STDOUT,
                    f"{fmt.upper()} is a binary format and is not written to standard output; "
                    f"write it to a file (-o {example}), or choose a text format",
                    field="--output",
                    zh=f"{fmt.upper()} 是二进制格式，不写到标准输出；请写入文件（-o {example}），"
                    "或选择文本格式",
                )
            ]
        )


def check_output(path: Path, inputs: Iterable[Path] = (), fmt: str = "") -> None:
    """Fail early, before any work, when `path` may not or cannot be written; leaves nothing.
    `fmt`: what will be written there (pdf, xlsx, json, ...), for `-` (check_stdout)."""
    if str(path) == STDOUT:
        check_stdout(path, fmt)
        return
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        raise _refuse(
            path,
            f"cannot check the output path: {exc.strerror}",
            f"无法检查输出路径：{os_reason_zh(exc)}",
        ) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(
                path,
                "is a directory; give a file name, e.g. brief.pdf",
                "这是一个目录；请给出文件名，例如 brief.pdf",
            )
        if stat.S_ISLNK(info.st_mode):
            raise _refuse(
                path,
                "is a symbolic link; procure never writes through one. "
                "Give the path of an ordinary file",
                "这是一个符号链接；procure 从不通过符号链接写入。请给出普通文件的路径",
            )
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(
                path,
                "is not an ordinary file (a device, FIFO or socket); "
                "give the path of an ordinary file",
                "这不是普通文件（而是设备、管道或套接字）；请给出普通文件的路径",
            )
        for source in inputs:
            if str(source) != "-" and source.exists() and os.path.samefile(path, source):
                raise _refuse(
                    path,
                    f"is an input of this run ({source}); choose another output file",
                    f"这是本次运行的输入文件（{source}）；请另选输出文件",
                )
    existing = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("/"))
    try:  # the only honest test is to try: create and remove a scratch directory there
        os.rmdir(tempfile.mkdtemp(prefix=".procure-check-", dir=existing))
    except OSError as exc:
        raise _refuse(
            path,
            f"cannot write under {existing}: {exc.strerror}; choose another -o/--output",
            f"无法在 {existing} 下写入：{os_reason_zh(exc)}；请另选 -o/--output",
        ) from None


def write_atomic(path: Path, payload: bytes, inputs: Iterable[Path] = (), fmt: str = "") -> None:
    """Write beside `path` then rename, so a failure never leaves a partial or clobbered file.
    `-` writes to standard output, a text format only (`fmt`, as for check_output)."""
    if str(path) == STDOUT:
        check_stdout(path, fmt)
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    check_output(path, inputs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise _refuse(
            path, f"cannot write: {exc.strerror}", f"无法写入：{os_reason_zh(exc)}"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
