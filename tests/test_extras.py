"""The extras (what each rule costs, the next-best mixes, the cost/value frontier) at the
looser gap they are proven to on large models (`optimizer.EXTRA_GAP`), started from the award,
against brute force on small instances; the gap said in every output; the extras skipped on a
model past `optimizer.EXTRAS_NONZEROS` (the threshold mocked, not a province built)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procure.award import optimizer
from procure.award.formulation import ArrayModel, Choice
from procure.award.instance import Instance, cost_reference, evaluate, score
from procure.award.optimizer import (
    EXTRA_GAP,
    Award,
    _resolve,
    alternatives,
    frontier,
    solve_exact,
)

from .conftest import example, run
from .test_optimizer import brute_force, feasible_awards, instances
from .test_stage_words import CHINESE, ENGLISH

GAP = EXTRA_GAP


def _award(inst: Instance) -> tuple[ArrayModel, Choice] | None:
    model = ArrayModel(inst)
    status, _ = solve_exact(model)
    if status != "Optimal":
        return None
    return model, model.choice()


RELAXED = {  # a rule dropped, as `rule_costs` drops it
    "vendor_count": lambda i: replace(i, min_vendors=1, max_vendors=len(i.vendors)),
    "share_cap": lambda i: replace(i, max_share=1.0),
    "lead_share": lambda i: replace(i, lead_share=False),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances(), rule=st.sampled_from(sorted(RELAXED)))
def test_a_rule_cost_at_the_gap_is_within_it_of_the_exact_one(inst: Instance, rule: str) -> None:
    """Re-solved from the award at EXTRA_GAP: the award found without the rule scores within
    the gap of the best one (brute force); said to be distinguishable only where the best
    award without the rule really beats the award, and not distinguishable only where it
    beats it by no more than about twice the gap."""
    inst = replace(inst, lead_share=True)
    solved = _award(inst)
    if solved is None:
        return
    _, award = solved
    relaxed = RELAXED[rule](inst)
    best = brute_force(relaxed)
    assert best is not None  # the award meets every rule left
    result = _resolve(relaxed, "highs", award, 10.0, GAP)
    assert not isinstance(result, str), result
    cost, value, beats = result
    found = score(value, cost, cost_reference(relaxed), relaxed.cost_weight)
    scale = max(abs(best), 1e-9)
    assert best - GAP * scale - 1e-9 <= found <= best + 1e-9
    kept = evaluate(relaxed, *award).objective  # the award, scored without the rule
    if beats:
        assert best > kept + GAP * scale * 0.99
    else:
        assert best - kept <= 2.01 * GAP * max(abs(best), abs(kept)) + 1e-9


def _distinct_best(inst: Instance, listed: list[dict[str, tuple[str, str]]]) -> float:
    """The best score of an award whose placements differ from every listed one's."""
    return max(
        ev.objective for (a, _, _), ev in feasible_awards(inst) if all(a != x for x in listed)
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances(), gap=st.sampled_from([GAP, 1e-4]))
def test_next_best_mixes_are_within_the_gap_of_the_brute_force_ones(
    inst: Instance, gap: float
) -> None:
    """Each alternative meets every rule, differs in its placements from the award and the
    earlier ones, and scores within `gap` of the best award that does (brute force), whether
    it was solved or proven by the award's bound without a solve (`_neighbour`)."""
    solved = _award(inst)
    if solved is None:
        return
    model, award = solved
    listed = [award[0]]
    out = alternatives(model, award, "highs", count=3, gap=gap)
    for alt in out:
        assignment = {s: tuple(x.split("/")) for s, x in alt.assignment.items()}
        best = _distinct_best(inst, listed)
        assert assignment not in listed
        same = [ev for c, ev in feasible_awards(inst) if c[0] == assignment]  # meets the rules
        assert any(
            alt.total_cost_cny == pytest.approx(ev.total_cost, abs=0.01)
            and alt.objective == pytest.approx(ev.objective, abs=1e-6)
            for ev in same
        )
        assert alt.objective >= best - gap * max(abs(best), 1e-9) - 1e-6
        listed.append(assignment)  # type: ignore[arg-type]
    distinct = {tuple(sorted(a.items())) for a, _, _ in (c for c, _ in feasible_awards(inst))}
    assert len(out) == min(3, len(distinct) - 1)  # the list ends only where the awards do


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances())
def test_the_frontier_at_the_gap_is_complete_within_it(inst: Instance) -> None:
    """From the award and at EXTRA_GAP: for every weight on cost the best award scores at most
    a few gaps better than the best frontier point, and no award beats a point on both cost
    and value by more than the gap allows (brute force)."""
    solved = _award(inst)
    awards = [ev for _, ev in feasible_awards(inst)]
    points = frontier(inst, "highs", points=50, start=solved[1] if solved else None, gap=GAP)
    if not awards:
        assert points == []
        return
    ref = cost_reference(inst)
    for w in [k / 100 for k in range(101)]:
        best = max(score(ev.value, ev.total_cost, ref, w) for ev in awards)
        ours = max(score(p.value, p.total_cost_cny, ref, w) for p in points)
        assert ours >= best - 3 * GAP * max(abs(best), 1.0) - 1e-5, w
    for p in points:
        assert not [
            ev
            for ev in awards
            if ev.total_cost < p.total_cost_cny - 2 * GAP * ref
            and ev.value > p.value + 2 * GAP * 100
        ]
    costs = [p.total_cost_cny for p in points]
    assert costs == sorted(costs)


@pytest.fixture(scope="module")
def loose() -> dict[str, Any]:
    """county-west's extras at EXTRA_GAP (every model counted as large), in JSON and in the
    terminal, en and zh."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optimizer, "LOOSE_PLACEMENTS", 0)
        path = str(example("county-west"))
        out = {"json": json.loads(run("optimize", path, "--json").stdout)}
        for lang in ("en", "zh"):
            out[lang] = run("optimize", path, "--lang", lang).stdout
    return out


def test_the_extras_gap_is_said_and_costs_within_it_are_not_figures(loose: dict[str, Any]) -> None:
    award = loose["json"]
    assert award["extras_gap"] == EXTRA_GAP and award["gap"] is not None
    within = [r for r in award["rule_costs"] if not r["distinguishable"]]
    assert within, award["rule_costs"]  # its rules cost nothing: none told apart from that
    assert all(r["delta_cost_cny"] is None and r["delta_value"] is None for r in within)
    assert all(r["feasible"] for r in within)
    en, zh = (" ".join(loose[lang].split()) for lang in ("en", "zh"))  # the terminal wraps
    assert "no cost distinguishable within 0.50%" in en
    assert "无法区分" in zh and "0.50%" in zh
    assert not ENGLISH.search(en) and not CHINESE.search(zh)  # the words of the stage (#24)


def test_the_extras_gap_is_said_in_the_brief(loose: dict[str, Any], tmp_path: Any) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optimizer, "LOOSE_PLACEMENTS", 0)
        for lang in ("en", "zh"):
            out = tmp_path / f"brief-{lang}.md"
            result = run("brief", str(example("county-west")), "-o", str(out), "--lang", lang)
            assert result.exit_code == 0, result.stderr
            text = out.read_text(encoding="utf-8")
            assert "0.50%" in text
            assert ("not distinguishable" if lang == "en" else "无法区分") in text


def test_small_models_keep_their_extras_exact() -> None:
    """Below LOOSE_PLACEMENTS the extras are solved at the award's own gap, as before."""
    award = Award.model_validate_json(
        run("optimize", str(example("municipality-parallel")), "--json").stdout
    )
    assert award.extras_gap == 1e-4
    assert all(r.distinguishable and r.delta_cost_cny is not None for r in award.rule_costs)
    share = next(r for r in award.rule_costs if r.rule == "share_cap")
    assert share.delta_cost_cny is not None and share.delta_cost_cny > 1e6


def test_a_rule_that_leaves_the_model_unchanged_costs_nothing_without_a_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """county-west's assessment is only preferred: dropping it leaves the same model, so its
    cost is exactly nothing, and no re-solve is run for it."""
    solved: list[Instance] = []
    inner = optimizer._resolve

    def spy(inst: Instance, *args: Any) -> Any:
        solved.append(inst)
        return inner(inst, *args)

    monkeypatch.setattr(optimizer, "_resolve", spy)
    award = json.loads(run("optimize", str(example("county-west")), "--json").stdout)
    rule = next(r for r in award["rule_costs"] if r["rule"] == "security_assessment")
    assert rule["delta_cost_cny"] == 0.0 and rule["delta_value"] == 0.0
    assert len(solved) == len(award["rule_costs"]) - 1


def test_rule_costs_are_those_of_the_structure_asked_for() -> None:
    """--structure parallel on an integrator tender: no integrator rule is priced (there is
    no integrator), and the rules are dropped from the parallel award's model."""
    path = str(example("county-west"))
    award = json.loads(run("optimize", path, "--json", "--structure", "parallel").stdout)
    assert award["structure"] == "parallel"
    rules = {r["rule"] for r in award["rule_costs"]}
    assert rules and not rules & {"lead_share", "mlps4_with_integrator", "security_with_integrator"}


def test_extras_on_a_model_past_the_size_are_skipped_and_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(optimizer, "EXTRAS_NONZEROS", 10)
    called: list[str] = []
    monkeypatch.setattr(optimizer, "_resolve", lambda *args: called.append("x") or "Optimal")
    result = run("optimize", str(example("county-west")), "--json")
    assert result.exit_code == 0, result.stderr
    award = Award.model_validate_json(result.stdout)
    assert not award.rule_costs and not award.alternatives and not award.frontier
    assert award.extras_gap is None and called == []
    said = [c for c in award.cautions if "Not computed for a tender this large" in c.en]
    assert len(said) == 1 and "10 s" in said[0].en
    assert "未计算" in said[0].zh and not re.search(r"[A-Za-z]", said[0].zh)
    assert not ENGLISH.search(said[0].en) and not CHINESE.search(said[0].zh)  # #24's words
    zh = run("optimize", str(example("county-west")), "--lang", "zh")
    assert zh.exit_code == 0 and "本次采购规模过大" in zh.stdout


@pytest.mark.parametrize("name", ["prefecture-binzhou", "province-jv-operator"])
def test_rule_costs_from_the_awards_model_are_those_from_the_scenario(name: str) -> None:
    """Each rule dropped from the award's own instance and arrays (`without_rule`,
    `ArrayModel.variant`) costs what it costs when its model is built from the scenario:
    the same figures, rule for rule (province-jv-operator builds none of its seven models,
    the prefecture one of six)."""
    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.instance import build_instance
    from procure.inputs.load import load_inputs

    inputs = load_inputs(example(name))
    s, catalog = inputs.scenario, inputs.vendors
    a = assess(s, catalog)
    args = (s, a.deployment, a.weights.weights, catalog, knowledge().costs)
    model = ArrayModel(build_instance(*args))
    status, seconds = solve_exact(model)
    assert status == "Optimal"
    award = optimizer._award(model, s, status, "highs", seconds)
    built = optimizer.rule_costs(*args, award, "highs")
    reused = optimizer.rule_costs(*args, award, "highs", model=model)
    assert len(built) >= 6 and all(isinstance(c, optimizer.RuleCost) for c in built)
    assert [c.model_dump() for c in reused] == [c.model_dump() for c in built]  # type: ignore[union-attr]
