"""The theatre: towns, roads and observation posts, loaded from plain files.

A theatre is a small YAML index (``scenarios/theatres/<name>.yaml``) naming
CSV tables of towns, roads, posts and a border line. The engine knows no
particular place: everything here is read from those files, and every fact
in them carries its source.

Coordinates are WGS84 degrees; distances use a local equirectangular
projection (good to well under 1% across a theatre a few hundred km wide).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from ..errors import InputError, did_you_mean
from ..names import HOLDERS
from .files import not_a_file, read_input, stamp
from .safe_yaml import load_yaml

EARTH_KM_PER_DEG = 111.195
CSV_LIMIT = 256 * 2**20  # far above a 10,000-town theatre (about 1 MB of towns)


@dataclass(frozen=True)
class Post:
    """A Turkish observation post attached to a town."""

    id: str
    name: str
    town: int
    established: str  # an ISO date, possibly partial (2018, 2018-02); empty when not yet established
    source: str

    def standing_on(self, date: dt.date) -> bool:
        """Whether the post stands on ``date``: established on or before it (a partial date counts from its first day)."""
        if not self.established:
            return False
        parts = [int(p) for p in self.established.split("-")]
        return dt.date(parts[0], *(parts[1:] + [1, 1])[:2]) <= date


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

    @property
    def n(self) -> int:
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
        return sorted(set(self.edge_road.tolist()))

    def town(self, name: str) -> int:
        """Index of a town by name or alternative spelling (case-insensitive)."""
        try:
            return self.aliases[name.casefold()]
        except KeyError:
            raise KeyError(f"unknown town '{name}'" + did_you_mean(name, self.towns)) from None

    @functools.cached_property
    def graph(self) -> nx.Graph:
        """The road network: nodes are town indices, edges carry km and road class."""
        g = nx.Graph(name=self.name)
        for i, name in enumerate(self.towns):
            g.add_node(i, name=name, pos=(float(self.lon[i]), float(self.lat[i])))
        for u, v, km, road in zip(self.edge_u, self.edge_v, self.edge_km, self.edge_road, strict=True):
            g.add_edge(int(u), int(v), km=float(km), road=str(road))
        return g

    def road_path(self, a: int, b: int, road: str) -> tuple[list[int], np.ndarray]:
        """Towns along ``road`` from ``a`` to ``b`` and the cumulative km at each."""
        sub = self.graph.edge_subgraph((u, v) for u, v, r in self.graph.edges(data="road") if r == road)
        nodes = nx.shortest_path(sub, a, b, weight="km")
        km = [0.0] + [sub.edges[u, v]["km"] for u, v in zip(nodes, nodes[1:])]
        return nodes, np.cumsum(km)

    def _once(self, key: tuple, build):  # noqa: ANN001, ANN202 - any derived structure
        """Build a derived structure the first time it is asked for, then share it read-only."""
        if key not in self._derived:
            value = build()
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            self._derived[key] = value
        return self._derived[key]

    @property
    def adjacency(self) -> csr_matrix:
        """Sparse road adjacency: row ``i`` lists the towns one road away from town ``i``."""

        def build() -> csr_matrix:
            u, v = np.concatenate([self.edge_u, self.edge_v]), np.concatenate([self.edge_v, self.edge_u])
            return csr_matrix((np.ones(len(u), bool), (u, v)), shape=(self.n, self.n))

        return self._once(("adjacency",), build)

    def road_towns(self, road: str) -> np.ndarray:
        """Boolean mask of towns on ``road`` (read-only)."""

        def build() -> np.ndarray:
            mask = np.zeros(self.n, bool)
            on = self.edge_road == road
            mask[self.edge_u[on]] = True
            mask[self.edge_v[on]] = True
            return mask

        return self._once(("road_towns", road), build)

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
            half = np.linalg.norm(b - a, axis=1) / 2
            tree = cKDTree(self.xy)
            near = tree.query_ball_point((a + b) / 2, half + width_km)
            for k, towns in enumerate(near):
                if towns:
                    p, ab = self.xy[towns], b[k] - a[k]
                    t = np.clip(((p - a[k]) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0, 1)
                    d = np.linalg.norm(p - (a[k] + t[:, None] * ab), axis=-1)
                    mask[np.asarray(towns)[d <= width_km]] = True
            return mask

        return self._once(("near_road", road, float(width_km)), build)

    def within(self, radius_km: float) -> csr_matrix:
        """Sparse boolean matrix of town pairs closer than ``radius_km`` (diagonal included)."""

        def build() -> csr_matrix:
            tree = cKDTree(self.xy)
            pairs = tree.query_pairs(radius_km, output_type="ndarray")
            i = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(self.n)])
            j = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(self.n)])
            return csr_matrix((np.ones(len(i), bool), (i, j)), shape=(self.n, self.n))

        return self._once(("within", float(radius_km)), build)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

_CONTROL_COLUMN = re.compile(r"^controller_(\d{4})_(\d{2})_(\d{2})$")


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = read_input(path, CSV_LIMIT).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "file is not valid UTF-8 text") from None
    # A short row reads as empty fields (not None), so the checks below name
    # the line and the missing column instead of crashing on None.
    reader = csv.DictReader(text.splitlines(), restval="")
    header = reader.fieldnames or []
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:  # DictReader would silently keep the last of them
        raise InputError(path, f"column '{twice[0]}' appears twice", line=1, key=twice[0])
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"missing column(s): {', '.join(missing)}", line=1)
    rows = []
    for row in reader:
        if None in row:  # an unquoted comma in a name shifts every later column
            raise InputError(path, f"{len(header) + len(row[None])} fields, but the header has {len(header)}", line=reader.line_num)
        rows.append((reader.line_num, row))
    return rows


def _number(path: Path, line: int, key: str, value: str, *, lo: float, hi: float) -> float:
    try:
        x = float(value)
    except ValueError:
        raise InputError(path, f"'{value}' is not a number", line=line, key=key) from None
    if not lo <= x <= hi:
        raise InputError(path, f"{x} is outside [{lo}, {hi}]", line=line, key=key)
    return x


def _haversine_km(lat1, lon1, lat2, lon2):  # noqa: ANN001, ANN202 - numpy arrays
    p1, p2 = np.deg2rad(lat1), np.deg2rad(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.deg2rad(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path, key: tuple) -> Theatre:
    return _load(path)


def load_theatre(path: str | Path) -> Theatre:
    """Load a theatre index and its tables (cached while the files are unchanged)."""
    path = Path(path).resolve()
    files = _index_files(path, stamp(path, CSV_LIMIT))
    return _load_cached(path, tuple(stamp(f, CSV_LIMIT) for f in files))


@functools.lru_cache(maxsize=8)
def _index_files(path: Path, key: tuple) -> tuple[Path, ...]:
    """The index and the tables it names (parsed again only when the index changes)."""
    index = load_yaml(path)
    return (path, *(path.parent / str(index[k]) for k in ("towns", "roads", "posts", "border") if k in index))


def _load(path: Path) -> Theatre:
    index = load_yaml(path)
    allowed = {"name", "description", "towns", "roads", "posts", "border", "road_detour", "default_population", "sources"}
    for key in index:
        if key not in allowed:
            raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), allowed), line=index.lines[key][1], key=str(key))
    for key in ("name", "towns", "roads"):
        if key not in index:
            raise InputError(path, f"missing required key '{key}'", line=1)
    for key in ("towns", "roads", "posts", "border"):
        if key in index and not isinstance(index[key], str):
            raise InputError(path, f"'{key}' must be the name of a CSV file", line=index.lines[key][1], key=key)
        problem = not_a_file(path.parent / index[key]) if key in index else None
        if problem:
            raise InputError(path, f"'{key}' names {problem}: {index[key]}", line=index.lines[key][1], key=key)
    detour = _number(path, index.lines.get("road_detour", (0, None))[1], "road_detour", str(index.get("road_detour", 1.0)), lo=1.0, hi=5.0)
    default_pop = _number(path, index.lines.get("default_population", (0, None))[1], "default_population", str(index.get("default_population", 0)), lo=0, hi=1e8)

    towns_file = path.parent / str(index["towns"])
    rows = _rows(towns_file, ("name", "lat", "lon", "population"))
    names: list[str] = []
    aliases: dict[str, int] = {}
    lat, lon, pop = [], [], []
    control_cols = [c for c in rows[0][1] if isinstance(c, str) and _CONTROL_COLUMN.match(c)] if rows else []
    if not control_cols:
        raise InputError(towns_file, "no controller_YYYY_MM_DD column", line=1)
    control: dict[dt.date, list[int]] = {}
    for col in control_cols:
        try:
            day = dt.date(*map(int, _CONTROL_COLUMN.match(col).groups()))
        except ValueError as exc:
            raise InputError(towns_file, f"column '{col}' is not a date ({exc})", line=1, key=col) from None
        control[day] = []
    for line, row in rows:
        name = row["name"].strip()
        if not name:
            raise InputError(towns_file, "empty town name", line=line, key="name")
        for alias in [name, *(a.strip() for a in (row.get("alt_names") or "").split(";"))]:
            if not alias:
                continue
            other = aliases.get(alias.casefold())
            if other is not None and other != len(names):
                raise InputError(towns_file, f"name '{alias}' also names '{names[other]}'", line=line, key="alt_names")
            aliases[alias.casefold()] = len(names)
        names.append(name)
        lat.append(_number(towns_file, line, "lat", row["lat"], lo=-90, hi=90))
        lon.append(_number(towns_file, line, "lon", row["lon"], lo=-180, hi=180))
        raw_pop = (row["population"] or "").strip()
        pop.append(_number(towns_file, line, "population", raw_pop, lo=0, hi=1e8) if raw_pop else default_pop)
        for col, day in zip(control_cols, control, strict=True):
            holder = row[col].strip()
            if holder not in HOLDERS:
                raise InputError(towns_file, f"controller '{holder}' is not one of {', '.join(HOLDERS)}", line=line, key=col)
            control[day].append(HOLDERS.index(holder))

    roads_file = path.parent / str(index["roads"])
    eu, ev, km, road = [], [], [], []
    seen: set[tuple[int, int]] = set()
    for line, row in _rows(roads_file, ("from", "to", "road")):
        ends = []
        for key in ("from", "to"):
            i = aliases.get(row[key].strip().casefold())
            if i is None:
                raise InputError(roads_file, f"unknown town '{row[key]}'" + did_you_mean(row[key], names), line=line, key=key)
            ends.append(i)
        u, v = ends
        if u == v or (min(u, v), max(u, v)) in seen:
            raise InputError(roads_file, "road is a loop or a duplicate", line=line)
        seen.add((min(u, v), max(u, v)))
        length = (row.get("length_km") or "").strip()
        km.append(
            _number(roads_file, line, "length_km", length, lo=0.01, hi=2000)
            if length
            else detour * float(_haversine_km(lat[u], lon[u], lat[v], lon[v]))
        )
        eu.append(u)
        ev.append(v)
        road.append(row["road"].strip())

    posts: list[Post] = []
    if "posts" in index:
        posts_file = path.parent / str(index["posts"])
        for line, row in _rows(posts_file, ("post_id", "name", "town", "established")):
            i = aliases.get(row["town"].strip().casefold())
            if i is None:
                raise InputError(posts_file, f"unknown town '{row['town']}'" + did_you_mean(row["town"], names), line=line, key="town")
            posts.append(Post(row["post_id"].strip(), row["name"].strip(), i, row["established"].strip(), (row.get("source") or "").strip()))

    border = np.zeros((0, 2))
    if "border" in index:
        border_file = path.parent / str(index["border"])
        border = np.array(
            [
                [_number(border_file, line, "lat", r["lat"], lo=-90, hi=90), _number(border_file, line, "lon", r["lon"], lo=-180, hi=180)]
                for line, r in _rows(border_file, ("lat", "lon"))
            ]
        )

    files = [path, towns_file, roads_file] + [path.parent / str(index[k]) for k in ("posts", "border") if k in index]
    return Theatre(
        name=str(index["name"]),
        path=path,
        files=files,
        towns=names,
        lat=np.array(lat),
        lon=np.array(lon),
        population=np.array(pop, dtype=float),
        control={day: np.array(v, dtype=np.int8) for day, v in control.items()},
        edge_u=np.array(eu, dtype=np.int64),
        edge_v=np.array(ev, dtype=np.int64),
        edge_km=np.array(km),
        edge_road=np.array(road),
        posts=posts,
        border=border,
        aliases=aliases,
    )
