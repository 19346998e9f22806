"""Sweep files (``sweeps/*.yaml``): a scenario, parameters, a design, replicates and metrics, in YAML."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, did_you_mean
from ..io.safe_yaml import load_yaml
from .designs import Design, make_design
from .parameters import Parameter


@dataclass
class SweepSpec:
    """What to sweep: a scenario, a design and replicates per point."""

    scenario_path: Path
    design: Design
    runs: int = 10
    metrics: list[str] = field(default_factory=list)
    replicate_seed: int | None = None  # seed of replicate 0 at every point (default: the scenario's)


def load_sweep(path: str | Path, **overrides) -> SweepSpec:  # noqa: ANN003 - runs, sample, n, sample_seed from the command line
    """Read a sweep file: ``scenario``, ``parameters`` ({path: {low, high, steps} or {values}}) or ``design``
    (a CSV of points, :mod:`sim.experiments.design_file`), ``sample``, ``n``, ``sample_seed`` (where a sampled
    design's points fall), ``replicate_seed`` (seed of replicate 0), ``runs``, ``metrics``."""
    path = Path(path)
    tree = load_yaml(path)
    allowed = ("scenario", "parameters", "design", "sample", "n", "sample_seed", "replicate_seed", "runs", "metrics")
    for key in tree:
        if key == "seed":
            raise InputError(path, "'seed' is ambiguous: write 'sample_seed' (where a sampled design's points fall) or "
                             "'replicate_seed' (the seed of replicate 0 at every point)", line=tree.lines[key][1], key=key)
        if key not in allowed:
            raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), allowed), line=tree.lines[key][1], key=str(key))
    if "scenario" not in tree:
        raise InputError(path, "missing required key 'scenario'", line=1, key="scenario")
    if ("parameters" in tree) == ("design" in tree):
        raise InputError(path, "give either 'parameters' (and a sample) or 'design' (a CSV of points)", line=1, key="parameters")
    replicate_seed = tree.get("replicate_seed")
    if replicate_seed is not None and (isinstance(replicate_seed, bool) or not isinstance(replicate_seed, int) or replicate_seed < 0):
        raise InputError(path, f"must be a whole number of at least 0 (got {replicate_seed!r})", line=tree.lines["replicate_seed"][1],
                         key="replicate_seed")
    if "design" in tree:
        return _external(path, tree, overrides, replicate_seed)
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
    settings = {k: tree.get(k) for k in ("sample", "n", "sample_seed", "runs")}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    sample = settings["sample"] or "grid"
    try:
        design = make_design(sample, params, n=settings["n"], seed=int(settings["sample_seed"] or 0))
    except InputError as exc:
        key = exc.key or "parameters"
        line = tree.lines.get(key, (None, None))[1] or (raw.lines.get(key, (None, None))[1])
        raise InputError(path, exc.message, line=line, key=key) from None
    metrics = tree.get("metrics") or []
    return SweepSpec((path.parent / str(tree["scenario"])).resolve(), design, int(settings["runs"] or 10), [str(m) for m in metrics],
                     replicate_seed)


def _external(path: Path, tree: dict, overrides: dict, replicate_seed: int | None) -> SweepSpec:
    """A sweep file whose points come from a CSV file (``design:``, relative to the sweep file)."""
    from ..io.scenario import load_scenario
    from .design_file import load_design

    for key in ("sample", "n", "sample_seed"):
        if tree.get(key) is not None or overrides.get(key) is not None:
            raise InputError(path, f"'{key}' does not apply to a design read from a file", line=tree.lines.get(key, (None, 1))[1], key=key)
    scenario_path = (path.parent / str(tree["scenario"])).resolve()
    design = load_design(path.parent / str(tree["design"]), load_scenario(scenario_path))
    runs = overrides.get("runs") or tree.get("runs") or 10
    return SweepSpec(scenario_path, design, int(runs), [str(m) for m in tree.get("metrics") or []], replicate_seed)


def _num(x: object) -> float | None:
    return None if x is None else float(x)


def sweep_digest(spec: SweepSpec) -> str:
    """A short name for a sweep's default folder."""
    text = json.dumps([str(spec.scenario_path), spec.design.describe(), spec.runs], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
