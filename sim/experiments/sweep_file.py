"""Sweep files (``sweeps/*.yaml``): a scenario, parameters, a design, replicates and metrics, in YAML."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, close_or_grouped, did_you_mean
from ..io.files import as_path, unnameable
from ..io.kinds import SWEEP_KEYS, named_kind, wrong_kind
from ..io.paths import parameter_paths, resolve
from ..io.safe_yaml import load_yaml
from ..io.scenario import load_scenario
from ..io.schema import Scenario
from ..names import MAX_TOTAL_RUNS
from .designs import SETTINGS as DESIGN_SETTINGS, Design, make_design
from .parameters import MAX_STEPS, Parameter, check_design, out_of_range, repeated_value
from .sweep_settings import DEFAULT_RUNS, read_settings, whole_in


@dataclass
class SweepSpec:
    """What to sweep: a scenario, a design and replicates per point; :func:`load_sweep` reads one from a sweep file, and
    one built in Python is checked as that is when :func:`sim.run_sweep` runs it::

        design = sim.make_design("grid", [sim.Parameter("regime.commit", values=[0.4, 0.6])])
        sim.run_sweep(sim.SweepSpec("scenarios/campaign.yaml", design, runs=4), "results/commit-sweep")

    Attributes:
        scenario_path: the scenario file's path.
        design: from :func:`sim.make_design` (or a design file's, :mod:`sim.experiments.design_file`).
        runs: replicates per point.
        metrics: the metrics ``sweep-report`` reports by default, by name or alias (every row holds every metric).
        source: the sweep file, if any.
        replicate_seed: the seed of replicate 0 at every point (default: the scenario's).
    """

    scenario_path: Path
    design: Design
    runs: int = 10
    metrics: list[str] = field(default_factory=list)
    source: Path | None = None
    replicate_seed: int | None = None  # seed of replicate 0 at every point (default: the scenario's)


def load_sweep(path: str | Path, **overrides) -> SweepSpec:  # noqa: ANN003 - runs, sample, n, sample_seed from the command line
    """Read a sweep file: ``scenario``, ``parameters`` ({path: {low, high, steps} or {values}}) or ``design``
    (a CSV of points, :mod:`sim.experiments.design_file`), ``sample``, ``n``, ``sample_seed``, ``replicate_seed``,
    ``runs``, ``metrics``.

    Two seeds, named apart: ``sample_seed`` places a sampled design's points; ``replicate_seed`` is the seed
    of replicate 0 at every point (default: the scenario's; ``--seed`` overrides it). A bare ``seed`` is refused.

    ``overrides`` (``sample``, ``n``, ``sample_seed``, ``runs``, ``replicate_seed``; None for one not given) take the
    place of the file's keys, and are checked as they are: another keyword, or a value the key would refuse, is an
    InputError naming the keyword (on the command line, its flag).
    """
    path = as_path(path)
    tree = load_yaml(path)
    allowed = SWEEP_KEYS
    for key in tree:
        if key not in allowed and (other := wrong_kind(path, tree, "sweep")):
            raise other  # a scenario or a calibration file where a sweep file goes
        if key == "seed":
            raise InputError(path, "'seed' is ambiguous: write 'sample_seed' (where a sampled design's points fall) or "
                             "'replicate_seed' (the seed of replicate 0 at every point)", line=tree.lines[key][1], key=key)
        if key not in allowed:
            raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), allowed), line=tree.lines[key][1], key=str(key))
    if "scenario" not in tree:
        raise InputError(path, "missing required key 'scenario'", line=1, key="scenario")
    if ("parameters" in tree) == ("design" in tree):
        raise InputError(path, "give either 'parameters' (and a sample) or 'design' (a CSV of points)", line=1, key="parameters")

    def line(key: str) -> int | None:
        return tree.lines.get(key, (None, None))[1]

    if not isinstance(tree["scenario"], str) or not tree["scenario"].strip():
        raise InputError(path, "'scenario' must be the path of a scenario file", line=line("scenario"), key="scenario")
    scenario = _named_file(path, tree, "scenario", line)
    settings = None
    try:
        settings = read_settings(path, tree, overrides, line)
        listed = _listed_metrics(path, tree, line)
        loaded = load_scenario(scenario)
        metrics = _check_metrics(path, listed, loaded)
    except InputError as exc:
        # Each part is checked apart, and of their errors the first in the file is reported, as for the file's other keys:
        # a setting on line 9 was reported before a parameter on line 4, a metric on line 7 before one on line 5. The
        # parameters are checked with the settings where these pass, else as far as they can be without them.
        def points() -> object:
            if settings is None:
                return _points(path, tree, scenario, line)
            return _designed(path, tree, scenario, load_scenario(scenario), settings, [], overrides, line)

        def named_metrics() -> list[str]:
            return _check_metrics(path, _listed_metrics(path, tree, line), load_scenario(scenario))

        raise _first_in_file(path, exc, points, named_metrics) from None
    return _designed(path, tree, scenario, loaded, settings, metrics, overrides, line)


def _listed_metrics(path: Path, tree: dict, line) -> list:  # noqa: ANN001 - the line finder
    """The file's ``metrics`` as listed, if a list of names (whether each is a metric, :func:`_check_metrics` says)."""
    metrics = [] if tree.get("metrics") is None else tree["metrics"]  # `metrics: 0` or '' is no list, not "none given"
    from ..analysis.metrics import is_metric_list  # here: analysis (numpy, the timeline) costs a fifth of a second

    if not is_metric_list(metrics):
        raise InputError(path, "'metrics' must be a list of metric names", line=line("metrics"), key="metrics")
    return metrics


def _first_in_file(path: Path, error: InputError, *checks: Callable[[], object]) -> InputError:
    """Of ``error`` and the errors ``checks`` raise, the one to report: a flag's first (the command line is read before
    the file), then the first in the file at ``path``, then one in another file it names (a design's CSV, the scenario)."""
    found = [error]
    for check in checks:
        try:
            check()
        except InputError as exc:
            found.append(exc)

    def place(exc: InputError) -> tuple[int, int]:
        return (0, 0) if exc.file is None else (1, exc.line or 0) if exc.file == str(path) else (2, 0)

    return min(found, key=place)  # the first of equals: the error raised first


def _points(path: Path, tree: dict, scenario: Path, line) -> None:  # noqa: ANN001 - the line finder
    """Check the file's parameters (or its design's file) as far as they can be without its settings."""
    if "design" in tree:
        _design_file(path, tree, line)
    else:
        _parameters(path, tree, load_scenario(scenario), line)


def _designed(path: Path, tree: dict, scenario: Path, loaded: Scenario, settings: dict, metrics: list[str],
              overrides: dict, line) -> SweepSpec:  # noqa: ANN001 - the line finder
    """The sweep a file's ``parameters`` or ``design`` make, ``metrics`` checked already: see :func:`load_sweep`."""
    if "design" in tree:
        return _external(path, tree, scenario, loaded, settings, metrics, line)
    params, raw, given = _parameters(path, tree, loaded, line)
    try:
        design = make_design(settings["sample"] or "grid", params, n=settings["n"], seed=settings["sample_seed"])
    except InputError as exc:
        flags = {key for key, value in overrides.items() if value is not None}
        raise _design_error(path, exc, raw, given, flags, line) from None
    for k, name in enumerate(design.names):  # run_sweep's own check, here where each parameter has a line: check refuses what sweep would
        try:
            check_design(loaded, design.sample, [name], design.span(k), path)
        except InputError as exc:
            raise InputError(path, exc.message, line=raw.lines[given[name][0]][1], key=f"parameters.{given[name][0]}") from None
    return _sized(SweepSpec(scenario, design, settings["runs"] or DEFAULT_RUNS, metrics, source=path,
                            replicate_seed=settings["replicate_seed"]), tree, line)


def _parameters(path: Path, tree: dict, loaded: Scenario, line) -> tuple[list[Parameter], dict, dict]:  # noqa: ANN001 - the line finder
    """The file's ``parameters``, each checked at its line against the scenario ``loaded`` (no setting is needed for
    that): the parameters, the mapping as read, and each dotted path's names as the file gives them (paths or aliases)."""
    params = []
    raw = tree["parameters"]
    if not isinstance(raw, dict) or not raw:
        raise InputError(path, "'parameters' must map parameter paths to {low, high[, steps]} or {values: [...]}", line=line("parameters"), key="parameters")
    known, given = parameter_paths(loaded), {}  # given: each dotted path -> the names the file gives it (paths or aliases)
    for name, spec in raw.items():
        where = raw.lines[name][1]
        try:
            dotted = resolve(str(name), known, str(path))  # as a design's header is read
        except InputError as exc:
            raise InputError(path, exc.message, line=where, key=f"parameters.{name}") from None
        given.setdefault(dotted, []).append(name)
        if not isinstance(spec, dict) or not set(spec) <= {"low", "high", "steps", "values"}:
            unknown = sorted(str(k) for k in spec if k not in ("low", "high", "steps", "values")) if isinstance(spec, dict) else []
            said = (f"unknown key '{unknown[0]}'" + did_you_mean(unknown[0], ("low", "high", "steps", "values")) + ": "
                    if unknown else "")  # {value: [...]} said only what was expected, not what was wrong
            at = getattr(spec, "lines", {}).get(unknown[0], (None, where))[1] if unknown else where
            raise InputError(path, f"{said}expected {{low, high[, steps]}} or {{values: [...]}}", line=at,
                             key=f"parameters.{name}" + (f".{unknown[0]}" if unknown else ""))
        try:
            values = spec.get("values")
            if values is not None and (not isinstance(values, list) or not values):
                raise ValueError
            steps = whole_in(spec["steps"], 2, MAX_STEPS) if "steps" in spec else None
            params.append(Parameter(dotted, _num(spec.get("low")), _num(spec.get("high")), steps,
                                    tuple(_num(v) for v in values) if values is not None else None))
        except (TypeError, ValueError):
            raise InputError(path, f"expects finite numbers: low, high (steps: a whole number from 2 to {MAX_STEPS:,}) or a "
                             "list of values", line=where, key=f"parameters.{name}") from None
        if (twice := repeated_value(params[-1])) is not None:  # the same point run twice, counted as two
            raise InputError(path, f"{twice:g} is listed twice; a grid runs each value once", line=where,
                             key=f"parameters.{name}.values")
        if (outside := out_of_range(loaded, params[-1])) is not None:  # as written, as --param refuses it
            bound, why = outside
            raise InputError(path, why, line=getattr(spec, "lines", {}).get(bound, (None, where))[1],
                             key=f"parameters.{name}.{bound}")
    return params, raw, given


def check_size(points: int, runs: int, where: Path | None = None, line: int | None = None, key: str = "--runs") -> None:
    """Refuse a sweep of more than :data:`MAX_TOTAL_RUNS` runs, before anything is planned or written."""
    if points * runs > MAX_TOTAL_RUNS:
        raise InputError(where, f"{points:,} points x {runs:,} runs is {points * runs:,} runs; at most {MAX_TOTAL_RUNS:,} in "
                         "one sweep (fewer points or runs, or several sweeps)", line=line, key=key)


def _sized(spec: SweepSpec, tree: dict, line) -> SweepSpec:  # noqa: ANN001 - the line finder
    key = "runs" if "runs" in tree else "--runs"
    check_size(spec.design.size, spec.runs, spec.source, line("runs"), key)
    return spec


def _design_error(path: Path, exc: InputError, raw: dict, given: dict, flags: set, line) -> InputError:  # noqa: ANN001 - the line finder
    """make_design's error ``exc`` named where the user wrote what it names, as the file's other errors are.

    A setting in ``flags`` (given on the command line: load_sweep's overrides) names the flag; one in the file,
    its key and line (a missing one, line 1, as a missing 'scenario' is). A parameter is ``parameters.<name>`` at its line, ``name`` as the file writes it (a path or an alias);
    one given twice, at its second line. The design as a whole is ``parameters``.
    """
    if exc.key in DESIGN_SETTINGS:
        key, flag = DESIGN_SETTINGS[exc.key]
        if key in flags:
            return InputError(None, exc.message, key=flag)
        if key == "n" and line("n") is None:  # missing: where the sampled design is asked for, or the flag that asks
            if "sample" in flags:
                return InputError(None, exc.message, key=flag)
            return InputError(path, exc.message + f"; add n: to this file (or give {DESIGN_SETTINGS['n'][1]})", line=line("sample"), key="sample")
        return InputError(path, exc.message, line=line(key) or 1, key=key)
    if exc.key in given:
        first, *more = given[exc.key]
        name = more[0] if more else first
        also = f" (also on line {raw.lines[first][1]})" if more else ""
        return InputError(path, exc.message + also, line=raw.lines[name][1], key=f"parameters.{name}")
    return InputError(path, exc.message, line=line("parameters"), key="parameters")


def _named_file(path: Path, tree: dict, key: str, line) -> Path:  # noqa: ANN001 - the line finder
    """The file ``tree[key]`` names, relative to the sweep file; a missing one is the sweep file's error, at its line."""
    if why := unnameable(tree[key]):
        raise InputError(path, f"no {key} file: {why}", line=line(key), key=key)
    file = (path.parent / tree[key]).resolve()
    if not file.is_file():
        raise InputError(path, f"no {key} file at {file}", line=line(key), key=key)
    # Another kind of file (a sweep, a calibration): its own reader's error named neither this file nor the key.
    if key == "scenario" and (what := named_kind(file, "scenario")):
        raise InputError(path, f"'scenario' names {what}, not a scenario: {file}", line=line(key), key=key)
    return file


def _check_metrics(path: Path | None, metrics: list, scenario: Scenario) -> list[str]:
    """``metrics`` as the metrics the sweep's runs will have, each given by its name or its alias
    (:func:`~sim.analysis.metrics.metric_named`): a typo, or a metric listed twice, is refused now, at its line, not
    by ``sweep-report`` after the runs. ``path`` None: a :class:`SweepSpec` built in Python, named ``spec.metrics``."""
    from ..analysis.metrics import is_metric_list, metric_named, metric_names

    if path is None and not is_metric_list(metrics):
        raise InputError(None, f"must be a list of metric names (got {metrics!r})", key="spec.metrics")
    if not metrics:
        return []
    from ..analysis.scored_outcomes import scored_outcomes

    valid = metric_names(scenario, scored_outcomes(scenario))  # the outcomes a sweep scores against (ScenarioEvaluator's)
    named = [metric_named(name, valid) for name in metrics]
    for i, name in enumerate(named):
        if name not in valid:
            # The per-outcome names counted by kind, as sweep-report and discover do: a campaign's 300-odd on one line
            # were a wall of text.
            message = f"unknown metric '{name}'" + close_or_grouped(name, valid, f"sim.simulate(scenario).metrics() names all {len(valid)}")
            if path is None:
                raise InputError(None, message, key=f"spec.metrics[{i}]")
            raise InputError(path, message, line=metrics.lines[i][1], key=f"metrics[{i}]")
    # A repeat, by name or by alias, refused as a repeated parameter or grid value is, not dropped: it is most often
    # another metric mistyped (a deal's id copied from the line above), and dropped, the one meant went unreported.
    for i, name in enumerate(named):
        if (first := named.index(name)) < i:
            alias_said = f"; '{metrics[i]}' is its alias" if metrics[i] != name else ""
            if path is None:
                raise InputError(None, f"metric '{name}' is listed twice (also spec.metrics[{first}]){alias_said}",
                                 key=f"spec.metrics[{i}]")
            raise InputError(path, f"metric '{name}' is listed twice (also on line {metrics.lines[first][1]}){alias_said}",
                             line=metrics.lines[i][1], key=f"metrics[{i}]")
    return named


def check_metrics(spec: SweepSpec, scenario: Scenario) -> list[str]:
    """The metrics of a :class:`SweepSpec` built in Python, checked as :func:`load_sweep` checks a sweep file's (whose
    are checked already), each as the metric it names (an alias read as its metric's name): unchecked, a typo was
    refused by ``sweep_report`` after every run, and a number in the list went into a manifest that the folder's
    readers then called damaged."""
    return _check_metrics(None, spec.metrics, scenario) if spec.source is None else list(spec.metrics)


def _external(path: Path, tree: dict, scenario: Path, loaded: Scenario, settings: dict, metrics: list[str], line) -> SweepSpec:  # noqa: ANN001 - the line finder
    """A sweep file whose points come from a CSV file (``design:``, relative to the sweep file)."""
    from .design_file import load_design

    for key, flag in DESIGN_SETTINGS.values():  # sample, n, sample_seed: each with its flag
        if settings[key] is None:
            continue
        if line(key) is None:  # not in the file: the command line's flag gave it, and is what to name
            raise InputError(None, f"does not apply to a design read from a file ({path.name} has 'design:')", key=flag)
        raise InputError(path, f"'{key}' does not apply to a design read from a file", line=line(key), key=key)
    design = load_design(_design_file(path, tree, line), loaded)
    return _sized(SweepSpec(scenario, design, settings["runs"] or DEFAULT_RUNS, metrics, source=path, replicate_seed=settings["replicate_seed"]),
                  tree, line)


def _design_file(path: Path, tree: dict, line) -> Path:  # noqa: ANN001 - the line finder
    """The CSV file of points the sweep file's ``design`` names."""
    if not isinstance(tree["design"], str) or not tree["design"].strip():
        raise InputError(path, "'design' must be the path of a CSV file of points", line=line("design"), key="design")
    return _named_file(path, tree, "design", line)


def _num(x: object) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise ValueError(x)
    return float(x)


def sweep_digest(spec: SweepSpec, seed: int | None = None) -> str:
    """A short name for a sweep's default folder.

    Args:
        spec: the sweep.
        seed: the replicate seed given (``--seed``; else the file's ``replicate_seed``). A second set of seeds is
            another sweep, so it gets its own folder; without one the name is what it always was, so a sweep
            made before still resumes.
    """
    seed = spec.replicate_seed if seed is None else seed
    parts = [str(spec.scenario_path), spec.design.describe(), spec.runs, *([] if seed is None else [seed])]
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
