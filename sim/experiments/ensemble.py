"""Ensembles: N seeded replicates of a scenario, run in parallel, summarised.

Replicate ``i`` of a scenario with seed ``s`` runs with seed ``s + i``, so
any replicate can be rerun alone (``python -m sim run SCENARIO --seed s+i``)
and a what-if that extends a scenario meets the same random draws until it
diverges (paired comparisons). Results never depend on the number of workers:
each replicate is independent and summaries are computed in seed order.

An ensemble folder::

    manifest.json            kind "ensemble", the seeds, the parts written so far, "complete" once all are in
    replicates/days/         the replicates' days, a Parquet file per part (:mod:`sim.analysis.replicates`)
    replicates/events/       their events, a Parquet file per part, named as its days
    control_prob.csv         date, town, p_regime, p_hts, p_rebels
    captures.csv             every change of hands in every replicate
    capture_dates.csv        per (town, new controller): share of replicates, date quantiles
    timeseries_quantiles.csv per (date, variable): mean and quantiles

A part is a few replicates stepped together in one task and written as one
(:func:`part_runs`: fixed by the ensemble's size, so the files are the same
whatever the number of workers). Every file appears complete or not at all,
and a part counts once the manifest lists it with its checksums. Parts
already finished in the folder (same inputs, seeds, window and package
version, and whole: see :func:`sim.analysis.replicates.read_part`) are kept,
so an interrupted ensemble is finished by running the same command again (or
one from another seed whose replicates include them: replicate ``s`` is the
same whichever seed the ensemble starts from); a
damaged part is run again, and so is a folder an earlier version wrote with a
run folder per replicate (``runs/seed-<s>/``: simulating it again takes less
time than reading it). The folder's lock keeps a second writer out, and a
rerun that changes what the folder holds removes what was derived from the
old content (comparisons, maps, plots).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from ..analysis.aggregate import all_captures, capture_dates, control_probabilities, timeseries_quantiles
from ..analysis.replicates import KEY_FIELDS, REPLICATES, TABLES, listed_parts, read_part, replicate_key
from ..analysis.results import RUNS_DIR, Results, RunData
from ..analysis.shared_seeds import seeds_in_words
from ..errors import AGAIN, DamagedResult, InputError, Interrupted, check_switch, flag, shown_path
from ..io.files import as_path, remove, remove_stale_temps, table_text, temp_names, write_atomic
from ..io.folder_lock import FolderLock
from ..io.outputs import OUT, claim_folder, remove_derived
from ..io.scenario import for_run, hash_of_inputs, inputs_hash
from ..io.schema import Scenario
from ..io.theatre import Theatre, load_theatre
from ..names import MAX_RUNS, MAX_WORKERS, is_whole
from .executors import deferred_interrupts, run_tasks
from .forkserver import start_forkserver
from .manifest import manifest as make_manifest
from .manifest import now
from .run import simulate_batch
from .seeds import seeds_from
from .storage import PartLog, write_replicates

BATCH = 64  # the most replicates to a part: stepped together (32 cost 4.3 ms a replicate, 64 2.9), and a Ctrl-C loses little
MIN_PARTS = 8  # a part holds at most an eighth of the ensemble, rounded up (so that workers share it): 8 parts or fewer
SUMMARY_FILES = ("control_prob.csv", "captures.csv", "capture_dates.csv", "timeseries_quantiles.csv")
PART = re.compile(r"part-\d+\.parquet")
PART_TEMP = temp_names(r"\.part-\d+\.parquet", kinds="tmp", suffix=r"\.parquet")
REPLICATE = re.compile(r"seed-\d+")  # a replicate's folder, as versions before parts wrote them
REPLICATE_TEMP = temp_names(r"\.seed-\d+", suffix="")


def check_workers(workers: int) -> int:
    """``workers`` as an int, if it is a whole number (numpy's too) from 1 to :data:`MAX_WORKERS`."""
    if not is_whole(workers) or not 1 <= workers <= MAX_WORKERS:
        raise InputError(None, f"must be a whole number from 1 to {MAX_WORKERS} (got {workers!r})", key=flag("workers"))
    return int(workers)


def run_ensemble(
    scenario: Scenario | str | Path,
    runs: int,
    out: str | Path,
    *,
    workers: int = 1,
    scenario_path: Path | None = None,
    progress: bool = False,
    notify: Callable[[str], None] | None = None,
    seed: int | None = None,
    days: int | None = None,
) -> Results:
    """Run ``runs`` replicates of ``scenario`` into the ensemble folder ``out``.

    Call it under ``if __name__ == "__main__":`` in a script when ``workers`` > 1:
    worker processes import the script that started them.

    Args:
        scenario: from :func:`sim.load_scenario`, or the path of a scenario file (loaded here, and
            recorded as ``scenario_path`` unless that is given); its seed is replicate 0's.
        runs: number of replicates (1 to 100,000).
        out: the ensemble folder: new, or an ensemble of the same scenario (and, given ``scenario_path``, of
            the same file): resumed if it holds these inputs, otherwise brought up to date.
        workers: processes running replicates at once (1 runs them in this process; at most 64).
        scenario_path: recorded in the manifests, and checked against the one ``out`` names.
        progress: show a progress bar on stderr, a notebook's output as a terminal (the command line asks for one on a terminal only).
        notify: called with a sentence for each thing worth telling (a damaged replicate rerun, ...).
        seed: replaces the scenario's seed, replicate 0's (``--seed``).
        days: simulate only this many days after the start day (``--days``; see :func:`sim.simulate`).

    Raises:
        InputError: ``out`` is something else, or another process is writing it.
        Interrupted: on Ctrl-C or SIGTERM; the replicates finished so far are kept.
    """
    check_switch(progress, "progress")
    out = as_path(out, OUT)
    if not isinstance(scenario, Scenario):  # a path, as run_with takes one
        scenario_path = scenario_path or Path(scenario)
    scenario = for_run(scenario, days=days, seed=seed)  # the command line's route for --days and --seed
    seeds = seeds_from(scenario.seed, runs)
    workers = check_workers(workers)
    if workers > 1 and runs > 1:
        start_forkserver()  # the workers' process loads the model while this one prepares the folder
    digest = inputs_hash(scenario)
    manifest = make_manifest("ensemble", scenario, scenario_path, content_hash=digest, seed=scenario.seed, started=now(),
                             replicates=seeds)
    theatre = load_theatre(scenario.theatre)
    with FolderLock(out):
        created = claim_folder(out, "ensemble", scenario=scenario.name, source=scenario_path)
        # Left by a writer killed while it wrote its first manifest, or a summary (they stayed through every rerun).
        for name in ("manifest.json", *SUMMARY_FILES):
            remove_stale_temps(out / name)
        log = PartLog(out, manifest)
        finished: dict[int, RunData] = {}
        prepared = False  # until the folder's kept parts are in the manifest, writing it would unlist them
        try:
            finished.update(_prepare(out, manifest, seeds, theatre, notify or (lambda _: None)))
            prepared = True
            log.flush()
            todo = parts_to_run(seeds, set(finished))
            if finished and notify:  # a grown or resumed ensemble: what it keeps, as a sweep says what was done already
                left = len(seeds) - len(finished)
                notify(f"{len(finished)} of the {len(seeds)} replicates are in {shown_path(str(out))} already, and kept; "
                       + (f"{left} to run" if left else "none to run"))

            from tqdm import tqdm  # imported here: only ensembles draw progress bars

            bar = tqdm(total=len(seeds), initial=len(finished), unit="run", disable=not progress,
                       desc=scenario.name)
            try:
                for record, runs in _replicates(scenario, todo, out, replicate_key(manifest), workers):
                    with deferred_interrupts():  # a part listed is a part counted: a stop between the two misreported
                        log.add(record)
                        finished.update((run.seed, run) for run in runs)
                    bar.update(len(runs))
            finally:
                bar.close()
            # Complete means every replicate is in, and it is said first: killed while the summaries were being
            # written, the folder held summaries beside a manifest marked unfinished. Killed now, it is complete
            # with a summary missing, which a reader never needs and the same command writes again.
            manifest["complete"] = True
            manifest["finished_at"] = now()
            log.flush()
            results = [finished[s] for s in seeds]
            write_summaries(out, results, theatre.towns)
        except KeyboardInterrupt:
            if created and not finished:
                remove(out)
                raise
            if not prepared:  # stopped while reading what the folder held: the manifest on disk still lists it
                raise
            log.flush()  # the parts that came back are listed, so they count
            summaries = f"every replicate is in: {AGAIN} to write the summaries"  # nothing to finish
            raise Interrupted(out, len(finished), len(seeds), where=out / REPLICATES,
                              advice=summaries if len(finished) == len(seeds) else None) from None
        except BaseException:
            if created and not finished:
                remove(out)  # a folder this call made, with nothing in it worth keeping
            elif prepared:
                with contextlib.suppress(OSError):  # the disk that failed may refuse this too: those parts are then rerun
                    log.flush()
            raise
    return Results(out, manifest, theatre, results, len(seeds))


def part_runs(replicates: int) -> int:
    """Replicates to a part (and to a task) in an ensemble of ``replicates``: a :data:`MIN_PARTS`-th of them rounded
    up, at most :data:`BATCH`. The rounding up can leave fewer than MIN_PARTS parts (10 replicates: 5 parts of 2).
    Fixed by the ensemble's size alone, so that its files do not depend on the number of workers (a replicate's
    content does not depend on its batch either)."""
    return max(1, min(BATCH, -(-replicates // MIN_PARTS)))


def parts_to_run(seeds: list[int], done: set[int]) -> list[list[int]]:
    """The parts still to run: the ensemble's parts (:func:`part_runs`) less the replicates already ``done``.

    The same command resumed finds whole parts done or not; an ensemble grown (more
    ``--runs``) keeps the parts of its old grouping, and runs the rest in the new one.
    """
    size = part_runs(len(seeds))
    chunks = ([s for s in seeds[i : i + size] if s not in done] for i in range(0, len(seeds), size))
    return [chunk for chunk in chunks if chunk]


def _prepare(out: Path, manifest: dict, seeds: list[int], theatre: Theatre, notify: Callable[[str], None]) -> dict[int, RunData]:
    """Make ``out`` this ensemble's folder; return the replicates already finished there, read and checked.

    A part the old manifest lists is kept if it is made from this ensemble's
    inputs (run from this seed or, the seed aside, another), window and
    package version, holds only its seeds, and is whole; its record goes into
    ``manifest``, with the inputs hash its files carry if not this one's. Other part files (another ensemble's,
    damaged, or written by a writer stopped before it listed them) and
    replicate folders of earlier versions are removed. If that changes what
    the folder holds, what was derived from it (comparisons, maps, plots)
    goes too. Files the simulator did not write are left alone.
    """
    out.mkdir(parents=True, exist_ok=True)
    old = _old_manifest(out)
    key, wanted = replicate_key(manifest), set(seeds)
    kept: dict[int, RunData] = {}
    records, listed, stale, dropped = [], set(), 0, 0
    parts, unreadable = [], False
    if old is not None and "parts" in old:
        try:
            parts = listed_parts(old, out / "manifest.json")
        except DamagedResult as exc:
            notify(f"{exc}; every replicate is run again")
            unreadable = True
    same = bool(parts) and replicate_key(old) == key
    if same:
        _refuse_to_discard(out, {s for part in parts for s in part.seeds}, seeds)
    reseeded = bool(parts) and not same and _only_the_seed_differs(old, manifest, theatre)
    if reseeded:  # kept as a resume keeps them: replicate s is the same whichever seed the ensemble starts from
        _refuse_to_discard(out, {s for part in parts for s in part.seeds}, seeds, run_from=old["seed"])
    for part in parts:
        listed.update(part.files)
        if not (same or reseeded):
            stale += len(part.seeds)
        elif wanted.issuperset(part.seeds):
            try:
                kept.update((run.seed, run) for run in read_part(out, part, theatre, replicate_key(old)))
                made_from = part.content_hash or old["content_hash"]  # the inputs hash its files carry
                records.append(replace(part, content_hash=None if made_from == manifest["content_hash"] else made_from).record())
                continue
            except DamagedResult as exc:
                notify(f"{exc}; its replicates are run again")
        dropped += 1
    if stale:
        # Not "run again": they are removed whatever this ensemble's seeds and --runs are (a rerun with other --days
        # and fewer runs of other seeds said so, and left none of them).
        notify(f"{out} held {stale} replicate(s) of other inputs, window or package version; they are removed, and this "
               f"ensemble's {len(seeds)} written in their place")
    keep = {name for record in records for name in record["files"]}
    unlisted = _remove_part_files(out, keep, listed)
    if unlisted:  # with the list of parts unreadable, none is listed: not a stopped writer's, as they would be said to be
        why = "that its damaged list of parts cannot vouch for" if unreadable else "not listed in its manifest (a stopped writer's)"
        notify(f"{out}: {unlisted} part file(s) {why} were removed; their replicates are run again")
    folders = _remove_replicate_folders(out)
    if folders:
        notify(f"{out} held {folders} replicate folder(s) written by an earlier version (runs/seed-*); they are run "
               f"again and stored as Parquet parts in {REPLICATES}/")
    changed = (old is None or dropped + unlisted + folders > 0 or len(kept) < len(seeds) or replicate_key(old) != key
               or old.get("seeds") != seeds)
    if changed:
        remove_derived(out, notify, "the folder's previous content")
    for name in SUMMARY_FILES:
        (out / name).unlink(missing_ok=True)
    manifest["parts"] = sorted(records, key=lambda r: r["seeds"][0])
    return kept


def _only_the_seed_differs(old: dict, manifest: dict, theatre: Theatre) -> bool:
    """Whether the folder's ensemble (``old``) is this one's inputs, window and version run from another ``--seed``.

    The seed is in the inputs' hash, so such replicates looked like another scenario's, and were all deleted (then all
    run again): a replicate's content depends on its own seed alone.
    """
    fields = [f for f in KEY_FIELDS if f != "content_hash"]
    if any(old.get(f) != manifest.get(f) for f in fields) or not isinstance(old.get("seed"), int):
        return False
    recorded = old.get("content_hash")
    if not isinstance(recorded, str) or old.get("seed") == manifest["seed"]:
        return False
    canonical = json.dumps({**manifest["parameters"], "seed": old["seed"]}, sort_keys=True, separators=(",", ":"))
    return hash_of_inputs(canonical, [*theatre.files, Path(manifest["inputs"]["claims"])]) == recorded


def _refuse_to_discard(out: Path, held: set[int], seeds: list[int], *, run_from: int | None = None) -> None:
    """Refuse an ensemble that would delete finished replicates of the same inputs: fewer ``--runs`` (or another
    ``--seed``, ``run_from`` being the folder's) than the folder holds, saying which ``--seed`` and ``--runs`` keep them.
    It deleted them without a word: 832 replicates of an interrupted 3,000."""
    outside = sorted(held - set(seeds))
    if not outside:
        return
    # One ensemble from the lowest seed to the highest keeps every finished replicate (another seed does, since they
    # are kept whichever seed comes first) and runs those asked for; too wide for one, the finished ones' own.
    lo, hi = min(outside[0], seeds[0]), max(outside[-1], seeds[-1])
    if hi - lo < MAX_RUNS:
        keep = f"give {flag('seed', lo)} {flag('runs', hi - lo + 1)}, which keeps them and runs those asked for too"
    else:
        keep = f"give {flag('seed', min(held))} {flag('runs', max(held) - min(held) + 1)} to keep them"
    whose = "these inputs" if run_from is None else f"these inputs run from {flag('seed', run_from)}"
    # The seeds as spans: those asked for may lie between the ones it would delete.
    raise InputError(out, f"holds {len(held)} finished replicates of {whose}; {len(outside)} of them "
                     f"({seeds_in_words(tuple(outside))}) {'is' if len(outside) == 1 else 'are'} not among the "
                     f"{len(seeds)} asked for, and this run would delete them: {keep}, or choose another {OUT}", key=OUT)


def _remove_part_files(out: Path, keep: set[str], listed: set[str]) -> int:
    """Remove the part files in ``out`` not in ``keep``, and killed writers' temporaries; how many were not ``listed``."""
    unlisted = 0
    for table in TABLES:
        folder = out / REPLICATES / table
        for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
            name = f"{REPLICATES}/{table}/{entry.name}"
            if PART_TEMP.fullmatch(entry.name) or (PART.fullmatch(entry.name) and name not in keep):
                entry.unlink()  # we hold the lock: no one is writing it
                unlisted += PART.fullmatch(entry.name) is not None and name not in listed
    return unlisted


def _remove_replicate_folders(out: Path) -> int:
    """Remove the replicate folders of an earlier version (``runs/seed-<s>/``, and temporaries); how many there were."""
    runs_dir, removed = out / RUNS_DIR, 0
    for entry in sorted(runs_dir.iterdir()) if runs_dir.is_dir() else []:
        if REPLICATE_TEMP.fullmatch(entry.name) or REPLICATE.fullmatch(entry.name):
            remove(entry)
            removed += REPLICATE.fullmatch(entry.name) is not None
    with contextlib.suppress(OSError):
        runs_dir.rmdir()  # only if nothing of the user's is left in it
    return removed


def _old_manifest(out: Path) -> dict | None:
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _replicates(scenario: Scenario, parts: list[list[int]], out: Path, key: dict, workers: int) -> Iterator[tuple[dict, list[RunData]]]:
    """Run the parts, each a batch stepped together, yielding each part's record and replicates as it is written (in any order)."""
    yield from (result for _, result in run_tasks(_replicate_batch, range(len(parts)), lambda k: (scenario, parts[k], out, key),
                                                  workers=workers))


def _replicate_batch(scenario: Scenario, seeds: list[int], out: Path, key: dict) -> tuple[dict, list[RunData]]:
    results = simulate_batch(scenario, seeds)
    return write_replicates(out, results, key), [RunData.of(result) for result in results]


def write_summaries(out: Path, runs: list[RunData], towns: list[str]) -> None:
    """Write an ensemble's summaries (:data:`SUMMARY_FILES`) from its replicates, in seed order."""
    captures = all_captures(runs)
    tables = {
        "control_prob.csv": control_probabilities(runs, towns),
        "captures.csv": captures,
        "capture_dates.csv": capture_dates(runs, captures),
        "timeseries_quantiles.csv": timeseries_quantiles(runs),
    }
    for name, table in tables.items():
        write_atomic(out / name, table_text(table))
