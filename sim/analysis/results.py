"""Reading results back: one run or an ensemble of replicates, as arrays.

Analysis (scores, comparisons, maps of an ensemble) works on :class:`RunData`,
the part of a run that can be read back from a run folder, so that a fresh
run in memory and a folder written last week are scored the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io.theatre import HOLDERS, Theatre, load_theatre

RUNS_DIR = "runs"


@dataclass
class RunData:
    """One replicate: the daily controller of every town, its events and time series.

    Attributes:
        seed: the run's seed.
        start: the date of row 0 of ``history`` (the scenario's start).
        history: controller codes (:class:`~sim.theatre.Holder`), one row per day from ``start``.
        events: the run's events.csv.
        timeseries: the run's timeseries.csv, one row per day.
    """

    seed: int
    start: dt.date
    history: np.ndarray = field(repr=False)
    events: pd.DataFrame = field(repr=False)
    timeseries: pd.DataFrame = field(repr=False)

    @classmethod
    def of(cls, result) -> RunData:  # noqa: ANN001 - a sim.run.RunResult
        return cls(result.seed, result.scenario.start, result.history, result.events, result.timeseries)

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


@dataclass
class Results:
    """A results folder read back: a single run or an ensemble.

    Attributes:
        path: the folder.
        manifest: its manifest.json.
        theatre: the theatre the runs were made on.
        runs: the finished replicates, in seed order.
        expected: how many replicates the ensemble was asked for (1 for a single run).
    """

    path: Path
    manifest: dict
    theatre: Theatre
    runs: list[RunData]
    expected: int

    @property
    def name(self) -> str:
        return self.manifest["scenario_name"]

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["start"])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["end"])

    @property
    def seeds_file(self) -> Path:
        return Path(self.manifest["inputs"]["seeds"])

    @property
    def complete(self) -> bool:
        return len(self.runs) == self.expected

    @property
    def label(self) -> str:
        n = len(self.runs)
        return f"{self.name} ({n} run{'s' if n != 1 else ''})"


def load_run(folder: Path, towns: tuple[str, ...]) -> RunData:
    """Read one run folder (manifest.json, control.csv, events.csv, timeseries.csv)."""
    manifest = _manifest(folder)
    control = pd.read_csv(folder / "control.csv", dtype={"controller": "category"})
    n = len(towns)
    if len(control) % n or list(control["town"].iloc[:n]) != list(towns):
        raise InputError(folder / "control.csv", "the towns do not match the run's theatre")
    codes = {name: code for code, name in enumerate(HOLDERS)}
    history = control["controller"].map(codes).to_numpy(dtype=np.int8).reshape(-1, n)
    events = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    timeseries = pd.read_csv(folder / "timeseries.csv")
    return RunData(int(manifest["seed"]), dt.date.fromisoformat(manifest["start"]), history, events, timeseries)


def load_results(path: str | Path) -> Results:
    """Read a run folder or an ensemble folder written by ``python -m sim run``.

    An ensemble interrupted before it finished is read with the replicates
    that were completed (``Results.complete`` is then False).
    """
    path = Path(path)
    manifest = _manifest(path)
    if "inputs" not in manifest:
        raise InputError(path / "manifest.json", "written by an older version of the simulator (no 'inputs'); run it again")
    theatre_file = Path(manifest["inputs"]["theatre"])
    if not theatre_file.exists():
        raise InputError(path / "manifest.json", f"the run's theatre is not found at {theatre_file}", key="inputs.theatre")
    theatre = load_theatre(theatre_file)
    towns = tuple(theatre.towns)
    if manifest.get("kind") == "ensemble":
        folders = [path / RUNS_DIR / run_folder_name(s) for s in manifest["seeds"]]
        runs = [load_run(f, towns) for f in folders if (f / "manifest.json").exists()]
        expected = len(manifest["seeds"])
    else:
        runs, expected = [load_run(path, towns)], 1
    if not runs:
        raise InputError(path, "no finished runs in this folder yet")
    return Results(path, manifest, theatre, runs, expected)


def run_folder_name(seed: int) -> str:
    return f"seed-{seed}"


def frozen_front(run: RunData) -> RunData:
    """The naive baseline: nothing happens after the start (day 0 repeated to the end)."""
    days = len(run.history)
    ts = pd.DataFrame(np.repeat(run.timeseries.iloc[:1].to_numpy(), days, axis=0), columns=run.timeseries.columns)
    ts = ts.astype(run.timeseries.dtypes.to_dict())
    if "date" in ts:
        ts["date"] = [run.date(d).isoformat() for d in range(days)]
    return RunData(run.seed, run.start, np.repeat(run.history[:1], days, axis=0), run.events.iloc[0:0], ts)


def _manifest(folder: Path) -> dict:
    file = folder / "manifest.json"
    if not file.exists():
        what = "folder" if folder.is_dir() else "path"
        raise InputError(folder, f"not a results folder (no manifest.json in this {what})")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(file, f"unreadable manifest: {exc}") from None
