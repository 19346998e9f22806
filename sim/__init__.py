"""Idlib ceasefire simulator: an agent-based model of the 2019-2020 war in north-west Syria.

The Python API, for notebooks::

    import sim
    scenario = sim.load_scenario("scenarios/moscow.yaml")
    result = sim.simulate(scenario, seed=1)
    result.captures            # who took what, when
    sim.write_run(result, "results/moscow")
"""

__version__ = "0.1.0"

from .errors import InputError  # noqa: E402
from .model import CeasefireModel  # noqa: E402
from .output import write_run  # noqa: E402
from .run import RunResult, simulate  # noqa: E402
from .scenario import Scenario, load_scenario  # noqa: E402
from .theatre import Theatre, load_theatre  # noqa: E402

__all__ = ["CeasefireModel", "InputError", "RunResult", "Scenario", "Theatre", "load_scenario", "load_theatre", "simulate", "write_run"]
