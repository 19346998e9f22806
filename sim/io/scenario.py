"""Loading a scenario: ``extends``, validation against the schema, cross-checks; and its content hash.

``load_scenario`` resolves the ``extends`` chain (:mod:`sim.io.extends`),
validates the result against the schema (:mod:`sim.io.schema`) and checks
what it names against the theatre and the claims record
(:mod:`sim.io.checks`), turning every problem into one
:class:`~sim.errors.InputError` that names the file, the line and the key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError
from ..names import MAX_SEED
from .checks import check_scenario
from .extends import events_until, resolve
from .files import as_path, read_input, stamp
from .paths import plain
from .safe_yaml import LDict, LList
from .schema import EVENT_MODELS, Scenario
from .theatre import load_theatre
from .theatre_tables import CSV_LIMIT
from .timeline import check_timeline
from .validation import TaggedUnion, explain, first_error

EVENTS = TaggedUnion("event", "type", EVENT_MODELS)


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Load, merge and validate a scenario file.

    Args:
        path: the YAML scenario.
        **overrides: top-level values replacing the file's (``seed``, ``end``: a date or YYYY-MM-DD).
            A shortened window leaves out the events dated after it. A block is replaced whole:
            ``factions={...}`` leaves every value it omits at the schema's default, not the file's
            (:meth:`~sim.Scenario.with_params` sets one value).

    Raises:
        InputError: with file, line and key of the first problem found.
    """
    path = as_path(path)
    tree = resolve(path.resolve())
    tree.file = str(path)
    for key, value in overrides.items():
        if value is not None:
            tree[key] = plain(value)  # seed=np.int64(5), as a design holds it: a whole number, as with_params takes it
            tree.lines.setdefault(key, (str(path), None))
    if overrides.get("end") is not None and isinstance(tree.get("events"), LList):
        tree["events"] = events_until(tree["events"], overrides["end"])
    try:
        scenario = Scenario.model_validate(dict(tree))
    except ValidationError as exc:
        problem = explain(first_error(exc.errors()), tree, path, root=Scenario, union=EVENTS)
        if overrides.get(re.split(r"[.\[]", problem.key or "")[0]) is not None:  # the keyword's value: not the file's line
            raise InputError(None, problem.message, key=problem.key) from None
        raise problem from None
    check_scenario(scenario, tree, path)
    check_timeline(scenario, tree, path)
    return scenario


def check_again(scenario: Scenario) -> None:
    """The cross-checks a scenario file gets (:func:`load_scenario`), for a scenario made in Python.

    pydantic's ``model_copy(update=...)`` and ``model_construct`` skip them,
    and validating again (:func:`~sim.io.paths.revalidate`) checks each value
    alone: two events with one id ran, an axis through a town the theatre
    lacks stopped with a bare KeyError, a truce dated after the end ran. The
    checks read no number, so scenarios that differ only in their numbers
    (a sweep's points, a batch's parameter rows) are checked once: each is
    known by its dump with every number blanked out (kept for the session:
    a theatre edited under a running session is not looked at again).

    Raises:
        InputError: naming the scenario (it has no file) and the key.
    """
    data = scenario.model_dump(mode="python", by_alias=True)
    skeleton = _blank_numbers(data)
    if skeleton in _CHECKED:
        return
    here = f"scenario {scenario.name}"
    seen: dict[str, int] = {}
    for i, event in enumerate(scenario.events):
        if event.id and event.id in seen:  # the file route refuses it where the files are merged (sim.io.extends)
            raise InputError(here, f"duplicate event id '{event.id}' (also events[{seen[event.id]}]); every event's id "
                             "must be unique", key=f"events[{i}].id")
        seen.setdefault(event.id, i)
    tree = LDict(data)  # no file, no lines: an error names the scenario and the key
    tree.lines = {key: ("", None) for key in tree}
    check_scenario(scenario, tree, Path(here))
    check_timeline(scenario, tree, Path(here))
    if len(_CHECKED) >= 64:  # a long session of scenarios made in Python: let go of the oldest
        _CHECKED.pop(next(iter(_CHECKED)))
    _CHECKED[skeleton] = None


_CHECKED: dict[tuple, None] = {}  # the skeletons (see check_again) of scenarios checked, oldest first


def _blank_numbers(value: Any) -> Any:  # noqa: ANN401 - a scenario's dump, or any part of it
    """``value`` as a hashable tree with every number (not a switch) blanked out: what the cross-checks read.

    A validated scenario's dump holds plain dicts, lists, numbers and bools (a bool's type is not int), and values
    kept as they are (strings, dates, paths, None): their exact types are asked, and lists built, at a third of the
    cost of isinstance and generators (every run checks its scenario again).
    """
    kind = type(value)
    if kind is dict:
        return tuple([(key, _blank_numbers(v)) for key, v in value.items()])
    if kind is list or kind is tuple:
        return tuple([_blank_numbers(v) for v in value])
    return None if kind is int or kind is float else value


def as_scenario(scenario: Scenario | str | os.PathLike) -> Scenario:
    """``scenario`` itself, or the scenario file at that path loaded (:func:`load_scenario`): the Python API
    (``simulate``, ``CeasefireModel``, ``run_ensemble``, ``run_with``, ``parameters``) takes either.

    Raises:
        InputError: it is neither (a path given as a string was read a character at a time before).
    """
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | os.PathLike):
        return load_scenario(scenario)
    raise InputError(None, f"needs a Scenario (sim.load_scenario(path)) or the path of a scenario file, "
                           f"not a {type(scenario).__name__}", key="scenario")


def check_days(days: int, scenario: Scenario, key: str = "--days") -> None:
    """Refuse a day count outside 1 to the scenario's length, naming that length (``key``: the flag, or the keyword).

    A day count is the number of days simulated after the start day, which is the state the run begins from: ``--days
    10`` from 5 March ends on 15 March (its tables have 11 dated rows, the start day's first). Past `end:` the scenario
    says nothing (no events, no record to compare with).
    """
    if isinstance(days, bool) or not hasattr(days, "__index__"):  # numpy's whole numbers are whole numbers
        raise InputError(None, f"expects a whole number of days, not {days!r}", key=key)
    days = operator.index(days)
    if not 1 <= days <= scenario.days:
        shown = f"{days:,}" if abs(days) < 10**30 else f"a number of {len(str(abs(days)))} digits"
        longer = "; to run longer, change its `end:`" if days > scenario.days else ""
        raise InputError(None, f"must be from 1 to {scenario.days} (got {shown}): it counts the days simulated after the start "
                         f"day, and the scenario runs {scenario.days} days, {scenario.start} to {scenario.end}{longer}", key=key)


def for_run(scenario: Scenario | str | os.PathLike, *, days: int | None = None, seed: int | None = None,
            flags: bool = False) -> Scenario:
    """``scenario`` (or the scenario file at that path) as ``run --days DAYS --seed SEED`` runs it: only its first
    ``days`` days after the start day (:func:`check_days`; the events after them left out), with ``seed`` for its seed.

    The command line and the Python API (``simulate(days=)``, ``run_ensemble(days=, seed=)``) both come here, so a
    day count means one thing and is refused in the same words; ``flags`` names the flags in errors, not the keywords.

    Raises:
        InputError: the file's own problems as they are; a day count or seed the scenario cannot take, naming it.
    """
    days_key, seed_key = ("--days", "--seed") if flags else ("days", "seed")
    sc = as_scenario(scenario)
    if days is None and seed is None:
        return sc
    if days is not None:
        check_days(days, sc, days_key)
    if seed is not None and (isinstance(seed, bool) or not hasattr(seed, "__index__") or not 0 <= operator.index(seed) <= MAX_SEED):
        raise InputError(None, f"must be a whole number from 0 to {MAX_SEED} (got {seed!r})", key=seed_key)
    end = sc.start + dt.timedelta(days=operator.index(days)) if days is not None else None
    seed = operator.index(seed) if seed is not None else None
    try:
        if not isinstance(scenario, Scenario):
            return load_scenario(scenario, end=end, seed=seed)
        data = sc.model_dump(mode="python")
        if end is not None:
            data["end"], data["events"] = end, [e for e in data["events"] if e["date"] <= end]  # as events_until keeps them
        if seed is not None:
            data["seed"] = seed
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise explain(first_error(exc.errors()), None, None, root=Scenario, union=EVENTS) from None
    except InputError as exc:  # the scenario loaded as written: the day count or the seed made it wrong
        raise InputError(None, exc.message, key=days_key if days is not None else seed_key) from None


def content_hash(scenario: Scenario, files: list[Path]) -> str:
    """SHA-256 over the resolved scenario and every input file that shapes the result."""
    return hash_of_inputs(scenario.canonical_json(), files)


def hash_of_inputs(canonical: str, files: list[Path]) -> str:
    """:func:`content_hash` from the scenario's canonical JSON (:meth:`Scenario.canonical_json`, which a manifest
    keeps loaded as ``parameters``)."""
    digest = hashlib.sha256(canonical.encode())
    for file in sorted(set(files)):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def inputs_hash(scenario: Scenario) -> str:
    """The content hash of a scenario's run: the resolved scenario, every theatre file and the claims record.

    Kept while the scenario and its files are unchanged (:func:`~sim.io.files.stamp`, as the theatre's own cache):
    every run of a scenario would otherwise read and hash its half a megabyte of inputs again (1 % of a single run).
    """
    theatre = load_theatre(scenario.theatre)
    files = sorted({*theatre.files, scenario.claims})
    return _inputs_hash(scenario.canonical_json(), tuple(stamp(f, CSV_LIMIT) for f in files))


def input_file_hashes(scenario: Scenario) -> dict:
    """The SHA-256 of each input file of a scenario's run, as a manifest keeps them (``input_sha256``), so that a
    folder whose inputs changed since can say which file did (:func:`sim.analysis.relocated.changed_inputs`).

    ``theatre``: each theatre file by its path from the theatre's folder (the index itself by its name), which a moved
    checkout keeps; ``claims``: the claims record's. Kept while the files are unchanged, as :func:`inputs_hash`.
    """
    files = load_theatre(scenario.theatre).files
    kept = _file_hashes(tuple(stamp(f, CSV_LIMIT) for f in files), stamp(scenario.claims, CSV_LIMIT))
    return {"theatre": dict(kept["theatre"]), "claims": kept["claims"]}  # a copy: the cache's is not the manifest's


def file_sha256(file: Path) -> str:
    """The SHA-256 of a file's bytes (an input of a run: the limit is the theatre's tables')."""
    return hashlib.sha256(read_input(file, CSV_LIMIT)).hexdigest()


@functools.lru_cache(maxsize=16)
def _file_hashes(theatre_stamps: tuple, claims_stamp: tuple) -> dict:
    """:func:`input_file_hashes` of the files whose :func:`~sim.io.files.stamp`\\s these are (the path comes first)."""
    folder = Path(theatre_stamps[0][0]).parent  # the index's: a theatre file is keyed by its path from there
    theatre = {Path(os.path.relpath(each[0], folder)).as_posix(): file_sha256(Path(each[0])) for each in theatre_stamps}
    return {"theatre": theatre, "claims": file_sha256(Path(claims_stamp[0]))}


@functools.lru_cache(maxsize=64)
def _inputs_hash(canonical: str, stamps: tuple) -> str:
    """:func:`hash_of_inputs` of the files whose :func:`~sim.io.files.stamp`\\s are ``stamps`` (the path comes first)."""
    return hash_of_inputs(canonical, [Path(each[0]) for each in stamps])
