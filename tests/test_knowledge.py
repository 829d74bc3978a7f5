"""The knowledge base: every entry cited or assumed; rules checked at load."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from procure.advice.knowledge import Cited, Rule, RuleBook, knowledge
from procure.advice.rules import RuleError, check_rules
from procure.inputs.vendors import builtin_catalog
from procure.text import Text

from .conftest import ROOT

T = TypeVar("T")


def _found(node: Any, kind: type[T]) -> list[T]:
    """Every `kind` in a knowledge tree: models, lists and dicts walked depth first."""
    found: list[T] = [node] if isinstance(node, kind) else []
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += _found(getattr(node, name), kind)
    elif isinstance(node, (list, tuple)):
        for item in node:
            found += _found(item, kind)
    elif isinstance(node, dict):
        for item in node.values():
            found += _found(item, kind)
    return found


def _entries(node: Any) -> list[Cited]:
    return _found(node, Cited)


def test_every_entry_has_source_or_assumption() -> None:
    entries = _entries(knowledge())
    assert len(entries) > 40
    for entry in entries:
        assert entry.source or entry.assumption, entry
    for source in {e.source for e in entries if e.source}:
        # the report by chapter and slide, or a law, regulation or standard by its title and
        # article (《...》第N条)
        law = re.match(r"《[^》]+》(（[^）]+）)?第[一二三四五六七八九十百]+条", source)
        assert source.startswith("iResearch 2020, ch.") or law, source


def test_report_citations_name_real_slide_titles() -> None:
    source = ROOT.parent / "shared" / "domain" / "seed-report-zh.txt"
    if not source.exists():
        pytest.skip("the domain source is not beside the checkout")
    report = source.read_text(encoding="utf-8")
    for entry in _entries(knowledge()):
        if entry.source and entry.source.startswith("iResearch"):
            title = entry.source.split('"')[1]
            assert title in report, title


def test_builtin_catalog_is_illustrative_only() -> None:
    vendors = builtin_catalog().vendors
    assert 10 <= len(vendors) <= 14
    real_names = (
        "Huawei",
        "Alibaba",
        "Tencent",
        "Tianyi",
        "Kingsoft",
        "JD",
        "Inspur",
        "China Telecom",
        "China Mobile",
        "China Unicom",
        "iSoftStone",
        "Wenge",
    )
    for v in vendors:
        assert v.assumption and not v.source
        assert not any(name.lower() in v.name.lower() for name in real_names)
    assert {v.archetype for v in vendors} == {
        "infrastructure",
        "public_cloud",
        "telecom",
        "integrator",
        "specialist",
    }


def test_rule_naming_unknown_field_fails_at_load() -> None:
    bad = Rule(
        id="typo",
        when="mlps_levle >= 4",
        exclude=["public"],
        reason=Text(en="x", zh="x"),
        assumption=Text(en="test", zh="测试"),
    )
    with pytest.raises(RuleError, match="mlps_levle"):
        check_rules(RuleBook(deployment=[bad], partnership=[]))


def test_rule_that_does_not_parse_fails_at_load() -> None:
    bad = Rule(
        id="broken",
        when="mlps_level >=",
        reason=Text(en="x", zh="x"),
        assumption=Text(en="t", zh="测"),
    )
    with pytest.raises(RuleError, match="does not parse"):
        check_rules(RuleBook(deployment=[bad], partnership=[]))


def test_rule_conditions_are_parsed_once_and_evaluated_per_system(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CPython 3.11's parser is not thread-safe, and the robustness analysis places systems
    # from several threads: conditions are parsed once, under a lock, then only evaluated
    from simpleeval import EvalWithCompoundTypes

    from procure.advice import rules

    parses: list[str] = []
    real_parse = EvalWithCompoundTypes.parse

    def counting(expr: str) -> Any:
        parses.append(expr)
        return real_parse(expr)

    monkeypatch.setattr(EvalWithCompoundTypes, "parse", staticmethod(counting))
    monkeypatch.setattr(rules, "_parsed", {})
    rule = Rule(
        id="t",
        when="mlps_level >= 3 and sensitivity == 'high'",
        reason=Text(en="x", zh="x"),
        assumption=Text(en="test", zh="测试"),
    )
    verdicts = [
        rules.holds(rule, {"mlps_level": level, "sensitivity": s})
        for level in (2, 3, 4)
        for s in ("low", "high")
    ]
    assert verdicts == [False, False, False, True, False, True]
    assert parses == [rule.when]


def test_every_text_of_the_knowledge_base_is_in_both_languages() -> None:
    """Reasons, assumptions and labels carry en and zh, and the zh side is Chinese."""
    texts = _found(knowledge(), Text)
    assert len(texts) > 150
    for text in texts:
        assert text.en.strip() and text.zh.strip(), text
        assert re.search(r"[\u3400-\u9fff]", text.zh), text.zh


def test_the_catalog_avoids_the_terms_the_glossary_retires() -> None:
    """docs/glossary.md: 差距, 紧约束, 效率漂移 and 年份 N are not the terms to use."""
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    catalog = (ROOT / "templates" / "strings.yaml").read_text(encoding="utf-8")
    knowledge_text = "".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "src" / "procure" / "knowledge").glob("*.yaml")
    )
    for retired in ("差距", "紧约束", "效率漂移", "年份"):
        assert f"not {retired}" in glossary, retired
        assert retired not in catalog, retired
    for retired in ("紧约束", "效率漂移", "年份"):  # 差距 stays where it means a difference
        assert retired not in knowledge_text, retired
    for term in ("专有云", "总集成商", "竞争性磋商", "单一来源", "综合评分法", "评标基准价"):
        assert term in glossary and (term in catalog or term in knowledge_text), term
