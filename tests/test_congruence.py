"""Congruence rows (`procure.award.congruence`): two bidders whose amounts differ modulo the fen
prices they can win never split an award exactly 50/50, so they never win alone. Checked
against brute force (every award, evaluated exactly in fen), and on the hard 100x10 case whose
solver award broke the 50% cap by cents until the rows were there."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from procure.advice.assess import assess
from procure.advice.knowledge import knowledge
from procure.award.congruence import obstructed, obstructed_pairs, residues
from procure.award.formulation import ArrayModel, Model
from procure.award.instance import CROSS_LAYERS, Instance, build_instance, evaluate
from procure.award.optimizer import Award, choice_of, solve_exact
from procure.inputs.load import load_inputs

from .conftest import run
from .test_optimizer import MODELS, _vendor, brute_force, feasible_awards

HARD = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "hard-100x10-budget-min"


def lattice_instance(seed: int) -> Instance:
    """A tiny award with a 50% cap whose bidders price in steps of a few fen (12, 48, 300 ...)
    and pay setup fees off those steps: some pairs can never split an award exactly."""
    rng = random.Random(seed)
    systems = [f"s{i}" for i in range(rng.randint(2, 4))]
    vendors = {
        f"v{j}": _vendor(j, rng.random() < 0.7, 100, rng.randint(0, 40) + rng.choice([0, 0.04]))
        for j in range(rng.randint(2, 4))
    }
    step = {v: rng.choice([0.12, 0.48, 3.0, 0.2]) for v in vendors}
    triples, cost, hosting, value = [], {}, {}, {}
    for s in systems:
        for v in vendors:
            for m in rng.sample(MODELS, rng.randint(1, 2)):
                price = round(step[v] * rng.randint(100, 400), 2)
                triples.append((s, v, m))
                cost[(s, v, m)] = hosting[(s, v, m)] = price
                value[(s, v, m)] = float(rng.randint(20, 100))
    layer_options = {layer: sorted(rng.sample(sorted(vendors), 1)) for layer in CROSS_LAYERS}
    layer_cost = {
        (layer, v): round(step[v] * rng.randint(10, 60), 2)
        for layer, vs in layer_options.items()
        for v in vs
    }
    vcpu = {s: float(rng.randint(1, 10)) for s in systems}
    structure = rng.choice(["integrator", "parallel"])
    return Instance(
        structure=structure,
        lead_share=structure == "integrator" and rng.random() < 0.5,
        integrator_systems=[],
        integrator_layers=[],
        systems=systems,
        vcpu=vcpu,
        size={s: vcpu[s] / sum(vcpu.values()) for s in systems},
        vendors=vendors,
        triples=triples,
        cost=cost,
        hosting=hosting,
        value=value,
        layer_options=layer_options,
        layer_cost=layer_cost,
        years=3,
        budget=1e6,
        min_vendors=2,
        max_vendors=rng.randint(2, 3),
        max_share=0.5,
        cost_weight=rng.choice([0.3, 0.6, 0.9]),
        integrator_rate=0.06,
        extra_vendor_cost=float(rng.randint(0, 20)),
    )


SEEDS = range(40)


@pytest.fixture(scope="module")
def cases() -> list[Instance]:
    return [lattice_instance(seed) for seed in SEEDS]


def test_the_residues_are_those_of_every_award(cases: list[Instance]) -> None:
    """Every bidder's amount in every award is its setup fee modulo its step (in fen)."""
    for inst in cases[:10]:
        r = residues(inst)
        for _, ev in itertools.islice(feasible_awards(replace(inst, max_share=1.0)), 200):
            for v, amount in ev.vendor_value.items():
                g, rest = r[v]
                assert round(amount * 100) % g == rest if g else round(amount * 100) == rest


def test_an_obstructed_pair_never_wins_alone_and_the_optimum_is_kept(
    cases: list[Instance],
) -> None:
    """Brute force: no award meeting the rules has an obstructed pair as its only winners, and
    both builds with the rows reach the brute-force optimum. Some pairs are obstructed and some
    are not, or the test would prove nothing."""
    pairs = kept = 0
    for inst in cases:
        obstructed_set = {frozenset(p) for p in obstructed_pairs(inst)}
        pairs += len(obstructed_set)
        kept += len(list(itertools.combinations(inst.vendors, 2))) - len(obstructed_set)
        for _, ev in feasible_awards(inst):
            assert frozenset(ev.used) not in obstructed_set
            assert not obstructed(inst, ev.used)
        expected = brute_force(inst)
        for model in (Model(inst), ArrayModel(inst)):
            status, _ = solve_exact(model)
            if expected is None:
                assert status != "Optimal"
                continue
            assert status == "Optimal"
            ev = evaluate(inst, *model.choice())
            assert not ev.violations
            assert ev.objective == pytest.approx(expected, abs=2e-4 * max(1.0, abs(expected)))
    assert pairs >= 10 and kept >= 10


def test_no_rows_without_a_cap_of_exactly_one_half(cases: list[Instance]) -> None:
    for inst in cases[:10]:
        for cap in (0.6, 0.4999, 1.0):
            assert obstructed_pairs(replace(inst, max_share=cap)) == []
        assert obstructed_pairs(replace(inst, max_vendors=1, min_vendors=1)) == []


def test_the_elastic_model_has_no_congruence_rows(cases: list[Instance]) -> None:
    """The diagnosis relaxes the share rows; the rows follow from them only when they hold."""
    inst = next(i for i in cases if obstructed_pairs(i))
    assert any(r.name.startswith("congruence_") for r in Model(inst).problem.constraints())
    assert not any(
        r.name.startswith("congruence_") for r in Model(inst, elastic=True).problem.constraints()
    )


def test_the_hard_100x10_is_exact_and_proven_through_the_cli(tmp_path: Path) -> None:
    """The reproducer of #29: HiGHS stopped at a 50/50 split between b003 and b005 that broke
    the cap and the lead by 25-50 CNY (their amounts differ by 8 fen modulo 12: no exact split
    exists), and the exact repairs ran to the time limit. Now: an exact award, proven."""
    lp = tmp_path / "award.lp"
    result = run(
        "optimize", str(HARD / "scenario.yaml"), "--json", "--no-extras", "--write-lp", str(lp)
    )
    assert result.exit_code == 0, result.output
    award = Award.model_validate_json(result.stdout)
    assert award.status == "Optimal"
    assert award.gap is not None and award.gap <= 1e-4
    inputs = load_inputs(HARD / "scenario.yaml")
    a = assess(inputs.scenario, inputs.vendors)
    inst = build_instance(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs
    )
    ev = evaluate(inst, *choice_of(award))  # the rules, checked exactly in fen
    assert not ev.violations
    assert ev.objective == pytest.approx(award.objective, abs=1e-6)
    assert sorted(ev.used) != ["b003", "b005"]
    text = lp.read_text(encoding="utf-8")
    assert "row congruence_b003_b005 is not a rule" in text
    assert "congruence_b003_b005:" in text


def four_way_instance() -> Instance:
    """A 25% cap: four winners must take exactly a quarter each. Every bidder prices a system at
    120 CNY (a multiple of 0.12); v1's setup fee of 0.04 CNY leaves it 4 fen off the others
    modulo 12, so no four winners with v1 can split exactly; v0, v2, v3, v4 can."""
    systems = [f"s{i}" for i in range(4)]
    vendors = {f"v{j}": _vendor(j, False, 100, 0.04 if j == 1 else 0.0) for j in range(5)}
    triples = [(s, v, "private") for s in systems for v in vendors]
    cost = {t: 120.0 for t in triples}
    value = {t: float(40 + 10 * int(t[1][1]) + int(t[0][1])) for t in triples}
    vcpu = {s: 2.0 for s in systems}
    return Instance(
        structure="parallel",
        lead_share=False,
        integrator_systems=[],
        integrator_layers=[],
        systems=systems,
        vcpu=vcpu,
        size={s: 0.25 for s in systems},
        vendors=vendors,
        triples=triples,
        cost=cost,
        hosting=dict(cost),
        value=value,
        layer_options={layer: ["v2"] for layer in CROSS_LAYERS},
        layer_cost={(layer, "v2"): 0.0 for layer in CROSS_LAYERS},
        years=3,
        budget=1e6,
        min_vendors=1,
        max_vendors=5,
        max_share=0.25,
        cost_weight=0.3,
        integrator_rate=0.06,
        extra_vendor_cost=0.0,
    )


@pytest.mark.parametrize("kind", [Model, ArrayModel])
def test_a_slipped_award_whose_winners_cannot_split_exactly_rules_them_out(
    kind: type[Model] | type[ArrayModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four winners under a 25% cap (no pair rows: those are for a 50% cap): when the solver's
    answer has winners whose amounts cannot be equal to the fen, the exact check adds the row
    that rules that set out (not a re-split, which keeps the winners) and re-solves; the
    answer is brute force's, and no row of the model is moved."""
    inst = four_way_instance()
    assert obstructed(inst, ["v0", "v1", "v2", "v3"]) and not obstructed(
        inst, ["v0", "v2", "v3", "v4"]
    )
    assert obstructed_pairs(inst) == []
    best = brute_force(inst)
    assert best is not None
    broken = (
        {f"s{i}": (f"v{i}", "private") for i in range(4)},
        {"security": "v2", "ops": "v2"},
        None,
    )
    assert evaluate(inst, *broken).overshoot  # v1 over its quarter by 3 fen
    model = kind(inst)
    real = kind.solve
    calls: list[int] = []

    def first_broken(self: Any, *args: Any, **kw: Any) -> tuple[str, float]:
        calls.append(1)
        status, seconds = real(self, *args, **kw)
        if len(calls) == 1:
            monkeypatch.setattr(self, "choice", lambda: broken)
        else:
            monkeypatch.undo()
        return status, seconds

    monkeypatch.setattr(kind, "solve", first_broken)
    status, _ = solve_exact(model)
    assert status == "Optimal"
    assert model.alone == [["v0", "v1", "v2", "v3"]]
    ev = evaluate(inst, *model.choice())
    assert not ev.violations
    assert ev.objective == pytest.approx(best, abs=1e-6)
    rows = [r.name for r in model.record().constraints()]
    assert "congruence_v0_v1_v2_v3" in rows
