"""The evaluation format `procure/evaluation@1`: the lot(s) with their scoring tables, the bids,
the committee and each member's scores. Loaded with located errors (file:line for YAML,
file:sheet:row:column for a workbook); every cross-reference is checked before anything is
computed, so bad input is exit 2 and nothing is written."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procure.errors import InputError, Problem
from procure.inputs.yamlio import Located, YamlPath, format_path

FORMAT = "procure/evaluation@1"
MAX_PRICE_CNY = 1e13
MIN_PRICE_CNY = 0.01  # one fen: prices are compared in fen (rounded to 2 decimals); all bids at
# 5e-324 CNY rounded to 0 and scored 0 / 0 = NaN, with exit 0
MAX_BIDS = 500
MAX_MEMBERS = 51
MAX_FACTORS = 100
MAX_SCORES = 250_000  # members x bids x factors: 30 x 9 x 20 is 5,400

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Points = Annotated[float, Field(ge=0, le=100)]


class Strict(BaseModel):
    """Input models: unknown keys are errors, quoted numbers are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Factor(Strict):
    """One published evaluation factor (评审因素) of a lot's scoring table."""

    id: Identifier
    name: Name
    max: float = Field(gt=0, le=100, description="the factor's full points")
    kind: Literal["objective", "subjective"] = Field(
        description="objective (客观分: every member must give the same score) or subjective"
    )


class Lot(Strict):
    """A lot (采购包) and its scoring table. A plan's lot will give the same fields."""

    id: Identifier
    name: Name
    price_weight: float = Field(
        ge=0, le=1, description="price points / 100 (价格权值); factors' points make up the rest"
    )
    factors: list[Factor] = Field(default_factory=list, max_length=MAX_FACTORS)


class Bid(Strict):
    id: Identifier
    name: Name = Field(description="the bidder (投标人)")
    lot: Identifier | None = Field(
        None, description="the lot bid for (may be left out with one lot)"
    )
    price_cny: float = Field(
        ge=MIN_PRICE_CNY, le=MAX_PRICE_CNY, description="the bid price (投标报价), CNY"
    )
    size: Literal["large", "medium", "small", "micro"] = Field(
        description="enterprise size by the SME declaration (中小企业声明函)"
    )
    responsive: bool = Field(True, description="passed the compliance review (符合性审查)")
    reason: str | None = Field(None, max_length=500, description="why not responsive")
    price_explanation: Literal["none", "accepted", "rejected"] = Field(
        "none",
        description="the written explanation of an abnormally low price (87号令 第六十条): "
        "none asked or given yet, accepted, or rejected (the bid is then invalid)",
    )


class Member(Strict):
    id: Identifier
    name: Name
    role: Literal["expert", "buyer"] = Field(
        description="expert (评审专家) or the buyer's representative (采购人代表)"
    )


class Checks(Strict):
    """The tests the law leaves open, as the evaluation documents state them (else the
    knowledge base's assumptions)."""

    extreme_fraction: float | None = Field(None, gt=0, le=1)
    low_price_share: float | None = Field(None, gt=0, le=1)


MemberScores = dict[str, dict[str, float]]  # bid -> factor (and optionally "total") -> points


class EvaluationFile(Strict):
    """`procure/evaluation@1`."""

    format: Literal["procure/evaluation@1"]
    language: Literal["en", "zh"] | None = None
    project: Name
    procedure: Literal["open_tender", "competitive_consultation"]
    method: Literal["comprehensive", "lowest_price"] = Field(
        description="comprehensive (综合评分法) or lowest_price (最低评标价法; open tender only)"
    )
    category: Literal["services", "goods"] = "services"
    notice_date: str = Field(
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="the day the procurement notice was published, quoted: '2025-09-15' "
        "(picks the SME rule in force)",
    )
    budget_cny: float | None = Field(None, ge=MIN_PRICE_CNY, le=MAX_PRICE_CNY)
    complex: bool = Field(False, description="technically complex or of wide public impact")
    services_purchase: bool = Field(
        False, description="a government purchase of services (财库〔2015〕124号)"
    )
    research_project: bool = Field(
        False, description="a research project with little competition (214号 第二十一条)"
    )
    sme_deduction: float | None = Field(
        None, ge=0, le=1, description="the small/micro price deduction the documents state"
    )
    tie_break: Literal["none", "technical"] = Field(
        "none",
        description="what the documents say for equal score and price: none (tied) or "
        "technical (higher score on the factors other than price first)",
    )
    candidates: int = Field(3, ge=1, le=10, description="candidates to recommend")
    checks: Checks = Checks()
    lots: list[Lot] = Field(min_length=1, max_length=50)
    bids: list[Bid] = Field(min_length=1, max_length=MAX_BIDS)
    committee: list[Member] = Field(min_length=1, max_length=MAX_MEMBERS)
    scores: dict[str, dict[str, dict[str, float]]] = Field(
        default_factory=dict, description="member -> bid -> factor -> points"
    )

    @field_validator("notice_date")
    @classmethod
    def _real_date(cls, value: str) -> str:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a date; write it as '2025-09-15'") from None
        return value

    @property
    def stated_language(self) -> str | None:
        return self.language

    def lot_of(self, bid: Bid) -> Lot:
        return next(lot for lot in self.lots if lot.id == (bid.lot or self.lots[0].id))


def _fail(located: Located, path: YamlPath, en: str, zh: str, *, key: bool = True) -> Problem:
    line, col = located.where(path, key=key) or (None, None)
    return Problem(located.file, en, field=format_path(path), line=line, column=col, zh=zh)


def cross_check(ev: EvaluationFile, located: Located) -> None:
    """Everything the schema cannot say: ids unique and known, every responsive bid scored by
    every member on every factor, scores within 0..max, the points adding up to 100."""
    problems: list[Problem] = []

    def dupes(items: list[Any], where: str, en: str, zh: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(
                    _fail(
                        located,
                        (where, i, "id"),
                        f"{en} '{item.id}' is listed twice; give each once",
                        f"{zh}“{item.id}”重复列出；每项只能列出一次",
                    )
                )
            seen.add(item.id)

    dupes(ev.lots, "lots", "lot", "采购包")
    dupes(ev.bids, "bids", "bid", "投标")
    dupes(ev.committee, "committee", "member", "评标委员会成员")
    for li, lot in enumerate(ev.lots):
        seen: set[str] = set()
        for fi, factor in enumerate(lot.factors):
            if factor.id in seen:
                problems.append(
                    _fail(
                        located,
                        ("lots", li, "factors", fi, "id"),
                        f"factor '{factor.id}' is listed twice in lot {lot.id}",
                        f"评审因素“{factor.id}”在采购包 {lot.id} 中重复列出",
                    )
                )
            seen.add(factor.id)
        if ev.method == "comprehensive":
            points = math.fsum(f.max for f in lot.factors) + 100 * lot.price_weight
            if abs(points - 100) > 1e-6:
                problems.append(
                    _fail(
                        located,
                        ("lots", li, "price_weight"),
                        f"lot {lot.id}: the factors' full points ({points - 100 * lot.price_weight:g}) "
                        f"and the price points ({100 * lot.price_weight:g}) add up to {points:g}, "
                        "not 100; correct the factors' max or the price weight",
                        f"采购包 {lot.id}：各评审因素满分（{points - 100 * lot.price_weight:g}）与价格分"
                        f"（{100 * lot.price_weight:g}）合计为 {points:g}，不是 100；请更正因素满分或价格权值",
                    )
                )
            if not lot.factors:
                problems.append(
                    _fail(
                        located,
                        ("lots", li),
                        f"lot {lot.id}: comprehensive scoring needs its factors",
                        f"采购包 {lot.id}：综合评分法需要列出评审因素",
                    )
                )
    if ev.method == "lowest_price" and ev.procedure != "open_tender":
        problems.append(
            _fail(
                located,
                ("method",),
                "the lowest evaluated price method belongs to open tenders (87号令); a "
                "consultation scores comprehensively (214号 第二十三条)",
                "最低评标价法适用于公开招标（财政部令第87号）；竞争性磋商采用综合评分法（214号第二十三条）",
            )
        )
    lots = {lot.id: lot for lot in ev.lots}
    for bi, bid in enumerate(ev.bids):
        if bid.lot is None and len(ev.lots) > 1:
            problems.append(
                _fail(
                    located,
                    ("bids", bi),
                    f"bid {bid.id}: name its lot (lot:); there are {len(ev.lots)} lots",
                    f"投标 {bid.id}：请用 lot: 指明所投采购包；共有 {len(ev.lots)} 个采购包",
                )
            )
        elif bid.lot is not None and bid.lot not in lots:
            problems.append(
                _fail(
                    located,
                    ("bids", bi, "lot"),
                    f"bid {bid.id} is for lot '{bid.lot}', which does not exist; the lots are: "
                    + ", ".join(lots),
                    f"投标 {bid.id} 所投采购包“{bid.lot}”不存在；现有采购包：" + "、".join(lots),
                    key=False,
                )
            )
        if not bid.responsive and not bid.reason:
            problems.append(
                _fail(
                    located,
                    ("bids", bi, "responsive"),
                    f"bid {bid.id} is not responsive: give the reason (reason:), which the "
                    "report must state",
                    f"投标 {bid.id} 未通过符合性审查：请填写理由（reason:），评审报告须载明",
                )
            )
    if problems:
        raise InputError(problems)
    if any(b.size in ("small", "micro") for b in ev.bids) and ev.sme_deduction is None:
        raise InputError(
            [
                _fail(
                    located,
                    (),
                    "a small or micro enterprise bids: give the price deduction the tender "
                    "documents state (sme_deduction:, e.g. 0.10)",
                    "有小型或微型企业投标：请填写招标文件规定的价格扣除比例（sme_deduction:，例如 0.10）",
                )
            ]
        )
    _check_scores(ev, located)


def _check_scores(ev: EvaluationFile, located: Located) -> None:
    problems: list[Problem] = []
    members = {m.id for m in ev.committee}
    bids = {b.id: b for b in ev.bids}
    count = sum(len(ev.lot_of(b).factors) for b in ev.bids) * len(ev.committee)
    if ev.method == "comprehensive" and count > MAX_SCORES:
        raise InputError(
            [
                _fail(
                    located,
                    ("scores",),
                    f"{count:,} scores (members x bids x factors) are over the {MAX_SCORES:,} "
                    "procure evaluates at once; split the evaluation by lot",
                    f"评分共 {count:,} 项（成员数 × 投标数 × 评审因素数），超过本工具一次评审的上限 "
                    f"{MAX_SCORES:,} 项；请按采购包分开评审",
                )
            ]
        )
    if ev.method == "lowest_price":
        if ev.scores:
            problems.append(
                _fail(
                    located,
                    ("scores",),
                    "the lowest evaluated price method has no member scores; remove scores:",
                    "最低评标价法没有成员评分；请删除 scores:",
                )
            )
        if problems:
            raise InputError(problems)
        return
    for member in ev.scores:
        if member not in members:
            problems.append(
                _fail(
                    located,
                    ("scores", member),
                    f"scores of '{member}', who is not in the committee; the members are: "
                    + ", ".join(members),
                    f"“{member}”不是评标委员会成员，却有评分；现有成员：" + "、".join(members),
                )
            )
    for m in ev.committee:
        sheet = ev.scores.get(m.id, {})
        for bid_id in sheet:
            if bid_id not in bids:
                problems.append(
                    _fail(
                        located,
                        ("scores", m.id, bid_id),
                        f"member {m.id} scores '{bid_id}', which is not a bid; the bids are: "
                        + ", ".join(bids),
                        f"成员 {m.id} 对“{bid_id}”评分，但没有该投标；现有投标：" + "、".join(bids),
                    )
                )
        for bid in ev.bids:
            if len(problems) >= 50:  # enough to fix first; the rest are not collected
                break
            if not bid.responsive or bid.price_explanation == "rejected":
                continue
            if bid.id not in sheet:
                others = [o for o in ev.scores if bid.id in ev.scores[o]]
                if others:
                    en = f"bid {bid.id} is scored by {', '.join(others)} but not by {m.id}: every member scores every responsive bid"
                    zh = f"投标 {bid.id} 有 {'、'.join(others)} 的评分，但没有成员 {m.id} 的评分：每位成员都应对每个有效投标评分"
                else:
                    en = f"member {m.id} has no scores for bid {bid.id}: every member scores every responsive bid"
                    zh = f"成员 {m.id} 没有对投标 {bid.id} 评分：每位成员都应对每个有效投标评分"
                problems.append(
                    _fail(located, ("scores", m.id) if m.id in ev.scores else ("scores",), en, zh)
                )
                continue
            lot = ev.lot_of(bid)
            given = sheet[bid.id]
            for factor in lot.factors:
                if factor.id not in given:
                    problems.append(
                        _fail(
                            located,
                            ("scores", m.id, bid.id),
                            f"member {m.id}, bid {bid.id}: factor '{factor.id}' ({factor.name}) "
                            "has no score",
                            f"成员 {m.id} 对投标 {bid.id}：评审因素“{factor.id}”（{factor.name}）没有评分",
                        )
                    )
                    continue
                points = given[factor.id]
                if not 0 <= points <= factor.max:
                    problems.append(
                        _fail(
                            located,
                            ("scores", m.id, bid.id, factor.id),
                            f"member {m.id}, bid {bid.id}: {points:g} points on '{factor.id}', "
                            f"outside 0..{factor.max:g}; a score outside the scoring range must "
                            "be corrected by the committee (87号令 第六十四条第（二）项)",
                            f"成员 {m.id} 对投标 {bid.id} 的“{factor.name}”评分 {points:g}，超出 0 至 "
                            f"{factor.max:g} 的评分标准范围，须由评标委员会更正（财政部令第87号第六十四条第（二）项）",
                            key=False,
                        )
                    )
            known = {f.id for f in lot.factors} | {"total"}
            for key in given:
                if key not in known:
                    problems.append(
                        _fail(
                            located,
                            ("scores", m.id, bid.id, key),
                            f"'{key}' is not a factor of lot {lot.id}; the factors are: "
                            + ", ".join(f.id for f in lot.factors)
                            + " (and total, the member's own sum)",
                            f"“{key}”不是采购包 {lot.id} 的评审因素；现有因素："
                            + "、".join(f.id for f in lot.factors)
                            + "（以及 total，成员自己汇总的合计）",
                        )
                    )
    if problems:
        raise InputError(problems[:50])


def load_evaluation(path: Path) -> tuple[EvaluationFile, bytes]:
    """Read and check an evaluation file (YAML, or the .xlsx workbook); returns the model and
    the bytes read (for the report's record)."""
    from procure.inputs.validation import validate_located
    from procure.inputs.yamlio import read_yaml

    sheet_of: dict[str, str] | None = None
    if path.suffix.lower() == ".xlsx":
        from procure.evaluation.workbook import read_workbook

        located, sheet_of = read_workbook(path)
    else:
        located = read_yaml(path)
    stated = located.data.get("language") if isinstance(located.data, dict) else None
    try:
        ev = validate_located(EvaluationFile, located)
        cross_check(ev, located)
    except InputError as exc:
        if sheet_of is not None:  # file:sheet:row:column, as the bid sheets say it
            from procure.evaluation.workbook import letter, sheet_for

            exc = InputError(
                [
                    replace(
                        p,
                        file=f"{p.file}:{sheet_for(p.field, sheet_of)}",
                        column=None,
                        column_label=letter(p.column) if p.column else None,
                    )
                    for p in exc.problems
                ]
            )
        exc.language = stated if stated in ("en", "zh") else None
        raise exc from None
    return ev, located.raw
