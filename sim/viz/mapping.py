"""Control maps: who holds what on a day, drawn as territory on the theatre.

Two layers, so that what the tests check is what users get:

- *state*: plain data for one date — every town's controller, the Turkish
  posts and which are encircled, Russian military police, the security
  corridor (only while an agreement with one is in force) and the joint
  patrols — derived from what a run folder holds (control, events, time
  series and the scenario's events in the manifest). :func:`run_state` is
  used both for a run in memory (``write_run``) and for a folder read back.
- *drawing*: functions that draw a state on a matplotlib Axes, and figures
  built from them (one run, simulated vs reported, an ensemble's
  probabilities and front-line spread, a baseline vs a what-if, an animation).

Territory is each town's Voronoi (Thiessen) cell on the theatre's local
projection, clipped to the towns' buffered convex hull and cut by the border
line: an approximation of who holds the ground between towns, not a survey.
Matplotlib is imported only when something is drawn.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..io.theatre import EARTH_KM_PER_DEG, HOLDERS, Holder, Theatre

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..experiments.run import RunResult
    from ..analysis.results import Results, RunData

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
FACTION_COLOURS = {"regime": "#D55E00", "hts": "#3A3A3A", "rebels": "#009E73", "turkey": "#0072B2", "russia": "#CC79A7"}
FACTION_NAMES = {"regime": "Government", "hts": "HTS", "rebels": "Turkish-backed rebels", "turkey": "Turkey", "russia": "Russia"}
CORRIDOR_COLOUR = "#F0E442"  # Okabe-Ito yellow
REPORTED_COLOUR = "#56B4E9"  # Okabe-Ito sky blue: the record, wherever it is drawn
ROAD_STYLE = {"secondary": dict(color="#9A9A9A", lw=0.7, zorder=3)}
NAMED_ROAD_STYLE = dict(color="#5A4A2A", lw=2.2, zorder=3)
LABEL_POPULATION = 30_000
OUTLINE_BUFFER_KM = 6.0  # the theatre outline reaches this far beyond the outermost towns
TINT = 0.42  # territory is the faction colour at this strength over white, so markers stand out


def tint(colour: str, strength: float = TINT) -> tuple[float, float, float, float]:
    """A faction colour blended with white (the territory fill)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (1 - strength + strength * r, 1 - strength + strength * g, 1 - strength + strength * b, 1.0)


# --------------------------------------------------------------------------
# State: what the map shows on one date, as plain data
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Corridor:
    """A security corridor: ``width_km`` on each side of ``road``, under ``agreement``."""

    road: str
    width_km: float
    agreement: str


@dataclass(frozen=True)
class Patrol:
    """A joint-patrol plan in effect and, if one has run, how far the last patrol got.

    Attributes:
        route: town indices along the road from the start of the route to its end.
        reached: index of the town the last patrol reached (None before the first).
        coverage: share of the route's km the last patrol covered.
        date: the last patrol's date.
    """

    road: str
    route: tuple[int, ...]
    reached: int | None = None
    coverage: float | None = None
    date: dt.date | None = None


@dataclass
class MapState:
    """Everything a control map shows on one date.

    Attributes:
        date: the date shown.
        controller: controller code (:class:`~sim.theatre.Holder`) of every town.
        posts: Turkish posts (or post-equivalents) at every town.
        encircled: towns whose posts are encircled (the town or every road out of it government-held).
        military_police: towns with Russian military police.
        corridor: the security corridor, only while an agreement with one is in force.
        patrols: joint-patrol plans announced by then, with their last patrol.
    """

    date: dt.date
    controller: np.ndarray
    posts: np.ndarray
    encircled: np.ndarray
    military_police: np.ndarray
    corridor: Corridor | None = None
    patrols: list[Patrol] = field(default_factory=list)


def _partial_date(text: str) -> dt.date:
    """The first day a partial ISO date (2018, 2018-02, 2018-02-15) can mean."""
    from ..model.model import _earliest  # the model's own rule for when a post counts as established

    return _earliest(text)


def encircled(theatre: Theatre, controller: np.ndarray, posts: np.ndarray) -> np.ndarray:
    """Towns whose posts are encircled: held by the government, or every road out of them is.

    The model's rule (``CeasefireModel._update_encirclement``), recomputed from a
    day's control so it can be drawn for any day of a run folder.
    """
    gov = controller == Holder.REGIME
    degree = np.bincount(np.r_[theatre.edge_u, theatre.edge_v], minlength=theatre.n)
    gov_next = np.bincount(np.r_[theatre.edge_u, theatre.edge_v], weights=np.r_[gov[theatre.edge_v], gov[theatre.edge_u]], minlength=theatre.n)
    return (posts > 0) & (gov | (gov_next >= degree))


def _on_or_before(events, date: dt.date):  # noqa: ANN001, ANN202 - a DataFrame
    return events[events["date"] <= date.isoformat()]


def run_state(theatre: Theatre, scenario_events: list[dict], run: RunData, date: dt.date) -> MapState:
    """The map state of one run on ``date``, from the run's tables and the scenario's events.

    Args:
        theatre: the run's theatre.
        scenario_events: the resolved scenario's events as JSON-like dicts
            (``manifest["parameters"]["events"]``).
        run: the run (control history, events.csv, timeseries.csv).
        date: a date from the run's start to its last day.
    """
    day = run.day(date)
    if not 0 <= day <= run.days:
        raise ValueError(f"{date} is outside the run ({run.start} .. {run.date(run.days)})")
    controller = run.history[day]
    ev = _on_or_before(run.events, date)

    posts = np.zeros(theatre.n)
    for post in theatre.posts:
        if post.established and _partial_date(post.established) <= run.start:
            posts[post.town] += 1
    for kind, town, actors, detail in ev[["type", "town", "actors", "detail"]].itertuples(index=False):
        if kind in ("post_establish", "post_withdraw"):
            i = theatre.town(town)
            posts[i] = max(0.0, posts[i] + (1 if kind == "post_establish" else -1))
        elif kind == "reinforcement" and actors == "turkey" and town:
            posts[theatre.town(town)] += float(detail)
    police = np.zeros(theatre.n, bool)
    for town in ev.loc[ev["type"] == "military_police", "town"]:
        police[theatre.town(town)] = True

    corridor = None
    deals = [e for e in scenario_events if e["type"] in ("truce", "agreement") and e["date"] <= date.isoformat()]
    in_force = "ceasefire" in run.timeseries and run.timeseries["ceasefire"].iloc[day] == "in force"
    if deals and in_force and deals[-1].get("corridor"):
        c = deals[-1]["corridor"]
        corridor = Corridor(c["road"], float(c["width_km"]), deals[-1].get("name") or deals[-1].get("id", ""))

    patrols = []
    runs_so_far = ev[ev["type"] == "patrol"]
    for spec in scenario_events:
        if spec["type"] != "joint_patrol" or (spec.get("announced") or spec["date"]) > date.isoformat():
            continue
        if spec.get("until") and spec["until"] < date.isoformat():
            continue
        a, b = (theatre.town(t) for t in spec["route"])
        route = tuple(int(t) for t in theatre.road_path(a, b, spec["road"])[0])
        names = {theatre.towns[t] for t in route}
        mine = runs_so_far[(runs_so_far["date"] >= spec["date"]) & runs_so_far["town"].isin(names)]
        if len(mine):
            last = mine.iloc[-1]
            when = dt.date.fromisoformat(last["date"])
            coverage = float(run.timeseries["patrol_coverage"].iloc[run.day(when)]) if "patrol_coverage" in run.timeseries else None
            patrols.append(Patrol(spec["road"], route, theatre.town(last["town"]), coverage, when))
        else:
            patrols.append(Patrol(spec["road"], route))
    return MapState(date, controller, posts, encircled(theatre, controller, posts), police, corridor, patrols)


def reported_state(theatre: Theatre, date: dt.date) -> MapState:
    """The reported front of the theatre's control column for ``date`` (towns only)."""
    controller = theatre.control[date]
    zeros = np.zeros(theatre.n)
    return MapState(date, controller, zeros, zeros.astype(bool), zeros.astype(bool))


# --------------------------------------------------------------------------
# Geometry: territory cells, the outline, fronts (computed once per theatre)
# --------------------------------------------------------------------------


@dataclass
class Layout:
    """The theatre's drawable geometry, in degrees (x = longitude, y = latitude).

    Attributes:
        kx: cos(mean latitude): km per degree of longitude over km per degree of latitude.
        outline: the theatre outline (shapely geometry, scaled coordinates x = lon * kx).
        cells: for every town, its territory as a list of (k, 2) lon/lat rings.
        ridges: (town u, town v, list of (k, 2) lon/lat lines) for every pair of adjacent cells.
    """

    theatre: Theatre
    kx: float
    outline: object
    cells: list[list[np.ndarray]]
    ridges: list[tuple[int, int, list[np.ndarray]]]
    beyond: tuple[float, float] | None = None  # lon, lat of a spot beyond the border, for its label

    @property
    def extent(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.outline.bounds
        return x0 / self.kx, x1 / self.kx, y0, y1

    def unscale(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack([xy[:, 0] / self.kx, xy[:, 1]])

    def rings(self, geom) -> list[np.ndarray]:  # noqa: ANN001 - shapely geometry
        """Exterior rings of a (multi)polygon, in lon/lat."""
        polys = getattr(geom, "geoms", [geom])
        return [self.unscale(np.asarray(p.exterior.coords)) for p in polys if p.geom_type == "Polygon" and not p.is_empty]

    def band(self, road: str, width_km: float) -> list[np.ndarray]:
        """The area within ``width_km`` of ``road`` (both sides), clipped to the outline."""
        from shapely.geometry import MultiLineString

        t = self.theatre
        on = t.edge_road == road
        lines = [[(t.lon[u] * self.kx, t.lat[u]), (t.lon[v] * self.kx, t.lat[v])] for u, v in zip(t.edge_u[on], t.edge_v[on], strict=True)]
        if not lines:
            return []
        return self.rings(MultiLineString(lines).buffer(width_km / EARTH_KM_PER_DEG).intersection(self.outline))


def layout(theatre: Theatre) -> Layout:
    """Territory cells and their shared edges for ``theatre`` (cached per theatre object)."""
    key = id(theatre)
    cached = _LAYOUTS.get(key)
    if cached is not None and cached.theatre is theatre:
        return cached
    _LAYOUTS[key] = result = _layout(theatre)
    return result


_LAYOUTS: dict[int, Layout] = {}


def _layout(t: Theatre) -> Layout:
    from scipy.spatial import Voronoi
    from shapely.geometry import LineString, MultiPoint, Point, Polygon, box
    from shapely.ops import polylabel, split, unary_union

    kx = float(np.cos(np.deg2rad(t.lat.mean())))
    pts = np.column_stack([t.lon * kx, t.lat])
    outline = MultiPoint(pts).convex_hull.buffer(OUTLINE_BUFFER_KM / EARTH_KM_PER_DEG, quad_segs=6)
    beyond = None
    if len(t.border) >= 2:
        line = np.column_stack([t.border[:, 1] * kx, t.border[:, 0]])
        # Carry the border's ends on in their own direction so that it cuts the
        # outline right across; the pieces holding no town lie beyond it.
        reach = 4 * max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1]), 1e-3)
        head = line[0] + (line[0] - line[1]) / max(np.linalg.norm(line[0] - line[1]), 1e-12) * reach
        tail = line[-1] + (line[-1] - line[-2]) / max(np.linalg.norm(line[-1] - line[-2]), 1e-12) * reach
        cut = LineString(np.vstack([head, line, tail]))
        pieces = split(outline, cut).geoms
        kept = [p for p in pieces if any(p.buffer(1e-9).contains(Point(q)) for q in pts)]
        if kept:
            outline = unary_union(kept)
        # Where to name the far side: the middle of the largest town-free part of the view.
        x0, y0, x1, y1 = outline.bounds
        view = box(x0, y0, x1, y1)
        empty = [p for p in split(view, cut).geoms if not any(p.buffer(1e-9).contains(Point(q)) for q in pts)]
        if empty:
            spot = polylabel(max(empty, key=lambda p: p.area), tolerance=1e-3)
            beyond = (spot.x / kx, spot.y)

    # Four far points close every town's cell; towns sharing a position share a cell.
    unique, first = np.unique(pts, axis=0, return_inverse=True)
    c, span = unique.mean(axis=0), max(np.ptp(unique[:, 0]), np.ptp(unique[:, 1]), 0.1)
    far = c + 20 * span * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])
    vor = Voronoi(np.vstack([unique, far]))
    lay = Layout(t, kx, outline, [], [], beyond)
    unique_cells = []
    for k in range(len(unique)):
        region = vor.regions[vor.point_region[k]]
        unique_cells.append(lay.rings(Polygon(vor.vertices[region]).intersection(outline)))
    lay.cells = [unique_cells[k] for k in first.ravel()]
    members = [np.flatnonzero(first.ravel() == k) for k in range(len(unique))]
    for (a, b), verts in zip(vor.ridge_points, vor.ridge_vertices, strict=True):
        if a >= len(unique) or b >= len(unique) or -1 in verts:
            continue
        seg = LineString(vor.vertices[verts]).intersection(outline)
        lines = [lay.unscale(np.asarray(g.coords)) for g in getattr(seg, "geoms", [seg]) if g.geom_type == "LineString" and not g.is_empty]
        if lines:
            lay.ridges.extend((int(u), int(v), lines) for u in members[a] for v in members[b])
    return lay


def front_ridges(lay: Layout, controller: np.ndarray) -> np.ndarray:
    """Mask over ``lay.ridges``: cells of the government on one side, of the opposition on the other."""
    if not lay.ridges:
        return np.zeros(0, bool)
    u = np.array([r[0] for r in lay.ridges])
    v = np.array([r[1] for r in lay.ridges])
    gov = np.asarray(controller) == Holder.REGIME
    return gov[..., u] != gov[..., v]


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _base(ax: Axes, lay: Layout, *, roads: bool = True) -> None:
    """Outline, aspect, roads, border: what every map panel shares."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Polygon as MplPolygon

    t = lay.theatre
    ax.set_facecolor("#EEF1F4")  # outside the theatre
    x0, x1, y0, y1 = lay.extent
    padx, pady = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    ax.set_xlim(x0 - padx, x1 + padx)
    ax.set_ylim(y0 - pady, y1 + pady)
    ax.set_aspect(1.0 / lay.kx)  # equirectangular at the theatre's mean latitude: km are km both ways
    for ring in lay.rings(lay.outline):
        ax.add_patch(MplPolygon(ring, closed=True, fc="white", ec="#8A8A8A", lw=0.6, zorder=0))
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


def _named_roads(t: Theatre) -> list[str]:
    return [r for r in t.roads if r not in ROAD_STYLE]


def main_towns(t: Theatre) -> np.ndarray:
    """Towns worth a label: the larger ones, junctions of two named roads, and the ends of named roads."""
    named = _named_roads(t)
    label = t.population >= LABEL_POPULATION
    if named:
        label |= sum(t.road_towns(r).astype(int) for r in named) >= 2
    for road in named:
        on = t.edge_road == road
        ends, counts = np.unique(np.r_[t.edge_u[on], t.edge_v[on]], return_counts=True)
        label[ends[counts == 1]] = True
    return label


def _territory(ax: Axes, lay: Layout, colours: list) -> None:
    from matplotlib.collections import PolyCollection

    polys, faces = [], []
    for town, rings in enumerate(lay.cells):
        for ring in rings:
            polys.append(ring)
            faces.append(colours[town])
    coll = PolyCollection(polys, facecolors=faces, edgecolors=faces, linewidths=0.4, zorder=1, gid="territory")
    coll.town_index = np.repeat(np.arange(len(lay.cells)), [len(c) for c in lay.cells])  # which town each polygon is
    ax.add_collection(coll)


def _front(ax: Axes, lay: Layout, mask: np.ndarray, **style) -> None:
    from matplotlib.collections import LineCollection

    segs = [line for (u, v, lines), on in zip(lay.ridges, mask, strict=True) if on for line in lines]
    ax.add_collection(LineCollection(segs, **{"colors": "#1A1A1A", "linewidths": 1.6, "zorder": 2, "gid": "front", **style}))


def _towns(ax: Axes, lay: Layout, controller: np.ndarray | None, *, size: float = 1.0, face=None) -> None:  # noqa: ANN001
    t = lay.theatre
    s = size * (10 + 7 * np.sqrt(t.population / 1000.0))
    if face is None:
        face = [FACTION_COLOURS[HOLDERS[c]] for c in controller]
    ax.scatter(t.lon, t.lat, s=s, c=face, edgecolors="white", linewidths=0.7, zorder=6, gid="towns")


def _posts(ax: Axes, lay: Layout, state: MapState) -> tuple[bool, bool]:
    t = lay.theatre
    has = state.posts > 0
    dx, dy = 0.022, 0.014
    intact, enc = has & ~state.encircled, has & state.encircled
    ax.scatter(t.lon[intact] + dx, t.lat[intact] + dy, marker="^", s=42, color=FACTION_COLOURS["turkey"],
               edgecolors="white", linewidths=0.6, zorder=7, gid="posts")
    ax.scatter(t.lon[enc] + dx, t.lat[enc] + dy, marker="^", s=42, facecolors="white",
               edgecolors=FACTION_COLOURS["turkey"], linewidths=1.3, zorder=7, gid="posts_encircled")
    mp = state.military_police
    ax.scatter(t.lon[mp] - dx, t.lat[mp] + dy, marker="s", s=26, color=FACTION_COLOURS["russia"], edgecolors="white",
               linewidths=0.5, zorder=7, gid="military_police")
    return bool(intact.any()), bool(enc.any())


def _corridor(ax: Axes, lay: Layout, corridor: Corridor) -> None:
    from matplotlib.patches import Polygon as MplPolygon

    for ring in lay.band(corridor.road, corridor.width_km):
        ax.add_patch(MplPolygon(ring, closed=True, fc=(*tint(CORRIDOR_COLOUR, 1.0)[:3], 0.55), ec="#A89A00",
                                lw=0.8, hatch="////", zorder=2.5, gid="corridor"))


def _patrols(ax: Axes, lay: Layout, patrols: list[Patrol]) -> None:
    t = lay.theatre
    colour = FACTION_COLOURS["russia"]
    for p in patrols:
        route = list(p.route)
        ax.plot(t.lon[route], t.lat[route], color=colour, lw=1.6, ls=(0, (2, 1.5)), zorder=5, gid="patrol_route")
        if p.reached is not None:
            ax.plot(t.lon[p.reached], t.lat[p.reached], marker="*", ms=14, color=colour, mec="white", mew=0.8, zorder=8,
                    gid="patrol_reached")


def _scale_bar(ax: Axes, lay: Layout) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = (x1 - x0) * lay.kx * EARTH_KM_PER_DEG
    km = max((k for k in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if k <= width_km / 5), default=1)
    deg = km / (EARTH_KM_PER_DEG * lay.kx)
    x, y = x1 - (x1 - x0) * 0.04 - deg, y0 + (y1 - y0) * 0.035
    ax.plot([x, x + deg], [y, y], color="black", lw=3, solid_capstyle="butt", zorder=9, gid="scale_bar")
    ax.text(x + deg / 2, y + (y1 - y0) * 0.012, f"{km:g} km", ha="center", va="bottom", fontsize=8, zorder=9)


def _halo(width: float = 2.6):  # noqa: ANN202
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


_MARKERS = {"posts", "posts_encircled", "military_police", "patrol_reached", "differs"}
_OFFSETS = [(5, 4, "left", "bottom"), (5, -4, "left", "top"), (-5, 4, "right", "bottom"), (-5, -4, "right", "top"),
            (7, 0, "left", "center"), (-7, 0, "right", "center"), (0, 7, "center", "bottom"), (0, -7, "center", "top")]


def _place_labels(ax: Axes, lay: Layout, towns: np.ndarray, *, fontsize: float = 8.0, extra: list | None = None) -> None:
    """Label ``towns`` where no label overlaps another, a town marker or the frame.

    Greedy, largest towns first: each label tries eight positions around its
    town and takes the first free one (or the least crowded). Positions are
    measured on the figure as laid out, so call this once the layout is final.
    """
    t = lay.theatre
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    pix = ax.transData.transform(np.column_stack([t.lon, t.lat]))
    r = 4.0 * fig.dpi / 100
    marks = [c.get_offsets() for c in ax.collections if c.get_gid() in _MARKERS and len(c.get_offsets())]
    marks += [np.column_stack(line.get_data()) for line in ax.lines if line.get_gid() in _MARKERS]
    if marks:
        pix = np.vstack([pix, ax.transData.transform(np.vstack(marks).astype(float))])
    obstacles = [(x - r, y - r, x + r, y + r) for x, y in pix]
    placed: list[tuple[float, float, float, float]] = [tuple(b) for b in (extra or [])]

    def clash(b) -> float:  # noqa: ANN001
        area = 0.0
        for o in placed + obstacles:
            w = min(b[2], o[2]) - max(b[0], o[0])
            h = min(b[3], o[3]) - max(b[1], o[1])
            if w > 0 and h > 0:
                area += w * h
        outside = (b[0] < frame.x0) or (b[2] > frame.x1) or (b[1] < frame.y0) or (b[3] > frame.y1)
        return area + (1e9 if outside else 0.0)

    for i in sorted(np.flatnonzero(towns), key=lambda i: (-t.population[i], t.towns[i])):
        best = None
        for dx, dy, ha, va in _OFFSETS:
            text = ax.annotate(t.towns[i], (t.lon[i], t.lat[i]), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                               fontsize=fontsize, zorder=10, path_effects=_halo(), gid="label")
            bb = text.get_window_extent(renderer)
            box = (bb.x0 - 1, bb.y0 - 1, bb.x1 + 1, bb.y1 + 1)
            cost = clash(box)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, text, box)
            else:
                text.remove()
            if cost == 0:
                break
        placed.append(best[2])


def _road_labels(ax: Axes, lay: Layout, avoid: np.ndarray) -> list:
    """Name each named road on one of its segments away from the labelled towns; returns their boxes."""
    t = lay.theatre
    boxes = []
    renderer = ax.figure.canvas.get_renderer()
    for road in _named_roads(t):
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


def _finish_labels(ax: Axes, lay: Layout, towns: np.ndarray, *, fontsize: float = 8.0) -> None:
    boxes = _road_labels(ax, lay, towns)
    _place_labels(ax, lay, towns, fontsize=fontsize, extra=boxes)


def draw_control(ax: Axes, lay: Layout, state: MapState, *, title: str | None = None) -> list:
    """Draw one day's control on ``ax``: territory, front, corridor, roads, patrols, towns, posts.

    Returns:
        Legend handles for what was drawn.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    _base(ax, lay)
    intact, enc = _draw_control_layers(ax, lay, state)
    if title:
        ax.set_title(title, fontsize=10.5)

    held = set(int(c) for c in state.controller)
    handles = [Patch(fc=tint(FACTION_COLOURS[h]), ec=FACTION_COLOURS[h], label=FACTION_NAMES[h]) for c, h in enumerate(HOLDERS) if c in held]
    handles.append(Line2D([], [], color="#1A1A1A", lw=1.6, label="Front line (government vs opposition)"))
    handles += _common_handles(lay, intact=intact, encircled=enc, police=bool(state.military_police.any()))
    if state.corridor is not None:
        c = state.corridor
        handles.append(Patch(fc=(*tint(CORRIDOR_COLOUR, 1.0)[:3], 0.55), ec="#A89A00", hatch="////",
                             label=f"{c.road} security corridor ({c.width_km:g} km each side)"))
    for p in state.patrols:
        handles.append(Line2D([], [], color=FACTION_COLOURS["russia"], lw=1.6, ls=(0, (2, 1.5)), label=f"Joint patrol route ({p.road})"))
        if p.reached is not None:
            cover = f", {p.coverage:.0%} of the route" if p.coverage is not None else ""
            handles.append(Line2D([], [], marker="*", ls="", ms=12, color=FACTION_COLOURS["russia"], mec="white",
                                  label=f"Last patrol ({p.date:%d %b}) reached {lay.theatre.towns[p.reached]}{cover}"))
    return handles


def _common_handles(lay: Layout, *, intact: bool = False, encircled: bool = False, police: bool = False) -> list:
    from matplotlib.lines import Line2D

    t = lay.theatre
    handles = []
    if intact:
        handles.append(Line2D([], [], marker="^", ls="", color=FACTION_COLOURS["turkey"], mec="white", ms=8, label="Turkish post"))
    if encircled:
        handles.append(Line2D([], [], marker="^", ls="", mfc="white", mec=FACTION_COLOURS["turkey"], mew=1.3, ms=8,
                              label="Turkish post, encircled"))
    if police:
        handles.append(Line2D([], [], marker="s", ls="", color=FACTION_COLOURS["russia"], ms=6, label="Russian military police"))
    if _named_roads(t):
        handles.append(Line2D([], [], color=NAMED_ROAD_STYLE["color"], lw=NAMED_ROAD_STYLE["lw"], label="Highway"))
    for road, style in ROAD_STYLE.items():
        if road in t.roads:
            handles.append(Line2D([], [], color=style["color"], lw=style["lw"], label=f"{road.capitalize()} road"))
    if len(t.border):
        handles.append(Line2D([], [], color="#505050", lw=1.1, ls=(0, (6, 3)), label="Turkish border"))
    return handles


def _figure(panels: int, *, width: float | None = None, height: float = 7.6) -> tuple[Figure, list]:
    plt = _plt()
    width = width or (10.8 if panels == 1 else 6.4 * panels)
    fig, axes = plt.subplots(1, panels, figsize=(width, height), dpi=100, layout="constrained", squeeze=False)
    return fig, list(axes[0])


def _legend(fig: Figure, handles: list, *, where: str = "right", fontsize: float = 8) -> None:
    seen, unique = set(), []
    for h in handles:
        if h.get_label() not in seen:
            seen.add(h.get_label())
            unique.append(h)
    if where == "right":
        fig.legend(handles=unique, loc="outside right upper", fontsize=fontsize, frameon=False)
    else:
        fig.legend(handles=unique, loc="outside lower center", ncols=min(4, len(unique)), fontsize=fontsize, frameon=False)


def _freeze(fig: Figure) -> None:
    """Lay the figure out once, then keep it: labels are placed on the final positions."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


def control_map_figure(theatre: Theatre, state: MapState, title: str) -> Figure:
    """One run's control on one date, with legend and labels: the figure ``run`` and ``map`` write."""
    lay = layout(theatre)
    fig, (ax,) = _figure(1)
    handles = draw_control(ax, lay, state, title=title)
    _legend(fig, handles)
    _freeze(fig)
    _finish_labels(ax, lay, main_towns(theatre))
    _scale_bar(ax, lay)
    return fig


def side_by_side_figure(theatre: Theatre, panels: list[tuple[MapState, str]], title: str, *, compare_to: int | None = None) -> Figure:
    """Several control maps in a row (simulated vs reported, baseline vs what-if).

    Args:
        panels: (state, panel title) for each map.
        compare_to: index of the panel the others are compared with: towns whose
            controller differs from it are ringed.
    """
    from matplotlib.lines import Line2D

    lay = layout(theatre)
    fig, axes = _figure(len(panels), height=7.0)
    handles: list = []
    for k, (ax, (state, sub)) in enumerate(zip(axes, panels, strict=True)):
        handles += draw_control(ax, lay, state, title=sub)
        if compare_to is not None and k != compare_to:
            differ = state.controller != panels[compare_to][0].controller
            t = lay.theatre
            ax.scatter(t.lon[differ], t.lat[differ], s=150, facecolors="none", edgecolors=REPORTED_COLOUR, linewidths=1.8, zorder=8, gid="differs")
            n = int(differ.sum())
            ax.set_title(f"{sub}\n{theatre.n - n} of {theatre.n} towns alike", fontsize=10)
            handles.append(Line2D([], [], marker="o", ls="", ms=11, mfc="none", mec=REPORTED_COLOUR, mew=1.8,
                                  label=f"Controller differs from '{panels[compare_to][1].splitlines()[0]}'"))
    return _finish_panels(fig, axes, lay, theatre, handles, title)


def _finish_panels(fig, axes, lay, theatre, handles, title: str):  # noqa: ANN001, ANN202 - matplotlib objects
    """Title, a shared legend below, then labels and scale bars once the layout is fixed."""
    fig.suptitle(title, fontsize=12)
    _legend(fig, handles, where="below")
    _freeze(fig)
    main = main_towns(theatre)
    for ax in axes:
        _finish_labels(ax, lay, main, fontsize=7.5)
        _scale_bar(ax, lay)
    return fig


# --------------------------------------------------------------------------
# Ensembles: probability of control and the spread of the front line
# --------------------------------------------------------------------------


@dataclass
class EnsembleState:
    """What an ensemble says about one date.

    Attributes:
        controllers: (runs, towns) controller codes of every replicate.
        probability: (towns, holders) share of replicates in which each faction holds each town.
        corridor: the corridor, if an agreement with one is in force in most replicates.
        corridor_share: share of replicates in which it is in force.
    """

    date: dt.date
    controllers: np.ndarray
    probability: np.ndarray
    state: MapState  # the first replicate's posts and patrol plan (scenario-driven, the same in all)
    encircled_share: np.ndarray
    corridor_share: float = 0.0


def ensemble_state(theatre: Theatre, scenario_events: list[dict], runs: list[RunData], date: dt.date) -> EnsembleState:
    """Control probabilities, fronts and corridor of an ensemble on ``date``."""
    day = runs[0].day(date)
    controllers = np.stack([r.history[day] for r in runs])
    probability = np.stack([(controllers == c).mean(axis=0) for c in range(len(HOLDERS))], axis=1)
    states = [run_state(theatre, scenario_events, r, date) for r in runs]
    with_corridor = [s for s in states if s.corridor is not None]
    first = states[0]
    base = MapState(date, controllers[0], first.posts, first.encircled, first.military_police,
                    with_corridor[0].corridor if len(with_corridor) * 2 > len(runs) else None,
                    [Patrol(p.road, p.route) for p in first.patrols])
    enc = np.mean([s.encircled for s in states], axis=0)
    return EnsembleState(date, controllers, probability, base, enc, len(with_corridor) / len(runs))


def faction_cmap(faction: str):  # noqa: ANN201 - a matplotlib colormap
    """White to the faction's colour: the probability that it holds a place."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(f"p_{faction}", ["#FFFFFF", FACTION_COLOURS[faction]])


def draw_probability(ax: Axes, lay: Layout, es: EnsembleState, faction: str, *, title: str | None = None) -> tuple[object, list]:
    """Shade each town's cell by the share of replicates in which ``faction`` holds it.

    Returns:
        (the territory collection, to hang a colour bar on; legend handles).
    """
    _base(ax, lay)
    coll, intact, enc = _draw_probability_layers(ax, lay, es, faction)
    state = es.state
    if title:
        ax.set_title(title, fontsize=10)
    handles = _legend_modal() + _common_handles(lay, intact=intact, encircled=enc, police=bool(state.military_police.any()))
    if state.corridor is not None:
        from matplotlib.patches import Patch

        c = state.corridor
        handles.append(Patch(fc=(*tint(CORRIDOR_COLOUR, 1.0)[:3], 0.55), ec="#A89A00", hatch="////",
                             label=f"{c.road} security corridor (agreement in force in {es.corridor_share:.0%} of runs)"))
    return coll, handles


def _legend_modal() -> list:
    from matplotlib.lines import Line2D

    return [Line2D([], [], marker="o", ls="", ms=6, color=FACTION_COLOURS[h], mec="white",
                   label=f"Town most often held by: {FACTION_NAMES[h]}") for h in HOLDERS]


def front_shares(lay: Layout, controllers: np.ndarray) -> np.ndarray:
    """For every ridge between two cells: the share of replicates in which it is a front."""
    if not lay.ridges:
        return np.zeros(0)
    return front_ridges(lay, controllers).mean(axis=0)


def draw_front_spread(ax: Axes, lay: Layout, es: EnsembleState, *, reported: np.ndarray | None = None,
                      title: str | None = None) -> list:
    """Draw every cell boundary that is a front in some replicate, darker and wider the more often it is."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    _base(ax, lay)
    modal = np.argmax(es.probability, axis=1)
    _territory(ax, lay, [tint(FACTION_COLOURS[HOLDERS[c]], 0.18) for c in modal])
    share = front_shares(lay, es.controllers)
    segs, widths, colours = [], [], []
    for (_, _, lines), s in zip(lay.ridges, share, strict=True):
        if s > 0:
            for line in lines:
                segs.append(line)
                widths.append(0.6 + 3.4 * s)
                colours.append((0.1, 0.1, 0.1, 0.15 + 0.85 * s))
    coll = LineCollection(segs, linewidths=widths, colors=colours, zorder=2, gid="front_spread", capstyle="round")
    coll.share = np.array([s for s in share if s > 0])
    ax.add_collection(coll)
    handles = [Line2D([], [], color=(0.1, 0.1, 0.1, 0.15 + 0.85 * s), lw=0.6 + 3.4 * s, label=f"Front in {s:.0%} of runs")
               for s in (1.0, 0.5, 0.1)]
    if reported is not None:
        _front(ax, lay, front_ridges(lay, reported), colors=REPORTED_COLOUR, linewidths=2.0, linestyles=(0, (3, 2)), zorder=2.6,
               gid="front_reported")
        handles.append(Line2D([], [], color=REPORTED_COLOUR, lw=2.0, ls=(0, (3, 2)), label="Reported front line"))
    _towns(ax, lay, None, size=0.5, face=[FACTION_COLOURS[HOLDERS[c]] for c in modal])
    if title:
        ax.set_title(title, fontsize=10)
    return handles


def ensemble_figure(theatre: Theatre, es: EnsembleState, faction: str, title: str, *,
                    reported: tuple[np.ndarray, dt.date] | None = None) -> Figure:
    """An ensemble on one date: P(faction holds) with a colour bar, and the spread of the front line.

    With ``reported`` (a control column and its date), the front-spread panel
    also draws the reported front line.
    """
    lay = layout(theatre)
    n = len(es.controllers)
    fig, axes = _figure(2, height=7.4, width=13.0)
    who = FACTION_NAMES[faction] if faction != "regime" else "the government"
    coll, handles = draw_probability(axes[0], lay, es, faction, title=f"Probability that {who} holds each area")
    fig.colorbar(coll, ax=axes[0], orientation="horizontal", fraction=0.035, pad=0.01, shrink=0.7, aspect=35,
                 label=f"share of the {n} runs in which {who} holds the town")
    sub = f"Front line spread over {n} runs" + (f", and the front reported on {reported[1]:%d %b}" if reported is not None else "")
    handles += draw_front_spread(axes[1], lay, es, reported=None if reported is None else reported[0], title=sub)
    return _finish_panels(fig, axes, lay, theatre, handles, title)


# --------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------


def save_figure(fig: Figure, path: str | Path, **kw) -> Path:
    """Save ``fig`` atomically (a temporary file renamed into place) and close it.

    PNGs are stored with a 256-colour palette: these figures are flat colours
    and lines, so they look the same at about a third of the size.
    """
    from PIL import Image

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}{path.suffix}")
    try:
        if path.suffix.lower() == ".png":
            buf = io.BytesIO()
            fig.savefig(buf, format="png", **kw)
            buf.seek(0)
            image = Image.open(buf).convert("RGB")
            image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(tmp, format="PNG")
        else:
            fig.savefig(tmp, metadata={"Software": None}, **kw)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        _plt().close(fig)
    return path


def draw_control_map(result: RunResult, path: str | Path, *, day: int = -1) -> Path:
    """Draw the control map of a run in memory on ``day`` (default: the last) to a PNG file.

    The same state and figure as ``python -m sim map`` on the run's folder.
    """
    import json

    from ..analysis.results import RunData

    run = RunData.of(result)
    date = run.date(day % len(run.history))
    events = json.loads(result.scenario.canonical_json())["events"]
    state = run_state(result.theatre, events, run, date)
    fig = control_map_figure(result.theatre, state, run_title(result.scenario.name, result.seed, date))
    return save_figure(fig, path)


def run_title(name: str, seed: int, date: dt.date) -> str:
    return f"{name}: control on {date:%d %B %Y} (seed {seed})"


# --------------------------------------------------------------------------
# From results folders: what ``python -m sim map`` draws
# --------------------------------------------------------------------------


def _is_ensemble(results: Results) -> bool:
    return results.manifest.get("kind") == "ensemble"


def _last_day(results: Results) -> dt.date:
    from ..analysis.aggregate import common_days

    return results.start + dt.timedelta(days=common_days(results.runs) - 1)


def resolve_date(results: Results, date: str | dt.date | None) -> tuple[dt.date, dt.date | None]:
    """The simulated date to draw for ``--date``, and the reported control column to set beside it.

    A date from the start to the last simulated day is drawn as it is, beside
    the theatre's control column of that date if it has one. The day after the
    last simulated day is accepted when the theatre reports that day: the last
    simulated day is then compared with it (a run to 5 March against the front
    reported on 6 March).

    Raises:
        InputError: an unreadable date, or one outside the run.
    """
    last = _last_day(results)
    if date is None:
        return last, None
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(None, f"'{date}' is not a date (expected YYYY-MM-DD)", key="--date") from None
    reported = date if date in results.theatre.control else None
    if results.start <= date <= last:
        return date, reported
    if date == last + dt.timedelta(days=1) and reported is not None:
        return last, reported
    known = ", ".join(str(d) for d in sorted(results.theatre.control))
    raise InputError(results.path, f"--date {date} is outside the run ({results.start} .. {last}); the day after the "
                     f"last is accepted only where the theatre reports control ({known})", key="--date")


def _events(results: Results) -> list[dict]:
    return results.manifest["parameters"]["events"]


def _what(results: Results) -> str:
    if _is_ensemble(results):
        return f"{results.name}, {len(results.runs)} runs"
    return f"{results.name}, seed {results.runs[0].seed}"


def map_figure(results: Results, date: str | dt.date | None = None, *, faction: str = "regime") -> Figure:
    """The map of one results folder on ``date`` (default: its last day).

    A single run gives its control map, set beside the reported control when
    the theatre has a column for the date; an ensemble gives the probability
    that ``faction`` holds each area and the spread of the front line (and the
    reported control, likewise).
    """
    day, reported = resolve_date(results, date)
    t = results.theatre
    if _is_ensemble(results):
        es = ensemble_state(t, _events(results), results.runs, day)
        title = f"{_what(results)}: {_when(day, reported)}"
        return ensemble_figure(t, es, faction, title, reported=None if reported is None else (t.control[reported], reported))
    run = results.runs[0]
    state = run_state(t, _events(results), run, day)
    if reported is None:
        return control_map_figure(t, state, run_title(results.name, run.seed, day))
    panels = [(state, f"Simulated, {day:%d %b %Y}" + (" (last day of the run)" if day != reported else "")),
              (reported_state(t, reported), f"Reported, {reported:%d %b %Y}")]
    return side_by_side_figure(t, panels, f"{_what(results)}: simulated vs reported control", compare_to=0)


def _when(day: dt.date, reported: dt.date | None) -> str:
    if reported is None or reported == day:
        return f"{day:%d %B %Y}"
    return f"{day:%d %B %Y} (last simulated day), reported {reported:%d %B %Y}"


def compare_figure(a: Results, b: Results, date: str | dt.date | None = None, *, faction: str = "regime") -> Figure:
    """Two results folders side by side on one date: a baseline and a what-if.

    Single runs are drawn as control maps with the towns that differ from the
    baseline ringed; ensembles as the probability that ``faction`` holds each area.
    """
    if date is None:
        day = min(_last_day(a), _last_day(b))
    else:
        day, _ = resolve_date(a, date)
        day_b, _ = resolve_date(b, date)
        day = min(day, day_b)
    if _is_ensemble(a) or _is_ensemble(b):
        lay = layout(a.theatre)
        fig, axes = _figure(2, height=7.0)
        handles: list = []
        coll = None
        for ax, res in zip(axes, (a, b), strict=True):
            if _is_ensemble(res):
                es = ensemble_state(res.theatre, _events(res), res.runs, day)
                coll, h = draw_probability(ax, lay, es, faction, title=_what(res))
                handles += h
            else:
                handles += draw_control(ax, lay, run_state(res.theatre, _events(res), res.runs[0], day), title=_what(res))
        if coll is not None:
            fig.colorbar(coll, ax=list(axes), orientation="horizontal", fraction=0.04, pad=0.02, shrink=0.5,
                         label=f"share of runs in which {FACTION_NAMES[faction]} holds the town")
        fig.suptitle(f"Baseline vs what-if on {day:%d %B %Y}", fontsize=12)
        _legend(fig, handles, where="below")
        _freeze(fig)
        for ax in axes:
            _finish_labels(ax, lay, main_towns(a.theatre), fontsize=7.5)
            _scale_bar(ax, lay)
        return fig
    panels = [(run_state(r.theatre, _events(r), r.runs[0], day), _what(r)) for r in (a, b)]
    return side_by_side_figure(a.theatre, panels, f"Baseline vs what-if on {day:%d %B %Y}", compare_to=0)


def make_map(paths: list[str | Path], *, date: str | None = None, out: str | Path | None = None,
             faction: str = "regime") -> Path:
    """Draw the map of one results folder, or of a baseline and a what-if, to a PNG file.

    Args:
        paths: one results folder, or two (baseline, what-if).
        date: ISO date (default: the last simulated day).
        out: the PNG (default: ``map_<date>.png`` in the (last) folder).
        faction: whose probability of control ensemble maps shade.

    Returns:
        The file written.
    """
    from ..analysis.results import load_results

    if faction not in HOLDERS:
        raise InputError(None, f"unknown faction '{faction}' (one of {', '.join(HOLDERS)})", key="--faction")
    results = [load_results(p) for p in paths]
    if len(results) == 2 and results[0].theatre.towns != results[1].theatre.towns:
        raise InputError(results[1].path, "the two results are on different theatres")
    if len(results) == 1:
        fig = map_figure(results[0], date, faction=faction)
        day = resolve_date(results[0], date)[0] if date is None else date
        default = results[0].path / f"map_{day}.png"
    else:
        fig = compare_figure(*results, date, faction=faction)
        default = results[1].path / f"map_{date or 'last'}_vs_{results[0].path.name}.png"
    return save_figure(fig, Path(out) if out else default)


# --------------------------------------------------------------------------
# Animation
# --------------------------------------------------------------------------

_CAPTIONS = {
    "capture": lambda town, detail: f"{town} taken: {detail.replace('->', '→')}",
    "post_establish": lambda town, detail: f"Turkish post set up at {town}",
    "post_withdraw": lambda town, detail: f"Turkish post withdrawn from {town}",
    "post_encircled": lambda town, detail: f"{detail} at {town}",
    "patrol": lambda town, detail: f"Joint patrol {detail}",
    "strike": lambda town, detail: f"Strike at {town}, {detail}",
    "military_police": lambda town, detail: f"Russian military police enter {town}",
    "offensive_start": lambda town, detail: "Government offensive starts",
    "offensive_stop": lambda town, detail: "Government offensive stops",
    "intervention": lambda town, detail: f"Turkish intervention: {detail}",
    "intervention_end": lambda town, detail: f"Intervention ends: {detail}",
    "air_policy": lambda town, detail: f"Russia: {detail}",
}


def caption(kind: str, town: str, detail: str) -> str | None:
    """One line for an event worth reading on an animation frame (None for the daily noise)."""
    if kind in _CAPTIONS:
        return _CAPTIONS[kind](town, detail)
    if kind.endswith("_announced"):
        return f"{detail.split(',')[0]} announced"
    if kind.endswith("_in_force"):
        return f"{detail} in force"
    if kind.endswith("_expired"):
        return f"{detail} expired"
    if kind.endswith("_broken"):
        return detail  # "<name>: <faction> resumes its offensive"
    return None


def animate(path: str | Path, *, out: str | Path | None = None, faction: str = "regime", max_frames: int = 60,
            fps: float = 4.0) -> list[Path]:
    """Write an animated GIF of daily control (an ensemble: of P(faction holds)), and an MP4 where ffmpeg exists.

    Each frame shows one day (or a few, for long runs: at most ``max_frames``
    frames), with its date and the events since the previous frame captioned.

    Returns:
        The files written.
    """
    from matplotlib import animation

    from ..analysis.results import load_results

    results = load_results(path)
    t, lay = results.theatre, layout(results.theatre)
    days = (_last_day(results) - results.start).days + 1
    step = max(1, -(-days // max_frames))
    frames = list(range(0, days, step))
    if frames[-1] != days - 1:
        frames.append(days - 1)
    ensemble = _is_ensemble(results)
    run = results.runs[0]
    events = _events(results)

    def state(day: int):  # noqa: ANN202
        date = results.start + dt.timedelta(days=day)
        if ensemble:
            return ensemble_state(t, events, results.runs, date)
        return run_state(t, events, run, date)

    fig, (ax,) = _figure(1, width=9.0, height=6.4)
    first = state(frames[-1])
    if ensemble:
        coll, handles = draw_probability(ax, lay, first, faction)
        fig.colorbar(coll, ax=ax, fraction=0.035, pad=0.01, label=f"share of runs in which {FACTION_NAMES[faction]} holds the town")
    else:
        handles = draw_control(ax, lay, first)
    # A real title before the layout is fixed, so there is room for the dates that replace it.
    title = ax.set_title(f"{_what(results)}: {results.start + dt.timedelta(days=frames[-1]):%d %B %Y}", fontsize=11)
    _legend(fig, handles, fontsize=7.5)
    _freeze(fig)
    _finish_labels(ax, lay, main_towns(t), fontsize=7.5)
    _scale_bar(ax, lay)
    # Captions go in the legend's column, under it, where they hide nothing.
    box = fig.legends[0].get_window_extent().transformed(fig.transFigure.inverted())
    note = fig.text(box.x0 + 0.01, box.y0 - 0.04, "", fontsize=8, va="top", ha="left", color="#202020", wrap=True)
    log = run.events

    def draw(k: int) -> None:
        day = frames[k]
        for artist in [*ax.collections, *ax.patches, *ax.lines]:
            if artist.get_gid() in _DYNAMIC:
                artist.remove()
        s = state(day)
        if ensemble:
            _draw_probability_layers(ax, lay, s, faction)
        else:
            _draw_control_layers(ax, lay, s)
        date = results.start + dt.timedelta(days=day)
        title.set_text(f"{_what(results)}: {date:%d %B %Y}")
        since = (results.start + dt.timedelta(days=frames[k - 1] + 1)).isoformat() if k else date.isoformat()
        if ensemble:
            note.set_text("")
        else:
            today = log[(log["date"] >= since) & (log["date"] <= date.isoformat())]
            lines = [c for c in (caption(*row) for row in today[["type", "town", "detail"]].itertuples(index=False)) if c]
            note.set_text("\n".join(lines[:5] + ([f"… and {len(lines) - 5} more"] if len(lines) > 5 else [])))

    anim = animation.FuncAnimation(fig, draw, frames=len(frames), interval=1000 / fps, repeat=False)
    out = Path(out) if out else results.path / "control.gif"
    written = [_save_animation(anim, out, animation.PillowWriter(fps=fps))]
    if animation.writers.is_available("ffmpeg"):
        written.append(_save_animation(anim, out.with_suffix(".mp4"), animation.FFMpegWriter(fps=fps)))
    _plt().close(fig)
    return written


_DYNAMIC = {"territory", "probability", "front", "corridor", "patrol_route", "patrol_reached", "towns", "posts",
            "posts_encircled", "military_police"}


def _draw_control_layers(ax: Axes, lay: Layout, state: MapState) -> tuple[bool, bool]:
    """The parts of :func:`draw_control` that change from day to day; returns (intact posts, encircled posts) drawn."""
    _territory(ax, lay, [tint(FACTION_COLOURS[HOLDERS[c]]) for c in state.controller])
    _front(ax, lay, front_ridges(lay, state.controller))
    if state.corridor is not None:
        _corridor(ax, lay, state.corridor)
    _patrols(ax, lay, state.patrols)
    _towns(ax, lay, state.controller)
    return _posts(ax, lay, state)


def _draw_probability_layers(ax: Axes, lay: Layout, es: EnsembleState, faction: str):  # noqa: ANN202
    """The parts of :func:`draw_probability` that change from day to day.

    Returns:
        (the shaded collection, whether intact posts were drawn, whether encircled ones were).
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import Normalize

    p = es.probability[:, HOLDERS.index(faction)]
    polys = [ring for rings in lay.cells for ring in rings]
    index = np.repeat(np.arange(len(lay.cells)), [len(c) for c in lay.cells])
    coll = PolyCollection(polys, array=p[index], cmap=faction_cmap(faction), norm=Normalize(0, 1), edgecolors="#C8C8C8",
                          linewidths=0.3, zorder=1, gid="probability")
    coll.town_index = index  # which town each polygon is
    ax.add_collection(coll)
    if es.state.corridor is not None:
        _corridor(ax, lay, es.state.corridor)
    _patrols(ax, lay, es.state.patrols)
    _towns(ax, lay, None, size=0.5, face=[FACTION_COLOURS[HOLDERS[c]] for c in np.argmax(es.probability, axis=1)])
    s = es.state
    intact, enc = _posts(ax, lay, MapState(es.date, es.controllers[0], s.posts, es.encircled_share > 0.5, s.military_police))
    return coll, intact, enc


def _save_animation(anim, path: Path, writer) -> Path:  # noqa: ANN001
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}{path.suffix}")
    try:
        anim.save(tmp, writer=writer, dpi=72)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
