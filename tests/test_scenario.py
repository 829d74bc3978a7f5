"""The scenario format: examples validate, bad input is located precisely, YAML round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procure.errors import InputError
from procure.inputs.load import load_scenario, warnings_for
from procure.inputs.scenario import Scenario, scenario_to_data
from procure.inputs.yamlio import MAX_BYTES, bad_char, dump_yaml, parse_yaml

from .conftest import EXAMPLES, PREFECTURE, run


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_validates(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.systems and all(s.id for s in scenario.systems)


def test_there_are_six_archetype_examples() -> None:
    assert len(EXAMPLES) >= 6


GOOD = PREFECTURE.read_text(encoding="utf-8")


def replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# (case id, file text, text of the line the error must point at, field path, message fragment)
BAD_INPUTS = [
    (
        "syntax-error",
        replace("  level: prefecture", "  level: [prefecture"),
        "cloud_type: integrated",
        "",
        "YAML syntax error",
    ),
    (
        "wrong-type",
        replace("tech_staff: 12 ", "tech_staff: twelve "),
        "tech_staff: twelve",
        "agency.tech_staff",
        "valid number",
    ),
    (
        "unknown-key-typo",
        replace("  region: east", "  regoin: east"),
        "regoin: east",
        "agency.regoin",
        "did you mean 'region'",
    ),
    (
        "enum-out-of-range",
        replace("  level: prefecture", "  level: city"),
        "level: city",
        "agency.level",
        "'central', 'province', 'prefecture' or 'county'",
    ),
    (
        "mlps-out-of-range",
        replace("    mlps_level: 2\n    vcpu: 640", "    mlps_level: 7\n    vcpu: 640"),
        "mlps_level: 7",
        "systems[0].mlps_level",
        "must be 1, 2, 3 or 4",
    ),
    (
        "mlps-level-5",
        replace("    mlps_level: 3\n    vcpu: 1600", "    mlps_level: 5\n    vcpu: 1600"),
        "mlps_level: 5",
        "systems[1].mlps_level",
        "not eligible for a government cloud",
    ),
    (
        "negative-weight",
        replace("security: 0.35", "security: -0.35"),
        "weights:",
        "criteria.weights.security",
        "greater than or equal to 0",
    ),
    (
        "all-zero-weights",
        replace(
            "{security: 0.35, flexibility: 0.20, scalability: 0.15, cost: 0.30}",
            "{security: 0, flexibility: 0, scalability: 0, cost: 0}",
        ),
        "criteria:",
        "criteria",
        "all zero",
    ),
    (
        "duplicate-id",
        replace("    id: data-platform", "    id: portal"),
        "id: portal\n    public_facing: false",
        "systems[1].id",
        "already used by systems[0]",
    ),
    (
        "min-greater-than-max",
        replace("  min_vendors: 2", "  min_vendors: 5"),
        "min_vendors: 5",
        "procurement.min_vendors",
        "min_vendors (5) is greater than max_vendors (4)",
    ),
    (
        "empty-systems",
        GOOD.split("systems:")[0] + "systems: []\n" + "criteria:" + GOOD.split("criteria:")[1],
        "systems: []",
        "systems",
        "at least 1 item",
    ),
    (
        "share-above-one",
        replace("max_vendor_share: 0.7", "max_vendor_share: 1.7"),
        "max_vendor_share: 1.7",
        "procurement.max_vendor_share",
        "less than or equal to 1",
    ),
    (
        "missing-field",
        replace("  budget_cny: 90000000\n", ""),
        "procurement:",
        "procurement.budget_cny",
        "required field 'budget_cny' is missing",
    ),
    (
        "duplicate-key",
        replace("  region: east", "  region: east\n  region: west"),
        "region: west",
        "agency.region",
        "duplicate key",
    ),
    (
        "python-tag",
        replace("name: Binzhou-like", "name: !!python/object:os.system Binzhou-like"),
        "name: !!python",
        "name",
        "not allowed",
    ),
    (
        "wrong-format",
        replace("format: procure/scenario@1", "format: procure/scenario@2"),
        "format:",
        "format",
        "procure/scenario@1",
    ),
    (
        "industry-without-sector",
        replace("  cloud_type: integrated", "  cloud_type: industry"),
        "cloud_type: industry",
        "agency.cloud_type",
        "needs `sector`",
    ),
    (
        "bad-system-id",
        replace("    id: portal", "    id: Portal Main"),
        "id: Portal Main",
        "systems[0].id",
        "pattern",
    ),
]


def line_of(text: str, marker: str) -> int:
    """1-based number of the first line containing `marker` (outside comments)."""
    if "\n" in marker:  # a marker spanning lines: the line where it starts
        return text[: text.index(marker)].count("\n") + 1
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line.split("#")[0]:
            return number
    raise AssertionError(f"marker {marker!r} not in text")


@pytest.mark.parametrize(
    ("case", "text", "marker", "field", "fragment"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_located(
    tmp_path: Path, case: str, text: str, marker: str, field: str, fragment: str
) -> None:
    line = line_of(text, marker)
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    result = run("validate", str(path))
    assert result.exit_code == 2
    message = result.stderr
    assert "Traceback" not in message + result.stdout
    assert f"{path}:{line}:" in message, message
    assert fragment in message, message
    if field:
        assert f" {field}:" in message, message
    assert sorted(tmp_path.iterdir()) == before  # nothing written


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(GOOD + "#" * (MAX_BYTES + 10), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:1:" in result.stderr and "limit" in result.stderr


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "billion laughs" in result.stderr
    assert f"{path}:" in result.stderr


def test_several_errors_reported_together(tmp_path: Path) -> None:
    text = replace("  region: east", "  regoin: east").replace("tech_staff: 12 ", "tech_staff: x ")
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "agency.regoin" in result.stderr and "agency.tech_staff" in result.stderr


def test_unusual_contract_years_warns_but_validates(tmp_path: Path) -> None:
    path = tmp_path / "four.yaml"
    path.write_text(replace("contract_years: 3", "contract_years: 4"), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 0
    assert "warning" in result.stderr and "3 or 5" in result.stderr
    assert warnings_for(load_scenario(path))


def test_validate_shows_normalised_weights() -> None:
    result = run("validate", str(PREFECTURE))
    assert result.exit_code == 0
    assert "Security 0.350" in result.stdout


def test_system_id_derived_from_name() -> None:
    data = parse_yaml(GOOD).data
    del data["systems"][0]["id"]
    scenario = Scenario.model_validate(data)
    assert scenario.systems[0].id == "online-government-service-portal"


names = st.text(  # any text the loader accepts: no control, format or invisible characters
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s and bad_char(s) is None)
systems = st.builds(
    dict,
    name=names,
    id=st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    public_facing=st.booleans(),
    sensitivity=st.sampled_from(["low", "medium", "high"]),
    mlps_level=st.integers(1, 4),
    vcpu=st.integers(1, 100000),
    memory_gb=st.floats(0, 1e6, allow_nan=False),
    storage_tb=st.floats(0, 1e5, allow_nan=False),
    elasticity=st.sampled_from(["low", "medium", "high"]),
    legacy=st.booleans(),
    layers=st.lists(st.sampled_from(["iaas", "paas", "saas"]), min_size=1, max_size=3, unique=True),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=names,
    level=st.sampled_from(["central", "province", "prefecture", "county"]),
    staff=st.floats(0, 1000, allow_nan=False),
    systems_list=st.lists(systems, min_size=1, max_size=4, unique_by=lambda s: s["id"]),
    weights=st.fixed_dictionaries(
        {c: st.floats(0.01, 10) for c in ("security", "flexibility", "scalability", "cost")}
    ),
    years=st.sampled_from([3, 5]),
    share=st.floats(0.05, 1.0),
)
def test_round_trip(
    name: str,
    level: str,
    staff: float,
    systems_list: list[dict[str, object]],
    weights: dict[str, float],
    years: int,
    share: float,
) -> None:
    data = parse_yaml(GOOD).data
    data.update(name=name, systems=systems_list)
    data["agency"].update(level=level, tech_staff=staff)
    data["criteria"] = {"weights": weights}
    data["procurement"].update(contract_years=years, max_vendor_share=share)
    scenario = Scenario.model_validate(data)
    text = dump_yaml(scenario_to_data(scenario))
    again = Scenario.model_validate(parse_yaml(text).data)
    assert again == scenario


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_scenario(path)


def test_inconsistent_ahp_is_located(tmp_path: Path) -> None:
    text = replace(
        "  weights: {security: 0.35, flexibility: 0.20, scalability: 0.15, cost: 0.30}",
        "  ahp: [[security, cost, 9], [cost, flexibility, 9], [flexibility, security, 9]]",
    )
    path = tmp_path / "ahp.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:{line_of(text, 'ahp:')}:" in result.stderr
    assert "criteria.ahp" in result.stderr and "inconsistent" in result.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: " + "[" * 100 + "]" * 100, (1, 67)),  # flow: the 65th level
        ("a:\n" + "".join("  " * i + "-\n" for i in range(100)), (65, 127)),  # block lists
        ("a:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(100)) + "x", (65, 129)),
    ],
)
def test_nesting_past_the_bound_is_refused_in_the_one_parse(
    text: str, where: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Depth is checked as the parser hands events to the composer (the same places as the
    separate first pass named before): the text is read once
    (a separate first pass for depth doubled the time of a 3,000-system scenario)."""
    from ruamel.yaml import YAML

    def second_pass(*_: object, **__: object) -> None:
        raise AssertionError("the text was parsed twice")

    monkeypatch.setattr(YAML, "parse", second_pass)
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "deep.yaml")
    problem = caught.value.problems[0]
    assert "nesting is deeper than 64 levels" in problem.message
    assert (problem.line, problem.column) == where
    # and 64 levels are fine (the map and 63 lists): the composer's recursion stays shallow
    deepest: list[object] = []
    for _ in range(62):
        deepest = [deepest]
    assert parse_yaml("a: " + "[" * 63 + "]" * 63, "ok.yaml").data == {"a": deepest}
