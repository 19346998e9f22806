"""Sweep files (``sweeps/*.yaml``): a scenario, parameters, a design, replicates and metrics, in YAML."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, did_you_mean
from ..io.safe_yaml import load_yaml
from .designs import SAMPLES, Design, make_design
from .parameters import MAX_STEPS, Parameter


MAX_RUNS = 100_000  # replicates per point
SETTINGS = {"runs": (1, MAX_RUNS), "n": (1, 1_000_000), "seed": (0, 2**32 - 1)}


@dataclass
class SweepSpec:
    """What to sweep: a scenario, a design and replicates per point (``source``: the sweep file, if any)."""

    scenario_path: Path
    design: Design
    runs: int = 10
    metrics: list[str] = field(default_factory=list)
    source: Path | None = None


def load_sweep(path: str | Path, **overrides) -> SweepSpec:  # noqa: ANN003 - runs, sample, n from the command line
    """Read a sweep file: ``scenario``, ``parameters`` ({path: {low, high, steps} or {values}}), ``sample``, ``n``, ``seed``, ``runs``, ``metrics``.

    ``seed`` here seeds the design's sampling; replicate seeds follow the scenario's (or ``--seed``).
    """
    path = Path(path)
    tree = load_yaml(path)
    allowed = ("scenario", "parameters", "sample", "n", "seed", "runs", "metrics")
    for key in tree:
        if key not in allowed:
            raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), allowed), line=tree.lines[key][1], key=str(key))
    for key in ("scenario", "parameters"):
        if key not in tree:
            raise InputError(path, f"missing required key '{key}'", line=1, key=key)

    def line(key: str) -> int | None:
        return tree.lines.get(key, (None, None))[1]

    if not isinstance(tree["scenario"], str) or not tree["scenario"].strip():
        raise InputError(path, "'scenario' must be the path of a scenario file", line=line("scenario"), key="scenario")
    params = []
    raw = tree["parameters"]
    if not isinstance(raw, dict) or not raw:
        raise InputError(path, "'parameters' must map parameter paths to {low, high[, steps]} or {values: [...]}", line=line("parameters"), key="parameters")
    for name, spec in raw.items():
        where = raw.lines[name][1]
        if not isinstance(spec, dict) or not set(spec) <= {"low", "high", "steps", "values"}:
            raise InputError(path, "expected {low, high[, steps]} or {values: [...]}", line=where, key=f"parameters.{name}")
        try:
            values = spec.get("values")
            if values is not None and (not isinstance(values, list) or not values):
                raise ValueError
            steps = _whole(spec["steps"], 2, MAX_STEPS) if "steps" in spec else None
            params.append(Parameter(str(name), _num(spec.get("low")), _num(spec.get("high")), steps,
                                    tuple(_num(v) for v in values) if values is not None else None))
        except (TypeError, ValueError):
            raise InputError(path, f"expects finite numbers: low, high (steps: a whole number from 2 to {MAX_STEPS:,}) or a "
                             "list of values", line=where, key=f"parameters.{name}") from None
    settings: dict = {}
    for key in ("sample", "n", "seed", "runs"):
        value = overrides.get(key)
        if value is None and tree.get(key) is not None:
            value = tree[key]
            if key in SETTINGS:
                lo, hi = SETTINGS[key]
                try:
                    value = _whole(value, lo, hi)
                except (TypeError, ValueError):
                    raise InputError(path, f"must be a whole number from {lo:,} to {hi:,} (got {value!r})", line=line(key), key=key) from None
            elif not isinstance(value, str):
                raise InputError(path, f"must be one of {', '.join(SAMPLES)}", line=line(key), key=key)
        settings[key] = value
    metrics = tree.get("metrics") or []
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise InputError(path, "'metrics' must be a list of metric names", line=line("metrics"), key="metrics")
    try:
        design = make_design(settings["sample"] or "grid", params, n=settings["n"], seed=settings["seed"] or 0)
    except InputError as exc:
        key = exc.key or "parameters"
        at = line(key) or raw.lines.get(key, (None, None))[1]
        raise InputError(path, exc.message, line=at, key=key) from None
    scenario = (path.parent / tree["scenario"]).resolve()
    return SweepSpec(scenario, design, settings["runs"] or 10, list(metrics), source=path)


def _num(x: object) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise ValueError(x)
    return float(x)


def _whole(x: object, lo: int, hi: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or not lo <= x <= hi:
        raise ValueError(x)
    return x


def sweep_digest(spec: SweepSpec) -> str:
    """A short name for a sweep's default folder."""
    text = json.dumps([str(spec.scenario_path), spec.design.describe(), spec.runs], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
