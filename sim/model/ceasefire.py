"""The ceasefire: at most one truce or agreement at a time, and every rule about it.

A deal is a small state machine (:class:`CeasefireState`)::

    announced --(its effective date)--> in force --(its until date passes)--> expired
        |                                  |
        +----(a new deal is announced)-----+--> superseded
                                           +--(the regime resumes its offensive)--> broken

While it is in force it binds the factions whose ``compliance`` it gives.
Two quantities belong to it:

- ``pressure``: the regime's urge to break it. Each day the regime is bound,
  it grows by ``pressure_growth`` x the unmet share of the regime's road
  objectives (patrolled roads count as partly open) x (1 - pressure), so it
  saturates at 1; every violation adds ``pretext``.
- ``violations``: attacks by parties that reject it (spoiler raids, attacks
  on patrols).

Each day the regime breaks it with probability
(1 - compliance + pressure) x (1 - restraint), clipped to [0, 1].

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

if TYPE_CHECKING:
    from .factions import Regime
    from .model import CeasefireModel


class CeasefireState(Enum):
    """Where a deal stands; the value is what the ``ceasefire`` time series reports."""

    ANNOUNCED = "announced"
    IN_FORCE = "in force"
    BROKEN = "broken"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


# The only moves the machine makes; the last three states are final.
TRANSITIONS = {
    CeasefireState.ANNOUNCED: {CeasefireState.IN_FORCE, CeasefireState.SUPERSEDED},
    CeasefireState.IN_FORCE: {CeasefireState.BROKEN, CeasefireState.SUPERSEDED, CeasefireState.EXPIRED},
}


@dataclass
class Ceasefire:
    """A truce or agreement: its terms, its state, and what has happened under it.

    Attributes:
        corridor: mask of the towns inside its security corridor (an agreement's), or None.
        pressure: the regime's accumulated urge to break it.
        violations: attacks by parties that reject it.
        patrol_coverage: road -> share of the route the last joint patrol covered.
    """

    name: str
    kind: str  # the event type that made it: "truce" or "agreement"
    announced: dt.date
    effective: dt.date
    until: dt.date | None
    parties: tuple[str, ...]
    compliance: dict[str, float]
    restraint: float
    corridor: np.ndarray | None = None
    state: CeasefireState = CeasefireState.ANNOUNCED
    broken_on: dt.date | None = None
    broken_by: str | None = None
    pressure: float = 0.0
    violations: int = 0
    patrol_coverage: dict[str, float] = field(default_factory=dict)

    def in_force(self, date: dt.date) -> bool:
        """Whether it binds on ``date``: not broken, superseded or expired, and within its dates."""
        live = self.state in (CeasefireState.ANNOUNCED, CeasefireState.IN_FORCE)
        return live and self.effective <= date and (self.until is None or date <= self.until)

    def binds(self, faction: str) -> bool:
        """Whether ``faction`` has signed up to it (its compliance is given and positive)."""
        return self.compliance.get(faction, 0.0) > 0.0

    def rejection(self, faction: str) -> float:
        """How far ``faction`` rejects it: 1 - its compliance (1 for a faction not party to it)."""
        return 1.0 - self.compliance.get(faction, 0.0)

    def regime_break_chance(self) -> float:
        """Daily chance that the regime resumes its offensive."""
        urge = (1.0 - self.compliance.get("regime", 0.0)) + self.pressure
        return float(np.clip(urge, 0.0, 1.0) * (1.0 - self.restraint))

    def move_to(self, state: CeasefireState) -> None:
        """Change state; a move the machine does not make is a bug, and raises."""
        if state not in TRANSITIONS.get(self.state, ()):
            raise ValueError(f"ceasefire {self.name!r} cannot go from {self.state.value!r} to {state.value!r}")
        self.state = state


# --------------------------------------------------------------------------
# The rules, as the model applies them
# --------------------------------------------------------------------------


def announce(model: CeasefireModel, deal: Ceasefire) -> None:
    """A new deal is announced: it supersedes one in force, and becomes the model's ceasefire."""
    old = model.deal
    if old is not None and old.in_force(model.date):
        old.move_to(CeasefireState.SUPERSEDED)
    model.deal = deal
    model.log_event(f"{deal.kind}_announced", None, ";".join(deal.parties), f"{deal.name}, in force from {deal.effective}")


def begin_day(model: CeasefireModel) -> None:
    """Before the factions act: a deal whose effective date has come is in force; one past its end expires."""
    cf = model.deal
    if cf is not None and cf.state is CeasefireState.ANNOUNCED and cf.in_force(model.date):
        cf.move_to(CeasefireState.IN_FORCE)
        model.log_event(f"{cf.kind}_in_force", None, ";".join(cf.parties), cf.name)
    if cf is not None and cf.state is CeasefireState.IN_FORCE and cf.until is not None and model.date > cf.until:
        cf.move_to(CeasefireState.EXPIRED)
        model.log_event(f"{cf.kind}_expired", None, ";".join(cf.parties), cf.name)


def in_force(model: CeasefireModel) -> Ceasefire | None:
    """The ceasefire in force today, if there is one."""
    cf = model.deal
    return cf if cf is not None and cf.in_force(model.date) else None


def regime_holds_back(model: CeasefireModel, regime: Regime) -> bool:
    """Whether a ceasefire keeps the regime from attacking today.

    Only a deal in force that binds the regime can. Its pressure grows first;
    then the regime keeps it, or breaks it (with :meth:`Ceasefire.regime_break_chance`)
    and attacks.
    """
    cf = in_force(model)
    if cf is None or not cf.binds(regime.name):
        return False
    # Pressure saturates at 1: an urge to break, not a countdown.
    cf.pressure += regime.p.pressure_growth * regime.unmet_roads() * (1.0 - cf.pressure)
    if model.rng.random() >= cf.regime_break_chance():
        return True  # keeps the ceasefire: no attack today
    cf.move_to(CeasefireState.BROKEN)
    cf.broken_on, cf.broken_by = model.date, regime.name
    model.log_event(f"{cf.kind}_broken", None, regime.name, f"{cf.name}: {regime.name} resumes its offensive")
    return False


def record_violation(model: CeasefireModel, faction: str, town: int | None, detail: str) -> None:
    """An attack by a party that rejects the deal: a violation, and a pretext that adds to the regime's pressure."""
    cf = model.deal
    if cf is not None:
        cf.violations += 1
        cf.pressure = min(1.0, cf.pressure + model.regime.p.pretext)
    model.log_event("violation", town, faction, detail)


def record_patrol(model: CeasefireModel, road: str, coverage: float) -> None:
    """How much of its route a joint patrol covered: a patrolled road counts as partly open to the regime."""
    model.deal.patrol_coverage[road] = coverage


def state_label(model: CeasefireModel) -> str:
    """What the ``ceasefire`` time series reports today: "none", or the state of the current deal."""
    cf = model.deal
    if cf is None:
        return "none"
    return CeasefireState.IN_FORCE.value if cf.in_force(model.date) else cf.state.value
