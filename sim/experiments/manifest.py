"""The manifest of a run or ensemble folder: what was run, on which inputs, by which version, when.

One builder for both, so a run folder and an ensemble folder (and each of
its replicates) describe their inputs the same way. ``inputs`` records where
the theatre and the claims record were read from, so analysis can find them
again; ``content_hash`` covers their content (:func:`sim.io.scenario.inputs_hash`), and ``input_sha256`` holds
each file's own hash (:func:`sim.io.scenario.input_file_hashes`), so that a folder whose inputs changed since can
name the file that did (folders written before it have the one hash alone).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..io.scenario import input_file_hashes
from ..io.schema import Scenario
from ..version import package_version


def now() -> str:
    """The current UTC time, to the second, as manifests record it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def manifest(kind: str, scenario: Scenario, scenario_path: Path | None, *, content_hash: str, seed: int, started: str,
             finished: str | None = None, replicates: list[int] | None = None) -> dict:
    """The manifest of a folder of ``kind`` "run" or "ensemble" (whose ``replicates`` are its seeds).

    An ensemble's manifest starts with ``complete: false`` and gains
    ``finished_at`` once every replicate is summarised.
    """
    out: dict = {
        "kind": kind,
        "scenario": str(scenario_path) if scenario_path else scenario.name,
        "scenario_name": scenario.name,
    }
    if scenario_path:  # as given, relative to where the command ran, and resolved: the same file named from elsewhere
        out["scenario_file"] = str(Path(scenario_path).resolve())
    out.update({
        "content_hash": content_hash,
        "seed": seed,
    })
    if replicates is not None:
        out["runs"] = len(replicates)
        out["seeds"] = replicates
    out.update({
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "package_version": package_version(),
        "parameters": json.loads(scenario.canonical_json()),
        "inputs": {"theatre": str(scenario.theatre), "claims": str(scenario.claims)},
        "input_sha256": input_file_hashes(scenario),
    })
    if kind == "ensemble":
        out["complete"] = False
    out["started_at"] = started
    if finished is not None:
        out["finished_at"] = finished
    return out


def manifest_text(data: dict) -> str:
    """A manifest as written to ``manifest.json``."""
    return json.dumps(data, indent=2) + "\n"
