"""Parameter sweeps: a design of parameter points, replicates at each, one Parquet row per run.

Replicate ``r`` of every point runs with seed ``scenario seed + r``: points
differ only by their parameters (common random numbers), and no seed depends
on which worker ran it. Runs go to the executors in batches fixed by the
size alone (:func:`batch_runs`: at least 32 batches, or one per run, and at most 64 runs
each), so a rerun can tell which are done, and a small sweep still keeps every worker busy.

A sweep folder::

    sweep.json                  the design and its inputs (a rerun must match it)
    points.csv                  point -> parameter values
    runs.parquet/part-*.parquet one row per run: point, replicate, seed, parameters, metrics

Rows are written as batches finish, each part file whole or not at all
(:mod:`sim.experiments.storage`), so memory stays flat and an interrupted
sweep resumes by running only the missing batches.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis.results import PARTS, read_rows
from ..errors import InputError
from ..io.files import write_atomic
from ..io.scenario import inputs_hash, load_scenario
from ..io.schema import Scenario
from ..version import package_version
from .designs import Design
from .executors import run_tasks
from .manifest import manifest_text, now
from .parameters import apply
from .run import simulate
from .storage import write_part, written_parts
from .sweep_file import SweepSpec

BATCH_RUNS = 64  # the most runs per task: enough to amortise dispatch, few enough to resume cheaply
MIN_BATCHES = 32  # any sweep is cut into at least this many batches (or one per run), so every worker gets some


def batch_runs(total: int) -> int:
    """Runs per batch for a sweep of ``total`` runs: at most :data:`BATCH_RUNS`, and at least
    :data:`MIN_BATCHES` batches, or one per run (100 runs: 33 batches of 3 and one of 1). Fixed by the
    sweep's size alone, never by the workers, so a rerun finds the same batches and part files do not
    depend on who ran them."""
    return max(1, min(BATCH_RUNS, total // MIN_BATCHES))


class ScenarioEvaluator:
    """The default evaluation: run the scenario at the point's values; its row is :meth:`RunResult.metrics`."""

    def __init__(self, scenario: Scenario, outcomes_file: Path | None = None) -> None:
        self.scenario = scenario
        self.outcomes_file = outcomes_file  # None: outcomes.yaml beside the claims record, if there is one

    def __call__(self, values: dict[str, float], seed: int) -> dict[str, float]:
        return simulate(apply(self.scenario, values), seed=seed).metrics(self.outcomes_file)


def run_batch(evaluate: Callable, names: list[str], items: list[tuple[int, int, int, tuple]]) -> pd.DataFrame:
    """Evaluate ``(point, replicate, seed, values)`` items into rows (runs in a worker)."""
    rows = []
    for point, replicate, seed, values in items:
        params = dict(zip(names, values, strict=True))
        rows.append({"point": point, "replicate": replicate, "seed": seed, **params, **evaluate(params, seed)})
    return pd.DataFrame(rows)


@dataclass
class SweepResult:
    path: Path
    manifest: dict
    ran: int  # runs evaluated in this call (the rest were already on disk)

    def table(self, columns: list[str] | None = None) -> pd.DataFrame:
        return read_rows(self.path, columns)


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool = False,
    evaluate: Callable | None = None,
    seed: int | None = None,
) -> SweepResult:
    """Run every (point, replicate) of ``spec`` not yet in ``out``, streaming rows to Parquet.

    Args:
        spec: the scenario, design and replicates per point.
        out: the sweep folder; rerunning with the same spec resumes it.
        workers: processes (local) or Dask workers.
        executor: ``"local"`` or ``"dask"`` (``scheduler`` joins a running cluster).
        progress: show a progress bar with an ETA.
        evaluate: ``f(values, seed) -> {metric: float}``, a module-level callable;
            default: run the scenario and compute :func:`sim.analysis.metrics.run_metrics`.
        seed: seed of replicate 0 at every point (default: the sweep file's ``replicate_seed``,
            else the scenario's); not the sample seed, which places a sampled design's points.
    """
    out = Path(out)
    seed = spec.replicate_seed if seed is None else seed
    if evaluate is None:
        scenario = load_scenario(spec.scenario_path)
        for name in spec.design.names:  # a wrong path fails here, before any work
            apply(scenario, {name: spec.design.points[0][spec.design.names.index(name)]}, spec.scenario_path)
        evaluate = ScenarioEvaluator(scenario)
        base_seed = scenario.seed if seed is None else seed
        inputs = inputs_hash(scenario)
    else:
        base_seed = seed or 0
        inputs = f"{evaluate.__module__}.{getattr(evaluate, '__qualname__', type(evaluate).__qualname__)}"
    manifest = {
        "kind": "sweep",
        "scenario": str(spec.scenario_path),
        "inputs_hash": inputs,
        "design": spec.design.describe(),
        "points": len(spec.design.points),
        "runs_per_point": spec.runs,
        "seed": base_seed,
        "metrics": spec.metrics,
        "batch_runs": batch_runs(len(spec.design.points) * spec.runs),
        "package_version": package_version(),
    }
    batches = _batches(spec, base_seed, manifest["batch_runs"])
    done = _prepare(out, manifest, spec.design)
    todo = [(k, (evaluate, spec.design.names, items)) for k, items in enumerate(batches) if k not in done]

    from tqdm import tqdm  # imported here: only long work draws progress bars

    total = len(spec.design.points) * spec.runs
    finished = sum(len(batches[k]) for k in done)
    bar = tqdm(total=total, initial=finished, unit="run", disable=None if progress else True, desc="sweep")
    ran = 0
    try:
        for key, rows in run_tasks(run_batch, todo, workers=workers, executor=executor, scheduler=scheduler):
            write_part(out, key, rows)
            ran += len(rows)
            bar.update(len(rows))
    finally:
        bar.close()
    return SweepResult(out, manifest, ran)


def _batches(spec: SweepSpec, base_seed: int, size: int) -> list[list[tuple[int, int, int, tuple]]]:
    """(point, replicate, seed, values) items cut into batches fixed by the design alone."""
    items = [(p, r, base_seed + r, tuple(float(v) for v in values))
             for p, values in enumerate(spec.design.points) for r in range(spec.runs)]
    return [items[i : i + size] for i in range(0, len(items), size)]


def _prepare(out: Path, manifest: dict, design: Design) -> set[int]:
    """Create or reopen the sweep folder; return the batches already written."""
    file = out / "sweep.json"
    manifest = json.loads(json.dumps(manifest))  # compare as stored: tuples become lists
    if file.exists():
        old = json.loads(file.read_text())
        if {k: v for k, v in old.items() if k != "created_at"} != manifest:
            raise InputError(out, "holds a different sweep (another design, scenario or inputs); choose another --out")
    elif out.exists() and any(out.iterdir()):
        raise InputError(out, "exists and is not a sweep folder; choose another --out")
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    if not file.exists():
        table = pd.DataFrame(design.points, columns=design.names)
        table.insert(0, "point", range(len(table)))
        write_atomic(out / "points.csv", table.to_csv(index=False, lineterminator="\n"))
        write_atomic(file, manifest_text({**manifest, "created_at": now()}))
    return written_parts(out)
