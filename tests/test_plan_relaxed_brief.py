"""An adopted relaxation in the whole brief: once the plan makes a requirement of the whole
procurement a preference so that every lot has its competition, and solves the estimate again
under it, the brief tells one figure. The estimated mix shown is the re-solved one, and the
plan's adjustment, the summary, the route's contract value and the cash flow's spend all give
its total, zh and en; the sections still computed on the original mix (robustness, the
candidate suppliers' explanations, the other contract structure) say so in the same words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procure.documents.report import render_html, render_markdown
from procure.money import fmt_money
from procure.recommendation import ORIGINAL_BASIS, Recommendation

from .conftest import example, run
from .test_terminal_language import english_runs, user_words

PROCUREMENT = {"domestic_stack": "required", "exclude_vendors": ["cloud-d", "telecom-a"]}


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Recommendation]:
    """The prefecture with 信创 required and two suppliers left out, briefed once as JSON
    through the real CLI (the relaxation and the services split adopted, the estimate
    solved again cheaper)."""
    from procure.inputs.yamlio import dump_yaml, read_yaml

    data = read_yaml(example("prefecture-binzhou")).data
    data["procurement"].update(PROCUREMENT)
    where = tmp_path_factory.mktemp("relaxed-brief")
    path = where / "relaxed.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    out = where / "brief.json"
    result = run("brief", str(path), "--format", "json", "-j", "1", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return path, Recommendation.model_validate(json.loads(out.read_text(encoding="utf-8")))


def test_every_section_gives_the_resolved_total(brief: tuple[Path, Recommendation]) -> None:
    _, rec = brief
    plan, award = rec.plan, rec.award
    assert plan is not None and award is not None
    assert plan.relaxed == {"domestic_stack": "preferred"}
    [a] = plan.adjustments
    assert a.estimate_after_cny is not None and a.estimate_before_cny is not None
    assert abs(a.estimate_after_cny - a.estimate_before_cny) > 1.0  # it moves here
    total = a.estimate_after_cny
    assert award.total_cost_cny == pytest.approx(total, abs=0.01)  # the mix shown
    i = rec.comparison.inputs  # the cash flow's spend: the mix's total over the contract
    assert i.spend_basis == "award"
    assert i.annual_spend_cny * i.contract_years + i.one_off_cny == pytest.approx(total, abs=0.01)
    assert rec.assessment.route.contract_value_cny == pytest.approx(total, abs=0.01)
    line = next(x for x in rec.summary if x.en.startswith("Procurement"))
    assert f"the estimated mix solved again under it: {fmt_money(total, 'en')}" in line.en
    assert f"按调整后要求重新求解的测算组合总额{fmt_money(total, 'zh')}" in line.zh
    for lang in ("en", "zh"):  # the plan says the same figure
        assert fmt_money(total, lang) in a.text(lang)
    # no vendor outside the relaxed requirement is hidden: the mix is valid under it
    assert not any(q.id == "domestic" for lot in plan.lots for q in lot.qualifications)


def test_the_sections_on_the_original_mix_say_so_in_the_same_words(
    brief: tuple[Path, Recommendation],
) -> None:
    path, rec = brief
    assert rec.award is not None and rec.robustness is not None
    caution = rec.award.cautions[0]
    note = rec.robustness.budget_note
    assert note is not None
    for lang in ("en", "zh"):
        assert ORIGINAL_BASIS(lang) in caution(lang) and ORIGINAL_BASIS(lang) in note(lang)
        assert fmt_money(rec.award.total_cost_cny, lang) in caution(lang)
    zh = render_markdown(rec, "zh")
    en = render_markdown(rec, "en")
    assert zh.count(ORIGINAL_BASIS.zh) >= 2 and en.count(ORIGINAL_BASIS.en) >= 2
    html = render_html(rec, "zh")  # what the PDF is laid out from
    total = fmt_money(rec.award.total_cost_cny, "zh")
    assert html.count(ORIGINAL_BASIS.zh) >= 2 and f"重新求解的测算组合总额{total}" in html
    words = user_words(path)
    assert not english_runs(caution.zh + note.zh + rec.summary[1].zh, words)


def test_the_brief_states_the_original_requirement_the_change_and_why(
    brief: tuple[Path, Recommendation],
) -> None:
    """Where the brief states the requirements it assumed (the inputs table and the assumptions
    annex), it gives the scenario's own requirement, the change the plan adopts for the whole
    procurement and why (the lots it gives their competition, with the law), zh and en; the
    scenario the brief carries (and seals) stays the user's."""
    from procure.documents.inputs import input_tables
    from procure.plan.rules import plan_knowledge
    from procure.recommendation import relaxed_requirements

    path, rec = brief
    assert rec.scenario["procurement"]["domestic_stack"] == "required"  # as the user wrote it
    plan = rec.plan
    assert plan is not None
    [said] = [a for a in rec.assumptions if a.item.en.startswith("requirement:")]
    assert said.kind == "scenario" and "Xinchuang" in said.item.en and "信创" in said.item.zh
    changed = [lot for lot in plan.lots if any(lot.id in a.lots for a in plan.adjustments)]
    assert changed
    law = plan_knowledge().minimum(changed[0].method)
    assert law is not None
    for lang, required, preferred in (
        ("en", "stack required;", "preferred"),
        ("zh", "必须满足", "优先考虑"),
    ):
        text = said.text(lang)
        assert required in text and preferred in text and law.cite() in text
        assert all(lot.name(lang) in text for lot in changed)
    assert "unchanged" in said.text.en and "未作改动" in said.text.zh
    assert not english_runs(said.item.zh + said.text.zh, user_words(path))
    notes = {k: short for k, (short, _) in relaxed_requirements(plan).items()}
    for lang in ("en", "zh"):
        rows = {
            label: value
            for g in input_tables(rec.scenario, lang, None, notes)["groups"]
            for label, value in g["rows"]
        }
        shown = rows["信创要求" if lang == "zh" else "Domestic (Xinchuang) stack"]
        assert shown.startswith("必须满足（" if lang == "zh" else "required (")
        assert law.cite() in shown and ("优先考虑" if lang == "zh" else "preferred") in shown
    html = render_html(rec, "zh")  # the inputs table and the assumptions annex of the PDF
    assert notes["procurement.domestic_stack"].zh in html and said.text.zh in html
    assert "preferred" in render_markdown(rec, "en").split("Assumptions")[-1]


def test_without_a_relaxation_the_requirements_say_nothing_more() -> None:
    """A brief whose plan adopts no relaxation: no requirement row is added, nothing noted."""
    from procure.recommendation import relaxed_requirements

    from .conftest import recommendation

    rec = recommendation("prefecture-binzhou")
    assert rec.plan is not None and rec.plan.relaxed == {}
    assert relaxed_requirements(rec.plan) == {}
    assert not [a for a in rec.assumptions if a.item.en.startswith("requirement:")]
