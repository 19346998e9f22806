"""Scenario events as objects the model owns, each firing on its date.

Mesa keeps only weak references to scheduled callbacks, so every event is
an object held in ``model.scheduled`` and schedules its own bound methods.
Events change decisions and circumstances (who is bound by a truce, where
posts stand, who is reinforced), never who holds a town.

Each class handles one branch of the schema's event union
(:data:`sim.io.schema.Event`) and says which in ``handles``; a test checks
that every branch has its class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from mesa.time import Schedule

from ..io import schema
from ..names import HolderCode
from . import ceasefire
from .ceasefire import Ceasefire

if TYPE_CHECKING:
    from .model import CeasefireModel


class ScenarioEvent:
    """One dated event of a scenario: ``spec`` is what the scenario says, ``fire`` what happens."""

    handles: ClassVar[type[schema.EventSpec] | None] = None
    by_spec: ClassVar[dict[type[schema.EventSpec], type[ScenarioEvent]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("handles") is not None:
            ScenarioEvent.by_spec[cls.handles] = cls

    def __init__(self, model: CeasefireModel, spec: schema.EventSpec) -> None:
        self.model = model
        self.spec = spec

    def schedule(self) -> None:
        self.model.schedule_event(self.fire, at=self.model.time_of(self.spec.date))

    def town(self, name: str) -> int:
        return self.model.theatre.town(name)

    def fire(self) -> None:  # pragma: no cover - every kind overrides
        raise NotImplementedError


class OffensiveEvent(ScenarioEvent):
    handles = schema.OffensiveSpec
    spec: schema.OffensiveSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        m.regime.offensive = e.action == "start"
        if e.action == "start":
            m.regime.set_axis(np.array([self.town(t) for t in e.axis], dtype=int))
            m.regime.intensity = e.intensity
        m.log_event(f"offensive_{e.action}", None, e.faction, ", ".join(e.axis))


class TruceEvent(ScenarioEvent):
    handles = schema.TruceSpec
    spec: schema.TruceSpec

    def corridor(self) -> np.ndarray | None:
        """Mask of the towns in the deal's security corridor (a truce has none)."""
        return None

    def fire(self) -> None:
        e = self.spec
        ceasefire.announce(self.model, Ceasefire(
            name=e.name, kind=e.type, announced=e.date, effective=e.effective, until=e.until,
            parties=tuple(e.parties), compliance=dict(e.compliance), restraint=e.restraint,
            corridor=self.corridor(),
        ))


class AgreementEvent(TruceEvent):
    handles = schema.AgreementSpec
    spec: schema.AgreementSpec

    def corridor(self) -> np.ndarray | None:
        c = self.spec.corridor
        return None if c is None else self.model.theatre.near_road(c.road, c.width_km)


class JointPatrolEvent(ScenarioEvent):
    """Announces a patrol plan, then runs a patrol every ``every_days``."""

    handles = schema.JointPatrolSpec
    spec: schema.JointPatrolSpec

    def __init__(self, model: CeasefireModel, spec: schema.JointPatrolSpec) -> None:
        super().__init__(model, spec)
        a, b = (self.town(t) for t in spec.route)
        self.route, self.km = model.theatre.road_path(a, b, spec.road)

    def schedule(self) -> None:
        m, e = self.model, self.spec
        m.schedule_event(self.announce, at=m.time_of(e.announced or e.date))
        end = m.time_of(min(e.until or m.spec.end, m.spec.end))
        m.schedule_recurring(self.run, Schedule(interval=e.every_days, start=m.time_of(e.date), end=end))

    def announce(self) -> None:
        self.model.patrol_roads.setdefault(self.spec.road)

    def run(self) -> None:
        """One patrol: as far along the route as HTS lets it, then perhaps an attack on it."""
        m, e = self.model, self.spec
        if ceasefire.in_force(m) is None:
            m.log_event("patrol_suspended", None, ";".join(e.participants), "no ceasefire in force")
            return
        reached, blocked = 0, None
        for k, town in enumerate(self.route[1:], start=1):
            if m.hts.blocks_patrol(town):
                blocked = town
                break
            reached = k
        coverage = float(self.km[reached] / self.km[-1])
        ceasefire.record_patrol(m, e.road, coverage)
        end = m.theatre.towns[self.route[reached]]
        m.patrol_log.append({"date": m.date.isoformat(), "road": e.road, "coverage": round(coverage, 4), "reached": end})
        detail = f"covered {coverage:.0%} of {self.km[-1]:.0f} km, reached {end}"
        if blocked is not None:
            detail += f", stopped at {m.theatre.towns[blocked]}"
        m.log_event("patrol", self.route[reached], ";".join(e.participants), detail)
        m.hts.attack_patrol(np.asarray(self.route[: reached + 2]), e.participants, self.route[reached])


class ObservationPostEvent(ScenarioEvent):
    handles = schema.ObservationPostSpec
    spec: schema.ObservationPostSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        post = next(p for p in m.theatre.posts if p.id == e.post)
        m.posts[post.towns[0]] = max(0.0, m.posts[post.towns[0]] + (1 if e.action == "establish" else -1))
        m.log_event(f"post_{e.action}", post.towns[0], "turkey", post.name)


class LastingEvent(ScenarioEvent):
    """An event whose effect ends after its ``until`` date (if that falls inside the run)."""

    spec: schema.InterventionSpec | schema.AirPolicySpec

    def schedule(self) -> None:
        super().schedule()
        if self.spec.until is not None and self.spec.until < self.model.spec.end:
            self.model.schedule_event(self.end, at=self.model.time_of(self.spec.until) + 1.0)

    def end(self) -> None:  # pragma: no cover - every kind overrides
        raise NotImplementedError


class InterventionEvent(LastingEvent):
    handles = schema.InterventionSpec
    spec: schema.InterventionSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        if m.turkey.p.may_escalate:
            m.turkey.floor = e.intensity
        m.log_event("intervention", None, e.faction, e.name)

    def end(self) -> None:
        self.model.turkey.floor = 0.0
        self.model.log_event("intervention_end", None, self.spec.faction, self.spec.name)


class AirPolicyEvent(LastingEvent):
    handles = schema.AirPolicySpec
    spec: schema.AirPolicySpec

    def fire(self) -> None:
        self.model.russia.ceiling = self.spec.ceiling
        self.model.log_event("air_policy", None, "russia", f"air effort held at most at {self.spec.ceiling:g}")

    def end(self) -> None:
        self.model.russia.ceiling = 1.0
        self.model.log_event("air_policy_end", None, "russia", "air effort no longer capped")


class ReinforcementEvent(ScenarioEvent):
    handles = schema.ReinforcementSpec
    spec: schema.ReinforcementSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        if e.faction == "turkey":
            m.posts[self.town(e.town)] += e.strength
        else:
            m.factions[e.faction].force += e.strength
        m.log_event("reinforcement", self.town(e.town) if e.town else None, e.faction, f"+{e.strength:g}")


class StrikeEvent(ScenarioEvent):
    handles = schema.StrikeSpec
    spec: schema.StrikeSpec

    def fire(self) -> None:
        m, e = self.model, self.spec
        for faction, killed in e.casualties.items():
            if faction == "turkey":
                m.turkey.lose_soldiers(killed, "strike")
            else:
                m.add_casualties(faction, killed, fighters=False)
        lost = ", ".join(f"{k} {v}" for k, v in e.casualties.items())
        m.log_event("strike", self.town(e.town), f"{e.by}", f"killed: {lost}")


class MilitaryPoliceEvent(ScenarioEvent):
    handles = schema.MilitaryPoliceSpec
    spec: schema.MilitaryPoliceSpec

    def fire(self) -> None:
        m = self.model
        town = self.town(self.spec.town)
        if m.controller[town] == HolderCode.REGIME:
            m.military_police[town] = True
            m.log_event("military_police", town, "russia", "Russian military police deployed")
        else:
            m.log_event("military_police_not_deployed", town, "russia", "town not held by the government")


def build_events(model: CeasefireModel, specs: list[schema.EventSpec]) -> list[ScenarioEvent]:
    """One event object per scenario event, in the scenario's order."""
    return [ScenarioEvent.by_spec[type(spec)](model, spec) for spec in specs]
