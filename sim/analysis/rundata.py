"""One replicate as analysis sees it: what a run folder, an ensemble's part or a run in memory holds.

Scores, comparisons and maps work on :class:`RunData`, so a fresh run and one
read back from disk (in any of the formats :mod:`sim.analysis.results` reads)
are treated the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class RunData:
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
        deals = tuple((e.id, e.name, e.date.isoformat(), e.effective.isoformat())
                      for e in result.scenario.events if e.type in ("truce", "agreement") and e.id)
        return cls(result.seed, result.scenario.start, result.history, result.events, result.timeseries,
                   result.post_history, result.encircled_history, deals)

    @property
    def days(self) -> int:
        """Days simulated after the start (the last row of ``history``)."""
        return len(self.history) - 1

    def day(self, date: dt.date) -> int:
        return (date - self.start).days

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    @property
    def captures(self) -> pd.DataFrame:
        return self.events[self.events["type"] == "capture"]
