"""Scoring runs against the record: scorecards, the frozen-front baseline, and their tables.

A scorecard sets an ensemble beside the reported outcomes and beside a
naive baseline, the front frozen at the scenario's start, so that a score
reads as skill or its absence. Headline scores:

- ``outcomes met``: the share of outcomes a replicate meets, averaged;
- ``control accuracy``: the share of reported (town, date) controllers a
  replicate gets right, averaged;
- ``Brier``: the multi-category Brier score of the ensemble's control
  probabilities on the same (town, date) pairs (0 is perfect, 2 the worst);
- ``capture MAE``: mean absolute error in days of the dated changes of
  hands (a change that never comes counts as the day after the run ends).

Every outcome belongs to the calibration or the validation set; the headline
scores are given for each set as well as for all outcomes together.

Two scorecards set side by side (a what-if against its baseline) are in
:mod:`sim.analysis.comparison`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, check_switch, flag
from ..io.files import as_path
from ..names import HOLDERS, date_words
from .aggregate import date_quantile, replicate_quantiles
from .outcomes import (
    CaptureOutcome,
    Check,
    ConditionOutcome,
    ControllerOutcome,
    EventOutcome,
    FrontOutcome,
    OutcomeBase,
    QuantityOutcome,
    RoadOutcome,
)
from .outcomes_file import load_outcomes, load_record_outcomes
from .results import Results, frozen_front
from .scored_outcomes import outcomes_hash
from .rundata import RunBatch

HEADLINES = ("outcomes met", "control accuracy", "Brier", "capture MAE (days)")
LOWER_IS_BETTER = ("Brier", "capture MAE (days)")  # the headline scores that are better lower (the others: higher)
SETS = ("calibration", "validation")


@dataclass
class OutcomeScore:
    """One outcome against every replicate and against the baseline."""

    outcome: OutcomeBase
    checks: list[Check]
    baseline: Check

    @property
    def met(self) -> np.ndarray:
        return np.array([c.met for c in self.checks], dtype=float)

    @property
    def p_met(self) -> float:
        return float(self.met.mean())

    @property
    def abs_error(self) -> np.ndarray | None:
        errors = [c.error_days for c in self.checks]
        return None if errors[0] is None else np.abs(np.array(errors, dtype=float))


@dataclass
class Scorecard:
    """A results folder scored against the reported outcomes.

    Attributes:
        outcomes_file, outcomes_hash: the outcomes file it was scored against and the content hash of its outcomes
            (:func:`~sim.analysis.scored_outcomes.outcomes_hash`; None and "" when scored on outcomes given as a
            list): two scorecards of the same runs scored against different outcomes differ for that alone, and a
            comparison says so.
        outcomes_named: that file as a report names it (as given: ``seeds/outcomes_blind.yaml``), or None for the
            record's own (``outcomes.yaml`` beside the run's claims record, or a copy of it), which the reports call
            "the record".
    """

    results: Results
    scores: list[OutcomeScore]
    skipped: list[OutcomeBase]
    per_run: dict[str, np.ndarray] = field(repr=False)
    baseline: dict[str, float]
    pair_controllers: np.ndarray = field(repr=False)  # [runs, pairs] simulated controller
    pair_reported: np.ndarray = field(repr=False)  # [pairs] reported controller
    pair_places: list[tuple[int, dt.date, str]] = field(repr=False)  # [pairs] (town, date, set of its outcome)
    sets: dict[str, Scorecard] = field(default_factory=dict, repr=False)  # the same, per set of outcomes
    outcomes_file: Path | None = None
    outcomes_hash: str = ""
    outcomes_named: str | None = None

    def __repr__(self) -> str:
        # At a prompt, the dataclass's own repr printed every outcome scored: some 130,000 characters.
        scores = ", ".join(f"{k} {v:.3g}" for k, v in self.headline().items())
        return (f"Scorecard({self.results!r}, {len(self.scores)} outcomes scored, {len(self.skipped)} outside the "
                f"run; {scores})")

    def headline(self) -> dict[str, float]:
        """The four headline scores: outcomes met, control accuracy and capture MAE averaged over the runs, and the Brier
        score of their control probabilities."""
        out = {k: float(np.nanmean(v)) if len(v) else float("nan") for k, v in self.per_run.items() if k != "Brier"}
        out["Brier"] = brier(self.pair_controllers, self.pair_reported)
        return {k: out[k] for k in HEADLINES}


def scorecard(results: Results, outcomes_file: str | Path | None = None) -> Scorecard:
    """Score ``results`` against an outcomes file (default: ``outcomes.yaml`` beside the run's claims record)."""
    record = results.claims_file.parent / "outcomes.yaml"
    named = outcomes_file is not None  # only None is the record's: 0 or "" fell back to it without a word
    path = as_path(outcomes_file, flag("outcomes", python="outcomes_file")) if named else record
    columns = list(results.runs[0].timeseries.columns)
    outcomes = load_outcomes(path, results.theatre, columns) if named else \
        load_record_outcomes(path, results.theatre, columns, python="outcomes_file")
    card = score(results, outcomes)
    card.outcomes_file, card.outcomes_hash = path, outcomes_hash(outcomes)
    the_record = path.resolve() == record.resolve() or (record.is_file() and record.read_bytes() == path.read_bytes())
    card.outcomes_named = None if the_record else str(path)
    return card


def require_card(card: object, key: str = "card") -> Scorecard:
    """``card``, if it is a :class:`Scorecard`: a folder's path or its Results raised AttributeErrors in the functions
    that read one ("'str' object has no attribute 'pair_places'")."""
    if not isinstance(card, Scorecard):
        raise InputError(None, "needs a Scorecard: sim.scorecard(folder), of a results folder or the Results of "
                         f"sim.load_results or sim.run_ensemble (got a {type(card).__name__})", key=key)
    return card


def score(results: Results, outcomes: list[OutcomeBase], *, by_set: bool = True) -> Scorecard:
    """Check every replicate of ``results`` and the frozen-front baseline against ``outcomes`` (and each set apart)."""
    check_switch(by_set, "by_set")
    theatre = results.theatre
    runs = results.runs
    days = min(r.days for r in runs)
    last = results.start + dt.timedelta(days=days)
    applicable = [o for o in outcomes if o.applies(results.start, last)]
    skipped = [o for o in outcomes if o not in applicable]
    base = frozen_front(runs[0])
    batch, alone = RunBatch.of(runs), RunBatch.of([base])  # each outcome checked once for all replicates
    scores = [OutcomeScore(o, list(o.checks(batch, theatre)), o.checks(alone, theatre)[0]) for o in applicable]

    pairs = [(t, d, c, o.set) for o in applicable for t, d, c in o.pairs(theatre)]  # (town, date, holder reported, set)
    places = [(t, d, outcome_set) for t, d, _, outcome_set in pairs]
    reported = np.array([c for _, _, c, _ in pairs], dtype=np.int8)
    controllers = batch.history[:, [batch.day(d) for _, d, _ in places], [t for t, _, _ in places]].reshape(len(runs), len(places))
    base_controllers = np.array([base.history[base.day(d), t] for t, d, _ in places], dtype=np.int8)

    met = np.array([s.met for s in scores]).reshape(len(scores), len(runs))
    captures = [s.abs_error for s in scores if isinstance(s.outcome, CaptureOutcome)]
    per_run = {
        "outcomes met": met.mean(axis=0) if len(scores) else np.array([]),
        "control accuracy": (controllers == reported).mean(axis=1) if places else np.array([]),
        "capture MAE (days)": np.mean(captures, axis=0) if captures else np.array([]),
    }
    base_captures = [abs(s.baseline.error_days) for s in scores if isinstance(s.outcome, CaptureOutcome)]
    baseline = {
        "outcomes met": float(np.mean([s.baseline.met for s in scores])) if scores else float("nan"),
        "control accuracy": float((base_controllers == reported).mean()) if places else float("nan"),
        "Brier": brier(base_controllers[None, :], reported),
        "capture MAE (days)": float(np.mean(base_captures)) if base_captures else float("nan"),
    }
    card = Scorecard(results, scores, skipped, per_run, baseline, controllers, reported, places)
    if by_set:
        card.sets = {name: score(results, [o for o in outcomes if o.set == name], by_set=False)
                     for name in SETS if any(s.outcome.set == name for s in scores)}
    return card


# Between the holders that a control miss's replicates have equally often instead (control_misses).
TIED = " / "


def control_misses(card: Scorecard, *, at_least: float = 0.25) -> pd.DataFrame:
    """The (town, date) pairs behind control accuracy that the replicates get wrong most often, worst first.

    Only those with the wrong holder in at least ``at_least`` of the replicates (a share above 0, at most 1). Each
    row: the town, the set of the outcome that reports it, the date, the holder reported, the share of replicates
    right, the holder the others most often have ``instead`` and the share of replicates that have it: where not to
    trust the model, and which way it errs. Two holders equally often instead are both named, in the order of
    :data:`~sim.names.HOLDERS` and joined by ``TIED`` ("hts / rebels"), ``instead_share`` being each one's share: the
    first alone was named, as if the runs leaned its way.
    """
    require_card(card)
    columns = ["town", "set", "date", "reported", "right", "instead", "instead_share"]
    # Above 0: a row needs a replicate that is wrong, or it has no holder instead ('regime (0%)' was said of those).
    if isinstance(at_least, bool) or not isinstance(at_least, int | float) or not 0 < at_least <= 1:
        raise InputError(None, f"must be a share of the replicates, above 0 and at most 1 (got {at_least!r})",
                         key="at_least")
    if not card.pair_places:
        return pd.DataFrame(columns=columns)
    runs = len(card.pair_controllers)
    right = (card.pair_controllers == card.pair_reported).mean(axis=0)
    rows = []
    for k in np.argsort(right, kind="stable"):  # ties in the outcomes' order
        if 1.0 - right[k] < at_least:
            break
        town, date, outcome_set = card.pair_places[k]
        held = card.pair_controllers[:, k]
        counts = np.bincount(held[held != card.pair_reported[k]], minlength=len(HOLDERS))
        most = counts.max()  # at least one replicate is wrong here (at_least > 0), so a holder has it
        instead = TIED.join(HOLDERS[h] for h in np.flatnonzero(counts == most))
        rows.append([card.results.theatre.towns[town], outcome_set, date, HOLDERS[card.pair_reported[k]],
                     float(right[k]), instead, most / runs])
    return pd.DataFrame(rows, columns=columns)


def brier(controllers: np.ndarray, reported: np.ndarray) -> float | np.ndarray:
    """Multi-category Brier score of the control probabilities implied by replicates.

    Args:
        controllers: [runs, pairs] simulated controller codes, or [samples, runs, pairs]
            for one score per sample (bootstrap resamples of the replicates).
        reported: [pairs] reported controller codes.

    Returns:
        The score (0 perfect, 2 the worst), or one per sample.
    """
    if controllers.shape[-1] == 0:
        return float("nan")
    k = np.arange(len(HOLDERS))
    p = (controllers[..., None] == k).mean(axis=-3)  # [..., pairs, holders]: the share of runs in which each holds
    o = reported[:, None] == k
    scores = ((p - o) ** 2).sum(axis=-1).mean(axis=-1)
    return float(scores) if scores.ndim == 0 else scores


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def outcome_table(card: Scorecard, *, words: bool = False) -> pd.DataFrame:
    """One row per scored outcome: reported, simulated, P(met), date error, baseline.

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
            "baseline": _value(s.baseline.value, o, day),
            "baseline_met": s.baseline.met,
            "source": "; ".join(o.source),
        })
    return pd.DataFrame(rows, columns=["outcome", "set", "kind", "description", "reported", "simulated", "p_met",
                                       "date_error_days", "baseline", "baseline_met", "source"])


def headline_table(card: Scorecard) -> pd.DataFrame:
    """One row per headline score: the model and the frozen front, on every outcome and on each set apart."""
    model = require_card(card).headline()
    rows = []
    for k in HEADLINES:
        row = {"score": k, "model": model[k], "frozen front": card.baseline[k]}
        for name, sub in card.sets.items():
            row[f"{name}: model"] = sub.headline()[k]
            row[f"{name}: frozen"] = sub.baseline[k]
        row["better is"] = "lower" if k in LOWER_IS_BETTER else "higher"
        rows.append(row)
    return pd.DataFrame(rows)


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
            return f"{o.event} {day(o.reported)} (window {day(o.window[0])} .. {day(o.window[1])})"
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
        return text + (f"; never in {a.never}/{a.n}" if a.never else "")
    if np.isnan(a.middle):
        return "none"
    fmt = "{:.0%}".format if isinstance(o, FrontOutcome) else short_number
    text = fmt(a.middle) + (f" ({fmt(a.low)} .. {fmt(a.high)})" if a.n > 1 else "")
    return text + (f"; none in {a.none}/{a.n}" if a.none else "")


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
