"""Shared helpers: example scenarios, variants written to tmp files, the CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
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


# Briefs of the bundled examples, written once per test session by the real CLI and shared by
# every test that reads one (test_language, test_report, test_recommendations, test_route):
# a brief takes seconds, and the suite used to write the same ones several times over.
_BRIEFS = Path(tempfile.mkdtemp(prefix="procure-test-briefs-"))


@cache
def brief_file(name: str, suffix: str, *options: str) -> Path:
    """The bundled example `name`'s brief as `procure brief EXAMPLE -o FILE<suffix> OPTIONS`
    writes it (suffix ".pdf", ".json", ".md", ".html"); made on first use, then shared.
    Read-only: a test that edits a brief works on a copy."""
    out = _BRIEFS / f"{name}{''.join(options)}{suffix}"
    result = run("brief", str(example(name)), "-o", str(out), *options)
    assert result.exit_code == 0, result.stderr
    out.chmod(0o444)
    return out


def brief(name: str, suffix: str, *options: str) -> bytes:
    """The bytes of `brief_file(name, suffix, *options)`."""
    return brief_file(name, suffix, *options).read_bytes()


@cache
def cli_stdout(*args: str) -> str:
    """What a read-only command on a bundled example (`optimize --json EXAMPLE`, ...) prints:
    run once per session and shared."""
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def cli_json(*args: str) -> Any:
    """`cli_stdout(*args)` parsed: each caller gets its own copy to read."""
    return json.loads(cli_stdout(*args))


@pytest.fixture(scope="session", autouse=True)
def _remove_shared_briefs() -> Iterator[None]:
    yield
    shutil.rmtree(_BRIEFS, ignore_errors=True)


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
