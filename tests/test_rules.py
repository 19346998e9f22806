"""Each rule on hand-built theatres with known answers."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim import CeasefireModel, load_scenario, simulate
from sim.experiments.run import simulate_batch
from sim.io import schema
from sim.model import combat, towns
from sim.model.ceasefire import CeasefireState
from sim.names import HolderCode

from .conftest import ROOT, ev, line_theatre

# A strong government group and defenders that never reinforce: who falls, and when, is plain.
STRONG_REGIME = {
    "regime": {"force": 100, "commit": 1.0, "garrison": 5},
    "hts": {"garrison": 1, "reserve": 0, "regen": 0, "spoiler_rate": 0},
    "rebels": {"garrison": 1, "reserve": 0, "regen": 0},
}


def push(axis, group="main", date="2020-01-01", force=100, frontage=1, **kw):
    return ev(id=f"push-{group}-{date}", date=date, type="offensive", group=group, action="start", axis=axis, force=force,
              frontage=frontage, **kw)


def truce(**kw):
    base = dict(id="truce", date="2020-01-01", type="truce", name="t", effective="2020-01-02", parties=["russia", "turkey"],
                compliance={"regime": 1.0, "hts": 1.0, "rebels": 1.0}, restraint=0.0)
    base.update(kw)
    return ev(**base)


def captures(result):
    return result.captures[["date", "town", "detail"]].values.tolist()


def scenario(build, factions=None, events=(), name="s.yaml", **top):
    return load_scenario(build.scenario({"factions": factions or STRONG_REGIME, "events": list(events), **top}, name=name))


# ------------------------------------------------------------------ force groups


def test_a_group_drives_toward_its_objective_and_then_holds_the_line(build):
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts"))
    r = simulate(scenario(build, events=[push(["T2"])]))
    taken = [c[1] for c in captures(r)]
    assert taken[:2] == ["T1", "T2"]  # along the road, toward the objective
    assert "T3" not in taken and "T4" not in taken  # the axis is done: it holds the line
    # A new order sends it on.
    r = simulate(scenario(build, events=[push(["T2"]), push(["T4"], date="2020-01-10", force=0)], name="b.yaml"))
    assert [c[1] for c in captures(r)] == ["T1", "T2", "T3", "T4"]


def test_a_garrison_with_nowhere_to_fall_back_is_lost_and_counted(build):
    # HTS's one town between two government towns falls: its survivors have no refuge. They vanished from every
    # count; they are its casualties.
    line_theatre(build, controllers=("regime", "hts", "regime"))
    factions = {**STRONG_REGIME, "hts": {**STRONG_REGIME["hts"], "garrison": 10}}  # survivors of a rout: 30 against 10
    m = CeasefireModel(scenario(build, factions, events=[push(["T1"], force=30)], end="2020-01-05"))
    before = m.garrison[0, 1] + m.hts.force[0]
    m.run_model()
    assert m.controller[0, 1] == 0 and m.hts.force[0] == 0
    assert m.casualties["hts"][0] == pytest.approx(before * m.combat_params.fighters_per_point)


def test_russian_air_is_full_on_the_day_the_regime_breaks_a_deal(build):
    # Russia acted before the regime: on the day the regime broke a deal it attacked under the deal's low air effort.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"))
    deal = truce(compliance={"regime": 0.01, "hts": 1.0, "rebels": 1.0})  # rejected: broken on its first day or so
    r = simulate(scenario(build, events=[push(["T3"], force=20), deal], end="2020-01-10"))
    days = r.timeseries.set_index("date")
    broken = days.index[days["ceasefire"] == "broken"][0]
    air = load_scenario(build.root / "s.yaml").factions.russia.air_support
    assert days.loc[broken, "air_effort"] == air


def test_a_group_stood_down_returns_its_force_to_the_pool(build):
    line_theatre(build, controllers=("regime", "hts", "hts"))
    stop = ev(date="2020-01-03", type="offensive", group="main", action="stop")
    m = CeasefireModel(scenario(build, events=[push(["T2"], force=60), stop]))
    m.run_model()
    assert not m.regime.groups["main"].active and (m.regime.groups["main"].force == 0).all()
    assert np.isclose(m.regime.force, m.regime.pool).all() and (m.regime.pool > 40).all()


def test_strength_sent_to_a_group_stood_down_goes_to_the_pool_and_can_fight(build):
    # It went into the idle group: it never fought, no later group could be given it, yet it counted in regime_force.
    line_theatre(build, controllers=("regime", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 20, "regen": 0}}
    events = [push(["T0"], force=20),  # T0 is held: the group has nothing to do, so nothing is lost
              ev(date="2020-01-03", type="offensive", group="main", action="stop"),
              ev(date="2020-01-05", type="reinforcement", faction="regime", group="main", strength=50),
              push(["T0"], group="b", date="2020-01-07", force=100)]
    m = CeasefireModel(scenario(build, factions, events, end="2020-01-07"))
    m.run_model()
    main, b = m.regime.groups["main"], m.regime.groups["b"]
    assert b.force.tolist() == [70.0] and main.force.tolist() == [0.0] and m.regime.pool.tolist() == [0.0]
    assert m.regime.force.tolist() == [70.0]
    assert [d for (_, _, kind, _, _, d) in m.journal.table().tolist() if kind == "reinforcement"] == ["+50 to the pool (main stood down)"]


def test_two_groups_fight_on_their_own_axes(build):
    # Two opposition towns on either side of a government town: each group takes its own.
    build.theatre([("W", 35.5, 35.95, "hts"), ("R", 35.5, 36.0, "regime"), ("E", 35.5, 36.05, "hts")],
                  [("W", "R", "M9"), ("R", "E", "M9")])
    r = simulate(scenario(build, events=[push(["W"], group="west", force=50), push(["E"], group="east", force=50)]))
    assert sorted(c[1] for c in captures(r)) == ["E", "W"]


def test_two_groups_never_share_a_noise_stream_whatever_their_names(build):
    # "south-east" and "4th-division" hash to the same one of the 251 salts: the second group drew the first's noise
    # for every town both could attack, so the two chose alike.
    build.theatre([("W", 35.5, 35.95, "hts"), ("R", 35.5, 36.0, "regime"), ("E", 35.5, 36.05, "hts")],
                  [("W", "R", "M9"), ("R", "E", "M9")])
    alone = CeasefireModel(scenario(build, events=[push(["W"], group="south-east")], name="a.yaml"))
    both = CeasefireModel(scenario(build, events=[push(["W"], group="south-east"), push(["E"], group="4th-division")],
                                   name="b.yaml"))
    both.step()
    alone.step()
    salts = {name: g.salt for name, g in both.regime.groups.items()}
    assert salts["south-east"] != salts["4th-division"], salts
    assert salts["south-east"] == alone.regime.groups["south-east"].salt, "the first keeps its salt: runs stay as they were"


def test_a_group_fights_where_it_stands_not_wherever_the_front_is(build):
    # Government ground from T1 to T4, the enemy at both ends. Sent east at T6, the group takes
    # position at T3-T4 (within deploy_km of the town nearest T6) and never touches T0, across its rear.
    line_theatre(build, controllers=("hts", "regime", "regime", "regime", "regime", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "force": 200, "deploy_km": 6}}
    r = simulate(scenario(build, factions, events=[push(["T6"], frontage=2)]))
    assert [c[1] for c in captures(r)] == ["T5", "T6"]  # T6 only once T5 is its ground
    # Sent west as well, a second group takes T0: it is the front, just not the first group's.
    r = simulate(scenario(build, factions, events=[push(["T6"], frontage=2), push(["T0"], group="west", force=50)],
                          name="b.yaml"))
    assert sorted(c[1] for c in captures(r)) == ["T0", "T5", "T6"]


def test_a_new_axis_moves_the_group_to_face_it(build):
    line_theatre(build, controllers=("hts", "regime", "regime", "regime", "regime", "regime", "hts"))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "deploy_km": 6}}
    sc = scenario(build, factions, events=[push(["T0"]), push(["T6"], date="2020-01-10", force=0)])
    assert [c[1] for c in captures(simulate(sc))] == ["T0", "T6"]
    m = CeasefireModel(sc)
    m.run_model()
    ground = m.regime.groups["main"].ground[0]
    assert ground[[0, 1, 2, 4, 5, 6]].all() and not ground[3]  # where it stood, and where it was sent (T3: neither)


def test_a_group_driven_off_its_ground_falls_back_to_the_front_facing_its_objective(build):
    # Group "a" takes T1 and stands down. Group "b", sent at T3 without force, takes position at T1 alone
    # (deploy_km 2: T0 is 5 km farther). The rebels, once Turkey fights, retake T1: b has lost all its
    # ground. It falls back to T0, and when reinforced it storms T1 again from there.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"))
    factions = {"regime": {"force": 100, "commit": 1.0, "garrison": 5, "regen": 0, "deploy_km": 2},
                "hts": STRONG_REGIME["hts"],
                "rebels": {"garrison": 1, "reserve": 200, "regen": 0, "counter_threshold": 0.5, "counter_commit": 0.5}}
    events = [push(["T1"], group="a"), ev(date="2020-01-04", type="offensive", group="a", action="stop"),
              push(["T3"], group="b", date="2020-01-05", force=0),
              ev(id="shield", date="2020-01-06", type="intervention", name="shield", intensity=1.0),
              ev(id="more", date="2020-01-12", type="reinforcement", faction="regime", group="b", strength=400)]
    sc = scenario(build, factions, events, end="2020-01-13")
    caps = [c for c in captures(simulate(sc)) if c[1] == "T1"]
    assert [c[2].split(" (")[0] for c in caps] == ["rebels -> regime", "regime -> rebels", "rebels -> regime"]
    assert caps[1][0] < "2020-01-12" <= caps[2][0]  # retaken by the rebels before b had force, by b after
    # Shortened as `--days` does, its events after the new end dropped (the model refuses an event outside the window).
    end = dt.date(2020, 1, 11)
    m = CeasefireModel(sc.model_copy(update={"end": end, "events": [e for e in sc.events if e.date <= end]}))
    m.run_model()
    assert m.controller[0, 1] != 0 and m.regime.groups["b"].ground[0].tolist() == [True, False, False, False]


def test_a_group_moves_into_a_chain_of_towns_gained_on_one_day(build):
    # "a" stands at T0 and takes T1; the same day "b", from X north of T2, takes T2. Only the towns gained next to
    # a's old ground joined it, one hop a day: T2, next to T1 but not to T0, never did, and "a" stood at T0-T1 with
    # no enemy one road away, its axis (T4) untouched. Had b taken T2 a day later, "a" would have gone on.
    build.theatre([*[(f"T{i}", 35.5, 36.0 + 0.055 * i, c) for i, c in enumerate(("regime", "hts", "hts", "hts", "hts"))],
                   ("X", 35.545, 36.11, "regime")],
                  [*[(f"T{i}", f"T{i + 1}", "M9") for i in range(4)], ("X", "T2", "M9")])
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "deploy_km": 1, "regen": 0}}
    events = [push(["T1", "T4"], group="a", force=50), push(["T2"], group="b", force=50)]
    r = simulate(scenario(build, factions, events, end="2020-01-10"))
    first = {town: date for date, town, _ in captures(r)}
    assert first["T1"] == first["T2"] == "2020-01-02"  # the same day, the first
    assert {"T3", "T4"} <= set(first), "a goes on along its axis from the ground b took"


def test_a_group_formed_after_a_gain_does_not_take_it_into_its_ground(build):
    # W2 - W1 - R - E1. Group "a" takes W1 on the first day (2 Jan); "b" is formed the next (3 Jan), facing E1 with
    # deploy_km 1: its ground is R alone. W1 was gained before b existed, by a: it is a's ground, not b's (b took it
    # in and could reach W2 from it).
    build.theatre([("W2", 35.5, 35.89, "hts"), ("W1", 35.5, 35.945, "hts"), ("R", 35.5, 36.0, "regime"),
                   ("E1", 35.5, 36.055, "hts")], [("W2", "W1", "M9"), ("W1", "R", "M9"), ("R", "E1", "M9")])
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "deploy_km": 1}}
    m = CeasefireModel(scenario(build, factions, [push(["W1"], group="a"), push(["E1"], group="b", date="2020-01-03", force=0)]))
    m.step()
    assert m.controller[0, m.theatre.town("W1")] == 0 and "b" not in m.regime.groups
    m.step()
    assert [m.theatre.towns[i] for i in np.flatnonzero(m.regime.groups["b"].ground[0])] == ["R"]
    assert m.regime.groups["a"].ground[0, m.theatre.town("W1")]


def test_an_offensive_event_cannot_stop_a_group_that_was_never_formed(build):
    from sim.errors import InputError

    line_theatre(build)
    with pytest.raises(InputError, match="no force group 'ghost'"):
        scenario(build, events=[ev(date="2020-01-02", type="offensive", group="ghost", action="stop")])


# ------------------------------------------------------------------ combat


def lone_town_theatre(build, flanks: int, controller="hts"):
    """A town X with ``flanks`` government neighbours and one friendly town F behind it."""
    towns_ = [("X", 35.5, 36.0, controller), ("F", 35.55, 36.0, controller)]
    roads = [("X", "F", "M9")]
    for k in range(flanks):
        towns_.append((f"G{k}", 35.45, 35.97 + 0.03 * k, "regime"))
        roads.append((f"G{k}", "X", "M9"))
    return build.theatre(towns_, roads)


def test_defenders_outnumbered_withdraw_to_a_friendly_neighbour(build):
    lone_town_theatre(build, flanks=1)
    factions = {**STRONG_REGIME, "hts": {"garrison": 10, "reserve": 0, "regen": 0}}
    combat_params = {"withdraw_ratio": 2.0, "break_ratio": 100, "lethality": 0.001, "noise": 0.0}
    m = CeasefireModel(scenario(build, factions, [push(["X"], force=100)], combat=combat_params))
    m.step()
    x, f = m.theatre.town("X"), m.theatre.town("F")
    assert m.controller[0, x] == 0  # taken on the first day, without a siege
    assert m.garrison[0, f] > 15  # its garrison of ~10 fell back to F (which held 10)


def test_an_outflanked_town_falls_at_lower_odds(build):
    # Odds of 4 (20 points, doubled by air power, on 10): below the threshold of 5 with one flank, 8 with two.
    combat_params = {"withdraw_ratio": 5.0, "flank_pressure": 1.0, "break_ratio": 100, "lethality": 0.001, "noise": 0.0}
    factions = {**STRONG_REGIME, "hts": {"garrison": 10, "reserve": 0, "regen": 0}, "regime": {"force": 100, "commit": 0.2}}
    results = []
    for flanks in (1, 2):
        lone_town_theatre(build, flanks, controller="hts")
        m = CeasefireModel(scenario(build, factions, [push(["X"], force=100)], combat=combat_params, name=f"f{flanks}.yaml"))
        m.step()
        results.append(int(m.controller[0, m.theatre.town("X")]))
    assert results == [1, 0]  # held with one flank; withdrawn with two


def test_a_town_falls_to_the_side_that_assaulted_it(build):
    # Combat hands a town to whoever declared the assault: an HTS attack that wins makes the town HTS's,
    # not the rebels' (only the rebels counter-attack in today's rules, so the attack is declared by hand).
    build.theatre([("G", 35.5, 36.0, "regime"), ("H", 35.5, 36.05, "hts")], [("G", "H", "M9")])
    m = CeasefireModel(scenario(build, combat={"break_ratio": 1, "noise": 0.0}))
    g = m.theatre.town("G")
    m.garrison[0, g] = 1.0
    m.declare_attacks("hts", np.array([[[g]]]), np.array([[[100.0]]]), [m.hts])
    combat.resolve(m)
    assert m.controller[0, g] == m.hts.code
    assert m.journal.table()[-1][5] == "regime -> hts (assault)"


def test_a_garrison_does_not_fall_back_into_a_town_lost_with_its_own(build):
    # A and B fall in one call, A's garrison told to fall back to B, B's to C: A's goes to D, its side's other
    # neighbour, not into B (where the new holder would take it over); B's to C.
    build.theatre([("G", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "hts"), ("B", 35.5, 36.1, "hts"),
                   ("C", 35.5, 36.15, "hts"), ("D", 35.45, 36.05, "hts")],
                  [("G", "A", "M9"), ("A", "B", "M9"), ("B", "C", "M9"), ("A", "D", "secondary")])
    m = CeasefireModel(scenario(build))
    a, b, c, d = (m.theatre.town(n) for n in "ABCD")
    m.garrison[0, [a, b, c, d]] = [5.0, 7.0, 1.0, 2.0]
    m.capture(np.array([0, 0]), np.array([a, b]), np.array([0, 0], np.int8), np.array([1.0, 1.0]), np.array([b, c]),
              cause="assault")
    assert m.garrison[0, [a, b, c, d]].tolist() == [1.0, 1.0, 8.0, 7.0]  # nobody lost on the way
    # Falling back onto each other, with nowhere else to go, both garrisons are lost.
    m.capture(np.array([0, 0]), np.array([c, d]), np.array([0, 0], np.int8), np.array([1.0, 1.0]), np.array([d, c]),
              cause="assault")
    assert m.garrison[0, [c, d]].tolist() == [1.0, 1.0] and (m.controller[0] == 0).all()


def test_two_opposition_factions_on_one_town_the_first_to_declare_takes_it(build):
    build.theatre([("G", 35.5, 36.0, "regime"), ("H", 35.5, 36.05, "hts"), ("R", 35.45, 36.0, "rebels")],
                  [("G", "H", "M9"), ("G", "R", "M9")])
    m = CeasefireModel(scenario(build, combat={"break_ratio": 1, "noise": 0.0}))
    g = m.theatre.town("G")
    m.garrison[0, g] = 1.0
    m.declare_attacks("hts", np.array([[[g]]]), np.array([[[50.0]]]), [m.hts])
    m.declare_attacks("rebels", np.array([[[g]]]), np.array([[[50.0]]]), [m.rebels])
    assert m.attack_force[0, g] == 100.0
    combat.resolve(m)
    assert m.controller[0, g] == m.hts.code


def test_a_garrison_whose_only_refuge_falls_the_same_day_stays_and_fights(build):
    # G1 - A - B - G2. A (10 points) faces odds of 5: past withdraw_ratio (3), short of break_ratio (20). Its one
    # refuge, B (1 point), is routed the same day. A cannot walk out into a town that is gone: it holds, and none
    # of its garrison is lost. (It withdrew toward B, found B fallen and no other refuge, and all 10 were lost.)
    build.theatre([("G1", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "hts"), ("B", 35.5, 36.1, "hts"),
                   ("G2", 35.5, 36.15, "regime")], [("G1", "A", "M9"), ("A", "B", "M9"), ("B", "G2", "M9")])
    m = CeasefireModel(scenario(build, combat={"break_ratio": 20, "withdraw_ratio": 3, "noise": 0.0, "lethality": 0.001,
                                               "min_garrison": 0.3}))
    a, b = m.theatre.town("A"), m.theatre.town("B")
    m.garrison[0, [a, b]] = [10.0, 1.0]
    m.russia.attack_multiplier[:] = 1.0
    m.declare_attacks("regime", np.array([[[a, b]]]), np.array([[[50.0, 50.0]]]), [m.hts])  # who pays does not matter here
    combat.resolve(m)
    assert m.controller[0, b] == 0 and m.controller[0, a] == m.hts.code
    # What the day's fire killed, no more; and B's survivors fell back to A, their refuge now that A holds.
    assert m.garrison[0, a] == pytest.approx((10.0 - 0.001 * 50.0) + (1.0 - 0.001 * 50.0))
    assert m.casualties["hts"][0] == pytest.approx((0.05 + 0.05) * m.combat_params.fighters_per_point)


def test_each_side_in_a_joint_assault_books_its_own_part_of_the_losses(build):
    # HTS commits 10 and the rebels 40 to one government town: the rebels lose four times what HTS does, each in
    # its own casualties (HTS, which leads, was booked the whole loss).
    build.theatre([("G", 35.5, 36.0, "regime"), ("H", 35.5, 36.05, "hts"), ("R", 35.45, 36.0, "rebels")],
                  [("G", "H", "M9"), ("G", "R", "M9")])
    m = CeasefireModel(scenario(build, combat={"break_ratio": 100, "withdraw_ratio": 100, "noise": 0.0, "lethality": 0.1}))
    g = m.theatre.town("G")
    m.garrison[0, g] = 50.0
    m.hts.force[:], m.rebels.force[:] = 50.0, 50.0
    m.declare_attacks("hts", np.array([[[g]]]), np.array([[[10.0]]]), [m.hts])
    m.declare_attacks("rebels", np.array([[[g]]]), np.array([[[40.0]]]), [m.rebels])
    combat.resolve(m)
    hts, rebels = m.casualties["hts"][0], m.casualties["rebels"][0]
    assert rebels > 0 and rebels == pytest.approx(4 * hts)
    per_point = m.combat_params.fighters_per_point
    assert (50.0 - m.hts.force[0]) * per_point == pytest.approx(hts)  # what each lost from its reserve is what it booked
    assert (50.0 - m.rebels.force[0]) * per_point == pytest.approx(rebels)


def test_an_attack_of_no_strength_takes_no_town_however_shaken(build):
    # Turkey suppresses the government's whole attack (suppression 1 at escalation 1): it has no strength. A town
    # whose garrison is fully shaken has no defence either; 0 against 0 are no odds, and the town holds (it was
    # routed at infinite odds, and its garrison, with no refuge, lost).
    build.theatre([("G", 35.5, 36.0, "regime"), ("H", 35.5, 36.05, "hts")], [("G", "H", "M9")])
    m = CeasefireModel(scenario(build, {**STRONG_REGIME, "turkey": {"suppression": 1.0}},
                                combat={"noise": 0.0, "break_ratio": 100, "withdraw_ratio": 100}))
    h = m.theatre.town("H")
    m.garrison[0, h], m.shock[0, h], m.turkey.escalation[:] = 10.0, 1.0, 1.0
    m.declare_attacks("regime", np.array([[[h]]]), np.array([[[5.0]]]), [m.hts])
    combat.resolve(m)
    assert m.controller[0, h] == m.hts.code and m.garrison[0, h] == 10.0


def test_a_town_assaulted_after_another_the_same_day_is_reinforced_too(build):
    # The towns under assault are read once a day and kept: a later declaration the same day must count.
    build.theatre([("G", 35.5, 36.0, "regime"), ("H", 35.5, 36.05, "hts"), ("R", 35.45, 36.0, "rebels")],
                  [("G", "H", "M9"), ("G", "R", "M9")])
    m = CeasefireModel(scenario(build, factions={**STRONG_REGIME, "rebels": {"reserve": 10, "reinforce": 0.5, "regen": 0}},
                                combat={"garrison_cap": 40}))
    h, r = m.theatre.town("H"), m.theatre.town("R")
    assert m.assaulted() is None  # nothing declared yet
    m.declare_attacks("regime", np.array([[[h]]]), np.array([[[10.0]]]), [m.hts])
    assert np.flatnonzero(m.assaulted()[0]).tolist() == [h]
    before = m.garrison[0, r]
    m.declare_attacks("regime", np.array([[[r]]]), np.array([[[10.0]]]), [m.hts])
    m.rebels.defend()
    assert np.flatnonzero(m.assaulted()[0]).tolist() == sorted([h, r])
    assert m.garrison[0, r] == before + 5.0  # half the reserve of 10

def breach(build, behind: str = "hts", collapse_shock: float = 0.5, **combat_params) -> CeasefireModel:
    """G - A - B - C, with B also next to a second government town G2; A (HTS) is assaulted and falls on day 1.

    B and C are held by ``behind``: once A falls, B is outflanked, and shaken if a fall shakes it. ``combat_params``
    are further combat parameters.
    """
    build.theatre([("G", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "hts"), ("B", 35.5, 36.1, behind),
                   ("G2", 35.45, 36.1, "regime"), ("C", 35.55, 36.1, behind)],
                  [("G", "A", "M9"), ("A", "B", "M9"), ("G2", "B", "secondary"), ("B", "C", "M9")])
    combat_params = {"collapse_shock": collapse_shock, "abandon_shock": 0.4, "shock_recovery": 0.0, "break_ratio": 1, "noise": 0.0,
                     **combat_params}
    m = CeasefireModel(scenario(build, events=[push(["A"], force=100)], combat=combat_params))
    m.step()
    return m


def test_a_fall_shakes_the_neighbours_and_an_outflanked_shaken_town_is_abandoned(build):
    m = breach(build)
    a, b = m.theatre.town("A"), m.theatre.town("B")
    assert m.controller[0, a] == 0 and m.controller[0, b] == 0  # B given up the same day, though never assaulted
    causes = m.journal.table()
    assert [(row[3], row[5].split("(")[1].rstrip(")")) for row in causes if row[2] == "capture"] == [("A", "assault"), ("B", "abandoned")]


def test_the_fall_of_an_hts_town_shakes_the_rebel_garrison_next_door(build):
    # B is held by the rebels: HTS and the rebels hold one front, so A's fall shakes B all the same.
    m = breach(build, behind="rebels")
    assert m.controller[0, m.theatre.town("A")] == 0 and m.controller[0, m.theatre.town("B")] == 0  # the rebels gave B up
    assert m.shock[0, m.theatre.town("G")] == 0  # the winners' own towns are not shaken


def test_without_shock_the_neighbour_holds(build):
    m = breach(build, collapse_shock=0.0)
    assert m.controller[0, m.theatre.town("B")] == 1  # still HTS


def test_a_pocket_cut_off_from_the_camps_is_shaken_and_given_up(build):
    # Camp - H1 - P - H2 ... the government takes H1 and P is cut off from the camp.
    build.theatre([("Camp", 35.6, 36.0, "hts", 1000, "camp"), ("H1", 35.55, 36.0, "hts"), ("P", 35.5, 36.0, "hts"),
                   ("G", 35.55, 36.05, "regime"), ("G2", 35.45, 36.0, "regime")],
                  [("Camp", "H1", "M9"), ("H1", "P", "M9"), ("G", "H1", "secondary"), ("G2", "P", "secondary")])
    combat_params = {"pocket_shock": 0.5, "abandon_shock": 0.9, "shock_recovery": 0.0, "collapse_shock": 0.0, "break_ratio": 1, "noise": 0.0}
    m = CeasefireModel(scenario(build, events=[push(["H1"], force=100)], combat=combat_params))
    p = m.theatre.town("P")
    assert not towns.cut_off(m.theatre, m.controller)[0, p]
    m.step()  # H1 falls: P is cut off, shaken by 0.5
    assert towns.cut_off(m.theatre, m.controller)[0, p] and m.controller[0, p] == 1
    m.step()  # shaken to 1.0 >= 0.9, with the government next door: given up
    assert m.controller[0, p] == 0
    assert m.controller[0, m.theatre.town("Camp")] == 1  # a camp is never an objective


@pytest.mark.parametrize("seeds", [[1], [1, 2]])  # a single run looks when pockets are asked for; a batch as towns change hands
@pytest.mark.parametrize(("taken", "pocket", "searched"), [
    ("L", [], False),  # a leaf with one opposition neighbour: taking it cuts no one off, and pockets are kept as they were
    ("C", ["Y"], True),  # a town of the rear with one opposition neighbour: taking it cuts that neighbour off
])
def test_a_town_taken_that_cuts_no_one_off_keeps_the_pockets_and_one_of_the_rear_does_not(build, monkeypatch, taken, pocket,
                                                                                           searched, seeds):
    # G - L - M - Camp, and G - C - Y, where C (a camp, so the rear) is Y's only way out.
    build.theatre([("G", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "hts"), ("M", 35.5, 36.1, "hts"),
                   ("Camp", 35.5, 36.15, "hts", 1000, "camp"), ("C", 35.45, 36.0, "hts", 1000, "camp"), ("Y", 35.4, 36.0, "hts")],
                  [("G", "L", "M9"), ("L", "M", "M9"), ("M", "Camp", "M9"), ("G", "C", "secondary"), ("C", "Y", "secondary")])
    m = CeasefireModel(scenario(build), seeds=seeds)
    assert not m.pockets().any()
    searches, search = [], towns.cut_off
    monkeypatch.setattr(towns, "cut_off", lambda *a, **k: searches.append(1) or search(*a, **k))
    k = m.theatre.town(taken)
    m.capture(np.array([0]), np.array([k]), np.array([0], np.int8), np.array([1.0]), np.array([-1]), cause="assault")
    assert m.pockets()[0].tolist() == search(m.theatre, m.controller)[0].tolist()
    assert [m.theatre.towns[i] for i in np.flatnonzero(m.pockets()[0])] == pocket
    assert bool(searches) == searched


def test_a_town_taken_inside_a_pocket_keeps_the_pockets_without_a_search(build, monkeypatch):
    # Camp - X - Q1 - Q2 - Q3: the government takes X (a pocket of three forms), then Q2 in its middle, which has
    # two opposition neighbours: what it splits off is cut off already, so nothing need be searched again. In a
    # batch (here of two, the towns changing hands in the first): a single run searches again without looking.
    build.theatre([("Camp", 35.5, 36.0, "hts", 1000, "camp"), ("X", 35.5, 36.05, "hts"), ("Q1", 35.5, 36.1, "hts"),
                   ("Q2", 35.5, 36.15, "hts"), ("Q3", 35.5, 36.2, "hts"), ("G", 35.45, 36.1, "regime")],
                  [("Camp", "X", "M9"), ("X", "Q1", "M9"), ("Q1", "Q2", "M9"), ("Q2", "Q3", "M9"), ("G", "X", "secondary")])
    m = CeasefireModel(scenario(build), seeds=[1, 2])
    one = (np.array([0]), np.array([0], np.int8), np.array([1.0]), np.array([-1]))

    def take(name: str) -> None:
        rep, new, garrison, fallback = one
        m.capture(rep, np.array([m.theatre.town(name)]), new, garrison, fallback, cause="assault")

    take("X")
    assert [m.theatre.towns[i] for i in np.flatnonzero(m.pockets()[0])] == ["Q1", "Q2", "Q3"]
    searches, search = [], towns.cut_off
    monkeypatch.setattr(towns, "cut_off", lambda *a, **k: searches.append(1) or search(*a, **k))
    take("Q2")
    assert [m.theatre.towns[i] for i in np.flatnonzero(m.pockets()[0])] == ["Q1", "Q3"] and not searches
    take("Camp")  # the rear: a search is due (and finds everything left cut off)
    assert [m.theatre.towns[i] for i in np.flatnonzero(m.pockets()[0])] == ["Q1", "Q3"] and searches == [1]


@pytest.mark.parametrize("seeds", [[1, 2, 3], [1], [2], [3]])  # a batch looks at towns as they change hands, a single run later
def test_pockets_and_flanks_kept_from_day_to_day_are_those_found_afresh(seeds):
    # The model finds pockets again only where a town passed to or from the government: on every
    # day of a campaign, in every replicate, what it keeps must be what a fresh search finds.
    m = CeasefireModel(load_scenario("scenarios/campaign.yaml"), seeds=seeds)
    checked = 0
    while m.running and m.day < 75:
        m.step()
        fresh = towns.cut_off(m.theatre, m.controller, m.rear)
        assert (m.pockets() == fresh).all(), f"day {m.day}"
        assert (m.government_flanks() == towns.held_neighbours(m.neighbours, m.controller == 0)).all(), f"day {m.day}"
        checked += fresh.any()
    assert checked > 0  # some day had a pocket to keep


def test_a_single_run_keeps_the_pockets_only_where_a_fresh_search_finds_the_same():
    # A single run keeps its pockets when the towns lost leave their neighbours joined (towns.Pockets._look): after
    # random losses of one to four towns at a time, from random holders, on the Idlib theatre, they are what a search
    # finds; and some losses were kept without one.
    from sim.io.theatre import load_theatre

    theatre = load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml")
    rear = towns.rear_of(theatre, 10.0)
    rng = np.random.default_rng(5)
    kept = 0
    for _ in range(40):
        controller = np.where(rng.random((1, theatre.n)) < rng.random() * 0.6, 0, rng.integers(1, 3, (1, theatre.n))).astype(np.int8)
        pockets = towns.Pockets(theatre, rear, 1)
        pockets.now(controller)
        for _ in range(10):
            town = rng.choice(np.flatnonzero(controller[0] != 0), min(rng.integers(1, 5), np.count_nonzero(controller)), replace=False)
            new = np.zeros(town.size, np.int8)
            pockets.note(controller, theatre.neighbour_table, np.zeros(town.size, np.intp), town, controller[0, town], new)
            controller[0, town] = new
            pockets._look(controller[0] != 0)  # as now() does: stale unless the pockets are kept
            pockets.moved = []
            kept += not pockets.stale[0]
            assert np.array_equal(pockets.now(controller), towns.cut_off(theatre, controller, rear))
    assert 0 < kept < 400


def test_a_single_run_searches_again_when_the_opposition_won_towns_since_it_last_looked(build):
    # T0 (a camp: the rear) - T1 - T2 - T3 - T5 - T4 - T6 - T0; the government holds T5 and T6, so T4 is a pocket.
    # Before the pockets are asked for again, the opposition takes T5 and T6 and loses them again, and the government
    # takes T1 and T4: T2 and T3 are cut off. Looking only at the towns lost (towns.Pockets._look) would read T5 and
    # T6 as the opposition's before, joining T3 to the rear through the pocket T4: only a search can tell.
    from sim.io.theatre import load_theatre

    spots = [("T0", 35.5, 36.0, "hts", 1000, "camp"), ("T1", 35.5, 36.05, "hts"), ("T2", 35.5, 36.1, "hts"),
             ("T3", 35.45, 36.1, "hts"), ("T4", 35.4, 36.05, "hts"), ("T5", 35.4, 36.1, "regime"), ("T6", 35.4, 36.0, "regime")]
    roads = [("T0", "T1"), ("T1", "T2"), ("T2", "T3"), ("T3", "T5"), ("T5", "T4"), ("T4", "T6"), ("T6", "T0")]
    theatre = load_theatre(build.theatre(spots, [(a, b, "secondary") for a, b in roads]))
    t = {name: theatre.town(name) for name, *_ in spots}
    rear = theatre.kind == "camp"
    controller = np.ones((1, theatre.n), np.int8)  # HTS's, but for the government's T5 and T6
    controller[0, [t["T5"], t["T6"]]] = 0
    pockets = towns.Pockets(theatre, rear, 1)
    assert [theatre.towns[i] for i in np.flatnonzero(pockets.now(controller)[0])] == ["T4"]
    for name, new in (("T5", 1), ("T6", 1), ("T5", 0), ("T6", 0), ("T1", 0), ("T4", 0)):
        town = np.array([t[name]])
        pockets.note(controller, theatre.neighbour_table, np.array([0]), town, controller[0, town], np.array([new], np.int8))
        controller[0, town] = new
    assert [theatre.towns[i] for i in np.flatnonzero(pockets.now(controller)[0])] == ["T2", "T3"]
    assert np.array_equal(pockets.now(controller), towns.cut_off(theatre, controller, rear))


def test_the_rear_is_the_border_strip_too_and_a_town_with_a_way_to_it_is_no_pocket(build):
    # Camp - H1 - P - B: the government takes H1. B lies 1.1 km south of the border line (lat 35.41), P 11 km.
    build.theatre([("Camp", 35.6, 36.0, "hts", 1000, "camp"), ("H1", 35.55, 36.0, "hts"), ("P", 35.5, 36.0, "hts"),
                   ("B", 35.4, 36.0, "hts"), ("G", 35.55, 36.05, "regime"), ("GB", 35.4, 36.1, "regime")],
                  [("Camp", "H1", "M9"), ("H1", "P", "M9"), ("P", "B", "M9"), ("G", "H1", "secondary"), ("GB", "B", "secondary")],
                  border=[(35.41, 35.9), (35.41, 36.2)])
    kms = load_scenario_theatre(build).border_km
    assert kms[[1, 2, 3]] == pytest.approx([15.6, 10.0, 1.1], abs=0.1)  # H1, P, B: km north of the line
    for rear_km, p_cut in ((0.0, True), (5.0, False)):
        m = CeasefireModel(scenario(build, events=[push(["H1"], force=100)], combat={"rear_km": rear_km, "break_ratio": 1, "noise": 0.0},
                                    name=f"r{rear_km}.yaml"))
        assert m.rear[m.theatre.town("B")] == (rear_km >= 1.1) and m.rear[m.theatre.town("Camp")]
        m.step()  # H1 falls: P's only road to the camp is gone
        assert m.controller[0, m.theatre.town("H1")] == 0
        cut = towns.cut_off(m.theatre, m.controller, m.rear)[0]
        assert cut[m.theatre.town("P")] == p_cut and cut[m.theatre.town("B")] == p_cut
    # A place by the border that the government holds is no rear for the opposition.
    m.controller[0, m.theatre.town("B")] = 0
    assert towns.cut_off(m.theatre, m.controller, m.rear)[0, m.theatre.town("P")]


def load_scenario_theatre(build):
    from sim.io.theatre import load_theatre

    return load_theatre(build.root / "toy.yaml")


def test_reinforcements_stop_at_what_a_town_can_hold(build):
    line_theatre(build, controllers=("regime", "hts", "hts"))
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 1000, "regen": 0, "reinforce": 1.0},
                "regime": {"force": 10, "commit": 0.1}}
    m = CeasefireModel(scenario(build, factions, [push(["T1"], force=10)], combat={"garrison_cap": 5.0, "urban_defence": 0.0}))
    m.step()
    assert m.garrison[0, m.theatre.town("T1")] <= 5.0 + 1e-9
    assert m.hts.force[0] > 990  # the rest stays in the reserve


# ------------------------------------------------------------------ posts as sites


def post_theatre(build):
    """A post overlooking town A; the government can go round A through B and cut it off."""
    return build.theatre(
        [("G", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "rebels"), ("B", 35.55, 36.02, "rebels"), ("C", 35.5, 36.1, "rebels")],
        [("G", "A", "M9"), ("G", "B", "secondary"), ("B", "C", "secondary"), ("A", "C", "M9")],
        posts=[("p1", "A", "2019-01-01", 35.51, 36.05)],
    )


def test_a_post_deters_the_town_it_overlooks_until_turkey_escalates(build):
    post_theatre(build)
    sc = scenario(build, {**STRONG_REGIME, "turkey": {"deterrence": 5.0}}, [push(["C"], frontage=1)])
    first = simulate_batch(sc, list(range(10)))
    assert {r.captures["town"].iloc[0] for r in first} == {"B"}  # around the post
    m = CeasefireModel(sc)
    m.turkey.escalation[:] = 1.0
    every = np.nonzero(np.ones(m.controller.shape, bool))
    assert (m.turkey.deterrence_of_posts(*every) == 1.0).all()  # once Turkey fights openly, nothing is spared


def test_a_bypassed_post_is_encircled_and_the_town_beside_it_taken(build):
    post_theatre(build)
    sc = scenario(build, {**STRONG_REGIME, "turkey": {"deterrence": 5.0, "escalation_per_encirclement": 0.0}}, [push(["A", "C"], frontage=1)])
    r = simulate(sc)
    enc = r.events[r.events["type"] == "post_encircled"]
    assert enc["detail"].str.contains(r"\(p1\)").all() and len(enc) == 1
    taken = captures(r)
    assert [t[1] for t in taken] == ["B", "C", "A"]  # round the post, then the town beside it
    assert enc["date"].iloc[0] == taken[2][0]  # the post is cut off the day A falls
    assert r.posts.set_index("date").loc[enc["date"].iloc[0], "encircled"]  # and posts.csv records it


def test_posts_already_cut_off_at_the_start_are_not_news(build):
    """Turkey's count of encircled posts starts from the start's: day 1 adds no escalation for old encirclements."""
    build.theatre([("G", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "regime")], [("G", "A", "M9")],
                  posts=[("p1", "A", "2019-01-01")])
    m = CeasefireModel(scenario(build, {"turkey": {"escalation_per_encirclement": 0.5}}))
    assert m.encircled.all()
    m.step()
    assert (m.turkey.escalation == 0).all()


def test_a_post_set_up_inside_government_ground_is_cut_off_from_its_first_day_and_is_not_news(build):
    """Turkey setting up a post where the government holds every town around it is not the regime encircling it: the
    post counts as encircled (and deters nothing) from the day it is set up, with no escalation and no encirclement
    event. Counted the next day as newly cut off, it raised Turkish escalation and logged ``post_encircled``."""
    build.theatre([("G", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "regime")], [("G", "A", "M9")],
                  posts=[("p1", "A", "")])
    post = ev(id="post", date="2020-01-03", type="observation_post", action="establish", post="p1")
    quiet = {"escalation_per_encirclement": 0.5, "exposure": 0, "combat_exposure": 0}  # no fighting, no deaths
    r = simulate(scenario(build, {"turkey": quiet}, [post], end="2020-01-06"))
    assert (r.timeseries["turkish_escalation"] == 0).all()
    assert "post_encircled" not in set(r.events["type"])
    posts = r.posts.set_index("date")
    assert posts.loc["2020-01-03":, "encircled"].all() and len(posts.loc["2020-01-03":]) == 4  # from the day it stands


def test_a_post_cut_off_the_day_another_is_relieved_is_news(build):
    """Escalation counts the posts newly encircled, not the net change: one relieved hides no other."""
    build.theatre([("G", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "regime"), ("B", 35.5, 36.1, "regime")],
                  [("G", "A", "M9"), ("A", "B", "M9")], posts=[("p1", "A", "2019-01-01"), ("p2", "B", "2019-01-01")])
    m = CeasefireModel(scenario(build, {"turkey": {"escalation_per_encirclement": 0.5, "escalation_decay": 0.0}}))
    m.turkey._encircled_seen = np.array([[True, False]])  # yesterday p1 was cut off and p2 was not; today the reverse
    m.encircled = np.array([[False, True]])
    m.turkey.escalate()
    assert m.turkey.escalation[0] == pytest.approx(0.5)


# ------------------------------------------------------------------ the ceasefire


def test_the_ceasefire_is_a_state_machine_in_every_replicate():
    from sim.model.ceasefire import Ceasefire

    day = pd.Timestamp("2020-01-02").date()
    cf = Ceasefire("t", "truce", day, day, None, ("russia",), {"regime": 1.0}, 0.0, replicates=3)
    assert cf.is_(CeasefireState.ANNOUNCED).all()
    assert not cf.move(np.array([True, True, True]), CeasefireState.BROKEN).any()  # a deal never in force cannot break
    cf.move(np.array([True, True, False]), CeasefireState.IN_FORCE)
    cf.move(np.array([True, False, False]), CeasefireState.BROKEN)
    assert [STATE.value for STATE in (CeasefireState.BROKEN, CeasefireState.IN_FORCE, CeasefireState.ANNOUNCED)] == \
        [["announced", "in force", "broken", "superseded", "expired"][i] for i in cf.state]
    assert not cf.move(np.array([True, False, False]), CeasefireState.IN_FORCE).any()  # broken is final


def test_truce_stops_a_compliant_regime(build):
    line_theatre(build)
    r = simulate(scenario(build, events=[push(["T2"]), truce(effective="2020-01-01")]))
    assert captures(r) == []
    assert (r.timeseries["ceasefire"].iloc[1:] == "in force").all()


def test_a_new_deal_supersedes_the_live_one_and_expires_after_its_end(build):
    line_theatre(build)
    first = truce(id="first", name="first", effective="2020-01-02", until="2020-01-20")
    second = truce(id="second", date="2020-01-05", name="second", effective="2020-01-06", until="2020-01-10")
    r = simulate(scenario(build, events=[push(["T2"]), first, second]))
    states = r.timeseries["ceasefire"].tolist()
    assert states == ["announced"] + ["in force"] * 3 + ["announced"] + ["in force"] * 5 + ["expired"] * 11, states  # announced on the start date
    kinds = r.events[r.events["type"].str.startswith("truce")][["date", "type"]].values.tolist()
    assert ["2020-01-05", "truce_superseded"] in kinds and ["2020-01-11", "truce_expired"] in kinds


def test_spoilers_build_pressure_and_it_eases_when_nothing_feeds_it(build):
    line_theatre(build, controllers=("regime", "hts"))
    factions = {**STRONG_REGIME, "hts": {"spoiler_rate": 1.0, "garrison": 50, "reserve": 0},
                "regime": {**STRONG_REGIME["regime"], "pretext": 0.1, "pressure_growth": 0.0, "pressure_easing": 0.0}}
    held = truce(compliance={"regime": 1.0, "hts": 0.0}, restraint=1.0)
    r = simulate(scenario(build, factions, [push(["T1"]), held]))
    ts = r.timeseries.set_index("date")
    assert ts.loc["2020-01-05", "violations"] == 4 and ts.loc["2020-01-05", "regime_pressure"] == pytest.approx(0.4)
    factions["regime"]["pressure_easing"] = 0.5
    eased = simulate(scenario(build, factions, [push(["T1"]), held], name="e.yaml")).timeseries.set_index("date")
    assert eased.loc["2020-01-20", "regime_pressure"] < 0.25  # each day's pretext, half of it gone the next


def test_pressure_eases_when_patrols_run(build):
    def pressure(relief):
        line_theatre(build, controllers=("regime", "rebels", "rebels"))
        agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
        patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=2, participants=["russia", "turkey"])
        factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "pressure_growth": 0.2, "patrol_relief": relief,
                                                 "objective_roads": {"M9": 1}}}
        return simulate(scenario(build, factions, [push(["T2"]), agreement, patrol], name=f"r{relief}.yaml")).timeseries["regime_pressure"].iloc[-1]

    assert pressure(0.3) < pressure(0.0) - 0.1


def test_a_deals_break_chance_is_the_regimes_urge_times_the_deterrence_it_is_given():
    # Only the arithmetic: the deterrence is handed in. That Turkish troops arriving under a deal lower it is
    # tests/test_rule_parameters.py's test_turkish_troops_arriving_under_a_deal_make_the_regime_keep_it_longer.
    from sim.model.ceasefire import Ceasefire

    day = pd.Timestamp("2020-01-02").date()
    cf = Ceasefire("t", "agreement", day, day, None, ("russia",), {"regime": 0.5}, 0.0, replicates=1)
    assert cf.regime_break_chance(deterrence=1.0)[0] == pytest.approx(0.5)
    assert cf.regime_break_chance(deterrence=float(np.exp(-0.1 * 10)))[0] == pytest.approx(0.5 * np.exp(-1))


# ------------------------------------------------------------------ patrols and the corridor


def patrol_scenario(build, block, security=0.0, policing=0.0, name="p.yaml", hts_compliance=0.0):
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": hts_compliance}, restraint=1.0,
                      corridor={"road": "M9", "width_km": 1})
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=2, participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {"patrol_block": block, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0},
                "turkey": {"patrol_security": security, "corridor_policing": policing}}
    return scenario(build, factions, [push(["T2"]), agreement, patrol], name=name)


def test_a_patrol_runs_on_a_deals_first_day_and_not_the_day_after_its_last(build):
    # Dated things fire the night before their day: a patrol then saw yesterday's deal, suspended on the first
    # day of the deal and driving the day after it had expired.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0,
                      until="2020-01-06")
    patrol = ev(date="2020-01-02", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=5,
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}
    r = simulate(scenario(build, factions, [agreement, patrol], end="2020-01-08"))
    days = r.events[r.events["type"].str.startswith("patrol")][["date", "type"]].values.tolist()
    assert [[str(d)[:10], t] for d, t in days] == [["2020-01-02", "patrol_completed"], ["2020-01-07", "patrol_suspended"]]


def test_a_deal_is_announced_before_the_other_events_of_its_night_wherever_it_is_listed(build):
    # A deal and a patrol dated the same day: listed first, the patrol ran before the deal was announced, saw no
    # deal in force, and was suspended (listed second, it ran). The deal now comes first, whatever the order.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", date="2020-01-02", effective="2020-01-02",
                      compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-02", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=5,
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}
    for order, name in (([patrol, agreement], "patrol_first.yaml"), ([agreement, patrol], "deal_first.yaml")):
        r = simulate(scenario(build, factions, order, end="2020-01-03", name=name))
        days = r.events[r.events["type"].str.startswith("patrol")][["date", "type"]].values.tolist()
        assert [[str(d)[:10], t] for d, t in days] == [["2020-01-02", "patrol_completed"]], name


def test_a_patrol_plan_that_ends_leaves_its_road_to_no_sit_in_and_no_pressure_relief(build):
    # Patrols until 5 Jan. HTS, rejecting the deal, stages a sit-in on the patrolled road every day it can. From the
    # day after the plan's end the road is patrolled no more: no sit-in is staged on it (267 were after the last
    # patrol in a 10-replicate what-if), and its last coverage no longer counts it partly open.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-02", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=2, until="2020-01-05",
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {"patrol_block": 0.0, "protest_rate": 1.0, "protest_days": 1, "patrol_attack": 0.0,
                                         "spoiler_rate": 0.0}}
    m = CeasefireModel(scenario(build, factions, [agreement, patrol], end="2020-01-10"))
    m.run_model()
    sit_ins = [row[1] for row in m.journal.table() if row[2] == "sit_in"]
    assert sit_ins and max(sit_ins) <= 4  # day 4 is 5 Jan, the plan's last
    assert m.patrol_roads == set() and m.patrol_coverage == {}


def two_patrolled_roads(build, hts, name):
    """Two roads out of government-held A, each through rebel towns: M4 to C, M5 to E; HTS's ground, F, on no road (it
    stages its spoiling only where it holds a town); a deal HTS rejects; a patrol plan on each road, daily from 2 Jan."""
    build.theatre([("A", 35.5, 36.0, "regime"), ("B", 35.5, 36.05, "rebels"), ("C", 35.5, 36.1, "rebels"),
                   ("D", 35.55, 36.0, "rebels"), ("E", 35.6, 36.0, "rebels"), ("F", 36.0, 36.0, "hts")],
                  [("A", "B", "M4"), ("B", "C", "M4"), ("A", "D", "M5"), ("D", "E", "M5")])
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    plans = [ev(date="2020-01-02", type="joint_patrol", route=["A", end], road=road, every_days=1, participants=["russia", "turkey"])
             for road, end in (("M4", "C"), ("M5", "E"))]
    factions = {**STRONG_REGIME, "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0,
                                         **hts},
                "turkey": {"patrol_security": 0.0, "corridor_policing": 0.0}}
    m = CeasefireModel(scenario(build, factions, [agreement, *plans], name=name, end="2020-01-12"), seeds=list(range(40)))
    m.run_model()
    return m


def roads_hit_each_day(m, kind, where):
    """{(replicate, day): the roads with an event of ``kind`` that day}, each road found by ``where(town, detail)``."""
    hit: dict[tuple[int, int], set] = {}
    for r, day, k, town, _, detail in m.journal.table().tolist():
        if k == kind and (road := where(town, detail)) is not None:
            hit.setdefault((r, day), set()).add(road)
    return hit


def test_two_patrol_plans_on_one_day_are_ambushed_each_by_its_own_chance(build):
    # Both plans drew the same number: on 315 of 1,000 replicate-days with two plans both were ambushed, never one.
    m = two_patrolled_roads(build, {"patrol_attack": 0.5, "patrol_attack_casualties": 1.0}, "ambush.yaml")
    hit = roads_hit_each_day(m, "violation", lambda town, detail: {"C": "M4", "E": "M5"}.get(town)
                             if detail == "attack on the joint patrol" else None)
    one = sum(len(roads) == 1 for roads in hit.values())
    both = sum(len(roads) == 2 for roads in hit.values())
    assert one > 50 and both > 50  # 400 replicate-days of two patrols: about 200 and 100 if each is its own half chance


def test_a_sit_in_is_staged_on_each_patrolled_road_by_its_own_chance(build):
    # One draw a day started a sit-in on every patrolled road at once, or on none.
    m = two_patrolled_roads(build, {"protest_rate": 0.5, "protest_days": 1}, "sit_in.yaml")
    hit = roads_hit_each_day(m, "sit_in", lambda town, detail: detail.rsplit(" ", 1)[-1])
    one = sum(len(roads) == 1 for roads in hit.values())
    both = sum(len(roads) == 2 for roads in hit.values())
    assert one > 50 and both > 50


def test_a_patrol_dated_on_the_start_date_keeps_the_hours_of_any_other_and_its_last_day(build):
    # Dated on the start date, a patrol fired at 0, k, 2k: after the step of the day it was logged on (its coverage
    # read the day after), and the one on the last day fell past the plan's end and was dropped.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"), aside=("hts",))  # HTS's ground: its camp
    agreement = truce(type="agreement", effective="2020-01-01", compliance={"regime": 1.0, "rebels": 1.0, "hts": 1.0})
    camp = ev(date="2020-01-01", type="sit_in", town="T1", until="2020-01-05")  # patrols stopped at T1 up to 4 Jan
    quiet = {**STRONG_REGIME, "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}

    def run(date, name):
        patrol = ev(date=date, type="joint_patrol", route=["T0", "T3"], road="M9", every_days=2, participants=["russia", "turkey"])
        return simulate(scenario(build, quiet, [agreement, camp, patrol], name=name, end="2020-01-09"))

    first = run("2020-01-01", "a.yaml")
    assert [(p["date"], p["reached"]) for p in first.patrols] == [
        ("2020-01-01", "T1"), ("2020-01-03", "T1"), ("2020-01-05", "T3"), ("2020-01-07", "T3"), ("2020-01-09", "T3")]
    daily = first.timeseries.set_index("date")["patrol_coverage"]
    assert [round(daily.loc[p["date"]], 4) for p in first.patrols] == [p["coverage"] for p in first.patrols]  # on its day
    # From its second patrol on, it is the same plan as one dated two days later, down to the time series.
    later = run("2020-01-03", "b.yaml")
    assert first.patrols[1:] == later.patrols
    assert first.timeseries.iloc[2:].equals(later.timeseries.iloc[2:])


def test_the_start_dates_row_shows_what_the_start_dates_events_did(build):
    # Row 0 was written when the model was made, before the events dated on the start date fired: Moscow's first row
    # read ceasefire "none" while its log had the agreement announced that day, and a patrol on the start date was
    # read on the next day's row.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"))
    agreement = truce(type="agreement", effective="2020-01-01", compliance={"regime": 1.0, "rebels": 1.0, "hts": 1.0})
    patrol = ev(date="2020-01-01", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=2, participants=["russia", "turkey"])
    quiet = {**STRONG_REGIME, "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}
    r = simulate(scenario(build, quiet, [agreement, patrol], end="2020-01-04"))
    days = r.timeseries.set_index("date")
    assert days["ceasefire"].tolist() == ["in force"] * 4
    assert days["patrol_coverage"].tolist() == [1.0, 1.0, 1.0, 1.0]  # driven on the 1st and 3rd, each read on its day
    assert r.patrols[0]["date"] == "2020-01-01"


def test_patrol_is_blocked_next_to_hts_ground(build):
    r = simulate(patrol_scenario(build, block=1.0))
    runs = r.events[r.events["type"] == "patrol"]
    # T2 borders the HTS town T3: every patrol is stopped on the way into it, half-way along its last stretch.
    assert len(runs) == 10 and runs["detail"].str.startswith("covered 75% of").all()
    assert runs["detail"].str.endswith("stopped at T2").all() and {p["reached"] for p in r.patrols} == {"T2"}


def test_each_patrol_s_coverage_is_read_on_its_day_whatever_road_the_others_drive(build):
    # Two roads from T1: the M9 patrol is stopped next to HTS's T3 (75% of its route) on odd days, the M7 one, far
    # from HTS, drives all of it on even days. The time series read the alphabetically first road alone (M7: 100%).
    # T1 is the government's: a patrol sets out only from a town it holds.
    towns = [("T0", 35.5, 36.0, "regime"), ("T1", 35.5, 36.055, "regime"), ("T2", 35.5, 36.11, "rebels"),
             ("T3", 35.5, 36.165, "hts"), ("T4", 35.6, 36.055, "rebels")]
    build.theatre(towns, [("T0", "T1", "M9"), ("T1", "T2", "M9"), ("T2", "T3", "M9"), ("T1", "T4", "M7")])
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrols = [ev(id=f"patrol-{road}", date=day, type="joint_patrol", route=route, road=road, every_days=2,
                  participants=["russia", "turkey"]) for road, route, day in (("M9", ["T0", "T2"], "2020-01-03"),
                                                                               ("M7", ["T1", "T4"], "2020-01-04"))]
    factions = {**STRONG_REGIME, "hts": {"patrol_block": 1.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}
    r = simulate(scenario(build, factions, [agreement, *patrols]))
    by_day = {(p["date"], p["coverage"]) for p in r.patrols}
    assert {c for _, c in by_day} == {0.75, 1.0} and len(by_day) == len(r.patrols), "one patrol a day, each road its own"
    daily = r.timeseries.set_index("date")["patrol_coverage"]
    assert daily.loc[:"2020-01-02"].isna().all()
    assert all(daily.loc[day] == covered for day, covered in by_day), daily.tolist()
    assert r.metrics()["patrol_coverage_mean"] == pytest.approx(np.mean([p["coverage"] for p in r.patrols]))


def test_patrols_that_get_through_make_the_road_safer(build):
    blocked = simulate(patrol_scenario(build, block=1.0, security=0.5, name="s.yaml"))
    # Each patrol makes T1 safer, not T2 where it is stopped: still blocked every time.
    assert (blocked.events[blocked.events["type"] == "patrol"]["detail"].str.startswith("covered 75%")).all()
    # That held whatever patrols did to the road (T2 is never passed): read the road's safety itself. Ten patrols
    # through T0 and T1, each taking off half the remaining risk; none through T2 (no corridor policing here).
    m = CeasefireModel(patrol_scenario(build, block=1.0, security=0.5, name="s2.yaml"))
    m.run_model()
    assert m.security[0, :3].tolist() == pytest.approx([1 - 0.5**10, 1 - 0.5**10, 0.0])
    partly = simulate_batch(patrol_scenario(build, block=0.9, security=0.0, policing=0.3, name="c.yaml"), list(range(20)))
    full = [r.events["type"].eq("patrol_completed").any() for r in partly]
    assert sum(full) >= 15  # policing inside the corridor makes T2 safe within days


def test_a_protest_camp_stops_every_patrol_at_its_town_until_it_is_broken_up(build):
    base = patrol_scenario(build, block=0.0, name="camp.yaml")
    # HTS's own sit-ins, a day long and every day, must not cut the camp short.
    base = base.with_params({"hts.protest_rate": 1.0, "hts.protest_days": 1})
    camp = schema.SitInSpec(type="sit_in", date=dt.date(2020, 1, 2), town="T1", until=dt.date(2020, 1, 13), source=["test-claim"])
    r = simulate(base.model_copy(update={"events": [*base.events, camp]}))
    before = [p for p in r.patrols if p["date"] < "2020-01-13"]
    assert len(before) == 5 and all(p["reached"] == "T1" and 0 < p["coverage"] < 0.5 for p in before)
    assert any(p["date"] >= "2020-01-13" and p["reached"] != "T1" for p in r.patrols)


def test_the_corridor_is_policed_only_inside_it_off_government_ground_and_only_in_force(build):
    m = CeasefireModel(patrol_scenario(build, block=0.5, policing=0.1))
    m.run_model()
    inside = m.deal.corridor
    # T0, inside the corridor, is the government's: no Turkish soldier polices it (until round 63 it was made as
    # secure as the rest), and no patrol makes it safer here (patrol_security 0).
    policed = inside & (m.controller[0] != HolderCode.REGIME)
    assert m.controller[0, 0] == HolderCode.REGIME and inside[0] and policed[1:].all()
    assert (m.security[0, policed] > 0).all() and (m.security[0, ~policed] == 0).all()
    # On the line every town is within 1 km of the M9, so the above says nothing of "only inside it", and the deal is
    # in force from its second day to the end: nothing of "only in force" either. A town off the road, and a deal in
    # force from 8 Jan only, with no patrols (the corridor alone makes the road safer):
    build.theatre([(f"T{i}", 35.5, 36.0 + 0.055 * i, c) for i, c in enumerate(("regime", "rebels", "rebels"))]
                  + [("Z", 35.6, 36.055, "rebels")],
                  [("T0", "T1", "M9"), ("T1", "T2", "M9"), ("T1", "Z", "secondary")], name="corridor")
    agreement = truce(type="agreement", effective="2020-01-08", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0},
                      restraint=1.0, corridor={"road": "M9", "width_km": 1})
    sc = load_scenario(build.scenario({"factions": {"turkey": {"corridor_policing": 0.1}}, "events": [agreement]},
                                      name="policed.yaml", theatre="corridor.yaml"))
    m = CeasefireModel(sc)
    assert m.theatre.towns[-1] == "Z"
    for _ in range(6):  # to 7 Jan: announced, not yet in force
        m.step()
    assert (m.security == 0).all()
    m.run_model()  # 8 to 21 Jan: 14 days in force
    assert m.security[0, 1:3] == pytest.approx(1 - 0.9**14) and m.security[0, [0, 3]].tolist() == [0, 0]


def test_hts_attacks_on_patrols_take_their_casualties_from_the_scenario(build):
    def attacked(casualties):
        line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
        agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
        patrol = ev(date="2020-01-05", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=2, participants=["russia", "turkey"])
        factions = {**STRONG_REGIME, "turkey": {"exposure": 0, "combat_exposure": 0},
                    "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "spoiler_rate": 0.0, "patrol_attack": 1.0,
                            "patrol_attack_casualties": casualties}}
        m = CeasefireModel(scenario(build, factions, [push(["T1"]), agreement, patrol], name=f"a{casualties}.yaml"))
        m.run_model()
        return m

    none = attacked(0.0)
    assert sum(1 for row in none.journal.table() if row[2] == "violation" and row[5] == "attack on the joint patrol") == 9
    assert none.turkey.deaths[0] == 0
    many = attacked(20.0)
    assert many.turkey.deaths[0] > 9 * 10
    losses = [row for row in many.journal.table() if row[2] == "turkish_losses"]
    by_patrol_attacks = sum(int(row[5].split()[0]) for row in losses if row[5].endswith("in an attack on a joint patrol"))
    assert by_patrol_attacks == many.turkey.deaths[0] == many.casualties["turkey"][0]
    assert {row[4] for row in losses} == {"hts;turkey"}, "the ambush is HTS's, not the government's"
    few = [row[5] for row in attacked(0.5).journal.table() if row[2] == "turkish_losses"]  # now and then one soldier
    assert "1 Turkish soldier killed in an attack on a joint patrol" in few, few
    assert not any(text.startswith("1 Turkish soldiers") for text in few), few


def test_a_patrol_participant_s_casualties_do_not_depend_on_its_place_in_the_list(build):
    # Each participant's draw was keyed by its position: [turkey, russia] gave Turkey Russia's luck, so a what-if that
    # only reordered (or dropped Russia from) the patrols changed the Turkish dead.
    def patrolled(participants):
        line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
        agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
        patrol = ev(date="2020-01-05", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=2,
                    participants=participants)
        factions = {**STRONG_REGIME, "turkey": {"exposure": 0, "combat_exposure": 0},
                    "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "spoiler_rate": 0.0, "patrol_attack": 1.0,
                            "patrol_attack_casualties": 3.0}}
        name = "-".join(participants) + ".yaml"
        m = CeasefireModel(scenario(build, factions, [push(["T1"]), agreement, patrol], name=name), seed=5)
        m.run_model()
        return m

    both, swapped, alone = patrolled(["russia", "turkey"]), patrolled(["turkey", "russia"]), patrolled(["turkey"])
    assert both.turkey.deaths[0] > 0 and both.casualties["russia"][0] > 0
    assert swapped.turkey.deaths[0] == alone.turkey.deaths[0] == both.turkey.deaths[0]
    assert swapped.casualties["russia"][0] == both.casualties["russia"][0]


# ------------------------------------------------------------------ Turkey, rebels, civilians


def test_overlapping_air_policies_and_interventions_hold_what_those_still_in_force_imply(build):
    # The first of two overlapping policies to end reset the ceiling to 1 (and an intervention's end the floor to 0),
    # lifting the second, still in force, early. The tightest in force holds: the lowest ceiling, the highest floor.
    line_theatre(build)
    quiet = {"russia": {"air_support": 1.0, "idle_air": 1.0, "truce_air": 1.0},
             "turkey": {"escalation_decay": 1.0, "escalation_per_death": 0.0, "exposure": 0, "combat_exposure": 0}}
    events = [ev(id="cap-a", date="2020-01-02", type="air_policy", ceiling=0.0, until="2020-01-05"),
              ev(id="cap-b", date="2020-01-04", type="air_policy", ceiling=0.3, until="2020-01-08"),
              ev(id="cap-c", date="2020-01-06", type="air_policy", ceiling=0.6, until="2020-01-07"),
              ev(id="shield-a", date="2020-01-02", type="intervention", name="a", intensity=0.9, until="2020-01-05"),
              ev(id="shield-b", date="2020-01-04", type="intervention", name="b", intensity=0.2, until="2020-01-08"),
              ev(id="shield-c", date="2020-01-06", type="intervention", name="c", intensity=0.5, until="2020-01-07")]
    sc = scenario(build, quiet, events, end="2020-01-10")
    r = simulate(sc)
    days = r.timeseries.set_index("date")
    #         2 Jan  3    4    5    6    7    8    9   10
    ceiling = [0.0, 0.0, 0.0, 0.0, 0.3, 0.3, 0.3, 1.0, 1.0]
    floor = [0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.2, 0.0, 0.0]
    assert days["air_effort"].tolist()[1:] == ceiling
    assert days["turkish_escalation"].tolist()[1:] == pytest.approx(floor)
    ends = r.events.loc[r.events["type"] == "air_policy_end", "detail"].tolist()
    assert ends[-1] == "air effort no longer capped" and all("at most at 0.3" in e for e in ends[:-1]) and len(ends) == 3
    # An intensity that differs per replicate (a sweep's points stepped together) holds each replicate's own floor.
    other = sc.with_params({"events.shield-b.intensity": 0.7})
    m = CeasefireModel([sc, other], seeds=[1, 2])
    for _ in range(7):
        m.step()
    assert m.date == dt.date(2020, 1, 8) and m.turkey.escalation.tolist() == pytest.approx([0.2, 0.7])


def test_strike_adds_turkish_deaths_and_escalation(build):
    line_theatre(build)
    strike = ev(date="2020-01-03", type="strike", by="regime", town="T1", casualties={"turkey": 30})
    r = simulate(scenario(build, {"turkey": {"escalation_per_death": 0.01, "exposure": 0, "combat_exposure": 0}}, [strike]))
    ts = r.timeseries.set_index("date")
    assert ts.loc["2020-01-02", "turkish_deaths"] == 0 and ts.loc["2020-01-03", "turkish_deaths"] == 30
    assert ts.loc["2020-01-03", "turkish_escalation"] == pytest.approx(0.3)


def strike_on_calm_forces(build, dead):
    """(force lost, dead booked) of the government and HTS by a strike of ``dead`` each on 3 Jan, on forces of 100 and
    50 points that neither fight nor grow: each the difference from the same run without it."""
    line_theatre(build)
    strike = ev(date="2020-01-03", type="strike", by="turkey", town="T1", casualties={"regime": dead, "hts": dead})
    calm = {"regime": {"force": 100, "commit": 0.0}, "hts": {"reserve": 50, "regen": 0, "spoiler_rate": 0}}
    days = {}
    for name, events in (("a.yaml", []), ("b.yaml", [strike])):
        m = CeasefireModel(scenario(build, calm, events, name=name, end="2020-01-04"))
        m.run_model()
        days[name] = np.array([m.regime.force[0], m.hts.force[0], -m.casualties["regime"][0], -m.casualties["hts"][0]])
    regime, hts, dead_regime, dead_hts = days["a.yaml"] - days["b.yaml"]
    return (regime, hts), (dead_regime, dead_hts), m.combat_params.fighters_per_point


def test_a_strike_on_the_regime_or_hts_kills_from_their_forces_not_only_in_the_casualty_count(build):
    """A strike's dead came out of a force: they were booked as casualties while every force kept its strength."""
    lost, booked, per_point = strike_on_calm_forces(build, 300)
    assert lost == pytest.approx((300 / per_point, 300 / per_point)) and booked == pytest.approx((300, 300))


def test_a_strike_books_no_more_dead_than_it_took_out_of_a_force(build):
    """A strike reporting more dead than a force held booked them all: 1,000,000 government dead from a mobile force of
    about 52,800 fighters (the casualties read 1,000,149), and as many from HTS's reserve of 5,000."""
    lost, booked, per_point = strike_on_calm_forces(build, 1_000_000)
    assert lost == pytest.approx((100, 50))  # all the strike could reach
    assert booked == pytest.approx((100 * per_point, 50 * per_point))


def test_turkish_drones_hold_fire_while_the_regime_keeps_a_deal_and_resume_when_it_breaks(build):
    line_theatre(build, controllers=("regime", *["hts"] * 8))
    shield = ev(id="shield", date="2020-01-03", type="intervention", name="shield", intensity=1.0)

    def regime_force(deal, drones, name):
        factions = {**STRONG_REGIME, "turkey": {"drone_strength": drones, "exposure": 0, "combat_exposure": 0}}
        return simulate(scenario(build, factions, [push(["T8"]), shield, deal], name=name)).timeseries.set_index("date")

    kept = truce(effective="2020-01-03", restraint=1.0)
    assert regime_force(kept, 2.0, "a.yaml")["regime_force"].equals(regime_force(kept, 0.0, "b.yaml")["regime_force"])
    broken = truce(effective="2020-01-03", compliance={"regime": 0.5, "hts": 1.0, "rebels": 1.0}, restraint=0.0)
    struck, spared = regime_force(broken, 2.0, "c.yaml"), regime_force(broken, 0.0, "d.yaml")
    day = struck.index[struck["ceasefire"] == "broken"][0]
    assert struck.loc[:day, "regime_force"].equals(spared.loc[:day, "regime_force"])  # struck only after the break...
    assert struck["regime_force"].iloc[-1] < spared["regime_force"].iloc[-1] - 10  # ...and from then on
    # A deal Turkey is no party to does not hold its drones back, kept or not.
    russian = truce(effective="2020-01-03", restraint=1.0, parties=["russia"])
    assert regime_force(russian, 2.0, "e.yaml")["regime_force"].iloc[-1] < regime_force(russian, 0.0, "f.yaml")["regime_force"].iloc[-1] - 10


def test_turkish_drones_strike_only_in_a_declared_intervention(build):
    """Escalation alone (soldiers killed, posts cut off) once set the drones on the government's force from the
    first post cut off in December; the record has Turkey's own campaign begin with Spring Shield (round 28)."""
    line_theatre(build, controllers=("regime", *["hts"] * 8))
    strike = ev(date="2020-01-02", type="strike", by="regime", town="T1", casualties={"turkey": 30})  # escalation 0.3
    shield = ev(id="shield", date="2020-01-06", type="intervention", name="shield", intensity=1.0)

    def regime_force(drones, events, name):
        factions = {**STRONG_REGIME, "turkey": {"drone_strength": drones, "escalation_per_death": 0.01, "escalation_decay": 0,
                                               "exposure": 0, "combat_exposure": 0}}
        ts = simulate(scenario(build, factions, [push(["T8"]), strike, *events], name=name)).timeseries
        return ts.set_index("date")

    escalated, calm = regime_force(5.0, [], "a.yaml"), regime_force(0.0, [], "b.yaml")
    assert (escalated["turkish_escalation"].iloc[2:] > 0.2).all(), "the strike's dead escalate Turkey"
    assert escalated["regime_force"].equals(calm["regime_force"]), "escalated, but no campaign declared: no drone losses"
    struck, spared = regime_force(5.0, [shield], "c.yaml"), regime_force(0.0, [shield], "d.yaml")
    assert struck.loc[:"2020-01-05", "regime_force"].equals(spared.loc[:"2020-01-05", "regime_force"])
    assert struck["regime_force"].iloc[-1] < spared["regime_force"].iloc[-1] - 10, "Spring Shield's drones do strike"


def test_turkish_drones_strike_the_force_in_the_field_never_the_reserve(build):
    """Strikes took their loss from the pool too (the army not yet sent to Idlib) in proportion to its size, so a six-
    month war with no deal lost the government 114,000 fighters, most of them never sent to the front (round 48)."""
    line_theatre(build, controllers=("regime", *["hts"] * 8))
    shield = ev(id="shield", date="2020-01-02", type="intervention", name="shield", intensity=1.0)

    def regime_after(drones, events, name):
        factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "force": 80, "regen": 0, "commit": 0.5},
                    "turkey": {"drone_strength": drones, "exposure": 0, "combat_exposure": 0}}
        m = CeasefireModel(scenario(build, factions, [shield, *events], name=name, end="2020-01-10"))
        m.run_model()
        return m.regime

    idle = regime_after(5.0, [], "a.yaml")  # no group in the field: nothing for the drones to hit
    assert idle.pool.tolist() == [80.0] and idle.model.casualties["regime"].tolist() == [0.0]
    struck, spared = (regime_after(drones, [push(["T8"], force=20)], name) for drones, name in ((5.0, "b.yaml"), (0.0, "c.yaml")))
    assert struck.pool.tolist() == spared.pool.tolist() == [60.0], "the reserve is untouched: 80 less the 20 the push drew"
    assert struck.groups["main"].force[0] < spared.groups["main"].force[0] - 5, "the group in the field is struck"


def test_an_intervention_of_intensity_0_is_still_a_declared_campaign(build):
    """The drones' switch was the floor an intervention holds escalation at (> 0), not whether one is in force: at
    intensity 0 (in a Share's range, a sweep's end point) Spring Shield in force struck nothing, however escalated."""
    line_theatre(build, controllers=("regime", *["hts"] * 8))
    strike = ev(date="2020-01-02", type="strike", by="regime", town="T1", casualties={"turkey": 30})  # escalation 0.3

    def regime_force(drones, intensity, name):
        factions = {**STRONG_REGIME, "turkey": {"drone_strength": drones, "escalation_per_death": 0.01, "escalation_decay": 0,
                                               "exposure": 0, "combat_exposure": 0}}
        shield = ev(id="shield", date="2020-01-06", type="intervention", name="shield", intensity=intensity)
        return simulate(scenario(build, factions, [push(["T8"]), strike, shield], name=name)).timeseries.set_index("date")

    struck, spared = regime_force(5.0, 0.0, "a.yaml"), regime_force(0.0, 0.0, "b.yaml")
    assert (struck["turkish_escalation"].iloc[2:] > 0.2).all()
    assert struck.loc[:"2020-01-05", "regime_force"].equals(spared.loc[:"2020-01-05", "regime_force"])
    assert struck["regime_force"].iloc[-1] < spared["regime_force"].iloc[-1] - 10, "the campaign in force strikes"


def test_a_reported_strike_is_not_carried_out_while_its_striker_keeps_a_deal(build):
    # A what-if in which the government keeps a truce still had it kill the strike's Turkish soldiers.
    line_theatre(build, controllers=("regime", "hts", "hts"))
    strike = ev(id="strike", date="2020-01-05", type="strike", by="regime", town="T1", casualties={"turkey": 10})
    quiet = {**STRONG_REGIME, "turkey": {"exposure": 0, "combat_exposure": 0}}

    def deaths(events, name):
        r = simulate(scenario(build, quiet, events, name=name))
        return r.timeseries["turkish_deaths"].iloc[-1], set(r.events["type"])

    alone, types = deaths([strike], "a.yaml")
    assert alone == 10 and "strike" in types
    kept, types = deaths([truce(effective="2020-01-03", restraint=1.0), strike], "b.yaml")
    assert kept == 0 and "strike_withheld" in types and "strike" not in types
    later, types = deaths([truce(effective="2020-01-08", restraint=1.0), strike], "c.yaml")  # announced, not yet in force
    assert later == 10 and "strike" in types


def test_rebels_counter_attack_only_with_turkish_escalation(build):
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "rebels"), ("H", 35.5, 36.1, "rebels")],
                  [("R", "L", "M9"), ("L", "H", "M9")])
    factions = {**STRONG_REGIME, "rebels": {"garrison": 1, "reserve": 200, "regen": 0, "counter_threshold": 0.5, "counter_commit": 0.5}}
    events = [push(["L"]), ev(id="shield", date="2020-01-06", type="intervention", name="shield", intensity=1.0)]
    caps = captures(simulate(scenario(build, factions, events)))
    assert caps[0][1:3] == ["L", "rebels -> regime (assault)"]
    assert any(c[1] == "L" and c[2].startswith("regime -> rebels") and c[0] >= "2020-01-06" for c in caps)
    factions["turkey"] = {"may_escalate": False}
    assert [c[2] for c in captures(simulate(scenario(build, factions, events, name="b.yaml")))] == ["rebels -> regime (assault)"]


def test_posts_overlooking_an_opposition_assault_come_under_fire_too(build):
    """Soldiers at posts overlooking the fighting are exposed whoever attacks. Turkey acts before HTS and the rebels
    declare their assaults, so exposure counted only the regime's: HTS's counter-offensive beside a post killed no one."""
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "regime"), ("H", 35.5, 36.1, "hts")],
                  [("R", "L", "M9"), ("L", "H", "M9")], posts=[("p1", "L", "2019-01-01", 35.51, 36.05)])
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 200, "regen": 0, "spoiler_rate": 0, "counter_commit": 0.5},
                "turkey": {"exposure": 3.0, "combat_exposure": 0, "may_escalate": False}}
    back = ev(id="strike-back", date="2020-01-03", type="offensive", faction="hts", action="start", axis=["L"])
    r = simulate(scenario(build, factions, [back], end="2020-01-08"))
    assert any(c[1] == "L" and c[2].startswith("regime -> hts") for c in captures(r))  # HTS attacked, and the regime never
    deaths = r.timeseries.set_index("date")["turkish_deaths"]
    assert deaths.loc["2020-01-02"] == 0 and deaths.iloc[-1] > 0


@pytest.mark.parametrize("reported", [False, True])
def test_hts_strikes_back_only_on_a_reported_counter_offensive(build, reported):
    # The government takes L from HTS; a counter-offensive on [L] from 5 Jan sends HTS back at it. Without one, HTS never attacks.
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "hts"), ("H", 35.5, 36.1, "hts")],
                  [("R", "L", "M9"), ("L", "H", "M9")])
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 200, "regen": 0, "spoiler_rate": 0, "counter_commit": 0.5}}
    events = [push(["L"])]
    if reported:
        events.append(ev(id="strike-back", date="2020-01-05", type="offensive", faction="hts", action="start", axis=["L"]))
    caps = captures(simulate(scenario(build, factions, events, name=f"r{reported}.yaml")))
    assert caps[0][1:] == ["L", "hts -> regime (assault)"] and caps[0][0] < "2020-01-05"
    back = [c for c in caps[1:] if c[2].startswith("regime -> hts")]
    assert bool(back) == reported and all(c[0] >= "2020-01-05" for c in back)


def test_the_displaced_go_to_the_camps_and_nobody_is_lost(build):
    build.theatre([("Camp", 35.6, 36.0, "hts", 5000, "camp"), ("G", 35.5, 36.0, "regime", 1000), ("A", 35.5, 36.05, "hts", 20000)],
                  [("Camp", "A", "M9"), ("G", "A", "M9")])
    m = CeasefireModel(scenario(build, events=[push(["A"])]), check_invariants=True)
    m.run_model()
    camp = m.theatre.town("Camp")
    assert m.displaced[0] > 10000 and m.residents[0, camp] == pytest.approx(5000 + m.displaced[0])
    assert m.residents.sum() == pytest.approx(m.theatre.population.sum())


@pytest.mark.parametrize("rear_km", [0.0, 2.0])
def test_nobody_leaves_the_rear_even_under_assault(build, rear_km):
    # G faces B (0.6 km from the border line) and P (4.4 km): both assaulted on day 1. Only rear_km decides for B.
    build.theatre([("Camp", 35.6, 36.0, "hts", 1000, "camp"), ("G", 35.43, 36.0, "regime", 1000),
                   ("B", 35.415, 35.98, "hts", 5000), ("P", 35.45, 36.02, "hts", 5000)],
                  [("Camp", "P", "M9"), ("G", "B", "M9"), ("G", "P", "secondary"), ("B", "P", "secondary")],
                  border=[(35.41, 35.9), (35.41, 36.2)])
    sc = scenario(build, events=[push(["B", "P"], frontage=2)], combat={"rear_km": rear_km},
                  civilians={"flee_assault": 0.5, "flee_air": 0.0, "flee_front": 0.0, "flee_capture": 0.0}, name=f"rear{rear_km}.yaml")
    m = CeasefireModel(sc)
    m.step()
    b, p = m.theatre.town("B"), m.theatre.town("P")
    assert m.attack_force[0, b] > 0 and m.attack_force[0, p] > 0
    assert m.rear[b] == (rear_km > 0) and not m.rear[p]
    assert m.residents[0, p] < 5000 * 0.6  # half of P's people leave under assault
    assert m.residents[0, b] == (5000 if rear_km > 0 else pytest.approx(2500, rel=0.01))


# ------------------------------------------------------------------ one model, a batch of replicates


def test_a_replicate_is_the_same_alone_as_in_a_batch(build):
    post_theatre(build)
    factions = {"regime": {"force": 20, "commit": 0.3}, "hts": {"spoiler_rate": 0.5}, "rebels": {"garrison": 3, "reserve": 0, "regen": 0}}
    sc = scenario(build, factions, [push(["C"], force=20), truce(date="2020-01-12", effective="2020-01-13", compliance={"regime": 0.9, "hts": 0.0})],
                  combat={"noise": 0.8, "lethality": 0.1, "withdraw_ratio": 5.0, "break_ratio": 100})
    batch = simulate_batch(sc, [5, 6, 7, 8])
    alone = simulate(sc, seed=7)
    assert batch[2].history.tobytes() == alone.history.tobytes()
    pd.testing.assert_frame_equal(batch[2].timeseries, alone.timeseries)
    pd.testing.assert_frame_equal(batch[2].events, alone.events)
    assert not all(np.array_equal(batch[0].history, b.history) for b in batch[1:]), "replicates must differ"


def test_every_replicate_is_the_same_alone_as_in_a_batch_with_patrols_and_a_deal_that_may_break(build):
    """The patrols' coverage of a replicate whose deal broke before the first patrol was blank alone and 0 in a batch
    where another replicate patrolled (one road-wide flag for the batch): every replicate is checked, not one."""
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "hts": {**STRONG_REGIME["hts"], "protest_rate": 0.0, "patrol_attack": 0.0}}
    deal = truce(compliance={"regime": 0.7, "hts": 1.0, "rebels": 1.0})
    patrol = ev(date="2020-01-06", type="joint_patrol", route=["T0", "T4"], road="M9", every_days=3, participants=["russia", "turkey"])
    sc = scenario(build, factions, [push(["T1"], force=5), deal, patrol], end="2020-01-15")
    seeds = list(range(1, 21))
    batch, alone_runs = simulate_batch(sc, seeds), [simulate(sc, seed=seed) for seed in seeds]
    never = [r.timeseries["patrol_coverage"].isna().all() for r in alone_runs]
    assert any(never) and not all(never), "some replicates patrol, some never do"
    for seed, in_batch, alone in zip(seeds, batch, alone_runs, strict=True):
        assert in_batch.history.tobytes() == alone.history.tobytes(), seed
        pd.testing.assert_frame_equal(in_batch.timeseries, alone.timeseries, obj=f"seed {seed}")
        pd.testing.assert_frame_equal(in_batch.events, alone.events, obj=f"seed {seed}")


def test_the_model_steps_with_mesa_and_lists_its_factions_in_order(build):
    line_theatre(build)
    m = CeasefireModel(scenario(build, events=[push(["T1"], date="2020-01-05")]), seeds=[1, 2, 3])
    for _ in range(3):
        m.step()
    assert m.date == dt.date(2020, 1, 4) and not m.regime.groups
    # Mesa fires the offensive dated 5 January at time_of(5 January), 3.5, the night before: the step that
    # simulates 5 January (Mesa's step event at time 4) finds the group formed, and it attacks that day.
    m.step()
    assert m.time == 4 and m.date == dt.date(2020, 1, 5) and (m.attack_force[:, m.theatre.town("T1")] > 0).all()
    m.run_model()
    assert m.steps == 20 and m.history.shape == (3, 21, 3)
    # Mesa's data collector holds a row for the start and one for each day, each a value per replicate.
    assert len(m.datacollector.model_vars["air_effort"]) == 21 and m.datacollector.model_vars["air_effort"][-1].shape == (3,)
    assert list(m.factions) == ["regime", "russia", "turkey", "hts", "rebels"]


@pytest.mark.parametrize("keeps", [0.0, 1.0])
def test_a_rebel_counter_attack_during_a_deal_is_a_violation(build, keeps):
    # The government takes L from the rebels on 2 Jan; from 4 Jan Turkey fights openly, so the rebels would strike
    # back at it, and a truce binds everyone: kept, nothing happens; not kept, each counter-attack is a violation.
    build.theatre([("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "rebels"), ("H", 35.5, 36.1, "rebels")],
                  [("R", "L", "M9"), ("L", "H", "M9")])
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "pretext": 0.1},
                "rebels": {"garrison": 1, "reserve": 200, "regen": 0, "counter_threshold": 0.5, "counter_commit": 0.01}}
    events = [push(["L"]), ev(id="shield", date="2020-01-04", type="intervention", name="shield", intensity=1.0),
              truce(date="2020-01-04", effective="2020-01-04", compliance={"regime": 1.0, "hts": 1.0, "rebels": keeps}, restraint=1.0)]
    r = simulate(scenario(build, factions, events, name=f"k{keeps}.yaml"))
    ts = r.timeseries.set_index("date")
    rows = r.events[r.events["type"] == "violation"]
    assert captures(r)[0][1:] == ["L", "rebels -> regime (assault)"]
    if keeps:
        assert rows.empty and ts["violations"].max() == 0 and len(captures(r)) == 1
    else:
        assert set(zip(rows["town"], rows["actors"], strict=True)) == {("L", "rebels")} and rows["date"].min() == "2020-01-04"
        assert ts["violations"].iloc[-1] == len(rows) > 0 and ts["regime_pressure"].max() > 0


def test_survivors_falling_back_into_a_town_their_side_took_in_the_same_call_are_kept(build):
    # A and F (rebels) fall to the government in one call while the rebels take B from it. A's garrison, told to fall
    # back to F (lost with it), goes to B, its side's once the call is done: the 5 points must be there, on top of
    # B's new garrison of 1, not overwritten by it. F's garrison, with nowhere to go, is lost and counted. B's, which
    # had no refuge before the call, goes to A, the government's once it is done (it was lost, where one whose refuge
    # fell would have gone there).
    build.theatre([("A", 35.5, 36.0, "rebels"), ("F", 35.5, 36.05, "rebels"), ("B", 35.45, 36.0, "regime")],
                  [("A", "F", "M9"), ("A", "B", "secondary")])
    m = CeasefireModel(scenario(build))
    a, f, b = (m.theatre.town(n) for n in "AFB")
    m.garrison[0, [a, f, b]] = [5.0, 7.0, 2.0]
    m.capture(np.array([0, 0, 0]), np.array([a, f, b]), np.array([0, 0, 2], np.int8), np.array([1.0, 1.0, 1.0]),
              np.array([f, a, -1]), cause="assault")
    assert m.controller[0, [a, f, b]].tolist() == [0, 0, 2]
    assert m.garrison[0, [a, f, b]].tolist() == [1.0 + 2.0, 1.0, 6.0]
    per_point = m.combat_params.fighters_per_point
    assert m.casualties["rebels"][0] == pytest.approx(7.0 * per_point) and m.casualties["regime"][0] == 0.0


def test_a_reported_strike_reads_the_deal_of_its_own_day(build):
    # A strike fires the night before its day: it read the deal before the day's dates were settled, so one on a
    # deal's first day was carried out and one on the day after its last was withheld, "in force".
    line_theatre(build, controllers=("regime", "hts", "hts"))
    quiet = {**STRONG_REGIME, "turkey": {"exposure": 0, "combat_exposure": 0}}
    strike = ev(id="strike", date="2020-01-05", type="strike", by="regime", town="T1", casualties={"turkey": 10})
    for name, deal, dead in (("first.yaml", truce(effective="2020-01-05", restraint=1.0), 0),
                             ("after.yaml", truce(effective="2020-01-02", until="2020-01-04", restraint=1.0), 10)):
        r = simulate(scenario(build, quiet, [deal, strike], name=name))
        ts = r.timeseries.set_index("date")
        assert ts.loc["2020-01-05", "ceasefire"] == ("in force" if dead == 0 else "expired")
        assert ts["turkish_deaths"].iloc[-1] == dead, name
        assert ("strike_withheld" in set(r.events["type"])) == (dead == 0), name


def test_a_deal_past_its_end_expires_and_is_not_superseded_by_the_next_one_announced(build):
    # The first deal's last day is 4 Jan; the next is announced on 5 Jan. Announced the night before its day, it found
    # the first still "in force" and logged it superseded: it had run out, and expired.
    line_theatre(build)
    first = truce(id="first", name="first", effective="2020-01-02", until="2020-01-04")
    second = truce(id="second", date="2020-01-05", name="second", effective="2020-01-07")
    m = CeasefireModel(scenario(build, events=[push(["T2"]), first, second], end="2020-01-08"))
    m.run_model()
    kinds = [(m.start + dt.timedelta(days=int(d)), t) for _, d, t, *_ in m.journal.table().tolist() if t.startswith("truce_")]
    assert (dt.date(2020, 1, 5), "truce_expired") in kinds and not any(t == "truce_superseded" for _, t in kinds), kinds
    assert m.deal.name == "second" and m.deal.is_(CeasefireState.IN_FORCE).all()


def test_a_protest_camp_at_a_government_held_town_is_not_set_up_and_says_so(build):
    """A `sit_in` event at a town the government holds set up nothing and left no row, where `military_police` at a
    town it does not hold logs why: a what-if's camp could vanish without a trace."""
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels"), aside=("hts",))  # HTS's ground: its camp
    quiet = {**STRONG_REGIME, "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}
    camps = [ev(date="2020-01-02", type="sit_in", town="T1", until="2020-01-05"),
             ev(date="2020-01-02", type="sit_in", town="T2", until="2020-01-05")]
    r = simulate(scenario(build, quiet, camps, end="2020-01-04"))
    rows = r.events[r.events["type"].str.startswith("sit_in")][["type", "town"]].values.tolist()
    assert sorted(rows) == [["sit_in", "T2"], ["sit_in_not_held", "T1"]]
