"""procure: decision support for government-cloud (政务云) procurement."""

from __future__ import annotations

import re
from importlib import metadata, resources

BUILD = "BUILD"  # the source commit, written into a wheel when it is built (hatch_build.py)


def tool_version(installed: str | None, commit: str | None) -> str:
    """The version a brief records: the installed distribution's (its metadata), with the
    source commit it was built from when the build recorded one ('0.1.0+g1a2b3c4d5e6f'); the
    version alone for an editable install, whose tree may have moved on since (git is never
    run here); '0+unknown' when the package is not installed at all (run from a bare tree)."""
    version = installed or "0+unknown"
    commit = (commit or "").strip().lower()
    if re.fullmatch(r"[0-9a-f]{7,40}", commit) and "+" not in version:
        version += f"+g{commit[:12]}"
    return version


def _installed() -> str | None:
    try:
        return metadata.version("procure")
    except metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    try:
        return resources.files("procure").joinpath(BUILD).read_text(encoding="ascii")[:100]
    except (OSError, UnicodeDecodeError):
        return None


__version__ = tool_version(_installed(), _commit())
