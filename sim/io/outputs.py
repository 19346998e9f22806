"""Where results go: the folders the simulator owns, what it may replace in them, and one writer at a time.

Nothing that is not the simulator's is ever removed or overwritten:

- Every folder it writes carries a marker saying what it is: ``manifest.json``
  (``kind`` "run" or "ensemble", the scenario, the inputs' hash),
  ``sweep.json`` (a sweep), or ``.idlib-sim`` (a calibration, or a folder
  created for figures or reports). A command writes into a folder only if it is new (or empty), or
  marked as its own kind of results for the same scenario and scenario file
  (:func:`claim_folder`); anything else is refused, saying what is there.
- Inside its folders it touches only the names it writes (:data:`OWN`); a
  rerun that changes what a folder holds removes what was derived from the
  old content (:data:`DERIVED`: comparisons, maps, plots, a sweep's report)
  that it provably wrote (:func:`provably_ours`), and nothing else (:func:`remove_derived`).
- An existing file is overwritten only if the simulator provably wrote it
  (:func:`claim_file`): its images and markdown carry its mark (:mod:`sim.io.signatures`).
- :class:`~sim.io.folder_lock.FolderLock` keeps two writers out of one
  folder: the second stops at once with an :class:`~sim.errors.InputError`
  naming the first.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import InputError, OutputError, flag
from ..names import replicates
from .files import NAME_MAX, remove_stale_temps, temp_names, write_atomic
from .folder_lock import FolderLock
from .signatures import provably_ours

MARKER = ".idlib-sim"  # marks a folder created for figures or reports (compare/plot --out)


# Files derived from a folder's results: made by compare, map and plot, stale once the results change.
DERIVED = ("comparison.md", "comparison.csv", "comparison_*.md", "comparison_*.csv", "map_*.png", "map_*.svg",
           "map_*.pdf", "control*.gif", "control*.mp4", "towns_held.png", "capture_dates.png", "losses.png",
           "patrol_coverage.png")
REPORT_FILES = ("response_*.png", "heatmap_*.png", "points.csv", "sensitivity.csv", "report.md")  # a sweep's report/
DISCOVER_FILES = ("discover.md", "boxes.csv", "peeling.png")  # a sweep's discover/ (sim discover)

SWEEP_ROWS = "runs.parquet"  # a sweep's rows, one part file per batch: a dataset that pandas.read_parquet reads whole
PART_TABLES = ("days", "events")  # an ensemble's replicates/<table>/, one Parquet file per part (sim.analysis.replicates)
OWN = {
    "run": ("manifest.json", "control.csv", "events.csv", "timeseries.csv", "posts.csv", "control_map.png", *DERIVED),
    "ensemble": ("manifest.json", "replicates", "runs", "control_prob.csv", "captures.csv", "capture_dates.csv",
                 "timeseries_quantiles.csv", *DERIVED),
    "sweep": ("sweep.json", "points.csv", SWEEP_ROWS, "report", "discover"),
    "outputs": (MARKER, *DERIVED, *DISCOVER_FILES),
    "calibration": (MARKER, "study.db", "study.db-journal", "trials.csv", "accepted.csv", "rerank.csv", "slices.csv",
                    "scores.json", "report.md", "parameters.csv", "history.png", "marginals.png", "slices.png"),
}
OUT = flag("out")  # the folder or file a writer was given: --out on the command line, out= in Python
A = {"run": "a run", "ensemble": "an ensemble", "sweep": "a sweep", "calibration": "a calibration"}


def marker(folder: Path) -> dict | None:
    """What ``folder`` says it is (``{"kind": ..., ...}``), or None if it is not one of the simulator's."""
    return read_markers(folder)[0]


def read_markers(folder: Path) -> tuple[dict | None, str | None]:
    """:func:`marker` of ``folder``, and the name of the file that says what it is (``manifest.json``, ``sweep.json``)
    if it is there but is not JSON (cut short by a full disk or a broken copy, or edited by hand: the simulator's
    results, damaged), else None. Each file is read once: a refusal says what the folder holds and whether it may be
    removed from one reading (it read a damaged manifest four times)."""
    found, damaged = None, None
    for name in ("manifest.json", "sweep.json", MARKER):
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, ValueError):
            if damaged is None and name != MARKER:
                damaged = name
            continue
        if found is not None or not isinstance(data, dict):
            continue
        if name == "manifest.json" and "scenario_name" in data:
            if data.get("kind", "run") not in ("run", "ensemble"):  # edited by hand: no kind the simulator writes
                damaged = damaged or name
                continue
            found = {**data, "kind": data.get("kind", "run")}
        elif (name == "sweep.json" and data.get("kind") == "sweep") or (
                name == MARKER and data.get("kind") in ("outputs", "calibration")):
            found = data
    return found, damaged


TEMP = temp_names(r"\..+")  # any temporary files.temp_path names


def is_own(name: str, kind: str) -> bool:
    """Whether a file or folder called ``name`` in a ``kind`` folder is one the simulator writes there
    (a temporary left by a killed writer included)."""
    return named_as(name, OWN[kind]) or bool(TEMP.fullmatch(name))


def named_as(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``name`` matches one of the file-name ``patterns`` (``map_*.png``), case and all."""
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def describe(path: Path, markers: tuple[dict | None, str | None] | None = None) -> str:
    """What is at ``path``, in a few words, for a refusal (``markers``: its :func:`read_markers`, if read already)."""
    if not path.exists():
        return "nothing"
    if not path.is_dir():
        return "a file" if path.is_file() else "something that is not a folder"
    m, damaged = markers or read_markers(path)
    if m is not None:
        if m["kind"] == "sweep":
            return f"a sweep of {Path(str(m.get('scenario', '?'))).name}"
        if m["kind"] == "outputs":
            return "figures and reports written by the simulator"
        if m["kind"] == "calibration":  # its marker names no scenario or seed: it read "scenario 'None' (seed None)"
            return "a calibration's study and results"
        n = len(_listed(m, "seeds"))  # the lists checked: an edited manifest's refusal was a TypeError's traceback
        runs = replicates(n) if m["kind"] == "ensemble" else f"seed {m.get('seed')}"
        if m["kind"] == "ensemble" and m.get("complete") is False:  # what is in, not only what was asked for
            done = sum(len(_listed(part, "seeds")) for part in _listed(m, "parts") if isinstance(part, dict))
            runs = f"{done} of {runs}, unfinished"
        return f"{A[m['kind']]} of scenario '{m.get('scenario_name')}' ({runs})"
    entries = sorted(path.iterdir())
    if not entries:
        return "an empty folder"
    if damaged is not None:
        return f"results whose {damaged} cannot be read (damaged or cut short)"
    # The folder results go in (--out results): its results folders are the simulator's, said so, not "not written".
    ours = [p for p in entries if p.is_dir() and not p.is_symlink() and marker(p) is not None]
    others = [p for p in entries if p not in ours]
    folders = sum(p.is_dir() for p in others)  # said as such: "holds a folder ... (notes.txt)" read as one folder
    things = ("folders" if folders > 1 else "a folder") if folders == len(others) else (
        ("files" if len(others) > 1 else "a file") if not folders else "files and folders")
    said = [f"the simulator's results folders ({listing(ours)})"] * bool(ours) + [
        f"{things} {'it' if ours else 'the simulator'} did not write ({listing(others)})"] * bool(others)
    return " and ".join(said)


def listing(entries: list[Path]) -> str:
    """The first four of ``entries`` by name (a folder's with a '/'), and how many more there are."""
    names = [p.name + ("/" if p.is_dir() else "") for p in entries]
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _listed(data: dict, key: str) -> list:
    """``data[key]`` if it is a list, else an empty one (a manifest edited by hand)."""
    value = data.get(key)
    return value if isinstance(value, list) else []


def strangers(out: Path, ours: Callable[[Path], bool]) -> list[str]:
    """What in the folder ``out`` a script did not write, each as 'name (what it is)': every entry but the temporaries a
    killed write left and those ``ours`` (given each entry) claims; empty if ``out`` is new. The scripts' --out."""
    entries = sorted(out.iterdir()) if out.is_dir() else []
    return [f"{e.name} ({describe(e)})" for e in entries if not (TEMP.fullmatch(e.name) or ours(e))]


def folder_of_kind(entry: Path, kind: str) -> bool:
    """Whether ``entry`` is a folder (not a link) the simulator marked as ``kind``, or an empty one it may write into."""
    if not entry.is_dir() or entry.is_symlink():
        return False
    m = marker(entry)
    return m.get("kind") == kind if m is not None else not any(entry.iterdir())


def claim_folder(out: Path, kind: str, *, scenario: str | None = None, source: str | Path | None = None) -> bool:
    """Check that a ``kind`` command may write its results into ``out``; True if ``out`` is new.

    ``out`` may be missing, an empty folder, or a ``kind`` folder of the same
    scenario (to be resumed, or replaced by the caller). A run folder is
    replaced whole, so it must hold nothing but the simulator's files.

    Args:
        out: the results folder.
        kind: "run", "ensemble", "sweep" or "calibration".
        scenario: the scenario's ``name:``; a folder of another name is refused.
        source: the scenario file; a folder whose manifest names another file is refused too, since
            a copy of a what-if keeps its ``name:`` and so its default folder (its results are not this file's).

    Raises:
        InputError: anything else is at ``out``, or ``out`` is among a sweep's rows or an ensemble's parts
            (:func:`refuse_among_rows`); the message says what, and how to choose another.
    """
    hint = f"choose another {OUT} (a new folder's name)"
    refuse_among_rows(out)  # new files there broke pandas.read_parquet of the rows
    if out.is_symlink():
        raise InputError(out, f"is a symbolic link; give the folder it points to, or {hint}", key=OUT)
    if out.exists() and not out.is_dir():
        raise InputError(out, f"is {describe(out)}, not a results folder; {hint}", key=OUT)
    if not out.exists():
        return True
    try:
        entries = list(out.iterdir())
    except OSError as exc:
        raise OutputError(out, exc.strerror or str(exc)) from None
    if all(TEMP.fullmatch(e.name) for e in entries):  # empty, or what a writer killed before its marker left
        return True
    markers = read_markers(out)
    m, damaged = markers
    if m is None or m["kind"] != kind:
        what = describe(out, markers)
        if damaged is not None:  # not known to be ours, so never removed here: the user may
            hint += ", or remove the folder if its results are no longer needed"
        elif m is None and all(e.is_dir() and marker(e) is not None for e in entries if not TEMP.fullmatch(e.name)):
            hint = f"{OUT} names a new folder for these results: {out / 'NAME'}, say"
        raise InputError(out, f"exists and holds {what}; {A[kind]} cannot be written there; {hint}", key=OUT)
    if scenario is not None and m.get("scenario_name") != scenario:
        raise InputError(out, f"holds {describe(out, markers)}, not of '{scenario}'; {hint}", key=OUT)
    other = _other_file(m, source)
    if other is not None:
        raise InputError(out, f"holds {A[kind]} of {other}, not of {source} (both are named '{m.get('scenario_name')}'); "
                         f"to keep both, give another {OUT} DIR, or give {source} or {other} a `name:` of its own", key=OUT)
    if kind == "run":
        # A derived file's name is not enough: a user's map_*.png in the folder went with it.
        foreign = sorted(p.name for p in entries if not is_own(p.name, "run") or (
            named_as(p.name, DERIVED) and not provably_ours(p)))
        if foreign:
            raise InputError(out, f"is a run folder that also holds files not marked as the simulator's ({', '.join(foreign[:4])}); "
                             f"a new run replaces the folder whole: move them out, or {hint}", key=OUT)
    return False


def _other_file(m: dict, source: str | Path | None) -> str | None:
    """The scenario file a folder's manifest ``m`` names, if it is not ``source``; None if the same or not known.

    The manifest holds the path as it was given (relative to where the command ran), resolved from here, and
    (``scenario_file``) as it was resolved then, for a command run from another folder; a path
    that no longer leads to ``source`` counts as another file (refusing keeps the results).
    """
    recorded = m.get("scenario")
    if source is None or not isinstance(recorded, str) or recorded == m.get("scenario_name"):
        return None  # written from Python without a file, or run so now: the names alone were compared
    resolved = m.get("scenario_file")
    for path in (recorded, *([resolved] if isinstance(resolved, str) else [])):
        try:
            if Path(path).resolve() == Path(source).resolve() or os.path.samefile(path, source):
                return None
        except (OSError, RuntimeError, ValueError):  # missing, a link loop, a NUL: not shown to be the same file
            pass
    return recorded


def remove_derived(folder: Path, notify: Callable[[str], None], made_from: str) -> None:
    """Remove what was derived from ``folder``'s results (comparisons, maps, plots, a sweep's report and discover/); nothing else.

    A file goes only if the simulator provably wrote it (:func:`provably_ours`), not by its name alone: a user's
    ``map_my_annotated_front.png`` or ``comparison_vs_my_field_report.md`` was deleted. ``notify`` is told of each
    file removed (``made_from`` what: "the folder's previous content") and of those left that bear a derived file's
    name without the simulator's mark (a user's, or an older version's).
    """
    removed, kept = [], []

    def sweep_out(where: Path, patterns: tuple[str, ...]) -> None:
        named = [e for e in sorted(where.iterdir()) if e.is_file() and named_as(e.name, patterns)]
        ours = [e for e in named if provably_ours(e)]  # judged before any goes: a CSV is vouched for by its markdown
        for entry in named:
            if entry in ours:
                entry.unlink()
                removed.append(entry)
            else:
                kept.append(entry)

    if folder.is_dir():
        sweep_out(folder, DERIVED)
    for name, files in (("report", REPORT_FILES), ("discover", DISCOVER_FILES)):
        report = folder / name
        if report.is_dir() and (folder / "sweep.json").exists():
            sweep_out(report, files)
            with contextlib.suppress(OSError):
                report.rmdir()  # only if nothing else is in it
    for file in removed:
        notify(f"removed {file.relative_to(folder)}: it was made from {made_from}")
    if kept:
        names = ", ".join(str(p.relative_to(folder)) for p in kept[:4]) + (f" and {len(kept) - 4} more" if len(kept) > 4 else "")
        notify(f"kept {names}: named as what the simulator derives from results, but not marked as its own (yours, or "
               f"written by an older version); remove {'it' if len(kept) == 1 else 'them'} yourself if made from {made_from}")


def mark_folder(folder: Path, kind: str) -> None:
    """Create ``folder`` if need be and mark it as the simulator's ``kind`` folder (a calibration), once."""
    folder.mkdir(parents=True, exist_ok=True)
    if marker(folder) is None:
        # Whole or not at all: a calibration killed as it wrote the marker in place left it empty, and every rerun was
        # refused, the folder holding "a file the simulator did not write". A killed writer's temporary, left instead,
        # is what claim_folder takes for a new folder; it goes before the marker is written.
        remove_stale_temps(folder / MARKER)
        write_atomic(folder / MARKER, json.dumps({"kind": kind}) + "\n")


def claim_output_folder(folder: Path) -> Path:
    """A folder for figures or reports (``compare``/``plot --out``): created with a marker if new."""
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, f"is {describe(folder)}, not a folder; choose another {OUT}", key=OUT)
    refuse_among_rows(folder)
    if not folder.exists():
        if not folder.parent.is_dir():
            raise InputError(folder, f"its parent folder '{folder.parent}' does not exist; create it first or choose "
                             f"another {OUT}", key=OUT)
        folder.mkdir()
        write_atomic(folder / MARKER, json.dumps({"kind": "outputs"}) + "\n")  # whole or not at all, as mark_folder's
    return folder


def refuse_among_rows(folder: Path) -> None:
    """Refuse ``folder`` as ``--out`` if it is or lies in a folder of Parquet parts: a sweep's rows (``runs.parquet``)
    or an ensemble's parts (``replicates/days``, ``replicates/events``), which pandas.read_parquet reads whole.

    Raises:
        InputError: naming the folder of parts.
    """
    try:
        here = folder.resolve()  # "rows/.." is not in rows
    except (OSError, RuntimeError):
        return  # a link loop: refused where the folder is judged
    for path in (here, *here.parents):
        if path.name == SWEEP_ROWS and (path.parent / "sweep.json").is_file():
            what = "a sweep's rows"
        elif path.name in PART_TABLES and path.parent.name == "replicates" and (path.parent.parent / "manifest.json").is_file():
            what = "an ensemble's replicates"
        else:
            continue
        raise InputError(folder, f"is in {path}, which holds {what} alone (pandas.read_parquet reads every file there, "
                         f"and anything else among them stops it); choose another {OUT}", key=OUT)


@contextlib.contextmanager
def writing_into(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock while derived files are written into it, if it is one of the simulator's folders."""
    if marker(folder) is None:
        yield  # a folder of the user's: each file is written whole, and only where claim_file allowed it
        return
    with FolderLock(folder):
        yield


def claim_file(path: Path, *, formats: tuple[str, ...] | None = None) -> Path:
    """Check that a figure or report may be written at ``path``.

    It may if nothing is there, or if the simulator provably wrote the file there (:func:`provably_ours`: its mark,
    or a marked markdown or GIF beside a CSV or MP4), in its own folders as anywhere else: a name alone, which a
    user's file may share, let ``compare`` write over a user's ``comparison_vs_A.md`` in a results folder. A file
    without the mark (the user's, or an older version's) is refused, as :func:`claim_folder` refuses a run folder
    holding one and :func:`remove_derived` keeps it.

    ``formats``: the suffixes a file the caller named may end in (``map --out``); None where the simulator chose the name.

    Raises:
        InputError: a folder, a file someone else wrote, a missing parent or an unknown format.
    """
    if len(path.name.encode()) > NAME_MAX:
        raise InputError(path, f"the file name is longer than the file system allows ({NAME_MAX} bytes)", key=OUT)
    if path.is_dir():
        if formats is None:  # a name the simulator chose (comparison.md, towns_held.png): nothing for the user to rename
            raise InputError(path, f"is a folder where the simulator writes a file of that name; move it, or choose "
                             f"another {OUT}", key=OUT)
        raise InputError(path, f"is a folder; {OUT} names the file to write (e.g. {path / ('map' + formats[0])})", key=OUT)
    if formats is not None and path.suffix.lower() not in formats:
        shown = path.suffix or "no suffix"
        raise InputError(path, f"cannot be written as '{shown}': choose a file name ending in {' or '.join(formats)}", key=OUT)
    if not path.parent.is_dir():
        raise InputError(path, f"its folder '{path.parent}' does not exist; create it first or choose another {OUT}", key=OUT)
    if not path.exists() and not path.is_symlink():
        return path
    refuse_unmarked([path], f"choose another {OUT} (or move the file)")  # no "--out PATH:": the path is often a default
    return path


def refuse_unmarked(paths: list[Path], hint: str) -> None:
    """Refuse to write any of ``paths`` over a file the simulator did not provably write (:func:`provably_ours`).

    Raises:
        InputError: naming the first such file, then ``hint`` (how to get the output written).
    """
    # Markdown first: a user's report.md leaves the tables it would vouch for unmarked too, and is the one to name.
    for path in sorted(paths, key=lambda p: p.suffix.lower() != ".md"):
        if (path.exists() or path.is_symlink()) and not provably_ours(path):
            raise InputError(path, "exists and was not written by the simulator (it bears no mark of it: yours, or an "
                             f"older version's); {hint}")
