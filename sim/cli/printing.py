"""What every command prints besides its results: progress bars where someone watches, and notes."""

from __future__ import annotations

import sys


def on_terminal() -> bool:
    """Whether to draw progress bars: on a terminal, not into a log or a pipe (the Python API draws one wherever it is
    asked to, a notebook's output included)."""
    return sys.stderr.isatty()


def note(message: str) -> None:
    """A note on standard error, where it stays out of what a script reads back (``run -q``'s bare path)."""
    print(f"note: {message}", file=sys.stderr)
