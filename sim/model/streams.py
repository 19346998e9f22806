"""Random numbers addressed by what they are for, not by the order they are drawn in.

Every random number a rule uses is the output of a counter-based generator:
SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014), whose i-th output is ``mix(key + i * GAMMA)`` and
can therefore be computed directly for any i. The key is the replicate's own
seed (scrambled), and i encodes (day, rule, town, k). So the number a rule
draws for a town on a day:

- is the same whether the replicate runs alone or in a batch of any size
  (nothing depends on the other replicates, or on how many draws came first);
- is the same in a what-if as in its baseline until their states differ,
  which makes paired comparisons sharper (common random numbers);
- does not shift when another rule is added or draws more numbers.

A rule names its stream with a member of :class:`Draw`; appending members
keeps every existing stream unchanged.
"""

from __future__ import annotations

import math
import numbers
from enum import IntEnum

import numpy as np

from ..errors import InputError
from ..names import MAX_SEED, is_whole

# The constants are 0-d arrays, not numpy scalars: numpy takes an array operand in a third less time than a scalar,
# which it converts on every call (some 1,500 instructions a call on a batch of one; _mix makes five such calls).
GAMMA = np.array(0x9E3779B97F4A7C15, np.uint64)  # SplitMix64's increment (2^64 / golden ratio)
_M1 = np.array(0xBF58476D1CE4E5B9, np.uint64)
_M2 = np.array(0x94D049BB133111EB, np.uint64)
_S11, _S27, _S30, _S31 = (np.array(k, np.uint64) for k in (11, 27, 30, 31))
_TO_UNIT = np.array(2.0**-53)
_GAMMA_INT = int(GAMMA)
_GAMMA_TOWN_INT = (_GAMMA_INT << 8) % 2**64  # a town's step in the counter, times GAMMA
_GAMMA_TOWN = np.array(_GAMMA_TOWN_INT, np.uint64)
_K01 = np.array([0, GAMMA], np.uint64)  # the inputs of k = 0 and k = 1, one GAMMA apart


class Draw(IntEnum):
    """One stream per random choice a rule makes. Append only: never renumber."""

    OBJECTIVE_NOISE = 1
    ATTACK_LOSS = 2
    DEFENCE_LOSS = 3
    BREAK_CEASEFIRE = 4
    DRONE_LOSS = 5
    POST_DEATHS = 6
    HTS_RAID = 7
    RAID_TOWN = 8
    RAID_LOSS = 9
    SIT_IN = 10
    SIT_IN_TOWN = 11
    PATROL_BLOCK = 12
    PATROL_ATTACK = 13
    PATROL_CASUALTIES = 14
    REBEL_RESTRAINT = 15
    HTS_RESTRAINT = 16
    RAID_RETURN_FIRE = 17


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (the MurmurHash3 finaliser, variant 13).

    Arithmetic is modulo 2**64 by design. numpy warns of overflow only for
    0-d arrays and scalars, and every array here has at least one axis
    (:func:`_inputs`), so no ``errstate`` is needed on this hot path.
    """
    z = z ^ (z >> _S30)  # a new array: the caller's is left alone, and the rest is done in place
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def check_seeds(seeds: list[int]) -> list[int]:
    """``seeds`` as ints, if each is a whole number from 0 to :data:`MAX_SEED`; else an InputError naming it
    (a negative seed failed in numpy: "expected non-negative integer")."""
    for seed in seeds:
        if not is_whole(seed) or not 0 <= seed <= MAX_SEED:
            raise InputError(None, f"must be a whole number from 0 to {MAX_SEED} (got {seed!r})", key="seed")
    return [int(seed) for seed in seeds]


def replicate_keys(seeds: np.ndarray | list[int]) -> np.ndarray:
    """One generator key per replicate, from its seed (scrambled so that seeds s and s + 1 are unrelated)."""
    seeds = np.atleast_1d(np.asarray(seeds, dtype=np.uint64))
    return _mix(_mix(seeds) + GAMMA)


def _fixed(day: int, draw: Draw, k: int) -> int:
    """The part of ``counter x GAMMA`` (modulo 2**64) that is the same for every town: see :func:`_inputs`."""
    return ((((day << 6 | int(draw)) << 32) | k) * _GAMMA_INT) % 2**64


# Each stream's share of ``counter x GAMMA`` (modulo 2**64): the stream's bits are apart from the day's, so a day's
# _fixed(day, draw, 0) is _fixed(day, 0, 0) plus this (modulo 2**64, as uint64 arithmetic on an array wraps).
_STREAM_STEPS = np.array([_fixed(0, draw, 0) for draw in range(max(Draw) + 1)], np.uint64)


def _inputs(keys: np.ndarray, day: int, draw: Draw, town: np.ndarray | int, k: int) -> np.ndarray:
    """SplitMix64's inputs ``key + counter x GAMMA`` for each (key, town); ``keys`` and ``town`` broadcast together.

    The counter packs 20 bits of day (2,800 years), 6 of stream, 24 of town and
    8 of k: unique per (day, draw, town, k). Its parts occupy separate bits, so
    it is their sum, and (modulo 2**64) the town's share of ``counter x GAMMA``
    is the town x (GAMMA << 8): one product over the towns, the rest a number.
    A single town (most draws: one a replicate) joins that number, in Python's
    integers; the keys have an axis (:func:`replicate_keys`), so uint64
    arithmetic on them wraps without a warning.
    """
    fixed = _fixed(day, draw, k)
    if isinstance(town, numbers.Integral):
        return keys + np.array((fixed + int(town) * _GAMMA_TOWN_INT) % 2**64, np.uint64)
    town = np.array(town, np.uint64, ndmin=1)  # an axis, so uint64 arithmetic wraps without a warning
    return (keys + np.array(fixed, np.uint64)) + town * _GAMMA_TOWN


def bits(keys: np.ndarray, day: int, draw: Draw, town: np.ndarray | int = 0, k: int = 0) -> np.ndarray:
    """64 random bits for each (key, town); ``keys`` and ``town`` broadcast together."""
    return _mix(_inputs(keys, day, draw, town, k))


def uniform(keys: np.ndarray, day: int, draw: Draw, town: np.ndarray | int = 0, k: int = 0) -> np.ndarray:
    """Uniform numbers in [0, 1)."""
    return _unit(bits(keys, day, draw, town, k))


def _unit(bits: np.ndarray) -> np.ndarray:
    return (bits >> _S11).astype(np.float64) * _TO_UNIT


def normal(keys: np.ndarray, day: int, draw: Draw, town: np.ndarray | int = 0) -> np.ndarray:
    """Standard normal numbers (Box-Muller on two independent uniforms, k = 0 and k = 1)."""
    return _box_muller(_inputs(keys, day, draw, town, 0))


def _box_muller(inputs: np.ndarray) -> np.ndarray:
    """Standard normal numbers from the inputs of their k = 0 uniforms."""
    return _gauss(_unit(_mix(_with_k1(inputs))))


def _with_k1(inputs: np.ndarray) -> np.ndarray:
    """(2, ...) the inputs of k = 0 (``inputs``) and of k = 1: its counter is one higher, so its input one GAMMA on."""
    return np.add.outer(_K01, inputs)


def _gauss(u: np.ndarray) -> np.ndarray:
    """Box-Muller: standard normal numbers from ``u[0]`` and ``u[1]``, uniforms of k = 0 and k = 1."""
    return np.sqrt(-2.0 * np.log(1.0 - u[0])) * np.cos(2.0 * np.pi * u[1])  # 1 - u in (0, 1]: log is finite


def lognormal(keys: np.ndarray, day: int, draw: Draw, sigma: float, town: np.ndarray | int = 0) -> np.ndarray:
    """Log-normal factors with median 1."""
    return np.exp(sigma * normal(keys, day, draw, town))


def lognormals(keys: np.ndarray, day: int, draws: tuple[Draw, ...], sigma: float | np.ndarray,
               town: np.ndarray | int = 0) -> np.ndarray:
    """(draws, ...) :func:`lognormal` of several streams for the same (key, town)s, row ``i`` that of ``draws[i]``.

    The same numbers, drawn in one pass: a number is addressed by its
    stream, not by what is drawn with it, and each step of the arithmetic
    is element by element. Streams differ only in the part of the counter
    common to every town, so each row's inputs are the first's moved on
    by the difference (modulo 2**64, as all of them).
    """
    moved = _STREAM_STEPS[list(draws)] - _STREAM_STEPS[draws[0]]  # see _STREAM_STEPS; an array's uint64 wraps
    return np.exp(sigma * _box_muller(np.add.outer(moved, _inputs(keys, day, draws[0], town, 0))))


def poisson(keys: np.ndarray, day: int, draw: Draw, mean: np.ndarray, town: np.ndarray | int = 0, k: int = 0) -> np.ndarray:
    """Poisson counts by inversion of one uniform (the means here are small: deaths a day)."""
    return poisson_inverse(uniform(keys, day, draw, town, k), np.asarray(mean, dtype=float))


def poisson_inverse(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """The Poisson counts whose cumulative distributions first pass ``u``, element by element.

    A count stops where its own distribution stops growing in floating point:
    a ``u`` above that limit (one draw in about 10^16) would otherwise count on
    to a bound set by the largest mean of the batch, and a replicate's count
    would depend on the others'.
    """
    if u.ndim == mean.ndim == 1 and 0 < len(u) == len(mean) <= FEW:
        return _poisson_few(u, mean)
    shape = np.broadcast_shapes(u.shape, mean.shape)
    count = np.zeros(shape, np.int64)
    term = cdf = np.exp(-mean)
    growing = np.ones(count.shape, bool)
    peak = float(mean.max(initial=0.0))
    for k in range(1, int(peak + 12.0 * math.sqrt(peak) + 12.0)):
        below = (u >= cdf) & growing
        if not below.any():
            break
        count += below
        term = term * mean / k
        grown = cdf + term
        growing &= (grown != cdf) | (k <= mean)  # past the mode, a sum that no longer changes has reached its limit
        cdf = grown
    return count


FEW = 4  # counts: up to here, a Python loop over them is quicker than numpy's calls for each step of the sum (timed)


def _poisson_few(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """:func:`poisson_inverse` for a few counts (most runs draw one a day), one at a time in Python's floats.

    The same numbers bit for bit: ``exp`` is numpy's, as there, and the sum's
    products, quotients and sums are the same IEEE operations on floats as on
    float64 arrays; the bound on the steps is the batch's, as there.
    """
    means = mean.tolist()
    peak = max(0.0, *means)  # as the batch's mean.max(initial=0.0)
    steps = int(peak + 12.0 * math.sqrt(peak) + 12.0)
    counts = []
    for draw, lam, first in zip(u.tolist(), means, np.exp(-mean).tolist(), strict=True):
        count, term, cdf, growing = 0, first, first, True
        for k in range(1, steps):
            if not (draw >= cdf and growing):
                break
            count += 1
            term = term * lam / k
            grown = cdf + term
            growing = grown != cdf or k <= lam  # past the mode, a sum that no longer changes has reached its limit
            cdf = grown
        counts.append(count)
    return np.array(counts, np.int64)


class DailyDraws:
    """Each replicate's numbers at town 0 in every stream on one day, all drawn in one pass when the first is asked.

    Most rules draw one number a replicate a day (a deal broken, a raid, deaths
    at the posts), and a draw costs a dozen numpy calls whatever its size.
    These are the numbers :func:`uniform`, :func:`normal`, :func:`lognormal`
    and :func:`poisson` give for ``keys`` at town 0 (k = 0, and 1 for a
    normal), bit for bit: each element's arithmetic is its own, whatever is
    drawn beside it. A stream no rule asks for that day is drawn and unused,
    which moves nothing (counter-based). Kept for one day: the last asked.

    Args:
        keys: (replicates,) the replicates' keys (:func:`replicate_keys`).
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        self.day: int | None = None
        self._u = np.empty((2, 0, len(keys)))  # (k, streams, replicates) the day's uniforms

    def _today(self, day: int) -> np.ndarray:
        if day != self.day:
            fixed = _STREAM_STEPS + np.array(_fixed(day, 0, 0), np.uint64)  # each stream's _fixed(day, draw, 0): see _STREAM_STEPS
            self._u = _unit(_mix(_with_k1(np.add.outer(fixed, self.keys))))
            self._u.setflags(write=False)
            self.day = day
        return self._u

    def uniform(self, day: int, draw: Draw, k: int = 0) -> np.ndarray:
        """(replicates,) :func:`uniform` at town 0 (read-only); drawn alone for a ``k`` other than 0."""
        return self._today(day)[0, draw] if k == 0 else uniform(self.keys, day, draw, 0, k)

    def lognormal(self, day: int, draw: Draw, sigma: float | np.ndarray) -> np.ndarray:
        """(replicates,) :func:`lognormal` at town 0."""
        return np.exp(sigma * _gauss(self._today(day)[:, draw]))

    def poisson(self, day: int, draw: Draw, mean: np.ndarray) -> np.ndarray:
        """(replicates,) :func:`poisson` at town 0."""
        return poisson_inverse(self._today(day)[0, draw], np.asarray(mean, dtype=float))
