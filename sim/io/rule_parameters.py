"""The rules' parameters as a scenario gives them: each faction's, combat's and the civilians' (part of the scenario
format, :mod:`sim.io.schema`).

Each field's description is what ``scenarios/README.md``, the app's sliders and the sweeps' declared ranges read.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .schema_types import Finite, Share, Spread, Strict, Switch, Whole, bounded

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
