"""Parquet storage of a sweep's rows: one part file per batch of runs, each written whole or not at all.

The folder layout (``runs.parquet/part-NNNNNN.parquet``) is read back by
:func:`sim.analysis.results.read_rows`; pyarrow is imported by pandas only
when a part is written or read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..analysis.integrity import check_part
from ..analysis.results import PARTS, part_files, part_path
from ..errors import DamagedResult
from ..io.files import atomic_file

PART_TEMP = re.compile(r"\.part-\d{6}\.parquet\.tmp-\d+-[0-9a-f]{8}\.parquet")


def write_part(out: Path, key: int, rows: pd.DataFrame) -> Path:
    """Write batch ``key``'s rows as its part file."""
    final = part_path(out, key)
    with atomic_file(final) as tmp:
        rows.to_parquet(tmp, index=False)
    return final


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
