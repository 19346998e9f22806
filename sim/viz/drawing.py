"""Drawing a map state on a matplotlib Axes: the *drawing* layer of the maps.

Every artist carries a ``gid`` naming what it shows ("territory", "front",
"posts", ...), so tests can find and check it, and an animation can redraw
the parts that change (:data:`DYNAMIC_GIDS`) from day to day.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize, to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.patches import Polygon as MplPolygon
from shapely.geometry import LineString

from ..io.theatre import EARTH_KM_PER_DEG
from ..names import HOLDERS, HolderCode, date_words
from .corridor_key import CorridorEntry
from .geometry import Layout, front_ridges, front_shares
from .map_state import NO_ONE, EnsembleState, MapCorridor, MapPatrol, MapState, modal_holders
from .style import (
    FACTION_COLOURS,
    FACTION_NAMES,
    NAMED_ROAD_STYLE,
    REPORTED_COLOUR,
    ROAD_STYLE,
    SPREAD_COLOUR,
    TIE_COLOUR,
    corridor_patch,
    faction_cmap,
    named_roads,
    tint,
)


def base_axes(ax: Axes, lay: Layout, *, roads: bool = True) -> None:
    """Outline, aspect, roads, border: what every map panel shares."""
    t = lay.theatre
    ax.set_facecolor("#EEF1F4")  # outside the theatre
    x0, x1, y0, y1 = lay.extent
    padx, pady = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    ax.set_xlim(x0 - padx, x1 + padx)
    ax.set_ylim(y0 - pady, y1 + pady)
    ax.set_aspect(1.0 / lay.kx)  # equirectangular at the theatre's mean latitude: km are km both ways
    ax.add_patch(PathPatch(lay.outline_path(), fc="white", ec="#8A8A8A", lw=0.6, zorder=0, gid="theatre"))
    ax.tick_params(labelsize=7, length=2, colors="#6A6A6A")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.1f}°E")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:.1f}°N")
    ax.locator_params(nbins=5)
    for side in ax.spines.values():
        side.set_color("#8A8A8A")

    if len(t.border):
        ax.plot(t.border[:, 1], t.border[:, 0], color="#505050", lw=1.1, ls=(0, (6, 3)), zorder=4, gid="border")
        if lay.beyond is not None:
            ax.text(*lay.beyond, "TURKEY", fontsize=8, color="#505050", ha="center", va="center", zorder=4)
    if roads:
        for road in t.roads:
            on = t.edge_road == road
            segs = [[(t.lon[u], t.lat[u]), (t.lon[v], t.lat[v])] for u, v in zip(t.edge_u[on], t.edge_v[on], strict=True)]
            style = ROAD_STYLE.get(road, NAMED_ROAD_STYLE)
            ax.add_collection(LineCollection(segs, colors=style["color"], linewidths=style["lw"], zorder=style["zorder"],
                                             capstyle="round", gid=f"road:{road}"))


def draw_territory(ax: Axes, lay: Layout, colours: list) -> None:
    polys, faces = [], []
    for town, rings in enumerate(lay.cells):
        for ring in rings:
            polys.append(ring)
            faces.append(colours[town])
    coll = PolyCollection(polys, facecolors=faces, edgecolors=faces, linewidths=0.4, zorder=1, gid="territory")
    coll.town_index = np.repeat(np.arange(len(lay.cells)), [len(c) for c in lay.cells])  # which town each polygon is
    ax.add_collection(coll)


def draw_front(ax: Axes, lay: Layout, mask: np.ndarray, **style) -> None:
    segs = [line for (u, v, lines), on in zip(lay.ridges, mask, strict=True) if on for line in lines]
    ax.add_collection(LineCollection(segs, **{"colors": "#1A1A1A", "linewidths": 1.6, "zorder": 2, "gid": "front", **style}))


def draw_towns(ax: Axes, lay: Layout, controller: np.ndarray | None, *, size: float = 1.0, face=None, edge: float = 0.7) -> None:  # noqa: ANN001
    """Town dots, as large as the town, outlined in white ``edge`` points wide."""
    t = lay.theatre
    s = size * (10 + 7 * np.sqrt(t.population / 1000.0))
    if face is None:
        face = [FACTION_COLOURS[HOLDERS[c]] for c in controller]
    ax.scatter(t.lon, t.lat, s=s, c=face, edgecolors="white", linewidths=edge, zorder=6, gid="towns")


def draw_posts(ax: Axes, lay: Layout, state: MapState) -> tuple[bool, bool]:
    """Turkish posts at their own sites (hollow once encircled), and Russian military police beside their towns."""
    t = lay.theatre
    dx, dy = 0.022, 0.014
    lon = np.array([p.lon for p in t.posts])
    lat = np.array([p.lat for p in t.posts])
    intact, enc = shown_posts(state)
    ax.scatter(lon[intact], lat[intact], marker="^", s=42, color=FACTION_COLOURS["turkey"],
               edgecolors="white", linewidths=0.6, zorder=7, gid="posts")
    ax.scatter(lon[enc], lat[enc], marker="^", s=42, facecolors="white",
               edgecolors=FACTION_COLOURS["turkey"], linewidths=1.3, zorder=7, gid="posts_encircled")
    mp = state.military_police
    ax.scatter(t.lon[mp] - dx, t.lat[mp] + dy, marker="s", s=26, color=FACTION_COLOURS["russia"], edgecolors="white",
               linewidths=0.5, zorder=7, gid="military_police")
    return bool(intact.any()), bool(enc.any())


def shown_posts(state: MapState) -> tuple[np.ndarray, np.ndarray]:
    """The posts a map of ``state`` draws: (intact, encircled), each a mask over the theatre's posts."""
    has = state.posts.astype(bool)
    return has & ~state.encircled, has & state.encircled


def corridor_route(corridor: MapCorridor, patrols: list[MapPatrol]) -> tuple[int, ...] | None:
    """The stretch of the corridor's road the agreement covers: the joint-patrol route along it, if there is one."""
    return next((p.route for p in patrols if p.road == corridor.road and len(p.route) >= 2), None)


def off_government(controller: np.ndarray) -> np.ndarray:
    """The towns the government does not hold (a tie for the most runs counts as not held), where Turkish troops
    police a corridor (docs/model.md, "Patrols and the corridor")."""
    return np.asarray(controller) != HolderCode.REGIME


def corridor_shown(lay: Layout, corridor: MapCorridor, patrols: list[MapPatrol], controller: np.ndarray) -> bool:
    """Whether :func:`draw_corridor` draws a band: along a patrol route, or where the road leaves the government's
    ground."""
    return corridor_route(corridor, patrols) is not None or bool(lay.stretches(corridor.road, off_government(controller)).any())


def draw_corridor(ax: Axes, lay: Layout, corridor: MapCorridor, patrols: list[MapPatrol], controller: np.ndarray) -> None:
    """The security corridor: ``width_km`` each side of its road, along the patrol route when there is one (the
    Moscow protocol names the patrols' ends, Tronba and Ain al-Havr, and not the corridor's; the M4 beyond them is
    the government's, where the model polices nothing). Without one, along the road's stretches with an end the
    government does not hold (``controller``: each town's holder): drawn along the whole road, the Moscow corridor
    without its patrols ran through Saraqib to Latakia."""
    route = corridor_route(corridor, list(patrols))
    if route is None:
        rings = lay.band(corridor.road, corridor.width_km, touching=off_government(controller))
    else:
        t = lay.theatre
        line = LineString([(t.lon[i] * lay.kx, t.lat[i]) for i in route])
        rings = lay.rings(line.buffer(corridor.width_km / EARTH_KM_PER_DEG).intersection(lay.outline))
    for ring in rings:
        ax.add_patch(MplPolygon(ring, closed=True, **corridor_patch(), lw=0.8, zorder=2.5, gid="corridor"))


def corridor_entry(corridor: MapCorridor, patrols: list[MapPatrol], share: float | None = None) -> CorridorEntry:
    """The corridor in the legend: along the patrol route when it follows one, whose ends it does not name (the map
    draws the route, but may have no room to label its ends: Tronba, among the posts around Saraqib); an ensemble's
    with the ``share`` of runs in which it is in force, a run's with its width."""
    along = corridor_route(corridor, patrols) is not None
    return CorridorEntry(corridor.road, along, width_km=None if share is not None else corridor.width_km, share=share)


def patrol_label(p: MapPatrol, names: list[str]) -> str:
    """How far the last patrol got, in words."""
    if p.coverage is not None and p.coverage >= 1:
        return f"Last patrol ({date_words(p.date, '%b', year=False)}) covered the whole route, to {names[p.reached]}"
    cover = f", {p.coverage:.0%} of the route" if p.coverage is not None else ""
    return f"Last patrol ({date_words(p.date, '%b', year=False)}) stopped at {names[p.reached]}{cover}"


def draw_patrols(ax: Axes, lay: Layout, patrols: list[MapPatrol]) -> None:
    t = lay.theatre
    colour = FACTION_COLOURS["russia"]
    for p in patrols:
        route = list(p.route)
        # On a white edge: over the corridor's yellow hatching the dashes alone all but vanished.
        ax.plot(t.lon[route], t.lat[route], color=colour, lw=1.8, ls=(0, (2, 1.5)), zorder=5, gid="patrol_route",
                path_effects=[patheffects.Stroke(linewidth=3.6, foreground="white"), patheffects.Normal()])
        if p.reached is not None:
            ax.plot(t.lon[p.reached], t.lat[p.reached], marker="*", ms=14, color=colour, mec="white", mew=0.8, zorder=8,
                    gid="patrol_reached")


def scale_bar(ax: Axes, lay: Layout) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = (x1 - x0) * lay.kx * EARTH_KM_PER_DEG
    km = max((k for k in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if k <= width_km / 5), default=1)
    deg = km / (EARTH_KM_PER_DEG * lay.kx)
    x, y = x1 - (x1 - x0) * 0.04 - deg, y0 + (y1 - y0) * 0.035
    ax.plot([x, x + deg], [y, y], color="black", lw=3, solid_capstyle="butt", zorder=9, gid="scale_bar")
    ax.text(x + deg / 2, y + (y1 - y0) * 0.012, f"{km:g} km", ha="center", va="bottom", fontsize=8, zorder=9)


def draw_control(ax: Axes, lay: Layout, state: MapState, *, title: str | None = None) -> list:
    """Draw one day's control on ``ax``: territory, front, corridor, roads, patrols, towns, posts.

    Returns:
        Legend handles for what was drawn.
    """
    base_axes(ax, lay)
    intact, enc = draw_control_layers(ax, lay, state)
    if title:
        ax.set_title(title, fontsize=10.5)
    return control_handles(lay, state, intact=intact, encircled=enc)


def control_handles(lay: Layout, state: MapState, *, intact: bool, encircled: bool) -> list:
    """The legend of a control map of ``state``, given whether it shows intact and encircled posts."""
    held = set(int(c) for c in state.controller)
    handles = [Patch(fc=tint(FACTION_COLOURS[h]), ec=FACTION_COLOURS[h], label=FACTION_NAMES[h]) for c, h in enumerate(HOLDERS) if c in held]
    handles.append(Line2D([], [], color="#1A1A1A", lw=1.6, label="Front line (government vs opposition)"))
    handles += common_handles(lay, intact=intact, encircled=encircled, police=bool(state.military_police.any()))
    if state.corridor is not None and corridor_shown(lay, state.corridor, state.patrols, state.controller):
        handles.append(corridor_entry(state.corridor, state.patrols))
    return handles + patrol_handles(lay, state.patrols)


def patrol_handles(lay: Layout, patrols: list[MapPatrol]) -> list:
    """The legend entries of what :func:`draw_patrols` draws: each route, and where its last patrol stopped."""
    handles = []
    for p in patrols:
        handles.append(Line2D([], [], color=FACTION_COLOURS["russia"], lw=1.6, ls=(0, (2, 1.5)), label=f"Joint patrol route ({p.road})"))
        if p.reached is not None:
            handles.append(Line2D([], [], marker="*", ls="", ms=12, color=FACTION_COLOURS["russia"], mec="white",
                                  label=patrol_label(p, lay.theatre.towns)))
    return handles


def common_handles(lay: Layout, *, intact: bool = False, encircled: bool = False, police: bool = False, most: bool = False) -> list:
    """The legend entries every map shares; ``most``: an ensemble's, whose posts and police are those of most runs."""
    t = lay.theatre
    handles = []
    of_most = " (in most runs)" if most else ""
    if intact:
        handles.append(Line2D([], [], marker="^", ls="", color=FACTION_COLOURS["turkey"], mec="white", ms=8,
                              label=f"Turkish post{of_most}"))
    if encircled:
        handles.append(Line2D([], [], marker="^", ls="", mfc="white", mec=FACTION_COLOURS["turkey"], mew=1.3, ms=8,
                              label="Turkish post, encircled" + (" in most runs" if most else "")))
    if police:
        handles.append(Line2D([], [], marker="s", ls="", color=FACTION_COLOURS["russia"], ms=6,
                              label=f"Russian military police{of_most}"))
    if named_roads(t):
        handles.append(Line2D([], [], color=NAMED_ROAD_STYLE["color"], lw=NAMED_ROAD_STYLE["lw"], label="Highway"))
    for road, style in ROAD_STYLE.items():
        if road in t.roads:
            handles.append(Line2D([], [], color=style["color"], lw=style["lw"], label=f"{road.capitalize()} road"))
    if len(t.border):
        handles.append(Line2D([], [], color="#505050", lw=1.1, ls=(0, (6, 3)), label="Turkish border"))
    return handles


# What an animation redraws each frame (the rest stays).
DYNAMIC_GIDS = {"territory", "probability", "front", "corridor", "patrol_route", "patrol_reached", "towns", "posts",
            "posts_encircled", "military_police"}


def draw_control_layers(ax: Axes, lay: Layout, state: MapState) -> tuple[bool, bool]:
    """The parts of :func:`draw_control` that change from day to day; returns (intact posts, encircled posts) drawn."""
    draw_territory(ax, lay, [tint(FACTION_COLOURS[HOLDERS[c]]) for c in state.controller])
    draw_front(ax, lay, front_ridges(lay, state.controller))
    if state.corridor is not None:
        draw_corridor(ax, lay, state.corridor, state.patrols, state.controller)
    draw_patrols(ax, lay, state.patrols)
    draw_towns(ax, lay, state.controller)
    return draw_posts(ax, lay, state)


def draw_probability(ax: Axes, lay: Layout, es: EnsembleState, faction: str, *, title: str | None = None) -> tuple[object, list]:
    """Shade each town's cell by the share of replicates in which ``faction`` holds it.

    Returns:
        (the territory collection, to hang a colour bar on; legend handles).
    """
    base_axes(ax, lay)
    coll, intact, enc = draw_probability_layers(ax, lay, es, faction)
    if title:
        ax.set_title(title, fontsize=10)
    return coll, probability_handles(lay, es, intact=intact, encircled=enc)


def probability_handles(lay: Layout, es: EnsembleState, *, intact: bool, encircled: bool) -> list:
    """The legend of a probability map of ``es``, given whether it shows intact and encircled posts."""
    state = es.state
    handles = modal_handles(tie=bool((modal_holders(es.probability) == NO_ONE).any())) + common_handles(lay, intact=intact, encircled=encircled,
                                               police=bool(state.military_police.any()), most=True)
    if state.corridor is not None and corridor_shown(lay, state.corridor, state.patrols, modal_holders(es.probability)):
        handles.append(corridor_entry(state.corridor, state.patrols, es.corridor_share))
    return handles + patrol_handles(lay, state.patrols)


def modal_handles(*, tie: bool = False) -> list:
    """The town dots of a probability map: one entry a side, and one for a tie where the map has one."""
    handles = [Line2D([], [], marker="o", ls="", ms=6, color=FACTION_COLOURS[h], mec="white",
                      label=f"Town most often held by: {FACTION_NAMES[h]}") for h in HOLDERS]
    if tie:
        handles.append(Line2D([], [], marker="o", ls="", ms=6, color=TIE_COLOUR, mec="white",
                              label="Town most often held by: no one side (a tie)"))
    return handles


def modal_colours(es: EnsembleState, strength: float | None = None) -> list:
    """Each town's colour by the side holding it in the most runs (tinted to ``strength``), grey for a tie."""
    colours = [TIE_COLOUR if c == NO_ONE else FACTION_COLOURS[HOLDERS[c]] for c in modal_holders(es.probability)]
    return colours if strength is None else [tint(c, strength) for c in colours]


def draw_probability_layers(ax: Axes, lay: Layout, es: EnsembleState, faction: str):  # noqa: ANN202
    """The parts of :func:`draw_probability` that change from day to day.

    Returns:
        (the shaded collection, whether intact posts were drawn, whether encircled ones were).
    """
    p = es.probability[:, HOLDERS.index(faction)]
    polys = [ring for rings in lay.cells for ring in rings]
    index = np.repeat(np.arange(len(lay.cells)), [len(c) for c in lay.cells])
    coll = PolyCollection(polys, array=p[index], cmap=faction_cmap(faction), norm=Normalize(0, 1), edgecolors="#C8C8C8",
                          linewidths=0.3, zorder=1, gid="probability")
    coll.town_index = index  # which town each polygon is
    ax.add_collection(coll)
    if es.state.corridor is not None:  # off the ground the government holds in most runs
        draw_corridor(ax, lay, es.state.corridor, es.state.patrols, modal_holders(es.probability))
    draw_patrols(ax, lay, es.state.patrols)
    # Outlined wide enough to see on the darkest fill (HTS's, where a thin edge read as a hollow ring).
    draw_towns(ax, lay, None, size=0.65, edge=1.0, face=modal_colours(es))
    intact, enc = draw_posts(ax, lay, es.state)
    return coll, intact, enc


TIE_HATCH, TIE_HATCH_PATTERN = "#7A7A7A", "////"  # how a tie's area is told apart from every side's


def spread_colour(share: float) -> tuple[float, float, float, float]:
    """A front line drawn in ``share`` of the runs: :data:`SPREAD_COLOUR`, more opaque the more often."""
    return (*to_rgb(SPREAD_COLOUR), 0.45 + 0.55 * share)


def spread_width(share: float) -> float:
    return 0.8 + 3.2 * share


def draw_front_spread(ax: Axes, lay: Layout, es: EnsembleState, *, reported: np.ndarray | None = None,
                      title: str | None = None) -> list:
    """Draw every cell boundary that is a front in some replicate, darker and wider the more often it is."""
    base_axes(ax, lay)
    draw_territory(ax, lay, modal_colours(es, 0.18))
    tied = modal_holders(es.probability) == NO_ONE
    if tied.any():  # hatched: a tie's pale grey was HTS's pale grey, and the sea's, to the eye
        ax.add_collection(PolyCollection([ring for town in np.flatnonzero(tied) for ring in lay.cells[town]], facecolors="none",
                                         edgecolors=TIE_HATCH, linewidths=0, hatch=TIE_HATCH_PATTERN, zorder=1.1, gid="ties"))
    share = front_shares(lay, es.controllers)
    segs, widths, colours = [], [], []
    for (_, _, lines), s in zip(lay.ridges, share, strict=True):
        if s > 0:
            for line in lines:
                segs.append(line)
                widths.append(spread_width(s))
                colours.append(spread_colour(s))
    coll = LineCollection(segs, linewidths=widths, colors=colours, zorder=2, gid="front_spread", capstyle="round")
    coll.share = np.array([s for s in share if s > 0])
    ax.add_collection(coll)
    handles = [Line2D([], [], color=spread_colour(s), lw=spread_width(s), label=f"Front in {s:.0%} of runs") for s in (1.0, 0.5, 0.1)]
    if reported is not None:
        draw_front(ax, lay, front_ridges(lay, reported), colors=REPORTED_COLOUR, linewidths=2.0, linestyles=(0, (3, 2)), zorder=2.6,
               gid="front_reported")
        handles.append(Line2D([], [], color=REPORTED_COLOUR, lw=2.0, ls=(0, (3, 2)), label="Reported front line"))
    draw_towns(ax, lay, None, size=0.5, face=modal_colours(es))
    if title:
        ax.set_title(title, fontsize=10)
    # The pale areas had no entry: one swatch of each faction's tint, as drawn, says what they are. The map is named
    # by its title, not its side: the app shows the two maps one under the other where the page is narrow. Each entry
    # on two lines: on one, its legend column was wider than a phone's page, which scaled its text down to 7 px.
    areas = Swatches([Patch(fc=tint(FACTION_COLOURS[h], 0.18), ec="#C8C8C8", lw=0.5) for h in HOLDERS],
                     "Front line map's pale areas:\nwho holds the town in most runs")
    if tied.any():
        areas = [areas, Patch(fc=tint(TIE_COLOUR, 0.18), ec=TIE_HATCH, lw=0.5, hatch=TIE_HATCH_PATTERN,
                              label="Front line map's hatched areas: no one\nside holds the town in most runs (a tie)")]
    else:
        areas = [areas]
    return [*areas, *handles]


class Swatches(tuple):
    """A legend entry of patches side by side under one label (:func:`sim.viz.figures.add_legend` draws a tuple so)."""

    def __new__(cls, patches: list[Patch], label: str) -> "Swatches":
        swatches = super().__new__(cls, patches)
        swatches.label = label
        return swatches

    def get_label(self) -> str:
        return self.label
