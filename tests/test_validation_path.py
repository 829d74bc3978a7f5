"""One validation path: what `procure validate` accepts, no later command refuses (exit 2) or
fails on (exit 1); and the loader and the published JSON Schema agree on every field's type
and range."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from procure.errors import InfeasibleError, InputError
from procure.inputs.load import load_inputs
from procure.inputs.scenario import Scenario
from procure.inputs.yamlio import dump_yaml, read_yaml

from .conftest import ROOT, run

BASE = read_yaml(ROOT / "tests" / "data" / "hardening" / "base.yaml").data

# field -> values worth trying there: edges of the ranges, wrong types, quoted numbers
NUMBERS = [0, 1, -1, 0.5, 2, 3, 4, 5, 12, 1e-9, 1e6, 1e9, 1e13, 2e13, 10**19]
WRONG = ["0.3", "12", "", True, None, [], {}, "x" * 201]
FIELDS: dict[tuple[str | int, ...], list[Any]] = {
    ("agency", "tech_staff"): NUMBERS + WRONG,
    ("agency", "annual_it_budget_cny"): NUMBERS + WRONG,
    ("agency", "legacy_share"): NUMBERS + WRONG,
    ("agency", "level"): ["county", "province", "village", 3, *WRONG],
    ("agency", "name"): ["局", "A" * 200, *WRONG],
    ("systems", 0, "vcpu"): NUMBERS + WRONG,
    ("systems", 0, "memory_gb"): NUMBERS + WRONG,
    ("systems", 0, "storage_tb"): NUMBERS + WRONG,
    ("systems", 0, "mlps_level"): NUMBERS + WRONG,
    ("systems", 0, "public_facing"): [True, False, "yes", 1, None],
    ("procurement", "budget_cny"): NUMBERS + WRONG,
    ("procurement", "contract_years"): NUMBERS + WRONG,
    ("procurement", "max_vendor_share"): NUMBERS + WRONG,
    ("procurement", "max_vendors"): NUMBERS + WRONG,
    ("criteria", "weights", "cost"): NUMBERS + WRONG,
    ("partnership",): [{"discount_rate": x} for x in [0, 0.04, 0.31, -0.1, "0.04", None]],
}


def edited(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[path[-1]] = value
    return data


def schema_accepts(data: dict[str, Any]) -> bool:
    try:
        jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError:
        return False
    return True


def loader_accepts(data: dict[str, Any]) -> bool:
    try:
        Scenario.model_validate(data)
    except ValueError:
        return False
    return True


SCHEMA = json.loads(run("schema").stdout)
CASES = [(path, value) for path, values in FIELDS.items() for value in values]


@pytest.mark.parametrize(("path", "value"), CASES, ids=[f"{p[-1]}={v!r}"[:40] for p, v in CASES])
def test_loader_and_json_schema_agree(path: tuple[str | int, ...], value: Any) -> None:
    """A quoted number, a value out of range or of the wrong type: both refuse it or both
    accept it (cross-field rules, such as min_vendors <= max_vendors, are the loader's alone
    and are not exercised here)."""
    data = edited(path, value)
    assert loader_accepts(data) == schema_accepts(data), (path, value)


# --- the property: validate ok => assess, optimize and the JSON brief never exit 1 or 2 ---

LOW_MED_HIGH = st.sampled_from(["low", "medium", "high"])
AMOUNT = st.one_of(st.sampled_from([0.0, 1.0, 1e13, 1e9]), st.floats(0, 1e10, allow_nan=False))


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Scenarios at and around every range's edge, valid or not, hostile where it can be."""
    systems = []
    for i in range(draw(st.integers(1, 4))):
        systems.append(
            {
                "name": draw(st.sampled_from(["门户", "Portal", "A&B <x>", "数据|平台"])) + str(i),
                "sensitivity": draw(LOW_MED_HIGH),
                "mlps_level": draw(st.sampled_from([1, 2, 2, 3, 3, 4, 4] * 2 + [5])),
                "public_facing": draw(st.booleans()),
                "vcpu": draw(
                    st.sampled_from([1e-6, 1.0, 64.0, 64.0, 640.0, 640.0, 1e5, 1e7] * 2 + [2e7])
                ),
                "memory_gb": draw(st.sampled_from([0.0, 256.0, 1e8, 1e6])),
                "storage_tb": draw(st.sampled_from([0.0, 10.0, 1e7, 1e3])),
                "elasticity": draw(LOW_MED_HIGH),
                "legacy": draw(st.booleans()),
                "layers": draw(st.sampled_from([["iaas"], ["iaas", "paas"], ["saas"]])),
            }
        )
    weights = {
        c: draw(st.sampled_from([0.0, 0.1, 0.35, 1.0, 1e6, 1e-12]))
        for c in ("security", "flexibility", "scalability", "cost")
    }
    max_vendors = draw(st.integers(1, 5))
    data = copy.deepcopy(BASE)
    data["systems"] = systems
    data["criteria"] = {"weights": weights}
    data["agency"].update(
        level=draw(st.sampled_from(["central", "province", "prefecture", "county"])),
        tech_staff=draw(st.sampled_from([0, 1, 12, 100_000])),
        annual_it_budget_cny=draw(AMOUNT),
        leadership=draw(st.sampled_from(["top", "senior", "department", "none"])),
        legacy_share=draw(st.sampled_from([0.0, 0.4, 1.0])),
        strategic_partner=draw(st.booleans()),
    )
    data["procurement"] = {
        "budget_cny": draw(st.sampled_from([1.0, 9e7, 9e7, 1e9, 1e12, 1e13])),
        "contract_years": draw(st.integers(1, 15)),
        "min_vendors": draw(st.integers(1, min(max_vendors, 2))),
        "max_vendors": max_vendors,
        "max_vendor_share": draw(st.sampled_from([0.34, 0.5, 0.6, 0.7, 1.0, 1.0])),
        "domestic_stack": draw(st.sampled_from(["required", "preferred", "any"])),
        "exclude_vendors": draw(st.sampled_from([[], ["cloud-a"], ["infra-a", "telecom-a"]])),
    }
    if draw(st.booleans()):
        data["procurement"].update(
            expansion=True,
            incumbent=draw(st.sampled_from(["cloud-a", "telecom-b", "nobody"])),
            original_contract_cny=draw(st.sampled_from([1e6, 1e9])),
        )
    return data


def _run_all(data: dict[str, Any], tmp: Path, brief: bool) -> None:
    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.optimizer import optimize
    from procure.documents.report import render
    from procure.recommendation import recommend

    path = tmp / "s.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    try:
        inputs = load_inputs(path)
    except InputError:
        event("refused by validate")
        return  # refused by validate: nothing more to check
    s, vendors = inputs.scenario, inputs.vendors
    a = assess(s, vendors)  # any exception here fails the test (exit 1 or 2 after validate)
    try:
        optimize(s, a.deployment, a.weights.weights, vendors, knowledge().costs, extras=False)
    except InfeasibleError:
        event("valid, infeasible")
        return  # exit 3 is a correct answer
    event("valid, awarded")
    if brief:
        rec = recommend(s, tmp, vendors=vendors)
        json.loads(render(rec, "json", s.language))


@pytest.mark.slow  # 2,000 generated scenarios, each assessed and optimised
@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(data=scenarios())
def test_what_validate_accepts_assess_and_optimize_never_refuse(
    data: dict[str, Any], tmp_path: Path
) -> None:
    _run_all(data, tmp_path, brief=False)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(data=scenarios())
def test_what_validate_accepts_the_json_brief_never_refuses(
    data: dict[str, Any], tmp_path: Path
) -> None:
    """15 generated scenarios to a JSON brief (about 1 s each); the 60 of
    test_what_validate_accepts_many_json_briefs run with the slow tests."""
    _run_all(data, tmp_path, brief=True)


@pytest.mark.slow  # 60 generated scenarios, each to a full brief's analysis
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(data=scenarios())
def test_what_validate_accepts_many_json_briefs(data: dict[str, Any], tmp_path: Path) -> None:
    _run_all(data, tmp_path, brief=True)


def test_the_property_holds_through_the_cli(tmp_path: Path) -> None:
    """The same property through the real CLI, on scenarios at the edges of the ranges."""
    edits = ({"budget_cny": 1e13}, {"max_vendor_share": 0.34, "max_vendors": 3})
    for seen, edit in enumerate(edits):
        data = copy.deepcopy(BASE)
        data["procurement"].update(edit)
        path = tmp_path / f"s{seen}.yaml"
        path.write_text(dump_yaml(data), encoding="utf-8")
        assert run("validate", str(path)).exit_code == 0
        for args in (["assess", "--json"], ["optimize", "--json"]):
            assert run(*args, str(path)).exit_code in (0, 3)
        out = tmp_path / f"b{seen}.json"
        assert run("brief", str(path), "-o", str(out)).exit_code in (0, 3)
