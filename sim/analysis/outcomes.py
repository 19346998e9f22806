"""Reported outcomes: what the record says happened, in a form a run can be checked against.

The outcomes themselves are data (``seeds/outcomes.yaml``); this module
knows the kinds of outcome and how one run meets or misses each:

- ``controller``: who holds a town on a date;
- ``front``: who holds every theatre town on a date, against a control
  column of the theatre;
- ``capture``: the date a town passes to a faction, within a tolerance;
- ``road``: the date a faction first holds every town of a road (or of a
  list of towns), within a tolerance;
- ``event``: the date of the first event of a type (whose detail contains a
  given text, if ``match`` says one; from a date on, if ``after`` says one),
  within a window;
- ``quantity``: a time series' value on a date, within a range;
- ``condition``: at most so many changes of hands over a period.

Each kind's rule is written once, for a batch of replicates side by side
(:meth:`OutcomeBase.checks` on a :class:`~sim.analysis.rundata.RunBatch`):
a sweep scores every outcome of every run, and one array operation per
outcome and batch costs what one run's check did. A single run is a batch
of one (:meth:`OutcomeBase.check`). Outcomes scored together are checked by
:func:`check_outcomes`, which reads a town's captures by one side in turn, so
that one change of hands meets at most one of them.

An outcome is scored only when a run simulates its date: outcomes dated
on or before the run's start are given, not simulated. Every outcome belongs
to the calibration set (parameters may be tuned on it) or the validation set
(they may not); the file says which, and says how the split was made.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from ..io.schema_types import Date, Finite, Share, Strict, Whole
from ..io.theatre import Theatre
from ..io.validation import Conflict, TaggedUnion
from ..names import HOLDERS, HolderName

if TYPE_CHECKING:  # pandas, which rundata imports, is not needed to read and check an outcomes file
    from .rundata import RunBatch, RunData


@dataclass(frozen=True)
class Check:
    """How one run fares against one outcome.

    Attributes:
        met: the run agrees with the record within the outcome's tolerance.
        value: what the run shows (a date, a number, a controller, a share of towns).
        error_days: simulated minus reported date, for dated outcomes; a date that
            never comes counts as the day after the run ends (a lower bound on the error).
    """

    met: bool
    value: object
    error_days: float | None = None


@dataclass(frozen=True)
class Checks:
    """How each run of a batch fares against one outcome: a :class:`Check` per replicate, as arrays.

    Attributes:
        met: one bool per replicate.
        value: what each run shows; for a dated outcome, the day after the start it shows (NaN: never).
        error_days: simulated minus reported date, for dated outcomes (see :class:`Check`).
        start: for a dated outcome, the date of day 0, which turns ``value`` into dates; None for others.
    """

    met: np.ndarray
    value: np.ndarray
    error_days: np.ndarray | None = None
    start: dt.date | None = None

    def __iter__(self) -> Iterator[Check]:
        return (self[r] for r in range(len(self.met)))

    def __getitem__(self, r: int) -> Check:
        """Replicate ``r``'s check, its value a date (or None) for a dated outcome and a plain Python value otherwise."""
        value = self.value[r]
        if self.start is not None:
            value = None if np.isnan(value) else self.start + dt.timedelta(days=int(value))
        elif isinstance(value, np.generic):
            value = value.item()
        return Check(bool(self.met[r]), value, None if self.error_days is None else float(self.error_days[r]))


def _dated(runs: RunBatch, day: np.ndarray, reported: dt.date, met: np.ndarray) -> Checks:
    """The checks of a dated outcome that each run shows on ``day`` (NaN: never).

    A date that never comes counts as the day after the run ends (a lower bound
    on the error); ``met``, computed from ``day``, is False there, as every
    comparison with NaN is.
    """
    error = np.where(np.isnan(day), runs.days + 1, day) - runs.day(reported)
    return Checks(met, day, error, runs.start)


SET_WORDS = {"calibration": "fitted", "validation": "held out"}  # each set, as a reader is told what it is for


def _first_gain(held: np.ndarray, since: int | np.ndarray = 0) -> np.ndarray:
    """The first day (from ``since`` on, never day 0) each replicate's ``held``, shape (replicates, days + 1),
    turns True; NaN if it never does. ``since``: one day for every replicate, or one each."""
    gained = held[:, 1:] > held[:, :-1]  # column j: day j + 1
    gained &= np.arange(1, held.shape[1]) >= np.reshape(since, (-1, 1))
    return np.where(gained.any(axis=1), gained.argmax(axis=1) + 1.0, np.nan)


def _refuse_after_past_reported(after: dt.date | None, reported: dt.date, looked_for: str) -> None:
    """Refuse an ``after`` later than ``reported``: what is looked for from it on would never be the reported one."""
    if after is not None and after > reported:
        raise Conflict(f"'after' ({after}) is later than 'reported' ({reported}): {looked_for} is looked for from 'after' "
                       "on, so 'after' may be no later than the reported date", "after", "reported")


def _cut(after: dt.date | None, opens: dt.date) -> dt.date | None:
    """``after`` where it is later than ``opens``, the first day that meets the outcome: there it cuts the window's early
    side (nothing before it is looked at, however near the reported date); None where it cuts nothing."""
    return after if after is not None and after > opens else None


class OutcomeBase(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    set: Literal["calibration", "validation"] = Field(description="whether parameters may be tuned on it (calibration) or not (validation)")
    description: str = Field(min_length=1)
    source: list[str] = Field(min_length=1, description="claim ids in the claims record")
    note: str = ""

    def applies(self, start: dt.date, end: dt.date) -> bool:
        """Whether a run from ``start`` to ``end`` simulates what this outcome is about."""
        first, last = self.span()
        return start < first and last <= end

    def span(self) -> tuple[dt.date, dt.date]:
        raise NotImplementedError

    def check(self, run: RunData, theatre: Theatre) -> Check:
        """How ``run`` fares: :meth:`checks` on a batch of one."""
        from .rundata import RunBatch

        return self.checks(RunBatch.of([run]), theatre)[0]

    def checks(self, runs: RunBatch, theatre: Theatre) -> Checks:
        """How each run of ``runs`` fares: the kind's rule, once for the whole batch."""
        raise NotImplementedError

    def pairs(self, theatre: Theatre) -> list[tuple[int, dt.date, int]]:
        """(town, date, controller) the outcome reports, for town-control accuracy."""
        return []


class ControllerOutcome(OutcomeBase):
    kind: Literal["controller"]
    town: str
    date: Date
    controller: HolderName

    def span(self) -> tuple[dt.date, dt.date]:
        return self.date, self.date

    def pairs(self, theatre: Theatre) -> list[tuple[int, dt.date, int]]:
        return [(theatre.town(self.town), self.date, HOLDERS.index(self.controller))]

    def checks(self, runs: RunBatch, theatre: Theatre) -> Checks:
        held = runs.history[:, runs.day(self.date), theatre.town(self.town)]
        return Checks(held == HOLDERS.index(self.controller), np.array(HOLDERS, dtype=object)[held])


class FrontOutcome(OutcomeBase):
    kind: Literal["front"]
    date: Date
    reference: Date = Field(description="the theatre's control column giving the reported front")
    belts: list[str] | None = Field(None, min_length=1, description="only the towns of these belts of the theatre (default: every town)")
    min_accuracy: Share = Field(0.9, description="share of towns that must match for the outcome to be met")

    def span(self) -> tuple[dt.date, dt.date]:
        return self.date, self.date

    def checked_towns(self, theatre: Theatre) -> np.ndarray:
        """Indices of the towns the front is checked on."""
        return np.arange(theatre.n) if self.belts is None else np.flatnonzero(np.isin(theatre.belt, self.belts))

    def pairs(self, theatre: Theatre) -> list[tuple[int, dt.date, int]]:
        reported = theatre.control[self.reference]
        return [(int(t), self.date, int(reported[t])) for t in self.checked_towns(theatre)]

    def checks(self, runs: RunBatch, theatre: Theatre) -> Checks:
        towns = self.checked_towns(theatre)
        share = (runs.history[:, runs.day(self.date), towns] == theatre.control[self.reference][towns]).mean(axis=1)
        return Checks(share >= self.min_accuracy, share)


class CaptureOutcome(OutcomeBase):
    kind: Literal["capture"]
    town: str
    by: HolderName
    reported: Date
    tolerance_days: Whole = Field(ge=0, le=365)
    after: Date | None = Field(None, description="look for the change of hands from this date on")

    @model_validator(mode="after")
    def _after(self) -> CaptureOutcome:
        _refuse_after_past_reported(self.after, self.reported, "the change of hands")
        return self

    def span(self) -> tuple[dt.date, dt.date]:
        return self.after or self.reported, self.reported

    @property
    def cut(self) -> dt.date | None:
        """``after`` where it falls inside the tolerance window, cutting its early side (no change of hands before it
        can meet the outcome, however near 'reported'); None where it does not (or there is none)."""
        return _cut(self.after, self.reported - dt.timedelta(days=self.tolerance_days))

    def checks(self, runs: RunBatch, theatre: Theatre, taken: np.ndarray | None = None) -> Checks:
        """As every kind's; ``taken``: each replicate's day of the change of hands that met an earlier capture of the
        town by the same side (NaN: none), which this one is looked for after (:func:`check_outcomes`)."""
        held = runs.history[:, :, theatre.town(self.town)] == HOLDERS.index(self.by)
        since = np.full(runs.replicates, 0 if self.after is None else runs.day(self.after))
        if taken is not None:
            since = np.where(np.isnan(taken), since, np.maximum(since, taken + 1))
        day = _first_gain(held, since)
        return _dated(runs, day, self.reported, np.abs(day - runs.day(self.reported)) <= self.tolerance_days)


class RoadOutcome(OutcomeBase):
    kind: Literal["road"]
    road: str | None = Field(None, description="a road class of the theatre: every town on it")
    towns: list[str] | None = Field(None, min_length=1, description="or a list of towns")
    by: HolderName
    reported: Date
    tolerance_days: Whole = Field(ge=0, le=365)

    @model_validator(mode="after")
    def _one(self) -> RoadOutcome:
        if (self.road is None) == (self.towns is None):
            raise ValueError("give either 'road' or 'towns'")
        return self

    def span(self) -> tuple[dt.date, dt.date]:
        return self.reported, self.reported

    def members(self, theatre: Theatre) -> np.ndarray:
        if self.road is not None:
            return np.flatnonzero(theatre.road_towns(self.road))
        return np.array([theatre.town(t) for t in self.towns], dtype=int)

    def checks(self, runs: RunBatch, theatre: Theatre) -> Checks:
        held = (runs.history[:, :, self.members(theatre)] == HOLDERS.index(self.by)).all(axis=2)
        # As a capture's: a road held from the start is won when it is next taken back (never, if it is never lost).
        day = _first_gain(held)
        return _dated(runs, day, self.reported, np.abs(day - runs.day(self.reported)) <= self.tolerance_days)


class EventOutcome(OutcomeBase):
    kind: Literal["event"]
    event: str = Field(description="an event type in the run's events.csv (one of sim.names.EVENT_TYPES), e.g. truce_broken")
    match: str | None = Field(None, description="only events whose detail contains this text")
    reported: Date
    window: tuple[Date, Date]
    # An outcome about a period (the first deaths under a ceasefire) is about no event before the period opens: a run
    # that starts earlier would otherwise date an earlier period's event and miss the outcome.
    after: Date | None = Field(None, description="look for the event from this date on: events of the type before it are "
                                  "not looked at (the first event of a period that opens on this date)")

    @model_validator(mode="after")
    def _ordered(self) -> EventOutcome:
        if self.window[0] > self.window[1]:  # (then no date lies inside it, and saying only that misled)
            raise Conflict(f"'window' is [start, end]: its start ({self.window[0]}) is after its end ({self.window[1]})", "window")
        if not self.window[0] <= self.reported <= self.window[1]:
            raise Conflict("'reported' must lie inside 'window'", "window", "reported")
        _refuse_after_past_reported(self.after, self.reported, "the event")
        return self

    def span(self) -> tuple[dt.date, dt.date]:
        return min(self.window[0], self.after or self.window[0]), self.window[1]

    @property
    def cut(self) -> dt.date | None:
        """``after`` where it falls inside the window, cutting its early side; None where it does not (or there is none)."""
        return _cut(self.after, self.window[0])

    def checks(self, runs: RunBatch, theatre: Theatre) -> Checks:
        day = np.full(runs.replicates, np.nan)
        after = None if self.after is None else self.after.isoformat()  # ISO dates order as the days do
        for r, log in enumerate(runs.events):
            rows = np.flatnonzero(log.type == self.event)
            if after is not None:
                rows = rows[log.date[rows].astype(str) >= after]
            if self.match is not None:
                rows = rows[[self.match in str(d) for d in log.detail[rows]]]
            if len(rows):
                day[r] = runs.day(dt.date.fromisoformat(log.date[rows[0]]))
        return _dated(runs, day, self.reported, (runs.day(self.window[0]) <= day) & (day <= runs.day(self.window[1])))


class QuantityOutcome(OutcomeBase):
    kind: Literal["quantity"]
    variable: str = Field(description="a column of the run's timeseries.csv")
    date: Date
    reported: Finite | None = Field(None, description="the reported figure, if the record gives one")
    # Finite: a NaN bound is never met (every comparison with NaN is False); an infinite one has no middle for the figures.
    range: tuple[Finite, Finite] = Field(description="[low, high]: simulated values in here meet the outcome")

    @model_validator(mode="after")
    def _ordered(self) -> QuantityOutcome:
        if self.range[0] > self.range[1]:  # never met: no value is at once above low and below high
            raise Conflict(f"'range' is [low, high]: its low ({self.range[0]:g}) is above its high ({self.range[1]:g})", "range")
        if self.reported is not None and not self.range[0] <= self.reported <= self.range[1]:  # a typo in one or the other
            raise Conflict(f"'reported' ({self.reported:g}) is outside the outcome's own 'range' [{self.range[0]:g}, "
                           f"{self.range[1]:g}]: the record would not meet it", "reported")
        return self

    def span(self) -> tuple[dt.date, dt.date]:
        return self.date, self.date

    def checks(self, runs: RunBatch, theatre: Theatre) -> Checks:
        value = runs.series[self.variable][:, runs.day(self.date)].astype(float)
        return Checks((self.range[0] <= value) & (value <= self.range[1]), value)


class ConditionOutcome(OutcomeBase):
    kind: Literal["condition"]
    period: tuple[Date, Date]
    max_captures: Whole = Field(ge=0, description="at most this many changes of hands in the period")

    @model_validator(mode="after")
    def _ordered(self) -> ConditionOutcome:
        if self.period[0] > self.period[1]:  # always met: a period that ends before it starts counts no change of hands
            raise Conflict(f"'period' is [start, end]: its start ({self.period[0]}) is after its end ({self.period[1]})", "period")
        return self

    def span(self) -> tuple[dt.date, dt.date]:
        return self.period

    def checks(self, runs: RunBatch, theatre: Theatre) -> Checks:
        a, b = runs.day(self.period[0]), runs.day(self.period[1])
        changes = (runs.history[:, a : b + 1] != runs.history[:, a - 1 : b]).sum(axis=(1, 2))
        return Checks(changes <= self.max_captures, changes)


def read_order(capture: CaptureOutcome) -> tuple[dt.date, str]:
    """Where ``capture`` comes among a town's captures by one side as :func:`check_outcomes` reads them: by reported
    date, and by id on one date, whatever order they are listed in."""
    return capture.reported, capture.id


def check_outcomes(outcomes: list[OutcomeBase], runs: RunBatch, theatre: Theatre) -> list[Checks]:
    """Each outcome's checks of the batch (in the order given), a town's captures by one side read in turn.

    The record may have a town taken by the same side twice, lost between (Abu Jarif by the government on 15 and 24
    January), with tolerances that overlap; ``after`` keeps an earlier change of hands from being taken for the later
    capture, but a run that takes the town once, inside both windows, met both. So a change of hands that meets one
    of them is taken for no later one: those are looked for after it, in order of their reported dates, and of their
    ids on one date (in the order given, two reported on one day that one change of hands meets went to whichever was
    listed first, so that reordering an outcomes file moved scores).
    """
    out: dict[int, Checks] = {}
    taken: dict[tuple[int, str], np.ndarray] = {}  # (town, side): each replicate's day of the last change that met one
    captures = sorted((k for k, o in enumerate(outcomes) if isinstance(o, CaptureOutcome)), key=lambda k: read_order(outcomes[k]))
    for k in captures:
        o = outcomes[k]
        key = (theatre.town(o.town), o.by)
        out[k] = checked = o.checks(runs, theatre, taken.get(key))
        taken[key] = np.where(checked.met, checked.value, taken.get(key, np.full(runs.replicates, np.nan)))
    return [out[k] if k in out else o.checks(runs, theatre) for k, o in enumerate(outcomes)]


OutcomeKinds = ControllerOutcome | FrontOutcome | CaptureOutcome | RoadOutcome | EventOutcome | QuantityOutcome | ConditionOutcome
Outcome = Annotated[OutcomeKinds, Field(discriminator="kind")]
# The one list of outcome kinds: each branch of the union under its ``kind``.
OUTCOME_MODELS: dict[str, type[OutcomeBase]] = {
    typing.get_args(model.model_fields["kind"].annotation)[0]: model for model in typing.get_args(OutcomeKinds)
}
OUTCOMES = TaggedUnion("outcome", "kind", OUTCOME_MODELS)
