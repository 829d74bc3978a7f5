"""Rich rendering of results for the terminal; formatting only, no judgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

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


def print_assessment(a: Assessment, console: Console, lang: str = "en") -> None:
    """Readiness, deployment, partnership and route as tables."""
    console.print(f"[bold]{a.scenario}[/bold]")
    console.print(
        f"Weights ({a.weights.method}): "
        + ", ".join(f"{k} {v:.3f}" for k, v in a.weights.weights.items())
    )
    r = a.readiness
    t = Table(title=f"Readiness {r.overall:.1f}/100, grade {r.grade} ({r.grade_label(lang)})")
    for col in ("factor", "indicator", "value", "score", "weight"):
        t.add_column(col, overflow="fold")
    for f in r.factors:
        t.add_row(f"[bold]{f.name(lang)}[/bold]", "", "", f"{f.score:.1f}", f"{f.weight:.2f}")
        for c in f.contributions:
            t.add_row("", c.name(lang), c.value, f"{c.score:.1f}", f"{c.weight:.2f}")
    console.print(t)
    for act in r.actions:
        console.print(f"  action ({act.indicator}, {act.score:.0f}): {act.text(lang)}")
    t = Table(title="Deployment fit (0-100; x = excluded by a rule)")
    t.add_column("system", overflow="fold")
    for model in ("private", "dedicated", "public", "hybrid"):
        t.add_column(model, justify="right", overflow="fold")
    t.add_column("recommended", overflow="fold")
    t.add_column("margin", justify="right", overflow="fold")
    for p in a.deployment.placements:
        cells = ["x" if f.score is None else f"{f.score:.1f}" for f in p.fits]
        t.add_row(
            p.system,
            *cells,
            f"[bold]{p.recommended}[/bold]",
            "" if p.margin is None else f"{p.margin:.1f}",
        )
    console.print(t)
    for p in a.deployment.placements:
        console.print(f"  {p.system}: " + " ".join(x(lang) for x in p.reasons))
    pv = a.partnership
    t = Table(title=f"Partnership: {pv.mode_names[pv.recommended](lang)} recommended")
    t.add_column("dimension", overflow="fold")
    for m in pv.totals:
        t.add_column(pv.mode_names[m](lang), justify="right")
    for d in pv.dimensions:
        t.add_row(d.name(lang), *(f"{d.scores[m]:.0f}" for m in pv.totals))
    t.add_row("[bold]total[/bold]", *(f"{pv.totals[m]:.1f}" for m in pv.totals))
    console.print(t)
    for reason in pv.reasons:
        console.print(f"  - {reason(lang)}")
    console.print(
        f"[bold]Procurement route:[/bold] {a.route.name(lang)} "
        f"(contract value estimated before the award: "
        f"{fmt_money(a.route.contract_value_cny, lang)}; `procure brief` uses the award's)"
    )
    for reason in a.route.reasons:
        console.print(f"  - {reason(lang)}")
    for caution in a.route.cautions:
        console.print(f"  [yellow]! {caution(lang)}[/yellow]")
    for w in a.warnings:
        console.print(f"[yellow]warning: {w}[/yellow]")


def print_award(award: Award, console: Console, lang: str = "en") -> None:
    """The award: vendors and roles, system placements, costs, rules' prices, alternatives."""
    console.print(
        f"[bold]Award[/bold]: total {fmt_money(award.total_cost_cny, lang)} of "
        f"{fmt_money(award.budget_cny, lang)} budget; value {award.value:.1f}/100; "
        f"{award.solver} {award.status}, gap {'-' if award.gap is None else fmt_pct(award.gap, 3)}"
        f", {award.seconds:.2f} s"
    )
    t = Table(title="Vendors")
    for col in ("vendor", "role", "systems", "layers", "cost", "share"):
        t.add_column(col, overflow="fold")
    for v in award.vendors:
        t.add_row(
            f"{v.vendor} ({v.name})",
            v.role,
            ", ".join(v.systems),
            ", ".join(v.layers),
            fmt_money(v.cost_cny, lang),
            f"{v.share:.1%}",
        )
    console.print(t)
    t = Table(title="Placements")
    for col in ("system", "vendor", "model", "cost over term", "value"):
        t.add_column(col, overflow="fold")
    for s in award.systems:
        t.add_row(s.system, s.vendor, s.model, fmt_money(s.cost_cny, lang), f"{s.value:.1f}")
    console.print(t)
    console.print("Cost by year: " + ", ".join(fmt_money(c, lang) for c in award.cost_by_year))
    console.print(
        "Breakdown: "
        + ", ".join(f"{k} {fmt_money(v, lang)}" for k, v in award.cost_breakdown.items())
    )
    for b in award.binding:
        console.print(f"  binding: {b(lang)}")
    for r in award.rule_costs:
        if r.feasible and r.delta_cost_cny is not None and r.delta_value is not None:
            effect = (
                f"keeping it saves {fmt_money(-r.delta_cost_cny, lang)}"
                if r.delta_cost_cny < 0
                else f"keeping it costs {fmt_money(r.delta_cost_cny, lang)}"
            )
            console.print(
                f"  rule {r.rule} ({r.description(lang)}): {effect}, "
                f"value {fmt_signed(r.delta_value)} points"
            )
        else:
            console.print(f"  rule {r.rule} ({r.description(lang)}): no award without it")
    for a in award.alternatives:
        console.print(
            f"  alternative {a.rank}: {fmt_money(a.total_cost_cny, lang)}, value "
            f"{a.value:.1f}: " + ", ".join(f"{k}={v}" for k, v in a.assignment.items())
        )


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
    """Both partnership modes side by side, a text chart of cumulative cost, tipping points."""
    names = c.qualitative.mode_names
    t = Table(
        title=f"Joint venture vs direct purchase over {c.inputs.horizon_years} years "
        f"(recommended: {names[c.recommended](lang)})"
    )
    t.add_column("", overflow="fold")
    t.add_column(names["direct_purchase"](lang), justify="right")
    t.add_column(names["joint_venture"](lang), justify="right")
    t.add_row("NPV of cost", fmt_money(c.direct.npv_cny, lang), fmt_money(c.jv.npv_cny, lang))
    if c.parent is not None:
        console.print(
            f"{names['join_parent_cloud'](lang)}: NPV of cost {fmt_money(c.parent.npv_cny, lang)}, "
            f"first service in about {c.parent.months_to_service:.0f} months"
        )
    t.add_row(
        "months to first service",
        f"{c.direct.months_to_service:.0f}",
        f"{c.jv.months_to_service:.0f}",
    )
    r = c.risk
    t.add_row(
        "NPV P10-P90",
        f"{fmt_money(r.npv_p10['direct'], lang)} - {fmt_money(r.npv_p90['direct'], lang)}",
        f"{fmt_money(r.npv_p10['jv'], lang)} - {fmt_money(r.npv_p90['jv'], lang)}",
    )
    t.add_row(
        "P(cheaper)", f"{r.probability_cheaper['direct']:.0%}", f"{r.probability_cheaper['jv']:.0%}"
    )
    for d in c.qualitative.dimensions:
        t.add_row(
            d.name(lang), f"{d.scores['direct_purchase']:.0f}", f"{d.scores['joint_venture']:.0f}"
        )
    console.print(t)
    console.print(
        f"Annual spend {fmt_money(c.inputs.annual_spend_cny, lang)} "
        f"(basis: {c.inputs.spend_basis}); {r.draws:,} Monte Carlo draws, seed {r.seed}"
    )
    top = max(max(c.direct.cumulative), max(c.jv.cumulative)) or 1.0
    console.print("Cumulative cost (D = direct purchase, J = joint venture):")
    for year, (dv, jv) in enumerate(zip(c.direct.cumulative, c.jv.cumulative, strict=True), 1):
        console.print(f"  {year:>2} D {'#' * round(40 * dv / top):<40} {fmt_money(dv, lang)}")
        console.print(f"     J {'=' * round(40 * jv / top):<40} {fmt_money(jv, lang)}")
    for reason in c.reasons:
        console.print(f"  - {reason(lang)}")
    for tp in c.tipping:
        console.print(f"  tipping point: {tp.text(lang)}")


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
