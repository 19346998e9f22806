"""Ensembles across a parameter set: parameter uncertainty as well as chance (``run --runs N --param-set FILE``).

A parameter set is a CSV with one column per dotted parameter path and one
row per parameter vector — a calibration's accepted set
(``scenarios/calibrated/<name>.accepted.csv``); the columns ``trial``,
``objective`` and ``se`` are read as labels. Replicate ``i`` (seed
``scenario seed + i``, as in every ensemble) runs with row ``i mod K``, so
each of the K rows gets N/K replicates and the ensemble mixes parameter
uncertainty with chance; without ``--runs``, ``run`` uses the first row (the
best). The folder is an ensemble folder like any other (``compare``, ``map``
and ``plot`` read it); its manifest lists the row of every replicate, and
each replicate's own manifest holds its resolved parameters.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..analysis.aggregate import all_captures, capture_dates, control_probabilities, timeseries_quantiles
from ..analysis.results import RUNS_DIR, Results, RunData, run_folder_name
from ..errors import InputError
from ..io.files import write_atomic
from ..io.schema import Scenario
from ..io.scenario import inputs_hash
from ..io.theatre import load_theatre
from .ensemble import replicate_seeds
from .executors import run_tasks
from .manifest import manifest, manifest_text, now
from .parameters import apply
from .run import simulate_batch
from .rundir import write_run

LABELS = ("trial", "objective", "se")


def load_param_set(path: str | Path, scenario: Scenario) -> list[dict[str, float]]:
    """The rows of a parameter-set CSV, each checked against ``scenario`` (a bad path or value is an InputError)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no parameter set here (a CSV with one column per parameter path)", key="--param-set")
    try:
        table = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(path, f"unreadable parameter set: {exc}") from None
    names = [c for c in table.columns if c not in LABELS]
    if table.empty or not names:
        raise InputError(path, "the parameter set has no rows or no parameter columns")
    rows = []
    for i, record in enumerate(table[names].to_dict("records")):
        bad = [k for k, v in record.items() if not isinstance(v, int | float) or not math.isfinite(v)]
        if bad:
            raise InputError(path, f"row {i + 1}: '{bad[0]}' is not a number", line=i + 2, key=bad[0])
        row = {k: float(v) for k, v in record.items()}
        apply(scenario, row, where=path)  # every row must make a valid scenario
        rows.append(row)
    return rows


def _replicates(scenario: Scenario, row: dict[str, float], seeds: list[int], out: Path, scenario_path: Path | None) -> list[RunData]:
    sc = apply(scenario, row)
    runs = []
    for result in simulate_batch(sc, seeds):
        write_run(result, out / RUNS_DIR / run_folder_name(result.seed), scenario_path=scenario_path, map_png=False)
        runs.append(RunData.of(result))
    return runs


def run_across(scenario: Scenario, rows: list[dict[str, float]], runs: int, out: str | Path, *, workers: int = 1,
               scenario_path: Path | None = None, param_set: Path | None = None, progress: bool = False) -> Results:
    """Run ``runs`` replicates of ``scenario``, replicate ``i`` with ``rows[i % len(rows)]``, into the ensemble folder ``out``."""
    from tqdm import tqdm

    out = Path(out)
    seeds = replicate_seeds(scenario, runs)
    if out.exists() and any(out.iterdir()):
        raise InputError(out, "exists and is not empty; choose another --out (an ensemble across a parameter set is not resumed)",
                         key="--out")
    hashes = [inputs_hash(apply(scenario, row)) for row in rows]
    data = manifest("ensemble", scenario, scenario_path, content_hash="various: see each replicate", seed=scenario.seed,
                    started=now(), replicates=seeds)
    data["parameter_set"] = {"file": str(param_set) if param_set else None, "rows": len(rows),
                             "row_of_seed": {str(s): i % len(rows) for i, s in enumerate(seeds)},
                             "content_hash_of_seed": {str(s): hashes[i % len(rows)] for i, s in enumerate(seeds)}}
    (out / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(out / "manifest.json", manifest_text(data))
    tasks = [(k, (scenario, row, seeds[k :: len(rows)], out, scenario_path)) for k, row in enumerate(rows) if seeds[k :: len(rows)]]
    finished: dict[int, RunData] = {}
    bar = tqdm(total=len(seeds), unit="run", disable=None if progress else True, desc=scenario.name)
    try:
        for _, part in run_tasks(_replicates, [k for k, _ in tasks], dict(tasks).__getitem__, workers=workers):
            finished.update((r.seed, r) for r in part)
            bar.update(len(part))
    finally:
        bar.close()
    results = [finished[s] for s in seeds]
    towns = load_theatre(scenario.theatre).towns
    for name, table in {"control_prob.csv": control_probabilities(results, towns), "captures.csv": all_captures(results),
                        "capture_dates.csv": capture_dates(results), "timeseries_quantiles.csv": timeseries_quantiles(results)}.items():
        write_atomic(out / name, table.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
    data.update(complete=True, finished_at=now())
    write_atomic(out / "manifest.json", manifest_text(data))
    return Results(out, data, load_theatre(scenario.theatre), results, len(seeds))
