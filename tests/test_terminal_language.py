"""Chinese first in the terminal: every command speaks the chosen language (--lang, else the
scenario's, else the locale's), tables, errors and diagnoses included, naming systems and
vendors by the names the user wrote."""

from __future__ import annotations

# three or more English words in a row (numbers, CJK, `_` and most punctuation break a run)
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from procure.catalog import choose_language, locale_language
from procure.inputs.load import load_inputs
from procure.inputs.vendors import builtin_catalog

from .conftest import EXAMPLES, run

ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:[ \t,.;:/&()\-]+[A-Za-z][A-Za-z'’\-]*){2,}")
BUILTIN = {v.id for v in builtin_catalog().vendors}
CHINESE = next(p for p in EXAMPLES if p.stem == "county-joins-prefecture")


def user_words(path: Path) -> list[str]:
    """Names and ids the user wrote (and the file's own path, which messages quote)."""
    inputs = load_inputs(path)
    s = inputs.scenario
    words = [str(path), path.name, s.name, s.agency.name]
    words += [x for sys in s.systems for x in (sys.name, str(sys.id))]
    words += [x for v in inputs.vendors if v.id not in BUILTIN for x in (v.name, v.id)]
    return sorted(set(words), key=len, reverse=True)


def english_runs(text: str, words: list[str]) -> list[str]:
    text = " ".join(text.split())
    for word in words:
        text = text.replace(word, " ")
    return ENGLISH_RUN.findall(text)


@pytest.mark.parametrize(
    "args",
    [
        ["assess"],
        ["optimize"],
        ["compare"],
        ["sensitivity", "--draws", "200", "--award-draws", "3"],
        ["compare", "--vs", str(CHINESE.with_name("情景乙.yaml"))],
        ["validate"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_the_terminal_speaks_the_scenario_language(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Chinese scenario's terminal output is Chinese: no run of three English words outside
    the user's names; --lang en switches it back."""
    if "--vs" in args:  # the variants' columns are headed by file names: short Chinese ones
        monkeypatch.chdir(tmp_path)
        for name in ("情景甲.yaml", "情景乙.yaml"):
            shutil.copy(CHINESE, tmp_path / name)
        args = ["compare", "--vs", "情景乙.yaml"]
        path = Path("情景甲.yaml")
    else:
        path = CHINESE
    result = run(args[0], str(path), *args[1:])
    assert result.exit_code == 0, result.stderr
    runs = english_runs(result.stdout + result.stderr, user_words(CHINESE))
    assert not runs, runs[:10]
    english = run(args[0], str(path), *args[1:], "--lang", "en")
    assert english.exit_code == 0
    assert ENGLISH_RUN.search(english.stdout)


def test_sensitivity_and_variants_name_systems_and_vendors() -> None:
    inputs = load_inputs(CHINESE)
    result = run("sensitivity", str(CHINESE), "--draws", "200", "--award-draws", "3")
    for system in inputs.scenario.systems:
        assert system.name in result.stdout
        assert f" {system.id} " not in result.stdout
    variants = run("compare", str(CHINESE), "--vs", str(CHINESE), "--json")
    rows = {row[0]: row for row in __import__("json").loads(variants.stdout)["rows"]}
    assert rows["procurement route"][1] == rows["procurement route"][2]
    assert all(row[3] == "" for row in rows.values())  # the same file twice: nothing changed


def test_vendors_lists_the_catalog_in_chinese_by_name() -> None:
    result = run("vendors", "--lang", "zh")
    assert result.exit_code == 0
    assert "供应商名录" in result.stdout
    for v in builtin_catalog().vendors:
        assert (v.name_zh or v.name)[:3] in result.stdout
    assert not english_runs(result.stdout, [v.id for v in builtin_catalog().vendors])


def test_language_comes_from_option_then_scenario_then_locale(
    variant: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert choose_language("en", "zh") == "en"
    assert choose_language(None, "zh") == "zh"
    assert locale_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert locale_language({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert locale_language({"LC_MESSAGES": "zh_TW.UTF-8"}) == "zh"
    assert locale_language({}) == "en"

    def unstated(data: dict[str, Any]) -> None:
        del data["language"]

    path = variant(unstated, base=CHINESE)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "上云准备度" in run("assess", str(path)).stdout  # the locale decides
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Readiness" in run("assess", str(path)).stdout
    assert "上云准备度" in run("assess", str(CHINESE)).stdout  # a stated language wins


def test_validation_errors_speak_the_files_language(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: procure/scenario@1\nname: 测试\nlanguage: zh\n"
        "agency: {name: 某局, level: county, cloud_type: industry, annual_it_budget_cny: -5}\n"
        "systems:\n  - {name: 门户, mlps_level: 5, vcpu: 8.5, sensitivity: secret}\n"
        "criteria: {weights: {security: 0}}\n"
        "procurement: {budget_cny: 100, min_vendors: 3, max_vendors: 2, fo: 1}\n",
        encoding="utf-8",
    )
    result = run("validate", str(bad))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 8 and all(line.startswith("错误：") for line in lines)
    assert "应大于或等于 0" in result.stderr and "等保第五级" in result.stderr
    runs = english_runs(result.stderr, [str(bad)])
    assert not runs, runs
    english = run("validate", str(bad), "--lang", "en")
    assert english.exit_code == 2 and "error: " in english.stderr
    assert "greater than or equal to 0" in english.stderr


def test_an_infeasible_chinese_scenario_is_diagnosed_in_chinese(
    variant: Callable[..., Path],
) -> None:
    def poor(data: dict[str, Any]) -> None:
        data["procurement"]["budget_cny"] = 1000

    path = variant(poor, base=CHINESE)
    result = run("optimize", str(path))
    assert result.exit_code == 3
    assert ("预算至少应为" in result.stderr and "亿元" in result.stderr) or "万元" in result.stderr
    assert not english_runs(result.stderr, user_words(path)), result.stderr
    english = run("optimize", str(path), "--lang", "en")
    assert english.exit_code == 3 and "budget must be at least" in english.stderr


@pytest.mark.parametrize("level", ["province", "prefecture", "county"])
def test_init_writes_a_chinese_starter_that_validates(tmp_path: Path, level: str) -> None:
    path = tmp_path / "起步.yaml"
    result = run("init", "--level", level, "--lang", "zh", "-o", str(path))
    assert result.exit_code == 0 and "下一步" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "language: zh" in text and "政务服务门户" in text
    comments = " ".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    comments = re.sub(r"\S+\.(?:xlsx|csv|yaml)|procure validate", " ", comments)  # file names
    assert not ENGLISH_RUN.findall(comments), comments[:200]
    checked = run("validate", str(path))
    assert checked.exit_code == 0 and checked.stdout.startswith("通过")
