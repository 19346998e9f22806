"""How the simulator knows a file it wrote: the mark it leaves in its figures and reports.

A rerun removes a derived file, and an ``--out`` may overwrite a file, only
if the simulator provably wrote it (:mod:`sim.io.outputs`): never by its name
alone, which a user's own file may share.
"""

from __future__ import annotations

import re
from pathlib import Path

SIGNATURE = "idlib-sim"  # the PNG "Software" text and GIF comment of every image the simulator writes
MD_MARK = f"<!-- written by {SIGNATURE} -->"  # the last line of a comparison or report it writes (hidden when rendered)
VOUCHED_BY = {"points.csv": "report.md", "sensitivity.csv": "report.md", "boxes.csv": "discover.md"}  # else X.csv: X.md


def signed_markdown(text: str) -> str:
    """``text`` (ending in a newline) as the simulator writes it to a ``.md`` file: with :data:`MD_MARK` as its last line."""
    return f"{text}{MD_MARK}\n"


def signed(path: Path) -> bool:
    """Whether ``path`` is a figure or report the simulator wrote: a PNG or GIF whose metadata carries :data:`SIGNATURE`,
    an SVG or PDF whose creator it is (:func:`sim.viz.style.save_figure` writes it so), or markdown whose last line is
    :data:`MD_MARK` (:func:`signed_markdown`)."""
    suffix = path.suffix.lower()
    if suffix == ".md":
        try:
            with open(path, "rb") as fh:
                fh.seek(max(0, path.stat().st_size - 256))
                return fh.read().rstrip(b"\n").rsplit(b"\n", 1)[-1] == MD_MARK.encode()
        except OSError:
            return False
    if suffix in (".svg", ".pdf"):
        try:
            with open(path, "rb") as fh:
                if suffix == ".svg":  # matplotlib's metadata block comes first
                    head = fh.read(4096)
                    return re.search(rb"<dc:creator>\s*<cc:Agent>\s*<dc:title>" + SIGNATURE.encode() + rb"</dc:title>", head) is not None
                fh.seek(max(0, path.stat().st_size - 8192))  # the document information, at the end
                return b"/Creator (" + SIGNATURE.encode() + b")" in fh.read()
        except OSError:
            return False
    if suffix not in (".png", ".gif"):
        return False
    from PIL import Image, UnidentifiedImageError  # only when a file is to be overwritten

    try:
        with Image.open(path) as image:
            text = image.info.get("Software") or image.info.get("comment") or b""
    except (OSError, UnidentifiedImageError, ValueError):
        return False
    return (text.decode(errors="ignore") if isinstance(text, bytes) else str(text)) == SIGNATURE


def provably_ours(path: Path) -> bool:
    """Whether the simulator shows it wrote the derived file ``path``: an image, PDF or markdown it signed
    (:func:`signed`), a CSV written with a markdown it signed (a comparison's of the same stem, a report's tables), or
    an MP4 written with a GIF it signed (the same stem; an MP4 carries no mark of its own here)."""
    if path.is_symlink() or not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return signed(path.parent / VOUCHED_BY.get(path.name, path.with_suffix(".md").name))
    if suffix == ".mp4":
        return signed(path.with_suffix(".gif"))
    return signed(path)
