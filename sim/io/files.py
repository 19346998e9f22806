"""Files on disk: input files read with guards, output files and folders written whole or not at all.

Reading: an input is refused, as an :class:`~sim.errors.InputError`, when it is
not a regular file (a directory, a device, a pipe) or is larger than a limit;
:func:`stamp` tells a changed input from an unchanged one, for caches.

Writing: every file the simulator writes goes through :func:`atomic_file`
(or :func:`write_atomic` for text), and every run folder through
:func:`atomic_folder`: the content is written beside the target under a
hidden temporary name and renamed into place, so a reader (or a run killed
mid-write) sees the old content or the new, never a part.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError


def not_a_file(path: Path) -> str | None:
    """What ``path`` names when it is not a regular file ("a directory", ...), else None.

    Devices and pipes are refused: ``/dev/zero`` or a FIFO would be read forever.
    """
    try:
        if path.is_file():
            return None
        if path.is_dir():
            return "a directory"
        return "a device, pipe or socket" if path.exists() else "a file that does not exist"
    except OSError as exc:  # a name too long, a symlink loop: the system refuses to look
        return f"a path the system cannot open ({exc.strerror})"


RACY_SECONDS = 2.0  # coarser than any file system's timestamps


def stamp(path: Path, limit: int) -> tuple:
    """What tells a changed input file from an unchanged one, for caches.

    Size, inode and modification and change times (``utime`` can restore the
    mtime, never the ctime); a file changed within the last few seconds is
    also hashed, since a same-size edit on a coarse clock may keep all of them
    (git's "racy clean" rule).
    """
    try:
        st = path.stat()
    except OSError:
        return (str(path),)  # the loader reports it (nor is anything but a regular file hashed)
    key = (str(path), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    if stat.S_ISREG(st.st_mode) and time.time() - max(st.st_mtime, st.st_ctime) < RACY_SECONDS:
        key += (hashlib.sha256(read_input(path, limit)).hexdigest(),)
    return key


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of an input file, refusing non-files and files over ``limit`` bytes."""
    problem = not_a_file(path)
    if problem == "a file that does not exist":
        raise InputError(path, "file not found")
    if problem:
        raise InputError(path, f"expected a file, found {problem}")
    try:
        if path.stat().st_size > limit:  # a regular file: its size is known before reading
            raise InputError(path, f"file is larger than {limit // 2**20} MB; is it the right file?")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None


# --------------------------------------------------------------------------
# Writing: whole or not at all
# --------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write in the block; at its end it replaces ``path`` whole.

    The temporary name keeps ``path``'s suffix, so writers that choose a
    format by the file name (matplotlib, Pillow) still choose the right one.
    On an error (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}{path.suffix}")
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: str | Path, text: str) -> None:
    """Write a text file (UTF-8, ``\\n`` line ends) so that readers see the old content or the new, never a part."""
    with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


@contextlib.contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """A hidden temporary folder beside ``out`` to fill in the block; at its end it replaces ``out`` whole.

    An existing folder at ``out`` is replaced only once the new one is complete.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            old.rmdir()
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
