"""Figures of a calibration: the optimisation history, the accepted set's marginals, the slices through the best point."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullFormatter

from .style import REPORTED_COLOUR, new_figure

BEST, HAND, ACCEPTED, TRIALS = "#D55E00", "#0072B2", "#009E73", "#9A9A9A"


def history_plot(trials: pd.DataFrame, accepted: pd.DataFrame) -> Figure:
    """Each trial's objective in order, the running best, and the accepted trials; held-out objective if recorded."""
    fig = new_figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.subplots()
    t = trials.sort_values("trial")
    ax.scatter(t["trial"], t["objective"], s=9, color=TRIALS, lw=0, label="trial (fitted outcomes)")
    chosen = t[t["trial"].isin(accepted["trial"])]
    ax.scatter(chosen["trial"], chosen["objective"], s=16, color=ACCEPTED, lw=0, label="accepted set")
    ax.step(t["trial"], t["objective"].cummin(), where="post", color=BEST, lw=1.6, label="best so far")
    if "hold_objective" in t and t["hold_objective"].notna().any():
        ax.scatter(t["trial"], t["hold_objective"], s=5, color=REPORTED_COLOUR, lw=0, alpha=0.6,
                   label="same trial, held-out outcomes (not fitted)")
    top = np.nanquantile(np.r_[t["objective"], t.get("hold_objective", pd.Series(dtype=float))], 0.95)
    low = min(t["objective"].min(), np.nanmin(t.get("hold_objective", t["objective"])))
    # A margin of the chart's height below the lowest value: 5% of that value (0.02 under 0.38, on a chart to 3.0)
    # left the best-so-far line and the accepted dots on it on the bottom spine, half hidden. None above the top,
    # which is a cut, and whose count of what lies beyond it the title gives.
    pad = 0.05 * (top - low) or 0.05 * abs(low) or 0.05
    ax.set_ylim(low - pad, top)
    ax.set_xlabel("trial")
    ax.set_ylabel("objective (lower is better)")
    # How many are cut off, counted: the percentile is of fitted and held-out values together, so "5%" was not the
    # share of either (2 of 15 fitted trials in a short study).
    off = [int((t[c] > top).sum()) for c in ("objective", "hold_objective") if c in t and t[c].notna().any()]
    said = " and ".join(f"{n} {what}" for n, what in zip(off, ("fitted", "held-out"), strict=False))
    ax.set_title(f"Optimisation history ({said} objectives off the chart, above the 95th percentile of all)", fontsize=10)
    # Below the axes, not in a corner of them: there it hid the trials under it (the worst, most often).
    fig.legend(fontsize=8, loc="outside lower center", ncols=4, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def _grid(n: int, width: float = 2.6, height: float = 2.0, *, ylabel: str) -> tuple[Figure, list]:
    """``n`` panels, five a row, sharing one y axis: labelled ``ylabel`` and ticked on the left column, gridded in each.

    Every panel of a calibration figure counts the same thing on the same trials (the accepted set's trials, or the
    objective on the same seeds), so one scale lets a reader set one parameter against another: each panel on its own
    scale made a 0.01 wobble of a loose parameter look as steep as a constrained one's rise.
    """
    cols = min(n, 5)
    rows = math.ceil(n / cols)
    fig = new_figure(figsize=(width * cols + 0.4, height * rows + 0.7), layout="constrained")
    grid = fig.subplots(rows, cols, squeeze=False, sharey=True)  # tick labels are kept on the left column only
    for ax in grid[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    axes = grid.ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[:n]:
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    return fig, list(axes[:n])


def _mark(ax, bounds: tuple[float, float, bool], best: float, hand: float | None) -> None:  # noqa: ANN001 - an Axes
    low, high, log = bounds
    ax.axvline(best, color=BEST, lw=1.4)
    if hand is not None and np.isfinite(hand):
        ax.axvline(hand, color=HAND, lw=1.2, ls="--")
    if log:  # three plain ticks: the bounds and their geometric middle
        ax.set_xscale("log")
        ticks = [low, math.sqrt(low * high), high]
        ax.set_xticks(ticks, [f"{t:.2g}" for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
    else:  # at most five ticks: more ran into each other on narrow ranges such as 0-0.2
        ax.xaxis.set_major_locator(MaxNLocator(5))
    # A little room beyond each bound: a value at a bound (a calibrated one often is) drew its line under the spine.
    pad = 0.03 * (math.log(high / low) if log else high - low)
    ax.set_xlim(*((low * math.exp(-pad), high * math.exp(pad)) if log else (low - pad, high + pad)))
    ax.tick_params(labelsize=7)


def marginals_plot(accepted: pd.DataFrame, bounds: dict[str, tuple[float, float, bool]], best: pd.Series,
                   hand: dict[str, float], verdicts: dict[str, str]) -> Figure:
    """A histogram of each parameter over the accepted set, across its whole range, with the best and hand-set values."""
    fig, axes = _grid(len(bounds), ylabel="accepted trials")
    for ax, (name, b) in zip(axes, bounds.items(), strict=True):
        low, high, log = b
        edges = np.geomspace(low, high, 13) if log else np.linspace(low, high, 13)
        ax.hist(accepted[name], bins=edges, color=ACCEPTED, alpha=0.8)
        _mark(ax, b, float(best[name]), hand.get(name))
        ax.set_title(f"{name}\n({verdicts.get(name, '')})", fontsize=8)
    axes[0].yaxis.set_major_locator(MaxNLocator(4, integer=True))  # a count of trials: whole numbers (the axis is shared)
    fig.suptitle(f"Accepted set ({len(accepted)} trials) over each parameter's range: trials in each of 12 bins "
                 "(one scale for all)\norange: calibrated, blue dashed: hand-set", fontsize=9)
    return fig


def slices_plot(slices: pd.DataFrame, bounds: dict[str, tuple[float, float, bool]], best: pd.Series,
                hand: dict[str, float], tolerance: float, verdicts: dict[str, str]) -> Figure:
    """The objective along each parameter's slice through the best point, with the tolerance band."""
    fig, axes = _grid(len(bounds), ylabel="objective")
    for ax, (name, b) in zip(axes, bounds.items(), strict=True):
        mine = slices[slices["parameter"] == name].sort_values("value")
        if mine.empty:
            ax.set_visible(False)
            continue
        floor = mine["objective"].min()
        ax.axhspan(floor, floor + tolerance, color=ACCEPTED, alpha=0.2, lw=0)
        ax.plot(mine["value"], mine["objective"], "o-", color="#3A3A3A", ms=3, lw=1)
        _mark(ax, b, float(best[name]), hand.get(name))
        ax.set_title(f"{name}\n({verdicts.get(name, '')})", fontsize=8)
    fig.suptitle("Objective along each parameter, the others at the best point (same seeds; one scale for all, lower is better)\n"
                 "green band: within tolerance of the slice's best; orange: calibrated, blue dashed: hand-set", fontsize=9)
    return fig
