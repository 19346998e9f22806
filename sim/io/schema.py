"""The scenario schema: what a YAML scenario may say, as pydantic models.

A scenario is a theatre, a date window, the rules' parameters
(:mod:`sim.io.rule_parameters`), a start state and dated events (decisions
and exogenous shocks). It never says who holds a town after the
start date: every change of hands must come out of the model's rules.

``scenarios/README.md`` documents every key for users. Loading (``extends``,
error messages, cross-checks against the theatre and the claims record) is in
:mod:`sim.io.scenario`; the event types are the branches of the one union
:data:`Event`, and :data:`EVENT_MODELS` is built from it.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from ..names import MAX_SEED, FactionName, HolderName
from . import paths
from .rule_parameters import CivilianParams, CombatParams, FactionParams
from .schema_types import Date, DistinctFactions, Finite, Share, Strict, Whole, bounded
from .validation import Conflict, TaggedUnion



class DisplacedAtStart(Strict):
    """The people already away from home when a run starts: part of the start state, as the front is.

    Two shares, one for each place the displaced came from: the towns the government took between ``since`` and the
    start (found from the theatre's control columns, as ``initial_control`` finds the front) and the opposition towns
    within the strike radius of the start front. Those away are in the camps (sim.model.civilians.displace_at_start);
    the run's ``displaced`` counts only who flees after the start, as its Turkish dead count only who dies after it.
    """

    since: Date = Field(description="the theatre's control column, before the start, that the towns taken since are found against (the UN's series counts the displaced from 1 December 2019)")
    taken: Share = Field(description="share of the residents away from each town the government took between 'since' and the start")
    near_front: Share = Field(description="share of the residents away from each opposition town within the strike radius of the start front")
    source: list[str] = Field(min_length=1, description="claim ids in the claims record")
    note: str = ""


# ---- Events: decisions and exogenous shocks, each citing the record.


class EventSpec(Strict):
    id: str | None = Field(None, description="stable name, so that a what-if can override or remove the event")
    date: Date
    source: list[str] = Field(min_length=1, description="claim ids in the claims record")
    note: str = ""
    unused_keys: ClassVar[tuple[str, ...]] = ()  # keys that do not apply to the event: not offered as parameters to set
    upper_bounds: ClassVar[Mapping[str, float]] = {}  # keys bounded lower here than their field says (by another key)


class OffensiveSpec(EventSpec):
    """A government force group is sent onto a reported axis, or stands down.

    A group is formed the first time an event names it, taking ``force`` from
    the pool; a later event for the same group gives it a new axis (and more
    force, if it says so). The axis is the ordered list of towns the group was
    reported to aim at: it drives toward the first it does not hold, and holds the line once it holds them all.

    With ``faction: hts`` or ``rebels`` the event opens (or ends) that
    faction's reported counter-offensive: each day it attacks the first town
    of the axis the government holds (``group``, ``force``, ``frontage`` and
    ``intensity`` do not apply; nor do they, or ``axis``, to a stop).
    """

    type: Literal["offensive"]
    faction: Literal["regime", "hts", "rebels"] = "regime"
    group: str = Field("main", min_length=1, max_length=60, description="the force group's name")
    action: Literal["start", "stop"]
    axis: list[str] = Field(default_factory=list, description="towns the group aims at, in order")
    force: Finite | None = Field(None, ge=0.0, le=2000.0, description="strength taken from the pool into the group (at most what the pool holds; the orders of one night that ask more between them share it in proportion to what each asks)")
    frontage: Whole = Field(2, ge=1, le=20, description="towns the group assaults at once")
    intensity: Share = Field(1.0, description="scales the share of the group's force committed (a limited push < 1)")

    GOVERNMENT_ONLY: ClassVar[tuple[str, ...]] = ("group", "force", "frontage", "intensity")  # not a counter-offensive's
    NOT_A_STOPS: ClassVar[tuple[str, ...]] = ("axis", "force", "frontage", "intensity")  # a stop stands the group down

    @property
    def unused_keys(self) -> tuple[str, ...]:  # type: ignore[override]  # the base's is a class attribute
        return tuple(dict.fromkeys((*(self.GOVERNMENT_ONLY if self.faction != "regime" else ()), *(self.NOT_A_STOPS if self.action == "stop" else ()))))

    @model_validator(mode="after")
    def _keys(self) -> OffensiveSpec:
        # An ignored key was offered to sweeps (a default passes); blamed at faction or action, where an override makes a stop.
        for key in self.unused_keys:
            field = type(self).model_fields[key]  # the default made here: pydantic's get_default inspects a factory's signature
            if getattr(self, key) != (field.default_factory() if field.default_factory else field.default):
                counter = key in self.GOVERNMENT_ONLY and self.faction != "regime"
                what = "a counter-offensive (HTS's or the rebels')" if counter else "a stop (it stands the group down, or ends the counter-offensive)"
                how = "" if counter else " (if inherited, list the event in 'remove_events' and add the stop under a new id)"
                raise Conflict(f"'{key}' does not apply to {what}: remove it{how}", key, "faction" if counter else "action")
        if self.action == "start" and not self.axis:
            raise ValueError("an offensive that starts needs an 'axis' (the towns it aims at)")
        return self


class TruceSpec(EventSpec):
    """A ceasefire announced on ``date``, binding from ``effective``."""

    type: Literal["truce"]
    name: str
    effective: Date
    until: Date | None = None
    parties: list[FactionName] = Field(min_length=1, description="the brokers")
    compliance: dict[HolderName, Share] = Field(default_factory=dict, description="daily chance each armed faction keeps to it")
    restraint: Share = Field(0.0, description="how hard the brokers hold their side back (scales the regime's chance to break it)")


class CorridorSpec(Strict):
    road: str
    width_km: Finite = Field(ge=0.1, le=100.0, description="km on each side of the road (0.1: its own towns)")


class AgreementSpec(TruceSpec):
    """A ceasefire on the line of contact, optionally with a security corridor along a road."""

    type: Literal["agreement"]  # type: ignore[assignment]
    corridor: CorridorSpec | None = None


class JointPatrolSpec(EventSpec):
    """Patrols along a road between two towns, every ``every_days`` until ``until``."""

    type: Literal["joint_patrol"]
    announced: Date | None = Field(None, description="when the plan became known (from then, sit-ins may start while a deal is in force); defaults to date")
    route: list[str] = Field(min_length=2, max_length=2, description="[from town, to town]")
    road: str
    every_days: Whole = Field(7, ge=1, le=365)
    until: Date | None = None
    participants: DistinctFactions


class ObservationPostSpec(EventSpec):
    """Turkey establishes or withdraws a post listed in the theatre."""

    type: Literal["observation_post"]
    action: Literal["establish", "withdraw"]
    post: str


class InterventionSpec(EventSpec):
    """A faction commits to open military action (e.g. a drone campaign)."""

    type: Literal["intervention"]
    faction: Literal["turkey"] = "turkey"
    name: str
    intensity: Share = 1.0
    until: Date | None = None


class AirPolicySpec(EventSpec):
    """Russia holds its air effort below a ceiling (withholds support) until a date."""

    type: Literal["air_policy"]
    ceiling: Share = Field(description="the most air effort Russia flies while the policy lasts")
    until: Date | None = None


class ReinforcementSpec(EventSpec):
    """Strength added to a faction: a regime force group (or its pool), an opposition reserve, or Turkish troops (thousands:
    they only lower the government's daily chance of breaking a deal in force that binds it; with none, they change nothing)."""

    type: Literal["reinforcement"]
    faction: Literal["regime", "turkey", "hts", "rebels"]
    strength: Finite = Field(ge=0.0, le=2000.0, description="strength points (2,000: about "
                            "200,000 fighters); Turkish troops in thousands, at most 50")
    group: str | None = Field(None, description="the regime force group it joins (default: the pool)")
    town: str | None = Field(None, description="where it arrived (for the record)")
    TURKISH_TROOPS: ClassVar[float] = 50.0  # thousands: a ceiling far above any troop count a scenario cites

    @property
    def upper_bounds(self) -> Mapping[str, float]:  # type: ignore[override]  # the base's is a class attribute
        return {"strength": self.TURKISH_TROOPS} if self.faction == "turkey" else {}

    @model_validator(mode="before")
    @classmethod
    def _troops(cls, data: Any) -> Any:  # noqa: ANN401 - before the field's own check (at most 2,000: the points' bound)
        strength = data.get("strength") if isinstance(data, Mapping) and data.get("faction") == "turkey" else None
        if isinstance(strength, int | float) and not isinstance(strength, bool) and strength > cls.TURKISH_TROOPS:
            raise Conflict(f"Turkish troops are counted in thousands: at most {cls.TURKISH_TROOPS:g} (50,000 soldiers), "
                           f"not {strength:g}", "strength")
        return data


class StrikeSpec(EventSpec):
    """An exogenous strike with known casualties (deaths by faction), taken out of each faction's mobile force."""

    type: Literal["strike"]
    by: FactionName
    town: str
    casualties: dict[FactionName, Annotated[Whole, Field(ge=0, le=1_000_000)]]


class MilitaryPoliceSpec(EventSpec):
    """Russia deploys military police into a government-held town."""

    type: Literal["military_police"]
    town: str


class SitInSpec(EventSpec):
    """Protesters camp on a road at an opposition-held town: every patrol is stopped there until the camp is broken up."""

    type: Literal["sit_in"]
    town: str
    until: Date = Field(description="the day the camp is broken up: the road is open again from that day")

    @model_validator(mode="after")
    def _until(self) -> SitInSpec:
        if self.until <= self.date:
            raise Conflict("'until' must be after the camp's 'date'", "until", "date")
        return self


EventSpecs = (OffensiveSpec | TruceSpec | AgreementSpec | JointPatrolSpec | ObservationPostSpec | InterventionSpec
              | AirPolicySpec | ReinforcementSpec | StrikeSpec | MilitaryPoliceSpec | SitInSpec)
Event = Annotated[EventSpecs, Field(discriminator="type")]
# The one list of event types: each branch of the union under its ``type``.
EVENT_MODELS: dict[str, type[EventSpec]] = {
    typing.get_args(model.model_fields["type"].annotation)[0]: model for model in typing.get_args(EventSpecs)
}


class Scenario(Strict):
    """A validated scenario, with its paths resolved."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    theatre: Path
    claims: Path = Field(description="the claims record that events cite (seeds/claims.yaml)")
    start: Date
    end: Date
    seed: Whole = Field(0, ge=0, le=MAX_SEED)
    initial_control: Date = Field(description="date of the theatre's control column the run starts from")
    factions: FactionParams = FactionParams()
    combat: CombatParams = CombatParams()
    civilians: CivilianParams = CivilianParams()
    displaced_at_start: DisplacedAtStart | None = Field(None, description="people away from home at the start (none if not given)")
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window(self) -> Scenario:
        if self.end <= self.start:
            raise Conflict(f"'end' ({self.end}) must be after 'start' ({self.start})", "end", "start")
        if (self.end - self.start).days > 366 * 20:
            raise Conflict("the window is longer than 20 years", "end", "start")
        return self

    @property
    def days(self) -> int:
        """Days from the start to the end: the days a run simulates after its start day."""
        return (self.end - self.start).days

    def __repr__(self) -> str:  # pydantic's printed every parameter and event, some 12,000 characters; print() too
        return f"Scenario({self.name!r}, {self.start} .. {self.end}, seed {self.seed}, {len(self.events)} events, theatre {self.theatre.name!r})"
    __str__ = __repr__

    def with_params(self, values: Mapping[str, Any] | None = None, /, **params: Any) -> Scenario:
        """A new scenario with parameters set and validated (a scenario is frozen; this one is unchanged).

        Names are dotted paths (``regime.commit``, ``events.jan-truce.restraint``,
        ``events.jan-truce.compliance.regime``) or their aliases, valid Python
        names: each ``.`` becomes ``__`` and each ``-`` becomes ``_``
        (``regime__commit=0.7``, ``events__jan_truce__restraint=0.9``)::

            scenario.with_params({"events.jan-truce.restraint": 0.9}, regime__commit=0.7)

        Raises:
            InputError: an unknown name (with the closest valid one), one parameter named twice (its path and its
                alias), or a value of the wrong kind or outside the range the schema declares for it.
        """
        return paths.with_values(self, paths.given_once(self, values or {}, params), EVENT_UNION)

    def canonical_json(self) -> str:
        """The resolved parameters as stable JSON (paths as given, not absolute)."""
        data = self.model_dump(mode="json")
        data["theatre"] = self.theatre.name
        data["claims"] = self.claims.name
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


EVENT_UNION = TaggedUnion("event", "type", EVENT_MODELS)  # for error messages about events
