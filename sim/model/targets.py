"""The regime's choice of targets: each force group's objective, what it can reach, and how much it wants each town.

The regime (:class:`sim.model.regime.Regime`) decides whether and with what its groups assault; this is what it reads
to decide where. Most of it depends only on who holds the towns and on where the groups stand, which change on few
days, so each answer is kept until one of them has changed. :mod:`sim.model.frontage` lays the candidate towns out and
picks the best of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HolderCode
from . import streams, towns
from .force_group import ForceGroup, side_by_side
from .frontage import Reach, front, frontage_rows
from .params import per_pair
from .streams import Draw

if TYPE_CHECKING:
    from ..io.rule_parameters import RegimeParams
    from .model import CeasefireModel

REGIME = HolderCode.REGIME


class TargetChoice:
    """Where the regime's groups in the field drive and what they would assault, kept between the days nothing moved.

    Args:
        model: the model whose regime chooses.
        params: the regime's parameters.
        value: (towns,) each town's static value to the regime (:attr:`sim.model.regime.Regime.value`).
    """

    def __init__(self, model: CeasefireModel, params: RegimeParams, value: np.ndarray) -> None:
        # No reference back to the regime: a cycle would keep a finished model's arrays until Python's cycle collector
        # ran (CeasefireModel.release).
        self.model, self.p, self.value = model, params, value
        self.deployments = 0  # how often a group has taken position (a new axis, a new ground): see reach()
        self._reach: tuple = (None, None)  # (key, value) of reach(): see there
        self._lineup: tuple = (None, None)  # (key, value) of lineup(): see there
        self._objectives: tuple = (None, None)  # (key, value) of objectives(): see there

    def objective_of(self, group: ForceGroup) -> np.ndarray:
        """(replicates,) the town the group drives toward: the first of its axis it does not hold."""
        return self.objectives([group])[0][0]

    def objectives(self, groups: list[ForceGroup]) -> tuple[np.ndarray, np.ndarray]:
        """(groups, replicates) each group's objective (see :meth:`objective_of`), and whether it holds its whole axis.

        They depend on the axes (:meth:`lineup`) and on who holds the towns: they are kept until towns change hands
        or a group deploys.
        """
        key = self._lineup_key(groups)
        if self._objectives[0] == (self.model.changes, key):
            return self._objectives[1]
        axes = self.lineup(groups)[0]
        held = self.model.controller[:, axes] == REGIME  # (replicates, groups, towns of the axis)
        done = held.all(axis=2)
        first = np.where(done, axes.shape[1] - 1, np.argmax(~held, axis=2))
        self._objectives = ((self.model.changes, key), (axes[np.arange(len(groups)), first].T, done.T))
        return self._objectives[1]

    def lineup(self, groups: list[ForceGroup]) -> tuple[np.ndarray, np.ndarray]:
        """The groups' axes and intensities side by side (:func:`side_by_side`): an event sets both as it sends a group
        on, before the group deploys, so they are kept until a group deploys."""
        if (key := self._lineup_key(groups)) != self._lineup[0]:
            self._lineup = (key, side_by_side(groups, self.model.replicates))
        return self._lineup[1]

    def _lineup_key(self, groups: list[ForceGroup]) -> tuple:
        """What :meth:`lineup`, :meth:`objectives` and :meth:`reach` keep their work under: the groups, and deployments."""
        return self.deployments, tuple([g.name for g in groups])  # a list comprehension: a generator resumes once a group

    def front_today(self) -> tuple[np.ndarray, ...]:
        """The enemy towns on the government's front, as (replicate, town) pairs, and what every group sees in them.

        Returns (rep, town, value, the outflanking factor): the parts of a town's score that do not depend on which
        group is looking, nor on the day's Turkish deterrence (:meth:`score_targets`). They depend on who holds the
        towns (and which the government has lost, which changes with them) and are found again only after towns change
        hands.
        """
        return self.model.of_control("regime_front", lambda: front(self.model, self.p, self.value))

    def reach(self, groups: list[ForceGroup], front: tuple[np.ndarray, ...]) -> Reach:
        """What the groups can assault and how much each wants it before the day's deterrence and noise (:class:`Reach`).

        All of it depends on who holds the towns (the front, the objectives),
        the groups' grounds, axes and frontages, and which groups are in the
        field: the grounds change only when towns change hands
        (:meth:`~sim.model.regime.Regime.follow_front`) or a group deploys, as do the axes and frontages.
        So it is kept and found again only after one of those, not on the days
        (about half of an offensive's) when nothing did.
        """
        m, p = self.model, self.p
        key = (m.changes, *self._lineup_key(groups))
        if self._reach[0] == key:
            return self._reach[1]
        objective = self.objectives(groups)[0]
        rep, town, value, flank = front[:4]
        ground = np.array([g.ground for g in groups])
        km = towns.km_to_held(m.neighbours, ground, rep, town)  # (groups, front pairs)
        g, k = np.nonzero(km < np.inf)  # the rest are beyond the group's reach: their score is 0
        r, t = rep[k], town[k]
        near = np.exp(-km[g, k] / per_pair(p.proximity_km, r))
        toward = np.exp(-m.theatre.road_distance[objective[g, r], t] / per_pair(p.axis_km, r))
        salted = t.astype(np.uint64) + np.array([group.salt for group in groups], np.uint64)[g]
        frontage = np.array([group.frontage for group in groups])
        reach = Reach(k, t, value[k] * near * toward * flank[k], m.keys[r], per_pair(p.choice_noise, r), salted,
                      *frontage_rows(g, r, t, frontage, m.replicates, m.theatre.n))
        self._reach = (key, reach)
        return reach

    def score_targets(self, reach: Reach, front: tuple[np.ndarray, ...]) -> np.ndarray:
        """How much each group wants to assault each enemy town within its reach (:class:`Reach`'s pairs).

        Value (objective roads, a junction, a town it lost) x nearness to the
        group's own ground (0 beyond one road from it, where it is not
        scored) x nearness, by road, to its objective x how outflanked the
        town already is (:meth:`reach`) x Turkish deterrence x log-normal
        noise, the group's own.
        """
        m = self.model
        deterrence = m.turkey.deterrence_of_posts(*front[:2])  # the day's: it follows Turkey's escalation
        noise = streams.lognormal(reach.keys, m.day, Draw.OBJECTIVE_NOISE, reach.sigma, reach.salted)
        return reach.base * deterrence[reach.k] * noise
