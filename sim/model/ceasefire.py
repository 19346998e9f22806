"""The ceasefire: at most one truce or agreement at a time, and every rule about it.

A deal is a small state machine (:class:`CeasefireState`), one per replicate::

    announced --(its effective date)--> in force --(its until date passes)--> expired
        |                                  |
        +----(a new deal is announced)-----+--> superseded
                                           +--(the regime resumes its offensive)--> broken

While it is in force it binds the factions whose ``compliance`` it gives.
Two quantities belong to it, per replicate:

- ``pressure``: the regime's urge to break it, which moves only while it binds
  the regime (one that leaves it free gives it nothing to break). Each day,
  it grows by ``pressure_growth`` x the unmet share of the regime's road
  objectives (patrolled roads count as partly open, as far as its own patrols
  got) x (1 - pressure), so it
  saturates at 1, and eases by ``pressure_easing`` x pressure: an urge left
  unfed fades. Every violation adds ``pretext``; every patrol that opens the
  road takes off ``patrol_relief`` x the share of the route it covered.
- ``violations``: attacks by parties that reject it (spoiler raids, attacks
  on patrols) or that fail to keep it (a rebel counter-attack).

Each day the regime breaks it with probability
(1 - compliance + pressure), clipped to [0, 1], x (1 - restraint) x Turkey's
deterrence (a factor in (0, 1] that falls as Turkish troops pour in).

The functions below are the rules; the model, the factions and the scenario
events call them and do nothing to a ceasefire themselves. Reporter strings
("none", "announced", "in force", "broken", "superseded", "expired") are the
states' values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from . import count_nonzero
from .params import clip_unit, per_pair
from .streams import Draw

if TYPE_CHECKING:
    from .regime import Regime
    from .model import CeasefireModel


class CeasefireState(Enum):
    """Where a deal stands; the value is what the ``ceasefire`` time series reports."""

    ANNOUNCED = "announced"
    IN_FORCE = "in force"
    BROKEN = "broken"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


STATES = list(CeasefireState)  # a deal's state per replicate is an index into this list
_CODE = {s: np.int8(i) for i, s in enumerate(STATES)}

# The only moves the machine makes (target: the states it can come from); the last three states are final.
TRANSITIONS = {
    CeasefireState.IN_FORCE: (CeasefireState.ANNOUNCED,),
    CeasefireState.BROKEN: (CeasefireState.IN_FORCE,),
    CeasefireState.EXPIRED: (CeasefireState.IN_FORCE,),
    CeasefireState.SUPERSEDED: (CeasefireState.ANNOUNCED, CeasefireState.IN_FORCE),
}
# For each target, a lookup by state code: may a deal in that state move there?
_MAY_MOVE = {to: np.isin(np.arange(len(STATES)), [_CODE[s] for s in sources]) for to, sources in TRANSITIONS.items()}


@dataclass
class Ceasefire:
    """A truce or agreement: its terms, and its state and history in each replicate.

    Attributes:
        corridor: mask of the towns inside its security corridor (an agreement's), or None.
        state: (replicates,) index into :data:`STATES`.
        pressure: (replicates,) the regime's accumulated urge to break it.
        violations: (replicates,) attacks by parties that reject it or fail to keep it.
    """

    name: str
    kind: str  # the event type that made it: "truce" or "agreement"
    announced: dt.date
    effective: dt.date
    until: dt.date | None
    parties: tuple[str, ...]
    compliance: dict[str, float | np.ndarray]  # per replicate where a batch's points differ in it
    restraint: float | np.ndarray
    replicates: int
    corridor: np.ndarray | None = None
    state: np.ndarray = field(init=False)
    pressure: np.ndarray = field(init=False)
    violations: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        r = self.replicates
        self._bound = frozenset(f for f, c in self.compliance.items() if np.all(c > 0.0))  # see binds()
        self.state = np.full(r, _CODE[CeasefireState.ANNOUNCED])
        self.pressure = np.zeros(r)
        self.violations = np.zeros(r, np.int64)
        self._in_force: np.ndarray | None = None  # see in_force
        self.begun = False  # whether a day on or after its effective date has begun: see begin_day()

    def is_(self, state: CeasefireState) -> np.ndarray:
        """(replicates,) where the deal is in ``state``."""
        return self.state == _CODE[state]

    @property
    def in_force(self) -> np.ndarray:
        """(replicates,) where it binds today (read-only).

        The rules ask a dozen times a day, and the answer changes only when
        the deal's state moves (:meth:`move`): it is kept until then.
        """
        if self._in_force is None:
            self._in_force = self.is_(CeasefireState.IN_FORCE)
            self._in_force.setflags(write=False)
        return self._in_force

    def binds(self, faction: str) -> bool:
        """Whether ``faction`` has signed up to it (its compliance is given and positive, in every replicate:
        :func:`sim.model.params.batch_key` keeps a batch's replicates alike in this)."""
        return faction in self._bound

    def rejection(self, faction: str) -> float | np.ndarray:
        """How far ``faction`` rejects it: 1 - its compliance (1 for a faction not party to it)."""
        return 1.0 - self.compliance.get(faction, 0.0)

    def regime_break_chance(self, deterrence: float) -> np.ndarray:
        """(replicates,) daily chance that the regime resumes its offensive."""
        urge = clip_unit(self.rejection("regime") + self.pressure)
        return urge * (1.0 - self.restraint) * deterrence

    def move(self, which: np.ndarray, to: CeasefireState) -> np.ndarray:
        """Move the replicates ``which`` to ``to`` where :data:`TRANSITIONS` allows it; returns those that moved."""
        moved = which & _MAY_MOVE[to][self.state]
        self.state[moved] = _CODE[to]
        self._in_force = None  # found again when next asked
        return moved


# --------------------------------------------------------------------------
# The rules, as the model applies them
# --------------------------------------------------------------------------


def announce(model: CeasefireModel, deal: Ceasefire) -> None:
    """A new deal is announced: it supersedes one still live, and becomes the model's ceasefire.

    A patrolled road counts as partly open to the government under a deal as far as the patrols under it got, and is
    as safe for a patrol as the patrols and Turkey's policing under it made it: what they did under an earlier deal is
    forgotten, or the new deal's pressure read a road opened for the old one and its patrols drove a road made safe
    for the old one's.
    """
    model.patrol_coverage.clear()
    model.security = np.zeros_like(model.security)
    old = model.deal
    if old is not None:
        # Announced the night before its day, before the day's dates are settled: a deal whose last day has passed
        # has run out (expired), and is not there to be superseded.
        expire(model, old)
        ended = old.move(np.ones(model.replicates, bool), CeasefireState.SUPERSEDED)
        model.log_each(f"{old.kind}_superseded", ended, None, ";".join(old.parties), lambda r: f"{old.name}, by {deal.name}")
    model.deal = deal
    model.log_all(f"{deal.kind}_announced", None, ";".join(deal.parties), f"{deal.name}, in force from {deal.effective}")


def begin_day(model: CeasefireModel) -> None:
    """Before the factions act: a deal whose effective date has come is in force; one past its end expires.

    A deal is announced everywhere at once and moves on from there, never back: on the first day from its effective
    date it comes into force wherever it is still announced, and after that no replicate is left to look at.
    """
    cf = model.deal
    if cf is None:
        return
    if not cf.begun and model.date >= cf.effective:
        cf.begun = True
        started = cf.move(cf.is_(CeasefireState.ANNOUNCED), CeasefireState.IN_FORCE)
        model.log_each(f"{cf.kind}_in_force", started, None, ";".join(cf.parties), lambda r: cf.name)
    expire(model, cf)


def expire(model: CeasefireModel, cf: Ceasefire) -> None:
    """A deal in force whose ``until`` date has passed runs out."""
    if cf.until is not None and model.date > cf.until:
        ended = cf.move(cf.in_force, CeasefireState.EXPIRED)
        model.log_each(f"{cf.kind}_expired", ended, None, ";".join(cf.parties), lambda r: cf.name)


def binding(model: CeasefireModel, faction: str) -> np.ndarray:
    """(replicates,) where a deal in force binds ``faction`` today."""
    cf = model.deal
    if cf is None or not cf.binds(faction):
        return np.zeros(model.replicates, bool)
    return cf.in_force


def regime_holds_back(model: CeasefireModel, regime: Regime) -> np.ndarray:
    """(replicates,) where a ceasefire keeps the regime from attacking today.

    Only a deal in force that binds the regime can. Its pressure moves first;
    then, where the regime has a push to resume (:meth:`Regime.pushes_left`:
    a group in the field with strength and a push not spent), it keeps the
    deal or breaks it (with :meth:`Ceasefire.regime_break_chance`) and
    attacks.
    """
    bound = binding(model, regime.name)
    if not count_nonzero(bound):
        return bound
    cf, p = model.deal, regime.p
    pr = cf.pressure  # moved in place where the deal binds: worked out for every replicate, one pass, no gathers
    np.copyto(pr, pr + (p.pressure_growth * regime.unmet_roads() * (1.0 - pr) - p.pressure_easing * pr), where=bound)
    able = bound & regime.can_push
    if not count_nonzero(able):
        return bound  # nothing to resume (every push spent, or no strength: it was "broken" with nothing to resume)
    chance = cf.regime_break_chance(model.turkey.deterrence)
    breaks = able & (model.draws.uniform(model.day, Draw.BREAK_CEASEFIRE) < chance)
    if count_nonzero(breaks):
        cf.move(breaks, CeasefireState.BROKEN)
        model.log_each(f"{cf.kind}_broken", breaks, None, regime.name, lambda r: f"{cf.name}: {regime.name} resumes its offensive")
    return bound & ~breaks


def record_violation(model: CeasefireModel, which: np.ndarray, faction: str, town: np.ndarray | int | None, detail: str) -> None:
    """An attack while the deal is in force, by a party that rejects it or one that failed to keep it that day:
    a violation, and a pretext that adds to the regime's pressure where the deal binds the regime."""
    cf = model.deal
    if cf is not None:
        cf.violations[which] += 1
        # Not where the deal leaves the regime free: there its pressure neither grows nor eases, and a pretext
        # alone drove it to 1, where a deal binding it at a compliance of 0.001 kept it eased.
        pretext = which & binding(model, model.regime.name)
        cf.pressure[pretext] = np.minimum(1.0, cf.pressure[pretext] + per_pair(model.regime.p.pretext, pretext))
    model.log_each("violation", which, town, faction, lambda r: detail)


def relieve(model: CeasefireModel, which: np.ndarray, coverage: np.ndarray) -> None:
    """A joint patrol that opened the road answers the regime's complaint: its pressure eases, where the deal binds it."""
    cf = model.deal
    if cf is not None:
        ease = model.regime.p.patrol_relief * np.nan_to_num(coverage)
        cf.pressure = np.where(which & binding(model, model.regime.name), np.maximum(0.0, cf.pressure - ease), cf.pressure)


def state_labels(model: CeasefireModel) -> np.ndarray:
    """(replicates,) what the ``ceasefire`` time series reports today: "none", or the state of the current deal.

    Fixed-width strings, not Python objects: the data collector
    (:class:`~sim.model.collector.DailyCollector`) stores a plain copy of
    each value, which is a deep copy only for an array of numbers or strings.
    """
    cf = model.deal
    if cf is None:
        return np.full(model.replicates, "none")
    return _LABELS[cf.state]


_LABELS = np.array([s.value for s in STATES])
