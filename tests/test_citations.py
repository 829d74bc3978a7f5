"""Citations audit: every `iResearch 2020, ch.N, "title"` in the knowledge base, the templates,
the code and the examples names a slide title that lies in chapter N of the source report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from procure.advice.knowledge import knowledge

from .conftest import ROOT

REPORT = ROOT.parent / "shared" / "domain" / "seed-report-zh.txt"
# the line where each chapter's divider page starts in seed-report-zh.txt (domain/brief.md)
CHAPTERS = {"1": 1, "2": 141, "3": 254, "3-1": 366, "4": 659, "4-1": 809, "5": 1016}
CITATION = re.compile(r'iResearch 2020, ch\.([0-9]+(?:-[0-9]+)?), "([^"]+)"')
SHORT = re.compile(r'\(ch\.([0-9]+(?:-[0-9]+)?), "([^"]+)"\)')


def chapter_lines(report: list[str], chapter: str) -> list[str]:
    starts = sorted(CHAPTERS.values())
    begin = CHAPTERS[chapter]
    end = next((s for s in starts if s > begin), len(report) + 1)
    return report[begin - 1 : end - 1]


def citations() -> list[tuple[Path, str, str]]:
    found = []
    for folder in ("src/procure", "templates", "scenarios"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".yaml", ".j2") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in (CITATION, SHORT):
                found += [(path, ch, title) for ch, title in pattern.findall(text)]
    return found


def test_citations_are_found() -> None:
    assert len(citations()) > 40


@pytest.mark.skipif(not REPORT.exists(), reason="the domain source is not beside the checkout")
def test_every_cited_slide_lies_in_the_chapter_named() -> None:
    report = REPORT.read_text(encoding="utf-8").splitlines()
    wrong = []
    for path, chapter, title in citations():
        lines = chapter_lines(report, chapter)
        if not any(title in line for line in lines):
            wrong.append(f"{path.relative_to(ROOT)}: ch.{chapter} '{title}'")
    assert not wrong, "\n".join(sorted(set(wrong)))


# Issue #24, item 7: five citations named a slide that lies in the right chapter but does not say
# what the entry claims. A title check cannot catch that, so each claim lists the words of the
# report that establish it; a citation for the claim must name a slide whose text (the title and
# the lines after it, up to the next chapter) holds them all. A claim the report does not make is
# an assumption: its entry may not cite the report for it.
WINDOW = 25  # lines of a slide after its title (the body sits within a few lines of it)
ROUTES = ROOT / "src" / "procure" / "knowledge" / "routes.yaml"
RULES = ROOT / "src" / "procure" / "knowledge" / "rules.yaml"
# (file, section, id) -> the report's words that the cited slide must hold
EVIDENCE: dict[tuple[Path, str, str], tuple[str, ...]] = {
    (ROUTES, "steps", "needs_survey"): ("汇总各委办局提出的信息化需求",),
    (ROUTES, "steps", "top_level_design"): ("咨询公司或设计院", "顶层设计"),
    (ROUTES, "steps", "project_approval"): ("经信委汇总", "统一的服务采购"),
    (ROUTES, "steps", "acceptance"): ("监督管理",),
    (RULES, "deployment", "legacy-migration"): ("存量系统", "没有迁移上云"),
}
# rules whose claim the report does not make (#24): they stand as assumptions, not citations
NOT_IN_REPORT = {
    (RULES, "deployment", "mlps4-no-public"),
    (RULES, "deployment", "mlps3-public-penalty"),
    (RULES, "deployment", "xinchuang-required-public"),
}


def slide_text(report: list[str], chapter: str, title: str) -> str:
    """The cited slide: each line of the chapter that holds the title, and WINDOW lines after it
    (never past the chapter's end). Empty when the title is not in the chapter."""
    lines = chapter_lines(report, chapter)
    parts = ["\n".join(lines[i : i + WINDOW + 1]) for i, line in enumerate(lines) if title in line]
    return "\n".join(parts)


def unsupported(report: list[str], source: str, words: tuple[str, ...]) -> list[str]:
    """What is wrong with `source` as the citation of a claim the report states in `words`."""
    found = CITATION.findall(source)
    if not found:
        return [f"no report citation in {source!r}"]
    problems = []
    for chapter, title in found:
        text = slide_text(report, chapter, title)
        missing = [w for w in words if w not in text]
        if missing:
            problems.append(f'ch.{chapter} "{title}" does not say {missing}')
    return problems


def entry(path: Path, section: str, entry_id: str) -> Any:
    """The entry as the knowledge loader validated it."""
    kb = knowledge()
    part = {(ROUTES, "steps"): kb.routes.steps, (RULES, "deployment"): kb.rules.deployment}
    return next(e for e in part[(path, section)] if e.id == entry_id)


@pytest.fixture(scope="module")
def report() -> list[str]:
    if not REPORT.exists():
        pytest.skip("the domain source is not beside the checkout")
    return REPORT.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("key", sorted(EVIDENCE, key=str), ids=lambda k: k[2])
def test_the_cited_slide_says_what_the_entry_claims(report: list[str], key: tuple) -> None:
    """#24 item 7: the timeline's preparation steps are in ch.3 "中国政务云产业链结构" (not the
    ch.2 procurement slide); the legacy rule cites only what ch.2 says of legacy systems."""
    source = entry(*key).source or ""
    assert not unsupported(report, source, EVIDENCE[key])


@pytest.mark.parametrize("key", sorted(NOT_IN_REPORT, key=str), ids=lambda k: k[2])
def test_a_claim_the_report_does_not_make_is_an_assumption(key: tuple) -> None:
    """#24 item 7: MLPS level 4 off public cloud, a penalty for level 3 on public cloud and a
    penalty for 信创 on public cloud are not in ch.5 (it only lists the standards, and ch.3-1 and
    ch.4-1 show public-cloud platforms at levels 4 and 3): no `source:`, a reason in en and zh."""
    e = entry(*key)
    assert e.source is None
    assert e.assumption is not None and e.assumption.en.strip() and e.assumption.zh.strip()


def test_the_evidence_check_rejects_the_old_wrong_citations(report: list[str]) -> None:
    """The check can fail: each citation #24 found wrong is rejected for its claim."""
    prep = 'iResearch 2020, ch.2, "中国政务云建设前期流程"'
    challenges = 'iResearch 2020, ch.5, "中国政务云发展挑战及建议（3/3）"'
    assert unsupported(report, prep, EVIDENCE[(ROUTES, "steps", "top_level_design")])
    assert unsupported(report, prep, EVIDENCE[(ROUTES, "steps", "needs_survey")])
    assert unsupported(report, challenges, ("四级",))  # mlps4-no-public's claim
    assert unsupported(report, challenges, ("三级", "公有云"))  # mlps3-public-penalty's claim
    assert unsupported(report, 'iResearch 2020, ch.4, "中国政务云产业链结构"', ("顶层设计",))
    # and accepts the slides that do say it
    assert not unsupported(report, prep, ("竞争性磋商", "单一来源"))
    assert not unsupported(report, challenges, ("自主可控",))
