"""Labels on a map: town names placed where they overlap nothing, and highway names.

Labels are placed once the figure's layout is final (see
:func:`sim.viz.figures.freeze_layout`): positions are measured on the
rendered figure.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib.axes import Axes

from ..io.theatre import Theatre
from .geometry import Layout
from .map_state import MapPatrol, MapState
from .style import NAMED_ROAD_STYLE, halo, named_roads

LABEL_POPULATION = 30_000  # towns this large are always labelled
# A town name's white outline, in points: wide enough to close the space between two words, where a road or a cell's
# edge crossing a name showed through and read as a hyphen ("Ad-Dana", "Maarat-al-Numan"); the style's 2.6 left it open.
NAME_HALO = 3.6
OPTIONAL_OVERLAP = 20.0  # px² of markers a label the map can do without may cover (a corner), and no other label
# Artists a label must not cover, by gid.
MARKER_GIDS = {"posts", "posts_encircled", "military_police", "patrol_reached", "differs"}
LABEL_OFFSETS = [(5, 4, "left", "bottom"), (5, -4, "left", "top"), (-5, 4, "right", "bottom"), (-5, -4, "right", "top"),
            (7, 0, "left", "center"), (-7, 0, "right", "center"), (0, 7, "center", "bottom"), (0, -7, "center", "top")]


def place_labels(ax: Axes, lay: Layout, towns: np.ndarray, *, fontsize: float = 8.0, extra: list | None = None,
                 optional: np.ndarray | None = None, stops: np.ndarray | None = None) -> None:
    """Label ``towns`` where no label overlaps another, a town marker or the frame; then where there is room the
    patrols' ``stops`` (the legend names them), then ``optional`` towns.

    Greedy, largest towns first: each label tries eight positions around its
    town and takes the first free one (or, for ``towns``, the least crowded;
    an ``optional`` label with no free position is left out, so labels never
    pile up). Positions are measured on the figure as laid out, so call this
    once the layout is final. Each name is measured once; its box at the
    other seven positions is the same box moved, which is what matplotlib
    would measure there.
    """
    t = lay.theatre
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    pix = ax.transData.transform(np.column_stack([t.lon, t.lat]))
    r = 4.0 * fig.dpi / 100
    marks = [np.asarray(c.get_offsets(), float) for c in ax.collections if c.get_gid() in MARKER_GIDS and len(c.get_offsets())]
    marks += [np.column_stack(line.get_data()) for line in ax.lines if line.get_gid() in MARKER_GIDS]
    points = np.vstack([pix, ax.transData.transform(np.vstack(marks).astype(float))]) if marks else pix
    obstacles = np.hstack([points - r, points + r])
    placed = np.array(extra or [], float).reshape(-1, 4)
    shift = np.array([(dx, dy) for dx, dy, _, _ in LABEL_OFFSETS]) * fig.dpi / 72  # offset points to pixels
    # Where the box's lower-left corner sits, in box widths and heights, for each alignment.
    corner = np.array([({"left": 0.0, "center": -0.5, "right": -1.0}[ha], {"bottom": 0.0, "center": -0.5, "top": -1.0}[va])
                       for _, _, ha, va in LABEL_OFFSETS])

    must = set(np.flatnonzero(towns).tolist())
    order: list[int] = []
    for group in (towns, stops, optional):
        if group is not None:
            order += sorted(set(np.flatnonzero(group).tolist()) - set(order), key=lambda i: (-t.population[i], t.towns[i]))
    for i in order:
        dx, dy, ha, va = LABEL_OFFSETS[0]
        text = ax.annotate(t.towns[i], (t.lon[i], t.lat[i]), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                           fontsize=fontsize, zorder=10, path_effects=halo(NAME_HALO), gid="label")
        bb = text.get_window_extent(renderer)
        size = np.array([bb.width, bb.height])
        low = pix[i] + shift + corner * size
        boxes = np.hstack([low - 1, low + size + 1])  # (positions, 4), a pixel of margin
        cost = overlap(boxes, placed) + overlap(boxes, obstacles)
        cost += 1e9 * ((boxes[:, 0] < frame.x0) | (boxes[:, 2] > frame.x1) | (boxes[:, 1] < frame.y0) | (boxes[:, 3] > frame.y1))
        free = np.flatnonzero(cost == 0)
        k = int(free[0]) if len(free) else int(np.argmin(cost))  # the first free position, else the least crowded
        roomy = placed + [-4, -2, 4, 2]  # and not so close that two names read as one
        if i not in must and (cost[k] > OPTIONAL_OVERLAP or overlap(boxes[k:k + 1], roomy)[0] > 0):
            text.remove()  # no free place for a label the map can do without
            continue
        dx, dy, ha, va = LABEL_OFFSETS[k]
        text.xyann = (dx, dy)
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)
        placed = np.vstack([placed, boxes[k]])


def overlap(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(boxes,) the area each of ``boxes`` ((n, 4): x0, y0, x1, y1) shares with all of ``others`` together."""
    w = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    h = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return (np.clip(w, 0, None) * np.clip(h, 0, None)).sum(axis=1)


def road_labels(ax: Axes, lay: Layout, avoid: np.ndarray) -> list:
    """Name each named road on one of its segments away from the labelled towns; returns their boxes."""
    t = lay.theatre
    boxes = []
    renderer = ax.figure.canvas.get_renderer()
    for road in named_roads(t):
        on = np.flatnonzero(t.edge_road == road)
        mid = np.column_stack([(t.lon[t.edge_u[on]] + t.lon[t.edge_v[on]]) / 2, (t.lat[t.edge_u[on]] + t.lat[t.edge_v[on]]) / 2])
        near = np.column_stack([t.lon, t.lat])[avoid]
        if len(near):
            d = np.hypot((mid[:, None, 0] - near[None, :, 0]) * lay.kx, mid[:, None, 1] - near[None, :, 1]).min(axis=1)
        else:
            d = np.zeros(len(on))
        k = int(np.argmax(d * np.sqrt(t.edge_km[on])))  # far from labels, on a long segment
        text = ax.text(mid[k, 0], mid[k, 1], road, fontsize=7.5, weight="bold", color="white", ha="center", va="center",
                       zorder=9, gid="road_label", bbox=dict(boxstyle="round,pad=0.2", fc=NAMED_ROAD_STYLE["color"], ec="none"))
        bb = text.get_window_extent(renderer)
        boxes.append((bb.x0, bb.y0, bb.x1, bb.y1))
    return boxes


def finish_labels(ax: Axes, lay: Layout, towns: np.ndarray, *, fontsize: float = 8.0, notable: np.ndarray | None = None,
                  patrols: Iterable[MapPatrol] = ()) -> None:
    """Road names, then the main towns' names and the ends of the ``patrols``' routes, then (where there is room)
    where the last patrols stopped and the towns that matter to the day."""
    patrols = list(patrols)
    boxes = road_labels(ax, lay, with_route_ends(towns, patrols))
    place_labels(ax, lay, with_route_ends(towns, patrols), fontsize=fontsize, extra=boxes, optional=notable,
                 stops=patrol_stops(len(towns), patrols))


def place_labels_again(ax: Axes, lay: Layout, towns: np.ndarray, *, fontsize: float = 8.0, notable: np.ndarray | None = None,
                       patrols: Iterable[MapPatrol] = ()) -> None:
    """The towns' names placed again around the day's markers, the road names kept: what :func:`finish_labels` places."""
    for text in [t for t in ax.texts if t.get_gid() == "label"]:
        text.remove()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [tuple(t.get_window_extent(renderer).extents) for t in ax.texts if t.get_gid() == "road_label"]
    patrols = list(patrols)
    place_labels(ax, lay, with_route_ends(towns, patrols), fontsize=fontsize, extra=boxes, optional=notable,
                 stops=patrol_stops(len(towns), patrols))


def day_towns(theatre: Theatre, state: MapState, changed: np.ndarray | None = None) -> np.ndarray:
    """Towns that matter to a map's day: those that changed hands and the towns encircled posts overlook."""
    mask = np.zeros(len(state.controller), bool) if changed is None else np.asarray(changed, bool).copy()
    for post, standing, encircled in zip(theatre.posts, state.posts, state.encircled, strict=True):
        if standing and encircled:
            mask[list(post.towns)] = True
    return mask


def with_route_ends(towns: np.ndarray, patrols: Iterable[MapPatrol]) -> np.ndarray:
    """``towns`` (the names a map must show), and the two ends of each patrol route it draws.

    The route's ends say where it runs from and to: labelled only where there was room, the Moscow route's start,
    Tronba, among the posts around Saraqib, was unnamed on most days. Where the last patrol stopped is named only where
    there is room (:func:`place_labels`' ``stops``, before the day's other towns): a name a map must show is placed even
    over another, and Al-Kufayr's was stacked on Jisr al-Shughur's.
    """
    mask = np.asarray(towns, bool).copy()
    for p in patrols:
        mask[[p.route[0], p.route[-1]]] = True
    return mask


def patrol_stops(n: int, patrols: Iterable[MapPatrol]) -> np.ndarray:
    """(n,) the towns where the ``patrols``' last patrols stopped."""
    mask = np.zeros(n, bool)
    mask[[p.reached for p in patrols if p.reached is not None]] = True
    return mask


def main_towns(t: Theatre) -> np.ndarray:
    """Towns worth a label: the larger ones, junctions of two named roads, and the ends of named roads."""
    named = named_roads(t)
    label = t.population >= LABEL_POPULATION
    if named:
        label |= sum(t.road_towns(r).astype(int) for r in named) >= 2
    for road in named:
        on = t.edge_road == road
        ends, counts = np.unique(np.r_[t.edge_u[on], t.edge_v[on]], return_counts=True)
        label[ends[counts == 1]] = True
    return label
