"""The theatre's drawable geometry: territory cells, the outline, the border, front lines between cells.

Territory is each town's Voronoi (Thiessen) cell on the theatre's local
projection, clipped to the towns' buffered convex hull and cut by the border
line: an approximation of who holds the ground between towns, not a survey.
No cell reaches farther than :data:`CELL_REACH` times the typical distance
between neighbouring towns: ground farther than that from every town is left
out of the theatre (a lone town's cell would otherwise claim everything up to
the hull: Kabani's ran 38 km south through government-held ground).
It is computed once per theatre (:func:`layout`) and shared by every map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import Voronoi
from matplotlib.path import Path as MplPath
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import polylabel, split, unary_union

from ..io.theatre import EARTH_KM_PER_DEG, Theatre
from ..names import HolderCode

OUTLINE_BUFFER_KM = 6.0  # the theatre outline reaches this far beyond the outermost towns
CELL_REACH = 3.0  # a town's cell reaches at most this many times the typical distance between neighbouring towns


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

    def outline_path(self) -> MplPath:
        """The outline as one lon/lat path, holes and all (ground enclosed by towns but far from each is not the theatre's)."""
        rings = []
        for p in getattr(self.outline, "geoms", [self.outline]):
            if p.geom_type == "Polygon" and not p.is_empty:
                p = orient(p)  # exterior anticlockwise, holes clockwise: holes stay empty whatever the fill rule
                rings += [self.unscale(np.asarray(r.coords)) for r in (p.exterior, *p.interiors)]
        return MplPath.make_compound_path(*(MplPath(r, closed=True) for r in rings)) if rings else MplPath(np.zeros((0, 2)))

    def stretches(self, road: str, touching: np.ndarray | None = None) -> np.ndarray:
        """Mask of the theatre's edges that are ``road``'s; with ``touching`` (a mask of towns), only those with an
        end among them."""
        t = self.theatre
        on = t.edge_road == road
        return on if touching is None else on & (touching[t.edge_u] | touching[t.edge_v])

    def band(self, road: str, width_km: float, touching: np.ndarray | None = None) -> list[np.ndarray]:
        """The area within ``width_km`` of ``road`` (both sides), clipped to the outline; with ``touching``, of the
        road's :meth:`stretches` with an end among those towns only."""
        t = self.theatre
        on = self.stretches(road, touching)
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


def _voronoi(unique: np.ndarray) -> Voronoi:
    """The Voronoi diagram of the distinct town positions, with four far points that close every town's cell."""
    c, span = unique.mean(axis=0), max(np.ptp(unique[:, 0]), np.ptp(unique[:, 1]), 0.1)
    far = c + 20 * span * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])
    return Voronoi(np.vstack([unique, far]))


def cell_reach(vor: Voronoi, towns: int) -> float | None:
    """How far a town's cell may reach from it: :data:`CELL_REACH` times the median distance between towns whose
    cells touch (the first ``towns`` points of ``vor``); None without two neighbouring towns to measure by."""
    pairs = vor.ridge_points[(vor.ridge_points < towns).all(axis=1)]
    if not len(pairs):
        return None
    return CELL_REACH * float(np.median(np.linalg.norm(vor.points[pairs[:, 0]] - vor.points[pairs[:, 1]], axis=1)))


def _layout(t: Theatre) -> Layout:
    kx = float(np.cos(np.deg2rad(t.lat.mean())))
    pts = np.column_stack([t.lon * kx, t.lat])
    unique, first = np.unique(pts, axis=0, return_inverse=True)  # towns sharing a position share a cell
    vor = _voronoi(unique)
    outline = MultiPoint(pts).convex_hull.buffer(OUTLINE_BUFFER_KM / EARTH_KM_PER_DEG, quad_segs=6)
    radius = cell_reach(vor, len(unique))
    if radius is not None:  # ground farther than that from every town is left out of the theatre: no town speaks for it
        outline = outline.intersection(unary_union([Point(q).buffer(radius, quad_segs=16) for q in unique]))
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
    gov = np.asarray(controller) == HolderCode.REGIME
    return gov[..., u] != gov[..., v]


def front_shares(lay: Layout, controllers: np.ndarray) -> np.ndarray:
    """For every ridge between two cells: the share of replicates in which it is a front."""
    if not lay.ridges:
        return np.zeros(0)
    return front_ridges(lay, controllers).mean(axis=0)
