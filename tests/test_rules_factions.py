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
