"""Where batches of runs execute: this process, a local process pool, or a Dask cluster.

Every executor takes the same tasks — keys, and a function giving each key's arguments — and yields ``(key, result)`` as
tasks finish, in any order; callers order results by key, so nothing downstream depends on which executor ran what, or
when. Only a few tasks per worker are in flight at a time, so a sweep of millions of runs holds no more in memory than
one of a hundred.

Stopping (Ctrl-C, or SIGTERM, which the command line turns into Ctrl-C): the workers are stopped at once — each removes
the temporary files it was writing (:func:`sim.io.files.remove_active_temps`) and exits — and the results that had
already come back are still yielded before the interruption goes on, so the caller can keep them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import signal
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from ..errors import InputError, closest, flag
from ..interrupts import raise_if_interrupted
from ..io.files import remove_active_temps
from .forkserver import start_forkserver

RETRIES = 3
IN_FLIGHT = 2  # tasks per worker submitted ahead
SCHEDULER_TIMEOUT = "5s"  # how long to try reaching a Dask scheduler before saying it cannot be reached
QUIET_TIMEOUT = 5  # seconds a stopped computation waits for our workers to quiet their logs (a hung one never does)
EXECUTORS = ("local", "dask")


def check_executor(executor: object, scheduler: object = None) -> str:
    """``executor`` if one of :data:`EXECUTORS`, else (None) ``"dask"`` with a ``scheduler`` and ``"local"`` without, as
    on the command line: a typo (``"dsak"``) ran locally, and a scheduler overrode ``"local"``, each without a word.

    Raises:
        InputError: an executor that is not one; a scheduler that is no Dask address, or given with ``"local"``."""
    if executor is not None and executor not in EXECUTORS:
        guess = closest(executor, EXECUTORS) if isinstance(executor, str) else None
        close = f"; did you mean {guess!r}?" if guess else ""
        raise InputError(None, f"must be {' or '.join(map(repr, EXECUTORS))} (got {executor!r}{close})", key=flag("executor"))
    if scheduler is not None and executor == "local":
        raise InputError(None, f"sends the work to a running Dask cluster, and {flag('executor', 'local')} keeps it on this "
                         "machine: give one or the other", key=flag("scheduler"))
    if scheduler is not None and not re.fullmatch(r"(tcp|tls|ucx|ws|wss|inproc)://\S+", str(scheduler)):
        raise InputError(None, f"expects a scheduler address such as tcp://host:8786 (got {scheduler!r})", key=flag("scheduler"))
    return executor or ("local" if scheduler is None else "dask")


class WorkerLost(RuntimeError):
    """A task kept killing the process that ran it."""


def run_tasks(fn: Callable, keys: Sequence[Hashable], args_of: Callable[[Hashable], tuple], *, workers: int = 1,
              executor: str = "local", scheduler: str | None = None) -> Iterator[tuple[Hashable, object]]:
    """Run ``fn(*args_of(key))`` for every key and yield ``(key, result)`` as each finishes.

    Args:
        fn: a module-level function (it is pickled to the workers).
        keys: the tasks, in the order to start them.
        args_of: the arguments of a task (called when the task is submitted, so they need not all exist at once).
        workers: processes (local) or Dask workers (a LocalCluster); 1 runs in this process.
        executor: ``"local"`` or ``"dask"``.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); implies Dask.
    """
    if executor == "dask" or scheduler:
        yield from _dask(fn, keys, args_of, workers, scheduler)
    elif workers <= 1 or len(keys) <= 1:
        for key in keys:
            raise_if_interrupted()
            yield key, fn(*args_of(key))
    else:
        yield from _pool(fn, keys, args_of, workers)


@contextlib.contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block has run (what it writes is whole), then act on them.

    A block that fails while one is held raises KeyboardInterrupt (from its error): the stop was asked for, and
    most likely caused the failure. In the main thread only (signals are delivered there); elsewhere a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    stops = (signal.SIGINT, signal.SIGTERM)
    old = {s: h if (h := signal.getsignal(s)) is not None else signal.SIG_DFL for s in stops}
    hold = lambda signum, frame: caught.append(signum)  # noqa: E731 - one handler, held by both signals
    if (early := _swap_all(dict.fromkeys(stops, hold))) is not None:  # stopped before the block: it does not run
        _swap_all(old)
        raise early
    try:
        yield
    except Exception as failure:
        if _swap_all(old) is not None or caught:
            # The block failed while a stop was held: the stop is what to report, and most likely the cause (a Dask
            # worker killed by the same Ctrl-C while it started failed the cluster's start, "Nanny failed to start").
            raise KeyboardInterrupt from failure
        raise
    except BaseException:
        _swap_all(old)
        raise
    late = _swap_all(old)  # one that comes meanwhile goes to the handler put back, or is held and raised here
    if caught or late is not None:
        raise KeyboardInterrupt


def _swap_all(handlers: dict) -> KeyboardInterrupt | None:
    """Install every one of ``handlers`` whatever arrives meanwhile; return an interrupt raised on the way (None if none).

    The signals are held at the operating system while the handlers are swapped, but only from the main thread: one
    that reaches another thread of the process (a pool's) has its Python handler run by the main thread at its next
    step, which may fall between two swaps, and a handler put back that raises there would leave the other swapped
    for good. So an interrupt raised while swapping is kept, the swaps finished, and the interrupt returned.
    """
    held = None
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, tuple(handlers))
    try:
        while True:
            try:
                for s, handler in handlers.items():
                    if signal.getsignal(s) is not handler:
                        signal.signal(s, handler)
                return held
            except KeyboardInterrupt as exc:  # swapping is idempotent: go round again until all are in
                held = exc
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _worker_init(command: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _worker_stop)
    threading.Thread(target=_stop_after, args=(command,), name="outlive-no-command", daemon=True).start()


def _stop_after(command: int) -> None:
    """Wait for the command's process (pid ``command``) to end, then stop this worker as SIGTERM does.

    A command that stops its pool does so before it ends; one killed outright
    (SIGKILL to its own process) cannot, and its workers waited on their task
    queue for ever, holding its output open, so that reading it (as a pipe
    does) never ended. A process descriptor becomes readable once the process
    has ended, even as a zombie its parent has not yet reaped.
    """
    try:
        select.select([os.pidfd_open(command)], [], [])
    except ProcessLookupError:  # ended already
        pass
    except (AttributeError, OSError):  # no process descriptors (not Linux, or before 5.3): look once a second
        with contextlib.suppress(ProcessLookupError, PermissionError):  # gone (or its number another user's)
            while True:
                os.kill(command, 0)
                time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)  # handled in the main thread, which removes what it was writing


def _worker_stop(signum: int, frame: object) -> None:
    """SIGTERM in a worker (from its parent stopping, or a batch scheduler): remove what it was writing, and go."""
    remove_active_temps()
    os._exit(128 + signum)


def _pool(fn: Callable, keys: Sequence[Hashable], args_of: Callable, workers: int) -> Iterator[tuple[Hashable, object]]:
    """A process pool that survives a worker being killed: unfinished tasks are resubmitted."""
    context = start_forkserver()
    todo = dict.fromkeys(keys)  # not yet finished, in order
    attempts = dict.fromkeys(todo, 0)
    while todo:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                                   initargs=(os.getpid(),))
        running: dict[Future, Hashable] = {}
        queue = iter(list(todo))
        broken = False
        try:
            while True:
                raise_if_interrupted()
                for key in queue:
                    args = args_of(key)
                    try:
                        # Held while it may start a worker: one started as a stop landed could be forked but not yet
                        # listed in the pool, and _stop never stopped it. Born ignoring Ctrl-C, it then waited on its
                        # task queue for ever, and kept the forkserver, and the command's output, open.
                        with deferred_interrupts():
                            running[pool.submit(fn, *args)] = key
                    except BrokenProcessPool:  # a worker died since the last wait: this task, and those in flight, go again
                        broken = True
                        break
                    if len(running) >= IN_FLIGHT * workers:
                        break
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    key = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        attempts[key] += 1
                        if attempts[key] > RETRIES:
                            raise WorkerLost(f"task {key} lost its worker {attempts[key]} times; if it was started from a "
                                             "script, is the call under `if __name__ == \"__main__\":`?") from None
                        broken = True
                        continue
                    del todo[key]
                    yield key, result
                if broken:
                    break  # every task in flight died with the pool: start a new one
        except GeneratorExit:  # the caller stopped listening: stop the workers, and yield nothing more
            _stop(pool, running)
            raise
        except BaseException:
            # Interrupted, or a task failed: stop the workers now, then hand over what had come back.
            for key, result in _stop(pool, running):
                yield key, result
            raise
        pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: ProcessPoolExecutor, running: dict[Future, Hashable]) -> list[tuple[Hashable, object]]:
    """Stop a pool's workers at once (SIGTERM: each removes its temporary files) and collect finished results."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)  # shutdown forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        with contextlib.suppress(OSError, ValueError):
            p.terminate()
    for p in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            p.join(5)
            if p.is_alive():
                p.kill()
                p.join(1)
    # A worker stopped halfway through sending its result leaves the pool's manager thread reading the
    # rest for ever: this process holds the queue's other end, so no end of file comes, and the
    # interpreter's exit waits on that thread (seen when a stop met a worker sending a part's replicates).
    # The workers are gone now: closing our end lets the read end.
    with contextlib.suppress(AttributeError, OSError):
        results._writer.close()
    finished = []
    for future, key in running.items():
        if future.done() and not future.cancelled() and future.exception() is None:
            finished.append((key, future.result()))
    return finished


def _dask(fn: Callable, keys: Sequence[Hashable], args_of: Callable, workers: int, scheduler: str | None) -> Iterator[tuple[Hashable, object]]:
    from distributed import as_completed

    from .dask_workers import quiet_abandoned_waits

    quiet_abandoned_waits()

    client = cluster = forked = None
    futures: dict = {}
    done = False
    try:
        if scheduler:
            client = _connect(scheduler)
        else:
            # Started whole before a Ctrl-C is acted on, which then stops it in order, as below. One acted on
            # halfway through left the workers of a half-started cluster, whose scheduler had gone, each printing a
            # traceback for its failed heartbeat.
            with deferred_interrupts():
                cluster, client, forked = _start_cluster(workers)
        queue = iter(keys)
        # Dask reruns a task whose worker died; retries also cover errors raised in a task.
        for key in queue:
            futures[client.submit(fn, *args_of(key), pure=False, retries=RETRIES)] = key
            if len(futures) >= IN_FLIGHT * max(1, workers):
                break
        pending = as_completed(list(futures))
        for future in pending:
            raise_if_interrupted()
            key = futures.pop(future)
            yield key, future.result()
            for nxt in queue:
                new = client.submit(fn, *args_of(nxt), pure=False, retries=RETRIES)
                futures[new] = nxt
                pending.add(new)
                break
        done = True
    except GeneratorExit:
        raise
    except BaseException:
        finished = [(k, f.result()) for f, k in futures.items() if f.status == "finished"]
        for key, result in finished:
            yield key, result
        raise
    finally:
        # Stopped (Ctrl-C here or in the caller, which then closes this generator, or an error the caller reports):
        # what Dask says of the tasks it cancels and the workers it stops is not news, and came above the command's
        # own "interrupted: ...".
        try:
            if client is not None:
                with contextlib.nullcontext() if done else _quiet_dask(client if cluster is not None else None):
                    client.close()
                    if cluster is not None:
                        cluster.close()
        finally:
            if forked is not None:  # Dask's own setting back, for any cluster started after this one
                forked.__exit__(None, None, None)


def _connect(scheduler: str) -> object:
    """A Dask client of the running scheduler at ``scheduler``; an InputError naming ``--scheduler`` if it cannot be reached."""
    from distributed import Client

    try:
        return Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(None, f"cannot reach a Dask scheduler at {scheduler} ({reason})", key=flag("scheduler")) from None


def _start_cluster(workers: int) -> tuple[object, object, object]:
    """A LocalCluster of ``workers`` processes, one thread each, whose workers leave Ctrl-C to us, its client, and the
    Dask setting that forks them, to be put back (``__exit__``) once the cluster is closed."""
    import dask
    from distributed import Client, LocalCluster

    from .dask_workers import IgnoreInterrupts

    start_forkserver()
    # Forked by our forkserver, the workers are born ignoring Ctrl-C (start_forkserver): Dask's default, a fresh
    # interpreter each, took it while importing, printed a traceback of its own, and failed the cluster's start.
    # The setting stays until _dask has closed the cluster: a nanny reads it again whenever it starts a worker that
    # died, and one started afresh printed that traceback when a Ctrl-C came while it imported.
    forked = dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    try:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=":0")  # any free port: a fixed one may be taken (a warning, then an error)
        client = Client(cluster)
        client.register_plugin(IgnoreInterrupts())  # any worker started outside the forkserver (see its docstring)
    except BaseException:
        forked.__exit__(None, None, None)
        raise
    return cluster, client, forked


@contextlib.contextmanager
def _quiet_dask(client: object | None) -> Iterator[None]:
    """Dask's scheduler and nannies logging nothing below an error, and the workers of ``client`` if given (ours)
    nothing at all (:func:`~.dask_workers.quiet_logs`), while a stopped computation shuts down; a cluster of the
    user's logs as it is set to."""
    from .dask_workers import quiet_logs

    if client is not None:
        with contextlib.suppress(Exception):  # a worker already gone, or hung, has nothing to say
            # Client.run goes through Client.sync, which takes ``callback_timeout``: with none, a worker that never
            # answers (stopped, swapping) kept the command from ever ending.
            client.run(quiet_logs, callback_timeout=QUIET_TIMEOUT)
    log = logging.getLogger("distributed")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)
