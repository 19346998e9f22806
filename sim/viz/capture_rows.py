"""Which changes of hands ``capture_dates.png`` gives a row, and what it says about those it leaves out.

A campaign's record lists over a hundred captures, more than a readable
figure holds. Rows are not the first ones in time (a winter campaign's
rows would all be December's): the changes of hands, in date order, are cut
into as many groups as there are rows, and each group gives its largest
town, so the rows run through the whole campaign and the towns a reader
looks for (Ma'arat al-Numan, Saraqib) are among them.

A town the record has passing to the same holder more than once (Saraqib
to the government on 5 February and again on 2 March) gets a row for each
reported capture, and each row holds the runs' captures from its outcome's
``after`` date (from where the outcome looks) to the next one's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..analysis.outcomes import CaptureOutcome
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
        since: the first date of the row's window of simulated captures (ISO; "" from the start).
        until: the date its window ends, not included (ISO; "" to the end).
        outcomes: the record's captures drawn on the row.
    """

    town: str
    to: str
    share: float
    median: float
    recorded: dt.date | None
    time: int = 0
    since: str = ""
    until: str = ""
    outcomes: tuple[CaptureOutcome, ...] = ()

    def captures(self, caps: pd.DataFrame) -> pd.DataFrame:
        """The simulated changes of hands this row holds: of its town to its holder, in its window."""
        mine = (caps["town"] == self.town) & (caps["to"] == self.to)
        if self.since:
            mine &= caps["date"] >= self.since
        if self.until:
            mine &= caps["date"] < self.until
        return caps[mine]


def capture_rows(theatre: Theatre, caps: pd.DataFrame, runs: int, reported: list[CaptureOutcome],
                 limit: int) -> tuple[list[CaptureRow], str]:
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
        limit: the most rows the figure holds.
    """
    recorded: dict[tuple[str, str], list[CaptureOutcome]] = {}
    for o in reported:
        recorded.setdefault((theatre.towns[theatre.town(o.town)], o.by), []).append(o)
    simulated = {key: group["seed"].nunique() / runs for key, group in caps.groupby(["town", "to"], sort=True)}
    keys = sorted(set(recorded) | {k for k, share in simulated.items() if share >= RARE})
    rows = [row for town, to in keys for row in _rows_of(town, to, caps, runs, recorded.get((town, to), []))]
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


def _rows_of(town: str, to: str, caps: pd.DataFrame, runs: int, outcomes: list[CaptureOutcome]) -> list[CaptureRow]:
    """The rows of one change of hands: one, or one for each of the record's captures of the town by the holder.

    Row k's window runs from its outcome's ``after`` date (else halfway between the two reported dates) to the
    next row's start, so that each simulated capture is drawn once, on the row whose report it answers.
    """
    outcomes = sorted(outcomes, key=lambda o: o.reported)
    starts = [""] + [(o.after or prev.reported + (o.reported - prev.reported) / 2).isoformat()
                     for prev, o in zip(outcomes, outcomes[1:], strict=False)]
    rows = []
    for k, since in enumerate(starts):
        until = starts[k + 1] if k + 1 < len(starts) else ""
        row = CaptureRow(town, to, 0.0, np.inf, outcomes[k].reported if outcomes else None, k + 1 if len(outcomes) > 1 else 0,
                         since, until, tuple(outcomes[k:k + 1]))
        mine = row.captures(caps)
        if len(mine):
            row = replace(row, share=mine["seed"].nunique() / runs, median=float(np.median(_days(mine["date"]))))
        rows.append(row)
    return rows


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
