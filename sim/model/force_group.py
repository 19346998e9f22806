"""One of the government's force groups: its force, axis, frontage and push, and the salt of its noise stream.

A group is part of the regime (:class:`sim.model.regime.Regime`), formed and re-tasked by the scenario's offensive
events (:mod:`sim.model.events`).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from .params import per_replicate


@dataclass
class ForceGroup:
    """One of the regime's operational groups: a force, an axis of objectives, a frontage.

    The axis is the ordered list of towns the group was reported to aim at.
    Each day it drives toward the first of them it does not hold; once it
    holds them all it has done what it was sent to do, and holds the line
    until an offensive event gives it a new axis. A push that has lost too
    much of its strength culminates first (:meth:`sim.model.regime.Regime.culminate`).

    A group fights where it stands: its ground is where it took position
    (facing its objective) and what it has taken or walked into since, and it
    assaults only towns one road away from that ground. Driven off all of
    it, the group falls back onto the front facing its objective.
    """

    name: str
    force: np.ndarray  # (replicates,)
    axis: np.ndarray  # town indices, in order
    frontage: int = 2  # towns it assaults at once
    intensity: float = 1.0  # scales the share of its force committed (a limited push < 1)
    active: bool = False
    committed: np.ndarray | None = None  # today's assaults, (replicates,)
    ground: np.ndarray | None = None  # (replicates, towns) the government towns it stands on
    peak: np.ndarray = field(init=False)  # (replicates,) the most strength it has had since it was last sent onto an axis
    left_behind: np.ndarray = field(init=False)  # (replicates,) strength it has since left in towns: garrisons, walk-ins
    spent: np.ndarray = field(init=False)  # (replicates,) whether its push has culminated there (see Regime.culminate)
    salt: int = 0  # offsets its noise stream from other groups' scoring the same towns: see noise_salt()

    def __post_init__(self) -> None:
        self.send_on()

    def send_on(self) -> None:
        """Sent onto an axis (again): pushing everywhere, from the strength it has now."""
        self.peak, self.spent = self.force.copy(), np.zeros(self.force.shape, bool)
        self.left_behind = np.zeros(self.force.shape)


def side_by_side(groups: list[ForceGroup], replicates: int) -> tuple[np.ndarray, np.ndarray]:
    """The groups' axes (groups, towns), each padded with copies of its last town, and intensities (groups, replicates).

    The padding changes neither the first town of an axis not held, nor the
    last town of one held to the end (:meth:`sim.model.targets.TargetChoice.objectives`).
    """
    longest = max(len(g.axis) for g in groups)
    axes = np.array([[*g.axis, *[g.axis[-1]] * (longest - len(g.axis))] for g in groups])
    return axes, np.array([per_replicate(g.intensity, replicates) for g in groups])


def noise_salt(name: str, taken: set[int]) -> int:
    """A group's salt: from its name (stable across runs and scenarios), moved on to the next free one where an
    earlier group of the scenario has it (251 values: two names could share one, and so the same noise)."""
    if len(taken) >= 251:
        raise ValueError(f"force group '{name}': a scenario has room for 251 force groups")
    k = zlib.crc32(name.encode()) % 251
    while (k + 1) << 16 in taken:
        k = (k + 1) % 251
    return (k + 1) << 16
