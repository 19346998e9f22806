"""The armed opposition: HTS and the Turkish-backed rebels. One class each, one method per rule.

Both hold towns with garrisons and keep a mobile reserve that reinforces the
towns under assault; HTS spoils the deals it rejects, the rebels
counter-attack once Turkey fights alongside them, and either strikes back
along a reported counter-offensive (an offensive event naming it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HolderCode
from . import ceasefire, combat, count_nonzero, streams, towns
from .factions import FactionAgent
from .params import per_pair, per_replicate, per_town
from .streams import Draw

if TYPE_CHECKING:
    from ..io.rule_parameters import HTSParams, RebelParams
    from .model import CeasefireModel

# Each patrol participant's casualties are drawn from a stream keyed by its faction's place here, not its place in
# the event's list: reordering or dropping a participant leaves the others' draws (a paired what-if's luck) as they
# were. Russia and Turkey come first, so the shipped [russia, turkey] patrols draw what they always drew.
PATROL_DRAWS = ("russia", "turkey", "regime", "hts", "rebels")

REGIME, HTS_CODE, REBELS = HolderCode.REGIME, HolderCode.HTS, HolderCode.REBELS


class ArmedGroup(FactionAgent):
    """An opposition group: town garrisons and a mobile reserve that reinforces them."""

    code: int

    restraint: Draw  # its stream for keeping a deal in force

    def __init__(self, model: CeasefireModel, params: HTSParams | RebelParams) -> None:
        super().__init__(model)
        self.p = params
        self.force = per_replicate(params.reserve, model.replicates)  # the mobile reserve
        self.axis: np.ndarray | None = None  # a reported counter-offensive's towns, in order (an offensive event)
        # aim()'s answer with no counter-offensive (most days: the rebels look every day), made once; read-only, as
        # every reader makes a new array of it.
        self._no_aim = np.full(model.replicates, -1)
        self._no_aim.setflags(write=False)

    def lose(self, amount: np.ndarray, *, casualties: bool = True) -> np.ndarray:
        """The reserve loses ``amount`` (replicates,) strength points, as far as it has them (a strike); returns what it lost."""
        lost = np.minimum(amount, self.force)
        self.force = self.force - lost
        if casualties:
            self.model.add_casualties(self.name, lost)
        return lost

    def defend(self) -> None:
        """Recruit into the reserve, then reinforce own towns under assault, each up to what it can hold."""
        m, p = self.model, self.p
        self.force = self.force + p.regen
        if (hit := m.assaulted()) is None:  # no assault declared yet today (every day of a truce): no town to reinforce
            return
        ours = hit & (m.controller == self.code)
        if not count_nonzero(ours):
            return
        count = ours.sum(axis=1)
        share = np.divide(self.force * p.reinforce, count, out=np.zeros(m.replicates), where=count > 0)
        room = np.maximum(0.0, m.garrison_cap - m.garrison)
        sent = np.where(ours, np.minimum(room, share[:, None]), 0.0)
        m.garrison += sent
        # Equal shares may add up to a hair more than the reserve (3 x (r / 3) > r): never below empty. A reserve left
        # at -2e-16 was clamped only where the faction also attacked that day, so a run alone and in a batch differed.
        self.force = np.maximum(self.force - sent.sum(axis=1), 0.0)

    def aim(self) -> np.ndarray:
        """(replicates,) the town a reported counter-offensive attacks today, -1 for none (read-only).

        It is the first town of the axis the government holds, if opposition
        ground (HTS's or the rebels': they hold one front) lies next to it and
        no Russian military police stand in it; and only where the faction
        holds a town of its own (:meth:`holds_ground`): with none, its reserve
        stands nowhere to strike from, whoever holds the ground beside the aim.
        """
        m = self.model
        if self.axis is None:
            return self._no_aim
        gov = m.controller[:, self.axis] == REGIME
        first = gov.argmax(axis=1)  # the first the government holds, or 0 where it holds none
        town, rows = self.axis[first], np.arange(m.replicates)
        beside = m.government_flanks()[rows, town] < m.neighbours.degree[town]
        return np.where(gov[rows, first] & beside & ~m.military_police[rows, town] & self.holds_ground(), town, -1)

    def holds_ground(self) -> np.ndarray:
        """(replicates,) where the faction holds a town (read-only). What it stages it stages from ground of its own:
        with none, it strikes back on no counter-offensive, and HTS pitches no sit-in and ambushes no patrol, though
        the opposition's towns they would use may be the other faction's (they hold one front)."""
        m = self.model
        return m.of_control(f"{self.name}_holds_ground", lambda: (m.controller == self.code).any(axis=1))

    def unrestrained(self, free: np.ndarray) -> np.ndarray:
        """``free`` less the replicates where a deal in force holds the faction back today (its compliance draw)."""
        m = self.model
        if m.deal is None or not count_nonzero(free):  # nothing to hold back: no draw (streams are counter-based, so none moves)
            return free
        keeps = m.draws.uniform(m.day, self.restraint) < m.deal.compliance.get(self.name, 0.0)
        return free & ~(m.deal.in_force & keeps)

    def commit_reserve(self, which: np.ndarray, town: np.ndarray) -> np.ndarray:
        """Throw ``counter_commit`` of the reserve at ``town`` in the replicates ``which``; under a deal, a violation.
        Returns what it committed (replicates,): it stays in the reserve until the day's combat takes what it cost."""
        m = self.model
        force = np.where(which, self.force * self.p.counter_commit, 0.0)
        m.declare_attacks(self.name, town[None, :, None], force[None, :, None], [self])
        if m.deal is not None and (broke := (force > 0) & m.deal.in_force).any():  # a party that failed to keep the deal
            ceasefire.record_violation(m, broke, self.name, town, "counter-attack on government positions")
        return force


class HTS(ArmedGroup):
    """Defends its towns; strikes back on a reported counter-offensive; spoils deals it rejects: raids, sit-ins,
    blocked and attacked patrols."""

    name = "hts"
    code = HTS_CODE
    restraint = Draw.HTS_RESTRAINT

    def step(self) -> None:
        self.defend()
        m = self.model
        committed = 0.0  # of the reserve, to today's counter-attack
        if self.axis is not None:  # a reported counter-offensive: with none, HTS attacks nothing (and draws nothing)
            aim = self.aim()
            if (free := self.unrestrained((self.force > 0) & (aim >= 0))).any():
                committed = self.commit_reserve(free, np.maximum(aim, 0))
        cf = m.deal
        if cf is None or not count_nonzero(cf.in_force):
            return
        reject = cf.rejection(self.name)
        raid = cf.in_force & (m.draws.uniform(m.day, Draw.HTS_RAID) < self.p.spoiler_rate * reject)
        if count_nonzero(raid):
            self.raid(raid, self.force - committed)
        staging = cf.in_force & self.holds_ground()
        for road in sorted(m.patrol_roads):  # each road its own chance, less where patrols and policing made it secure
            k = m.patrol_road_k[road]
            chance = self.p.protest_rate * reject * (1.0 - self.sit_in_security(road))
            sit = staging & (m.draws.uniform(m.day, Draw.SIT_IN, k) < chance)
            if count_nonzero(sit):
                self.sit_in(sit, road, k)

    def raid(self, which: np.ndarray, spare: np.ndarray) -> None:
        """Attack a government position next to HTS ground: a violation, and a pretext for the regime. (It starts from
        HTS's ground, as its chance blocks of a patrol come next to it: neither needs :meth:`holds_ground` as well.)

        A raid is a day of combat on a small scale, with both sides firing at once as in an assault: the raiders
        (``raid_strength``, or what the reserve can ``spare`` if less) cost the garrison ``lethality`` x their strength,
        and the garrison costs them ``lethality`` x its effective strength in return, at most the whole party; each loss
        with its own noise. The party comes out of the mobile reserve, of what it has not thrown at the day's
        counter-attack (``spare``, (replicates,)): with none to spare, there is no raid. (Drawn from the whole reserve,
        the strength committed to an assault raided too, and was lost twice over.)
        """
        m = self.model
        which = which & (spare > 0)
        # Government towns next to HTS ground: who holds the towns decides, so they are found again only after a change.
        target = m.of_control("raid_targets", lambda: (towns.held_neighbours(m.neighbours, m.controller == HTS_CODE) > 0)
                              & (m.controller == REGIME))
        pick = streams.uniform(m.keys[:, None], m.day, Draw.RAID_TOWN, m.town_ids)
        town = np.argmax(np.where(target, pick, -1.0), axis=1)
        ok = which & target.any(axis=1)
        rep = ok.nonzero()[0]
        if rep.size == 0:
            return
        where = town[rep]
        lethality, noise = per_pair(m.combat_params.lethality, rep), per_pair(m.combat_params.noise, rep)
        strength = np.minimum(per_pair(self.p.raid_strength, rep), spare[rep])
        garrison = m.garrison[rep, where]
        defence = combat.defence_factor(m, rep * m.controller.shape[1] + where, REGIME)  # no post covers the government
        loss = np.minimum(garrison, strength * lethality * streams.lognormal(m.keys[rep], m.day, Draw.RAID_LOSS, noise))
        fire = streams.lognormal(m.keys[rep], m.day, Draw.RAID_RETURN_FIRE, noise)
        raiders_lost = np.minimum(strength, lethality * garrison * defence * fire)
        m.garrison[rep, where] = garrison - loss
        m.add_casualties("regime", np.bincount(rep, loss, m.replicates))
        lost = np.minimum(np.bincount(rep, raiders_lost, m.replicates), self.force)  # the party comes out of the reserve
        self.force = self.force - lost
        m.add_casualties(self.name, lost)
        ceasefire.record_violation(m, ok, self.name, town, "raid on government positions")

    def sit_in_places(self, road: str) -> np.ndarray:
        """(replicates, towns) the towns of ``road`` a sit-in could block: those the opposition holds (read-only)."""
        m = self.model
        return m.of_control(f"opposition_on_{road}", lambda: m.theatre.road_towns(road)[None, :] & (m.controller != REGIME))

    def sit_in_security(self, road: str) -> np.ndarray:
        """(replicates,) mean security of the towns of ``road`` a sit-in could block; 0 where there are none."""
        places = self.sit_in_places(road)
        return (self.model.security * places).sum(axis=1) / np.maximum(np.count_nonzero(places, axis=1), 1)

    def sit_in(self, which: np.ndarray, road: str, k: int) -> None:
        """Protesters occupy the patrol road ``road`` (its numbers ``k``) at an opposition-held town on it."""
        m = self.model
        on_road = self.sit_in_places(road)
        pick = streams.uniform(m.keys[:, None], m.day, Draw.SIT_IN_TOWN, m.town_ids, k)
        town = np.argmax(np.where(on_road, pick, -1.0), axis=1)
        ok = which & on_road.any(axis=1)
        rep = ok.nonzero()[0]
        m.sit_in_until[rep, town[rep]] = np.maximum(m.sit_in_until[rep, town[rep]], m.day + self.p.protest_days)
        m.log_each("sit_in", ok, town, self.name, lambda r: f"sit-in blocks the {road}")

    def blocks_patrol(self, route: np.ndarray, k: int) -> np.ndarray:
        """(replicates, route towns) where a patrol (its numbers ``k``) is stopped: sit-ins always; next to HTS ground,
        by chance.

        The chance falls as the road is made secure (patrols that got through, Turkish policing of a corridor), and
        comes, as HTS's other spoiling does, as far as HTS rejects the deal (patrols run only while one is in force).
        """
        m = self.model
        sit = m.sit_in_until[:, route] >= m.day
        hts = m.controller == HTS_CODE
        near = hts[:, route] | (towns.held_neighbours(m.neighbours, hts)[:, route] > 0)
        rejects = m.deal.rejection(self.name) if m.deal is not None else 1.0  # (a party to no deal rejects it)
        chance = per_town(self.p.patrol_block) * per_town(rejects) * (1.0 - m.security[:, route])
        by_chance = near & (streams.uniform(m.keys[:, None], m.day, Draw.PATROL_BLOCK, route[None, :], k) < chance)
        return (sit | by_chance) & (m.controller[:, route] != REGIME)

    def attack_patrol(self, which: np.ndarray, participants: list[str], where: np.ndarray, k: int) -> None:
        """An ambush on a joint patrol (its numbers ``k``): casualties among its participants, a violation and a pretext."""
        m = self.model
        for faction in participants:
            draw = PATROL_DRAWS.index(faction)
            hurt = streams.poisson(m.keys, m.day, Draw.PATROL_CASUALTIES, self.p.patrol_attack_casualties, draw, k) * which
            if faction == "turkey":
                m.turkey.lose_soldiers(hurt, "attack on a patrol")
            else:
                m.add_casualties(faction, hurt, fighters=False)
        ceasefire.record_violation(m, which, self.name, where, "attack on the joint patrol")


class Rebels(ArmedGroup):
    """Turkish-backed rebels: defend, and counter-attack once Turkey fights alongside or on a reported counter-offensive."""

    name = "rebels"
    code = REBELS
    restraint = Draw.REBEL_RESTRAINT

    def step(self) -> None:
        self.defend()
        m = self.model
        aim = self.aim()
        free = self.unrestrained((self.force > 0) & ((m.turkey.escalation >= self.p.counter_threshold) | (aim >= 0)))
        if count_nonzero(free):
            self.counter_attack(free, aim)

    def counter_attack(self, which: np.ndarray, aim: np.ndarray) -> None:
        """Attack ``aim`` where there is one; elsewhere retake the most valuable, most weakly held town lost to the
        regime, next to rebel ground."""
        m = self.model
        gov = m.controller == REGIME
        near = towns.held_neighbours(m.neighbours, m.controller == REBELS) > 0
        target = gov & near & (m.initial_controller != REGIME) & ~m.military_police
        score = np.where(target, m.regime.value / (1.0 + m.garrison), -1.0)
        town = np.where(aim >= 0, aim, np.argmax(score, axis=1))
        self.commit_reserve(which & ((aim >= 0) | target.any(axis=1)), town)
