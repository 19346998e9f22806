"""The page's figures, drawn by the project's own figure code, as PNG bytes.

The maps are those of ``python -m sim run`` and ``python -m sim map``
(:func:`sim.viz.figures.control_map_figure`, :func:`sim.viz.maps.map_figure`,
:func:`sim.viz.maps.compare_figure`) and the ensemble's towns held are
``python -m sim plot``'s (:func:`sim.viz.plots.towns_held_figure`): one
drawing path for the command line, the README and the app. Only the live
run's time series is drawn here: a light figure of the reporters so far,
redrawn at every step.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

from ..analysis.results import RunData
from ..io.schema import Scenario
from ..io.theatre import Theatre
from ..names import HOLDERS
from ..viz.figures import control_map_figure, run_title
from ..viz.map_state import run_state
from ..viz.style import FACTION_COLOURS, FACTION_NAMES, new_figure

DPI = 80  # the page shows figures at about this size; downloads are drawn at the figures' own 100 dpi


def png(fig: Figure, dpi: float | None = DPI) -> bytes:
    """The figure as PNG bytes (``dpi`` None: the figure's own)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi if dpi is not None else "figure", metadata={"Software": None},
                pil_kwargs={"compress_level": 1})  # a fast encoding: these go to a local browser
    return buf.getvalue()


def run_map_figure(theatre: Theatre, scenario: Scenario, events: list[dict], run: RunData) -> Figure:
    """The control map of a run on its last recorded day: the map ``python -m sim run`` writes."""
    date = run.date(len(run.history) - 1)
    return control_map_figure(theatre, run_state(theatre, events, run, date), run_title(scenario.name, run.seed, date))


def live_map(theatre: Theatre, scenario: Scenario, events: list[dict], run: RunData) -> tuple[str, Callable[[], Figure]]:
    """The live view's map: a key saying what it shows, and a function drawing it.

    The key is the map's state (controllers, posts, police, corridor, patrols), not
    its date: a day on which nothing the map shows changed keeps the last picture
    (the date is in the page's header), and a day that changes it redraws it.
    """
    state = run_state(theatre, events, run, run.date(len(run.history) - 1))
    key = "|".join([state.controller.tobytes().hex(), state.posts.tobytes().hex(), state.encircled.tobytes().hex(),
                    state.military_police.tobytes().hex(), repr(state.corridor), repr([(p.road, p.reached, p.coverage) for p in state.patrols])])
    return key, lambda: control_map_figure(theatre, state, f"{scenario.name}: control (seed {run.seed})")


STRIP_COLOURS = {"announced": "#F3E8A3", "in force": "#E6C700"}  # the ceasefire strip: a deal's days before and in force


def breaks(states: np.ndarray) -> list[int]:
    """The days a deal broke: where the ``ceasefire`` series turns to "broken".

    A truce can break on the day it was to take effect, so it is never
    recorded "in force"; the strip marks the break all the same.
    """
    broken = states == "broken"
    return [int(d) for d in np.flatnonzero(broken & ~np.concatenate([[False], broken[:-1]]))]


def live_series_figure(theatre: Theatre, scenario: Scenario, run: RunData) -> Figure:
    """Towns held by each faction (with the record's control counts), the ceasefire, the displaced and Turkish deaths
    so far, over the scenario's whole window."""
    fig = new_figure(figsize=(6.4, 6.0), dpi=100, layout="constrained")
    top, mid, low = fig.subplots(3, 1, sharex=True, height_ratios=(3, 0.5, 1.6))
    ts = run.timeseries
    x = np.array(ts["date"], dtype="datetime64[D]")
    for holder in HOLDERS:
        top.step(x, ts[f"towns_{holder}"], where="mid", color=FACTION_COLOURS[holder], lw=2, label=FACTION_NAMES[holder])
    for d, control in sorted(theatre.control.items()):
        if scenario.start <= d <= scenario.end + dt.timedelta(days=1):
            for code, holder in enumerate(HOLDERS):
                top.plot(np.datetime64(d), int((control == code).sum()), marker="D", ms=6, color=FACTION_COLOURS[holder],
                         mec="black", mew=0.8, ls="", zorder=5)
    top.plot([], [], marker="D", ls="", color="white", mec="black", label="Reported")
    top.set_ylabel("towns held")
    top.set_ylim(0, 1.15 * max(max(int((c == k).sum()) for c in theatre.control.values() for k in range(len(HOLDERS))),
                                *(ts[f"towns_{h}"].max() for h in HOLDERS)))
    top.legend(fontsize=7, loc="upper left", ncols=2, frameon=False)
    top.grid(axis="y", color="#E0E0E0", lw=0.6)
    top.set_title(f"{scenario.name}, seed {run.seed}: day {len(x) - 1}", fontsize=10)
    states = ts["ceasefire"].to_numpy(dtype=str) if "ceasefire" in ts else np.full(len(x), "none")
    for state, colour in STRIP_COLOURS.items():
        if (states == state).any():
            mid.fill_between(x, 0, states == state, step="mid", color=colour, lw=0, label=state)
    for i, day in enumerate(breaks(states)):
        mid.axvline(x[day], ymax=1 / 1.8, color="#C00000", lw=1.5, label=None if i else "broken")
    mid.set_ylim(0, 1.8)  # the band below, its key above
    if mid.has_data():
        mid.legend(fontsize=6, loc="upper left", ncols=3, frameon=False, borderaxespad=0.1)
    mid.set_yticks([])
    mid.set_ylabel("ceasefire", fontsize=7, rotation=0, ha="right", va="center")
    low.plot(x, ts["displaced"] / 1000, color="#202020", lw=1.6, label="Displaced (thousands)")
    low.set_ylabel("displaced\n(thousands)", fontsize=8)
    low.set_ylim(0, max(1.0, 1.1 * float(ts["displaced"].max()) / 1000))
    twin = low.twinx()
    twin.plot(x, ts["turkish_deaths"], color=FACTION_COLOURS["turkey"], lw=1.6)
    twin.set_ylim(0, max(1.0, 1.1 * float(ts["turkish_deaths"].max())))
    twin.set_ylabel("Turkish deaths", fontsize=8, color=FACTION_COLOURS["turkey"])
    low.set_xlim(np.datetime64(scenario.start - dt.timedelta(days=1)), np.datetime64(scenario.end + dt.timedelta(days=2)))
    for ax in (top, low, twin):
        ax.tick_params(labelsize=7)
    return fig
