"""``python -m sim discover``: PRIM's boxes as ``discover.md`` and ``boxes.csv``, and the peeling trajectories as a figure.

The boxes come from :mod:`sim.analysis.discovery`; this draws and writes
them into ``<sweep>/discover/`` (or the folder given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from ..analysis.discovery import Discovery, discover
from ..analysis.report import markdown_table
from ..analysis.sensitivity import MISSING_A_CAPTURE
from ..io.files import table_text, write_atomic
from ..io.outputs import claim_file, claim_output_folder, refuse_unmarked, writing_into
from ..io.signatures import signed_markdown
from ..names import replicates
from .style import fitted_suptitle, new_figure, save_figure
from .sweep_plots import lower_bounds_of
from .sweep_report import capture_mae_bounds, counted, no_value_in


@dataclass
class DiscoveryReport:
    """What :func:`discovery_report` found and wrote.

    Attributes:
        discovery: the boxes and the data PRIM looked at, as :func:`sim.discover` returns them.
        files: the files written: ``peeling.png`` (unless no box was found), ``boxes.csv`` and ``discover.md``.
        text: ``discover.md``'s text, which the command prints.
    """

    discovery: Discovery
    files: list[Path]
    text: str


def discovery_report(folder: str | Path, where: str, *, out: str | Path | None = None, **settings: float) -> DiscoveryReport:
    """Run :func:`sim.analysis.discovery.discover` and write ``discover.md``, ``boxes.csv`` and ``peeling.png``.

    What ``python -m sim discover FOLDER --where WHERE`` does (``sim.discover`` alone writes nothing)::

        report = sim.discovery_report("results/sweep-campaign-<hash>", "ceasefire_days >= 30")
        print(report.text)          # discover.md
        report.discovery.boxes      # the boxes, as sim.discover returns them

    Args:
        folder: the sweep folder.
        where: the condition, ``METRIC OP NUMBER``.
        out: a folder to write into (default: ``folder/discover``): new, or one the simulator made for
            figures and reports (its files there are replaced, nothing else is).
        **settings: ``threshold``, ``max_boxes``, ``peel_alpha``, ``paste_alpha``, ``mass_min``.
    """
    found = discover(folder, where, **settings)
    figure = peeling_figure(found) if found.trajectories else None
    table = found.table()
    if out is None:  # inside the sweep folder, under its lock: names of its own
        target, owner = found.folder / "discover", found.folder
    else:  # a folder of figures and reports, new or the simulator's own
        target = owner = claim_output_folder(Path(out))
    with writing_into(owner):
        target.mkdir(exist_ok=True)
        names = [target / n for n in ("peeling.png", "boxes.csv", "discover.md")]
        if out is not None:
            names = [claim_file(n) for n in names]
        else:  # the sweep's own discover/: its names, but a file there without the mark is the user's
            refuse_unmarked(names, f"move it out of {target}, or give --out")
        files = [save_figure(figure, names[0], palette=False, dpi=110, bbox_inches="tight")] if figure is not None else []
        if figure is None and names[0].is_file():
            names[0].unlink()  # an earlier discovery's figure, of boxes this one did not find
        write_atomic(names[1], table_text(table))
        text = markdown(found, files, target)
        write_atomic(names[2], signed_markdown(text))  # its mark vouches for boxes.csv too
    return DiscoveryReport(found, [*files, names[1], names[2]], text)


def peeling_figure(found: Discovery) -> Figure:
    """Coverage against density along each box's peeling trajectory, coloured by restricted dimensions; the chosen box ringed."""
    n = len(found.trajectories)
    fig = new_figure(figsize=(4.4 * n + 0.8, 4.0), layout="constrained")  # room above for a title of two or three lines
    axes = fig.subplots(1, n, squeeze=False)[0]
    most = max(int(t["res_dim"].max()) for t in found.trajectories)
    for k, (ax, t) in enumerate(zip(axes, found.trajectories, strict=True), start=1):
        ax.plot(t["coverage"], t["density"], color="#BBBBBB", lw=1, zorder=1)
        dots = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", vmin=0, vmax=max(most, 1), s=22, zorder=2)
        chosen = t[t["selected"]]
        ax.scatter(chosen["coverage"], chosen["density"], s=150, facecolors="none", edgecolors="#D55E00", lw=1.8, zorder=3,
                   label=f"box {k}: coverage {chosen['coverage'].iloc[0]:.2f}, density {chosen['density'].iloc[0]:.2f}")
        ax.axhline(found.threshold, color="#999999", ls=":", lw=1, label=f"density threshold {found.threshold:g}")
        ax.set(xlim=(0, 1.03), ylim=(0, 1.03), xlabel="coverage", ylabel="density" if k == 1 else None,
               title=f"Box {k}: peeling trajectory")
        ax.legend(loc="lower left", fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
    fig.colorbar(dots, ax=list(axes), label="restricted parameters", ticks=range(0, max(most, 1) + 1), shrink=0.85)
    counts = found.points["replicates"]
    each = (f"mean of {replicates(int(counts.max()))} per point" if counts.min() == counts.max()
            else f"mean of each point's replicates, {counts.min()} to {counts.max()}")  # an unfinished sweep's
    if f"{found.metric}_runs" in found.points:  # some runs lack it (a day:<id>): a point's mean is of those that have it
        each += ", of those with a value"
    # Broken between words where wider than the figure: a capture MAE's lower bounds make it long for one box's width.
    fitted_suptitle(fig, f"PRIM: where {found.condition} ({each}{lower_bounds_of(*_missing_a_capture(found))})", fontsize=10)
    return fig


def markdown(found: Discovery, files: list[Path], out: Path) -> str:
    interest = int(found.points["of_interest"].sum())
    lines = [f"# Scenario discovery: {found.condition}", "",
             f"Sweep `{found.folder}`: {counted(found.points, found.runs_per_point, found.design_points)}; a point is of "
             f"interest when the mean of `{found.metric}` over its replicates meets `{found.condition}`: "
             f"**{interest} of {len(found.points)}** points.", "",
             *([lacking, ""] if (lacking := _lacking(found)) else []),
             *([bounds, ""] if (bounds := _lower_bounds(found)) else []),
             # To the digits its limits are given in below: a sampled sweep's read "0.0296357–0.899125".
             "Parameters and the ranges the sweep covered: "
             + ", ".join(f"`{n}` {lo:.{(k := _decimals(lo, hi))}f}–{hi:.{k}f}" for n, (lo, hi) in found.bounds.items()) + ".", ""]
    if not found.boxes:
        lines += ["No point meets the condition: there is no box to find." if not interest
                  else "PRIM found no box.", ""]
        return "\n".join(lines) + "\n"
    lines += [f"PRIM (EMA Workbench) boxes; on each peeling trajectory the box shown is the one with the highest coverage "
              f"among those with density ≥ {found.threshold:g} (else the densest). *Coverage*: share of the points of "
              "interest inside the box; *density*: share of the points inside the box that are of interest; *mass*: share "
              "of all points inside it. *qp*: Bryant and Lempert's quasi-p value of each limit (a one-sided binomial "
              "test; small means the limit matters).", ""]
    for k, box in enumerate(found.boxes, start=1):
        flag = "" if box.meets_threshold else f" (below the density threshold {found.threshold:g})"
        lines += [f"## Box {k}{flag}", "",
                  f"coverage **{box.coverage:.2f}**, density **{box.density:.2f}**, mass {box.mass:.2f} "
                  f"({_inside(box.of_interest, box.points)}; step {box.step} of its trajectory)", ""]
        if box.limits.empty:
            lines += ["It restricts no parameter: the whole space.", ""]
        else:
            # Each limit to three significant digits of the range its parameter covered (1.25 of 0.5-2 read "1.2",
            # boxes.csv's 1.25, as a number of its size is written); the quasi-p values as shares, to thousandths.
            digits = [_decimals(*found.bounds[name]) for name in box.limits["parameter"]]
            lines += [markdown_table(box.limits.rename(columns={"qp_low": "qp low", "qp_high": "qp high"}), digits,
                                     {"qp low": 3, "qp high": 3}), ""]
    lines += ["## Figures", ""] + [f"![{f.stem}]({f.relative_to(out)})" for f in files]
    return "\n".join(lines) + "\n"


def _lacking(found: Discovery) -> str:
    """How many runs lack the metric, and that a point's mean of it is over those that have it ("" where every run
    has it): a point was of interest by the mean of the few runs that saw a change, under "the mean over its
    replicates"."""
    if not (lacking := no_value_in(found.points, [found.metric])):
        return ""
    return (f"{lacking} A point's mean of it is over the runs that have one, so a date's leans early and a point can be "
            f"of interest by the few of its runs that saw the change; `sim.discover`'s `points` count them "
            f"(`{found.metric}_runs`).")


def _missing_a_capture(found: Discovery) -> tuple[int, int]:
    """How many of the runs never saw a capture ``capture_mae_days`` counts (0 for any other metric), and the runs."""
    never = int(found.points[MISSING_A_CAPTURE].sum()) if MISSING_A_CAPTURE in found.points else 0
    return never, int(found.points["replicates"].sum())


def _lower_bounds(found: Discovery) -> str:
    """The sweep report's sentence saying that the means of ``capture_mae_days`` are lower bounds, and the points' means
    the condition tests with them ("" where the metric is another, or every run saw each capture): discover.md gave
    them as exact, where compare prints such an MAE "≥ 7.2"."""
    if not (bounds := capture_mae_bounds(*_missing_a_capture(found))):
        return ""
    return (f"{bounds} A point's mean, which the condition tests, is one where `{MISSING_A_CAPTURE}` (in "
            "`sim.discover`'s `points`) is not 0.")


def _decimals(low: float, high: float) -> int:
    """Decimals that write a value between ``low`` and ``high`` to three significant digits of that range."""
    return max(0, 2 - math.floor(math.log10(high - low))) if high > low else 3


def _inside(of_interest: int, points: int) -> str:
    """How many of a box's points are of interest, in words: '4 of the 5 points inside are', 'the one point inside
    is' ('1 of the 1 points inside are' read wrong)."""
    if points == 1:
        return f"the one point inside is{'' if of_interest else ' not'} of interest"
    return f"{of_interest} of the {points} points inside {'is' if of_interest == 1 else 'are'} of interest"
