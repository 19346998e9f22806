"""Parquet storage of a sweep's rows: one part file per batch of runs, each written whole or not at all.

The folder layout (``runs.parquet/part-NNNNNN.parquet``) is read back by
:func:`sim.analysis.results.read_rows`; pyarrow is imported by pandas only
when a part is written or read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.results import PARTS, part_path
from ..io.files import atomic_file


def write_part(out: Path, key: int, rows: pd.DataFrame) -> Path:
    """Write batch ``key``'s rows as its part file."""
    final = part_path(out, key)
    with atomic_file(final) as tmp:
        rows.to_parquet(tmp, index=False)
    return final


def written_parts(out: Path) -> set[int]:
    """The batches whose part files are in ``out``, after removing parts a killed sweep never finished."""
    parts = out / PARTS
    for stray in parts.glob(".*"):
        stray.unlink()
    return {int(p.stem.removeprefix("part-")) for p in parts.glob("part-*.parquet")}
