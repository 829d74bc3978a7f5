"""Writing output files safely."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, payload: bytes) -> None:
    """Write beside `path` then rename, so a failure never leaves a partial or clobbered file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
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
