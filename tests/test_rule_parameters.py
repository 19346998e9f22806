"""Parameters of the rules, each on a hand-built theatre with a known answer; tests/test_rules.py holds the rules' own tests.

Each test fails when the rule reading its parameter is taken away (checked by
patching the rule out): the government's choice of targets (``retake_bonus``,
``flank_bonus``, ``junction_bonus``), its build-up under a deal
(``ceasefire_regen``), Russia's ``air_policy`` ceiling, Turkish troops'
deterrence of a break, and the numbers of combat (``fire_support``,
``post_defence``, ``cohesion``, ``min_garrison``, ``occupy``, ``walk_in``).

Where two towns compete for one assault, they are laid out alike (the same
road km from the group's ground and from its objective, coordinates exact in
binary) and the choice noise is off: without the parameter their scores tie,
and a tie goes to the town listed first, so the town given the parameter's
advantage is listed second.
"""

import numpy as np
import pytest

from sim import CeasefireModel, simulate
from sim.experiments.run import simulate_batch
from sim.model import combat
from sim.model.force_group import ForceGroup

from .conftest import ev, line_theatre
from .test_rules import STRONG_REGIME, breach, push, scenario, truce

# ------------------------------------------------------------------ the government's choice of targets


def diamond(build, roads=None, a="hts", flank=False):
    """G (government) with two enemy towns beside it, B to the east and A to the west, each as far from G; both lead
    to the objective O, north of G, each as far from it. A is listed after B. ``flank``: a second government town,
    G2, south of A, flanks A alone (the group stands on G only: G2 is farther from O than its ``deploy_km``)."""
    towns = [("G", 35.5, 36.25, "regime"), ("B", 35.5, 36.5, "hts"), ("A", 35.5, 36.0, a), ("O", 35.75, 36.25, "hts")]
    links = [("G", "B", "M9"), ("G", "A", "M9"), ("B", "O", "secondary"), ("A", "O", "secondary")]
    if flank:
        towns.append(("G2", 35.25, 36.0, "regime"))
        links.append(("G2", "A", "secondary"))
    return build.theatre(towns, roads or links)


def regime(**kw):
    return {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "choice_noise": 0.0, "deploy_km": 1.0, **kw}}


def first_target(m: CeasefireModel) -> str:
    """The town the group (frontage 1) assaults on the first day."""
    m.step()
    (target,) = np.flatnonzero(m.attack_force[0] > 0)
    return m.theatre.towns[target]


def test_a_town_the_regime_lost_outranks_an_otherwise_equal_one(build):
    diamond(build, a="regime")
    for bonus, chosen in ((0.0, "B"), (3.0, "A")):
        m = CeasefireModel(scenario(build, regime(retake_bonus=bonus), [push(["O"])], name=f"r{bonus}.yaml"))
        a = m.theatre.town("A")
        # HTS takes A before the first day: the regime lost it during the run.
        m.capture(np.array([0]), np.array([a]), np.array([1], np.int8), np.array([1.0]), np.array([-1]), cause="assault")
        assert m.lost_by_regime[0, a]
        assert first_target(m) == chosen, bonus


def test_a_town_flanked_on_two_sides_outranks_one_flanked_on_one(build):
    diamond(build, flank=True)
    for bonus, chosen in ((0.0, "B"), (0.5, "A")):
        m = CeasefireModel(scenario(build, regime(flank_bonus=bonus), [push(["O"])], name=f"f{bonus}.yaml"))
        assert m.government_flanks()[0, [m.theatre.town("B"), m.theatre.town("A")]].tolist() == [1, 2]
        assert first_target(m) == chosen, bonus


def test_a_town_where_two_objective_roads_meet_outranks_one_on_a_single_objective_road(build):
    # A is on the M9 and the M5, B on the M9 and a secondary road. The M5 weighs nothing on its own: only the
    # junction makes A worth more.
    diamond(build, roads=[("G", "B", "M9"), ("G", "A", "M9"), ("B", "O", "secondary"), ("A", "O", "M5")])
    for bonus, chosen in ((0.0, "B"), (2.0, "A")):
        factions = regime(junction_bonus=bonus, objective_roads={"M9": 1.0, "M5": 0.0})
        m = CeasefireModel(scenario(build, factions, [push(["O"])], name=f"j{bonus}.yaml"))
        assert first_target(m) == chosen, bonus


def test_a_deal_in_force_limits_the_regimes_build_up_to_its_ceasefire_regen(build):
    line_theatre(build)
    factions = {**STRONG_REGIME, "regime": {"force": 100, "regen": 2.0, "ceasefire_regen": 0.25}}
    r = simulate(scenario(build, factions, [truce(effective="2020-01-05")], end="2020-01-08"))
    force = r.timeseries.set_index("date")["regime_force"]
    assert force.diff().iloc[1:].tolist() == pytest.approx([2.0, 2.0, 2.0, 0.5, 0.5, 0.5, 0.5])  # 2-4 Jan free, from 5 Jan bound


# ------------------------------------------------------------------ Russia's air policy


def test_an_air_policy_caps_russian_air_until_its_end_and_is_lifted_the_day_after(build):
    line_theatre(build, controllers=("regime", *["hts"] * 6))
    policy = ev(id="held", date="2020-01-03", type="air_policy", ceiling=0.3, until="2020-01-06")
    r = simulate(scenario(build, events=[push(["T6"]), policy], end="2020-01-09"))
    air = r.timeseries.set_index("date")["air_effort"]
    assert air.loc["2020-01-02":].tolist() == [1.0, 0.3, 0.3, 0.3, 0.3, 1.0, 1.0, 1.0]  # on the offensive throughout


# ------------------------------------------------------------------ Turkish troops


def break_days(build, events, name, seeds=range(20)):
    """Days from the deal's start (2 Jan) until the regime breaks it, per seed (30: never within the run)."""
    factions = {**STRONG_REGIME, "turkey": {"troop_deterrence": 0.5}}
    out = []
    for r in simulate_batch(scenario(build, factions, events, name=name, end="2020-02-01"), list(seeds)):
        broken = r.timeseries.index[r.timeseries["ceasefire"] == "broken"]
        out.append(int(broken[0]) - 1 if len(broken) else 30)
    return np.array(out)


def test_turkish_troops_arriving_under_a_deal_make_the_regime_keep_it_longer(build):
    # A half-kept truce binds a government group in the field: a break chance of 0.5 a day. Four thousand Turkish
    # troops arriving on its first day multiply it by e^-2 (troop_deterrence 0.5). The break draws are the same on
    # the same seeds, so in no replicate does the deal break sooner, and in most it lasts longer.
    line_theatre(build, controllers=("regime", "hts", "hts"))
    deal = truce(effective="2020-01-02", compliance={"regime": 0.5, "hts": 1.0, "rebels": 1.0})
    troops = ev(id="troops", date="2020-01-02", type="reinforcement", faction="turkey", strength=4)
    alone = break_days(build, [push(["T2"]), deal], "a.yaml")
    with_troops = break_days(build, [push(["T2"]), deal, troops], "b.yaml")
    assert (with_troops >= alone).all() and (with_troops > alone).mean() > 0.5
    assert with_troops.mean() > alone.mean() + 5


def test_turkish_troops_arriving_with_no_deal_in_force_change_nothing(build):
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "commit": 0.1}, "turkey": {"troop_deterrence": 0.5}}
    troops = ev(id="troops", date="2020-01-03", type="reinforcement", faction="turkey", strength=10)
    base = simulate(scenario(build, factions, [push(["T3"])], name="a.yaml"))
    more = simulate(scenario(build, factions, [push(["T3"]), troops], name="b.yaml"))
    assert more.timeseries["turkish_troops"].iloc[-1] == 10
    assert (base.history == more.history).all()
    assert base.timeseries.drop(columns="turkish_troops").equals(more.timeseries.drop(columns="turkish_troops"))


# ------------------------------------------------------------------ combat's numbers


def duel(build, attacker="rebels", defender="regime", posts=(), factions=None, **combat_params):
    """Two towns, D (``defender``'s, garrison 10) and X (``attacker``'s, next to it); noise off, no rout or withdrawal
    unless asked: returns the model with nothing declared yet."""
    build.theatre([("D", 35.5, 36.0, defender), ("X", 35.5, 36.05, attacker)], [("D", "X", "M9")], posts=posts)
    params = {"lethality": 0.1, "noise": 0.0, "break_ratio": 100, "withdraw_ratio": 100, "min_garrison": 0.01,
              **combat_params}
    m = CeasefireModel(scenario(build, factions, combat=params))
    m.garrison[0, m.theatre.town("D")] = 10.0
    return m


def government_group(force: float) -> ForceGroup:
    """A force group to pay for an assault declared by hand (the regime's own force is its groups' and pool's sum)."""
    return ForceGroup("hand", np.array([force]), np.array([0]))


def assault(m: CeasefireModel, side: str, force: float) -> tuple[float, str]:
    """``side`` assaults D with ``force`` for a day: D's garrison and holder after it."""
    d = m.theatre.town("D")
    payer = government_group(force) if side == "regime" else m.factions[side]
    m.declare_attacks(side, np.array([[[d]]]), np.array([[[force]]]), [payer])
    combat.resolve(m)
    return float(m.garrison[0, d]), ["regime", "hts", "rebels"][m.controller[0, d]]


@pytest.mark.parametrize(("support", "escalation", "left"), [(3.0, 1.0, 6.0), (0.0, 1.0, 9.0), (3.0, 0.0, 9.0)])
def test_turkish_fire_support_multiplies_an_opposition_assault_by_escalation(build, support, escalation, left):
    # 10 rebels on a government garrison of 10, lethality 0.1: they kill 1, times 1 + fire_support x escalation.
    m = duel(build, factions={"turkey": {"fire_support": support}})
    m.turkey.escalation[:] = escalation
    assert assault(m, "rebels", 10.0) == (pytest.approx(left), "regime")


@pytest.mark.parametrize(("post_defence", "holds"), [(0.0, False), (2.0, True)])
def test_an_intact_post_stiffens_the_town_it_overlooks_once_turkey_escalates(build, post_defence, holds):
    # 30 on 10 (air and suppression neutral): 3 killed, the attack loses 1 x the defence factor. Odds of 29 on 7 rout
    # the defenders; with a post's fire, a factor of 3 (1 + post_defence x escalation 1 x one post), 27 on 21 do not.
    m = duel(build, attacker="regime", defender="hts", posts=[("p1", "D", "2019-01-01", 35.51, 36.0)], break_ratio=3.0,
             factions={"turkey": {"post_defence": post_defence, "suppression": 0.0}})
    assert m.intact_cover[0, m.theatre.town("D")] == 1
    m.turkey.escalation[:] = 1.0
    _, holder = assault(m, "regime", 30.0)
    assert (holder == "hts") == holds


def test_each_side_defends_with_its_own_cohesion(build):
    # HTS (cohesion 3) and the rebels (1) each hold a town beside the government's; the same assault on each:
    # the rebels' falls, HTS's holds (odds 27 on 21, against 29 on 7).
    build.theatre([("G", 35.5, 36.0, "regime"), ("H", 35.5, 36.05, "hts"), ("R", 35.45, 36.0, "rebels")],
                  [("G", "H", "M9"), ("G", "R", "M9")])
    factions = {"hts": {"cohesion": 3.0}, "rebels": {"cohesion": 1.0}}
    m = CeasefireModel(scenario(build, factions, combat={"lethality": 0.1, "noise": 0.0, "break_ratio": 3.0, "withdraw_ratio": 100}))
    h, r = m.theatre.town("H"), m.theatre.town("R")
    m.garrison[0, [h, r]] = 10.0
    m.declare_attacks("regime", np.array([[[h, r]]]), np.array([[[30.0, 30.0]]]), [government_group(60.0)])
    combat.resolve(m)
    assert m.controller[0, [h, r]].tolist() == [1, 0]


@pytest.mark.parametrize(("least", "falls"), [(0.3, False), (5.0, True)])
def test_a_town_held_by_less_than_min_garrison_falls_to_any_assault(build, least, falls):
    # 1 on 2: the garrison loses 0.1; at odds of 0.8 on 1.9 it would hold, unless 1.9 is too few to hold a town.
    m = duel(build, min_garrison=least)
    m.garrison[0, m.theatre.town("D")] = 2.0
    _, holder = assault(m, "rebels", 1.0)
    assert (holder == "rebels") == falls


@pytest.mark.parametrize("share", [0.1, 0.5])
def test_the_victors_leave_occupy_of_their_survivors_as_the_new_garrison(build, share):
    # 50 on a garrison of 1: it is wiped out (below min_garrison) and the town falls; the attack loses 0.1, 49.9 survive.
    m = duel(build, min_garrison=1.0, occupy=share)
    m.garrison[0, m.theatre.town("D")] = 1.0
    m.rebels.force[:] = 100.0
    garrison, holder = assault(m, "rebels", 50.0)
    assert holder == "rebels" and garrison == pytest.approx(49.9 * share)
    assert 100.0 - m.rebels.force[0] == pytest.approx(0.1 + 49.9 * share)  # the losses and the garrison left behind


@pytest.mark.parametrize("walk_in", [0.5, 4.0])
def test_the_government_walks_into_an_abandoned_town_with_walk_in(build, walk_in):
    m = breach(build, walk_in=walk_in)
    b = m.theatre.town("B")
    assert [row[5] for row in m.journal.table() if row[2] == "capture" and row[3] == "B"] == ["hts -> regime (abandoned)"]
    assert m.garrison[0, b] == pytest.approx(walk_in)
