"""``IdlibModel``: one run of a scenario as a Mesa model that ``mesa.batch_run`` drives with keyword parameters.

::

    from mesa.batchrunner import batch_run
    import sim

    rows = batch_run(
        sim.IdlibModel,
        parameters={"scenario": "scenarios/campaign.yaml",
                    "regime__commit": [0.3, 0.6], "events__jan_truce__restraint": [0.0, 0.9]},
        rng=sim.replicate_seeds("scenarios/campaign.yaml", 5),   # seeds s, s+1, ... as everywhere else
        number_processes=1, display_progress=False,
    )

Each row holds the point's keyword parameters, the seed, and the run's
metrics (the columns of a sweep row, :meth:`sim.RunResult.metrics`): the
same numbers ``sim sweep`` and :func:`sim.run_with` give for the same point
and seed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.datacollection import DataCollector

from ..errors import InputError
from ..io.scenario import load_scenario
from ..io.schema import Scenario
from ..model.model import CeasefireModel
from ..names import MAX_SEED
from .manifest import now
from .run import RunResult, run_results

_LOADED: dict[tuple, Scenario] = {}  # path and file version -> scenario: batch_run builds a model per run


class IdlibModel(mesa.Model):
    """One run of ``scenario`` with keyword parameters, for ``mesa.batch_run``.

    Args:
        scenario: the path of a scenario file (a short string in every row of
            ``batch_run``'s results), or a :class:`~sim.Scenario` (give it in a
            list: ``batch_run`` iterates over anything else it is given).
        seed: the run's seed, required. ``batch_run`` passes each value of its
            ``rng`` argument here; :func:`sim.replicate_seeds` gives the project's
            replicate seeds (scenario seed + i). ``None``, which ``batch_run`` passes
            for ``iterations=N`` or no ``rng``, is refused: to Mesa it means a seed
            left to chance, and read as the scenario's seed it gave N identical rows.
        outcomes: the reported outcomes to score against (default: ``outcomes.yaml``
            beside the scenario's claims record).
        **params: parameter values by alias (``regime__commit``) or dotted path,
            validated: a value outside its declared range is an :class:`~sim.InputError`.

    Attributes:
        spec: the scenario with the parameters set (Mesa keeps ``scenario`` for its
            own experiment object, which here carries only the seed).
        params: the parameters given, by dotted path or alias as given.
        run: the :class:`~sim.CeasefireModel` it steps (a batch of one replicate).
        result: the run's :class:`~sim.RunResult` once it has ended, else None.
        metrics: the run's metrics once it has ended, else ``{}``.
        datacollector: collects once, when the run ends: one reporter per metric.
            ``batch_run`` needs ``max_steps`` at least the scenario's days (its
            default, 1,000, covers every scenario here); the daily series are in
            ``result.timeseries``.

    A scenario file is read once per process and file version (modification
    time and size); a change to a file it ``extends`` is seen after a restart.
    """

    def __init__(self, scenario: Scenario | str | Path, *, seed: int | None = None,
                 outcomes: str | Path | None = None, **params: Any) -> None:
        if "rng" in params:  # Mesa 3's name for a model's seed, else refused as an unknown parameter among 99
            rng = params["rng"]  # offered as seed= only if it is one: "give seed=-1" led to a refusal of seed=-1
            hint = f"give seed={rng!r}" if _is_seed(rng) else f"a seed is a whole number from 0 to 2**63 - 1 (got {rng!r})"
            raise InputError(None, "IdlibModel takes its seed as seed= (batch_run passes each value of its rng= there): "
                             + hint, key="rng")
        if "days" in params:  # else read as a misspelt parameter; run_with says the same (api.RUNNERS_KEYWORDS)
            raise InputError(None, "IdlibModel runs the scenario to its end, and batch_run's max_steps short of it gives no "
                             "rows (the metrics are collected when the run ends): to stop it sooner, give it "
                             "sim.load_scenario(path, end=DATE), in a list", key="days")
        if not isinstance(scenario, Scenario | str | os.PathLike):
            raise InputError(None, _not_a_scenario(scenario), key="scenario")
        base = scenario if isinstance(scenario, Scenario) else _load(Path(scenario))
        self.spec = base.with_params(params) if params else base
        if seed is None:
            raise InputError(None, "IdlibModel needs a seed: batch_run's iterations= (or no rng=) gives every run none, which "
                             "Mesa leaves to chance; give batch_run rng=sim.replicate_seeds(scenario, n)", key="seed")
        if not _is_seed(seed):
            raise InputError(None, f"the seed must be a whole number from 0 to 2**63 - 1 (got {seed!r}); give batch_run "
                             "rng=sim.replicate_seeds(scenario, n)", key="seed")
        self.seed = int(seed)
        super().__init__(rng=self.seed)
        self.params = dict(params)
        self.outcomes = outcomes
        self.run = CeasefireModel(self.spec, seed=self.seed)
        self.result: RunResult | None = None
        self.metrics: dict[str, float] = {}
        self.datacollector = DataCollector()
        self._started = now()

    def step(self) -> None:
        """One day; on the last, the run's metrics are computed and collected."""
        self.run.step()
        if not self.run.running:
            self.running = False
            self.result = run_results(self.run, self._started, now())[0]
            self.metrics = self.result.metrics(self.outcomes)
            self.datacollector = DataCollector(model_reporters={name: (lambda m, n=name: m.metrics[n]) for name in self.metrics})
            self.datacollector.collect(self)


def _load(path: Path) -> Scenario:
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load_scenario(path)  # the project's error for a missing file
    if key not in _LOADED:
        if len(_LOADED) >= 16:
            _LOADED.clear()
        _LOADED[key] = load_scenario(path)
    return _LOADED[key]


def _not_a_scenario(value: object) -> str:
    """Why ``value`` is no scenario. batch_run iterates over every parameter value but a string, and a Scenario
    iterates as its (field, value) pairs: given bare, the model got one pair, which pathlib refused with a TypeError."""
    said = f"needs a Scenario (sim.load_scenario(path)) or the path of a scenario file, not a {type(value).__name__}"
    if isinstance(value, tuple):
        said += (" (batch_run takes every parameter's value but a string as a list of values, and a Scenario as a "
                 "list of its fields: give it in a list: {'scenario': [scenario]}, or give its path)")
    return said


def _is_seed(value: object) -> bool:
    """A whole number a run takes as its seed (True is no seed, though Python counts it as 1)."""
    return not isinstance(value, bool) and isinstance(value, int | np.integer) and 0 <= value <= MAX_SEED
