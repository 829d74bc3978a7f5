"""The committee's scores to the legal result, and the checks the law names.

For a lot scored comprehensively (综合评分法, 87号令 第五十五条; 214号 第二十四条):
    evaluated price  p'_i = p_i (1 - d) for a small or micro enterprise (d: the deduction the
                     documents state, within the range of 财库〔2022〕19号 / 〔2020〕46号), else p_i
    base price       B = min p'_i over the responsive bids
    price points     P_i = B / p'_i x 100 x w             (w: the price weight)
    factor points    F_if = mean over members of their score of bid i on factor f
    total            T_i = P_i + sum_f F_if
ranked by T (two decimals), then by p', then (when the documents say so, or in a
consultation) by the points other than price; equal on all: tied (87号令 第五十七条).
Lowest evaluated price (最低评标价法): the responsive bids ranked by p' (第五十六条).
Sums use math.fsum, so the order of members or bidders never changes a result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel

from procure.evaluation.law import Law, Rule, Said, law, price_weight_range
from procure.evaluation.model import Bid, EvaluationFile, Lot
from procure.evaluation.stats import kendall_w
from procure.inputs.record import BriefRecord
from procure.text import fmt_date

SMALL = ("small", "micro")


class Finding(BaseModel):
    check: str
    lot: str | None = None
    article: Said
    en: str
    zh: str


class CheckRun(BaseModel):
    """A check the report ran: its article, its test, how many findings it raised."""

    check: str
    article: Said
    test: Said
    findings: int


class BidResult(BaseModel):
    bid: str
    name: str
    size: str
    price_cny: float  # the bid: the contract price if awarded
    evaluated_price_cny: float  # after the small/micro deduction
    responsive: bool
    reason: str | None = None
    price_points: float | None = None
    factor_points: dict[str, float] = {}
    other_points: float | None = None  # the factors other than price
    total: float | None = None
    rank: int | None = None
    tied: bool = False


class Dropped(BaseModel):
    member: str
    first: list[str]
    changes: bool


class Agreement(BaseModel):
    kendall_w: float | None
    chi2: float | None
    df: int
    p_value: float | None
    meaning: Said
    leave_one_out: list[Dropped]


class Safety(BaseModel):
    """How safe the first place is: the smallest change that gives it to another bid."""

    leader: list[str]
    challenger: str | None = None
    subjective_points: float | None = None  # in one member's subjective scores (sum of moves)
    subjective_members: list[str] = []  # members whose scores have that much room
    price_challenger: str | None = None
    price_cut: float | None = None  # share of its bid price
    price_to_win_cny: float | None = None
    leader_price_rise: float | None = None  # share: the leader stays first up to this rise
    note: Said


class LotResult(BaseModel):
    lot: str
    name: str
    price_weight: float
    base_price_cny: float | None
    status: str  # ok | failed (open tender, GPL art. 36) | terminated (consultation)
    bids: list[BidResult]
    candidates: list[str]
    agreement: Agreement | None
    safety: Safety | None


class Sme(BaseModel):
    deduction: float
    citation: Said | None
    document: str
    article: str
    effective: str
    range: tuple[float, float] | None


class Evaluation(BaseModel):
    """Everything the 评审报告 shows; its JSON is `procure evaluate --json`."""

    format: str = "procure/evaluation-report@1"
    project: str
    procedure: str
    method: str
    category: str
    notice_date: str
    language: str | None
    committee: list[dict[str, str]]
    sme: Sme | None
    lots: list[LotResult]
    findings: list[Finding]
    checks: list[CheckRun]
    rules: list[Said]  # the rules applied, cited
    assumptions: list[Said]
    record: BriefRecord | None = None


def wan(cny: float) -> str:
    """An amount in 万元 to the yuan, as Chinese output gives money (docs/glossary.md)."""
    return f"{cny / 1e4:,.4f}万元"


def _r(x: float, digits: int = 6) -> float:
    return round(x, digits) + 0.0


def evaluate(ev: EvaluationFile) -> Evaluation:
    """The legal result of an evaluation file, with every check."""
    kb = law()
    findings: list[Finding] = []
    checks: list[CheckRun] = []
    sme = _sme(ev, kb, findings, checks)
    _committee(ev, kb, findings, checks)
    lots = [_lot(ev, lot, kb, sme.deduction if sme else 0.0, findings, checks) for lot in ev.lots]
    merged: dict[str, CheckRun] = {}
    for run in checks:
        if run.check in merged:
            merged[run.check].findings += run.findings
        else:
            merged[run.check] = run
    rules = [
        Said(en=f"{r.cite('en')}: {r.en}", zh=f"{r.cite('zh')}：{r.zh}")
        for r in (
            kb.price_score if ev.procedure == "open_tender" else kb.consultation_price_score,
            kb.ranking.comprehensive if ev.method == "comprehensive" else kb.ranking.lowest_price,
            *([kb.ranking.consultation] if ev.procedure != "open_tender" else []),
            kb.ranking.tied_candidates,
            kb.contract_price,
            kb.corrections,
        )
    ]
    assumptions = [
        Said(en=kb.score_decimals.assumption.en, zh=kb.score_decimals.assumption.zh),
        *(
            Said(en=f"{r.cite('en')}: {r.assumption.en}", zh=f"{r.cite('zh')}：{r.assumption.zh}")
            for r in (
                kb.extreme_score,
                kb.abnormally_low,
                kb.ranking.consultation,
                kb.ranking.tied_candidates,
                kb.contract_price,
                kb.consultation_price_score,
            )
            if r.assumption is not None
        ),
    ]
    return Evaluation(
        project=ev.project,
        procedure=ev.procedure,
        method=ev.method,
        category=ev.category,
        notice_date=ev.notice_date,
        language=ev.language,
        committee=[{"id": m.id, "name": m.name, "role": m.role} for m in ev.committee],
        sme=sme,
        lots=lots,
        findings=sorted(findings, key=lambda f: (f.lot or "", f.check, f.en)),
        checks=list(merged.values()),
        rules=rules,
        assumptions=assumptions,
    )


def _sme(
    ev: EvaluationFile, kb: Law, findings: list[Finding], checks: list[CheckRun]
) -> Sme | None:
    if ev.sme_deduction is None:
        return None
    rule = kb.sme_rule(ev.notice_date)
    fired = 0
    if rule is None:
        fired = 1
        findings.append(
            Finding(
                check="sme_deduction",
                article=kb.sme_deduction[0].said(),
                en=f"the notice date {ev.notice_date} is before the rules procure knows "
                "(46号, in force from 2021-01-01): the deduction is applied as stated, unchecked",
                zh=f"采购公告日期 {ev.notice_date} 早于本工具收录的规定（财库〔2020〕46号，2021年1月1日起施行）："
                "按所填扣除比例计算，未作核对",
            )
        )
    elif ev.category in ("services", "goods") and not (
        rule.range[0] - 1e-9 <= ev.sme_deduction <= rule.range[1] + 1e-9
    ):
        fired = 1
        low, high = rule.range
        findings.append(
            Finding(
                check="sme_deduction",
                article=rule.said(),
                en=f"the documents' small/micro deduction {ev.sme_deduction:.0%} is outside the "
                f"{low:.0%}-{high:.0%} in force on {ev.notice_date} ({rule.cite('en')}, "
                f"from {rule.effective})",
                zh=f"采购文件规定的小微企业价格扣除比例 {ev.sme_deduction:.0%} 不在 {ev.notice_date} 施行的 "
                f"{low:.0%}—{high:.0%} 范围内（{rule.cite('zh')}，自{fmt_date(rule.effective, 'zh')}起执行）",
            )
        )
    checks.append(
        CheckRun(
            check="sme_deduction",
            article=(rule or kb.sme_deduction[0]).said(),
            test=Said(
                en="the documents' deduction lies in the range in force on the notice date",
                zh="采购文件规定的扣除比例在采购公告日施行的范围内",
            ),
            findings=fired,
        )
    )
    return Sme(
        deduction=ev.sme_deduction,
        citation=rule.said() if rule else None,
        document=rule.document if rule else "",
        article=rule.article if rule else "",
        effective=rule.effective if rule else "",
        range=rule.range if rule else None,
    )


def _committee(
    ev: EvaluationFile, kb: Law, findings: list[Finding], checks: list[CheckRun]
) -> None:
    rule = getattr(kb.committee, ev.procedure)
    size = len(ev.committee)
    experts = sum(1 for m in ev.committee if m.role == "expert")
    large = ev.procedure == "open_tender" and (
        ev.complex or (ev.budget_cny is not None and ev.budget_cny >= rule.large_budget_cny)
    )
    need = rule.large_min_members if large else rule.min_members
    wrong: list[Said] = []
    if size < need or size % 2 == 0:
        why_en = (
            f" (a budget of {rule.large_budget_cny / 1e6:g} M CNY or more, or a complex project)"
            if large
            else ""
        )
        why_zh = "（采购预算1000万元以上或技术复杂、社会影响较大）" if large else ""
        wrong.append(
            Said(
                en=f"the committee has {size} members; it must have {need} or more, an odd "
                f"number{why_en}",
                zh=f"评标委员会有 {size} 名成员；应为 {need} 人以上单数{why_zh}",
            )
        )
    if experts < rule.expert_share * size - 1e-9:
        wrong.append(
            Said(
                en=f"{experts} of {size} members are experts; experts must be at least two thirds",
                zh=f"{size} 名成员中评审专家 {experts} 名；评审专家不得少于成员总数的三分之二",
            )
        )
    for said in wrong:
        findings.append(Finding(check="committee", article=rule.said(), en=said.en, zh=said.zh))
    checks.append(
        CheckRun(
            check="committee",
            article=rule.said(),
            test=Said(en=rule.en, zh=rule.zh),
            findings=len(wrong),
        )
    )


def evaluated_price(bid: Bid, deduction: float) -> float:
    return bid.price_cny * (1 - deduction) if bid.size in SMALL else bid.price_cny


def _ranks(
    keys: dict[str, tuple[float, ...]],
) -> dict[str, tuple[int, bool]]:
    """Competition ranks ('1224') on the keys (smaller first); equal keys are tied."""
    order = sorted(keys, key=lambda b: (keys[b], b))
    first_at: dict[tuple[float, ...], int] = {}
    count: dict[tuple[float, ...], int] = {}
    for i, bid in enumerate(order, 1):
        first_at.setdefault(keys[bid], i)
        count[keys[bid]] = count.get(keys[bid], 0) + 1
    return {b: (first_at[keys[b]], count[keys[b]] > 1) for b in order}


def _keys(
    ev: EvaluationFile,
    totals: dict[str, float],
    prices: dict[str, float],
    others: dict[str, float],
) -> dict[str, tuple[float, ...]]:
    digits = law().score_decimals.value
    technical = ev.tie_break == "technical" or ev.procedure == "competitive_consultation"
    if ev.method == "lowest_price":
        return {b: (round(prices[b], 2),) for b in prices}
    return {
        b: (
            -round(totals[b], digits),
            round(prices[b], 2),
            *((-round(others[b], digits),) if technical else ()),
        )
        for b in totals
    }


def _first(ranks: dict[str, tuple[int, bool]]) -> list[str]:
    return sorted(b for b, (rank, _) in ranks.items() if rank == 1)


def _lot(
    ev: EvaluationFile,
    lot: Lot,
    kb: Law,
    deduction: float,
    findings: list[Finding],
    checks: list[CheckRun],
) -> LotResult:
    bids = [b for b in ev.bids if ev.lot_of(b).id == lot.id]
    members = [m.id for m in ev.committee]
    w = lot.price_weight
    comprehensive = ev.method == "comprehensive"

    def find(check: str, article: Said, en: str, zh: str) -> None:
        findings.append(Finding(check=check, lot=lot.id, article=article, en=en, zh=zh))

    def ran(check: str, article: Said, en: str, zh: str, count: int) -> None:
        checks.append(
            CheckRun(check=check, article=article, test=Said(en=en, zh=zh), findings=count)
        )

    # abnormally low prices (87号令 第六十条), before the ranking: a rejected explanation
    # makes the bid invalid
    low_rule = kb.abnormally_low
    share = ev.checks.low_price_share or low_rule.share
    responsive = [b for b in bids if b.responsive]
    low = 0
    for bid in responsive:
        rest = [o.price_cny for o in responsive if o.id != bid.id]
        if not rest:
            continue
        mean = math.fsum(rest) / len(rest)
        if bid.price_cny < share * mean * (1 - 1e-12):
            low += 1
            what = {
                "none": (
                    "the committee must ask it for a written explanation at the evaluation, "
                    "with evidence where needed; if it cannot show its price is reasonable, "
                    "its bid is invalid",
                    "评标委员会应当要求其在评标现场合理的时间内提供书面说明，必要时提交相关证明材料；"
                    "不能证明其报价合理性的，应当作为无效投标处理",
                ),
                "accepted": (
                    "its written explanation was accepted",
                    "其书面说明已被评标委员会接受",
                ),
                "rejected": (
                    "its written explanation was rejected: the bid is invalid",
                    "其书面说明未被接受：该投标作为无效投标处理",
                ),
            }[bid.price_explanation]
            find(
                "abnormally_low",
                low_rule.said(),
                f"{bid.name} bids {bid.price_cny:,.2f} CNY, {bid.price_cny / mean:.1%} "
                f"of the mean of the other responsive bids ({mean:,.2f} CNY), below the "
                f"{share:.0%} test: {what[0]}",
                f"{bid.name}报价 {wan(bid.price_cny)}，为其他有效投标平均报价"
                f"（{wan(mean)}）的 {bid.price_cny / mean:.1%}，低于 {share:.0%} 的界限：{what[1]}",
            )
    ran(
        "abnormally_low",
        low_rule.said(),
        f"a bid price below {share:.0%} of the mean of the other responsive bids in its lot",
        f"投标报价低于同一采购包其他有效投标平均报价的 {share:.0%}",
        low,
    )
    valid = [b for b in responsive if b.price_explanation != "rejected"]
    prices = {b.id: evaluated_price(b, deduction) for b in valid}
    base = min(prices.values()) if prices else None

    # too few responsive bids
    status = "ok"
    if ev.procedure == "open_tender":
        rule = kb.too_few_bids.open_tender
        minimum = rule.minimum
    elif ev.services_purchase:
        rule = kb.too_few_bids.services_purchase
        minimum = rule.minimum
    else:
        rule = kb.too_few_bids.competitive_consultation
        minimum = 2 if ev.research_project else rule.minimum
    few = len(valid) < minimum
    if few:
        status = "failed" if ev.procedure == "open_tender" else "terminated"
        find(
            "too_few_bids",
            rule.said(),
            f"only {len(valid)} responsive bid(s), fewer than {minimum}: "
            + (
                "the tender fails (废标) and is tendered again"
                if ev.procedure == "open_tender"
                else "the consultation is terminated and procured again"
            ),
            f"有效投标仅 {len(valid)} 家，不足 {minimum} 家："
            + (
                "应予废标，重新组织招标"
                if ev.procedure == "open_tender"
                else "应当终止竞争性磋商采购活动，重新开展采购活动"
            ),
        )
    elif ev.procedure != "open_tender" and len(valid) < 3:
        find(
            "too_few_bids",
            rule.said(),
            f"{len(valid)} responsive bids: the consultation may continue with two ({rule.document})",
            f"有效供应商 {len(valid)} 家：依{rule.document}，竞争性磋商采购活动可以继续进行",
        )
    ran(
        "too_few_bids",
        rule.said(),
        f"at least {minimum} responsive bids",
        f"有效投标不少于 {minimum} 家",
        1 if few else 0,
    )

    # price weight within the legal range
    if comprehensive:
        (lo, hi), source = price_weight_range(ev.procedure, ev.category)
        article = Said(zh=source.split(" (")[0], en=source)  # routes.yaml: Chinese, then gloss
        outside = not (lo - 1e-9 <= w <= hi + 1e-9)
        if outside:
            find(
                "price_weight",
                article,
                f"the price weight {w:.0%} is outside the {lo:.0%}-{hi:.0%} the law sets for "
                f"{ev.category} in {'an open tender' if ev.procedure == 'open_tender' else 'a consultation'}",
                f"价格权值 {w:.0%} 不在法定的 {lo:.0%}—{hi:.0%} 范围内（"
                f"{'公开招标' if ev.procedure == 'open_tender' else '竞争性磋商'}"
                f"{'服务' if ev.category == 'services' else '货物'}项目）",
            )
        ran(
            "price_weight",
            article,
            f"price weight within {lo:.0%}-{hi:.0%}",
            f"价格权值在 {lo:.0%}—{hi:.0%} 范围内",
            int(outside),
        )

    scores = ev.scores
    corrections = kb.corrections
    factor_avg: dict[str, dict[str, float]] = {}
    if comprehensive and valid:
        _score_checks(ev, lot, valid, members, find, ran, corrections)
        for b in valid:
            factor_avg[b.id] = {
                f.id: math.fsum(scores[m][b.id][f.id] for m in members) / len(members)
                for f in lot.factors
            }
    others = {b: math.fsum(v.values()) for b, v in factor_avg.items()}

    def totals_at(price_of: dict[str, float]) -> dict[str, float]:
        low_price = min(price_of.values())
        return {b: math.fsum([low_price / price_of[b] * 100 * w, others[b]]) for b in price_of}

    totals = totals_at(prices) if comprehensive and valid else {}
    ranks = _ranks(_keys(ev, totals, prices, others)) if valid and not few else {}
    results: list[BidResult] = []
    for b in bids:
        is_valid = b.id in prices
        pts = base / prices[b.id] * 100 * w if (is_valid and base and comprehensive) else None
        reason = b.reason
        if b.responsive and b.price_explanation == "rejected":
            reason = "报价明显偏低且未能证明其合理性（财政部令第87号第六十条） / an abnormally low price not shown to be reasonable (87号令 第六十条)"
        rank, tied = ranks.get(b.id, (None, False))
        results.append(
            BidResult(
                bid=b.id,
                name=b.name,
                size=b.size,
                price_cny=b.price_cny,
                evaluated_price_cny=_r(evaluated_price(b, deduction), 2),
                responsive=is_valid,
                reason=None if is_valid else reason,
                price_points=_r(pts) if pts is not None else None,
                factor_points={k: _r(v) for k, v in factor_avg.get(b.id, {}).items()},
                other_points=_r(others[b.id]) if b.id in others else None,
                total=_r(totals[b.id]) if b.id in totals else None,
                rank=rank,
                tied=tied,
            )
        )
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.bid))
    candidates = [r.bid for r in results if r.rank is not None and r.rank <= ev.candidates]
    agreement = safety = None
    if valid and not few:
        if comprehensive:
            agreement = _agreement(ev, lot, valid, members, prices, base or 0.0, w, others, kb)
        safety = _safety(ev, lot, valid, members, prices, others, totals_at, ranks)
    return LotResult(
        lot=lot.id,
        name=lot.name,
        price_weight=w,
        base_price_cny=_r(base, 2) if base is not None else None,
        status=status,
        bids=results,
        candidates=candidates,
        agreement=agreement,
        safety=safety,
    )


def _score_checks(
    ev: EvaluationFile,
    lot: Lot,
    valid: list[Bid],
    members: list[str],
    find: Callable[[str, Said, str, str], None],
    ran: Callable[[str, Said, str, str, int], None],
    corrections: Rule,
) -> None:
    """87号令 第六十四条: summing errors, objective factors scored differently, extreme scores
    (a score outside 0..max is refused on input, naming item (二))."""
    kb = law()
    scores = ev.scores
    names = {m.id: m.name for m in ev.committee}
    sums = disagree = extreme = 0
    for m in members:
        for b in valid:
            given = scores[m][b.id]
            if "total" in given:
                summed = math.fsum(given[f.id] for f in lot.factors)
                if abs(given["total"] - summed) > 0.005 + 1e-9:  # 1e-9: the float of 50.005
                    sums += 1
                    find(
                        "sum_mismatch",
                        corrections.said(1),
                        f"{names[m]} gives {b.name} a total of {given['total']:g}, but the factor "
                        f"scores add up to {summed:g}",
                        f"{names[m]}对{b.name}的合计为 {given['total']:g}，但各评审因素得分之和为 {summed:g}",
                    )
    ran(
        "sum_mismatch",
        corrections.said(1),
        "each member's stated total equals the sum of their factor scores (to 0.005)",
        "各成员填写的合计等于其各评审因素得分之和（误差不超过0.005）",
        sums,
    )
    fraction = ev.checks.extreme_fraction or kb.extreme_score.fraction
    for f in lot.factors:
        for b in valid:
            given = {m: scores[m][b.id][f.id] for m in members}
            if f.kind == "objective":
                if len({_r(v) for v in given.values()}) > 1:
                    disagree += 1
                    listed = "、".join(f"{names[m]} {v:g}" for m, v in sorted(given.items()))
                    listed_en = ", ".join(f"{names[m]} {v:g}" for m, v in sorted(given.items()))
                    find(
                        "objective_disagreement",
                        corrections.said(3),
                        f"objective factor {f.name} for {b.name} is scored differently: {listed_en}",
                        f"客观评审因素“{f.name}”对{b.name}的评分不一致：{listed}",
                    )
                continue
            if len(members) < 2:
                continue
            total = math.fsum(given.values())
            for m, v in given.items():
                mean_others = (total - v) / (len(members) - 1)
                if abs(v - mean_others) > fraction * f.max + 1e-9:
                    extreme += 1
                    high = v > mean_others
                    find(
                        "extreme_score",
                        corrections.said(4),
                        f"{names[m]} gives {b.name} {v:g} on {f.name}, {abs(v - mean_others):.2f} points "
                        f"{'above' if high else 'below'} the other members' mean ({mean_others:.2f}); "
                        f"the test is {fraction:.0%} of the factor's {f.max:g} points",
                        f"{names[m]}对{b.name}的“{f.name}”评分 {v:g}，{'高于' if high else '低于'}其他成员评分"
                        f"均值（{mean_others:.2f}）{abs(v - mean_others):.2f} 分，超过该因素满分 {f.max:g} 分的 "
                        f"{fraction:.0%}（评分{'畸高' if high else '畸低'}）",
                    )
    ran(
        "objective_disagreement",
        corrections.said(3),
        "every member gives each bid the same score on each objective factor",
        "各成员对同一投标的每个客观评审因素评分相同",
        disagree,
    )
    ran(
        "extreme_score",
        corrections.said(4),
        f"no subjective score lies more than {fraction:.0%} of the factor's points from the "
        "mean of the other members' scores",
        f"主观评审因素的评分与其他成员评分均值之差不超过该因素满分的 {fraction:.0%}",
        extreme,
    )


def _agreement(
    ev: EvaluationFile,
    lot: Lot,
    valid: list[Bid],
    members: list[str],
    prices: dict[str, float],
    base: float,
    w: float,
    others: dict[str, float],
    kb: Law,
) -> Agreement:
    """Kendall's W over the members' own totals (their factor scores plus the common price
    points), and the first place with each member left out."""
    scores = ev.scores
    ids = sorted(b.id for b in valid)
    price_points = {b: base / prices[b] * 100 * w for b in ids}
    rows = [
        [math.fsum([price_points[b], *(scores[m][b][f.id] for f in lot.factors)]) for b in ids]
        for m in members
    ]
    wv, chi2, p, df = kendall_w(rows)
    full = _first(_ranks(_keys(ev, {b: price_points[b] + others[b] for b in ids}, prices, others)))
    dropped = []
    if len(members) > 1:
        sums = {  # exact sums (fsum), so leaving one member out is one subtraction
            (b, f.id): math.fsum(scores[m][b][f.id] for m in members)
            for b in ids
            for f in lot.factors
        }
        for k in members:
            rest = len(members) - 1
            other_k = {
                b: math.fsum((sums[b, f.id] - scores[k][b][f.id]) / rest for f in lot.factors)
                for b in ids
            }
            totals = {b: math.fsum([price_points[b], other_k[b]]) for b in ids}
            first = _first(_ranks(_keys(ev, totals, prices, other_k)))
            dropped.append(Dropped(member=k, first=first, changes=first != full))
    return Agreement(
        kendall_w=None if math.isnan(wv) else _r(wv),
        chi2=None if math.isnan(chi2) else _r(chi2),
        df=df,
        p_value=None if math.isnan(p) else _r(p, 8),
        meaning=Said(en=kb.kendall_w.en, zh=kb.kendall_w.zh),
        leave_one_out=dropped,
    )


def _safety(
    ev: EvaluationFile,
    lot: Lot,
    valid: list[Bid],
    members: list[str],
    prices: dict[str, float],
    others: dict[str, float],
    totals_at: Callable[[dict[str, float]], dict[str, float]],
    ranks: dict[str, tuple[int, bool]],
) -> Safety | None:
    leader = _first(ranks)
    if len(valid) < 2:
        return None
    names = {b.id: b.name for b in valid}
    comprehensive = ev.method == "comprehensive"

    ids = sorted(prices)
    at = {b: i for i, b in enumerate(ids)}
    base_prices = np.array([prices[b] for b in ids])
    other_points = np.array([others.get(b, 0.0) for b in ids])
    digits = law().score_decimals.value
    technical = ev.tie_break == "technical" or ev.procedure == "competitive_consultation"
    w = lot.price_weight

    def sole_first(bid: str, price: float) -> bool:
        """Whether `bid` alone ranks first when its evaluated price is `price` (the ranking
        keys of `_keys`, vectorised: hundreds of bids are bisected in well under a second)."""
        p = base_prices.copy()
        j = at[bid]
        p[j] = price
        money = np.round(p, 2)
        if not comprehensive:
            return bool(np.sum(money <= money[j]) == 1)
        score = np.round(p.min() / p * 100 * w + other_points, digits)
        better = score[j] > score
        same = score[j] == score
        cheaper = money[j] < money
        if technical:
            tech = np.round(other_points, digits)
            cheaper = cheaper | ((money[j] == money) & (tech[j] > tech))
        wins = better | (same & cheaper)
        wins[j] = True
        return bool(wins.all())

    # the smallest price cut that makes a challenger the sole first
    best: tuple[float, str, float] | None = None
    for b in sorted(valid, key=lambda b: b.id):
        hi = prices[b.id]
        if sole_first(b.id, hi):
            continue
        lo = hi * 1e-6
        if not sole_first(b.id, lo):
            continue
        for _ in range(50):
            mid = (lo + hi) / 2
            if sole_first(b.id, mid):
                lo = mid
            else:
                hi = mid
        cut = 1 - lo / prices[b.id]
        if best is None or cut < best[0]:
            deducted = prices[b.id] / b.price_cny
            best = (cut, b.id, lo / deducted)
    rise = None
    if len(leader) == 1:
        lead = leader[0]
        lo, hi = prices[lead], prices[lead] * 100
        if sole_first(lead, hi):
            rise = 99.0
        else:
            for _ in range(50):
                mid = (lo + hi) / 2
                if sole_first(lead, mid):
                    lo = mid
                else:
                    hi = mid
            rise = lo / prices[lead] - 1
    points = None
    challenger = None
    movers: list[str] = []
    subjective = [f for f in lot.factors if f.kind == "subjective"]
    if comprehensive and len(leader) == 1 and subjective:
        lead = leader[0]
        totals = totals_at(prices)
        for b in sorted(valid, key=lambda b: (-totals[b.id], b.id)):
            if b.id == lead:
                continue
            gap = totals[lead] - totals[b.id]
            wins_tie = round(prices[b.id], 2) < round(prices[lead], 2)
            need = len(members) * (max(gap, 0) + (0 if wins_tie else 0.01))
            room = {
                m: math.fsum(
                    [
                        *(f.max - ev.scores[m][b.id][f.id] for f in subjective),
                        *(ev.scores[m][lead][f.id] for f in subjective),
                    ]
                )
                for m in members
            }
            able = [m for m in members if room[m] >= need - 1e-9]
            if points is None or need < points:
                points, challenger, movers = need, b.id, able
    lead_names = "、".join(names[b] for b in leader)
    lead_en = ", ".join(names[b] for b in leader)
    parts_en = [f"First: {lead_en}."]
    parts_zh = [f"排名第一：{lead_names}。"]
    if points is not None and challenger is not None:
        if movers:
            parts_en.append(
                f"One member moving {points:.2f} points of subjective scores (raising "
                f"{names[challenger]}, lowering the first) would put {names[challenger]} first; "
                f"{len(movers)} of {len(members)} members have that much room."
            )
            parts_zh.append(
                f"一名成员在主观评审因素上调整合计 {points:.2f} 分（提高{names[challenger]}、降低第一名），"
                f"即可使{names[challenger]}排名第一；{len(members)} 名成员中有 {len(movers)} 名的评分有此空间。"
            )
        else:
            parts_en.append(
                f"No single member's subjective scores can change the first place (it would take "
                f"{points:.2f} points, more than any member's room)."
            )
            parts_zh.append(
                f"任何一名成员调整其主观评分都不能改变第一名（需调整 {points:.2f} 分，超过任何成员的评分空间）。"
            )
    if best is not None:
        cut, bid, price = best
        parts_en.append(
            f"A cut of {cut:.2%} in {names[bid]}'s price (to {price:,.2f} CNY) would make it first."
        )
        parts_zh.append(f"{names[bid]}降价 {cut:.2%}（至 {wan(price)}）即可排名第一。")
    if rise is not None:
        parts_en.append(f"The first keeps its place up to a {rise:.2%} higher price.")
        parts_zh.append(f"第一名的报价再高 {rise:.2%} 仍保持第一。")
    return Safety(
        leader=leader,
        challenger=challenger,
        subjective_points=_r(points, 4) if points is not None else None,
        subjective_members=movers,
        price_challenger=best[1] if best else None,
        price_cut=_r(best[0]) if best else None,
        price_to_win_cny=_r(best[2], 2) if best else None,
        leader_price_rise=_r(rise) if rise is not None else None,
        note=Said(en=" ".join(parts_en), zh="".join(parts_zh)),
    )


def as_json(result: Evaluation) -> str:
    return result.model_dump_json(indent=2) + "\n"


def plain(result: Evaluation) -> dict[str, Any]:
    """The report as plain data (dicts, lists, str, numbers) for the templates."""
    return result.model_dump(mode="json")
