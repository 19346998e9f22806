"""What a local Dask cluster's workers are given: Ctrl-C left to the command that started them.

Imported only when a sweep runs on Dask (``--executor dask``), since it imports Dask.
"""

from __future__ import annotations

import logging
import signal

from distributed.diagnostics.plugin import WorkerPlugin


class IgnoreInterrupts(WorkerPlugin):
    """A worker of a LocalCluster ignores Ctrl-C, as the local pool's workers do: the command stops it.

    Ctrl-C at a terminal reaches every process in the group, so each worker also printed its own KeyboardInterrupt
    traceback (from asyncio, then from multiprocessing) above the command's "interrupted: ..." line. The workers the
    cluster starts, and those it starts again after a crash, are forked by the command's forkserver, born ignoring it
    (:func:`~sim.experiments.executors.start_forkserver`); this reaches any started while the forkserver could not be
    set so (from another thread than the main).
    """

    name = "idlib-sim-ignore-interrupts"

    def setup(self, worker: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # in the worker's main thread, which runs its event loop


def quiet_logs() -> None:
    """Run on the workers when the command is stopped: nothing they say while it shuts them down is news.

    Not the tasks it cancels (each was a warning), nor, stopped while the
    cluster was starting, a worker's failed heartbeat, an error with a
    traceback, when its scheduler closed before it.
    """
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
