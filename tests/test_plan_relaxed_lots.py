"""An adopted relaxation and the plan's lots, one conclusion in every section: the parallel lots
are grouped by the platforms of the estimated mix the brief shows (the one solved again under
the relaxation), and a relaxation adopted for several short lots is said once, for the whole
procurement, with each lot's effect (in the plan's findings, each lot's table and the
summary), zh and en."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from procure.award.optimizer import Award
from procure.money import fmt_money
from procure.plan.build import Plan
from procure.plan.lots import MODEL_NAMES
from procure.recommendation import Recommendation

from .conftest import example, run
from .test_plan_competition import check_competition, every_plan, plan_json
from .test_terminal_language import english_runs, user_words

TWO_SHORT = {"structure": "parallel", "domestic_stack": "required", "exclude_vendors": ["cloud-d"]}


@pytest.fixture(scope="module")
def two_short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The western county in parallel lots with 信创 required and cloud-d left out: its dedicated
    lot has one eligible candidate supplier and its public lot two, and only the relaxation
    gives both three or more."""
    from procure.inputs.yamlio import dump_yaml, read_yaml

    data = read_yaml(example("county-west")).data
    data["procurement"].update(TWO_SHORT)
    out = tmp_path_factory.mktemp("two-short") / "two-short.yaml"
    out.write_text(dump_yaml(data), encoding="utf-8")
    return out


def test_a_relaxation_for_two_lots_is_said_once_with_each_lots_effect(two_short: Path) -> None:
    plan = plan_json(two_short)
    check_competition(plan)
    assert plan.relaxed == {"domestic_stack": "preferred"}
    [a] = plan.adjustments  # one change for the whole procurement, not one per lot
    assert sorted(a.lots) == ["lot-1", "lot-2"]  # the dedicated and public lots
    for lang, change in (("en", "domestic (Xinchuang) stack preferred"), ("zh", "信创要求由")):
        said = " ".join(x(lang) for x in plan.findings)
        assert said.count(change) == 1, said  # the change, once
        assert a.text(lang).count(change) == 1 and a.note(lang).count(change) == 1
    for lot in plan.lots[:2]:  # each lot's effect, and its table says the plan-wide change
        assert lot.adjustment == a.note
        assert (
            f'the lot "{lot.name.en}" had ' in a.text.en
            and f"采购包“{lot.name.zh}”原有" in a.text.zh
        )
        assert f"调整后有{lot.eligible}家" in a.text.zh and f"now has {lot.eligible}" in a.text.en
    assert "整个项目统一适用" in a.text.zh and "once for the whole procurement" in a.text.en
    [services] = plan.lots[2:]  # the lot that only follows it says so
    assert services.adjustment is not None and "整个项目统一适用" in services.adjustment.zh
    assert "其他采购包最高限价由" in a.text.zh and "the other lots' ceilings" in a.text.en
    assert a.estimate_after_cny is not None and fmt_money(a.estimate_after_cny, "zh") in a.text.zh
    # the cheapest plan-wide combination, by brute force
    total, relax, counts = min(every_plan(example("county-west"), **TWO_SHORT), key=lambda f: f[0])
    assert plan.total_ceiling_cny == pytest.approx(total)
    assert plan.relaxed == relax and [lot.eligible for lot in plan.lots] == counts
    before = [int(m) for m in re.findall(r"原有(\d+)家", a.text.zh)]
    assert sorted(before) == [1, 2]  # as the scenario asks: one and two eligible


def test_the_brief_summary_says_the_relaxation_once(two_short: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.json"
    result = run("brief", str(two_short), "--format", "json", "-j", "1", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rec = Recommendation.model_validate(json.loads(out.read_text(encoding="utf-8")))
    line = next(x for x in rec.summary if x.en.startswith("Procurement"))
    assert line.en.count("adjusted for competition") == 1 and line.zh.count("为保证竞争") == 1
    assert line.zh.count("信创") == 1 and line.en.count("Xinchuang") == 1
    assert not english_runs(line.zh, user_words(two_short))


def moving(system: str, away: str) -> Any:
    """A spy on the plan's re-solve: the mix solved again under the relaxation (a real solve)
    with `system` kept off the platform `away`, as a re-solve that moves it would leave it."""
    import procure.plan.build as build

    solve = build.optimize

    def spy(scenario: Any, deployment: Any, *args: Any, **kwargs: Any) -> Award:
        if kwargs.get("start") is not None:  # the re-solve (it starts from the estimate)
            placements = [
                p.model_copy(
                    update={
                        "fits": [
                            f.model_copy(update={"score": None}) if f.model == away else f
                            for f in p.fits
                        ]
                    }
                )
                if p.system == system
                else p
                for p in deployment.placements
            ]
            deployment = deployment.model_copy(update={"placements": placements})
        return solve(scenario, deployment, *args, **kwargs)

    return spy


def test_the_lots_follow_the_platforms_of_the_mix_the_brief_shows(
    two_short: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mix solved again moves the county portal from the public cloud to the dedicated
    cloud: the parallel lots are grouped by that mix's platforms (no public lot is left), the
    plan says which system moves and where, and its lots are those the brief's mix gives."""
    import procure.plan.build as build

    monkeypatch.setattr(build, "optimize", moving("portal", "public"))
    out = tmp_path / "brief.json"
    result = run("brief", str(two_short), "--format", "json", "-j", "1", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rec = Recommendation.model_validate(json.loads(out.read_text(encoding="utf-8")))
    plan, award = rec.plan, rec.award
    assert plan is not None and award is not None
    check_competition(plan)
    assert plan.relaxed == {"domestic_stack": "preferred"}
    shown = {a.system: a.model for a in award.systems}
    assert shown["portal"] == "dedicated"  # the re-solved mix, shown by the brief
    names = {str(s["id"]): s["name"] for s in rec.scenario["systems"]}
    by_model: dict[str, list[str]] = {}
    for sid, model in shown.items():
        by_model.setdefault(model, []).append(names[sid])
    grouped = {
        m: sorted(lot.systems)
        for lot in plan.lots
        for m, t in MODEL_NAMES.items()
        if lot.name.en.startswith(t.en.capitalize())
    }
    assert grouped == {m: sorted(v) for m, v in by_model.items()}
    assert "public" not in grouped
    [a] = plan.adjustments
    assert f"moves {names['portal']} to the dedicated cloud" in a.text.en
    assert (
        f"将{names['portal']}改为专有云" in a.text.zh and "平行采购包按其部署模式划分" in a.text.zh
    )


def test_without_a_move_the_lots_keep_their_grouping(two_short: Path) -> None:
    """The same plan without the spy: the re-solved mix keeps every system's platform, so the
    lots are the original mix's, and nothing is said of a move."""
    plan: Plan = plan_json(two_short)
    assert {lot.name.en.split()[0] for lot in plan.lots} == {"Dedicated", "Public", "Security"}
    assert all("moves" not in a.text.en for a in plan.adjustments)


def test_a_relaxation_for_two_lots_one_also_split_names_the_split_once(variant: Any) -> None:
    """The municipality in parallel lots with 信创 required and cloud-d left out: its dedicated
    lot (one eligible) needs the relaxation and a split by MLPS level, its public lot (two) the
    relaxation alone. One adjustment says the change once, with the split it also makes; the
    lots and ceilings are the cheapest plan-wide combination found by brute force."""
    procurement = {**TWO_SHORT}
    path = variant(lambda d: d["procurement"].update(procurement), example("municipality-parallel"))
    plan = plan_json(path)
    check_competition(plan)
    [a] = plan.adjustments
    assert a.change.zh.count("信创") == 1 and "拆分为两个" in a.change.zh
    assert "split the lot" in a.change.en and a.text.zh.count("信创") == 1
    assert len(a.lots) == 3 and sum("Dedicated" in lot.name.en for lot in plan.lots) == 2
    found = every_plan(example("municipality-parallel"), **procurement)
    total, relax, counts = min(found, key=lambda f: f[0])
    assert plan.total_ceiling_cny == pytest.approx(total)
    assert plan.relaxed == relax and [lot.eligible for lot in plan.lots] == counts
