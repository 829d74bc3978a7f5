"""The plan in the terminal, in one language. Per-supplier figures appear only under their own
heading, "internal estimate, not for publication" (内部测算，不公开)."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from procure.money import fmt_money, fmt_pct
from procure.plan.build import LAYER_NAMES, Plan
from procure.plan.contract import ContractPlan
from procure.plan.joining import JoiningPlan
from procure.text import Text, fmt_date

WORDS = {
    "title": Text(en="Procurement plan", zh="采购实施计划"),
    "knowledge": Text(en="legal figures as of", zh="法规数据截至"),
    "start": Text(en="Starts", zh="开始日期"),
    "threshold": Text(en="Open-tender threshold", zh="公开招标数额标准"),
    "lot": Text(en="Lot", zh="采购包"),
    "scope": Text(en="Scope", zh="采购范围"),
    "systems": Text(en="Systems", zh="系统"),
    "layers": Text(en="Layers", zh="服务层"),
    "capacity": Text(en="Capacity", zh="容量"),
    "value": Text(en="Estimated value", zh="估算金额"),
    "depth": Text(en="Eligible candidate suppliers", zh="合格候选供应商数量"),
    "without": Text(en="Lowest estimate without the cheapest", zh="去掉最低者后的最低测算值"),
    "ceiling": Text(en="Ceiling price (最高限价)", zh="最高限价"),
    "budget": Text(en="Lot budget", zh="采购包预算"),
    "method": Text(en="Method", zh="采购方式"),
    "approval": Text(en="Approval", zh="审批"),
    "evaluation": Text(en="Evaluation", zh="评审方法"),
    "factor": Text(en="Factor", zh="评分因素"),
    "points": Text(en="Points", zh="分值"),
    "sme": Text(en="SME terms", zh="中小企业政策"),
    "quals": Text(en="Qualifications", zh="资格条件"),
    "basis": Text(en="Basis", zh="依据"),
    "subcontracting": Text(en="Subcontracting", zh="分包"),
    "risks": Text(en="Risks", zh="风险"),
    "adjustment": Text(en="Adjustment", zh="调整"),
    "contract": Text(en="Contract management", zh="合同管理安排"),
    "ctype": Text(en="Contract", zh="合同类型"),
    "pricing": Text(en="Pricing", zh="计价方式"),
    "clauses": Text(en="Main clauses", zh="主要条款"),
    "acceptance": Text(en="Acceptance plan", zh="履约验收方案"),
    "term": Text(en="Term", zh="内容"),
    "timeline": Text(en="Timeline", zh="时间安排"),
    "step": Text(en="Step", zh="步骤"),
    "from": Text(en="From", zh="开始"),
    "to": Text(en="To", zh="截止"),
    "findings": Text(en="Findings", zh="发现的问题"),
    "cautions": Text(en="Cautions", zh="提示"),
    "internal": Text(en="Internal estimate, not for publication", zh="内部测算，不公开"),
    "candidate": Text(en="Candidate supplier", zh="候选供应商"),
    "estimate": Text(en="Estimate for the whole lot", zh="整包测算值"),
    "none": Text(en="none", zh="无"),
    "total_ceiling": Text(en="Ceilings in total", zh="最高限价合计"),
    "scenario_budget": Text(en="Scenario budget", zh="情景预算"),
    "range": Text(en="legal range for services", zh="服务类法定区间"),
    "join": Text(en="Joining plan", zh="接入方案"),
    "join_intro": Text(
        en="The agency joins the {parent}: no tender of its own. Buying alone, the compared "
        "alternative, follows as lots.",
        zh="本机构接入{parent}，不单独组织招标采购；单独采购作为比较方案，其采购包列于其后。",
    ),
    "requests": Text(en="What to request", zh="向上级申请的内容"),
    "fee": Text(en="Estimated fee over the term", zh="合同期服务费估算"),
    "mlps": Text(en="MLPS level", zh="等保级别"),
    "terms": Text(en="The level above's terms", zh="上级统建云的条件"),
    "alone": Text(en="The same bought alone", zh="单独采购的测算金额"),
    "first_service": Text(en="First service", zh="开始提供服务"),
}


def lot_label(lot_id: str, lang: str) -> str:
    number = lot_id.removeprefix("lot-")
    return f"采购包{number}" if lang == "zh" else f"Lot {number}"


def print_plan(plan: Plan, console: Console, lang: str = "en") -> None:
    def w(key: str) -> str:
        return WORDS[key](lang)

    colon = "：" if lang == "zh" else ": "
    console.print(f"[bold]{w('title')}{colon}{plan.scenario}[/bold]")
    start = date.fromisoformat(plan.start)
    console.print(
        f"{w('start')}{colon}{fmt_date(start, lang)}（{plan.start_basis(lang)}）"
        if lang == "zh"
        else f"{w('start')}: {fmt_date(start, lang)} ({plan.start_basis(lang)})"
    )
    console.print(f"{w('threshold')}{colon}{plan.threshold_basis(lang)}", soft_wrap=True)
    kdate = fmt_date(date.fromisoformat(plan.knowledge_date), lang)
    console.print(f"{w('knowledge')} {kdate}" if lang == "en" else f"{w('knowledge')}{kdate}")
    if plan.joining is not None:
        _print_joining(plan.joining, console, lang)
    for lot in plan.lots:
        table = Table(title=f"{lot_label(lot.id, lang)}{colon}{lot.name(lang)}", show_header=False)
        table.add_column(w("scope"), overflow="fold")
        table.add_column("", overflow="fold")
        sep = "、" if lang == "zh" else ", "
        table.add_row(w("systems"), sep.join(lot.systems) or w("none"))
        table.add_row(w("layers"), sep.join(LAYER_NAMES[x](lang) for x in lot.layers))
        if lot.vcpu:
            cap = (
                f"虚拟处理器{lot.vcpu:g}核，内存{lot.memory_gb:g}GB，存储{lot.storage_tb:g}TB"
                if lang == "zh"
                else f"{lot.vcpu:g} vCPU, {lot.memory_gb:g} GB memory, {lot.storage_tb:g} TB storage"
            )
            table.add_row(w("capacity"), cap)
        table.add_row(
            w("value"), f"{fmt_money(lot.estimated_value_cny, lang)}\n{lot.value_basis(lang)}"
        )
        table.add_row(w("depth"), str(lot.eligible))
        if lot.without_cheapest_cny is not None:
            table.add_row(w("without"), fmt_money(lot.without_cheapest_cny, lang))
        ceiling = fmt_money(lot.ceiling_cny, lang) if lot.ceiling_cny is not None else w("none")
        table.add_row(w("ceiling"), f"{ceiling}\n{lot.ceiling_rule(lang)}")
        if lot.budget_cny is not None:
            table.add_row(w("budget"), fmt_money(lot.budget_cny, lang))
        reasons = "\n".join(r(lang) for r in lot.method_reasons)
        table.add_row(w("method"), f"[bold]{lot.method_name(lang)}[/bold]\n{reasons}")
        if lot.adjustment is not None:
            table.add_row(w("adjustment"), lot.adjustment(lang))
        if lot.approval is not None:
            table.add_row(w("approval"), lot.approval(lang))
        ev = lot.evaluation
        table.add_row(
            w("evaluation"),
            f"{ev.name(lang)}{colon}{ev.reason(lang)}（{ev.basis}）"
            if lang == "zh"
            else f"{ev.name(lang)}: {ev.reason(lang)} ({ev.basis})",
        )
        table.add_row(w("sme"), "\n".join(s(lang) for s in lot.sme))
        quals = "\n".join(
            f"{q.text(lang)}（{q.basis}）" if lang == "zh" else f"{q.text(lang)} ({q.basis})"
            for q in lot.qualifications
        )
        table.add_row(w("quals"), f"{quals}\n{lot.qualification_check(lang)}")
        if lot.subcontracting is not None:
            table.add_row(w("subcontracting"), lot.subcontracting(lang))
        if lot.risks:
            table.add_row(w("risks"), "\n".join(r(lang) for r in lot.risks))
        console.print(table)
        _print_contract(lot.contract, lot.id, console, lang)
        if ev.table:
            scores = Table(title=f"{lot_label(lot.id, lang)}{colon}{ev.name(lang)}", min_width=40)
            scores.add_column(w("factor"), overflow="fold")
            scores.add_column(w("points"), justify="right")
            for row in ev.table:
                scores.add_row(row.factor(lang), str(row.points))
            console.print(scores)
            if ev.price_range is not None:
                low, high = ev.price_range
                console.print(f"  {w('range')}{colon}{fmt_pct(low, 0)}–{fmt_pct(high, 0)}")
            if ev.formula is not None:
                console.print(f"  {ev.formula(lang)}", soft_wrap=True)
    for sched in plan.schedules:
        lots = ("、" if lang == "zh" else ", ").join(lot_label(x, lang) for x in sched.lots)
        table = Table(title=f"{w('timeline')}{colon}{lots}")
        for key in ("step", "from", "to", "basis"):
            table.add_column(w(key), overflow="fold")
        for step in sched.steps:
            basis = step.basis or (step.note(lang) if step.note else "")
            if step.basis and step.note:
                basis += "\n" + step.note(lang)
            table.add_row(
                step.name(lang),
                fmt_date(date.fromisoformat(step.start), lang),
                fmt_date(date.fromisoformat(step.end), lang),
                basis,
            )
        console.print(table)
    if plan.total_ceiling_cny is not None:
        console.print(
            f"{w('total_ceiling')}{colon}{fmt_money(plan.total_ceiling_cny, lang)}；"
            f"{w('scenario_budget')}{colon}{fmt_money(plan.budget_cny, lang)}"
            if lang == "zh"
            else f"{w('total_ceiling')}: {fmt_money(plan.total_ceiling_cny, lang)}; "
            f"{w('scenario_budget')}: {fmt_money(plan.budget_cny, lang)}"
        )
    for key, items in (("findings", plan.findings), ("cautions", plan.cautions)):
        if items:
            console.print(f"[bold]{w(key)}[/bold]")
            for item in items:
                console.print(f"  - {item(lang)}", soft_wrap=True)
    console.rule(f"[bold]{w('internal')}[/bold]")
    for internal in plan.internal:
        table = Table(title=f"{lot_label(internal.lot, lang)}{colon}{w('internal')}")
        table.add_column(w("candidate"), overflow="fold")
        table.add_column(w("estimate"), justify="right")
        for c in internal.candidates:
            name = c.name_zh if lang == "zh" and c.name_zh else c.name
            table.add_row(name, fmt_money(c.estimate_cny, lang))
        console.print(table)


def _print_contract(c: ContractPlan, lot_id: str, console: Console, lang: str) -> None:
    def w(key: str) -> str:
        return WORDS[key](lang)

    colon = "：" if lang == "zh" else ": "
    table = Table(title=f"{lot_label(lot_id, lang)}{colon}{w('contract')}", min_width=60)
    table.add_column(w("term"), overflow="fold")
    table.add_column(w("basis"), overflow="fold")
    rows = [(w("ctype"), [c.type]), (w("pricing"), c.pricing), (w("clauses"), c.clauses)]
    rows.append((w("acceptance"), c.acceptance))
    for heading, terms in rows:
        table.add_row(f"[bold]{heading}[/bold]", "")
        for t in terms:
            table.add_row(t.text(lang), t.basis(lang))
    table.add_row("", c.acceptance_basis(lang))
    console.print(table)


def _print_joining(j: JoiningPlan, console: Console, lang: str) -> None:
    def w(key: str) -> str:
        return WORDS[key](lang)

    colon = "：" if lang == "zh" else ": "
    console.rule(f"[bold]{w('join')}[/bold]")
    console.print(w("join_intro").format(parent=j.parent(lang)), soft_wrap=True)
    console.print(f"[bold]{w('requests')}[/bold]")
    for item in j.requests + j.terms:
        if item is j.terms[0]:
            console.print(f"[bold]{w('terms')}[/bold]")
        basis = f"（{item.basis}）" if item.basis and lang == "zh" else ""
        basis = basis or (f" ({item.basis})" if item.basis else "")
        console.print(f"  - {item.text(lang)}{'†' if item.assumed else ''}{basis}", soft_wrap=True)
    table = Table(title=w("join"))
    for key in ("systems", "capacity", "mlps", "fee"):
        table.add_column(w(key), overflow="fold")
    for sv in j.services:
        table.add_row(sv.system, sv.capacity(lang), str(sv.mlps_level), fmt_money(sv.fee_cny, lang))
    console.print(table)
    console.print(f"{w('fee')}{colon}{j.fee_basis(lang)}", soft_wrap=True)
    console.print(f"{w('alone')}{colon}{fmt_money(j.alone_cny, lang)}")
    steps = Table(title=w("timeline"))
    for key in ("step", "from", "to"):
        steps.add_column(w(key), overflow="fold")
    for st in j.steps:
        steps.add_row(st.name(lang) + "†", fmt_date(st.start, lang), fmt_date(st.end, lang))
    console.print(steps)
    console.print(f"{w('first_service')}{colon}{fmt_date(j.first_service, lang)}")
