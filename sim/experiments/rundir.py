"""Writing a run folder: all of it or nothing, and only where a run folder may go.

The files are written into a hidden temporary folder beside the target,
which is renamed into place at the end (:func:`sim.io.files.atomic_folder`),
so an interrupted or failed run never leaves a half-written folder that looks
complete. The manifest records each table's rows and SHA-256, so that reading
the folder back can tell a whole table from a damaged one
(:func:`sim.analysis.results.load_run`).

:func:`write_run` writes only into a new folder or a run folder of the same
scenario holding nothing but the simulator's files
(:func:`sim.io.outputs.claim_folder`), holding the folder's lock while it does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError, check_switch
from ..io.files import as_path, atomic_folder, remove_stale_temps, table_text
from ..io.folder_lock import FolderLock
from ..io.outputs import OUT, claim_folder
from ..names import HOLDERS
from .manifest import manifest, manifest_text
from .run import RunResult

RUN_FILES = ("manifest.json", "control.csv", "events.csv", "timeseries.csv", "posts.csv")


def control_csv(result: RunResult) -> bytes:
    """control.csv, byte for byte what ``result.control.to_csv`` writes, in a tenth of the time.

    It is most of a replicate's folder (a row per town and day), and pandas took some 25 ms a
    replicate to build and write it; a town whose name would need quoting goes the pandas way.
    """
    towns = result.theatre.towns
    if any(c in name for name in towns for c in ',"\n\r'):
        return result.control.to_csv(index=False, lineterminator="\n").encode("utf-8")
    rest = [[f",{town},{holder}\n" for holder in HOLDERS] for town in towns]
    body = "".join(date + rest[t][code] for date, row in zip(result.dates(), result.history.tolist(), strict=True)
                   for t, code in enumerate(row))
    return ("date,town,controller\n" + body).encode("utf-8")


def run_manifest(result: RunResult, scenario_path: Path | None, files: dict | None = None) -> dict:
    out = manifest("run", result.scenario, scenario_path, content_hash=result.content_hash, seed=result.seed,
                   started=result.started, finished=result.finished)
    if files is not None:
        out["files"] = files
    return out


def write_run(result: RunResult, out: str | Path, *, scenario_path: Path | None = None, map_png: bool = True) -> Path:
    """Write manifest.json, control.csv, events.csv, timeseries.csv, posts.csv and control_map.png into ``out``.

    ``out`` must be new (or empty), or a run folder of the same scenario (and, given
    ``scenario_path``, of the same file), which is replaced only once the new one is complete.

    Raises:
        InputError: ``result`` is not a :class:`~sim.RunResult`, something else is at ``out``, or another process is
            writing it.
    """
    check_switch(map_png, "map_png")
    if not isinstance(result, RunResult):  # the Results of load_results or None raised an AttributeError
        raise InputError(None, f"needs the RunResult of sim.simulate (got a {type(result).__name__}); an ensemble's folder "
                         "is written by sim.run_ensemble", key="result")
    out = as_path(out, OUT)
    with FolderLock(out):
        claim_folder(out, "run", scenario=result.scenario.name, source=scenario_path)
        remove_stale_temps(out)  # the folder a killed writer left half-written beside it
        return write_run_files(result, out, scenario_path=scenario_path, map_png=map_png)


def write_run_files(result: RunResult, out: Path, *, scenario_path: Path | None = None, map_png: bool = True) -> Path:
    """Write a run folder at ``out`` (replacing one there) without checking what it replaces: for replicates."""
    tables = {"events.csv": result.events, "timeseries.csv": result.timeseries, "posts.csv": result.posts}
    texts = {"control.csv": control_csv(result),
             **{name: table_text(table).encode("utf-8") for name, table in tables.items()}}  # 15942 people, not 15942.0
    rows = {"control.csv": result.history.size, **{name: len(table) for name, table in tables.items()}}
    files = {name: {"rows": rows[name], "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
             for name, data in texts.items()}
    with atomic_folder(out) as tmp:
        (tmp / "manifest.json").write_text(manifest_text(run_manifest(result, scenario_path, files)), encoding="utf-8")
        for name, data in texts.items():
            (tmp / name).write_bytes(data)
        if map_png:
            from ..viz.figures import draw_control_map  # matplotlib is slow to import

            draw_control_map(result, tmp / "control_map.png")
    return out
