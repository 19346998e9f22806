"""What no state of a run may be, in any replicate: checked after every day when ``check_invariants`` is on.

:func:`check` is :meth:`CeasefireModel.assert_invariants <sim.model.model.CeasefireModel.assert_invariants>`. Some
invariants compare today with the last check (casualties never decrease; a deal moves only as its state machine
allows): :class:`LastCheck` keeps what they need, and exists only in a model that checks, so a run without the
checks keeps no copies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HOLDERS, HolderCode
from . import ceasefire
from .ceasefire import STATES, TRANSITIONS, CeasefireState

if TYPE_CHECKING:
    from .ceasefire import Ceasefire
    from .model import CeasefireModel

TOLERANCE = 1e-9  # a share's rounding: x + (1 - x) may be 1 + 2**-52


def _reachable() -> np.ndarray:
    """(states, states): may a deal in the first state be in the second one a day later? Several moves may fall on one
    day (announced the night before, in force at dawn, broken by noon), so any path of :data:`TRANSITIONS`; or none."""
    code = {s: i for i, s in enumerate(STATES)}
    reach = np.eye(len(STATES), dtype=bool)
    for _ in STATES:
        for to, sources in TRANSITIONS.items():
            for source in sources:
                reach[:, code[to]] |= reach[:, code[source]]
    return reach


REACHABLE = _reachable()
ANNOUNCED = STATES.index(CeasefireState.ANNOUNCED)  # where every deal starts


class LastCheck:
    """What the model was at the last check: each faction's casualties, the current deal and its states."""

    def __init__(self, model: CeasefireModel) -> None:
        self.casualties = {name: v.copy() for name, v in model.casualties.items()}
        self.deal: Ceasefire | None = None
        self.states = np.empty(0, np.int8)

    def update(self, model: CeasefireModel) -> None:
        self.casualties = {name: v.copy() for name, v in model.casualties.items()}
        self.deal = model.deal
        self.states = model.deal.state.copy() if model.deal is not None else np.empty(0, np.int8)


def check(m: CeasefireModel, last: LastCheck) -> None:
    """Raise AssertionError, saying what and in which replicate, if the state is impossible; then remember it in ``last``."""
    assert np.isin(m.controller, range(len(HOLDERS))).all(), "a town without a valid controller"
    for name, arr in (("garrison", m.garrison), ("residents", m.residents), ("people away from home", m.away)):
        assert np.isfinite(arr).all() and (arr >= -TOLERANCE).all(), f"negative or non-finite {name}"
    for name, values in shares(m):
        _assert_share(name, values)
    people = m.residents.sum(axis=1) + m.outside
    assert np.allclose(people, m.theatre.population.sum(), rtol=1e-9, atol=1e-6), "people created or lost"
    # Town by town, those missing from home are those counted away from it (who may go back to it, and only there).
    left = (m.theatre.population - m.residents)[:, m.contestable]
    assert np.allclose(m.away[:, m.contestable], left, rtol=1e-9, atol=1e-6), "those away from a town are not those who left it"
    assert not m.away[:, ~m.contestable].any(), "people away from a camp"
    # Flights and returns are both movements: one who fled, went back and fled again counts twice in the displaced.
    assert np.allclose(m.away_at_start + m.displaced - m.returned, left.sum(axis=1), rtol=1e-9, atol=1e-6), \
        "those away at the start and the displaced, less the returned, are not those away from their homes"
    forces = [m.regime.pool, m.hts.force, m.rebels.force] + [g.force for g in m.regime.groups.values()]
    assert all(np.isfinite(f).all() and (f >= -TOLERANCE).all() for f in forces), "a force is negative or not finite"
    assert not any((g.force[g.spent] > 0).any() for g in m.regime.groups.values()), "a spent push holds strength"
    assert all((m.casualties[k] >= v).all() for k, v in last.casualties.items()), "casualties decreased"
    bound = ceasefire.binding(m, "regime")
    assert not (bound[:, None] & (m.attack_side == HolderCode.REGIME)).any(), "the regime attacked while bound by a ceasefire"
    # Return near the front (sim.model.civilians.go_home) rests on this: the front drives nobody out under a deal.
    assert not (bound & m.regime.on_offensive).any(), "the regime is on the offensive while bound by a ceasefire"
    _assert_deal_moves(m, last)
    last.update(m)


def shares(m: CeasefireModel) -> list[tuple[str, np.ndarray]]:
    """Every state that is a share or a probability, by name: each must be finite and in [0, 1] (NaN only where a
    series says "not yet": the last patrols' coverage, before the first patrol)."""
    found = [("shock", m.shock), ("road security", m.security), ("Turkish escalation", m.turkey.escalation),
             ("Russian air effort", m.russia.air)]
    found += [(f"patrol coverage of {road}", coverage) for road, coverage in sorted(m.patrol_coverage.items())]
    covered = m.coverage_shown
    found.append(("reported patrol coverage", covered[~np.isnan(covered)]))
    if m.deal is not None:
        found.append((f"pressure under {m.deal.name!r}", m.deal.pressure))
    return found


def _assert_share(name: str, values: np.ndarray) -> None:
    values = np.asarray(values, float)
    wrong = ~((values >= -TOLERANCE) & (values <= 1.0 + TOLERANCE))  # NaN too
    if wrong.any():
        at = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise AssertionError(f"{name} is {float(values[at])!r} (replicate {at[0]}), outside [0, 1]")


def _assert_deal_moves(m: CeasefireModel, last: LastCheck) -> None:
    """Since the last check, each deal stayed where it was or moved as :data:`TRANSITIONS` allows (a new deal from
    announced; one superseded since, to its last state)."""
    if last.deal is not None and last.deal is not m.deal:
        _assert_moves(last.deal, last.states)
    if m.deal is not None:
        before = last.states if last.deal is m.deal else np.full(m.replicates, ANNOUNCED, np.int8)
        _assert_moves(m.deal, before)


def _assert_moves(deal: Ceasefire, before: np.ndarray) -> None:
    now = deal.state
    valid = (now >= 0) & (now < len(STATES))
    if not valid.all():
        r = int(np.argmin(valid))
        raise AssertionError(f"the ceasefire {deal.name!r} is in state {int(now[r])} (replicate {r}), not a CeasefireState")
    illegal = ~REACHABLE[before, now]
    if illegal.any():
        r = int(np.argmax(illegal))
        raise AssertionError(f"the ceasefire {deal.name!r} moved from {STATES[before[r]].value!r} to "
                             f"{STATES[now[r]].value!r} (replicate {r}), which its TRANSITIONS do not allow")
