"""The exceptions users see: bad input, named by file, line and key; and an interrupted ensemble."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class InputError(Exception):
    """A scenario, theatre, claims or outcomes file that cannot be used as written.

    The CLI prints it as one paragraph and exits with status 2.

    Args:
        file: the offending file.
        message: what is wrong, in a sentence.
        line: 1-based line number in ``file`` where known.
        key: dotted key path (``events[3].date``) where known.
    """

    def __init__(
        self,
        file: str | Path | None,
        message: str,
        *,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.message = message
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f", line {self.line}"
        if self.key:
            where += f", key '{self.key}'"
        return f"{where}: {self.message}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix, or a list of valid names when nothing is close."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if len(choices) <= 12:
        return f" (valid: {', '.join(choices)})"
    return ""


class Interrupted(Exception):
    """An ensemble was stopped (Ctrl-C) before every replicate finished; the finished ones are kept.

    The CLI says so and exits with status 130; running the same command again finishes the rest.
    """

    def __init__(self, out: Path, finished: int, total: int) -> None:
        super().__init__(f"{finished} of {total} replicates finished in {out / 'runs'}")
        self.out, self.finished, self.total = out, finished, total
