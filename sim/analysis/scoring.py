"""Scoring runs against the record: scorecards, the frozen-front baseline, and the headline scores' table.

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

What each outcome's replicates show, and the table of every outcome, are in
:mod:`sim.analysis.outcome_answers`; two scorecards set side by side (a what-if
against its baseline) are in :mod:`sim.analysis.comparison`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, check_switch, flag
from ..io.files import as_path
from ..names import HOLDERS
from .outcomes import CaptureOutcome, Check, OutcomeBase, check_outcomes
from .outcomes_file import load_outcomes, load_record_outcomes
from .results import Results, frozen_front
from .scored_outcomes import outcomes_hash
from .rundata import RunBatch, RunData

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

    @property
    def never_seen(self) -> bool:
        """Whether some replicate never shows this dated outcome: its error counts the day after the run ends, so the
        mean absolute error is a lower bound."""
        return self.abs_error is not None and any(c.value is None for c in self.checks)


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

    def mae_is_lower_bound(self, *, baseline: bool = False) -> bool:
        """Whether the capture MAE, the replicates' (or with ``baseline`` the frozen front's), is a lower bound: a capture
        it counts never comes in some replicate, and counts as the day after the run ends (the frozen front's always
        is, as it takes nothing)."""
        captures = [s for s in self.scores if isinstance(s.outcome, CaptureOutcome)]
        return any(s.baseline.value is None for s in captures) if baseline else any(s.never_seen for s in captures)

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
    """Check every replicate of ``results`` and the frozen-front baseline against ``outcomes`` (and each set apart).

    Raises:
        InputError: ``results`` is not a :class:`~sim.Results`, or ``outcomes`` not a list of outcomes (a folder's path
            or an outcomes file's raised an AttributeError): :func:`sim.scorecard` takes those.
    """
    check_switch(by_set, "by_set")
    if not isinstance(results, Results):
        raise InputError(None, "needs the Results of sim.load_results(folder) or sim.run_ensemble, not a "
                               f"{type(results).__name__}; sim.scorecard(folder) scores a folder by its path", key="results")
    if not isinstance(outcomes, list | tuple) or not all(isinstance(o, OutcomeBase) for o in outcomes):
        raise InputError(None, "needs a list of outcomes, as sim.analysis.outcomes_file.load_outcomes reads them; "
                               "sim.scorecard(folder, outcomes_file) scores against an outcomes file by its path", key="outcomes")
    runs = results.runs
    days = min(r.days for r in runs)
    last = results.start + dt.timedelta(days=days)
    applicable = [o for o in outcomes if o.applies(results.start, last)]
    skipped = [o for o in outcomes if o not in applicable]
    base = frozen_front(runs[0])
    batch, alone = RunBatch.of(runs), RunBatch.of([base])  # each outcome checked once for all replicates
    # Checked all together, whatever set each is in: a town's captures by one side are read in turn, so a set's card
    # takes its outcomes' checks from here (checked apart, a capture whose earlier one is in the other set was read as
    # if it had none, and one change of hands could meet both).
    scores = [OutcomeScore(o, list(checks), base_checks[0]) for o, checks, base_checks in zip(
        applicable, check_outcomes(applicable, batch, results.theatre), check_outcomes(applicable, alone, results.theatre),
        strict=True)]
    card = _card(results, batch, base, scores, skipped)
    if by_set:
        card.sets = {name: _card(results, batch, base, [s for s in scores if s.outcome.set == name],
                                 [o for o in skipped if o.set == name])
                     for name in SETS if any(s.outcome.set == name for s in scores)}
    return card


def _card(results: Results, batch: RunBatch, base: RunData, scores: list[OutcomeScore],
          skipped: list[OutcomeBase]) -> Scorecard:
    """The scorecard of the outcomes ``scores`` checked (and ``skipped``): the headline scores of each replicate of
    ``batch`` (``results``' runs) and of the frozen front ``base``."""
    runs = results.runs
    pairs = [(t, d, c, s.outcome.set) for s in scores for t, d, c in s.outcome.pairs(results.theatre)]  # (town, date, holder reported, set)
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
    return Scorecard(results, scores, skipped, per_run, baseline, controllers, reported, places)


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


BOUND = " lower bound"  # a value column's marker column in headline_table: "model" and "model lower bound"


def headline_table(card: Scorecard) -> pd.DataFrame:
    """One row per headline score: the model and the frozen front, on every outcome and on each set apart, then, for
    each of those value columns, ``<column> lower bound``: True where its value is a lower bound
    (:func:`headline_bounds`), as ``date_error_lower_bound`` marks the outcome table's. The numbers alone (a CSV of
    them, the app's ``scores.csv``) gave a capture MAE that counts a capture never coming as if it were exact."""
    model = require_card(card).headline()
    rows = []
    for k in HEADLINES:
        row = {"score": k, "model": model[k], "frozen front": card.baseline[k]}
        for name, sub in card.sets.items():
            row[f"{name}: model"] = sub.headline()[k]
            row[f"{name}: frozen"] = sub.baseline[k]
        row["better is"] = "lower" if k in LOWER_IS_BETTER else "higher"
        rows.append(row)
    table = pd.DataFrame(rows)
    bounds = set(headline_bounds(card))
    for column in [c for c in table.columns if c not in ("score", "better is")]:
        table[column + BOUND] = [(k, column) in bounds for k in range(len(table))]
    return table


def headline_bounds(card: Scorecard) -> list[tuple[int, str]]:
    """The cells of :func:`headline_table` that are lower bounds, as (row, column), those its ``<column> lower bound``
    columns mark: the capture MAEs of the replicates or of the frozen front where a capture they count never comes
    (:meth:`Scorecard.mae_is_lower_bound`)."""
    row = HEADLINES.index("capture MAE (days)")
    parts = [("", require_card(card)), *((f"{name}: ", sub) for name, sub in card.sets.items())]
    return [(row, f"{prefix}{column}") for prefix, sub in parts
            for column, baseline in (("model", False), ("frozen" if prefix else "frozen front", True))
            if sub.mae_is_lower_bound(baseline=baseline)]
