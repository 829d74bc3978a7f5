"""The CLI: every command has help and is documented; errors are messages, not tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from procure.cli import app

from .conftest import ROOT, example, run

COMMANDS = sorted(
    c.name or c.callback.__name__ for c in app.registered_commands if c.callback is not None
)


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert {
        "init",
        "validate",
        "schema",
        "assess",
        "optimize",
        "compare",
        "brief",
        "vendors",
    } <= set(COMMANDS)
    for name in COMMANDS:
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Usage" in result.stdout
        assert f"procure {name}" in readme, name


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and re.match(r"procure \d+\.\d+\.\d+", result.stdout)


def test_schema_is_json_schema() -> None:
    result = run("schema")
    doc = json.loads(result.stdout)
    assert doc["title"].startswith("procure scenario")
    assert "systems" in doc["properties"] and "agency" in doc["properties"]


def test_init_writes_a_valid_starter_and_never_overwrites(tmp_path: Path) -> None:
    for level in ("province", "prefecture", "county"):
        out = tmp_path / f"{level}.yaml"
        assert run("init", "--level", level, "-o", str(out)).exit_code == 0
        assert "#" in out.read_text()  # commented
        assert run("validate", str(out)).exit_code == 0
        out.write_text("mine")
        again = run("init", "--level", level, "-o", str(out))
        assert again.exit_code == 2 and "--force" in again.stderr
        assert out.read_text() == "mine"
        assert run("init", "--level", level, "-o", str(out), "--force").exit_code == 0


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = run("assess", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "cannot read file" in result.stderr


def test_assess_prints_tables() -> None:
    result = run("assess", str(example("prefecture-binzhou")))
    assert result.exit_code == 0
    assert "Readiness" in result.stdout and "Deployment fit" in result.stdout


def test_compare_side_by_side_and_variants() -> None:
    result = run("compare", str(example("province-integrated-jv")))
    assert result.exit_code == 0
    assert "Cumulative cost" in result.stdout and "tipping point" in result.stdout
    both = run(
        "compare",
        str(example("prefecture-binzhou")),
        "--vs",
        str(example("expansion-incumbent")),
        "--json",
    )
    rows = json.loads(both.stdout)["rows"]
    changed = {r[0] for r in rows if r[3]}
    assert "procurement route" in changed and "total cost over term" in changed


def test_vendors_lists_the_catalog() -> None:
    result = run("vendors")
    assert result.exit_code == 0 and "Vendor catalog" in result.stdout
    assert "illustrative" in result.stdout
    listed = json.loads(run("vendors", "--json").stdout)["vendors"]
    assert "telecom-a" in {v["id"] for v in listed}


def test_validate_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from procure.cli import main; sys.argv=['procure','validate',"
        f"{str(example('prefecture-binzhou'))!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('pulp', 'weasyprint', 'matplotlib', 'numpy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]"), out.stdout


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "procure", "--version"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0 and out.stdout.startswith("procure ")


def test_cli_reference_is_current() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from render_docs import cli_reference

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_unwritable_output_fails_fast_with_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("brief", str(example("county-west")), "-o", str(blocker / "sub" / "b.pdf"))
    assert result.exit_code == 2
    assert "无法在" in result.stderr and "--output" in result.stderr  # county-west is zh
    result = run(
        "brief", str(example("county-west")), "--lang", "en", "-o", str(blocker / "sub" / "b.pdf")
    )
    assert "cannot write under" in result.stderr and "--output" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_vendor_file_example_lists_and_drives_an_award(tmp_path: Path) -> None:
    vendors = ROOT / "scenarios" / "vendors" / "bids-example.yaml"
    listed = json.loads(run("vendors", str(vendors), "--json").stdout)["vendors"]
    assert [v["id"] for v in listed] == ["bidder-north", "bidder-south"]
    text = example("prefecture-binzhou").read_text(encoding="utf-8")
    scenario = tmp_path / "with-bids.yaml"
    (tmp_path / "bids.yaml").write_bytes(vendors.read_bytes())  # beside the scenario
    scenario.write_text(text.replace("vendors: default", "vendors: bids.yaml"), encoding="utf-8")
    award = json.loads(run("optimize", str(scenario), "--json").stdout)
    assert {v["vendor"] for v in award["vendors"]} <= {"bidder-north", "bidder-south"}


def test_bad_vendor_file_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "v.yaml"
    bad.write_text(
        "format: procure/vendors@1\nvendors:\n  - id: a\n    name: A\n    archetype: telcom\n",
        encoding="utf-8",
    )
    result = run("vendors", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:5:" in result.stderr and "vendors[0].archetype" in result.stderr
    assert f"{bad}:3:" in result.stderr and "required field 'prices'" in result.stderr


def test_missing_vendor_file_named_in_scenario(tmp_path: Path) -> None:
    text = example("county-west").read_text(encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text.replace("vendors: default", "vendors: nowhere.yaml"), encoding="utf-8")
    result = run("validate", str(scenario))
    assert result.exit_code == 2
    assert "找不到供应商文件“nowhere.yaml”" in result.stderr  # county-west is written in zh
    result = run("validate", str(scenario), "--lang", "en")
    assert "vendor file 'nowhere.yaml' not found" in result.stderr
    assert f"{scenario}:" in result.stderr and " vendors:" in result.stderr
