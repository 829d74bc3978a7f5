"""Chinese first: a zh brief is Chinese and an en brief English, the user's names label systems
and vendors, and no generated id shows. Checked on every example, on text extracted from the
PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from procure.catalog import strings
from procure.inputs.load import load_inputs
from procure.inputs.vendors import builtin_catalog

from .conftest import EXAMPLES, brief_file, cli_stdout

# three or more English words in a row (numbers, CJK and most punctuation break a run)
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:[ \t,.;:/&()\-]+[A-Za-z][A-Za-z'’\-]*){2,}")
CJK = re.compile(r"[\u3400-\u9fff]")
BUILTIN = {v.id for v in builtin_catalog().vendors}

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@cache
def pdf_text(path: Path, lang: str) -> str:
    """The brief as the real CLI writes it (made once, shared with test_report), as poppler's
    pdftotext reads it."""
    pdf = brief_file(path.stem, ".pdf", "--lang", lang)
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def user_words(path: Path) -> list[str]:
    """Names and ids the user wrote: the scenario's, its agency's, systems' and own vendors',
    and the names of the files they wrote them in."""
    inputs = load_inputs(path)
    s = inputs.scenario
    words = [s.name, s.name[:39], s.agency.name]  # the running header cuts the name short
    words += [f.name for f in inputs.files]  # the cover lists the input files by name
    words += [x for sys in s.systems for x in (sys.name, str(sys.id))]
    words += [x for v in inputs.vendors if v.id not in BUILTIN for x in (v.name, v.id)]
    return sorted(set(words), key=len, reverse=True)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def before_appendix(text: str, heading: str) -> str:
    """The text before the technical annex, the analyst's (the heading's last occurrence: the
    first is in the contents), with line breaks folded so that a wrapped name reads whole."""
    return " ".join(text[: text.rfind(heading)].split())


def joined(text: str) -> str:
    """Fold white space, and drop it between two Chinese characters (a wrapped line)."""
    text = " ".join(text.split())
    return re.sub(r"(?<=[\u3400-\u9fff（）])\s(?=[\u3400-\u9fff（）])", "", text)


def without(text: str, words: list[str]) -> str:
    text = joined(text)
    for word in words:  # pdftotext drops the hyphen of a name broken at one ("Grid-" "based")
        text = text.replace(joined(word), " ").replace(joined(word).replace("-", ""), " ")
    return text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_chinese_brief_is_chinese_and_names_everything(path: Path) -> None:
    text = pdf_text(path, "zh")
    body = without(before_appendix(text, strings()["technical"]["zh"]), user_words(path))
    runs = ENGLISH_RUN.findall(body)
    assert not runs, runs[:10]
    assert not re.search(r"system-\d", text)
    flat = squash(text)
    inputs = load_inputs(path)
    for system in inputs.scenario.systems:
        assert squash(system.name) in flat, system.name
    award = cli_stdout("optimize", "--json", str(path))
    for vid in set(re.findall(r'"vendor": "([^"]+)"', award)):
        vendor = next(v for v in inputs.vendors if v.id == vid)
        assert squash(vendor.label("zh")) in flat, vendor.label("zh")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_english_brief_has_no_chinese_but_names_and_cited_titles(path: Path) -> None:
    text = pdf_text(path, "en")
    body = before_appendix(text, strings()["technical"]["en"])
    body = body[: body.rfind("Sources")] if "Sources" in body else body  # cited titles
    body = without(body, user_words(path))
    body = re.sub(r"“[^”]*”|\"[^\"]*\"|《[^》]*》", " ", body)  # quoted titles of cited works
    found = [m.group(0) for m in re.finditer(r".{0,30}[\u3400-\u9fff]+.{0,10}", body)]
    assert not found, found[:10]
    assert not re.search(r"system-\d", text)


def test_ids_derive_from_names_readably_and_uniquely(variant: object) -> None:
    """A system without `id` gets a readable ASCII id from its name (pinyin for Chinese),
    unique in the file; never a generated system-N."""
    from procure.inputs.load import load_scenario
    from procure.inputs.scenario import slug

    assert slug("县政务服务门户") == "xian-zheng-wu-fu-wu-men-hu"
    assert slug("Online service portal") == "online-service-portal"
    assert not re.match(r"system-\d", slug("!!!"))

    def chinese(d: dict[str, object]) -> None:
        systems = d["systems"]
        assert isinstance(systems, list)
        for s in systems:
            s.pop("id", None)
        systems[0]["name"] = "政务服务门户"
        systems[1]["name"] = "政务服务门户"  # the same name twice

    path = variant(chinese)  # type: ignore[operator]
    ids = [str(s.id) for s in load_scenario(path).systems]
    assert ids[0] == "zheng-wu-fu-wu-men-hu" and ids[1] == "zheng-wu-fu-wu-men-hu-2"
    assert len(set(ids)) == len(ids)
    assert not any(re.match(r"system-\d", i) for i in ids)
