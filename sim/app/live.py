"""The model the page steps, and runs held in memory as the analysis layer reads them.

- :class:`WhatIfModel`: the :class:`~sim.model.model.CeasefireModel` that
  SolaraViz steps with its play button, built from the sidebar's settings
  (Mesa's Reset builds a new one from them, through :class:`SidebarSettings`).
- :func:`live_run`: the run so far as a :class:`~sim.analysis.results.RunData`,
  so the map and the plots are drawn by the same code as a run folder's.
- :func:`run_replicates`: N replicates (seed = scenario seed + i, as
  ``python -m sim run --runs N``), stepped as one batch, with progress by day.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.results import RunData
from ..experiments.seeds import seeds_from
from ..io.schema import Scenario
from ..io.theatre import Theatre
from ..model.model import CeasefireModel
from ..names import MAX_SEED
from ..errors import InputError
from .settings import Controls, Settings, build, changes
from .whatif import default_name, title_of

PROGRESS_DAYS = 5  # days between two progress reports of an ensemble


class SidebarSettings:
    """What Mesa's Reset builds from: the sidebar's settings as they are now (calling it), and the last that built
    (:attr:`last_built`, kept by :class:`WhatIfModel`), to fall back to when the picked file no longer does."""

    def __init__(self, sidebar: Callable[[], Settings]) -> None:
        self.sidebar = sidebar
        self.last_built: Built | None = None

    def __call__(self) -> Settings:
        return self.sidebar()


@dataclass(frozen=True)
class Built:
    """Settings built into a scenario, with what the page calls them (all read from the files while they load)."""

    settings: Settings
    spec: Scenario
    title: str  # what its figures are titled: 'what-if: No Spring Shield'
    said: tuple[str, ...]  # its changes in words (:func:`~sim.app.settings.changes`)
    name: str  # what its downloads are named by (:func:`~sim.app.whatif.default_name`)

    @classmethod
    def of(cls, settings: Settings, controls: Controls, root: Path, whatif_dirs: tuple[Path, ...] = ()) -> Built:
        return cls(settings, build(settings, controls, root), title_of(settings, controls, root, whatif_dirs),
                   tuple(changes(settings, controls, root)), default_name(settings, root))


class WhatIfModel(CeasefireModel):
    """One run of the sidebar's settings, stepped by SolaraViz (``step``, play, Reset).

    Args:
        settings: the settings, or a :class:`SidebarSettings` (SolaraViz keeps it as a fixed model parameter, so
            Reset rebuilds from the sidebar).
        controls: the app's sliders and toggles.
        replicate: which replicate to run: seed = the scenario's seed + ``replicate``; or the page's reactive
            variable holding it (Mesa's Reset passes on the slider's first value as it was given, until it moves).
        root: the folder scenario paths are relative to.
        whatif_dirs: the app's what-if folders besides ``scenarios/whatif`` (its ``--save-dir``): a file there, left as
            it is, is titled by its description.
        scenario: Mesa's experiment object, which SolaraViz's Reset passes back; unused
            (the run's scenario comes from ``settings``).

    Settings whose file no longer builds (edited into an error, or deleted, since it was picked) run the last that
    did, and :attr:`refused` says why: Mesa's Reset builds this model in its own callback, where an error replaced
    the whole page with its traceback.
    """

    def __init__(self, settings: Settings | SidebarSettings, controls: Controls, replicate: object = 0,
                 root: Path = Path("."), scenario: object = None, whatif_dirs: tuple[Path, ...] = ()) -> None:
        wanted = settings() if callable(settings) else settings
        last = getattr(settings, "last_built", None)
        try:
            built, self.refused = Built.of(wanted, controls, root, whatif_dirs), None
        except InputError as exc:
            if last is None:
                raise
            built, self.refused = last, str(exc)
        if isinstance(settings, SidebarSettings):
            settings.last_built = built
        self.settings, self.title, self.said, self.download_name = built.settings, built.title, built.said, built.name
        spec = built.spec
        # Replicate i runs seed + i, and seeds stop at 2**63 - 1: a scenario seeded within 99 of it has fewer replicates
        # than the slider offers. Past its last, the run is its last, and the One run tab says so (Mesa's Reset builds
        # this model in its own callback, where an error would leave the page with no run).
        self.last_replicate = MAX_SEED - spec.seed
        self.replicate = min(int(getattr(replicate, "value", replicate)), self.last_replicate)
        super().__init__(spec, seed=spec.seed + self.replicate)
        self.events_json = json.loads(spec.canonical_json())["events"]
        self._clock_step = self.step  # Mesa's: advances its clock, then runs the day
        self.step = self._step_until_the_end

    def _step_until_the_end(self) -> None:
        """A day, unless the run has reached the scenario's end. SolaraViz's Step and play run the render
        interval's days without looking whether the run is over: 100 days from day 100 of Moscow's 179 went past
        its last day, and the page showed the model's IndexError in place of everything else."""
        if self.running:
            self._clock_step()


def recorded_days(model: CeasefireModel) -> int:
    """Days recorded so far (the start included): rows complete in every record."""
    return len(next(iter(model.datacollector.model_vars.values())))


def live_run(model: CeasefireModel, replicate: int = 0) -> RunData:
    """Replicate ``replicate`` of ``model`` so far, as a run folder would hold it."""
    days = recorded_days(model)
    dates = [(model.start + dt.timedelta(days=d)).isoformat() for d in range(days)]
    columns = {name: [values[d][replicate] for d in range(days)] for name, values in model.datacollector.model_vars.items()}
    rows = [r for r in model.journal.table() if r[0] in (-1, replicate) and r[1] < days]
    events = pd.DataFrame({
        "date": [dates[r[1]] for r in rows], "type": [r[2] for r in rows], "town": [r[3] for r in rows],
        "actors": [r[4] for r in rows], "detail": [r[5] for r in rows],
    }, columns=["date", "type", "town", "actors", "detail"], dtype=object)
    return RunData(model.seeds[replicate], model.start, model.history[replicate, :days].copy(), events,
                   pd.DataFrame({"date": dates, **columns}), model.post_history[replicate, :days].copy(),
                   model.encircled_history[replicate, :days].copy())


def run_replicates(scenario: Scenario, n: int, progress: Callable[[int, int], None] | None = None,
                   *, every: int = PROGRESS_DAYS) -> list[RunData]:
    """``n`` replicates of ``scenario``, replicate i with seed = scenario seed + i, stepped together.

    The same replicates as ``python -m sim run SCENARIO --runs n``: each draws from its own
    stream keyed by its seed, so a batch gives what separate runs give (the tests check it).
    ``progress(done, n)`` is told, each ``every`` days, how many replicate-days of the
    ``n`` are done, in replicates.
    """
    seeds = seeds_from(scenario.seed, n, keys=("the scenario's seed", "Replicates"))  # the page's names for them
    model = CeasefireModel(scenario, seeds=seeds)
    while model.running:
        model.step()
        if progress is not None and (model.steps % every == 0 or not model.running):
            progress(round(n * model.steps / model.days), n)
    return [live_run(model, r) for r in range(n)]


def timed(fn: Callable, *args: object, **kw: object) -> tuple[object, float]:
    """(fn(*args, **kw), seconds it took)."""
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def probabilities_on(runs: list[RunData], theatre: Theatre, date: dt.date) -> pd.DataFrame:
    """One row per town: the share of replicates in which each faction holds it on ``date``, and the record's controller."""
    from ..names import HOLDERS

    day = runs[0].day(date)
    held = np.stack([r.history[day] for r in runs])
    out = pd.DataFrame({"town": theatre.towns})
    for k, holder in enumerate(HOLDERS):
        out[f"p_{holder}"] = (held == k).mean(axis=0)
    if date in theatre.control:
        out["reported"] = [HOLDERS[c] for c in theatre.control[date]]
    return out
