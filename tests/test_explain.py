"""Why each bidder lost: the price to win is checked by re-solving with the bidder's own
prices cut (through its bid, not the explainer's arithmetic) just above and just below it;
a winner's headroom the same way; an ineligible bidder names the rule."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from procure.advice.assess import Assessment, assess
from procure.advice.knowledge import knowledge
from procure.analysis.explain import BidderOutcome, describe, explain
from procure.award.formulation import Model
from procure.award.instance import build_instance
from procure.award.optimizer import Award, optimize
from procure.inputs.load import Inputs, load_inputs
from procure.inputs.vendors import Vendor

from .conftest import example, quick_examples, run

STEP = 0.001  # the check: 0.1 points either side of the reported figure


@cache
def read(path: Path) -> tuple[Inputs, Assessment]:
    """The example's inputs and assessment, read once: every check below re-solves from them."""
    inputs = load_inputs(path)
    return inputs, assess(inputs.scenario, inputs.vendors)


@cache
def explained(path: Path) -> tuple[Award, list[BidderOutcome]]:
    inputs, a = read(path)
    award = optimize(
        inputs.scenario,
        a.deployment,
        a.weights.weights,
        inputs.vendors,
        knowledge().costs,
        extras=False,
    )
    return award, explain(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs, award
    )


def priced(vendor: Vendor, factor: float) -> Vendor:
    """The bid with every price times `factor`: unit prices, layer prices, setup fee."""
    return vendor.model_copy(
        update={
            "prices": {m: p.scaled(factor) for m, p in vendor.prices.items()},
            "layer_prices": {k: v * factor for k, v in vendor.layer_prices.items()},
            "setup_cny": vendor.setup_cny * factor,
        }
    )


def wins(path: Path, award: Award, vid: str, factor: float) -> set[str]:
    inputs, a = read(path)
    vendors = [priced(v, factor) if v.id == vid else v for v in inputs.vendors]
    inst = build_instance(
        inputs.scenario,
        a.deployment,
        a.weights.weights,
        vendors,
        knowledge().costs,
        structure=award.structure,
    )
    model = Model(inst)
    status, _ = model.solve(gap=1e-9)
    assert status == "Optimal"
    assignment, layers, integrator = model.choice()
    got = {s for s, (v, _) in assignment.items() if v == vid}
    got |= {layer for layer, v in layers.items() if v == vid}
    return got | ({"integrator"} if integrator == vid else set())


@pytest.mark.parametrize("path", quick_examples())
def test_every_losers_price_to_win_is_where_it_starts_to_win(path: Path) -> None:
    award, outcomes = explained(path)
    checked = 0
    for o in outcomes:
        if o.outcome != "lost" or o.price_to_win is None:
            continue
        assert wins(path, award, o.vendor, 1 - (o.price_to_win + STEP)), o
        assert not wins(path, award, o.vendor, 1 - (o.price_to_win - STEP)), o
        checked += 1
    assert checked or all(o.outcome != "lost" or o.price_to_win is None for o in outcomes)


@pytest.mark.parametrize("path", quick_examples())
def test_every_winners_headroom_is_where_it_starts_to_lose(path: Path) -> None:
    award, outcomes = explained(path)
    for o in outcomes:
        if o.outcome != "won" or not o.would_lose or o.headroom is None:
            continue
        systems = {s for s in o.won if s in {x.system for x in award.systems}}
        assert systems <= wins(path, award, o.vendor, 1 + o.headroom - STEP), o
        assert not systems <= wins(path, award, o.vendor, 1 + o.headroom + STEP), o


def test_outcomes_cover_every_bidder_and_read_in_both_languages() -> None:
    path = example("prefecture-binzhou")
    award, outcomes = explained(path)
    inputs = load_inputs(path)
    assert [o.vendor for o in outcomes] == [v.id for v in inputs.vendors]
    assert {o.vendor for o in outcomes if o.outcome == "won"} == {v.vendor for v in award.vendors}
    spec = next(o for o in outcomes if o.vendor == "spec-data")  # offers no IaaS at all
    assert spec.outcome == "ineligible"
    names = {str(s.id): s.name for s in inputs.scenario.systems}
    assert "Not in the mix at any price" in describe(spec, names, "en")
    assert "does not offer IaaS" in describe(spec, names, "en")  # the word, not the enum value
    assert "不提供基础设施服务" in describe(spec, names, "zh")
    assert "任何价格下都无法入选" in describe(spec, names, "zh")


def test_an_excluded_bidder_names_the_rule(variant: object) -> None:
    def exclude(d: dict[str, object]) -> None:
        d["procurement"]["exclude_vendors"] = ["cloud-a"]  # type: ignore[index]

    path = variant(exclude)  # type: ignore[operator]
    result = run("explain", str(path), "--vendor", "cloud-a", "--json")
    assert result.exit_code == 0, result.stderr
    (only,) = __import__("json").loads(result.stdout)
    assert only["outcome"] == "ineligible"
    assert "excluded by the buyer" in only["ineligible"][0]["en"]
    assert run("explain", str(path), "--vendor", "nobody").exit_code == 2


def test_explain_cli_in_chinese_names_bidders_and_systems() -> None:
    path = example("county-joins-prefecture")
    result = run("explain", str(path))
    assert result.exit_code == 0, result.stderr
    assert "电信运营商甲" in result.stdout and "入选" in result.stdout
    assert "中标" not in result.stdout and "投标" not in result.stdout
    assert "telecom-a" not in result.stdout


def test_prices_to_win_take_few_re_solves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-solves go where the two bracketing awards' exact scores meet (`_crossing`), so
    the prefecture example's twelve bidders take 58 re-solves (65 when the two either side
    of a crossing left a bracket a rounding error over the tolerance and a third halved it,
    103 when the crossing was a straight line through the bracket's ends, 188 by halving);
    the figures themselves are checked against re-solves above."""
    import procure.analysis.explain as module

    inputs, a = read(example("prefecture-binzhou"))
    award = explained(example("prefecture-binzhou"))[0]  # before counting
    calls: list[float] = []
    real = module._won

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(float(args[2]))  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_won", counted)
    explain(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs, award
    )
    assert len(calls) <= 60


def test_the_crossing_is_where_the_two_scores_meet() -> None:
    """`_crossing` on a loser of the prefecture example: between the award and the one the
    loser wins at 99.9% off, the scores (exact, by `evaluate`) change order at the point
    found, to within a hundredth of the search's tolerance."""
    from procure.analysis.explain import MAX_CUT, TOLERANCE, _crossing, _score, _won
    from procure.award.optimizer import choice_of

    path = example("prefecture-binzhou")
    inputs, a = read(path)
    award, outcomes = explained(path)
    inst = build_instance(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs
    )
    checked = 0
    for o in outcomes:
        if o.outcome != "lost" or o.price_to_win is None:
            continue
        top = _won(inst, o.vendor, 1 - MAX_CUT, "highs", None)
        assert top is not None
        base = choice_of(award)
        at = _crossing(inst, o.vendor, -1, base, top[1], 0.0, MAX_CUT)
        assert at is not None and 0 < at < MAX_CUT
        below, above = at - TOLERANCE / 100, at + TOLERANCE / 100
        assert _score(inst, o.vendor, 1 - below, base) >= _score(inst, o.vendor, 1 - below, top[1])
        assert _score(inst, o.vendor, 1 - above, base) <= _score(inst, o.vendor, 1 - above, top[1])
        checked += 1
    assert checked >= 3


def test_searches_past_the_size_are_skipped_up_front_and_said_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Past EXPLAIN_NONZEROS (mocked down to the prefecture example's own award) no search is
    started: every bidder that would be searched is marked skipped with its outcome and no
    figure, an ineligible one keeps its rules, and the brief says why once, in the award's
    cautions (English, and Chinese without a Latin letter). One below it, they are searched."""
    from procure.analysis import explain as explained_module

    path = example("prefecture-binzhou")
    award, searched = explained(path)
    monkeypatch.setattr(explained_module, "EXPLAIN_NONZEROS", award.nonzeros + 1)
    assert award.nonzeros > 0 and not explained_module.too_large(award)
    monkeypatch.setattr(explained_module, "EXPLAIN_NONZEROS", award.nonzeros)
    assert explained_module.too_large(award)

    def no_search(*_: object, **__: object) -> None:
        raise AssertionError("a search was started past the size")

    monkeypatch.setattr(explained_module, "_won", no_search)
    inputs, a = read(path)
    skipped = explain(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs, award
    )
    assert [o.vendor for o in skipped] == [o.vendor for o in searched]
    names = {str(s.id): s.name for s in inputs.scenario.systems}
    for now, before in zip(skipped, searched, strict=True):
        assert now.outcome == before.outcome and now.ineligible == before.ineligible
        assert now.won == before.won
        assert now.skipped == (before.outcome != "ineligible")
        assert now.price_to_win is None and now.headroom is None and not now.unknown
        if now.outcome == "lost":
            assert describe(now, names, "en") == "Not computed (see the cautions)."
            zh = describe(now, names, "zh")
            assert "未计算" in zh and not re.search(r"[A-Za-z]", zh)
    assert any(o.outcome == "lost" for o in skipped)

    out = tmp_path / "brief.json"
    result = run("brief", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rec = json.loads(out.read_text(encoding="utf-8"))
    said = [c for c in rec["award"]["cautions"] if "cut to enter the mix" in c["en"]]
    assert len(said) == 1 and f"{award.nonzeros:,}" in said[0]["en"]
    assert "未计算" in said[0]["zh"] and not re.search(r"[A-Za-z]", said[0]["zh"])
    assert all(o["skipped"] for o in rec["bidders"] if o["outcome"] != "ineligible")
