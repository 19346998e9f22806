"""What the model reports each day: the columns of ``timeseries.csv``, as Mesa model reporters.

Mesa is not imported here (:mod:`sim.model.collector` collects them): ``check``
reads the names of :data:`REPORTERS` to check an outcomes file, and stays light.

Each reads the model's state at the end of a day, for every replicate of the
batch at once. Those that depend on who holds each town alone are counted
again only after towns have changed hands (:meth:`CeasefireModel.of_control
<sim.model.model.CeasefireModel.of_control>`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..names import HolderCode
from . import ceasefire, towns

REGIME, HTS_CODE, REBELS = HolderCode.REGIME, HolderCode.HTS, HolderCode.REBELS
# round6's numbers as 0-d arrays, not Python floats: numpy converts a scalar operand on every call, a third of its cost.
_MILLION, _ZERO = np.array(1e6), np.array(0.0)


def round6(values: np.ndarray) -> np.ndarray:
    """``values.round(6)``, bit for bit, at half the cost.

    numpy rounds to 6 decimals by multiplying by 1e6, rounding half to even
    (rint) and dividing by 1e6, the same three ufuncs called through its C API,
    which costs more than the arithmetic for a batch's few replicates.

    A negative zero is written as 0.0 (adding 0.0 turns -0.0 into 0.0 and leaves every other number as it is), which
    a CSV would print apart from it. (A fuzzed batch test found a rebels' reserve at -0.0 alone and 0.0 in a batch;
    the cause, a reserve overdrawn by rounding and clamped only in the batch, is fixed in ``ArmedGroup.defend``.)
    """
    return np.rint(values * _MILLION) / _MILLION + _ZERO


# The columns rounded to 6 decimals: column -> its value before rounding. The collector rounds the day's values of
# them all in one array, four numpy calls a day where one by one took twenty: a rounding is element by element, so
# each row is what round6 gives for that column alone, bit for bit.
TO_6_DECIMALS = {
    "regime_pressure": lambda m: m.deal.pressure if m.deal else np.zeros(m.replicates),
    "turkish_escalation": lambda m: m.turkey.escalation,
    "regime_force": lambda m: m.regime.force,
    "hts_reserve": lambda m: m.hts.force,
    "rebel_reserve": lambda m: m.rebels.force,
}


def _rounded6(name: str) -> Callable[[object], np.ndarray]:
    """The reporter of column ``name`` of :data:`TO_6_DECIMALS`: its value, rounded."""
    unrounded = TO_6_DECIMALS[name]
    return lambda m: round6(unrounded(m))


# timeseries.csv column -> (replicates,) value on the day. The collector stores each as it is: see FRESH.
REPORTERS = {
    "towns_regime": lambda m: m.towns_held[REGIME],
    "towns_hts": lambda m: m.towns_held[HTS_CODE],
    "towns_rebels": lambda m: m.towns_held[REBELS],
    "front_km": lambda m: m.of_control("front_km", lambda: towns.front_km(m.theatre, m.controller).round(3)),
    "ceasefire": ceasefire.state_labels,
    "violations": lambda m: m.deal.violations.copy() if m.deal else np.zeros(m.replicates, np.int64),  # counted on in place
    "regime_pressure": _rounded6("regime_pressure"),
    "air_effort": lambda m: m.russia.air,
    "turkish_escalation": _rounded6("turkish_escalation"),
    "turkish_troops": lambda m: np.array([m.turkey.troops] * m.replicates),  # np.full's dtype, at half its cost
    "encircled_posts": lambda m: m.encircled_posts,
    "regime_force": _rounded6("regime_force"),
    "hts_reserve": _rounded6("hts_reserve"),
    "rebel_reserve": _rounded6("rebel_reserve"),
    **{f"casualties_{name}": (lambda m, name=name: m.casualties[name].round()) for name in ("regime", "hts", "rebels", "russia")},
    "turkish_deaths": lambda m: m.turkey.deaths,
    "displaced": lambda m: m.displaced.round(),
    "returned": lambda m: m.returned.round(),
    "patrol_coverage": lambda m: m.coverage_shown,
}

# The timeseries' columns that are not numbers (its date, the deal's state in words: "in force", "broken"): a quantity
# outcome, which sets a number against its range, cannot name one.
TEXT_SERIES = ("date", "ceasefire")
# The columns reported as integers (counts); every other number is a float. A run folder writes a whole float whole
# (710 fighters killed, not 710.0), so its reader casts the rest back to floats, as the run in memory has them.
COUNT_SERIES = ("towns_regime", "towns_hts", "towns_rebels", "violations", "encircled_posts", "turkish_deaths")

# The reporters whose value is a new array every time they are asked (a rounding, a copy, one made for the day) and
# held by nothing else: the collector stores it as it is, a copy would be the same bytes. The rest return arrays the
# model keeps, from day to day or until it replaces them, and never changes in place (of_control's values, Russia's air
# effort, Turkey's deaths, the posts encircled, the patrols' coverage): the collector stores each as it is too, and
# makes it read-only the first time, so that a write in place would fail rather than rewrite the days recorded.
FRESH = frozenset({"ceasefire", "violations", "regime_pressure", "turkish_escalation", "turkish_troops",
                   "regime_force", "hts_reserve", "rebel_reserve", "casualties_regime", "casualties_hts",
                   "casualties_rebels", "casualties_russia", "displaced", "returned"})
