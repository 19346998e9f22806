"""Parquet storage: a sweep's rows and an ensemble's replicates, each part written whole or not at all.

A sweep's rows go in ``runs.parquet/part-NNNNNN.parquet`` (one file per batch),
read back by :func:`sim.analysis.results.read_rows`; an ensemble's replicates
go in ``replicates/days/`` and ``replicates/events/`` (two files per part, laid
out in :mod:`sim.analysis.replicates`, which reads them back). pyarrow is
imported only when a part is written or read.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..analysis.integrity import EVENT_COLUMNS, check_part
from ..analysis.replicates import CONTROL, POST, part_file, part_meta
from ..analysis.results import PARTS, part_files, part_path
from ..errors import DamagedResult
from ..io.files import atomic_file, temp_names, write_atomic
from .manifest import manifest_text
from .run import RunResult

PART_TEMP = temp_names(r"\.part-\d{6}\.parquet", kinds="tmp", suffix=r"\.parquet")  # a sweep part being written


def write_part(out: Path, key: int, columns: dict[str, np.ndarray]) -> int:
    """Write batch ``key``'s rows, given as columns, as its part file; return how many rows it holds.

    Whole numbers are 64-bit integers, other numbers doubles (NaN, not null,
    for a missing value), as pandas would store them; straight from pyarrow,
    which is some twenty times quicker than through a DataFrame for a row of
    a few hundred metrics.
    """
    import pyarrow as pa  # only when a sweep writes: `import sim` stays light
    import pyarrow.parquet as pq

    table = pa.table({name: pa.array(values) for name, values in columns.items()})
    with atomic_file(part_path(out, key)) as tmp:
        pq.write_table(table, tmp, use_dictionary=False, write_statistics=False)  # metrics repeat little; nothing filters on them
    return table.num_rows


def written_parts(out: Path, manifest: dict, notify: Callable[[str], None]) -> set[int]:
    """The batches whose part files are in ``out`` and whole; damaged parts and killed writers' temporaries are removed.

    Call only while holding the folder's lock. A part is whole if it holds
    exactly its batch's runs (:func:`sim.analysis.integrity.check_part`);
    anything else is run again. Files not named as parts are left alone.
    """
    parts = out / PARTS
    for stray in parts.iterdir() if parts.is_dir() else []:
        if PART_TEMP.fullmatch(stray.name):
            stray.unlink()
    done = set()
    for key, part in part_files(out).items():
        try:
            check_part(part, key, manifest)
        except DamagedResult as exc:
            notify(f"{exc}; that batch is run again")
            part.unlink()
            continue
        done.add(key)
    return done


# --------------------------------------------------------------------------
# An ensemble's replicates
# --------------------------------------------------------------------------


def write_replicates(out: Path, results: list[RunResult], key: dict) -> dict:
    """Write ``results`` (a part's replicates, in seed order) as the part's two files; return the part's manifest record.

    Each file is written whole or not at all (:func:`sim.io.files.atomic_file`); the
    record (seeds; rows, bytes and SHA-256 of each file) goes into the ensemble's
    manifest, which is what makes the part count as written
    (:func:`sim.analysis.replicates.read_part` checks a part against it).

    Args:
        out: the ensemble folder.
        results: the part's runs.
        key: the inputs they were made from (:func:`sim.analysis.replicates.replicate_key`), stored in each file.
    """
    import pyarrow as pa  # only when an ensemble writes: `import sim` stays light
    import pyarrow.parquet as pq

    seeds = [r.seed for r in results]
    meta = part_meta(seeds, key)
    files = {}
    for name, table in (("days", _days_table(results)), ("events", _events_table(results))):
        sink = pa.BufferOutputStream()
        pq.write_table(table.replace_schema_metadata(meta), sink, compression="zstd")
        data = sink.getvalue().to_pybytes()  # hashed before it reaches the disk: the manifest records what was meant
        path = part_file(name, seeds[0])
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(out / path) as tmp:
            tmp.write_bytes(data)
        files[path] = {"rows": table.num_rows, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return {"seeds": seeds, "files": files}


class PartLog:
    """An ensemble's manifest as its parts come in: a part counts once the manifest on disk lists it.

    Rewriting the manifest for every part would cost a large ensemble more than its parts
    (it lists every seed), so it is rewritten at most every :attr:`every` seconds, and by
    :meth:`flush` at the end or on a stop; a writer killed outright (SIGKILL) leaves the
    parts of its last second unlisted, and resuming runs them again.
    """

    every = 1.0

    def __init__(self, out: Path, manifest: dict) -> None:
        self.out, self.manifest, self.last = out, manifest, time.monotonic()
        manifest.setdefault("parts", [])

    def add(self, record: dict) -> None:
        self.manifest["parts"].append(record)
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        """Write the manifest now, its parts in seed order."""
        self.manifest["parts"].sort(key=lambda r: r["seeds"][0])
        write_atomic(self.out / "manifest.json", manifest_text(self.manifest))
        self.last = time.monotonic()


def _days_table(results: list[RunResult]):  # noqa: ANN202 - a pyarrow Table
    """One row per (replicate, day): seed, day, a controller code per town, a post code per post, the time series."""
    import pyarrow as pa

    theatre, days = results[0].theatre, len(results[0].history)
    control = np.concatenate([r.history for r in results]).astype(np.int8, copy=False)
    posts = np.concatenate([r.post_history.astype(np.int8) | (r.encircled_history.astype(np.int8) << 1) for r in results])
    columns = {"seed": pa.array(np.repeat([r.seed for r in results], days).astype(np.int64)),
               "day": pa.array(np.tile(np.arange(days, dtype=np.int32), len(results)))}
    columns.update((CONTROL + town, pa.array(control[:, t])) for t, town in enumerate(theatre.towns))
    columns.update((POST + post.id, pa.array(posts[:, k])) for k, post in enumerate(theatre.posts))
    for name in results[0].series:  # read from the batch's arrays: no replicate's pandas table is built
        values = np.concatenate([r.series[name] for r in results])
        numeric = values.dtype.kind in "biuf"
        columns[name] = pa.array(values, from_pandas=True) if numeric else pa.array(values.astype(object), pa.string(), from_pandas=True)
    return pa.table(columns)


def _events_table(results: list[RunResult]):  # noqa: ANN202 - a pyarrow Table
    """Every replicate's events, each with its seed, in seed order and each replicate's log order."""
    import pyarrow as pa

    events = np.concatenate([r.event_records for r in results])
    columns = {"seed": pa.array(np.repeat([r.seed for r in results], [len(r.event_records) for r in results]).astype(np.int64))}
    columns.update((name, pa.array(events[:, k], pa.string(), from_pandas=True)) for k, name in enumerate(EVENT_COLUMNS))
    return pa.table(columns)
