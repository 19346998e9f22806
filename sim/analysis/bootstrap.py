"""Bootstrap intervals of B - A over replicates: one quantity at a time, or a table's columns taken together.

Both resample replicates, so that the intervals carry the runs' own spread of
chance; paired when replicate *i* of A and of B ran the same seed (they then
share their luck until the change makes them diverge), each ensemble apart
otherwise.
"""

from __future__ import annotations

import numpy as np

BOOTSTRAP = 2000
INTERVAL = 0.9
# A bootstrap resamples replicates: from one, every resample is that run and the "interval" a single point.
MIN_REPLICATES = 2


def bootstrap_diff(a: np.ndarray, b: np.ndarray, *, paired: bool, rng: np.random.Generator, stat=np.mean) -> tuple[float, float]:  # noqa: ANN001
    """INTERVAL bootstrap interval of stat(b) - stat(a) resampling replicates (rows)."""
    if paired:
        idx = rng.integers(0, len(a), size=(BOOTSTRAP, len(a)))
        d = stat(b[idx], axis=1) - stat(a[idx], axis=1)
    else:
        ia = rng.integers(0, len(a), size=(BOOTSTRAP, len(a)))
        ib = rng.integers(0, len(b), size=(BOOTSTRAP, len(b)))
        d = stat(b[ib], axis=1) - stat(a[ia], axis=1)
    tail = (1 - INTERVAL) / 2
    lo, hi = np.quantile(d, [tail, 1 - tail], axis=0)
    return lo, hi


def joint_intervals(a: np.ndarray, b: np.ndarray, *, paired: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Intervals of mean(b) - mean(a) for every column (runs in rows; shares, so within -1 .. 1) taken together: if
    the change did nothing, one or more of them leaves out 0 by chance in at most 1 - INTERVAL of comparisons.

    Each is the difference +- c standard errors, c the INTERVAL quantile of
    the largest |t| over the columns when the change did nothing: A and B
    swapped at random within each pair of runs (paired), or the runs dealt
    out to A and B at random (not paired). One-by-one bootstrap intervals
    left out 0 in about a tenth of a table's columns by chance alone. A
    column whose pairs all differ alike keeps its difference as a point.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = b.mean(axis=0) - a.mean(axis=0)
    if paired:  # t of the paired differences with random signs; (s x)^2 = x^2, so only the mean moves
        n, x = len(a), b - a
        square = (x ** 2).mean(axis=0)

        def t(mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            se = np.sqrt(np.maximum(square - mean ** 2, 0.0) / (n - 1)) if n > 1 else np.zeros_like(mean)
            return se, np.divide(mean, se, out=np.where(mean == 0, 0.0, np.inf), where=se > 0)

        null = t(rng.choice([-1.0, 1.0], size=(BOOTSTRAP, n)) @ x / n)[1]
        se = t(d)[0]
    else:
        pooled, rows = np.vstack([a, b]), np.arange(BOOTSTRAP)[:, None]
        order = np.argsort(rng.random((BOOTSTRAP, len(pooled))), axis=1)
        weights = np.zeros((BOOTSTRAP, len(pooled)))
        weights[np.broadcast_to(rows, (BOOTSTRAP, len(a))), order[:, :len(a)]] = -1.0 / len(a)
        weights[np.broadcast_to(rows, (BOOTSTRAP, len(b))), order[:, len(a):]] = 1.0 / len(b)
        spread = weights @ pooled
        se = spread.std(axis=0)
        null = np.divide(spread, se, out=np.zeros_like(spread), where=se > 0)
    c = float(np.quantile(np.abs(null).max(axis=1), INTERVAL, method="higher")) if null.size else 0.0  # a value drawn: inf too
    if not np.isfinite(c):  # so few runs that chance alone often makes every pair differ alike: nothing can be told
        return np.full_like(d, -1.0), np.full_like(d, 1.0)
    half = np.where(se > 0, c * se, 0.0)
    # where the observed |t| is the critical value itself, a bound is 0 exactly; floating point leaves +-1e-17 there,
    # and its sign would decide whether the interval "leaves out 0"
    low, high = (np.where(np.abs(x) < 1e-12, 0.0, x) for x in (d - half, d + half))
    return np.maximum(low, -1.0), np.minimum(high, 1.0)
