"""Why no award exists, said as changes that each restore one: every change named is applied
alone to the award problem and solved again before it is printed, so a diagnosis never blames
a rule whose removal would leave the tender still without an award.

The candidates, each found by a solve and then checked by another:

- the budget: the cheapest award under every other rule (solved with the budget lifted, so a
  budget of 1e-9 CNY cannot upset the model's scaling), rounded up to the figure printed;
- the share cap: the largest share in an award of the model with slack on the share rows
  only, then bisected on a 0.1% grid (each point solved) down to the smallest cap that works;
- the vendor counts and the bidders' capacities: the model with slack on those rows only;
- each rule of what the integrator keeps (GPL art. 48; MOF Order 87 art. 35) dropped alone,
  then all of them together, then parallel contracts with no integrator.

When no change alone restores an award, the changes found together are checked together and
named as one change. Every solve has a time limit and the diagnosis as a whole a time budget;
a candidate whose check runs out of time is not named.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from procure.award.budget import Budget
from procure.award.formulation import EXTRA_LIMIT, AnyModel, Model, model_for, per_system
from procure.award.instance import Instance, evaluate
from procure.money import fmt_money, fmt_pct
from procure.text import Text

DIAGNOSIS_TIME = 60.0  # seconds for the whole diagnosis; each solve has at most EXTRA_LIMIT
SHARE_GRID = 1000  # the share cap is named to 0.1%
SHARE_STEPS = 10  # bisection solves for the share cap

# (model, solver, time_limit, gap) -> status: the award solve with its exact check and repairs
Solve = Callable[[AnyModel, str, float, float | None], str]


@dataclass(frozen=True)
class Change:
    """One change to the scenario (or the bids), as said to the reader, and the award problem
    with it applied."""

    text: Text
    inst: Instance


def diagnose(
    inst: Instance,
    solver: str,
    solve: Solve,
    parallel: Instance | None = None,
    seconds: float = DIAGNOSIS_TIME,
) -> Text:
    """Changes that each restore an award, each checked by solving again; `parallel`: the same
    tender with parallel contracts (no integrator), if that may be suggested."""
    budget = Budget(seconds)
    checker = _Checker(solver, solve, budget)
    proposed, combined = _numbers(inst, checker)
    found = [c for c in proposed if checker.restores(c.inst)]
    singles, together, contracts = _integrator_rules(inst, parallel)
    rules = [c for c in singles if checker.restores(c.inst)]
    if not rules and together is not None and checker.restores(together.inst):
        rules = [together]  # only when no rule alone does
    found += rules
    if contracts is not None and checker.restores(contracts.inst):
        found.append(contracts)
    if found:
        return _said(found, alone=True)
    # no change alone: the numbers found together, then with the integrator rules dropped too
    tries = [combined] if combined is not inst else []
    if together is not None or singles:
        relaxed = (together or singles[0]).inst
        tries.append(_numbers(relaxed, checker)[1])
    for candidate in tries:
        if checker.restores(candidate):
            return _said([_together(inst, candidate)], alone=False)
    if checker.out_of_time:
        return Text(
            en="no mix of candidate suppliers satisfies the rules, and the search for a change that restores one "
            f"ran out of its {seconds:g} s: relax one rule at a time (budget, vendor counts, "
            "share cap, integrator rules) to find the one that binds.",
            zh=f"没有满足全部规则的测算方案；寻找可恢复可行方案的调整在{seconds:g}秒内未完成："
            "请逐条放宽规则（预算、供应商数量、份额上限、总集成规则）以找出起约束作用的那一条。",
        )
    return Text(
        en="no mix of candidate suppliers exists, and no change tried restores one (budget, vendor counts, share "
        "cap, capacity, the integrator rules, parallel contracts): check eligibility (MLPS "
        "levels, 信创, layers, exclusions).",
        zh="不存在可行的测算方案，所尝试的调整（预算、供应商数量、份额上限、容量、总集成规则、"
        "平行签约）均不能恢复可行方案：请检查资格条件（等保级别、信创、服务层、排除名单）。",
    )


class _Checker:
    """Solves within the diagnosis's time budget; remembers whether one ran out of time."""

    def __init__(self, solver: str, solve: Solve, budget: Budget) -> None:
        self.solver, self.solve, self.budget = solver, solve, budget
        self.out_of_time = False

    def seconds(self) -> float | None:
        left = self.budget.limit(EXTRA_LIMIT)
        if left is None:
            self.out_of_time = True
        return left

    def award(self, inst: Instance, gap: float | None = None) -> AnyModel | None:
        """The model of `inst` solved with an award in hand, else None."""
        left = self.seconds()
        if left is None:
            return None
        model = model_for(inst, self.solver, time_limit=left)
        status = self.solve(model, self.solver, left, gap)
        if status == "Not solved":
            self.out_of_time = True
        return model if status in ("Optimal", "Time limit") else None

    def restores(self, inst: Instance) -> bool:
        """Whether `inst` has an award: any award, so a loose gap."""
        return self.award(inst, gap=0.5) is not None

    def elastic(self, inst: Instance, slack: Callable[[str], bool]) -> Model | None:
        """The model with penalised slack on the rows `slack` accepts (no other), solved."""
        left = self.seconds()
        if left is None:
            return None
        model = Model(inst, elastic=True, time_limit=left)
        for name, (var, _) in model.slack.items():
            if not slack(name):
                var.upBound = 0
        status, _ = model.solve(self.solver)
        if status == "Not solved":
            self.out_of_time = True
        return model if status in ("Optimal", "Time limit") else None


def money_up(cny: float) -> float:
    """`cny` rounded up to the last figure printed in English and in Chinese (10,000 CNY under
    1e8, 1 M CNY under 1e9, 10 M CNY above), so the amount named is itself enough."""
    step = 1e7 if cny >= 1e9 else 1e6 if cny >= 1e8 else 1e4 if cny >= 5_000 else 1.0
    return math.ceil(cny / step - 1e-9) * step


def _ceiling(inst: Instance) -> float:
    """More than any award can cost: every system's dearest option, every layer, every setup
    fee, the fee on the dearest hosting and every extra vendor."""
    dearest = per_system(inst, inst.cost, max)
    hosting = per_system(inst, inst.hosting, max)
    return (
        sum(dearest.values())
        + sum(inst.layer_cost.values())
        + sum(inst.setup.values())
        + inst.integrator_rate * sum(hosting.values())
        + inst.extra_vendor_cost * len(inst.vendors)
        + 1.0
    )


def _numbers(inst: Instance, check: _Checker) -> tuple[list[Change], Instance]:
    """The budget, share cap, vendor counts and capacity that would each restore an award
    (to be checked), and `inst` with all of them applied."""
    proposed = []
    combined = inst
    for propose in (_budget, _share_cap, _counts, _capacity):
        change = propose(inst, check)
        if change is not None:
            proposed.append(change)
            combined = _merge(combined, inst, change.inst)
    return proposed, combined


def _budget(inst: Instance, check: _Checker) -> Change | None:
    """The cheapest award under every other rule: the budget it needs."""
    lifted = replace(inst, budget=max(_ceiling(inst), inst.budget), cost_weight=1.0)
    model = check.award(lifted, gap=1e-7)
    if model is None:
        return None
    cost = evaluate(lifted, *model.choice()).total_cost
    if cost <= inst.budget:  # the budget does not bind
        return None
    need = money_up(cost)
    return Change(
        Text(
            en=f"budget must be at least {fmt_money(need, 'en')} (now {_money(inst.budget, 'en')})",
            zh=f"预算至少应为{fmt_money(need, 'zh')}（现为{_money(inst.budget, 'zh')}）",
        ),
        replace(inst, budget=need),
    )


def _share_cap(inst: Instance, check: _Checker) -> Change | None:
    """The smallest share cap (to 0.1%) at which an award exists."""
    if inst.max_share >= 1:
        return None
    model = check.elastic(inst, lambda name: name.startswith("share_"))
    if model is None:
        return None
    ev = evaluate(inst, *model.choice())
    base = sum(ev.vendor_value.values())
    largest = max(ev.vendor_value.values()) / base if base else 1.0
    low = math.floor(inst.max_share * SHARE_GRID + 1e-9)  # known: no award
    high = min(SHARE_GRID, math.ceil(largest * SHARE_GRID - 1e-9))
    if high <= low:
        high = low + 1
    for _ in range(SHARE_STEPS):
        if high - low <= 1:
            break
        middle = (low + high) // 2
        if check.restores(replace(inst, max_share=middle / SHARE_GRID)):
            high = middle
        elif check.out_of_time:
            break
        else:
            low = middle
    cap = high / SHARE_GRID
    digits = next((d for d in (1, 2, 3) if fmt_pct(cap, d) != fmt_pct(inst.max_share, d)), 4)
    return Change(
        Text(
            en=f"max_vendor_share must be at least {fmt_pct(cap, digits)} "
            f"(now {fmt_pct(inst.max_share, digits)})",
            zh=f"单家份额上限 max_vendor_share 至少应为{fmt_pct(cap, digits)}"
            f"（现为{fmt_pct(inst.max_share, digits)}）",
        ),
        replace(inst, max_share=cap),
    )


def _counts(inst: Instance, check: _Checker) -> Change | None:
    """The vendor count the award needs, if the count rules bind."""
    if inst.min_vendors <= 1 and inst.max_vendors >= len(inst.vendors):
        return None
    model = check.elastic(inst, lambda name: name in ("count_min", "count_max"))
    if model is None:
        return None
    used = len(evaluate(inst, *model.choice()).used)
    if used < inst.min_vendors:
        return Change(
            Text(
                en=f"min_vendors must be at most {used} (now {inst.min_vendors}): too few "
                "vendors qualify",
                zh=f"供应商数量下限 min_vendors 至多为{used}（现为{inst.min_vendors}）：合格供应商太少",
            ),
            replace(inst, min_vendors=used),
        )
    if used > inst.max_vendors:
        return Change(
            Text(
                en=f"max_vendors must be at least {used} (now {inst.max_vendors})",
                zh=f"供应商数量上限 max_vendors 至少应为{used}（现为{inst.max_vendors}）",
            ),
            replace(inst, max_vendors=used),
        )
    return None


def _capacity(inst: Instance, check: _Checker) -> Change | None:
    """The capacity the bidders lack, if capacity binds (a change to the bids, not a rule)."""
    total = sum(inst.vcpu.values())
    if all(v.capacity_vcpu >= total for v in inst.vendors.values()):
        return None
    model = check.elastic(inst, lambda name: name.startswith("capacity_"))
    if model is None:
        return None
    assignment, _, _ = model.choice()
    load: dict[str, float] = {}
    for s, (v, _) in assignment.items():
        load[v] = load.get(v, 0.0) + inst.vcpu[s]
    short = {
        v: math.ceil(amount - inst.vendors[v].capacity_vcpu)
        for v, amount in load.items()
        if amount > inst.vendors[v].capacity_vcpu
    }
    if not short:
        return None
    vendors = {
        v: (w.model_copy(update={"capacity_vcpu": w.capacity_vcpu + short[v]}) if v in short else w)
        for v, w in inst.vendors.items()
    }
    return Change(
        Text(
            en="; ".join(
                f"vendor {inst.vendor_name(v, 'en')} lacks {n:,} vCPU of capacity"
                for v, n in short.items()
            ),
            zh="；".join(
                f"供应商{inst.vendor_name(v, 'zh')}的容量缺口为 {n:,} vCPU"
                for v, n in short.items()
            ),
        ),
        replace(inst, vendors=vendors),
    )


_RULES = {
    "lead_share": Text(
        en="the integrator's share must be at least every subcontractor's",
        zh="总集成商的份额不得低于任何一家分包商",
    ),
    "mlps4_with_integrator": Text(
        en="MLPS level 4 systems must stay with the integrator",
        zh="等保四级系统必须由总集成商自行承担",
    ),
    "security_with_integrator": Text(
        en="the security layer must stay with the integrator",
        zh="安全服务层必须由总集成商自行承担",
    ),
}
_LAW = Text(
    en="GPL art. 48; MOF Order 87 art. 35",
    zh="《中华人民共和国政府采购法》第四十八条；财政部令第87号第三十五条",
)


def _without(inst: Instance, rules: list[str]) -> Instance:
    out = inst
    if "lead_share" in rules:
        out = replace(out, lead_share=False)
    if "mlps4_with_integrator" in rules:
        out = replace(out, integrator_systems=[])
    if "security_with_integrator" in rules:
        out = replace(out, integrator_layers=[])
    return out


def _integrator_rules(
    inst: Instance, parallel: Instance | None
) -> tuple[list[Change], Change | None, Change | None]:
    """Each active rule of what the integrator keeps dropped alone; all of them together (if
    two or more are on); parallel contracts (if the tender has an integrator)."""
    active = [
        name
        for name, on in (
            ("lead_share", inst.lead_share),
            ("mlps4_with_integrator", bool(inst.integrator_systems)),
            ("security_with_integrator", bool(inst.integrator_layers)),
        )
        if on
    ]
    singles = [
        Change(
            Text(
                en=f"set procurement.integrator_rules.{name}: false, with the buyer's reason "
                f"(the integrator rule that {_RULES[name].en}; {_LAW.en})",
                zh=f"在说明采购人理由后设置 procurement.integrator_rules.{name}: false"
                f"（总集成规则：“{_RULES[name].zh}”；{_LAW.zh}）",
            ),
            _without(inst, [name]),
        )
        for name in active
    ]
    together = None
    if len(active) >= 2:
        settings = [f"procurement.integrator_rules.{name}" for name in active]
        together = Change(
            Text(
                en=f"set {', '.join(settings)} to false together, with the buyer's reason: "
                "no mix satisfies the integrator rules together ("
                + "; ".join(_RULES[name].en for name in active)
                + f"; {_LAW.en})",
                zh=f"在说明采购人理由后将 {'、'.join(settings)} 一并设为 false：没有方案能同时"
                "满足以下总集成规则（"
                + "；".join(_RULES[name].zh for name in active)
                + f"；{_LAW.zh}）",
            ),
            _without(inst, active),
        )
    contracts = None
    if parallel is not None and inst.structure == "integrator":
        contracts = Change(
            Text(
                en="use procurement.structure: parallel (contracts side by side, no integrator)",
                zh="改用 procurement.structure: parallel（平行签约，不设总集成商）",
            ),
            parallel,
        )
    return singles, together, contracts


def _merge(combined: Instance, original: Instance, changed: Instance) -> Instance:
    """`combined` with the fields `changed` alters in `original` applied too."""
    fields = ("budget", "max_share", "min_vendors", "max_vendors", "vendors")
    update = {f: getattr(changed, f) for f in fields if getattr(changed, f) != getattr(original, f)}
    return replace(combined, **update) if update else combined


def _together(inst: Instance, combined: Instance) -> Change:
    """The changes found one by one, said as one change."""
    parts = [
        p
        for p in (
            _budget_text(inst, combined),
            _field_text(
                "max_vendor_share", "单家份额上限", inst.max_share, combined.max_share, pct=True
            ),
            _field_text("min_vendors", "供应商数量下限", inst.min_vendors, combined.min_vendors),
            _field_text("max_vendors", "供应商数量上限", inst.max_vendors, combined.max_vendors),
        )
        if p is not None
    ]
    if combined.vendors != inst.vendors:
        parts.append(Text(en="the candidate suppliers' capacity raised", zh="提高候选供应商的容量"))
    dropped = [
        name
        for name, before, after in (
            ("lead_share", inst.lead_share, combined.lead_share),
            ("mlps4_with_integrator", inst.integrator_systems, combined.integrator_systems),
            ("security_with_integrator", inst.integrator_layers, combined.integrator_layers),
        )
        if before and not after
    ]
    if dropped:
        settings = [f"procurement.integrator_rules.{name}" for name in dropped]
        parts.append(
            Text(
                en=f"{', '.join(settings)} set to false, with the buyer's reason ({_LAW.en})",
                zh=f"在说明采购人理由后将总集成规则 {'、'.join(settings)} 设为 false（{_LAW.zh}）",
            )
        )
    return Change(
        Text(en="; ".join(p.en for p in parts), zh="；".join(p.zh for p in parts)), combined
    )


def _money(cny: float, lang: str) -> str:
    """As `fmt_money`, but a budget under one yuan is shown as given, not as 0 CNY."""
    if 0 < cny < 1:
        return f"{cny:g}元" if lang == "zh" else f"{cny:g} CNY"
    return fmt_money(cny, lang)


def _budget_text(inst: Instance, combined: Instance) -> Text | None:
    if combined.budget == inst.budget:
        return None
    return Text(
        en=f"budget {fmt_money(combined.budget, 'en')} (now {_money(inst.budget, 'en')})",
        zh=f"预算{fmt_money(combined.budget, 'zh')}（现为{_money(inst.budget, 'zh')}）",
    )


def _field_text(name: str, zh: str, now: float, then: float, pct: bool = False) -> Text | None:
    if now == then:
        return None
    a, b = (fmt_pct(then), fmt_pct(now)) if pct else (f"{then:g}", f"{now:g}")
    return Text(en=f"{name} {a} (now {b})", zh=f"{zh} {name} 为{a}（现为{b}）")


def _said(changes: list[Change], *, alone: bool) -> Text:
    if not alone:
        return Text(
            en="no mix of candidate suppliers satisfies the rules, and no change alone restores one; these "
            "together do (checked by solving again): " + changes[0].text.en + ".",
            zh="没有满足全部规则的测算方案，单独一项调整均不能恢复；以下调整合在一起可以"
            "（已重新求解验证）：" + changes[0].text.zh + "。",
        )
    if len(changes) == 1:
        return Text(
            en="no mix of candidate suppliers satisfies the rules. This change restores one (checked by solving "
            "again): " + changes[0].text.en + ".",
            zh="没有满足全部规则的测算方案。以下调整可恢复可行方案（已重新求解验证）："
            + changes[0].text.zh
            + "。",
        )
    return Text(
        en="no mix of candidate suppliers satisfies the rules. Any one of these changes restores one (each checked "
        "by solving again): " + "; or ".join(c.text.en for c in changes) + ".",
        zh="没有满足全部规则的测算方案。以下任一项调整均可恢复可行方案（均已重新求解验证）："
        + "；或".join(c.text.zh for c in changes)
        + "。",
    )
