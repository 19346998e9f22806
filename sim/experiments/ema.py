"""EMA Workbench interop: a scenario as an EMA ``Model`` whose uncertainties are its parameters.

::

    from ema_workbench import SequentialEvaluator
    import sim

    model = sim.ema_model("scenarios/campaign.yaml", ["events.jan-truce.restraint", "regime.pressure_growth"],
                          replicates=10)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=50)

Each parameter becomes an uncertainty named by its alias
(``events__jan_truce__restraint``; EMA Workbench 3 wants Python names), over
the range the schema declares unless a narrower one is given; each metric an
outcome, likewise named by alias (``ceasefire_days__jan_truce``). Replicate
``i`` of every experiment runs with seed ``seed + i``, the project's
convention: the numbers are those of ``sim sweep`` for the same points with
``--seed seed --runs replicates``. ``ema_workbench`` is an optional
dependency (``pip install 'idlib-ceasefire-sim[ema]'``), imported only here.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..analysis.discovery import ema_workbench
from ..analysis.metrics import metric_named, metric_names
from ..analysis.scored_outcomes import scored_outcomes
from ..api import replicate_seeds, run_with, scenario_of
from ..errors import InputError, check_switch, close_or_grouped
from ..io.paths import alias, declared_range, parameter_paths, resolve
from ..io.schema import Scenario

# Metrics every model reports unless told otherwise (plus ceasefire_days:<id> for each truce or agreement with an id).
CORE_OUTCOMES = ("ceasefire_days", "ceasefire_broken", "outcomes_met", "control_accuracy", "towns_changed_hands",
                 "towns_regime", "turkish_deaths", "displaced")


class Runner:
    """The function EMA Workbench calls: uncertainties by alias in, outcomes by alias out (picklable, for its pools)."""

    def __init__(self, scenario: Scenario, names: dict[str, str], outcomes: dict[str, str], replicates: int,
                 seed: int | None, outcomes_file: str | Path | None) -> None:
        self.scenario, self.names, self.outcomes = scenario, names, outcomes
        self.replicates, self.seed, self.outcomes_file = replicates, seed, outcomes_file

    def __call__(self, seed: int | None = None, **values: Any) -> dict[str, float]:
        params = {self.names[k]: v for k, v in values.items() if k in self.names}
        one = seed is not None  # a replication of a ReplicatorModel: one run, with its seed
        metrics = run_with(self.scenario, seed=seed if one else self.seed, replicates=1 if one else self.replicates,
                           outcomes=self.outcomes_file, **params)
        return {name: metrics[metric] for name, metric in self.outcomes.items()}


def ema_model(scenario: Scenario | str | Path, parameters: Iterable[str] | Mapping[str, tuple[float, float]], *,
              outcomes: Iterable[str] | None = None, replicates: int = 1, seed: int | None = None,
              replicator: bool = False, name: str | None = None, outcomes_file: str | Path | None = None) -> Any:  # noqa: ANN401
    """An EMA Workbench model of ``scenario``.

    Args:
        scenario: a :class:`~sim.Scenario` or the path of a scenario file.
        parameters: dotted paths or aliases, each an uncertainty over the range its
            schema declares; or ``{path: (low, high)}`` for a narrower range (``None``: the declared one).
            Numbers become ``RealParameter``, whole numbers ``IntegerParameter`` (their bounds
            whole too), switches ``BooleanParameter`` (no narrower range). At least one; each once.
        outcomes: metric names (those of a sweep row, or their aliases; default: :data:`CORE_OUTCOMES` and
            ``ceasefire_days:<id>`` for each truce or agreement with an id). Outcome
            names are their aliases (``:`` and ``.`` become ``__``, ``-`` becomes ``_``).
        replicates: runs per experiment, with seeds ``seed``, ``seed + 1``, ...
        seed: seed of replicate 0 (default: the scenario's).
        replicator: False (default): a ``Model`` whose outcomes are means over the
            replicates (run together, as one batch). True: a ``ReplicatorModel`` with
            one replication per seed, whose outcomes keep every replicate
            (``ArrayOutcome``, one column per replicate).
        name: the model's name, a Python name as EMA requires (default: the scenario's, as a Python name).
        outcomes_file: the reported outcomes to score against (default: beside the claims record).

    Raises:
        InputError: an unknown parameter or metric, no outcome, a range outside the declared one, a replicate count
            or seed out of bounds, a name that is no Python name, or no EMA Workbench.
    """
    check_switch(replicator, "replicator")
    ema = ema_workbench()
    sc = scenario_of(scenario)
    known = parameter_paths(sc)
    if isinstance(parameters, str):  # one name: read letter by letter, it was refused as "no parameter 'r'"
        parameters = [parameters]
    if not isinstance(parameters, Mapping | Iterable):
        raise InputError(None, f"needs parameters' paths or aliases, or {{path: (low, high)}} (got {parameters!r})",
                         key="parameters")
    ranges = parameters if isinstance(parameters, Mapping) else dict.fromkeys(parameters)
    if not ranges:  # a model of no uncertainty: every experiment the same point
        raise InputError(None, "needs at least one parameter: a path or alias, or {path: (low, high)}", key="parameters")
    uncertainties, names = [], {}
    for given, bounds in ranges.items():
        path = resolve(str(given), known, f"scenario {sc.name}")
        label = _identifier(alias(path), path)
        if label in names:  # EMA kept one of the two uncertainties (and so one of two ranges) without a word
            raise InputError(None, f"'{path}' is given twice (as {names[label][1]!r} and {given!r})", key="parameters")
        low, high, kind = declared_range(sc, path)
        if bounds is not None:
            low, high = _bounds(sc.name, path, bounds, (low, high), kind)
        if kind is bool:
            uncertainties.append(ema.BooleanParameter(label))
        elif kind is int:
            uncertainties.append(ema.IntegerParameter(label, int(low), int(high)))
        else:
            uncertainties.append(ema.RealParameter(label, low, high))
        names[label] = (path, given)
    if outcomes is None:
        deals = [f"ceasefire_days:{e.id}" for e in sc.events if e.type in ("truce", "agreement") and e.id]
        outcomes = [*CORE_OUTCOMES, *deals]
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    if not outcomes:  # a model whose experiments report nothing, as no parameters would be a model of one point
        raise InputError(None, "needs at least one metric, or None for the default ones", key="outcomes")
    # Checked now, not in EMA's first experiment (a worker's, under a MultiprocessingEvaluator), as a sweep file's are.
    valid = metric_names(sc, scored_outcomes(sc, outcomes_file, key="outcomes_file"))
    outcomes = [metric_named(m, valid) for m in outcomes]  # by name or by the alias EMA names it by
    for m in outcomes:
        if m not in valid:
            raise InputError(None, f"no metric '{m}'" + close_or_grouped(m, valid, f"a run has {len(valid)}"), key="outcomes")
    wanted = {_identifier(alias(m), m): m for m in outcomes}
    if name is not None and not (isinstance(name, str) and name.isidentifier()):  # EMA's own EMAError named no argument
        raise InputError(None, f"must be a Python name, as EMA Workbench names its models (got {name!r})", key="name")
    label = name or _identifier(alias(sc.name), sc.name)
    seeds = replicate_seeds(sc, replicates, seed)  # checked now too: a bad count failed in EMA's first experiment
    runner = Runner(sc, {label: path for label, (path, _) in names.items()}, wanted, replicates, seed, outcomes_file)
    if replicator:
        model = ema.ReplicatorModel(label, function=runner)
        model.replications = [{"seed": s} for s in seeds]
        model.outcomes = _outcomes(ema.ArrayOutcome, wanted)
    else:
        model = ema.Model(label, function=runner)
        model.outcomes = _outcomes(ema.ScalarOutcome, wanted)
    model.uncertainties = uncertainties
    return model


def _bounds(scenario: str, path: str, bounds: object, declared: tuple[float, float], kind: type) -> tuple[float, float]:
    """A narrower range given as ``(low, high)``, checked: (0.1, 0.2, 0.3) was a bare ValueError, and (1.5, 4.5) on a
    whole number became 1 to 4 without a word."""
    where = f"scenario {scenario}"
    if (isinstance(bounds, str) or not isinstance(bounds, Iterable) or len(pair := list(bounds)) != 2
            or not all(isinstance(b, numbers.Real) and math.isfinite(b) for b in pair)):
        raise InputError(where, f"a range is (low, high), two finite numbers (got {bounds!r})", key=path)
    lo, hi = (float(b) for b in pair)
    if not lo < hi:  # else reversed bounds inside the range were called "not inside" it
        raise InputError(where, f"low {lo:g} is not below high {hi:g}: give (low, high)", key=path)
    low, high = declared
    if not low <= lo < hi <= high:
        raise InputError(where, f"range {lo:g} to {hi:g} is not inside the declared {low:g} to {high:g}", key=path)
    if kind is int and not (lo.is_integer() and hi.is_integer()):  # as a sweep refuses a fraction for a whole number
        raise InputError(where, f"takes whole numbers, not {lo if not lo.is_integer() else hi:g}: give whole-number bounds",
                         key=path)
    if kind is bool and (lo, hi) != (low, high):  # EMA samples a switch as true or false: a narrower range meant nothing
        raise InputError(where, f"is a switch (true or false), sampled as either: it takes no narrower range than "
                         f"({low:g}, {high:g}); give None", key=path)
    return lo, hi


def _outcomes(kind: type, names: dict[str, str]) -> list:
    """EMA's outcomes of one ``kind``, refused as an InputError where EMA has registered a name with another class in
    this process (a replicator model after a plain one): its bare ValueError did not say why."""
    try:
        return [kind(n) for n in names]
    except ValueError as exc:
        if "different class" not in str(exc):
            raise
        other = "replicator=False" if kind.__name__ == "ArrayOutcome" else "replicator=True"
        raise InputError(None, f"EMA Workbench has these outcomes as another kind in this process (a model made with "
                         f"{other}): it keeps one kind per outcome name per process; make the other kind in a new "
                         "process", key="replicator") from None


def _identifier(text: str, source: str) -> str:
    if not text.isidentifier():
        raise InputError(None, f"'{source}' has no Python name (its alias '{text}' is not one); rename the event id "
                         "to letters, digits, - and _", key=source)
    return text
