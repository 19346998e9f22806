"""Combat's thresholds and factors on hand-built theatres, each with an answer worked out by hand.

These close gaps a mutation audit found: changes to ``sim.model.combat`` that
no other test noticed (a comparison turned round at its threshold, a term
dropped, a side swapped). Each test says which change it catches. The numbers
are exact in binary where a threshold is met exactly: noise off (a log-normal
of spread 0 is exactly 1), towns of the default 1,000 people (urban factor
exactly 1), Russian air at 0 before the first day (attack multiplier 1), and
Turkey's escalation 0 unless set.
"""

import numpy as np
import pytest

from sim import CeasefireModel
from sim.model import combat

from .test_rule_parameters import assault, duel, government_group
from .test_rules import scenario


def rebels_assault_a_flanked_town(build, urban: float | None = None) -> tuple[CeasefireModel, int, int]:
    """D (government, garrison 10) with two opposition neighbours, X1 (rebels) and X2 (HTS: the two hold one front),
    and a government one, F (garrison 1), to withdraw to; 30 rebels declared on D, lethality 0.001, no noise,
    flank_pressure 1, withdraw_ratio 5. ``urban``: D's urban factor in place of the theatre's. Returns (model, D, F)."""
    build.theatre([("D", 35.5, 36.0, "regime"), ("X1", 35.5, 36.05, "rebels"), ("X2", 35.45, 36.0, "hts"),
                   ("F", 35.55, 36.0, "regime")], [("D", "X1", "M9"), ("D", "X2", "M9"), ("D", "F", "M9")])
    m = CeasefireModel(scenario(build, combat={"lethality": 0.001, "noise": 0.0, "break_ratio": 100, "withdraw_ratio": 5.0,
                                               "flank_pressure": 1.0, "min_garrison": 0.3}))
    d, f = m.theatre.town("D"), m.theatre.town("F")
    m.garrison[0, [d, f]] = [10.0, 1.0]
    if urban is not None:
        m.urban = m.urban.copy()  # the theatre's own, shared and read-only
        m.urban[0, d] = urban
    m.rebels.force[:] = 30.0
    m.declare_attacks("rebels", np.array([[[d]]]), np.array([[[30.0]]]), [m.rebels])
    return m, d, f


def test_an_opposition_attack_is_pressed_by_the_opposition_towns_around_its_target(build):
    # They kill 0.03 and lose 0.01. Odds 29.99 / 9.97 = 3.008; the attacker holds 2 neighbours, so with
    # flank_pressure 1 the defenders feel 3.008 x (1 + 1 x (2 - 1)) = 6.016 > withdraw_ratio 5: they withdraw to F
    # and D falls. Counting the flanks as the government's whatever the attacker (F alone: 1 flank) leaves 3.008,
    # and D would hold.
    m, d, f = rebels_assault_a_flanked_town(build)
    combat.resolve(m)
    assert m.controller[0, d] == m.rebels.code
    assert m.garrison[0, f] == pytest.approx(1.0 + 9.97)  # the garrison walked out to F


def test_odds_too_large_to_press_further_are_pressed_to_infinity_without_a_warning(build):
    # As above, but D's defence is worth almost nothing (an urban factor of 3e-308): the odds, 29.99 / (9.97 x 3e-308)
    # ~ 1.0e308, are finite, and pressing them with the second flank (x 2) passes the largest float. The fuzzed
    # parameters of the slow suite found it (round 47): numpy warned of an overflow in the multiplication, which the
    # tests take as an error. The defenders feel odds of inf, which is what they are, and D falls.
    m, d, _ = rebels_assault_a_flanked_town(build, urban=3e-308)
    combat.resolve(m)
    assert m.controller[0, d] == m.rebels.code


@pytest.mark.parametrize(("escalation", "holder"), [(0.0, "regime"), (1.0, "hts")])
def test_a_post_adds_no_fire_to_the_defence_until_turkey_escalates(build, escalation, holder):
    # 30 on 10, lethality 0.1, a post overlooking D (post_defence 2). At escalation 0 the post adds nothing: 3 are
    # killed, the attack loses 1 (10 x 0.1 x 1), and odds of 29 on 7 = 4.1 > break_ratio 3 rout the garrison. At
    # escalation 1 the defence is x 3 (1 + 2 x 1 x one post): the attack loses 3, and 27 on 21 hold. A post that
    # fired whatever the escalation would hold D at escalation 0 too.
    m = duel(build, attacker="regime", defender="hts", posts=[("p1", "D", "2019-01-01", 35.51, 36.0)], break_ratio=3.0,
             factions={"turkey": {"post_defence": 2.0, "suppression": 0.0}})
    m.turkey.escalation[:] = escalation
    garrison, held_by = assault(m, "regime", 30.0)
    assert held_by == holder
    if holder == "hts":
        assert garrison == pytest.approx(7.0)


@pytest.mark.parametrize(("break_ratio", "holder"), [(5.25, "regime"), (5.0, "rebels")])
def test_defenders_are_routed_only_when_outnumbered_more_than_break_ratio_times(build, break_ratio, holder):
    # 32 rebels on a government garrison of 8, lethality 0.0625 (every number exact in binary): the garrison loses
    # 0.0625 x 32 = 2 (6 left), the attack 0.0625 x 8 = 0.5 (31.5 left). Odds 31.5 / 6 = 5.25 exactly: at a
    # break_ratio of 5.25 the defenders are outnumbered exactly that many times, not more, and hold (docs/model.md: "routed
    # (outnumbered more than break_ratio times)"); at 5.0 they break.
    m = duel(build, lethality=0.0625, break_ratio=break_ratio)
    m.garrison[0, m.theatre.town("D")] = 8.0
    m.rebels.force[:] = 32.0
    garrison, held_by = assault(m, "rebels", 32.0)
    assert held_by == holder
    if holder == "regime":
        assert garrison == 6.0


@pytest.mark.parametrize(("least", "holder"), [(1.5, "regime"), (1.5625, "rebels")])
def test_a_garrison_left_with_exactly_min_garrison_holds(build, least, holder):
    # 4 rebels on 2, lethality 0.125: the garrison loses 0.5 and keeps 1.5; the attack loses 0.25 (odds 3.75 / 1.5
    # = 2.5, far from a rout). A garrison falls with fewer than min_garrison points left: 1.5 is not fewer than
    # 1.5, and D holds; it is fewer than 1.5625, and D falls.
    m = duel(build, lethality=0.125, min_garrison=least)
    m.garrison[0, m.theatre.town("D")] = 2.0
    m.rebels.force[:] = 4.0
    garrison, held_by = assault(m, "rebels", 4.0)
    assert held_by == holder
    if holder == "regime":
        assert garrison == 1.5


@pytest.mark.parametrize(("refuge", "holder"), [(False, "hts"), (True, "regime")])
def test_a_garrison_with_no_neighbour_of_its_own_cannot_withdraw_and_holds(build, refuge, holder):
    # D (HTS, 10) next to the government's X and, if ``refuge``, to F (HTS, 1). 30 attack D, lethality 0.001: odds
    # 29.99 / 9.97 = 3.008, past withdraw_ratio 2 but short of break_ratio 100. With F to go to, the garrison
    # withdraws and D falls; with no way out it stays and fights, and D holds with what the day's fire left (9.97).
    # (Let it withdraw with nowhere to go and D falls, its 9.97 points lost.)
    towns_ = [("D", 35.5, 36.0, "hts"), ("X", 35.5, 36.05, "regime")] + [("F", 35.55, 36.0, "hts")] * refuge
    build.theatre(towns_, [("D", "X", "M9")] + [("D", "F", "M9")] * refuge)
    m = CeasefireModel(scenario(build, combat={"lethality": 0.001, "noise": 0.0, "break_ratio": 100, "withdraw_ratio": 2.0,
                                               "min_garrison": 0.3}))
    d = m.theatre.town("D")
    m.garrison[0, d] = 10.0
    m.declare_attacks("regime", np.array([[[d]]]), np.array([[[30.0]]]), [government_group(30.0)])
    combat.resolve(m)
    assert ["regime", "hts", "rebels"][m.controller[0, d]] == holder
    if holder == "hts":
        assert m.garrison[0, d] == pytest.approx(9.97)
        assert m.casualties["hts"][0] == pytest.approx(0.03 * m.combat_params.fighters_per_point)


@pytest.mark.parametrize("attacker", ["hts", "rebels"])
def test_turkish_fire_support_backs_an_hts_assault_as_well_as_the_rebels(build, attacker):
    # 10 on a government garrison of 10, lethality 0.1, fire_support 3 at escalation 1: the attack kills
    # 0.1 x 10 x (1 + 3) = 4, whichever opposition faction makes it (the module's docstring: "Turkish fire support
    # for any opposition attacker, HTS as well as the rebels"). Without it the attack would kill 1.
    m = duel(build, attacker=attacker, factions={"turkey": {"fire_support": 3.0}})
    m.turkey.escalation[:] = 1.0
    m.factions[attacker].force[:] = 10.0
    assert assault(m, attacker, 10.0) == (pytest.approx(6.0), "regime")


def test_two_garrisons_falling_back_into_one_town_the_same_day_both_arrive(build):
    # G1 - A - D - B - G2: A (5) and B (7) fall in one call, both told to fall back to D (1). D ends with
    # 1 + 5 + 7 = 13 and nobody is lost; adding the two at one index in one go would keep only one of them.
    build.theatre([("G1", 35.5, 36.0, "regime"), ("A", 35.5, 36.055, "hts"), ("D", 35.5, 36.11, "hts"),
                   ("B", 35.5, 36.165, "hts"), ("G2", 35.5, 36.22, "regime")],
                  [("G1", "A", "M9"), ("A", "D", "M9"), ("D", "B", "M9"), ("B", "G2", "M9")])
    m = CeasefireModel(scenario(build))
    a, d, b = (m.theatre.town(n) for n in "ADB")
    m.garrison[0, [a, d, b]] = [5.0, 1.0, 7.0]
    m.capture(np.array([0, 0]), np.array([a, b]), np.array([0, 0], np.int8), np.array([2.0, 2.0]), np.array([d, d]),
              cause="assault")
    assert m.garrison[0, [a, d, b]].tolist() == [2.0, 13.0, 2.0]
    assert m.casualties["hts"][0] == 0.0


@pytest.mark.parametrize(("shock", "holder"), [(0.0, "hts"), (0.5, "regime")])
def test_a_shaken_garrison_defends_at_1_minus_shock_of_its_strength(build, shock, holder):
    # 30 on an HTS garrison of 10, lethality 0.1, break_ratio 6: 3 killed (7 left). Unshaken, the attack loses 1:
    # odds 29 / 7 = 4.1, and the garrison holds. Shaken to 0.5, it defends at half strength: the attack loses 0.5,
    # and odds of 29.5 / 3.5 = 8.4 rout it. (Only the campaign's record caught a shock left out of the defence.)
    m = duel(build, attacker="regime", defender="hts", break_ratio=6.0, factions={"turkey": {"suppression": 0.0}})
    m.shock[0, m.theatre.town("D")] = shock
    garrison, held_by = assault(m, "regime", 30.0)
    assert held_by == holder
    if holder == "hts":
        assert garrison == pytest.approx(7.0)


def test_the_garrison_left_in_a_town_taken_is_no_casualty(build):
    # 50 rebels on a garrison of 1 (min_garrison 1): the garrison is wiped out, the attack loses 0.1 x 1 = 0.1,
    # and of the 49.9 left, occupy 0.5 (24.95) stay as the new garrison. The rebels' force pays 0.1 + 24.95, but
    # only the 0.1 lost are their casualties: the garrison is alive, in the town.
    m = duel(build, min_garrison=1.0, occupy=0.5)
    m.garrison[0, m.theatre.town("D")] = 1.0
    m.rebels.force[:] = 100.0
    garrison, holder = assault(m, "rebels", 50.0)
    assert holder == "rebels" and garrison == pytest.approx(24.95)
    assert m.casualties["rebels"][0] == pytest.approx(0.1 * m.combat_params.fighters_per_point)


def test_a_garrison_whose_refuge_withdraws_into_a_falling_town_holds_and_so_does_the_refuge(build):
    # G1 - A - B - C - G2, the three HTS towns assaulted by 50 each (lethality 0.001, noise off). A and B (10 each)
    # face odds of about 5 (past withdraw_ratio 3, short of break_ratio 20); C (0.2, under min_garrison 0.3 once hit)
    # is destroyed. A's one refuge is B, which is withdrawing; B's are A (withdrawing) and C (falling): both hold, in
    # one pass. A could have fallen back into B once B held: the rule does not look again (see stay_without_refuge).
    build.theatre([("G1", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "hts"), ("B", 35.5, 36.1, "hts"),
                   ("C", 35.5, 36.15, "hts"), ("G2", 35.5, 36.2, "regime")],
                  [("G1", "A", "M9"), ("A", "B", "M9"), ("B", "C", "M9"), ("C", "G2", "M9")])
    m = CeasefireModel(scenario(build, combat={"break_ratio": 20, "withdraw_ratio": 3, "noise": 0.0, "lethality": 0.001,
                                               "min_garrison": 0.3}))
    a, b, c = (m.theatre.town(n) for n in "ABC")
    m.garrison[0, [a, b, c]] = [10.0, 10.0, 0.2]
    m.declare_attacks("regime", np.array([[[a, b, c]]]), np.array([[[50.0, 50.0, 50.0]]]), [government_group(150.0)])
    combat.resolve(m)
    assert m.controller[0, [a, b, c]].tolist() == [1, 1, 0]  # HTS, HTS, the government's
