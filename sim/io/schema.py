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
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..names import FactionName, HolderName

Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
# At most a million: far above any meaningful value (strength points, km, weights), and low
# enough that products of parameters cannot overflow to inf (and inf x 0 to NaN) in combat.
Positive = Annotated[float, Field(ge=0.0, le=1e6, allow_inf_nan=False)]
# A log-normal sigma. Bounded because exp(sigma * z) overflows to inf (or
# underflows to 0) for sigma in the hundreds, and inf x 0 = NaN losses.
Spread = Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------
# Faction parameters. Defaults are neutral placeholders; the calibrated
# values for a theatre live in its scenario files (scenarios/common/).
# --------------------------------------------------------------------------


class RegimeParams(Strict):
    """The government side's ground forces."""

    force: Positive = Field(100.0, description="mobile offensive strength at the start (strength points; 1 point is about 100 fighters)")
    regen: Positive = Field(0.0, description="strength points added to the mobile force each day")
    garrison: Positive = Field(2.0, description="strength left in each held town at the start")
    axes: int = Field(2, ge=1, le=20, description="number of towns attacked at once (concentration)")
    commit: Share = Field(0.5, description="share of the mobile force thrown into attacks each day")
    objective_roads: dict[str, Positive] = Field(default_factory=dict, description="road class -> strategic weight of the towns on it")
    junction_bonus: Positive = Field(2.0, description="extra value of a town where two objective roads meet")
    opens_road_bonus: Positive = Field(1.0, description="extra value of the next town along an objective road from a held one")
    retake_bonus: Positive = Field(2.0, description="extra value of a town the regime has lost during the run")
    proximity_km: Positive = Field(10.0, description="distance scale: value decays as exp(-road km from the nearest held town / proximity_km)")
    axis_km: Positive = Field(15.0, description="focus of an offensive: scores decay as exp(-km from the nearest axis town / axis_km)")
    choice_noise: Spread = Field(0.3, description="log-normal spread of the daily objective scores (at most 10)")
    pressure_growth: Positive = Field(0.02, description="daily growth of truce-violation pressure per unit of unmet road objectives")
    pretext: Positive = Field(0.02, description="violation pressure added by each spoiler attack on regime positions")
    escalation_threshold: Share = Field(0.5, description="Turkish escalation level above which the regime stops sparing towns with posts")


class RussiaParams(Strict):
    """Air power and the patron's hand on the regime."""

    air_support: Share = Field(1.0, description="air effort while the regime is on the offensive")
    idle_air: Share = Field(0.2, description="air effort while no offensive is running")
    truce_air: Share = Field(0.1, description="air effort while a ceasefire Russia brokered is in force")
    air_power: Positive = Field(1.0, description="regime attack multiplier per unit of air effort")
    strike_radius_km: Positive = Field(10.0, description="towns this close to an assaulted town are bombed too (civilian flight)")


class TurkeyParams(Strict):
    """Observation posts, reinforcements and escalation."""

    deterrence: Positive = Field(2.0, description="regime objective scores are divided by exp(deterrence x intact posts)")
    encircled_deterrence: Positive = Field(0.3, description="the same for encircled posts")
    post_defence: Positive = Field(0.3, description="defence multiplier added per Turkish post in a town")
    may_escalate: bool = Field(True, description="whether Turkey escalates at all (what-if switch)")
    escalation_per_death: Positive = Field(0.02, description="escalation added per Turkish soldier killed")
    escalation_per_encirclement: Positive = Field(0.1, description="escalation added per newly encircled post")
    escalation_decay: Share = Field(0.02, description="daily relaxation of escalation")
    drone_strength: Positive = Field(2.0, description="regime strength points destroyed per day at full escalation")
    suppression: Share = Field(0.3, description="share of regime attack power suppressed at full escalation")
    fire_support: Positive = Field(1.0, description="rebel attack multiplier added at full escalation")
    exposure: Positive = Field(0.2, description="expected Turkish deaths per day at each post in or next to an assaulted town")
    combat_exposure: Positive = Field(0.5, description="expected Turkish deaths per day at full escalation")
    # Read by nothing yet: the border stays closed (issue 14 decides whether the model opens it or the key goes).
    border_open: bool = Field(False, description="whether the displaced may cross into Turkey")


class ArmedGroupParams(Strict):
    """Parameters shared by the two opposition groups."""

    garrison: Positive = Field(3.0, description="strength in each held town at the start")
    front_garrison: Positive = Field(0.0, description="extra strength at the start in towns on the front line (fortified positions)")
    reserve: Positive = Field(50.0, description="mobile reserve at the start")
    regen: Positive = Field(0.3, description="strength points recruited into the reserve each day")
    reinforce: Share = Field(0.3, description="share of the reserve sent each day to towns under assault")
    cohesion: Positive = Field(1.0, description="defence multiplier of its garrisons")


class HTSParams(ArmedGroupParams):
    """The spoiler: defends, rejects deals, attacks and blocks patrols."""

    spoiler_rate: Share = Field(0.3, description="daily chance of a raid on regime positions during a ceasefire it rejects")
    raid_strength: Positive = Field(1.0, description="strength committed to a raid")
    patrol_block: Share = Field(0.3, description="chance of stopping a patrol at each town next to its own ground")
    patrol_attack: Share = Field(0.1, description="chance of attacking a patrol on a run")
    patrol_attack_casualties: float = Field(1.0, ge=0.0, le=100.0, allow_inf_nan=False,
                                            description="mean (Poisson) casualties of each patrolling faction in an attack on a patrol")
    protest_rate: Share = Field(0.2, description="daily chance of a new sit-in on a patrol road it opposes")
    protest_days: int = Field(5, ge=1, le=365, description="how long a sit-in blocks the road")


class RebelParams(ArmedGroupParams):
    """The Turkish-backed rebels: defend, counter-attack with Turkish fire."""

    counter_threshold: Share = Field(0.5, description="Turkish escalation needed before rebels counter-attack")
    counter_commit: Share = Field(0.5, description="share of the reserve thrown into a counter-attack")


class FactionParams(Strict):
    """Every faction's parameters (the `factions:` section of a scenario)."""

    regime: RegimeParams = RegimeParams()
    russia: RussiaParams = RussiaParams()
    turkey: TurkeyParams = TurkeyParams()
    hts: HTSParams = HTSParams()
    rebels: RebelParams = RebelParams()


class CombatParams(Strict):
    """Stochastic Lanchester attrition on assaulted towns."""

    lethality: Positive = Field(0.05, description="daily losses inflicted per unit of effective opposing strength")
    noise: Spread = Field(0.3, description="log-normal spread of daily losses (at most 10)")
    break_ratio: Positive = Field(3.0, description="defenders break when outnumbered this many times in effective strength")
    min_garrison: Positive = Field(0.3, description="a town held by less than this falls to any assault")
    occupy: Share = Field(0.2, description="share of a victorious attacking force left behind as the new garrison")
    urban_defence: Positive = Field(0.3, description="defence multiplier added per tenfold population above 1,000")
    fighters_per_point: Positive = Field(100.0, description="fighters per strength point, to report casualties")


class CivilianParams(Strict):
    """Civilian flight toward the border camps."""

    flee_assault: Share = Field(0.3, description="daily share of residents leaving a town under ground assault")
    flee_air: Share = Field(0.05, description="daily share leaving a bombed town at full air effort")
    flee_capture: Share = Field(0.8, description="share of the remaining residents leaving when a town changes hands")


# --------------------------------------------------------------------------
# Events: decisions and exogenous shocks, each citing the record.
# --------------------------------------------------------------------------


class EventSpec(Strict):
    id: str | None = Field(None, description="stable name, so that a what-if can override or remove the event")
    date: dt.date
    source: list[str] = Field(min_length=1, description="claim ids in the claims record")
    note: str = ""


class OffensiveSpec(EventSpec):
    """A faction starts or stops a ground offensive, optionally along an axis."""

    type: Literal["offensive"]
    faction: Literal["regime", "rebels"] = "regime"
    action: Literal["start", "stop"]
    axis: list[str] = Field(default_factory=list, description="towns the offensive aims at")
    intensity: Share = Field(1.0, description="scales the share of the mobile force committed (a limited push < 1)")


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
    width_km: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]


class AgreementSpec(TruceSpec):
    """A ceasefire on the line of contact, optionally with a security corridor along a road."""

    type: Literal["agreement"]  # type: ignore[assignment]
    corridor: CorridorSpec | None = None


class JointPatrolSpec(EventSpec):
    """Patrols along a road between two towns, every ``every_days`` until ``until``."""

    type: Literal["joint_patrol"]
    announced: dt.date | None = Field(None, description="when the plan became known (sit-ins may start then); defaults to date")
    route: list[str] = Field(min_length=2, max_length=2, description="[from town, to town]")
    road: str
    every_days: int = Field(7, ge=1, le=365)
    until: dt.date | None = None
    participants: list[FactionName] = Field(min_length=1)


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
    """Strength added to a faction: regime mobile force, opposition reserves, or
    (Turkey, with ``town``) troops counted in post-equivalents at a town."""

    type: Literal["reinforcement"]
    faction: Literal["regime", "turkey", "hts", "rebels"]
    strength: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]
    town: str | None = None


class StrikeSpec(EventSpec):
    """An exogenous strike with known casualties (deaths by faction)."""

    type: Literal["strike"]
    by: FactionName
    town: str
    casualties: dict[FactionName, Annotated[int, Field(ge=0, le=1_000_000)]]


class MilitaryPoliceSpec(EventSpec):
    """Russia deploys military police into a government-held town."""

    type: Literal["military_police"]
    town: str


EventSpecs = (
    OffensiveSpec | TruceSpec | AgreementSpec | JointPatrolSpec | ObservationPostSpec | InterventionSpec | AirPolicySpec
    | ReinforcementSpec | StrikeSpec | MilitaryPoliceSpec
)
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
    seed: int = Field(0, ge=0, le=2**63 - 1)
    initial_control: dt.date = Field(description="date of the theatre's control column the run starts from")
    factions: FactionParams = FactionParams()
    combat: CombatParams = CombatParams()
    civilians: CivilianParams = CivilianParams()
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window(self) -> Scenario:
        if self.end <= self.start:
            raise ValueError("'end' must be after 'start'")
        if (self.end - self.start).days > 366 * 20:
            raise ValueError("the window is longer than 20 years")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def canonical_json(self) -> str:
        """The resolved parameters as stable JSON (paths as given, not absolute)."""
        data = self.model_dump(mode="json")
        data["theatre"] = self.theatre.name
        data["claims"] = self.claims.name
        return json.dumps(data, sort_keys=True, separators=(",", ":"))
