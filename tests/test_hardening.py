"""Hostile input: every reproducer of tests/data/hardening (copied from the shared reproducers)
is refused with exit 2 or 3, a short clear message, no traceback, nothing written and no
foreign file content echoed."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, example, run

HARD = ROOT / "tests" / "data" / "hardening"
BASE = HARD / "base.yaml"


def assert_refused(result: object, code: int = 2, *words: str) -> None:
    """Exit `code`, no traceback, every line short, and the message names what is wrong."""
    out = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == code, (result.exit_code, out)  # type: ignore[attr-defined]
    assert "Traceback" not in out and "unexpected" not in out, out
    assert out.startswith("error: "), out
    assert all(len(line) < 700 for line in out.splitlines()), "an error line is too long"
    for word in words:
        assert word in out, (word, out)


@pytest.mark.parametrize(
    ("name", "field", "words"),
    [
        ("d01_budget_inf", "agency.annual_it_budget_cny", "not a finite number"),
        ("d01b_techstaff_inf", "agency.tech_staff", "not a finite number"),
        ("d02_weights_overflow", "criteria.weights.security", "less than or equal to"),
        ("d03_weights_nan", "criteria.weights.security", "not a finite number"),
        ("d04_memory_inf", "systems[0].memory_gb", "not a finite number"),
        ("d05_memory_1e30", "systems[0].memory_gb", "less than or equal to"),
        ("d06_inline_dup_vendor", "vendors[1].id", "already used by vendors[0]"),
        ("d07_capacity_huge_int", "vendors[0].capacity_vcpu", "far too large"),
        ("d08_max_vendors_huge", "procurement.max_vendors", "far too large"),
        ("r07_alias_cycle", "x[0]", "refers to a map or list that contains it"),
        ("r07_nested_1000", "", "nesting is deeper than 64 levels"),
        ("r16_injection", "agency.name", "U+202E"),
        ("r16b_injection_short", "", "control character"),
        ("r18_long_cjk_name", "name", "at most 200 characters"),
        ("r20_huge_int_message", "agency.tech_staff", "far too large"),
    ],
)
def test_bad_numbers_and_structures_are_refused_by_every_command(
    name: str, field: str, words: str
) -> None:
    path = str(HARD / f"{name}.yaml")
    for command in (["validate"], ["assess", "--json"], ["optimize", "--json"]):
        assert_refused(run(*command, path), 2, words, field)


def test_a_directory_and_an_endless_device_are_exit_2(tmp_path: Path) -> None:
    assert_refused(run("validate", str(tmp_path)), 2, "is a directory")
    # /dev/zero reports size 0 and never ends: the read stops after the limit
    assert_refused(run("validate", "/dev/zero"), 2, "1,000,000-byte limit")


def test_a_scenario_can_be_read_from_standard_input() -> None:
    result = CliRunnerWithInput(BASE.read_text(encoding="utf-8")).invoke("validate", "-")
    assert result.exit_code == 0 and "ok: -" in result.stdout


class CliRunnerWithInput:
    def __init__(self, text: str) -> None:
        self.text = text

    def invoke(self, *args: str) -> object:
        from typer.testing import CliRunner

        from procure.cli import app

        return CliRunner().invoke(app, list(args), input=self.text)


def test_an_invalid_vendor_file_fails_validate_as_it_fails_assess() -> None:
    path = str(HARD / "r09_vendorfile_invalid.yaml")
    for command in ("validate", "assess"):
        assert_refused(run(command, path), 2, "bad.yaml")


def test_a_vendor_path_outside_the_scenario_directory_is_refused_unread() -> None:
    """r09b: `vendors: /etc/shadow` printed the file line by line."""
    path = str(HARD / "r09b_vendors_shadow.yaml")
    for command in ("validate", "assess"):
        result = run(command, path)
        assert_refused(result, 2, "outside", "--data-dir", "vendors")
        assert "root:" not in result.stderr


def test_vendor_files_must_lie_beside_the_scenario_or_in_the_data_dir(tmp_path: Path) -> None:
    bids = ROOT / "scenarios" / "vendors" / "bids-example.yaml"
    elsewhere = tmp_path / "data"
    elsewhere.mkdir()
    shutil.copy(bids, elsewhere / "bids.yaml")
    scenario = tmp_path / "s" / "scenario.yaml"
    scenario.parent.mkdir()
    text = BASE.read_text(encoding="utf-8") + "vendors: ../data/bids.yaml\n"
    scenario.write_text(text, encoding="utf-8")
    assert_refused(run("validate", str(scenario)), 2, "outside")
    ok = run("validate", str(scenario), "--data-dir", str(elsewhere))
    assert ok.exit_code == 0, ok.stderr
    # a symlink beside the scenario that points outside is refused too
    (scenario.parent / "link.yaml").symlink_to(elsewhere / "bids.yaml")
    scenario.write_text(BASE.read_text(encoding="utf-8") + "vendors: link.yaml\n")
    assert_refused(run("validate", str(scenario)), 2, "outside")


def test_special_files_and_inputs_are_never_replaced_by_output(tmp_path: Path) -> None:
    """r10: a FIFO, a symlink and the input itself at -o were replaced by the brief."""
    target = tmp_path / "target.txt"
    target.write_text("precious")
    (tmp_path / "link").symlink_to(target)
    os.mkfifo(tmp_path / "fifo")
    to_stdout = tmp_path / "fakestdout"
    to_stdout.symlink_to("/proc/self/fd/1")
    for name, words in [
        ("link", "symbolic link"),
        ("fifo", "not an ordinary file"),
        ("fakestdout", "symbolic link"),
    ]:
        out = tmp_path / name
        assert_refused(run("brief", str(BASE), "-o", str(out), "--format", "json"), 2, words)
    assert target.read_text() == "precious"
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)
    assert (tmp_path / "link").is_symlink() and to_stdout.is_symlink()
    own = tmp_path / "self.yaml"
    shutil.copy(BASE, own)
    assert_refused(run("brief", str(own), "-o", str(own), "--format", "json"), 2, "an input")
    assert own.read_text(encoding="utf-8") == BASE.read_text(encoding="utf-8")


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_at_the_output_path_is_refused(tmp_path: Path) -> None:
    null = tmp_path / "fakenull"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    assert_refused(run("brief", str(BASE), "-o", str(null), "--format", "json"), 2, "device")
    assert stat.S_ISCHR(null.lstat().st_mode)


def test_write_lp_is_checked_first_and_written_only_with_an_award(
    tmp_path: Path, variant: object
) -> None:
    assert_refused(run("optimize", str(BASE), "--write-lp", str(tmp_path)), 2, "directory")
    nested = tmp_path / "new" / "m.lp"
    assert run("optimize", str(BASE), "--write-lp", str(nested)).exit_code == 0
    assert nested.read_text().startswith("\\ procure: the objective")  # an LP comment
    poor = variant(lambda d: d["procurement"].update(budget_cny=1000))  # type: ignore[operator]
    lp = tmp_path / "poor.lp"
    result = run("optimize", str(poor), "--write-lp", str(lp))
    assert result.exit_code == 3 and "budget" in result.stderr
    assert not lp.exists()


def test_templates_cannot_reach_files_outside_their_directory(tmp_path: Path) -> None:
    """r12 (missing include), r13 (percent-encoded ..), r14 (symlinked include, popen)."""
    out = tmp_path / "o.md"
    assert_refused(
        run("brief", str(BASE), "-o", str(out), "--templates", str(HARD / "r12_tpl_missing")),
        2,
        "nope.html.j2",
    )
    assert not out.exists()
    pdf = tmp_path / "o.pdf"
    result = run("brief", str(BASE), "-o", str(pdf), "--templates", str(HARD / "r13_tpl_pct"))
    assert_refused(result, 2, "outside the template directories")
    assert not pdf.exists() and "root:" not in result.stderr  # /etc/passwd is not attached
    copy = tmp_path / "t14"
    shutil.copytree(HARD / "r14_tpl_symlink", copy)
    (copy / "leak.txt").symlink_to("/etc/passwd")
    result = run("brief", str(BASE), "-o", str(out), "--templates", str(copy))
    assert_refused(result, 2, "leak.txt")
    assert "root:" not in result.stderr and not out.exists()
    (copy / "brief.md.j2").write_text("{{ lipsum.__globals__['os'].popen('id').read() }}")
    result = run("brief", str(BASE), "-o", str(out), "--templates", str(copy))
    assert_refused(result, 2, "'lipsum' is undefined")  # Jinja's globals are not handed over
    assert "uid=" not in result.stderr and not out.exists()


def test_markdown_escapes_user_text(tmp_path: Path, variant: object) -> None:
    evil = '<script>alert("x")</script>{{ 7*7 }}|md|*bold*'
    path = variant(  # type: ignore[operator]
        lambda d: (d.update(name=evil), d["systems"][0].update(name=evil)), base=BASE
    )
    out = tmp_path / "o.md"
    assert run("brief", str(path), "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "{{ 7\\*7 }}\\|md\\|\\*bold\\*" in text  # no table cell, no emphasis, no template
    assert "49" not in text.split("\n")[0]


def test_a_terminal_that_cannot_encode_chinese_gets_replacement_characters() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [sys.executable, "-m", "procure", "assess", str(example("county-west"))],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "?" in result.stdout and "Traceback" not in result.stderr


def test_the_output_format_follows_the_extension(tmp_path: Path, monkeypatch: object) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    assert run("brief", str(BASE), "--format", "json").exit_code == 0
    assert (tmp_path / "brief.json").exists() and not (tmp_path / "brief.pdf").exists()
    assert run("brief", str(BASE), "-o", "b.md").exit_code == 0
    assert (tmp_path / "b.md").read_text(encoding="utf-8").startswith("# ")
    assert_refused(run("brief", str(BASE), "-o", "b.txt"), 2, ".txt", "--format")
    to_stdout = run("brief", str(BASE), "-o", "-", "--format", "json")
    assert to_stdout.exit_code == 0 and to_stdout.stdout.lstrip().startswith("{")
    assert_refused(run("brief", str(BASE), "-o", "-"), 2, "binary")


def test_infeasible_scenarios_exit_3_everywhere_and_write_nothing(
    tmp_path: Path, variant: object
) -> None:
    poor = variant(lambda d: d["procurement"].update(budget_cny=1000), base=BASE)  # type: ignore[operator]
    out = tmp_path / "b.json"
    for args in (
        ["brief", str(poor), "-o", str(out)],
        ["compare", str(poor)],
        ["sensitivity", str(poor), "--award-draws", "0", "--draws", "100"],
    ):
        assert_refused(run(*args), 3, "budget must be at least")
    assert not out.exists()


def test_a_quoted_number_is_refused(variant: object) -> None:
    path = variant(lambda d: d["agency"].update(tech_staff="12"), base=BASE)  # type: ignore[operator]
    assert_refused(run("validate", str(path)), 2, "agency.tech_staff", "valid number")


def test_contradictory_vendor_count_and_share_rules_are_bad_input(variant: object) -> None:
    path = variant(  # type: ignore[operator]
        lambda d: d["procurement"].update(max_vendors=1, max_vendor_share=0.7), base=BASE
    )
    assert_refused(run("validate", str(path)), 2, "max_vendor_share", "contradict")
    edge = variant(  # type: ignore[operator]
        lambda d: d["procurement"].update(max_vendors=2, max_vendor_share=0.5), base=BASE
    )
    assert run("validate", str(edge)).exit_code == 0


def test_unknown_vendor_ids_in_the_procurement_are_bad_input(variant: object) -> None:
    path = variant(  # type: ignore[operator]
        lambda d: d["procurement"].update(incumbent="telecom-z", exclude_vendors=["nobody"]),
        base=BASE,
    )
    result = run("validate", str(path))
    assert_refused(result, 2, "procurement.incumbent", "procurement.exclude_vendors[0]")


def test_yaml_syntax_errors_carry_a_plain_hint(tmp_path: Path) -> None:
    tabbed = tmp_path / "tabs.yaml"
    tabbed.write_text("format: procure/scenario@1\nagency:\n\tname: x\n")
    assert_refused(run("validate", str(tabbed)), 2, "tabs.yaml:3", "not tabs")


def test_quiet_drops_notes_but_keeps_results(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    loud = run("brief", str(BASE), "-o", str(out))
    assert "wrote" in loud.stderr
    quiet = run("--quiet", "brief", str(BASE), "-o", str(out))
    assert quiet.exit_code == 0 and quiet.stderr == ""
