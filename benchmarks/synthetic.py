"""Synthetic theatres of any size, for measuring how a day's cost grows with the map.

A synthetic theatre is written in exactly the format of
``scenarios/theatres/idlib.*`` (a YAML index naming CSV tables of towns,
roads, posts and a border line), so the model loads and runs it through the
same code and the same rules as the real one. Only the geography is invented:

- towns are uniformly random points at the Idlib theatre's density (about
  one town per 270 km², so neighbourhoods such as the 12 km strike radius
  hold the same number of towns whatever the size);
- roads are the Gabriel graph of the towns (a planar, connected subgraph of
  the Delaunay triangulation, about two roads per town, like a rural road
  network);
- two trunk roads named ``M4`` (west-east through the middle) and ``M5``
  (south-north) are shortest paths across that graph and cross at a
  junction, so the calibrated objective roads of ``scenarios/common`` apply;
- the government holds the south, HTS the north-west and the rebels the
  north-east, with Turkish posts at opposition towns near the front and a
  border line along the north.

The scenario extends ``scenarios/common/idlib.yaml`` (the calibrated
parameters) and adds an offensive up the M5, a truce that may break,
Turkish intervention, and an M4 agreement with a corridor and weekly joint
patrols, so that every rule of the model runs.

This is benchmark tooling, not part of the ``sim`` package: it creates no
facts the model relies on, and a user never needs it to run a scenario. The
tests import it to check that a synthetic theatre loads and runs.

Example::

    python benchmarks/synthetic.py 1000 /tmp/syn   # writes a theatre and a scenario
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import yaml
from scipy.spatial import Delaunay, cKDTree

ROOT = Path(__file__).resolve().parents[1]
COMMON = ROOT / "scenarios" / "common" / "idlib.yaml"

KM_PER_DEG = 111.195
KM2_PER_TOWN = 270.0  # the Idlib theatre: 72 towns over roughly 19,500 km²
# Centred on the equator so that the model's local equirectangular projection
# stays accurate even across the ~1,600 km of a 10,000-town theatre.
LAT0, LON0 = 0.0, 30.0
START = dt.date(2019, 12, 1)


def _towns(n: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    side = float(np.sqrt(n * KM2_PER_TOWN))
    return rng.uniform(0.0, side, size=(n, 2)), side


def _gabriel_edges(xy: np.ndarray) -> np.ndarray:
    """Delaunay edges whose diametral circle holds no other town: a planar, connected road graph."""
    tri = Delaunay(xy)
    indptr, indices = tri.vertex_neighbor_vertices
    u = np.repeat(np.arange(len(xy)), np.diff(indptr))
    edges = np.column_stack([u, indices])
    edges = edges[edges[:, 0] < edges[:, 1]]
    mid = xy[edges].mean(axis=1)
    radius = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1) / 2
    # The two ends lie on the circle; a third town strictly inside would be among the 3 nearest.
    dist, idx = cKDTree(xy).query(mid, k=3)
    other = (idx != edges[:, [0]]) & (idx != edges[:, [1]])
    inside = (other & (dist < radius[:, None] * (1 - 1e-9))).any(axis=1)
    return edges[~inside]


def _trunk(g: nx.Graph, xy: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[int]:
    """Towns on the shortest road path between the towns nearest to points ``a`` and ``b``."""
    tree = cKDTree(xy)
    src, dst = int(tree.query(a)[1]), int(tree.query(b)[1])
    return nx.shortest_path(g, src, dst, weight="km")


def _segments(path: list[int]) -> list[tuple[int, int]]:
    return [(min(p, q), max(p, q)) for p, q in zip(path, path[1:])]


class _NoAliases(yaml.SafeDumper):
    """Scenario files may not use YAML aliases: write repeated values out."""

    def ignore_aliases(self, data) -> bool:  # noqa: ANN001 - any YAML value
        return True


def generate(n: int, seed: int = 0) -> dict:
    """A synthetic theatre of ``n`` towns as plain tables (deterministic for a seed)."""
    if n < 20:
        raise ValueError("a synthetic theatre needs at least 20 towns")
    rng = np.random.default_rng(seed)
    xy, side = _towns(n, rng)
    edges = _gabriel_edges(xy)
    km = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)
    g = nx.Graph()
    g.add_weighted_edges_from(((int(u), int(v), float(k)) for (u, v), k in zip(edges, km)), weight="km")

    mid = side / 2
    m4 = _trunk(g, xy, np.array([0.0, mid]), np.array([side, mid]))
    # The M5 avoids running along the M4 where it can: the two cross at a junction.
    for p, q in _segments(m4):
        g[p][q]["km"] *= 50
    m5 = _trunk(g, xy, np.array([mid, 0.0]), np.array([mid, side]))
    road = {e: "secondary" for e in map(tuple, edges.tolist())}
    road.update(dict.fromkeys(_segments(m5), "M5"))
    road.update(dict.fromkeys(_segments(m4), "M4"))  # the M4 wins shared segments: patrols run its whole length

    # Front line: the government holds the south (below a gently tilted line at
    # ~35% of the height); HTS holds the north-west, the rebels the north-east.
    front_y = side * (0.35 + 0.05 * (xy[:, 0] / side - 0.5))
    controller = np.where(xy[:, 1] < front_y, "regime", np.where(xy[:, 0] < side * 0.55, "hts", "rebels"))

    population = np.round(np.exp(rng.normal(8.3, 1.0, n)), -1).astype(int)
    census = rng.random(n) < 0.7  # the rest use the theatre's default_population, as in Idlib

    # Turkish posts: opposition towns within 15 km north of the front, about one in 25 towns.
    near_front = np.flatnonzero((controller != "regime") & (xy[:, 1] - front_y < 15.0))
    posts = rng.choice(near_front, size=min(len(near_front), max(3, n // 25)), replace=False)

    lat = LAT0 + (xy[:, 1] - mid) / KM_PER_DEG
    lon = LON0 + (xy[:, 0] - mid) / (KM_PER_DEG * np.cos(np.deg2rad(LAT0)))
    border_x = np.linspace(-5.0, side + 5.0, max(4, int(side // 20)))
    border_lat = LAT0 + (side + 8.0 - mid + rng.uniform(-2, 2, len(border_x))) / KM_PER_DEG
    border_lon = LON0 + (border_x - mid) / KM_PER_DEG

    names = [f"S{i:05d}" for i in range(n)]
    return {
        "n": n,
        "seed": seed,
        "names": names,
        "lat": lat,
        "lon": lon,
        "population": np.where(census, population, -1),
        "controller": controller,
        "edges": [(names[u], names[v], r) for (u, v), r in road.items()],
        "posts": [names[i] for i in posts],
        "border": np.column_stack([border_lat, border_lon]),
        "m4_path": m4,  # west to east
        "m5_path": m5,  # south to north
        "front_y": front_y,
        "xy": xy,
    }


def write_theatre(folder: Path, n: int, seed: int = 0, name: str | None = None) -> tuple[Path, dict]:
    """Write ``<name>.yaml`` and its CSV tables into ``folder``; returns the index path and the tables."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = name or f"synthetic{n}"
    t = generate(n, seed)
    with open(folder / f"{name}.towns.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "alt_names", "lat", "lon", "population", "controller_2019_12_01"])
        for i, town in enumerate(t["names"]):
            pop = "" if t["population"][i] < 0 else int(t["population"][i])
            w.writerow([town, "", f"{t['lat'][i]:.5f}", f"{t['lon'][i]:.5f}", pop, t["controller"][i]])
    with open(folder / f"{name}.roads.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["from", "to", "road", "length_km", "source"])
        w.writerows([a, b, r, "", "synthetic"] for a, b, r in t["edges"])
    with open(folder / f"{name}.posts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["post_id", "name", "town", "established", "source"])
        w.writerows([f"post-{k:04d}", f"post at {town}", town, "2018-03", "synthetic"] for k, town in enumerate(t["posts"]))
    with open(folder / f"{name}.border.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lat", "lon"])
        w.writerows([f"{la:.5f}", f"{lo:.5f}"] for la, lo in t["border"])
    index = {
        "name": f"Synthetic theatre, {n} towns (seed {seed})",
        "description": "Random towns on a Gabriel road graph, generated by benchmarks/synthetic.py; no real place.",
        "towns": f"{name}.towns.csv",
        "roads": f"{name}.roads.csv",
        "posts": f"{name}.posts.csv",
        "border": f"{name}.border.csv",
        "road_detour": 1.25,
        "default_population": 3000,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(index, sort_keys=False), encoding="utf-8")
    return path, t


def write_scenario(folder: Path, theatre: Path, tables: dict, days: int = 120, seed: int = 1) -> Path:
    """Write a scenario running every rule on a synthetic theatre, and the one-claim claims record it cites."""
    folder = Path(folder)
    claims = folder / "synthetic_claims.yaml"
    claims.write_text("claims:\n  - {id: synthetic, claim: invented for benchmarking; no real event}\n", encoding="utf-8")
    names, xy, front_y = tables["names"], tables["xy"], tables["front_y"]
    m4, m5 = tables["m4_path"], tables["m5_path"]
    # The offensive aims at the first opposition-held M5 towns north of the front.
    north = [i for i in m5 if xy[i, 1] > front_y[i]] or m5
    axis = [names[i] for i in north[:2]]
    day = lambda d: START + dt.timedelta(days=d)  # noqa: E731
    events = [
        {"id": "offensive", "date": day(0), "type": "offensive", "action": "start", "axis": axis, "source": ["synthetic"]},
        {"id": "truce", "date": day(days * 25 // 100), "type": "truce", "name": "synthetic truce",
         "effective": day(days * 25 // 100 + 2), "parties": ["russia", "turkey"],
         "compliance": {"regime": 0.85, "rebels": 0.95, "hts": 0.3}, "restraint": 0.3, "source": ["synthetic"]},
        {"id": "intervention", "date": day(days * 50 // 100), "type": "intervention", "faction": "turkey",
         "name": "synthetic intervention", "intensity": 1.0, "until": day(days * 60 // 100), "source": ["synthetic"]},
        {"id": "agreement", "date": day(days * 65 // 100), "type": "agreement", "name": "synthetic agreement",
         "effective": day(days * 65 // 100 + 1), "parties": ["russia", "turkey"],
         "compliance": {"regime": 0.98, "rebels": 0.98, "hts": 0.0}, "restraint": 0.99,
         "corridor": {"road": "M4", "width_km": 6}, "source": ["synthetic"]},
        {"id": "patrols", "date": day(days * 70 // 100), "announced": day(days * 65 // 100), "type": "joint_patrol",
         "route": [names[m4[0]], names[m4[-1]]], "road": "M4", "every_days": 7,
         "participants": ["russia", "turkey"], "source": ["synthetic"]},
    ]
    scenario = {
        "extends": str(COMMON),
        "name": theatre.stem,
        "description": f"Every rule on {theatre.name}: offensive, truce, intervention, M4 agreement and patrols.",
        "theatre": theatre.name,
        "claims": claims.name,
        "start": START,
        "end": day(days),
        "initial_control": START,
        "seed": seed,
        "events": events,
    }
    path = folder / f"{theatre.stem}.scenario.yaml"
    path.write_text(yaml.dump(scenario, Dumper=_NoAliases, sort_keys=False), encoding="utf-8")
    return path


def make(folder: Path, n: int, *, days: int = 120, seed: int = 0) -> Path:
    """Write a synthetic theatre of ``n`` towns and its scenario into ``folder``; returns the scenario path."""
    theatre, tables = write_theatre(folder, n, seed)
    return write_scenario(folder, theatre, tables, days=days)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/synthetic.py N_TOWNS FOLDER")
    print(make(Path(sys.argv[2]), int(sys.argv[1])))
