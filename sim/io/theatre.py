"""The theatre: towns, roads and observation posts, as arrays and the structures derived from them.

A theatre is a small YAML index (``scenarios/theatres/<name>.yaml``) naming
CSV tables of towns, roads, posts and a border line; :mod:`sim.io.theatre_tables`
reads them. The engine knows no particular place: everything here comes from
those files, and every fact in them carries its source.

Towns have a kind (town, village, hill, base, camp: camps are where the
displaced go, never objectives). Turkish posts are sites at their own
coordinates, each overlooking the towns listed beside it: a post can be
bypassed and cut off, and the town beside it taken.

Coordinates are WGS84 degrees; distances use a local equirectangular
projection (good to well under 1% across a theatre a few hundred km wide).
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import did_you_mean, shown_path
from .files import as_path, stamp
from .theatre_tables import CSV_LIMIT, first_day, index_files, read_tables

if TYPE_CHECKING:  # networkx and scipy load only when a structure needs them: `check` never does
    import networkx as nx
    from scipy.sparse import csr_matrix

EARTH_KM_PER_DEG = 111.195


@dataclass(frozen=True)
class Post:
    """A Turkish observation post: a site, and the towns it overlooks (the first is the nearest)."""

    id: str
    name: str
    towns: tuple[int, ...]
    established: str  # an ISO date, possibly partial (2018, 2018-02); empty when not yet established
    source: str
    lat: float
    lon: float

    def standing_on(self, date: dt.date) -> bool:
        """Whether the post stands on ``date``: established on or before it (a partial date counts from its first day)."""
        return bool(self.established) and first_day(self.established) <= date


@dataclass(frozen=True)
class NeighbourTable:
    """The road network as a padded table: one row of neighbours per town.

    Missing entries point at the town itself and are masked off by ``valid``,
    so a question about a town's neighbours in every replicate is one gather.
    ``roads`` holds the same roads as a sparse matrix, for counting: "how
    many of my neighbours does the government hold" over every town of every
    replicate is one sparse product, several times quicker than a gather and
    a sum over the padded table.
    """

    nbr: np.ndarray  # (towns, K) neighbour indices
    valid: np.ndarray  # (towns, K) which entries are real roads
    km: np.ndarray  # (towns, K) road km to each neighbour (inf where padded)
    roads: csr_matrix  # (towns, towns) float32: 1 where a road joins town i to town j
    degree: np.ndarray  # (towns,) how many roads end at each town
    adjacent: tuple[tuple[int, ...], ...]  # each town's neighbours as plain ints, for searches too small for numpy


class NoRoadPath(ValueError):
    """A road does not join two towns."""


@dataclass
class Theatre:
    """Towns, roads and posts as arrays, plus a networkx view of the roads."""

    name: str
    path: Path
    files: list[Path]
    towns: list[str]
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    kind: np.ndarray  # each town's kind, one of KINDS
    belt: np.ndarray  # the named belt of the front a town belongs to ("" for none)
    control: dict[dt.date, np.ndarray]
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_km: np.ndarray
    edge_road: np.ndarray
    posts: list[Post]
    border: np.ndarray  # (k, 2) lat, lon
    aliases: dict[str, int] = field(repr=False)
    # Derived structures (neighbourhoods, road masks) built once per theatre and
    # shared by every model run on it: the loader caches theatres, so a sweep of
    # thousands of runs builds them once. They are read-only for that reason.
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        # At a prompt, the dataclass's own repr printed every town and coordinate: some 30,000 characters.
        return (f"Theatre({self.name!r}, {len(self.towns)} towns, {len(self.edge_u)} roads, {len(self.posts)} posts, "
                f"path={str(self.path)!r})")

    @property
    def n(self) -> int:
        """How many towns."""
        return len(self.towns)

    @functools.cached_property
    def xy(self) -> np.ndarray:
        """Town positions in km on a local projection (x east, y north)."""
        lat0 = np.deg2rad(self.lat.mean())
        return np.column_stack(
            [self.lon * EARTH_KM_PER_DEG * np.cos(lat0), self.lat * EARTH_KM_PER_DEG]
        )

    @property
    def roads(self) -> list[str]:
        """The roads the edges lie on (``M4``, ``M5``, ``secondary``), each once, sorted."""
        return sorted(set(self.edge_road.tolist()))

    def post_index(self, post_id: str) -> int:
        """Index of a post by its id."""
        for k, post in enumerate(self.posts):
            if post.id == post_id:
                return k
        raise KeyError(f"unknown post '{post_id}'" + did_you_mean(post_id, [p.id for p in self.posts]))

    def town(self, name: str) -> int:
        """Index of a town by name or alternative spelling (case-insensitive)."""
        try:
            return self.aliases[name.casefold()]
        except KeyError:
            raise KeyError(f"unknown town '{name}'" + self._suggest(name)) from None

    def _suggest(self, name: str) -> str:
        """The did-you-mean for an unknown town: the towns whose name is ``name`` with a qualifier ('Nayrab' for
        'Nayrab (Idlib)'), which difflib rates as far off as any other name ("did you mean 'Saraqib'?"), else the
        closest name."""
        qualified = [t for t in self.towns if t.partition(" (")[0].casefold() == name.strip().casefold()]
        if len(qualified) == 1:
            return f" (did you mean '{qualified[0]}'?)"
        if qualified:
            return f" (did you mean one of: {', '.join(repr(t) for t in qualified)}?)"
        guess = did_you_mean(name, self.towns)
        listed = next((f for f in self.files if f.name.endswith(".towns.csv")), None)
        if guess or listed is None:
            return guess
        # Nothing close among the places: say where they are listed, with the other spellings each accepts.
        return (f" (no place in the theatre has that name or spelling: its {len(self.towns)} places are the 'name' column "
                f"of {shown_path(str(listed))}, their other spellings in 'alt_names')")

    @functools.cached_property
    def graph(self) -> nx.Graph:
        """The road network: nodes are town indices, edges carry km and road class."""
        import networkx as nx

        g = nx.Graph(name=self.name)
        for i, name in enumerate(self.towns):
            g.add_node(i, name=name, pos=(float(self.lon[i]), float(self.lat[i])))
        for u, v, km, road in zip(self.edge_u, self.edge_v, self.edge_km, self.edge_road, strict=True):
            g.add_edge(int(u), int(v), km=float(km), road=str(road))
        return g

    def road_path(self, a: int, b: int, road: str) -> tuple[list[int], np.ndarray]:
        """Towns along ``road`` from ``a`` to ``b`` (the shortest way on it) and the cumulative km at each.

        A plain Dijkstra over the road's own edges: ``check`` needs it, and networkx or scipy would
        double its start-up.

        Raises:
            NoRoadPath: ``road`` does not join ``a`` to ``b``.
        """
        links: dict[int, list[tuple[int, float]]] = {}
        for u, v, km, r in zip(self.edge_u.tolist(), self.edge_v.tolist(), self.edge_km.tolist(), self.edge_road, strict=True):
            if r == road:
                links.setdefault(u, []).append((v, km))
                links.setdefault(v, []).append((u, km))
        best, before, queue = {a: 0.0}, {a: -1}, [(0.0, a)]
        while queue:
            dist, town = heapq.heappop(queue)
            if town == b:
                break
            if dist > best[town]:
                continue
            for nxt, km in links.get(town, ()):
                if dist + km < best.get(nxt, math.inf):
                    best[nxt], before[nxt] = dist + km, town
                    heapq.heappush(queue, (dist + km, nxt))
        if b not in before or a not in links:
            raise NoRoadPath(f"no path along the {road} from {self.towns[a]} to {self.towns[b]}")
        nodes = [b]
        while before[nodes[-1]] != -1:
            nodes.append(before[nodes[-1]])
        nodes.reverse()
        return nodes, np.array([best[t] for t in nodes])

    def _once(self, key: tuple, build):  # noqa: ANN001, ANN202 - any derived structure
        """Build a derived structure the first time it is asked for, then share it read-only."""
        if key not in self._derived:
            value = build()
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            self._derived[key] = value
        return self._derived[key]

    @property
    def neighbour_table(self) -> NeighbourTable:
        """The roads as a padded neighbour table (see :class:`NeighbourTable`)."""

        def build() -> NeighbourTable:
            ends = np.concatenate([self.edge_u, self.edge_v])
            others = np.concatenate([self.edge_v, self.edge_u])
            lengths = np.concatenate([self.edge_km, self.edge_km])
            order = np.lexsort((others, ends))
            ends, others, lengths = ends[order], others[order], lengths[order]
            degree = np.bincount(ends, minlength=self.n)
            width = max(int(degree.max(initial=0)), 1)
            nbr = np.repeat(np.arange(self.n)[:, None], width, axis=1)
            km = np.full((self.n, width), np.inf)
            slot = np.arange(len(ends)) - np.repeat(np.cumsum(degree) - degree, degree)
            nbr[ends, slot] = others
            km[ends, slot] = lengths
            valid = np.isfinite(km)
            for a in (nbr, km, valid, degree):
                a.setflags(write=False)
            from scipy.sparse import csr_matrix

            roads = csr_matrix((np.ones(len(ends), np.float32), (ends, others)), shape=(self.n, self.n))
            adjacent = tuple(tuple(row[ok].tolist()) for row, ok in zip(nbr, valid, strict=True))
            return NeighbourTable(nbr, valid, km, roads, degree, adjacent)

        return self._once(("neighbour_table",), build)

    @property
    def road_distance(self) -> np.ndarray:
        """(towns, towns) shortest road km between every pair of towns (inf where no road leads)."""

        def build() -> np.ndarray:
            from scipy.sparse import csr_matrix
            from scipy.sparse.csgraph import dijkstra

            graph = csr_matrix((self.edge_km, (self.edge_u, self.edge_v)), shape=(self.n, self.n))
            return dijkstra(graph, directed=False)

        return self._once(("road_distance",), build)

    @property
    def post_links(self) -> csr_matrix:
        """(posts, towns) sparse, float32: 1 where a post overlooks a town."""

        def build() -> csr_matrix:
            from scipy.sparse import csr_matrix

            links = np.zeros((len(self.posts), self.n), np.float32)
            for k, post in enumerate(self.posts):
                links[k, list(post.towns)] = 1.0
            return csr_matrix(links)

        return self._once(("post_links",), build)

    @property
    def town_post_links(self) -> csr_matrix:
        """(towns, posts) sparse, float32: :attr:`post_links` turned round, once, for "which posts overlook this town"."""
        return self._once(("town_post_links",), lambda: self.post_links.T.tocsr())

    @property
    def post_reach(self) -> csr_matrix:
        """(posts, towns) sparse, float32: 1 where a post overlooks a town or a town one road from it (the fighting
        that puts its soldiers under fire), so that "posts by the fighting" is one product, not two."""

        def build() -> csr_matrix:
            from scipy.sparse import csr_matrix, identity

            beside = identity(self.n, np.float32, format="csr") + self.neighbour_table.roads
            return csr_matrix(((self.post_links @ beside) > 0).astype(np.float32))

        return self._once(("post_reach",), build)

    def road_towns(self, road: str) -> np.ndarray:
        """Boolean mask of towns on ``road`` (read-only)."""

        def build() -> np.ndarray:
            mask = np.zeros(self.n, bool)
            on = self.edge_road == road
            mask[self.edge_u[on]] = True
            mask[self.edge_v[on]] = True
            return mask

        return self._once(("road_towns", road), build)

    def areas(self, passable: np.ndarray) -> np.ndarray:
        """(towns,) the part of the road network each ``passable`` town is in, -1 for the others (read-only).

        Two passable towns are in one part, numbered by its lowest town, where roads join them through passable towns
        only. Numpy alone: ``check`` needs it, and scipy would double its start-up.
        """

        def build() -> np.ndarray:
            area = np.where(passable, np.arange(self.n), -1)  # each passable town a part of its own, until joined
            both = passable[self.edge_u] & passable[self.edge_v]
            u, v = self.edge_u[both], self.edge_v[both]
            while not np.array_equal(area[u], area[v]):  # both ends of each such road take the lower number
                low = np.minimum(area[u], area[v])
                np.minimum.at(area, u, low)
                np.minimum.at(area, v, low)
            return area

        return self._once(("areas", np.asarray(passable, bool).tobytes()), build)

    def near_road(self, road: str, width_km: float) -> np.ndarray:
        """Boolean mask of towns within ``width_km`` of any segment of ``road`` (read-only)."""

        def build() -> np.ndarray:
            on = self.edge_road == road
            a, b = self.xy[self.edge_u[on]], self.xy[self.edge_v[on]]
            mask = np.zeros(self.n, bool)
            if not len(a):
                return mask
            # Only towns within reach of a segment's nearer end can be within
            # width of it: a k-d tree keeps this linear in towns, not towns x segments.
            from scipy.spatial import cKDTree

            half = np.linalg.norm(b - a, axis=1) / 2
            tree = cKDTree(self.xy)
            near = tree.query_ball_point((a + b) / 2, half + width_km)
            for k, towns in enumerate(near):
                if towns:
                    d = km_to_segments(self.xy[towns], a[k], b[k])
                    mask[np.asarray(towns)[d <= width_km]] = True
            return mask

        return self._once(("near_road", road, float(width_km)), build)

    @property
    def border_km(self) -> np.ndarray:
        """(towns,) straight-line km from each town to the theatre's border line (inf without one), read-only."""

        def build() -> np.ndarray:
            if len(self.border) == 0:
                return np.full(self.n, np.inf)
            lat0 = np.deg2rad(self.lat.mean())
            scale = np.array([EARTH_KM_PER_DEG, EARTH_KM_PER_DEG * np.cos(lat0)])
            pts = self.border * scale  # (k, 2) km north, km east
            towns_km = np.column_stack([self.lat, self.lon]) * scale
            if len(pts) == 1:
                return np.linalg.norm(towns_km - pts[0], axis=1)
            return km_to_segments(towns_km[:, None, :], pts[:-1], pts[1:]).min(axis=1)  # to the nearest segment

        return self._once(("border_km",), build)  # every model built on the theatre reads it (its rear)

    def within(self, radius_km: float) -> csr_matrix:
        """Sparse matrix, 1 for each pair of towns closer than ``radius_km`` (diagonal included), float32 for quick products."""

        def build() -> csr_matrix:
            from scipy.sparse import csr_matrix
            from scipy.spatial import cKDTree

            tree = cKDTree(self.xy)
            pairs = tree.query_pairs(radius_km, output_type="ndarray")
            i = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(self.n)])
            j = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(self.n)])
            return csr_matrix((np.ones(len(i), np.float32), (i, j)), shape=(self.n, self.n))

        return self._once(("within", float(radius_km)), build)


def km_to_segments(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each of ``points`` (..., 2) to the segment from ``a`` to ``b`` (broadcast with them), in their units."""
    ab = b - a
    t = np.clip(((points - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0.0, 1.0)  # the nearest point's place
    return np.linalg.norm(points - (a + t[..., None] * ab), axis=-1)


# --------------------------------------------------------------------------
# Loading (the tables are read by sim.io.theatre_tables)
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path, key: tuple) -> Theatre:
    tables = read_tables(path)
    tables["posts"] = [Post(*fields) for fields in tables["posts"]]
    return Theatre(**tables)


def load_theatre(path: str | Path) -> Theatre:
    """Load a theatre index and its tables (cached while the files are unchanged)."""
    path = as_path(path).resolve()
    files = index_files(path, stamp(path, CSV_LIMIT))
    return _load_cached(path, tuple(stamp(f, CSV_LIMIT) for f in files))
