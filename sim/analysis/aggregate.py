"""Ensemble summaries: what a set of replicates says, date by date and town by town."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..names import HOLDERS
from .results import RunData
from .rundata import day_end_captures

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def common_days(runs: list[RunData]) -> int:
    """Rows of history every replicate has (all of them, unless a run was cut short)."""
    return min(len(r.history) for r in runs)


def control_counts(runs: list[RunData]) -> np.ndarray:
    """counts[day, town, holder]: in how many replicates ``holder`` held ``town`` on ``day``."""
    days = common_days(runs)
    held = np.stack([run.history[:days] for run in runs])  # (runs, days, towns), one byte a cell
    return np.stack([(held == k).sum(axis=0, dtype=np.int32) for k in range(len(HOLDERS))], axis=-1)


def control_probabilities(runs: list[RunData], towns: list[str]) -> pd.DataFrame:
    """One row per (date, town): the share of replicates in which each faction holds it."""
    counts = control_counts(runs)
    days, n, _ = counts.shape
    p = counts / len(runs)
    out = pd.DataFrame({
        "date": np.repeat([runs[0].date(d).isoformat() for d in range(days)], n),
        "town": np.tile(towns, days),
    })
    for k, holder in enumerate(HOLDERS):
        out[f"p_{holder}"] = p[:, :, k].ravel()
    return out


def all_captures(runs: list[RunData]) -> pd.DataFrame:
    """Every change of hands from one day to the next in every replicate: seed, date, town, from, to
    (:func:`day_end_captures`: not a town taken and given up the same day)."""
    # One table of every replicate's events, filtered once: an ensemble of 400 has some 50,000 changes of hands.
    events = pd.concat([run.events for run in runs], ignore_index=True) if runs else pd.DataFrame(columns=["type", "date", "town", "actors"])
    seed = np.repeat([run.seed for run in runs], [len(run.events) for run in runs]).astype(np.int64)
    mine = (events["type"] == "capture").to_numpy(dtype=bool)
    caps = events.loc[mine, ["date", "town", "actors"]].assign(seed=seed[mine])
    caps = day_end_captures(caps, by=("seed", "date", "town"))
    to, _, old = zip(*(a.partition(";") for a in caps["actors"]), strict=True) if len(caps) else ((), (), ())
    return pd.DataFrame({"seed": caps["seed"].to_numpy(dtype=np.int64), "date": caps["date"].to_numpy(dtype=object),
                         "town": caps["town"].to_numpy(dtype=object),
                         "from": np.array(old, dtype=object), "to": np.array(to, dtype=object)})


def quantile_rank(n: int | np.ndarray, q: float) -> int | np.ndarray:
    """The rank (from 0) of quantile ``q`` among ``n`` sorted values, by the one rule of every date quantile: ``q * (n - 1)``
    rounded down up to the median and up above it. The median of an even count is the earlier middle value (a
    date some replicate shows, and "never" only when more than half never see it, see :func:`date_quantile`), and
    a 5–95% range holds at least 90% of the replicates."""
    rank = q * (np.asarray(n) - 1)
    rank = np.floor(rank) if q <= 0.5 else np.ceil(rank)
    return int(rank) if rank.ndim == 0 else rank.astype(np.intp)


def date_quantile(dates: list | np.ndarray, q: float, runs: int | None = None):  # noqa: ANN201 - a date, None, or whatever ``dates`` holds
    """Quantile ``q`` of the replicates' dates, as one of them (dates are not interpolated); None: "never".

    ``dates`` are the sorted dates of the replicates that saw it; the other ``runs - len(dates)`` replicates (none by
    default) never did, and count as later than any day. The quantile is the date of the replicate at rank
    :func:`quantile_rank`, None when that replicate never saw it: the median is "never" when more than half never
    do. Every median date shown uses it: ``capture_dates.csv``, the ``run`` summary, ``compare``'s table and its
    date shifts (:func:`median_rank_of`), and the app's words.
    """
    k = quantile_rank(len(dates) if runs is None else runs, q)
    return dates[k] if k < len(dates) else None


def median_rank_of(samples: np.ndarray, axis: int = -1) -> np.ndarray:
    """The median of ``samples`` along ``axis`` by the rule of :func:`date_quantile` (``inf`` standing for never): the
    value at rank :func:`quantile_rank` (n, 0.5), the earlier middle one of an even count."""
    ordered = np.sort(samples, axis=axis)
    return np.take(ordered, quantile_rank(ordered.shape[axis], 0.5), axis=axis)


def first_captures(captures: pd.DataFrame) -> pd.Series:
    """Each replicate's first date of each change of hands, indexed by (town, to, seed): the one date a replicate counts
    with in every date quantile, however often it takes the town back and forth."""
    return captures.groupby(["town", "to", "seed"], sort=True)["date"].min()


def capture_dates(runs: list[RunData], captures: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each (town, new controller): in how many replicates it happened and when.

    The date of a replicate is the first time the town passes to that
    controller. The quantiles are over every replicate, one that never saw it counting as later than any day
    (:func:`date_quantile`), each an actual date drawn from the replicates, or None ("never", blank in the CSV):
    ``q50`` is None when more than half never see it. ``earliest`` and ``latest`` are over the replicates that did.
    ``captures`` is :func:`all_captures` of ``runs``, if already at hand.
    """
    caps = all_captures(runs) if captures is None else captures
    rows = []
    for (town, to), dates in first_captures(caps).groupby(level=[0, 1], sort=True):
        first = np.sort(dates.to_numpy())
        q = {f"q{round(x * 100):02d}": date_quantile(first, x, len(runs)) for x in QUANTILES}
        rows.append({"town": town, "to": to, "runs": len(first), "share": len(first) / len(runs),
                     "earliest": first[0], **q, "latest": first[-1]})
    columns = ["town", "to", "runs", "share", "earliest", *(f"q{round(x * 100):02d}" for x in QUANTILES), "latest"]
    return pd.DataFrame(rows, columns=columns)


def replicate_quantiles(values: np.ndarray, quantiles: tuple[float, ...] | list[float]) -> np.ndarray:
    """Quantiles of ``values`` (replicates, ...) over the replicates, each the value of one replicate.

    The value at rank :func:`quantile_rank` among those that are not NaN (NaN where none is), the rule of every
    date quantile: a median of whole-number counts (towns held, Turkish soldiers killed) is a count some replicate
    has, never 2.5 soldiers, and the same figure is in ``timeseries_quantiles.csv``, the plots and the app.

    Returns:
        An array (quantiles, ...): one row per quantile.
    """
    values = np.asarray(values, dtype=float)
    ordered = np.sort(values, axis=0)  # NaN last
    counts = np.count_nonzero(~np.isnan(values), axis=0)
    rows = []
    for q in quantiles:
        rank = np.maximum(quantile_rank(counts, q), 0)  # counts of 0 give rank -1: NaN below
        row = np.take_along_axis(ordered, np.expand_dims(np.asarray(rank), 0), axis=0)[0]
        rows.append(np.where(counts > 0, row, np.nan))
    return np.stack(rows)


def timeseries_quantiles(runs: list[RunData]) -> pd.DataFrame:
    """One row per (date, variable): mean and quantiles of every numeric time series.

    The quantiles are each a replicate's value (:func:`replicate_quantiles`): whole numbers for the counts. The
    ceasefire state becomes ``ceasefire_in_force`` (its mean is the share of replicates with a ceasefire in force
    that day).
    """
    days = common_days(runs)
    first = runs[0].timeseries
    numeric = [c for c in first.columns if c != "date" and pd.api.types.is_numeric_dtype(first[c])]
    # One table of every replicate's first ``days`` rows: each column is read once, not once per replicate.
    every = pd.concat([r.timeseries if len(r.timeseries) == days else r.timeseries.iloc[:days] for r in runs], ignore_index=True)
    table = every[numeric].to_numpy(dtype=float).reshape(len(runs), days, -1)  # (runs, days, series)
    stacks = {c: table[:, :, k] for k, c in enumerate(numeric)}
    if "ceasefire" in first:
        stacks["ceasefire_in_force"] = (every["ceasefire"].to_numpy() == "in force").astype(float).reshape(len(runs), days)
    dates = first["date"].to_numpy()[:days]
    frames = []
    for name, values in stacks.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # days no replicate has a value (before the first patrol) stay NaN
            mean = np.nanmean(values, axis=0)
        frame = pd.DataFrame({"date": dates, "variable": name, "mean": mean})
        for x, row in zip(QUANTILES, replicate_quantiles(values, QUANTILES), strict=True):
            frame[f"q{round(x * 100):02d}"] = row
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
