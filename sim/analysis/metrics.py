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
    """Days the first ceasefire stayed in force (to its breakdown or the end of the run)."""
    ev = run.events
    began = ev.loc[ev["type"].str.endswith("_in_force"), "date"]
    if began.empty:
        return {"ceasefire_days": np.nan, "ceasefire_broken": np.nan}
    first = _date(began.iloc[0])
    broken = ev.loc[ev["type"].str.endswith("_broken") & (ev["date"] >= began.iloc[0]), "date"]
    stop = _date(broken.iloc[0]) if len(broken) else run.date(run.days + 1)
    return {"ceasefire_days": float((stop - first).days), "ceasefire_broken": float(len(broken) > 0)}


def _mean(values) -> float:  # noqa: ANN001 - any sequence of numbers
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else np.nan


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
