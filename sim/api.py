"""The keyword API: one parameterised run, or a few seeded replicates of it, as numbers; and scoring a results folder by
its path (checking an input file is :mod:`sim.input_check`'s).

::

    import sim
    sim.run_with("scenarios/campaign.yaml", replicates=10, events__jan_truce__restraint=0.9)
    # {'ceasefire_days': 17.9, 'ceasefire_days:jan-truce': 17.9, 'towns_regime': ..., ...}

Parameters are named by dotted path or by alias (see :mod:`sim.io.paths`);
replicate ``i`` runs with seed ``seed + i`` (the scenario's seed by default),
the convention of ensembles and sweeps, so the same point and seeds give the
same numbers whichever route ran them: ``run_with``, ``sim sweep``,
:class:`sim.IdlibModel` under ``mesa.batch_run``, or EMA Workbench
(:func:`sim.ema_model`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .experiments.seeds import seeds_from
from .analysis.scored_outcomes import scored_outcomes
from .experiments.run import simulate_metrics
from .errors import InputError, check_switch
from .io.paths import alias, declared_range, parameter_paths, value_at
from .io.scenario import as_scenario
from .io.schema import Scenario

if TYPE_CHECKING:
    from .analysis.results import Results
    from .analysis.scoring import Scorecard


def scenario_of(scenario: Scenario | str | Path, params: dict[str, Any] | None = None) -> Scenario:
    """A scenario (loaded from its path if need be) with ``params`` set and validated."""
    sc = as_scenario(scenario)
    return sc.with_params(params) if params else sc


def replicate_seeds(scenario: Scenario | str | Path, replicates: int, seed: int | None = None) -> list[int]:
    """The seeds of ``replicates`` replicates: replicate ``i`` runs with ``seed + i`` (``seed``: the scenario's by default).

    The convention of ensembles, sweeps and :func:`run_with`, checked as an ensemble's ``--runs`` is (at most
    100,000; :func:`sim.experiments.seeds.seeds_from`); give these seeds to
    ``mesa.batch_run(..., rng=...)`` or an EMA ``ReplicatorModel`` to get the same numbers.
    """
    base = scenario_of(scenario).seed if seed is None else seed
    return seeds_from(base, replicates, keys=("seed", "replicates"))


# Keywords of simulate, run_ensemble and run_sweep that run_with does not take, and what it takes instead.
RUNNERS_KEYWORDS = {
    "days": "run_with runs the scenario to its end: to stop it sooner, give it sim.load_scenario(path, end=DATE)",
    "runs": "run_with takes the replicates as replicates=",
    "workers": "run_with steps its replicates together in this process: it takes no workers (run_sweep spreads "
               "points over workers)",
}


def run_with(scenario: Scenario | str | Path, *, seed: int | None = None, replicates: int = 1,
             per_replicate: bool = False, outcomes: str | Path | None = None, **params: Any) -> dict[str, Any]:
    """Run ``scenario`` with parameters set; return its metrics, averaged over replicates.

    Args:
        scenario: a :class:`~sim.Scenario`, or the path of a scenario file.
        seed: seed of replicate 0 (default: the scenario's). Replicate ``i`` runs
            with ``seed + i``, as in ensembles and sweeps (``--seed``, ``--runs``).
        replicates: how many seeded replicates to run (stepped together, as one batch).
        per_replicate: also return each replicate's metrics, under ``"runs"``: a
            list of dicts, each with its ``"seed"``.
        outcomes: the reported outcomes to score against (default:
            ``outcomes.yaml`` beside the scenario's claims record).
        **params: parameter values by alias (``regime__commit=0.7``) or, unpacked
            from a dict, by dotted path (``**{"events.jan-truce.restraint": 0.9}``).

    Returns:
        ``{metric: mean over the replicates}``: the metrics of a sweep row (see
        :meth:`sim.RunResult.metrics`), each a float. A metric that is NaN in some
        replicates (a town never captured, a truce never in force) is averaged
        over the others, NaN if it is NaN in all.

    Raises:
        InputError: an unknown parameter, a value outside its declared range, a bad seed or count, or a keyword of
            the other runners (``days``, ``runs``, ``workers``), said with what to give instead.
    """
    check_switch(per_replicate, "per_replicate")
    for keyword in params.keys() & RUNNERS_KEYWORDS:  # else read as a parameter: "no parameter 'days'", and no way on
        raise InputError(None, RUNNERS_KEYWORDS[keyword], key=keyword)
    sc = scenario_of(scenario, params)
    seeds = replicate_seeds(sc, replicates, seed)
    columns = simulate_metrics(sc, seeds, scored_outcomes(sc, outcomes))
    means = pd.DataFrame(columns, dtype=float).mean(skipna=True)
    out: dict[str, Any] = {name: float(means[name]) for name in columns}
    if per_replicate:
        out["runs"] = [{"seed": s, **{name: float(values[i]) for name, values in columns.items()}} for i, s in enumerate(seeds)]
    return out


def parameters(scenario: Scenario | str | Path) -> pd.DataFrame:
    """Every parameter that can be set in ``scenario``: dotted path, alias, value, declared range and type."""
    sc = scenario_of(scenario)
    rows = []
    data = sc.model_dump(mode="python")
    for path in parameter_paths(sc):
        low, high, kind = declared_range(sc, path)
        rows.append({"path": path, "alias": alias(path), "value": value_at(data, path), "low": low, "high": high,
                     "type": kind.__name__})
    return pd.DataFrame(rows)


def scorecard(results: Results | str | Path, outcomes_file: str | Path | None = None) -> Scorecard:
    """Score a run or an ensemble against the record (``python -m sim compare RESULTS_DIR``).

    Args:
        results: a results folder's path (``sim.load_results`` reads it here), or the :class:`~sim.Results` that
            :func:`sim.run_ensemble` or :func:`sim.load_results` returned.
        outcomes_file: the reported outcomes file's path (``--outcomes``); None, the default, is ``outcomes.yaml`` beside
            the run's claims record (``0`` or ``""`` is refused, not read as None).

    Raises:
        InputError: ``results`` is neither (a path gave a raw AttributeError), not a results folder, or an outcome's problem.
        DamagedResult: a file of the folder missing, cut short or altered.
    """
    from .analysis.results import Results, load_results
    from .analysis.scoring import scorecard as score_results

    if isinstance(results, str | os.PathLike):
        results = load_results(results)
    elif not isinstance(results, Results):
        raise InputError(None, f"needs a results folder's path, or the Results of sim.load_results(folder) or sim.run_ensemble, "
                               f"not a {type(results).__name__}", key="results")
    return score_results(results, outcomes_file)
