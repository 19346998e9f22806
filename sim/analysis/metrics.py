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


def _mean(values) -> float:  # noqa: ANN001 - any sequence of numbers
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else np.nan


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
