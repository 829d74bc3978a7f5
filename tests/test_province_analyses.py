"""The analyses around an award at a province's size (#25): past the size from which every
solve is a shortened search (`optimizer.HEURISTIC_NONZEROS`, mocked down here so that a
bundled example takes that path), `procure sensitivity` and the what-if page's robustness
margin start no re-solve of the award (each would come back unknown) and say why once, in
both languages; below it they re-solve as before."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from procure.award import optimizer

from .conftest import run

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "prefecture-binzhou.yaml"
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every award solve (`optimizer.optimize`) from now on, by its options."""
    calls: list[dict[str, Any]] = []
    real = optimizer.optimize

    def counted(*args: Any, **options: Any) -> Any:
        calls.append(options)
        return real(*args, **options)

    monkeypatch.setattr(optimizer, "optimize", counted)
    return calls


def _sensitivity(*more: str) -> Any:
    result = run("sensitivity", str(SCENARIO), "--draws", "200", "--award-draws", "4", *more)
    assert result.exit_code == 0, result.output
    return result


def test_below_the_size_the_award_is_re_solved(solves: list[dict[str, Any]]) -> None:
    out = json.loads(_sensitivity("--json").stdout)
    assert len(solves) > 1  # the award, then its re-solves
    assert any(c["award_interval"] is not None for c in out["criteria"])
    assert "too large" not in json.dumps(out)


def test_past_the_size_sensitivity_starts_no_re_solve_and_says_why_once(
    solves: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(optimizer, "HEURISTIC_NONZEROS", 1)
    out = json.loads(_sensitivity("--json").stdout)
    assert len(solves) == 1  # the award itself, none of its re-solves
    assert out["acceptability"]["award_draws"] == 0 and out["acceptability"]["draws"] == 200
    assert out["acceptability"]["first_rank"]  # what needs no re-solve is still given
    for c in out["criteria"]:
        assert c["award_interval"] is None
        assert "not tested on a tender this large" in c["verdict"]["en"]
        assert "采购规模过大" in c["verdict"]["zh"] and not LATIN.search(c["verdict"]["zh"])
    note = out["budget_note"]
    assert note["en"].count("Not tested for a tender this large") == 1
    assert note["zh"].count("本次采购规模过大") == 1 and not LATIN.search(note["zh"])
    zh = _sensitivity("--lang", "zh").stdout
    assert zh.count("本次采购规模过大") == 1  # the terminal says it once too
    assert "Not tested" not in zh


def test_past_the_size_the_page_s_robustness_starts_no_re_solve(
    solves: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from procure.inputs.load import load_inputs
    from procure.serve import compute

    inputs = load_inputs(SCENARIO)
    award = optimizer.optimize(*_award_args(inputs), extras=False)
    shown = compute.robustness(inputs, award, "en")
    assert shown["rows"] and len(solves) > 1  # below the size: intervals, by re-solves
    monkeypatch.setattr(optimizer, "HEURISTIC_NONZEROS", 1)
    solves.clear()
    for lang, words in (("en", "Not tested for a tender this large"), ("zh", "采购规模过大")):
        shown = compute.robustness(inputs, award, lang)
        assert not solves and not shown["rows"] and words in shown["margin"]
    assert not LATIN.search(compute.robustness(inputs, award, "zh")["margin"])


def _award_args(inputs: Any) -> tuple[Any, ...]:
    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge

    a = assess(inputs.scenario, inputs.vendors)
    return inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs
