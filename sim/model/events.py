"""Scenario events as objects the model owns, each firing on its date in every replicate at once.

Mesa keeps only weak references to scheduled callbacks, so every event is an object held in ``model.scheduled`` and
schedules its own bound methods. Events change decisions and circumstances (who fights where with what, who is bound
by a truce, where posts stand, who is reinforced), never who holds a town.

Each class handles one branch of the schema's event union (:data:`sim.io.schema.Event`) and says which in
``handles``; a test checks that every branch has its class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from mesa.time import Priority, Schedule

from ..io import schema
from ..names import HolderCode
from . import ceasefire, towns
from .ceasefire import Ceasefire
from .params import per_town
from .regime import ForceGroup, noise_salt
from .streams import Draw

if TYPE_CHECKING:
    from .model import CeasefireModel


class ScenarioEvent:
    """One dated event of a scenario: ``spec`` is what the scenario says, ``fire`` what happens."""

    handles: ClassVar[type[schema.EventSpec] | None] = None
    by_spec: ClassVar[dict[type[schema.EventSpec], type[ScenarioEvent]]] = {}
    priority: ClassVar[Priority] = Priority.DEFAULT  # among the events of one night: see TruceEvent

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("handles") is not None:
            ScenarioEvent.by_spec[cls.handles] = cls

    def __init__(self, model: CeasefireModel, spec: schema.EventSpec) -> None:
        self.model, self.spec = model, spec

    def schedule(self) -> None:
        self.at(self.model.time_of(self.spec.date), self.fire)

    def at(self, time: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` at model ``time``. Mesa's clock starts at 0, after the night before the start date (-0.5): what is
        dated on the start date runs at 0, before the first step all the same, and counts as the start date."""
        self.model.schedule_event(fn, at=max(0.0, time), priority=self.priority)

    def town(self, name: str) -> int:
        return self.model.theatre.town(name)

    def fire(self) -> None:  # pragma: no cover - every kind overrides
        raise NotImplementedError


class OffensiveEvent(ScenarioEvent):
    """A force group is sent onto a reported axis (formed, or given a new one), or stands down into the pool;
    or an opposition faction's counter-offensive opens or ends."""

    handles = schema.OffensiveSpec
    spec: schema.OffensiveSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        if e.faction != "regime":
            m.factions[e.faction].axis = np.array([self.town(t) for t in e.axis], dtype=np.int64) if e.action == "start" else None
            m.log_all(f"offensive_{e.action}", None, e.faction, " > ".join(e.axis))
            return
        regime = m.regime
        group = regime.groups.get(e.group)
        if e.action == "stop":
            if group is not None and group.active:
                regime.pool = regime.pool + group.force
                group.force = np.zeros(m.replicates)
                group.active, group.committed = False, None  # nothing of its own left to commit
            m.log_all("offensive_stop", None, e.faction, e.group)
            return
        axis = np.array([self.town(t) for t in e.axis], dtype=np.int64)
        if group is None:
            salt = noise_salt(e.group, {g.salt for g in regime.groups.values()})
            group = regime.groups[e.group] = ForceGroup(e.group, np.zeros(m.replicates), axis, salt=salt)
        group.axis, group.frontage, group.intensity, group.active = axis, e.frontage, e.intensity, True
        regime.deploy(group)
        if e.force is not None:
            moved = np.minimum(regime.pool, e.force)
            regime.pool = regime.pool - moved
            group.force = group.force + moved
        group.send_on()  # a push spent before is sent on again, with what it has now
        m.log_all("offensive_start", None, e.faction, f"{e.group}: " + " > ".join(e.axis))


class TruceEvent(ScenarioEvent):
    """A deal announced: it binds from its ``effective`` date (:mod:`sim.model.ceasefire`).

    It is announced before any other event of its night, so that a strike or a patrol dated the same day sees it,
    wherever the scenario lists it (Mesa runs the events of one time in the order they were scheduled).
    """

    handles = schema.TruceSpec
    spec: schema.TruceSpec
    priority = Priority.HIGH

    def corridor(self) -> np.ndarray | None:
        """Mask of the towns in the deal's security corridor (a truce has none)."""
        return None

    def fire(self) -> None:
        e = self.spec
        ceasefire.announce(self.model, Ceasefire(
            name=e.name, kind=e.type, announced=e.date, effective=e.effective, until=e.until,
            parties=tuple(e.parties), compliance=dict(e.compliance), restraint=e.restraint,
            replicates=self.model.replicates, corridor=self.corridor(),
        ))


class AgreementEvent(TruceEvent):
    handles = schema.AgreementSpec
    spec: schema.AgreementSpec

    def corridor(self) -> np.ndarray | None:
        c = self.spec.corridor
        return None if c is None else self.model.theatre.near_road(c.road, c.width_km)


class JointPatrolEvent(ScenarioEvent):
    """Announces a patrol plan, then runs a patrol every ``every_days``.

    A patrol drives the route town by town until HTS stops it on the way into a town (sit-ins always stop it; elsewhere
    near HTS ground it is stopped by chance, less often where the road has been made secure). Every town it drives
    through becomes safer for the next one (``turkey.patrol_security``), and the share of the route covered eases the
    regime's pressure under the deal.
    """

    handles = schema.JointPatrolSpec
    spec: schema.JointPatrolSpec
    running = False  # announced, and not yet over
    draw_k = 0  # its own random numbers (k of sim.model.streams): see number_patrol_plans()

    def __init__(self, model: CeasefireModel, spec: schema.JointPatrolSpec) -> None:
        super().__init__(model, spec)
        a, b = (self.town(t) for t in spec.route)
        route, self.km = model.theatre.road_path(a, b, spec.road)
        self.route = np.asarray(route, dtype=np.int64)

    def schedule(self) -> None:
        m, e = self.model, self.spec
        self.at(m.time_of(e.announced or e.date), self.announce)
        first, end = m.time_of(e.date), m.time_of(min(e.until or m.spec.end, m.spec.end))
        if first < 0:  # dated on the start date: the first patrol runs at 0, the next the night before its day, as any other's
            self.at(first, self.run)
            first += e.every_days
        if first <= end:
            m.schedule_recurring(self.run, Schedule(interval=e.every_days, start=first, end=end))
        if e.until is not None and e.until < m.spec.end:
            self.at(m.time_of(e.until) + 1.0, self.end)

    def announce(self) -> None:
        self.running = True
        self.model.patrol_roads.add(self.spec.road)

    def end(self) -> None:
        """The plan is over (the day after ``until``): unless another plan still patrols its road, the road is no
        longer a sit-in's aim, nor partly open to the regime by the last patrol's coverage."""
        m, road = self.model, self.spec.road
        self.running = False
        if not any(isinstance(p, JointPatrolEvent) and p.running and p.spec.road == road for p in m.scheduled):
            m.patrol_roads.discard(road)
            m.patrol_coverage.pop(road, None)

    def run(self) -> None:
        """One patrol in every replicate with a deal in force: as far as HTS lets it, then perhaps an ambush."""
        m, e = self.model, self.spec
        actors = ";".join(e.participants)
        # It fires the night before its day, before the day's step settles the deal's dates: settle them now, or a
        # patrol on a deal's first day finds it not yet in force, and one the day after its last finds it still in force.
        ceasefire.begin_day(m)
        going = m.deal.in_force if m.deal is not None else np.zeros(m.replicates, bool)
        m.log_each("patrol_suspended", ~going, None, actors, lambda r: "no ceasefire in force")
        if not going.any():
            return
        blocked = m.hts.blocks_patrol(self.route[1:], self.draw_k)
        stopped = blocked.any(axis=1)
        at = np.where(stopped, blocked.argmax(axis=1) + 1, len(self.route) - 1)  # the town where HTS stops it, or the end
        reached = np.where(stopped, at - 1, at)  # the last town it drove through
        # A stopped patrol has driven part of the stretch into the town where it was stopped: half of it, for want of
        # knowing where. The record counts those kilometres (a patrol turned back short of Nayrab went a few km).
        driven = np.where(stopped, (self.km[reached] + self.km[at]) / 2, self.km[at])
        coverage = np.where(going, driven / self.km[-1], np.nan)
        m.patrol_coverage[e.road] = np.where(going, coverage, m.patrol_coverage.get(e.road, np.zeros(m.replicates)))
        m.patrolled_today[e.road] = m.patrolled_today.get(e.road, np.zeros(m.replicates, bool)) | going
        passed = going[:, None] & (np.arange(len(self.route))[None, :] <= reached[:, None])
        secure = m.security[:, self.route]
        m.security[:, self.route] = np.where(passed, secure + per_town(m.turkey.p.patrol_security) * (1.0 - secure), secure)
        m.record_patrol(going, e.road, coverage, self.route[at], stopped, float(self.km[-1]), actors)
        ceasefire.relieve(m, going, coverage)
        near = np.arange(len(self.route))[None, :] <= reached[:, None] + 1
        hostile = (near & (m.controller[:, self.route] != HolderCode.REGIME)).any(axis=1)
        chance = m.hts.p.patrol_attack * (m.deal.rejection("hts") if m.deal is not None else 0.0)
        ambush = going & hostile & (m.draws.uniform(m.day, Draw.PATROL_ATTACK, self.draw_k) < chance)
        if ambush.any():
            m.hts.attack_patrol(ambush, list(e.participants), self.route[reached], self.draw_k)


class ObservationPostEvent(ScenarioEvent):
    handles = schema.ObservationPostSpec
    spec: schema.ObservationPostSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        k = m.theatre.post_index(e.post)
        m.post_standing[:, k] = e.action == "establish"
        # Set up where the government already holds every town around it, a post is cut off from its first day; the
        # regime did not encircle it, so Turkey does not count it as news.
        cut_off = towns.posts_encircled(m.theatre, m.controller, m.post_standing)[:, k]
        m.encircled[:, k] = cut_off
        m.turkey.note_encircled(k, cut_off)
        m.survey_posts()
        post = m.theatre.posts[k]
        m.log_all(f"post_{e.action}", post.towns[0], "turkey", post.name)


class LastingEvent(ScenarioEvent):
    """An event whose effect ends after its ``until`` date (if that falls inside the run).

    Several of a kind may overlap. What is in force is always what those of
    the kind still in force imply together (:meth:`hold`), so the first to end
    lifts only itself, never another that is still in force.
    """

    spec: schema.InterventionSpec | schema.AirPolicySpec
    in_force = False

    def schedule(self) -> None:
        super().schedule()
        if self.spec.until is not None and self.spec.until < self.model.spec.end:
            self.at(self.model.time_of(self.spec.until) + 1.0, self.end)

    def fire(self) -> None:
        self.in_force = True
        self.hold()

    def end(self) -> None:
        self.in_force = False
        self.hold()

    def kind_in_force(self) -> list[LastingEvent]:
        """The events of this one's kind in force now, this one too if it is."""
        return [e for e in self.model.scheduled if type(e) is type(self) and e.in_force]

    def hold(self) -> None:  # pragma: no cover - every kind overrides
        raise NotImplementedError


class InterventionEvent(LastingEvent):
    """Turkey's escalation held at least at the highest intensity of the interventions in force (none: not held up)."""

    handles = schema.InterventionSpec
    spec: schema.InterventionSpec

    def fire(self) -> None:
        super().fire()
        self.model.log_all("intervention", None, self.spec.faction, self.spec.name)

    def end(self) -> None:
        super().end()
        self.model.log_all("intervention_end", None, self.spec.faction, self.spec.name)

    def hold(self) -> None:
        floor = 0.0  # an intensity may differ per replicate (a sweep's points stepped together): then so does the floor
        for e in self.kind_in_force():
            floor = np.maximum(floor, e.spec.intensity)
        self.model.turkey.floor = floor if self.model.turkey.p.may_escalate else 0.0
        self.model.turkey.intervening = bool(self.kind_in_force())  # at intensity 0 too: a declared campaign all the same


class AirPolicyEvent(LastingEvent):
    """Russia's air effort held at most at the lowest ceiling of the air policies in force (none: not capped)."""

    handles = schema.AirPolicySpec
    spec: schema.AirPolicySpec

    def fire(self) -> None:
        super().fire()
        self.model.log_all("air_policy", None, "russia", f"air effort held at most at {self.spec.ceiling:g}")

    def end(self) -> None:
        super().end()
        ceiling = self.model.russia.ceiling
        self.model.log_all("air_policy_end", None, "russia", "air effort no longer capped" if ceiling == 1.0 else
                           f"this policy ends; another in force holds air effort at most at {ceiling:g}")

    def hold(self) -> None:
        self.model.russia.ceiling = min((e.spec.ceiling for e in self.kind_in_force()), default=1.0)


class ReinforcementEvent(ScenarioEvent):
    """Strength for a regime force group (or its pool), an opposition reserve, or Turkish troops (thousands).

    Strength for a group stood down, or where its push is spent, goes to the pool, as the group's own did: in the
    group it would never fight, and no other group could be given it.
    """

    handles = schema.ReinforcementSpec
    spec: schema.ReinforcementSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        to = f" to {e.group}" if e.group else ""
        if e.faction == "turkey":
            m.turkey.troops += e.strength
        elif e.faction == "regime":
            group = m.regime.groups.get(e.group) if e.group else None
            if group is not None and group.active:
                group.force = group.force + np.where(group.spent, 0.0, e.strength)
                m.regime.pool = m.regime.pool + np.where(group.spent, e.strength, 0.0)
            else:
                m.regime.pool = m.regime.pool + e.strength
                to = f" to the pool ({e.group} stood down)" if e.group else to
        else:
            m.factions[e.faction].force = m.factions[e.faction].force + e.strength
        m.log_all("reinforcement", self.town(e.town) if e.town else None, e.faction, f"+{e.strength:g}{to}")


class StrikeEvent(ScenarioEvent):
    handles = schema.StrikeSpec
    spec: schema.StrikeSpec

    def fire(self) -> None:
        """The reported strike, in the replicates where no deal in force binds the striker: one it keeps rules it out."""
        m, e = self.model, self.spec
        # It fires the night before its day, as a patrol does (JointPatrolEvent.run): settle the deal's dates first, or
        # a strike on a deal's first day finds it not yet in force, and one the day after its last finds it in force.
        ceasefire.begin_day(m)
        kept = ceasefire.binding(m, e.by)
        for faction, killed in e.casualties.items():
            dead = np.where(kept, 0, killed)
            if faction == "turkey":
                m.turkey.lose_soldiers(dead, "strike")
                continue
            if faction != "russia":  # the dead came out of a force: its mobile part (Russia has no ground force here)
                points = dead / m.combat_params.fighters_per_point
                taken = getattr(m, faction).lose(points, casualties=False, **({"spare_committed": False} if faction == "regime" else {}))
                # booked as reported, but no more than the force held (1,000,000 government dead were booked from 52,800)
                dead = np.where(taken < points, taken * m.combat_params.fighters_per_point, dead)
            m.add_casualties(faction, dead.astype(float), fighters=False)
        lost = ", ".join(f"{k} {v}" for k, v in e.casualties.items())
        if not kept.any():
            m.log_all("strike", self.town(e.town), e.by, f"killed: {lost}")
            return
        m.log_each("strike", ~kept, self.town(e.town), e.by, lambda r: f"killed: {lost}")
        m.log_each("strike_withheld", kept, self.town(e.town), e.by, lambda r: f"not carried out: {m.deal.name} in force")


class MilitaryPoliceEvent(ScenarioEvent):
    handles = schema.MilitaryPoliceSpec
    spec: schema.MilitaryPoliceSpec

    def fire(self) -> None:
        m = self.model
        town = self.town(self.spec.town)
        held = m.controller[:, town] == HolderCode.REGIME
        m.military_police[held, town] = True
        m.log_each("military_police", held, town, "russia", lambda r: "Russian military police deployed")
        m.log_each("military_police_not_deployed", ~held, town, "russia", lambda r: "town not held by the government")


class SitInEvent(ScenarioEvent):
    handles = schema.SitInSpec
    spec: schema.SitInSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        town = self.town(e.town)
        theirs = m.controller[:, town] != HolderCode.REGIME
        last_day = (e.until - m.start).days - 1
        m.sit_in_until[theirs, town] = np.maximum(m.sit_in_until[theirs, town], last_day)
        m.log_each("sit_in", theirs, town, "hts", lambda r: f"a protest camp blocks the road until {e.until}")
        m.log_each("sit_in_not_held", ~theirs, town, "hts", lambda r: "town held by the government: no protest camp")


def build_events(model: CeasefireModel, specs: list[schema.EventSpec]) -> list[ScenarioEvent]:
    """One event object per scenario event, in the scenario's order."""
    return [ScenarioEvent.by_spec[type(spec)](model, spec) for spec in specs]


def number_patrol_plans(events: list[ScenarioEvent]) -> dict[str, int]:
    """Give each patrol plan its own random numbers, its ``draw_k``: its place among the scenario's plans, the first 0
    (what one plan always drew). Return each patrolled road's ``k`` for its sit-ins: its place as the plans name it."""
    plans = [event for event in events if isinstance(event, JointPatrolEvent)]
    if len(plans) > 256:  # a stream's k has 8 bits (sim.model.streams)
        raise ValueError(f"a scenario has room for 256 joint patrol plans (this one has {len(plans)})")
    for k, plan in enumerate(plans):
        plan.draw_k = k
    return {road: k for k, road in enumerate(dict.fromkeys(plan.spec.road for plan in plans))}
