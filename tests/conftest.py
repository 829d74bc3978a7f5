"""Shared helpers: example scenarios, variants written to tmp files, the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from procure.cli import app
from procure.inputs.load import load_scenario
from procure.inputs.scenario import Scenario
from procure.inputs.yamlio import dump_yaml, read_yaml

# The output language falls back to the locale's: the tests expect English unless they ask,
# whatever the machine's locale (tests of the fallback set these themselves).
for _var in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"
os.environ.setdefault("SOURCE_DATE_EPOCH", "1764374400")  # briefs dated 2025-11-29: same JSON

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "scenarios").glob("*.yaml"))
PREFECTURE = ROOT / "scenarios" / "prefecture-binzhou.yaml"


def example(name: str) -> Path:
    return ROOT / "scenarios" / f"{name}.yaml"


def run(*args: str) -> Any:
    """Run the real CLI in-process; returns typer's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def variant(tmp_path: Path) -> Callable[..., Path]:
    """Write a copy of an example with edits applied by a function on its plain data."""

    def make(
        edit: Callable[[dict[str, Any]], None], base: Path = PREFECTURE, name: str = "variant.yaml"
    ) -> Path:
        data = read_yaml(base).data
        edit(data)
        out = tmp_path / name
        out.write_text(dump_yaml(data), encoding="utf-8")
        return out

    return make


def load(name: str) -> Scenario:
    return load_scenario(example(name))
