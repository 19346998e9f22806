"""Helpers shared by the reliability tests (fuzzing, invariants, long horizons)."""

from __future__ import annotations

import numpy as np

import sim


def simulate_checked(scenario: sim.Scenario, seed: int | None = None) -> sim.RunResult:
    """``sim.simulate`` with every invariant checked each day (a violation fails the calling test)."""
    return sim.simulate(scenario, seed=seed, check_invariants=True)


def assert_finite_outputs(result: sim.RunResult) -> None:
    """Every daily reporter finite; patrol coverage is NaN until a patrol has run, then a share."""
    ts = result.timeseries.select_dtypes("number")
    coverage = ts.pop("patrol_coverage")
    finite = np.isfinite(ts.to_numpy(float))
    assert finite.all(), ts.columns[~finite.all(axis=0)].tolist()
    assert coverage.dropna().between(0, 1).all()
