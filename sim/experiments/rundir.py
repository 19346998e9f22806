"""Writing a run folder: all of it or nothing.

The files are written into a hidden temporary folder beside the target,
which is renamed into place at the end (:func:`sim.io.files.atomic_folder`),
so an interrupted or failed run never leaves a half-written folder that looks
complete.
"""

from __future__ import annotations

from pathlib import Path

from ..io.files import atomic_folder
from .manifest import manifest, manifest_text
from .run import RunResult

RUN_FILES = ("manifest.json", "control.csv", "events.csv", "timeseries.csv", "posts.csv")


def run_manifest(result: RunResult, scenario_path: Path | None) -> dict:
    return manifest("run", result.scenario, scenario_path, content_hash=result.content_hash, seed=result.seed,
                    started=result.started, finished=result.finished)


def write_run(result: RunResult, out: str | Path, *, scenario_path: Path | None = None, map_png: bool = True) -> Path:
    """Write manifest.json, control.csv, events.csv, timeseries.csv, posts.csv and control_map.png into ``out``.

    An existing folder at ``out`` is replaced only once the new one is complete.
    """
    out = Path(out)
    with atomic_folder(out) as tmp:
        (tmp / "manifest.json").write_text(manifest_text(run_manifest(result, scenario_path)), encoding="utf-8")
        result.control.to_csv(tmp / "control.csv", index=False, lineterminator="\n")
        result.events.to_csv(tmp / "events.csv", index=False, lineterminator="\n")
        result.timeseries.to_csv(tmp / "timeseries.csv", index=False, lineterminator="\n")
        result.posts.to_csv(tmp / "posts.csv", index=False, lineterminator="\n")
        if map_png:
            from ..viz.figures import draw_control_map  # matplotlib is slow to import

            draw_control_map(result, tmp / "control_map.png")
    return out
