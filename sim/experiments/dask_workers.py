"""What a local Dask cluster's workers are given (Ctrl-C left to the command that started them), and what its client
leaves unsaid.

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
    (:func:`~sim.experiments.forkserver.start_forkserver`); this reaches any started while the forkserver could not be
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


class _AbandonedWaits(logging.Filter):
    """Drops asyncio's report of a Dask client's wait for results that ended with ``AllExit`` (the client closing)
    and that nobody read: "Task exception was never retrieved", with a traceback.

    The client leaves such a wait behind when a worker dies while it gathers (it asks again elsewhere) and the
    command is then stopped: the report came above the command's "interrupted: ..." line (seen in round 47, a Ctrl-C
    while a crashed worker was started again). Any other error asyncio reports is kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (type(error).__name__ == "AllExit" and type(error).__module__.startswith("distributed"))


def quiet_abandoned_waits() -> None:
    """Keep asyncio from reporting the waits a closing Dask client abandons (:class:`_AbandonedWaits`); once is enough."""
    log = logging.getLogger("asyncio")
    if not any(isinstance(f, _AbandonedWaits) for f in log.filters):
        log.addFilter(_AbandonedWaits())
