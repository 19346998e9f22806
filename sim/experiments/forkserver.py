"""The process the local workers are forked from: started early, and ended with the process that started it."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading


def start_forkserver() -> multiprocessing.context.BaseContext:
    """Start the process that forks the workers, if it is not running, and return its multiprocessing context.

    Workers start from a clean process that has loaded the model, never from a
    copy of a busy parent. Started early (by the command line once its input
    is checked), it loads the model (some 0.8 s of imports) on another core
    while the command imports it too, instead of after it; the pool then
    finds it ready. Harmless if no pool follows: it
    ends with this process (:func:`_end_forkserver`).

    It is started with Ctrl-C ignored, and so is every process it forks, from
    birth (a child keeps an ignored signal, and the forkserver hands its own
    disposition on): Ctrl-C is this process's to act on. A terminal sends it to
    every process of the command, and one that reached the forkserver while it
    loaded the model, or a worker before it could ignore it, printed a
    traceback of its own below the command's "interrupted" line (any Ctrl-C in
    the first second of an ensemble or sweep did). The price: a Ctrl-C in the
    10 ms or so the start takes is not seen.
    """
    from multiprocessing import forkserver, util

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.experiments.sweep", "sim.experiments.ensemble"])
    if threading.current_thread() is threading.main_thread():  # where handlers can be set (elsewhere, as it was)
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, handler if handler is not None else signal.SIG_DFL)
    else:
        forkserver.ensure_running()
    global _ENDED_AT_EXIT
    # Once per process, and once the forkserver is known to be its child (ensure_running refuses one that is not: a
    # process forked from one that started it).
    if _ENDED_AT_EXIT != os.getpid():
        # Among multiprocessing's own finalizers at exit, after it has joined the processes it started (one started
        # through the forkserver reads its exit status from it), and before it removes its temporary folder.
        util.Finalize(None, _end_forkserver, exitpriority=-50)
        _ENDED_AT_EXIT = os.getpid()
    return context


_ENDED_AT_EXIT: int | None = None  # the process that has set _end_forkserver to run when it ends


def _end_forkserver() -> None:
    """Kill the forkserver, and wait for it to be gone, as this process ends.

    The forkserver has this process's standard output and error, and left
    alone it ends only after this process: once done loading the model (a
    command refused, or with nothing left to run, ended while it loaded), it
    sees that the process is gone and shuts down, which takes it 0.7 to 1.5 s
    with the model loaded. Meanwhile the output stayed open, and a reader
    (``out=$(python -m sim sweep ... -q)``, a pipe) waited for it. Nothing it
    holds needs a clean end: the workers it forked have ended, or end with
    this process (:func:`sim.experiments.executors._stop_after`).
    """
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)  # its only record of the process (private)
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError, ChildProcessError):  # ended already, or reaped
        os.kill(pid, signal.SIGKILL)  # not SIGTERM: a SIGTERM ignored where the command started is ignored by it too
        os.waitpid(pid, 0)  # gone, with its copy of the output, before this process is
