"""An ensemble's replicates stored as Parquet parts: the layout, and reading a part back whole or not at all.

An ensemble keeps its replicates in ``replicates/``, a few replicates to a
part, each part as two files with the same name (so that each folder is one
Parquet dataset: ``pandas.read_parquet("ENSEMBLE/replicates/days")`` reads
every replicate's days at once)::

    replicates/days/part-<first seed>.parquet    a row per (replicate, day): seed, day, control:<town> (the
                                                 controller's code, 0 regime, 1 hts, 2 rebels, one int8 column
                                                 per town), post:<id> (bit 0 standing, bit 1 encircled), then
                                                 the run's time series (timeseries.csv without its date)
    replicates/events/part-<first seed>.parquet  a row per event: seed, date, type, town, actors, detail

The ensemble's manifest lists its parts (``parts``: each part's seeds and,
for each of its files, the rows, bytes and SHA-256), so a part cut short,
altered or copied from elsewhere is told from a whole one; each file also
carries, in its Parquet metadata (key ``idlib-sim``), the seeds and the
inputs it was made from, so a part from another ensemble says whose it is.
What is checked beyond the checksum (columns, seeds and days in order,
controller codes, dates within the run) guards the reader against a writer's
bug as much as against damage. pyarrow is imported only here, when a part is
read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DamagedResult
from ..io.theatre import Theatre
from .integrity import EVENT_COLUMNS, TEXT_SERIES, run_dates
from .rundata import RunData

REPLICATES = "replicates"
TABLES = ("days", "events")  # the files of a part, each in the folder of its name
META = b"idlib-sim"  # the Parquet metadata key holding what a part was made from
CONTROL, POST = "control:", "post:"  # prefixes of the days table's per-town and per-post columns
KEY_FIELDS = ("content_hash", "start", "end", "package_version")


def part_file(table: str, first_seed: int) -> str:
    """Where a part's ``table`` ("days" or "events") is, relative to the ensemble folder."""
    return f"{REPLICATES}/{table}/part-{first_seed}.parquet"


def replicate_key(manifest: dict, seed: int | None = None) -> dict:
    """What a replicate must share with its ensemble's manifest: the inputs, the window and the package version.

    An ensemble across a parameter set (``run --param-set``) lists each replicate's inputs hash by seed.
    """
    key = {k: manifest.get(k) for k in KEY_FIELDS}
    by_seed = manifest.get("parameter_set", {}).get("content_hash_of_seed")
    if by_seed is not None:
        key["content_hash"] = by_seed.get(str(seed))
    return key


@dataclass(frozen=True)
class Part:
    """A part as the manifest lists it: its seeds, and for each file (by path) its rows, bytes and SHA-256.

    ``content_hash``: the inputs hash its files carry, if not the manifest's: a part kept from the same inputs run
    from another ``--seed`` (the seed is in the hash; replicate ``s`` is the same whichever seed comes first).
    """

    seeds: tuple[int, ...]
    files: dict
    content_hash: str | None = None

    @property
    def name(self) -> str:
        return f"part-{self.seeds[0]}"

    def record(self) -> dict:
        record = {"seeds": list(self.seeds), "files": self.files}
        return record if self.content_hash is None else {**record, "content_hash": self.content_hash}


def listed_parts(manifest: dict, file: Path) -> list[Part]:
    """The parts ``manifest`` (read from ``file``) lists, in order of their first seed.

    Raises:
        DamagedResult: the list is not what the simulator writes (a part without seeds or
            files, files under other names, a seed in two parts).
    """
    raw = manifest.get("parts")
    if not isinstance(raw, list):
        raise DamagedResult(file, "its 'parts' is not a list of parts")
    parts, seen = [], set()
    for i, entry in enumerate(raw):
        seeds = entry.get("seeds") if isinstance(entry, dict) else None
        if not (isinstance(seeds, list) and seeds and all(isinstance(s, int) and not isinstance(s, bool) for s in seeds)):
            raise DamagedResult(file, f"part {i + 1} of 'parts' lists no seeds")
        files = entry.get("files")
        names = {part_file(t, seeds[0]) for t in TABLES}
        if not isinstance(files, dict) or set(files) != names or not all(isinstance(v, dict) for v in files.values()):
            raise DamagedResult(file, f"part {i + 1} of 'parts' does not list the files {', '.join(sorted(names))}")
        if seen & set(seeds) or len(set(seeds)) != len(seeds):
            raise DamagedResult(file, f"seed {sorted(seen & set(seeds) or seeds)[0]} is listed in two parts")
        made_from = entry.get("content_hash")
        if made_from is not None and not isinstance(made_from, str):
            raise DamagedResult(file, f"part {i + 1} of 'parts' has a content_hash that is not text")
        seen |= set(seeds)
        parts.append(Part(tuple(seeds), files, made_from))
    return sorted(parts, key=lambda p: p.seeds[0])


def read_part(out: Path, part: Part, theatre: Theatre, key: dict) -> list[RunData]:
    """The replicates of ``part`` of the ensemble in ``out``, checked whole and made from the inputs ``key`` names.

    Raises:
        DamagedResult: a file missing, cut short, altered, from other inputs or seeds, or not what the
            manifest implies; it names the file and what is wrong.
    """
    import pyarrow.parquet as pq  # pyarrow only once parts are read: `import sim` stays light

    if part.content_hash is not None:  # kept from a run from another seed: its files say so
        key = {**key, "content_hash": part.content_hash}
    start, end = dt.date.fromisoformat(key["start"]), dt.date.fromisoformat(key["end"])
    days = (end - start).days
    tables = {}
    for name in TABLES:
        file = out / part_file(name, part.seeds[0])
        raw = _checked_bytes(file, part.files[part_file(name, part.seeds[0])], part, key)
        try:
            tables[name] = pq.read_table(io.BytesIO(raw))
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a foreign file
            raise DamagedResult(file, f"is not a readable Parquet file ({type(exc).__name__})") from None
    history, posts, series = _days(out / part_file("days", part.seeds[0]), tables["days"], part.seeds, days, theatre)
    events = _events(out / part_file("events", part.seeds[0]), tables["events"], part.seeds, start, end)
    dates = list(run_dates(start, days))
    runs = []
    for i, seed in enumerate(part.seeds):
        rows = slice(i * (days + 1), (i + 1) * (days + 1))
        timeseries = series.iloc[rows].reset_index(drop=True)
        timeseries.insert(0, "date", dates)
        mine = events[events["seed"].to_numpy() == seed].drop(columns="seed").reset_index(drop=True)
        runs.append(RunData(seed, start, history[rows], mine, timeseries, (posts[rows] & 1) > 0, (posts[rows] & 2) > 0))
    return runs


def part_meta(seeds: list[int] | tuple[int, ...], key: dict) -> dict[bytes, bytes]:
    """The Parquet metadata a part's files carry: their seeds and the inputs they were made from."""
    return {META: json.dumps({"seeds": list(seeds), **{k: key.get(k) for k in KEY_FIELDS}}).encode()}


def _checked_bytes(file: Path, record: dict, part: Part, key: dict) -> bytes:
    """``file``'s bytes, if they are those the manifest recorded; otherwise say, as precisely as can be told, why not."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise DamagedResult(file, "is missing") from None
    except OSError as exc:
        raise DamagedResult(file, f"cannot be read ({exc.strerror})") from None
    if len(raw) == record.get("bytes") and hashlib.sha256(raw).hexdigest() == record.get("sha256"):
        return raw
    made_from = _made_from(raw)
    if made_from is not None and made_from.get("seeds") != list(part.seeds):
        raise DamagedResult(file, f"holds seeds {made_from.get('seeds')}, not {list(part.seeds)}: it is another part's")
    if made_from is not None and any(made_from.get(k) != key.get(k) for k in KEY_FIELDS):
        what = next(k for k in KEY_FIELDS if made_from.get(k) != key.get(k))
        raise DamagedResult(file, f"its {what} is {made_from.get(what)!r}, not {key.get(what)!r}: it belongs to another "
                            "ensemble, or to other inputs or package version")
    if isinstance(record.get("bytes"), int) and len(raw) < record["bytes"]:
        raise DamagedResult(file, f"is cut short ({len(raw):,} of {record['bytes']:,} bytes)")
    raise DamagedResult(file, "has changed since the ensemble wrote it (its checksum differs from the manifest's)")


def _made_from(raw: bytes) -> dict | None:
    """What a Parquet file says it was made from (its ``idlib-sim`` metadata), or None if it cannot tell."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(io.BytesIO(raw)).metadata or {}
        data = json.loads(meta[META])
    except Exception:  # noqa: BLE001 - not Parquet, or not ours: the caller says what it can
        return None
    return data if isinstance(data, dict) else None


def _column(file: Path, table, name: str) -> np.ndarray:  # noqa: ANN001 - a pyarrow Table
    column = table.column(name)
    if column.null_count:
        raise DamagedResult(file, f"column '{name}' has empty values")
    return column.to_numpy()


def _days(file: Path, table, seeds: tuple[int, ...], days: int, theatre: Theatre) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:  # noqa: ANN001
    """The days table as (controller codes, post codes, time series), one row per (replicate, day), checked."""
    towns = [CONTROL + t for t in theatre.towns]
    posts = [POST + p.id for p in theatre.posts]
    names = table.column_names
    head = ["seed", "day", *towns, *posts]
    if names[: len(head)] != head:
        raise DamagedResult(file, "its columns are not seed, day, one per town and one per post of the run's theatre, in order")
    n = days + 1
    if table.num_rows != n * len(seeds):
        raise DamagedResult(file, f"has {table.num_rows:,} rows; its {len(seeds)} replicates x {n} days make {n * len(seeds):,}")
    if not (np.array_equal(_column(file, table, "seed"), np.repeat(seeds, n))
            and np.array_equal(_column(file, table, "day"), np.tile(np.arange(n), len(seeds)))):
        raise DamagedResult(file, f"its rows are not each day of seeds {list(seeds)} in order")
    codes = {}
    for group, columns, top in (("control", towns, 2), ("post", posts, 3)):
        values = np.column_stack([_column(file, table, c) for c in columns]) if columns else np.zeros((len(seeds) * n, 0), np.int8)
        if values.dtype != np.int8 or values.size and not (0 <= values.min() and values.max() <= top):
            raise DamagedResult(file, f"its {group} columns hold codes other than 0 to {top}")
        codes[group] = values
    series = table.select(names[len(head):]).to_pandas()
    odd = [c for c in series.columns if c not in TEXT_SERIES and not pd.api.types.is_numeric_dtype(series[c])]
    if odd:
        raise DamagedResult(file, f"column '{odd[0]}' holds values that are not numbers")
    return codes["control"], codes["post"], series


def _events(file: Path, table, seeds: tuple[int, ...], start: dt.date, end: dt.date) -> pd.DataFrame:  # noqa: ANN001
    """The events table, checked: its columns, each event's seed one of the part's, each date a day of the run."""
    if table.column_names != ["seed", *EVENT_COLUMNS]:
        raise DamagedResult(file, f"has columns {', '.join(table.column_names)}; expected seed, {', '.join(EVENT_COLUMNS)}")
    events = table.to_pandas()
    ours = np.isin(events["seed"].to_numpy(), seeds)
    dates = events["date"].astype(str)
    inside = ours & dates.between(start.isoformat(), end.isoformat()).to_numpy() & dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy()
    if not inside.all():
        i = int(np.flatnonzero(~inside)[0])
        raise DamagedResult(file, f"row {i + 1}: seed {events['seed'].iloc[i]}, date '{dates.iloc[i]}' is not a day of one of "
                            "the part's replicates")
    return events
