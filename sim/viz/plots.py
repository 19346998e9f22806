"""Plots over time of a results folder, set against the record where it speaks.

- ``towns_held.png``: towns held by each faction (a single run's lines, or an
  ensemble's median and 90% band), the share of runs with a ceasefire in
  force, the scenario's events as vertical markers, and the theatre's
  reported control counts as points;
- ``capture_dates.png``: for every town that changes hands (or that the
  record says did), the simulated capture dates beside the reported one
  (when they are too many, rows spread over the run, and a line saying so);
- ``losses.png``: displaced civilians, Turkish deaths and people gone home (an
  ensemble's daily median and 5-95%, each a replicate's own count, see
  :func:`sim.analysis.aggregate.replicate_quantiles`) with the reported
  figures as points (their accepted range as a bar);
- ``patrol_coverage.png``: the share of the planned route each joint patrol
  covered (only when there were patrols).

Everything is drawn from what a results folder holds, read by
:func:`sim.analysis.results.load_results`, so a run in memory and one read back plot alike.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..analysis.aggregate import all_captures, date_quantile, replicate_quantiles, timeseries_quantiles
from ..analysis.outcomes import CaptureOutcome, OutcomeBase, QuantityOutcome
from ..analysis.outcomes_file import load_outcomes, load_record_outcomes
from ..analysis.results import Results, load_results
from ..io.outputs import claim_file, claim_output_folder, writing_into
from ..names import HOLDERS, PATROL_EVENTS, date_words
from .capture_rows import capture_rows, ordinal, scored_dates
from .event_key import event_groups, event_markers, fit_key
from .style import (FACTION_COLOURS, FACTION_NAMES, REPORTED_COLOUR, fitted_suptitle, fitted_title, new_figure,
                    save_figure)

LOSSES = {"displaced": "civilians displaced", "turkish_deaths": "Turkish soldiers killed", "returned": "civilians gone back home"}  # "No Turkish"
LOSS_UNITS = {"displaced": "people displaced", "turkish_deaths": "soldiers killed", "returned": "people gone back home"}  # y axes
MAX_CAPTURE_ROWS = 30
BAND = ("q05", "q95")  # the 90% band of an ensemble
# Reported figures drawn side by side (the patrols' reach at several dates): the record's sky blue first, then
# Okabe-Ito colours that no faction drawn there uses, so each bar matches its legend entry.
RECORD_SHADES = (REPORTED_COLOUR, "#E69F00", "#0072B2", "#009E73", "#F0E442")
WHISKER = "#303030"  # the simulated boxes' edges and 5-95% whiskers, grey beside the record's coloured ones


def _dates(values) -> np.ndarray:  # noqa: ANN001
    return pd.to_datetime(pd.Series(values)).to_numpy()


def _quantiles(results: Results) -> pd.DataFrame:
    return timeseries_quantiles(results.runs)


def _series(results: Results, q: pd.DataFrame, variable: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(dates, central line, band low, band high): a single run's values, or an ensemble's median and 90% band."""
    rows = q[q["variable"] == variable]
    x = _dates(rows["date"])
    if len(results.runs) == 1:
        return x, rows["mean"].to_numpy(), None, None
    return x, rows["q50"].to_numpy(), rows[BAND[0]].to_numpy(), rows[BAND[1]].to_numpy()


def towns_held_figure(results: Results, width: float = 10) -> Figure:
    """Towns held by each faction over time, with the ceasefire, the scenario's events and the reported counts; ``width``
    in inches (under 8, as the app draws it for a phone: the same text, its title, legend and event key on more lines)."""
    q = _quantiles(results)
    events = results.manifest["parameters"]["events"]
    columns = 2 if width >= 8 else 1  # of the event key
    rows = -(-len(event_groups(events, results.start, results.end, gap_days=3)) // columns)
    key_height = 0.35 + 0.2 * rows
    fig = new_figure(figsize=(width, min(6.2, 1.1 * width) + key_height), dpi=100, layout="constrained")
    top, ax, key = fig.subplots(3, 1, height_ratios=(1, 4, key_height * 5 / 4.6))
    top.sharex(ax)
    n = len(results.runs)
    for holder in HOLDERS:
        x, mid, lo, hi = _series(results, q, f"towns_{holder}")
        colour = FACTION_COLOURS[holder]
        if lo is not None:
            ax.fill_between(x, lo, hi, color=colour, alpha=0.2, lw=0, step="mid", gid=f"band:{holder}")
        ax.step(x, mid, where="mid", color=colour, lw=2, label=FACTION_NAMES[holder], gid=f"line:{holder}")
    reported = [(d, c) for d, c in sorted(results.theatre.control.items()) if results.start <= d <= results.end + dt.timedelta(days=1)]
    # The days control was reported, not where the theatre file keeps it ("theatre control columns" told a reader nothing).
    days = ", ".join(date_words(d, "%b") for d, _ in reported) if len(reported) <= 3 else f"on {len(reported)} days"
    for k, (d, control) in enumerate(reported):
        for code, holder in enumerate(HOLDERS):
            ax.plot(np.datetime64(d), int((control == code).sum()), marker="D", ms=7, color=FACTION_COLOURS[holder],
                    mec="black", mew=0.8, ls="", zorder=5, gid="reported",
                    label=f"Reported control, {days}" if k == 0 and code == 0 else None)
    ax.set_ylabel("towns held")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#E0E0E0", lw=0.6)
    what = f"median and 90% band of {n} runs" if n > 1 else f"seed {results.runs[0].seed}"
    handles, labels = ax.get_legend_handles_labels()
    if reported:
        handles[-1] = Line2D([], [], marker="D", ls="", color="white", mec="black", label=labels[-1])
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles) if columns == 2 else 1, fontsize=8, frameon=False)

    x, share, lo, hi = _series(results, q, "ceasefire_in_force") if "ceasefire_in_force" in set(q["variable"]) else (None,) * 4
    if x is not None:
        share = q.loc[q["variable"] == "ceasefire_in_force", "mean"].to_numpy()
        top.fill_between(x, 0, share, step="mid", color="#E6C700", alpha=0.6, lw=0, gid="ceasefire")
    top.set_ylim(0, 1)
    top.set_yticks([0, 1])
    top.set_ylabel("ceasefire\nin force" + ("\n(share)" if n > 1 else ""), fontsize=8)
    top.tick_params(labelsize=8)
    top.tick_params(axis="x", labelbottom=False)
    _date_axis(ax, results)
    # The figure laid out with its title in place: the event numbers are spaced on the laid-out axes.
    fitted_title(top, f"{results.name}: towns held by each faction ({what})", fontsize=11, pad=14)
    event_markers(top, ax, key, events, results.start, results.end, columns)
    fit_key(ax, key)
    return fig


def _date_axis(ax: Axes, results: Results) -> None:
    """Concise date ticks over the run's window and a day or two either side (for the reported points), labelled
    with the dates it spans: the year is said there once, not as matplotlib's offset ("2020-Mar" beside "Mar")."""
    locator = mdates.AutoDateLocator(maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, offset_formats=[""] * 6))
    ax.set_xlim(_dates([results.start - dt.timedelta(days=1), results.end + dt.timedelta(days=2)]))
    ax.set_xlabel(f"date ({date_words(results.start, '%b')} – {date_words(results.end, '%b')})", fontsize=9)


def capture_dates_figure(results: Results, outcomes: list[OutcomeBase]) -> Figure:
    """For each town that changes hands, the simulated capture dates beside the reported ones.

    At most ``MAX_CAPTURE_ROWS`` rows, spread over the run (see :mod:`sim.viz.capture_rows`), with a
    line under the title saying how many were left out; a run in which no town changes hands says so.
    """
    caps = all_captures(results.runs)
    n = len(results.runs)
    reported = [o for o in outcomes if isinstance(o, CaptureOutcome) and o.applies(results.start, results.end)]
    scored = scored_dates(results.runs, results.theatre, reported)  # as the scorecard reads them: the figure cannot disagree
    rows, note = capture_rows(results.theatre, caps, n, reported, scored, MAX_CAPTURE_ROWS)

    fig = new_figure(figsize=(10, 1.4 + 0.32 * max(len(rows), 3) + 0.2 * bool(note)), dpi=100, layout="constrained")
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # fixed jitter: the same folder always gives the same picture
    middle = False  # whether any row has enough runs for a median and middle half
    for y, row in enumerate(rows):
        # A run counts once, as at the right and in the median: a dot for every capture drew 26 beside Zarbah's 20/20.
        x = np.sort(_dates(row.dates).astype("datetime64[D]"))
        jitter = rng.uniform(-0.22, 0.22, len(x)) if n > 1 else np.zeros(len(x))
        # Over the reported diamonds (zorder 5): a capture on the reported day was hidden under one.
        ax.scatter(x, y + jitter, s=16 if n > 1 else 22, color=FACTION_COLOURS[row.to], alpha=0.75 if n > 1 else 1.0, lw=0,
                   zorder=6, gid="simulated")
        if n >= 4 and len(x):  # over every run, one that never sees it counting as later than any day, as compare's
            middle = True
            q25, q50, q75 = (date_quantile(x, q, runs=n) for q in (0.25, 0.5, 0.75))
            end = np.datetime64(results.end + dt.timedelta(days=2), "D")  # "never": the line runs off the last day
            if q25 is not None:
                ax.plot([q25, q75 if q75 is not None else end], [y, y], color="#303030", lw=1.2, zorder=2, gid="middle_half")
            if q50 is not None:
                ax.plot([q50], [y], marker="|", ms=12, color="#303030", zorder=7, gid="median")
        ax.annotate(f"{len(x)}/{n}", (1.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8, color="#4A4A4A")
        for o in row.outcomes:
            r = np.datetime64(o.reported)
            # In the record's colour, as everywhere (black, the tolerance looked like the runs' middle half), and under
            # that middle half, so both show where they overlap; the diamond over both.
            # Its early side stops at 'after' where that cuts it (Abu Jarif's second taking counts from 17 January only).
            early = (o.reported - o.cut).days if o.cut is not None else o.tolerance_days
            bar = ax.errorbar(r, y, xerr=[[np.timedelta64(early, "D")], [np.timedelta64(o.tolerance_days, "D")]], fmt="none",
                              ecolor=REPORTED_COLOUR, elinewidth=3, capsize=3, capthick=2, zorder=1)
            bar.lines[2][0].set_gid("tolerance")
            ax.plot([r], [y], marker="D", ms=7, ls="", color=REPORTED_COLOUR, mec="black", zorder=5, gid="reported")
    what = f"{n} runs" if n > 1 else f"seed {results.runs[0].seed}"
    _date_axis(ax, results)
    if not rows:
        # Nothing to draw: say why, on a frame of fixed height (an empty row range makes matplotlib warn).
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        runs = f"any of the {n} runs" if n > 1 else "this run"
        first = results.start + dt.timedelta(days=1)  # the record on the first day is the start, not a result
        why = f"No town changed hands in {runs}" if caps.empty else f"No town changed hands in as many as one run in ten of {n}"
        ax.text(0.5, 0.5, f"{why},\nand the record lists no capture from {date_words(first, '%b', year=False)} to {date_words(results.end, '%b')}.",
                transform=ax.transAxes, ha="center", va="center", fontsize=10, color="#303030", gid="no_captures")
        fitted_suptitle(fig, f"{results.name}: when towns change hands ({what})", fontsize=11)
        return fig
    ax.set_yticks(range(len(rows)), [f"{r.town} → {FACTION_NAMES[r.to]}" + (f" ({ordinal(r.time)} time)" if r.time else "")
                                     for r in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="x", color="#E0E0E0", lw=0.6)
    dots = "a dot a run: the change scored, else its first" if n > 1 else "a dot: the change scored, else its first"
    fitted_suptitle(fig, f"{results.name}: when towns change hands ({what}, {dots}; right: runs in which it happens)", fontsize=11)
    if note:
        ax.set_title(note, fontsize=8.5, color="#4A4A4A", loc="left")
    shown = set(caps.merge(pd.DataFrame([(r.town, r.to) for r in rows], columns=["town", "to"]))["to"])  # colours drawn
    handles = [Line2D([], [], marker="o", ls="", color=FACTION_COLOURS[h], label=f"Simulated: taken by {FACTION_NAMES[h]}")
               for h in HOLDERS if h in shown]
    if middle:
        handles.append(Line2D([], [], marker="|", ms=10, color="#303030", label="Median and middle half of runs"))
    if reported:
        handles.append(Line2D([], [], marker="D", ls="-", lw=2.2, color=REPORTED_COLOUR, mec="black", label="Reported date ± tolerance"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3), fontsize=8, frameon=False)
    return fig


def losses_figure(results: Results, outcomes: list[OutcomeBase]) -> Figure:
    """Displaced, Turkish dead and (where any go home or the record counts them) those gone home, with the record's points.

    Each is counted from the scenario's start, as the model counts them (a run
    begins with nobody displaced and no Turkish dead), and each title says so:
    a run that starts in March says nothing of the winter's million displaced.
    """
    q = _quantiles(results)
    recorded = {o.variable for o in outcomes if isinstance(o, QuantityOutcome) and o.applies(results.start, results.end)}
    home = all("returned" in r.timeseries for r in results.runs) and (  # a folder from before round 71 counts none
        "returned" in recorded or any(r.timeseries["returned"].max() > 0 for r in results.runs))
    panels = {v: words for v, words in LOSSES.items() if home or v != "returned"}  # the Moscow run's 233,081 were drawn nowhere
    fig = new_figure(figsize=(5.5 * len(panels), 4.2), dpi=100, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)
    n = len(results.runs)
    for ax, (variable, counted) in zip(axes[0], panels.items(), strict=True):
        title = counted[:1].upper() + counted[1:]  # the sentence's words, capitalised (.lower() made "No turkish")
        x, mid, lo, hi = _series(results, q, variable)
        if lo is not None:
            ax.fill_between(x, lo, hi, color="#505050", alpha=0.2, lw=0, gid="band")
        # Say what the line is: each day's median and 5-95% are one run's count that day (whole soldiers), not a run.
        what = f"Simulated: each day's median of {n} runs\n(band: 5–95% of runs; each a run's count)" if n > 1 else "Simulated"
        ax.plot(x, mid, color="#202020", lw=1.8, gid="line", label=what)
        label = "Reported (accepted range)"  # one legend entry for all the record's points
        for o in outcomes:
            if isinstance(o, QuantityOutcome) and o.variable == variable and o.applies(results.start, results.end):
                value = o.reported if o.reported is not None else sum(o.range) / 2
                ax.errorbar(np.datetime64(o.date), value, yerr=[[value - o.range[0]], [o.range[1] - value]], fmt="D", ms=7,
                            color=REPORTED_COLOUR, mec="black", ecolor="black", capsize=3, zorder=5, gid="reported",
                            label=label)
                label = None
        ax.set_title(f"{title} since {date_words(results.start, '%b')} (the scenario's start)", fontsize=10)
        if label is not None and not np.nanmax(hi if hi is not None else mid) > 0:
            ax.text(0.5, 0.5, f"No {counted} in {f'any of the {n} runs' if n > 1 else 'this run'}", transform=ax.transAxes,
                    ha="center", va="center", fontsize=10, color="#303030", gid="none")
        # Whole numbers of people, at least 0 and 1: a flat line at 0 had every tick printed "0".
        ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))  # as AutoLocator, whole
        ax.set_ylim(0, max(ax.get_ylim()[1], 1))
        ax.grid(axis="y", color="#E0E0E0", lw=0.6)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.set_ylabel(LOSS_UNITS[variable])
        ax.tick_params(axis="x", labelsize=8)
        _date_axis(ax, results)
        ax.legend(fontsize=8, loc="best" if variable == "returned" else "upper left")  # the record's counts sit high
    *first, last = panels.values()  # named in the panels' order
    fitted_suptitle(fig, f"{results.name}: {', '.join(first)} and {last} ({f'{n} runs' if n > 1 else f'seed {results.runs[0].seed}'})", fontsize=11)
    return fig


def patrol_table(results: Results) -> pd.DataFrame:
    """Every joint patrol of every run: seed, date, town reached, coverage of the planned route.

    Both kinds the journal logs: a patrol stopped on the way (``patrol``) and one that drove the whole route
    (``patrol_completed``); leaving out the second left the most successful patrols off the chart.
    """
    rows = []
    for run in results.runs:
        pat = run.events[run.events["type"].isin(PATROL_EVENTS)]  # stopped on the way, or drove the whole route
        for date, town in pat[["date", "town"]].itertuples(index=False):
            coverage = float(run.timeseries["patrol_coverage"].iloc[run.day(dt.date.fromisoformat(date))])
            rows.append({"seed": run.seed, "date": date, "reached": town, "coverage": coverage})
    return pd.DataFrame(rows, columns=["seed", "date", "reached", "coverage"])


BOX_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)  # a box's whiskers, edges and middle, each a run's value


def patrol_figure(results: Results, outcomes: list[OutcomeBase]) -> Figure | None:
    """Share of the planned route covered by each joint patrol (None if there was none)."""
    table = patrol_table(results)
    if table.empty:
        return None
    reported = [o for o in outcomes if isinstance(o, QuantityOutcome) and o.variable == "patrol_coverage"
                and o.applies(results.start, results.end)]
    # The legend goes under the plot, one entry a line: inside, it covered the summer's boxes.
    fig = new_figure(figsize=(10, 3.8 + 0.18 * (len(reported) + 1)), dpi=100, layout="constrained")
    ax = fig.subplots()
    n = len(results.runs)
    x = _dates(table["date"])
    colour = FACTION_COLOURS["russia"]
    simulated = []
    if n == 1:
        ax.bar(x, table["coverage"], width=np.timedelta64(4, "D"), color=colour, gid="coverage")
        for xi, c, town in zip(x, table["coverage"], table["reached"], strict=True):
            ax.annotate(town, (xi, c), xytext=(0, 2), textcoords="offset points", rotation=90, ha="center", va="bottom", fontsize=7)
    else:

        groups = table.groupby("date")["coverage"]
        at = mdates.date2num(_dates(list(groups.groups)))
        # Each mark a run's value, by the rule of every quantile shown (replicate_quantiles): matplotlib's own whiskers
        # interpolate, and put the 95% end of the 17 May patrol at 67%, between two runs, where compare says 77%.
        stats = [dict(zip(("whislo", "q1", "med", "q3", "whishi"), replicate_quantiles(g.to_numpy(), BOX_QUANTILES), strict=True))
                 for _, g in groups]
        drawn = ax.bxp(stats, positions=at, widths=3.5, showfliers=False,
                       patch_artist=True, manage_ticks=False, boxprops=dict(fc=colour, ec=WHISKER, alpha=0.8),
                       medianprops=dict(color="#202020", lw=1.5), whiskerprops=dict(color=WHISKER), capprops=dict(color=WHISKER))
        for box in drawn["boxes"]:
            box.set_gid("boxes")
        # The key draws a box as the chart does, its grey whisker through it: a bare pink square, brighter than the boxes,
        # set the simulated 5-95% whiskers (grey) apart from what the key showed, beside the record's coloured whiskers.
        simulated = [((Line2D([], [], ls="", marker="|", ms=13, mew=1.0, color=WHISKER), Patch(fc=colour, ec=WHISKER, alpha=0.8),
                       Line2D([], [], ls="", marker="_", ms=12, mew=1.5, color="#202020")),
                      "Simulated: middle half of runs (box), 5–95% (grey whisker), median (line)")]
    # The record's ranges are thin capped whiskers beside the simulated marks of their date, never bars among them:
    # drawn as coloured bars they read as more simulated patrols (the first patrol's 1-99% over the first bar).
    patrol_days = mdates.date2num(x)
    for o, shade in zip(reported, itertools.cycle(RECORD_SHADES), strict=False):
        ax.errorbar(beside(mdates.date2num(np.datetime64(o.date)), patrol_days), sum(o.range) / 2, yerr=(o.range[1] - o.range[0]) / 2,
                    fmt="none", ecolor=shade, elinewidth=2, capsize=5, capthick=2, zorder=4, gid="reported",
                    label=patrol_record_label(o))
    ax.set_ylim(0, 1.3 if n == 1 else 1.05)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("route covered")
    ax.grid(axis="y", color="#E0E0E0", lw=0.6)
    entries = [*simulated, *zip(*ax.get_legend_handles_labels(), strict=True)]
    if entries:
        fig.legend(*zip(*entries, strict=True), loc="outside lower center", ncols=1, fontsize=8, frameon=False,
                   handler_map={tuple: HandlerTuple(ndivide=1)})  # a tuple's marks drawn over one another
    _date_axis(ax, results)
    what = f"{n} runs" if n > 1 else f"seed {results.runs[0].seed}"
    ax.set_title(f"{results.name}: share of the planned route each joint patrol covered ({what})", fontsize=11)
    return fig


def patrol_record_label(o: QuantityOutcome) -> str:
    """The legend entry of a reported patrol: what the record says of the patrol of its date, and the whisker's range
    as what counts as met.

    From the outcome's date, figure and range, not its description ("every patrol covers 15 km or less" stood beside
    one patrol's 0-30%). Where the record gives no figure, the range says what it does say: 1%-99% is "part of the
    route" (the first patrol was cut short, by how much is not reported), and was worded as if the record said it.
    """
    low, high = o.range
    if o.reported is not None:
        said = f"{o.reported:.0%} of the route"
    elif low > 0 and high < 1:
        said = "part of the route"
    elif low > 0:
        said = f"at least {low:.0%} of the route"
    elif high < 1:
        said = f"at most {high:.0%} of the route"
    else:
        said = "an unreported share of the route"
    return (f"Record: the {date_words(o.date, '%b', year=False)} patrol covered {said} "
            f"(whisker beside the bars: {low:.0%}–{high:.0%} counts as met)")


def beside(day: float, marks: np.ndarray, half_width: float = 2.0, gap: float = 1.0) -> float:
    """Where a reported whisker for ``day`` goes: at its date, or if a simulated mark (``half_width`` days either side
    of each of ``marks``) is there, just past that mark's edge, on the side of the date."""
    if not len(marks):
        return day
    near = marks[np.argmin(np.abs(marks - day))]
    if abs(day - near) >= half_width + gap:
        return day
    return near + (half_width + gap) * (1 if day >= near else -1)


def load_reported(results: Results, path: str | Path | None = None) -> list[OutcomeBase]:
    """The reported outcomes for ``results``: ``path``, or outcomes.yaml beside the run's claims record if it exists."""
    columns = list(results.runs[0].timeseries.columns)  # 'date' is refused as not numeric
    if path is None:
        path = results.claims_file.parent / "outcomes.yaml"
        return load_record_outcomes(path, results.theatre, columns, python="outcomes") if path.exists() else []
    return load_outcomes(path, results.theatre, columns)


def make_plots(path: str | Path, *, outcomes: str | Path | None = None, out: str | Path | None = None) -> list[Path]:
    """Write towns_held.png, capture_dates.png, losses.png and (if there were patrols) patrol_coverage.png.

    Args:
        path: a run or ensemble folder.
        outcomes: the reported outcomes (default: outcomes.yaml beside the run's claims record).
        out: folder for the PNGs (default: the results folder); created if it does not exist (its
            parent must). An existing file there is replaced only if the simulator wrote it.

    Returns:
        The files written.
    """

    results = load_results(path)
    reported = load_reported(results, outcomes)
    figures = {"towns_held.png": towns_held_figure(results), "capture_dates.png": capture_dates_figure(results, reported),
               "losses.png": losses_figure(results, reported), "patrol_coverage.png": patrol_figure(results, reported)}
    out = claim_output_folder(Path(out)) if out else results.path
    targets = {name: claim_file(out / name) for name, fig in figures.items() if fig is not None}
    with writing_into(out):
        return [save_figure(figures[name], file) for name, file in targets.items()]
