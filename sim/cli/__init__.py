"""``python -m sim`` (or ``idlib-sim``): a thin command line over the Python API.

Every flag is checked when it is read (:func:`~sim.cli.arguments.whole`), every
``--out`` before any work is done (:func:`sim.io.out_names.check_out`), and every
failure ends in one line on stderr with a status: 2 for bad input or a
refused ``--out`` (:class:`~sim.errors.InputError`), 1 when the system
refuses to write, 130 when interrupted (Ctrl-C, or SIGTERM, which is handled
the same way).

- ``arguments``: the commands, their flags and the overview ``python -m sim`` prints alone.
- ``commands``: each command's function by its name; ``app``'s own, which starts the server.
- ``running``: the commands that run the model and write a results folder (``run``, ``sweep``, ``calibrate``).
- ``reading``: the commands that read inputs and results (``check``, ``compare``, ``sweep-report``, ``discover``,
  ``map``, ``plot``).
- ``printing``: what they print besides results: progress bars on a terminal, notes on standard error.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from pathlib import Path

from ..errors import InputError, Interrupted, OutputError, did_you_mean
from ..interrupts import command_finished, forget_interrupts, interrupt_handler, quiet_interrupts, was_interrupted
from .arguments import COMMANDS, build_parser, overview, unknown_flag, whole

__all__ = ["COMMANDS", "main", "whole"]

def main(argv: list[str] | None = None, *, prog: str | None = None) -> int:
    """Run the command line; returns the exit status.

    Called with ``argv`` (from Python), it puts the SIGINT and SIGTERM handlers back as it found them; as
    the program itself it keeps them to the end, letting a signal pass once the command has finished (its
    status stands), and it leaves its objects to the operating system (see below).
    """
    prog = prog or ("idlib-sim" if Path(sys.argv[0]).name == "idlib-sim" else "python -m sim")
    global _HALF_IMPORTED
    forget_interrupts()  # here: the command catches its interrupts in this frame (see sim.interrupts)
    _HALF_IMPORTED = False  # this command's own imports only (a call from Python may have set it before)
    previous, hook = _signals_as_interrupts(), sys.unraisablehook
    sys.unraisablehook = quiet_interrupts(hook)
    status = None
    try:
        status = _main(argv, prog)
        if argv is None and _HALF_IMPORTED:
            _end_now(status)
        if argv is None:  # the process ends next; from Python, the handlers are put back instead
            command_finished()
            # Ignored, not handled, from now on: while Python shuts down it puts the default handlers back in
            # place of its own (not of SIG_IGN), and a SIGTERM then ended a finished command with status 143.
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)
        return status
    except KeyboardInterrupt:
        if status is not None:  # arrived once the command had finished: its status stands
            return status
        print("interrupted: nothing was written", file=sys.stderr)  # arrived before _main's own handlers (imports)
        return 130
    finally:
        if argv is not None:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            sys.unraisablehook = hook
        if argv is None:
            # The process is about to end, and the interpreter's garbage collections on the way out
            # would walk every object that Mesa, pandas and the rest made (0.28 s of a 1.3 s run);
            # frozen, they are skipped, and the operating system frees the memory. Files are closed and
            # output flushed as ever (only objects kept alive by reference cycles go unfinalised).
            gc.freeze()


def _signals_as_interrupts() -> dict:
    """Ctrl-C and SIGTERM (a batch scheduler's kill, ``timeout``) both stop the command: workers stopped,
    temporaries cleaned, and never lost in a finalizer (see :mod:`sim.interrupts`).

    Returns the handlers it replaced (none when not in the main thread, where signals are left alone).
    """
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[signum] = signal.signal(signum, interrupt_handler) or signal.SIG_DFL
        except ValueError:  # not the main thread
            return previous
    return previous


def _main(argv: list[str] | None, prog: str) -> int:
    from ..experiments.executors import WorkerLost

    parser = build_parser(prog)
    args = None
    try:
        given = sys.argv[1:] if argv is None else argv
        if given and not given[0].startswith("-") and given[0] not in COMMANDS:  # argparse: "invalid choice", no guess
            guess = did_you_mean(given[0], COMMANDS)
            listed = f"; {prog} alone lists the commands" if guess.startswith(" (did you mean") else ""
            raise InputError(None, f"unknown command '{given[0]}'{guess}{listed}")
        args, extra = parser.parse_known_args(argv)
        if extra:
            raise unknown_flag(parser, args, extra)
        if args.command is None:
            print(overview(prog))
            return 0
        from .commands import COMMAND_FUNCTIONS

        return COMMAND_FUNCTIONS[args.command](args, parser)
    except InputError as exc:
        # The flags by their names, not the Python arguments', and a folder the command chose as the default.
        print(f"error: {exc.on_command_line(default_out=getattr(args, 'default_out', None))}", file=sys.stderr)
        return 2
    except Interrupted as exc:
        print(f"interrupted: {exc.on_command_line()}", file=sys.stderr)  # "run the same command again", not "call it"
        return 130
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except (OutputError, WorkerLost) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the system refused (no space, no permission, a name too long)
        if was_interrupted():
            return _interrupted_by(exc)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if not was_interrupted():
            raise
        return _interrupted_by(exc)


_HALF_IMPORTED = False  # an interrupt surfaced inside an import: see _interrupted_by


def _interrupted_by(exc: BaseException) -> int:
    """A signal that landed inside a C extension's import or a system call comes out as that code's own error
    (matplotlib's font module: "ImportError: initialization failed", a traceback and status 1): it is the interrupt.

    An import cut short leaves its module half made, and Python's shutdown then aborted on it now and then ("Fatal
    Python error: PyThreadState_Get", status -6): the process ends at once instead (:func:`_end_now`)."""
    global _HALF_IMPORTED
    _HALF_IMPORTED = _HALF_IMPORTED or isinstance(exc, ImportError)
    print(f"interrupted (the signal surfaced as {type(exc).__name__}): a results folder is written whole or not at all",
          file=sys.stderr)
    return 130


def _end_now(status: int) -> None:
    """End the process with ``status`` without Python's shutdown: its output flushed, its files already closed (a
    results folder is written aside and renamed whole, so nothing of it is open here); nothing is finalised."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a pipe gone
            pass
    os._exit(status)
