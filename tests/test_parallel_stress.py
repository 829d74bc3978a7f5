"""No silent stall (issue #22 item 7): many concurrent callers of `procure.award.parallel`, nested
calls, errors and `set_jobs` from other threads, then concurrent in-process awards with their
extras. A watchdog (faulthandler) dumps every thread's stack if the run passes its deadline,
and the test fails with those stacks, so a stall shows where it is instead of hanging the
suite. Bounded: each part gives up after WATCHDOG seconds."""

from __future__ import annotations

import faulthandler
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from procure.advice.assess import Assessment, assess
from procure.advice.knowledge import knowledge
from procure.award import parallel
from procure.award.optimizer import optimize
from procure.inputs.scenario import Scenario
from procure.inputs.vendors import builtin_catalog

from .conftest import load

WATCHDOG = 25.0  # seconds before every thread's stack is dumped and the test fails


@pytest.fixture
def jobs() -> Iterator[None]:
    yield
    parallel.set_jobs(None)


def _watched(workers: list[Callable[[], None]], seconds: float = WATCHDOG) -> None:
    """Run `workers` in threads; fail with every thread's stack if any is still running after
    `seconds`, and with the first error any raised."""
    errors: list[BaseException] = []

    def guard(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # handed to the test
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guard(w), daemon=True) for w in workers]
    with tempfile.TemporaryFile(mode="w+") as dump:
        faulthandler.dump_traceback_later(seconds, exit=False, file=dump)
        try:
            for t in threads:
                t.start()
            deadline = time.monotonic() + seconds + 1
            for t in threads:
                t.join(max(0.0, deadline - time.monotonic()))
        finally:
            faulthandler.cancel_dump_traceback_later()
        stuck = [t.name for t in threads if t.is_alive()]
        dump.seek(0)
        stacks = dump.read()
    assert not stuck, f"stalled past {seconds:g} s: {stuck}\n{stacks[-6000:]}"
    if errors:
        raise errors[0]


def _tree(rng: random.Random, depth: int) -> Callable[[int], int]:
    """A job that fans out into nested pmaps, sleeps a little at the leaves, and sometimes
    fails (raising ValueError with its number)."""

    def job(x: int) -> int:
        if depth == 0:
            time.sleep(rng.random() * 0.002)
            if x % 37 == 36:
                raise ValueError(f"leaf {x} failed")
            return x
        width = rng.randint(2, 4)
        return sum(parallel.pmap(_tree(rng, depth - 1), [x * 10 + k for k in range(width)]))

    return job


def test_concurrent_nested_pools_with_errors_and_job_changes_never_stall(jobs: None) -> None:
    """Six callers, each 25 rounds of nested pmaps (up to three deep, leaves that sometimes
    fail), while another thread keeps changing the number of jobs: every round returns its
    sum or its leaf's error, and nothing waits forever."""
    stop = threading.Event()

    def caller(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(25):
            depth = rng.randint(1, 3)
            try:
                got = parallel.pmap(_tree(random.Random(rng.random()), depth), range(3))
            except ValueError as exc:
                assert "failed" in str(exc)
                continue
            assert len(got) == 3

    def changer() -> None:
        rng = random.Random(99)
        while not stop.is_set():
            parallel.set_jobs(rng.choice([1, 2, 3, 4, 0]))
            time.sleep(0.003)

    flipping = threading.Thread(target=changer, daemon=True)
    flipping.start()
    try:
        _watched([lambda s=s: caller(s) for s in range(6)])  # type: ignore[misc]
    finally:
        stop.set()
        flipping.join(5)


def test_a_waiting_caller_is_not_held_up_by_another_callers_long_job(jobs: None) -> None:
    """A caller waiting for its job on the worker thread must not pick up a long job another
    caller queued meanwhile: it would return only when that job ends (here, when released).
    One worker; the quick caller runs one job itself (0.2 s) while the worker runs the other
    (0.6 s); at 0.1 s another caller queues two long jobs and runs one itself."""
    parallel.set_jobs(2)
    release = threading.Event()

    def long_job(_: int) -> int:
        release.wait(10)
        return 0

    def quick_job(x: int) -> int:
        on_worker = threading.current_thread().name.startswith("procure-")
        time.sleep(0.6 if on_worker else 0.2)
        return x

    def other() -> None:
        time.sleep(0.1)
        parallel.pmap(long_job, range(2))

    parallel.pmap(lambda x: x, range(2))  # the worker thread is up and idle
    side = threading.Thread(target=other, daemon=True)
    side.start()
    began = time.monotonic()
    try:
        assert parallel.pmap(quick_job, range(2)) == [0, 1]
        waited = time.monotonic() - began
    finally:
        release.set()
        side.join(15)
    assert waited < 3, f"the quick caller waited {waited:.1f} s behind another's long job"


def test_concurrent_in_process_awards_with_extras_finish_and_agree(jobs: None) -> None:
    """Four threads each solve four awards with their extras (rule costs, alternatives and
    frontier: pmaps inside pmaps) at once, on two cores' worth of jobs: all finish within the
    watchdog and each equals the same award solved alone."""
    kb = knowledge()
    catalog = builtin_catalog().vendors
    cases = [(s, assess(s, catalog)) for s in map(load, ("county-west", "expansion-incumbent"))]

    def solve(case: tuple[Scenario, Assessment]) -> str:
        s, a = case
        award = optimize(s, a.deployment, a.weights.weights, catalog, kb.costs)
        return award.model_dump_json()

    parallel.set_jobs(1)
    alone = [solve(c) for c in cases]
    parallel.set_jobs(2)
    results: dict[int, list[str]] = {}

    def worker(i: int) -> None:  # repeated briefs, in two orders
        results[i] = [solve(c) for c in 2 * (cases if i % 2 == 0 else cases[::-1])]

    _watched([lambda i=i: worker(i) for i in range(4)])  # type: ignore[misc]
    assert len(results) == 4
    for i, got in results.items():
        assert got == 2 * (alone if i % 2 == 0 else alone[::-1])
