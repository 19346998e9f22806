"""The government's ground forces: force groups on reported axes, truces, road objectives.

The regime is a Mesa agent acting on the model's (replicates, towns) arrays; its force groups are parts of it, each
with its own force, axis and frontage, formed and re-tasked by the scenario's offensive events. Where its groups drive
and what they would assault it reads from its :class:`~sim.model.targets.TargetChoice`; whether and with what they
assault, their ground and their strength are its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HolderCode
from . import ceasefire, count_nonzero
from .factions import FactionAgent
from .force_group import ForceGroup
from .frontage import areas_held, frontage_picks
from .params import per_pair, per_replicate, per_town
from .targets import TargetChoice

if TYPE_CHECKING:
    from ..io.rule_parameters import RegimeParams
    from .model import CeasefireModel

REGIME = HolderCode.REGIME


class Regime(FactionAgent):
    """Government ground forces: force groups on reported axes, truces, road objectives."""

    name = "regime"

    def __init__(self, model: CeasefireModel, params: RegimeParams) -> None:
        super().__init__(model)
        self.p = params
        self.pool = per_replicate(params.force, model.replicates)  # mobile force not yet given to a group
        self.groups: dict[str, ForceGroup] = {}
        self.held_yesterday = model.controller == REGIME  # to find the towns gained since
        self.followed_at: int | None = None  # the model's `changes` when the groups last followed the front
        self.unbroken = 1.0 - per_replicate(params.breakpoint_loss, model.replicates)  # the share of its peak a push needs
        self._peaks: tuple = (None, [])  # (the groups' peaks stacked, each group's row): see culminate()
        self.spent_somewhere = False  # whether any push in the field was spent at the last look (culminate)
        self.can_push = np.zeros(model.replicates, bool)  # the day's: see pushes_left()
        self._on_offensive = self.can_push  # the day's: see on_offensive
        t = model.theatre
        roads = params.objective_roads
        self.road_masks = {road: t.road_towns(road) for road in roads}
        on = sum((mask.astype(int) for mask in self.road_masks.values()), np.zeros(t.n, int))
        # Static value: towns on objective roads, more where two of them meet.
        self.value = 1.0 + sum((w * self.road_masks[road] for road, w in roads.items()), np.zeros(t.n))
        self.value += params.junction_bonus * (on >= 2)
        # The parts of the road network it can push through: a camp it holds it keeps, the others it never takes.
        self.area = t.areas(model.contestable | (model.initial_controller[0] == REGIME))
        self.one_area = np.unique(self.area[self.area >= 0]).size <= 1
        self.targets = TargetChoice(model, params, self.value)  # where its groups drive and what they would assault

    @property
    def active_groups(self) -> list[ForceGroup]:
        return [g for g in self.groups.values() if g.active]

    @property
    def force(self) -> np.ndarray:
        """(replicates,) all the regime's mobile force: the pool and every group."""
        return self.pool + sum((g.force for g in self.groups.values()), np.zeros(self.model.replicates))

    @property
    def on_offensive(self) -> np.ndarray:
        """(replicates,) whether the government can push today (:meth:`pushes_left`) and no ceasefire holds it back.

        Found when the regime acts (:meth:`step`), and read a few times a day after that (by Russia, Turkey, combat and
        flight). Both its parts are the day's by then: a deal binds, or stops binding, when the day begins, when the
        regime breaks it (in its step) and at night, when a new one is announced.
        """
        return self._on_offensive

    def pushes_left(self, groups: list[ForceGroup], force: np.ndarray) -> np.ndarray:
        """(replicates,) whether some group in the field (``groups``, ``force`` stacked) has strength and a push not spent:
        the government is on the offensive there (unless a deal holds it back), and only there can it resume one, breaking a deal.

        A group with no strength, or whose push is spent, has nothing to commit: counted as on the offensive, it kept
        Russia's air up, people fleeing and Turkish soldiers dying near a front nobody attacked, and could break a deal
        with nothing to resume; so has one whose objective is out of its reach (:meth:`within_reach`). A group that
        holds its whole axis still counts: it holds the line under the campaign's fire (counting it out cost the fit 35
        standard errors, and letting it keep a deal it could not resume a push under 2.7: round 52).
        """
        if not groups:
            return np.zeros(self.model.replicates, bool)
        able = (force > 0) & self.within_reach(groups)
        if self.spent_somewhere:
            able &= self.pushing(groups)
        return able.any(axis=0)

    def within_reach(self, groups: list[ForceGroup]) -> np.ndarray:
        """(groups, replicates) whether a road leads from a government town to each group's objective through towns it can
        take (:attr:`area`); (replicates,), alike for all, where that is one part of the network (Idlib's): any town leads."""
        m = self.model
        if self.one_area:  # (np.broadcast_to to (groups, replicates) cost a campaign run a millisecond)
            return m.of_control("regime_holds_some", lambda: (m.controller == REGIME).any(axis=1))
        held = m.of_control("regime_areas", lambda: areas_held(self.area, m.controller == REGIME))
        return held[np.arange(m.replicates), self.area[self.targets.objectives(groups)[0]]]

    def pushing(self, groups: list[ForceGroup]) -> np.ndarray:
        """(groups, replicates) whether each of ``groups`` is pushing: its push not spent."""
        return ~np.array([g.spent for g in groups])

    def step(self) -> None:
        bound = ceasefire.binding(self.model, self.name)
        groups = self.active_groups  # the day's: only an event, at night, sends a group into the field or stands one down
        force = self.regenerate(groups, self.culminate(groups), bound)  # (groups, replicates) stacked, the day's
        self.can_push = self.pushes_left(groups, force)
        held_back = ceasefire.regime_holds_back(self.model, self)  # where a deal binds it still, now it has kept or broken it
        free = ~held_back
        self._on_offensive = self.can_push & free
        self.follow_front()
        if groups and not held_back.all():
            self.assault(groups, force, free=free)
        else:  # a deal holds every replicate back (most days of a truce): nothing to choose, nothing committed
            self.stand(groups)

    def stand(self, groups: list[ForceGroup]) -> None:
        """The groups commit nothing today."""
        for g in groups:
            g.committed = np.zeros(self.model.replicates)

    def deploy(self, group: ForceGroup) -> None:
        """The group takes position facing its objective, keeping the ground it already stands on.

        Its new ground is the government-held towns at most ``deploy_km`` road km farther from its objective than the
        nearest one: a stretch of front, not a point. The groups in place first move into the towns gained since they
        last did (theirs, not this group's).

        Following the front again before towns change hands would change nothing: every ground is then held, no town
        was gained since, and none is empty where the government holds a town (the new one faces the objective from its
        towns; the others were just looked at).
        """
        self.follow_front()
        self.targets.deployments += 1  # what each group can reach, and the axes, are looked at again (before facing reads its new axis)
        facing = self.facing(group)
        group.ground = facing if group.ground is None else group.ground | facing

    def facing(self, group: ForceGroup) -> np.ndarray:
        """(replicates, towns) the government towns facing the group's objective, within ``deploy_km`` of the nearest."""
        m = self.model
        gov = m.controller == REGIME
        km = np.where(gov, m.theatre.road_distance[self.targets.objective_of(group)], np.inf)
        return gov & (km <= km.min(axis=1, keepdims=True) + per_town(self.p.deploy_km))

    def follow_front(self) -> None:
        """Each group keeps what it still holds of its ground and moves into the towns gained next to it.

        A group driven off all its ground falls back onto the government's front facing its objective, as if sent
        there again. The groups' grounds are stacked, and only the towns gained since yesterday are looked at, one
        gather of their neighbours for every group.

        With no town changed hands since the last time, there is nothing to follow (most days): every ground is still
        held and nothing was gained next to it; a ground is empty only where the government holds no town, where facing
        the objective gives none either. A group that deployed since follows the front first (:meth:`deploy`).
        """
        m = self.model
        if self.followed_at == m.changes:
            return
        self.followed_at = m.changes
        gov = m.controller == REGIME
        gained = gov & ~self.held_yesterday
        self.held_yesterday = gov
        placed = [g for g in self.groups.values() if g.ground is not None]
        if not placed:
            return
        ground = np.array([g.ground for g in placed]) & gov  # (groups, replicates, towns)
        rep, town = np.nonzero(gained)  # a few towns a day: look at their neighbours only
        # (gains, neighbours): a row's missing neighbours are its town itself (NeighbourTable), which joins nothing: a
        # town of the ground is not joined again, and one not in it does not make itself join.
        nbr = m.neighbours.nbr[town]
        while rep.size:  # a chain of towns gained the same day joins as it would have over several days (none: nothing joins)
            joined = ground[:, rep[:, None], nbr].any(axis=2) & ~ground[:, rep, town]
            if not count_nonzero(joined):
                break
            ground[:, rep, town] |= joined
        lost = ~ground.any(axis=2)
        driven_off = count_nonzero(lost)  # seldom: then each group is looked at
        for g, mine, off in zip(placed, ground, lost, strict=True):
            if driven_off and count_nonzero(off):
                mine[off] = self.facing(g)[off]
            g.ground = mine

    def regenerate(self, groups: list[ForceGroup], force: np.ndarray, bound: np.ndarray) -> np.ndarray:
        """Recruits and resupply go to the groups in the field (``groups``) still pushing toward an objective in reach (to
        the pool where none is; another would hold them idle); a deal in force limits the build-up. Returns their
        ``force`` (groups, replicates) stacked, with what each got."""
        rate = np.where(bound, self.p.regen * self.p.ceasefire_regen, self.p.regen)
        if not groups:
            self.pool = self.pool + rate
            return force
        reach = self.within_reach(groups)
        if not self.spent_somewhere and reach.ndim == 1 and reach.all():  # all pushing, all in reach (most days): fewer calls
            force = force + rate / len(groups)
        else:
            fed = self.pushing(groups) & reach
            n = fed.sum(axis=0)
            share = np.divide(rate, n, out=np.zeros_like(rate), where=n > 0)  # each fed group's, the same for all
            force = force + np.where(fed, share, 0.0)
            self.pool = self.pool + np.where(n > 0, 0.0, rate)
        for g, now in zip(groups, force, strict=True):
            g.force = now
        return force

    def culminate(self, groups: list[ForceGroup]) -> np.ndarray:
        """A push that has lost ``breakpoint_loss`` of the most strength it has had on its axis is spent: the group's
        strength goes to the pool, and it neither commits nor is sent anything until an offensive event sends it on;
        returns the force of the groups in the field (``groups``) after it, stacked: (groups, replicates).

        Combat models stop an attack at a breakpoint set by its losses (the U.S. Army's terms count a unit that has
        lost 30% as destroyed); losses alone seldom decide in the record of battles, so read it as the rule's claim.
        Without it a push ground down (by Turkish strikes, say) was fed the army's daily new strength for as long as it
        lasted. Losses are what fire took: what a group left in the towns it took or walked into (``left_behind``) is
        still its own here, or a push that lost almost nobody culminated by garrisoning them.
        """
        if not groups:
            return np.zeros((0, self.model.replicates))
        force = np.array([g.force for g in groups])  # (groups, replicates): every group in a few numpy calls
        strength = force + np.array([g.left_behind for g in groups])  # what fire has not taken
        peak, rows = self._peaks
        # Peaks are rows of one array handed out here: while each group holds its row (only send_on replaces it), it is theirs.
        if len(rows) == len(groups) and all(g.peak is row for g, row in zip(groups, rows)):
            np.maximum(peak, strength, out=peak)
        else:
            peak = np.maximum(np.array([g.peak for g in groups]), strength)
            rows = list(peak)
            for g, most in zip(groups, rows, strict=True):
                g.peak = most
            self._peaks = (peak, rows)
        culminates = strength < self.unbroken * peak
        if self.spent_somewhere:  # seldom: a push spent cannot culminate again, and an event may have sent it on since
            spent = np.array([g.spent for g in groups])
            culminates &= ~spent
            self.spent_somewhere = bool(count_nonzero(spent))
        if count_nonzero(culminates):
            lost = 1.0 - np.divide(strength, peak, out=np.ones_like(force), where=culminates)  # culminates: a peak above 0
            for g, now, share in zip(groups, culminates, lost, strict=True):
                self.pool = self.pool + np.where(now, g.force, 0.0)
                g.force, g.spent = np.where(now, 0.0, g.force), g.spent | now
                self.model.log_each("offensive_culminated", now, None, self.name,
                                    lambda r, g=g, share=share: f"{g.name}: lost {share[r]:.0%} of its peak strength")
            self.spent_somewhere = True
            force = np.where(culminates, 0.0, force)  # what each group now has
        return force

    def unmet_roads(self) -> np.ndarray:
        """(replicates,) weighted share of objective-road towns not held; a patrolled road counts as partly open."""
        m = self.model
        total, weight = np.zeros(m.replicates), 0.0
        # Each road's share not held depends on who holds the towns alone: counted again only after towns change hands.
        unheld = m.of_control("unheld_roads", lambda: [(m.controller[:, on] != REGIME).mean(axis=1) for on in self.road_masks.values()])
        for (road, w), unmet in zip(self.p.objective_roads.items(), unheld, strict=True):
            if m.deal is not None and road in m.patrol_coverage:
                unmet = unmet * (1.0 - np.where(m.deal.in_force, m.patrol_coverage[road], 0.0))
            total += w * unmet
            weight += w
        return total / weight if weight else total

    def assault(self, groups: list[ForceGroup], force: np.ndarray, free: np.ndarray) -> None:
        """Each group commits a share of its ``force`` (stacked) to its ``frontage`` best targets, in proportion to their scores.

        A group that holds its whole axis has done what it was sent to do, and
        commits nothing; nor does one whose objective is out of its reach
        (:meth:`within_reach`), which no town it could take leads toward. The groups are scored side by side, each picking from
        its own scores (:func:`frontage_picks`). Where none commits anything
        (about a third of a campaign's days in the field), nothing is scored:
        its forces would all be 0, and its noise is drawn for nothing else.
        Nor is what the groups can reach found (:meth:`~sim.model.targets.TargetChoice.reach`), which is most
        of the day's work when towns have changed hands.
        """
        attacking = free & ~self.targets.objectives(groups)[1] & self.within_reach(groups)
        if not count_nonzero(attacking):
            self.stand(groups)
            return
        targets = self.targets
        front = targets.front_today()
        reach = targets.reach(groups, front)
        best, chosen = frontage_picks(reach, targets.score_targets(reach, front))
        total = chosen.sum(axis=2, keepdims=True)
        weight = np.divide(chosen, total, out=np.zeros_like(chosen), where=total > 0)
        force = (force * self.p.commit * self.targets.lineup(groups)[1] * attacking)[:, :, None] * weight
        self.model.declare_attacks(self.name, best, force, groups)
        for g, committed in zip(groups, force.sum(axis=2), strict=True):
            g.committed = committed

    def detach(self, rep: np.ndarray, each: float | np.ndarray) -> np.ndarray:
        """Take ``each`` from the regime's force (pool and groups, in proportion) for every pair in ``rep``; returns what each got."""
        want = np.bincount(rep, minlength=self.model.replicates) * each
        had = [g.force for g in self.groups.values()]
        got = self.lose(want, spare_committed=False, casualties=False)
        for g, before in zip(self.groups.values(), had, strict=True):
            g.left_behind = g.left_behind + (before - g.force)  # not lost to its push: see culminate
        share = np.divide(got, want, out=np.zeros_like(got), where=want > 0)
        return per_pair(each, rep) * share[rep]

    def lose(self, amount: np.ndarray, *, spare_committed: bool = True, casualties: bool = True, pool: bool = True) -> np.ndarray:
        """The regime loses ``amount`` (replicates,) from its pool and groups (``pool`` False: the groups in the field
        alone), in proportion; returns what it lost. Drones strike what is not committed to today's assaults (combat counts those)."""
        groups, r = list(self.groups.values()) if pool else self.active_groups, self.model.replicates
        force = np.array([g.force for g in groups]).reshape(len(groups), r)  # (groups, replicates), with no group too
        committed = [g.committed if spare_committed and g.committed is not None else np.zeros(r) for g in groups]
        free = np.maximum(force - np.array(committed).reshape(force.shape), 0.0)  # x - 0.0 is x, bit for bit
        total = (self.pool if pool else 0.0) + free.sum(axis=0)
        amount = np.minimum(amount, total)
        share = np.divide(amount, total, out=np.zeros_like(total), where=total > 0)
        if pool:
            self.pool = self.pool * (1.0 - share)
        for g, left in zip(groups, np.maximum(0.0, force - free * share), strict=True):
            g.force = left
        if casualties:
            self.model.add_casualties(self.name, amount)
        return amount
