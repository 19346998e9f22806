"""One replicate as analysis sees it: what a run folder, an ensemble's part or a run in memory holds.

Scores, comparisons and maps work on :class:`RunData`, so a fresh run and one
read back from disk (in any of the formats :mod:`sim.analysis.results` reads)
are treated the same way. Scoring reads replicates side by side, as a
:class:`RunBatch`: one array per quantity with a leading replicate axis, so
each outcome is checked once for a whole batch instead of once per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..io.timeline import deals_of
from .integrity import EVENT_COLUMNS


class DayNumbers:
    """Dates as day numbers after ``start`` and back: one rule for a run and for a batch of runs."""

    start: dt.date

    def day(self, date: dt.date) -> int:
        """The day number of ``date``: days after the start (0 on the start day)."""
        return (date - self.start).days

    def date(self, day: int) -> dt.date:
        """The date of day number ``day`` (days after the start)."""
        return self.start + dt.timedelta(days=int(day))


@dataclass
class RunData(DayNumbers):
    """One replicate: the daily controller of every town, its posts, events and time series.

    Attributes:
        seed: the run's seed.
        start: the date of row 0 of ``history`` (the scenario's start).
        history: controller codes (:class:`~sim.names.HolderCode`), one row per day from ``start``.
        events: the run's events.csv.
        timeseries: the run's timeseries.csv, one row per day.
        post_history: whether each of the theatre's Turkish posts stands, one row per day
            (posts.csv); None for a folder written before runs recorded them.
        encircled_history: whether each post is encircled, likewise.
        deals: (event id, name, announced, effective) of each truce or agreement of the
            scenario that has an id, dates as ISO strings (for ``ceasefire_days:<id>``).
    """

    seed: int
    start: dt.date
    history: np.ndarray = field(repr=False)
    events: pd.DataFrame = field(repr=False)
    timeseries: pd.DataFrame = field(repr=False)
    post_history: np.ndarray | None = field(default=None, repr=False)
    encircled_history: np.ndarray | None = field(default=None, repr=False)
    deals: tuple[tuple[str, str, str, str], ...] = ()

    @classmethod
    def of(cls, result) -> RunData:  # noqa: ANN001 - a sim.experiments.run.RunResult
        # Events as Python strings, straight from the run's arrays: summaries and scores read them back as
        # arrays, and a column of pandas' Arrow strings costs a microsecond a value to turn back.
        events = pd.DataFrame(result.event_records, columns=EVENT_COLUMNS, dtype=object)
        return cls(result.seed, result.scenario.start, result.history, events, result.timeseries,
                   result.post_history, result.encircled_history, deals_of(result.scenario))

    @property
    def days(self) -> int:
        """Days simulated after the start (the last row of ``history``)."""
        return len(self.history) - 1

    def changed_hands(self, date: dt.date) -> np.ndarray:
        """Whether each town is held on ``date`` by another side than on the start day (the towns a map names)."""
        return self.history[self.day(date)] != self.history[0]

    def until(self, last: dt.date) -> RunData:
        """The replicate's days up to ``last`` (itself if it ends there): what scoring sees of it over a shorter window.

        Two ensembles that end on different days are scored over the days both
        simulate; otherwise a change that never comes would count as the day after
        each one's own end, and an outcome near the shorter one's end could be met
        in the longer run only.
        """
        keep = self.day(last) + 1
        if keep >= len(self.history):
            return self
        cut = lambda a: None if a is None else a[:keep]  # noqa: E731
        events = self.events[self.events["date"].astype(str) <= last.isoformat()].reset_index(drop=True)
        return RunData(self.seed, self.start, self.history[:keep], events, self.timeseries.iloc[:keep].reset_index(drop=True),
                       cut(self.post_history), cut(self.encircled_history), self.deals)

    @property
    def captures(self) -> pd.DataFrame:
        """The changes of hands from one day to the next, as rows of ``events`` (:func:`day_end_captures`)."""
        return day_end_captures(self.events[self.events["type"] == "capture"])


def day_end_captures(captures: pd.DataFrame, by: tuple[str, ...] = ("date", "town")) -> pd.DataFrame:
    """The capture events (``actors`` "new;old") of a run, or of several (``by`` then names the replicate too),
    less the round trips: a town taken and given up again on the same day.

    The model is stepped a day at a time, and a day's rules act in order: an
    opposition counter-attack may take a town that the government's
    abandonment rule then takes back as untenable before the day ends (the
    only way a town changes hands twice in a day). The event log keeps both
    (it says what the rules did); from one day to the next nothing changed
    hands, and the tables of changes of hands count what the end of each day
    shows, as the scores, the control maps and ``compare`` do.
    """
    if captures.empty:
        return captures
    new, _, old = zip(*(str(a).partition(";") for a in captures["actors"]), strict=True)
    keys = [captures[k] for k in by]
    first_old = pd.Series(old, index=captures.index).groupby(keys, sort=False).transform("first")
    last_new = pd.Series(new, index=captures.index).groupby(keys, sort=False).transform("last")
    alone = ~captures.duplicated(list(by), keep=False)
    return captures[alone | (first_old != last_new)]


class EventLog(NamedTuple):
    """One replicate's events as plain object arrays (the columns of events.csv that scoring reads), in log order."""

    date: np.ndarray
    type: np.ndarray
    detail: np.ndarray


@dataclass
class RunBatch(DayNumbers):
    """Replicates of one scenario over the same days, side by side: what scoring reads.

    Attributes:
        start: the date of day 0.
        history: controller codes, shape (replicates, days + 1, towns).
        series: each time series but the date, by name, shape (replicates, days + 1).
        events: each replicate's events.
        deals: as :attr:`RunData.deals`.
    """

    start: dt.date
    history: np.ndarray = field(repr=False)
    series: Mapping[str, np.ndarray] = field(repr=False)
    events: list[EventLog] = field(repr=False)
    deals: tuple[tuple[str, str, str, str], ...] = ()

    @classmethod
    def of(cls, runs: list[RunData]) -> RunBatch:
        """Runs of one scenario, each as long as the others."""
        if len({r.days for r in runs}) != 1 or len({r.start for r in runs}) != 1:
            raise ValueError("a batch holds runs over the same days")
        return cls(
            runs[0].start,
            np.stack([r.history for r in runs]),
            StackedSeries(runs),
            [EventLog(*(r.events[c].to_numpy(dtype=object) for c in EventLog._fields)) for r in runs],
            runs[0].deals,
        )

    @property
    def replicates(self) -> int:
        return len(self.history)

    @property
    def days(self) -> int:
        """Days simulated after the start (the last row of each history)."""
        return self.history.shape[1] - 1


class StackedSeries(Mapping[str, np.ndarray]):
    """The time series of runs side by side, each stacked when first read: scoring reads a few of some twenty."""

    def __init__(self, runs: list[RunData]) -> None:
        self._runs = runs
        self._names = [c for c in runs[0].timeseries.columns if c != "date"]
        self._stacked: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._stacked:
            if name not in self._names:
                raise KeyError(name)
            self._stacked[name] = np.stack([r.timeseries[name].to_numpy() for r in self._runs])
        return self._stacked[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
