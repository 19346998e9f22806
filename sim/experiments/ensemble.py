"""Ensembles: N seeded replicates of a scenario, run in parallel, summarised.

Replicate ``i`` of a scenario with seed ``s`` runs with seed ``s + i``, so
any replicate can be rerun alone (``python -m sim run SCENARIO --seed s+i``)
and a what-if that extends a scenario meets the same random draws until it
diverges (paired comparisons). Results never depend on the number of workers:
each replicate is independent and summaries are computed in seed order.

An ensemble folder::

    manifest.json            kind "ensemble", the seeds, "complete" once summarised
    runs/seed-<s>/           one run folder per replicate (as ``python -m sim run`` writes)
    control_prob.csv         date, town, p_regime, p_hts, p_rebels
    captures.csv             every change of hands in every replicate
    capture_dates.csv        per (town, new controller): share of replicates, date quantiles
    timeseries_quantiles.csv per (date, variable): mean and quantiles

Every file appears complete or not at all. Replicates already finished in
the folder (same inputs, same seed) are kept, so an interrupted ensemble is
finished by running the same command again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..analysis.aggregate import all_captures, capture_dates, control_probabilities, timeseries_quantiles
from ..analysis.results import RUNS_DIR, Results, RunData, load_run, run_folder_name
from ..errors import InputError, Interrupted
from ..io.files import write_atomic
from ..io.scenario import inputs_hash
from ..io.schema import Scenario
from ..io.theatre import load_theatre
from .executors import run_tasks
from .manifest import manifest as make_manifest
from .manifest import manifest_text, now
from .run import simulate
from .rundir import write_run

MAX_SEED = 2**63 - 1
SUMMARY_FILES = ("control_prob.csv", "captures.csv", "capture_dates.csv", "timeseries_quantiles.csv")


def replicate_seeds(scenario: Scenario, runs: int) -> list[int]:
    """The seeds of an ensemble's replicates: the scenario's seed, then the next ones."""
    if runs < 1:
        raise InputError(None, f"--runs must be at least 1 (got {runs})", key="--runs")
    if scenario.seed + runs - 1 > MAX_SEED:
        raise InputError(None, f"seed {scenario.seed} leaves no room for {runs} replicates", key="seed")
    return [scenario.seed + i for i in range(runs)]


def run_ensemble(
    scenario: Scenario,
    runs: int,
    out: str | Path,
    *,
    workers: int = 1,
    scenario_path: Path | None = None,
    progress: bool = False,
) -> Results:
    """Run ``runs`` replicates of ``scenario`` into the ensemble folder ``out``.

    Args:
        scenario: from :func:`sim.load_scenario`; its seed is replicate 0's.
        runs: number of replicates.
        out: the ensemble folder (created, or resumed if it holds this ensemble).
        workers: processes running replicates at once (1 runs them in this process).
        scenario_path: recorded in the manifests.
        progress: show a progress bar on the terminal.

    Raises:
        Interrupted: on Ctrl-C; the replicates finished so far are kept.
    """
    out = Path(out)
    seeds = replicate_seeds(scenario, runs)
    digest = inputs_hash(scenario)
    manifest = make_manifest("ensemble", scenario, scenario_path, content_hash=digest, seed=scenario.seed, started=now(),
                             replicates=seeds)
    kept = _prepare(out, manifest, seeds, digest)
    theatre = load_theatre(scenario.theatre)
    finished: dict[int, RunData] = {s: load_run(out / RUNS_DIR / run_folder_name(s), theatre) for s in kept}
    todo = [s for s in seeds if s not in finished]

    from tqdm import tqdm  # imported here: only ensembles draw progress bars

    bar = tqdm(total=len(seeds), initial=len(kept), unit="run", disable=None if progress else True, desc=scenario.name)
    try:
        for run in _replicates(scenario, todo, out, scenario_path, workers):
            finished[run.seed] = run
            bar.update()
    except KeyboardInterrupt:
        raise Interrupted(out, len(finished), len(seeds)) from None
    finally:
        bar.close()

    results = [finished[s] for s in seeds]
    _write_summaries(out, results, theatre.towns)
    manifest["complete"] = True
    manifest["finished_at"] = now()
    write_atomic(out / "manifest.json", manifest_text(manifest))
    return Results(out, manifest, theatre, results, len(seeds))


def _prepare(out: Path, manifest: dict, seeds: list[int], digest: str) -> list[int]:
    """Make ``out`` this ensemble's folder; return the seeds already finished there.

    Anything in ``runs/`` that is not a finished replicate of these inputs
    (another seed, other inputs, a leftover temporary folder) is removed, so
    the folder never mixes two ensembles.
    """
    if out.exists() and not (out / "manifest.json").exists() and any(out.iterdir()):
        raise InputError(out, "exists and is not a results folder; choose another --out")
    runs_dir = out / RUNS_DIR
    runs_dir.mkdir(parents=True, exist_ok=True)
    wanted = {run_folder_name(s): s for s in seeds}
    kept = []
    for entry in sorted(runs_dir.iterdir()):
        seed = wanted.get(entry.name)
        if seed is not None and _finished(entry, digest):
            kept.append(seed)
        else:
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
    for stale in SUMMARY_FILES:
        (out / stale).unlink(missing_ok=True)
    write_atomic(out / "manifest.json", manifest_text(manifest))
    return sorted(kept)


def _finished(folder: Path, digest: str) -> bool:
    try:
        return json.loads((folder / "manifest.json").read_text())["content_hash"] == digest
    except (OSError, ValueError, KeyError):
        return False


def _replicates(scenario: Scenario, seeds: list[int], out: Path, scenario_path: Path | None, workers: int) -> Iterator[RunData]:
    """Run the replicates, yielding each as it finishes (in any order)."""
    tasks = [(seed, (scenario, seed, out, scenario_path)) for seed in seeds]
    for _, run in run_tasks(_replicate, tasks, workers=workers):
        yield run


def _replicate(scenario: Scenario, seed: int, out: Path, scenario_path: Path | None) -> RunData:
    result = simulate(scenario, seed=seed)
    write_run(result, out / RUNS_DIR / run_folder_name(seed), scenario_path=scenario_path, map_png=False)
    return RunData.of(result)


def _write_summaries(out: Path, runs: list[RunData], towns: list[str]) -> None:
    tables = {
        "control_prob.csv": control_probabilities(runs, towns),
        "captures.csv": all_captures(runs),
        "capture_dates.csv": capture_dates(runs),
        "timeseries_quantiles.csv": timeseries_quantiles(runs),
    }
    for name, table in tables.items():
        write_atomic(out / name, table.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
