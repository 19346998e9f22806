"""Whether a results file read back is whole: every table of a run folder, every Parquet part of a sweep.

A run folder's manifest says which days it covers (``start``, ``end``) and,
since this check exists, each table's rows, size and SHA-256 (``files``).
Each table is checked against what the manifest implies: present and not
empty, unchanged since it was written, one row per (day, town) with the
run's dates in order and the theatre's towns, known controller codes,
numbers where numbers belong. A sweep's part ``k`` must hold exactly the
runs of batch ``k`` (points, replicates and seeds follow from ``sweep.json``)
with the design's parameters as columns.

Whatever fails raises :class:`~sim.errors.DamagedResult` naming the file and
what is wrong: resuming reruns the item, analysis refuses it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DamagedResult, InputError, flag
from ..model.reporters import COUNT_SERIES, TEXT_SERIES  # every other column of timeseries.csv is a number
from ..names import HOLDERS, MAX_SEED, MAX_TOTAL_RUNS

TABLES = ("control.csv", "events.csv", "timeseries.csv", "posts.csv")
# The columns of events.csv, as sim.experiments.run writes them (tests hold the two equal).
EVENT_COLUMNS = ["date", "type", "town", "actors", "detail"]
# The columns of posts.csv: one row per (day, standing post), the post at its own site.
POST_COLUMNS = ["date", "post", "town", "lat", "lon", "encircled"]


def read_tables(folder: Path, manifest: dict) -> dict[str, bytes]:
    """The raw bytes of a run folder's tables, each present, non-empty and (where recorded) unchanged."""
    recorded = manifest.get("files")
    out = {}
    for name in TABLES:
        file = folder / name
        if not file.exists():
            if name == "posts.csv" and recorded is None:
                continue  # written before runs recorded their posts: readable, not mappable
            raise DamagedResult(file, "is missing")
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise DamagedResult(file, f"cannot be read ({exc.strerror})") from None
        if not raw:
            raise DamagedResult(file, "is empty")
        rec = (recorded or {}).get(name)
        if isinstance(rec, dict):
            if len(raw) < rec.get("bytes", 0):
                raise DamagedResult(file, f"is cut short ({len(raw):,} of {rec['bytes']:,} bytes)")
            if len(raw) != rec.get("bytes") or hashlib.sha256(raw).hexdigest() != rec.get("sha256"):
                raise DamagedResult(file, "has changed since the run wrote it (its checksum differs from the manifest's)")
        out[name] = raw
    return out


def table(file: Path, raw: bytes, columns: list[str] | None, **kw: object) -> pd.DataFrame:
    """A CSV table parsed from ``raw``, with exactly ``columns`` (if given)."""
    try:
        frame = pd.read_csv(io.BytesIO(raw), **kw)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DamagedResult(file, f"is not a readable table ({str(exc).splitlines()[0]})") from None
    if columns is not None and list(frame.columns) != columns:
        raise DamagedResult(file, f"has columns {', '.join(map(str, frame.columns))}; expected {', '.join(columns)}")
    return frame


def run_dates(start: dt.date, days: int) -> np.ndarray:
    return np.array([(start + dt.timedelta(days=d)).isoformat() for d in range(days + 1)], dtype=object)


def control_history(file: Path, raw: bytes, start: dt.date, days: int, towns: tuple[str, ...]) -> np.ndarray:
    """control.csv as controller codes, one row per day: every (day, town), in order, with a known controller."""
    control = table(file, raw, ["date", "town", "controller"], dtype=str, keep_default_na=False)
    n = len(towns)
    if len(control) != (days + 1) * n:
        raise DamagedResult(file, f"has {len(control):,} rows; the run's {days + 1} days x {n} towns make {(days + 1) * n:,}")
    if not (control["town"].to_numpy(dtype=object).reshape(-1, n) == np.array(towns, dtype=object)).all():
        raise DamagedResult(file, "its towns are not the run's theatre's, in its order")
    dates = control["date"].to_numpy(dtype=object).reshape(-1, n)
    if not (dates == run_dates(start, days)[:, None]).all():
        raise DamagedResult(file, f"its dates are not the run's days ({start} and the {days} after)")
    codes = {name: code for code, name in enumerate(HOLDERS)}
    values = control["controller"].to_numpy(dtype=object)
    known = np.isin(values, list(codes))
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise DamagedResult(file, f"line {i + 2}: unknown controller '{values[i]}' (one of {', '.join(HOLDERS)})")
    return np.array([codes[v] for v in values], dtype=np.int8).reshape(-1, n)


def events_table(file: Path, raw: bytes, start: dt.date, end: dt.date) -> pd.DataFrame:
    events = table(file, raw, EVENT_COLUMNS, dtype=str, keep_default_na=False)
    inside = events["date"].between(start.isoformat(), end.isoformat()) & events["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    if not inside.all():
        i = int(np.flatnonzero(~inside.to_numpy())[0])
        raise DamagedResult(file, f"line {i + 2}: date '{events['date'].iloc[i]}' is not a day of the run")
    return events


def timeseries_table(file: Path, raw: bytes, start: dt.date, days: int) -> pd.DataFrame:
    ts = table(file, raw, None)
    if "date" not in ts:
        raise DamagedResult(file, "has no 'date' column")
    if len(ts) != days + 1:
        raise DamagedResult(file, f"has {len(ts)} rows; the run has {days + 1} days")
    if not (ts["date"].astype(str).to_numpy(dtype=object) == run_dates(start, days)).all():
        raise DamagedResult(file, f"its dates are not the run's days ({start} and the {days} after)")
    for column in ts.columns:
        if column not in TEXT_SERIES and not pd.api.types.is_numeric_dtype(ts[column]):
            raise DamagedResult(file, f"column '{column}' holds values that are not numbers")
    return ts.astype({column: float for column in ts.columns if column not in TEXT_SERIES + COUNT_SERIES})


def posts_arrays(file: Path, raw: bytes, start: dt.date, days: int, post_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """posts.csv as (standing, encircled) arrays of shape (days + 1, posts): every row a day of the run and a post of the theatre."""
    table_ = table(file, raw, POST_COLUMNS, dtype={"date": str, "post": str, "town": str}, keep_default_na=False)
    index = {name: i for i, name in enumerate(post_ids)}
    day = np.array([(dt.date.fromisoformat(d) - start).days if _iso(d) else -1 for d in table_["date"]], dtype=np.intp)
    post = np.array([index.get(p, -1) for p in table_["post"]], dtype=np.intp)
    bad = (day < 0) | (day > days) | (post < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DamagedResult(file, f"line {i + 2}: '{table_['date'].iloc[i]}, {table_['post'].iloc[i]}' is not a day and post of the run")
    flags = table_["encircled"].astype(str).map({"True": True, "False": False})
    if flags.isna().any():
        raise DamagedResult(file, "holds encircled values that are not True/False")
    standing, encircled = np.zeros((days + 1, len(post_ids)), bool), np.zeros((days + 1, len(post_ids)), bool)
    standing[day, post] = True
    encircled[day, post] = flags.to_numpy(dtype=bool)
    return standing, encircled


def _iso(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------
# A sweep's Parquet parts
# --------------------------------------------------------------------------


def batch_items(manifest: dict, key: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point, replicate, seed) of every run in batch ``key`` of the sweep ``manifest`` describes."""
    runs, total = int(manifest["runs_per_point"]), int(manifest["points"]) * int(manifest["runs_per_point"])
    size = int(manifest.get("batch_runs", 64))
    i = np.arange(key * size, min((key + 1) * size, total))
    return i // runs, i % runs, int(manifest["seed"]) + i % runs


def batches(manifest: dict) -> int:
    total = int(manifest["points"]) * int(manifest["runs_per_point"])
    return -(-total // int(manifest.get("batch_runs", 64)))


def _reason(exc: Exception) -> str:
    """pyarrow's reason a part cannot be read, in one short clause: its message repeats the file's path ("Could not
    open Parquet input source '<path>': ..."), which the error names already, and cut to length under a deep results
    folder it kept the path and lost the reason."""
    lines = str(exc).splitlines()
    text = re.sub(r"^Could not open Parquet input source '.*': ", "", lines[0] if lines else "")
    return f"{type(exc).__name__}: {text.split('. ')[0].rstrip('.')[:120]}"


def check_part(file: Path, key: int, manifest: dict) -> pd.DataFrame:
    """Part ``key``'s rows, if it holds exactly batch ``key``'s runs with the design's columns."""
    if not 0 <= key < batches(manifest):
        raise DamagedResult(file, f"names batch {key}, but the sweep has {batches(manifest)} batches (0 .. {batches(manifest) - 1})")
    try:
        rows = pd.read_parquet(file)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a cut or foreign file
        raise DamagedResult(file, f"is not a readable Parquet file ({_reason(exc)})") from None
    names = [p["path"] for p in manifest["design"]["parameters"]]
    missing = [c for c in ("point", "replicate", "seed", *names) if c not in rows]
    if missing:
        raise DamagedResult(file, f"lacks the column(s) {', '.join(missing)}")
    odd = [c for c in rows.columns if not pd.api.types.is_numeric_dtype(rows[c])]
    if odd:
        raise DamagedResult(file, f"column '{odd[0]}' holds values that are not numbers")
    point, replicate, seed = batch_items(manifest, key)
    if len(rows) != len(point) or not (np.array_equal(rows["point"], point) and np.array_equal(rows["replicate"], replicate)
                                       and np.array_equal(rows["seed"], seed)):
        raise DamagedResult(file, f"does not hold batch {key}'s {len(point)} runs (points {point[0]}..{point[-1]}); "
                            "it is cut short, or copied from another batch or sweep")
    return rows


# --------------------------------------------------------------------------
# Manifests edited by hand
# --------------------------------------------------------------------------

_WHOLE = "a whole number"
_DATE = "a date (YYYY-MM-DD)"
_TEXT = "text"
_ALWAYS_WRITTEN = ("start", "end")  # with "parameters": in every version's manifest, and read by compare, map and plot


def check_manifest(file: Path, data: dict, error: type[InputError] = InputError) -> None:
    """Refuse a run's or ensemble's manifest whose values the readers use are not of the kinds the simulator writes.

    Still JSON, but a list where a number goes or a number for the inputs (an edit by hand): the reader failed on the
    value with a traceback of its own. Keys a version may lack are judged only where present.

    Raises:
        ``error`` (InputError, or DamagedResult for a replicate's): naming ``file`` and the key.
    """
    inputs = data.get("inputs")
    claims = "claims" if isinstance(inputs, dict) and "claims" in inputs else "seeds"  # "seeds" in older folders
    if "inputs" in data and not (isinstance(inputs, dict) and _is(inputs.get("theatre"), _TEXT)
                                 and _is(inputs.get(claims), _TEXT)):  # null too: an older folder has no key, not null
        _refuse(file, "inputs", "the theatre's and the claims record's paths", error)
    if data.get("kind", "run") not in ("run", "ensemble"):  # absent in the oldest folders: runs
        _refuse(file, "kind", "'run' or 'ensemble'", error)  # an ensemble's read as a run: "control.csv: is missing"
    if not _is(data.get("scenario_name"), _TEXT):  # every version wrote it
        _refuse(file, "scenario_name", "the scenario's name", error)
    for key, kind in (("start", _DATE), ("end", _DATE), ("seed", _WHOLE), ("runs", _WHOLE), ("content_hash", _TEXT),
                      ("package_version", _TEXT)):
        if (key in data or key in _ALWAYS_WRITTEN) and not _is(data.get(key), kind):
            _refuse(file, key, kind, error)
    if (_is(data.get("start"), _DATE) and _is(data.get("end"), _DATE)
            and dt.date.fromisoformat(data["end"]) < dt.date.fromisoformat(data["start"])):  # a run of minus so many days
        _refuse(file, "end", "a day on or after the start", error)
    if not isinstance(data.get("parameters"), dict):  # every version wrote it; map and plot read its events
        _refuse(file, "parameters", "the resolved scenario (a mapping)", error)
    events = data["parameters"].get("events")
    if not (isinstance(events, list) and all(isinstance(e, dict) and _is(e.get("type"), _TEXT)
                                             and _is(e.get("date"), _DATE) for e in events)):
        _refuse(file, "parameters.events", "the scenario's events, each with its type and date", error)
    if "complete" in data and not isinstance(data["complete"], bool):
        _refuse(file, "complete", "true or false", error)
    if data.get("kind") == "ensemble" and not (isinstance(data.get("seeds"), list)
                                               and all(_is(s, _WHOLE) for s in data["seeds"])):
        _refuse(file, "seeds", "a list of whole numbers", error)
    records = [("files", data["files"])] if "files" in data else []
    parts = data.get("parts")
    if isinstance(parts, list):  # what else a list of parts must be, replicates.listed_parts says
        records += [(f"parts[{i}].files", p["files"]) for i, p in enumerate(parts)
                    if isinstance(p, dict) and isinstance(p.get("files"), dict)]
    for key, files in records:
        if not (isinstance(files, dict) and all(_is_record(r) for r in files.values())):
            _refuse(file, key, "each table's rows, bytes and sha256", error)


def check_sweep_manifest(file: Path, data: dict) -> None:
    """Refuse a sweep's ``sweep.json`` whose values the readers use are not of the kinds the simulator writes.

    Raises:
        InputError: naming ``file`` and the key.
    """
    for key in ("points", "runs_per_point", "seed", "batch_runs"):
        if (key in data or key != "batch_runs") and not _is(data.get(key), _WHOLE):
            _refuse(file, key, _WHOLE, InputError)
    if data["runs_per_point"] < 1 or data.get("batch_runs", 1) < 1:
        _refuse(file, "runs_per_point" if data["runs_per_point"] < 1 else "batch_runs", "at least 1", InputError)
    if data["points"] * data["runs_per_point"] > MAX_TOTAL_RUNS:  # what a sweep may hold (its batches are listed)
        _refuse(file, "points", f"a number of points of at most {MAX_TOTAL_RUNS:,} runs in all", InputError)
    if not _is(data.get("scenario"), _TEXT):  # every sweep names it; the report shows it
        _refuse(file, "scenario", "the scenario's path", InputError)
    design = data.get("design")
    if not (isinstance(design, dict) and isinstance(design.get("parameters"), list) and design["parameters"]
            and all(isinstance(p, dict) and _is(p.get("path"), _TEXT) for p in design["parameters"])):
        _refuse(file, "design", "the design, with the path of each parameter", InputError)
    if "metrics" in data and not (isinstance(data["metrics"], list) and all(_is(m, _TEXT) for m in data["metrics"])):
        _refuse(file, "metrics", "a list of metric names", InputError)
    # Another count than the design's: more read a whole sweep as unfinished ("4 of 7 points" from discover and
    # sweep-report, status 0), fewer blamed a part for naming a batch past the end.
    if (size := _design_size(design)) is not None and data["points"] != size:
        _refuse(file, "points", f"the number of points its design gives ({size:,})", InputError)
    # A parameter taken out of the design kept the count of a sampled design's points (n, whatever the parameters), and
    # discover and sweep-report then read its column in the rows as a metric. points.csv, written with the manifest,
    # names the design's parameters as columns; it is absent only where a sweep was stopped before its first batch.
    held = _points_columns(file.parent / "points.csv")
    if held is not None and held != [p["path"] for p in design["parameters"]]:
        _refuse(file, "design", f"the design of the points in points.csv beside it ({', '.join(held) or 'no parameter'})",
                InputError)


def _points_columns(file: Path) -> list[str] | None:
    """The parameters a sweep's points.csv holds (its columns after ``point``), or None where there is no such file."""
    try:
        with file.open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), [])
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, csv.Error):
        return []  # unreadable: no parameter agrees with it
    return header[1:] if header[:1] == ["point"] else header


def _design_size(design: dict) -> int | None:
    """How many points a sweep's recorded design gives, counted as :func:`sim.make_design` counts them (a design
    file's ``n`` is its rows); None where the record does not say (a grid parameter with neither values nor steps)."""
    params, n = design["parameters"], design.get("n")
    if design.get("sample") == "grid":
        counts = [len(p["values"]) if isinstance(p.get("values"), list) else p.get("steps") for p in params]
        return math.prod(counts) if all(_is(c, _WHOLE) for c in counts) else None
    if design.get("sample") not in ("lhs", "random", "sobol", "file") or not _is(n, _WHOLE):
        return None
    return n * (len(params) + 2) if design["sample"] == "sobol" else n


def _is(value: object, kind: str) -> bool:
    if kind == _WHOLE:  # seeds are the largest the simulator writes
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEED
    if not isinstance(value, str):
        return False
    if kind == _DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
    return True


def _is_record(record: object) -> bool:
    return (isinstance(record, dict) and _is(record.get("rows"), _WHOLE) and _is(record.get("bytes"), _WHOLE)
            and _is(record.get("sha256"), _TEXT))


def _refuse(file: Path, key: str, kind: str, error: type[InputError]) -> None:
    raise error(file, f"is not {kind}: the manifest was edited or damaged, so the folder cannot be read; write the "
                f"results again with another {flag('out')}, or remove the folder", key=key)
