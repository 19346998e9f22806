"""The rules that decide the campaign (combat, collapse, the groups' ground and strength, the opposition's reserves), at
edges the shipped scenarios seldom or never reach, on hand-built theatres with known answers."""

import numpy as np
import pytest

from sim import CeasefireModel

from .conftest import ev, line_theatre
from .test_rules import STRONG_REGIME, scenario, truce


def test_hts_raids_only_with_the_part_of_its_reserve_it_has_not_thrown_at_a_counter_attack(build):
    # A reserve of 4: half of it (counter_commit 0.5) is thrown at T1 on HTS's counter-offensive, under a deal HTS
    # rejects, and it raids the same day. The raiding party was drawn from the whole reserve, the 2 points already
    # committed included: a party of 4 and an assault of 2 were both wiped out by T1's garrison of 50, and HTS booked
    # 6 points of dead out of a reserve of 4. The party is what is left once the counter-attack is committed: 2.
    line_theatre(build, controllers=("regime", "regime", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 0, "garrison": 50, "regen": 0},
                "hts": {"garrison": 1, "reserve": 4, "regen": 0, "spoiler_rate": 1.0, "raid_strength": 4,
                        "counter_commit": 0.5, "protest_rate": 0.0, "patrol_block": 0.0}}
    deal = truce(effective="2020-01-01", compliance={"regime": 1.0, "hts": 0.0, "rebels": 1.0})
    back = ev(id="back", date="2020-01-01", type="offensive", faction="hts", action="start", axis=["T1"])
    combat = {"noise": 0.0, "break_ratio": 100, "withdraw_ratio": 100, "lethality": 0.1}
    m = CeasefireModel(scenario(build, factions, events=[deal, back], end="2020-01-02", combat=combat))
    m.step()
    kinds = [row[5] for row in m.journal.table().tolist() if row[2] == "violation"]
    assert kinds == ["counter-attack on government positions", "raid on government positions"]
    dead = m.casualties["hts"][0] / m.combat_params.fighters_per_point
    assert dead == pytest.approx(4.0) and m.hts.force[0] == pytest.approx(0.0)  # all of it lost, and no more
    assert m.garrison[0, 1] == pytest.approx(50.0 - 0.1 * 2 - 0.1 * 2)  # a party of 2 and an assault of 2


def test_survivors_whose_refuge_falls_go_to_the_strongest_garrison_of_their_side_as_it_stands_after_the_falls(build):
    # X (HTS, 6 points) falls to the government with F, the refuge it was given; the same day HTS takes B from the
    # government, leaving a garrison of 0.5 there. X's survivors go to their side's strongest neighbour: D (3 points),
    # not B. The refuges were ranked by the garrisons before the new ones were set, so B counted with the
    # government's 10 it had held, and took them.
    build.theatre([("G", 35.5, 36.0, "regime"), ("X", 35.5, 36.05, "hts"), ("F", 35.5, 36.1, "hts"),
                   ("D", 35.45, 36.05, "hts"), ("B", 35.55, 36.05, "regime")],
                  [("G", "X", "M9"), ("X", "F", "M9"), ("X", "D", "M9"), ("X", "B", "M9")])
    m = CeasefireModel(scenario(build))
    g, x, f, d, b = (m.theatre.town(n) for n in "GXFDB")
    m.garrison[0, [x, f, d, b]] = [6.0, 1.0, 3.0, 10.0]
    hts, regime = m.hts.code, 0
    m.capture(np.zeros(3, int), np.array([x, f, b]), np.array([regime, regime, hts], np.int8), np.array([1.0, 1.0, 0.5]),
              np.array([f, -1, g]), cause="assault")
    assert m.garrison[0, [d, b]].tolist() == [3.0 + 6.0, 0.5]


def test_survivors_with_no_refuge_before_the_falls_go_to_a_town_their_side_took_in_them(build):
    # X (HTS, 6 points) has no HTS neighbour when it falls, and the same day HTS takes B, next to it, from the
    # government. Once the day's falls are known their side holds B, and they fall back there, as survivors whose
    # refuge fell with them find B (the test above). With no refuge to begin with, they were lost.
    build.theatre([("G", 35.5, 36.0, "regime"), ("X", 35.5, 36.05, "hts"), ("B", 35.55, 36.05, "regime"),
                   ("G2", 35.6, 36.05, "regime")], [("G", "X", "M9"), ("X", "B", "M9"), ("B", "G2", "M9")])
    m = CeasefireModel(scenario(build))
    g, x, b, g2 = (m.theatre.town(n) for n in ("G", "X", "B", "G2"))
    m.garrison[0, [x, b, g2]] = [6.0, 10.0, 1.0]
    m.capture(np.zeros(2, int), np.array([x, b]), np.array([0, m.hts.code], np.int8), np.array([1.0, 0.5]),
              np.array([-1, g2]), cause="assault")
    assert m.garrison[0, [b, g2]].tolist() == [0.5 + 6.0, 1.0 + 10.0]
    assert m.casualties["hts"][0] == 0.0
