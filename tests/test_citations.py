"""Citations audit: every `iResearch 2020, ch.N, "title"` in the knowledge base, the templates,
the code and the examples names a slide title that lies in chapter N of the source report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
