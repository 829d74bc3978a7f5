"""A build hook: a wheel records the commit it was built from (procure/BUILD), so that a brief
made with it says which source made it (`procure.tool_version`). Run at build time only, never
when procure runs; an editable install and a tree without git record none."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def source_commit(root: Path) -> str | None:
    """The checkout's commit, or None (no git, not a checkout, or it does not answer)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


class CommitHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        commit = source_commit(Path(self.root))
        if commit is None:
            return
        out = Path(tempfile.mkdtemp(prefix="procure-build-")) / "BUILD"
        out.write_text(commit + "\n", encoding="ascii")
        build_data["force_include"][str(out)] = "procure/BUILD"
