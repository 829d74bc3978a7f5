"""Rich rendering of results for the terminal; formatting only, no judgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from procure.catalog import catalog
from procure.money import fmt_money, fmt_pct, fmt_signed

if TYPE_CHECKING:
    from procure.assess import Assessment
    from procure.cashflow import Comparison
    from procure.optimizer import Award
    from procure.scenario import Scenario
    from procure.sensitivity import Sensitivity
    from procure.vendors import Vendor


def console(stderr: bool = False) -> Console:
    """A console for results (or, with stderr, for progress). Rich honours NO_COLOR and
    falls back to plain text when the stream is not a terminal."""
    return Console(stderr=stderr, highlight=False)


def _model(t: dict[str, str], model: str) -> str:
    return t.get(f"model_{model}", model)


def print_assessment(a: Assessment, console: Console, lang: str = "en") -> None:
    """Readiness, deployment, partnership and route as tables, in the chosen language."""
    t = catalog(lang)
    console.print(f"[bold]{a.scenario}[/bold]")
    console.print(
        t["term_weights"]
        + t["colon"]
        + t["comma"].join(f"{t[k]} {v:.3f}" for k, v in a.weights.weights.items())
    )
    r = a.readiness
    title = t["term_readiness_title"].format(
        score=f"{r.overall:.1f}", grade=r.grade, label=r.grade_label(lang)
    )
    table = Table(title=title)
    for col in ("factor", "indicator", "value", "score", "weight"):
        table.add_column(t[col], overflow="fold")
    for f in r.factors:
        table.add_row(f"[bold]{f.name(lang)}[/bold]", "", "", f"{f.score:.1f}", f"{f.weight:.2f}")
        for c in f.contributions:
            value = t.get(f"val_{c.value}", c.value)
            table.add_row("", c.name(lang), value, f"{c.score:.1f}", f"{c.weight:.2f}")
    console.print(table)
    for act in r.actions:
        console.print(f"  {t['term_action']} ({act.score:.0f}){t['colon']}{act.text(lang)}")
    table = Table(title=t["term_fit_title"])
    table.add_column(t["system"], overflow="fold")
    for model in ("private", "dedicated", "public", "hybrid"):
        table.add_column(_model(t, model), justify="right", overflow="fold")
    table.add_column(t["recommended"], overflow="fold")
    table.add_column(t["margin"], justify="right", overflow="fold")
    for p in a.deployment.placements:
        cells = ["x" if f.score is None else f"{f.score:.1f}" for f in p.fits]
        table.add_row(
            p.name,
            *cells,
            f"[bold]{_model(t, p.recommended)}[/bold]",
            "" if p.margin is None else f"{p.margin:.1f}",
        )
    console.print(table)
    for p in a.deployment.placements:
        console.print(f"  {p.name}{t['colon']}" + " ".join(x(lang) for x in p.reasons))
    pv = a.partnership
    table = Table(
        title=t["term_partnership_title"].format(mode=pv.mode_names[pv.recommended](lang))
    )
    table.add_column(t["dimension"], overflow="fold")
    for m in pv.totals:
        table.add_column(pv.mode_names[m](lang), justify="right")
    for d in pv.dimensions:
        table.add_row(d.name(lang), *(f"{d.scores[m]:.0f}" for m in pv.totals))
    table.add_row(f"[bold]{t['total']}[/bold]", *(f"{pv.totals[m]:.1f}" for m in pv.totals))
    console.print(table)
    for reason in pv.reasons:
        console.print(f"  - {reason(lang)}")
    value = t["term_route_value"].format(value=fmt_money(a.route.contract_value_cny, lang))
    console.print(f"[bold]{t['term_route']}{t['colon']}[/bold]{a.route.name(lang)} ({value})")
    for reason in a.route.reasons:
        console.print(f"  - {reason(lang)}")
    for caution in a.route.cautions:
        console.print(f"  [yellow]! {caution(lang)}[/yellow]")
    for w in a.warnings:
        console.print(f"[yellow]{t['term_warning']}: {w}[/yellow]")


def print_award(
    award: Award, console: Console, lang: str = "en", vendors: list[Vendor] | None = None
) -> None:
    """The award: vendors and roles, system placements, costs, rules' prices, alternatives.
    `vendors`: the catalog, to name the bidders of the alternatives too."""
    t = catalog(lang)
    console.print(
        t["term_award_line"].format(
            total=fmt_money(award.total_cost_cny, lang),
            budget=fmt_money(award.budget_cny, lang),
            value=f"{award.value:.1f}",
            solver=award.solver.upper(),
            status=t.get(f"val_status_{award.status}", award.status),
            gap="-" if award.gap is None else fmt_pct(award.gap, 3),
            seconds=f"{award.seconds:.2f}",
        )
    )
    names = {v.id: v.label(lang) for v in vendors or []}
    names.update(
        {v.vendor: (v.name_zh if lang == "zh" and v.name_zh else v.name) for v in award.vendors}
    )
    systems = {s.system: s.name or s.system for s in award.systems}
    table = Table(title=t["term_vendors"])
    for col in ("vendor", "role", "systems", "layers", "term_cost", "share"):
        table.add_column(t[col], overflow="fold")
    for v in award.vendors:
        table.add_row(
            names[v.vendor],
            t[f"role_{v.role}"],
            t["list_sep"].join(systems[s] for s in v.systems),
            t["list_sep"].join(t[f"layer_{x}"] for x in v.layers),
            fmt_money(v.cost_cny, lang),
            f"{v.share:.1%}",
        )
    console.print(table)
    table = Table(title=t["term_placements"])
    for col in ("system", "vendor", "model", "cost_over_term", "value_points"):
        table.add_column(t[col], overflow="fold")
    for s in award.systems:
        table.add_row(
            systems[s.system],
            names[s.vendor],
            _model(t, s.model),
            fmt_money(s.cost_cny, lang),
            f"{s.value:.1f}",
        )
    console.print(table)
    years = t["comma"].join(
        f"{t['year_n'].format(n=i)} {fmt_money(c, lang)}"
        for i, c in enumerate(award.cost_by_year, 1)
    )
    console.print(t["cost_by_year"] + t["colon"] + years)
    console.print(
        t["breakdown"]
        + t["colon"]
        + t["comma"].join(
            f"{t['cost_' + k]} {fmt_money(v, lang)}" for k, v in award.cost_breakdown.items()
        )
    )
    for b in award.binding:
        console.print(f"  {t['binding']}{t['colon']}{b(lang)}")
    for c in award.cautions:
        console.print(f"  [yellow]! {c(lang)}[/yellow]")
    for r in award.rule_costs:
        if r.feasible and r.delta_cost_cny is not None and r.delta_value is not None:
            effect = (
                t["term_keeps_saves"].format(amount=fmt_money(-r.delta_cost_cny, lang))
                if r.delta_cost_cny < 0
                else t["term_keeps_costs"].format(amount=fmt_money(r.delta_cost_cny, lang))
            )
            line = t["term_rule_line"].format(
                description=r.description(lang), effect=effect, delta=fmt_signed(r.delta_value)
            )
        else:
            line = t["term_rule_needed"].format(description=r.description(lang))
        console.print(f"  {line}")
    for a in award.alternatives:
        head = t["term_alternative"].format(
            rank=a.rank, cost=fmt_money(a.total_cost_cny, lang), value=f"{a.value:.1f}"
        )
        placed = t["semicolon"].join(
            f"{systems.get(k, k)}{t['colon']}{names.get(vid, vid)} ({_model(t, model)})"
            for k, (vid, model) in ((k, v.split("/")) for k, v in a.assignment.items())
        )
        console.print(f"  {head}{t['colon']}{placed}")


def print_vendors(vendors: list[Vendor], console: Console) -> None:
    """A catalog as a table."""
    t = Table(title="Vendor catalog")
    for col in ("id", "name", "archetype", "integrator", "models", "MLPS", "信创", "capacity"):
        t.add_column(col, overflow="fold")
    for v in vendors:
        t.add_row(
            v.id,
            v.name,
            v.archetype,
            "yes" if v.integrator else "",
            ", ".join(v.models),
            str(v.mlps_max),
            "yes" if v.domestic_stack else "",
            f"{v.capacity_vcpu:,}",
        )
    console.print(t)
    if any(v.assumption for v in vendors):
        console.print("Figures marked as assumptions are illustrative, not bid data.")


def print_comparison(c: Comparison, console: Console, lang: str = "en") -> None:
    """The partnership modes side by side, a text chart of cumulative cost, tipping points."""
    t = catalog(lang)
    names = c.qualitative.mode_names
    table = Table(
        title=t["term_comparison_title"].format(
            years=c.inputs.horizon_years, mode=names[c.recommended](lang)
        )
    )
    table.add_column("", overflow="fold")
    table.add_column(names["direct_purchase"](lang), justify="right")
    table.add_column(names["joint_venture"](lang), justify="right")
    table.add_row(t["npv"], fmt_money(c.direct.npv_cny, lang), fmt_money(c.jv.npv_cny, lang))
    if c.parent is not None:
        console.print(
            t["term_parent_line"].format(
                mode=names["join_parent_cloud"](lang),
                npv=fmt_money(c.parent.npv_cny, lang),
                months=f"{c.parent.months_to_service:.0f}",
            )
        )
    table.add_row(
        t["months_to_service"],
        f"{c.direct.months_to_service:.0f}",
        f"{c.jv.months_to_service:.0f}",
    )
    r = c.risk
    table.add_row(
        t["npv_range"],
        f"{fmt_money(r.npv_p10['direct'], lang)} - {fmt_money(r.npv_p90['direct'], lang)}",
        f"{fmt_money(r.npv_p10['jv'], lang)} - {fmt_money(r.npv_p90['jv'], lang)}",
    )
    table.add_row(
        t["prob_cheaper"],
        f"{r.probability_cheaper['direct']:.0%}",
        f"{r.probability_cheaper['jv']:.0%}",
    )
    for d in c.qualitative.dimensions:
        table.add_row(
            d.name(lang), f"{d.scores['direct_purchase']:.0f}", f"{d.scores['joint_venture']:.0f}"
        )
    console.print(table)
    console.print(
        t["cashflow_line"].format(
            spend=fmt_money(c.inputs.annual_spend_cny, lang),
            basis=t.get(
                "val_basis_" + c.inputs.spend_basis.replace(" ", "_"), c.inputs.spend_basis
            ),
            horizon=c.inputs.horizon_years,
            rate=fmt_pct(c.inputs.discount_rate),
            draws=r.draws,
            seed=r.seed,
        )
    )
    top = max(max(c.direct.cumulative), max(c.jv.cumulative)) or 1.0
    console.print(t["term_cumulative"])
    for year, (dv, jv) in enumerate(zip(c.direct.cumulative, c.jv.cumulative, strict=True), 1):
        console.print(f"  {year:>2} D {'#' * round(40 * dv / top):<40} {fmt_money(dv, lang)}")
        console.print(f"     J {'=' * round(40 * jv / top):<40} {fmt_money(jv, lang)}")
    for reason in c.reasons:
        console.print(f"  - {reason(lang)}")
    for tp in c.tipping:
        console.print(f"  {t['term_tipping']}{t['colon']}{tp.text(lang)}")


def variant_rows(
    a: tuple[Scenario, Assessment, Award | None, Comparison],
    b: tuple[Scenario, Assessment, Award | None, Comparison],
) -> list[list[str]]:
    """[label, first, second, changed] for the headline figures of two scenario variants."""

    def figures(x: tuple[Scenario, Assessment, Award | None, Comparison]) -> dict[str, str]:
        scenario, assessment, award, comparison = x
        mix = ", ".join(f"{m} {n}" for m, n in assessment.deployment.mix.items() if n)
        return {
            "scenario": scenario.name,
            "readiness": f"{assessment.readiness.overall:.1f} ({assessment.readiness.grade})",
            "deployment mix": mix,
            "award": ", ".join(f"{v.vendor} ({v.role})" for v in award.vendors)
            if award
            else "infeasible",
            "total cost over term": fmt_money(award.total_cost_cny, "en") if award else "-",
            "award value": f"{award.value:.1f}" if award else "-",
            "partnership": comparison.recommended,
            "NPV direct purchase": fmt_money(comparison.direct.npv_cny, "en"),
            "NPV joint venture": fmt_money(comparison.jv.npv_cny, "en"),
            "procurement route": assessment.route.method,
        }

    fa, fb = figures(a), figures(b)
    return [[k, fa[k], fb[k], "yes" if fa[k] != fb[k] else ""] for k in fa]


def print_variants(rows: list[list[str]], first: str, second: str, console: Console) -> None:
    t = Table(title="Scenario variants side by side (changed rows in bold)")
    for col in ("", first, second):
        t.add_column(col, overflow="fold")
    for label, x, y, changed in rows:
        style = "bold yellow" if changed else None
        t.add_row(label, x, y, style=style)
    console.print(t)


def print_sensitivity(result: Sensitivity, console: Console, lang: str = "en") -> None:
    """Verdicts per criterion, flip points, and acceptability tables."""
    for c in result.criteria:
        console.print(f"[bold]{c.criterion}[/bold] (weight {c.base:.3f}): {c.verdict(lang)}")
        for f in c.flips:
            console.print(f"  {f.system}: {f.before} -> {f.after} at weight {f.at:.3f}")
    acc = result.acceptability
    how = (
        "uniform over the simplex"
        if acc.spread is None
        else f"around the weights, spread {acc.spread}"
    )
    t = Table(
        title=f"First-rank acceptability ({acc.draws:,} weight draws, {how}, seed {acc.seed})"
    )
    t.add_column("system", overflow="fold")
    models = ("private", "dedicated", "public", "hybrid")
    for m in models:
        t.add_column(m, justify="right", overflow="fold")
    for system, shares in acc.first_rank.items():
        t.add_row(system, *(f"{shares[m]:.0%}" for m in models))
    console.print(t)
    t = Table(title=f"Vendor in the winning mix ({acc.award_draws} award re-solves)")
    t.add_column("vendor", overflow="fold")
    t.add_column("share of draws", justify="right", overflow="fold")
    for vendor, share in sorted(acc.vendor_in_mix.items(), key=lambda kv: -kv[1]):
        t.add_row(vendor, f"{share:.0%}")
    console.print(t)
