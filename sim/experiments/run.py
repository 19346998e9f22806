"""Running a scenario once and collecting what the run produced, as tables."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..io.scenario import inputs_hash
from ..io.schema import Scenario
from ..io.theatre import Theatre
from ..model.model import CeasefireModel
from ..names import HOLDERS
from .manifest import now

EVENT_COLUMNS = ["date", "type", "town", "actors", "detail"]


@dataclass
class RunResult:
    """Everything one run produced.

    Attributes:
        events: every simulated event, including a ``capture`` row per change of hands.
        timeseries: the daily model reporters, one row per date.
        patrols: every joint patrol: date, road, share of the route covered, town reached.
        history: controller codes, one row per day from the start (``control`` as a table).
        post_history: Turkish posts (post-equivalents) at every town, one row per day (``posts`` as a table).
        encircled_history: whether each town's posts are encircled, one row per day.
    """

    scenario: Scenario
    theatre: Theatre
    seed: int
    events: pd.DataFrame
    timeseries: pd.DataFrame
    patrols: list[dict]
    content_hash: str
    started: str
    finished: str
    history: np.ndarray = field(repr=False)
    post_history: np.ndarray = field(repr=False)
    encircled_history: np.ndarray = field(repr=False)

    def dates(self) -> list[str]:
        return [(self.scenario.start + dt.timedelta(days=d)).isoformat() for d in range(len(self.history))]

    @functools.cached_property
    def control(self) -> pd.DataFrame:
        """One row per (date, town): the daily control timeline, built from ``history`` when first read.

        Ensembles read ``history`` and rarely need this table, which costs as much as a tenth of a run.
        """
        return pd.DataFrame(
            {
                "date": np.repeat(self.dates(), self.theatre.n),
                "town": np.tile(self.theatre.towns, len(self.history)),
                "controller": np.array(HOLDERS)[self.history.ravel()],
            }
        )

    @functools.cached_property
    def posts(self) -> pd.DataFrame:
        """One row per (date, town with Turkish posts): how many, and whether they are encircled."""
        day, town = np.nonzero(self.post_history > 0)
        return pd.DataFrame({
            "date": np.array(self.dates(), dtype=object)[day],
            "town": np.array(self.theatre.towns, dtype=object)[town],
            "posts": self.post_history[day, town],
            "encircled": self.encircled_history[day, town],
        })

    @property
    def captures(self) -> pd.DataFrame:
        return self.events[self.events["type"] == "capture"].reset_index(drop=True)

    def controller_on(self, date: dt.date | str) -> pd.Series:
        """Controller of every town on ``date`` (indexed by town)."""
        day = (pd.Timestamp(date).date() - self.scenario.start).days
        if not 0 <= day < len(self.history):
            raise ValueError(f"{date} is outside the run")
        return pd.Series([HOLDERS[c] for c in self.history[day]], index=self.theatre.towns, name=str(date))


def simulate(scenario: Scenario, *, seed: int | None = None, check_invariants: bool = False) -> RunResult:
    """Run ``scenario`` once and return its tables.

    Args:
        scenario: from :func:`sim.load_scenario`.
        seed: replaces the scenario's seed; same scenario and seed give identical results.
        check_invariants: verify the model's invariants every day.
    """
    started = now()
    seed = scenario.seed if seed is None else seed
    model = CeasefireModel(scenario, seed=seed, check_invariants=check_invariants)
    model.run_model()
    days = model.steps + 1
    dates = [(scenario.start + dt.timedelta(days=d)).isoformat() for d in range(scenario.days + 1)]
    timeseries = model.datacollector.get_model_vars_dataframe()
    timeseries.insert(0, "date", dates[: len(timeseries)])
    return RunResult(
        scenario=scenario,
        theatre=model.theatre,
        seed=seed,
        events=pd.DataFrame(model.events_log, columns=EVENT_COLUMNS),
        timeseries=timeseries.reset_index(drop=True),
        patrols=list(model.patrol_log),
        content_hash=inputs_hash(scenario),
        started=started,
        finished=now(),
        history=model.history[:days],
        post_history=model.post_history[:days],
        encircled_history=model.encircled_history[:days],
    )
