"""Side-by-side solves: same results in the same order, nested calls finish, errors surface."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from procure.award import parallel
from procure.recommendation import recommend

from .conftest import ROOT, load


@pytest.fixture
def jobs() -> Iterator[None]:
    yield
    parallel.set_jobs(None)


@pytest.mark.parametrize("n", [1, 2, 4])
def test_results_come_back_in_input_order(jobs: None, n: int) -> None:
    parallel.set_jobs(n)
    assert parallel.pmap(lambda x: x * x, range(50)) == [x * x for x in range(50)]
    assert parallel.pmap(lambda x: x, []) == []


def test_jobs_really_run_side_by_side(jobs: None) -> None:
    # each job waits for the other at a barrier: one at a time would time out
    parallel.set_jobs(2)
    barrier = threading.Barrier(2, timeout=10)
    assert parallel.pmap(lambda _: barrier.wait() >= 0, range(2)) == [True, True]


def test_one_job_runs_in_the_calling_thread(jobs: None) -> None:
    parallel.set_jobs(1)
    names = parallel.pmap(lambda _: threading.current_thread().name, range(5))
    assert set(names) == {threading.current_thread().name}


@pytest.mark.parametrize("n", [2, 3])
def test_nested_calls_finish_with_few_workers(jobs: None, n: int) -> None:
    parallel.set_jobs(n)

    def inner(i: int, j: int) -> int:
        return parallel.pmap(lambda k: i * 100 + j * 10 + k, range(3))[-1]

    def outer(i: int) -> list[int]:
        return parallel.pmap(lambda j: inner(i, j), range(4))

    out: list[list[int]] = []
    worker = threading.Thread(target=lambda: out.append(parallel.pmap(outer, range(6))))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "nested pmap deadlocked"
    assert out == [[[i * 100 + j * 10 + 2 for j in range(4)] for i in range(6)]]


def test_the_first_error_is_raised(jobs: None) -> None:
    parallel.set_jobs(2)

    def job(x: int) -> int:
        if x == 3:
            raise ValueError("job 3 failed")
        return x

    with pytest.raises(ValueError, match="job 3 failed"):
        parallel.pmap(job, range(8))


def test_the_recommendation_does_not_depend_on_the_number_of_jobs(jobs: None) -> None:
    scenario = load("prefecture-binzhou")
    parallel.set_jobs(1)
    one = recommend(scenario, ROOT / "scenarios").model_dump_json()
    parallel.set_jobs(2)
    two = recommend(scenario, ROOT / "scenarios").model_dump_json()
    assert one == two


def test_a_waiting_caller_runs_queued_work(jobs: None) -> None:
    # one side finishes at once; the other fans out into two jobs that must meet at a
    # barrier. Whichever thread took the quick side has to pick up the second job rather
    # than wait idle, or the barrier times out
    parallel.set_jobs(2)
    barrier = threading.Barrier(2, timeout=10)

    def fan_out() -> list[bool]:
        return parallel.pmap(lambda _: barrier.wait() >= 0, range(2))

    for _ in range(20):
        assert parallel.both(lambda: 1, fan_out) == (1, [True, True])
