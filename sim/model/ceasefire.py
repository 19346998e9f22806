"""Truces and agreements: who is bound, and whether the deal still stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Ceasefire:
    """A truce or agreement between the dates it is announced and broken or replaced.

    Attributes:
        pressure: the regime's accumulated urge to break it (grows while its
            road objectives are unmet and with every spoiler attack).
        violations: attacks by parties that reject it (spoiler raids, attacks on patrols).
    """

    name: str
    kind: str
    announced: dt.date
    effective: dt.date
    until: dt.date | None
    parties: tuple[str, ...]
    compliance: dict[str, float]
    restraint: float
    corridor: np.ndarray | None = None  # towns inside a security corridor
    corridor_road: str | None = None
    state: str = "announced"
    broken_on: dt.date | None = None
    broken_by: str | None = None
    pressure: float = 0.0
    violations: int = 0
    patrol_coverage: dict[str, float] = field(default_factory=dict)  # road -> last coverage

    def in_force(self, date: dt.date) -> bool:
        return self.state in ("announced", "in force") and self.effective <= date and (self.until is None or date <= self.until)

    def binds(self, faction: str) -> bool:
        """Whether ``faction`` has signed up to it (its compliance is given and positive)."""
        return self.compliance.get(faction, 0.0) > 0.0

    def regime_break_chance(self) -> float:
        """Daily chance that the regime resumes its offensive."""
        urge = (1.0 - self.compliance.get("regime", 0.0)) + self.pressure
        return float(np.clip(urge, 0.0, 1.0) * (1.0 - self.restraint))
