"""The what-if page's fields, without a browser: the form as first shown is the scenario as
written, every field's value goes through the scenario's own validation, and the per-session
worker lets the latest change win and can be cancelled."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import pytest

from procure.advice.assess import assess
from procure.inputs.load import load_inputs
from procure.inputs.yamlio import read_yaml
from procure.serve import compute, fields, page
from procure.serve.worker import Runner, Setup
from tests.conftest import EXAMPLES, PREFECTURE, run


def form_of(start: dict[str, str | list[str]]) -> dict[str, list[str]]:
    return {k: list(v) if isinstance(v, list) else [v] for k, v in start.items()}


def start_of(path: Path) -> tuple[dict[str, object], dict[str, str | list[str]]]:
    inputs = load_inputs(path)
    weights = assess(inputs.scenario, inputs.vendors).weights.weights
    return read_yaml(path).data, fields.initial(inputs, weights)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_form_as_shown_is_the_scenario_as_written(path: Path) -> None:
    """Every bundled example (AHP judgments included): nothing changed, the same data."""
    base, start = start_of(path)
    edited = fields.read_form(form_of(start), base, start, "en")
    assert edited.changed == ()
    assert edited.problems == {}
    assert edited.data == base


@pytest.mark.parametrize(
    ("field", "value", "yaml_value"),
    [
        ("budget_cny", "-5", -5),
        ("budget_cny", "abc", "abc"),
        ("max_vendor_share", "1.5", 1.5),
        ("min_vendors", "9", 9),
        ("max_vendors", "0", 0),
        ("structure", "both", "both"),
        ("parent_cloud", "city", "city"),
        ("strategic_partner", "maybe", "maybe"),
        ("exclude", "no-such-bidder", ["no-such-bidder"]),
    ],
)
def test_a_bad_value_gets_validates_message_at_its_field(
    field: str, value: str, yaml_value: object, variant: object, tmp_path: Path
) -> None:
    """The page's message is the one `procure validate` prints for the same value in the file."""
    base, start = start_of(PREFECTURE)
    form = form_of(start)
    form[field] = [value]
    edited = fields.read_form(form, base, start, "zh")
    assert edited.changed == (field,)
    inputs, problems = fields.validate(edited.data, PREFECTURE, None, "zh")
    assert inputs is None
    assert list(problems) == [field]
    spec = fields.BY_NAME[field]

    def edit(data: dict[str, object]) -> None:
        node: dict[str, object] = data
        for key in spec.path[:-1]:
            node = node[key]  # type: ignore[assignment]
        node[spec.path[-1]] = yaml_value

    path = variant(edit)  # type: ignore[operator]
    result = run("validate", str(path), "--lang", "zh")
    assert result.exit_code == 2
    for message in problems[field]:
        assert message in result.stderr


def test_a_control_character_is_refused_as_in_yaml() -> None:
    base, start = start_of(PREFECTURE)
    form = form_of(start)
    form["budget_cny"] = ["9\u200b0"]
    edited = fields.read_form(form, base, start, "en")
    assert "U+200B" in " ".join(edited.problems["budget_cny"])


def test_weights_replace_ahp_judgments_only_when_moved() -> None:
    path = next(p for p in EXAMPLES if "ahp" in read_yaml(p).data["criteria"])
    base, start = start_of(path)
    form = form_of(start)
    form["w_cost"] = ["0.9"]
    edited = fields.read_form(form, base, start, "en")
    assert edited.changed == ("w_cost",)
    assert set(edited.data["criteria"]) == {"weights"}  # type: ignore[call-overload]
    inputs, problems = fields.validate(edited.data, path, None, "en")
    assert problems == {} and inputs is not None


@pytest.fixture(scope="module")
def runner() -> object:
    inputs = load_inputs(PREFECTURE)
    r = Runner(Setup(PREFECTURE.resolve(), None, "en", date(2026, 1, 5)))
    yield r, inputs
    r.close()


def test_the_latest_change_wins(runner: tuple[Runner, object]) -> None:
    r, inputs = runner
    base, start = start_of(PREFECTURE)
    form = form_of(start)
    form["w_cost"] = ["0.9"]
    first = r.submit("solve", fields.read_form(form, base, start, "en").data)
    second = r.submit("solve", base)
    answers = r.wait(second, ("robustness",), 60)
    assert answers.view is not None and answers.view[0] == second
    assert answers.robustness is not None and answers.robustness[0] == second
    assert first < second
    want, _ = compute.solve(inputs, "en", date(2026, 1, 5))  # type: ignore[arg-type]
    assert answers.view[1]["key"] == want["key"]


def test_cancel_ends_the_running_job_and_the_next_one_runs(runner: tuple[Runner, object]) -> None:
    r, _ = runner
    base, _ = start_of(PREFECTURE)
    gen = r.submit("solve", base)
    got = r.wait(gen, ("view",), 60)
    assert got.view is not None and got.view[0] == gen
    r.cancel()  # while the robustness re-solves run
    done = r.wait(gen, ("robustness",), 10)
    assert done.cancelled == gen
    assert done.robustness is None or done.robustness[0] != gen
    again = r.submit("solve", base)
    assert r.wait(again, ("robustness",), 60).robustness is not None


def test_serve_refuses_standard_input_and_a_port_in_use() -> None:
    result = run("serve", "-")
    assert result.exit_code == 2
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run("serve", str(PREFECTURE), "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_another_host_than_loopback_is_served_only_with_a_warning() -> None:
    """--host 0.0.0.0 warns before it listens (here it cannot: the port is taken, exit 2)."""
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run("serve", str(PREFECTURE), "--host", "0.0.0.0", "--port", str(port))
    assert result.exit_code == 2
    assert "warning: --host 0.0.0.0 opens the what-if page to other machines" in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run("serve", str(PREFECTURE), "--host", "127.0.0.1", "--port", str(port))
    assert result.exit_code == 2
    assert "warning" not in result.stderr


def test_the_robustness_margin_is_the_nearest_end_of_sensitivitys_intervals() -> None:
    """The page's margin against `procure sensitivity --json` on the same scenario: the
    smallest distance from a weight to an end of its award interval inside (0, 1)."""
    inputs = load_inputs(PREFECTURE)
    _, award = compute.solve(inputs, "en", date(2026, 1, 5))
    shown = compute.robustness(inputs, award, "en")
    result = run("sensitivity", str(PREFECTURE), "--json", "--draws", "100", "--award-draws", "0")
    assert result.exit_code == 0, result.stderr
    ends = []
    for c in json.loads(result.stdout)["criteria"]:
        lo, hi = c["award_interval"]
        ends += [c["base"] - lo] if lo > 0 else []
        ends += [hi - c["base"]] if hi < 1 else []
    assert shown["value"] == pytest.approx(min(ends), abs=1e-9)
    assert f"{min(ends):.2f}" in shown["margin"]


def test_no_award_shows_the_diagnosis_procure_optimize_gives(variant: object) -> None:
    def edit(data: dict[str, object]) -> None:
        data["procurement"]["budget_cny"] = 1_000_000  # type: ignore[index]

    path = variant(edit)  # type: ignore[operator]
    view, award = compute.solve(load_inputs(path), "zh", date(2026, 1, 5))
    assert award is None and view["award"] is None and view["plan"] is None
    result = run("optimize", str(path), "--lang", "zh")
    assert result.exit_code == 3
    assert view["infeasible"] and view["infeasible"] in result.stderr
    html = page.render("results", "zh", view=view, marks=page.marks(view, None))
    assert "在这些规则下没有可行的授标方案" in html and "无授标方案，无法编制采购实施计划" in html
