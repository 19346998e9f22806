"""Known functions plugged into the sweep pipeline in place of the model (importable by workers)."""

import numpy as np


def linear(values: dict[str, float], seed: int) -> dict[str, float]:
    """y = a + 2 b (+ nothing from c) plus a little seeded noise: S1 = 0.2, 0.8, 0 on [0, 1]^3."""
    noise = np.random.default_rng(seed).normal(0, 0.01)
    return {"y": values["a"] + 2 * values["b"] + noise, "noise": noise}


def linear_and_flat(values: dict[str, float], seed: int) -> dict[str, float]:
    """``linear``, and a metric the same at every point ("flat"): nothing to apportion to the parameters."""
    return {**linear(values, seed), "flat": 1.0}


def linear_and_rare(values: dict[str, float], seed: int) -> dict[str, float]:
    """``linear``, and a metric that is 0 except at the few points with a > 0.95 ("rare", as a ceasefire that holds
    at a handful of points): a bootstrap resample of the points often holds none of them."""
    return {**linear(values, seed), "rare": 8.0 if values["a"] > 0.95 else 0.0}



class DiesOnce:
    """Like ``linear``, but the first call for point a == 0.5 kills its worker process outright.

    The marker file travels with the object: workers may come from a process
    started before the test (a forkserver), so they cannot see its environment.
    """

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __call__(self, values: dict[str, float], seed: int) -> dict[str, float]:
        import os
        import signal
        from pathlib import Path

        marker = Path(self.marker)
        if values["a"] == 0.5 and not marker.exists():
            marker.write_text("died")
            os.kill(os.getpid(), signal.SIGKILL)
        return linear(values, seed)


def planted(values: dict[str, float], seed: int) -> dict[str, float]:
    """A truce that holds 40 days where a > 0.6 and b < 0.3, 10 days elsewhere (c does nothing), with seeded noise.

    The mean over a few replicates is >= 30 exactly in that box (the noise's standard deviation is 3 days).
    """
    inside = values["a"] > 0.6 and values["b"] < 0.3
    return {"days": (40.0 if inside else 10.0) + np.random.default_rng(seed).normal(0, 3), "inside": float(inside)}


def four_metrics(values: dict[str, float], seed: int) -> dict[str, float]:
    """``linear_and_flat`` and a fourth metric: more than a report draws heat maps for."""
    return {**linear_and_flat(values, seed), "twice": 2 * values["a"]}


def upper_half_only(values: dict[str, float], seed: int) -> dict[str, float]:
    """``y`` = a everywhere, and ``upper`` = 1 only at the points with a > 0.5: a metric some runs do not report (as a
    ceasefire's days where none came into force)."""
    return {"y": values["a"], **({"upper": 1.0} if values["a"] > 0.5 else {})}


def sometimes_never(values: dict[str, float], seed: int) -> dict[str, float]:
    """``linear``, and ``day:late`` = 10 + b, a day that never comes (no value, as a capture's ``day:<id>`` where the
    town is never taken) where a is 0 and, elsewhere, for every seed divisible by 4."""
    never = values["a"] == 0 or seed % 4 == 0
    return {**linear(values, seed), **({} if never else {"day:late": 10 + values["b"]})}


def captures(values: dict[str, float], seed: int) -> dict[str, float]:
    """``linear``; ``day:t1`` = 20 + 10 a, a capture reported on day 20 that never comes (NaN) in the runs of seeds
    divisible by 4, and ``capture_mae_days``, its |error|, counting a capture that never comes as day 61 (a 60-day run);
    and ``patrol_coverage_mean``, which no run has (no patrol in these runs)."""
    day = np.nan if seed % 4 == 0 else 20 + 10 * values["a"]
    return {**linear(values, seed), "day:t1": day, "capture_mae_days": abs((61 if np.isnan(day) else day) - 20),
            "patrol_coverage_mean": np.nan}
