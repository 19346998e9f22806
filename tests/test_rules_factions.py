"""The factions' and the ceasefire's rules, each on a hand-built theatre with a known answer, from a mutation audit.

Each test was written for a plausible bug in one rule of regime.py,
factions.py, ceasefire.py, opposition.py or events.py (a comparison
flipped, a term dropped, a side swapped, a clamp forgotten, a day off),
most of them bugs no other toy test caught: each fails with its bug put in
and passes on the rule as written (its name or comment says which bug).
tests/test_rules.py holds the rules' first tests, and
tests/test_rule_parameters.py those of their parameters.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim import CeasefireModel, simulate
from sim.experiments.run import simulate_batch
from sim.model.ceasefire import Ceasefire

from .conftest import ev, line_theatre
from .test_rules import STRONG_REGIME, post_theatre, push, scenario, truce

# ------------------------------------------------------------------ the government's build-up


def test_the_days_new_strength_is_shared_between_the_groups_in_the_field(build):
    # Two groups, each sent at a town it already holds: neither attacks, nothing is lost. regen 2 a day in all, split
    # between them: each gains 1 a day, and the regime's whole force 2 a day (the pool, emptied, gets none).
    line_theatre(build, controllers=("regime", "regime", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 100, "regen": 2.0}}
    m = CeasefireModel(scenario(build, factions, [push(["T0"], group="a", force=40), push(["T1"], group="b", force=60)],
                                end="2020-01-04"))
    m.run_model()
    assert m.regime.groups["a"].force.tolist() == [43.0] and m.regime.groups["b"].force.tolist() == [63.0]
    assert m.regime.pool.tolist() == [0.0] and m.regime.force.tolist() == [106.0]


# ------------------------------------------------------------------ the government's assaults


def test_a_limited_push_commits_its_intensity_share_of_what_commit_would_throw(build):
    # Force 100, commit 1, intensity 0.5: 50 points at T1 on the first day.
    line_theatre(build)
    m = CeasefireModel(scenario(build, events=[push(["T1"], intensity=0.5)]))
    m.step()
    assert m.attack_force[0].tolist() == [0.0, 50.0, 0.0]



def test_a_group_with_deploy_km_0_stands_on_the_town_nearest_its_objective(build):
    # deploy_km 0: its ground is T0 alone, the government town nearest T2; from there it takes T1, then T2.
    line_theatre(build)
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "deploy_km": 0.0}}
    m = CeasefireModel(scenario(build, factions, [push(["T2"])], end="2020-01-06"))
    m.run_model()
    assert m.controller[0].tolist() == [0, 0, 0]


def test_a_group_prefers_of_two_towns_beside_it_the_one_nearer_its_objective(build):
    # W and E are each one 5 km road from G, the group's ground; its objective O lies beyond E. No noise, no other
    # difference: it attacks E (W, listed first, would win a tie).
    build.theatre([("W", 35.5, 35.945, "hts"), ("G", 35.5, 36.0, "regime"), ("E", 35.5, 36.055, "hts"),
                   ("O", 35.5, 36.11, "hts")], [("W", "G", "M9"), ("G", "E", "M9"), ("E", "O", "M9")])
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "choice_noise": 0.0}}
    m = CeasefireModel(scenario(build, factions, [push(["O"])]))
    m.step()
    assert m.attack_force[0].tolist() == [0.0, 0.0, 100.0, 0.0]


def test_a_group_splits_its_force_between_its_targets_by_their_flanking(build):
    # The diamond of tests/test_rule_parameters.py: B beside G alone, A beside G and G2, alike in all else. flank_bonus
    # 1 scores A (two government neighbours) 1 + 1 x (2 - 1) = 2 against B's 1: of 100 points, frontage 2, A gets
    # 2/3 and B 1/3.
    from .test_rule_parameters import diamond, regime

    diamond(build, flank=True)
    m = CeasefireModel(scenario(build, regime(flank_bonus=1.0), [push(["O"], frontage=2)]))
    m.step()
    b, a = m.theatre.town("B"), m.theatre.town("A")
    assert m.attack_force[0, [b, a]].tolist() == pytest.approx([100 / 3, 200 / 3])


# ------------------------------------------------------------------ Russia


def test_russia_holds_its_air_back_only_under_a_deal_it_brokered(build):
    # A compliant regime is bound by the truce from 2 Jan (restraint 0, nothing feeds pressure: it never breaks), so it
    # is not on the offensive: Russian air is idle_air (0.2) under a deal Turkey alone brokered, truce_air (0.05) under
    # one Russia is party to.
    line_theatre(build)
    factions = {**STRONG_REGIME, "russia": {"idle_air": 0.2, "truce_air": 0.05}}
    for parties, air in ((["turkey"], 0.2), (["russia", "turkey"], 0.05)):
        r = simulate(scenario(build, factions, [push(["T2"]), truce(parties=parties)], end="2020-01-04",
                              name=f"{len(parties)}.yaml"))
        ts = r.timeseries.set_index("date")
        assert ts.loc["2020-01-02":, "ceasefire"].eq("in force").all()
        assert ts.loc["2020-01-02":, "air_effort"].tolist() == [air] * 3, parties


def test_russia_restrains_the_government_only_where_a_deal_it_brokered_binds_it(build):
    # Russia brokers a truce in force from 2 Jan that binds HTS and the rebels but not the government (its compliance
    # 0). Free, the government pushes on: Russia backs its offensive (air_support, 0.9), as on the day it breaks a deal;
    # with no group in the field, Russia flies as with no deal (idle_air, 0.2). Its air was held at truce_air (0.05)
    # wherever the deal was in force, bound government or not.
    line_theatre(build)
    factions = {**STRONG_REGIME, "russia": {"air_support": 0.9, "idle_air": 0.2, "truce_air": 0.05}}
    unbound = truce(compliance={"regime": 0.0, "hts": 1.0, "rebels": 1.0})
    for events, air, name in (([push(["T2"]), unbound], 0.9, "pushing.yaml"), ([unbound], 0.2, "no_group.yaml")):
        r = simulate(scenario(build, factions, events, end="2020-01-04", name=name))
        ts = r.timeseries.set_index("date")
        assert ts.loc["2020-01-02":, "ceasefire"].eq("in force").all()
        assert ts.loc["2020-01-02":, "air_effort"].tolist() == [air] * 3, name


# ------------------------------------------------------------------ Turkey


def test_each_turkish_death_escalates_once_and_then_it_fades(build):
    # 30 killed in a strike on 3 Jan at 0.01 each: 0.3 that day, then halved each day (escalation_decay 0.5).
    line_theatre(build)
    strike = ev(date="2020-01-03", type="strike", by="regime", town="T1", casualties={"turkey": 30})
    turkey = {"escalation_per_death": 0.01, "escalation_decay": 0.5, "exposure": 0, "combat_exposure": 0}
    r = simulate(scenario(build, {"turkey": turkey}, [strike], end="2020-01-05"))
    assert r.timeseries["turkish_escalation"].tolist() == pytest.approx([0.0, 0.0, 0.3, 0.15, 0.075])

def test_a_turkey_that_may_not_escalate_does_not_whatever_its_dead(build):
    # The what-if switch may_escalate off: 30 soldiers killed in a strike are counted, and escalation stays 0.
    line_theatre(build)
    strike = ev(date="2020-01-03", type="strike", by="regime", town="T1", casualties={"turkey": 30})
    turkey = {"may_escalate": False, "escalation_per_death": 0.01, "exposure": 0, "combat_exposure": 0}
    r = simulate(scenario(build, {"turkey": turkey}, [strike], end="2020-01-04"))
    assert r.timeseries["turkish_deaths"].tolist() == [0, 0, 30, 30]
    assert r.timeseries["turkish_escalation"].tolist() == [0.0] * 4



def test_turkish_drones_strike_only_the_strength_not_committed_that_day(build):
    # The group (100) commits 75 at T1; at full escalation in an intervention the drones would destroy 50 (no
    # noise), but only 25 are not committed: the group is left with 75, all of it in today's assault.
    line_theatre(build)
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "commit": 0.75, "regen": 0},
                "turkey": {"drone_strength": 50}}
    m = CeasefireModel(scenario(build, factions, [push(["T1"])], combat={"noise": 0.0}))
    m.scheduled[0].fire()  # the push forms the group
    m.turkey.intervening, m.turkey.escalation[:] = True, 1.0
    m.regime.step()
    m.turkey.strike()
    group = m.regime.groups["main"]
    assert group.committed.tolist() == [75.0] and group.force.tolist() == [75.0] and m.regime.pool.tolist() == [0.0]


def test_turkish_soldiers_in_open_combat_die_only_while_the_government_fights(build):
    # Round 50 (R50-T). An intervention holds escalation at 1 from 1 Jan; open combat kills 2 a day at full
    # escalation, posts none. The group pushes at eight strong HTS towns it cannot take, so it fights every day it is
    # free to: Turkish soldiers die then (a mean of 2 a day) and never under a truce that holds it back (2 to 8 Jan),
    # nor with no group in the field at all.
    line_theatre(build, controllers=("regime", *["hts"] * 8))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "commit": 0.5, "regen": 0},
                "hts": {**STRONG_REGIME["hts"], "garrison": 40},
                "turkey": {"exposure": 0, "combat_exposure": 2.0, "drone_strength": 0, "escalation_per_death": 0}}
    shield = ev(id="shield", date="2020-01-01", type="intervention", name="shield", intensity=1.0)
    held_back = truce(until="2020-01-09", restraint=1.0)
    dead = {}
    for name, events in (("fights", [push(["T8"]), shield]), ("truce", [push(["T8"]), shield, held_back]),
                         ("no-group", [shield])):
        r = simulate(scenario(build, factions, events, name=f"{name}.yaml", end="2020-01-16", combat={"noise": 0.0}))
        assert r.timeseries["turkish_escalation"].iloc[1:].eq(1.0).all(), name
        dead[name] = r.timeseries.set_index("date")["turkish_deaths"]
    assert dead["no-group"].eq(0).all(), "nobody fights: nobody dies"
    assert dead["fights"].iloc[-1] >= 10, "two a day expected over 16 days of fighting"
    under_truce = dead["truce"].loc["2020-01-02":"2020-01-08"]
    assert under_truce.nunique() == 1, "a truce holds the government back: no Turkish soldier dies"
    assert dead["truce"].iloc[-1] >= under_truce.iloc[-1] + 5, "the truce over, the fighting and the dead resume"


def test_a_post_no_longer_spares_its_town_once_escalation_reaches_the_regimes_threshold(build):
    # A post overlooks A. Below the threshold (0.5) the regime's wish to attack A is divided by e^deterrence (e^2);
    # at exactly 0.5 it is no longer spared, as the rebels counter-attack at exactly their counter_threshold.
    post_theatre(build)
    m = CeasefireModel(scenario(build, {**STRONG_REGIME, "turkey": {"deterrence": 2.0}}))
    a = m.theatre.town("A")
    for escalation, factor in ((0.49, np.exp(-2.0)), (0.5, 1.0)):
        m.turkey.escalation[:] = escalation
        assert m.turkey.deterrence_of_posts(np.array([0]), np.array([a])).tolist() == [pytest.approx(factor)], escalation

def test_soldiers_at_a_withdrawn_post_are_not_exposed(build):
    # A post overlooking L, where HTS attacks every day from 3 Jan: 3 deaths a day are expected at it while it stands;
    # withdrawn on 2 Jan, nobody there dies.
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "regime"), ("H", 35.5, 36.1, "hts")],
                  [("R", "L", "M9"), ("L", "H", "M9")], posts=[("p1", "L", "2019-01-01", 35.51, 36.05)])
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 200, "regen": 0, "spoiler_rate": 0, "counter_commit": 0.5},
                "turkey": {"exposure": 3.0, "combat_exposure": 0, "may_escalate": False}}
    back = ev(id="strike-back", date="2020-01-03", type="offensive", faction="hts", action="start", axis=["L"])
    withdraw = ev(id="post", date="2020-01-02", type="observation_post", action="withdraw", post="p1")
    for events, dead in (([back], True), ([back, withdraw], False)):
        r = simulate(scenario(build, factions, events, end="2020-01-08", name=f"w{len(events)}.yaml"))
        assert (r.timeseries["turkish_deaths"].iloc[-1] > 0) == dead


# ------------------------------------------------------------------ the ceasefire's pressure


def test_pressure_grows_with_the_weighted_unmet_share_saturating_and_eases_by_its_share(build):
    # The regime holds T0 of T0-T2 on the M9, its one objective road (weight 2): the unmet share is the weighted mean,
    # 2/3, whatever the weight. Bound from 2 Jan (restraint 1: never broken), p' = p + 0.5 x 2/3 x (1 - p) - 0.25 x p:
    # 2 Jan 1/3; 3 Jan 1/3 + 2/9 - 1/12 = 17/36.
    line_theatre(build, controllers=("regime", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "objective_roads": {"M9": 2.0},
                                             "pressure_growth": 0.5, "pressure_easing": 0.25}}
    r = simulate(scenario(build, factions, [push(["T2"]), truce(restraint=1.0)], end="2020-01-03"))
    pressure = r.timeseries.set_index("date")["regime_pressure"]
    assert pressure.tolist() == pytest.approx([0.0, 1 / 3, 17 / 36], abs=1e-6)


def test_pretexts_add_to_the_pressure_up_to_1(build):
    # HTS rejects the deal and raids every day (spoiler_rate 1), each raid a pretext of 0.6: 0.6 after the first
    # (2 Jan), then 1, not 1.2, and 1 on.
    line_theatre(build, controllers=("regime", "hts"))
    factions = {**STRONG_REGIME, "hts": {"spoiler_rate": 1.0, "garrison": 50, "reserve": 0},
                "regime": {**STRONG_REGIME["regime"], "garrison": 50, "pretext": 0.6, "pressure_growth": 0.0,
                           "pressure_easing": 0.0}}
    r = simulate(scenario(build, factions, [truce(compliance={"regime": 1.0, "hts": 0.0}, restraint=1.0)], end="2020-01-04"))
    ts = r.timeseries.set_index("date")
    assert ts["violations"].tolist() == [0, 1, 2, 3]
    assert ts["regime_pressure"].tolist() == [0.0, 0.6, 1.0, 1.0]


def test_a_patrol_cannot_take_the_pressure_below_0(build):
    # Nothing feeds the pressure (no objective road, no spoiler): it is 0 when the first patrol, driving the whole
    # route, takes off patrol_relief 1 x coverage 1. It stays 0.
    line_theatre(build, controllers=("regime", "rebels", "rebels"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=1,
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "patrol_relief": 1.0},
                "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}
    r = simulate(scenario(build, factions, [agreement, patrol], end="2020-01-05"))
    ts = r.timeseries.set_index("date")
    assert ts.loc["2020-01-03":, "patrol_coverage"].tolist() == [1.0, 1.0, 1.0]
    assert ts["regime_pressure"].tolist() == [0.0] * 5


def test_the_urge_to_break_is_clipped_to_1_before_restraint_scales_it():
    # Half kept (rejection 0.5) with pressure 0.8: the urge is 1, not 1.3; restraint 0.5 halves it.
    day = dt.date(2020, 1, 2)
    cf = Ceasefire("t", "truce", day, day, None, ("russia",), {"regime": 0.5}, 0.5, replicates=1)
    cf.pressure[:] = 0.8
    assert cf.regime_break_chance(deterrence=1.0)[0] == pytest.approx(0.5)


# ------------------------------------------------------------------ the ceasefire's state machine


def deal_days(build, events, name, compliance=1e-6, end="2020-01-04"):
    """The deal's state and the towns taken, by date, on the line T0 (government) - T1 - T2 - T3 (HTS), under a truce
    from 2 Jan that the regime all but rejects (``compliance``: a break chance of 1 - 1e-6 a day with a group in the
    field)."""
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"))
    deal = truce(compliance={"regime": compliance, "hts": 1.0, "rebels": 1.0})
    r = simulate(scenario(build, events=[*events, deal], end=end, name=name))
    return r.timeseries["ceasefire"].tolist(), [c[:2] for c in r.captures[["date", "town"]].values.tolist()]


def test_the_regime_attacks_on_the_day_it_breaks_a_deal(build):
    states, taken = deal_days(build, [push(["T3"])], "a.yaml")
    assert states == ["announced", "broken", "broken", "broken"]
    assert taken[0] == ["2020-01-02", "T1"]  # the day it broke it, not the next


def test_with_no_group_in_the_field_a_deal_the_regime_all_but_rejects_is_not_broken(build):
    states, taken = deal_days(build, [], "a.yaml")
    assert states == ["announced", "in force", "in force", "in force"] and taken == []


def test_a_deal_with_no_compliance_from_the_regime_does_not_bind_it_and_is_never_broken(build):
    # Compliance 0: the regime is no party to the deal. It attacks from the first day, and the deal, which it never
    # signed, stays in force (only a bound regime breaks a deal).
    states, taken = deal_days(build, [push(["T3"])], "a.yaml", compliance=0.0)
    assert states == ["announced", "in force", "in force", "in force"] and taken[0] == ["2020-01-02", "T1"]


def test_a_deal_announced_but_not_yet_in_force_is_superseded_by_the_next(build):
    line_theatre(build)
    first = truce(id="first", name="first", effective="2020-01-10")
    second = truce(id="second", date="2020-01-05", name="second", effective="2020-01-07")
    m = CeasefireModel(scenario(build, events=[first, second], end="2020-01-08"))
    m.run_model()
    kinds = [(day, kind, detail) for _, day, kind, _, _, detail in m.journal.table().tolist() if kind.startswith("truce_")]
    assert (4, "truce_superseded", "first, by second") in kinds, kinds  # day 4 is 5 Jan
    assert [kind for _, kind, _ in kinds] == ["truce_announced", "truce_superseded", "truce_announced", "truce_in_force"]


# ------------------------------------------------------------------ a batch of replicates


def test_in_a_batch_a_broken_deal_frees_its_replicate_alone_and_its_pressure_stops_moving(build):
    # A half-kept deal from 2 Jan, pressure growing with the unmet M9: each replicate breaks it on a day of its own
    # draws. In a batch, one replicate's deal, still binding, must neither hold back the regime in another that broke
    # it nor keep moving that one's pressure: each replicate is what it is alone, and its pressure stays at what it
    # was on the day it broke the deal.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "objective_roads": {"M9": 1.0},
                                             "pressure_growth": 0.2, "pressure_easing": 0.0}}
    deal = truce(compliance={"regime": 0.9, "hts": 1.0, "rebels": 1.0})
    sc = scenario(build, factions, [push(["T4"], force=30), deal], end="2020-01-10")
    seeds = list(range(1, 13))
    batch = simulate_batch(sc, seeds)
    broke_on = []
    for seed, in_batch in zip(seeds, batch, strict=True):
        alone = simulate(sc, seed=seed)
        pd.testing.assert_frame_equal(in_batch.timeseries, alone.timeseries, obj=f"seed {seed}")
        ts = alone.timeseries.set_index("date")
        broken = ts.index[ts["ceasefire"] == "broken"]
        broke_on.append(broken[0] if len(broken) else None)
        if len(broken):
            assert ts.loc[broken[0]:, "regime_pressure"].nunique() == 1, seed
    assert len(set(broke_on)) > 2, "the replicates break the deal on different days, or never"


# ------------------------------------------------------------------ HTS and the rebels


def test_an_hts_raid_needs_a_deal_it_rejects_and_takes_no_more_than_the_garrison(build):
    # HTS raids every day it can (spoiler_rate 1) with 50 x lethality 1, no noise, at T0's garrison of 2: the first
    # raid takes all 2 points (200 dead), the next finds nothing left. Under a deal HTS keeps (compliance 1) it never raids.
    # (Its reserve of 50 is the party: a raid is no larger than the reserve it comes out of.)
    line_theatre(build, controllers=("regime", "hts"))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "garrison": 2, "pressure_growth": 0.0},
                "hts": {"spoiler_rate": 1.0, "raid_strength": 50, "garrison": 50, "reserve": 50}}
    for hts, violations, dead in ((0.0, [0, 1, 2], [0, 200, 200]), (1.0, [0, 0, 0], [0, 0, 0])):
        m = CeasefireModel(scenario(build, factions, [truce(compliance={"regime": 1.0, "hts": hts}, restraint=1.0)],
                                    end="2020-01-03", combat={"lethality": 1.0, "noise": 0.0}, name=f"h{hts}.yaml"))
        m.run_model()
        ts = m.datacollector.get_model_vars_dataframe()
        assert [int(v[0]) for v in ts["violations"]] == violations, hts
        assert [float(v[0]) for v in ts["casualties_regime"]] == dead, hts
        assert m.garrison[0, 0] == (0.0 if hts == 0.0 else 2.0)


def test_an_hts_raid_draws_return_fire_from_the_garrison_at_most_the_raiding_party(build):
    # Lethality 0.25, no noise, urban 1 (urban_defence 0), T0's garrison 2, HTS's reserve 10 raiding every day from
    # the 2nd. Both sides fire at once: a party of 1 kills 0.25 of the garrison (25 dead) and the garrison's 2 kill
    # 0.5 of the party (50 dead); on the 3rd the garrison of 1.75 kills 0.4375 (93.75 dead in all, 94 in the column,
    # which counts whole fighters). A party of 0.2 is wiped out each day (0.2 < 0.5) and kills 0.05.
    line_theatre(build, controllers=("regime", "hts"))
    for party, reserve, hts_dead, regime_dead in ((1.0, [10.0, 9.5, 9.0625], [0.0, 50.0, 94.0], [0.0, 25.0, 50.0]),
                                                  (0.2, [10.0, 9.8, 9.6], [0.0, 20.0, 40.0], [0.0, 5.0, 10.0])):
        factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "garrison": 2, "pressure_growth": 0.0},
                    "hts": {"spoiler_rate": 1.0, "raid_strength": party, "reserve": 10, "regen": 0}}
        m = CeasefireModel(scenario(build, factions, [truce(compliance={"regime": 1.0, "hts": 0.0}, restraint=1.0)],
                                    end="2020-01-03", combat={"lethality": 0.25, "noise": 0.0, "urban_defence": 0.0},
                                    name=f"p{party}.yaml"))
        m.run_model()
        ts = m.datacollector.get_model_vars_dataframe()
        assert [float(v[0]) for v in ts["hts_reserve"]] == pytest.approx(reserve), party
        assert [float(v[0]) for v in ts["casualties_hts"]] == pytest.approx(hts_dead), party
        assert [float(v[0]) for v in ts["casualties_regime"]] == pytest.approx(regime_dead), party


def test_an_opposition_reserve_recruits_regen_a_day(build):
    # No fighting anywhere (no offensive): HTS's reserve grows from 10 by 2 a day, the rebels' from 20 by 0.5.
    line_theatre(build)
    calm = {**STRONG_REGIME, "hts": {"reserve": 10, "regen": 2.0, "spoiler_rate": 0}, "rebels": {"reserve": 20, "regen": 0.5}}
    ts = simulate(scenario(build, calm, end="2020-01-04")).timeseries
    assert ts["hts_reserve"].tolist() == [10.0, 12.0, 14.0, 16.0]
    assert ts["rebel_reserve"].tolist() == [20.0, 20.5, 21.0, 21.5]


def test_a_reserve_reinforces_its_own_towns_under_assault_with_its_reinforce_share(build):
    # HTS's H and the rebels' B are both under assault. HTS sends reinforce 0.5 of its reserve of 10 to its one town
    # under assault (H: 1 + 5), none to the rebels' B (1), and keeps 5.
    build.theatre([("R", 35.5, 36.0, "regime"), ("H", 35.5, 36.05, "hts"), ("B", 35.55, 36.0, "rebels")],
                  [("R", "H", "M9"), ("R", "B", "M9")])
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 10, "regen": 0, "reinforce": 0.5}}
    m = CeasefireModel(scenario(build, factions))
    h, b = m.theatre.town("H"), m.theatre.town("B")
    m.declare_attacks("regime", np.array([[[h, b]]]), np.array([[[1.0, 1.0]]]), [])
    m.hts.defend()
    assert m.garrison[0, [h, b]].tolist() == [6.0, 1.0] and m.hts.force.tolist() == [5.0]


def counter_offensive_theatre(build, controllers=("regime", "regime", "hts")):
    """T0 - T1 - T2 on one road; HTS's reported counter-offensive ``axis`` read with :meth:`HTS.aim`."""
    line_theatre(build, controllers=controllers)
    return CeasefireModel(scenario(build))


def test_a_counter_offensive_aims_only_at_a_town_with_opposition_ground_beside_it_and_no_military_police(build):
    m = counter_offensive_theatre(build)
    m.hts.axis = np.array([0, 1])
    assert m.hts.aim().tolist() == [-1]  # T0, the first government town of the axis, has only T1 (government) beside it
    m.hts.axis = np.array([1])
    assert m.hts.aim().tolist() == [1]  # T1 has HTS's T2 beside it
    m.military_police[0, 1] = True
    assert m.hts.aim().tolist() == [-1]


def test_hts_strikes_back_only_until_its_counter_offensive_is_reported_over(build):
    # The government takes L on 2 Jan; HTS's counter-offensive runs 3-5 Jan (stopped on 6 Jan), with a reserve that
    # retakes L but cannot hold it (garrison 1 against a strong group): HTS attacks L on no day from 6 Jan.
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "hts"), ("H", 35.5, 36.1, "hts")],
                  [("R", "L", "M9"), ("L", "H", "M9")])
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 200, "regen": 0, "spoiler_rate": 0, "counter_commit": 0.5}}
    counter = [ev(id="back", date="2020-01-03", type="offensive", faction="hts", action="start", axis=["L"]),
               ev(id="back-over", date="2020-01-06", type="offensive", faction="hts", action="stop")]
    r = simulate(scenario(build, factions, [push(["L"]), *counter], end="2020-01-10"))
    back = [c[0] for c in r.captures[["date", "town", "detail"]].values.tolist() if c[2].startswith("regime -> hts")]
    assert back and all("2020-01-03" <= day <= "2020-01-05" for day in back), back


def test_a_counter_offensives_stop_says_in_the_events_log_which_it_ends(build):
    """HTS's or the rebels' offensive_stop row had an empty detail, where its start gave the axis and the government's
    stop names the group it stands down: it now gives the axis the counter-offensive ran on."""
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "hts"), ("H", 35.5, 36.1, "hts")],
                  [("R", "L", "M9"), ("L", "H", "M9")])
    counter = [ev(id="back", date="2020-01-03", type="offensive", faction="hts", action="start", axis=["L", "R"]),
               ev(id="back-over", date="2020-01-06", type="offensive", faction="hts", action="stop"),
               ev(id="push-over", date="2020-01-07", type="offensive", group="main", action="stop")]
    r = simulate(scenario(build, STRONG_REGIME, [push(["L"]), *counter], end="2020-01-08"))
    rows = r.events[r.events["type"].str.startswith("offensive_")][["type", "actors", "detail"]].values.tolist()
    assert rows == [["offensive_start", "regime", "main: L"], ["offensive_start", "hts", "L > R"],
                    ["offensive_stop", "hts", "L > R"], ["offensive_stop", "regime", "main"]], rows



def test_a_deal_only_announced_does_not_hold_hts_back_and_its_strikes_are_no_violations(build):
    # The government takes L on 2 Jan; HTS strikes back along its counter-offensive from 5 Jan, though a deal it
    # will keep (compliance 1) is announced: it binds only from 20 Jan. None of it is a violation.
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "hts"), ("H", 35.5, 36.1, "hts")],
                  [("R", "L", "M9"), ("L", "H", "M9")])
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 200, "regen": 0, "spoiler_rate": 0, "counter_commit": 0.5}}
    events = [push(["L"]), ev(id="strike-back", date="2020-01-05", type="offensive", faction="hts", action="start", axis=["L"]),
              truce(effective="2020-01-20")]
    r = simulate(scenario(build, factions, events, end="2020-01-10"))
    back = [c for c in r.captures[["date", "town", "detail"]].values.tolist() if c[2].startswith("regime -> hts")]
    assert back and back[0][0] == "2020-01-05"
    assert r.timeseries["violations"].max() == 0 and (r.timeseries["ceasefire"] == "announced").all()


def test_the_rebels_counter_attack_once_escalation_reaches_their_threshold(build):
    # An intervention of intensity 0.5 holds Turkey's escalation at exactly 0.5 (no Turkish deaths: no exposure), the
    # rebels' counter_threshold: they strike back at L from the intervention's first day.
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "rebels"), ("H", 35.5, 36.1, "rebels")],
                  [("R", "L", "M9"), ("L", "H", "M9")])
    factions = {**STRONG_REGIME, "rebels": {"garrison": 1, "reserve": 200, "regen": 0, "counter_threshold": 0.5,
                                            "counter_commit": 0.5},
                "turkey": {"exposure": 0, "combat_exposure": 0}}
    events = [push(["L"]), ev(id="shield", date="2020-01-06", type="intervention", name="shield", intensity=0.5)]
    r = simulate(scenario(build, factions, events, end="2020-01-08"))
    assert r.timeseries.set_index("date").loc["2020-01-06":, "turkish_escalation"].tolist() == [0.5, 0.5, 0.5]
    back = [c[0] for c in r.captures[["date", "town", "detail"]].values.tolist() if c[2].startswith("regime -> rebels")]
    assert back and back[0] == "2020-01-06"


def test_the_rebels_retake_the_most_weakly_held_town_taken_from_the_opposition_and_not_policed(build):
    # B (rebels) has three government neighbours: A, always the government's, with no garrison; C (3) and D (1), taken
    # from the rebels. They counter-attack D, the weakest they lost; with Russian military police in D, C.
    build.theatre([("B", 35.5, 36.0, "rebels"), ("A", 35.5, 36.05, "regime"), ("C", 35.55, 36.0, "rebels"),
                   ("D", 35.45, 36.0, "rebels")], [("B", "A", "M9"), ("B", "C", "M9"), ("B", "D", "M9")])
    factions = {**STRONG_REGIME, "rebels": {"garrison": 1, "reserve": 100, "regen": 0, "counter_commit": 0.5}}
    for police, target in ((False, "D"), (True, "C")):
        m = CeasefireModel(scenario(build, factions, name=f"p{police}.yaml"))
        a, c, d = (m.theatre.town(n) for n in "ACD")
        m.controller[0, [c, d]] = 0
        m.garrison[0, [a, c, d]] = [0.0, 3.0, 1.0]
        m.military_police[0, d] = police
        m.turkey.escalation[:] = 1.0
        m.rebels.step()
        assert m.attack_force[0].tolist() == [50.0 if town == target else 0.0 for town in m.theatre.towns], police


# ------------------------------------------------------------------ patrols, sit-ins and protest camps


QUIET_HTS = {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}


def daily_patrols(build, events, hts, end="2020-01-07", controllers=("regime", "rebels", "rebels", "rebels"), name="s.yaml"):
    """A daily patrol plan from 2 Jan along T0 (government) to T3, and ``events``; each patrol as (date, how it ended).
    HTS holds a town aside (it stages its spoiling only where it holds one)."""
    line_theatre(build, controllers=controllers, aside=("hts",))
    patrol = ev(date="2020-01-02", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=1,
                participants=["russia", "turkey"])
    r = simulate(scenario(build, {**STRONG_REGIME, "hts": {**QUIET_HTS, **hts}}, [*events, patrol], end=end, name=name))
    rows = r.events[r.events["type"].str.startswith("patrol")]
    return [(str(d)[:10], t) for d, t in rows[["date", "type"]].values.tolist()], r


def test_a_sit_in_blocks_the_road_for_protest_days_after_the_day_it_is_staged(build):
    # HTS rejects the first deal, in force on 2 Jan alone: that day, after the patrol, it stages a sit-in (protest_rate
    # 1) of 3 days. The next deal, from 3 Jan, it keeps (no more sit-ins). Patrols are stopped on 3, 4 and 5 Jan and
    # drive the whole route again from 6 Jan.
    first = truce(id="first", name="first", until="2020-01-02", compliance={"regime": 1.0, "hts": 0.0}, restraint=1.0)
    second = truce(id="second", name="second", date="2020-01-03", effective="2020-01-03",
                   compliance={"regime": 1.0, "hts": 1.0}, restraint=1.0)
    days, _ = daily_patrols(build, [first, second], {"protest_rate": 1.0, "protest_days": 3})
    assert days == [("2020-01-02", "patrol_completed"), ("2020-01-03", "patrol"), ("2020-01-04", "patrol"),
                    ("2020-01-05", "patrol"), ("2020-01-06", "patrol_completed"), ("2020-01-07", "patrol_completed")]


def test_no_sit_in_is_staged_on_a_road_made_wholly_secure(build):
    # HTS rejects the deal and would stage a sit-in every day (protest_rate 1); the first patrol, on 2 Jan before HTS
    # acts, drives the whole road and makes every town on it secure (patrol_security 1): no sit-in, ever. With
    # patrol_security 0, one every day from 2 Jan.
    deal = truce(compliance={"regime": 1.0, "hts": 0.0}, restraint=1.0)
    for security, sit_ins in ((1.0, 0), (0.0, 6)):
        line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"), aside=("hts",))  # HTS's ground
        patrol = ev(date="2020-01-02", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=1,
                    participants=["russia", "turkey"])
        factions = {**STRONG_REGIME, "hts": {**QUIET_HTS, "protest_rate": 1.0, "protest_days": 1},
                    "turkey": {"patrol_security": security}}
        r = simulate(scenario(build, factions, [deal, patrol], end="2020-01-07", name=f"s{security}.yaml"))
        assert (r.events["type"] == "sit_in").sum() == sit_ins, security

def test_a_protest_camp_is_gone_on_its_until_date(build):
    camp = ev(date="2020-01-02", type="sit_in", town="T2", until="2020-01-05")
    days, _ = daily_patrols(build, [truce(restraint=1.0), camp], {})
    assert days == [("2020-01-02", "patrol"), ("2020-01-03", "patrol"), ("2020-01-04", "patrol"),
                    ("2020-01-05", "patrol_completed"), ("2020-01-06", "patrol_completed"), ("2020-01-07", "patrol_completed")]


def test_a_sit_in_does_not_stop_a_patrol_at_a_town_the_government_has_since_taken(build):
    # A sit-in set to last the whole run at T1 stops the patrol there; once the government holds T1, it does not.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"))
    m = CeasefireModel(scenario(build, {**STRONG_REGIME, "hts": QUIET_HTS}))
    route = np.array([1, 2, 3])
    m.sit_in_until[0, 1] = 100
    assert m.hts.blocks_patrol(route, 0).tolist() == [[True, False, False]]
    m.controller[0, 1] = 0
    assert m.hts.blocks_patrol(route, 0).tolist() == [[False, False, False]]



def test_a_patrol_stopped_at_an_opposition_town_may_be_ambushed_there_and_only_by_hts_rejecting_the_deal(build):
    # T0 and T1 are the government's, T2 the rebels', T3 HTS's: every patrol is stopped on the way into T2 (beside HTS
    # ground), having driven only government ground; the town it was stopped at is opposition-held, so an HTS that
    # rejects the deal ambushes it (patrol_attack 1) every time; one that keeps it (compliance 1) neither stops it
    # (its blocking, as its other spoiling, comes as far as it rejects the deal) nor ambushes it.
    for hts, ambushes, patrols in ((0.0, 6, "patrol"), (1.0, 0, "patrol_completed")):
        deal = truce(compliance={"regime": 1.0, "hts": hts}, restraint=1.0)
        days, r = daily_patrols(build, [deal], {"patrol_block": 1.0, "patrol_attack": 1.0, "patrol_attack_casualties": 0.0},
                                controllers=("regime", "regime", "rebels", "hts"), name=f"a{hts}.yaml")
        assert {t for _, t in days} == {patrols} and len(days) == 6
        attacks = r.events[r.events["detail"] == "attack on the joint patrol"]
        assert len(attacks) == ambushes and set(attacks["town"]) <= {"T1"}, hts


# ------------------------------------------------------------------ scenario events


def test_a_group_is_given_no_more_than_the_pool_holds(build):
    # The pool has 100: a group sent with 150 gets 100, the next, sent with 50 the night after, nothing; the regime's
    # force stays 100. (Orders of one night share the pool: tests/test_rules_edges.py.)
    line_theatre(build, controllers=("regime", "regime", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 100, "regen": 0}}
    orders = [push(["T0"], group="a", force=150), push(["T1"], group="b", date="2020-01-02", force=50)]
    m = CeasefireModel(scenario(build, factions, orders, end="2020-01-03"))
    m.run_model()
    assert [g.force.tolist() for g in m.regime.groups.values()] == [[100.0], [0.0]]
    assert m.regime.pool.tolist() == [0.0] and m.regime.force.tolist() == [100.0]


def test_turkish_troops_of_several_reinforcements_add_up(build):
    line_theatre(build)
    more = [ev(id=f"troops-{day}", date=f"2020-01-0{day}", type="reinforcement", faction="turkey", strength=strength)
            for day, strength in ((2, 3), (4, 1.5))]
    r = simulate(scenario(build, events=more, end="2020-01-05"))
    assert r.timeseries["turkish_troops"].tolist() == [0.0, 3.0, 3.0, 4.5, 4.5]


def test_a_reported_strike_is_carried_out_under_a_deal_in_force_that_does_not_bind_its_striker(build):
    # The deal in force from 2 Jan binds HTS and the rebels, not the government (no compliance given): its strike on
    # 5 Jan kills the 10 Turkish soldiers reported.
    line_theatre(build, controllers=("regime", "hts", "hts"))
    quiet = {**STRONG_REGIME, "turkey": {"exposure": 0, "combat_exposure": 0}}
    strike = ev(id="strike", date="2020-01-05", type="strike", by="regime", town="T1", casualties={"turkey": 10})
    deal = truce(compliance={"hts": 1.0, "rebels": 1.0}, restraint=1.0)
    r = simulate(scenario(build, quiet, [deal, strike], end="2020-01-06"))
    assert r.timeseries.set_index("date").loc["2020-01-05", "ceasefire"] == "in force"
    assert r.timeseries["turkish_deaths"].iloc[-1] == 10 and "strike_withheld" not in set(r.events["type"])


def test_military_police_stand_only_in_a_town_the_government_holds(build):
    # Sent to T1 (HTS's) and T0 (the government's): only T0 gets them, and T1 is not barred to a counter-attack.
    line_theatre(build)
    police = [ev(id=f"mp-{town}", date="2020-01-02", type="military_police", town=town) for town in ("T0", "T1")]
    m = CeasefireModel(scenario(build, events=police, end="2020-01-02"))
    m.run_model()
    assert m.military_police[0].tolist() == [True, False, False]


def test_a_patrol_plan_lasts_through_its_until_date(build):
    # Patrols daily until 5 Jan; HTS stages a day's sit-in on the patrolled road every day it is patrolled (protest_rate
    # 1): on 2, 3, 4 and 5 Jan (days 1-4), and no more after. The last patrol's coverage still counts on 5 Jan.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-02", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=1, until="2020-01-05",
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {**QUIET_HTS, "protest_rate": 1.0, "protest_days": 1}}
    m = CeasefireModel(scenario(build, factions, [agreement, patrol], end="2020-01-08"))
    m.run_model()
    assert sorted({row[1] for row in m.journal.table() if row[2] == "sit_in"}) == [1, 2, 3, 4]



def test_a_reinforcement_adds_to_an_opposition_reserve(build):
    line_theatre(build)
    calm = {**STRONG_REGIME, "rebels": {"reserve": 10, "regen": 0}}
    more = ev(id="more", date="2020-01-03", type="reinforcement", faction="rebels", strength=7.5)
    r = simulate(scenario(build, calm, [more], end="2020-01-04"))
    assert r.timeseries["rebel_reserve"].tolist() == [10.0, 10.0, 17.5, 17.5]


def test_a_reserve_shared_among_its_towns_under_assault_is_never_overdrawn(build):
    # 1.7417085427135681 / 3, sent to each of three towns, adds up to 2**-52 or so more than the reserve: the reserve
    # was left at -2.2e-16, and a strike of 0 then booked that as negative dead. A run alone kept it; in a batch a
    # replicate whose rebels also counter-attacked that day had it clamped to 0 (pay_for_assaults), so the two wrote
    # their casualties apart (-0.0 and 0.0: found by the fuzzed batch test). Sent in full, the reserve is 0, exactly.
    reserve = 1.7417085427135681
    assert reserve - 3 * (reserve / 3) < 0  # the rounding this test is about
    build.theatre([("R", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "rebels"), ("B", 35.55, 36.0, "rebels"),
                   ("C", 35.45, 36.0, "rebels")], [("R", "A", "M9"), ("R", "B", "M9"), ("R", "C", "M9")])
    factions = {**STRONG_REGIME, "rebels": {"garrison": 0, "reserve": reserve, "regen": 0, "reinforce": 1.0}}
    m = CeasefireModel(scenario(build, factions))
    towns = [m.theatre.town(t) for t in "ABC"]
    m.declare_attacks("regime", np.array([[towns]]), np.array([[[1.0, 1.0, 1.0]]]), [])
    m.rebels.defend()
    assert m.garrison[0, towns].tolist() == [reserve / 3] * 3
    assert m.rebels.force.tobytes() == np.zeros(1).tobytes()  # 0.0, not -2.2e-16 (nor -0.0)
    m.rebels.lose(np.zeros(1))
    assert m.casualties["rebels"].tobytes() == np.zeros(1).tobytes()
