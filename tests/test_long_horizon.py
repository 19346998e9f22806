"""Long horizons: a five-year run keeps its invariants and its memory grows no
faster than the daily history it must store (control timeline, reporters,
events) — no per-day accumulation beyond that, nothing superlinear.

Memory is the tracemalloc peak of ``sim.simulate`` (numpy reports its buffers
to tracemalloc), which is deterministic, unlike RSS.
"""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc

import pytest

import sim

from .conftest import ROOT, ev
from .reliability import assert_finite_outputs
from .test_invariants import world  # noqa: F401 - the seven-town fixture

START = dt.date(2020, 1, 1)
EVENTS = [
    ev(date="2020-01-01", type="offensive", action="start", axis=["C"], force=50),
    ev(date="2020-02-01", type="agreement", name="deal", effective="2020-02-02", parties=["russia", "turkey"],
       compliance={"regime": 0.95, "rebels": 0.95}, restraint=0.5, corridor={"road": "M4", "width_km": 3}),
    ev(date="2020-02-10", type="joint_patrol", route=["A", "C"], road="M4", every_days=7, participants=["russia", "turkey"]),
    ev(date="2020-03-01", type="intervention", name="shield", intensity=0.5),
]


def scenario(world, days: int) -> sim.Scenario:  # noqa: F811 - world is the fixture's value
    end = (START + dt.timedelta(days=days)).isoformat()
    return sim.load_scenario(world.scenario({"end": end, "events": EVENTS}, name=f"long{days}.yaml"))


def traced_run(sc: sim.Scenario, **kw) -> tuple[sim.RunResult, int]:
    """The run and the peak bytes allocated while it ran."""
    gc.collect()
    tracemalloc.start()
    try:
        result = sim.simulate(sc, **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def stored_bytes(result: sim.RunResult) -> int:
    """What a run must keep: its tables and the control history."""
    tables = (result.control, result.events, result.timeseries)
    return sum(int(t.memory_usage(deep=True).sum()) for t in tables) + result.history.nbytes


def assert_linear(world, short: int, long: int, **kw) -> None:  # noqa: F811
    sim.simulate(scenario(world, 70))  # warm caches (theatre, imports) outside the measurement
    r1, p1 = traced_run(scenario(world, short), **kw)
    r2, p2 = traced_run(scenario(world, long), **kw)
    assert len(r2.history) == long + 1
    assert_finite_outputs(r2)
    # At most linear: a straight line through the short run's peak and the origin
    # bounds the long one (a fixed start-up cost only helps), with 10% slack.
    assert p2 <= p1 * long / short * 1.10, f"peak {p1 / 2**20:.2f} MB for {short} days, {p2 / 2**20:.2f} MB for {long}"
    # And each extra day costs no more than a few times what the run stores per day
    # (building the tables briefly holds them twice, as numpy strings then as objects).
    per_day = (p2 - p1) / (long - short)
    stored_per_day = (stored_bytes(r2) - stored_bytes(r1)) / (long - short)
    assert per_day <= 5 * stored_per_day + 1024, f"{per_day:.0f} B/day at peak vs {stored_per_day:.0f} B/day stored"
    # The event log grows with what happens, not with itself.
    assert len(r2.events) <= len(r1.events) * long / short * 1.5 + 10


def test_memory_grows_linearly_with_the_horizon(world):  # noqa: F811
    assert_linear(world, 120, 600)


@pytest.mark.slow
def test_five_year_run_in_bounded_memory(world):  # noqa: F811
    assert_linear(world, 365, 5 * 365, check_invariants=True)


@pytest.mark.slow
def test_moscow_for_five_years():
    """The real theatre: the Moscow scenario run on to 2025 keeps every invariant."""
    sc = sim.load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2025, 3, 5))
    result = sim.simulate(sc, check_invariants=True)
    assert len(result.history) == sc.days + 1 == 1826 + 1
    assert_finite_outputs(result)
    # Stored output per day stays what a day needs: a control row per town plus one reporter row.
    assert stored_bytes(result) / sc.days < result.theatre.n * 400 + 4096


def test_the_memory_check_catches_a_leak(world, monkeypatch):  # noqa: F811
    """Not vacuous: a model that keeps a little more every day (quadratic in total) fails it."""
    step = sim.CeasefireModel.step

    def leaky_step(self):
        self.__dict__.setdefault("_leak", []).append(bytearray(50 * self.steps))
        step(self)

    monkeypatch.setattr(sim.CeasefireModel, "step", leaky_step)
    with pytest.raises(AssertionError, match="peak"):
        assert_linear(world, 120, 600)
