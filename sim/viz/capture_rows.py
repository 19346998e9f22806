"""Which changes of hands ``capture_dates.png`` gives a row, and what it says about those it leaves out.

A campaign's record lists over a hundred captures, more than a readable
figure holds. Rows are not the first ones in time (a winter campaign's
rows would all be December's): the changes of hands, in date order, are cut
into as many groups as there are rows, and each group gives its largest
town, so the rows run through the whole campaign and the towns a reader
looks for (Ma'arat al-Numan, Saraqib) are among them.

A row the record lists holds, for each run, the change of hands the
scorecard reads for that capture (:func:`scored_dates`, by
:func:`~sim.analysis.outcomes.check_outcomes`), met or not: looked for from
the outcome's ``after``, and after the change that met the town's previous
capture by the same side. A town the record has passing to the same holder
more than once (Saraqib to the government on 5 February and again on 2
March) gets a row for each reported capture, and one change of hands is on
the rows of every capture the scorecard reads it for (a run that takes the
town once, too late for the first, is read for both). A row the record does
not list holds each run's first change of the town to that holder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.aggregate import first_captures
from ..analysis.outcomes import CaptureOutcome, check_outcomes, read_order
from ..analysis.rundata import RunBatch, RunData
from ..io.theatre import Theatre

RARE = 0.1  # a change of hands in fewer than one run in ten gets no row unless the record lists it: noise at this scale


@dataclass(frozen=True)
class CaptureRow:
    """One (town, new holder) row of the figure.

    Attributes:
        town: the town's name.
        to: the holder it passes to (a code of ``HOLDERS``).
        share: the share of runs in which it happens.
        median: its median simulated date, in days since 1970 (``inf`` if no run has it).
        recorded: the earliest date the record gives for it (None if the record does not list it).
        time: which of the record's captures of the town by this holder the row is (1, 2, ...), 0 if there is one.
        dates: the date of the change of hands the row holds in each run that has one (ISO), one date a run.
        outcomes: the record's captures drawn on the row.
    """

    town: str
    to: str
    share: float
    median: float
    recorded: dt.date | None
    time: int = 0
    dates: tuple[str, ...] = ()
    outcomes: tuple[CaptureOutcome, ...] = ()


def scored_dates(runs: list[RunData], theatre: Theatre, reported: list[CaptureOutcome]) -> dict[str, tuple[str, ...]]:
    """Each recorded capture's change of hands in each run, as the scorecard reads it: by outcome id, the dates (ISO) of
    the runs that have one, met or not (the others never see it)."""
    checks = check_outcomes(reported, RunBatch.of(runs), theatre) if reported else []
    return {o.id: tuple(c.value.isoformat() for c in checked if c.value is not None)
            for o, checked in zip(reported, checks, strict=True)}


def capture_rows(theatre: Theatre, caps: pd.DataFrame, runs: int, reported: list[CaptureOutcome],
                 scored: dict[str, tuple[str, ...]], limit: int) -> tuple[list[CaptureRow], str]:
    """The rows to draw, in order of date, and a note saying what was left out ("" if nothing was).

    Every change of hands the record lists gets a row, and every other one
    that happens in at least one run in ten; if that is more than ``limit``,
    the record's come first, and the rest of the rows are spread over the
    dates (see :func:`spread`).

    Args:
        theatre: the runs' theatre (for town names and populations).
        caps: every simulated change of hands (:func:`sim.analysis.aggregate.all_captures`).
        runs: the number of runs.
        reported: the record's captures that fall in the run.
        scored: each of them read in the runs as the scorecard reads it (:func:`scored_dates`).
        limit: the most rows the figure holds.
    """
    recorded: dict[tuple[str, str], list[CaptureOutcome]] = {}
    for o in reported:
        recorded.setdefault((theatre.towns[theatre.town(o.town)], o.by), []).append(o)
    simulated = {key: group["seed"].nunique() / runs for key, group in caps.groupby(["town", "to"], sort=True)}
    keys = sorted(set(recorded) | {k for k, share in simulated.items() if share >= RARE})
    rows = [row for town, to in keys for row in _rows_of(town, to, caps, runs, recorded.get((town, to), []), scored)]
    on_record = [r for r in rows if r.recorded is not None]
    others = [r for r in rows if r.recorded is None]
    rare = sum(1 for key, share in simulated.items() if key not in recorded and share < RARE)
    # Said in the figure: its note counted only the unlisted ones it left out for room (29 of 58 in a campaign ensemble).
    unseen = f"\n{rare} more the record does not list, each in fewer than one run in {round(1 / RARE)}, have no row." if rare else ""
    note = ""
    if len(rows) > limit:
        weight = {town: population for town, population in zip(theatre.towns, theatre.population, strict=True)}
        if len(on_record) >= limit:
            rows = spread(on_record, [r.recorded.toordinal() for r in on_record], weight, limit)
            note = (f"{limit} of {len(on_record)} recorded captures shown, spread over the whole period:"
                    f"\ntaken in date order in groups of {_sizes(len(on_record), limit)}, the largest town of each group.")
            if others:
                note += (f"\n{len(others)} simulated changes of hands that the record does not list, each in at least one run "
                         f"in {round(1 / RARE)}, are left out.")
        else:
            more = spread(others, [r.median for r in others], weight, limit - len(on_record))
            rows = on_record + more
            note = (f"Every recorded capture shown, and {len(more)} of {len(others)} simulated changes of hands the record does not list,"
                    f"\nspread over the whole period: taken in order of their median date in groups of {_sizes(len(others), len(more))},"
                    " the largest town of each group.")
    note = (note + unseen).lstrip("\n")
    # Drawn in order of simulated date; what no run does last, in the record's order.
    rows.sort(key=lambda r: (r.median, r.recorded or dt.date.max, r.town))
    return rows, note


def _rows_of(town: str, to: str, caps: pd.DataFrame, runs: int, outcomes: list[CaptureOutcome],
             scored: dict[str, tuple[str, ...]]) -> list[CaptureRow]:
    """The rows of one change of hands: one for each of the record's captures of the town by the holder, holding the
    change the scorecard reads for it in each run; or, if the record lists none, one holding each run's first."""
    if not outcomes:
        mine = caps[(caps["town"] == town) & (caps["to"] == to)]
        return [_row(town, to, runs, None, 0, tuple(first_captures(mine)), ())]
    outcomes = sorted(outcomes, key=read_order)  # numbered in the order the scorecard reads them
    return [_row(town, to, runs, o.reported, k + 1 if len(outcomes) > 1 else 0, scored[o.id], (o,))
            for k, o in enumerate(outcomes)]


def _row(town: str, to: str, runs: int, recorded: dt.date | None, time: int, dates: tuple[str, ...],
         outcomes: tuple[CaptureOutcome, ...]) -> CaptureRow:
    """A row holding ``dates``, one a run, with the share of runs that have one and their median."""
    median = float(np.median(_days(pd.Series(dates, dtype=object)))) if dates else np.inf
    return CaptureRow(town, to, len(dates) / runs, median, recorded, time, dates, outcomes)


def spread(rows: list[CaptureRow], dates: list[float], weight: dict[str, float], k: int) -> list[CaptureRow]:
    """``k`` of ``rows`` spread over ``dates``: the rows in order of date cut into ``k`` groups, the largest town of each.

    The groups hold equal numbers of rows, so a month with many changes of
    hands gets more rows than a quiet one. Ties go to the likelier change,
    then to the earlier.
    """
    if k <= 0:
        return []
    when = np.asarray(dates, float)
    order = np.argsort(when, kind="stable")
    return [rows[max(chunk, key=lambda i: (weight.get(rows[i].town, 0.0), rows[i].share, -when[i]))]
            for chunk in np.array_split(order, min(k, len(rows)))]


def _sizes(n: int, k: int) -> str:
    """How many rows each of :func:`spread`'s ``k`` groups of ``n`` holds, in words: "5" or "5 or 6"."""
    low, high = n // k, -(-n // k)
    return f"{low}" if low == high else f"{low} or {high}"


def _days(dates: pd.Series) -> np.ndarray:
    """ISO dates as days since 1970 (what a median of dates is taken on)."""
    return pd.to_datetime(dates).to_numpy().astype("datetime64[D]").astype(float)


def ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st: a row's capture of a town taken more than once."""
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"
