"""A calibration's runs: a point of the parameter space run on every scenario, seeded, and scored on the record.

A trial of :mod:`sim.experiments.calibration` (the Optuna study) is evaluated here, as is the report's re-ranking of
the best trials on fresh seeds (:mod:`sim.experiments.calibration_results`). Points that differ only in parameters
the rules read per replicate step together as one batch of the model, and each point's runs and scores are the same
as they would be alone: a trial's value depends on neither the other trials of its batch nor the worker count.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from ..analysis.calibration_score import Evidence, Weights, combine, components, evidence, standard_error
from ..analysis.outcomes import OutcomeBase
from ..analysis.results import Results, RunData, frozen_front
from ..io.schema import Scenario
from ..io.theatre import load_theatre
from ..model.params import batch_groups
from .calibration_file import CalibrationSpec
from .executors import run_tasks
from .parameters import apply
from .run import memory_results, simulate_batch


@dataclass(frozen=True)
class Problem:
    """What one evaluation needs (sent to the workers): scenarios, outcomes, weights, replicates."""

    scenarios: tuple[Scenario, ...]
    fit: tuple[OutcomeBase, ...]
    hold_out: tuple[OutcomeBase, ...]
    weights: Weights
    replicates: int

    @classmethod
    def of(cls, spec: CalibrationSpec) -> Problem:
        return cls(tuple(spec.scenarios), tuple(spec.fit), tuple(spec.hold_out), spec.weights, spec.file.replicates)


@functools.cache
def _theatre(path: str):  # noqa: ANN202 - a Theatre, loaded once per process
    return load_theatre(path)


def in_memory(scenario: Scenario, runs: list[RunData]) -> Results:
    """Runs of ``scenario`` in memory as a :class:`Results`, for scoring, on the theatre this process loaded once."""
    return memory_results(scenario, runs, _theatre(str(scenario.theatre)))


def simulate_rows(scenario: Scenario, rows: list[dict[str, float]], seeds: list[int]) -> list[RunData]:
    """Replicate ``i`` (seed ``seeds[i]``) runs with the parameters ``rows[i % len(rows)]``; runs in seed order.

    Rows that differ only in parameters read per replicate step as one batch,
    as in :func:`points_runs`; each run is the same as its row's run alone.
    """
    points = [apply(scenario, row) for row in rows]
    runs: list[RunData | None] = [None] * len(seeds)
    for members in batch_groups(points):
        mine = [i for i in range(len(seeds)) if i % len(rows) in members]
        batch = simulate_batch([points[i % len(rows)] for i in mine], [seeds[i] for i in mine])
        for i, run in zip(mine, batch, strict=True):
            runs[i] = RunData.of(run)
    return runs  # type: ignore[return-value]  # every replicate is in its row's group


def ensembles(problem: Problem, rows: list[dict[str, float]], replicates: int, offset: int = 0) -> list[Results]:
    """Each scenario run ``replicates`` times across the parameter ``rows``, seeds ``seed + offset + i``."""
    return [in_memory(sc, simulate_rows(sc, rows, [sc.seed + offset + i for i in range(replicates)])) for sc in problem.scenarios]


def frozen(results: list[Results]) -> list[Results]:
    """The frozen-front baseline of each scenario: one run, nothing happening after the start."""
    return [Results(r.path, r.manifest, r.theatre, [frozen_front(r.runs[0])], 1) for r in results]


def scores(problem: Problem, results: list[Results], outcomes: tuple[OutcomeBase, ...]) -> tuple[Evidence, dict[str, float]]:
    ev = combine([evidence(r, list(outcomes)) for r in results])
    out = components(ev, problem.weights)
    out["se"] = standard_error(ev, problem.weights)
    return ev, out


def points_runs(scenario: Scenario, points: list[dict[str, float]], seeds: list[int]) -> list[list[RunData]]:
    """``scenario`` at each of ``points``, every point on the same ``seeds``; the runs of each point, in seed order.

    Points that differ only in parameters the rules read per replicate step
    together as one batch (:mod:`sim.model.params`); a run is the same as
    the point's run alone, so a trial's score does not depend on the others.
    """
    scenarios = [apply(scenario, values) for values in points]
    runs: list[list[RunData]] = [[] for _ in points]
    for members in batch_groups(scenarios):
        batch = simulate_batch([scenarios[i] for i in members for _ in seeds], [s for _ in members for s in seeds])
        for k, i in enumerate(members):
            runs[i] = [RunData.of(r) for r in batch[k * len(seeds) : (k + 1) * len(seeds)]]
    return runs


def evaluate_points(problem: Problem, points: list[dict[str, float]], offset: int = 0) -> list[dict[str, dict[str, float]]]:
    """Trials at each of ``points``, stepped together: every scenario, ``replicates`` seeds each (from seed +
    ``offset``); each point's fitted and held-out scores, and its share of the time."""
    t0 = time.perf_counter()
    per_scenario = [points_runs(sc, points, [sc.seed + offset + i for i in range(problem.replicates)]) for sc in problem.scenarios]
    shared = (time.perf_counter() - t0) / len(points)
    found = []
    for j in range(len(points)):
        t1 = time.perf_counter()
        results = [in_memory(sc, runs[j]) for sc, runs in zip(problem.scenarios, per_scenario, strict=True)]
        fit = scores(problem, results, problem.fit)[1]
        hold = scores(problem, results, problem.hold_out)[1] if problem.hold_out else {}
        found.append({"fit": fit, "hold_out": hold, "seconds": shared + time.perf_counter() - t1})
    return found


def evaluate(problem: Problem, values: dict[str, float], offset: int = 0) -> dict[str, dict[str, float]]:
    """One trial: every scenario at ``values``, ``replicates`` seeds each (from seed + ``offset``); fitted and held-out scores."""
    return evaluate_points(problem, [values], offset)[0]


def evaluate_all(problem: Problem, points: dict[Hashable, dict[str, float]], offset: int = 0, *, workers: int = 1,
                 executor: str = "local", scheduler: str | None = None) -> Iterator[tuple[Hashable, dict]]:
    """Yield ``(key, scores)`` for every point, as the tasks finish: the points split into one contiguous
    task per worker, each task's points stepped together. The scores do not depend on the split."""
    keys = list(points)
    size = -(-len(keys) // max(1, min(workers, len(keys)))) if keys else 1
    chunks = [tuple(keys[i : i + size]) for i in range(0, len(keys), size)]
    args = {chunk: (problem, [points[k] for k in chunk], offset) for chunk in chunks}
    for chunk, found in run_tasks(evaluate_points, chunks, args.__getitem__, workers=workers, executor=executor,
                                  scheduler=scheduler):
        yield from zip(chunk, found, strict=True)
