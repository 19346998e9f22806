"""The five factions as Mesa agents: each faction's behaviour, one class each, one method per rule.

Factions are Mesa agents; towns are not. Every agent reads and writes the
model's numpy arrays over towns (controller, garrison, posts, residents)
instead of owning per-town objects, so that a day costs a handful of array
operations whatever the theatre's size (and the arrays can later grow a
replicate axis). The order in which they act each day is written out in
:meth:`CeasefireModel.step`: Russia sets its air effort, the regime picks its
objectives, Turkey reacts, then HTS and the rebels defend and counter-attack;
combat is resolved after all have declared their attacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..names import HolderCode
from . import ceasefire

if TYPE_CHECKING:
    from ..io.schema import HTSParams, RebelParams, RegimeParams, RussiaParams, TurkeyParams
    from .model import CeasefireModel

REGIME, HTS_CODE, REBELS = HolderCode.REGIME, HolderCode.HTS, HolderCode.REBELS


class FactionAgent(mesa.Agent):
    """A faction: a name and the model it acts in."""

    name: str = ""
    model: CeasefireModel

    def step(self) -> None:  # pragma: no cover - each faction overrides
        raise NotImplementedError


def decay(km: np.ndarray, scale_km: float) -> np.ndarray:
    """exp(-km / scale_km): 1 at no distance, falling towards 0.

    A scale of 0 (or so small that km / scale overflows) leaves value only at
    no distance at all: km / 0 is inf and exp(-inf) is 0, the limit meant.
    """
    with np.errstate(divide="ignore", over="ignore"):
        ratio = km / scale_km
    ratio[km == 0] = 0.0  # 0 / 0 would be NaN: no distance is full value at any scale
    return np.exp(-ratio)


class Russia(FactionAgent):
    """Air power: multiplies regime attacks, drives flight, held back by deals it brokers."""

    name = "russia"

    def __init__(self, model: CeasefireModel, params: RussiaParams) -> None:
        super().__init__(model)
        self.p = params
        self.air = 0.0
        self.ceiling = 1.0  # lowered by an air_policy event: support withheld whatever the regime does

    def step(self) -> None:
        deal = ceasefire.in_force(self.model)
        if deal is not None and self.name in deal.parties:
            air = self.p.truce_air  # restrains: a deal it brokered is in force
        elif self.model.regime.offensive:
            air = self.p.air_support  # licenses: full support to the offensive
        else:
            air = self.p.idle_air
        self.air = min(air, self.ceiling)

    @property
    def attack_multiplier(self) -> float:
        return 1.0 + self.p.air_power * self.air


class Regime(FactionAgent):
    """Government ground forces: road objectives, concentration, truces, posts."""

    name = "regime"

    def __init__(self, model: CeasefireModel, params: RegimeParams) -> None:
        super().__init__(model)
        self.p = params
        self.force = params.force
        self.offensive = False
        self.intensity = 1.0
        self.axis: np.ndarray = np.zeros(0, dtype=int)
        self.axis_distance: np.ndarray | None = None  # km from each town to the nearest axis town
        t = model.theatre
        roads = params.objective_roads
        self.road_masks = {r: t.road_towns(r) for r in roads}
        self.road_sizes = {r: int(np.count_nonzero(mask)) for r, mask in self.road_masks.items()}
        on = sum((self.road_masks[r].astype(int) for r in roads), np.zeros(t.n, int))
        # Static value: towns on objective roads, more where two of them meet.
        self.value = 1.0 + sum((w * self.road_masks[r] for r, w in roads.items()), np.zeros(t.n))
        self.value += params.junction_bonus * (on >= 2)
        self.edge_weight = np.array([roads.get(r, 0.0) for r in t.edge_road])

    def step(self) -> None:
        self.force += self.p.regen
        if not self.offensive:
            return
        if ceasefire.regime_holds_back(self.model, self):
            return
        targets, weights = self.choose_objectives()
        budget = self.force * self.p.commit * self.intensity
        for town, w in zip(targets, weights, strict=True):
            self.model.attack(self.name, int(town), budget * w)

    def set_axis(self, towns: np.ndarray) -> None:
        """Aim the offensive at ``towns`` (none: no preferred direction)."""
        self.axis = towns
        xy = self.model.theatre.xy
        # Fixed while the axis holds, so measured once rather than every day.
        self.axis_distance = np.linalg.norm(xy[:, None, :] - xy[None, towns, :], axis=-1).min(axis=1) if towns.size else None

    def unmet_roads(self) -> float:
        """Weighted share of objective-road towns not held (patrolled roads count as partly open)."""
        m = self.model
        deal = ceasefire.in_force(m)
        total = weight = 0.0
        for road, w in self.p.objective_roads.items():
            unmet = int(np.count_nonzero(m.controller[self.road_masks[road]] != REGIME)) / self.road_sizes[road]
            if deal is not None:
                unmet *= 1.0 - deal.patrol_coverage.get(road, 0.0)
            total += w * unmet
            weight += w
        return total / weight if weight else 0.0

    def choose_objectives(self) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``axes`` enemy towns next to the front, by value, proximity, axis and posts, with the share of force for each.

        None when every candidate scores 0 (nothing within reach is worth an attack).
        """
        m = self.model
        p = self.p
        target, km, edge = m.front_pairs(REGIME)
        if target.size == 0:
            return target, np.zeros(0)
        # Candidates are the enemy towns at the far end of front roads; ``road_to``
        # maps each front road to its candidate, so per-candidate work stays the
        # size of the front, not of the theatre.
        cand = np.unique(target)
        road_to = np.searchsorted(cand, target)
        dist = np.full(cand.size, np.inf)
        np.minimum.at(dist, road_to, km)  # the nearest own town, by road
        opens = np.zeros(cand.size)
        np.maximum.at(opens, road_to, p.opens_road_bonus * self.edge_weight[edge])
        value = self.value[cand] + opens + p.retake_bonus * m.lost_by_regime[cand]
        score = value * decay(dist, p.proximity_km)
        if self.axis_distance is not None:
            # An offensive's axis sets where the force goes: far from it, nothing is worth attacking.
            score = score * decay(self.axis_distance[cand], p.axis_km)
        if m.turkey.escalation < p.escalation_threshold:
            # Spare towns with Turkish posts: go around them (encircle) instead.
            tp = m.turkey.p
            intact = m.posts[cand] * ~m.encircled[cand]
            score = score * np.exp(-tp.deterrence * intact - tp.encircled_deterrence * m.posts[cand] * m.encircled[cand])
        score = score * m.rng.lognormal(0.0, p.choice_noise, cand.size)
        best = np.argsort(-score, kind="stable")[: p.axes]
        total = score[best].sum()
        if not total > 0:
            return cand[:0], np.zeros(0)
        return cand[best], score[best] / total


class Turkey(FactionAgent):
    """Posts that deter, retaliation and escalation, the closed border.

    Every Turkish soldier killed is counted by :meth:`lose_soldiers`.
    """

    name = "turkey"

    def __init__(self, model: CeasefireModel, params: TurkeyParams) -> None:
        super().__init__(model)
        self.p = params
        self.escalation = 0.0
        self.floor = 0.0  # set by an intervention while it lasts
        self.deaths = 0
        self.deaths_by_cause: dict[str, int] = {}
        self._deaths_seen = 0
        self._encircled_seen = 0

    def step(self) -> None:
        self.escalate()
        if self.escalation > 0:
            self.strike_regime()
        self.come_under_fire()

    def escalate(self) -> None:
        """Escalation rises with soldiers killed and posts newly encircled, decays, and stays above an intervention's floor."""
        m, p = self.model, self.p
        encircled = int(np.count_nonzero(m.encircled))
        new_deaths = self.deaths - self._deaths_seen
        new_encircled = max(0, encircled - self._encircled_seen)
        self._deaths_seen, self._encircled_seen = self.deaths, encircled
        if p.may_escalate:
            urge = p.escalation_per_death * new_deaths + p.escalation_per_encirclement * new_encircled
            self.escalation = min(1.0, max(self.floor, self.escalation * (1 - p.escalation_decay) + urge))
        else:
            self.escalation = 0.0

    def strike_regime(self) -> None:
        """Drones and artillery grind down the regime's mobile force.

        What is already committed to today's assaults is counted by combat instead.
        """
        m = self.model
        committed = sum(force for faction, _, force in m.attacks if faction == "regime")
        uncommitted = max(0.0, m.regime.force - committed)
        loss = min(uncommitted, self.p.drone_strength * self.escalation * m.rng.lognormal(0, m.combat_params.noise))
        m.regime.force -= loss
        m.add_casualties("regime", loss)

    def come_under_fire(self) -> None:
        """Soldiers at posts in or next to assaulted towns, and in open fighting, are killed at a Poisson rate."""
        m, p = self.model, self.p
        exposed = m.posts[m.assaulted_and_adjacent()].sum()
        deaths = int(m.rng.poisson(p.exposure * exposed + p.combat_exposure * self.escalation))
        if deaths:
            self.lose_soldiers(deaths, "exposure")
            m.log_event("turkish_losses", None, "regime;turkey", f"{deaths} Turkish soldiers killed")

    def lose_soldiers(self, n: int, cause: str) -> None:
        """Count ``n`` Turkish soldiers killed by ``cause`` (exposure, a strike, an attack on a patrol)."""
        self.deaths += n
        self.deaths_by_cause[cause] = self.deaths_by_cause.get(cause, 0) + n
        self.model.add_casualties("turkey", n, fighters=False)


class ArmedGroup(FactionAgent):
    """An opposition group: town garrisons and a mobile reserve that reinforces them."""

    code: int

    def __init__(self, model: CeasefireModel, params: HTSParams | RebelParams) -> None:
        super().__init__(model)
        self.p = params
        self.force = params.reserve  # the mobile reserve

    def defend(self) -> None:
        """Recruit into the reserve, then send part of it to own towns under assault."""
        m = self.model
        self.force += self.p.regen
        towns = np.array([t for _, t, _ in m.attacks if m.controller[t] == self.code], dtype=int)
        if towns.size and self.force > 0:
            sent = self.force * self.p.reinforce
            np.add.at(m.garrison, towns, sent / towns.size)
            self.force -= sent


class HTS(ArmedGroup):
    """Defends its towns; spoils deals it rejects: raids, sit-ins, blocked and attacked patrols."""

    name = "hts"
    code = HTS_CODE

    def step(self) -> None:
        m = self.model
        self.defend()
        deal = ceasefire.in_force(m)
        if deal is None:
            return
        reject = deal.rejection(self.name)
        if m.rng.random() < self.p.spoiler_rate * reject:
            self.raid()
        for road in m.patrol_roads:
            if m.rng.random() < self.p.protest_rate * reject:
                self.sit_in(road)

    def raid(self) -> None:
        """Attack a regime position next to HTS ground: a violation and a pretext."""
        m = self.model
        ours = m.front_pairs(HTS_CODE)[0]
        if ours.size == 0:
            return
        town = int(m.rng.choice(np.unique(ours)))
        c = m.combat_params
        loss = min(m.garrison[town], self.p.raid_strength * c.lethality * m.rng.lognormal(0, c.noise))
        m.garrison[town] -= loss
        m.add_casualties("regime", loss)
        ceasefire.record_violation(m, self.name, town, "raid on government positions")

    def sit_in(self, road: str) -> None:
        """Protesters occupy the patrol road at an opposition-held town on it."""
        m = self.model
        on_road = np.flatnonzero(m.theatre.road_towns(road) & (m.controller != REGIME))
        if on_road.size == 0:
            return
        town = int(m.rng.choice(on_road))
        m.sit_in_until[town] = m.day + self.p.protest_days
        m.log_event("sit_in", town, self.name, f"sit-in blocks the {road}")

    def blocks_patrol(self, town: int) -> bool:
        """Whether a patrol is stopped at ``town`` (sit-ins always stop it)."""
        m = self.model
        if m.sit_in_until[town] >= m.day:
            return True
        if m.controller[town] == REGIME:
            return False
        near_hts = m.controller[town] == HTS_CODE or bool((m.controller[m.neighbours(town)] == HTS_CODE).any())
        return near_hts and m.rng.random() < self.p.patrol_block

    def attack_patrol(self, passed: np.ndarray, participants: list[str], town: int) -> None:
        """Perhaps attack a patrol that went along ``passed`` and stopped at ``town``.

        Only where the patrol met ground the government does not hold, with
        chance ``patrol_attack`` x HTS's rejection of the deal. Each
        participating faction loses Poisson(``patrol_attack_casualties``) men;
        the attack is a violation of the deal.
        """
        m = self.model
        hostile = (m.controller[passed] != REGIME).any()
        if hostile and m.rng.random() < self.p.patrol_attack * m.deal.rejection(self.name):
            for faction in participants:
                hurt = int(m.rng.poisson(self.p.patrol_attack_casualties))
                if faction == "turkey":
                    m.turkey.lose_soldiers(hurt, "attack on a patrol")
                else:
                    m.add_casualties(faction, hurt, fighters=False)
            ceasefire.record_violation(m, self.name, town, "attack on the joint patrol")


class Rebels(ArmedGroup):
    """Turkish-backed rebels: defend, and counter-attack once Turkey fights alongside."""

    name = "rebels"
    code = REBELS

    def step(self) -> None:
        m = self.model
        self.defend()
        deal = ceasefire.in_force(m)
        if deal is not None and m.rng.random() < deal.compliance.get(self.name, 0.0):
            return
        if m.turkey.escalation >= self.p.counter_threshold and self.force > 0:
            self.counter_attack()

    def counter_attack(self) -> None:
        """Retake the most valuable, most weakly held town lost to the regime, next to rebel ground."""
        m = self.model
        target = m.front_pairs(REBELS)[0]
        lost = (m.controller[target] == REGIME) & (m.initial_controller[target] != REGIME)
        target = np.unique(target[lost & ~m.military_police[target]])
        if target.size == 0:
            return
        score = m.regime.value[target] / (1.0 + m.garrison[target])
        town = int(target[np.argmax(score)])
        m.attack(self.name, town, self.force * self.p.counter_commit)
