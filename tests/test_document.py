"""The brief as a document an official signs (#26), checked on its laid-out pages: every
bundled example and two held-out scenarios written wholly in Chinese (tests/data/briefs: one
joins its parent's cloud, one is contracted in parallel), in zh and en.

Each brief is laid out once per session from the numbers the real CLI wrote (the bundled
examples' PDFs are shared with test_report and test_language; they carry brief.json), and the
checks read WeasyPrint's layout boxes: the text of each page, where its content ends, every
table fragment and every table cell's lines."""

from __future__ import annotations

import html
import io
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes as B

from procure.catalog import catalog
from procure.documents import report
from procure.inputs.load import load_inputs
from procure.inputs.scenario import Scenario
from procure.inputs.vendors import Vendor
from procure.money import fmt_money
from procure.plan.rules import plan_knowledge
from procure.recommendation import Recommendation, route_lot
from procure.text import fmt_date

from .conftest import EXAMPLES, ROOT, brief_file, cli_json, example, run
from .test_language import ENGLISH_RUN, joined, user_words, without

HELD_OUT = sorted((ROOT / "tests" / "data" / "briefs").glob("*.yaml"))
SCENARIOS = EXAMPLES + HELD_OUT
MODELS = ("private", "dedicated", "public", "hybrid")
FILL = 0.30  # a page is at least this full, unless it is the last of its chapter


@dataclass
class Page:
    text: str  # lines of the page body (not the running header), joined by newlines
    fill: float  # how far down the content area the content reaches, 0..1
    headings: list[tuple[str, str]]  # (section class, heading text) of h2 on this page
    internal: bool  # the page carries the 内部资料 marking


@dataclass
class Laid:
    rec: Recommendation
    lang: str
    pages: list[Page]
    tables: dict[int, list[tuple[int, bool, int]]] = field(default_factory=dict)
    stacked: list[str] = field(default_factory=list)  # cells whose characters stack
    html: str = ""


@cache
def recommendation(path: Path) -> Recommendation:
    """The numbers of `path`'s brief as the real CLI writes them."""
    if path in EXAMPLES:  # the shared brief's attachment
        pdf = brief_file(path.stem, ".pdf", "--lang", "zh").read_bytes()
        raw = PdfReader(io.BytesIO(pdf)).attachments["brief.json"][0]
        return Recommendation.model_validate_json(raw)
    out = Path(tempfile.mkdtemp(prefix="procure-held-out-")) / "brief.json"
    result = run("brief", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return Recommendation.model_validate_json(out.read_text(encoding="utf-8"))


def _walk(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _headings(box: Any, section: str = "") -> Any:
    """(class of the enclosing section, heading box) for every h2 under `box`."""
    if getattr(box, "element_tag", None) == "section" and box.element is not None:
        section = box.element.get("class") or ""
    if getattr(box, "element_tag", None) == "h2" and isinstance(box, B.BlockBox):
        yield section, box
        return
    for child in getattr(box, "children", ()):
        yield from _headings(child, section)


def _lines(box: Any) -> list[str]:
    return [
        "".join(t.text for t in _walk(line) if isinstance(t, B.TextBox))
        for line in _walk(box)
        if isinstance(line, B.LineBox)
    ]


def _classes(box: Any) -> str:
    element = getattr(box, "element", None)
    return (element.get("class") or "") if element is not None else ""


@cache
def laid_out(path: Path, lang: str) -> Laid:
    rec = recommendation(path)
    html = report.render_html(rec, lang, for_pdf=True)
    document = report.layout(html)
    laid = Laid(rec=rec, lang=lang, pages=[], html=html)
    for number, page in enumerate(document.pages):
        root = page._page_box
        body = [c for c in root.children if not isinstance(c, B.MarginBox)]
        margins = [c for c in root.children if isinstance(c, B.MarginBox)]
        top, height = root.content_box_y(), root.height
        bottom = top
        headings: list[tuple[str, str]] = []
        lines: list[str] = []
        for part in body:
            for box in _walk(part):
                if isinstance(box, B.TextBox | B.ReplacedBox) and box.height:
                    bottom = max(bottom, box.position_y + box.height)
                if isinstance(box, B.TableBox):
                    groups = [g for g in box.children if isinstance(g, B.TableRowGroupBox)]
                    header = any(g.is_header for g in groups)
                    rows = sum(len(g.children) for g in groups if not g.is_header)
                    laid.tables.setdefault(id(box.element), []).append((number, header, rows))
                if isinstance(box, B.TableCellBox):
                    cell = [x.strip() for x in _lines(box) if x.strip()]
                    if len(cell) >= 2 and all(len(x) <= 1 for x in cell):
                        laid.stacked.append("".join(cell))
            lines += _lines(part)
            headings += [(cls, "".join(_lines(h))) for cls, h in _headings(part)]
        marking = " ".join(" ".join(_lines(m)) for m in margins)
        laid.pages.append(
            Page(
                text=re.sub(r"(?<=[A-Za-z])-\n(?=[a-z])", "-", "\n".join(lines)),  # Grid-|based
                fill=(bottom - top) / height if height else 1.0,
                headings=headings,
                internal=catalog(lang)["internal_marking"] in marking,
            )
        )
    return laid


def body_text(laid: Laid) -> str:
    """Every page before the technical annex (the only place for keys and solver figures),
    less the cover (its file names and fingerprints)."""
    out = []
    for page in laid.pages[1:]:
        if any("annex" in cls and catalog(laid.lang)["technical"] in h for cls, h in page.headings):
            break
        out.append(page.text)
    return "\n".join(out)


def scenario_of(path: Path) -> tuple[Scenario, list[Vendor]]:
    inputs = load_inputs(path)
    return inputs.scenario, inputs.vendors


CASES = [(p, lang) for p in SCENARIOS for lang in ("zh", "en")]
IDS = [  # ASCII ids (pytest escapes others): the held-out scenarios by their order
    f"{p.stem if p in EXAMPLES else f'held-out-{HELD_OUT.index(p) + 1}'}-{lang}"
    for p, lang in CASES
]


def _schema_words() -> tuple[set[str], set[str]]:
    """The scenario format's configuration keys (snake_case property names) and enum values."""
    keys: set[str] = set()
    enums: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k in node.get("properties") or {}:
                if "_" in k:
                    keys.add(k)
            for v in node.get("enum") or []:
                if isinstance(v, str):
                    enums.add(v)
            if isinstance(node.get("const"), str):
                enums.add(node["const"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(Scenario.model_json_schema())
    return keys, enums


KEYS, ENUMS = _schema_words()
SCIENTIFIC = re.compile(r"(?<![0-9A-Za-z])\d+(?:\.\d+)?[eE][+-]?\d+(?![0-9A-Za-z])")


@pytest.mark.parametrize(("path", "lang"), CASES, ids=IDS)
def test_the_body_speaks_the_readers_terms(path: Path, lang: str) -> None:
    """No generated id, configuration key, enum value or scientific notation outside the
    technical annex; no English in a Chinese brief but the user's own names."""
    laid = laid_out(path, lang)
    scenario, vendors = scenario_of(path)
    body = body_text(laid)
    flat = joined(body)
    ids = {str(s.id) for s in scenario.systems} | {v.id for v in vendors}
    named = without(body, [w for w in user_words(path) if w not in ids])  # ids left in
    for system in scenario.systems:  # ids only where the user did not write them as names
        sid = str(system.id)
        if sid not in system.name:
            assert not re.search(rf"(?<![\w-]){re.escape(sid)}(?![\w-])", named), sid
    for v in vendors:
        if v.id not in v.name and v.id not in (v.name_zh or ""):
            assert not re.search(rf"(?<![\w-]){re.escape(v.id)}(?![\w-])", named), v.id
    names = without(body, user_words(path))
    found_keys = sorted(k for k in KEYS if re.search(rf"\b{k}\b", names))
    assert not found_keys, found_keys
    assert not re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", names), re.findall(
        r".{20}\b[a-z]+(?:_[a-z0-9]+)+\b.{20}", names
    )[:5]
    enum_words = {e for e in ENUMS if lang == "zh" or "_" in e or e in {"iaas", "paas", "saas"}}
    found_enums = sorted(e for e in enum_words if re.search(rf"(?<![\w-]){e}(?![\w-])", names))
    assert not found_enums, found_enums
    assert not SCIENTIFIC.search(" ".join(p.text for p in laid.pages[1:])), SCIENTIFIC.findall(
        " ".join(p.text for p in laid.pages[1:])
    )[:5]
    if lang == "zh":
        runs = ENGLISH_RUN.findall(names)
        assert not runs, runs[:10]
        jargon = [
            w
            for w in ("紧约束", "首选可接受度", "价值（分）", "P10", "iResearch", "月数")
            if w in flat
        ]
        assert not jargon, jargon


@pytest.mark.parametrize(("path", "lang"), CASES, ids=IDS)
def test_pages_are_full_and_tables_whole(path: Path, lang: str) -> None:
    """No page under 30% full but the last of a chapter; no table row apart from its header
    and no table split into a fragment of a single row; no column narrow enough to stack
    characters; a chapter heading numbered from its position; 内部资料 on every page that names
    a supplier with its figures."""
    laid = laid_out(path, lang)
    pages = laid.pages
    for i, page in enumerate(pages[1:-1], start=1):
        last_of_chapter = any(
            "chapter" in cls or "annex" in cls for cls, _ in pages[i + 1].headings
        )
        if i == 1 or not last_of_chapter:  # the summary's page, too, is no mostly empty page
            assert page.fill >= FILL, (i + 1, round(page.fill, 2), page.text[:200])
    for fragments in laid.tables.values():
        if len(fragments) > 1:
            assert all(header for _, header, _ in fragments), fragments
            assert all(rows >= 2 for _, _, rows in fragments), fragments
    assert not laid.stacked, laid.stacked[:5]
    numbers = [h for page in pages for cls, h in page.headings if "chapter" in cls]
    first = ("一、", "二、", "三、") if lang == "zh" else ("1. ", "2. ", "3. ")
    assert [h[: len(first[0])] for h in numbers[:3]] == list(first), numbers[:3]
    award = laid.rec.award
    if award is not None:
        for number, page in enumerate(pages[1:], start=2):
            for v in award.vendors:
                name = v.name_zh if lang == "zh" and v.name_zh else v.name
                if any(name in line and re.search(r"\d", line) for line in page.text.split("\n")):
                    assert page.internal, (number, name)


def section_text(laid: Laid, section: str) -> str:
    """The text of the brief's section `section` (its id), as one folded line."""
    found = re.search(rf'<section class="[^"]*" id="{section}">(.*?)</section>', laid.html, re.S)
    assert found, section
    return joined(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


MONEY = re.compile(r"\d[\d,]*(?:\.\d+)?(?:万元|亿元| M CNY| bn CNY| CNY)")


@pytest.mark.parametrize(("path", "lang"), CASES, ids=IDS)
def test_the_summary_agrees_with_the_sections(path: Path, lang: str) -> None:
    """One conclusion: the summary's method, eligible candidate suppliers and evaluation per
    lot are the plan chapter's, its ceilings and budget the plan's (the ceilings adding up),
    its partnership mode the partnership chapter's, its system counts the estimated mix's,
    its dates the plan's timeline and every amount it states a section's; the route chapter
    tells the method of the plan's largest lot. Joining the parent's cloud, it says that no
    procurement of the agency's own is needed, with the joining plan's fees and first day."""
    laid = laid_out(path, lang)
    rec = laid.rec
    plan = rec.plan
    assert plan is not None
    t = catalog(lang)
    summary = joined(" ".join(x(lang) for x in rec.summary))
    text = joined(body_text(laid))
    chapter = section_text(laid, "plan")
    # the route tells the largest lot that can proceed (the largest, when none can)
    largest = route_lot(plan)
    method = rec.assessment.route.name(lang)
    assert method == largest.method_name(lang)
    assert (
        method.lower() in summary.lower() and joined(f"{t['method']}{t['colon']}{method}") in text
    )
    mode = rec.comparison.qualitative.mode_names[rec.comparison.recommended](lang)
    assert mode.lower() in summary.lower()
    assert joined(f"{t['recommended']}{t['colon']}{mode}") in text
    labels = [t["plan_lot"].format(n=lot.id.removeprefix("lot-")) for lot in plan.lots]
    for i, lot in enumerate(plan.lots):  # the lot's clause in the summary, its part of the plan
        said = summary.lower().split(labels[i].lower(), 1)[1]
        said = said.split(labels[i + 1].lower(), 1)[0] if i + 1 < len(labels) else said
        shown = chapter.split(joined(f"{labels[i]}{t['colon']}"), 1)[1]
        if i + 1 < len(labels):
            shown = shown.split(joined(f"{labels[i + 1]}{t['colon']}"), 1)[0]
        for word in (lot.method_name(lang), lot.evaluation.name(lang)):
            assert word.lower() in said[: len(word) + 60].lower(), (lot.id, word, said[:120])
            assert word in shown, (lot.id, word)
        assert re.search(rf"(?<!\d){lot.eligible}(?!\d)", said[:120]), (lot.id, said[:120])
        assert joined(f"{t['plan_depth']} {lot.eligible}") in shown, lot.id
        law = plan_knowledge().minimum(lot.method)  # no competition short of its minimum
        assert law is None or lot.eligible >= law.min_suppliers, (lot.id, lot.method)
        if lot.adjustment is not None:  # the change adopted: in the lot's table and the summary
            assert joined(lot.adjustment(lang)) in shown, lot.id
        if lot.method == "none":  # what the buyer must do: the lot's risk, a top risk
            head = re.split(r"[（(]", lot.risks[-1](lang))[0]  # (citations show as numbers)
            assert joined(head) in shown, lot.id
            top = "竞争性采购方式无法按计划进行" if lang == "zh" else "no competitive method can"
            assert top in summary.split("主要风险" if lang == "zh" else "Top risks")[-1]
            assert lot.id not in {x for sc in plan.schedules for x in sc.lots}
    for a in plan.adjustments:  # (the chapter shows citations as numbers: the change, its cost)
        cost = fmt_money(abs(a.ceiling_delta_cny), lang)
        assert a.change(lang).lower() in summary.lower() and cost in summary
        assert joined(a.change(lang)) in chapter and cost in chapter
    ceilings = [lot.ceiling_cny for lot in plan.lots]
    if all(c is not None for c in ceilings):
        assert plan.total_ceiling_cny == pytest.approx(sum(c for c in ceilings if c))
    assert plan.budget_cny == scenario_of(path)[0].procurement.budget_cny
    if plan.total_ceiling_cny is not None:
        total, budget = (fmt_money(x, lang) for x in (plan.total_ceiling_cny, plan.budget_cny))
        assert total in summary and budget in summary
        assert (
            joined(
                f"{t['plan_total_ceiling']}{t['colon']}{total}{t['semicolon']}"
                f"{t['budget']}{t['colon']}{budget}"
            )
            in chapter
        )
    after = joined("\n".join(p.text for p in laid.pages[1:]).split(joined(t["contents"]), 1)[-1])
    for amount in MONEY.findall(summary):  # every amount the summary states, a section shows
        assert amount in after, amount
    mix = (
        {m: sum(1 for s in rec.award.systems if s.model == m) for m in MODELS} if rec.award else {}
    )
    for model, n in mix.items():  # the summary counts the systems as the award section shows them
        word = t[f"model_{model}"]
        shown = f"{word} {n}个" if lang == "zh" else f"{n} {word.lower()}"
        assert (shown in summary) is (n > 0), (shown, summary[:200])
    j = plan.joining
    if rec.comparison.recommended == "join_parent_cloud":
        own = t["no_own_procurement"]
        assert own in summary and own in text
        assert j is not None
        assert j.total_cny == pytest.approx(sum(s.fee_cny for s in j.services), abs=0.01)
        fees, first = fmt_money(j.total_cny, lang), fmt_date(j.first_service, lang)
        assert fees in summary and fees in chapter
        assert first in summary
        assert joined(f"{t['plan_first_service']}{t['colon']}{first}") in chapter
    else:
        assert j is None
    route = section_text(laid, "route")
    if not plan.schedules:  # no lot can proceed: no timing, in the summary and the chapter
        assert all(lot.method == "none" for lot in plan.lots) and j is None
        assert ("时间：暂不安排" if lang == "zh" else "Timing: none set") in summary
        return
    for step in ("contract", "delivery", "acceptance"):  # by when: every lot through the step
        ends = [s.end for sc in plan.schedules for s in sc.steps if s.id == step]
        assert ends, step
        day = fmt_date(max(ends), lang)
        assert day in chapter and day in route, (step, day)  # the route tells the plan's dates
        assert (day in summary) is (j is None), (step, day)
    assert t["start_day"] not in route  # and no undated timeline of its own


def test_the_brief_and_sensitivity_give_the_same_probabilities() -> None:
    """One draw count, one seed: `procure sensitivity` and the brief's robustness section
    print the same probabilities (they gave 64%/36% and 60%/40%)."""
    path = example("county-joins-prefecture")
    cli = cli_json("sensitivity", "--json", str(path))["acceptability"]
    brief = recommendation(path).robustness
    assert brief is not None
    assert cli["award_draws"] == brief.acceptability.award_draws > 0
    assert cli["vendor_in_mix"] == brief.acceptability.vendor_in_mix
    assert cli["first_rank"] == brief.acceptability.first_rank


def test_the_held_out_scenarios_cover_joining_and_parallel_contracts() -> None:
    """The two held-out scenarios are what they claim: written in Chinese, one joins the
    parent's cloud, one contracts its providers in parallel with more than one of them."""
    recs = [recommendation(p) for p in HELD_OUT]
    assert all(r.language == "zh" for r in recs)
    assert any(r.comparison.recommended == "join_parent_cloud" for r in recs)
    assert any(
        r.scenario["procurement"]["structure"] == "parallel"
        and r.award is not None
        and len(r.award.vendors) > 1
        for r in recs
    )


def test_a_verdict_states_the_distance_to_the_nearest_change() -> None:
    """The issue's case: 成本权重在0.00至0.51之间（当前0.50） was printed as 稳健; one point from
    the change, it is 敏感, and the verdict says how far and under which margin."""
    from procure.analysis.sensitivity import ROBUST_MARGIN, Flip, _verdict

    near = _verdict("cost", 0.50, (0.0, 0.51), [])
    assert near.zh.startswith("敏感") and near.en.startswith("sensitive")
    assert "1个百分点" in near.zh and f"{ROBUST_MARGIN * 100:.0f}个百分点" in near.zh
    assert "0%至51%" in near.zh and "当前50%" in near.zh  # weights as percentages
    whole = _verdict("cost", 0.30, (0.0, 1.0), [])
    assert whole.zh.startswith("稳健") and "整个取值范围" in whole.zh
    inside = _verdict("cost", 0.30, (0.05, 0.45), [])
    assert inside.zh.startswith("稳健") and "15个百分点" in inside.zh
    flip = Flip(system="s", at=0.37, before="private", after="public")
    placed = _verdict("cost", 0.30, (0.05, 0.45), [flip], {"s": "县门户"})
    assert placed.zh.startswith("敏感") and "7个百分点" in placed.zh


def test_amounts_compared_in_one_sentence_share_a_unit() -> None:
    """'低3,675.15万元（1.09亿元对1.45亿元）' mixed two units in one comparison."""
    from procure.money import fmt_amounts

    assert fmt_amounts([36_751_500, 109_000_000, 145_751_500], "zh") == [
        "0.37亿元",
        "1.09亿元",
        "1.46亿元",
    ]
    assert fmt_amounts([1_802_600, 2_319_000, 4_121_500], "zh") == [
        "180.26万元",
        "231.90万元",
        "412.15万元",
    ]
    assert fmt_amounts([900_000, 1_200_000_000], "en") == ["0.00 bn CNY", "1.20 bn CNY"]


def test_every_setting_of_the_scenario_has_a_label_in_the_inputs_annex() -> None:
    """The inputs annex shows each setting by its label, never its key: a setting added to
    the format without a label would show its key (in the technical annex) instead."""
    from procure.documents.inputs import LABELS, input_tables

    schema = Scenario.model_json_schema()
    defs = schema.get("$defs", {})

    def leaves(prefix: str, ref: dict[str, Any]) -> list[str]:
        node = defs[ref["$ref"].split("/")[-1]] if "$ref" in ref else ref
        out: list[str] = []
        for key, sub in (node.get("properties") or {}).items():
            target = sub.get("$ref") and defs[sub["$ref"].split("/")[-1]]
            if target and "properties" in target:
                out += leaves(f"{prefix}.{key}", sub)
            else:
                out.append(f"{prefix}.{key}")
        return out

    keys = [
        k
        for group in ("agency", "procurement", "partnership")
        for k in leaves(group, schema["properties"][group])
    ]
    assert [k for k in keys if k not in LABELS] == []
    tables = input_tables(recommendation(HELD_OUT[0]).scenario, "zh")
    assert tables["unlabelled"] == []
    values = " ".join(v for g in tables["groups"] for _, v in g["rows"])
    assert "省级统建政务云" in values and "260.00万元" in values and "80%" in values


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_writes_its_text_across(lang: str) -> None:
    """A y-axis label set along the axis turns 90° and, in Chinese, stacks its characters one
    above another (#26): every chart's text, axis titles included, runs across the page."""
    from procure.documents import charts

    rec = recommendation(example("prefecture-binzhou")).model_copy(update={"language": lang})
    t = catalog(lang)
    drawn = {
        name: getattr(charts, name)(rec, t)
        for name in dir(charts)
        if name.endswith("_chart") and callable(getattr(charts, name))
    }
    assert sum(1 for svg in drawn.values() if svg) >= 4, sorted(drawn)
    titles = [t["cumulative_cost"], t["value_points"]]
    for name, svg in drawn.items():
        angles = re.findall(r"<text[^>]*rotate\((-?[\d.]+)", svg)
        assert all(float(a) == 0 for a in angles), (name, angles)
        titles = [x for x in titles if x not in svg]
    assert titles == [], titles  # both axis titles drawn, as text
