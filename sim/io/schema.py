"""The scenario schema: what a YAML scenario may say, as pydantic models.

A scenario is a theatre, a date window, faction parameters and dated events
(decisions and exogenous shocks). It never says who holds a town after the
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
from .schema_types import DistinctFactions, Finite, Share, Spread, Strict, Switch, Whole, bounded
from .validation import Conflict, TaggedUnion

# ---- Faction parameters. Defaults are neutral placeholders; a theatre's calibrated values are in scenarios/common/.


class RegimeParams(Strict):
    """The government side's ground forces: a pool, force groups (formed by offensive events), truces."""

    force: float = bounded(100.0, 2000.0, "mobile strength at the start, before groups are formed (strength points; 1 point is about 100 fighters: 2,000 is 200,000)")
    regen: float = bounded(0.0, 20.0, "strength points added each day to the groups in the field, or to the pool (20 a day would double a large army in a season)")
    ceasefire_regen: Share = Field(1.0, description="share of the daily regeneration allowed while a deal binds the regime (a limit on build-up; 1: none)")
    breakpoint_loss: Share = Field(1.0, description="share of the highest strength a force group has had on its axis that it may lose to fire before its push culminates (the garrisons it leaves in what it takes are not lost; spent: its strength goes to the pool until an offensive event sends it on again; 1: never, a push goes on until nothing is left)")
    garrison: float = bounded(2.0, 50.0, "strength left in each held town at the start (50 is a brigade per village)")
    commit: float = bounded(0.5, 1.0, "share of a group's force thrown into its assaults each day")
    objective_roads: dict[str, Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False, strict=True)]] = Field(
        default_factory=dict, description="road class -> strategic weight of the towns on it (up to 10 times a town's base value)")
    junction_bonus: float = bounded(2.0, 10.0, "extra value of a town where two objective roads meet (up to 10 times a town's base value)")
    retake_bonus: float = bounded(2.0, 10.0, "extra value of a town the regime lost during the run (up to 10 times a town's base value)")
    proximity_km: float = bounded(10.0, 100.0, "value decays as exp(-road km from the nearest town of the group's ground / proximity_km); beyond 100 km nearness no longer matters", lo=0.1)
    axis_km: float = bounded(15.0, 200.0, "a group's focus: scores decay as exp(-road km to its objective / axis_km); 200 km spans the theatre", lo=0.1)
    deploy_km: float = bounded(10.0, 100.0, "a group sent onto an axis takes position on the government-held towns at most this many road km farther from its objective than the nearest one (100 km: the whole front)")
    flank_bonus: float = bounded(0.5, 5.0, "extra appeal of an enemy town per further neighbour the regime already holds (an outflanked town is cheap)")
    choice_noise: Spread = Field(0.3, description="log-normal spread of the daily objective scores (at most 10)")
    pressure_growth: float = bounded(0.02, 1.0, "daily growth of the urge to break a deal per unit of unmet road objectives (1: saturates in a day)")
    pressure_easing: float = bounded(0.0, 1.0, "daily share of that urge which fades when nothing feeds it (1: gone in a day)")
    pretext: float = bounded(0.02, 1.0, "urge added by each spoiler attack on government positions (1: one attack is pretext enough)")
    patrol_relief: float = bounded(0.0, 1.0, "urge taken off by a joint patrol, per share of its route covered")
    escalation_threshold: Share = Field(0.5, description="Turkish escalation level at or above which the regime stops sparing towns beside intact posts")


class RussiaParams(Strict):
    """Air power and the patron's hand on the regime."""

    air_support: Share = Field(1.0, description="air effort while the regime is on the offensive")
    idle_air: Share = Field(0.2, description="air effort while no offensive is running")
    truce_air: Share = Field(0.1, description="air effort while a ceasefire Russia brokered is in force and binds the government")
    air_power: float = bounded(1.0, 10.0, "regime attack multiplier per unit of air effort (10: air power worth ten times the ground force)")
    strike_radius_km: float = bounded(10.0, 50.0, "opposition towns this close to an assault are bombed too, and this close to the front flee (50 km is the depth of the enclave)")


class TurkeyParams(Strict):
    """Observation posts as sites, troops in the theatre, escalation and drones."""

    deterrence: float = bounded(2.0, 10.0, "regime objective scores for a town are divided by exp(deterrence x intact posts overlooking it), until Turkey escalates")
    post_defence: float = bounded(0.3, 5.0, "defence multiplier added per intact post overlooking a town, scaled by escalation (Turkish fire from the post)")
    may_escalate: Switch = Field(True, description="whether Turkey escalates at all (what-if switch)")
    escalation_per_death: float = bounded(0.02, 1.0, "escalation added per Turkish soldier killed (1: one death is war)")
    escalation_per_encirclement: float = bounded(0.1, 1.0, "escalation added per newly encircled post")
    escalation_decay: Share = Field(0.02, description="daily relaxation of escalation")
    drone_strength: float = bounded(2.0, 50.0, "regime strength points destroyed per day at full escalation in its force groups in the field, only while an intervention is in force (50: a brigade a day)")
    suppression: Share = Field(0.3, description="share of regime attack power suppressed at full escalation")
    fire_support: float = bounded(1.0, 10.0, "opposition attack multiplier added at full escalation (the rebels' and HTS's alike)")
    exposure: float = bounded(0.2, 10.0, "expected Turkish deaths per day at each standing post (encircled too) overlooking an attacked town or its neighbour")
    combat_exposure: float = bounded(0.5, 20.0, "expected Turkish deaths per day at full escalation, while the government is on the offensive")
    troop_deterrence: float = bounded(0.0, 2.0, "the regime's chance to break a deal is multiplied by exp(-troop_deterrence x thousands of Turkish troops in the theatre)")
    patrol_security: Share = Field(0.0, description="how much safer a stretch of road becomes each time a patrol gets through it (share of the remaining risk removed)")
    corridor_policing: Share = Field(0.0, description="daily share of the remaining risk removed inside a security corridor in force, where the government does not hold (Turkish posts along the road)")


class ArmedGroupParams(Strict):
    """Parameters shared by the two opposition groups."""

    garrison: float = bounded(3.0, 50.0, "strength in each held town at the start (50 is a brigade per village)")
    front_garrison: float = bounded(0.0, 50.0, "extra strength at the start in towns on the front line (fortified positions)")
    reserve: float = bounded(50.0, 1000.0, "mobile reserve at the start (1,000 points is 100,000 fighters, more than the enclave had)")
    regen: float = bounded(0.3, 20.0, "strength points recruited into the reserve each day")
    reinforce: Share = Field(0.3, description="share of the reserve sent each day to towns under assault, each up to what it can hold")
    cohesion: float = bounded(1.0, 5.0, "defence multiplier of its garrisons")
    counter_commit: Share = Field(0.5, description="share of the reserve thrown into a counter-attack")


class HTSParams(ArmedGroupParams):
    """The spoiler: defends, rejects deals, attacks and blocks patrols."""

    spoiler_rate: Share = Field(0.3, description="daily chance of a raid on regime positions during a ceasefire it rejects")
    raid_strength: float = bounded(1.0, 50.0, "strength committed to a raid (50 is a brigade)")
    patrol_block: Share = Field(0.3, description="chance of stopping a patrol at each town next to its own ground, x how far it rejects the deal")
    patrol_attack: Share = Field(0.1, description="chance of attacking a patrol on a run")
    patrol_attack_casualties: Finite = Field(1.0, ge=0.0, le=100.0,
                                            description="mean (Poisson) casualties of each patrolling faction in an attack on a patrol")
    protest_rate: Share = Field(0.2, description="daily chance of a new sit-in on a patrol road it opposes")
    protest_days: Whole = Field(5, ge=1, le=365, description="how long a sit-in blocks the road")


class RebelParams(ArmedGroupParams):
    """The Turkish-backed rebels: defend, counter-attack with Turkish fire."""

    counter_threshold: Share = Field(0.5, description="Turkish escalation needed before rebels counter-attack")


class FactionParams(Strict):
    """Every faction's parameters (the `factions:` section of a scenario)."""

    regime: RegimeParams = RegimeParams()
    russia: RussiaParams = RussiaParams()
    turkey: TurkeyParams = TurkeyParams()
    hts: HTSParams = HTSParams()
    rebels: RebelParams = RebelParams()


class CombatParams(Strict):
    """Stochastic Lanchester attrition, withdrawal and collapse (see :mod:`sim.model.combat`)."""

    lethality: float = bounded(0.05, 1.0, "daily losses inflicted per unit of effective opposing strength (1: a side is wiped out in a day at even odds)")
    noise: Spread = Field(0.3, description="log-normal spread of daily losses (at most 10)")
    break_ratio: float = bounded(3.0, 100.0, "defenders are routed when outnumbered this many times in effective strength", lo=0.1)
    withdraw_ratio: float = bounded(3.0, 100.0, "defenders with a way out withdraw once the odds, made worse by every flank held by the attacker, pass this", lo=0.1)
    flank_pressure: float = bounded(0.0, 5.0, "how much each further neighbour the attacker holds adds to the odds the defenders feel")
    garrison_cap: float = bounded(1000.0, 1000.0, "the most a town of 1,000 people can hold (more in bigger towns, by the urban factor): a town cannot absorb a whole reserve")
    collapse_shock: Share = Field(0.0, description="shock given to the same side's neighbours of a town that falls (defence x (1 - shock))")
    shock_recovery: Share = Field(0.1, description="daily share of the shock that wears off")
    pocket_shock: Share = Field(0.0, description="shock added each day to garrisons cut off from the rear (the camps)")
    rear_km: float = bounded(0.0, 50.0, "opposition towns this close to the border (km) are the rear too, not just the camps: a pocket is cut off from all of it (0: the camps alone)")
    abandon_shock: Share = Field(1.0, description="a town this shaken is given up when outflanked (2+ neighbours held by the government) or cut off")
    walk_in: float = bounded(0.5, 50.0, "government strength that takes over an abandoned town")
    min_garrison: float = bounded(0.3, 50.0, "a town held by less than this falls to any assault")
    occupy: Share = Field(0.2, description="share of a victorious attacking force left behind as the new garrison")
    urban_defence: float = bounded(0.3, 5.0, "defence multiplier added per tenfold population above 1,000")
    fighters_per_point: float = bounded(100.0, 10000.0, "fighters per strength point, to report casualties", lo=1.0)


class CivilianParams(Strict):
    """Civilian flight toward the border camps, and the way back."""

    flee_assault: Share = Field(0.3, description="daily share of residents leaving a town under ground assault")
    flee_air: Share = Field(0.05, description="daily share leaving a bombed town at full air effort")
    flee_capture: Share = Field(0.8, description="share of the remaining residents leaving when a town changes hands")
    flee_front: Share = Field(0.0, description="daily share leaving an opposition town within the strike radius of the front while an offensive runs, at full air effort")
    return_rate: Share = Field(0.0, description="daily share of the people displaced from an opposition town who go back to it while a deal binds the government and no assault comes within the strike radius (0: nobody goes back)")


class DisplacedAtStart(Strict):
    """The people already away from home when a run starts: part of the start state, as the front is.

    Two shares, one for each place the displaced came from: the towns the government took between ``since`` and the
    start (found from the theatre's control columns, as ``initial_control`` finds the front) and the opposition towns
    within the strike radius of the start front. Those away are in the camps (sim.model.civilians.displace_at_start);
    the run's ``displaced`` counts only who flees after the start, as its Turkish dead count only who dies after it.
    """

    since: dt.date = Field(description="the theatre's control column, before the start, that the towns taken since are found against (the UN's series counts the displaced from 1 December 2019)")
    taken: Share = Field(description="share of the residents away from each town the government took between 'since' and the start")
    near_front: Share = Field(description="share of the residents away from each opposition town within the strike radius of the start front")
    source: list[str] = Field(min_length=1, description="claim ids in the claims record")
    note: str = ""


# ---- Events: decisions and exogenous shocks, each citing the record.


class EventSpec(Strict):
    id: str | None = Field(None, description="stable name, so that a what-if can override or remove the event")
    date: dt.date
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
    effective: dt.date
    until: dt.date | None = None
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
    announced: dt.date | None = Field(None, description="when the plan became known (from then, sit-ins may start while a deal is in force); defaults to date")
    route: list[str] = Field(min_length=2, max_length=2, description="[from town, to town]")
    road: str
    every_days: Whole = Field(7, ge=1, le=365)
    until: dt.date | None = None
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
    until: dt.date | None = None


class AirPolicySpec(EventSpec):
    """Russia holds its air effort below a ceiling (withholds support) until a date."""

    type: Literal["air_policy"]
    ceiling: Share = Field(description="the most air effort Russia flies while the policy lasts")
    until: dt.date | None = None


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
    until: dt.date = Field(description="the day the camp is broken up: the road is open again from that day")

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
    start: dt.date
    end: dt.date
    seed: Whole = Field(0, ge=0, le=MAX_SEED)
    initial_control: dt.date = Field(description="date of the theatre's control column the run starts from")
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
