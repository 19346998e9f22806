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
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, closest, shown_path

if TYPE_CHECKING:
    import pandas as pd

CHECKOUT = Path(__file__).resolve().parents[2]  # the checkout this package runs from (a source install)
SCENARIOS = CHECKOUT / "scenarios"  # beside the package


def not_a_file(path: Path) -> str | None:
    """What ``path`` names when it is not a regular file ("a directory", ...), else None.

    Devices and pipes are refused: ``/dev/zero`` or a FIFO would be read forever.
    """
    if why := unnameable(str(path)):
        return f"no file ({why})"
    try:
        if path.is_file():
            return None
        if path.is_dir():
            return "a directory"
        return "a device, pipe or socket" if path.exists() else "a file that does not exist"
    except OSError as exc:  # a name too long, a symlink loop: the system refuses to look
        return f"a path the system cannot open ({exc.strerror})"


def unnameable(name: object) -> str | None:
    """Why the string ``name``, a path written in an input file, cannot name a file: it holds a NUL character, which no
    file system allows (resolving it raised a ValueError, a traceback, where any other bad path is an input error at its
    line); None where it can."""
    return "it holds a NUL character, which no file name can" if isinstance(name, str) and "\0" in name else None


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
    except (OSError, ValueError):  # (a NUL in the name: ValueError)
        return (str(path),)  # the loader reports it (nor is anything but a regular file hashed)
    key = (str(path), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    if stat.S_ISREG(st.st_mode) and time.time() - max(st.st_mtime, st.st_ctime) < RACY_SECONDS:
        key += (hashlib.sha256(read_input(path, limit)).hexdigest(),)
    return key


def as_path(value: object, key: str = "path") -> Path:
    """``value`` as a :class:`~pathlib.Path`, if it is a str or a path; else an InputError naming ``key``.

    The public functions that read a file or a folder take its path; given None, a number or a loaded object they raised
    pathlib's TypeError ("argument should be a str or an os.PathLike object ..., not 'NoneType'"); given "", the
    current folder, and an error naming a '.' never typed; given only spaces, "file not found" of the spaces.
    """
    if isinstance(value, str | Path) and (blank := path_blank(str(value))):  # the command line refuses these too
        raise InputError(None, f"{blank}: give a path", key=key)
    if isinstance(value, str | os.PathLike):
        return Path(value)
    hint = ": it is loaded already (sim.simulate and sim.run_ensemble take it as it is)" if type(value).__name__ == "Scenario" else ""
    if isinstance(folder := getattr(value, "path", None), Path):  # what run_ensemble, load_results or run_sweep returned
        hint = f": give its .path, the folder ({folder})"
    raise InputError(None, f"needs a path (a str or a pathlib.Path), not {type(value).__name__}{hint}", key=key)


def path_blank(text: str) -> str:
    """What is wrong with a path given as ``text`` that names nothing: "is empty" (an unset variable, which pathlib
    reads as the current folder), "is blank (only spaces)" (read as a name, then "file not found" of the spaces);
    "" for any other."""
    if text == "":
        return "is empty"
    return "is blank (only spaces)" if not text.strip() else ""


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of an input file, refusing non-files and files over ``limit`` bytes."""
    problem = not_a_file(path)
    if problem == "a file that does not exist":
        raise InputError(path, not_found(path))
    if problem:
        raise InputError(path, f"expected a file, found {problem}")
    try:
        if path.stat().st_size > limit:  # a regular file: its size is known before reading
            raise InputError(path, f"file is larger than {limit // 2**20} MB; is it the right file?")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None


def not_found(path: Path) -> str:
    """'file not found', with a file of a close name beside it or under scenarios/ when there is one."""
    return "file not found" + (near_miss(path) or in_scenarios(path))


def near_miss(path: Path) -> str:
    """' (did you mean ...?)' naming a file of the same folder whose name is close to the missing one's, else ''."""
    guess = near_name(path)
    return f" (did you mean {guess}, in the same folder?)" if guess is not None else ""


def in_scenarios(path: Path) -> str:
    """' (did you mean scenarios/...?)' for a relative path that names a file under the checkout's scenarios/ folder
    ('campaign.yaml', 'campaign', 'whatif/jan_truce_holds.yaml', or a name only one file there has), else ''."""
    path = Path(shown_path(str(path)))  # as typed: readers resolve it against the working folder first
    if path.is_absolute() or not SCENARIOS.is_dir():
        return ""
    direct = [SCENARIOS / path, SCENARIOS / f"{path}.yaml"]
    found = next((p for p in direct if p.is_file()), None)
    if found is None:
        # by its name exactly: what was typed is a name, not a pattern ('moscow*' names no file)
        same_name = [p for p in SCENARIOS.rglob("*") if p.name == path.name and p.is_file()]
        found = same_name[0] if len(same_name) == 1 else None
    return f" (did you mean {shown_path(str(found))}?)" if found is not None else ""


def near_name(path: Path) -> str | None:
    """The name of a file of the same folder close to the missing one's, else None."""
    try:
        # '.yml' and '.yaml' are one kind of file: 'moscow.yml' is a near miss of 'moscow.yaml'.
        kind = {".yml": ".yaml"}.get(path.suffix, path.suffix)
        names = [p.name for p in path.parent.iterdir() if {".yml": ".yaml"}.get(p.suffix, p.suffix) == kind] \
            if path.parent.is_dir() else []
    except OSError:
        return None
    # Closer than a mistyped key must be (0.8, not 0.6): the folder's other files are not a list of valid names.
    return closest(path.name, names, cutoff=0.8)


# --------------------------------------------------------------------------
# Writing: whole or not at all
# --------------------------------------------------------------------------

NAME_MAX = 255  # bytes in one file name, on every common file system
_TAG_ROOM = 48  # what a temporary or lock name adds to the target's name
# Temporary files and folders being written right now, so that a worker told to stop
# (SIGTERM) can remove them before it exits (:func:`remove_active_temps`).
_ACTIVE: set[Path] = set()


def hidden_prefix(name: str) -> str:
    """The start of the hidden names kept beside ``name`` (its temporaries, its lock).

    ``.NAME`` when that leaves room for a tag within the file system's limit;
    otherwise a shortened name with a hash of the full one, so a long but
    legal ``--out`` never fails for its temporary's sake.
    """
    full = f".{name}"
    if len(full.encode()) + _TAG_ROOM <= NAME_MAX:
        return full
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f".{name.encode()[:120].decode(errors='ignore')}~{digest}"


def temp_path(target: Path, kind: str = "tmp", suffix: str = "") -> Path:
    """A new hidden name beside ``target``: ``.NAME.<kind>-<pid>-<random><suffix>``."""
    return target.parent / f"{hidden_prefix(target.name)}.{kind}-{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def temp_names(prefix: str, kinds: str = "tmp|old", suffix: str = r"(\.[^/]*)?") -> re.Pattern:
    """The names :func:`temp_path` gives, as a pattern: ``prefix`` (a regular expression: the hidden name of what
    it stands beside), then ``.<kind>-<pid>-<random>`` for one of ``kinds``, then ``suffix``. Every pattern that
    tells a killed writer's temporary by its name is made here, so none can drift from the names written."""
    return re.compile(prefix + rf"\.({kinds})-\d+-[0-9a-f]{{8}}" + suffix)


def remove_stale_temps(target: Path) -> None:
    """Remove the temporaries of ``target`` that a killed writer left (call only while holding its lock: no live
    writer owns them then)."""
    pattern = temp_names(re.escape(hidden_prefix(target.name)))
    try:
        stale = [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return
    for path in stale:
        remove(path)


def remove(path: Path) -> None:
    """Remove a file or a folder tree (missing is fine)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_active_temps() -> None:
    """Remove every temporary this process is writing (from a signal handler, just before exiting)."""
    for path in list(_ACTIVE):
        remove(path)


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write in the block; at its end it replaces ``path`` whole.

    The temporary name keeps ``path``'s suffix, so writers that choose a
    format by the file name (matplotlib, Pillow) still choose the right one.
    On an error (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    tmp = temp_path(path, suffix=path.suffix)
    _ACTIVE.add(tmp)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        _ACTIVE.discard(tmp)


def write_atomic(path: str | Path, text: str) -> None:
    """Write a text file (UTF-8, ``\\n`` line ends) so that readers see the old content or the new, never a part."""
    with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def whole_or_every_digit(value: float) -> str:
    """A number as the results' tables write it: a whole number whole, any other as Python writes it (its repr).

    A count's quantile is a replicate's count, 1005209 people displaced, not 1005209.0; and any other number reads
    back to the very number: six significant digits wrote a mean of 1,064,218.33 people as 1.06422e+06, a replicate's
    528.597908 as 528.598 (a value no replicate had), and a comparison's A and B so that they no longer gave its B - A.
    Read back with pandas' defaults too, every number is the float written (a whole column as integers that are those
    floats): so whole means below 2**53, where every whole number is a float, and not minus zero (2**64 written out in
    full was read as text, and "-0" as the integer 0).
    """
    value = float(value)  # repr of a numpy float is 'np.float64(...)'
    whole = value.is_integer() and abs(value) < 2 ** 53 and repr(value) != "-0.0"
    return f"{value:.0f}" if whole else repr(value)


def table_text(table: pd.DataFrame, float_format: str | Callable[[float], str] | None = whole_or_every_digit) -> str:
    """A table as the CSV text every results file and download has: no index, ``\\n`` line ends, and whole numbers
    whole, others with every digit (:func:`whole_or_every_digit`), unless ``float_format`` says otherwise (a format,
    or a function of the number: calibration files keep 17 digits; None: as pandas writes them, 1.0 for one)."""
    return table.to_csv(index=False, lineterminator="\n", float_format=float_format)


@contextlib.contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """A hidden temporary folder beside ``out`` to fill in the block; at its end it replaces ``out`` whole.

    An existing folder at ``out`` is replaced only once the new one is complete
    (callers check first that it is theirs to replace). The folder is created
    with the user's umask, like any other folder.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(out)
    os.mkdir(tmp)  # mode 0o777 less the umask (tempfile.mkdtemp would make it 0o700)
    _ACTIVE.add(tmp)
    old = None
    try:
        yield tmp
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        if out.exists():
            old = temp_path(out, "old")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        if old is not None and old.exists() and not out.exists():
            old.rename(out)  # stopped between the two renames: the folder that was there goes back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        _ACTIVE.discard(tmp)
