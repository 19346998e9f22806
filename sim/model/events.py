"""Scenario events as objects the model owns, each firing on its date in every replicate at once.

Mesa keeps only weak references to scheduled callbacks, so every event is an object held in ``model.scheduled`` and
schedules its own bound methods. Events change decisions and circumstances (who fights where with what, who is bound
by a truce, where posts stand, who is reinforced), never who holds a town.

Each class handles one branch of the schema's event union (:data:`sim.io.schema.Event`) and says which in
``handles``; a test checks that every branch has its class. The joint patrols' classes (a patrol plan, a protest
camp) are in :mod:`sim.model.patrols`, and the base class, where every kind registers, in
:mod:`sim.model.scenario_event`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.time import Priority

from ..io import schema
from ..names import HolderCode
from . import ceasefire, encirclement, towns
from . import patrols  # noqa: F401 - imported for its kinds, which register in ScenarioEvent.by_spec
from .ceasefire import Ceasefire
from .force_group import ForceGroup, noise_salt
from .scenario_event import ScenarioEvent

if TYPE_CHECKING:
    from .model import CeasefireModel


class OffensiveEvent(ScenarioEvent):
    """A force group is sent onto a reported axis (formed, or given a new one), or stands down into the pool;
    or an opposition faction's counter-offensive opens or ends."""

    handles = schema.OffensiveSpec
    spec: schema.OffensiveSpec
    served = False  # whether it has taken its force from the pool: see asked_tonight

    @property
    def priority(self) -> Priority:  # type: ignore[override]  # the base's is a class attribute
        """A stop comes before the night's other orders (HIGH): the strength it returns to the pool is there for an
        order of that night to take, and a group stood down and sent on the same night ends in the field, wherever the
        scenario lists the two."""
        return Priority.HIGH if self.spec.action == "stop" else Priority.DEFAULT

    def fire(self) -> None:
        m, e = self.model, self.spec
        if e.faction != "regime":
            faction = m.factions[e.faction]
            # A stop has no axis of its own: it names the one it ends (its row's detail was empty), as the government's
            # names the group it stands down.
            ended = [] if faction.axis is None else [m.theatre.towns[t] for t in faction.axis.tolist()]
            faction.axis = np.array([self.town(t) for t in e.axis], dtype=np.int64) if e.action == "start" else None
            m.log_all(f"offensive_{e.action}", None, e.faction, " > ".join(e.axis if e.action == "start" else ended))
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
            # The night's orders share the pool in proportion to what each asks, wherever the scenario lists them: each
            # takes its part of what those served before it left, out of what it and those still to come ask between
            # them. With enough for all, each gets what it asks; alone, as much of it as the pool holds.
            asked = self.asked_tonight()
            part = np.divide(e.force, asked, out=np.zeros(m.replicates), where=asked > 0)
            moved = np.minimum(regime.pool * part, e.force)
            regime.pool = regime.pool - moved
            group.force = group.force + moved
            self.served = True
        group.send_on()  # a push spent before is sent on again, with what it has now
        m.log_all("offensive_start", None, e.faction, f"{e.group}: " + " > ".join(e.axis))

    def asked_tonight(self) -> float | np.ndarray:
        """What this order and the government's other orders of its night not yet served ask of the pool between them
        (per replicate where a batch's points differ in it)."""
        return sum(o.spec.force for o in self.model.scheduled if isinstance(o, OffensiveEvent) and not o.served
                   and o.spec.faction == "regime" and o.spec.action == "start" and o.spec.force is not None
                   and o.spec.date == self.spec.date)


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
        m.turkey.note_encircled(k, cut_off)  # before the post's state changes: a post cut off that Turkey has not seen is news
        m.encircled = m.encircled.copy()  # a new array, not changed in place: see Turkey.escalate
        m.encircled[:, k] = cut_off
        encirclement.survey_posts(m)
        post = m.theatre.posts[k]
        m.log_all(f"post_{e.action}", post.towns[0], "turkey", post.name)


class LastingEvent(ScenarioEvent):
    """An event whose effect ends after its ``until`` date (if that falls inside the run).

    Several of a kind may overlap. What is in force is always what those of
    the kind still in force imply together (:meth:`hold`), so the first to end
    lifts only itself, never another that is still in force. Its end comes
    after the night's other events (LOW), so that one beginning that night is
    in force when the end is logged, wherever the scenario lists the two.
    """

    spec: schema.InterventionSpec | schema.AirPolicySpec
    in_force = False

    def schedule(self) -> None:
        super().schedule()
        if self.spec.until is not None and self.spec.until < self.model.spec.end:
            self.at(self.model.time_of(self.spec.until) + 1.0, self.end, Priority.LOW)

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

    @property
    def priority(self) -> Priority:  # type: ignore[override]  # the base's is a class attribute
        """Strength for a named group arrives after the night's other events (LOW): it finds the group as an offensive
        event of that night leaves it (sent on again, or stood down). Any other arrives before them (HIGH): an
        offensive of that night can send it into the field, and a strike finds it there. Either way, wherever the
        scenario lists the two."""
        return Priority.LOW if self.spec.group else Priority.HIGH

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
    """A reported strike: its dead taken out of the forces it struck.

    It comes last in its night (LOW, and scheduled after the events of that priority: :attr:`ScenarioEvent.last`), so it
    falls on the army as the night's orders and arrivals leave it, wherever the scenario lists them: a group formed or
    sent on that night with a ``force``, and strength that came that night for a group or for the pool, lose their share
    of the dead as the rest of the army does (:meth:`sim.model.regime.Regime.lose` spreads them over the pool and every
    group in proportion). The other order would have a group formed that night escape a strike that the pool it came
    from did not, and strength for a named group escape it where strength for the pool did not.
    """

    handles = schema.StrikeSpec
    spec: schema.StrikeSpec
    priority = Priority.LOW
    last = True

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


def build_events(model: CeasefireModel, specs: list[schema.EventSpec]) -> list[ScenarioEvent]:
    """One event object per scenario event, in the scenario's order (every kind is registered: this module's, and the
    joint patrols' of :mod:`sim.model.patrols`, which it imports)."""
    return [ScenarioEvent.by_spec[type(spec)](model, spec) for spec in specs]

