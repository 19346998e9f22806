"""Reading a theatre's plain files: the YAML index and its CSV tables, each checked as it is read.

Every problem is an :class:`~sim.errors.InputError` naming the file, the line
and the column. The structures built from these tables are in
:mod:`sim.io.theatre`.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from pathlib import Path

import numpy as np

from ..errors import InputError, did_you_mean
from ..names import HOLDERS
from .files import not_a_file, read_input
from .safe_yaml import load_yaml

CSV_LIMIT = 256 * 2**20  # far above a 10,000-town theatre (about 1 MB of towns)
KINDS = ("town", "village", "hill", "base", "camp")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_CONTROL_COLUMN = re.compile(r"^controller_(\d{4})_(\d{2})_(\d{2})$")


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = read_input(path, CSV_LIMIT).decode("utf-8-sig")  # a spreadsheet's byte-order mark is not part of a column name
    except UnicodeDecodeError:
        raise InputError(path, "file is not valid UTF-8 text") from None
    # A short row reads as empty fields (not None), so the checks below name
    # the line and the missing column instead of crashing on None.
    # newline="": lines end only where a CSV reader ends them (\n, \r\n, \r); str.splitlines() also broke a field at
    # U+2028, NEL, a form feed or \x1c-\x1e, and the row was refused at the wrong line.
    reader = csv.DictReader(io.StringIO(text, newline=""), restval="")
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


def first_day(value: str) -> dt.date:
    """The first day of a date, possibly partial (2017, 2017-10, 2017-10-20); ValueError if there is none."""
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], *(parts[1:] + [1, 1])[:2])


def _check_partial_date(path: Path, line: int, key: str, value: str) -> None:
    """Refuse ``value`` unless it is a date, possibly partial, as :func:`first_day` reads it for the model: a form-only
    check let 2017-13-45 through ``check THEATRE``."""
    why = ""
    if _PARTIAL_DATE.match(value):
        try:
            first_day(value)
            return
        except ValueError as exc:  # "month must be in 1..12", "day is out of range for month"
            why = f": {exc}"
    raise InputError(path, f"'{value}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD){why}", line=line, key=key)


def _haversine_km(lat1, lon1, lat2, lon2):  # noqa: ANN001, ANN202 - numpy arrays
    p1, p2 = np.deg2rad(lat1), np.deg2rad(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.deg2rad(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def nearest_other_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Each place's great-circle distance to the nearest other place (inf for a theatre of one)."""
    km = _haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(km, np.inf)
    return km.min(axis=1)


# The keys of a theatre index (the YAML file naming its tables).
INDEX_KEYS = ("name", "description", "towns", "roads", "posts", "border", "road_detour", "default_population", "sources", "belts")


@functools.lru_cache(maxsize=8)
def index_files(path: Path, key: tuple) -> tuple[Path, ...]:
    """The index and the tables it names (parsed again only when the index changes)."""
    index = load_yaml(path)
    return (path, *(path.parent / str(index[k]) for k in ("towns", "roads", "posts", "border") if k in index))


def _check_words(path: Path, index: dict) -> None:
    """Refuse the index's own words (its name, description, belts and sources) when they are not text.

    The name is in every manifest and in the inputs hash: ``name: null`` ran as a theatre named 'None'.
    """
    def refuse(key: str, wanted: str) -> None:
        raise InputError(path, f"'{key}' must be {wanted}", line=index.lines[key][1], key=key)

    if not (isinstance(index["name"], str) and index["name"].strip()):
        refuse("name", "the theatre's name (text)")
    if "description" in index and not isinstance(index["description"], str):
        refuse("description", "text")
    for key, what in (("belts", "each belt's letter and what it covers"), ("sources", "each source's topic and text")):
        if key in index and not (isinstance(index[key], dict) and all(isinstance(v, str) for v in index[key].values())):
            refuse(key, f"a mapping of {what}")


def read_tables(path: Path) -> dict:
    """The theatre's index and tables, checked, as the fields of :class:`sim.io.theatre.Theatre`.

    Raises:
        InputError: naming the file, line and column of the first problem.
    """
    index = load_yaml(path)
    for key in index:
        if key not in INDEX_KEYS:
            raise InputError(path, f"unknown key '{key}'" + did_you_mean(str(key), INDEX_KEYS), line=index.lines[key][1], key=str(key))
    for key in ("name", "towns", "roads"):
        if key not in index:
            raise InputError(path, f"missing required key '{key}'", line=1)
    _check_words(path, index)
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
    name_lines: list[int] = []
    aliases: dict[str, int] = {}
    lat, lon, pop, kind, belt = [], [], [], [], []
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
    listed = [str(b) for b in index.get("belts", {})]  # a belt `1:` in the index is the table's '1'
    for line, row in rows:
        name = row["name"].strip()
        if not name:
            raise InputError(towns_file, "empty town name", line=line, key="name")
        for column, alias in [("name", name), *(("alt_names", a.strip()) for a in (row.get("alt_names") or "").split(";"))]:
            if not alias:
                continue
            other = aliases.get(alias.casefold())
            if other is not None and other != len(names):
                there = "the name" if alias.casefold() == names[other].casefold() else "an alt_name"
                raise InputError(towns_file, f"'{alias}' is already {there} of '{names[other]}' on line {name_lines[other]}",
                                 line=line, key=column)
            aliases[alias.casefold()] = len(names)
        names.append(name)
        name_lines.append(line)
        lat.append(_number(towns_file, line, "lat", row["lat"], lo=-90, hi=90))
        lon.append(_number(towns_file, line, "lon", row["lon"], lo=-180, hi=180))
        raw_pop = (row["population"] or "").strip()
        pop.append(_number(towns_file, line, "population", raw_pop, lo=0, hi=1e8) if raw_pop else default_pop)
        kind.append((row.get("kind") or "town").strip())
        if kind[-1] not in KINDS:
            raise InputError(towns_file, f"kind '{kind[-1]}' is not one of {', '.join(KINDS)}", line=line, key="kind")
        belt.append((row.get("belt") or "").strip())
        if belt[-1] and "belts" in index and belt[-1] not in listed:  # an outcome over belt B left out a 'b'
            raise InputError(towns_file, f"belt '{belt[-1]}' is not one of the belts {path.name} lists"
                             + did_you_mean(belt[-1], listed), line=line, key="belt")
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
        if not row["road"].strip():  # patrols, corridors and the maps find a road by its name
            raise InputError(roads_file, "a road needs its name in 'road' (a highway's, such as M4, or 'secondary')",
                             line=line, key="road")
        eu.append(u)
        ev.append(v)
        road.append(row["road"].strip())

    posts: list[tuple] = []
    if "posts" in index:
        posts_file = path.parent / str(index["posts"])
        seen_ids: set[str] = set()
        for line, row in _rows(posts_file, ("post_id", "name", "established")):
            # The towns a post overlooks: a `towns` column ("A; B"), or a single `town`.
            column = "towns" if "towns" in row else "town"
            listed = [t.strip() for t in (row.get(column) or "").split(";") if t.strip()]
            if not listed:
                raise InputError(posts_file, "a post needs the towns it overlooks ('towns', or 'town')", line=line, key=column)
            overlooked = []
            for t in listed:
                i = aliases.get(t.casefold())
                if i is None:
                    raise InputError(posts_file, f"unknown town '{t}'" + did_you_mean(t, names), line=line, key=column)
                overlooked.append(i)
            post_id = row["post_id"].strip()
            if not post_id or post_id in seen_ids:
                raise InputError(posts_file, f"post id '{post_id}' is empty or appears twice", line=line, key="post_id")
            seen_ids.add(post_id)
            site_lat, site_lon = (row.get("site_lat") or "").strip(), (row.get("site_lon") or "").strip()
            if site_lat and site_lon:
                site = (_number(posts_file, line, "site_lat", site_lat, lo=-90, hi=90), _number(posts_file, line, "site_lon", site_lon, lo=-180, hi=180))
            else:  # no site located: the post stands for the first town it overlooks
                site = (lat[overlooked[0]], lon[overlooked[0]])
            established = row["established"].strip()
            if established:
                _check_partial_date(posts_file, line, "established", established)
            posts.append((post_id, row["name"].strip(), tuple(overlooked), established, (row.get("source") or row.get("site_source") or "").strip(), *site))

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
    return dict(
        name=str(index["name"]),
        path=path,
        files=files,
        towns=names,
        lat=np.array(lat),
        lon=np.array(lon),
        population=np.array(pop, dtype=float),
        kind=np.array(kind),
        belt=np.array(belt),
        control={day: np.array(v, dtype=np.int8) for day, v in control.items()},
        edge_u=np.array(eu, dtype=np.int64),
        edge_v=np.array(ev, dtype=np.int64),
        edge_km=np.array(km),
        edge_road=np.array(road),
        posts=posts,
        border=border,
        aliases=aliases,
    )
