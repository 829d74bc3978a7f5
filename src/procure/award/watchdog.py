"""Every solver run bounded in wall time, whatever the solver does (hostile input: bound time).

HiGHS's own `time_limit` is not enough. HiGHS 1.16 looped in its MIP presolve after a second
restart (a rounding MIP of a generated 150x12, seed 1: 60-150 s on a 20 s limit; gdb:
`HPresolve::strengthenInequalities` < `runMipPresolve` < `performRestart` <
`evaluateRootNode`), a loop that neither checks the clock nor calls any callback. The class is
known upstream: ERGO-Code/HiGHS#885 ("time_limit seemingly not respected in MIP", open) and
#2226 (a MIP that loops past `time_limit` with presolve off, open). So two layers:

- `Watch`: interrupt callbacks (MIP interrupt on every call, simplex interrupt every
  `SIMPLEX_EVERY`th, IPM interrupt) stop HiGHS at the deadline as its own time limit would,
  with the best solution and bound so far (HiGHS says kInterrupt: "Time limit" here). In a
  child only: a Python callback needs the GIL, and in this process other threads hold it for
  up to the switch interval (5 ms) at a time, a wait on each of thousands of calls a solve
  (`parallel` runs solves beside Python work). Here HiGHS's own time limit and the thread's
  wait below bound a run; the improving-solution callback (a few calls a solve) stays.
  A run in this process is made from a thread the caller waits on only until the deadline
  plus `GRACE`: past that HiGHS is stuck where its clock is not read, the caller is told
  "Not solved" and the thread is left to the process's end (the warm-started relaxation of
  `award.mip`, whose state cannot leave the process, runs so).
- `guarded`: a solve built from scratch (every MIP, every presolve, the LPs with presolve,
  CBC through PuLP) sends its improving solutions and bounds as they are found (`Progress`)
  and is given up at the deadline plus `GRACE`, the caller keeping the best solution and
  bound sent. On a large model (`mip.ISOLATE_NONZEROS`) it runs in a forked child in its own
  process group (`isolated`), killed with the group (CBC's process too): a fork costs about
  12 ms of CPU with a 100 MB process, which a long solve does not feel. A smaller model's
  solve runs from a thread (`threaded`), left to the process's end if HiGHS never comes
  back (a core spent until then): the caller's time is bounded either way.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, Pipe
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
INF = math.inf
GRACE = 1.0  # seconds past the deadline before a run is given up (a child killed)
SIMPLEX_EVERY = 16  # a simplex interrupt callback looks at the clock this often
BOUND_EVERY = 0.25  # seconds between bounds a child sends (each improving solution sends one)
ORPHAN_POLL = 0.2  # seconds between a child's looks at whether its parent is still there

Send = Callable[[tuple[Any, ...]], None]
_in_child = False  # set in a child of `isolated`: interrupt callbacks on (see the module)
_left = 0  # threads left behind in this process, still running (`left_behind`)


def left_behind() -> int:
    """Runs given up in this process whose thread was left running (HiGHS stuck where no
    callback reaches): each may spend a core until the process ends. A long-lived process
    (`procure serve`'s worker) ends itself once this is not 0, rather than pile them up."""
    return _left


def _leave() -> None:
    global _left
    _left += 1


def status(h: Any) -> str:
    """HiGHS's model status as the solvers here say it: Optimal | Infeasible | Time limit (the
    clock ran out, by HiGHS's time limit or the watchdog's interrupt) | Not solved."""
    import highspy

    s = h.getModelStatus()
    st = highspy.HighsModelStatus
    if s == st.kOptimal:
        return "Optimal"
    if s in (st.kInfeasible, st.kUnboundedOrInfeasible):
        return "Infeasible"
    if s in (st.kTimeLimit, st.kInterrupt):
        return "Time limit"
    return "Not solved"


class Watch:
    """Interrupt callbacks on one HiGHS instance: it stops at `deadline` (perf_counter seconds)
    wherever a callback is called. With `send`, improving solutions and the dual bound go to
    it as they are found (an `isolated` child's progress)."""

    def __init__(self, h: Any, send: Send | None = None, interrupts: bool | None = None) -> None:
        self.h = h
        self.deadline = INF
        self.send = send
        self.calls = 0
        self.sent = 0.0  # when the last bound was sent
        self.bound: float | None = None
        if _in_child if interrupts is None else interrupts:  # see the module
            h.cbMipInterrupt += self._mip
            h.cbSimplexInterrupt += self._simplex
            h.cbIpmInterrupt += self._interrupt
        if send is not None:
            h.cbMipImprovingSolution += self._improved

    def _interrupt(self, e: Any) -> None:
        if time.perf_counter() > self.deadline:
            e.interrupt()

    def _simplex(self, e: Any) -> None:
        self.calls += 1
        if self.calls % SIMPLEX_EVERY == 0:
            self._interrupt(e)

    def _mip(self, e: Any) -> None:
        now = time.perf_counter()
        if now > self.deadline:
            e.interrupt()
        if self.send is not None and now - self.sent > BOUND_EVERY:
            bound = float(e.data_out.mip_dual_bound)
            if bound != self.bound and math.isfinite(bound):
                self.bound, self.sent = bound, now
                self.send(("bound", bound))

    def _improved(self, e: Any) -> None:
        out = e.data_out
        values = np.array(out.mip_solution, dtype=float)
        bound = float(out.mip_dual_bound)
        self.send(("solution", float(out.objective_function_value), values, bound))  # type: ignore[misc]

    def run(self, seconds: float) -> str:
        """Run HiGHS for at most `seconds`; its status (`status`). HiGHS's own time limit is
        set too, past its instance's clock, which runs on across runs (ERGO-Code/HiGHS#1331)."""
        seconds = max(seconds, 0.01)
        self.h.setOptionValue("time_limit", self.h.getRunTime() + seconds)
        self.deadline = time.perf_counter() + seconds
        self.h.run()
        return status(self.h)

    def run_guarded(self, seconds: float) -> str:
        """As `run`, from a thread waited on until the deadline plus `GRACE`: "Not solved" if
        HiGHS has not come back by then (stuck where no callback reaches; the thread is left
        behind, and this instance must not be used again)."""
        seconds = max(seconds, 0.01)
        answer: list[str] = []
        thread = threading.Thread(target=lambda: answer.append(self.run(seconds)), daemon=True)
        thread.start()
        thread.join(seconds + GRACE)
        if not answer:
            _leave()
        return answer[0] if answer else "Not solved"


@dataclass
class Progress:
    """What a child sent before its end: the best solution (its objective and values, in the
    model's own sense and columns) and the last dual bound."""

    objective: float | None = None
    values: np.ndarray | None = None
    bound: float | None = None
    killed: bool = False  # given up at the deadline (a child killed, or died; a thread left)
    error: str | None = None  # the child raised this


def guarded(
    task: Callable[[Send], T], deadline: float, *, apart: bool, grace: float = GRACE
) -> tuple[T | None, Progress]:
    """`task(send)` given up at `deadline` plus `grace`: in a forked child if `apart`
    (`isolated`), else from a thread (`threaded`)."""
    return (isolated if apart else threaded)(task, deadline, grace)


def threaded(
    task: Callable[[Send], T], deadline: float, grace: float = GRACE
) -> tuple[T | None, Progress]:
    """`task(send)` from a daemon thread waited on until `deadline` plus `grace`; (its
    result, what it sent, as of then). A task still running then is left behind (HiGHS
    releases the GIL while it solves, so it costs a core, not this process's progress)."""
    progress = Progress()
    lock = threading.Lock()
    answer: list[Any] = []

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            _keep(progress, message)

    def work() -> None:
        try:
            answer.append(("done", task(send)))
        except Exception as exc:  # reported to the caller, as a child's would be
            answer.append(("error", f"{type(exc).__name__}: {str(exc)[:300]}"))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    left = deadline + grace - time.perf_counter()
    thread.join(max(left, 0.0) if math.isfinite(left) else None)
    with lock:
        seen = replace(progress)
    if not answer:
        seen.killed = True
        _leave()
        return None, seen
    kind, value = answer[0]
    if kind == "error":
        seen.error = value
        return None, seen
    return value, seen


def isolated(
    task: Callable[[Send], T], deadline: float, grace: float = GRACE
) -> tuple[T | None, Progress]:
    """`task(send)` run in a forked child, in a process group of its own; (its result, what it
    sent). The child is killed with its group at `deadline` (perf_counter seconds) plus
    `grace`; the result is then None and `Progress` holds what it sent. `send(("solution",
    objective, values, bound))` and `send(("bound", bound))` are kept; other messages are
    dropped. Without fork (not POSIX), the task runs here."""
    progress = Progress()
    if not hasattr(os, "fork"):  # pragma: no cover - the tool runs on Linux
        return task(lambda message: _keep(progress, message)), progress
    reader, writer = Pipe(duplex=False)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: coverage does not follow it
        _child(task, reader, writer, deadline + grace, parent)
    writer.close()
    with contextlib.suppress(OSError):  # the child set it already (or has ended)
        os.setpgid(pid, pid)
    result: T | None = None
    try:
        while True:
            left = deadline + grace - time.perf_counter()
            if left <= 0 or not reader.poll(left if math.isfinite(left) else None):
                progress.killed = True
                break
            try:
                message = reader.recv()
            except (EOFError, OSError):  # the child died without an answer
                progress.killed = True
                break
            if message[0] == "done":
                result = message[1]
                break
            if message[0] == "error":
                progress.error = message[1]
                break
            _keep(progress, message)
    finally:
        reader.close()
        _end(pid)
    return result, progress


def _keep(progress: Progress, message: tuple[Any, ...]) -> None:
    if message[0] == "solution":
        _, objective, values, bound = message
        progress.objective, progress.values = objective, values
        progress.bound = bound if math.isfinite(bound) else progress.bound
    elif message[0] == "bound":
        progress.bound = message[1]


def _child(
    task: Callable[[Send], Any], reader: Connection, writer: Connection, end: float, parent: int
) -> None:  # pragma: no cover
    """The forked child: run the task, send its result, and leave without returning into the
    parent's code (os._exit, whatever happens). Should the parent be gone (killed, or a page's
    worker process ended by a newer job), nobody would kill the child: a thread of its own
    kills its process group (a CBC it started too) within ORPHAN_POLL of the parent's end
    (`_orphan_guard`: `procure optimize` killed by SIGTERM or SIGKILL mid-solve left a child
    solving on until its deadline, up to --time-limit), and an alarm a second after `end`, when
    the parent would have killed it, ends it whatever else happens (the default action of
    SIGALRM ends a process stuck in HiGHS)."""
    global _in_child
    code = 1
    _in_child = True
    gc.disable()  # a collection would touch every object the parent had: copied pages
    try:
        reader.close()
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        if math.isfinite(end):
            signal.alarm(max(1, math.ceil(end - time.perf_counter()) + 1))
        threading.Thread(target=_orphan_guard, args=(parent,), daemon=True).start()
        result = task(writer.send)
        writer.send(("done", result))
        code = 0
    except BaseException as exc:  # reported to the parent, never raised here
        with contextlib.suppress(BaseException):
            writer.send(("error", f"{type(exc).__name__}: {str(exc)[:300]}"))
    finally:
        os._exit(code)


def _orphan_guard(parent: int) -> None:  # pragma: no cover - runs in a child
    """Kill this child's process group once its parent is gone (this process re-parented).
    HiGHS and CBC's wait release the GIL, so this runs however long the solve is stuck."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL)
    os.killpg(0, signal.SIGKILL)


def _end(pid: int) -> None:
    """Kill the child's process group (a CBC it started too) and reap the child."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:  # no group of its own yet: the child alone
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):  # reaped already
        os.waitpid(pid, 0)
