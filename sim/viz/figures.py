"""Map figures: one run's control map, maps side by side, an ensemble's probability and front-line spread.

Each figure is laid out once (:func:`freeze_layout`) before its labels are
placed, so labels are measured where they will be drawn.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from ..analysis.results import RunData
from ..io.theatre import Theatre
from ..names import date_words
from .corridor_key import one_corridor
from .drawing import draw_control, draw_front_spread, draw_probability, scale_bar
from .geometry import Layout, layout
from .labels import day_towns, finish_labels, main_towns
from .map_state import EnsembleState, MapPatrol, MapState, run_state
from .style import REPORTED_COLOUR, fit_text, new_figure, save_figure, who_holds

if TYPE_CHECKING:
    from ..experiments.run import RunResult


def map_panels(panels: int, *, width: float | None = None, height: float = 7.6) -> tuple[Figure, list[Axes]]:
    """A figure with ``panels`` map axes in a row."""
    width = width or (10.8 if panels == 1 else 6.4 * panels)
    fig = new_figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)
    return fig, list(axes[0])


def add_legend(fig: Figure, handles: list, *, where: str = "right", fontsize: float = 8,
               corner: tuple[float, float] | None = None) -> None:
    """One legend for the figure (each label once), at its right or below it, or with its upper left ``corner`` there
    (in figure coordinates: an animation frame's legend where the layout left room for it)."""
    seen, unique = set(), []
    for h in handles:
        if h.get_label() not in seen:
            seen.add(h.get_label())
            unique.append(h)
    side_by_side = {tuple: HandlerTuple(ndivide=None, pad=0.0)}  # a tuple of patches (Swatches): one swatch of each
    if corner is not None:
        fig.legend(handles=unique, loc="upper left", bbox_to_anchor=corner, bbox_transform=fig.transFigure, borderaxespad=0,
                   fontsize=fontsize, frameon=False, handler_map=side_by_side)
    elif where == "right":
        fig.legend(handles=unique, loc="outside right upper", fontsize=fontsize, frameon=False, handler_map=side_by_side)
    else:
        # Four columns fit the usual entries; a map with many long ones (a corridor, the patrol route and a tie at once)
        # came out wider than the figure and was cut at both edges, so it takes fewer columns, each one more row.
        renderer = fig.canvas.get_renderer()
        for ncols in range(min(4, len(unique)), 0, -1):
            legend = fig.legend(handles=unique, loc="outside lower center", ncols=ncols, fontsize=fontsize,
                                frameon=False, handler_map=side_by_side)
            if ncols == 1 or legend.get_window_extent(renderer).width <= fig.bbox.width:
                break
            legend.remove()


def freeze_layout(fig: Figure, pad: float = 4.0) -> None:
    """Lay the figure out once, then keep it: labels are placed on the final positions.

    A map's axes keep a fixed aspect, which the layout engine does not always
    leave room for: tick labels could stick out of the figure (and be cut
    off). The axes are then narrowed, or lowered, until everything is inside
    by ``pad`` pixels.
    """
    fig.draw_without_rendering()  # the layout engine runs and text is measured; nothing is rasterised
    if fit_titles(fig):
        fig.draw_without_rendering()  # laid out again for the titles' new lines
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    axes = [ax for ax in fig.axes if ax.get_visible()]
    boxes = [ax.get_tightbbox(renderer) for ax in axes]
    left = max(0.0, pad - min(b.x0 for b in boxes)) / width
    bottom = max(0.0, pad - min(b.y0 for b in boxes)) / height
    top = max(0.0, max(b.y1 for b in boxes) - (height - pad)) / height
    if left or bottom or top:
        for ax in axes:
            x0, y0, w, h = ax.get_position(original=True).bounds
            ax.set_position([left + x0 * (1 - left), bottom + y0 * (1 - bottom - top), w * (1 - left), h * (1 - bottom - top)])
        fig.draw_without_rendering()


def fit_titles(fig: Figure, margin: float = 8.0) -> bool:
    """Break each map's title to its map's width, and the figure's to the figure's less ``margin`` pixels a side
    (:func:`~sim.viz.style.fit_text`), on a figure drawn once; whether any took more lines.

    A title named its scenario on one line: with the 80-character name the app may save a what-if under, the run map's
    ran off the figure and over its legend, and two maps' titles side by side ran into each other.
    """
    titles = [(ax.title, ax.get_window_extent().width) for ax in fig.axes if ax.get_visible() and ax.get_title()]
    if fig.get_suptitle():
        titles.append((fig._suptitle, fig.bbox.width - 2 * margin))  # noqa: SLF001 - matplotlib's only handle on it
    before = [title.get_text() for title, _ in titles]
    return [fit_text(title, room).get_text() for title, room in titles] != before


def control_map_figure(theatre: Theatre, state: MapState, title: str, *, changed: np.ndarray | None = None) -> Figure:
    """One run's control on one date, with legend and labels: the figure ``run`` and ``map`` write.

    ``changed``: towns that changed hands by the date, labelled where there is room.
    """
    lay = layout(theatre)
    fig, (ax,) = map_panels(1)
    handles = draw_control(ax, lay, state, title=title)
    add_legend(fig, handles)
    freeze_layout(fig)
    finish_labels(ax, lay, main_towns(theatre), notable=day_towns(theatre, state, changed), patrols=state.patrols)
    scale_bar(ax, lay)
    return fig


def side_by_side_figure(theatre: Theatre, panels: list[tuple[MapState, str]], title: str, *, compare_to: int | None = None,
                        changed: np.ndarray | None = None) -> Figure:
    """Several control maps in a row (simulated vs reported, baseline vs what-if).

    Args:
        panels: (state, panel title) for each map.
        compare_to: index of the panel the others are compared with: towns whose
            controller differs from it are ringed.
    """
    lay = layout(theatre)
    fig, axes = map_panels(len(panels), height=7.0)
    handles: list = []
    notable = day_towns(theatre, panels[0][0], changed)
    for k, (ax, (state, sub)) in enumerate(zip(axes, panels, strict=True)):
        handles += draw_control(ax, lay, state, title=sub)
        if compare_to is not None and k != compare_to:
            differ = state.controller != panels[compare_to][0].controller
            notable = notable | differ
            t = lay.theatre
            ax.scatter(t.lon[differ], t.lat[differ], s=150, facecolors="none", edgecolors=REPORTED_COLOUR, linewidths=1.8, zorder=8, gid="differs")
            n = int(differ.sum())
            ax.set_title(f"{sub}\n{theatre.n - n} of {theatre.n} towns alike", fontsize=10)
            handles.append(Line2D([], [], marker="o", ls="", ms=11, mfc="none", mec=REPORTED_COLOUR, mew=1.8,
                                  label=f"Controller differs from '{panels[compare_to][1].splitlines()[0]}'"))
    return finish_panels(fig, axes, lay, theatre, handles, title, notable=notable,
                         patrols=[p for state, _ in panels for p in state.patrols])


def finish_panels(fig: Figure, axes: list[Axes], lay: Layout, theatre: Theatre, handles: list, title: str, *,
                  notable: np.ndarray | None = None, patrols: Sequence[MapPatrol] = ()) -> Figure:
    """Title, a shared legend below, then labels (the main towns and the ``patrols``' towns, and
    ``notable`` ones where there is room) and scale bars once the layout is fixed."""
    fig.suptitle(title, fontsize=12)
    add_legend(fig, one_corridor(handles), where="below")
    freeze_layout(fig)
    main = main_towns(theatre)
    for ax in axes:
        finish_labels(ax, lay, main, fontsize=7.5, notable=notable, patrols=patrols)
        scale_bar(ax, lay)
    return fig


def ensemble_figure(theatre: Theatre, es: EnsembleState, faction: str, title: str, *,
                    reported: tuple[np.ndarray, dt.date] | None = None, changed: np.ndarray | None = None) -> Figure:
    """An ensemble on one date: P(faction holds) with a colour bar, and the spread of the front line.

    With ``reported`` (a control column and its date), the front-spread panel
    also draws the reported front line.
    """
    lay = layout(theatre)
    n = len(es.controllers)
    fig, axes = map_panels(2, height=7.4, width=13.0)
    who = who_holds(faction)
    coll, handles = draw_probability(axes[0], lay, es, faction, title=f"Probability that {who} each area")
    fig.colorbar(coll, ax=axes[0], orientation="horizontal", fraction=0.035, pad=0.01, shrink=0.7, aspect=35,
                 label=f"share of the {n} runs in which {who} the town" if n > 1 else f"1 where {who} the town in the one run, 0 where not")
    sub = (f"Front line spread over {n} runs" if n > 1 else "Front line of the one run") + (f", and the front reported on {date_words(reported[1], '%b', year=False)}" if reported is not None else "")
    handles += draw_front_spread(axes[1], lay, es, reported=None if reported is None else reported[0], title=sub)
    return finish_panels(fig, axes, lay, theatre, handles, title, notable=day_towns(theatre, es.state, changed),
                         patrols=es.state.patrols)


def draw_control_map(result: RunResult, path: str | Path, *, day: int = -1) -> Path:
    """Draw the control map of a run in memory on ``day`` (default: the last) to a PNG file.

    The same state and figure as ``python -m sim map`` on the run's folder.
    """
    events = json.loads(result.scenario.canonical_json())["events"]
    return save_figure(run_map(result.theatre, events, RunData.of(result), result.scenario.name, day=day), path)


def run_map(theatre: Theatre, scenario_events: list[dict], run: RunData, name: str, *, day: int = -1) -> Figure:
    """One run's control map on ``day`` (default: its last), titled by ``name``, the towns that changed hands since
    the start named where there is room: the map ``run`` writes, and the app's One run tab downloads."""
    date = run.date(day % len(run.history))
    state = run_state(theatre, scenario_events, run, date)
    return control_map_figure(theatre, state, run_title(name, run.seed, date), changed=run.changed_hands(date))


def run_title(name: str, seed: int, date: dt.date) -> str:
    return f"{name}: control on {date_words(date)} (seed {seed})"
