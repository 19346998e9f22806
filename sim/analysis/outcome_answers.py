"""What each scored outcome's replicates show, and the table that sets it beside what was reported.

A :class:`~sim.analysis.scoring.Scorecard` holds every replicate's check of every outcome; this reads them back one
outcome at a time: the holders' shares, the median date and its range, or the values' (:func:`answer`), and writes
them, with the report and the frozen front's answer, one row per outcome (:func:`outcome_table`). The command line's
tables, the reports and the app put the same answers in their own words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import check_switch
from ..names import date_words
from .aggregate import date_quantile, replicate_quantiles
from .outcomes import (CaptureOutcome, ConditionOutcome, ControllerOutcome, EventOutcome, FrontOutcome, OutcomeBase,
                       QuantityOutcome, RoadOutcome)
from .scoring import OutcomeScore, Scorecard, require_card


def outcome_table(card: Scorecard, *, words: bool = False) -> pd.DataFrame:
    """One row per scored outcome: reported, simulated, P(met), date error, baseline.

    ``date_error_lower_bound`` is true where the mean |date error| is a lower bound (some replicate never saw the
    date, which counts as the day after the run ends: :attr:`~sim.analysis.scoring.OutcomeScore.never_seen`), as
    ``compare``'s markdown marks it "≥ 19.0": the CSV, which is this table, gave it as a plain number.

    Dates are ISO ("2020-02-05"), as data are, or with ``words`` as readers read them ("5 Feb 2020", as
    :func:`sim.names.date_words` writes them: ``compare``'s markdown).
    """
    check_switch(words, "words")
    day = _short_date if words else str
    rows = []
    for s in require_card(card).scores:
        o = s.outcome
        err = s.abs_error
        rows.append({
            "outcome": o.id,
            "set": o.set,
            "kind": o.kind,
            "description": o.description,
            "reported": _reported(o, day),
            "simulated": _simulated(s, day),
            "p_met": s.p_met,
            "date_error_days": float(err.mean()) if err is not None else np.nan,
            "date_error_lower_bound": s.never_seen,
            "baseline": _value(s.baseline.value, o, day),
            "baseline_met": s.baseline.met,
            "source": "; ".join(o.source),
        })
    return pd.DataFrame(rows, columns=["outcome", "set", "kind", "description", "reported", "simulated", "p_met",
                                       "date_error_days", "date_error_lower_bound", "baseline", "baseline_met", "source"])


def _short_date(d: dt.date) -> str:
    """A date in a table for readers: '5 Feb 2020'."""
    return date_words(d, "%b")


def _reported(o: OutcomeBase, day=str) -> str:  # noqa: ANN001 - a date's writer
    match o:
        case ControllerOutcome():
            return f"{o.controller} on {day(o.date)}"
        case FrontOutcome():
            return f"front of {day(o.reference)} on {day(o.date)} (>= {o.min_accuracy:.0%} of towns)"
        case CaptureOutcome():
            # not "by": met either side of it; but not before an 'after' inside the window, which cuts its early side
            cut = f", not before {day(o.cut)}" if o.cut is not None else ""
            return f"to {o.by} on {day(o.reported)} (± {o.tolerance_days} d{cut})"
        case RoadOutcome():
            return f"{o.by} first holds all of {o.road or ', '.join(o.towns)} on {day(o.reported)} (± {o.tolerance_days} d)"
        case EventOutcome():
            cut = f", not before {day(o.cut)}" if o.cut is not None else ""  # as a capture's
            return f"{o.event} {day(o.reported)} (window {day(o.window[0])} .. {day(o.window[1])}{cut})"
        case QuantityOutcome():
            within = f"(range {short_number(o.range[0])} .. {short_number(o.range[1])})"
            if o.reported is None:  # the record gives only a range: say so, where a "-" read as garbage
                return f"{o.variable} on {day(o.date)}: no single figure reported {within}"
            return f"{o.variable} {short_number(o.reported)} on {day(o.date)} {within}"
        case ConditionOutcome():
            return f"<= {o.max_captures} changes of hands {day(o.period[0])} .. {day(o.period[1])}"
    return ""


@dataclass(frozen=True)
class Answer:
    """What an outcome's replicates show, before it is put in words (the command line's codes or the app's words).

    Attributes:
        n: replicates.
        shares: a controller outcome's holders and the share of replicates each, most common first.
        middle, low, high: the median and the 5% and 95% quantiles, numbers for a quantity (NaN: no replicate has
            one), and for a dated outcome dates by the rule of every median date
            (:func:`sim.analysis.aggregate.date_quantile`): over all ``n`` replicates, one that never saw it counting
            as later than any day, so that each is None ("never") when the replicate at its rank never saw it (the
            median when more than half never do); ``low``/``high`` are None from a single replicate too.
        never: replicates that never saw a dated outcome.
        none: replicates with no value for a quantity (patrol coverage with no patrol out): its median and range are
            over the others, and P(met) counts these as misses.
    """

    n: int
    shares: dict = field(default_factory=dict)
    middle: object = None
    low: object = None
    high: object = None
    never: int = 0
    none: int = 0


def answer(s: OutcomeScore) -> Answer:
    """The replicates' answer for one outcome: the shares, the dates' median and 5-95% range, or the values'."""
    values = [c.value for c in s.checks]
    n, o = len(values), s.outcome
    if isinstance(o, ControllerOutcome):
        return Answer(n, shares={h: c / n for h, c in pd.Series(values).value_counts().items()})
    if isinstance(o, CaptureOutcome | RoadOutcome | EventOutcome):
        dates = sorted(v for v in values if v is not None)
        wide = n > 1
        return Answer(n, middle=date_quantile(dates, 0.5, n), low=date_quantile(dates, 0.05, n) if wide else None,
                      high=date_quantile(dates, 0.95, n) if wide else None, never=n - len(dates))
    x = np.array(values, dtype=float)
    if np.isnan(x).all():
        return Answer(n, middle=np.nan, low=np.nan, high=np.nan)
    # Each a replicate's value, as the run summaries, plots and timeseries_quantiles.csv give them: interpolated, the
    # median of 40 was the mean of two runs' (1,052,482 displaced here, 1,052,106 in the summary beside it).
    lo, mid, hi = replicate_quantiles(x, (0.05, 0.5, 0.95))  # over the replicates with a value
    return Answer(n, middle=mid, low=lo, high=hi, none=int(np.isnan(x).sum()))


def _simulated(s: OutcomeScore, day=str) -> str:  # noqa: ANN001 - a date's writer
    """The ensemble's answer in a few characters: the median (5-95% range) or the shares; a date that the
    replicate at its rank never sees is "never", and how many never see it follows, as how many replicates have no
    value follows a quantity's median and range (taken over the others)."""
    a, o = answer(s), s.outcome
    if isinstance(o, ControllerOutcome):
        return ", ".join(f"{h} {share:.0%}" for h, share in a.shares.items())
    if isinstance(o, CaptureOutcome | RoadOutcome | EventOutcome):
        if a.never == a.n:
            return "never"

        def when(d: dt.date | None) -> str:
            return "never" if d is None else day(d)
        text = when(a.middle) + (f" ({when(a.low)} .. {when(a.high)})" if a.low is not None else "")
        return text + (f"; {never_in(a.never, a.n)}" if a.never else "")
    if np.isnan(a.middle):
        return "none"
    fmt = "{:.0%}".format if isinstance(o, FrontOutcome) else short_number
    text = fmt(a.middle) + (f" ({fmt(a.low)} .. {fmt(a.high)})" if a.n > 1 else "")
    return text + (f"; {never_in(a.none, a.n, 'none')}" if a.none else "")


def never_in(lacking: int, n: int, word: str = "never") -> str:
    """How many of ``n`` replicates have no answer, in the words every report gives it: "never in 26/40" (a date they
    never saw) or, ``word`` "none", "none in 3/40" (a quantity with no value); a median or a mean beside it is over
    the others (a median of dates counts them as later than any day)."""
    return f"{word} in {lacking}/{n}"


def short_number(x: float) -> str:
    """Counts as whole numbers with thousands separators, shares and rates to 2 decimals."""
    return f"{x:,.0f}" if abs(x) >= 10 or float(x).is_integer() else f"{x:.2f}"


def _value(value: object, o: OutcomeBase, day=str) -> str:  # noqa: ANN001 - a date's writer
    if value is None:
        return "never"
    if isinstance(o, FrontOutcome):
        return f"{value:.0%}"
    if isinstance(value, float):
        return "none" if np.isnan(value) else short_number(value)
    return day(value) if isinstance(value, dt.date) else str(value)
