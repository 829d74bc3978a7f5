"""The words of the stage (issue #24): before bids exist, no output names a winner. The brief
(PDF text, JSON), and `explain`, `optimize` and `compare` in the terminal, in English and in
Chinese, never say 中标, 投标(人), 授标, winner, bidder, "price to win" or "award": the vendors
are candidate suppliers (候选供应商) of market research, and their figures an internal estimate
(内部测算). Legal citations may quote a law's title; those titles are the only exceptions.
Evaluation-stage outputs (procure evaluate) keep the law's words and are not checked here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import EXAMPLES, brief, cli_stdout, example
from .test_language import joined, pdf_text

# the only places the words may appear: laws' titles, quoted in citations
LEGAL_TITLES = (
    "《政府采购货物和服务招标投标管理办法》",
    "《中华人民共和国招标投标法》",
)
ENGLISH = re.compile(
    r"\b(winners?|winning|won|bidders?|bids?|bidding|price to win|awards?|awarded|awarding)\b",
    re.IGNORECASE,
)
CHINESE = re.compile(r"中标|投标|授标")


def stage_words(text: str) -> list[str]:
    """The forbidden words in `text`, each with a little context, legal titles excepted."""
    text = joined(text)  # a line wrapped inside a Chinese title reads whole again
    for title in LEGAL_TITLES:
        text = text.replace(title, " ")
    return [
        text[max(0, m.start() - 40) : m.end() + 20]
        for pattern in (ENGLISH, CHINESE)
        for m in pattern.finditer(text)
    ]


def test_the_check_finds_the_words_and_spares_the_laws_titles() -> None:
    """The checker itself: each word is found in a sentence; a law's title quoted in a
    citation is not a finding."""
    for bad in (
        "the winner is A",
        "Why each bidder won or lost",
        "Price to win: 5%",
        "Vendor award",
        "awarded dedicated cloud",
        "供应商甲中标",
        "各投标人",
        "授标方案",
        "等标期至投标截止",
    ):
        assert stage_words(bad), bad
    assert not stage_words("《政府采购货物和服务招标投标管理办法》（财政部令第87号）第五十四条")
    assert not stage_words("candidate suppliers in the estimated mix; 候选供应商；内部测算")


def texts(node: Any) -> list[str]:
    """The JSON's words for a reader: string values with a space or a Chinese character (an
    enum such as "award" or "won" is a key-like value of the format, kept stable)."""
    if isinstance(node, dict):
        return [t for v in node.values() for t in texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in texts(v)]
    if isinstance(node, str) and (" " in node or re.search(r"[\u3400-\u9fff]", node)):
        return [node]
    return []


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_brief_never_names_a_winner(path: Path, lang: str) -> None:
    """Every bundled example's brief, as the reader sees it (the PDF's text)."""
    found = stage_words(pdf_text(path, lang))
    assert not found, found[:8]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_brief_json_never_names_a_winner(path: Path) -> None:
    """The JSON keeps its keys (the format is a contract); its texts use the stage's words.
    The scenario itself is the user's, and is not checked."""
    data = json.loads(brief(path.stem, ".json"))
    data.pop("scenario", None)
    found = [w for t in texts(data) for w in stage_words(t)]
    assert not found, found[:8]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("command", ["explain", "optimize", "compare"])
def test_the_terminal_never_names_a_winner(command: str, lang: str) -> None:
    """`explain`, `optimize` and `compare` on an example, in each language."""
    out = cli_stdout(command, str(example("prefecture-binzhou")), "--lang", lang)
    found = stage_words(out)
    assert not found, found[:8]


def test_the_plan_chapter_holds_no_supplier_and_the_estimate_is_marked_internal() -> None:
    """Per-supplier figures are kept apart from the plan: the plan chapter names no candidate
    supplier, and the sections that do are marked internal, not for publication."""
    html = brief("prefecture-binzhou", ".html").decode("utf-8")
    start = html.index('<section class="chapter" id="plan">')
    chapter = html[start : html.index("</section>", start)]
    assert "Lot 1" in chapter and "Ceiling price" in chapter
    data = json.loads(brief("prefecture-binzhou", ".json"))
    for names in data["vendor_names"].values():
        assert names["en"] not in chapter and names["zh"] not in chapter
    assert html.index('id="plan"') < html.index('id="award"')
    assert html.count("not for publication") >= 2  # the estimate and the why-in-or-not sections
    zh = " ".join(pdf_text(example("prefecture-binzhou"), "zh").split())
    assert zh.count("内部资料") >= 2
