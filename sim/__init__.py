"""Idlib ceasefire simulator: an agent-based model of the 2019-2020 war in north-west Syria.

The Python API, for notebooks::

    import sim
    scenario = sim.load_scenario("scenarios/moscow.yaml")
    result = sim.simulate(scenario, seed=1)
    result.captures            # who took what, when
    sim.write_run(result, "results/moscow")
    ensemble = sim.run_ensemble(scenario, 40, "results/moscow-40", workers=2)
    sim.outcome_table(sim.scorecard(ensemble))   # against seeds/outcomes.yaml
    sim.control_misses(sim.scorecard(ensemble))  # where it has the wrong holder most often
    sweep = sim.run_sweep(sim.load_sweep("sweeps/jan_truce_30_days.yaml"), "results/truce-sweep", workers=2)
    sweep.table()                                # one row per run
    sim.discovery_report(sweep.path, "ceasefire_days >= 30")   # PRIM's boxes, and discover.md, boxes.csv, peeling.png
    sim.run_with("scenarios/campaign.yaml", replicates=10, events__jan_truce__restraint=0.9)  # metrics, averaged

Where things are (each folder's ``__init__`` lists its modules):

- ``sim.io``: reading inputs — safe YAML, the scenario schema, ``extends``,
  cross-checks, the theatre, the claims record;
- ``sim.model``: the Mesa model — factions, combat, the ceasefire, scenario events;
- ``sim.experiments``: running it — one run, run folders, ensembles, sweeps, executors;
- ``sim.analysis``: reading results back — aggregates, outcomes, scores, reports;
- ``sim.viz``: maps and plots;
- ``sim.api``: the keyword API — ``run_with`` (a parameterised run as numbers), ``parameters``, ``replicate_seeds``,
  ``scorecard`` (of a results folder's path too);
- ``sim.input_check``: ``check`` (a scenario, sweep, calibration, outcomes or claims file, or a theatre, validated, as
  ``python -m sim check`` does), kept apart from the keyword API so that checking a scenario imports no Mesa or pandas;
- ``sim.app``: the browser app (``python -m sim app``);
- ``sim.cli``: ``python -m sim``;
- ``sim.names``, ``sim.errors``, ``sim.interrupts``, ``sim.version``: what every layer shares — the faction and
  holder names and how a date is written, the exceptions users see, Ctrl-C and SIGTERM as an interrupt that is not
  lost, the version.

``import sim`` itself imports nothing else: each name below is imported from
its module the first time it is used (PEP 562), so a script that only loads a
scenario never pays for matplotlib, Dask, Parquet or SALib.
"""

# ruff: noqa: F401 - the names imported for type checkers are re-exported lazily by __getattr__
# `python -m sim` runs this file before sim/__main__.py can tell an old Python which version it needs, so it is
# written as Python 3.5 reads it: no __future__ import, no f-strings, annotations as strings.

import importlib
import os
from typing import TYPE_CHECKING, Any

# The model's matrix products are tiny ((replicates, posts) x (posts, towns)); BLAS threads only fight the
# worker processes that ensembles and sweeps already run side by side (a batch of 256 replicates stepped
# 3.6 times slower on 2 cores with them). Set before numpy loads, and only if the user has not chosen.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# name -> the module that defines it
_API = {
    "InputError": "sim.errors",
    "Scenario": "sim.io.schema",
    "load_scenario": "sim.io.scenario",
    "Theatre": "sim.io.theatre",
    "load_theatre": "sim.io.theatre",
    "CeasefireModel": "sim.model.model",
    "RunResult": "sim.experiments.run",
    "simulate": "sim.experiments.run",
    "write_run": "sim.experiments.rundir",
    "run_ensemble": "sim.experiments.ensemble",
    "SweepSpec": "sim.experiments.sweep_file",
    "load_sweep": "sim.experiments.sweep_file",
    "make_design": "sim.experiments.designs",
    "Parameter": "sim.experiments.parameters",  # a swept parameter, for make_design: a sweep built without a file
    "run_sweep": "sim.experiments.sweep",
    "run_with": "sim.api",
    "replicate_seeds": "sim.api",
    "parameters": "sim.api",
    "check": "sim.input_check",
    "alias": "sim.io.paths",
    "IdlibModel": "sim.experiments.mesa_adapter",
    "ema_model": "sim.experiments.ema",
    "Results": "sim.analysis.results",
    "RunData": "sim.analysis.results",
    "load_results": "sim.analysis.results",
    "read_rows": "sim.analysis.results",
    "Scorecard": "sim.analysis.scoring",
    "headline_table": "sim.analysis.scoring",
    "outcome_table": "sim.analysis.outcome_answers",
    "control_misses": "sim.analysis.scoring",
    "score": "sim.analysis.scoring",
    "scorecard": "sim.api",  # sim.analysis.scoring's, taking a results folder's path too
    "Comparison": "sim.analysis.comparison",
    "compare": "sim.analysis.comparison",
    "comparison_table": "sim.analysis.comparison_report",  # compare's comparison_vs_<A>.csv, as a DataFrame
    "make_map": "sim.viz.maps",
    "animate": "sim.viz.animation",
    "make_plots": "sim.viz.plots",
    "sweep_report": "sim.viz.sweep_report",
    "discover": "sim.analysis.discovery",
    "discovery_report": "sim.viz.discovery_report",  # discover, then write what `python -m sim discover` writes
    "load_calibration": "sim.experiments.calibration_file",
    "run_calibration": "sim.experiments.calibration",
}
_PACKAGES = ("io", "model", "experiments", "analysis", "viz", "cli")

__all__ = sorted(_API)


def __getattr__(name: "str") -> "Any":
    if name == "__version__":
        from .version import package_version

        return package_version()
    if name in _PACKAGES:
        return importlib.import_module("sim." + name)
    module = _API.get(name)
    if module is None:
        raise AttributeError("module 'sim' has no attribute '%s'" % name)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> "list[str]":
    return sorted(list(globals()) + list(_API) + list(_PACKAGES) + ["__version__"])


if TYPE_CHECKING:  # what type checkers and IDEs see; nothing is imported at run time (hence F401 below)
    from .analysis.comparison import Comparison, compare
    from .analysis.comparison_report import comparison_table
    from .analysis.outcome_answers import outcome_table
    from .analysis.results import Results, RunData, load_results, read_rows
    from .analysis.scoring import Scorecard, control_misses, headline_table, score
    from .errors import InputError
    from .experiments.designs import make_design
    from .experiments.parameters import Parameter
    from .experiments.ensemble import run_ensemble
    from .experiments.run import RunResult, simulate
    from .experiments.rundir import write_run
    from .experiments.sweep import run_sweep
    from .api import parameters, replicate_seeds, run_with, scorecard
    from .input_check import check
    from .io.paths import alias
    from .experiments.mesa_adapter import IdlibModel
    from .experiments.ema import ema_model
    from .experiments.sweep_file import SweepSpec, load_sweep
    from .io.scenario import load_scenario
    from .io.schema import Scenario
    from .io.theatre import Theatre, load_theatre
    from .model.model import CeasefireModel
    from .viz.animation import animate
    from .viz.maps import make_map
    from .viz.plots import make_plots
    from .viz.sweep_report import sweep_report
    from .viz.discovery_report import discovery_report
