"""Shared helpers: example scenarios, variants written to tmp files, the CLI runner."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import procure.documents.report
import procure.recommendation
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


# The examples whose per-example checks of the solver's searches (prices to win, headroom)
# `make test` runs; the others' run with the tests marked slow (`pytest -m slow`, CI): the two
# municipality examples alone took 5-10 times the rest.
QUICK = ("prefecture-binzhou", "county-west", "province-jv-operator")


def quick_examples(quick: tuple[str, ...] = QUICK) -> list[Any]:
    """EXAMPLES as parameters, those not in `quick` marked slow (ids: the examples' names)."""
    return [
        pytest.param(p, id=p.stem, marks=() if p.stem in quick else pytest.mark.slow)
        for p in EXAMPLES
    ]


def example(name: str) -> Path:
    return ROOT / "scenarios" / f"{name}.yaml"


def run(*args: str) -> Any:
    """Run the real CLI in-process; returns typer's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(app, list(args))


# Briefs of the bundled examples, written once per test session by the real CLI and shared by
# every test that reads one (test_language, test_report, test_recommendations, test_route):
# a brief takes seconds, and the suite used to write the same ones several times over. Under
# pytest-xdist the workers share one folder (made by the controller, which removes it at the
# end: `pytest_unconfigure`), so a brief, an analysis or a layout one worker made is read by
# the others instead of made again (each worker used to make most of them itself: about a
# third more CPU than one process); a lock per file makes the others wait while it is made.
_SHARED = "PROCURE_TEST_SHARED"
_INHERITED = os.environ.get(_SHARED, "")
_OWNED = not (_INHERITED and Path(_INHERITED).is_dir())  # else a worker's, or a child's
if _OWNED:  # the controller, or a run without xdist
    _BRIEFS = Path(tempfile.mkdtemp(prefix="procure-test-briefs-"))
    os.environ[_SHARED] = str(_BRIEFS)
else:
    _BRIEFS = Path(_INHERITED)


@contextmanager
def _made_once(path: Path) -> Iterator[bool]:
    """Holds `path`'s lock (across processes); yields whether it still has to be made."""
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield not path.exists()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _keyed(kind: str, key: str) -> Path:
    return _BRIEFS / f"{kind}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"


_ANALYSES: dict[str, Any] = {}
_RECOMMEND = procure.recommendation.recommend


def _shared_recommend(scenario: Scenario, base_dir: Path, **options: Any) -> Any:
    """`recommend`, computed once per scenario, vendors and options in a session. The
    analysis does not depend on the output language or format, so the English and Chinese
    PDF and the JSON brief of one example need it once (it is most of a brief's time)."""
    key = json.dumps(
        [scenario.model_dump(mode="json"), str(base_dir), repr(sorted(options.items()))],
        sort_keys=True,
    )
    if key not in _ANALYSES:
        from procure.recommendation import Recommendation

        stored = _keyed("analysis", key)
        with _made_once(stored) as missing:
            if missing:
                made = _RECOMMEND(scenario, base_dir, **options)
                _write(stored, made.model_dump_json().encode("utf-8"))
        _ANALYSES[key] = Recommendation.model_validate_json(stored.read_bytes())
    return _ANALYSES[key]


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: another worker reads it once the lock is released."""
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    part.replace(path)


@contextmanager
def shared_analysis() -> Iterator[None]:
    """Within it, the CLI's analysis of inputs it has analysed before is reused (the same
    Recommendation: it is computed the same way each time, which
    test_json_is_the_recommendation_and_deterministic and test_verify_passes_on_a_fresh_brief
    check without sharing);
    layout, rendering and writing still run each time."""
    procure.recommendation.recommend = _shared_recommend  # type: ignore[assignment]
    try:
        yield
    finally:
        procure.recommendation.recommend = _RECOMMEND


@cache
def brief_file(name: str, suffix: str, *options: str) -> Path:
    """The bundled example `name`'s brief as `procure brief EXAMPLE -o FILE<suffix> OPTIONS`
    writes it (suffix ".pdf", ".json", ".md", ".html"); made on first use, then shared.
    The briefs of one example share its analysis (`shared_analysis`).
    Read-only: a test that edits a brief works on a copy."""
    out = _BRIEFS / f"{name}{''.join(options)}{suffix}"
    with _made_once(out) as missing:
        if missing:
            with shared_analysis():
                result = run("brief", str(example(name)), "-o", str(out), *options)
            assert result.exit_code == 0, result.stderr
            out.chmod(0o444)
    return out


def brief(name: str, suffix: str, *options: str) -> bytes:
    """The bytes of `brief_file(name, suffix, *options)`."""
    return brief_file(name, suffix, *options).read_bytes()


@cache
def recommendation(name: str) -> Any:
    """The bundled example `name`'s Recommendation as its JSON brief carries it (`brief_file`:
    the analysis the example's PDF briefs share), for tests that read or render it; computing
    it again outside the CLI took 2-12 s an example. Read-only: copy before editing."""
    from procure.recommendation import Recommendation

    return Recommendation.model_validate_json(brief(name, ".json"))


@cache
def brief_text(name: str, *options: str) -> str:
    """The text of the bundled example's PDF brief (`brief_file(name, ".pdf", *options)`) as
    pypdf extracts it, whitespace folded: extracted once a session (0.5-2 s a brief)."""
    import io
    import re

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(brief(name, ".pdf", *options)))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


_LAYOUTS: dict[str, bytes] = {}
_RENDER = procure.documents.report.render


def _shared_render(
    rec: Any,
    fmt: str,
    lang: str,
    template_dir: Path | None = None,
    attach: Sequence[tuple[str, bytes]] = (),
) -> Any:
    """`render` with the bundled templates, computed once per recommendation, format,
    language and attachments in a session (a PDF takes 2-3 s)."""
    if template_dir is not None:  # own templates can change between calls: never shared
        return _RENDER(rec, fmt, lang, template_dir, attach)
    files = [[name, hashlib.sha256(data).hexdigest()] for name, data in attach]
    key = json.dumps([rec.model_dump_json(), fmt, lang, files])
    if key not in _LAYOUTS:
        stored = _keyed("layout", key)
        with _made_once(stored) as missing:
            if missing:
                _write(stored, _RENDER(rec, fmt, lang, None, attach))
        _LAYOUTS[key] = stored.read_bytes()
    return _LAYOUTS[key]


@contextmanager
def shared_layout() -> Iterator[None]:
    """Within it, laying out a recommendation already laid out (same recommendation, format,
    language, attachments; the bundled templates) returns the same bytes without WeasyPrint:
    for tests that check what is done with a layout (`procure verify` comparing a tampered
    PDF with the one it lays out again), not the layout itself. The first layout of each is
    real; that layouts are deterministic is checked without it (test_report's
    test_same_input_same_pdf_text, test_verify's test_verify_passes_on_a_fresh_brief)."""
    procure.documents.report.render = _shared_render  # type: ignore[assignment]
    try:
        yield
    finally:
        procure.documents.report.render = _RENDER


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


def pytest_unconfigure(config: pytest.Config) -> None:
    """The shared folder goes with the process that made it (the controller, after every
    worker has finished; never a worker or a child process, which only use it)."""
    if _OWNED:
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
