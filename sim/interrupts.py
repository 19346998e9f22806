"""Ctrl-C and SIGTERM as a KeyboardInterrupt that cannot be lost.

Python swallows an exception raised inside a finalizer (it prints
"Exception ignored in ..."), and process pools run finalizers all the time:
a Ctrl-C that landed in one was lost, and the command ran on to its end. The
command line's handler raises KeyboardInterrupt and also remembers it; the
executors raise it again before they hand out the next task. Inside code run
from a string it only remembers it (see :func:`_inside_string_code`): the
command's next check raises it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import FrameType

_interrupted = threading.Event()
_finished = threading.Event()


def interrupt_handler(signum: int, frame: object) -> None:
    """A signal handler for Ctrl-C and SIGTERM: raise KeyboardInterrupt, and remember it until it is acted on.

    Once the command has finished there is nothing left to stop, and the
    signal is let pass: raised then, on the way out of the process, it would
    end it with a traceback and no status of its own.
    """
    if _finished.is_set():
        return
    _interrupted.set()
    if _inside_string_code(frame, _command[0]):
        return  # acted on at the command's next check (raise_if_interrupted), once out of that code
    raise KeyboardInterrupt


def _inside_string_code(frame: FrameType | None, command: FrameType | None) -> bool:
    """Whether ``frame``, or a caller of it within the ``command``'s frame, runs code given to ``exec`` or ``eval`` as
    a string.

    CPython marks a KeyboardInterrupt that leaves such code as unhandled for good (it runs through
    ``PyRun_String``): caught or not, the process then ends by SIGINT, not with the command's status.
    Libraries do it while they import (dataclasses generates its methods so). Only the frames the interrupt would
    leave before the command catches it matter: string code that called the command (``python -c``, or a
    pytest-xdist worker, whose every test runs below execnet's bootstrap, itself a string) is never left. Every
    interrupt was deferred there, and a command that had no check left ran on to its end.
    """
    while frame is not None and frame is not command:
        if frame.f_code.co_filename == "<string>":
            return True
        frame = frame.f_back
    return False


_command: list[FrameType | None] = [None]  # the frame that started the command: an interrupt is caught there


def forget_interrupts() -> None:
    """A new command starts in the caller's frame, where it catches an interrupt: one already acted on is not news."""
    _interrupted.clear()
    _finished.clear()
    _command[0] = sys._getframe(1)


def command_finished() -> None:
    """The command is done and has said so: a signal from now on interrupts nothing (see :func:`interrupt_handler`)."""
    _finished.set()


def was_interrupted() -> bool:
    """Whether an interrupt arrived since the command started (acted on or not)."""
    return _interrupted.is_set()


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if one arrived since the command started, even if it was swallowed on the way."""
    if _interrupted.is_set():
        raise KeyboardInterrupt


def quiet_interrupts(hook: Callable) -> Callable:
    """``hook`` for ``sys.unraisablehook``, but for an interrupt raised inside a finalizer, which the handler has
    remembered (it stops the command at its next check): Python would print it as an exception ignored, with a
    traceback, over a command that then stops cleanly."""

    def unraisable(info) -> None:  # noqa: ANN001 - sys.UnraisableHookArgs
        if isinstance(info.exc_value, KeyboardInterrupt) and _interrupted.is_set():
            return
        hook(info)

    return unraisable
