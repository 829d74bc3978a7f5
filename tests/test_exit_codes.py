"""Exit codes tell the truth (issue #22, items 4 and 6): a mapping or list where a value
belongs is bad input (2), never a crash (1); a budget too small for any award is infeasible
(3) with the budget that works; a diagnosis names only changes that, applied alone, restore
an award (checked here by re-solving); a model too large to solve in memory is refused up
front (2), by `validate` too."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from procure.errors import InputError
from procure.inputs.scenario import Scenario
from procure.inputs.validation import validate_located
from procure.inputs.vendors import VendorFile, builtin_catalog
from procure.inputs.yamlio import Located, dump_yaml, read_yaml

from .conftest import PREFECTURE, ROOT, run

WRONG_SHAPES: list[Any] = [{}, [], {"a": [1]}, [[1]]]


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every node's path, containers and leaves alike (the root excluded)."""
    if path:
        yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*path, i))


def _put(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _refused_as_bad_input(model: type[BaseModel], data: Any) -> str | None:
    """None if validating `data` is refused as bad input (or accepted); else the crash. The
    data is validated as parsed YAML is (`validate_located`), without a file round trip: a
    thousand variants in well under a second each."""
    try:
        validate_located(model, Located(data=data, file="s.yaml"))
    except InputError as exc:
        assert all(p.render("en") and p.render("zh") for p in exc.problems)
        return None
    except Exception as exc:  # the defect: a crash, exit 1
        return f"{type(exc).__name__}: {exc}"
    return None  # some shapes are valid (an empty exclude list): accepted is no crash


def _scenario_with_every_field() -> dict[str, Any]:
    """The prefecture example with the optional fields that hold ids and lists filled in,
    and the vendors inline, so every kind of scalar field is there to be fed a mapping."""
    data = read_yaml(PREFECTURE).data
    data["procurement"].update(incumbent="infra-a", exclude_vendors=["cloud-a"])
    data["criteria"] = {"ahp": [["security", "cost", 2], ["flexibility", "cost", 1]]}
    data["vendors"] = [
        v.model_dump(mode="json", exclude_none=True) for v in builtin_catalog().vendors[:3]
    ]
    return data


def test_d01_system_id_mapping_is_exit_2_naming_the_field() -> None:
    """The reproducer: `id: {}` on a system was exit 1, TypeError."""
    result = run("validate", str(ROOT / "tests" / "data" / "exitcodes" / "d01-id-mapping.yaml"))
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "systems[0].id" in result.stderr


def test_every_scenario_field_fed_a_mapping_or_list_is_bad_input() -> None:
    base = _scenario_with_every_field()
    crashes = [
        (path, shape, what)
        for path in _paths(base)
        for shape in WRONG_SHAPES
        if (what := _refused_as_bad_input(Scenario, _put(base, path, shape))) is not None
    ]
    assert not crashes, crashes[:5]


def test_every_vendor_file_field_fed_a_mapping_or_list_is_bad_input() -> None:
    bids = read_yaml(ROOT / "scenarios" / "vendors" / "bids-example.yaml").data
    crashes = [
        (path, shape, what)
        for path in _paths(bids)
        for shape in WRONG_SHAPES
        if (what := _refused_as_bad_input(VendorFile, _put(bids, path, shape))) is not None
    ]
    assert not crashes, crashes[:5]


def test_a_vendor_file_with_an_id_mapping_is_exit_2_from_the_scenario(tmp_path: Path) -> None:
    bids = read_yaml(ROOT / "scenarios" / "vendors" / "bids-example.yaml").data
    bids["vendors"][1]["id"] = {"x": 1}
    (tmp_path / "bids.yaml").write_text(dump_yaml(bids), encoding="utf-8")
    scenario = read_yaml(PREFECTURE).data
    scenario["vendors"] = "bids.yaml"
    (tmp_path / "s.yaml").write_text(dump_yaml(scenario), encoding="utf-8")
    result = run("validate", str(tmp_path / "s.yaml"))
    assert result.exit_code == 2 and "vendors[1].id" in result.stderr, result.stderr


@pytest.mark.parametrize("shape", ["{}", "[a, b]", "{x: 1}"])
def test_an_id_given_as_a_mapping_is_refused_by_every_command(tmp_path: Path, shape: str) -> None:
    text = PREFECTURE.read_text(encoding="utf-8").replace("id: portal", f"id: {shape}", 1)
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    for command in (["validate"], ["assess", "--json"], ["optimize", "--json"]):
        result = run(*command, str(path))
        assert result.exit_code == 2, (command, result.stderr)
        assert "systems[0].id" in result.stderr and "Traceback" not in result.stderr


# --- a diagnosis names only changes that restore an award ---------------------------------

D02 = ROOT / "tests" / "data" / "exitcodes" / "d02-tiny-budget.yaml"


def _named_changes(stderr: str) -> list[str]:
    """The changes a diagnosis names, each said to restore an award on its own."""
    assert "checked by solving again): " in stderr, stderr
    said = stderr.split("checked by solving again): ", 1)[1].strip().removesuffix(".")
    return said.split("; or ")


def _apply(data: dict[str, Any], change: str) -> None:
    """Make in the scenario the change a diagnosis names, as the reader would."""
    p = data["procurement"]
    rules = p.setdefault("integrator_rules", {})
    if m := re.search(r"budget must be at least ([\d.,]+) M CNY", change):
        p["budget_cny"] = float(m[1].replace(",", "")) * 1e6
    elif m := re.search(r"max_vendor_share must be at least ([\d.]+)%", change):
        p["max_vendor_share"] = float(m[1]) / 100
    elif m := re.search(r"min_vendors must be at most (\d+)", change):
        p["min_vendors"] = int(m[1])
    elif m := re.search(r"max_vendors must be at least (\d+)", change):
        p["max_vendors"] = int(m[1])
    elif "to false together" in change:
        for name in re.findall(r"procurement\.integrator_rules\.(\w+)", change):
            rules[name] = False
    elif m := re.search(r"set procurement\.integrator_rules\.(\w+): false", change):
        rules[m[1]] = False
    elif "procurement.structure: parallel" in change:
        p["structure"] = "parallel"
    else:
        raise AssertionError(f"a change the test cannot make: {change}")


def _restores(tmp_path: Path, data: dict[str, Any], change: str) -> int:
    edited = copy.deepcopy(data)
    _apply(edited, change)
    path = tmp_path / "fixed.yaml"
    path.write_text(dump_yaml(edited), encoding="utf-8")
    return int(run("optimize", str(path), "--no-extras", "--json", "--jobs", "1").exit_code)


@pytest.mark.parametrize("budget", [1e-9, 1000.0, 20_000_000.0])
def test_d02_a_budget_too_small_is_exit_3_with_the_budget_that_works(
    tmp_path: Path, budget: float
) -> None:
    """1e-9 CNY was exit 1 "raise --time-limit" (the model, scaled to the budget, could not
    be solved); slightly larger budgets blamed eligibility. Now: exit 3, the budget needed,
    and that budget gives an award."""
    data = read_yaml(D02).data
    data["procurement"]["budget_cny"] = budget
    path = tmp_path / "poor.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    result = run("optimize", str(path), "--no-extras")
    assert result.exit_code == 3, result.stderr
    assert "Traceback" not in result.stderr and "time-limit" not in result.stderr
    changes = _named_changes(result.stderr)
    assert len(changes) == 1 and "budget must be at least" in changes[0], changes
    assert _restores(tmp_path, data, changes[0]) == 0
    just_below = copy.deepcopy(data)
    _apply(just_below, changes[0])
    just_below["procurement"]["budget_cny"] -= 20_000  # two printed steps less: no award
    path.write_text(dump_yaml(just_below), encoding="utf-8")
    assert run("optimize", str(path), "--no-extras").exit_code == 3


def test_a_tiny_budget_with_free_hosting_is_exit_3_too(tmp_path: Path) -> None:
    """Every unit price zero, no migration: only the setup fees cost anything, and a budget of
    1e-9 CNY must still be told the budget that works, not 'raise --time-limit'."""
    data = read_yaml(D02).data
    for system in data["systems"]:
        system["legacy"] = False
    bids = []
    for v in builtin_catalog().vendors:
        bid = v.model_dump(mode="json", exclude_none=True)
        bid["prices"] = {m: {"vcpu": 0, "memory_gb": 0, "storage_tb": 0} for m in bid["prices"]}
        bid["layer_prices"] = {k: 0 for k in bid.get("layer_prices", {})}
        bid["setup_cny"] = 1_000_000
        bids.append(bid)
    data["vendors"] = bids
    path = tmp_path / "free.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    result = run("optimize", str(path), "--no-extras")
    assert result.exit_code == 3, result.stderr
    changes = _named_changes(result.stderr)
    assert "budget must be at least" in changes[0]
    assert _restores(tmp_path, data, changes[0]) == 0


def test_d02_the_reproducer_is_exit_3_from_every_command_that_needs_an_award() -> None:
    for command in (["optimize"], ["compare"], ["explain"]):
        result = run(*command, str(D02))
        assert result.exit_code == 3, (command, result.stderr)
        assert "budget must be at least" in result.stderr


def _four_identical_bidders() -> dict[str, Any]:
    """Four identical bidders (the built-in cloud-a, each may lead), a share cap of 50% and the
    integrator rules on; the data platform is three times the example's, so more than half
    of any award: no award."""
    data = read_yaml(PREFECTURE).data
    cloud = next(v for v in builtin_catalog().vendors if v.id == "cloud-a")
    bid = cloud.model_dump(mode="json", exclude_none=True)
    data["vendors"] = [{**bid, "id": f"bidder-{i}", "name": f"Bidder {i}"} for i in range(4)]
    for system in data["systems"]:
        if system["id"] == "data-platform":
            for key in ("vcpu", "memory_gb", "storage_tb"):
                system[key] *= 3
    data["procurement"].update(max_vendor_share=0.5, min_vendors=2, max_vendors=4)
    return data


def test_four_identical_bidders_under_a_share_cap_are_told_the_cap_that_works(
    tmp_path: Path,
) -> None:
    """Every change the diagnosis names restores an award when made alone (re-solved here
    through the CLI); a cap 0.1% below the one named does not; and no integrator rule is
    named, since dropping one leaves the tender without an award."""
    data = _four_identical_bidders()
    path = tmp_path / "four.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    result = run("optimize", str(path), "--no-extras", "--lang", "en")
    assert result.exit_code == 3, result.stderr
    changes = _named_changes(result.stderr)
    assert any("max_vendor_share must be at least" in c for c in changes), changes
    for change in changes:
        assert _restores(tmp_path, data, change) == 0, change
    cap = next(c for c in changes if "max_vendor_share" in c)
    named = float(re.search(r"at least ([\d.]+)%", cap)[1])  # type: ignore[index]
    below = f"max_vendor_share must be at least {named - 0.1:.1f}%"
    assert _restores(tmp_path, data, below) == 3
    for rule in ("lead_share", "mlps4_with_integrator", "security_with_integrator"):
        if f"integrator_rules.{rule}" not in result.stderr:  # not named: alone, no award
            assert _restores(tmp_path, data, f"set procurement.integrator_rules.{rule}: false") == 3
    zh = run("optimize", str(path), "--no-extras", "--lang", "zh")
    assert zh.exit_code == 3 and "单家份额上限 max_vendor_share 至少应为" in zh.stderr


def test_an_integrator_rule_is_never_blamed_when_dropping_it_alone_gives_no_award() -> None:
    """Near-identical bidders (the same generated bid, capable of everything), cap 50%: the
    only bidder that may lead offers no security layer. Dropping the security rule alone
    still leaves no award (the cap binds too), yet it used to be named as the fix. Now it is
    not, and the changes named together give an award when solved."""
    import random
    import sys
    from dataclasses import replace

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.formulation import Model
    from procure.award.instance import build_instance
    from procure.award.optimizer import diagnose

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import capable, scenario, vendors, with_budget

    rng = random.Random(167)
    bid = vendors(4, 167)[0]
    bidders = []
    for i in range(4):
        v = capable(bid, id=f"b{i}", name=f"B{i}", integrator=rng.random() < 0.5)
        if rng.random() < 0.3:
            v = v.model_copy(update={"layers": [x for x in v.layers if x != "security"]})
        if rng.random() < 0.3:
            v = v.model_copy(update={"mlps_max": 3})
        bidders.append(v)
    s = scenario(rng.randint(2, 6), bidders, 1167)
    s = with_budget(s, s.procurement.budget_cny * 20)
    a = assess(s, bidders)
    inst = build_instance(s, a.deployment, a.weights.weights, bidders, knowledge().costs)
    assert Model(inst).solve()[0] == "Infeasible"
    without_security = replace(inst, integrator_layers=[])
    assert Model(without_security).solve()[0] == "Infeasible"  # the old, wrong fix
    why = diagnose(inst)
    assert "security_with_integrator: false," not in why.en, why.en
    assert "these together do" in why.en, why.en
    cap = float(re.search(r"max_vendor_share ([\d.]+)%", why.en)[1]) / 100  # type: ignore[index]
    fixed = replace(inst, max_share=cap)
    for rule, field, off in (
        ("lead_share", "lead_share", False),
        ("mlps4_with_integrator", "integrator_systems", []),
        ("security_with_integrator", "integrator_layers", []),
    ):
        if f"integrator_rules.{rule}" in why.en:
            fixed = replace(fixed, **{field: off})
    assert Model(fixed).solve()[0] == "Optimal"
    assert "总集成" in why.zh and "第四十八条" in why.zh


# --- a model too large to solve in memory is refused up front --------------------------------


def _many_systems(count: int, bidders: int) -> str:
    """A scenario of `count` copies of one system (a YAML alias: a few bytes each, ids derived
    from the name) and `bidders` capable bidders: count x bidders x 4 options."""
    data = read_yaml(PREFECTURE).data
    system = {k: v for k, v in data["systems"][0].items() if k != "id"}
    system.update(vcpu=8, memory_gb=32, storage_tb=1, mlps_level=2, layers=["iaas"])
    data["systems"] = ["SYSTEM"]
    cloud = next(v for v in builtin_catalog().vendors if v.id == "cloud-a")
    bid = cloud.model_dump(mode="json", exclude_none=True)
    data["vendors"] = [{**bid, "id": f"bidder-{i}", "name": f"Bidder {i}"} for i in range(bidders)]
    data["procurement"].update(max_vendors=min(bidders, 4))
    text = dump_yaml(data)
    one = json.dumps(system, ensure_ascii=False)  # JSON is YAML's flow style
    return text.replace("- SYSTEM\n", f"- &s {one}\n" + "- *s\n" * (count - 1), 1)


def test_d16_a_model_too_large_is_exit_2_from_validate_naming_size_and_cut(tmp_path: Path) -> None:
    """2,000 systems x 500 bidders passed the schema and ran out of memory at 6 GB; any model
    over the bound is refused by validate and by every command, naming its size and what to
    cut, before anything is built (in a child process: its memory and time are measured)."""
    import os
    import subprocess
    import sys
    import time

    from procure.inputs.size import MAX_OPTIONS

    path = tmp_path / "huge.yaml"
    path.write_text(_many_systems(2_500, 16), encoding="utf-8")  # 160,000 options
    for command in ("validate", "optimize"):
        began = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "procure", command, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
        )
        _, status, usage = os.wait4(child.pid, 0)
        assert child.stderr is not None
        err = child.stderr.read().decode()
        assert os.waitstatus_to_exitcode(status) == 2, err
        assert "160,000 eligible options" in err and f"limit is {MAX_OPTIONS:,}" in err, err
        assert "lots of at most about" in err and "bidders" in err
        assert usage.ru_maxrss < 500 * 1024, usage.ru_maxrss  # KB: far under 1 GB
        assert time.perf_counter() - began < 60


def test_the_size_estimate_is_an_upper_bound() -> None:
    """The estimate never undercounts: checked against the eligible options the award model
    actually holds, on generated tenders."""
    import sys

    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.instance import build_instance
    from procure.inputs.size import estimate

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import scenario, vendors

    for systems, bidders, seed in ((40, 12, 1), (120, 25, 2), (300, 8, 3)):
        catalog = vendors(bidders, seed)
        s = scenario(systems, catalog, seed + 100)
        a = assess(s, catalog)
        inst = build_instance(s, a.deployment, a.weights.weights, catalog, knowledge().costs)
        size = estimate(s, catalog)
        assert len(inst.triples) <= size.options <= 4 * systems * bidders
        assert size.pairs >= len({(t[0], t[1]) for t in inst.triples})


def test_a_model_at_the_bound_is_accepted(tmp_path: Path) -> None:
    from procure.inputs.size import MAX_OPTIONS

    path = tmp_path / "at-bound.yaml"
    path.write_text(_many_systems(MAX_OPTIONS // 40, 10), encoding="utf-8")  # 40 per system
    result = run("validate", str(path))
    assert result.exit_code == 0, result.stderr
