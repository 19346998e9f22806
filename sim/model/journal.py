"""The events of a batch of replicates, in the order they happened.

Most events come a few at a time (a truce announced, a patrol, a post
encircled) and are logged as rows. Captures come by the thousand in a
batch (some 120 a replicate in the campaign), and Turkish losses in most
replicates most days, so a day's captures and losses are kept as arrays
and turned into rows only when the log is read: making a row tuple for
each, as it happened, cost a twentieth of a run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..names import HOLDERS

COLUMNS = ("replicate", "day", "type", "town", "actors", "detail")  # replicate -1: an event in every replicate


@dataclass(frozen=True)
class _Captures:
    """One call's captures: towns ``town`` passed from ``old`` to ``new`` in replicates ``rep`` on ``day``."""

    rep: np.ndarray
    day: int
    town: np.ndarray
    new: np.ndarray
    old: np.ndarray
    cause: str

    def rows(self, towns: np.ndarray) -> np.ndarray:
        actors, detail = _capture_labels(self.cause)
        return _columns(self.rep, self.day, "capture", towns[self.town], actors[self.new, self.old], detail[self.new, self.old])


@dataclass(frozen=True)
class _Counts:
    """One call's counted events: ``count[i]`` of what ``text`` says, in replicates ``rep`` on ``day``."""

    rep: np.ndarray
    day: int
    kind: str
    actors: str
    count: np.ndarray
    text: str
    one: str

    def rows(self, towns: np.ndarray) -> np.ndarray:
        return _columns(self.rep, self.day, self.kind, "", self.actors,
                        [f"{n} {self.one if n == 1 else self.text}" for n in self.count.tolist()])


class Journal:
    """The batch's event log: rows of :data:`COLUMNS`, in the order they were logged."""

    def __init__(self, towns: list[str]) -> None:
        self._towns = np.array(towns, dtype=object)
        self._parts: list[tuple | _Captures] = []

    def append(self, row: tuple) -> None:
        """Log one event: a tuple of :data:`COLUMNS`."""
        self._parts.append(row)

    def captures(self, rep: np.ndarray, day: int, town: np.ndarray, new: np.ndarray, old: np.ndarray, cause: str) -> None:
        """Log a change of hands for each (rep[i], town[i]): from holder code ``old[i]`` to ``new[i]``."""
        self._parts.append(_Captures(rep.copy(), day, town.copy(), new.copy(), old.copy(), cause))

    def counts(self, kind: str, rep: np.ndarray, day: int, count: np.ndarray, actors: str, text: str, *, one: str) -> None:
        """Log "<count[i]> <text>" in each replicate rep[i] (no town; ``one`` where the count is 1, "1 soldier", not
        "1 soldiers"): Turkish losses come in most replicates most days."""
        self._parts.append(_Counts(rep.copy(), day, kind, actors, count.copy(), text, one))

    def table(self) -> np.ndarray:
        """(events, 6) objects: every event logged so far, as rows of :data:`COLUMNS`."""
        blocks, rows = [], []
        for part in self._parts:
            if isinstance(part, tuple):
                rows.append(part)
                continue
            if rows:
                blocks.append(_block(rows))
                rows = []
            blocks.append(part.rows(self._towns))
        if rows:
            blocks.append(_block(rows))
        return np.concatenate(blocks) if blocks else np.empty((0, len(COLUMNS)), object)


def _columns(rep: np.ndarray, day: int, kind: str, town, actors, detail) -> np.ndarray:  # noqa: ANN001 - a value or one per row
    """(len(rep), 6) objects: one row of :data:`COLUMNS` per replicate in ``rep``, column by column."""
    out = np.empty((len(rep), len(COLUMNS)), object)
    out[:, 0] = rep.tolist()
    out[:, 1] = day
    out[:, 2] = kind
    out[:, 3] = town
    out[:, 4] = actors
    out[:, 5] = detail
    return out


def _block(rows: list[tuple]) -> np.ndarray:
    out = np.empty((len(rows), len(COLUMNS)), object)
    out[:] = rows
    return out


@functools.cache
def _capture_labels(cause: str) -> tuple[np.ndarray, np.ndarray]:
    """[new, old] -> a capture event's actors, and its detail."""
    n = len(HOLDERS)
    actors, detail = np.empty((n, n), object), np.empty((n, n), object)
    for a in range(n):
        for b in range(n):
            actors[a, b], detail[a, b] = f"{HOLDERS[a]};{HOLDERS[b]}", f"{HOLDERS[b]} -> {HOLDERS[a]} ({cause})"
    return actors, detail
