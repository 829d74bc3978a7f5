"""Exit codes tell the truth (issue #22, items 4 and 6): a mapping or list where a value
belongs is bad input (2), never a crash (1); a budget too small for any award is infeasible
(3) with the budget that works; a diagnosis names only changes that, applied alone, restore
an award (checked here by re-solving); a model too large to solve in memory is refused up
front (2), by `validate` too."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from procure.errors import InputError
from procure.scenario import Scenario
from procure.validation import validate_located
from procure.vendors import VendorFile, builtin_catalog
from procure.yamlio import Located, dump_yaml, read_yaml

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
