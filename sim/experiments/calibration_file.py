"""Calibration files (``calibrations/*.yaml``): what to fit, to which outcomes, with what budget and method.

A calibration file names

- ``scenarios``: one scenario or a list, scored together (their outcomes pooled);
- ``parameters``: dotted paths, as sweeps name them, each with ``low``/``high``
  bounds (``log: true`` samples on a log scale); real-valued ones only, as the
  trials draw real numbers (a switch or a whole number is refused);
- ``outcomes``: the outcomes file (default: ``outcomes.yaml`` beside the first
  scenario's claims record), the outcomes fitted (``fit``, default the
  ``calibration`` set) and those held out (``hold_out``, default ``validation``):
  a set name or a list of outcome ids;
- ``replicates`` per trial, the ``budget`` (``trials`` and/or ``minutes``),
  the ``method`` (``sampler``: ``tpe`` or ``cmaes``, ``seed``, ``batch``),
  the ``objective`` weights, how the accepted set is chosen (``accept``), the
  one-at-a-time ``slices`` through the best point, the ``report``'s replicates,
  and where the calibrated scenario layers go (``layers``).

Bad files raise :class:`~sim.errors.InputError` naming the file, line and key.
"""

from __future__ import annotations

import hashlib
import json
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from ..analysis.outcomes import OutcomeBase
from ..analysis.outcomes_file import load_outcomes
from ..analysis.scored_outcomes import outcomes_hash
from ..errors import InputError, check_loaded, did_you_mean, flag, require_extra
from ..io.files import as_path, unnameable
from ..io.kinds import named_kind, wrong_kind
from ..io.outputs import OUT
from ..io.paths import alias, declared_range, value_at
from ..io.safe_yaml import LDict, load_yaml, location
from ..io.scenario import inputs_hash, load_scenario
from ..io.schema import Scenario, Strict
from ..io.schema_types import Finite, Switch, Whole
from ..io.theatre import load_theatre
from ..io.validation import TaggedUnion, explain, first_error
from ..model.reporters import REPORTERS
from ..names import MAX_RUNS, MAX_TRIALS, is_whole
from .parameters import apply, parameter_paths

if TYPE_CHECKING:
    from ..analysis.calibration_score import Weights

NO_UNION = TaggedUnion("item", "kind", {})
SETS = ("calibration", "validation")
LAYER_MARK = "# Written by `python -m sim calibrate"  # the first line of every layer it writes
ACCEPTED_HEADER = "trial,objective,se"  # how the accepted set's CSV begins
# The Optuna study in a calibration's folder: named here, so that the command line looks for it before it imports the
# study's module (sim.experiments.calibration, which loads the model).
STUDY_FILE = "study.db"


class Bounds(Strict):
    low: Finite
    high: Finite
    log: Switch = Field(False, description="sample on a log scale (both bounds > 0)")


class OutcomeChoice(Strict):
    file: str | None = None
    fit: str | list[str] = "calibration"
    hold_out: str | list[str] = "validation"


class Budget(Strict):
    trials: Whole | None = Field(None, ge=1, le=MAX_TRIALS)
    minutes: Finite | None = Field(None, gt=0, le=1_000_000)


class Method(Strict):
    sampler: Literal["tpe", "cmaes"] = "tpe"
    seed: Whole = Field(1, ge=0, le=2**31 - 1)
    batch: Whole = Field(8, ge=1, le=1024, description="trials asked of the sampler before any of them is told")
    startup_trials: Whole = Field(16, ge=1, le=100_000, description="random trials before the sampler models the results")
    start_at_hand_set: Switch = Field(False, description="trial 0 is the scenario's own values (a warm start)")


class Objective(Strict):
    control: Finite = Field(1.0, ge=0, le=1e6)
    dates: Finite = Field(1.0, ge=0, le=1e6)
    quantities: Finite = Field(1.0, ge=0, le=1e6)
    conditions: Finite = Field(1.0, ge=0, le=1e6)
    date_scale_days: Finite = Field(14.0, gt=0, le=1e4)


class Accept(Strict):
    within_se: Finite = Field(2.0, ge=0, le=100, description="accept trials within this many standard errors of the best")
    max: Whole = Field(100, ge=1, le=100_000)
    rerank: Whole = Field(10, ge=0, le=10_000, description="the best point is chosen among this many best trials, run again")
    rerank_replicates: Whole = Field(48, ge=1, le=MAX_RUNS, description="on this many other seeds (seed + replicates on)")


class Slices(Strict):
    points: Whole = Field(7, ge=0, le=101, description="points along each parameter's range (0: no slices)")


class Report(Strict):
    replicates: Whole = Field(40, ge=1, le=MAX_RUNS)
    seed_offset: Whole = Field(1000, ge=0, le=2**40, description="the final scores run seeds seed + seed_offset on")


class CalibrationFile(Strict):
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    scenarios: str | list[str] = Field(min_length=1)
    parameters: dict[str, Bounds] = Field(min_length=1)
    outcomes: OutcomeChoice = OutcomeChoice()
    replicates: Whole = Field(16, ge=1, le=MAX_RUNS)
    budget: Budget
    method: Method = Method()
    objective: Objective = Objective()
    accept: Accept = Accept()
    slices: Slices = Slices()
    report: Report = Report()
    layers: str | None = Field(None, description="folder for the calibrated scenario layers (default: scenarios/calibrated beside the first scenario)")

    @model_validator(mode="after")
    def _fresh_report_seeds(self) -> CalibrationFile:
        used = self.replicates + (self.accept.rerank_replicates if self.accept.rerank else 0)
        if self.report.seed_offset < used:
            raise ValueError(f"report.seed_offset must be at least {used}: the trials and the re-ranking use seeds "
                             f"seed .. seed + {used - 1}, and the final scores need fresh ones")
        return self

    @field_validator("budget")
    @classmethod
    def _some_budget(cls, v: Budget) -> Budget:
        if v.trials is None and v.minutes is None:
            raise ValueError("give 'trials', 'minutes' or both")
        return v


@dataclass
class CalibrationSpec:
    """A calibration file read and checked: the scenarios loaded, the outcomes chosen."""

    path: Path
    name: str
    file: CalibrationFile
    scenario_paths: list[Path]
    scenarios: list[Scenario]
    outcomes_path: Path
    fit: list[OutcomeBase]
    hold_out: list[OutcomeBase]
    layers: Path

    @property
    def parameters(self) -> dict[str, Bounds]:
        return self.file.parameters

    @property
    def optimiser_modules(self) -> list[str]:
        """The modules of the ``calibrate`` extra that running this imports: Optuna, and cmaes for ``sampler: cmaes``."""
        return ["optuna", *(["cmaes"] if self.file.method.sampler == "cmaes" else [])]

    @property
    def weights(self) -> Weights:
        from ..analysis.calibration_score import Weights  # with the scoring's pandas: `check` of this file reads none

        o = self.file.objective
        return Weights(o.control, o.dates, o.quantities, o.conditions, o.date_scale_days)

    def outcome_counts(self) -> str:
        """How many outcomes are fitted and held out, and, where fewer, how many fall in the scenarios' windows: only
        those are scored (a January scenario is scored on none of the record's March outcomes)."""
        text = f"{len(self.fit)} fitted and {len(self.hold_out)} held-out outcomes"
        scored = [sum(any(o.applies(s.start, s.end) for s in self.scenarios) for o in chosen) for chosen in (self.fit, self.hold_out)]
        if scored != [len(self.fit), len(self.hold_out)]:
            windows = "scenario's window" if len(self.scenarios) == 1 else "scenarios' windows"
            text += f", {scored[0]} and {scored[1]} of them in the {windows} (only those are scored)"
        return text

    def hand_set(self) -> dict[str, float]:
        """The values the first scenario gives the calibrated parameters, as written (the hand-set values)."""
        return hand_values(self.scenarios[0], list(self.parameters))

    def digest(self) -> str:
        """What makes two runs of this file the same calibration: the search and what its trials are scored on (the
        scenarios with the content of their theatre and claims, the fitted and held-out outcomes as read), not the
        report or the budget."""
        f = self.file
        text = json.dumps({
            "scenarios": [inputs_hash(s) for s in self.scenarios],
            "parameters": {k: v.model_dump() for k, v in f.parameters.items()},
            "fit": [o.id for o in self.fit],
            "hold_out": [o.id for o in self.hold_out],
            "outcomes": outcomes_hash([*self.fit, *self.hold_out]),
            "replicates": f.replicates,
            "method": f.method.model_dump(),
            "objective": f.objective.model_dump(),
        }, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def hand_values(scenario: Scenario, paths: list[str]) -> dict[str, float]:
    data = scenario.model_dump(mode="python")
    return {path: float(value_at(data, path)) for path in paths}


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read and check a calibration file.

    Raises:
        InputError: naming the file, line and key of the first problem.
    """
    path = as_path(path)
    tree = load_yaml(path)
    for key in tree:  # an unknown key first: a misspelt 'budget' is not a missing one
        if key not in CalibrationFile.model_fields and (other := wrong_kind(path, tree, "calibration")):
            raise other  # a scenario or a sweep file where a calibration file goes
        if key not in CalibrationFile.model_fields:
            raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), CalibrationFile.model_fields),
                             line=tree.lines[key][1], key=str(key))
    try:
        f = CalibrationFile.model_validate(dict(tree))
    except ValidationError as exc:
        raise explain(first_error(exc.errors()), tree, path, root=CalibrationFile, union=NO_UNION) from None
    names = [f.scenarios] if isinstance(f.scenarios, str) else list(f.scenarios)
    paths, scenarios = [], []
    for i, name in enumerate(names):
        where = ("scenarios",) if isinstance(f.scenarios, str) else ("scenarios", i)
        if why := unnameable(name):
            raise _at(tree, where, path, f"no scenario file: {why}")
        file = (path.parent / name).resolve()
        if not file.is_file():
            raise _at(tree, where, path, f"no scenario file at {file}")
        if what := named_kind(file, "scenario"):  # its reader's error named neither this file nor the key
            raise _at(tree, where, path, f"names {what}, not a scenario: {file}")
        paths.append(file)
        scenarios.append(load_scenario(file))
    if len({p.stem for p in paths}) < len(paths):
        raise _at(tree, ("scenarios",), path, "two scenarios have the same file name; their calibrated layers would collide")
    _check_parameters(f, tree, path, scenarios)
    if f.method.start_at_hand_set:
        for name, value in hand_values(scenarios[0], list(f.parameters)).items():
            b = f.parameters[name]
            if not b.low <= value <= b.high:
                raise _at(tree, ("parameters", name), path, f"the scenario's own value {value} is outside the bounds, so "
                          "'start_at_hand_set' cannot start there", key=f"parameters.{name}")
    for where, name in ((("outcomes", "file"), f.outcomes.file), (("layers",), f.layers)):
        empty = name is not None and not name.strip()  # '' was read as not given: the default folder or file
        if why := unnameable(name) or (empty and "it is empty: leave the key out for the default"):
            raise _at(tree, where, path, f"must be a path ({why})")
    outcomes_path = (path.parent / f.outcomes.file).resolve() if f.outcomes.file else Path(scenarios[0].claims).parent / "outcomes.yaml"
    theatre = load_theatre(scenarios[0].theatre)
    outcomes = load_outcomes(outcomes_path, theatre, list(REPORTERS))
    fit = _choose(outcomes, f.outcomes.fit, tree, path, "fit")
    hold_out = _choose(outcomes, f.outcomes.hold_out, tree, path, "hold_out")
    both = sorted({o.id for o in fit} & {o.id for o in hold_out})
    if both:
        raise _at(tree, ("outcomes", "hold_out"), path, f"outcome '{both[0]}' is both fitted and held out")
    if not any(o.applies(s.start, s.end) for o in fit for s in scenarios):
        raise _at(tree, ("outcomes", "fit"), path, "none of the fitted outcomes falls inside any scenario's window")
    layers = (path.parent / f.layers).resolve() if f.layers else paths[0].parent / "calibrated"
    _check_layers(layers, paths, f.name or path.stem, tree, path, ("layers",) if f.layers else ("scenarios",))
    return CalibrationSpec(path, f.name or path.stem, f, paths, scenarios, outcomes_path, fit, hold_out, layers)


def _check_parameters(f: CalibrationFile, tree: LDict, path: Path, scenarios: list[Scenario]) -> None:
    for name, b in f.parameters.items():
        where = ("parameters", name)
        if not b.low < b.high:
            raise _at(tree, where, path, f"'low' ({b.low}) must be below 'high' ({b.high})", key=f"parameters.{name}")
        if b.log and b.low <= 0:
            raise _at(tree, where, path, "a log-scale parameter needs 'low' > 0", key=f"parameters.{name}")
        for scenario in scenarios:
            known = parameter_paths(scenario)
            if name not in known:
                # Names are kept as written (trials, layers, the report): an alias would name a column apart from its
                # path's, so it is refused, as an alias, where it was called no parameter at all.
                paths = [p for p in known if alias(p) == name]
                why = (f"'{name}' is an alias: a calibration file names each parameter by its dotted path ('{paths[0]}')"
                       if len(paths) == 1 else f"no parameter '{name}' in scenario {scenario.name}" + did_you_mean(name, known))
                raise _at(tree, where, path, why, key=f"parameters.{name}")
            kind = declared_range(scenario, name)[2]
            if kind is not float:  # Optuna is asked for real numbers: a trial would run 0.37 as on, or fail on 2.6 days
                what = "is a switch (true or false)" if kind is bool else "takes whole numbers"
                raise _at(tree, where, path, f"'{name}' {what}, which calibration cannot fit: it fits numbers on a continuous "
                          "range; set it in the scenario, or compare its values with a sweep on a grid", key=f"parameters.{name}")
            for value in (b.low, b.high):
                try:
                    apply(scenario, {name: value})
                except InputError as exc:
                    raise _at(tree, where, path, f"bound {value} is outside the parameter's range ({exc.message})",
                              key=f"parameters.{name}") from None


def _choose(outcomes: list[OutcomeBase], choice: str | list[str], tree: LDict, path: Path, key: str) -> list[OutcomeBase]:
    if isinstance(choice, str):
        if choice not in SETS:
            raise _at(tree, ("outcomes", key), path, f"unknown outcome set '{choice}'" + did_you_mean(choice, SETS) +
                      "; give a set name or a list of outcome ids")
        return [o for o in outcomes if o.set == choice]
    ids = {o.id: o for o in outcomes}
    for i, oid in enumerate(choice):
        if oid not in ids:
            raise _at(tree, ("outcomes", key, i), path, f"unknown outcome id '{oid}'" + did_you_mean(oid, ids))
    return [ids[oid] for oid in dict.fromkeys(choice)]


def _check_layers(layers: Path, scenarios: list[Path], name: str, tree: LDict, path: Path, where: tuple) -> None:
    """Refuse, before any trial runs, a layers folder where writing the layers would replace a file this command did not
    write: a scenario itself (a layer beside its scenario, with ``layers: .``), or a user's file of the same name."""
    theirs = [layers / f"{p.stem}.yaml" for p in scenarios]
    for file, mark in [*((f, LAYER_MARK) for f in theirs), (layers / f"{name}.accepted.csv", ACCEPTED_HEADER)]:
        if file in scenarios or (file.exists() and not _begins_with(file, mark)):
            raise _at(tree, where, path, f"{file} is not a calibrated layer this command wrote, and writing the layers "
                      "would replace it; choose another folder for 'layers'", key="layers")


def _begins_with(file: Path, text: str) -> bool:
    try:
        with open(file, encoding="utf-8", errors="replace") as fh:
            return fh.read(len(text)) == text
    except OSError:
        return False


def _at(tree: LDict, where: tuple, path: Path, message: str, key: str | None = None) -> InputError:
    file, line = location(tree, where)
    text = key or ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in where).replace(".[", "[")
    return InputError(file or path, message, line=line, key=text)


def require_optuna(spec: CalibrationSpec) -> None:
    """Refuse, as an InputError saying how to install it, to calibrate without the ``calibrate`` extra
    (Optuna, and cmaes for ``sampler: cmaes``): it was a traceback ending in ModuleNotFoundError."""
    require_extra("calibrate", "calibration", spec.optimiser_modules)


def checked_call(spec: object, out: object, workers: object, trials: object = None, minutes: object = None) -> tuple[Path, int]:
    """The arguments of ``run_calibration`` and ``finish`` that the command checks as flags, checked as it does: from
    Python, a sweep file's path as ``spec`` or None as ``out`` failed deep inside, ``trials=-1`` or ``minutes=-1`` ran
    no trial and returned as if the budget were spent, ``workers=0`` ran, and ``trials="3"`` was a TypeError.

    Returns:
        ``out`` as a path, and the worker count as an int.

    Raises:
        InputError: ``spec`` not a :class:`CalibrationSpec`, ``out`` not a path, ``workers`` not from 1 to 64,
            ``trials`` not a whole number from 1 to :data:`~sim.names.MAX_TRIALS`, ``minutes`` not positive (None:
            the file's budget).
    """
    from .ensemble import check_workers  # here: checking a calibration file imports no pandas

    check_loaded(spec, CalibrationSpec, "sim.load_calibration")
    folder, workers = as_path(out, OUT), check_workers(workers)
    if trials is not None and (not is_whole(trials) or not 1 <= trials <= MAX_TRIALS):
        raise InputError(None, f"must be a whole number from 1 to {MAX_TRIALS:,} (got {trials!r})", key=flag("trials"))
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, numbers.Real) or not minutes > 0):
        raise InputError(None, f"must be a positive number of minutes (got {minutes!r})", key=flag("minutes"))
    return folder, workers
