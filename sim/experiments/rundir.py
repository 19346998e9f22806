"""Writing a run folder: all of it or nothing.

Files are written into a hidden temporary folder beside the target and the
folder is renamed into place at the end, so an interrupted or failed run
never leaves a half-written folder that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from .run import RunResult
from ..io.scenario import Scenario


def manifest(result: RunResult, scenario_path: Path | None) -> dict:
    sc = result.scenario
    return {
        "kind": "run",
        "scenario": str(scenario_path) if scenario_path else sc.name,
        "scenario_name": sc.name,
        "content_hash": result.content_hash,
        "seed": result.seed,
        "start": sc.start.isoformat(),
        "end": sc.end.isoformat(),
        "package_version": __version__,
        "parameters": json.loads(sc.canonical_json()),
        "inputs": inputs(sc),
        "started_at": result.started,
        "finished_at": result.finished,
    }


def inputs(scenario: Scenario) -> dict:
    """Where the theatre and seeds record were read from, so analysis can find them again."""
    return {"theatre": str(scenario.theatre), "seeds": str(scenario.seeds)}


def write_run(result: RunResult, out: str | Path, *, scenario_path: Path | None = None, map_png: bool = True) -> Path:
    """Write manifest.json, control.csv, events.csv, timeseries.csv and control_map.png into ``out``.

    An existing folder at ``out`` is replaced only once the new one is complete.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        (tmp / "manifest.json").write_text(json.dumps(manifest(result, scenario_path), indent=2) + "\n", encoding="utf-8")
        result.control.to_csv(tmp / "control.csv", index=False, lineterminator="\n")
        result.events.to_csv(tmp / "events.csv", index=False, lineterminator="\n")
        result.timeseries.to_csv(tmp / "timeseries.csv", index=False, lineterminator="\n")
        if map_png:
            from ..viz.mapping import draw_control_map  # matplotlib is slow to import

            draw_control_map(result, tmp / "control_map.png")
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        _replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def write_atomic(path: Path, text: str) -> None:
    """Write a text file so that readers see the old content or the new, never a part."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _replace_dir(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
