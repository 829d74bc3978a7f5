"""A lot with fewer eligible candidate suppliers than its method's legal minimum (GPL art. 36;
214号 art. 6, 21; 74号令 art. 12): the plan never names a competitive method for it. It adopts
the cheapest change that gives every lot enough (the lots, ceilings and timeline follow, and it
says which change, why and what it costs), else it says plainly that the method cannot proceed
and what the buyer must do. At and around the limit (1, 2, 3, 4 eligible), through the real CLI,
the adopted change checked against every change tried, solved again from scratch."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from procure.advice.assess import assess
from procure.advice.knowledge import knowledge
from procure.award.instance import Instance, build_instance
from procure.award.optimizer import Award, optimize
from procure.inputs.load import load_inputs
from procure.money import fmt_money
from procure.plan.build import Plan, decide_method
from procure.plan.lots import MODEL_NAMES, Scope, ceiling, estimates, scopes
from procure.plan.rules import plan_knowledge
from procure.text import Text

from .conftest import EXAMPLES, example, run
from .test_terminal_language import english_runs, user_words

KB = plan_knowledge()
COMPETITIVE = (
    "open_tender",
    "invited_tender",
    "competitive_consultation",
    "competitive_negotiation",
    "inquiry",
)


def plan_json(path: Path) -> Plan:
    result = run("plan", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return Plan.model_validate_json(result.stdout)


def check_competition(plan: Plan) -> None:
    """The rule on any plan: no lot's method has fewer eligible candidates than it needs; a lot
    with no method names the one its budget calls for, has no timeline and says what to do;
    every other lot has exactly one timeline; the ceilings add up."""
    scheduled = [x for sc in plan.schedules for x in sc.lots]
    for lot in plan.lots:
        law = KB.minimum(lot.method)
        assert law is None or lot.eligible >= law.min_suppliers, (lot.id, lot.method)
        if lot.method == "none":
            assert lot.intended in COMPETITIVE and lot.id not in scheduled
            need = KB.minimum(lot.intended)
            assert need is not None and lot.eligible < need.min_suppliers
            assert lot.risks and "扩大市场调研" in lot.risks[-1].zh
            assert need.cite() in lot.risks[-1].zh and lot.approval is None
            single = "第三十一条第（一）项" in lot.risks[-1].zh
            assert single is (lot.eligible == 1), lot.risks[-1].zh  # only one: art. 31(1)
        else:
            assert scheduled.count(lot.id) == 1 and not lot.risks, lot.id
    ceilings = [lot.ceiling_cny for lot in plan.lots]
    if all(c is not None for c in ceilings):
        assert plan.total_ceiling_cny == pytest.approx(sum(c or 0.0 for c in ceilings))
    for a in plan.adjustments:
        assert a.lots and all(plan.lots[int(i[4:]) - 1].adjustment == a.note for i in a.lots)
        assert a.text in plan.findings


def test_every_competitive_method_has_its_minimum_as_data() -> None:
    """Each competitive method's least number of suppliers is data with its document, article
    and date; single source has none; the 政府购买服务 two-supplier exception (财库〔2015〕124号)
    is recorded as read and not applied (a scenario cannot say a project is one)."""
    assert set(KB.competition) == set(COMPETITIVE)
    for method, law in KB.competition.items():
        assert law.min_suppliers == 3 and law.document and law.article and law.effective, method
        assert law.source or law.assumption
    assert KB.minimum("single_source") is None and KB.minimum("none") is None
    consult = KB.competition["competitive_consultation"]
    assert "124号" in (consult.source or "") and "does not apply" in (consult.source or "")
    assert "第六条" in consult.article and "214号" in consult.document
    assert "第三十六条" in KB.competition["open_tender"].article
    assert "第三十一条第（一）项" in KB.only_supplier.article


@pytest.fixture(scope="module")
def examples() -> dict[str, Plan]:
    return {p.stem: plan_json(p) for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_example_has_a_competitive_method_short_of_its_minimum(
    path: Path, examples: dict[str, Plan]
) -> None:
    check_competition(examples[path.stem])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_lots_estimate_ceiling_and_candidates_share_one_basis(
    path: Path, examples: dict[str, Plan]
) -> None:
    """The lot's estimated value, its ceiling and its candidates' whole-lot estimates are on one
    basis (the whole contract over the contract years, setup fees included): the estimate lies
    within the candidates' estimates and the ceiling is never below it, for every lot of every
    bundled example; the plan says which basis."""
    plan = examples[path.stem]
    for lot, internal in zip(plan.lots, plan.internal, strict=True):
        costs = [c.estimate_cny for c in internal.candidates]
        assert internal.lot == lot.id and len(costs) == lot.eligible
        if costs:
            assert min(costs) <= lot.estimated_value_cny <= max(costs), lot.id
        if lot.ceiling_cny is not None:
            assert lot.ceiling_cny >= lot.estimated_value_cny, lot.id
        assert "setup fees included" in lot.value_basis.en and "含部署实施费" in lot.value_basis.zh


def county(variant: Any, excluded: list[str]) -> Path:
    return variant(
        lambda d: d["procurement"].update(exclude_vendors=excluded),
        example("county-joins-prefecture"),
    )


@pytest.mark.parametrize(
    "excluded, eligible",
    [
        ([], 4),
        (["infra-a"], 3),
        (["infra-a", "cloud-a"], 2),
        (["infra-a", "cloud-a", "telecom-b"], 1),
    ],
)
def test_at_and_around_three_eligible(variant: Any, excluded: list[str], eligible: int) -> None:
    """The county's lot (open tender on its budget) with 4, 3, 2 and 1 eligible candidates:
    three or more keep the open tender; fewer, where no change tried gives three, have no
    method, no timeline and the buyer's next steps (single source only with one candidate)."""
    plan = plan_json(county(variant, excluded))
    [lot] = plan.lots
    assert lot.eligible == eligible
    check_competition(plan)
    if eligible >= 3:
        assert lot.method == "open_tender" and not plan.adjustments
    else:
        assert lot.method == "none" and lot.intended == "open_tender"
        assert lot.method_name.zh == "竞争性采购方式无法按计划进行"
        assert not plan.schedules and lot.risks[-1].zh in " ".join(f.zh for f in plan.findings)


def test_a_lot_of_two_adopts_the_cheapest_split_and_a_lot_of_one_the_combined_change(
    variant: Any,
) -> None:
    """municipality-parallel's dedicated-cloud lot has 2 eligible for its consultation: the
    MLPS split is adopted, its lots renumbered. A county with 信创 required has 1: only the
    relaxation and the services split together give three, and they are adopted (its lots ask
    no 信创 qualification)."""
    plan = plan_json(example("municipality-parallel"))
    [a] = plan.adjustments
    assert "等保3级" in a.change.zh and "2家合格候选供应商" in a.text.zh
    assert [lot.id for lot in plan.lots] == [f"lot-{i}" for i in range(1, len(plan.lots) + 1)]
    check_competition(plan)
    path = variant(
        lambda d: d["procurement"].update(domestic_stack="required"), example("county-west")
    )
    plan = plan_json(path)
    [a] = plan.adjustments
    assert "信创" in a.change.zh and "安全及运维服务" in a.change.zh
    assert a.lots == ["lot-1", "lot-2"]
    assert all(q.id != "domestic" for lot in plan.lots for q in lot.qualifications)
    check_competition(plan)


@pytest.fixture(scope="module")
def binzhou() -> tuple[Any, ...]:
    inputs = load_inputs(example("prefecture-binzhou"))
    a = assess(inputs.scenario, inputs.vendors)
    kb = knowledge()
    award = optimize(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, kb.costs, extras=False
    )
    return inputs, a, award


def test_binzhou_adopts_the_cheapest_change_checked_by_brute_force(
    binzhou: tuple[Any, ...],
) -> None:
    """The prefecture's single lot has one eligible candidate for its consultation: solved again
    from the estimate's own instance, every lot the splits tried would give is counted and
    priced; the plan adopts the cheapest of those whose every lot has three, and its cost is
    the ceilings' difference from the single lot's."""
    inputs, a, award = binzhou
    s = inputs.scenario
    rates = knowledge().costs
    inst = build_instance(s, a.deployment, a.weights.weights, inputs.vendors, rates)
    [whole] = scopes(s, award)
    costs = list(estimates(inst, whole).values())
    value = min(max(award.total_cost_cny, min(costs)), max(costs))  # within the candidates'
    before = ceiling(costs, value, KB)
    assert len(estimates(inst, whole)) == 1
    plan = plan_json(example("prefecture-binzhou"))
    check_competition(plan)
    [adjusted] = plan.adjustments
    assert adjusted.lots == ["lot-1", "lot-2"]
    assert adjusted.ceiling_delta_cny == pytest.approx((plan.total_ceiling_cny or 0) - before)
    # brute force: the two splits tried, each lot's candidates counted on the instance
    levels = {str(x.id): x.mlps_level for x in s.systems}
    top = max(levels.values())
    high = tuple(x for x in whole.systems if levels[x] == top)
    rest = tuple(x for x in whole.systems if x not in high)
    options = {
        "services": [(whole.systems, ()), ((), whole.layers)],
        "mlps": [(high, ()), (rest, whole.layers)],
    }
    priced = {}
    for key, parts in options.items():
        counts, tops = [], []
        for systems, layers in parts:
            part = Scope("x", whole.name, systems, layers)
            costs = estimates(inst, part)
            counts.append(len(costs))
            tops.append(ceiling(list(costs.values()), 0.0, KB))
        if min(counts) >= 3 and None not in tops:
            priced[key] = counts
    assert "services" in priced and "mlps" not in priced  # the only split that gives three
    assert [lot.eligible for lot in plan.lots] == priced["services"]
    assert "安全及运维服务" in adjusted.change.zh
    routes = knowledge().routes
    for lot in plan.lots:  # each lot's method decided again on its own budget
        systems = tuple(str(x.id) for x in s.systems if x.name in lot.systems)
        part = Scope(lot.id, lot.name, systems, () if systems else whole.layers)
        method, _ = decide_method(
            s, part, lot.budget_cny or 0.0, plan.threshold_cny, {}, {}, KB, routes
        )
        assert lot.method == method


def test_binzhou_end_to_end_plan_and_brief_agree(tmp_path: Path) -> None:
    """Through the real CLI: the plan (terminal, zh) shows the adjustment in the lot tables and
    the findings, wholly in Chinese outside the user's names; the brief's summary names the
    change and its cost, the lots with their methods and candidates, and no lot of one."""
    path = example("prefecture-binzhou")
    plan = plan_json(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "400")
        zh = run("plan", str(path), "--lang", "zh")
    assert zh.exit_code == 0, zh.stderr
    assert "已将安全及运维服务单独划为一个采购包" in zh.stdout
    assert plan.adjustments[0].text.zh in zh.stdout  # the findings, one line each
    assert not english_runs(zh.stdout, user_words(path))
    out = tmp_path / "brief.md"
    result = run("brief", str(path), "--format", "md", "--lang", "zh", "-j", "1", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    summary = text.split("采购方式：", 1)[1].split("\n", 1)[0]
    assert "为保证竞争已将安全及运维服务单独划为一个采购包（最高限价+" in summary
    for lot in plan.lots:
        n = lot.id.removeprefix("lot-")
        assert f"采购包{n}{lot.method_name.zh}" in summary
        assert f"合格候选供应商{lot.eligible}家" in summary
    assert "合格候选供应商1家" not in summary and "不足" not in summary
    data = json.loads(run("plan", str(path), "--json").stdout)
    assert [lot["eligible"] for lot in data["lots"]] == [4, 4]
    assert [lot["method"] for lot in data["lots"]] == ["competitive_consultation", "open_tender"]


def test_a_lot_that_cannot_proceed_is_said_so_in_every_section(variant: Any) -> None:
    """The public-security cloud's lot with two eligible candidates for its consultation and no
    change that gives three: the summary says no competitive method can proceed and sets no
    timing; the route chapter tells the same and that its evaluation and timeline are the
    intended method's; the plan chapter shows no timeline for it, and no single source."""
    path = variant(
        lambda d: d["procurement"].update(exclude_vendors=["infra-a"]),
        example("industry-public-security"),
    )
    out = path.with_name("brief.md")
    result = run("brief", str(path), "--format", "md", "--lang", "zh", "-j", "1", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "采购包1竞争性采购方式无法按计划进行（待采购方式确定后确定，合格候选供应商2家）" in text
    assert "时间：暂不安排：采购包1的竞争性采购方式无法按计划进行" in text
    assert "合格候选供应商不足，竞争性采购方式无法按计划进行" in text  # a top risk
    assert "下列评审方法和时间安排为采购包具备所需竞争条件后按预算应采用的竞争性磋商的安排" in text
    chapter = re.search(r"\n## [^\n]*采购实施计划\n(.*?)\n## ", text, re.S)
    assert chapter is not None
    assert "时间安排：采购包1" not in chapter.group(1)
    assert "第三十一条第（一）项" not in chapter.group(1)  # two candidates: not the only one


def every_change(path: Path, **procurement: Any) -> list[tuple[float, list[int]]]:
    """Every change the plan may try on a single-lot scenario, solved from scratch: each subset
    of the requirements the law does not impose made a preference, with no split or one of the
    two splits; each resulting lot's candidates counted on its own instance and its ceiling set
    on its estimated value, the part's whole contract value as the estimate prices it (its
    systems and layers, its suppliers' setup fees, its share of the integration fee and
    coordination; a relaxation's estimate solved again under it), kept within its candidates'
    estimates. Those whose every lot has three:
    each with its ceilings in total and its lots' candidates."""
    inputs = load_inputs(path)
    s = inputs.scenario
    s = s.model_copy(update={"procurement": s.procurement.model_copy(update=procurement)})
    a = assess(s, inputs.vendors)
    rates = knowledge().costs
    award = optimize(s, a.deployment, a.weights.weights, inputs.vendors, rates, extras=False)
    [whole] = scopes(s, award)

    def price(
        award: Award, base: Instance, systems: tuple[str, ...], layers: tuple[str, ...]
    ) -> tuple[float, float]:
        """The part as the estimate prices it: with its suppliers' setup fees, and without."""
        bought = [x for x in award.systems if x.system in systems]
        serving = [v for v in award.vendors if set(v.layers) & set(layers)]
        cost = sum(x.cost_cny for x in bought) + sum(
            base.layer_cost[(x, v.vendor)] for v in serving for x in v.layers if x in layers
        )
        used = {x.vendor for x in bought} | {v.vendor for v in serving}
        return cost + sum(base.setup[v] for v in used), cost

    levels = {str(x.id): x.mlps_level for x in s.systems}
    top = max(levels.values())
    high = tuple(x for x in whole.systems if levels[x] == top)
    rest = tuple(x for x in whole.systems if x not in high)
    splits: list[list[tuple[tuple[str, ...], tuple[str, ...]]]] = [
        [(whole.systems, whole.layers)],
        [(whole.systems, ()), ((), whole.layers)],
    ]
    if rest:
        splits.append([(high, ()), (rest, whole.layers)])
    fields = [
        f
        for f in ("domestic_stack", "security_assessment")
        if getattr(s.procurement, f) == "required"
    ]
    relaxations = [[], *([f] for f in fields), *([fields] if len(fields) > 1 else [])]
    found: list[tuple[float, list[int]]] = []
    for relax in relaxations:
        r = s.model_copy(
            update={
                "procurement": s.procurement.model_copy(update=dict.fromkeys(relax, "preferred"))
            }
        )
        inst = build_instance(r, a.deployment, a.weights.weights, inputs.vendors, rates)
        # a relaxation's lots are valued on the estimate solved again under it
        mix = optimize(r, a.deployment, a.weights.weights, inputs.vendors, rates, extras=False)
        beyond = mix.total_cost_cny - price(mix, inst, whole.systems, whole.layers)[0]
        for parts in splits:
            if not relax and len(parts) == 1:
                continue  # the lot as it is
            prices = [price(mix, inst, *p) for p in parts]
            plain = sum(p for _, p in prices)
            counts, total = [], 0.0
            for (systems, layers), (own, pr) in zip(parts, prices, strict=True):
                costs = list(estimates(inst, Scope("x", whole.name, systems, layers)).values())
                value = own + beyond * (pr / plain if plain else float(pr == prices[0][1]))
                if costs:
                    value = min(max(value, min(costs)), max(costs))
                counts.append(len(costs))
                total += ceiling(costs, round(value, 2), KB) or float("inf")
            if min(counts) >= 3:
                found.append((total, counts))
    return found


@pytest.mark.parametrize(
    "name, procurement",
    [
        ("prefecture-binzhou", {}),
        ("prefecture-binzhou", {"domestic_stack": "required"}),
        ("county-west", {}),  # the only change over the budget
        ("county-west", {"domestic_stack": "required"}),
        # two eligible; both splits give three or more, each the cheaper in one of them
        ("expansion-over-limit", {"exclude_vendors": ["telecom-a"]}),
        ("expansion-over-limit", {"exclude_vendors": ["cloud-a"]}),
        # the budget between the two changes' ceilings, and below both
        ("expansion-over-limit", {"exclude_vendors": ["telecom-a"], "budget_cny": 5_900_000}),
        ("expansion-over-limit", {"exclude_vendors": ["telecom-a"], "budget_cny": 5_000_000}),
    ],
)
def test_the_adopted_change_is_the_cheapest_of_every_change_tried(
    variant: Any, name: str, procurement: dict[str, Any]
) -> None:
    """Brute force: the plan's lots and ceilings are those of the cheapest change found by
    trying every relaxation and split from scratch, or the lot has no method if none gives
    three. The cheapest keeps the ceilings within the budget whenever any change does; when
    none does, the plan says so in the adjustment (and the budget finding says by how much)."""
    found = every_change(example(name), **procurement)
    path = variant(lambda d: d["procurement"].update(procurement), example(name))
    plan = plan_json(path)
    check_competition(plan)
    if not found:
        assert [lot.method for lot in plan.lots] == ["none"]
        return
    total, counts = min(found, key=lambda f: f[0])
    assert [lot.eligible for lot in plan.lots] == counts
    assert plan.total_ceiling_cny == pytest.approx(total)
    [adjusted] = plan.adjustments
    over = all(f[0] > plan.budget_cny for f in found)
    assert ("None of the changes tried that give enough" in adjusted.text.en) is over
    assert ("均不能使最高限价合计不超过预算" in adjusted.text.zh) is over
    budget = [f for f in plan.findings if "is below the ceilings the lots need" in f.en]
    assert bool(budget) is over


def test_a_lot_no_candidate_can_take_whole_is_split_to_three_each(variant: Any) -> None:
    """Zero eligible for the whole prefecture lot (its one candidate excluded): the services
    split gives three each and is adopted; its cost is the ceilings in total, none having been
    possible before."""
    path = variant(lambda d: d["procurement"].update(exclude_vendors=["cloud-a"]))
    plan = plan_json(path)
    check_competition(plan)
    [a] = plan.adjustments
    assert [lot.eligible for lot in plan.lots] == [3, 3]
    assert "仅有0家合格候选供应商" in a.note.zh and "调整前无法设定" in a.note.zh
    assert a.ceiling_delta_cny == pytest.approx(plan.total_ceiling_cny or 0.0)


def test_a_lot_without_the_services_does_not_keep_them_with_its_supplier() -> None:
    """The prefecture's platform lot, once the services are a lot of their own, no longer says
    its supplier keeps the security services (the integrator rule applies to the lot that buys
    them); the services lot has no subcontracting terms of its own."""
    plan = plan_json(example("prefecture-binzhou"))
    platform, services = plan.lots
    assert "security" not in platform.layers and platform.subcontracting is not None
    assert "安全服务" not in platform.subcontracting.zh
    assert services.layers == ["security", "ops"] and services.subcontracting is None


BLOCKED = ("municipality-multivendor", "province-integrated-jv", "province-jv-operator")


@pytest.mark.parametrize("name", BLOCKED)
def test_the_blocked_examples_assumptions_say_plainly_what_is_assumed(name: str) -> None:
    """The examples whose lot cannot proceed: the assumptions annex (as the brief builds it)
    never puts "no competitive method can proceed" where a method's name goes; the direct
    purchase's preparation time says it assumes the method the budget calls for proceeds once
    the lot has its competition, and that it cannot yet; the Chinese wholly Chinese."""
    from procure.advice.assess import spend_basis
    from procure.advice.route import advise_route
    from procure.analysis.cashflow import compare_modes
    from procure.plan.build import build_plan
    from procure.recommendation import assumptions, route_from_plan

    inputs = load_inputs(example(name))
    s, kb = inputs.scenario, knowledge()
    a = assess(s, inputs.vendors)
    w = a.weights.weights
    award = optimize(s, a.deployment, w, inputs.vendors, kb.costs, extras=False)
    plan = build_plan(s, award, a.deployment, w, inputs.vendors, kb.costs, kb.routes, date.today())
    assert [lot.method for lot in plan.lots] == ["none"]
    route = advise_route(
        s, award.total_cost_cny, kb.routes, w, from_award=True, vendors=inputs.vendors
    )
    route = route_from_plan(route, plan, w)
    spend, one_off, basis = spend_basis(a, award, s.procurement.contract_years)
    c = compare_modes(s, a.partnership, kb.cashflow, spend, one_off, basis, draws=200, route=route)
    lines = assumptions(c, inputs.vendors, plan)
    name_en, name_zh = KB.shortfall.name.en.lower(), KB.shortfall.name.zh
    for line in lines:
        for lang in ("en", "zh"):
            text = f"{line.item(lang)} {line.text(lang)}"
            assert f"（{name_zh}）" not in text and f"({name_en})" not in text.lower(), text
        assert not english_runs(line.item.zh + line.text.zh, user_words(example(name)))
    [prep] = [x for x in lines if "直接购买服务准备期" in x.item.zh]
    assert prep.text.zh.startswith("假定采购包具备法定竞争条件后") and "尚不能进行" in prep.text.zh
    assert prep.text.en.startswith("assumed to be") and "to proceed yet" in prep.text.en


@pytest.mark.parametrize(
    "name, procurement, moves",
    [
        # the prefecture with 信创 required and two of its suppliers left out: only the
        # relaxation and the services split give three each, and the estimate solved again
        # without the requirement is cheaper
        (
            "prefecture-binzhou",
            {"domestic_stack": "required", "exclude_vendors": ["cloud-d", "telecom-a"]},
            True,
        ),
        ("county-west", {"domestic_stack": "required"}, False),  # the same mix either way
    ],
)
def test_an_adopted_relaxation_values_its_lots_on_the_estimate_solved_again(
    variant: Any, name: str, procurement: dict[str, Any], moves: bool
) -> None:
    """A relaxation adopted: the award estimate, which assumed the original requirement, is
    solved again under it (here from scratch, independently); the plan says by how much its
    total moves (zh and en), its lots are valued on it (every_change), and its ceilings are
    the cheapest change's."""
    inputs = load_inputs(example(name))
    s = inputs.scenario
    rates = knowledge().costs

    def total(**update: Any) -> float:
        p = s.procurement.model_copy(update={**procurement, **update})
        r = s.model_copy(update={"procurement": p})
        a = assess(r, inputs.vendors)
        award = optimize(r, a.deployment, a.weights.weights, inputs.vendors, rates, extras=False)
        return award.total_cost_cny

    before, after = total(), total(domestic_stack="preferred")
    assert (abs(after - before) > 1.0) is moves
    plan = plan_json(variant(lambda d: d["procurement"].update(procurement), example(name)))
    check_competition(plan)
    [a] = plan.adjustments
    assert "信创" in a.change.zh and a.estimate_before_cny == pytest.approx(before)
    assert a.estimate_after_cny == pytest.approx(after, rel=1e-3)
    assert "测算组合原按调整前的要求进行；按调整后的要求重新求解" in a.text.zh
    assert "The estimated mix assumed the original requirement" in a.text.en
    assert "the estimated mix used elsewhere, are the one solved again" in a.text.en
    assert a.estimate_resolve == "optimal" and "时间上限" not in a.text.zh
    assert plan.relaxed == {"domestic_stack": "preferred"}
    if moves:
        sign = "+" if after >= before else "-"
        move = f"{sign}{fmt_money(abs(after - before), 'zh')}"
        assert f"由{fmt_money(before, 'zh')}变为{fmt_money(after, 'zh')}（{move}）" in a.text.zh
    else:
        assert f"测算总额仍为{fmt_money(after, 'zh')}" in a.text.zh
    assert a.text.zh.split("。")[-2] in a.note.zh  # the lot's table says it too
    cheapest = min(every_change(example(name), **procurement), key=lambda f: f[0])
    assert plan.total_ceiling_cny == pytest.approx(cheapest[0])
    assert [lot.eligible for lot in plan.lots] == cheapest[1]


def every_plan(path: Path, **procurement: Any) -> list[tuple[float, dict[str, str], list[int]]]:
    """Brute force on a scenario of several lots: for no relaxation and each relaxation (made
    for the whole procurement), the estimate solved from scratch under it, every lot drafted on
    its own instance (its candidates counted, its value the mix's cost of its scope kept within
    their estimates, its ceiling), and every combination of the lots short of three under the
    scenario's own requirements kept whole or split by MLPS level. The combinations whose every
    lot has three: each with its ceilings in total, its relaxation and its lots' candidates."""
    from itertools import product

    from procure.plan.lots import mix_cost, within

    inputs = load_inputs(path)
    s = inputs.scenario
    s = s.model_copy(update={"procurement": s.procurement.model_copy(update=procurement)})
    a = assess(s, inputs.vendors)
    rates = knowledge().costs
    w = a.weights.weights
    award = optimize(s, a.deployment, w, inputs.vendors, rates, extras=False)
    base = build_instance(s, a.deployment, w, inputs.vendors, rates, structure=award.structure)
    levels = {str(x.id): x.mlps_level for x in s.systems}
    fields = [
        f
        for f in ("domestic_stack", "security_assessment")
        if getattr(s.procurement, f) == "required"
    ]
    found = []
    for relax in [[], *([f] for f in fields), *([fields] if len(fields) > 1 else [])]:
        update = dict.fromkeys(relax, "preferred")
        r = s.model_copy(update={"procurement": s.procurement.model_copy(update=update)})
        inst = build_instance(r, a.deployment, w, inputs.vendors, rates, structure=award.structure)
        mix = optimize(
            r, a.deployment, w, inputs.vendors, rates, extras=False, structure=award.structure
        )

        def lot_of(
            systems: tuple[str, ...],
            layers: tuple[str, ...],
            model: Any,
            inst: Instance = inst,
            mix: Award = mix,
        ) -> Any:
            part = Scope("x", Text(en="", zh=""), systems, layers, model)
            costs = list(estimates(inst, part).values())
            value = within(mix_cost(inst, mix, part), costs)
            return len(costs), ceiling(costs, round(value, 2), KB)

        lots = scopes(r, mix)  # grouped by the mix under the relaxation (its platforms)
        short = [len(estimates(base, lot)) < 3 for lot in lots]
        choices = []
        for lot, needy in zip(lots, short, strict=True):
            ways = [[(lot.systems, lot.layers)]]
            top = max((levels[x] for x in lot.systems), default=0)
            high = tuple(x for x in lot.systems if levels[x] == top)
            rest = tuple(x for x in lot.systems if x not in high)
            if needy and rest and not lot.layers:  # a parallel lot: systems only
                ways.append([(high, ()), (rest, ())])
            choices.append([[lot_of(x, y, lot.model) for x, y in way] for way in ways])
        for combo in product(*choices):
            parts = [p for way in combo for p in way]
            if all(n >= 3 and t is not None for n, t in parts):
                found.append((sum(t or 0.0 for _, t in parts), update, [n for n, _ in parts]))
    return found


MULTI = [
    ("county-west", {"structure": "parallel", "domestic_stack": "required"}),
    ("municipality-parallel", {"domestic_stack": "required"}),
    ("prefecture-binzhou", {"structure": "parallel", "domestic_stack": "required"}),
    (
        "expansion-over-limit",
        {"structure": "parallel", "domestic_stack": "required", "exclude_vendors": ["telecom-a"]},
    ),
]


@pytest.mark.parametrize("name, procurement", MULTI, ids=lambda x: str(x))
def test_an_adopted_relaxation_holds_for_every_lot(
    variant: Any, name: str, procurement: dict[str, Any]
) -> None:
    """Several lots, one of them short of three under 信创 required: the relaxation the plan
    adopts is one of the whole procurement. No lot still asks for 信创, each lot's candidates are
    those of the relaxed requirement (counted on an instance built under it), a lot that only
    follows the change says so, and the lots and ceilings are those of the cheapest plan-wide
    combination found by brute force (every relaxation, every short lot whole or split)."""
    plan = plan_json(variant(lambda d: d["procurement"].update(procurement), example(name)))
    check_competition(plan)
    assert plan.relaxed == {"domestic_stack": "preferred"} and len(plan.lots) >= 2
    assert all(q.id != "domestic" for lot in plan.lots for q in lot.qualifications)
    adjusted = {i for a in plan.adjustments for i in a.lots}
    followers = [lot for lot in plan.lots if lot.id not in adjusted]
    assert followers  # a lot that did not need the change follows it all the same
    for lot in followers:
        assert lot.adjustment is not None and "整个项目统一适用" in lot.adjustment.zh
        assert "for the whole procurement" in lot.adjustment.en and "信创" in lot.adjustment.zh
    rest = fmt_money(sum(lot.ceiling_cny or 0.0 for lot in followers), "zh")
    for a in plan.adjustments:  # its cost for the lots that only follow it
        assert "各采购包的资格条件和合格候选供应商均按调整后的要求确定；其他采购包" in a.text.zh
        assert re.search(f"其他采购包最高限价由[^；。]*变为{re.escape(rest)}（", a.text.zh)
        assert "the other lots' ceilings from" in a.text.en
    inputs = load_inputs(example(name))
    s = inputs.scenario
    p = s.procurement.model_copy(update={**procurement, **plan.relaxed})
    r = s.model_copy(update={"procurement": p})
    a = assess(r, inputs.vendors)
    inst = build_instance(r, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs)
    ids = {x.name: str(x.id) for x in s.systems}
    for lot, internal in zip(plan.lots, plan.internal, strict=True):
        model = next(  # a parallel lot buys one platform, named first
            (m for m, t in MODEL_NAMES.items() if lot.name.en.startswith(t.en.capitalize())), None
        )
        systems = tuple(ids[n] for n in lot.systems)
        layers = () if systems else tuple(lot.layers)
        scope = Scope(lot.id, lot.name, systems, layers, model)
        assert set(estimates(inst, scope)) == {c.vendor for c in internal.candidates}, lot.id
    found = every_plan(example(name), **procurement)
    total, relax, counts = min(found, key=lambda f: f[0])
    assert plan.total_ceiling_cny == pytest.approx(total)
    assert plan.relaxed == relax and [lot.eligible for lot in plan.lots] == counts


RELAXED = (
    "prefecture-binzhou",
    {"domestic_stack": "required", "exclude_vendors": ["cloud-d", "telecom-a"]},
)


@pytest.fixture(scope="module")
def relaxed_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The prefecture with 信创 required and two suppliers left out: the plan adopts the
    relaxation (and the services split), and the estimate solved again under it is cheaper."""
    from procure.inputs.yamlio import dump_yaml, read_yaml

    name, procurement = RELAXED
    data = read_yaml(example(name)).data
    data["procurement"].update(procurement)
    out = tmp_path_factory.mktemp("relaxed") / "relaxed.yaml"
    out.write_text(dump_yaml(data), encoding="utf-8")
    return out


def test_the_resolve_takes_the_cli_solver_and_time_limit(
    relaxed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`procure plan --time-limit 1`: the estimate solved again under the adopted relaxation
    gets the CLI's solver and at most its time limit (never the plan's own 30 s), and the run
    ends within a generous bound of CPU time; the plan says how that solve ended."""
    import time

    import procure.plan.build as build

    calls: list[dict[str, Any]] = []
    solve = build.optimize

    def spy(*args: Any, **kwargs: Any) -> Award:
        calls.append(kwargs)
        return solve(*args, **kwargs)

    monkeypatch.setattr(build, "optimize", spy)
    started = time.process_time()
    result = run("plan", str(relaxed_path), "--json", "--time-limit", "1")
    assert result.exit_code == 0, result.stderr
    assert time.process_time() - started < 60.0
    plan = Plan.model_validate_json(result.stdout)
    assert calls and all(c["time_limit"] <= 1.0 and c["solver"] == "highs" for c in calls)
    [a] = plan.adjustments
    assert a.estimate_resolve in ("optimal", "time_limit") and a.estimate_after_cny is not None
    assert ("达到时间上限1秒后停止" in a.text.zh) is (a.estimate_resolve == "time_limit")


def test_a_resolve_cut_short_is_said(relaxed_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The solve under the relaxation stopped by its time limit (the solver's own status, made
    so here: a small model solves in well under the 1 s the CLI allows): the plan says its mix
    is the best found, not proven optimal, and how to give more time, zh and en."""
    import procure.plan.build as build

    solve = build.optimize

    def stopped(*args: Any, **kwargs: Any) -> Award:
        return solve(*args, **kwargs).model_copy(update={"status": "Time limit"})

    monkeypatch.setattr(build, "optimize", stopped)
    result = run("plan", str(relaxed_path), "--json", "--time-limit", "2")
    assert result.exit_code == 0, result.stderr
    [a] = Plan.model_validate_json(result.stdout).adjustments
    assert a.estimate_resolve == "time_limit"
    assert "stopped at its time limit of 2 s" in a.text.en and "--time-limit" in a.text.en
    assert "达到时间上限2秒后停止" in a.text.zh and "未证明最优" in a.note.zh


def test_no_time_left_in_the_budget_keeps_the_original_estimate_and_says_so() -> None:
    """With the time budget spent, the estimate is not solved again: the lots keep the
    original estimate's values, the budget records what it left out, and the plan says so."""
    from procure.award.budget import Budget
    from procure.plan.build import RESOLVE_WHAT, build_plan

    name, procurement = RELAXED
    inputs = load_inputs(example(name))
    s = inputs.scenario
    s = s.model_copy(update={"procurement": s.procurement.model_copy(update=procurement)})
    a = assess(s, inputs.vendors)
    kb = knowledge()
    award = optimize(s, a.deployment, a.weights.weights, inputs.vendors, kb.costs, extras=False)
    spent = Budget(1e-6)
    plan = build_plan(
        s,
        award,
        a.deployment,
        a.weights.weights,
        inputs.vendors,
        kb.costs,
        kb.routes,
        date(2026, 3, 2),
        budget=spent,
    )
    [adj] = plan.adjustments
    assert plan.relaxed == {"domestic_stack": "preferred"}
    assert adj.estimate_resolve == "no_time" and adj.estimate_after_cny is None
    assert "剩余时间预算不足" in adj.text.zh and "time budget left too little" in adj.text.en
    assert RESOLVE_WHAT in spent.cuts


def test_a_relaxation_that_gives_no_lot_its_competition_is_not_adopted(variant: Any) -> None:
    """The public-security cloud in parallel lots with 信创 required and one supplier left out:
    no relaxation or split gives its short lot three (brute force finds none), so none is
    adopted: every lot still asks for 信创, and the short lot has no competitive method."""
    procurement = {
        "structure": "parallel",
        "domestic_stack": "required",
        "exclude_vendors": ["infra-a"],
    }
    assert not every_plan(example("industry-public-security"), **procurement)
    plan = plan_json(
        variant(lambda d: d["procurement"].update(procurement), example("industry-public-security"))
    )
    check_competition(plan)
    assert plan.relaxed == {} and not plan.adjustments and len(plan.lots) >= 2
    assert "none" in [lot.method for lot in plan.lots]
    assert all(any(q.id == "domestic" for q in lot.qualifications) for lot in plan.lots)
    assert all(lot.adjustment is None for lot in plan.lots)
