"""Helpers shared by the reliability tests (fuzzing, invariants, long horizons)."""

from __future__ import annotations

import numpy as np
from hypothesis import reject

import sim

# A model bug the property tests know about: the regime's mobile force can go
# below zero (reproduced on its own, xfail strict, by the two
# test_invariants.py::test_regime_force_* tests). It shows as "regime force is
# -..." or, a day later, as "casualties decreased" (drones then remove a
# negative loss). When it is fixed those tests XPASS and fail: delete them and
# this tolerance.


def _regime_force_went_negative(scenario: sim.Scenario, seed: int | None) -> bool:
    """Replay a failed run without the checker: did the regime's force drop below zero?"""
    model = sim.CeasefireModel(scenario, seed=seed)
    while model.running:
        model.step()
        if model.regime.force < 0:
            return True
    return False


def simulate_checked(scenario: sim.Scenario, seed: int | None = None) -> sim.RunResult:
    """``sim.simulate`` with every invariant checked each day.

    A violation fails the calling hypothesis test, except one caused by the
    known bug, whose examples are discarded (``reject``) so that every other
    invariant keeps being checked on every other example.
    """
    try:
        return sim.simulate(scenario, seed=seed, check_invariants=True)
    except AssertionError:
        if _regime_force_went_negative(scenario, seed):
            reject()
        raise


def assert_finite_outputs(result: sim.RunResult) -> None:
    """Every daily reporter finite; patrol coverage is NaN until a patrol has run, then a share."""
    ts = result.timeseries.select_dtypes("number")
    coverage = ts.pop("patrol_coverage")
    finite = np.isfinite(ts.to_numpy(float))
    assert finite.all(), ts.columns[~finite.all(axis=0)].tolist()
    assert coverage.dropna().between(0, 1).all()
