"""Ensembles across a parameter set: parameter uncertainty as well as chance (``run --runs N --param-set FILE``).

A parameter set is a CSV with one column per dotted parameter path and one
row per parameter vector — a calibration's accepted set
(``scenarios/calibrated/<name>.accepted.csv``); the columns ``trial``,
``objective`` and ``se`` are read as labels. Replicate ``i`` (seed
``scenario seed + i``, as in every ensemble) runs with row ``i mod K``, so
each of the K rows gets N/K replicates and the ensemble mixes parameter
uncertainty with chance; without ``--runs``, ``run`` uses the first row (the
best). The folder is an ensemble folder like any other (``compare``, ``map``
and ``plot`` read it), its replicates stored in parts as
:mod:`sim.experiments.ensemble` stores them, each part holding replicates of
one row; its manifest lists the row and the inputs hash of every replicate,
and each part's record holds its row's parameters. The set is read and checked by
:func:`sim.experiments.design_file.load_param_set`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..analysis.replicates import REPLICATES, replicate_key
from ..analysis.results import Results, RunData
from ..errors import InputError, Interrupted, flag
from ..io.schema import Scenario
from ..io.folder_lock import FolderLock
from ..io.outputs import OUT
from ..io.scenario import inputs_hash
from ..io.theatre import load_theatre
from .ensemble import part_runs, write_summaries
from .executors import deferred_interrupts, run_tasks
from .manifest import manifest, now
from .parameters import apply
from .run import simulate_batch
from .seeds import seeds_from
from .storage import PartLog, write_replicates

NOT_RESUMED = ("an ensemble across a parameter set is not resumed: `compare` reads the replicates kept; for all of them, "
               f"run it again with another {flag('out')}")


def _replicates(scenario: Scenario, row: dict[str, float], seeds: list[int], out: Path, key: dict) -> tuple[dict, list[RunData]]:
    results = simulate_batch(apply(scenario, row), seeds)
    return {**write_replicates(out, results, key), "parameters": row}, [RunData.of(result) for result in results]


def run_across(scenario: Scenario, rows: list[dict[str, float]], runs: int, out: str | Path, *, workers: int = 1,
               scenario_path: Path | None = None, param_set: Path | None = None, progress: bool = False) -> Results:
    """Run ``runs`` replicates of ``scenario``, replicate ``i`` with ``rows[i % len(rows)]``, into the ensemble folder ``out``.

    Raises:
        InputError: ``out`` is not empty, or another process is writing it.
        Interrupted: on Ctrl-C or SIGTERM; the replicates finished so far are kept and listed (not resumed).
    """
    out = Path(out)
    seeds = seeds_from(scenario.seed, runs)
    with FolderLock(out):  # one writer at a time, as in every ensemble: a second one deleted this one's replicates
        if out.exists() and any(out.iterdir()):  # judged under the lock: another writer may have just begun
            raise InputError(out, f"exists and is not empty; choose another {OUT} (an ensemble across a parameter set is "
                             "not resumed)", key=OUT)
        return _run_across(scenario, rows, seeds, out, workers=workers, scenario_path=scenario_path, param_set=param_set,
                           progress=progress)


def _run_across(scenario: Scenario, rows: list[dict[str, float]], seeds: list[int], out: Path, *, workers: int,
                scenario_path: Path | None, param_set: Path | None, progress: bool) -> Results:
    from tqdm import tqdm

    hashes = [inputs_hash(apply(scenario, row)) for row in rows]
    data = manifest("ensemble", scenario, scenario_path, content_hash="various: see each replicate", seed=scenario.seed,
                    started=now(), replicates=seeds)
    data["parameter_set"] = {"file": str(param_set) if param_set else None, "rows": len(rows),
                             "row_of_seed": {str(s): i % len(rows) for i, s in enumerate(seeds)},
                             "content_hash_of_seed": {str(s): hashes[i % len(rows)] for i, s in enumerate(seeds)}}
    out.mkdir(parents=True, exist_ok=True)
    log = PartLog(out, data)
    log.flush()
    # A part holds replicates of one row (stepped together, one scenario), at most as many as an ensemble's part.
    size = part_runs(len(seeds))
    of_row = [seeds[k :: len(rows)] for k in range(len(rows))]  # replicate i runs with row i mod K
    tasks = [(k, mine[i : i + size]) for k, mine in enumerate(of_row) for i in range(0, len(mine), size)]
    finished: dict[int, RunData] = {}
    bar = tqdm(total=len(seeds), unit="run", disable=not progress, desc=scenario.name)
    try:
        args = [(scenario, rows[k], part, out, replicate_key(data, part[0])) for k, part in tasks]
        for _, (record, done) in run_tasks(_replicates, range(len(tasks)), args.__getitem__, workers=workers):
            with deferred_interrupts():  # a part listed is a part counted
                log.add(record)
                finished.update((r.seed, r) for r in done)
            bar.update(len(done))
        results = [finished[s] for s in seeds]
        theatre = load_theatre(scenario.theatre)
        write_summaries(out, results, theatre.towns)
        data.update(complete=True, finished_at=now())
    except KeyboardInterrupt:
        raise Interrupted(out, len(finished), len(seeds), where=out / REPLICATES, advice=NOT_RESUMED) from None
    finally:
        bar.close()
        with contextlib.suppress(OSError):  # a failing disk's own error is the one to report
            log.flush()  # what finished is listed (and read back by compare), even if the rest was stopped
    return Results(out, data, theatre, results, len(seeds))
