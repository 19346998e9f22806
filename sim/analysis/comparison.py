"""Two ensembles side by side: B (a what-if) minus A (its baseline), with bootstrap intervals.

Differences carry a bootstrap interval over replicates, paired when both
ensembles ran the same seeds (a what-if extending a scenario shares its
seeds, and so its luck).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .results import RunData
from .scoring import HEADLINES, Scorecard, brier

BOOTSTRAP = 2000
INTERVAL = 0.9


@dataclass
class Difference:
    """B minus A for one quantity, with a bootstrap interval over replicates."""

    name: str
    a: float
    b: float
    low: float
    high: float

    @property
    def diff(self) -> float:
        return self.b - self.a


def bootstrap_diff(a: np.ndarray, b: np.ndarray, *, paired: bool, rng: np.random.Generator, stat=np.mean) -> tuple[float, float]:  # noqa: ANN001
    """INTERVAL bootstrap interval of stat(b) - stat(a) resampling replicates (rows)."""
    if paired:
        idx = rng.integers(0, len(a), size=(BOOTSTRAP, len(a)))
        d = stat(b[idx], axis=1) - stat(a[idx], axis=1)
    else:
        ia = rng.integers(0, len(a), size=(BOOTSTRAP, len(a)))
        ib = rng.integers(0, len(b), size=(BOOTSTRAP, len(b)))
        d = stat(b[ib], axis=1) - stat(a[ia], axis=1)
    tail = (1 - INTERVAL) / 2
    lo, hi = np.quantile(d, [tail, 1 - tail], axis=0)
    return lo, hi


@dataclass
class Comparison:
    """Ensemble B (e.g. a what-if) set beside ensemble A (e.g. the baseline scenario)."""

    a: Scorecard
    b: Scorecard
    date: dt.date
    paired: bool
    outcomes: list[Difference]
    headlines: list[Difference]
    quantities: list[Difference]
    towns: pd.DataFrame


QUANTITIES = ("towns_regime", "towns_hts", "towns_rebels", "turkish_deaths", "displaced",
              "casualties_regime", "casualties_hts", "casualties_rebels", "violations")


def compare(a: Scorecard, b: Scorecard) -> Comparison:
    """Per outcome, per headline score, per key quantity and per town: B - A with an interval.

    Quantities and towns are compared on the last date both ensembles simulate.
    """
    ra, rb = a.results, b.results
    if ra.theatre.towns != rb.theatre.towns:
        raise ValueError("the two results are on different theatres")
    last = min(ra.start + dt.timedelta(days=min(r.days for r in ra.runs)), rb.start + dt.timedelta(days=min(r.days for r in rb.runs)))
    if last <= max(ra.start, rb.start):
        raise ValueError("the two results share no simulated day")
    seeds_a = [r.seed for r in ra.runs]
    paired = seeds_a == [r.seed for r in rb.runs]
    rng = np.random.default_rng(0)  # a fixed stream: the same comparison prints the same intervals

    def diff(name: str, x: np.ndarray, y: np.ndarray) -> Difference:
        lo, hi = bootstrap_diff(x, y, paired=paired, rng=rng)
        return Difference(name, float(x.mean()), float(y.mean()), float(lo), float(hi))

    ids_b = {s.outcome.id: s for s in b.scores}
    outcomes = [diff(s.outcome.id, s.met, ids_b[s.outcome.id].met) for s in a.scores if s.outcome.id in ids_b]

    headlines = [diff(name, a.per_run[name], b.per_run[name]) for name in HEADLINES
                 if name != "Brier" and len(a.per_run[name]) and len(b.per_run[name])]
    if a.pair_reported.size and np.array_equal(a.pair_reported, b.pair_reported):
        def stat(samples: np.ndarray, axis: int) -> np.ndarray:  # samples: [resamples, runs, pairs]
            assert axis == 1
            return brier(samples, a.pair_reported)
        lo, hi = bootstrap_diff(a.pair_controllers, b.pair_controllers, paired=paired, rng=rng, stat=stat)
        headlines.insert(2, Difference("Brier", a.headline()["Brier"], b.headline()["Brier"], float(lo), float(hi)))

    quantities = [diff(q, _at(ra.runs, q, last), _at(rb.runs, q, last)) for q in QUANTITIES if q in ra.runs[0].timeseries]

    ha = np.stack([r.history[r.day(last)] for r in ra.runs]) == 0
    hb = np.stack([r.history[r.day(last)] for r in rb.runs]) == 0
    lo, hi = bootstrap_diff(ha.astype(float), hb.astype(float), paired=paired, rng=rng)
    towns = pd.DataFrame({"town": ra.theatre.towns, "p_regime_a": ha.mean(axis=0), "p_regime_b": hb.mean(axis=0)})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    towns["low"], towns["high"] = lo, hi
    return Comparison(a, b, last, paired, outcomes, headlines, quantities, towns)


def _at(runs: list[RunData], variable: str, date: dt.date) -> np.ndarray:
    return np.array([float(r.timeseries[variable].iloc[r.day(date)]) for r in runs])
