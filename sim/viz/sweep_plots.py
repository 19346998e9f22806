"""Figures of a sweep: response curves and a two-parameter heat map."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import StrMethodFormatter

from ..analysis.metrics import lacking_word, runs_missing_a_capture
from ..names import DISPLAY_NAMES, HOLDERS
from .style import fit_text, fitted_suptitle, fitted_title, new_figure

BINS = 8
COLUMNS = 3  # response panels per row: five parameters make two rows, not a strip

# What a metric counts, in the words of the other figures: "towns regime" read as a faction the figures call the
# Government, and "outcomes met" (0.56) as a count. The metric's own name is kept beside them, for report.md's tables.
WORDS = {
    "ceasefire_days": "days the first ceasefire stays in force",
    "ceasefire_broken": "first ceasefire broken (1 yes, 0 no)",
    "outcomes_met": "share of reported outcomes met",
    "control_accuracy": "control accuracy (share of towns with the reported holder)",
    "capture_mae_days": "capture date error (mean days)",
    "towns_changed_hands": "changes of hands",
    **{f"towns_{h}": f"towns held by {'the ' * (h != 'hts')}{DISPLAY_NAMES[h]} at the end" for h in HOLDERS},
    "turkish_deaths": "Turkish soldiers killed",
    "displaced": "civilians displaced",
    "returned": "civilians gone back home",
    **{f"casualties_{h}": f"{DISPLAY_NAMES[h]}: fighters' casualties" for h in HOLDERS},
    "violations": "violations of the latest ceasefire",
    "patrol_coverage_mean": "joint patrols: mean share of the route covered",
}


# A deal's own metrics (`ceasefire_days:<event id>`), in the words of the whole run's: "ceasefire days:jan-truce" was
# neither those words nor the name --metric takes. And an outcome's day (`day:<outcome id>`), which read "day of:
# maarat-captured" against 50 .. 70, saying neither what the numbers count nor that a run that never saw it is left out.
DEAL_WORDS = {
    "ceasefire_days": "days the {} deal stays in force",
    "ceasefire_broken": "{} deal broken (1 yes, 0 no)",
    "day": "days from the start to {}, runs that saw it",
}


def _phrase(metric: str) -> str | None:
    """The words of a metric that has some (:data:`WORDS`, :data:`DEAL_WORDS`), else None."""
    kind, _, deal = metric.partition(":")
    return DEAL_WORDS[kind].format(deal) if deal and kind in DEAL_WORDS else WORDS.get(metric)


def _words(metric: str) -> str:
    """What the metric counts: its words, else its name made readable ("met: saraqib-captured")."""
    return _phrase(metric) or metric.replace("_", " ").replace("met:", "met: ")


def _label(metric: str) -> str:
    """A title's name of the metric: the words, then the metric's own name (the column of points.csv and report.md)."""
    return f"{phrase} ({metric})" if (phrase := _phrase(metric)) else _words(metric)


def _axis_label(metric: str) -> str:
    """An axis's label: the words, the metric's name on a line of its own (an axis is shorter than a title)."""
    return f"{phrase}\n({metric})" if (phrase := _phrase(metric)) else _words(metric)


def lower_bounds(rows: pd.DataFrame, metric: str) -> str:
    """A title's clause saying that the values of ``metric`` are lower bounds, and in how many of the runs, where it is
    ``capture_mae_days`` and some run never saw a capture it counts (:func:`~sim.analysis.metrics.runs_missing_a_capture`,
    which report.md counts too); "" otherwise. compare prints such an MAE "≥ 7.2"; drawn unmarked, it read as exact."""
    return lower_bounds_of(runs_missing_a_capture(rows), len(rows)) if metric == "capture_mae_days" else ""


def lower_bounds_of(never: int, runs: int) -> str:
    """:func:`lower_bounds`'s clause where a capture ``capture_mae_days`` counts never came in ``never`` of the
    ``runs``; "" where ``never`` is 0. The sweep's figures' and discover's peeling.png's."""
    if not never:
        return ""
    return f"; lower bounds: a capture never came in {never} of the {runs} runs, counted as the day after the run ends"


def in_full(axis: Axis, values: np.ndarray) -> None:
    """Large values (a million displaced) written out with thousands separated, not as 0.4 .. 1.2 under a "1e6"."""
    finite = np.asarray(values, dtype=float)[np.isfinite(np.asarray(values, dtype=float))]
    if finite.size and np.abs(finite).max() >= 10_000:
        axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def tick_labels(values: np.ndarray) -> list[str]:
    """Parameter values as tick labels with the fewest decimals that keep them distinct and close (0.2375 -> 0.24).

    Rounding may move a label by at most a tenth of the smallest gap between values.
    """
    values = np.asarray(values, dtype=float)
    gap = np.diff(np.unique(values)).min() if len(np.unique(values)) > 1 else max(abs(values[0]), 1.0)
    for decimals in range(0, 7):
        rounded = np.round(values, decimals)
        if len(np.unique(rounded)) == len(np.unique(values)) and np.abs(rounded - values).max() <= gap / 10:
            return [f"{v:,.{decimals}f}" for v in values]
    return [f"{v:.6g}" for v in values]


def grid_axis_label(name: str, values: np.ndarray) -> str:
    """A heat map axis's label: the parameter, and, where the sweep's values are unevenly spaced, that the cells are not.

    A grid's heat map gives each value a cell of the same width, so every cell keeps room for its number: drawn at
    their true positions, 0.9 and 0.95 among 0 .. 0.95 got slivers too narrow for a number or a tick label, where the
    metric changes most. Equal cells for unequal steps read as a linear scale unless the axis says otherwise (0.8 ..
    0.95 looked as far apart as 0 .. 0.6); the response curves beside the heat map draw the values to scale.
    """
    steps = np.diff(np.unique(np.asarray(values, dtype=float)))
    if len(steps) < 2 or np.allclose(steps, steps[0], rtol=1e-6, atol=0):
        return name
    return f"{name}\n(not to scale: a cell per value)"


def cell_format(values: np.ndarray) -> str:
    """One format for every cell of a heat map: whole numbers as such, otherwise decimals by magnitude."""
    finite = values[np.isfinite(values)]
    if not finite.size or np.allclose(finite, np.round(finite)):
        return "{:,.0f}"
    top = np.abs(finite).max()
    return "{:,.0f}" if top >= 100 else "{:.1f}" if top >= 1 else "{:.2f}"


def response_plot(rows: pd.DataFrame, points: pd.DataFrame, names: list[str], metric: str) -> Figure:
    """One panel per parameter: the metric's mean and 5-95% band over every run at each value.

    On a grid, the other parameters are averaged over; for a sampled design
    the points are binned along the parameter and each point's mean is shown.
    """
    cols = min(COLUMNS, len(names))
    rows_ = -(-len(names) // cols)
    fig = new_figure(figsize=(3.8 * cols + 0.6, 3.0 * rows_ + 0.7))
    grid = fig.subplots(rows_, cols, sharey=True, squeeze=False)
    axes = grid.ravel()
    for ax in axes[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes, names, strict=False):
        values = rows[name].to_numpy(dtype=float)
        distinct = np.unique(values)
        if len(distinct) <= 12:
            centres = distinct
            groups = [rows.loc[values == v, metric].to_numpy(dtype=float) for v in distinct]
        else:
            edges = np.quantile(values, np.linspace(0, 1, BINS + 1))
            which = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, BINS - 1)
            kept = [k for k in range(BINS) if (which == k).any()]  # a value many points share leaves bins empty
            centres = np.array([values[which == k].mean() for k in kept])
            groups = [rows.loc[which == k, metric].to_numpy(dtype=float) for k in kept]
            ax.scatter(points[name], points[metric], s=6, color="#999999", alpha=0.5, lw=0, label="point means")
        mean = np.array([np.nanmean(g) if np.isfinite(g).any() else np.nan for g in groups])
        lo = np.array([np.nanquantile(g, 0.05) if np.isfinite(g).any() else np.nan for g in groups])
        hi = np.array([np.nanquantile(g, 0.95) if np.isfinite(g).any() else np.nan for g in groups])
        ax.fill_between(centres, lo, hi, color="#0072B2", alpha=0.18, lw=0, label="5-95% of runs")
        ax.plot(centres, mean, color="#0072B2", marker="o", ms=4, lw=1.8, label="mean")
        ax.set_xlabel(name)
        ax.grid(alpha=0.3)
    bounds = lower_bounds(rows, metric)
    label = _axis_label(metric).replace("\n", ", lower bounds\n", 1) if bounds else _axis_label(metric)
    for row in grid:
        fit_text(row[0].set_ylabel(label), 2.4 * fig.dpi)  # a panel's height less its ticks and title
    in_full(axes[0].yaxis, rows[metric].to_numpy(dtype=float))  # the panels share it
    # Above the first panel, in a row: "best" inside it, which a sampled design's points and band leave nowhere, put
    # it over the mean's line.
    axes[0].legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=3, borderaxespad=0,
                   handlelength=1.5, columnspacing=1.0)
    fitted_suptitle(fig, f"{_label(metric)} against each parameter{bounds}", fontsize=11)
    fig.tight_layout()
    return fig


EMPTY_HATCH = "#b0b0b0"  # the hatching of a heat map's cell that no run fell in: grey, below every number's contrast


def blanks(ax: Axes, runs: np.ndarray, means: np.ndarray, metric: str) -> None:
    """Tell a heat map's two kinds of blank cell apart, and say which is which under the map: a cell no run fell in
    (``runs`` NaN or 0: no point of the sweep there, or none run yet) is hatched; one whose runs all lack a value
    (``means`` NaN: a truce never in force) is marked with compare's word for it, "never" or "none"
    (:func:`~sim.analysis.metrics.lacking_word`). Both were left alike blank, two answers drawn as one."""
    empty = ~(np.nan_to_num(runs) > 0)
    lacking = ~empty & ~np.isfinite(means)
    word = lacking_word(metric)
    for i, j in zip(*np.nonzero(empty), strict=True):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor=EMPTY_HATCH, lw=0))
    for i, j in zip(*np.nonzero(lacking), strict=True):
        ax.text(j, i, word, ha="center", va="center", fontsize=8, style="italic", color="#404040")
    said = [*(["hatched: no run in this cell"] if empty.any() else []),
            *([f'"{word}": runs in this cell, none with a value'] if lacking.any() else [])]
    if said:  # under the parameter's name, where a reader looks for what the cells are
        note = ax.annotate("; ".join(said), xy=(0, 0), xycoords=("axes fraction", ax.xaxis.label), xytext=(0, -4),
                           textcoords="offset points", ha="left", va="top", fontsize=8, color="#404040",
                           annotation_clip=False)
        fit_text(note, ax.figure.get_figwidth() * ax.figure.dpi * 0.8)


def heat_map(rows: pd.DataFrame, a: str, b: str, metric: str, *, grid: bool) -> Figure:
    """The metric's mean over runs for each combination of two parameters (binned if sampled)."""
    x, y = rows[a].to_numpy(dtype=float), rows[b].to_numpy(dtype=float)
    if grid:
        xs, ys = np.unique(x), np.unique(y)
        cells = rows.groupby([b, a])[metric]
        table, runs = (cells.agg(how).unstack(a).reindex(index=ys, columns=xs).to_numpy() for how in ("mean", "size"))
        xl, yl = tick_labels(xs), tick_labels(ys)
        xn, yn = grid_axis_label(a, xs), grid_axis_label(b, ys)
    else:
        ex, ey = np.linspace(x.min(), x.max(), BINS + 1), np.linspace(y.min(), y.max(), BINS + 1)
        ix = np.clip(np.searchsorted(ex, x, side="right") - 1, 0, BINS - 1)
        iy = np.clip(np.searchsorted(ey, y, side="right") - 1, 0, BINS - 1)
        cells = pd.DataFrame({"ix": ix, "iy": iy, "v": rows[metric].to_numpy(dtype=float)}).groupby(["iy", "ix"])["v"]
        table, runs = (cells.agg(how).unstack("ix").reindex(index=range(BINS), columns=range(BINS)).to_numpy()
                       for how in ("mean", "size"))
        xl = tick_labels((ex[:-1] + ex[1:]) / 2)
        yl = tick_labels((ey[:-1] + ey[1:]) / 2)
        xn, yn = a, b  # equal bins: the cells are to scale
    fig = new_figure(figsize=(1.0 + 0.75 * len(xl) + 1.6, 1.0 + 0.55 * len(yl) + 1.0))
    ax = fig.subplots()
    im = ax.imshow(table, origin="lower", cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(xl)), xl)
    ax.set_yticks(range(len(yl)), yl)
    ax.set_xlabel(xn)
    tall = 0.55 * len(yl) + 0.5  # the cells' height: the labels beside them are broken to it
    fit_text(ax.set_ylabel(yn), tall * fig.dpi)
    finite = table[np.isfinite(table)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0
    fmt = cell_format(table)
    for (i, j), v in np.ndenumerate(table):
        if np.isfinite(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8, color="white" if v < mid else "black")
    blanks(ax, runs, table, metric)
    bounds = lower_bounds(rows, metric)
    bar = fig.colorbar(im, ax=ax, label=f"{_words(metric)}\n(mean over runs{', lower bounds' if bounds else ''})")
    fit_text(bar.ax.yaxis.label, tall * fig.dpi)
    if finite.size and finite.min() == finite.max():  # matplotlib widens one value to +-0.1: "-0.1 days" ticked
        bar.set_ticks([finite.min()])
    in_full(bar.ax.yaxis, table)
    fig.tight_layout()  # where the axes stand, which the title is centred on and broken to (and then given room above)
    fitted_title(ax, f"{_label(metric)}" + ("" if grid else f" (binned: the middle of each of {BINS} equal bins)") + bounds,
                 fontsize=11)
    fig.tight_layout()
    return fig
