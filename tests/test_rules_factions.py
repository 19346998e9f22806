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
