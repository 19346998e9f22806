"""Running a scenario and collecting what a run produced, as tables."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model.model import CeasefireModel
from ..io.scenario import Scenario, content_hash
from ..io.theatre import HOLDERS, Theatre

EVENT_COLUMNS = ["date", "type", "town", "actors", "detail"]


@dataclass
class RunResult:
    """Everything one run produced.

    Attributes:
        control: one row per (date, town): the daily control timeline.
        events: every simulated event, including a ``capture`` row per change of hands.
        timeseries: the daily model reporters, one row per date.
        final: the last day's state used by maps (posts, encirclement, corridor, patrols).
    """

    scenario: Scenario
    theatre: Theatre
    seed: int
    events: pd.DataFrame
    timeseries: pd.DataFrame
    final: dict
    content_hash: str
    started: str
    finished: str
    history: np.ndarray = field(repr=False)

    @functools.cached_property
    def control(self) -> pd.DataFrame:
        """One row per (date, town): the daily control timeline, built from ``history`` when first read.

        Ensembles read ``history`` and rarely need this table, which costs as much as a tenth of a run.
        """
        dates = [(self.scenario.start + dt.timedelta(days=d)).isoformat() for d in range(len(self.history))]
        return pd.DataFrame(
            {
                "date": np.repeat(dates, self.theatre.n),
                "town": np.tile(self.theatre.towns, len(self.history)),
                "controller": np.array(HOLDERS)[self.history.ravel()],
            }
        )

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
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    seed = scenario.seed if seed is None else seed
    model = CeasefireModel(scenario, seed=seed, check_invariants=check_invariants).run()
    theatre = model.theatre
    dates = [(scenario.start + dt.timedelta(days=d)).isoformat() for d in range(scenario.days + 1)]
    history = model.history[: model.steps + 1]
    timeseries = model.datacollector.get_model_vars_dataframe()
    timeseries.insert(0, "date", dates[: len(timeseries)])
    events = pd.DataFrame(model.events_log, columns=EVENT_COLUMNS)
    final = {
        "posts": model.posts.copy(),
        "encircled": model.encircled.copy(),
        "military_police": model.military_police.copy(),
        "corridor": None if model.ceasefire is None or model.ceasefire.corridor is None or not model.ceasefire.in_force(model.date) else model.ceasefire.corridor,
        "corridor_road": model.ceasefire.corridor_road if model.ceasefire else None,
        "patrols": list(model.patrol_log),
        "ceasefire": model.ceasefire_state,
    }
    files = [*theatre.files, scenario.seeds]
    return RunResult(
        scenario=scenario,
        theatre=theatre,
        seed=seed,
        events=events,
        timeseries=timeseries.reset_index(drop=True),
        final=final,
        content_hash=content_hash(scenario, files),
        started=started,
        finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        history=history,
    )
