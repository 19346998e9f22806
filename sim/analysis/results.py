"""Reading results back: a run folder, an ensemble folder, a sweep's rows.

Analysis (scores, comparisons, maps of an ensemble) works on :class:`RunData`,
the part of a run that can be read back from a run folder or an ensemble's
parts, so that a fresh run in memory and a folder written last week are scored
the same way. An ensemble's replicates are read from its Parquet parts
(:mod:`sim.analysis.replicates`), or, in a folder written before parts, from
a run folder per replicate (``runs/seed-<s>/``).

The folder layouts are defined here, where they are read; the writers in
:mod:`sim.experiments` use the same names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DamagedResult, InputError, close_or_grouped, flag, shown_path
from ..io.files import as_path, near_miss
from ..io.folder_lock import check_not_being_written
from ..io.kinds import file_kind
from ..io.outputs import describe, read_markers
from ..io.paths import alias
from ..io.safe_yaml import load_yaml
from ..io.theatre import Theatre, load_theatre
from . import integrity
from .metrics import column_named
from .relocated import changed_inputs, found_inputs, inputs_changed
from .replicates import listed_parts, read_part, replicate_key
from .rundata import RunData

RUNS_DIR = "runs"  # an ensemble's replicates before they were stored as parts: runs/seed-<s>/ (still read)
PARTS = "runs.parquet"  # a sweep's rows: runs.parquet/part-NNNNNN.parquet


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

    def __repr__(self) -> str:
        # At a prompt, the dataclass's own repr printed the manifest, the theatre and every run: 46,000 characters.
        kind = "ensemble" if self.is_ensemble else "run"
        return (f"Results({str(self.path)!r}: {kind} of {self.name}, {len(self.runs)} of {self.expected} "
                f"replicate{'s' if self.expected != 1 else ''}, {self.start} .. {self.end})")

    @property
    def name(self) -> str:
        """The scenario's name, as the manifest records it."""
        return self.manifest["scenario_name"]

    @property
    def start(self) -> dt.date:
        """The scenario's start date."""
        return dt.date.fromisoformat(self.manifest["start"])

    @property
    def end(self) -> dt.date:
        """The scenario's end date (a run with ``days`` ends earlier: see each run's days)."""
        return dt.date.fromisoformat(self.manifest["end"])

    @property
    def claims_file(self) -> Path:
        """The claims record the run's scenario cited (``seeds`` in folders written before it was renamed)."""
        inputs = self.manifest["inputs"]
        return Path(inputs["claims"] if "claims" in inputs else inputs["seeds"])

    @property
    def is_ensemble(self) -> bool:
        """Whether the folder is an ensemble's (else one run's)."""
        return self.manifest.get("kind") == "ensemble"

    @property
    def complete(self) -> bool:
        """Whether every replicate the folder was asked for is in (an interrupted ensemble has fewer)."""
        return len(self.runs) == self.expected

    @property
    def label(self) -> str:
        """The scenario's name and how many runs: ``campaign (40 runs)``."""
        n = len(self.runs)
        return f"{self.name} ({n} run{'s' if n != 1 else ''})"


def load_run(folder: Path, theatre: Theatre, *, expect: dict | None = None) -> RunData:
    """Read one run folder (manifest.json, control.csv, events.csv, timeseries.csv, posts.csv), checking it is whole.

    Args:
        folder: the run folder.
        theatre: the run's theatre (its towns and posts, in order).
        expect: manifest values the run must have (``seed``, ``content_hash``, ...), for a replicate.

    Raises:
        DamagedResult: a file missing, empty, cut short, altered or not what the manifest implies
            (see :mod:`sim.analysis.integrity`).
    """
    manifest = _manifest(folder, damaged=True)
    try:
        start, end = dt.date.fromisoformat(manifest["start"]), dt.date.fromisoformat(manifest["end"])
        seed = int(manifest["seed"])
    except (KeyError, TypeError, ValueError):
        raise DamagedResult(folder / "manifest.json", "lacks the run's seed, start or end") from None
    for key, value in (expect or {}).items():
        if manifest.get(key) != value:
            raise DamagedResult(folder / "manifest.json", f"its {key} is {manifest.get(key)!r}, not {value!r}: "
                                "it belongs to other inputs")
    days = (end - start).days
    raw = integrity.read_tables(folder, manifest)
    history = integrity.control_history(folder / "control.csv", raw["control.csv"], start, days, tuple(theatre.towns))
    events = integrity.events_table(folder / "events.csv", raw["events.csv"], start, end)
    timeseries = integrity.timeseries_table(folder / "timeseries.csv", raw["timeseries.csv"], start, days)
    posts = encircled = None
    if "posts.csv" in raw:
        post_ids = tuple(p.id for p in theatre.posts)
        posts, encircled = integrity.posts_arrays(folder / "posts.csv", raw["posts.csv"], start, days, post_ids)
    return RunData(seed, start, history, events, timeseries, posts, encircled)


def load_results(path: str | Path) -> Results:
    """Read a run folder or an ensemble folder written by ``python -m sim run`` (in any version's layout).

    An ensemble interrupted before it finished is read with the replicates
    that were completed (``Results.complete`` is then False). Every file is
    checked: a damaged one stops the reading with its name.

    Raises:
        InputError: not a results folder, or its theatre is gone (:func:`~sim.analysis.relocated.found_inputs`).
        DamagedResult: a file missing, cut short or altered (rerunning the command that wrote it repairs it).
    """
    path = as_path(path)
    check_not_being_written(path)
    manifest = _manifest(path)
    if "inputs" not in manifest:
        raise InputError(path / "manifest.json", "written by an older version of the simulator (no 'inputs'); run it again")
    # Where the checkout that wrote it has moved, its inputs as found again (the manifest on disk is left as it is).
    manifest = {**manifest, "inputs": found_inputs(path, manifest)}
    theatre = load_theatre(Path(manifest["inputs"]["theatre"]))
    try:
        if manifest.get("kind") == "ensemble" and "parts" in manifest:
            runs, expected = _replicates(path, manifest, theatre), len(manifest["seeds"])
        elif manifest.get("kind") == "ensemble":  # written before ensembles stored parts: a run folder per replicate
            runs = []
            for seed in manifest["seeds"]:
                folder = path / RUNS_DIR / run_folder_name(seed)
                if not folder.exists():
                    if manifest.get("complete"):
                        raise DamagedResult(folder, "is missing, though the ensemble is marked complete")
                    continue  # not run yet: the ensemble is unfinished
                runs.append(load_run(folder, theatre, expect={"seed": seed, **replicate_key(manifest, seed)}))
            expected = len(manifest["seeds"])
        else:
            runs, expected = [load_run(path, theatre)], 1
    except DamagedResult as exc:
        if inputs_changed(manifest):  # the tables may be whole, and made on the inputs' earlier version
            inputs, changed = manifest["inputs"], changed_inputs(manifest)
            if changed:  # each file's hash kept: the very files that changed, named
                what = (f"of the theatre and claims record the run read, {', '.join(changed)} "
                        f"{'has' if len(changed) == 1 else 'have'} changed since (the manifest's input_sha256)")
            else:  # a folder written before each file's hash was kept: the combined one tells only that something did
                what = (f"the theatre or claims record the run read ({inputs['theatre']}, "
                        f"{inputs.get('claims', inputs.get('seeds'))}) has changed since (the manifest's content_hash "
                        "no longer matches)")
            raise DamagedResult(exc.file, f"{exc.message}; but {what}, which "
                                "may be why: run the command that wrote it again to remake it on them, or read it where "
                                "the version it was made with is") from None
        raise DamagedResult(exc.file, exc.message + "; run the command that wrote it again to redo it") from None
    if not runs:
        raise InputError(path, "no finished runs in this folder yet")
    return Results(path, manifest, theatre, runs, expected)


def _replicates(path: Path, manifest: dict, theatre: Theatre) -> list[RunData]:
    """An ensemble's replicates from the parts its manifest lists, in seed order; all of them if it is complete."""
    runs, seeds, file = {}, set(manifest["seeds"]), path / "manifest.json"
    for part in listed_parts(manifest, file):
        if not seeds.issuperset(part.seeds):
            raise DamagedResult(file, f"lists {part.name}, whose seeds are not all the ensemble's")
        key = replicate_key(manifest, part.seeds[0])
        if any(replicate_key(manifest, s) != key for s in part.seeds):
            raise DamagedResult(file, f"lists {part.name}, whose replicates have different inputs")
        runs.update((r.seed, r) for r in read_part(path, part, theatre, key))
    missing = [s for s in manifest["seeds"] if s not in runs]
    if missing and manifest.get("complete"):
        raise DamagedResult(path / "manifest.json", f"lists no part holding seed {missing[0]} ({len(missing)} replicate(s)), "
                            "though the ensemble is marked complete")
    return [runs[s] for s in manifest["seeds"] if s in runs]


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


def _writer_of(file: Path) -> str | None:
    """For an input file given where results go (a new user's `compare scenarios/moscow.yaml`, not yet run): what it is
    and the command that writes its results; None for any other file."""
    if file.suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        kind = file_kind(load_yaml(file))
    except InputError:
        return None
    command = {"scenario": "run", "sweep": "sweep", "calibration": "calibrate"}.get(kind)
    if command is None:
        return None
    shown = shown_path(str(file))
    if kind != "scenario":  # a sweep's or a calibration's folder is no run's either: say so now, not at the next try
        then = ("writes its results, which python -m sim sweep-report reads" if kind == "sweep" else
                "writes a calibrated scenario; python -m sim run on that scenario writes a results folder to give here")
        return f"this is a {kind} file, not a results folder: python -m sim {command} {shown} {then}"
    return (f"this is a scenario file, not a results folder: python -m sim run {shown} writes its results and prints the "
            f"folder; give that folder here")


def _manifest(folder: Path, *, damaged: bool = False) -> dict:
    """A folder's manifest.json (``damaged``: its absence is damage, in a replicate, not a wrong folder)."""
    error = DamagedResult if damaged else InputError
    file = folder / "manifest.json"
    if not file.exists():
        if damaged:
            raise DamagedResult(file, "is missing")
        if not folder.exists():
            raise InputError(folder, "no such folder" + near_miss(folder))
        owner = next((p for p in list(folder.parents)[:2] if (p / "manifest.json").is_file()), None)
        if owner is not None:  # its manifest.json, a table, replicates/: check takes the manifest, so compare is given it
            raise InputError(folder, f"is inside the results folder {owner}, not one itself: give {owner}")
        markers = read_markers(folder) if folder.is_dir() else (None, None)
        if markers[0] is not None:  # a sweep's or a calibration's: say which, and what reads a sweep
            hint = f"; python -m sim sweep-report {folder} reports it" if markers[0]["kind"] == "sweep" else ""
            raise InputError(folder, f"is {describe(folder, markers)}, not a run's or an ensemble's results{hint}")
        if folder.is_file() and (writer := _writer_of(folder)):
            raise InputError(folder, writer)
        what = "folder" if folder.is_dir() else "path"
        raise InputError(folder, f"not a results folder (no manifest.json in this {what})")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise error(file, f"unreadable manifest ({exc}): damaged or cut short, so the folder cannot be read; write the "
                          f"results again with another {flag('out')}, or remove the folder") from None
    if not isinstance(data, dict):
        raise error(file, "unreadable manifest: not a JSON object")
    integrity.check_manifest(file, data, error)
    return data


# --------------------------------------------------------------------------
# Sweeps
# --------------------------------------------------------------------------


def part_path(out: str | Path, key: int) -> Path:
    """The Parquet file holding the rows of a sweep's batch ``key``."""
    return Path(out) / PARTS / f"part-{key:06d}.parquet"


PART_NAME = re.compile(r"part-(\d{6})\.parquet")


def part_files(out: str | Path) -> dict[int, Path]:
    """A sweep folder's part files by batch (files not named as the simulator names parts are not parts)."""
    parts = Path(out) / PARTS
    found = {}
    for p in sorted(parts.iterdir()) if parts.is_dir() else []:
        m = PART_NAME.fullmatch(p.name)
        if m:
            found[int(m.group(1))] = p
    return found


def read_rows(out: str | Path, columns: list[str] | str | None = None) -> pd.DataFrame:
    """A sweep's rows, one per run, ordered by point and replicate.

    Each part is checked against the sweep's design (:func:`sim.analysis.integrity.check_part`). Every part of a sweep
    of a scenario holds the same columns; an ``evaluate`` of one's own may report a metric in some runs only, and a part
    none of whose runs did has no column for it: it reads NaN in those rows (:func:`sim.experiments.sweep.run_batches`).

    Args:
        out: the sweep folder.
        columns: the columns to read (default: all): a list of names, or one name; a parameter by path or alias, a
            metric by name or alias (:func:`~sim.analysis.metrics.column_named`), each once, under the rows' name for it.

    Raises:
        InputError: not a sweep's rows, a column they do not hold (named, with the closest or every one), an ambiguous alias.
        DamagedResult: a part cut short, copied from another batch, or of another schema.
    """
    out = as_path(out, "out")
    columns = [columns] if isinstance(columns, str) else columns  # one name: as a list, it was read letter by letter
    check_not_being_written(out)
    manifest = load_sweep_manifest(out) if (out / "sweep.json").exists() else None
    parts = part_files(out)
    if not parts:
        # "yet" only where a sweep was started: of a typo, an ensemble or runs.parquet itself it sent the user waiting.
        raise InputError(out, "no sweep rows here yet" if manifest is not None else _not_a_sweep(out))
    # The scenario's own evaluation (the only one whose outcomes hash a sweep records) gives every run every metric.
    same = manifest is None or manifest.get("outcomes_hash") is not None
    frames, first, held = [], None, {}
    for key, part in parts.items():
        try:
            rows = integrity.check_part(part, key, manifest) if manifest is not None else pd.read_parquet(part)
            if first is None:
                first = (part, list(rows.columns))
            elif same and list(rows.columns) != first[1]:
                raise DamagedResult(part, f"its columns differ from those of {first[0].name}")
        except DamagedResult as exc:
            raise DamagedResult(exc.file, exc.message + "; run the sweep's command again to redo it") from None
        held.update(dict.fromkeys(rows.columns))
        frames.append(rows if columns is None else rows[[c for c in rows if c in columns or alias(c) in columns]])
    if columns is not None:  # every part has the first's columns, or (an evaluate of one's own) a name is in some part
        parameters = [p["path"] for p in manifest["design"]["parameters"]] if manifest is not None else []
        try:  # which column each name or alias names, once every part is read (an alias two parameters share: refused)
            columns = list(dict.fromkeys(column_named(c, held, parameters) for c in columns))
        except InputError as exc:
            raise InputError(out, exc.message, key=flag("columns", about_file=True)) from None
        _check_columns(out, columns, list(held))
    table = pd.concat(frames, ignore_index=True)  # NaN in the rows of a part without a column
    if columns is not None:
        table = table[columns]
    if {"point", "replicate"} <= set(table):
        return table.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)
    return table


def _check_columns(out: Path, columns: list[str], held: list[str]) -> None:
    """Refuse a column the rows do not hold, naming it and the closest (pandas' KeyError listed neither)."""
    for name in columns:
        if name not in held:
            raise InputError(out, f"no column {name!r} in the sweep's rows" + close_or_grouped(
                str(name), held, f"the rows hold {len(held)} columns: point, replicate, seed, the parameters and the metrics"),
                key=flag("columns", about_file=True))


def load_sweep_manifest(folder: str | Path) -> dict:
    """A sweep folder's sweep.json: its design and inputs."""
    file = Path(folder) / "sweep.json"
    if not file.exists():
        raise InputError(folder, _not_a_sweep(Path(folder)))
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(file, f"unreadable sweep manifest: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != "sweep":
        raise InputError(file, "not a sweep manifest")
    integrity.check_sweep_manifest(file, data)
    return data


def _not_a_sweep(path: Path) -> str:
    """Why ``path``, given as a sweep folder, is not one, and what to give instead, as :func:`_manifest` says it of a
    results folder: a mistyped name, a run folder and the scenario file itself all read "not a sweep folder"."""
    if not path.exists():
        return "no such folder" + near_miss(path)
    owner = next((p for p in list(path.parents)[:2] if (p / "sweep.json").is_file()), None)
    if owner is not None:  # runs.parquet, sweep.json's neighbours, report/
        return f"is inside the sweep folder {owner}, not one itself: give {owner}"
    markers = read_markers(path) if path.is_dir() else (None, None)
    if markers[0] is not None and markers[0]["kind"] in ("run", "ensemble"):
        return (f"is {describe(path, markers)}, not a sweep; python -m sim compare {shown_path(str(path))} scores it "
                "(map and plot draw it)")
    if path.is_file() and path.suffix.lower() in (".yaml", ".yml"):
        try:
            kind = file_kind(load_yaml(path))
        except InputError:
            kind = None
        if kind in ("scenario", "sweep"):
            sweep = f"python -m sim sweep {shown_path(str(path))}" + (" --param PATH=LO:HI:STEPS" if kind == "scenario" else "")
            return f"this is a {kind} file, not a sweep folder: {sweep} writes a sweep and prints its folder; give that here"
    held = sorted(p.name for p in path.iterdir() if (p / "sweep.json").is_file()) if path.is_dir() else []
    if held:  # results/ itself, where every sweep is written
        shown = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
        return f"holds sweep folders, not one itself: give one of them ({shown})"
    return "not a sweep folder (no sweep.json)"
