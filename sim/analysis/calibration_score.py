"""The calibration objective: a proper score of an ensemble against a list of reported outcomes.

The outcomes fall into four groups, each scored by a proper scoring rule of
the ensemble's distribution (not by a hit-or-miss count), then added with
weights (lower is better, 0 is perfect):

- ``control``: the multi-category Brier score of the ensemble's control
  probabilities on every reported (town, date) pair of the ``controller`` and
  ``front`` outcomes (0 to 2; :func:`sim.analysis.scoring.brier`);
- ``dates``: for every dated outcome (``capture``, ``road``, ``event``), the
  CRPS of the simulated date against the reported one, in days, divided by
  ``date_scale_days``; a change that never comes counts as the day after the
  run ends, as in the scorecard. The CRPS of an ensemble is
  E|X - y| - E|X - X'| / 2 (the "fair" estimator, unbiased for a finite
  ensemble); for one run it is the absolute error;
- ``quantities``: for every ``quantity`` with a reported figure, the CRPS of
  the simulated values divided by the reported figure (a relative error that
  rewards a well-placed, not over-confident distribution);
- ``conditions``: for every ``condition``, and every quantity the record gives
  only as a range, the Brier score of the binary outcome, (1 - P(met))^2.

Each group is the mean over its outcomes, so many village captures do not
drown one front outcome. The standard error of the objective comes from a
bootstrap over replicates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .outcomes import (
    CaptureOutcome,
    ConditionOutcome,
    ControllerOutcome,
    EventOutcome,
    FrontOutcome,
    OutcomeBase,
    QuantityOutcome,
    RoadOutcome,
    check_outcomes,
)
from .results import Results
from .rundata import RunBatch
from .scoring import brier

GROUPS = ("control", "dates", "quantities", "conditions")


@dataclass(frozen=True)
class Weights:
    """How the four groups add up to the objective; dates are divided by ``date_scale_days``."""

    control: float = 1.0
    dates: float = 1.0
    quantities: float = 1.0
    conditions: float = 1.0
    date_scale_days: float = 14.0


@dataclass
class Evidence:
    """What an ensemble shows about a list of outcomes, one row per replicate.

    Attributes:
        controllers: [replicates, pairs] simulated controller codes on the reported pairs.
        reported: [pairs] the reported controllers.
        date_errors: [replicates, dated outcomes] simulated minus reported date, in days.
        values: [replicates, quantities] simulated values of the quantities with a reported figure.
        figures: [quantities] the reported figures.
        met: [replicates, conditions] whether each condition (or range-only quantity) is met.
        ids: the outcome ids of each group, in column order (pairs: one id per outcome, see ``pair_counts``).
    """

    controllers: np.ndarray
    reported: np.ndarray
    date_errors: np.ndarray
    values: np.ndarray
    figures: np.ndarray
    met: np.ndarray
    ids: dict[str, list[str]] = field(default_factory=dict)
    pair_counts: list[int] = field(default_factory=list)

    @property
    def replicates(self) -> int:
        return self.controllers.shape[0]


def evidence(results: Results, outcomes: list[OutcomeBase]) -> Evidence:
    """Check every replicate of ``results`` against the ``outcomes`` that fall in its window."""
    theatre, runs = results.theatre, results.runs
    last = results.start + dt.timedelta(days=min(r.days for r in runs))
    chosen = [o for o in outcomes if o.applies(results.start, last)]
    batch = RunBatch.of(runs)
    dated = [o for o in chosen if not isinstance(o, ControllerOutcome | FrontOutcome)]  # control is read from the pairs
    checked = dict(zip(map(id, dated), check_outcomes(dated, batch, theatre), strict=True))
    ids: dict[str, list[str]] = {g: [] for g in GROUPS}
    pairs, counts, dates, values, figures, met = [], [], [], [], [], []
    for o in chosen:
        if isinstance(o, ControllerOutcome | FrontOutcome):
            mine = o.pairs(theatre)
            pairs += mine
            counts.append(len(mine))
            ids["control"].append(o.id)
        elif isinstance(o, CaptureOutcome | RoadOutcome | EventOutcome):
            dates.append(checked[id(o)].error_days)
            ids["dates"].append(o.id)
        elif isinstance(o, QuantityOutcome) and o.reported is not None:
            values.append(checked[id(o)].value)
            figures.append(o.reported)
            ids["quantities"].append(o.id)
        elif isinstance(o, QuantityOutcome | ConditionOutcome):
            met.append(checked[id(o)].met)
            ids["conditions"].append(o.id)
    n = len(runs)
    controllers = batch.history[:, [batch.day(d) for _, d, _ in pairs], [t for t, _, _ in pairs]].reshape(n, len(pairs))
    return Evidence(
        controllers,
        np.array([c for _, _, c in pairs], dtype=np.int8),
        np.array(dates, dtype=float).reshape(len(dates), n).T,
        # A series with no value that day (patrol coverage before any patrol) counts as 0.
        np.nan_to_num(np.array(values, dtype=float).reshape(len(values), n).T, nan=0.0),
        np.array(figures, dtype=float),
        np.array(met, dtype=float).reshape(len(met), n).T,
        ids,
        counts,
    )


def combine(parts: list[Evidence]) -> Evidence:
    """The evidence of several scenarios scored together (the same number of replicates each)."""
    if len({p.replicates for p in parts}) > 1:
        raise ValueError("every scenario needs the same number of replicates")
    cat = lambda name: np.concatenate([getattr(p, name) for p in parts], axis=-1)  # noqa: E731
    ids = {g: [i for p in parts for i in p.ids[g]] for g in GROUPS}
    return Evidence(cat("controllers"), cat("reported"), cat("date_errors"), cat("values"), cat("figures"), cat("met"), ids,
                    [c for p in parts for c in p.pair_counts])


def crps(x: np.ndarray, y: np.ndarray | float) -> np.ndarray:
    """The CRPS of each column of the ensemble ``x`` [members, outcomes] against ``y``: E|X - y| - E|X - X'| / 2 (fair)."""
    m = x.shape[0]
    first = np.abs(x - y).mean(axis=0)
    if m < 2:
        return first
    spread = np.abs(x[:, None, :] - x[None, :, :]).sum(axis=(0, 1)) / (2 * m * (m - 1))
    return first - spread


def components(ev: Evidence, weights: Weights, index: np.ndarray | None = None) -> dict[str, float]:
    """Each group's score and the weighted ``objective`` (groups without outcomes are left out)."""
    take = (lambda a: a) if index is None else (lambda a: a[index])
    out: dict[str, float] = {}
    if ev.reported.size:
        out["control"] = float(brier(take(ev.controllers), ev.reported))
    if ev.date_errors.shape[1]:
        out["dates"] = float(crps(take(ev.date_errors), 0.0).mean() / weights.date_scale_days)
    if ev.values.shape[1]:
        scale = np.where(ev.figures != 0, np.abs(ev.figures), 1.0)
        out["quantities"] = float((crps(take(ev.values), ev.figures) / scale).mean())
    if ev.met.shape[1]:
        out["conditions"] = float(((1 - take(ev.met).mean(axis=0)) ** 2).mean())
    out["objective"] = float(sum(getattr(weights, g) * out[g] for g in GROUPS if g in out))
    return out


def _bootstrap_se(statistic, n: int, samples: int, seed: int) -> float:  # noqa: ANN001 - index -> float
    """The standard deviation of ``statistic(index)`` over ``samples`` resamples of ``n`` replicates (0 for one)."""
    if n < 2:
        return 0.0
    rng = np.random.default_rng(seed)
    return float(np.std([statistic(rng.integers(0, n, n)) for _ in range(samples)], ddof=1))


def standard_error(ev: Evidence, weights: Weights, samples: int = 200, seed: int = 0) -> float:
    """The bootstrap standard error of the objective over the ensemble's replicates (0 for one replicate)."""
    return _bootstrap_se(lambda index: components(ev, weights, index)["objective"], ev.replicates, samples, seed)


def paired_difference(base: Evidence, other: Evidence, weights: Weights, samples: int = 200, seed: int = 0) -> tuple[float, float]:
    """``other``'s objective minus ``base``'s, and its bootstrap standard error, replicate *i* of each paired with the other's.

    Two ensembles run on the same seeds share their random numbers until their
    histories part (see :mod:`sim.model.streams`), so much of their luck is
    common. Resampling the replicates of both together keeps the pairs, and
    the standard error of the difference is then smaller than the two
    standard errors combined as if independent: the more alike the two
    ensembles' parameters, the smaller.
    """
    n = base.replicates
    if other.replicates != n:
        raise ValueError(f"a paired difference needs the same replicates: {n} and {other.replicates}")

    def difference(index: np.ndarray | None = None) -> float:
        return components(other, weights, index)["objective"] - components(base, weights, index)["objective"]

    return difference(), _bootstrap_se(difference, n, samples, seed)


def per_outcome(ev: Evidence, weights: Weights) -> pd.DataFrame:
    """Each outcome's own score in its group's units (control: its pairs' Brier)."""
    rows = []
    start = 0
    for oid, k in zip(ev.ids["control"], ev.pair_counts, strict=True):
        rows.append(("control", oid, float(brier(ev.controllers[:, start:start + k], ev.reported[start:start + k]))))
        start += k
    for oid, s in zip(ev.ids["dates"], crps(ev.date_errors, 0.0) / weights.date_scale_days, strict=True):
        rows.append(("dates", oid, float(s)))
    scale = np.where(ev.figures != 0, np.abs(ev.figures), 1.0)
    for oid, s in zip(ev.ids["quantities"], crps(ev.values, ev.figures) / scale, strict=True):
        rows.append(("quantities", oid, float(s)))
    for oid, s in zip(ev.ids["conditions"], (1 - ev.met.mean(axis=0)) ** 2, strict=True):
        rows.append(("conditions", oid, float(s)))
    return pd.DataFrame(rows, columns=["group", "outcome", "score"])


def pooled_headline(cards: list) -> dict[str, float]:  # list[Scorecard]
    """The scorecard's headline scores over several scenarios' scorecards at once (each outcome and pair counted once)."""
    met = [s.met for c in cards for s in c.scores]
    right = [(c.pair_controllers == c.pair_reported).mean(axis=0) for c in cards if c.pair_reported.size]
    errors = [s.abs_error for c in cards for s in c.scores if isinstance(s.outcome, CaptureOutcome)]
    controllers = [c.pair_controllers for c in cards if c.pair_reported.size]
    reported = [c.pair_reported for c in cards if c.pair_reported.size]
    return {
        "outcomes met": float(np.mean(np.concatenate(met))) if met else float("nan"),
        "control accuracy": float(np.mean(np.concatenate(right))) if right else float("nan"),
        "Brier": float(brier(np.concatenate(controllers, axis=1), np.concatenate(reported))) if controllers else float("nan"),
        "capture MAE (days)": float(np.mean(np.concatenate(errors))) if errors else float("nan"),
    }
