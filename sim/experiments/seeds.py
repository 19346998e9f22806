"""The seeds of an ensemble's or a sweep's replicates: replicate ``i`` runs with the first seed + ``i``.

Kept apart from :mod:`sim.experiments.ensemble`, which loads the model, so that the command line refuses a bad
``--seed`` or ``--runs`` before that import.
"""

from __future__ import annotations

from ..errors import InputError, flag
from ..names import MAX_RUNS, MAX_SEED, is_whole


def seeds_from(first: int, runs: int, *, keys: tuple[str, str] = (flag("seed"), flag("runs"))) -> list[int]:
    """The seeds of ``runs`` replicates: ``first``, then the next ones (replicate ``i`` runs with ``first + i``).

    The one convention of ensembles, sweeps, the app and :func:`sim.replicate_seeds`, checked in one place: a seed
    from 0 to 2**63 - 1, a whole number of runs from 1 to :data:`MAX_RUNS`, and seeds that stop at 2**63 - 1. ``keys``:
    what an error calls the seed and the count (by :func:`~sim.errors.flag`: the flags, or the Python arguments, as
    the caller gave them; or :func:`sim.replicate_seeds`'s arguments, or the app's names for them).
    """
    seed_key, runs_key = keys
    if not is_whole(first) or not 0 <= first <= MAX_SEED:  # past it, no --runs fits
        raise InputError(None, f"must be a whole number from 0 to {MAX_SEED} (got {first!r})", key=seed_key)
    if not is_whole(runs) or not 1 <= runs <= MAX_RUNS:
        raise InputError(None, f"must be a whole number from 1 to {MAX_RUNS:,} (got {runs!r})", key=runs_key)
    first, runs = int(first), int(runs)  # numpy's integers too (a loop over np.arange), recorded as JSON's numbers
    if first + runs - 1 > MAX_SEED:  # the way out names both: either flag alone may be the one to change
        raise InputError(None, f"seed {first} leaves no room for {runs} replicates (replicate i runs with seed + i; seeds "
                         f"stop at 2**63 - 1): give {_given(runs_key, MAX_SEED - first + 1)} or fewer, or "
                         f"{_given(seed_key, MAX_SEED - runs + 1)} or less", key=seed_key)
    return [first + i for i in range(runs)]


def _given(key: str, value: int) -> str:
    """``key`` given ``value``: ``--runs 5`` or ``runs=5`` for a name by flag(), else ``runs 5``."""
    return key[:-1] + f" {value}}}" if key.startswith("{") else f"{key} {value}"
