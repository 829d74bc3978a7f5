"""Run independent solves side by side, in threads.

HiGHS releases the GIL while it solves, so threads run MILPs in parallel without the cost of
forking and pickling (77 small awards on the prefecture example: 1.75 s in one thread, 1.0 s in
two). Results come back in input order, so output does not depend on scheduling.

`pmap` may be called from inside a task. The caller never blocks on a task that has not
started: it takes such tasks back and runs them itself, and waits only on tasks already
running, so nested calls cannot deadlock however few workers there are.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")

_lock = threading.Lock()
_jobs: int | None = None
_pool: ThreadPoolExecutor | None = None


def cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def set_jobs(jobs: int | None) -> None:
    """How many solves may run at once; None or 0: one per CPU. 1 runs everything in order."""
    global _jobs, _pool
    with _lock:
        _jobs = jobs or None
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def jobs() -> int:
    return _jobs or cpus()


def _executor() -> ThreadPoolExecutor | None:
    global _pool
    if jobs() <= 1:
        return None
    with _lock:
        if _pool is None:  # the calling thread works too, so one worker fewer than jobs
            _pool = ThreadPoolExecutor(max_workers=jobs() - 1, thread_name_prefix="procure")
        return _pool


def pmap(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """[fn(x) for x in items], spread over the worker threads; the first error is raised."""
    todo = list(items)
    pool = _executor()
    if pool is None or len(todo) < 2:
        return [fn(x) for x in todo]
    futures: list[Future[R]] = [pool.submit(fn, x) for x in todo[1:]]
    done: dict[int, R] = {}
    try:
        done[0] = fn(todo[0])
        for i, future in enumerate(futures, start=1):  # take back what no worker has started
            if future.cancel():
                done[i] = fn(todo[i])
        results = [done[i] if i in done else futures[i - 1].result() for i in range(len(todo))]
    finally:
        for future in futures:  # after an error, drop what has not started
            future.cancel()
    return results


def run_all(jobs: Iterable[Callable[[], R]]) -> list[R]:
    """Call each job, side by side; results in the order given."""
    return pmap(_call, jobs)


def both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """first() and second(), side by side."""
    a, b = run_all([first, second])
    return cast(A, a), cast(B, b)


def _call(job: Callable[[], R]) -> R:
    return job()
