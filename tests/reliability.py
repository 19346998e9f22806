"""Helpers shared by the reliability tests (fuzzing, invariants, long horizons)."""

from __future__ import annotations

import numpy as np
from hypothesis import reject

import sim

# A model bug the property tests know about, reproduced on its own (and marked
# xfail strict) by test_invariants.py::test_committed_regime_force_can_go_negative.
# When it is fixed that test XPASSes and fails: delete it and this tolerance.
KNOWN_NEGATIVE_REGIME_FORCE = "regime force is -"


def simulate_checked(scenario: sim.Scenario, **kw) -> sim.RunResult:
    """``sim.simulate`` with every invariant checked each day.

    A violation fails the calling hypothesis test, except the one known bug,
    whose examples are discarded (so every other invariant keeps being checked).
    """
    try:
        return sim.simulate(scenario, check_invariants=True, **kw)
    except AssertionError as err:
        if str(err).startswith(KNOWN_NEGATIVE_REGIME_FORCE):
            reject()
        raise


def assert_finite_outputs(result: sim.RunResult) -> None:
    """Every daily reporter finite; patrol coverage is NaN until a patrol has run, then a share."""
    ts = result.timeseries.select_dtypes("number")
    coverage = ts.pop("patrol_coverage")
    finite = np.isfinite(ts.to_numpy(float))
    assert finite.all(), ts.columns[~finite.all(axis=0)].tolist()
    assert coverage.dropna().between(0, 1).all()
