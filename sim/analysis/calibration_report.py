"""A calibration's trials read as answers: the best point, the accepted set, what the data constrain, the report.

Works on plain tables (the trials as a DataFrame, the slices, the scores of
the final ensembles), so that the report can be rebuilt from a calibration
folder without the optimiser.

- **Accepted set**: the trials whose objective is within ``within_se``
  bootstrap standard errors of the best trial's (the best trial's own
  standard error, over its replicates), at most ``max`` of them, best first.
  Their differences from the best are within the noise of a
  ``replicates``-run ensemble. They are the trials the sampler chose, so
  they are denser where it searched most: a set of good points, not a
  posterior.
- **Slices**: each parameter moved across its range with the others at the
  best point, on the same seeds. The *plausible interval* runs between the
  nearest points on either side whose objective is beyond the same tolerance
  of the slice's best (or the bounds): the part of the range the slice cannot
  rule out, at the resolution of its points. A
  parameter whose plausible interval covers at most half of its range is
  **constrained** by the data, one whose interval covers 90% or more is
  **loose** (the outcomes cannot tell its values apart), others **partly**.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .scoring import HEADLINES, LOWER_IS_BETTER

CONSTRAINED, LOOSE = 0.5, 0.9
NOT_SLICED = "not sliced"  # the verdict of a parameter no slice went through


def best_trial(trials: pd.DataFrame) -> pd.Series:
    """The trial with the lowest objective (the earliest of equals)."""
    order = trials.sort_values(["objective", "trial"], kind="stable")
    return order.iloc[0]


def accepted_set(trials: pd.DataFrame, within_se: float, maximum: int) -> pd.DataFrame:
    """The trials within ``within_se`` standard errors of the best, best first, at most ``maximum``."""
    best = best_trial(trials)
    limit = best["objective"] + within_se * best["se"]
    chosen = trials[trials["objective"] <= limit].sort_values(["objective", "trial"], kind="stable")
    return chosen.head(maximum).reset_index(drop=True)


def scaled(values: np.ndarray | float, low: float, high: float, log: bool) -> np.ndarray | float:
    """Where values sit in their bounds, 0 to 1, on the parameter's scale."""
    if log:
        return (np.log(values) - math.log(low)) / (math.log(high) - math.log(low))
    return (np.asarray(values) - low) / (high - low)


def slice_verdicts(slices: pd.DataFrame, bounds: dict[str, tuple[float, float, bool]], tolerance: float) -> pd.DataFrame:
    """Per parameter: the plausible interval along its slice and whether the data constrain it."""
    rows = []
    for name, (low, high, log) in bounds.items():
        mine = slices[slices["parameter"] == name]
        if mine.empty:
            continue
        ok = mine["objective"] <= mine["objective"].min() + tolerance
        lo, hi = float(mine.loc[ok, "value"].min()), float(mine.loc[ok, "value"].max())
        # Out to the nearest point outside the tolerance on each side (or the bound): the slice cannot rule that part out.
        below, above = mine.loc[~ok & (mine["value"] < lo), "value"], mine.loc[~ok & (mine["value"] > hi), "value"]
        lo, hi = (float(below.max()) if len(below) else low), (float(above.min()) if len(above) else high)
        width = float(scaled(hi, low, high, log) - scaled(lo, low, high, log))
        spread = float(mine["objective"].max() - mine["objective"].min())
        verdict = "constrained" if width <= CONSTRAINED else "loose" if width >= LOOSE else "partly"
        rows.append({"parameter": name, "plausible_low": lo, "plausible_high": hi, "plausible_share": width,
                     "slice_range": spread, "verdict": verdict})
    return pd.DataFrame(rows, columns=["parameter", "plausible_low", "plausible_high", "plausible_share", "slice_range", "verdict"])


def parameter_table(bounds: dict[str, tuple[float, float, bool]], hand: dict[str, float], best: pd.Series,
                    accepted: pd.DataFrame, verdicts: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: bounds, hand-set, best, the accepted set's 5-95% range, the slice's verdict."""
    v = verdicts.set_index("parameter") if len(verdicts) else None
    rows = []
    for name, (low, high, log) in bounds.items():
        acc = accepted[name].to_numpy(dtype=float)
        q5, q95 = np.quantile(acc, [0.05, 0.95]) if len(acc) else (np.nan, np.nan)
        share = float(scaled(q95, low, high, log) - scaled(q5, low, high, log)) if len(acc) > 1 else 0.0
        row = {"parameter": name, "low": low, "high": high, "hand_set": hand.get(name, np.nan), "calibrated": float(best[name]),
               "accepted_5": q5, "accepted_95": q95, "accepted_share": share}
        if v is not None and name in v.index:
            row.update({k: v.loc[name, k] for k in ("plausible_low", "plausible_high", "plausible_share", "verdict")})
        else:  # no slice through it (slices: {points: 0}): the accepted set's spread is no verdict (one trial has none)
            row["verdict"] = NOT_SLICED
        rows.append(row)
    return pd.DataFrame(rows)


def _fmt(x: object) -> str:
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def markdown(table: pd.DataFrame) -> str:
    """A DataFrame as a GitHub table, numbers to three significant figures."""
    head = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join("--:" if pd.api.types.is_numeric_dtype(table[c]) else "---" for c in table.columns) + "|"
    body = ["| " + " | ".join(_fmt(x) for x in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body])


SCORE_ROWS = ("objective", "se", "minus hand-set", "minus hand-set se", "control", "dates", "quantities", "conditions",
              "outcomes met", "control accuracy", "Brier", "capture MAE (days)")


def score_table(scores: dict[str, dict[str, dict[str, float]]], part: str) -> pd.DataFrame:
    """Scores of each ensemble (best, hand-set, ...) on one part (``fit`` or ``hold_out``), a row per score."""
    rows = []
    for key in SCORE_ROWS:
        values = [s.get(part, {}).get(key, np.nan) for s in scores.values()]
        if all(v is None or (isinstance(v, float) and math.isnan(v)) for v in values):
            continue
        row = {"score": key}
        row.update(dict(zip(scores, values, strict=True)))
        row["better is"] = "lower" if key in LOWER_IS_BETTER or key not in HEADLINES else "higher"  # the objective's parts are losses
        rows.append(row)
    return pd.DataFrame(rows)


def report_text(*, name: str, header: list[str], scores: dict[str, dict[str, dict[str, float]]], parameters: pd.DataFrame,
                figures: list[str], cost: dict[str, float]) -> str:
    """The calibration's report.md."""
    lines = [f"# Calibration `{name}`", "", *header, ""]
    lines += [f"Cost: {cost['runs']:,} runs in {cost['wall_seconds'] / 60:.1f} min of optimisation (asking and running trials) "
              f"({cost['runs'] / max(cost['wall_seconds'], 1e-9):.1f} runs/s), {cost['trials']} trials.", ""]
    lines += ["## Scores on the same seeds", "",
              "The objective and its four groups (lower is better), then the scorecard's headline scores. "
              "*calibrated*: the chosen point; *hand-set*: the values in the scenario files; *accepted set*: replicates "
              "drawn across the accepted set (parameter uncertainty); *frozen front*: nothing moves after the start. "
              "*minus hand-set*: the objective less the hand-set values' on the same seeds, with its paired bootstrap "
              "standard error (replicate *i* of each ran on seed *i*, so their common luck cancels).", ""]
    for part, title in (("fit", "Fitted outcomes (calibration)"), ("hold_out", "Held-out outcomes (validation)")):
        table = score_table(scores, part)
        if len(table):
            lines += [f"### {title}", "", markdown(table), ""]
    lines += ["## Parameters", "",
              "Bounds, the hand-set and calibrated values, the accepted set's 5-95% range (and the share of the range it "
              "covers), the slice's plausible interval and share, and the verdict: *constrained* (plausible over at "
              f"most {CONSTRAINED:.0%} of its range), *loose* (over {LOOSE:.0%} or more: the outcomes cannot tell its "
              "values apart), *partly*.", "", markdown(parameters), ""]
    counts = parameters["verdict"].value_counts()
    lines += ["Constrained: " + (", ".join(parameters.loc[parameters["verdict"] == "constrained", "parameter"]) or "none") + ".",
              "Loose: " + (", ".join(parameters.loc[parameters["verdict"] == "loose", "parameter"]) or "none") + ".",
              f"({counts.get('constrained', 0)} constrained, {counts.get('partly', 0)} partly, {counts.get('loose', 0)} loose"
              + (f", {counts[NOT_SLICED]} {NOT_SLICED}: no slice was run" if NOT_SLICED in counts else "") + ".)", ""]
    lines += ["## Figures", ""] + [f"![{f}]({f})" for f in figures] + [""]
    return "\n".join(lines)
