"""Two ensembles side by side: B (a what-if) minus A (its baseline), with bootstrap intervals.

Differences carry a bootstrap interval over replicates, paired when both
ensembles ran the same seeds (a what-if extending a scenario shares its
seeds, and so its luck; ensembles that share some are paired on those, as
:mod:`~sim.analysis.shared_seeds` says), and only when each has
:data:`~sim.analysis.bootstrap.MIN_REPLICATES` or more. The outcomes' and the towns' intervals are *joint*, each table's
taken together (:func:`~sim.analysis.bootstrap.joint_intervals`): among 175 outcomes (the campaign's) or 191 towns,
one-by-one intervals leave out 0 here and there by chance alone, and a
change that is not there would be reported. Both are scored on the same ground: the outcomes
both cover, over the days both simulate, so that a difference comes from
the runs and not from what each was scored on; an id their outcomes files
define differently is not common ground, and is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import InputError
from .aggregate import median_rank_of
from .bootstrap import MIN_REPLICATES, bootstrap_diff, joint_intervals
from .metrics import END_OF_RUN, patrol_coverage
from .results import Results, RunData
from .outcomes import CaptureOutcome, EventOutcome, OutcomeBase, RoadOutcome
from .scoring import HEADLINES, OutcomeScore, Scorecard, brier, require_card, score
from .shared_seeds import SeedPairing, on_seeds, pairing_of

NO_CONTROL = "not computed: none of the outcomes both cover says who holds a town"
WHY_NOT = {"outcomes met": "not computed: no outcome is scored in both", "control accuracy": NO_CONTROL, "Brier": NO_CONTROL,
           "capture MAE (days)": "not computed: none of the outcomes both cover is a capture"}


@dataclass
class Difference:
    """B minus A for one quantity, with a bootstrap interval over replicates (NaN without one).

    Attributes:
        note: why the difference is not given (a score neither could be given, an outcome only one
            ensemble covers); empty when it is.
        a_lower_bound, b_lower_bound: A's (B's) value is a lower bound: a capture MAE that counts a capture never
            coming in some replicate as the day after the run ends (:meth:`~sim.analysis.scoring.Scorecard.mae_is_lower_bound`).
    """

    name: str
    a: float
    b: float
    low: float
    high: float
    note: str = ""
    a_lower_bound: bool = False
    b_lower_bound: bool = False

    @property
    def diff(self) -> float:
        return self.b - self.a

    @property
    def diff_bound(self) -> str:
        """How :attr:`diff` stands to the difference of the true values where one side is a lower bound: "≥" (B
        alone: it is at least ``diff``), "≤" (A alone: at most); "" where neither is, and where both are (it bounds
        nothing then)."""
        if self.a_lower_bound == self.b_lower_bound:
            return ""
        return "≥" if self.b_lower_bound else "≤"

    @property
    def sign_known(self) -> bool:
        """Whether the true values differ the way :attr:`diff` does, lower bounds and all: always where neither side
        is one; where only B is, if B is the higher (it is higher still); where only A is, if B is the lower; never
        where both are, so that which is closer to the record cannot be read off them."""
        return self.diff_bound == "≥" and self.diff > 0 or self.diff_bound == "≤" and self.diff < 0 or \
            not (self.a_lower_bound or self.b_lower_bound)


@dataclass
class Comparison:
    """Ensemble B (e.g. a what-if) set beside ensemble A (e.g. the baseline scenario).

    Attributes:
        a, b: the two scorecards as compared: as given, or on the seeds both ran where they share some but not all.
        date: the last day both simulate: quantities and towns are compared on it, and no later day is scored.
        seeds: the seeds each ran, and which of them are paired (:class:`~sim.analysis.shared_seeds.SeedPairing`).
        outcomes: per outcome both cover, the share of replicates meeting it.
        headlines: per headline score, on the outcomes both cover (a row with a note where it cannot be given).
        quantities, towns: on ``date``.
        only_a, only_b: the outcomes only one covers (its share meeting them; the other's NaN), left out of every score.
        cut: "A" or "B" if that one simulates beyond ``date`` and was scored up to it only; None if neither.
        intervals: whether differences carry intervals (each ensemble has :data:`MIN_REPLICATES` replicates or more).
        same_runs: every replicate of B is its paired replicate of A up to ``date``: the same holder of every town on
            every day, the same :data:`QUANTITIES` and the same check of every outcome, so that every difference is
            zero because the change reached nothing they measure, not by chance.
        differs_in: with ``same_runs``, the daily series that still differ (a removed Turkish reinforcement's
            ``turkish_troops``): what the change did reach.
        redefined: the ids A and B both score but define differently (their outcomes files differ): in ``only_a`` and
            ``only_b``, out of every score (B - A would measure the definitions).
    """

    a: Scorecard
    b: Scorecard
    date: dt.date
    seeds: SeedPairing
    outcomes: list[Difference]
    headlines: list[Difference]
    quantities: list[Difference]
    towns: pd.DataFrame
    only_a: list[Difference] = field(default_factory=list)
    only_b: list[Difference] = field(default_factory=list)
    cut: str | None = None
    intervals: bool = True
    same_runs: bool = False
    differs_in: tuple[str, ...] = ()
    dates: list[DateShift] = field(default_factory=list)
    redefined: tuple[str, ...] = ()

    @property
    def paired(self) -> bool:
        """Replicate *i* of each ran the same seed: all of them, or those both ran (``seeds`` says which)."""
        return self.seeds.paired

    def __repr__(self) -> str:
        # At a prompt, the dataclass's own repr printed both scorecards and every difference: some 310,000 characters.
        return (f"Comparison(A={self.a.results.label!r}, B={self.b.results.label!r}, on {self.date}, "
                f"{len(self.outcomes)} outcomes both cover, {len(self.quantities)} quantities, {len(self.towns)} towns)")


@dataclass
class DateShift:
    """How much later (or earlier) a dated outcome (a capture, a road, an event) comes in B than in A: the median over
    replicates of its simulated date by the one rule of every median date (:func:`sim.analysis.aggregate.date_quantile`,
    as ``compare A``'s table gives it: the lower of the two middle ones when they are even, so that it is a date some
    replicate shows, a replicate that never sees it by ``last`` counted as later than any day, so that the median is
    "never" when more than half never do), and B - A with a bootstrap interval (NaN when a resample's median
    is never).

    Attributes:
        a, b: the medians in days after ``origin`` (A's start); ``inf``: never by ``last``.
        last: the last day both simulate.
    """

    name: str
    a: float
    b: float
    low: float
    high: float
    origin: dt.date
    last: dt.date

    @property
    def diff(self) -> float:
        """B - A in days; NaN when either median is never (:attr:`bound` then says what is known)."""
        return self.b - self.a if np.isfinite(self.a) and np.isfinite(self.b) else float("nan")

    @property
    def bound(self) -> float | None:
        """When one median is never: B - A is at least this (B never) or at most this (A never), "never" standing for
        the day after ``last``; None otherwise."""
        after = (self.last - self.origin).days + 1
        if np.isfinite(self.a) and not np.isfinite(self.b):
            return after - self.a
        if np.isfinite(self.b) and not np.isfinite(self.a):
            return self.b - after
        return None

    def date(self, days: float) -> str:
        """A median as a date, or "never"."""
        return str(self.origin + dt.timedelta(days=int(days))) if np.isfinite(days) else "never"

    @property
    def moved(self) -> bool:
        return bool(self.a != self.b)


QUANTITIES = END_OF_RUN  # the sweeps' end-of-run metrics: a sweep can ask about whatever a comparison sets side by side


def compare(a: Scorecard, b: Scorecard) -> Comparison:
    """Per outcome, per headline score, per key quantity and per town: B - A with an interval.

    Scores count the outcomes both cover, over the days both simulate (each
    is scored afresh there if its own scorecard covers more); quantities and
    towns are compared on the last of those days. Ensembles that share some
    seeds but not all (2 or more) are compared on those only, paired
    (:class:`~sim.analysis.shared_seeds.SeedPairing`).

    Raises:
        InputError: ``a`` or ``b`` not a :class:`~sim.Scorecard`; results on different theatres, or with no simulated
            day in common.
    """
    seeds = pairing_of(require_card(a, "a"), require_card(b, "b"))
    if seeds.paired:  # on the seeds both ran, when they share some but not all
        a, b = on_seeds(a, seeds.shared), on_seeds(b, seeds.shared)
    ra, rb = a.results, b.results
    if ra.theatre.towns != rb.theatre.towns:  # both were bare ValueErrors, the project's error only on the command line
        raise InputError(rb.path, "the two results are on different theatres")
    try:
        last = last_shared_day(ra, rb)
    except ValueError as exc:
        raise InputError(rb.path, str(exc)) from None
    paired = seeds.paired
    intervals = min(len(ra.runs), len(rb.runs)) >= MIN_REPLICATES
    rng = np.random.default_rng(0)  # a fixed stream: the same comparison prints the same intervals

    def diff(name: str, x: np.ndarray, y: np.ndarray) -> Difference:
        lo, hi = bootstrap_diff(x, y, paired=paired, rng=rng) if intervals else (np.nan, np.nan)
        return Difference(name, float(x.mean()), float(y.mean()), float(lo), float(hi))

    sa, sb, cut = _common_ground(a, b, last, redefined := _redefined(a, b))
    ids_b = {s.outcome.id: s for s in sb.scores}
    met_a = np.stack([s.met for s in sa.scores], axis=1).astype(float) if sa.scores else np.zeros((len(ra.runs), 0))
    met_b = np.stack([ids_b[s.outcome.id].met for s in sa.scores], axis=1).astype(float) if sa.scores else np.zeros((len(rb.runs), 0))
    lo, hi = joint_intervals(met_a, met_b, paired=paired, rng=rng) if intervals else (np.full(len(sa.scores), np.nan),) * 2
    outcomes = [Difference(s.outcome.id, float(met_a[:, k].mean()), float(met_b[:, k].mean()), float(lo[k]), float(hi[k]))
                for k, s in enumerate(sa.scores)]

    headlines = [diff(name, sa.per_run[name], sb.per_run[name]) if len(sa.per_run[name]) and len(sb.per_run[name])
                 else _not_given(name) for name in HEADLINES if name != "Brier"]
    mae = next(k for k, d in enumerate(headlines) if d.name == "capture MAE (days)")  # marked as compare A marks it
    headlines[mae] = replace(headlines[mae], a_lower_bound=sa.mae_is_lower_bound(),
                             b_lower_bound=sb.mae_is_lower_bound())
    if sa.pair_reported.size and np.array_equal(sa.pair_reported, sb.pair_reported):
        def stat(samples: np.ndarray, axis: int) -> np.ndarray:  # samples: [resamples, runs, pairs]
            assert axis == 1
            return brier(samples, sa.pair_reported)
        lo, hi = (bootstrap_diff(sa.pair_controllers, sb.pair_controllers, paired=paired, rng=rng, stat=stat)
                  if intervals else (np.nan, np.nan))
        headlines.insert(2, Difference("Brier", sa.headline()["Brier"], sb.headline()["Brier"], float(lo), float(hi)))
    else:
        headlines.insert(2, _not_given("Brier", sa.pair_reported.size > 0 and sb.pair_reported.size > 0))

    # Those both record: a folder written before a series existed has no column for it (it was a KeyError when B lacked it).
    quantities = [diff(q, _at(ra.runs, q, last), _at(rb.runs, q, last)) for q in QUANTITIES
                  if q in ra.runs[0].timeseries and q in rb.runs[0].timeseries]
    quantities += patrol_difference(ra.runs, rb.runs, last, paired=paired, intervals=intervals, rng=np.random.default_rng(0))

    ha = np.stack([r.history[r.day(last)] for r in ra.runs]) == 0
    hb = np.stack([r.history[r.day(last)] for r in rb.runs]) == 0
    lo, hi = joint_intervals(ha, hb, paired=paired, rng=rng) if intervals else (np.nan, np.nan)
    towns = pd.DataFrame({"town": ra.theatre.towns, "p_regime_a": ha.mean(axis=0), "p_regime_b": hb.mean(axis=0)})
    towns["diff"] = towns["p_regime_b"] - towns["p_regime_a"]
    towns["low"], towns["high"] = lo, hi
    same = _same_runs(ra.runs, rb.runs, last) if paired else None
    if same is not None and not _measured_alike(sa, ids_b, quantities):
        same = None  # the histories agree, but an outcome they do not show (an event, a patrol) does not
    dates = [_date_shift(s, ids_b[s.outcome.id], ra.start, last, paired=paired, intervals=intervals) for s in sa.scores
             if isinstance(s.outcome, CaptureOutcome | RoadOutcome | EventOutcome)]
    return Comparison(a, b, last, seeds, outcomes, headlines, quantities, towns, *_left_out(a, b, redefined), cut, intervals,
                      same is not None, same or (), dates, tuple(sorted(redefined)))


def _date_shift(sa: OutcomeScore, sb: OutcomeScore, origin: dt.date, last: dt.date, *, paired: bool, intervals: bool) -> DateShift:
    """B - A in the median simulated date of one dated outcome (see :class:`DateShift`)."""

    def days(score: OutcomeScore) -> np.ndarray:
        return np.array([np.inf if c.value is None else float((c.value - origin).days) for c in score.checks])

    x, y = days(sa), days(sb)
    low = high = float("nan")
    if intervals:
        # Its own stream: the other intervals stay those of a comparison without dates.
        with np.errstate(invalid="ignore"):  # never - never: NaN, and then no interval
            lo, hi = bootstrap_diff(x, y, paired=paired, rng=np.random.default_rng(1), stat=median_rank_of)
        if np.isfinite(lo) and np.isfinite(hi):
            low, high = float(lo), float(hi)
    return DateShift(sa.outcome.id, float(median_rank_of(x)), float(median_rank_of(y)), low, high, origin, last)


def _same_runs(runs_a: list[RunData], runs_b: list[RunData], last: dt.date) -> tuple[str, ...] | None:
    """None unless each run of B holds every town as its paired run of A on every day up to ``last``, with the same
    :data:`QUANTITIES`; then the daily series that differ all the same (none if the runs are the same throughout)."""
    differ: set[str] = set()
    for x, y in zip(runs_a, runs_b, strict=True):
        keep = x.day(last) + 1
        if not np.array_equal(x.history[:keep], y.history[:keep]):
            return None
        if x.post_history is not None and y.post_history is not None and not np.array_equal(x.post_history[:keep], y.post_history[:keep]):
            differ.add("posts")
        for column in x.timeseries.columns.intersection(y.timeseries.columns):
            if not x.timeseries[column].iloc[:keep].reset_index(drop=True).equals(y.timeseries[column].iloc[:keep].reset_index(drop=True)):
                differ.add(column)
    return None if differ & set(QUANTITIES) else tuple(sorted(differ))


def _measured_alike(sa: Scorecard, ids_b: dict[str, OutcomeScore], quantities: list[Difference]) -> bool:
    """Every outcome gives each paired run of B what it gives A's (met, and its date or value), and every key quantity
    is the same: what the histories cannot show (an event, a patrol)."""
    checks = ([(c.met, c.value) for c in s.checks] == [(c.met, c.value) for c in ids_b[s.outcome.id].checks] for s in sa.scores)
    return all(checks) and all(d.a == d.b or (np.isnan(d.a) and np.isnan(d.b)) for d in quantities)


def last_shared_day(ra: Results, rb: Results) -> dt.date:
    """The last day both simulate (the maps of ``python -m sim map A B`` use it too).

    Raises:
        ValueError: they share no simulated day (one starts on or after the day the other ends: a start day's
            front is the scenario's, not something either simulated).
    """
    last = min(_last_day(ra), _last_day(rb))
    if last <= max(ra.start, rb.start):
        raise ValueError(f"{ra.path.name} ({ra.start} .. {_last_day(ra)}) and {rb.path.name} ({rb.start} .. {_last_day(rb)}) "
                         "share no simulated day (a start day's front is its scenario's, not simulated): there is no "
                         "day to set them side by side")
    return last


def _last_day(results: Results) -> dt.date:
    return results.start + dt.timedelta(days=min(r.days for r in results.runs))


def _redefined(a: Scorecard, b: Scorecard) -> set[str]:
    """The ids both score whose outcomes ask different things of a run (all but the words about one and its set): each
    folder is scored against its own outcomes file, and another checkout's may give an id another tolerance or date."""
    def asked(o: OutcomeBase) -> dict:
        return o.model_dump(exclude={"description", "note", "source", "set"})
    by_id = {s.outcome.id: s.outcome for s in b.scores}
    return {s.outcome.id for s in a.scores if s.outcome.id in by_id and asked(s.outcome) != asked(by_id[s.outcome.id])}


def _common_ground(a: Scorecard, b: Scorecard, last: dt.date, redefined: set[str]) -> tuple[Scorecard, Scorecard, str | None]:
    """A and B scored on the outcomes both cover, but ``redefined``, up to ``last``, and which ("A", "B", None) was cut.
    Each scorecard counts the outcomes its own window covers: left so, a run that merely ends earlier would differ in
    every score. Both are in A's order, so that their reported holders line up (for the Brier score)."""
    ids_b = {s.outcome.id for s in b.scores} - redefined
    common = [s.outcome.id for s in a.scores if s.outcome.id in ids_b]
    cut = next((side for side, card in (("A", a), ("B", b)) if _last_day(card.results) > last), None)
    if cut is None and common == [s.outcome.id for s in a.scores] == [s.outcome.id for s in b.scores]:
        return a, b, None
    return _rescored(a, common, last), _rescored(b, common, last), cut


def _rescored(card: Scorecard, ids: list[str], last: dt.date) -> Scorecard:
    """``card``'s ensemble scored on its outcomes ``ids`` (in that order, so both sides' pairs line up) up to ``last``."""
    by_id = {s.outcome.id: s.outcome for s in card.scores}
    results = replace(card.results, runs=[r.until(last) for r in card.results.runs])
    return score(results, [by_id[i] for i in ids], by_set=False)


def patrol_difference(runs_a: list[RunData], runs_b: list[RunData], day: dt.date, *, paired: bool, intervals: bool,
                      rng: np.random.Generator) -> list[Difference]:
    """The joint patrols' mean coverage up to ``day`` as a key quantity, where either side has patrols by then."""
    if "patrol_coverage" not in runs_a[0].timeseries or "patrol_coverage" not in runs_b[0].timeseries:
        return []
    a, b = patrol_coverage(runs_a, day), patrol_coverage(runs_b, day)
    if np.isnan(a).all() and np.isnan(b).all():
        return []
    if np.isnan(a).any() or np.isnan(b).any():
        side = "A" if np.isnan(a).all() else "B" if np.isnan(b).all() else "some replicates"
        return [Difference("patrol_coverage_mean", float(np.nanmean(a)) if not np.isnan(a).all() else np.nan,
                           float(np.nanmean(b)) if not np.isnan(b).all() else np.nan, np.nan, np.nan,
                           note=f"{side} had no patrol out by then")]
    lo, hi = bootstrap_diff(a, b, paired=paired, rng=rng) if intervals else (np.nan, np.nan)
    return [Difference("patrol_coverage_mean", float(a.mean()), float(b.mean()), float(lo), float(hi))]


def _not_given(name: str, both_have_pairs: bool = False) -> Difference:
    """A headline score that cannot be set side by side, and why."""
    why = "not computed: A's and B's outcomes report different controllers" if both_have_pairs else WHY_NOT[name]
    return Difference(name, np.nan, np.nan, np.nan, np.nan, why)


def _left_out(a: Scorecard, b: Scorecard, redefined: set[str]) -> tuple[list[Difference], list[Difference]]:
    """The outcomes only A scores, and those only B scores: the share of its replicates meeting each, the other's NaN;
    an id both score but define differently is in both lists, each side's share under its own definition."""
    ids_a, ids_b = ({s.outcome.id for s in card.scores} - redefined for card in (a, b))
    nan, why = float("nan"), dict.fromkeys(redefined, "left out: A's and B's outcomes files define it differently")
    only_a = [Difference(s.outcome.id, s.p_met, nan, nan, nan, why.get(s.outcome.id, "left out: only A scores it"))
              for s in a.scores if s.outcome.id not in ids_b]
    only_b = [Difference(s.outcome.id, nan, s.p_met, nan, nan, why.get(s.outcome.id, "left out: only B scores it"))
              for s in b.scores if s.outcome.id not in ids_a]
    return only_a, only_b


def _at(runs: list[RunData], variable: str, date: dt.date) -> np.ndarray:
    return np.array([float(r.timeseries[variable].iloc[r.day(date)]) for r in runs])
