"""A large brief keeps its per-system tables and lists short (#25: a province's brief ran to
49 pages on them): past SUMMARY_SYSTEMS systems, a table shows at most SHOWN_SYSTEMS systems
and a list names at most LISTED, each with a sentence saying which attached file holds every
row. Checked on a generated tender (the prefecture example's systems repeated to 70, each
under its own id and name) briefed by the real CLI, so every per-system section is filled as
a province's would be, in seconds instead of minutes."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from procure.analysis.explain import LISTED
from procure.documents.report import SHOWN_SYSTEMS, SUMMARY_SYSTEMS, md_escape, render
from procure.inputs.yamlio import dump_yaml, read_yaml
from procure.recommendation import Recommendation

from .conftest import PREFECTURE, example, run, shared_analysis

SYSTEMS = 70  # past SUMMARY_SYSTEMS; a lot of more than LISTED systems, and 14 close calls


def generated(systems: int, base: Path = PREFECTURE) -> dict[str, Any]:
    """`base` with its systems repeated to `systems`, each with its own id and name, and the
    budget scaled with them."""
    data = read_yaml(base).data
    originals = data["systems"]
    data["systems"] = []
    for k in range(systems):
        s = copy.deepcopy(originals[k % len(originals)])
        s["id"] = f"{s.get('id', 'system')}-{k}"
        s["name"] = f"{s['name']} #{k}"
        data["systems"].append(s)
    p = data["procurement"]
    p["budget_cny"] = p["budget_cny"] * systems / len(originals)
    return data


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The generated tender's PDF (English) and Markdown (Chinese) briefs, by the CLI."""
    assert SYSTEMS > SUMMARY_SYSTEMS and SYSTEMS > LISTED
    folder = tmp_path_factory.mktemp("large")
    path = folder / "large.yaml"
    path.write_text(dump_yaml(generated(SYSTEMS)), encoding="utf-8")
    out: dict[str, Any] = {"names": [f"#{k}" for k in range(SYSTEMS)]}
    for name, options in (("pdf", ()), ("md", ("--lang", "zh"))):
        target = folder / f"large.{name}"
        with shared_analysis():  # one analysis for both
            result = run("brief", str(path), "-o", str(target), "--time-budget", "1", *options)
        assert result.exit_code == 0, result.stderr
        out[name] = target.read_bytes()
    reader = PdfReader(io.BytesIO(out["pdf"]))
    out["text"] = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    out["rec"] = Recommendation.model_validate_json(reader.attachments["brief.json"][0])
    return out


def named(text: str) -> set[str]:
    """The generated systems a piece of the brief names (by their '#k' suffix)."""
    return set(re.findall(r"(?<!&)#\d+(?!\d)", text))  # not an escape: &#39;


def test_every_table_and_list_shows_at_most_the_shown_systems(large: dict[str, Any]) -> None:
    """The rule, on every table and cell of the brief's HTML (what the PDF lays out): a table
    has at most SHOWN_SYSTEMS rows that name generated systems, a cell or list item names at
    most LISTED of them."""
    html = render(large["rec"], "html", "en").decode("utf-8")
    tables = re.findall(r"<table.*?</table>", html, flags=re.S)
    assert len(tables) > 10
    shown = 0
    for table in tables:
        naming = [r for r in re.findall(r"<tr.*?</tr>", table, re.S) if named(r)]
        assert len(naming) <= SHOWN_SYSTEMS, table[:300]
        shown = max(shown, len(naming))
    assert shown == SHOWN_SYSTEMS  # the deciding systems are shown, only not every one
    cells = re.findall(r"<(td|li)[^>]*>(.*?)</\1>", html, flags=re.S)
    long = [c[:200] for _, c in cells if len(named(c)) > LISTED]  # the plan's texts too
    assert not long, long  # (tests/test_plan_large.py: the plan's own rule)


def test_a_lots_systems_are_counted_named_in_part_and_attached(large: dict[str, Any]) -> None:
    rec: Recommendation = large["rec"]
    assert rec.plan is not None
    (lot,) = rec.plan.lots
    assert len(lot.systems) == SYSTEMS  # brief.json, attached, keeps every one
    rest = SYSTEMS - LISTED
    text = large["text"]
    assert f"{SYSTEMS} systems: {lot.systems[0]}" in text
    assert f"and {rest} more (every lot's systems are in brief.json, attached to this PDF)" in text
    cell = text.split(f"{SYSTEMS} systems: ")[1].split("brief.json")[0]
    assert named(cell) == {f"#{k}" for k in range(LISTED)}
    md = large["md"].decode("utf-8")
    assert md_escape(f"共{SYSTEMS}个系统：{lot.systems[0]}") in md  # its # escaped
    assert f"等，另有{rest}个（各采购包的全部系统见本 PDF 附件 brief.json）" in md


def test_the_summary_names_the_closest_calls_and_counts_the_rest(large: dict[str, Any]) -> None:
    """The summary's close deployment calls (a province's ran to 2.5 pages): the LISTED
    closest named, the rest counted, in both languages."""
    rec: Recommendation = large["rec"]
    close = [
        p for p in rec.assessment.deployment.placements if p.margin is not None and p.margin < 3
    ]
    assert len(close) > LISTED
    risks = next(x for x in rec.summary if x.en.startswith("Top risks"))
    assert len(named(risks.en)) == LISTED and len(named(risks.zh)) == LISTED
    closest = sorted(close, key=lambda p: p.margin or 0.0)[:LISTED]  # ties: the first
    assert named(risks.en) == named(" ".join(p.name for p in closest))
    rest = len(close) - LISTED
    assert f"and {rest} more (every system's fit by model is in systems.csv)" in risks.en
    assert (
        f"等{len(close)}个系统的部署模式差距较小（全部系统的各模式适配得分见附件 systems.csv）"
        in risks.zh
    )
    assert f"and {rest} more (every system's fit by model" in large["text"]


def test_a_joining_plans_services_show_the_dearest_with_a_note() -> None:
    """The joining plan's per-system fee table (an agency joining the cloud above): past
    SUMMARY_SYSTEMS systems, the SHOWN_SYSTEMS dearest, and where the rest are."""
    from .conftest import recommendation

    rec: Recommendation = recommendation("county-joins-prefecture")
    assert rec.plan is not None and rec.plan.joining is not None
    joining = rec.plan.joining
    first = joining.services[0]
    services = [
        first.model_copy(update={"system": f"Joined system #{k}", "fee_cny": 1000.0 + k})
        for k in range(SYSTEMS)
    ]
    extra = [{"id": f"joined-{k}", "name": f"Joined system #{k}"} for k in range(SYSTEMS)]
    big = rec.model_copy(
        update={
            "scenario": {**rec.scenario, "systems": [*rec.scenario["systems"], *extra]},
            "plan": rec.plan.model_copy(
                update={"joining": joining.model_copy(update={"services": services})}
            ),
        }
    )
    dearest = {str(k) for k in range(SYSTEMS - SHOWN_SYSTEMS, SYSTEMS)}
    for lang, note in (
        ("en", f"Showing the {SHOWN_SYSTEMS} systems with the highest fees of {SYSTEMS}"),
        ("zh", f"共{SYSTEMS}个系统，此处列出服务费最高的{SHOWN_SYSTEMS}个"),
    ):
        for fmt in ("html", "md"):
            text = render(big, fmt, lang).decode("utf-8")
            assert note in text, (lang, fmt)
            assert set(re.findall(r"Joined system \\?#(\d+)", text)) == dearest, (lang, fmt)
    small = render(rec, "html", "en").decode("utf-8")
    assert "with the highest fees" not in small
    assert all(s.system in small for s in joining.services)


def test_the_bundled_examples_join_nothing_of_this_rule() -> None:
    """The rule applies past SUMMARY_SYSTEMS systems only: the bundled examples (at most a
    dozen systems) name every system of every lot."""
    rec = Recommendation.model_validate_json(run_json("prefecture-binzhou"))
    assert rec.plan is not None
    md = render(rec, "md", "en").decode("utf-8")
    for lot in rec.plan.lots:
        assert all(name in md for name in lot.systems)
    assert "more (every lot's systems" not in md


def run_json(name: str) -> str:
    from .conftest import brief

    return brief(name, ".json").decode("utf-8")


def test_generated_tender_is_what_it_says() -> None:
    """The generator itself: ids and names unique, the budget scaled."""
    data = generated(SYSTEMS, example("prefecture-binzhou"))
    base = read_yaml(example("prefecture-binzhou")).data
    assert len({s["id"] for s in data["systems"]}) == SYSTEMS
    assert len({s["name"] for s in data["systems"]}) == SYSTEMS
    ratio = data["procurement"]["budget_cny"] / base["procurement"]["budget_cny"]
    assert ratio == pytest.approx(SYSTEMS / len(base["systems"]))


def test_the_chinese_large_brief_is_chinese(large: dict[str, Any]) -> None:
    """The sentences the rule adds read in Chinese in a Chinese brief (as test_language checks
    the bundled examples): no run of English words but the user's names."""
    from procure.catalog import strings

    from .test_language import ENGLISH_RUN, without

    rec: Recommendation = large["rec"]
    md = large["md"].decode("utf-8").replace("\\", "")  # Markdown's escapes
    body = md[: md.rfind(strings()["technical"]["zh"])]
    words = [s["name"] for s in rec.scenario["systems"]] + [rec.scenario_name]
    words += [str(rec.scenario["agency"]["name"])]
    runs = ENGLISH_RUN.findall(without(body, sorted(set(words), key=len, reverse=True)))
    assert not runs, runs[:10]
    assert "brief.json" in body and "systems.csv" in body  # the attachments, by file name
