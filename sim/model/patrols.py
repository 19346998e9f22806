"""Joint patrols: the plan's events (announced, then a patrol every ``every_days``), the protest camps that stop them,
each plan's own random numbers, the patrols' log, and the corridor's policing that makes their road safer. The other
scenario events are in :mod:`sim.model.events`, which imports this module so that every kind is registered wherever
events are built."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.time import Priority, Schedule

from ..io import schema
from ..names import HolderCode
from . import ceasefire, count_nonzero
from .params import per_town
from .scenario_event import ScenarioEvent
from .streams import Draw

if TYPE_CHECKING:
    from .model import CeasefireModel


class JointPatrolEvent(ScenarioEvent):
    """Announces a patrol plan, then runs a patrol every ``every_days``.

    A patrol sets out from its route's first town, if the government holds it, and drives the route town by town until
    HTS stops it on the way into a town (sit-ins always stop it; elsewhere near HTS ground it is stopped by chance, less
    often where the road has been made secure). Every town it drives
    through becomes safer for the next one (``turkey.patrol_security``, where Turkey is among its participants), and the
    share of the route covered eases the regime's pressure under the deal.
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
            self.at(m.time_of(e.until) + 1.0, self.end, Priority.LOW)  # after the night's plans announced: see end()

    def announce(self) -> None:
        self.running = True
        self.model.patrol_roads.add(self.spec.road)

    def end(self) -> None:
        """The plan is over (the day after ``until``): unless another plan still patrols its road, the road is no
        longer a sit-in's aim, nor partly open to the regime by the last patrol's coverage.

        It comes after the night's other events (LOW): a plan announced on that road the same night patrols it that
        day, wherever the scenario lists the two."""
        m, road = self.model, self.spec.road
        self.running = False
        if not any(isinstance(p, JointPatrolEvent) and p.running and p.spec.road == road for p in m.scheduled):
            m.patrol_roads.discard(road)
            m.patrol_coverage.pop(road, None)

    def run(self) -> None:
        """One patrol in every replicate with a deal in force and its start the government's: as far as HTS lets it,
        then perhaps an ambush."""
        m, e = self.model, self.spec
        actors = ";".join(e.participants)
        # It fires the night before its day, before the day's step settles the deal's dates: settle them now, or a
        # patrol on a deal's first day finds it not yet in force, and one the day after its last finds it still in force.
        ceasefire.begin_day(m)
        going = m.deal.in_force if m.deal is not None else np.zeros(m.replicates, bool)
        m.log_each("patrol_suspended", ~going, None, actors, lambda r: "no ceasefire in force")
        # It sets out from the government's ground into the opposition's (the Moscow patrols from Tronba, by Saraqib,
        # where Russian military police stood): where the government has lost its start, it does not set out at all.
        start = int(self.route[0])
        lost = going & (m.controller[:, start] != HolderCode.REGIME)
        m.log_each("patrol_suspended", lost, start, actors,
                   lambda r: f"its start, {m.theatre.towns[start]}, is not the government's: it does not set out")
        going = going & ~lost
        m.patrol_suspended_today |= ~going  # the reported coverage is blank where none set out (CeasefireModel._record)
        if not going.any():
            self.open_road(going, np.full(m.replicates, np.nan))
            return
        blocked = m.hts.blocks_patrol(self.route[1:], self.draw_k)
        stopped = blocked.any(axis=1)
        at = np.where(stopped, blocked.argmax(axis=1) + 1, len(self.route) - 1)  # the town where HTS stops it, or the end
        reached = np.where(stopped, at - 1, at)  # the last town it drove through
        # A stopped patrol has driven part of the stretch into the town where it was stopped: half of it, for want of
        # knowing where. The record counts those kilometres (a patrol turned back short of Nayrab went a few km).
        driven = np.where(stopped, (self.km[reached] + self.km[at]) / 2, self.km[at])
        coverage = np.where(going, driven / self.km[-1], np.nan)
        self.open_road(going, coverage)
        if m.turkey.name in e.participants:
            # The road's safety is Turkey's part: the opposition let through what Turkish troops rode in. A patrol
            # without them (Russia's military police alone) makes it no safer, and no one else's parameter stands in.
            passed = going[:, None] & (np.arange(len(self.route))[None, :] <= reached[:, None])
            secure = m.security[:, self.route]
            m.security[:, self.route] = np.where(passed, secure + per_town(m.turkey.p.patrol_security) * (1.0 - secure), secure)
        record_patrols(m, going, e.road, coverage, self.route[at], stopped, float(self.km[-1]), actors)
        ceasefire.relieve(m, going, coverage)
        near = np.arange(len(self.route))[None, :] <= reached[:, None] + 1
        hostile = (near & (m.controller[:, self.route] != HolderCode.REGIME)).any(axis=1)
        chance = m.hts.p.patrol_attack * (m.deal.rejection("hts") if m.deal is not None else 0.0)
        ambush = going & hostile & m.hts.holds_ground() & (m.draws.uniform(m.day, Draw.PATROL_ATTACK, self.draw_k) < chance)
        if ambush.any():
            m.hts.attack_patrol(ambush, list(e.participants), self.route[reached], self.draw_k)

    def open_road(self, going: np.ndarray, coverage: np.ndarray) -> None:
        """The road counts as open to the government as far as tonight's patrol got (``coverage``, where it set out:
        ``going``), and not at all where it did not set out: the last patrol that did, before the deal ended or the
        start was lost, opens it no longer.

        Another plan's patrol may have driven this road tonight: then it is open as far as the farther of the two got,
        whichever the scenario lists first (the later one's coverage alone made the file's order decide)."""
        m, road = self.model, self.spec.road
        tonight = m.patrolled_today.get(road, np.zeros(m.replicates, bool))
        opened = np.nan_to_num(coverage)
        m.patrol_coverage[road] = np.where(tonight, np.maximum(m.patrol_coverage.get(road, 0.0), opened), opened)
        if count_nonzero(going):
            m.patrolled_today[road] = tonight | going


class SitInEvent(ScenarioEvent):
    """A protest camp pitched on its night, before the patrols of that night (:attr:`priority`): the first patrol of a
    plan dated the same day is stopped by it, as the next ones are, wherever the scenario lists the two."""

    handles = schema.SitInSpec
    spec: schema.SitInSpec
    priority = Priority.HIGH

    def fire(self) -> None:
        m, e = self.model, self.spec
        town = self.town(e.town)
        theirs = m.controller[:, town] != HolderCode.REGIME
        pitched = theirs & m.hts.holds_ground()
        last_day = (e.until - m.start).days - 1
        m.sit_in_until[pitched, town] = np.maximum(m.sit_in_until[pitched, town], last_day)
        m.log_each("sit_in", pitched, town, "hts", lambda r: f"a protest camp blocks the road until {e.until}")
        m.log_each("sit_in_not_held", ~theirs, town, "hts", lambda r: "town held by the government: no protest camp")
        m.log_each("sit_in_not_held", theirs & ~pitched, town, "hts", lambda r: "HTS holds no town: no protest camp")


def record_patrols(m: CeasefireModel, which: np.ndarray, road: str, coverage: np.ndarray, end: np.ndarray,
                   stopped: np.ndarray, km: float, actors: str) -> None:
    """Log the patrols in ``which``: how far each got, and ``end``, the town where it was stopped or its route's end."""
    for r in which.nonzero()[0].tolist():
        town = m.theatre.towns[end[r]]
        m.patrol_rows.append((r, m.day, road, round(float(coverage[r]), 4), town))
        if stopped[r]:
            m.journal.append((r, m.day, "patrol", town, actors, f"covered {coverage[r]:.0%} of {km:.0f} km, stopped at {town}"))
        else:
            m.journal.append((r, m.day, "patrol_completed", town, actors, f"covered the whole {km:.0f} km, to {town}"))


def police_corridor(m: CeasefireModel) -> None:
    """Inside the security corridor of a deal in force that Turkey is party to, Turkish troops make the patrol road
    safer day by day where the government does not hold it (they stood in the opposition's ground, not in Saraqib or
    Latakia). Turkey polices only what it signed: a deal it is no party to has no Turkish troops in its corridor."""
    cf = m.deal
    if cf is None or cf.corridor is None or m.turkey.name not in cf.parties:
        return
    grow = cf.in_force[:, None] & cf.corridor[None, :] & (m.controller != HolderCode.REGIME)
    m.security = np.where(grow, m.security + per_town(m.turkey.p.corridor_policing) * (1.0 - m.security), m.security)


def number_patrol_plans(events: list[ScenarioEvent]) -> dict[str, int]:
    """Give each patrol plan its own random numbers, its ``draw_k``: its place among the scenario's plans, the first 0
    (what one plan always drew). Return each patrolled road's ``k`` for its sit-ins: its place as the plans name it."""
    plans = [event for event in events if isinstance(event, JointPatrolEvent)]
    if len(plans) > 256:  # a stream's k has 8 bits (sim.model.streams)
        raise ValueError(f"a scenario has room for 256 joint patrol plans (this one has {len(plans)})")
    for k, plan in enumerate(plans):
        plan.draw_k = k
    return {road: k for k, road in enumerate(dict.fromkeys(plan.spec.road for plan in plans))}
