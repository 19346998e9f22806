"""Parameter sweeps: a design of parameter points, replicates at each, one Parquet row per run.

Any numeric or boolean scenario parameter is addressed by a dotted path:
``regime.commit`` (a faction's parameter), ``combat.lethality``,
``civilians.flee_air``, or ``events.<id>.<key>`` for an event's value
(``events.jan-truce.restraint``, ``events.jan-truce.compliance.regime``).

Designs: ``grid`` (every combination of listed values or ``steps`` points
between bounds), ``lhs``, ``random`` and ``sobol`` (Saltelli's scheme, for
Sobol indices) over bounds. Replicate ``r`` of every point runs with seed
``scenario seed + r``: points differ only by their parameters (common random
numbers), and no seed depends on which worker ran it.

A sweep folder::

    sweep.json                 the design and its inputs (a rerun must match it)
    points.csv                 point -> parameter values
    runs.parquet/part-*.parquet one row per run: point, replicate, seed, parameters, metrics

Rows are written as batches finish, each part file whole or not at all, so
memory stays flat and an interrupted sweep resumes by running only the
missing batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from .. import __version__
from ..errors import InputError, did_you_mean
from .executors import run_tasks
from .rundir import write_atomic
from ..io.scenario import Scenario, load_scenario
from ..io.safe_yaml import load_yaml

SAMPLES = ("grid", "lhs", "random", "sobol")
PARTS = "runs.parquet"
BATCH_RUNS = 64  # runs per task: large enough to amortise dispatch, small enough to resume cheaply


# --------------------------------------------------------------------------
# Parameters and their dotted paths
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A swept parameter: bounds for sampled designs, or explicit values for a grid."""

    path: str
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    values: tuple[float, ...] | None = None

    def grid_values(self) -> list[float]:
        if self.values is not None:
            return list(self.values)
        return list(np.linspace(self.low, self.high, self.steps or 2))


def parameter_paths(scenario: Scenario) -> list[str]:
    """Every dotted path a sweep can set in ``scenario``."""
    data = scenario.model_dump(mode="json")
    paths = []
    for group in ("factions",):
        for faction, params in data[group].items():
            paths += [f"{faction}.{k}" for k, v in params.items() if _sweepable(v)]
    for group in ("combat", "civilians"):
        paths += [f"{group}.{k}" for k, v in data[group].items() if _sweepable(v)]
    for event in data["events"]:
        if not event.get("id"):
            continue
        for k, v in event.items():
            if _sweepable(v):
                paths.append(f"events.{event['id']}.{k}")
            elif isinstance(v, dict):
                paths += [f"events.{event['id']}.{k}.{sub}" for sub, x in v.items() if _sweepable(x)]
    return paths


def _sweepable(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, str)


def apply(scenario: Scenario, values: dict[str, float], where: str | Path | None = None) -> Scenario:
    """``scenario`` with the parameters at ``values`` set (and validated)."""
    data = scenario.model_dump(mode="python")
    known = None
    for path, value in values.items():
        node, key = _locate(data, path)
        if node is None:
            known = known or parameter_paths(scenario)
            raise InputError(where, f"no parameter '{path}'" + did_you_mean(path, known) + f"; valid: {', '.join(known)}", key=path)
        node[key] = type(node[key])(value) if isinstance(node[key], bool) else value
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        raise InputError(where, f"{path}: {err['msg']} (got {err.get('input')!r})", key=path) from None


def _locate(data: dict, path: str) -> tuple[dict | None, str]:
    parts = path.split(".")
    if parts[0] == "events" and len(parts) >= 3:
        events = [e for e in data["events"] if e.get("id") == parts[1]]
        node: object = events[0] if events else None
        rest = parts[2:]
    elif parts[0] in ("combat", "civilians") and len(parts) == 2:
        node, rest = data[parts[0]], parts[1:]
    elif len(parts) == 2 and parts[0] in data["factions"]:
        node, rest = data["factions"][parts[0]], parts[1:]
    else:
        return None, ""
    for part in rest[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    key = rest[-1]
    if not isinstance(node, dict) or key not in node or not _sweepable(node[key]):
        return None, ""
    return node, key


# --------------------------------------------------------------------------
# Designs
# --------------------------------------------------------------------------


@dataclass
class Design:
    """The parameter points of a sweep, in a fixed order."""

    sample: str
    parameters: list[Parameter]
    points: np.ndarray = field(repr=False)  # [points, parameters]
    n: int | None = None
    seed: int = 0

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.parameters]

    def problem(self) -> dict:
        """The SALib problem for sampled designs."""
        return {"num_vars": len(self.parameters), "names": self.names,
                "bounds": [[p.low, p.high] for p in self.parameters]}

    def describe(self) -> dict:
        return {"sample": self.sample, "n": self.n, "seed": self.seed,
                "parameters": [{k: v for k, v in vars(p).items() if v is not None} for p in self.parameters]}


def make_design(sample: str, parameters: list[Parameter], *, n: int | None = None, seed: int = 0) -> Design:
    """Points for ``sample`` over ``parameters``.

    A grid takes each parameter's values (or ``steps`` points between its
    bounds); sampled designs need bounds and ``n`` (for ``sobol``, the base
    sample size: Saltelli's scheme evaluates ``n * (2 * parameters + 2)`` points).
    """
    if sample not in SAMPLES:
        raise InputError(None, f"unknown sample '{sample}'" + did_you_mean(sample, SAMPLES), key="sample")
    if not parameters:
        raise InputError(None, "a sweep needs at least one parameter", key="parameters")
    if sample == "grid":
        axes = [p.grid_values() for p in parameters]
        points = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(axes), -1).T
        return Design(sample, parameters, points.astype(float))
    for p in parameters:
        if p.low is None or p.high is None or not p.low < p.high:
            raise InputError(None, f"'{p.path}' needs bounds low < high for a {sample} design", key=p.path)
    if not n or n < 1:
        raise InputError(None, f"a {sample} design needs n >= 1", key="n")
    d = Design(sample, parameters, np.empty((0, len(parameters))), n, seed)
    if sample == "random":
        unit = np.random.default_rng(seed).random((n, len(parameters)))
        lo, hi = np.array([[p.low, p.high] for p in parameters]).T
        d.points = lo + unit * (hi - lo)
    elif sample == "lhs":
        from SALib.sample import latin

        d.points = latin.sample(d.problem(), n, seed=seed)
    else:
        from SALib.sample import sobol

        if n & (n - 1):
            raise InputError(None, f"a sobol design needs n a power of 2 (got {n})", key="n")
        d.points = sobol.sample(d.problem(), n, calc_second_order=False, seed=seed)
    return d


def parse_param(text: str) -> Parameter:
    """``path=lo:hi:steps``, ``path=lo:hi`` (bounds) or ``path=a,b,c`` (values), from the command line."""
    path, sep, spec = text.partition("=")
    if not sep or not path or not spec:
        raise InputError(None, f"--param expects PATH=LO:HI[:STEPS] or PATH=A,B,C (got {text!r})", key="--param")
    try:
        if ":" in spec:
            parts = [float(x) for x in spec.split(":")]
            if len(parts) == 2:
                return Parameter(path, parts[0], parts[1])
            if len(parts) == 3 and parts[2] >= 2 and parts[2].is_integer():
                return Parameter(path, parts[0], parts[1], int(parts[2]))
            raise ValueError
        return Parameter(path, values=tuple(float(x) for x in spec.split(",")))
    except ValueError:
        raise InputError(None, f"--param {text!r}: bad numbers (LO:HI, LO:HI:STEPS with STEPS >= 2, or A,B,C)", key="--param") from None


# --------------------------------------------------------------------------
# Sweep files (sweeps/*.yaml)
# --------------------------------------------------------------------------


@dataclass
class SweepSpec:
    """What to sweep: a scenario, a design and replicates per point."""

    scenario_path: Path
    design: Design
    runs: int = 10
    metrics: list[str] = field(default_factory=list)


def load_sweep(path: str | Path, **overrides) -> SweepSpec:  # noqa: ANN003 - runs, sample, n from the command line
    """Read a sweep file: ``scenario``, ``parameters`` ({path: {low, high, steps} or {values}}), ``sample``, ``n``, ``seed``, ``runs``, ``metrics``."""
    path = Path(path)
    tree = load_yaml(path)
    allowed = ("scenario", "parameters", "sample", "n", "seed", "runs", "metrics")
    for key in tree:
        if key not in allowed:
            raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), allowed), line=tree.lines[key][1], key=str(key))
    for key in ("scenario", "parameters"):
        if key not in tree:
            raise InputError(path, f"missing required key '{key}'", line=1, key=key)
    params = []
    raw = tree["parameters"]
    if not isinstance(raw, dict) or not raw:
        raise InputError(path, "'parameters' must map parameter paths to {low, high[, steps]} or {values: [...]}", line=tree.lines["parameters"][1], key="parameters")
    for name, spec in raw.items():
        line = raw.lines[name][1]
        if not isinstance(spec, dict) or not set(spec) <= {"low", "high", "steps", "values"}:
            raise InputError(path, "expected {low, high[, steps]} or {values: [...]}", line=line, key=f"parameters.{name}")
        try:
            values = spec.get("values")
            params.append(Parameter(str(name), _num(spec.get("low")), _num(spec.get("high")),
                                    int(spec["steps"]) if "steps" in spec else None,
                                    tuple(float(v) for v in values) if values is not None else None))
        except (TypeError, ValueError):
            raise InputError(path, "parameter values must be numbers", line=line, key=f"parameters.{name}") from None
    settings = {k: tree.get(k) for k in ("sample", "n", "seed", "runs")}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    sample = settings["sample"] or "grid"
    try:
        design = make_design(sample, params, n=settings["n"], seed=int(settings["seed"] or 0))
    except InputError as exc:
        key = exc.key or "parameters"
        line = tree.lines.get(key, (None, None))[1] or (raw.lines.get(key, (None, None))[1])
        raise InputError(path, exc.message, line=line, key=key) from None
    metrics = tree.get("metrics") or []
    return SweepSpec((path.parent / str(tree["scenario"])).resolve(), design, int(settings["runs"] or 10), [str(m) for m in metrics])


def _num(x: object) -> float | None:
    return None if x is None else float(x)


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


class ScenarioEvaluator:
    """The default evaluation: run the scenario at the point's values and compute run metrics."""

    def __init__(self, scenario: Scenario, outcomes_file: Path | None = None) -> None:
        self.scenario = scenario
        self.outcomes_file = outcomes_file or scenario.seeds.parent / "outcomes.yaml"
        self._cache: tuple | None = None

    def __getstate__(self) -> dict:
        return {"scenario": self.scenario, "outcomes_file": self.outcomes_file, "_cache": None}

    def __call__(self, values: dict[str, float], seed: int) -> dict[str, float]:
        from ..analysis.metrics import run_metrics
        from .run import simulate
        from ..analysis.results import RunData

        result = simulate(apply(self.scenario, values), seed=seed)
        if self._cache is None:
            from ..analysis.outcomes import load_outcomes

            outcomes = load_outcomes(self.outcomes_file, result.theatre, list(result.timeseries.columns)) if self.outcomes_file.exists() else []
            self._cache = (outcomes,)
        return run_metrics(RunData.of(result), self._cache[0], result.theatre)


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
            default: run the scenario and compute :func:`sim.metrics.run_metrics`.
        seed: base seed of replicate 0 (default: the scenario's).
    """
    out = Path(out)
    if evaluate is None:
        scenario = load_scenario(spec.scenario_path)
        for name in spec.design.names:  # a wrong path fails here, before any work
            apply(scenario, {name: spec.design.points[0][spec.design.names.index(name)]}, spec.scenario_path)
        evaluate = ScenarioEvaluator(scenario)
        base_seed = scenario.seed if seed is None else seed
        from .ensemble import inputs_hash

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
        "batch_runs": BATCH_RUNS,
        "package_version": __version__,
    }
    batches = _batches(spec, base_seed)
    done = _prepare(out, manifest, spec.design)
    todo = [(k, (evaluate, spec.design.names, items)) for k, items in enumerate(batches) if k not in done]

    from tqdm import tqdm  # imported here: only long work draws progress bars

    total = len(spec.design.points) * spec.runs
    finished = sum(len(batches[k]) for k in done)
    bar = tqdm(total=total, initial=finished, unit="run", disable=None if progress else True, desc="sweep")
    ran = 0
    try:
        for key, rows in run_tasks(run_batch, todo, workers=workers, executor=executor, scheduler=scheduler):
            _write_part(out, key, rows)
            ran += len(rows)
            bar.update(len(rows))
    finally:
        bar.close()
    return SweepResult(out, manifest, ran)


def _batches(spec: SweepSpec, base_seed: int) -> list[list[tuple[int, int, int, tuple]]]:
    """(point, replicate, seed, values) items cut into batches fixed by the design alone."""
    items = [(p, r, base_seed + r, tuple(float(v) for v in values))
             for p, values in enumerate(spec.design.points) for r in range(spec.runs)]
    return [items[i : i + BATCH_RUNS] for i in range(0, len(items), BATCH_RUNS)]


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
    parts = out / PARTS
    parts.mkdir(parents=True, exist_ok=True)
    if not file.exists():
        table = pd.DataFrame(design.points, columns=design.names)
        table.insert(0, "point", range(len(table)))
        write_atomic(out / "points.csv", table.to_csv(index=False, lineterminator="\n"))
        write_atomic(file, json.dumps({**manifest, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, indent=2) + "\n")
    for stray in parts.glob(".*"):
        stray.unlink()  # a part a killed sweep never finished
    return {int(p.stem.removeprefix("part-")) for p in parts.glob("part-*.parquet")}


def _write_part(out: Path, key: int, rows: pd.DataFrame) -> None:
    final = out / PARTS / f"part-{key:06d}.parquet"
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    rows.to_parquet(tmp, index=False)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)


def read_rows(out: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The sweep's rows, ordered by point and replicate."""
    parts = sorted((Path(out) / PARTS).glob("part-*.parquet"))
    if not parts:
        raise InputError(out, "no sweep rows here yet")
    table = pd.concat([pd.read_parquet(p, columns=columns) for p in parts], ignore_index=True)
    return table.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True) if {"point", "replicate"} <= set(table) else table


def sweep_digest(spec: SweepSpec) -> str:
    """A short name for a sweep's default folder."""
    text = json.dumps([str(spec.scenario_path), spec.design.describe(), spec.runs], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


__all__ = ["Design", "Parameter", "SweepSpec", "apply", "load_sweep", "make_design", "parameter_paths", "parse_param", "read_rows", "run_sweep"]
