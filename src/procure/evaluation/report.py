"""The 评审报告 draft: the Evaluation as terminal text, JSON, HTML or PDF (with its input and
its numbers attached, for `procure verify`). Formatting only. Templates get plain data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from procure.catalog import catalog
from procure.evaluation.model import EvaluationFile
from procure.evaluation.scoring import Evaluation
from procure.inputs.record import EVALUATION_JSON
from procure.money import fmt_money
from procure.text import fmt_date

TEMPLATE = "evaluation/report.html.j2"
CONSULTATION_TERMS = ("ev_committee", "ev_bidder", "ev_candidates", "ev_base_price", "ev_bid_price")


def _num(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


def _money(cny: float | None, lang: str) -> str:
    """A price to the yuan: in 万元 in Chinese (the glossary's rule), CNY in English."""
    if cny is None:
        return ""
    return f"{cny / 1e4:,.4f}" if lang == "zh" else f"{cny:,.2f}"


def view(result: Evaluation, ev: EvaluationFile, lang: str) -> dict[str, Any]:
    """Everything the report shows, as plain data (text and numbers) in `lang`."""
    t = catalog(lang)
    if result.procedure == "competitive_consultation":  # 214号's own terms
        t = {**t, **{k: t[f"{k}_consultation"] for k in CONSULTATION_TERMS}}
    zh = lang == "zh"
    names = {m["id"]: m["name"] for m in result.committee}
    lots = []
    for lot_result in result.lots:
        lot = next(x for x in ev.lots if x.id == lot_result.lot)
        bid_names = {b.bid: b.name for b in lot_result.bids}
        rows = [
            {
                "name": b.name,
                "size": t[f"ev_size_{b.size}"],
                "price": _money(b.price_cny, lang),
                "evaluated": _money(b.evaluated_price_cny, lang),
                "price_points": _num(b.price_points),
                "factors": [_num(b.factor_points.get(f.id)) for f in lot.factors],
                "total": _num(b.total),
                "rank": ""
                if b.rank is None
                else f"{b.rank}"
                + (
                    f"（{t['ev_tied']}）"
                    if zh and b.tied
                    else f" ({t['ev_tied']})"
                    if b.tied
                    else ""
                ),
            }
            for b in lot_result.bids
            if b.responsive
        ]
        dropped = [
            {"name": b.name, "price": _money(b.price_cny, lang), "reason": b.reason or ""}
            for b in lot_result.bids
            if not b.responsive
        ]
        agreement = lot_result.agreement
        w_line = t["ev_w_none"]
        loo: list[dict[str, str]] = []
        if agreement is not None and agreement.kendall_w is not None:
            w_line = t["ev_w_line"].format(
                w=f"{agreement.kendall_w:.3f}",
                chi2=f"{agreement.chi2:.2f}",
                df=agreement.df,
                p=f"{agreement.p_value:.4f}",
            )
            loo = [
                {
                    "member": names.get(d.member, d.member),
                    "first": t["list_sep"].join(bid_names[b] for b in d.first),
                    "changes": t["ev_yes"] if d.changes else t["ev_no"],
                }
                for d in agreement.leave_one_out
            ]
        changed = [x["member"] for x in loo if x["changes"] == t["ev_yes"]]
        loo_line = ""
        if loo:
            loo_line = (
                t["ev_loo_changed"].format(members=t["list_sep"].join(changed))
                if changed
                else t["ev_loo_same"]
            )
        status = ""
        if lot_result.status in ("failed", "terminated"):
            status = t[f"ev_status_{lot_result.status}"]
        lots.append(
            {
                "id": lot.id,
                "name": lot.name,
                "price_weight": f"{lot.price_weight:.0%}",
                "base_price": _money(lot_result.base_price_cny, lang),
                "base_money": fmt_money(lot_result.base_price_cny or 0, lang),
                "factors": [
                    {
                        "name": f.name,
                        "max": f"{f.max:g}",
                        "kind": t[f"ev_kind_{f.kind}"],
                    }
                    for f in lot.factors
                ],
                "rows": rows,
                "dropped": dropped,
                "candidates": [bid_names[c] for c in lot_result.candidates],
                "status": status,
                "w_line": w_line,
                "w_meaning": agreement.meaning.zh
                if agreement and zh
                else agreement.meaning.en
                if agreement
                else "",
                "loo": loo,
                "loo_line": loo_line,
                "safety": (lot_result.safety.note.zh if zh else lot_result.safety.note.en)
                if lot_result.safety
                else "",
                "findings": [f.zh if zh else f.en for f in result.findings if f.lot == lot.id],
            }
        )
    sme = ""
    if result.sme is not None and result.sme.range is not None:
        sme = t["ev_sme_text"].format(
            d=f"{result.sme.deduction:.0%}",
            rule=result.sme.citation(lang) if result.sme.citation else "",
            effective=fmt_date(result.sme.effective, lang) if result.sme.effective else "",
            low=f"{result.sme.range[0]:.0%}",
            high=f"{result.sme.range[1]:.0%}",
        )
    return {
        "lang": lang,
        "t": t,
        "project": result.project,
        "procedure": t[f"ev_procedure_{result.procedure}"],
        "method": t[f"ev_method_{result.method}"],
        "category": t[f"ev_category_{result.category}"],
        "notice_date": result.notice_date,
        "committee": [
            {"name": m["name"], "role": t[f"ev_role_{m['role']}"]} for m in result.committee
        ],
        "sme": sme,
        "lots": lots,
        "general_findings": [f.zh if zh else f.en for f in result.findings if f.lot is None],
        "checks": [
            {
                "article": c.article(lang),
                "test": c.test.zh if zh else c.test.en,
                "count": c.findings,
            }
            for c in result.checks
        ],
        "rules": [r.zh if zh else r.en for r in result.rules],
        "assumptions": [a.zh if zh else a.en for a in result.assumptions],
        "record": result.record.model_dump(mode="json") if result.record else None,
        "record_line": t["record_line"].format(
            tool=result.record.tool_version,
            kb=result.record.knowledge_version,
            date=result.record.date,
        )
        if result.record
        else "",
    }


def terminal_text(result: Evaluation, ev: EvaluationFile, lang: str) -> str:
    """The report for a terminal: the ranking, candidates, findings, agreement and safety."""
    v = view(result, ev, lang)
    t = v["t"]
    colon = t["colon"]
    out = [f"{t['ev_title']}{colon}{v['project']}", f"{v['procedure']} / {v['method']}"]
    if v["sme"]:
        out.append(v["sme"])
    for lot in v["lots"]:
        out.append("")
        out.append(lot["name"])
        if lot["status"]:
            out.append(lot["status"])
        out.append(f"{t['ev_base_price']}{colon}{lot['base_money']}")
        out.append(
            f"{t['ev_rank']:>6}  {t['ev_total']:>8}  {t['ev_price_points']:>8}  "
            f"{t['ev_evaluated_price']:>16}  {t['ev_bidder']}"
        )
        for row in lot["rows"]:
            out.append(
                f"{row['rank']:>6}  {row['total']:>8}  {row['price_points']:>8}  "
                f"{row['evaluated']:>16}  {row['name']}"
            )
        for row in lot["dropped"]:
            out.append(f"{'—':>6}  {row['name']}{colon}{row['reason']}")
        out.append(
            f"{t['ev_candidates']}{colon}"
            + (t["list_sep"].join(lot["candidates"]) or t["ev_candidates_none"])
        )
        for finding in lot["findings"]:
            out.append(f"  ! {finding}")
        out.append(lot["w_line"] + " " + lot["w_meaning"])
        if lot["loo_line"]:
            out.append(lot["loo_line"])
        if lot["safety"]:
            out.append(f"{t['ev_safety']}{colon}{lot['safety']}")
    for finding in v["general_findings"]:
        out.append(f"! {finding}")
    return "\n".join(out) + "\n"


def render(
    result: Evaluation,
    ev: EvaluationFile,
    fmt: str,
    lang: str,
    attach: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """The report as json, html or pdf; a PDF carries `attach` and its own numbers."""
    from procure.evaluation.scoring import as_json

    if fmt == "json":
        return as_json(result).encode("utf-8")
    from procure.documents.report import _render

    html = _render(None, "html", TEMPLATE, **view(result, ev, lang))
    if fmt == "html":
        return html.encode("utf-8")
    from procure.documents.report import pdf_from_html, require_cjk_font, stamp_of

    if lang == "zh":
        require_cjk_font()
    files = [*attach, (EVALUATION_JSON, as_json(result).encode("utf-8"))] if attach else []
    stamp = stamp_of(result.record.date if result.record else None)
    return pdf_from_html(html, None, files, stamp)
