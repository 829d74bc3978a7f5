"""Rich rendering of results for the terminal; formatting only, no judgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from procure.catalog import catalog
from procure.money import fmt_money, fmt_pct, fmt_signed

if TYPE_CHECKING:
    from procure.advice.assess import Assessment
    from procure.analysis.cashflow import Comparison
    from procure.analysis.explain import BidderOutcome
    from procure.analysis.sensitivity import Sensitivity
    from procure.award.optimizer import Award
    from procure.inputs.load import Inputs
    from procure.inputs.scenario import Scenario
    from procure.inputs.vendors import Vendor


def console(stderr: bool = False) -> Console:
    """A console for results (or, with stderr, for progress). Rich honours NO_COLOR and
    falls back to plain text when the stream is not a terminal."""
    return Console(stderr=stderr, highlight=False)


def _paren(text: str, note: str, lang: str) -> str:
    return f"{text}（{note}）" if lang == "zh" else f"{text} ({note})"


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
        action = _paren(t["term_action"], f"{act.score:.0f}", lang)
        console.print(f"  {action}{t['colon']}{act.text(lang)}")
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
    route = _paren(a.route.name(lang), value, lang)
    console.print(f"[bold]{t['term_route']}{t['colon']}[/bold]{route}")
    if a.route.stage is not None:  # before the estimate: which command gives the final route
        console.print(f"  [italic]{a.route.stage(lang)}[/italic]")
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
            status=t.get("val_status_" + award.status.replace(" ", "_"), award.status),
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
        elif r.feasible:  # not distinguishable within the extras' gap
            gap = fmt_pct(award.extras_gap or 0.0, 2)
            line = t["term_rule_within"].format(description=r.description(lang), gap=gap)
        else:
            line = t["term_rule_needed"].format(description=r.description(lang))
        console.print(f"  {line}")
    for a in award.alternatives:
        head = t["term_alternative"].format(
            rank=a.rank, cost=fmt_money(a.total_cost_cny, lang), value=f"{a.value:.1f}"
        )
        placed = t["semicolon"].join(
            f"{systems.get(k, k)}{t['colon']}{_paren(names.get(vid, vid), _model(t, model), lang)}"
            for k, (vid, model) in ((k, v.split("/")) for k, v in a.assignment.items())
        )
        console.print(f"  {head}{t['colon']}{placed}")


def print_vendors(vendors: list[Vendor], console: Console, lang: str = "en") -> None:
    """A catalog as a table."""
    t = catalog(lang)
    table = Table(title=t["term_catalog_title"])
    for col in ("id", "name", "archetype", "integrator", "models", "mlps", "xinchuang", "capacity"):
        table.add_column(t[f"term_col_{col}"], overflow="fold")
    for v in vendors:
        table.add_row(
            v.id,
            v.label(lang),
            t[f"archetype_{v.archetype}"],
            t["term_yes"] if v.integrator else "",
            t["list_sep"].join(_model(t, m) for m in v.models),
            str(v.mlps_max),
            t["term_yes"] if v.domestic_stack else "",
            f"{v.capacity_vcpu:,}",
        )
    console.print(table)
    if any(v.assumption for v in vendors):
        console.print(t["term_catalog_assumed"])


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


VARIANT_ROWS = (
    "scenario",
    "readiness",
    "deployment mix",
    "award",
    "total cost over term",
    "award value",
    "partnership",
    "NPV direct purchase",
    "NPV joint venture",
    "procurement route",
)


def variant_rows(
    a: tuple[Scenario, Assessment, Award | None, Comparison],
    b: tuple[Scenario, Assessment, Award | None, Comparison],
    lang: str = "en",
) -> list[list[str]]:
    """[key, first, second, changed] for the headline figures of two scenario variants; the
    key is stable (for JSON), the figures are in `lang`, with names, not ids."""
    t = catalog(lang)

    def figures(x: tuple[Scenario, Assessment, Award | None, Comparison]) -> dict[str, str]:
        scenario, assessment, award, comparison = x
        from procure.recommendation import model_mix

        counts, basis = model_mix(assessment, award)  # as the brief counts them
        mix = t["comma"].join(f"{_model(t, m)} {n}" for m, n in counts.items() if n)
        mix += f"（{t[basis]}）" if lang == "zh" else f" ({t[basis]})"
        names = {
            v.vendor: (v.name_zh if lang == "zh" and v.name_zh else v.name)
            for v in (award.vendors if award else [])
        }
        r = assessment.readiness
        modes = comparison.qualitative.mode_names
        values = [
            scenario.name,
            f"{r.overall:.1f}" + (f"（{r.grade}级）" if lang == "zh" else f" ({r.grade})"),
            mix,
            t["comma"].join(
                _paren(names[v.vendor], t[f"role_{v.role}"], lang) for v in award.vendors
            )
            if award
            else t["no_award"],
            fmt_money(award.total_cost_cny, lang) if award else "-",
            f"{award.value:.1f}" if award else "-",
            modes[comparison.recommended](lang),
            fmt_money(comparison.direct.npv_cny, lang),
            fmt_money(comparison.jv.npv_cny, lang),
            assessment.route.name(lang),
        ]
        return dict(zip(VARIANT_ROWS, values, strict=True))

    fa, fb = figures(a), figures(b)
    return [[k, fa[k], fb[k], t["term_yes"] if fa[k] != fb[k] else ""] for k in VARIANT_ROWS]


def print_variants(
    rows: list[list[str]], first: str, second: str, console: Console, lang: str = "en"
) -> None:
    t = catalog(lang)
    table = Table(title=t["term_variants_title"])
    for col in ("", first, second):
        table.add_column(col, overflow="fold")
    for key, x, y, changed in rows:
        style = "bold yellow" if changed else None
        table.add_row(t["var_" + key.lower().replace(" ", "_")], x, y, style=style)
    console.print(table)


def print_sensitivity(
    result: Sensitivity, console: Console, lang: str = "en", inputs: Inputs | None = None
) -> None:
    """Verdicts per criterion, flip points, and acceptability tables; systems and vendors by
    name when `inputs` gives them."""
    t = catalog(lang)
    systems = {str(s.id): s.name for s in inputs.scenario.systems} if inputs else {}
    vendors = {v.id: v.label(lang) for v in inputs.vendors} if inputs else {}
    for c in result.criteria:
        console.print(
            "[bold]"
            + t["term_sens_criterion"].format(
                criterion=t[c.criterion], weight=f"{c.base:.3f}", verdict=c.verdict(lang)
            )
            + "[/bold]"
        )
        for f in c.flips:
            flip = t["term_sens_flip"].format(
                system=systems.get(f.system, f.system),
                before=_model(t, f.before),
                after=_model(t, f.after),
                at=f"{f.at:.3f}",
            )
            console.print(f"  {flip}")
    acc = result.acceptability
    how = (
        t["term_acc_uniform"]
        if acc.spread is None
        else t["term_acc_spread"].format(spread=acc.spread)
    )
    table = Table(title=t["term_acc_title"].format(draws=f"{acc.draws:,}", how=how, seed=acc.seed))
    table.add_column(t["system"], overflow="fold")
    models = ("private", "dedicated", "public", "hybrid")
    for m in models:
        table.add_column(_model(t, m), justify="right", overflow="fold")
    for system, shares in acc.first_rank.items():
        table.add_row(systems.get(system, system), *(f"{shares[m]:.0%}" for m in models))
    console.print(table)
    table = Table(title=t["term_mix_title"].format(n=acc.award_draws))
    table.add_column(t["vendor"], overflow="fold")
    table.add_column(t["term_share_draws"], justify="right", overflow="fold")
    for vendor, share in sorted(acc.vendor_in_mix.items(), key=lambda kv: -kv[1]):
        table.add_row(vendors.get(vendor, vendor), f"{share:.0%}")
    console.print(table)


def print_outcomes(
    outcomes: list[BidderOutcome], inputs: Inputs, console: Console, lang: str = "en"
) -> None:
    """Why each bidder won or lost, by name."""
    from procure.analysis.explain import describe

    t = catalog(lang)
    names = {str(s.id): s.name for s in inputs.scenario.systems}
    vendors = {v.id: v.label(lang) for v in inputs.vendors}
    table = Table(title=t["explain_title"])
    table.add_column(t["vendor"], overflow="fold")
    table.add_column(t["outcome"], overflow="fold")
    table.add_column(t["term_reason"], overflow="fold")
    for o in outcomes:
        table.add_row(vendors[o.vendor], t[f"outcome_{o.outcome}"], describe(o, names, lang))
    console.print(table)
    console.print(t["explain_note"])
