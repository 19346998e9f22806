"""Where batches of runs execute: this process, a local process pool, or a Dask cluster.

Every executor takes the same list of ``(key, args)`` tasks and yields
``(key, result)`` as tasks finish, in any order; callers order results by
key, so nothing downstream depends on which executor ran what, or when.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

RETRIES = 3


class WorkerLost(RuntimeError):
    """A task kept killing the process that ran it."""


def run_tasks(fn: Callable, tasks: list[tuple[int, tuple]], *, workers: int = 1, executor: str = "local",
              scheduler: str | None = None) -> Iterator[tuple[int, object]]:
    """Run ``fn(*args)`` for every task and yield ``(key, result)`` as each finishes.

    Args:
        fn: a module-level function (it is pickled to the workers).
        tasks: ``(key, args)`` pairs.
        workers: processes (local) or Dask workers (a LocalCluster); 1 runs in this process.
        executor: ``"local"`` or ``"dask"``.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); implies Dask.
    """
    if executor == "dask" or scheduler:
        yield from _dask(fn, tasks, workers, scheduler)
    elif workers <= 1 or len(tasks) <= 1:
        for key, args in tasks:
            yield key, fn(*args)
    else:
        yield from _pool(fn, tasks, workers)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _pool(fn: Callable, tasks: list[tuple[int, tuple]], workers: int) -> Iterator[tuple[int, object]]:
    """A process pool that survives a worker being killed: unfinished tasks are resubmitted."""
    # forkserver: workers start from a clean, preloaded process, never from a copy of a busy parent.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.experiments.sweep", "sim.experiments.ensemble"])
    todo = dict(tasks)
    attempts = dict.fromkeys(todo, 0)
    while todo:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_sigint)
        try:
            futures = {pool.submit(fn, *args): key for key, args in todo.items()}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    key = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        attempts[key] += 1
                        if attempts[key] > RETRIES:
                            raise WorkerLost(f"task {key} lost its worker {attempts[key]} times") from None
                        continue
                    del todo[key]
                    yield key, result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _dask(fn: Callable, tasks: list[tuple[int, tuple]], workers: int, scheduler: str | None) -> Iterator[tuple[int, object]]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        # Dask reruns a task whose worker died; retries also cover errors raised in a task.
        futures = {client.submit(fn, *args, pure=False, retries=RETRIES): key for key, args in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
