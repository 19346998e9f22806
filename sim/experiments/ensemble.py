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
the folder (same inputs, same seed, same package version, and whole: see
:func:`sim.analysis.results.load_run`) are kept, so an interrupted ensemble
is finished by running the same command again; a damaged replicate is run
again. The folder's lock keeps a second writer out, and a rerun that changes
what the folder holds removes what was derived from the old content
(comparisons, maps, plots).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..analysis.aggregate import all_captures, capture_dates, control_probabilities, timeseries_quantiles
from ..analysis.results import RUNS_DIR, Results, RunData, load_run, replicate_key, run_folder_name
from ..errors import DamagedResult, InputError, Interrupted
from ..io.files import remove, write_atomic
from ..io.outputs import FolderLock, claim_folder, remove_derived
from ..io.scenario import inputs_hash
from ..io.schema import Scenario
from ..io.theatre import Theatre, load_theatre
from .executors import run_tasks
from .manifest import manifest as make_manifest
from .manifest import manifest_text, now
from .run import simulate_batch
from .rundir import write_run_files

MAX_SEED = 2**63 - 1
BATCH = 32  # replicates stepped together in one task: most of the gain of batching, and a Ctrl-C loses little
MAX_RUNS = 100_000
MAX_WORKERS = 64
SUMMARY_FILES = ("control_prob.csv", "captures.csv", "capture_dates.csv", "timeseries_quantiles.csv")
REPLICATE = re.compile(r"seed-\d+")
REPLICATE_TEMP = re.compile(r"\.seed-\d+\.(tmp|old)-\d+-[0-9a-f]{8}")


def replicate_seeds(scenario: Scenario, runs: int) -> list[int]:
    """The seeds of an ensemble's replicates: the scenario's seed, then the next ones."""
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise InputError(None, f"must be a whole number from 1 to {MAX_RUNS:,} (got {runs!r})", key="--runs")
    if scenario.seed + runs - 1 > MAX_SEED:
        raise InputError(None, f"seed {scenario.seed} leaves no room for {runs} replicates (seeds stop at 2**63 - 1)",
                         key="--seed")
    return [scenario.seed + i for i in range(runs)]


def check_workers(workers: int) -> int:
    """``workers``, if it is a whole number from 1 to :data:`MAX_WORKERS`."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise InputError(None, f"must be a whole number from 1 to {MAX_WORKERS} (got {workers!r})", key="--workers")
    return workers


def run_ensemble(
    scenario: Scenario,
    runs: int,
    out: str | Path,
    *,
    workers: int = 1,
    scenario_path: Path | None = None,
    progress: bool = False,
    notify: Callable[[str], None] | None = None,
) -> Results:
    """Run ``runs`` replicates of ``scenario`` into the ensemble folder ``out``.

    Call it under ``if __name__ == "__main__":`` in a script when ``workers`` > 1:
    worker processes import the script that started them.

    Args:
        scenario: from :func:`sim.load_scenario`; its seed is replicate 0's.
        runs: number of replicates (1 to 100,000).
        out: the ensemble folder: new, or an ensemble of the same scenario (resumed
            if it holds these inputs, otherwise brought up to date).
        workers: processes running replicates at once (1 runs them in this process; at most 64).
        scenario_path: recorded in the manifests.
        progress: show a progress bar on the terminal.
        notify: called with a sentence for each thing worth telling (a damaged replicate rerun, ...).

    Raises:
        InputError: ``out`` is something else, or another process is writing it.
        Interrupted: on Ctrl-C or SIGTERM; the replicates finished so far are kept.
    """
    out = Path(out)
    seeds = replicate_seeds(scenario, runs)
    check_workers(workers)
    digest = inputs_hash(scenario)
    manifest = make_manifest("ensemble", scenario, scenario_path, content_hash=digest, seed=scenario.seed, started=now(),
                             replicates=seeds)
    theatre = load_theatre(scenario.theatre)
    with FolderLock(out):
        created = claim_folder(out, "ensemble", scenario=scenario.name)
        finished: dict[int, RunData] = {}
        try:
            finished.update(_prepare(out, manifest, seeds, theatre, notify or (lambda _: None)))
            todo = [s for s in seeds if s not in finished]

            from tqdm import tqdm  # imported here: only ensembles draw progress bars

            bar = tqdm(total=len(seeds), initial=len(finished), unit="run", disable=None if progress else True,
                       desc=scenario.name)
            try:
                for run in _replicates(scenario, todo, out, scenario_path, workers):
                    finished[run.seed] = run
                    bar.update()
            finally:
                bar.close()
        except KeyboardInterrupt:
            if created and not finished:
                remove(out)
                raise
            raise Interrupted(out, len(finished), len(seeds), where=out / RUNS_DIR) from None
        except BaseException:
            if created and not finished:
                remove(out)  # a folder this call made, with nothing in it worth keeping
            raise
        results = [finished[s] for s in seeds]
        _write_summaries(out, results, theatre.towns)
        manifest["complete"] = True
        manifest["finished_at"] = now()
        write_atomic(out / "manifest.json", manifest_text(manifest))
    return Results(out, manifest, theatre, results, len(seeds))


def _prepare(out: Path, manifest: dict, seeds: list[int], theatre: Theatre, notify: Callable[[str], None]) -> dict[int, RunData]:
    """Make ``out`` this ensemble's folder; return the replicates already finished there, read and checked.

    A replicate is kept if it has this ensemble's seed, inputs, window and
    package version, and is whole; others of the simulator's in ``runs/``
    (another seed, other inputs, a damaged one, a killed writer's temporary
    folder) are removed. If that changes what the folder holds, what was
    derived from it (comparisons, maps, plots) goes too. Files the
    simulator did not write are left alone.
    """
    old = _old_manifest(out)
    runs_dir = out / RUNS_DIR
    runs_dir.mkdir(parents=True, exist_ok=True)
    key = replicate_key(manifest)
    wanted = {run_folder_name(s): s for s in seeds}
    kept: dict[int, RunData] = {}
    removed = stale = 0
    for entry in sorted(runs_dir.iterdir()):
        if REPLICATE_TEMP.fullmatch(entry.name):
            remove(entry)  # a killed writer's temporary folder; we hold the lock, so no one is writing it
            continue
        if not REPLICATE.fullmatch(entry.name):
            continue  # not the simulator's: left alone
        seed, mine = wanted.get(entry.name), _old_manifest(entry)
        if seed is not None and mine is not None and replicate_key(mine) == key:
            try:
                kept[seed] = load_run(entry, theatre, expect={"seed": seed})
                continue
            except DamagedResult as exc:
                notify(f"{exc}; that replicate is run again")
        elif seed is not None and mine is None:
            notify(f"{entry / 'manifest.json'}: is missing or unreadable; that replicate is run again")
        elif seed is not None:
            stale += 1
        remove(entry)
        removed += 1
    if stale:
        notify(f"{out} held {stale} replicate(s) of other inputs, window or package version; they are run again")
    changed = old is None or removed > 0 or len(kept) < len(seeds) or replicate_key(old) != key or old.get("seeds") != seeds
    if changed:
        for file in remove_derived(out):
            notify(f"removed {file.name}: it was made from the folder's previous content")
    for name in SUMMARY_FILES:
        (out / name).unlink(missing_ok=True)
    write_atomic(out / "manifest.json", manifest_text(manifest))
    return kept


def _old_manifest(out: Path) -> dict | None:
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _replicates(scenario: Scenario, seeds: list[int], out: Path, scenario_path: Path | None, workers: int) -> Iterator[RunData]:
    """Run the replicates in batches stepped together, yielding each as its batch finishes (in any order)."""
    size = batch_size(len(seeds), workers)
    batches = [seeds[i : i + size] for i in range(0, len(seeds), size)]
    for _, runs in run_tasks(_replicate_batch, range(len(batches)), lambda k: (scenario, batches[k], out, scenario_path),
                             workers=workers):
        yield from runs


def batch_size(replicates: int, workers: int) -> int:
    """Replicates stepped together in one task: up to :data:`BATCH`, with at least two tasks per worker where
    there are enough replicates. Results do not depend on it: a replicate is the same in any batch."""
    return max(1, min(BATCH, -(-replicates // (2 * workers))))


def _replicate_batch(scenario: Scenario, seeds: list[int], out: Path, scenario_path: Path | None) -> list[RunData]:
    runs = []
    for result in simulate_batch(scenario, seeds):
        write_run_files(result, out / RUNS_DIR / run_folder_name(result.seed), scenario_path=scenario_path, map_png=False)
        runs.append(RunData.of(result))
    return runs


def _write_summaries(out: Path, runs: list[RunData], towns: list[str]) -> None:
    captures = all_captures(runs)
    tables = {
        "control_prob.csv": control_probabilities(runs, towns),
        "captures.csv": captures,
        "capture_dates.csv": capture_dates(runs, captures),
        "timeseries_quantiles.csv": timeseries_quantiles(runs),
    }
    for name, table in tables.items():
        write_atomic(out / name, table.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
