"""Rich rendering of results for the terminal; formatting only, no judgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from procure.money import fmt_money

if TYPE_CHECKING:
    from procure.assess import Assessment
    from procure.cashflow import Comparison
    from procure.optimizer import Award


def print_assessment(a: Assessment, console: Console, lang: str = "en") -> None:
    """Readiness, deployment, partnership and route as tables."""
    console.print(f"[bold]{a.scenario}[/bold]")
    console.print(f"Weights ({a.weights.method}): "
                  + ", ".join(f"{k} {v:.3f}" for k, v in a.weights.weights.items()))
    r = a.readiness
    t = Table(title=f"Readiness {r.overall:.1f}/100, grade {r.grade} ({r.grade_label(lang)})")
    for col in ("factor", "indicator", "value", "score", "weight"):
        t.add_column(col)
    for f in r.factors:
        t.add_row(f"[bold]{f.name(lang)}[/bold]", "", "", f"{f.score:.1f}", f"{f.weight:.2f}")
        for c in f.contributions:
            t.add_row("", c.name(lang), c.value, f"{c.score:.1f}", f"{c.weight:.2f}")
    console.print(t)
    for act in r.actions:
        console.print(f"  action ({act.indicator}, {act.score:.0f}): {act.text(lang)}")
    t = Table(title="Deployment fit (0-100; x = excluded by a rule)")
    t.add_column("system")
    for model in ("private", "dedicated", "public", "hybrid"):
        t.add_column(model, justify="right")
    t.add_column("recommended")
    t.add_column("margin", justify="right")
    for p in a.deployment.placements:
        cells = ["x" if f.score is None else f"{f.score:.1f}" for f in p.fits]
        t.add_row(p.system, *cells, f"[bold]{p.recommended}[/bold]",
                  "" if p.margin is None else f"{p.margin:.1f}")
    console.print(t)
    for p in a.deployment.placements:
        console.print(f"  {p.system}: " + " ".join(x(lang) for x in p.reasons))
    pv = a.partnership
    t = Table(title=f"Partnership: {pv.mode_names[pv.recommended](lang)} recommended")
    t.add_column("dimension")
    for m in pv.totals:
        t.add_column(pv.mode_names[m](lang), justify="right")
    for d in pv.dimensions:
        t.add_row(d.name(lang), *(f"{d.scores[m]:.0f}" for m in pv.totals))
    t.add_row("[bold]total[/bold]", *(f"{pv.totals[m]:.1f}" for m in pv.totals))
    console.print(t)
    for reason in pv.reasons:
        console.print(f"  - {reason(lang)}")
    console.print(f"[bold]Procurement route:[/bold] {a.route.name(lang)} "
                  f"(estimated value {fmt_money(a.route.contract_value_cny, lang)})")
    for reason in a.route.reasons:
        console.print(f"  - {reason(lang)}")
    for caution in a.route.cautions:
        console.print(f"  [yellow]! {caution(lang)}[/yellow]")
    for w in a.warnings:
        console.print(f"[yellow]warning: {w}[/yellow]")
