"""Running a scenario, once or as a batch of replicates, and collecting what each run produced, as tables or scores."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.integrity import EVENT_COLUMNS
from ..analysis.metrics import batch_metric_columns, run_metrics
from ..analysis.outcomes import OutcomeBase
from ..analysis.scored_outcomes import outcomes_for
from ..analysis.results import Results, RunData
from ..analysis.rundata import EventLog, RunBatch, day_end_captures
from ..errors import InputError
from ..io.safe_yaml import date_problem
from ..io.scenario import for_run, inputs_hash
from ..io.schema import Scenario
from ..io.timeline import deals_of
from ..io.theatre import Theatre, load_theatre
from ..model.model import CeasefireModel
from ..names import HOLDERS
from .manifest import manifest, now

@dataclass(frozen=True)
class BatchLog:
    """What the replicates of one batch recorded, side by side: each run's tables are read out of it when first asked for.

    Building a replicate's pandas tables costs about as much as stepping it,
    and a sweep or a columnar ensemble never needs them, so a
    :class:`RunResult` keeps a reference to its batch's log instead.
    """

    dates: np.ndarray  # (days,) ISO dates, as objects
    series: dict[str, np.ndarray]  # the daily reporters, each (days, replicates)
    events: np.ndarray  # (rows, 6) objects: replicate (-1 for all), day, type, town, actors, detail
    rows_of: list[np.ndarray]  # each replicate's rows of ``events`` (its own and everyone's), in log order
    patrols: list[tuple]  # (replicate, day, road, coverage, the town where it was stopped or its end)


@dataclass
class RunResult:
    """Everything one run produced.

    Its tables are built from the batch's arrays the first time they are read.

    Attributes:
        history: controller codes, one row per day from the start (``control`` as a table).
        post_history: whether each Turkish post stands, one row per day (``posts`` as a table).
        encircled_history: whether each post is encircled, one row per day.
        replicate: the run's place in its batch's log.
    """

    scenario: Scenario
    theatre: Theatre
    seed: int
    content_hash: str
    started: str
    finished: str
    history: np.ndarray = field(repr=False)
    post_history: np.ndarray = field(repr=False)
    encircled_history: np.ndarray = field(repr=False)
    replicate: int = field(repr=False)
    log: BatchLog = field(repr=False)

    def __repr__(self) -> str:
        # At a prompt, the dataclass's own repr printed the whole scenario and theatre: some 35,000 characters.
        days = len(self.history) - 1
        return (f"RunResult(scenario={self.scenario.name!r}, seed={self.seed}, {self.scenario.start} + {days} days, "
                f"theatre={self.theatre!r})")

    @functools.cached_property
    def series(self) -> dict[str, np.ndarray]:
        """Each daily reporter as an array over the days (the columns of ``timeseries`` but the date)."""
        return {name: values[:, self.replicate] for name, values in self.log.series.items()}

    @functools.cached_property
    def timeseries(self) -> pd.DataFrame:
        """The daily model reporters, one row per date."""
        return pd.DataFrame({"date": self.log.dates, **self.series})

    @functools.cached_property
    def event_records(self) -> np.ndarray:
        """(rows, 5) objects: every simulated event as date, type, town, actors, detail, in log order."""
        rows = self.log.events[self.log.rows_of[self.replicate]]
        return np.column_stack([self.log.dates[rows[:, 1].astype(int)], rows[:, 2:]]) if len(rows) else np.empty((0, 5), object)

    @functools.cached_property
    def events(self) -> pd.DataFrame:
        """Every simulated event, including a ``capture`` row per change of hands."""
        return pd.DataFrame({name: self.event_records[:, k] for k, name in enumerate(EVENT_COLUMNS)})

    @functools.cached_property
    def patrols(self) -> list[dict]:
        """Every joint patrol: date, road, share of the route covered, the town where it was stopped (or the route's end)."""
        return [{"date": self.log.dates[d], "road": road, "coverage": cov, "reached": town}
                for r, d, road, cov, town in self.log.patrols if r == self.replicate]

    def dates(self) -> list[str]:
        """Every day of the run as ``YYYY-MM-DD``, the start day first."""
        return self.log.dates.tolist()  # the batch's, one a day of ``history``

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
        """One row per (date, standing Turkish post): its site, the town it overlooks first, and whether it is encircled."""
        day, k = np.nonzero(self.post_history)
        posts = self.theatre.posts
        return pd.DataFrame({
            "date": np.array(self.dates(), dtype=object)[day],
            "post": np.array([p.id for p in posts], dtype=object)[k],
            "town": np.array([self.theatre.towns[p.towns[0]] for p in posts], dtype=object)[k],
            "lat": np.array([p.lat for p in posts])[k],
            "lon": np.array([p.lon for p in posts])[k],
            "encircled": self.encircled_history[day, k],
        })

    @property
    def captures(self) -> pd.DataFrame:
        """The changes of hands from one day to the next, as rows of ``events`` (:func:`~sim.analysis.aggregate.day_end_captures`)."""
        return day_end_captures(self.events[self.events["type"] == "capture"]).reset_index(drop=True)

    def metrics(self, outcomes: str | Path | None = None) -> dict[str, float]:
        """The run's numbers, as plain floats: exactly the metrics a sweep row holds.

        Scores against the record (``outcomes_met``, ``control_accuracy``,
        ``capture_mae_days``, and per reported outcome ``met:<id>`` and, for
        captures, ``day:<id>``), ``ceasefire_days`` and ``ceasefire_broken``
        (the first ceasefire), ``ceasefire_days:<event id>`` and
        ``ceasefire_broken:<event id>`` for each truce or agreement with an
        id, ``towns_changed_hands``, towns held by each faction,
        ``turkish_deaths``, ``displaced``, ``patrol_coverage_mean``. See
        :func:`sim.analysis.metrics.run_metrics`; NaN where a thing never happened.

        Args:
            outcomes: the reported outcomes file to score against (default:
                ``outcomes.yaml`` beside the scenario's claims record; none if there is none there).
        """
        scored = outcomes_for(self.scenario, self.theatre, list(self.timeseries.columns), outcomes)
        return run_metrics(RunData.of(self), scored, self.theatre)

    def controller_on(self, date: dt.date | str) -> pd.Series:
        """Controller of every town on ``date`` (a date or YYYY-MM-DD, from the start to the last simulated day), indexed by town.

        Raises:
            InputError: not a date, or a day outside the run; the message gives the run's first and last days.
        """
        start = self.scenario.start
        window = f"the run's days are {start} to {start + dt.timedelta(days=len(self.history) - 1)}"
        if isinstance(date, dt.date) and not pd.isna(date):  # datetimes and pandas Timestamps are dates too
            when = date.date() if isinstance(date, dt.datetime) else date
        elif isinstance(date, str):  # as the files and flags read dates: pandas read "01/05/2020" as 5 January
            if said := date_problem(date):
                raise InputError(None, f"{said}; {window}", key="date")
            when = dt.date.fromisoformat(date.strip())
        else:
            try:
                stamp, reason = (pd.Timestamp(date) if isinstance(date, np.datetime64) else pd.NaT), ""
            except ValueError as exc:  # pandas' DateParseError: "day is out of range for month: 2020-02-30"
                stamp, reason = pd.NaT, f" ({str(exc).partition(': ')[0]})"
            if pd.isna(stamp):
                raise InputError(None, f"{date!r} is not a date{reason}: give YYYY-MM-DD; {window}", key="date")
            when = stamp.date()
        day = (when - start).days
        if not 0 <= day < len(self.history):
            raise InputError(None, f"{when} is outside the run: {window}", key="date")
        return pd.Series([HOLDERS[c] for c in self.history[day]], index=self.theatre.towns, name=str(when))


def simulate(scenario: Scenario | str | Path, *, seed: int | None = None, days: int | None = None,
             check_invariants: bool = False) -> RunResult:
    """Run ``scenario`` once and return its tables (``python -m sim run``, without writing them).

    Args:
        scenario: from :func:`sim.load_scenario`, or the path of a scenario file (loaded here).
        seed: replaces the scenario's seed (``--seed``); same scenario and seed give identical results.
        days: simulate only this many days after the start day, which is the state the run begins from (``--days``:
            ``days=10`` from 5 March ends on 15 March, 11 dated rows); 1 to the scenario's length.
        check_invariants: verify the model's invariants every day.

    Raises:
        InputError: a seed or day count the scenario cannot take, naming it.
    """
    scenario = for_run(scenario, days=days)  # the command line's route for --days
    return simulate_batch(scenario, [scenario.seed if seed is None else seed], check_invariants=check_invariants)[0]


def simulate_batch(scenario: Scenario | Sequence[Scenario], seeds: list[int], *, check_invariants: bool = False) -> list[RunResult]:
    """Run ``scenario`` once per seed, stepping them together, and return each run's tables.

    Replicate ``i`` gives the same tables as ``simulate(scenario, seed=seeds[i])``:
    each draws from its own random stream, keyed by its seed alone. ``scenario``
    may be one per seed (points of a sweep that differ only in the parameters
    the rules read per replicate, see :mod:`sim.model.params`).
    """
    started = now()
    model = CeasefireModel(scenario, seeds=list(seeds), check_invariants=check_invariants)
    model.run_model()
    results = run_results(model, started, now())
    model.release()
    return results


def simulate_metrics(scenario: Scenario | Sequence[Scenario], seeds: list[int], outcomes: list[OutcomeBase]) -> dict[str, np.ndarray]:
    """Each metric of :meth:`RunResult.metrics` against ``outcomes`` (from :func:`~sim.analysis.scored_outcomes.scored_outcomes`), as an array
    over ``seeds``: the seeds stepped together and scored as one batch (``scenario`` may be one per seed, as in
    :func:`simulate_batch`).

    What a sweep needs of a run is its row of metrics: they are read from the
    model's arrays (:func:`batch_of`), without building each run's tables.
    """
    model = CeasefireModel(scenario, seeds=list(seeds))
    model.run_model()
    metrics = batch_metric_columns(batch_of(model), outcomes, model.theatre)
    model.release()
    return metrics


def batch_of(model: CeasefireModel) -> RunBatch:
    """The replicates of a model that has run, as scoring reads them: its own arrays, each replicate's events apart."""
    log = log_of(model)
    date = log.dates[log.events[:, 1].astype(int)]
    return RunBatch(
        model.spec.start,
        model.history[:, : len(log.dates)],
        {name: values.T for name, values in log.series.items()},
        [EventLog(date[rows], log.events[rows, 2], log.events[rows, 5]) for rows in log.rows_of],
        deals_of(model.spec),
    )


def log_of(model: CeasefireModel) -> BatchLog:
    """What a model that has run (to its end, or as far as it got) recorded, replicates side by side."""
    days = model.steps + 1
    events = model.journal.table()
    return BatchLog(
        dates=np.array([(model.spec.start + dt.timedelta(days=d)).isoformat() for d in range(days)], dtype=object),
        # (days, replicates) each: the days' arrays end to end, in one call (np.stack's per-array checks cost more than the
        # copy, and np.array's look at each array for its shape and type 60 % more)
        series={name: np.concatenate(values[:days]).reshape(days, -1) for name, values in model.datacollector.model_vars.items()},
        events=events,
        rows_of=_rows_by_replicate(events[:, 0].astype(int), model.replicates),
        patrols=list(model.patrol_rows),
    )


def run_results(model: CeasefireModel, started: str, finished: str) -> list[RunResult]:
    """Each replicate of a model that has run (to its end, or as far as it got), its tables to be built when read."""
    log, days = log_of(model), model.steps + 1
    digests = {key: inputs_hash(s) for key, s in {id(s): s for s in model.replicate_specs}.items()}  # once a scenario
    return [RunResult(scenario=spec, theatre=model.theatre, seed=seed, content_hash=digests[id(spec)], started=started,
                      finished=finished, history=model.history[r, :days], post_history=model.post_history[r, :days],
                      encircled_history=model.encircled_history[r, :days], replicate=r, log=log)
            for r, (seed, spec) in enumerate(zip(model.seeds, model.replicate_specs, strict=True))]


def _rows_by_replicate(replicate: np.ndarray, replicates: int) -> list[np.ndarray]:
    """For each replicate, the rows of the batch's event log that are its own or everyone's (-1), in log order."""
    order = np.argsort(replicate, kind="stable")
    bounds = np.searchsorted(replicate[order], np.arange(-1, replicates + 1))
    shared = order[bounds[0] : bounds[1]]
    return [np.sort(np.concatenate([shared, order[bounds[r + 1] : bounds[r + 2]]])) for r in range(replicates)]


def memory_results(scenario: Scenario, runs: list[RunData], theatre: Theatre | None = None, *, title: str | None = None,
                   ensemble: bool | None = None) -> Results:
    """Runs in memory as a results folder reads back (a single run, or an ensemble of several), for scoring and
    plots: the app's runs and a calibration's trials. ``theatre``: the one already loaded (else read again).

    ``title``: what figures and headings call them (the results' ``name``), if not the scenario's name.
    ``ensemble``: whether they are an ensemble's, as ``run --runs N`` writes even one replicate (a probability map,
    not one run's); by default, where there are several.
    """
    kind = "ensemble" if (len(runs) > 1 if ensemble is None else ensemble) else "run"
    seeds = [r.seed for r in runs] if kind == "ensemble" else None
    m = manifest(kind, scenario, None, content_hash="", seed=scenario.seed, started=now(), replicates=seeds)
    m["complete"] = True
    if title is not None:
        m["scenario_name"] = title
    return Results(Path(scenario.name), m, theatre or load_theatre(scenario.theatre), runs, len(runs))
