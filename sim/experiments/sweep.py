"""Parameter sweeps: a design of parameter points, replicates at each, one Parquet row per run.

Replicate ``r`` of every point runs with seed ``scenario seed + r``: points
differ only by their parameters (common random numbers), and no seed depends
on which worker ran it. Runs are cut into batches fixed by the sweep's size
alone (:func:`batch_runs`: at least 32 batches, or one per run, and at most
256 runs each), one part file each, so a rerun can tell which are done and
the files do not depend on the workers; each batch's runs follow from its
number (:func:`sim.analysis.integrity.batch_items`): they are made when the
batch is sent, so memory does not grow with the sweep.

The executors get tasks of consecutive batches (:func:`tasks_of`): a few per
worker, so the workers finish together, and up to 256 runs each, because a
point's replicates in one task step as one batch of the model, and the model
costs less per replicate the more it steps at once.

A sweep folder::

    sweep.json                  the design, its inputs and outcomes record (a rerun must match them)
    points.csv                  point -> parameter values
    runs.parquet/part-*.parquet one row per run: point, replicate, seed, parameters, metrics

Rows are written as batches finish, each part file whole or not at all
(:mod:`sim.experiments.storage`), so memory stays flat and an interrupted
sweep resumes by running only the missing batches.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.integrity import batch_items, batches
from ..analysis.results import PARTS, load_sweep_manifest, read_rows
from ..analysis.scored_outcomes import outcomes_hash, scored_outcomes
from ..errors import InputError, Interrupted, check_loaded, check_switch, flag
from ..io.files import as_path, remove, remove_stale_temps, table_text, write_atomic
from ..io.folder_lock import FolderLock
from ..io.outputs import OUT, claim_folder, remove_derived
from ..io.scenario import inputs_hash, load_scenario
from ..io.schema import Scenario
from ..model.params import batch_groups
from ..names import MAX_RUNS, is_whole
from ..version import package_version
from .designs import Design
from .ensemble import check_workers
from .executors import check_executor, deferred_interrupts, run_tasks
from .forkserver import start_forkserver
from .manifest import manifest_text, now
from .parameters import apply, check_design
from .run import simulate_metrics
from .seeds import seeds_from
from .storage import write_part, written_parts
from .sweep_file import SweepSpec, check_metrics, check_size

BATCH_RUNS = 256  # the most runs per batch (a part file): Parquet costs per column, and a row holds hundreds
MIN_BATCHES = 32  # any sweep is cut into at least this many batches (or one per run), so that tasks can share them out
# The most runs per task: a point's replicates in a task step together, and the campaign costs 4.5 ms of CPU a
# replicate stepped and scored 32 at a time, 3.0 at 64, 2.2 at 128, 1.9 at 256, 1.7 at 512. A worker's peak memory
# grows with the task, and a larger task for a larger sweep would make memory grow with the sweep: 256 keeps a
# 20,000-run sweep's workers within 1% of a 2,000-run one's (benchmarks/run.py --only sweep_memory).
TASK_RUNS = 256
TASKS_PER_WORKER = 4  # at least this many tasks a worker (or one per batch), so that no worker is left with the last big task
RUNS = flag("runs", python="spec.runs")  # replicates per point: --runs, or the SweepSpec's runs
DESIGN = flag("param", python="spec.design")  # the points: --param, or the SweepSpec's design (a sweep file names itself)


def batch_runs(total: int) -> int:
    """Runs per batch for a sweep of ``total`` runs: at most :data:`BATCH_RUNS`, and at least
    :data:`MIN_BATCHES` batches, or one per run (100 runs: 33 batches of 3 and one of 1). Fixed by the
    sweep's size alone, never by the workers, so a rerun finds the same batches and part files do not
    depend on who ran them."""
    return max(1, min(BATCH_RUNS, total // MIN_BATCHES))


def tasks_of(batches: list[int], runs: int, workers: int) -> list[tuple[int, ...]]:
    """``batches`` (of ``runs`` runs each) grouped into tasks of consecutive batches: at most :data:`TASK_RUNS`
    runs each, and at least :data:`TASKS_PER_WORKER` tasks a worker, or one per batch.

    A task only schedules work: its runs step together, but each batch is
    written as its own part, so nothing on disk depends on the workers.
    """
    size = max(1, min(TASK_RUNS // runs, len(batches) // (TASKS_PER_WORKER * workers)))
    return [tuple(batches[i : i + size]) for i in range(0, len(batches), size)]


class ScenarioEvaluator:
    """The default evaluation: run the scenario at the point's values; its row is :meth:`RunResult.metrics`."""

    def __init__(self, scenario: Scenario, outcomes_file: Path | None = None) -> None:
        self.scenario = scenario
        # Read once here and sent with every task (45 kB for the Idlib record): each worker would
        # otherwise parse the outcomes and the claims record, some 0.4 s, before its first run.
        self.outcomes = scored_outcomes(scenario, outcomes_file)  # default: outcomes.yaml beside the claims record

    def __call__(self, values: dict[str, float], seed: int) -> dict[str, float]:
        return {name: float(column[0]) for name, column in self.batch(values, [seed]).items()}

    def batch(self, values: dict[str, float], seeds: list[int]) -> dict[str, np.ndarray]:
        """The metrics of one point's replicates, stepped together as one batch: an array over ``seeds`` each."""
        return self.batches([values], [seeds])

    def batches(self, points: list[dict[str, float]], seeds: list[list[int]]) -> dict[str, np.ndarray]:
        """The metrics of several points' replicates (``seeds[i]`` at ``points[i]``): each metric one array over
        them all, point after point.

        Points that differ only in parameters the rules read per replicate
        (:mod:`sim.model.params`) step together as one batch: a design of
        many points with few replicates each then costs what one point with
        as many replicates does. Others step apart. A replicate's metrics are
        the same either way.
        """
        scenarios = [apply(self.scenario, values) for values in points]
        starts = np.cumsum([0, *map(len, seeds)])
        parts = []
        for members in batch_groups(scenarios):
            each = [scenarios[i] for i in members for _ in seeds[i]]
            rows = np.concatenate([np.arange(starts[i], starts[i + 1]) for i in members])
            parts.append((rows, simulate_metrics(each, [s for i in members for s in seeds[i]], self.outcomes)))
        if len(parts) == 1:
            return parts[0][1]  # every point, in order
        found = {}
        for name in dict.fromkeys(name for _, columns in parts for name in columns):
            present = [columns[name] for _, columns in parts if name in columns]
            column = np.empty(starts[-1], present[0].dtype if len(present) == len(parts) else float)
            for rows, columns in parts:
                column[rows] = columns.get(name, math.nan)
            found[name] = column
        return found


def run_batches(evaluate: Callable, names: list[str], items: list[tuple[int, int, int, int, tuple]]) -> dict[int, dict[str, np.ndarray]]:
    """Evaluate ``(batch, point, replicate, seed, values)`` items into each batch's rows, as columns (runs in a worker).

    The task's points go together to ``evaluate.batches`` where the evaluator
    has it (the scenario's steps them as one batch of replicates where it can,
    and gives its metrics as columns); any other evaluator is called run by
    run. Either way a row depends only on its point and seed, and a batch's
    columns only on its own runs, never on the batches its task ran beside
    (which the number of workers decides): a metric some of its runs did not
    report is NaN in their rows, and one none of them reported is left out of
    its part (:func:`sim.analysis.results.read_rows` reads it back NaN).
    """
    groups = [list(group) for _, group in itertools.groupby(items, key=lambda item: item[1])]
    points = [dict(zip(names, group[0][4], strict=True)) for group in groups]
    seeds = [[seed for *_, seed, _ in group] for group in groups]
    batch = np.array([item[0] for item in items])
    keys = dict.fromkeys(batch.tolist())
    if hasattr(evaluate, "batches"):
        found = evaluate.batches(points, seeds)
        metrics = {key: {name: values[batch == key] for name, values in found.items()} for key in keys}
    else:
        rows = [evaluate(params, s) for params, mine in zip(points, seeds, strict=True) for s in mine]  # one per item
        # Each batch's columns from its own rows: from the task's, a batch's part held a metric only the batch beside it
        # reported (all NaN) or not, as the workers fell, and the parts then read back as of different schemas.
        metrics = {key: _columns([row for row, b in zip(rows, batch, strict=True) if b == key]) for key in keys}
    design = {"point": np.array([item[1] for item in items]), "replicate": np.array([item[2] for item in items]),
              "seed": np.array([item[3] for item in items]),
              **{name: np.array([item[4][k] for item in items], float) for k, name in enumerate(names)}}
    return {key: {**{name: values[batch == key] for name, values in design.items()}, **metrics[key]} for key in keys}


def _columns(rows: list[dict]) -> dict[str, np.ndarray]:
    """Rows as columns, in the order the columns first appear (NaN where a row lacks one)."""
    names = dict.fromkeys(name for row in rows for name in row)
    return {name: np.asarray([row.get(name, math.nan) for row in rows]) for name in names}


@dataclass
class SweepResult:
    """What :func:`run_sweep` did: the sweep's folder, its manifest (``sweep.json``) and how many runs it ran now."""

    path: Path
    manifest: dict
    ran: int  # runs evaluated in this call (the rest were already on disk)

    def table(self, columns: list[str] | str | None = None) -> pd.DataFrame:
        """Every row of the sweep, one per run (:func:`sim.read_rows`): point, replicate, seed, the parameters and the
        metrics, or only ``columns`` (a parameter by dotted path or alias, a metric by name or alias)."""
        return read_rows(self.path, columns)


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    workers: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    evaluate: Callable | None = None,
    seed: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run every (point, replicate) of ``spec`` not yet in ``out``, streaming rows to Parquet.

    Everything is checked before anything runs: every point of the design
    against the scenario's schema, the seeds, the workers. Call it under
    ``if __name__ == "__main__":`` in a script when ``workers`` > 1.

    Args:
        spec: the scenario, design and replicates per point.
        out: the sweep folder; rerunning with the same spec resumes it (damaged parts are run again).
        workers: processes (local) or Dask workers (1 to 64).
        executor: ``"local"`` (this machine's processes) or ``"dask"`` (a local Dask cluster of ``workers``); left out,
            ``"dask"`` with a ``scheduler`` and ``"local"`` without.
        scheduler: the address of a running Dask scheduler (``tcp://host:8786``) to send the work to; not with
            ``executor="local"``, which would keep it on this machine.
        progress: show a progress bar with an ETA on stderr, a notebook's output as a terminal (the command line asks for one on a terminal only).
        evaluate: ``f(values, seed) -> {metric: float}``, a module-level callable;
            default: run the scenario and compute :func:`sim.analysis.metrics.run_metrics`.
        seed: seed of replicate 0 at every point (default: the sweep file's ``replicate_seed``,
            else the scenario's); not the sample seed, which places a sampled design's points.
        notify: called with a sentence for each thing worth telling (a damaged part run again, ...).

    Raises:
        InputError: a bad point, seed, executor or folder; another process writing ``out``; a scheduler that is no
            address, is given with ``executor="local"``, or cannot be reached.
        Interrupted: on Ctrl-C or SIGTERM; the batches written so far are kept.
    """
    check_switch(progress, "progress")
    check_loaded(spec, SweepSpec, "sim.load_sweep")
    if not isinstance(spec.design, Design):  # a dict of values was an AttributeError ('size') further down
        raise InputError(None, f"needs the Design that sim.make_design returns, not a {type(spec.design).__name__}",
                         key="spec.design")
    out = as_path(out, OUT)
    given_seed, seed = seed, spec.replicate_seed if seed is None else seed
    notify = notify or (lambda _: None)
    workers = check_workers(workers)
    executor = check_executor(executor, scheduler)
    if not is_whole(spec.runs) or not 1 <= spec.runs <= MAX_RUNS:
        raise InputError(None, f"must be a whole number from 1 to {MAX_RUNS:,} (got {spec.runs!r})", key=RUNS)
    spec = replace(spec, runs=int(spec.runs))  # numpy's integer as Python's: the manifest is JSON
    check_size(spec.design.size, spec.runs, key=RUNS)
    if workers > 1 and executor == "local":
        start_forkserver()  # the workers' process loads the model while this one reads the scenario and the record
    if evaluate is None:
        scenario = load_scenario(spec.scenario_path)
        check_design(scenario, spec.design.sample, spec.design.names, spec.design.points, spec.source, named=DESIGN)
        metrics = check_metrics(spec, scenario)  # as the rows name them: an alias recorded as its metric's name
        evaluate = ScenarioEvaluator(scenario)
        base_seed = scenario.seed if seed is None else seed
        inputs, record = inputs_hash(scenario), outcomes_hash(evaluate.outcomes)
    else:
        metrics = spec.metrics
        base_seed = seed or 0
        inputs = f"{evaluate.__module__}.{getattr(evaluate, '__qualname__', type(evaluate).__qualname__)}"
        record = None
    # A SweepSpec's own replicate_seed is named as such: "--seed" was said to a caller who gave none. (A sweep file's
    # is checked by load_sweep, at its line.)
    seed_key = "spec.replicate_seed" if given_seed is None and spec.replicate_seed is not None else flag("seed")
    # Replicate r of every point runs with seed + r, as in an ensemble; numpy's integer seed recorded as an int.
    base_seed = seeds_from(base_seed, spec.runs, keys=(seed_key, RUNS))[0]
    manifest = json.loads(json.dumps({  # as stored: tuples become lists
        "kind": "sweep",
        "scenario": str(spec.scenario_path),
        "inputs_hash": inputs,
        "outcomes_hash": record,  # every row is scored against them (met:<id>, day:<id>, outcomes_met)
        "design": spec.design.describe(),
        "points": len(spec.design.points),
        "runs_per_point": spec.runs,
        "seed": base_seed,
        "metrics": metrics,
        "batch_runs": batch_runs(len(spec.design.points) * spec.runs),
        "package_version": package_version(),
    }))
    total = len(spec.design.points) * spec.runs
    with FolderLock(out):
        created = claim_folder(out, "sweep")
        remove_stale_temps(out / "sweep.json")  # left by a writer killed while it wrote its first manifest
        written = finished = ran = 0
        prepared = False  # until the runs kept are counted, a stop would say none were
        try:
            done = _prepare(out, manifest, spec.design, notify)
            finished = sum(len(batch_items(manifest, k)[0]) for k in done)
            prepared = True
            todo = [k for k in range(batches(manifest)) if k not in done]
            if todo:
                remove_derived(out, notify, "the sweep's previous rows")

            def args_of(task: tuple[int, ...]) -> tuple:
                items = []
                for key in task:
                    point, replicate, seeds = batch_items(manifest, key)
                    items += [(key, int(p), int(r), int(s), tuple(float(v) for v in spec.design.points[p]))
                              for p, r, s in zip(point, replicate, seeds, strict=True)]
                return evaluate, spec.design.names, items

            from tqdm import tqdm  # imported here: only long work draws progress bars

            bar = tqdm(total=total, initial=finished, unit="run", disable=not progress, desc="sweep")
            try:
                tasks = tasks_of(todo, manifest["batch_runs"], workers)
                for _, parts in run_tasks(run_batches, tasks, args_of, workers=workers, executor=executor, scheduler=scheduler):
                    with deferred_interrupts():  # a task's parts are written whole and counted: Ctrl-C waits for all
                        for key, columns in parts.items():
                            runs = write_part(out, key, columns)
                            written += 1
                            ran += runs
                            bar.update(runs)
            finally:
                bar.close()
        except KeyboardInterrupt:
            if created and not written:
                remove(out)
                raise
            if not prepared:  # stopped while checking what the folder held: this call wrote nothing
                raise
            raise Interrupted(out, finished + ran, total, unit="runs", where=out / PARTS) from None
        except BaseException:
            if created and not written:
                remove(out)  # a folder this call made, with nothing in it worth keeping
            raise
    return SweepResult(out, manifest, ran)


# What a changed key of sweep.json is, and why it makes another sweep: said when a folder is refused. runs_per_point
# is the option the user changed (`--runs`, `runs:`, `runs=`), not a name they ever typed.
_SAID = {"inputs_hash": ("scenario inputs", "the rows depend on the scenario, its theatre and its claims record"),
         "outcomes_hash": ("outcomes record", "every row is scored against the outcomes.yaml beside the claims record"),
         "runs_per_point": ("replicates per point (runs)", "")}


def _prepare(out: Path, manifest: dict, design: Design, notify: Callable[[str], None]) -> set[int]:
    """Create or reopen the sweep folder; return the batches already written whole."""
    file = out / "sweep.json"
    if file.exists():
        old = load_sweep_manifest(out)
        created = old.pop("created_at", None)
        # The metrics only choose what sweep-report shows (every row holds them all): the latest list is kept.
        differ = [k for k in manifest if k != "metrics" and old.get(k) != manifest[k]] or \
            sorted(set(old) - set(manifest) - {"metrics"})
        if differ:
            # How the runs are cut into batches follows from the points and the runs: another count of either is the
            # change to name, not the batches' size.
            differ = [k for k in differ if k != "batch_runs"] or differ
            what = " or ".join(_SAID.get(k, (k,))[0] for k in differ)
            why = "".join(f"{_SAID[k][1]}; " for k in differ if k in _SAID and _SAID[k][1])
            said = (f"a sweep made by an earlier version, which did not record its {what}; " if all(k not in old for k in differ)
                    else f"a different sweep (not the same {what}); ")
            raise InputError(out, f"holds {said}{why}choose another {OUT}, or remove the folder to start again", key=OUT)
        if old.get("metrics") != manifest["metrics"]:
            write_atomic(file, manifest_text({**manifest, "created_at": created}))
    # The manifest first: it is what makes the folder a sweep's. Written after the parts' folder and points.csv, a
    # sweep killed between them left a folder the rerun refused as holding what the simulator had not written.
    new = not file.exists()
    if new:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(file, manifest_text({**manifest, "created_at": now()}))
    if (out / PARTS).exists() and not (out / PARTS).is_dir():  # mkdir said only "File exists", with status 1
        raise InputError(out / PARTS, "is not a folder: the sweep keeps its rows there, one file a batch; move it away, "
                                      f"or choose another {OUT}")
    (out / PARTS).mkdir(exist_ok=True)
    if new or not (out / "points.csv").exists():
        table = pd.DataFrame(design.points, columns=design.names)
        table.insert(0, "point", range(len(table)))
        write_atomic(out / "points.csv", table_text(table, None))
    return written_parts(out, manifest, notify)
