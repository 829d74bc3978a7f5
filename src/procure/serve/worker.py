"""Solves off the request loop: each page session has one worker process and one thread that
feeds it. One job runs at a time; a newer job (the latest change) or Cancel ends the running
one by ending its process, so a long solve never holds the page. Processes come from a fork
server that has the solver stack loaded, so a new one starts in a fraction of a second.

A job is plain data (the edited scenario's data); the answers are plain data too: the page's
view, its robustness, the problems found, a brief's PDF bytes, or an error message. Nothing
from a job names a file: the scenario's path and options are fixed when the server starts."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

PRELOAD = ["procure.serve.preload", "procure.documents.report"]
POLL = 0.02  # seconds between looks at the worker's pipe and the session's queue
MAX_PDF = 64 * 1024 * 1024  # a brief larger than this is refused, not sent to the page


@dataclass(frozen=True)
class Setup:
    """What every job of a server shares: fixed by the command line, never by the page."""

    path: Path
    data_dir: Path | None
    lang: str
    today: date


@dataclass(frozen=True)
class Job:
    kind: str  # solve | brief
    gen: int
    data: dict[str, Any]


def work(conn: Connection, setup: Setup) -> None:  # pragma: no cover - runs in the worker
    """The worker process: answer jobs until the pipe closes, or until a job left a solver
    thread running (`watchdog.left_behind`): the process then ends, its threads with it, and
    the session starts a fresh one for the next job (each such job used to leave a core
    spinning in this process for the server's life)."""
    from procure.award import watchdog

    while not watchdog.left_behind():
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            for answer in run_job(job, setup):
                conn.send(answer)
        except Exception as exc:  # a message for the page, never a traceback
            from procure.serve.compute import labels

            said = labels(setup.lang)["unexpected"].format(name=type(exc).__name__)
            conn.send(("error", job.gen, f"{said}: {str(exc)[:300]}"))


def run_job(job: Job, setup: Setup) -> Any:
    """The answers to one job, in order; the last one ends it."""
    from procure.errors import ProcureError
    from procure.serve import compute, fields

    inputs, problems = fields.validate(job.data, setup.path, setup.data_dir, setup.lang)
    if inputs is None:
        yield ("problems", job.gen, problems)
        return
    if job.kind == "brief":
        try:
            yield ("pdf", job.gen, brief(inputs, setup.lang))
        except ProcureError as exc:
            yield ("error", job.gen, exc.text(setup.lang))
        return
    try:
        view, award = compute.solve(inputs, setup.lang, setup.today)
    except ProcureError as exc:  # no award within the time limit: said, in the page's language
        yield ("error", job.gen, exc.text(setup.lang))
        return
    yield ("view", job.gen, view)
    yield ("robustness", job.gen, compute.robustness(inputs, award, setup.lang))


def brief(inputs: Any, lang: str) -> bytes:
    """The brief of the page's current state, as `procure brief` writes it (PDF, its inputs
    attached: the edited scenario's YAML as the page checked it)."""
    from procure.documents.report import SYSTEMS_CSV, render, systems_csv
    from procure.errors import InfeasibleError, ProcureError
    from procure.inputs.record import attachments, record_for
    from procure.recommendation import recommend

    rec = recommend(inputs.scenario, inputs.base_dir, vendors=inputs.vendors)
    rec = rec.model_copy(
        update={"record": record_for(inputs.files, inputs.contents, inputs.scenario.vendors)}
    )
    if rec.award is None:
        why = rec.infeasible
        raise InfeasibleError(why.en if why else "", why.zh if why else "")
    attach = [
        (name, raw)
        for name, _, raw in attachments(inputs.files, inputs.contents, inputs.scenario.vendors)
    ]
    attach.append((SYSTEMS_CSV, systems_csv(rec, lang)))
    pdf = render(rec, "pdf", lang, None, attach)
    if len(pdf) > MAX_PDF:
        raise ProcureError("the brief is too large to send", "简报过大，无法下载")
    return pdf


@dataclass
class Answers:
    """What a session's jobs have answered so far (the latest of each kind)."""

    submitted: int = 0
    running: int | None = None
    started: float = 0.0
    view: tuple[int, Any] | None = None
    robustness: tuple[int, Any] | None = None
    problems: tuple[int, Any] | None = None
    error: tuple[int, str] | None = None
    pdf: tuple[int, bytes] | None = None
    cancelled: int = -1


_context: Any = None


def context() -> Any:
    """The fork server's context, with the solver stack preloaded (started once)."""
    global _context
    if _context is None:
        _context = mp.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def warm_up() -> None:
    """Start the fork server now, so the page's first change does not wait for it."""
    from multiprocessing import forkserver

    context()
    forkserver.ensure_running()


class Runner:
    """One session's worker process and the thread that feeds it one job at a time."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.answers = Answers()
        self.cond = threading.Condition()
        self.pending: Job | None = None
        self.stop_running = False
        self.closed = False
        self.proc: Any = None
        self.conn: Connection | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True, name="procure-serve")
        self.thread.start()

    def submit(self, kind: str, data: dict[str, Any]) -> int:
        """Queue a job; it replaces a queued one and ends a running one (the latest wins)."""
        with self.cond:
            self.answers.submitted += 1
            gen = self.answers.submitted
            self.pending = Job(kind, gen, data)
            self.stop_running = self.answers.running is not None
            self.cond.notify_all()
            return gen

    def cancel(self) -> None:
        with self.cond:
            self.pending = None
            if self.answers.running is not None:
                self.stop_running = True
                self.answers.cancelled = self.answers.running
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.pending = None
            self.stop_running = True
            self.cond.notify_all()
        self._end_process()

    def snapshot(self) -> Answers:
        with self.cond:
            return Answers(**vars(self.answers))

    def wait(self, gen: int, kinds: tuple[str, ...], timeout: float) -> Answers:
        """Wait up to `timeout` s for an answer of one of `kinds` to job `gen` (blocking: call it
        from a thread, not the request loop)."""
        end = time.monotonic() + timeout
        with self.cond:
            while not self._answered(gen, kinds):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return Answers(**vars(self.answers))

    def _answered(self, gen: int, kinds: tuple[str, ...]) -> bool:
        a = self.answers
        if a.submitted > gen or a.cancelled >= gen:
            return True
        for kind in (*kinds, "problems", "error"):
            got = getattr(a, kind)
            if got is not None and got[0] == gen:
                return True
        return False

    def _loop(self) -> None:
        try:  # ready before the first change arrives
            self._start_process()
        except (OSError, RuntimeError):
            self.proc = self.conn = None  # tried again, and reported, with the first job
        while True:
            with self.cond:
                while self.pending is None and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                job, self.pending = self.pending, None
                self.stop_running = False
                assert job is not None
                self.answers.running = job.gen
                self.answers.started = time.monotonic()
            try:
                self._run(job)
            finally:
                with self.cond:
                    self.answers.running = None
                    self.cond.notify_all()

    def _run(self, job: Job) -> None:
        try:
            if self.proc is None or not self.proc.is_alive():
                self._end_process()  # one that ended itself (`work`) is reaped, its pipe closed
                self._start_process()
            assert self.conn is not None
            self.conn.send(job)
            while True:
                if self.conn.poll(POLL):
                    kind, gen, value = self.conn.recv()
                    with self.cond:
                        setattr(self.answers, kind, (gen, value))
                        self.cond.notify_all()
                    if kind != "view":
                        return
                with self.cond:
                    stop = self.stop_running or self.closed
                if stop:
                    self._end_process()
                    return
                if not self.proc.is_alive():
                    raise EOFError
        except (EOFError, OSError, RuntimeError):  # RuntimeError: no process could start
            self._end_process()
            with self.cond:
                from procure.serve.compute import labels

                self.answers.error = (job.gen, labels(self.setup.lang)["worker_stopped"])
                self.cond.notify_all()

    def _start_process(self) -> None:
        ctx = context()
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=work, args=(child, self.setup), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def _end_process(self) -> None:
        proc, conn = self.proc, self.conn
        self.proc = self.conn = None
        if conn is not None:
            conn.close()
        if proc is not None and proc.is_alive():
            proc.kill()
            proc.join(5)
