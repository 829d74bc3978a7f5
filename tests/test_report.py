"""The brief: PDF text extracted with pypdf, both languages, formats agree, safe writing."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from procure.catalog import strings
from procure.documents import report
from procure.documents.report import render
from procure.errors import InputError
from procure.money import fmt_money
from procure.recommendation import Recommendation, route_lot

from .conftest import EXAMPLES, ROOT, brief, brief_file, example, recommendation, run


def rec_for(name: str) -> Recommendation:
    """The example's recommendation, shared with its CLI briefs (`recommendation`)."""
    return recommendation(name)  # type: ignore[no-any-return]


@cache
def pdf_text(payload: bytes) -> str:
    """The PDF's text as pypdf reads it, whitespace folded; extracted once per PDF."""
    reader = PdfReader(io.BytesIO(payload))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def pdf_fonts(payload: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(payload))
    fonts: set[str] = set()
    for page in reader.pages:
        resources: Any = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts


def test_catalog_has_both_languages_for_every_key() -> None:
    for key, value in strings().items():
        assert set(value) == {"en", "zh"}, key
        assert value["en"].strip() and value["zh"].strip(), key


def test_templates_use_only_catalog_keys() -> None:
    used: set[str] = set()
    for path in (ROOT / "templates").rglob("*.j2"):
        used |= set(re.findall(r"\bt\.([a-z_0-9]+)", path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"\bt\[\s*'([a-z_0-9]+)'", path.read_text(encoding="utf-8")))
    missing = {k for k in used - set(strings()) if not k.endswith("_")}  # "kind_" + kind: a prefix
    assert not missing


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_example_renders_in_both_languages(path: Path, lang: str) -> None:
    # the brief the CLI wrote (shared with test_language), against the numbers it carries
    payload = brief(path.stem, ".pdf", "--lang", lang)
    attached = PdfReader(io.BytesIO(payload)).attachments["brief.json"][0]
    rec = Recommendation.model_validate_json(attached)
    text = pdf_text(payload)
    assert rec.award is not None
    for vendor in rec.award.vendors:  # by name, in the brief's language, never by id
        assert (vendor.name_zh if lang == "zh" and vendor.name_zh else vendor.name) in text
    assert fmt_money(rec.award.total_cost_cny, lang) in text
    assert rec.comparison.qualitative.mode_names[rec.comparison.recommended](lang) in text
    assert ("艾瑞咨询" if lang == "zh" else "iResearch 2020, ch.2") in text  # citations listed
    assert "†" in text  # assumptions are marked
    heading = strings()["summary"][lang]
    assert heading in text
    # the plan chapter, right after the summary, dated from the record when no start is given
    plan, record = rec.plan, rec.record
    assert plan is not None and record is not None
    assert strings()["plan"][lang] in text
    if rec.scenario["procurement"].get("start") is None:
        assert plan.start == record.date
    assert fmt_money(plan.budget_cny, lang) in text
    for lot in plan.lots:
        assert lot.method_name(lang) in text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_summary_route_and_plan_tell_one_conclusion(path: Path) -> None:
    """The summary's method, candidate supplier count and totals are the plan's; the route
    chapter's method is the plan's (its largest lot's that can proceed) and its threshold the plan's; a joining
    agency's summary leads with the joining plan, buying alone as the alternative."""
    import json

    rec = Recommendation.model_validate_json(brief(path.stem, ".json"))
    plan = rec.plan
    assert plan is not None
    lines = " ".join(x.zh for x in rec.summary)
    for lot in plan.lots:
        assert f"采购包{lot.id.removeprefix('lot-')}{lot.method_name.zh}" in lines
        assert f"合格候选供应商{lot.eligible}家" in lines
    if plan.total_ceiling_cny is not None:
        assert fmt_money(plan.total_ceiling_cny, "zh") in lines
    largest = route_lot(plan)  # the largest lot that can proceed (the largest, when none can)
    route = rec.assessment.route
    assert route.method == largest.method and route.threshold_cny == plan.threshold_cny
    joining = rec.comparison.recommended == "join_parent_cloud"
    assert (plan.kind == "join") is joining
    if joining:
        assert plan.joining is not None
        assert lines.index("接入") < lines.index("比较方案")
        assert fmt_money(plan.joining.total_cny, "zh") in lines
    assert "scenario" in json.loads(brief(path.stem, ".json"))  # the keys stay as they were


def test_chinese_brief_embeds_a_cjk_font() -> None:
    payload = brief("county-west", ".pdf", "--lang", "zh")
    text = pdf_text(payload)
    for key in ("readiness", "partnership", "assumptions", "sources"):
        assert strings()[key]["zh"] in text
    assert any("WenQuanYi" in f or "Noto" in f for f in pdf_fonts(payload))
    assert "万元" in text


def test_html_and_markdown_carry_the_pdf_numbers() -> None:
    rec = rec_for("prefecture-binzhou")
    pdf = pdf_text(brief("prefecture-binzhou", ".pdf", "--lang", "en"))
    html = render(rec, "html", "en").decode()
    md = render(rec, "md", "en").decode()
    assert rec.award is not None
    figures = [
        fmt_money(rec.award.total_cost_cny, "en"),
        fmt_money(rec.comparison.direct.npv_cny, "en"),
        fmt_money(rec.comparison.jv.npv_cny, "en"),
        f"{rec.assessment.readiness.overall:.1f}",
    ]
    figures += [fmt_money(v.cost_cny, "en") for v in rec.award.vendors]
    for figure in figures:
        assert figure in pdf and figure in html and figure in md, figure


def test_json_is_the_recommendation_and_deterministic(tmp_path: Path) -> None:
    first, second = brief_file("county-west", ".json"), tmp_path / "b.json"  # two runs
    result = run("brief", str(example("county-west")), "-o", str(second), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()  # byte for byte
    rec = Recommendation.model_validate_json(first.read_text(encoding="utf-8"))
    assert rec.scenario_name == rec_for("county-west").scenario_name


def test_same_input_same_pdf_text() -> None:
    rec = rec_for("county-west")
    assert pdf_text(render(rec, "pdf", "en")) == pdf_text(render(rec, "pdf", "en"))


def test_html_is_autoescaped(variant: Callable[..., Path], tmp_path: Path) -> None:
    def inject(d: dict[str, Any]) -> None:
        d["name"] = "<script>alert(1)</script>"

    out = tmp_path / "b.html"
    result = run("brief", str(variant(inject)), "-o", str(out), "--format", "html")
    assert result.exit_code == 0, result.stderr
    html = out.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_remote_urls_are_never_fetched(tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    (custom / "sections").mkdir(parents=True)
    (custom / "sections" / "cover.html.j2").write_text(
        '<section class="cover"><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="file:///etc/passwd"></section>',
        encoding="utf-8",
    )
    fetched: list[str] = []
    from weasyprint.urls import URLFetcher

    real_fetch = URLFetcher.fetch

    def spy(self: Any, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return real_fetch(self, url, headers)

    URLFetcher.fetch = spy  # type: ignore[method-assign]
    try:  # the template asked for the network and a file outside: bad input, and no PDF
        with pytest.raises(InputError, match="outside the template directories"):
            render(rec_for("county-west"), "pdf", "en", custom)
    finally:
        URLFetcher.fetch = real_fetch  # type: ignore[method-assign]
    assert fetched == []  # both refused before reaching the real fetcher


def test_missing_cjk_font_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(report.shutil, "which", lambda name: None)
    with pytest.raises(InputError, match="apt-get install fonts-wqy-microhei"):
        report.require_cjk_font()
    out = tmp_path / "zh.pdf"
    result = run("brief", str(example("county-west")), "-o", str(out), "--lang", "zh")
    assert result.exit_code == 2
    assert "no Chinese (CJK) font" in result.stderr
    assert not out.exists()


def test_failure_leaves_existing_file_untouched(
    tmp_path: Path, variant: Callable[..., Path]
) -> None:
    out = tmp_path / "brief.pdf"
    out.write_bytes(b"previous")

    def broken(d: dict[str, Any]) -> None:
        d["systems"][0]["mlps_level"] = 5

    result = run("brief", str(variant(broken)), "-o", str(out))
    assert result.exit_code == 2
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".brief")] == []


def test_brief_cli_writes_pdf() -> None:
    """`procure brief EXAMPLE -o FILE.pdf` with no options: a PDF in the scenario's language
    (English here), the same text as with --lang en."""
    text = pdf_text(brief_file("prefecture-binzhou", ".pdf").read_bytes())
    assert "Executive summary" in text
    assert text == pdf_text(brief("prefecture-binzhou", ".pdf", "--lang", "en"))


def test_dynamic_catalog_keys_exist() -> None:
    """Keys the templates build at run time (role_*, cost_*, model_*) are in the catalog."""
    keys = set(strings())
    rec = rec_for("municipality-multivendor")
    assert rec.award is not None
    assert {f"role_{v.role}" for v in rec.award.vendors} <= keys
    assert {f"cost_{k}" for k in rec.award.cost_breakdown} <= keys
    assert {f"model_{m}" for m in ("private", "dedicated", "public", "hybrid")} <= keys


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_charts_are_vector_with_their_labels_as_text(lang: str) -> None:
    # labels that only the charts carry: found by text extraction, so not rasterised or
    # drawn as outlines; the HTML keeps the charts inline as SVG
    t = report.catalog(lang)
    rec = rec_for("prefecture-binzhou")
    text = pdf_text(brief("prefecture-binzhou", ".pdf", "--lang", lang))
    for key in ("score_0_100", "cumulative_cost"):
        assert t[key] in text, key
    html = render(rec, "html", lang).decode("utf-8")
    # six charts less the route's undated timeline (the plan's dated one stands for it)
    assert html.count("<svg") == 5 and "data:image" not in html


def small_names(rec: Recommendation) -> list[str]:
    return [str(s["name"]) for s in rec.scenario["systems"]]


def test_a_large_brief_shows_the_deciding_systems_and_attaches_the_rest() -> None:
    """Past 40 systems the tables show those that decide the outcome (deviations, flips, the
    costliest; at most 30) with a note, and the appendix leaves the systems to the attached
    files, so a 1,000-system brief does not run to hundreds of pages."""
    from procure.documents.report import SUMMARY_SYSTEMS, deciding_systems, systems_csv

    rec = rec_for("prefecture-binzhou")
    extra = [{"id": f"extra-{i}", "name": f"Extra system {i}"} for i in range(SUMMARY_SYSTEMS)]
    big = rec.model_copy(
        update={"scenario": {**rec.scenario, "systems": [*rec.scenario["systems"], *extra]}}
    )
    total = len(big.scenario["systems"])
    shown = deciding_systems(big)
    assert rec.award is not None and set(shown) == {s.system for s in rec.award.systems}
    text = pdf_text(render(big, "pdf", "en"))
    assert f"Showing {len(shown)} of {total} systems" in text
    assert "Extra system 3" not in text  # in neither the tables nor the inputs annex
    md = render(big, "md", "zh").decode("utf-8")
    assert f"共{total}个系统，此处列出{len(shown)}个" in md
    rows = systems_csv(rec, "en").decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + len(rec.assessment.deployment.placements)
    small = pdf_text(brief("prefecture-binzhou", ".pdf", "--lang", "en"))
    assert "Showing" not in small  # a small brief shows every system
    inputs = small[small.rfind("Annex 3: Inputs") :]  # and its inputs annex lists them
    assert all(p.name in inputs for p in rec.assessment.deployment.placements)
    # long lists are cut too: deviations, a winner's systems, inline bidders in the appendix
    # (a generated 1,000x40 brief ran to 59 pages on them)
    from procure.analysis.explain import LISTED, BidderOutcome
    from procure.text import Text

    many = [Text(en=f"deviation {i}", zh=f"偏离 {i}") for i in range(LISTED + 5)]
    winner = BidderOutcome(vendor="v", outcome="won", won=[e["id"] for e in extra])
    # an alternative lists the systems it places otherwise than the award (every system of
    # every alternative took 10 pages each at 1,000 systems); here the extra ones
    assert rec.award is not None
    first = rec.award.alternatives[0]
    moved = {e["id"]: next(iter(first.assignment.values())) for e in extra}
    same = {s.system: f"{s.vendor}/{s.model}" for s in rec.award.systems}
    alternative = first.model_copy(update={"assignment": {**same, **moved}})
    longer = big.model_copy(
        update={
            "deviations": many,
            "bidders": [winner],
            "scenario": {**big.scenario, "vendors": [{"id": f"b{i}"} for i in range(7)]},
            "award": rec.award.model_copy(update={"alternatives": [alternative]}),
        }
    )
    text = pdf_text(render(longer, "pdf", "en"))
    assert f"deviation {LISTED - 1}" in text and f"deviation {LISTED}" not in text
    assert "and 5 more: every system" in text
    assert f"and {len(extra) - LISTED} more (systems.csv)" in text
    assert f"Extra system {LISTED - 1}" in text and f"Extra system {LISTED}" not in text
    # the inputs annex (in place of the YAML appendix) counts them; the YAML stays attached
    assert "7 candidate suppliers listed in the scenario" in text and "id: b3" not in text
    assert f"differs from the estimated mix in {len(extra)} systems" in text
    assert f"and {len(extra) - LISTED} more (every system of each alternative" in text
    alt_cell = text.split(f"differs from the estimated mix in {len(extra)} systems")[1][:2000]
    assert f"Extra system {LISTED - 1}: " in alt_cell and f"Extra system {LISTED}: " not in alt_cell
    assert not any(f"{system_name}: " in alt_cell for system_name in small_names(rec))
    md = render(longer, "md", "zh").decode("utf-8")
    assert "另有5个" in md and f"另有{len(extra) - LISTED}项" in md
