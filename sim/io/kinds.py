"""Which of the simulator's files a file is: a scenario, a sweep or a calibration (by its top-level keys), the
record's outcomes or claims file, a theatre index, or a results folder's manifest.

One rule for every reader and command: ``check`` uses it to choose a reader,
``sweep`` to tell a sweep file from a scenario, and each reader, meeting a key
it does not know, to say that the file is another kind and which command reads
it (``run sweeps/x.yaml`` said only "unknown key 'scenario'"; ``check
seeds/outcomes.yaml`` "unknown key 'claims'", as if it were a broken scenario).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, shown_path
from .files import SCENARIOS
from .safe_yaml import load_yaml
from .schema import Scenario
from .theatre_tables import INDEX_KEYS

SCENARIO_KEYS = (*Scenario.model_fields, "extends", "remove_events")
SWEEP_KEYS = ("scenario", "parameters", "design", "sample", "n", "sample_seed", "replicate_seed", "runs", "metrics")
# sim.experiments.calibration_file.CalibrationFile's fields (a test keeps the two the same; io cannot import it).
CALIBRATION_KEYS = ("name", "description", "scenarios", "parameters", "outcomes", "replicates", "budget", "method",
                    "objective", "accept", "slices", "report", "layers")
KEYS = {"scenario": SCENARIO_KEYS, "sweep": SWEEP_KEYS, "calibration": CALIBRATION_KEYS}
COMMANDS = {"scenario": "run", "sweep": "sweep", "calibration": "calibrate"}
RESULTS = ("run", "ensemble", "sweep", "calibration", "outputs")  # the ``kind`` of a results folder's marker (sim.io.outputs)
PYTHON = {"scenario": "sim.load_scenario", "sweep": "sim.load_sweep", "calibration": "sim.experiments.calibration_file.load_calibration"}


def file_kind(tree: Any) -> str:  # noqa: ANN401 - whatever the YAML holds
    """"claims", "outcomes", "theatre" or "results" by their shape (:func:`record_kind`); otherwise "scenario", "sweep" or
    "calibration": the kind with the most top-level keys that only it has (not a scenario on a
    tie: a sweep file's mistaken 'seed' is a scenario's key, and its reader says so); without a key only a
    scenario has, the one of the other two with more keys a scenario lacks (a sweep file missing its 'scenario' still
    has its 'parameters'); else a scenario, also when the file is not a mapping (its reader says what is wrong). A tie
    between a sweep and a calibration is a sweep."""
    if other := record_kind(tree):
        return other
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


CLAIMS_KEYS = ("claims", "sources")  # a claims record's keys (its reader reads 'claims'; 'sources' lists the outlets)
# What the error calls a file of each kind that a scenario names where another kind goes (`theatre:`, `claims:`,
# `extends:`).
NAMED = {"scenario": "a scenario", "sweep": "a sweep file", "calibration": "a calibration file", "theatre": "a theatre index",
         "claims": "a claims record", "outcomes": "an outcomes file", "results": "a results folder's manifest"}


def named_kind(path: Path, wanted: str) -> str | None:
    """What the file at ``path``, named where a ``wanted`` file goes ("scenario", "theatre", "claims"), plainly is when it is
    another kind ("a CSV table", "a scenario"...), or None: a file of that kind, or perhaps a broken one, which its
    reader names in it (a theatre index whose 'towns' is a list is no theatre to :func:`file_kind`, and no scenario)."""
    if path.suffix.lower() == ".csv":  # read as YAML, a table's second line was an indentation error
        return "a CSV table"
    tree = load_yaml(path)
    kind = file_kind(tree)
    if kind == wanted:
        return None
    own = {"theatre": INDEX_KEYS, "claims": CLAIMS_KEYS}.get(wanted)
    keys = set(tree) if isinstance(tree, Mapping) else set()
    if own is not None and record_kind(tree) is None and not keys.intersection(KEYS[kind]).difference(own):
        return None  # no key of its own kind that a `wanted` file lacks: judged by its keys, a broken `wanted` one
    return NAMED[kind]


def record_kind(tree: Any) -> str | None:  # noqa: ANN401 - whatever the YAML holds
    """"claims" (a claims record: ``claims:`` a list, where a scenario names a file), "theatre" (a theatre index:
    ``towns:`` and ``roads:`` naming its tables), "outcomes" (reported outcomes:
    ``outcomes:`` a list, where a calibration has a mapping, and no key only a calibration has), "results" (a results folder's manifest: a ``kind`` of
    :data:`RESULTS`, a key no input has), or None."""
    if not isinstance(tree, Mapping):
        return None
    if isinstance(tree.get("claims"), list):
        return "claims"
    if isinstance(tree.get("outcomes"), list) and not set(tree) & (set(CALIBRATION_KEYS) - {"outcomes", "name", "description"}):
        return "outcomes"  # its reader names a misspelt key
    if isinstance(tree.get("kind"), str) and tree["kind"] in RESULTS:
        return "results"
    if isinstance(tree.get("towns"), str) and isinstance(tree.get("roads"), str):
        return "theatre"  # a theatre index names its tables (a scenario names the index with `theatre:`)
    return None


def results_error(path: str | Path) -> InputError:
    """What a results folder (``path``, or its manifest) is and what reads it: it is no input to check or run."""
    from .outputs import describe, marker

    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    found = marker(folder)
    shown = shown_path(str(folder))
    reads = f"compare (against the record), map or plot: python -m sim compare {shown} (in Python, sim.load_results({shown!r}))"
    use = {"sweep": f"sweep-report or discover: python -m sim sweep-report {shown}",
           "calibration": f"its report.md; python -m sim calibrate CALIBRATION --out {shown} --report-only rewrites it",
           "outputs": None}.get(found["kind"] if found else "run", reads)
    what = ("the manifest of " if folder != Path(path) else "") + (describe(folder) if found else "a results folder")
    return InputError(path, f"this is {what}, written by the simulator, not an input file" +
                      (f": read it with {use}" if use else " (figures and reports to read)"))


def wrong_kind(path: str | Path, tree: Any, wanted: str) -> InputError | None:  # noqa: ANN401 - whatever the YAML holds
    """The error for a file of another kind than ``wanted`` given where a ``wanted`` file goes, or None if it is one."""
    kind = file_kind(tree)
    if kind == wanted:
        return None
    shown = shown_path(str(path))
    if kind == "results":
        return results_error(path)
    if kind == "outcomes":
        return InputError(path, f"this is an outcomes file (what the record says happened, which runs are scored against), "
                          f"not a {wanted} file: give it to python -m sim compare RESULTS_DIR --outcomes {shown} (in "
                          f"Python, sim.scorecard(results, {shown!r})); python -m sim check {shown} checks it")
    a = "an" if wanted[0] in "aeiou" else "a"  # "not an outcomes file"
    if kind == "theatre":
        return InputError(path, f"this is a theatre (the places, roads, posts and border a scenario is played on), not {a} "
                          f"{wanted} file: a scenario names it with `theatre:`; python -m sim check {shown} checks it")
    if kind == "claims":
        return InputError(path, f"this is a claims record (the documented claims that events and outcomes cite by id), not {a} "
                          f"{wanted} file: a scenario names it with `claims:`; python -m sim check {shown} checks it")
    return InputError(path, f"this is a {kind} file, not {a} {wanted} file: use python -m sim {COMMANDS[kind]} {shown_path(str(path))} "
                      f"(in Python, {PYTHON[kind]})")


def shipped_names() -> frozenset[str]:
    """The paths under ``scenarios/`` that ``scenarios/shipped.txt`` names: the project's own scenarios.

    A what-if the app saves (to ``scenarios/whatif/`` by default) or a user writes lands beside them, and
    ``python -m sim`` listed it as shipped: what the list does not name is the user's own. None without the list
    (an installed copy has no scenarios).
    """
    listed = SCENARIOS / "shipped.txt"
    if not listed.is_file():
        return frozenset()
    lines = (line.strip() for line in listed.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def shipped_scenario_files() -> list[Path]:
    """The scenarios shipped beside the package (``scenarios/*.yaml``, then ``scenarios/whatif/*.yaml``), in a source
    checkout; none in an installed copy (``pip install .`` installs the package alone, without the scenarios), so a
    caller can say that rather than that none of them fits. A user's own file beside them is not one."""
    shipped = shipped_names()
    return [f for f in scenario_files() if f.relative_to(SCENARIOS).as_posix() in shipped]


def own_scenario_files() -> list[Path]:
    """The user's own ``*.yaml`` files in ``scenarios/`` and ``scenarios/whatif/``: there, but not shipped."""
    shipped = shipped_names()
    return [f for f in scenario_files() if f.relative_to(SCENARIOS).as_posix() not in shipped]


def scenario_files() -> list[Path]:
    """Every ``*.yaml`` in ``scenarios/`` (sorted), then in ``scenarios/whatif/``."""
    return sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "whatif").glob("*.yaml"))
