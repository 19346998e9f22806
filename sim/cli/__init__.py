"""``python -m sim`` (or ``idlib-sim``): a thin command line over the Python API.

Every flag is checked when it is read (:func:`~sim.cli.arguments.whole`), every
``--out`` before any work is done (:func:`sim.io.outputs.check_out`), and every
failure ends in one line on stderr with a status: 2 for bad input or a
refused ``--out`` (:class:`~sim.errors.InputError`), 1 when the system
refuses to write, 130 when interrupted (Ctrl-C, or SIGTERM, which is handled
the same way).

- ``arguments``: the commands, their flags and the overview ``python -m sim`` prints alone.
- ``commands``: one function per command, each a few calls into the Python API.
"""

from __future__ import annotations

import gc
import signal
import sys
from pathlib import Path

from ..errors import InputError, Interrupted, OutputError
from .arguments import COMMANDS, build_parser, overview, whole

__all__ = ["COMMANDS", "main", "whole"]

def main(argv: list[str] | None = None, *, prog: str | None = None) -> int:
    """Run the command line; returns the exit status.

    Called with ``argv`` (from Python), it puts the SIGTERM handler back as it found it; as the
    program itself it keeps it to the end, so a SIGTERM just after the work is done is still an interrupt,
    and it leaves its objects to the operating system (see below).
    """
    prog = prog or ("idlib-sim" if Path(sys.argv[0]).name == "idlib-sim" else "python -m sim")
    previous = _sigterm_as_interrupt()
    try:
        return _main(argv, prog)
    except KeyboardInterrupt:  # arrived before _main's own handlers (while it still imports)
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    finally:
        if previous is not None and argv is not None:
            signal.signal(signal.SIGTERM, previous)
        if argv is None:
            # The process is about to end, and the interpreter's garbage collections on the way out
            # would walk every object that Mesa, pandas and the rest made (0.28 s of a 1.3 s run);
            # frozen, they are skipped, and the operating system frees the memory. Files are closed and
            # output flushed as ever (only objects kept alive by reference cycles go unfinalised).
            gc.freeze()


def _sigterm_as_interrupt():  # noqa: ANN202 - the previous handler
    """SIGTERM (a batch scheduler's kill, ``timeout``) stops the command as Ctrl-C does: workers, temporaries cleaned."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt) or signal.SIG_DFL
    except ValueError:  # not the main thread: leave signals alone
        return None


def _main(argv: list[str] | None, prog: str) -> int:
    from ..experiments.executors import WorkerLost

    parser = build_parser(prog)
    args = None
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            print(overview(prog))
            return 0
        from .commands import COMMAND_FUNCTIONS

        return COMMAND_FUNCTIONS[args.command](args, parser)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Interrupted as exc:
        print(f"interrupted: {exc}; run the same command again to finish the rest", file=sys.stderr)
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
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1

