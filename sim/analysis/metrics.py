"""One row of numbers per run: what sweeps record and sensitivity analysis explains."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..io.theatre import Theatre
from ..names import HOLDERS
from .outcomes import CaptureOutcome, OutcomeBase
from .results import RunData


def run_metrics(run: RunData, outcomes: list[OutcomeBase], theatre: Theatre) -> dict[str, float]:
    """Scores against the record and the quantities users sweep for, as plain floats.

    Outcomes outside the run's window are left out; dates are days after the
    start (NaN when the thing never happens).
    """
    start, end = run.start, run.date(run.days)
    scored = [o for o in outcomes if o.applies(start, end)]
    checks = {o.id: o.check(run, theatre) for o in scored}
    pairs = [p for o in scored for p in o.pairs(theatre)]
    ts, ev = run.timeseries, run.events
    last = ts.iloc[run.days]

    out: dict[str, float] = {
        "outcomes_met": float(np.mean([c.met for c in checks.values()])) if checks else np.nan,
        "control_accuracy": float(np.mean([run.history[run.day(d), t] == c for t, d, c in pairs])) if pairs else np.nan,
        "capture_mae_days": _mean([abs(checks[o.id].error_days) for o in scored if isinstance(o, CaptureOutcome)]),
        "towns_changed_hands": float((ev["type"] == "capture").sum()),
        **{f"towns_{h}": float(last[f"towns_{h}"]) for h in HOLDERS},
        "turkish_deaths": float(last["turkish_deaths"]),
        "displaced": float(last["displaced"]),
        **_ceasefire(run),
        **_deals(run),
        "patrol_coverage_mean": _mean(ts["patrol_coverage"].to_numpy()[[run.day(_date(d)) for d in ev.loc[ev["type"] == "patrol", "date"]]]),
    }
    for o in scored:
        out[f"met:{o.id}"] = float(checks[o.id].met)
        if isinstance(o, CaptureOutcome):
            date = checks[o.id].value
            out[f"day:{o.id}"] = float((date - start).days) if date is not None else np.nan
    return out


def _ceasefire(run: RunData) -> dict[str, float]:
    """Days the first ceasefire stayed in force, and whether it ended broken.

    It ends at the first of: its breakdown (``*_broken``), its expiry
    (``*_expired``, logged the day after its ``until``), or its supersession by
    another deal (``*_superseded``, logged with the new deal's announcement);
    otherwise it is in force to the end of the run. Days are counted from the day it came into force.
    """
    ev = run.events.reset_index(drop=True)
    began = np.flatnonzero(ev["type"].str.endswith("_in_force").to_numpy())
    if not len(began):
        return {"ceasefire_days": np.nan, "ceasefire_broken": np.nan}
    first = _date(ev["date"].iloc[began[0]])
    after = ev.iloc[began[0] + 1:]
    ends = after[after["type"].str.endswith(("_broken", "_expired", "_superseded", "_announced"))]
    if len(ends):
        stop, broken = _date(ends["date"].iloc[0]), ends["type"].iloc[0].endswith("_broken")
    else:
        stop, broken = run.date(run.days + 1), False
    return {"ceasefire_days": float((stop - first).days), "ceasefire_broken": float(broken)}


def _deals(run: RunData) -> dict[str, float]:
    """``ceasefire_days:<id>`` and ``ceasefire_broken:<id>`` for each truce or agreement with an id.

    A deal's days in force run from the day it came into force to the first
    of its breakdown, its expiry or the announcement of the next deal (which
    supersedes it), else to the end of the run; NaN (both) if it never came
    into force in the run (announced after the end, or superseded first).
    Each deal is found by its announcement (date, name and effective date).
    """
    if not run.deals:
        return {}
    ev = run.events.reset_index(drop=True)
    types, dates, details = (ev[c].to_numpy(dtype=object) for c in ("type", "date", "detail"))
    announced = [i for i, t in enumerate(types) if t in ("truce_announced", "agreement_announced")]
    used: set[int] = set()
    out: dict[str, float] = {}
    for deal_id, name, date, effective in run.deals:
        days = broken = np.nan
        i = next((i for i in announced if i not in used and dates[i] == date and details[i] == f"{name}, in force from {effective}"), None)
        if i is not None:
            used.add(i)
            stop_at = next((j for j in announced if j > i), len(ev))
            start = next((j for j in range(i + 1, stop_at) if types[j].endswith("_in_force")), None)
            if start is not None:
                end = next((j for j in range(start + 1, stop_at) if types[j].endswith(("_broken", "_expired"))), None)
                if end is not None:
                    stop, broken = _date(dates[end]), float(types[end].endswith("_broken"))
                else:
                    stop, broken = (_date(dates[stop_at]) if stop_at < len(ev) else run.date(run.days + 1)), 0.0
                days = float((stop - _date(dates[start])).days)
        out[f"ceasefire_days:{deal_id}"] = days
        out[f"ceasefire_broken:{deal_id}"] = broken
    return out


def _mean(values) -> float:  # noqa: ANN001 - any sequence of numbers
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else np.nan


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
