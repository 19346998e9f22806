"""Reading results back: a run folder, an ensemble folder, a sweep's rows.

Analysis (scores, comparisons, maps of an ensemble) works on :class:`RunData`,
the part of a run that can be read back from a run folder, so that a fresh
run in memory and a folder written last week are scored the same way.

The folder layouts are defined here, where they are read; the writers in
:mod:`sim.experiments` use the same names.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io.theatre import Theatre, load_theatre
from ..names import HOLDERS

RUNS_DIR = "runs"  # an ensemble's replicates: runs/seed-<s>/
PARTS = "runs.parquet"  # a sweep's rows: runs.parquet/part-NNNNNN.parquet


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
    def claims_file(self) -> Path:
        """The claims record the run's scenario cited (``seeds`` in folders written before it was renamed)."""
        inputs = self.manifest["inputs"]
        return Path(inputs["claims"] if "claims" in inputs else inputs["seeds"])

    @property
    def is_ensemble(self) -> bool:
        return self.manifest.get("kind") == "ensemble"

    @property
    def complete(self) -> bool:
        return len(self.runs) == self.expected

    @property
    def label(self) -> str:
        n = len(self.runs)
        return f"{self.name} ({n} run{'s' if n != 1 else ''})"


def load_run(folder: Path, theatre: Theatre) -> RunData:
    """Read one run folder (manifest.json, control.csv, events.csv, timeseries.csv, posts.csv)."""
    towns = tuple(theatre.towns)
    manifest = _manifest(folder)
    control = pd.read_csv(folder / "control.csv", dtype={"controller": "category"})
    n = len(towns)
    if len(control) % n or list(control["town"].iloc[:n]) != list(towns):
        raise InputError(folder / "control.csv", "the towns do not match the run's theatre")
    codes = {name: code for code, name in enumerate(HOLDERS)}
    history = control["controller"].map(codes).to_numpy(dtype=np.int8).reshape(-1, n)
    events = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    timeseries = pd.read_csv(folder / "timeseries.csv")
    start = dt.date.fromisoformat(manifest["start"])
    posts, encircled = _posts(folder / "posts.csv", start, len(history), [p.id for p in theatre.posts])
    return RunData(int(manifest["seed"]), start, history, events, timeseries, posts, encircled)


def _posts(file: Path, start: dt.date, days: int, post_ids: list[str]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """posts.csv as (standing, encircled) arrays of shape (days, posts); (None, None) if the run did not write them by post."""
    if not file.exists():
        return None, None
    table = pd.read_csv(file, dtype={"date": str, "post": str, "encircled": bool})
    if "post" not in table:
        return None, None  # written before posts were sites: by town
    index = {name: i for i, name in enumerate(post_ids)}
    unknown = sorted(set(table["post"]) - set(index))
    if unknown:
        raise InputError(file, f"post '{unknown[0]}' is not one of the theatre's posts")
    day = np.array([(dt.date.fromisoformat(d) - start).days for d in table["date"]], dtype=np.intp)
    k = np.array([index[p] for p in table["post"]], dtype=np.intp)
    standing, encircled = np.zeros((days, len(post_ids)), bool), np.zeros((days, len(post_ids)), bool)
    standing[day, k] = True
    encircled[day, k] = table["encircled"].to_numpy()
    return standing, encircled


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
    if manifest.get("kind") == "ensemble":
        folders = [path / RUNS_DIR / run_folder_name(s) for s in manifest["seeds"]]
        runs = [load_run(f, theatre) for f in folders if (f / "manifest.json").exists()]
        expected = len(manifest["seeds"])
    else:
        runs, expected = [load_run(path, theatre)], 1
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


# --------------------------------------------------------------------------
# Sweeps
# --------------------------------------------------------------------------


def part_path(out: str | Path, key: int) -> Path:
    """The Parquet file holding the rows of a sweep's batch ``key``."""
    return Path(out) / PARTS / f"part-{key:06d}.parquet"


def read_rows(out: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A sweep's rows, one per run, ordered by point and replicate."""
    parts = sorted((Path(out) / PARTS).glob("part-*.parquet"))
    if not parts:
        raise InputError(out, "no sweep rows here yet")
    table = pd.concat([pd.read_parquet(p, columns=columns) for p in parts], ignore_index=True)
    return table.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True) if {"point", "replicate"} <= set(table) else table


def load_sweep_manifest(folder: str | Path) -> dict:
    """A sweep folder's sweep.json: its design and inputs."""
    file = Path(folder) / "sweep.json"
    if not file.exists():
        raise InputError(folder, "not a sweep folder (no sweep.json)")
    return json.loads(file.read_text())
