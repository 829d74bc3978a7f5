"""Run independent solves side by side, in threads.

HiGHS releases the GIL while it solves, so threads run MILPs in parallel without the cost of
forking and pickling (77 small awards on the prefecture example: 1.75 s in one thread, 1.0 s in
two). Results come back in input order, so output does not depend on scheduling.

`pmap` may be called from inside a task. A caller never idles while its own work is queued:
it runs its own queued tasks first, then those its tasks queued (their nested calls), and
waits only when none of those is queued and some of its tasks are running elsewhere. Every
wait is for a task started later than the waiting one (a task the caller queued, or one
queued below it), so waits cannot form a cycle: nested calls cannot deadlock. A caller never
picks up a task from outside its own call tree: one queued by another caller (say, a
concurrent in-process brief) could run far longer than anything the caller waits for, and it
would return only when that task ended. Worker threads take any task.

`concurrent.futures` was considered and not used: its workers block in `Future.result()`
without running queued work, so nested calls (the extras' rule costs, alternatives and
frontier each fan out again) would deadlock once every worker waited on a child, unless every
nested call were flattened into one level, which the call tree of a brief does not allow.
tests/test_parallel_stress.py runs many concurrent callers, nested calls, errors and job
changes under a watchdog that dumps every thread's stack if anything stalls.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")


class _Task(Generic[R]):
    __slots__ = ("call", "done", "error", "lineage", "result", "started")

    def __init__(self, call: Callable[[], R], lineage: frozenset[int]) -> None:
        self.call = call
        self.lineage = lineage  # the pmap calls it descends from, its own included
        self.started = False
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None


_cond = threading.Condition()
_queue: deque[_Task[Any]] = deque()
_jobs: int | None = None
_workers = 0  # worker threads alive in the current generation
_generation = 0
_calls = itertools.count()  # pmap call ids
_local = threading.local()  # .lineage: that of the task this thread runs (none at the top)


def cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def set_jobs(jobs: int | None) -> None:
    """How many solves may run at once; None or 0: one per CPU. 1 runs everything in order."""
    global _jobs, _workers, _generation
    with _cond:
        _jobs = jobs or None
        _generation += 1  # idle workers of the old generation exit
        _workers = 0
        _cond.notify_all()


def jobs() -> int:
    return _jobs or cpus()


def _start_workers() -> None:
    """Top up to jobs() - 1 worker threads: the calling thread works too."""
    global _workers
    with _cond:
        while _workers < jobs() - 1:
            _workers += 1
            threading.Thread(
                target=_work, args=(_generation,), name=f"procure-{_workers}", daemon=True
            ).start()


def _work(generation: int) -> None:
    while True:
        with _cond:
            while not _queue and generation == _generation:
                _cond.wait()
            if generation != _generation:
                return
            task = _queue.popleft()
            task.started = True
        _run(task)


def _run(task: _Task[Any]) -> None:
    outer: frozenset[int] = getattr(_local, "lineage", frozenset())
    _local.lineage = task.lineage  # pmaps the task calls descend from it
    try:
        task.result = task.call()
    except BaseException as exc:  # handed to the caller, which raises it
        task.error = exc
    finally:
        _local.lineage = outer
    with _cond:
        task.done = True
        _cond.notify_all()


def pmap(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """[fn(x) for x in items], spread over the worker threads; the first error is raised."""
    todo = list(items)
    if jobs() <= 1 or len(todo) < 2:
        return [fn(x) for x in todo]
    _start_workers()
    call = next(_calls)
    lineage = getattr(_local, "lineage", frozenset()) | {call}
    tasks: list[_Task[R]] = [_Task(partial(fn, x), lineage) for x in todo]
    with _cond:
        _queue.extend(tasks)
        _cond.notify_all()
    while True:
        with _cond:
            if any(t.error is not None for t in tasks):  # drop what has not started
                for t in tasks:
                    if not t.started:
                        t.started = t.done = True
                        _queue.remove(t)
            if all(t.done for t in tasks):
                break
            task = next((t for t in tasks if not t.started), None)  # own work first
            if task is None:  # then what its tasks queued, never another caller's
                task = next((t for t in _queue if call in t.lineage), None)
            if task is None:
                _cond.wait()
                continue
            _queue.remove(task)
            task.started = True
        _run(task)
    for t in tasks:
        if t.error is not None:
            raise t.error
    return [cast(R, t.result) for t in tasks]


def run_all(jobs: Iterable[Callable[[], R]]) -> list[R]:
    """Call each job, side by side; results in the order given."""
    return pmap(_call, jobs)


def both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """first() and second(), side by side."""
    a, b = run_all([first, second])
    return cast(A, a), cast(B, b)


def _call(job: Callable[[], R]) -> R:
    return job()
