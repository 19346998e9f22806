"""A sweep file's settings: ``runs``, ``sample``, ``n``, ``sample_seed`` and ``replicate_seed``, each the command line's
(:func:`~sim.experiments.sweep_file.load_sweep`'s keywords) or else the file's, checked."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, did_you_mean, flag
from ..names import MAX_N, MAX_RUNS, MAX_SEED, is_whole, replicates
from .designs import SAMPLES

# Runs in one sweep: some two days at this machine's 500 runs/s, hours on a cluster. A million points of 100,000
# runs each was accepted before, and listing its batches exhausted the memory.
SETTINGS = {"runs": (1, MAX_RUNS), "n": (1, MAX_N), "sample_seed": (0, 2**32 - 1), "replicate_seed": (0, MAX_SEED)}
DEFAULT_RUNS = 10  # replicates per point when neither the file nor the caller says


def _bounds(key: str) -> str:
    """A setting's range in its error: a count's thousands grouped, a seed's (a label, not a quantity) as typed."""
    lo, hi = SETTINGS[key]
    return f"from {lo} to {hi}" if key.endswith("seed") else f"from {lo:,} to {hi:,}"


OVERRIDES = ("sample", "n", "sample_seed", "runs", "replicate_seed")  # what load_sweep's keywords may set


def read_settings(path: Path, tree: dict, overrides: dict, line) -> dict:  # noqa: ANN001 - the line finder
    """``sample``, ``n``, ``sample_seed``, ``runs``, ``replicate_seed``: the command line's, else the file's, checked."""
    _check_overrides(overrides)
    settings: dict = {}
    for key in sorted(OVERRIDES, key=lambda k: line(k) or 0):  # in file order, to report the first wrong one
        value = overrides.get(key)
        if value is not None and key in ("runs", "replicate_seed"):  # checked by _check_overrides: numpy's as Python's
            value = int(value)
        if value is None and tree.get(key) is not None:
            value = tree[key]
            if key in SETTINGS:
                lo, hi = SETTINGS[key]
                try:
                    value = whole_in(value, lo, hi)
                except (TypeError, ValueError):
                    raise InputError(path, f"must be a whole number {_bounds(key)} (got {value!r})", line=line(key), key=key) from None
            elif not (isinstance(value, str) and value.strip()):  # '' ran as the default grid
                raise InputError(path, f"must be one of {', '.join(SAMPLES)}", line=line(key), key=key)
        settings[key] = value
    _check_seeds(path, tree, settings, overrides, line)
    return settings


def _overridden(key: str) -> str:
    """What an error calls a keyword of :func:`~sim.experiments.sweep_file.load_sweep`: its flag on the command line, the keyword in Python
    (``replicate_seed`` has no flag: ``--seed`` goes to run_sweep, and the command line never gives it here)."""
    return key if key == "replicate_seed" else flag(key)


def _check_overrides(overrides: dict) -> None:
    """load_sweep's keywords, checked as the file's own keys are: a misspelt one (``rnus=2``) was dropped without a
    word, ``runs=0`` read as the default 10, and ``runs='2'`` raised a TypeError. (``n`` and ``sample_seed``, and
    which sample a string names, are make_design's to check, as for the file's keys: :func:`_design_error` names the
    keyword.)"""
    for key, value in overrides.items():
        if key not in OVERRIDES:
            raise InputError(None, f"load_sweep takes no keyword '{key}'" + did_you_mean(str(key), OVERRIDES), key=str(key))
        if value is None or key in ("n", "sample_seed"):  # None: not given (the command line passes every flag)
            continue
        if key in SETTINGS:
            lo, hi = SETTINGS[key]
            try:
                whole_in(value, lo, hi)
            except ValueError:
                raise InputError(None, f"must be a whole number {_bounds(key)} (got {value!r})", key=_overridden(key)) from None
        elif not (isinstance(value, str) and value.strip()):  # '' ran as the default grid, as the file's `sample: ''` did
            raise InputError(None, f"must be one of {', '.join(SAMPLES)} (got {value!r})", key=_overridden(key))


def _check_seeds(path: Path, tree: dict, settings: dict, overrides: dict, line) -> None:  # noqa: ANN001 - the line finder
    """Refuse a ``replicate_seed`` that leaves no room for the replicates (replicate r runs with seed + r), where it is
    written: checked later, by run_sweep, it was blamed on ``--seed`` and ``--runs``, flags the user never gave."""
    seed, runs = settings["replicate_seed"], settings["runs"] or DEFAULT_RUNS
    if seed is None or seed + runs - 1 <= MAX_SEED:
        return
    most_runs, most_seed = MAX_SEED - seed + 1, MAX_SEED - runs + 1
    if overrides.get("runs") is not None:
        fewer = f"give {flag('runs', most_runs)} or fewer"
    elif line("runs") is not None:
        fewer = f"write runs: {most_runs} or fewer (line {line('runs')})"
    else:
        fewer = f"add runs: {most_runs} or fewer (it is {DEFAULT_RUNS} when not given)"
    said = (f"{seed} leaves no room for {replicates(runs)} (replicate i runs with replicate_seed + i; seeds stop at 2**63 - 1): ")
    if overrides.get("replicate_seed") is not None:
        raise InputError(None, said + f"give replicate_seed={most_seed} or less, or {fewer}", key="replicate_seed")
    raise InputError(path, said + f"write replicate_seed: {most_seed} or less in this file, or {fewer}",
                     line=line("replicate_seed"), key="replicate_seed")


def whole_in(x: object, lo: int, hi: int) -> int:
    """``x`` as an int if a whole number from ``lo`` to ``hi`` (numpy's integers too, as every runner takes them; not a
    bool), else a ValueError."""
    if not is_whole(x) or not lo <= x <= hi:
        raise ValueError(x)
    return int(x)
