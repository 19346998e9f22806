"""Which of the simulator's YAML inputs a file is: a scenario, a sweep or a calibration, by its top-level keys.

One rule for every reader and command: ``check`` uses it to choose a reader,
``sweep`` to tell a sweep file from a scenario, and each reader, meeting a key
it does not know, to say that the file is another kind and which command reads
it (``run sweeps/x.yaml`` said only "unknown key 'scenario'").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, shown_path
from .schema import Scenario

SCENARIO_KEYS = (*Scenario.model_fields, "extends", "remove_events")
SWEEP_KEYS = ("scenario", "parameters", "design", "sample", "n", "sample_seed", "replicate_seed", "runs", "metrics")
# sim.experiments.calibration_file.CalibrationFile's fields (a test keeps the two the same; io cannot import it).
CALIBRATION_KEYS = ("name", "description", "scenarios", "parameters", "outcomes", "replicates", "budget", "method",
                    "objective", "accept", "slices", "report", "layers")
KEYS = {"scenario": SCENARIO_KEYS, "sweep": SWEEP_KEYS, "calibration": CALIBRATION_KEYS}
COMMANDS = {"scenario": "run", "sweep": "sweep", "calibration": "calibrate"}
PYTHON = {"scenario": "sim.load_scenario", "sweep": "sim.load_sweep", "calibration": "sim.experiments.calibration_file.load_calibration"}


def file_kind(tree: Any) -> str:  # noqa: ANN401 - whatever the YAML holds
    """"scenario", "sweep" or "calibration": the kind with the most top-level keys that only it has (not a scenario on a
    tie: a sweep file's mistaken 'seed' is a scenario's key, and its reader says so); without a key only a
    scenario has, the one of the other two with more keys a scenario lacks (a sweep file missing its 'scenario' still
    has its 'parameters'); else a scenario, also when the file is not a mapping (its reader says what is wrong). A tie
    between a sweep and a calibration is a sweep."""
    keys = set(tree) if isinstance(tree, Mapping) else set()
    own = {kind: len(keys.intersection(mine).difference(*(k for other, k in KEYS.items() if other != kind)))
           for kind, mine in KEYS.items()}
    if max(own["sweep"], own["calibration"]) >= max(own["scenario"], 1):  # a sweep's 'seed' (a mistake it names) ties
        return "sweep" if own["sweep"] >= own["calibration"] else "calibration"
    if own["scenario"] == 0:
        rest = {kind: len(keys.intersection(KEYS[kind]).difference(SCENARIO_KEYS)) for kind in ("sweep", "calibration")}
        if any(rest.values()):
            return "sweep" if rest["sweep"] >= rest["calibration"] else "calibration"
    return "scenario"


def wrong_kind(path: str | Path, tree: Any, wanted: str) -> InputError | None:  # noqa: ANN401 - whatever the YAML holds
    """The error for a file of another kind than ``wanted`` given where a ``wanted`` file goes, or None if it is one."""
    kind = file_kind(tree)
    if kind == wanted:
        return None
    return InputError(path, f"this is a {kind} file, not a {wanted} file: use python -m sim {COMMANDS[kind]} {shown_path(str(path))} "
                      f"(in Python, {PYTHON[kind]})")
