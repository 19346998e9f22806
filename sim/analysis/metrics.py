"""One row of numbers per run: what sweeps record and sensitivity analysis explains.

A batch of replicates is scored at once (:func:`batch_metric_columns`): each outcome
is checked once for the whole batch (:meth:`~sim.analysis.outcomes.OutcomeBase.checks`)
and the rest read the batch's arrays, so a sweep pays for scoring about a
tenth of what a run at a time cost. A single run is a batch of one
(:func:`run_metrics`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from ..io.paths import alias, resolve
from ..io.theatre import Theatre
from ..io.timeline import deals_of
from ..names import HOLDERS, PATROL_EVENTS
from .outcomes import CaptureOutcome, OutcomeBase, check_outcomes

if TYPE_CHECKING:  # the run tables import pandas, which a sweep file's check of its metric names does not need
    import pandas as pd

    from ..io.schema import Scenario
    from .rundata import EventLog, RunBatch, RunData


# Daily series whose value on the last day is a metric: the quantities `compare` sets side by side (the same list), so
# that a sweep or a discovery can ask about casualties or violations as a comparison reports them. ``violations`` counts
# the attacks on the deal current at the end (its timeseries column), not a deal's breakdown.
END_OF_RUN = (*(f"towns_{h}" for h in HOLDERS), "turkish_deaths", "displaced", "returned", *(f"casualties_{h}" for h in HOLDERS), "violations")


# A capture's day after the start, `day:<id>` (NaN: never): written for each capture `capture_mae_days` counts, and for
# no other outcome, so that a run's NaN among them is a capture its MAE counts as the day after the run ends.
CAPTURE_DAY = "day:"

# The metrics a run lacks (NaN) where what they measure never came: a capture's day, a ceasefire's days and whether it
# broke (a deal never in force). A mean of one over runs is over those that saw it; reports count the others "never".
NEVER_CAME = (CAPTURE_DAY, "ceasefire_days", "ceasefire_broken")


def lacking_word(metric: str) -> str:
    """How a report counts the runs without a value of ``metric``: "never" (:data:`NEVER_CAME`: never in 6/40) or, for
    any other (patrol coverage where no patrol set out), "none" (none in 6/40), as compare counts its outcomes'."""
    return "never" if metric.startswith(NEVER_CAME) else "none"


def missing_a_capture(rows: pd.DataFrame) -> pd.Series:
    """Whether each of a sweep's runs (``rows``, one a run, :func:`batch_metric_columns`'s columns) never saw a capture
    its ``capture_mae_days`` counts (a :data:`CAPTURE_DAY` column NaN): that MAE counts it as the day after the run
    ends, so that it, and a mean of it, is a lower bound, as compare's "≥ 7.2" says of an ensemble's."""
    days = [c for c in rows.columns if c.startswith(CAPTURE_DAY)]
    return rows[days].isna().any(axis=1)


def runs_missing_a_capture(rows: pd.DataFrame) -> int:
    """How many of a sweep's runs never saw a capture their ``capture_mae_days`` counts (:func:`missing_a_capture`)."""
    return int(missing_a_capture(rows).sum())


def run_metrics(run: RunData, outcomes: list[OutcomeBase], theatre: Theatre) -> dict[str, float]:
    """One run's metrics: :func:`batch_metrics` of a batch of one."""
    from .rundata import RunBatch

    return batch_metrics(RunBatch.of([run]), outcomes, theatre)[0]


def batch_metrics(runs: RunBatch, outcomes: list[OutcomeBase], theatre: Theatre) -> list[dict[str, float]]:
    """Each run's scores against the record and the quantities users sweep for, as a row of plain floats
    (:func:`batch_metric_columns`, a row per replicate)."""
    columns = batch_metric_columns(runs, outcomes, theatre)
    return [dict(zip(columns, values, strict=True)) for values in zip(*(c.tolist() for c in columns.values()), strict=True)]


def batch_metric_columns(runs: RunBatch, outcomes: list[OutcomeBase], theatre: Theatre) -> dict[str, np.ndarray]:
    """Each metric as a float array over the batch's replicates: the columns of a sweep's rows.

    Outcomes outside the runs' window are left out; dates are days after the
    start (NaN when the thing never happens).
    """
    start, end, n = runs.start, runs.date(runs.days), runs.replicates
    scored = [o for o in outcomes if o.applies(start, end)]
    checks = {o.id: c for o, c in zip(scored, check_outcomes(scored, runs, theatre), strict=True)}
    pairs = [(t, runs.day(d), c) for o in scored for t, d, c in o.pairs(theatre)]
    town, day, reported = np.array(pairs, dtype=int).reshape(-1, 3).T
    # Means of 0/1 values and of whole days are exact sums: they equal a run at a time's to the last bit.
    columns = {
        "outcomes_met": _means([checks[o.id].met for o in scored], n),
        "control_accuracy": (runs.history[:, day, town] == reported).mean(axis=1) if pairs else np.full(n, np.nan),
        "capture_mae_days": _means([np.abs(checks[o.id].error_days) for o in scored if isinstance(o, CaptureOutcome)], n),
        # From one day to the next, as scores read control: a town taken and given up the same day changed no hands.
        "towns_changed_hands": (runs.history[:, 1:] != runs.history[:, :-1]).sum(axis=(1, 2)).astype(float).reshape(n),
    }
    for name in END_OF_RUN:  # NaN for a series the runs lack (hand-built ones), as compare leaves it out
        columns[name] = runs.series[name][:, runs.days].astype(float) if name in runs.series else np.full(n, np.nan)
    each = [{**_ceasefire(log, runs), **_deals(log, runs)} for log in runs.events]  # the same names for every replicate
    columns.update((name, np.array([row[name] for row in each], float)) for name in each[0])
    coverage = runs.series["patrol_coverage"]
    columns["patrol_coverage_mean"] = np.array([_mean(patrol_coverages(log.type, log.date, coverage[r], runs.start))
                                                for r, log in enumerate(runs.events)], float).reshape(n)
    for o in scored:
        columns[f"met:{o.id}"] = checks[o.id].met.astype(float)
        if isinstance(o, CaptureOutcome):  # those capture_mae_days counts
            columns[f"{CAPTURE_DAY}{o.id}"] = checks[o.id].value.astype(float)
    return columns


def patrol_coverages(types: np.ndarray, dates: np.ndarray, coverage: np.ndarray, start: dt.date) -> np.ndarray:
    """The share of its route each joint patrol of one run covered, in log order.

    ``coverage`` is the run's daily ``patrol_coverage`` (day 0 on ``start``),
    read on the day of each of ``PATROL_EVENTS`` among the run's events
    (``types`` and ISO ``dates``): the patrols stopped on the way *and* those
    that completed their route. ``patrol_coverage_mean`` is their mean, and so
    is the run summary's "mean".
    """
    days = [(_date(d) - start).days for t, d in zip(types, dates, strict=True) if t in PATROL_EVENTS]
    return np.asarray(coverage, dtype=float)[days]


def patrol_coverage(runs: list[RunData], day: dt.date) -> np.ndarray:
    """Each run's mean share of the route its joint patrols covered up to ``day`` (NaN: none had set out), as the
    runs' ``patrol_coverage_mean`` metric reads it on their last day."""
    out = []
    for r in runs:
        if r.events.empty:  # read back from a file with no rows, it has no columns either
            out.append(np.nan)
            continue
        until = r.day(day)
        events = r.events[[str(d) <= day.isoformat() for d in r.events["date"]]]
        shares = patrol_coverages(events["type"].to_numpy(), events["date"].to_numpy(),
                                  r.timeseries["patrol_coverage"].to_numpy()[:until + 1], r.start)
        out.append(float(shares.mean()) if len(shares) else np.nan)
    return np.array(out)


def is_metric_list(value: object) -> bool:
    """Whether ``value`` names metrics as a list (or tuple) of strings: the one test of a sweep file's ``metrics``, a
    :class:`~sim.experiments.sweep_file.SweepSpec`'s and :func:`sim.sweep_report`'s, which each kept its own (a
    number among them reached a manifest; a name alone was read letter by letter)."""
    return isinstance(value, list | tuple) and all(isinstance(m, str) for m in value)


def metric_named(name: str, known: Collection[str]) -> str:
    """The metric of ``known`` that ``name`` names: ``name`` itself, or the one metric whose alias it is
    (:func:`sim.io.paths.alias`: ``ceasefire_days__jan_truce`` for ``ceasefire_days:jan-truce``, the name EMA Workbench
    gives it back by), as a parameter's alias is read as its dotted path. Any other ``name`` (an alias two metrics
    share, ``met:a-b`` and ``met:a_b``, too) is returned as it is, for the caller to refuse as no metric, naming the
    closest: the one test of every route that takes a metric's name (sweep files and specs, ``sweep-report``,
    ``discover``, ``sim.ema_model``)."""
    if name in known:
        return name
    matches = [m for m in known if alias(m) == name]
    return matches[0] if len(matches) == 1 else name


def column_named(name: str, held: Collection[str], parameters: list[str]) -> str:
    """The column of a sweep's rows (``held``) that ``name`` names: one of the sweep's ``parameters`` by its dotted path
    or alias, as a sweep file's ``parameters`` and ``--pair`` read one (:func:`sim.io.paths.resolve`), anything else as
    :func:`metric_named` reads a metric (the rows' ``point``, ``replicate`` and ``seed`` are their own aliases). A name
    that names none is returned as it is, for the caller to refuse as no column.

    Raises:
        InputError: an alias two of the ``parameters`` share (keyed by the alias: the caller names its argument).
    """
    if name not in held and name in {alias(p) for p in parameters}:
        return resolve(name, parameters)
    return metric_named(name, held)


def metric_names(scenario: Scenario, outcomes: list[OutcomeBase]) -> list[str]:
    """The metrics a run of ``scenario`` scored against ``outcomes`` has, in :func:`batch_metric_columns`'s
    order, known before anything runs: a sweep file's ``metrics`` are checked against them when it is read.

    A sweep sets numbers and switches only, never a date or an event id, so every point of it has these.
    """
    scored = [o for o in outcomes if o.applies(scenario.start, scenario.end)]
    deals = [f"{name}:{deal[0]}" for deal in deals_of(scenario) for name in ("ceasefire_days", "ceasefire_broken")]
    per_outcome = [name for o in scored for name in (f"met:{o.id}", *([f"{CAPTURE_DAY}{o.id}"] if isinstance(o, CaptureOutcome) else []))]
    return ["outcomes_met", "control_accuracy", "capture_mae_days", "towns_changed_hands", *END_OF_RUN, "ceasefire_days", "ceasefire_broken", *deals, "patrol_coverage_mean", *per_outcome]


def _ceasefire(log: EventLog, runs: RunBatch) -> dict[str, float]:
    """Days the first ceasefire stayed in force, and whether it ended broken.

    It ends at the first of: its breakdown (``*_broken``), its expiry
    (``*_expired``, logged the day after its ``until``), or its supersession by
    another deal (``*_superseded``, logged with the new deal's announcement);
    otherwise it is in force to the end of the run. Days are counted from the day it came into force.
    """
    types = log.type
    began = next((i for i, t in enumerate(types) if t.endswith("_in_force")), None)
    if began is None:
        return {"ceasefire_days": np.nan, "ceasefire_broken": np.nan}
    end = next((i for i in range(began + 1, len(types)) if types[i].endswith(("_broken", "_expired", "_superseded", "_announced"))), None)
    if end is not None:
        stop, broken = _date(log.date[end]), types[end].endswith("_broken")
    else:
        stop, broken = runs.date(runs.days + 1), False
    return {"ceasefire_days": float((stop - _date(log.date[began])).days), "ceasefire_broken": float(broken)}


def _deals(log: EventLog, runs: RunBatch) -> dict[str, float]:
    """``ceasefire_days:<id>`` and ``ceasefire_broken:<id>`` for each truce or agreement with an id.

    A deal's days in force run from the day it came into force to the first
    of its breakdown, its expiry or the announcement of the next deal (which
    supersedes it), else to the end of the run; NaN (both) if it never came
    into force in the run (announced after the end, or superseded first).
    Each deal is found by its announcement (date, name and effective date).
    """
    if not runs.deals:
        return {}
    types, dates, details = log.type, log.date, log.detail
    announced = [i for i, t in enumerate(types) if t in ("truce_announced", "agreement_announced")]
    used: set[int] = set()
    out: dict[str, float] = {}
    for deal_id, name, date, effective in runs.deals:
        days = broken = np.nan
        i = next((i for i in announced if i not in used and dates[i] == date and details[i] == f"{name}, in force from {effective}"), None)
        if i is not None:
            used.add(i)
            stop_at = next((j for j in announced if j > i), len(types))
            start = next((j for j in range(i + 1, stop_at) if types[j].endswith("_in_force")), None)
            if start is not None:
                end = next((j for j in range(start + 1, stop_at) if types[j].endswith(("_broken", "_expired"))), None)
                if end is not None:
                    stop, broken = _date(dates[end]), float(types[end].endswith("_broken"))
                else:
                    stop, broken = (_date(dates[stop_at]) if stop_at < len(types) else runs.date(runs.days + 1)), 0.0
                days = float((stop - _date(dates[start])).days)
        out[f"ceasefire_days:{deal_id}"] = days
        out[f"ceasefire_broken:{deal_id}"] = broken
    return out


def _means(rows: list[np.ndarray], n: int) -> np.ndarray:
    """Each of ``n`` replicates' mean over ``rows`` (each an array of one value per replicate); NaN with no rows."""
    return np.mean(rows, axis=0) if rows else np.full(n, np.nan)


def _mean(values) -> float:  # noqa: ANN001 - any sequence of numbers
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else np.nan


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
