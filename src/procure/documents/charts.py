"""Charts as SVG with text left as text (the brief's fonts apply); readable in greyscale."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procure.recommendation import Recommendation

GREYS = ("#222222", "#777777", "#aaaaaa", "#cccccc")
HATCHES = ("", "//", "\\\\", "xx")  # line hatches: dot hatches drew 1,300 curves per chart


def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "procure",
            "font.size": 9,
            "font.family": "sans-serif",
            "font.sans-serif": ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "DejaVu Sans"],
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _svg(fig) -> str:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _with_unit(label: str, unit: str) -> str:
    """An axis label and its unit: 总成本（万元）, Total cost (M CNY)."""
    return f"{label}（{unit}）" if unit == "万元" else f"{label} ({unit})"


def _y_title(ax: Any, label: str) -> None:
    """The y axis's label, written across above the axis: set along a rotated axis, a Chinese
    label stacks its characters one above another."""
    ax.set_title(label, loc="left", fontsize=9, pad=6)


def warm_up() -> None:
    """Pay matplotlib's first-figure costs (font lookup, the SVG backend): about 0.25 s."""
    fig = _figure(1, 1)
    fig.text(0.5, 0.5, "0 字")
    _svg(fig)


def readiness_chart(rec: Recommendation, t: dict[str, str]) -> str:
    lang = rec.language
    factors = rec.assessment.readiness.factors
    fig = _figure(5.5, 1.8)
    ax = fig.add_subplot()
    names = [f.name(lang) for f in factors]
    bars = ax.barh(names, [f.score for f in factors], color=GREYS[1], edgecolor=GREYS[0])
    for bar, f in zip(bars, factors, strict=True):
        ax.text(
            bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{f.score:.0f}", va="center"
        )
    ax.set_xlim(0, 100)
    ax.axvline(rec.assessment.readiness.overall, color=GREYS[0], linestyle="--", linewidth=1)
    ax.set_xlabel(t["score_0_100"])
    ax.invert_yaxis()
    return _svg(fig)


def cashflow_chart(rec: Recommendation, t: dict[str, str]) -> str:
    c = rec.comparison
    lang = rec.language
    scale, unit = (1e4, "万元") if lang == "zh" else (1e6, "M CNY")
    years = list(range(1, len(c.direct.cumulative) + 1))
    fig = _figure(5.5, 2.1)
    ax = fig.add_subplot()
    ax.plot(
        years,
        [v / scale for v in c.direct.cumulative],
        color=GREYS[0],
        marker="o",
        markersize=3,
        label=c.direct.name(lang),
    )
    ax.plot(
        years,
        [v / scale for v in c.jv.cumulative],
        color=GREYS[1],
        linestyle="--",
        marker="s",
        markersize=3,
        label=c.jv.name(lang),
    )
    if c.parent is not None:
        ax.plot(
            years,
            [v / scale for v in c.parent.cumulative],
            color=GREYS[2],
            linestyle=":",
            marker="^",
            markersize=3,
            label=c.parent.name(lang),
        )
    ax.set_xlabel(t["year"])
    _y_title(ax, _with_unit(t["cumulative_cost"], unit))
    ax.legend(frameon=False)
    return _svg(fig)


def frontier_chart(rec: Recommendation, t: dict[str, str]) -> str:
    award = rec.award
    if award is None or len({round(a.total_cost_cny) for a in award.frontier}) < 2:
        return ""  # a single point is no trade-off: nothing to show
    scale, unit = (1e4, "万元") if rec.language == "zh" else (1e6, "M CNY")
    pts = sorted(award.frontier, key=lambda a: a.total_cost_cny)
    fig = _figure(5.5, 2.1)
    ax = fig.add_subplot()
    ax.plot(
        [p.total_cost_cny / scale for p in pts],
        [p.value for p in pts],
        color=GREYS[1],
        marker="o",
        markersize=4,
        label=t["frontier"],
    )
    ax.plot(
        [award.total_cost_cny / scale],
        [award.value],
        marker="*",
        markersize=12,
        color=GREYS[0],
        linestyle="none",
        label=t["recommended_award"],
    )
    ax.set_xlabel(_with_unit(t["total_cost"], unit))
    _y_title(ax, t["value_points"])
    ax.legend(frameon=False)
    return _svg(fig)


def vendor_cost_chart(rec: Recommendation, t: dict[str, str]) -> str:
    award = rec.award
    if award is None or len(award.vendors) < 2:
        return ""  # one bar compares nothing: the table says it
    scale, unit = (1e4, "万元") if rec.language == "zh" else (1e6, "M CNY")
    fig = _figure(5.5, 0.5 + 0.35 * len(award.vendors))
    ax = fig.add_subplot()
    for i, v in enumerate(award.vendors):
        ax.barh(
            rec.vendor_names[v.vendor](rec.language) if v.vendor in rec.vendor_names else v.name,
            v.cost_cny / scale,
            color=GREYS[i % 4],
            hatch=HATCHES[i % 4],
            edgecolor=GREYS[0],
        )
    ax.set_xlabel(_with_unit(t["cost_over_term"], unit))
    ax.invert_yaxis()
    return _svg(fig)


def robustness_chart(rec: Recommendation, t: dict[str, str], shown: set[str] | None = None) -> str:
    """One panel per criterion: each system's recommended model as its weight varies.
    `shown`: the systems to draw (a large brief's deciding ones; all by default: 1,000 rows
    made a 640-inch chart that took 20 s to draw and lay out)."""
    result = rec.robustness
    if result is None or not any(c.flips for c in result.criteria):
        return ""  # no system changes its model anywhere: every bar one shade, nothing to show
    models = ("private", "dedicated", "public", "hybrid")
    systems = [
        p for p in rec.assessment.deployment.placements if shown is None or p.system in shown
    ]
    from matplotlib.collections import PolyCollection

    fig = _figure(6.2, 1.0 + 0.26 * len(systems) * 2)
    for k, c in enumerate(result.criteria):
        ax = fig.add_subplot(2, 2, k + 1)
        boxes: dict[str, list[list[tuple[float, float]]]] = {m: [] for m in models}
        for row, p in enumerate(systems):
            for start, end, model in c.placements.get(p.system, []):
                top, bottom = row - 0.35, row + 0.35
                boxes[model].append([(start, top), (end, top), (end, bottom), (start, bottom)])
        for i, m in enumerate(models):  # one collection per model: a few SVG groups, not dozens
            if boxes[m]:
                ax.add_collection(
                    PolyCollection(
                        boxes[m],
                        facecolors=GREYS[i],
                        hatch=HATCHES[i],
                        edgecolors="#000000",
                        linewidths=0.3,
                    )
                )
        ax.set_ylim(-0.6, len(systems) - 0.4)
        if c.award_interval is not None:
            lo, hi = c.award_interval
            ax.axvspan(
                lo,
                hi,
                ymin=0.0,
                ymax=1.0,
                facecolor="none",
                edgecolor="#000000",
                linewidth=1.2,
                linestyle=":",
            )
        ax.axvline(c.base, color="#000000", linewidth=1.2)
        ax.set_xlim(0, 1)
        ax.set_yticks(range(len(systems)))
        ax.set_yticklabels([p.name for p in systems] if k % 2 == 0 else [])
        ax.invert_yaxis()
        ax.set_title(t[c.criterion], fontsize=9, pad=8)
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=GREYS[i], hatch=HATCHES[i], edgecolor="#000000", label=t[f"model_{m}"])
        for i, m in enumerate(models)
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False)
    fig.subplots_adjust(bottom=0.18, hspace=0.8)
    return _svg(fig)


PHASE_SHADES = {"preparation": 3, "procurement": 1, "delivery": 2, "acceptance": 3}


def timeline_chart(rec: Recommendation, t: dict[str, str]) -> str:
    """The route's steps as a Gantt chart: one bar a step, legal minimums marked."""
    lang = rec.language
    steps = rec.assessment.route.timeline
    if not steps:
        return ""
    fig = _figure(6.2, 0.6 + 0.28 * len(steps))
    ax = fig.add_subplot()
    for row, s in enumerate(steps):
        shade = PHASE_SHADES[s.phase]
        ax.barh(
            row,
            s.days,
            left=s.start_day,
            color=GREYS[shade],
            hatch=HATCHES[shade],
            edgecolor=GREYS[0],
            linewidth=0.5,
        )
        if s.min_days is not None:
            legal = s.min_days * (7 / 5 if s.working_days else 1)
            ax.plot([s.start_day + legal] * 2, [row - 0.4, row + 0.4], color="#000000", lw=1.2)
    ax.set_yticks(range(len(steps)))
    ax.set_yticklabels([s.name(lang) for s in steps])
    ax.invert_yaxis()
    ax.set_xlabel(t["days_from_start"])
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    phases = list(dict.fromkeys(s.phase for s in steps))
    handles: list[Any] = [
        Patch(
            facecolor=GREYS[PHASE_SHADES[p]],
            hatch=HATCHES[PHASE_SHADES[p]],
            edgecolor=GREYS[0],
            label=t[f"phase_{p}"],
        )
        for p in phases
    ]
    handles.append(Line2D([0], [0], color="#000000", lw=1.2, label=t["legal_minimum"]))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.5 / (0.6 + 0.28 * len(steps))),
        ncol=len(handles),
        frameon=False,
        fontsize=9,
    )
    return _svg(fig)
