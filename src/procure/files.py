"""Writing output files safely: check first, write beside, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from procure.errors import InputError, Problem


def check_writable(path: Path) -> None:
    """Fail early, before any work, when `path` cannot be written; leaves nothing behind."""
    if path.is_dir():
        raise InputError([Problem(str(path), "is a directory; give a file name, e.g. brief.pdf")])
    existing = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("/"))
    try:  # the only honest test is to try: create and remove a scratch directory there
        os.rmdir(tempfile.mkdtemp(prefix=".procure-check-", dir=existing))
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"cannot write under {existing}: {exc.strerror}; choose another -o/--output",
                )
            ]
        ) from None


def write_atomic(path: Path, payload: bytes) -> None:
    """Write beside `path` then rename, so a failure never leaves a partial or clobbered file."""
    check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot write: {exc.strerror}")]) from None
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
