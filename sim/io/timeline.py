"""Checks of a scenario's dated events against each other.

The schema checks each event alone and :mod:`sim.io.checks` what it names;
these look at the whole timeline:

- Ceasefires. The model holds one deal at a time: a deal announced while an
  earlier one is still live (announced or in force) supersedes it, and the
  run logs it (``*_superseded``); ``check`` lists these. What it cannot
  represent is refused: two deals announced on one day (which one holds
  would depend on their order in the file).

The theatre's post dates (``established``) are checked where its tables are read (:mod:`sim.io.theatre_tables`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .safe_yaml import LDict, as_written, location
from .schema import Scenario

DEALS = ("truce", "agreement")


def deals_of(scenario: Scenario) -> tuple[tuple[str, str, str, str], ...]:
    """(event id, name, announced, effective) of each truce or agreement of ``scenario`` that has an id."""
    return tuple((e.id, e.name, e.date.isoformat(), e.effective.isoformat()) for e in scenario.events if e.type in DEALS and e.id)


def _deals(scenario: Scenario) -> list[tuple[int, object]]:
    """(index in the events, event) of every truce and agreement, in the order they are announced."""
    return [(i, e) for i, e in sorted(enumerate(scenario.events), key=lambda x: (x[1].date, x[0])) if e.type in DEALS]


def check_timeline(scenario: Scenario, tree: LDict, path: Path) -> None:
    """Raise :class:`InputError` on ceasefires the model cannot represent (see the module's docstring)."""
    deals = _deals(scenario)
    for (_, a), (j, b) in zip(deals, deals[1:]):
        file, line = location(tree, ("events", j, "date"))

        k = as_written(tree, ("events", j), file)[1]  # as the file the line is in lists it

        def fail(message: str, file: str | None = file, line: int | None = line, k: int = k) -> None:
            raise InputError(file or path, message, line=line, key=f"events[{k}].date")

        if b.date == a.date:
            fail(f"'{b.name}' and '{a.name}' are both announced on {b.date}; the model holds one ceasefire at a time, and "
                 "which one would hold depends on their order: announce them on different days")


def supersessions(scenario: Scenario) -> list[str]:
    """The deals that end an earlier one still live by its dates, as sentences ("'B' supersedes 'A' on <date>")."""
    deals = _deals(scenario)
    out = []
    for (_, a), (_, b) in zip(deals, deals[1:]):
        if a.until is None or b.date <= a.until:
            before = " before it took effect" if b.date <= a.effective else ""  # b is announced the night before its date
            out.append(f"'{b.name}' supersedes '{a.name}' on {b.date}{before}")
    return out

