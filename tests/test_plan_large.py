"""The plan's own texts at a province's size (#25: a province's 3,000 systems ran to about four
pages of them): past LARGE systems, the MLPS level 4 systems the supplier keeps, the existing
systems to migrate, the systems a split puts in a lot and the systems an agency asks the cloud
above to host are named at most LISTED at a time, with a count of the rest and where every one
is, as the rest of a large brief does. Checked on generated scenarios (an example's systems
repeated to 70, each under its own id and name) through the real CLI: plans, no PDF."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procure.analysis.explain import LISTED
from procure.documents.report import SUMMARY_SYSTEMS
from procure.inputs.yamlio import dump_yaml
from procure.plan.lots import Scope, split_changes
from procure.plan.names import LARGE, name_list
from procure.text import Text

from .conftest import example, run
from .test_large_brief import SYSTEMS, generated, named
from .test_terminal_language import english_runs

TAIL = Text(
    en="every one of them in the plan's list of systems and in brief.json",
    zh="全部系统见本计划的系统清单及简报 PDF 附件 brief.json",
)


def strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string of the plan's JSON with its key, but the lots' lists of systems (every
    name, one a string: the plan's list of systems)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, k)
    elif isinstance(node, list):
        if key == "systems" and all(isinstance(x, str) for x in node):
            return
        for v in node:
            yield from strings(v, key)
    elif isinstance(node, str):
        yield key, node


def plan_of(data: dict[str, Any], folder: Path, name: str) -> dict[str, Any]:
    path = folder / f"{name}.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    result = run("plan", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The generated prefecture with every third system at MLPS level 4 (kept by the supplier
    under the integrator), and the generated county that joins the prefecture's cloud."""
    folder = tmp_path_factory.mktemp("plans")
    tender = generated(SYSTEMS)
    for k, s in enumerate(tender["systems"]):
        if k % 3 == 0:
            s["mlps_level"] = 4
    joining = generated(SYSTEMS, example("county-joins-prefecture"))
    return {
        "tender": plan_of(tender, folder, "tender"),
        "joining": plan_of(joining, folder, "joining"),
        "data": {"tender": tender, "joining": joining},
    }


def test_the_threshold_is_the_briefs() -> None:
    assert LARGE == SUMMARY_SYSTEMS and SYSTEMS > LARGE


@pytest.mark.parametrize("kind", ["tender", "joining"])
def test_no_text_of_a_large_plan_names_more_than_listed(plans: dict[str, Any], kind: str) -> None:
    """Every string of the plan names at most LISTED generated systems, in both languages; the
    lists it cut say how many there are and where every one is."""
    plan = plans[kind]
    cut = 0
    for key, text in strings(plan):
        assert len(named(text)) <= LISTED, (key, text[:200])
        if TAIL.en in text or TAIL.zh in text:
            cut += 1
    assert cut >= 2  # en and zh of each text cut
    if kind == "joining":
        assert plan["joining"] is not None
        requests = " ".join(r["text"]["en"] for r in plan["joining"]["requests"])
        assert f"and {SYSTEMS - LISTED} more, {TAIL.en}" in requests


def test_the_kept_and_migrated_systems_are_counted(plans: dict[str, Any]) -> None:
    """The subcontracting terms name the first LISTED MLPS level 4 systems of the lot and count
    the rest; the migration acceptance item the first LISTED existing systems; zh wholly
    Chinese but the systems' names."""
    data, plan = plans["data"]["tender"], plans["tender"]
    [lot] = plan["lots"]
    top = [s["name"] for s in data["systems"] if s["mlps_level"] == 4]
    legacy = [s["name"] for s in data["systems"] if s.get("legacy")]
    assert len(top) > LISTED and len(legacy) > LISTED
    terms = lot["subcontracting"]
    assert f"({', '.join(top[:LISTED])} and {len(top) - LISTED} more, {TAIL.en}" in terms["en"]
    assert f"（{'、'.join(top[:LISTED])}等{len(top)}个系统，{TAIL.zh}）" in terms["zh"]
    [migration] = [a for a in lot["contract"]["acceptance"] if "migration" in a["text"]["en"]]
    assert (
        f"({', '.join(legacy[:LISTED])} and {len(legacy) - LISTED} more" in migration["text"]["en"]
    )
    assert f"（{'、'.join(legacy[:LISTED])}等{len(legacy)}个系统" in migration["text"]["zh"]
    names = sorted({s["name"] for s in data["systems"]}, key=len, reverse=True)
    assert not english_runs(terms["zh"] + migration["text"]["zh"], names)


@pytest.mark.parametrize(
    "systems, names, cut",
    [(LARGE, LISTED + 1, False), (LARGE + 1, LISTED, False), (LARGE + 1, LISTED + 1, True)],
)
def test_the_rule_starts_past_large_and_past_listed(systems: int, names: int, cut: bool) -> None:
    """At its limits: at most LARGE systems in the scenario, or at most LISTED names, every
    name is given; past both, LISTED and the count of the rest."""
    given = [f"system {k}" for k in range(names)]
    text = name_list(given, systems)
    assert all(n in text.en and n in text.zh for n in given[:LISTED])
    assert (given[-1] in text.en) is not cut and (given[-1] in text.zh) is not cut
    assert (f"and {names - LISTED} more" in text.en) is cut
    assert (f"等{names}个系统" in text.zh) is cut


def test_a_split_names_at_most_listed_of_the_systems_it_puts_in_a_lot() -> None:
    """The MLPS split's statement (a change the plan may adopt: its findings, the lots' tables,
    the brief's summary) at 70 systems of which 35 at the top level."""
    ids = [f"s{k}" for k in range(SYSTEMS)]
    names = {s: f"System #{k}" for k, s in enumerate(ids)}
    levels = {s: 3 + k % 2 for k, s in enumerate(ids)}
    scope = Scope("lot-1", Text(en="Lot", zh="采购包"), tuple(ids), ("security", "ops"))
    [mlps, _] = split_changes(scope, 1e6, lambda part: (1.0, 1.0), names, levels)
    top = [names[s] for s in ids if levels[s] == 4]
    for text in (mlps.text.en, mlps.text.zh):
        assert named(text) == {re.sub(r"^System ", "", n) for n in top[:LISTED]}
    assert f"and {len(top) - LISTED} more" in mlps.text.en
    assert f"等{len(top)}个系统" in mlps.text.zh
    assert len(mlps.parts[0][0].systems) == len(top)  # the lot keeps every one
