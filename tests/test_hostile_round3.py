"""Hostile input, third round: holes found from outside after the watchdog, province and
plan-relaxation merges, each kept as a regression test of its class.

- a named pipe (or device) that never delivers hung every command that reads a file (the
  open itself blocked): now refused within `yamlio.READ_WAIT`, while a pipe that does deliver
  is read as before;
- a solve in a forked child outlived a killed parent (SIGTERM or SIGKILL of `procure`), solving
  on until its own deadline, a CBC it started too;
- an error listed every one of thousands of systems on one line (540 KB for a province with
  信创 required), and an input's every problem (3,000 lines): both bounded now.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from procure.cli import common
from procure.errors import InfeasibleError, InputError, Problem
from procure.inputs import yamlio

from .conftest import run

ROOT = Path(__file__).resolve().parents[1]
BASE = """\
format: procure/scenario@1
name: minimal
agency:
  name: Bureau
  level: prefecture
  cloud_type: integrated
  region: east
  cloud_trust: medium
  leadership: top
  tech_staff: 12
  annual_it_budget_cny: 30000000
  policy_pressure: high
  data_sharing_need: high
  public_expectation: medium
  legacy_share: 0.4
criteria:
  weights: {security: 0.35, flexibility: 0.20, scalability: 0.15, cost: 0.30}
"""


def scenario(systems: int = 1, vcpu: int = 64, procurement: str = "") -> str:
    rows = "".join(
        f"  - name: Sys {i}\n    sensitivity: low\n    mlps_level: 2\n"
        f"    vcpu: {vcpu}\n    memory_gb: 256\n    storage_tb: 2\n"
        for i in range(systems)
    )
    return BASE + "systems:\n" + rows + "procurement:\n  budget_cny: 90000000\n" + procurement


# --- a FIFO nobody writes to -------------------------------------------------------------


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(yamlio, "READ_WAIT", 0.5)
    return 0.5


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["assess"],
        ["plan"],
        ["vendors"],
        ["verify"],
        ["evaluate"],
        ["brief", "--format", "md", "-o", "OUT"],
    ],
)
def test_a_fifo_nobody_writes_to_is_refused_not_waited_on(
    tmp_path: Path, short_wait: float, command: list[str]
) -> None:
    """Every command that reads a file: before, `procure validate fifo.yaml` never returned
    (the open blocked until a writer came)."""
    fifo = _fifo(tmp_path / ("in.csv" if command == ["vendors"] else "in.yaml"))
    args = [a.replace("OUT", str(tmp_path / "out.md")) for a in command]
    began = time.perf_counter()
    result = run(*args[:1], str(fifo), *args[1:])
    assert time.perf_counter() - began < short_wait + 10
    assert result.exit_code == 2, result.output
    assert "pipe or device" in result.stderr and str(fifo) in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [fifo.name]  # nothing written


def test_a_vendor_file_that_is_a_fifo_is_refused(tmp_path: Path, short_wait: float) -> None:
    _fifo(tmp_path / "bids.csv")
    path = tmp_path / "s.yaml"
    path.write_text(scenario() + "vendors: bids.csv\n", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "bids.csv" in result.stderr and "not a regular file" in result.stderr


def test_a_pipe_that_delivers_is_read(tmp_path: Path) -> None:
    """A named pipe whose writer comes (late) and a pipe that delivers are read as files."""
    fifo = _fifo(tmp_path / "late.yaml")
    text = scenario()

    def write_late() -> None:
        time.sleep(0.3)
        fifo.write_text(text, encoding="utf-8")

    writer = threading.Thread(target=write_late)
    writer.start()
    result = run("validate", str(fifo))
    writer.join()
    assert result.exit_code == 0, result.output
    assert "ok:" in result.stdout


def test_a_device_without_end_stays_bounded_by_size() -> None:
    result = run("validate", "/dev/zero")
    assert result.exit_code == 2
    assert "byte limit" in result.stderr


# --- a child solving on after its parent is gone ----------------------------------------

_ORPHAN = """
import os, subprocess, sys, time
from procure.award import watchdog

def task(send):
    grandchild = subprocess.Popen(["sleep", "600"])  # as CBC is, from the child
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {grandchild.pid}")
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(600)

watchdog.isolated(task, time.perf_counter() + 600)
"""


def _gone(pid: int) -> bool:
    """Ended (a zombie counts: nothing runs; the container's init may not reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_parent_leaves_no_solve_running(tmp_path: Path, sig: signal.Signals) -> None:
    """`procure optimize` killed mid-solve (SIGTERM from a scheduler, SIGKILL from the OOM
    killer): its child, with a deadline ten minutes away, and the child's own process (CBC)
    end within a second or so, not at the deadline."""
    pids = tmp_path / "pids"
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN, str(pids)], cwd=ROOT, start_new_session=True
    )
    started: list[int] = []
    try:
        end = time.monotonic() + 30
        while not pids.exists() and time.monotonic() < end:
            time.sleep(0.05)
        child, grandchild = started[:] = map(int, pids.read_text().split())
        parent.send_signal(sig)
        parent.wait(timeout=10)
        end = time.monotonic() + 5
        while not (_gone(child) and _gone(grandchild)) and time.monotonic() < end:
            time.sleep(0.05)
        assert _gone(child) and _gone(grandchild)
    finally:  # a failure leaves nothing running either
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in started:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)


# --- errors that list thousands of things ------------------------------------------------


def test_an_infeasible_tender_names_a_dozen_systems_per_reason(tmp_path: Path) -> None:
    """30 systems none of the built-in bidders may take (信创 and the security assessment
    required): one line per reason, a dozen names and a count, in English and Chinese."""
    path = tmp_path / "s.yaml"
    path.write_text(
        scenario(30, procurement="  domestic_stack: required\n  security_assessment: required\n"),
        encoding="utf-8",
    )
    result = run("optimize", str(path))
    assert result.exit_code == 3, result.output
    assert "30 systems (Sys 0, Sys 1," in result.stderr
    assert "Sys 11 and 18 more): no eligible vendor and model" in result.stderr
    assert "Sys 12," not in result.stderr
    assert "Relax the rule named" in result.stderr
    zh = run("optimize", str(path), "--lang", "zh")
    assert zh.exit_code == 3
    assert "“Sys 11”等30个系统：没有符合条件的供应商和部署模式" in zh.stderr
    assert "Sys 12" not in zh.stderr


def test_a_few_infeasible_systems_are_each_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        scenario(2, procurement="  domestic_stack: required\n  security_assessment: required\n"),
        encoding="utf-8",
    )
    result = run("optimize", str(path))
    assert result.exit_code == 3
    assert "system Sys 0: no eligible" in result.stderr
    assert "system Sys 1: no eligible" in result.stderr


def test_thousands_of_input_problems_are_cut_to_a_page(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(scenario(120, vcpu=-1), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == common.MAX_PROBLEMS + 1
    assert "systems[49].vcpu" in lines[-2]
    assert "70 more problems not shown; fix these first" in lines[-1]


def test_any_long_error_keeps_its_start_and_its_advice() -> None:
    """The CLI's last bound on one error's text, whatever built it."""
    text = "no award: " + "; ".join(f"vendor v{i:05d} lacks capacity" for i in range(20_000))
    exc = InfeasibleError(
        text + ". Add capacity.", "无法测算：" + "很长" * 50_000 + "。请增加容量。"
    )
    (en,) = common._problem_lines(exc, "en")
    (zh,) = common._problem_lines(exc, "zh")
    for line, end in ((en, ". Add capacity."), (zh, "。请增加容量。")):
        assert len(line) <= common.MAX_ERROR_TEXT + 100
        assert line.endswith(end)
    assert en.startswith("error: no award: vendor v00000")
    assert "characters left out" in en and "略去" in zh
    few = InputError([Problem("f.yaml", "bad", line=1)])
    assert common._problem_lines(few, "en") == ["error: f.yaml:1: bad"]


# --- a relaxation that would let the model past the size bound --------------------------


def test_a_relaxation_past_the_size_bound_is_not_tried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tender accepted with 信创 required (a few bidders) may be far past the size bound
    once the plan makes 信创 a preference (every bidder in): 3,000 systems, 80 bidders, 2 of
    them domestic gave 12,000 options required, 256,520 relaxed, and the plan built and solved
    that model (909 MB; 2,000 x 500 would take gigabytes). Here the bound is set between the
    two sizes of the prefecture the plan otherwise relaxes (35 and 72 options): the relaxed
    model is never built, and the plan says what it did not try, en and zh."""
    import procure.inputs.size as size
    import procure.plan.build as build
    from procure.inputs.yamlio import dump_yaml, read_yaml
    from procure.plan.build import Plan

    from .test_plan_competition import RELAXED

    name, procurement = RELAXED
    data = read_yaml(ROOT / "scenarios" / f"{name}.yaml").data
    data["procurement"].update(procurement)
    path = tmp_path / "relaxed.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    built: list[str] = []
    make = build.build_instance

    def spy(scenario: Any, *args: Any, **kwargs: Any) -> Any:
        built.append(scenario.procurement.domestic_stack)
        return make(scenario, *args, **kwargs)

    monkeypatch.setattr(size, "MAX_OPTIONS", 50)
    monkeypatch.setattr(build, "build_instance", spy)
    result = run("plan", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    plan = Plan.model_validate_json(result.stdout)
    assert plan.relaxed == {} and not plan.adjustments
    assert built and set(built) == {"required"}
    [caution] = [c for c in plan.cautions if c.en.startswith("Not tried")]
    assert (
        "domestic (Xinchuang) stack preferred" in caution.en and "past the 50 options" in caution.en
    )
    assert "未尝试" in caution.zh and "信创" in caution.zh and "50 个选项" in caution.zh


# --- threads left behind in a long-lived process ------------------------------------------


def _stuck_job(job: Any, setup: Any) -> Any:
    """A job whose solve never comes back (HiGHS stuck where no callback reaches), given up
    by the watchdog after its deadline; the job still answers."""
    from procure.award import watchdog

    answer, progress = watchdog.threaded(lambda send: time.sleep(3), time.perf_counter(), 0.05)
    assert answer is None and progress.killed
    yield ("robustness", job.gen, None)


def _plain_job(job: Any, setup: Any) -> Any:
    yield ("robustness", job.gen, None)


@pytest.mark.parametrize("stuck", [True, False])
def test_a_serve_worker_with_a_solver_thread_left_behind_ends_itself(
    monkeypatch: pytest.MonkeyPatch, stuck: bool
) -> None:
    """`procure serve`'s worker answers job after job; a solve given up from a thread left
    that thread spending a core in the worker for the server's life, one more per such job.
    Now the worker answers the job and ends (the session starts a fresh one); a worker with
    nothing left behind waits for the next job."""
    from multiprocessing import Pipe

    from procure.award import watchdog
    from procure.serve import worker

    monkeypatch.setattr(watchdog, "_left", 0)
    monkeypatch.setattr(worker, "run_job", _stuck_job if stuck else _plain_job)
    ours, theirs = Pipe()
    loop = threading.Thread(target=worker.work, args=(theirs, None), daemon=True)
    loop.start()
    ours.send(worker.Job("solve", 1, {}))
    assert ours.poll(10) and ours.recv() == ("robustness", 1, None)
    loop.join(5 if stuck else 0.3)
    assert loop.is_alive() is not stuck
    assert watchdog.left_behind() == (1 if stuck else 0)
    ours.close()  # a waiting worker ends when its pipe closes
    loop.join(5)
    assert not loop.is_alive()


# --- a budget so small that one over it is infinite ---------------------------------------


@pytest.mark.parametrize("budget", ["1e-320", "5e-324", "1e-300"])
def test_a_subnormal_budget_is_told_the_budget_that_works(tmp_path: Path, budget: str) -> None:
    """A positive budget far below a fen (valid input) made the elastic model's budget slack
    weigh 1 / B = inf: exit 1 'PulpError: Cannot multiply variables with NaN/inf values', in
    optimize, compare, plan, brief and explain alike. Now exit 3 with the budget needed, as
    for 1e-9 CNY (test_exit_codes.test_d02...)."""
    path = tmp_path / "s.yaml"
    path.write_text(scenario().replace("budget_cny: 90000000", f"budget_cny: {budget}"))
    for command in ("optimize", "plan"):
        result = run(command, str(path))
        assert result.exit_code == 3, result.output
        assert "budget must be at least" in result.stderr and "Traceback" not in result.output


# --- a union's other branches drowning the real error ----------------------------------


def test_an_inline_vendor_error_is_the_only_one_named(tmp_path: Path) -> None:
    """`vendors:` is 'default', a file name or a list: one bad field in an inline bidder was
    reported after two wrong complaints ("vendors: Input should be 'default'", "... a valid
    string"), at the list's line. Now only the real one, at its own line; a value that is
    none of the forms still hears about each."""
    from procure.inputs.vendors import builtin_catalog

    bids = [v.model_dump(mode="json", exclude_none=True) for v in builtin_catalog().vendors[:3]]
    bids[1]["capacity_vcpu"] = -5
    from procure.inputs.yamlio import dump_yaml

    path = tmp_path / "s.yaml"
    path.write_text(scenario() + dump_yaml({"vendors": bids}), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "vendors[1].capacity_vcpu: Input should be greater than 0 (got -5)" in line
    path.write_text(scenario() + "vendors: {a: 1}\n", encoding="utf-8")
    result = run("validate", str(path))
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and all(": vendors: Input should be" in x for x in lines)


# --- a library's log line beside procure's message --------------------------------------


def test_a_damaged_pdf_gets_one_message_in_the_asked_language(tmp_path: Path) -> None:
    """`procure verify` of a truncated PDF printed pypdf's own log line ("EOF marker not
    found", English) above procure's Chinese message: the real CLI (its entry point sets the
    logging up), so a subprocess."""
    pdf = tmp_path / "cut.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "procure"), "verify", str(pdf), "--lang", "zh"],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PROCURE_DEBUG"},
    )
    assert out.returncode == 2
    [line] = out.stderr.strip().splitlines()
    assert line.startswith("错误：") and "EOF" not in line and "无法读取" in line


@pytest.mark.parametrize(
    ("command", "example"), [("verify", "brief.pdf"), ("validate", "scenario.yaml")]
)
def test_a_directory_is_told_the_file_it_should_be(
    tmp_path: Path, command: str, example: str
) -> None:
    result = run(command, str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory; name a" in result.stderr and f"{tmp_path}/{example}" in result.stderr


# --- a file name that drives the terminal -------------------------------------------------


def test_a_file_name_cannot_drive_the_terminal(tmp_path: Path) -> None:
    """A file named with ESC sequences, BEL or a right-to-left override (from a shared folder,
    say) was echoed raw in every message naming it: on a terminal it could clear the screen,
    recolour or reverse the line. Each such character is now shown as \\u{XXXX}, on standard
    error and standard output alike; plain and Chinese names are untouched."""
    name = "x\x1b[2J\x07\u202e.yaml"
    good = tmp_path / name
    good.write_text(scenario(), encoding="utf-8")
    bad = tmp_path / ("bad" + name)
    bad.write_text(scenario(vcpu=-1), encoding="utf-8")
    for result, stream in (
        (run("validate", str(good)), "stdout"),
        (run("validate", str(bad)), "stderr"),
    ):
        text = getattr(result, stream)
        assert "x\\u{001B}[2J\\u{0007}\\u{202E}.yaml" in text
        assert not any(c in text for c in "\x1b\x07\u202e")
    zh = tmp_path / "情景.yaml"
    zh.write_text(scenario(vcpu=-1), encoding="utf-8")
    assert f"{zh}:" in run("validate", str(zh), "--lang", "zh").stderr


# --- bid prices below a fen ----------------------------------------------------------------


@pytest.mark.parametrize("price", ["5e-324", "0.004"])
def test_an_evaluation_with_prices_below_a_fen_is_refused(tmp_path: Path, price: str) -> None:
    """Prices are compared in fen: every bid at 5e-324 CNY rounded to 0, scored 0 / 0 = NaN
    (numpy's RuntimeWarning on the terminal) and exit 0 with a NaN in the JSON. Now bad
    input naming each price, as a budget below a fen is."""
    import re

    source = (ROOT / "scenarios" / "evaluation" / "prefecture-lot1.yaml").read_text("utf-8")
    path = tmp_path / "ev.yaml"
    path.write_text(re.sub(r"price_cny: [0-9.e+]+", f"price_cny: {price}", source), "utf-8")
    result = run("evaluate", str(path), "--json")
    assert result.exit_code == 2, result.output
    assert "bids[0].price_cny" in result.stderr and "0.01" in result.stderr
    assert "NaN" not in result.stdout and "RuntimeWarning" not in result.output
