"""What one state of the page shows, computed from a checked scenario: the summary, the award,
the deployment per system, the procurement plan (`procure.plan.build_plan`, as `procure plan`
builds it), the partnership comparison and the two contract structures; then, as a second
step, the robustness margin (the award's weight intervals, `procure.analysis.sensitivity`).

The result is plain data in the page's language (`View`), ready for the sealed templates."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from ruamel.yaml import YAML

from procure.advice.assess import assess, spend_basis
from procure.advice.knowledge import knowledge
from procure.advice.route import advise_route
from procure.analysis.cashflow import compare_modes
from procure.analysis.sensitivity import analyse, too_large
from procure.award.budget import Budget
from procure.award.optimizer import Award, optimize
from procure.catalog import catalog
from procure.errors import InfeasibleError, ProcureError
from procure.inputs.load import Inputs
from procure.inputs.scenario import CRITERIA
from procure.money import fmt_money, fmt_pct
from procure.plan import build_plan
from procure.recommendation import STRUCTURE_NAMES, summary
from procure.text import Text, fmt_date

View = dict[str, Any]
SOLVE_SECONDS = 60.0  # the award's own solve on the page (the CLI's default is 120)
ROBUSTNESS_SECONDS = 30.0  # the weight intervals' re-solves share this


@cache
def labels(lang: str) -> dict[str, str]:
    """The page's labels (serve/strings.yaml) with the brief's catalog beneath them."""
    from importlib.resources import files

    text = (files("procure.serve") / "strings.yaml").read_text(encoding="utf-8")
    own = YAML(typ="safe", pure=True).load(text)
    out = dict(catalog(lang))
    out.update({str(k): str(v[lang]) for k, v in own.items()})
    return out


def solve(inputs: Inputs, lang: str, today: date) -> tuple[View, Award | None]:
    """The page's first answer for a checked scenario (the award without its extras)."""
    t = labels(lang)
    kb = knowledge()
    s = inputs.scenario
    a = assess(s, inputs.vendors)
    weights = a.weights.weights

    def award_for(structure: str | None = None) -> Award:
        return optimize(
            s,
            a.deployment,
            weights,
            inputs.vendors,
            kb.costs,
            extras=False,
            structure=structure,
            time_limit=SOLVE_SECONDS,
        )

    award: Award | None
    why: Text | None = None
    try:
        award = award_for()
    except InfeasibleError as exc:
        award, why = None, Text(en=str(exc), zh=exc.text("zh"))
    if award is not None:
        route = advise_route(
            s, award.total_cost_cny, kb.routes, weights, from_award=True, vendors=inputs.vendors
        )
        a = a.model_copy(update={"route": route})
    spend, one_off, basis = spend_basis(a, award, s.procurement.contract_years)
    c = compare_modes(s, a.partnership, kb.cashflow, spend, one_off, basis, route=a.route)
    names = {v.id: (v.name_zh or v.name) if lang == "zh" else v.name for v in inputs.vendors}
    systems = {str(x.id): x.name for x in s.systems}
    view: View = {
        "weights": {k: round(v, 4) for k, v in weights.items()},
        "summary": [line(lang) for line in summary(a, award, why, c)],
        "infeasible": why(lang) if why else None,
        "award": _award(award, names, systems, t, lang, s.procurement.contract_years),
        "key": {x.system: [x.vendor, x.model] for x in award.systems} if award else {},
        "deployment": [
            {
                "system": p.name,
                "id": p.system,
                "best": t[f"model_{p.recommended}"],
                "awarded": t[f"model_{_awarded(award, p.system)}"]
                if _awarded(award, p.system)
                else "",
            }
            for p in a.deployment.placements
        ],
        "plan": _plan(s, award, a, inputs, kb, t, lang, today),
        "partnership": _partnership(c, t, lang),
        "structures": _structures(s, award, award_for, t, lang),
    }
    return view, award


def _awarded(award: Award | None, system: str) -> str | None:
    if award is None:
        return None
    return next((x.model for x in award.systems if x.system == system), None)


def _award(
    award: Award | None,
    names: dict[str, str],
    systems: dict[str, str],
    t: dict[str, str],
    lang: str,
    years: int,
) -> View | None:
    if award is None:
        return None
    return {
        "total": t["total"].format(
            total=fmt_money(award.total_cost_cny, lang),
            years=years,
            budget=fmt_money(award.budget_cny, lang),
        ),
        "status": ""
        if award.status == "Optimal"
        else t["unproven"].format(status=t.get(f"val_status_{award.status}", award.status)),
        "systems": [
            {
                "id": x.system,
                "name": systems.get(x.system, x.name),
                "vendor": names.get(x.vendor, x.vendor),
                "model": t[f"model_{x.model}"],
                "cost": fmt_money(x.cost_cny, lang),
            }
            for x in award.systems
        ],
        "vendors": [
            {
                "name": names.get(v.vendor, v.vendor),
                "role": t[f"role_{v.role}"],
                "share": fmt_pct(v.share),
                "cost": fmt_money(v.cost_cny, lang),
            }
            for v in award.vendors
        ],
        "binding": [b(lang) for b in award.binding],
        "cautions": [c(lang) for c in award.cautions],
    }


def _plan(
    s: Any,
    award: Award | None,
    a: Any,
    inputs: Inputs,
    kb: Any,
    t: dict[str, str],
    lang: str,
    today: date,
) -> View | None:
    if award is None:
        return None
    try:
        plan = build_plan(
            s,
            award,
            a.deployment,
            a.weights.weights,
            inputs.vendors,
            kb.costs,
            kb.routes,
            today,
            time_limit=SOLVE_SECONDS,  # the page's bound on every solve, a re-solve's too
        )
    except ProcureError as exc:
        return {"error": exc.text(lang)}
    lot_names = {lot.id: lot.name(lang) for lot in plan.lots}
    return {
        "lots": [
            {
                "id": lot.id,
                "name": lot.name(lang),
                "systems": ("、" if lang == "zh" else ", ").join(lot.systems),
                "method": lot.method_name(lang),
                "estimate": fmt_money(lot.estimated_value_cny, lang),
                "ceiling": fmt_money(lot.ceiling_cny, lang)
                if lot.ceiling_cny is not None
                else lot.ceiling_rule(lang),
            }
            for lot in plan.lots
        ],
        "total_ceiling": fmt_money(plan.total_ceiling_cny, lang)
        if plan.total_ceiling_cny is not None
        else "",
        "schedules": [
            {
                "lots": ("、" if lang == "zh" else ", ").join(lot_names[i] for i in sch.lots),
                "steps": [
                    {
                        "name": st.name(lang),
                        "start": fmt_date(st.start, lang),
                        "end": fmt_date(st.end, lang),
                    }
                    for st in sch.steps
                ],
            }
            for sch in plan.schedules
        ],
        "findings": [f(lang) for f in plan.findings],
        "key": [[lot.id, lot.method, lot.ceiling_cny] for lot in plan.lots],
    }


def _partnership(c: Any, t: dict[str, str], lang: str) -> View:
    modes = [c.direct, c.jv] + ([c.parent] if c.parent is not None else [])
    recommended = {"direct_purchase": "direct", "joint_venture": "jv"}.get(
        c.recommended, "parent" if c.recommended == "join_parent_cloud" else c.recommended
    )
    return {
        "rows": [
            {
                "name": m.name(lang),
                "npv": fmt_money(m.npv_cny, lang),
                "months": f"{m.months_to_service:.0f}",
                "recommended": m.mode == recommended,
            }
            for m in modes
        ],
        "recommended": c.qualitative.mode_names[c.recommended](lang)
        if c.recommended in c.qualitative.mode_names
        else c.recommended,
        "reasons": [r(lang) for r in c.reasons],
    }


def _structures(
    s: Any, award: Award | None, award_for: Any, t: dict[str, str], lang: str
) -> list[View]:
    chosen = s.procurement.structure
    other = "parallel" if chosen == "integrator" else "integrator"
    out = []
    for name in (chosen, other):
        try:
            got = award if name == chosen else award_for(other)
        except ProcureError:
            got = None
        out.append(
            {
                "name": STRUCTURE_NAMES[name](lang),
                "total": fmt_money(got.total_cost_cny, lang) if got else t["no_award"],
                "value": f"{got.value:.1f}" if got else "",
                "chosen": name == chosen,
            }
        )
    return out


def robustness(inputs: Inputs, award: Award | None, lang: str) -> View:
    """The award's interval on each criterion's weight (the others rescaled in proportion) and
    the margin: how far any one weight may move before the award changes."""
    t = labels(lang)
    if award is None:
        return {"margin": t["margin_none"], "rows": [], "note": ""}
    if too_large(award):  # every re-solve a shortened search (the brief's rule): none started
        return {"margin": t["margin_large"], "rows": [], "note": ""}
    s = inputs.scenario
    a = assess(s, inputs.vendors)
    result = analyse(
        s,
        a.deployment,
        a.weights.weights,
        inputs.vendors,
        draws=100,
        award_draws=0,
        base_award=award,
        budget=Budget(ROBUSTNESS_SECONDS),
    )
    rows = []
    margins = []
    for cs in result.criteria:
        if cs.award_interval is None:
            continue
        lo, hi = max(0.0, cs.award_interval[0]), min(1.0, cs.award_interval[1])
        margins.append(min(cs.base - lo if lo > 0 else 1.0, hi - cs.base if hi < 1 else 1.0))
        rows.append(
            {
                "criterion": t[f"w_{cs.criterion}"],
                "now": fmt_share(cs.base),
                "interval": f"{fmt_share(lo)} – {fmt_share(hi)}",
                "verdict": cs.verdict(lang),
            }
        )
    margin = max(0.0, min(margins)) if margins else None
    return {
        "margin": t["margin"].format(margin=fmt_share(margin))
        if margin is not None
        else t["margin_none"],
        "value": margin,
        "rows": rows,
        "note": result.budget_note(lang) if result.budget_note else "",
        "criteria": list(CRITERIA),
    }


def fmt_share(x: float) -> str:
    """A weight to two decimals, never '-0.00'."""
    return f"{abs(x) if round(x, 2) == 0 else x:.2f}"
