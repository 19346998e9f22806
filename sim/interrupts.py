"""Ctrl-C and SIGTERM as a KeyboardInterrupt that cannot be lost.

Python swallows an exception raised inside a finalizer (it prints
"Exception ignored in ..."), and process pools run finalizers all the time:
a Ctrl-C that landed in one was lost, and the command ran on to its end. The
command line's handler raises KeyboardInterrupt and also remembers it; the
executors raise it again before they hand out the next task.
"""

from __future__ import annotations

import threading

_interrupted = threading.Event()


def interrupt_handler(signum: int, frame: object) -> None:
    """A signal handler for Ctrl-C and SIGTERM: raise KeyboardInterrupt, and remember it until it is acted on."""
    _interrupted.set()
    raise KeyboardInterrupt


def forget_interrupts() -> None:
    """A new command starts: an interrupt already acted on is not news."""
    _interrupted.clear()


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if one arrived since the command started, even if it was swallowed on the way."""
    if _interrupted.is_set():
        raise KeyboardInterrupt
