"""The legal rules and figures of the evaluation stage (knowledge/evaluation.yaml), each with its
document, article and effective date, and where its text was read or why it is assumed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge" / "evaluation.yaml"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Said(BaseModel):
    """A sentence (or a citation) in both languages."""

    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


ITEMS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


class Reason(_Data):
    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Rule(_Data):
    """A rule of law as the report cites it: document, article, effective date, what it says."""

    document: str
    article: str
    gloss: str  # the English gloss of the citation, after its Chinese form
    effective: str
    en: str
    zh: str
    read: str | None = None  # where its text was read
    assumption: Reason | None = None  # what could not be read, or what the law leaves open

    @model_validator(mode="after")
    def _provenance(self) -> Rule:
        if not self.read and not self.assumption:
            raise ValueError(
                "a legal rule needs `read:` (where its text was read) or `assumption:`"
            )
        return self

    def cite(self, lang: str) -> str:
        """《...》第N条; in English the gloss follows (docs/glossary.md)."""
        return self.said()(lang)

    def said(self, item: int | None = None) -> Said:
        """The citation, of item (N) of the article if given, in both languages."""
        zh = f"{self.document}{self.article}" + (f"第（{ITEMS[item]}）项" if item else "")
        return Said(zh=zh, en=f"{zh} ({self.gloss}{f'({item})' if item else ''})")

    def says(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class SmeRule(Rule):
    until: str | None = None
    range: tuple[float, float]


class CommitteeRule(Rule):
    min_members: int
    large_min_members: int
    large_budget_cny: float
    expert_share: float


class MinimumRule(Rule):
    minimum: int


class ExtremeRule(Rule):
    fraction: float


class LowPriceRule(Rule):
    share: float


class Decimals(_Data):
    value: int
    assumption: Reason


class Ranking(_Data):
    comprehensive: Rule
    lowest_price: Rule
    consultation: Rule
    tied_candidates: Rule


class Committees(_Data):
    open_tender: CommitteeRule
    competitive_consultation: CommitteeRule


class TooFew(_Data):
    open_tender: MinimumRule
    competitive_consultation: MinimumRule
    services_purchase: MinimumRule


class Statistic(_Data):
    en: str
    zh: str
    source_note: str


class Law(_Data):
    price_score: Rule
    consultation_price_score: Rule
    ranking: Ranking
    score_decimals: Decimals
    sme_deduction: list[SmeRule]
    contract_price: Rule
    committee: Committees
    corrections: Rule
    extreme_score: ExtremeRule
    abnormally_low: LowPriceRule
    too_few_bids: TooFew
    kendall_w: Statistic

    def sme_rule(self, notice_date: str) -> SmeRule | None:
        """The small/micro deduction rule in force on the day the notice was published."""
        for rule in self.sme_deduction:
            if rule.effective <= notice_date and (rule.until is None or notice_date <= rule.until):
                return rule
        return None


@cache
def law() -> Law:
    """knowledge/evaluation.yaml, validated once."""
    from procure.inputs.validation import validate_located
    from procure.inputs.yamlio import read_yaml

    return validate_located(Law, read_yaml(KNOWLEDGE))


def price_weight_range(procedure: str, category: str) -> tuple[tuple[float, float], str]:
    """The legal range of the price weight (routes.yaml's figures: 87号令 第五十五条, 214号
    第二十四条) and the article it comes from."""
    from procure.advice.knowledge import knowledge

    entry = knowledge().routes.price_weight[procedure]  # type: ignore[index]
    low_high = entry.services if category == "services" else entry.goods
    return (float(low_high[0]), float(low_high[1])), str(entry.source)
