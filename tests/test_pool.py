"""Worker processes: results in input order, errors as in a serial loop, serial fallback."""

from __future__ import annotations

import os
import pickle
import threading
import time
from functools import partial

import pytest

from symhw import pool
from symhw.errors import InputError, WorkerError
from symhw.pool import default_jobs, ordered_map

needs_fork = pytest.mark.skipif(not pool.can_fork(), reason="needs fork (Linux)")


def _slow_square(x: int) -> tuple[int, int]:
    time.sleep(0.05 * (3 - x))  # the first item finishes last
    return x * x, os.getpid()


def _fail_on(x: int) -> int:
    if x >= 2:
        raise InputError(f"item {x} is bad", problem=f"p{x}", field="x")
    return x


@needs_fork
def test_results_come_back_in_input_order_from_other_processes():
    results = ordered_map(_slow_square, [0, 1, 2, 3], jobs=2)
    assert [r for r, _ in results] == [0, 1, 4, 9]
    assert os.getpid() not in {pid for _, pid in results}


def _log_start(x: int, log: str) -> int:
    with open(log, "a") as f:  # one short write in append mode: whole lines, in order
        f.write(f"{x}\n")
    time.sleep(0.1)
    return -x


@needs_fork
def test_the_costliest_items_start_first_and_results_keep_input_order(tmp_path):
    log = tmp_path / "starts"
    results = ordered_map(partial(_log_start, log=str(log)), [0, 1, 2, 3], jobs=2, cost=abs)
    assert results == [0, -1, -2, -3]
    starts = [int(line) for line in log.read_text().split()]
    assert sorted(starts) == [0, 1, 2, 3]
    assert set(starts[:2]) == {2, 3}  # the two costliest, one per worker, before the others


def _wait_for(x: int, go: str) -> bool:
    deadline = time.monotonic() + 10
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@needs_fork
def test_meanwhile_runs_here_while_the_workers_compute(tmp_path):
    go = tmp_path / "go"
    ran: list[int] = []

    def meanwhile() -> None:  # the items wait for it: it must run before their results
        ran.append(os.getpid())
        go.touch()

    results = ordered_map(partial(_wait_for, go=str(go)), [1, 2], jobs=2, meanwhile=meanwhile)
    assert results == [True, True] and ran == [os.getpid()]
    assert ordered_map(abs, [-1, -2], jobs=1, meanwhile=meanwhile) == [1, 2]
    assert ran == [os.getpid()]  # in this process, in order: not run at all


def test_one_job_runs_in_this_process():
    results = ordered_map(_slow_square, [2, 3], jobs=1)
    assert results == [(4, os.getpid()), (9, os.getpid())]


def test_without_fork_the_map_is_serial(monkeypatch):
    monkeypatch.setattr(pool, "can_fork", lambda: False)
    assert {pid for _, pid in ordered_map(_slow_square, [2, 3], jobs=2)} == {os.getpid()}
    assert default_jobs(5) == 1


@needs_fork
def test_the_first_error_in_input_order_arrives_with_its_fields():
    with pytest.raises(InputError) as caught:
        ordered_map(_fail_on, [0, 1, 2, 3], jobs=2)
    assert (caught.value.problem, caught.value.field) == ("p2", "x")
    assert str(caught.value) == "problem 'p2', field 'x': item 2 is bad"


def test_input_errors_pickle_with_their_fields():
    error = InputError("give either blocks or network", problem="q3", field="network")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.problem, copy.field, str(copy)) == ("q3", "network", str(error))


def test_default_jobs_is_one_per_task_at_most(monkeypatch):
    monkeypatch.setattr(pool, "usable_cpus", lambda: 8)
    monkeypatch.setattr(pool, "can_fork", lambda: True)
    assert [default_jobs(n) for n in (0, 1, 3, 20)] == [1, 1, 3, 8]


class _Unpicklable(Exception):
    def __init__(self, a, b):  # pickle rebuilds it with one argument and fails
        super().__init__(f"{a} and {b}")


def _raise_unpicklable(x: int) -> int:
    raise _Unpicklable(x, "more")


def _die(x: int) -> int:
    os._exit(3)


@needs_fork
def test_an_exception_that_does_not_pickle_arrives_as_its_traceback():
    with pytest.raises(WorkerError, match="_Unpicklable: 1 and more") as caught:
        ordered_map(_raise_unpicklable, [1, 2], jobs=2)
    assert "Traceback" in str(caught.value) and "_raise_unpicklable" in str(caught.value)


@needs_fork
def test_a_worker_that_dies_is_reported_not_hung():
    with pytest.raises(WorkerError, match="worker process died"):
        ordered_map(_die, [1, 2], jobs=2)


def test_with_other_threads_running_the_map_stays_in_this_process():
    """A fork could catch another thread holding a lock (Jupyter kernels, web servers)."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert {pid for _, pid in ordered_map(_slow_square, [2, 3], jobs=2)} == {os.getpid()}
    finally:
        stop.set()
        thread.join()
