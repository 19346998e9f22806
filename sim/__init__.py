"""Idlib ceasefire simulator: an agent-based model of the 2019-2020 war in north-west Syria.

The Python API, for notebooks::

    import sim
    scenario = sim.load_scenario("scenarios/moscow.yaml")
    result = sim.simulate(scenario, seed=1)
    result.captures            # who took what, when
    sim.write_run(result, "results/moscow")
    ensemble = sim.run_ensemble(scenario, 40, "results/moscow-40", workers=2)
    sim.outcome_table(sim.scorecard(ensemble))   # against seeds/outcomes.yaml
    sweep = sim.run_sweep(sim.load_sweep("sweeps/jan_truce_30_days.yaml"), "results/truce-sweep", workers=2)
    sweep.table()                                # one row per run
"""

__version__ = "0.1.0"

from .experiments.ensemble import run_ensemble  # noqa: E402
from .errors import InputError  # noqa: E402
from .model.model import CeasefireModel  # noqa: E402
from .experiments.rundir import write_run  # noqa: E402
from .experiments.run import RunResult, simulate  # noqa: E402
from .analysis.results import Results, RunData, load_results  # noqa: E402
from .io.scenario import Scenario, load_scenario  # noqa: E402
from .experiments.sweep import SweepSpec, load_sweep, make_design, read_rows, run_sweep  # noqa: E402
from .analysis.scoring import Comparison, Scorecard, compare, headline_table, outcome_table, score, scorecard  # noqa: E402
from .io.theatre import Theatre, load_theatre  # noqa: E402

__all__ = [
    "CeasefireModel", "Comparison", "InputError", "Results", "RunData", "RunResult", "Scenario", "Scorecard", "Theatre",
    "compare", "headline_table", "load_results", "load_scenario", "load_theatre", "outcome_table", "run_ensemble",
    "score", "scorecard", "simulate", "write_run", "SweepSpec", "load_sweep", "make_design", "read_rows", "run_sweep",
]
