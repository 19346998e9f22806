"""Rules at edges the shipped scenarios never reach, on hand-built theatres with known answers: a deal in force from
the start date, events of one night listed in another order, a raid by a faction with no reserve."""

import numpy as np
import pytest

from sim import CeasefireModel, load_scenario, simulate
from sim.cli import main
from sim.errors import InputError
from sim.names import HolderCode

from .conftest import ev, line_theatre
from .test_rules import STRONG_REGIME, captures, push, scenario, truce

# A patrol on the start date settles the deal's dates that night (JointPatrolEvent.run): with or without one, a
# deal in force from the start date must read the same on it.
PATROL = ev(id="patrol", date="2020-01-01", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=7,
            participants=["russia", "turkey"])
QUIET_HTS = {**STRONG_REGIME, "hts": {**STRONG_REGIME["hts"], "patrol_block": 0.0, "patrol_attack": 0.0, "protest_rate": 0.0}}


def test_a_deal_in_force_from_the_start_date_is_in_force_on_it(build):
    # Row 0 shows what the start date's events did; a truce effective that day read "announced" on it, and was
    # logged in force the day after, unless a patrol that night happened to settle its dates.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"))
    deal = truce(date="2020-01-01", effective="2020-01-01")
    for events, name in (([deal], "alone.yaml"), ([deal, PATROL], "patrol.yaml")):
        r = simulate(scenario(build, QUIET_HTS, events=events, name=name, end="2020-01-04"))
        assert r.timeseries["ceasefire"].tolist() == ["in force"] * 4, name
        moved = r.events[r.events["type"] == "truce_in_force"]["date"].tolist()
        assert [str(d) for d in moved] == ["2020-01-01"], name


def test_a_deal_that_ends_on_the_start_date_runs_out_the_next_day(build):
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"))
    deal = truce(date="2020-01-01", effective="2020-01-01", until="2020-01-01")
    r = simulate(scenario(build, QUIET_HTS, events=[deal], end="2020-01-03"))
    assert r.timeseries["ceasefire"].tolist() == ["in force", "expired", "expired"]


def test_a_sit_in_stops_the_patrol_of_its_night_wherever_the_scenario_lists_it(build):
    # Events of one night ran in the order the scenario lists them: a protest camp listed after the patrol plan let
    # the plan's first patrol (dated the same day) drive through, and stopped the next ones.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts"))
    deal = truce(date="2020-01-01", effective="2020-01-02")
    patrol = {**PATROL, "date": "2020-01-03"}
    camp = ev(id="camp", date="2020-01-03", type="sit_in", town="T2", until="2020-01-20")
    stopped_at = []
    for events, name in (([deal, camp, patrol], "camp_first.yaml"), ([deal, patrol, camp], "patrol_first.yaml")):
        r = simulate(scenario(build, QUIET_HTS, events=events, name=name, end="2020-01-04"))
        stopped_at.append([(str(d), kind, town) for d, kind, town in
                           r.events[r.events["type"].str.startswith("patrol")][["date", "type", "town"]].values])
    assert stopped_at[0] == [("2020-01-03", "patrol", "T2")]
    assert stopped_at[1] == stopped_at[0]


def test_strength_for_a_group_sent_on_the_same_night_joins_it_wherever_the_scenario_lists_it(build):
    # A group stood down is sent on again with no force of its own, and reinforced, the same night. Listed after the
    # reinforcement, the order found the group still stood down and put the strength in the pool, where it never fought.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 40, "commit": 1.0, "garrison": 5, "regen": 0}}
    stop = ev(id="stop", date="2020-01-03", type="offensive", group="main", action="stop")
    again = push(["T5"], date="2020-01-05", force=0)
    more = ev(id="more", date="2020-01-05", type="reinforcement", faction="regime", group="main", strength=50)
    said, groups = [], []
    for events, name in (([push(["T5"], force=40), stop, again, more], "order_first.yaml"),
                         ([push(["T5"], force=40), stop, more, again], "strength_first.yaml")):
        m = CeasefireModel(scenario(build, factions, events=events, name=name, end="2020-01-05"))
        m.run_model()
        said += [d for (_, _, kind, _, _, d) in m.journal.table().tolist() if kind == "reinforcement"]
        groups.append((m.regime.groups["main"].force.tolist(), m.regime.pool.tolist()))
    assert said == ["+50 to main"] * 2
    assert groups[1] == groups[0] and groups[0][0][0] > 0


def test_a_faction_with_no_reserve_raids_with_nothing(build):
    # The raiding party comes out of HTS's mobile reserve: with none, there is no party, no loss to the garrison and
    # no violation. A raid of `raid_strength` cost the government's garrisons from an empty reserve, every day.
    line_theatre(build, controllers=("regime", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 0, "garrison": 5, "regen": 0},
                "hts": {**STRONG_REGIME["hts"], "reserve": 0, "regen": 0, "spoiler_rate": 1.0, "raid_strength": 5}}
    deal = truce(compliance={"regime": 1.0, "rebels": 1.0})  # HTS no party: it raids every day the deal is in force
    m = CeasefireModel(scenario(build, factions, events=[deal], end="2020-01-10"), seeds=[1, 2, 3])
    garrison = m.garrison[:, 0].copy()
    m.run_model()
    assert (m.deal.violations == 0).all()
    assert np.array_equal(m.garrison[:, 0], garrison) and (m.casualties["regime"] == 0).all()


def test_strength_for_the_pool_can_be_sent_into_the_field_the_same_night_wherever_the_scenario_lists_it(build):
    # An offensive takes its `force` from the pool as far as the pool holds it: strength for the pool that arrives
    # the same night went into the field only where the scenario listed it first; listed after, it stayed in the pool.
    # (The group commits nothing, and nothing is recruited: what it holds at the end is what it was sent.)
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 10, "commit": 0.0, "garrison": 5, "regen": 0}}
    send = push(["T5"], date="2020-01-03", force=40)
    more = ev(id="more", date="2020-01-03", type="reinforcement", faction="regime", strength=50)
    for events, name in (([more, send], "strength_first.yaml"), ([send, more], "order_first.yaml")):
        m = CeasefireModel(scenario(build, factions, events=events, name=name, end="2020-01-04"))
        m.run_model()
        assert m.regime.groups["main"].force.tolist() == [40.0], name
        assert m.regime.pool.tolist() == [20.0], name


def test_a_group_stood_down_frees_its_strength_for_the_nights_orders_wherever_the_scenario_lists_them(build):
    # One group stood down and another sent with a force the same night (as west-aleppo's division went to the zawiya
    # push): listed after the new order, the stand-down returned its strength to the pool only once the order had
    # found the pool empty. And a group stood down and sent on the same night ended stood down where the stop came last.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 40, "commit": 0.0, "garrison": 5, "regen": 0}}
    first = push(["T5"], group="a", force=40)  # the whole pool; it commits nothing, so it keeps all 40
    stop = ev(id="stop", date="2020-01-03", type="offensive", group="a", action="stop")
    other = push(["T5"], group="b", date="2020-01-03", force=40)
    again = push(["T5"], group="a", date="2020-01-03", force=40)
    for events, name in (([first, stop, other], "stop_first.yaml"), ([first, other, stop], "order_first.yaml")):
        m = CeasefireModel(scenario(build, factions, events=events, name=name, end="2020-01-04"))
        m.run_model()
        assert m.regime.groups["b"].force.tolist() == [40.0], name
        assert m.regime.pool.tolist() == [0.0] and not m.regime.groups["a"].active, name
    for events, name in (([first, stop, again], "stop_first_a.yaml"), ([first, again, stop], "order_first_a.yaml")):
        m = CeasefireModel(scenario(build, factions, events=events, name=name, end="2020-01-04"))
        m.run_model()
        assert m.regime.groups["a"].active and m.regime.groups["a"].force.tolist() == [40.0], name


def test_a_strike_on_the_government_falls_on_the_army_as_the_nights_orders_leave_it_wherever_the_scenario_lists_them(build):
    # Group a holds 20 and the pool 20; on 3 Jan group b is formed with 10 from the pool, and a strike kills 1,000
    # government fighters (10 points), a quarter of the 40. The orders come first, and the strike takes a quarter of
    # the pool and of every group: pool 7.5, a 15, b 7.5. Listed before the order, the strike thinned the pool and a
    # alone, and b took its whole 10 from what was left (pool 5, a 15, b 10).
    # (The groups commit nothing and nothing is recruited: what each holds at the end is what the night left it.)
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 40, "commit": 0.0, "garrison": 5, "regen": 0, "breakpoint_loss": 1.0}}
    first = push(["T5"], group="a", force=20)
    order = push(["T5"], group="b", date="2020-01-03", force=10)
    hit = ev(id="hit", date="2020-01-03", type="strike", by="turkey", town="T0", casualties={"regime": 1000})
    for events, name in (([first, order, hit], "order_first.yaml"), ([first, hit, order], "strike_first.yaml")):
        m = CeasefireModel(scenario(build, factions, events=events, name=name, end="2020-01-04"))
        m.run_model()
        groups = m.regime.groups
        assert (m.regime.pool.tolist(), groups["a"].force.tolist(), groups["b"].force.tolist()) == ([7.5], [15.0], [7.5]), name
        assert m.casualties["regime"].tolist() == [1000.0], name


def test_a_strike_on_the_government_finds_strength_sent_to_a_group_that_night_wherever_the_scenario_lists_them(build):
    # Strength for a named group arrives after the night's orders; the strike comes after it too, so it falls on all
    # the strength that came that night, for a group or for the pool alike. Group a holds 20 and the pool 20; on 3 Jan
    # 40 arrive for a, and the strike kills 20 points of the 80: a quarter. Pool 15, a 45.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 40, "commit": 0.0, "garrison": 5, "regen": 0, "breakpoint_loss": 1.0}}
    first = push(["T5"], group="a", force=20)
    more = ev(id="more", date="2020-01-03", type="reinforcement", faction="regime", group="a", strength=40)
    hit = ev(id="hit", date="2020-01-03", type="strike", by="turkey", town="T0", casualties={"regime": 2000})
    for events, name in (([first, more, hit], "strength_first.yaml"), ([first, hit, more], "strike_first.yaml")):
        m = CeasefireModel(scenario(build, factions, events=events, name=name, end="2020-01-04"))
        m.run_model()
        assert (m.regime.pool.tolist(), m.regime.groups["a"].force.tolist()) == ([15.0], [45.0]), name


def test_groups_formed_the_same_night_share_a_pool_too_small_for_them_in_proportion_wherever_the_scenario_lists_them(build):
    # The pool holds 24; on 3 Jan group a asks 16 and group b 48: 64 between them, so each gets 24/64 of what it asks
    # (a 6, b 18). Served in the file's order, the first took all it asked (a 16, b 8; or b 24, a nothing). A third
    # order the same night with no force takes nothing and changes no share.
    line_theatre(build, controllers=("regime", "hts", "hts", "hts", "hts", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 24, "commit": 0.0, "garrison": 5, "regen": 0}}
    a = push(["T5"], group="a", date="2020-01-03", force=16)
    b = push(["T5"], group="b", date="2020-01-03", force=48)
    c = push(["T5"], group="c", date="2020-01-03", force=None)
    for events, name in (([a, b, c], "a_first.yaml"), ([b, c, a], "b_first.yaml"), ([c, a, b], "c_first.yaml")):
        m = CeasefireModel(scenario(build, factions, events=events, name=name, end="2020-01-04"))
        m.run_model()
        groups = m.regime.groups
        assert [groups[g].force.tolist() for g in "abc"] == [[6.0], [18.0], [0.0]], name
        assert m.regime.pool.tolist() == [0.0], name


# ------------------------------------------------------------------ an objective no road reaches

def _two_parts(build, first=("regime", "hts", "hts"), second=("hts", "hts"), camp=None) -> None:
    """T0-T1-T2 on the M9 and, with no road between them, T3-T4 on the M5; ``camp``: a camp, held by that side,
    on the M9 between T2 and a T5 held by HTS."""
    towns = [(f"T{i}", 35.5, 36.0 + 0.055 * i, c) for i, c in enumerate((*first, *second))]
    roads = [("T0", "T1", "M9"), ("T1", "T2", "M9"), ("T3", "T4", "M5")]
    if camp:
        towns += [("Camp", 35.5, 36.3, camp, 1000, "camp"), ("T5", 35.5, 36.35, "hts")]
        roads += [("T2", "Camp", "M9"), ("Camp", "T5", "M9")]
    build.theatre(towns, roads)


@pytest.mark.parametrize("axis, bad, camp", [(["T2", "T4"], 1, None), (["T3"], 0, None), (["T1", "T5"], 1, "hts")])
def test_an_axis_town_no_road_joins_to_the_governments_towns_is_refused_at_it(build, capsys, axis, bad, camp):
    # A group aimed at a town in a part of the theatre the government holds nothing in (or behind a camp it does not
    # hold, which it never attacks) could never reach it: it stood "on the offensive" for the rest of the run,
    # keeping Russia's air up with nothing to attack.
    _two_parts(build, camp=camp)
    path = build.scenario({"factions": STRONG_REGIME, "events": [push(axis)]}, name="bad.yaml")
    with pytest.raises(InputError, match=f"'{axis[bad]}' is out of the government's reach") as err:
        load_scenario(path)
    assert err.value.key == f"events[0].axis[{bad}]" and err.value.line is not None
    assert main(["check", str(path)]) == 2
    assert f"bad.yaml, line {err.value.line}, key 'events[0].axis[{bad}]'" in capsys.readouterr().err


def test_an_axis_the_government_can_reach_passes_check(build):
    # Through a camp the government holds, and in a part of the theatre where it holds a town; a counter-offensive's
    # axis may name towns the government can never hold (it aims only at those it does).
    _two_parts(build, second=("regime", "hts"), camp="regime")
    back = ev(id="back", date="2020-01-01", type="offensive", faction="hts", action="start", axis=["T5", "T2"])
    load_scenario(build.scenario({"factions": STRONG_REGIME, "events": [push(["T5", "T4"]), back]}))


def test_a_group_whose_way_to_its_objective_is_lost_is_no_longer_on_the_offensive(build):
    # HTS retakes T0, the government's one town joined by road to the group's objective T1: no road now leads there
    # from anything the government holds (T3 is in another part of the theatre). The group attacked nothing, yet
    # counted as on the offensive for the rest of the run, keeping Russia's air at its full effort.
    _two_parts(build, second=("regime", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 0.5, "commit": 0.01, "garrison": 1, "regen": 0},
                "hts": {**STRONG_REGIME["hts"], "garrison": 50, "reserve": 500, "counter_commit": 1.0}}
    back = ev(id="back", date="2020-01-01", type="offensive", faction="hts", action="start", axis=["T0"])
    r = simulate(scenario(build, factions, events=[push(["T1"], force=0.5), back], end="2020-01-08"))
    assert captures(r)[0][1:] == ["T0", "regime -> hts (assault)"]
    lost = r.captures["date"].iloc[0]
    air = r.timeseries.set_index("date")["air_effort"]
    assert air.loc[lost] == 1.0  # Russia flies before the day's combat: that day the group still pushed from T0
    assert air.loc[lost:].iloc[1:].tolist() == [0.2] * 6  # then it has nothing to push from: idle air


def test_a_group_whose_objective_is_out_of_reach_is_sent_no_new_strength(build):
    # Two groups, each aimed at an HTS town next to the government's one town in its part of the theatre. HTS retakes
    # T0, and no road leads from anything the government holds to the north group's objective: the day's new strength
    # (regen) went on being shared with it, where it could never be used, and the south group got half of it.
    _two_parts(build, second=("regime", "hts"))
    factions = {**STRONG_REGIME, "regime": {"force": 0, "commit": 0.0, "garrison": 1, "regen": 10},
                "hts": {**STRONG_REGIME["hts"], "garrison": 50, "reserve": 500, "counter_commit": 1.0}}
    back = ev(id="back", date="2020-01-01", type="offensive", faction="hts", action="start", axis=["T0"])
    events = [push(["T1"], group="north", force=5), push(["T4"], group="south", force=5), back]
    m = CeasefireModel(scenario(build, factions, events=events, end="2020-01-08"))
    lost = []
    while m.running:
        m.step()
        lost.append(bool(m.controller[0, 0] != HolderCode.REGIME))
        if sum(lost) == 1:  # the day T0 falls: the groups as they stand once its new strength was shared
            north, south = m.regime.groups["north"].force[0], m.regime.groups["south"].force[0]
    assert lost[-1] and sum(lost) == len(lost) - lost.index(True)  # lost for good
    days_after = len(lost) - lost.index(True) - 1
    assert days_after >= 3
    assert m.regime.groups["north"].force[0] == pytest.approx(north)
    assert m.regime.groups["south"].force[0] == pytest.approx(south + 10 * days_after)


def test_a_patrol_plan_that_ends_the_night_another_is_announced_on_its_road_leaves_the_same_road_however_listed(build):
    # Plan A patrols until 5 Jan; plan B on the same road is announced on 6 Jan, the night A is over. A's end asked
    # whether another plan still patrols the road: B counted only where the scenario listed it first, so whether the
    # regime still read the road as partly open by A's last patrol (its pressure) hung on the order of the file.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 1.0}, restraint=1.0)
    a = ev(id="a", date="2020-01-02", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=7,
           until="2020-01-05", participants=["russia", "turkey"])
    b = ev(id="b", date="2020-01-09", announced="2020-01-06", type="joint_patrol", route=["T0", "T2"], road="M9",
           every_days=7, participants=["russia", "turkey"])
    factions = {**QUIET_HTS, "regime": {**QUIET_HTS["regime"], "objective_roads": {"M9": 1.0}}}
    left = []
    for events, name in (([agreement, a, b], "a_first.yaml"), ([agreement, b, a], "b_first.yaml")):
        m = CeasefireModel(scenario(build, factions, events, name=name, end="2020-01-09"))
        m.run_until(7)  # the end of 8 Jan: before B's first patrol
        m.run_model()
        left.append((sorted(m.patrol_roads), {road: c.tolist() for road, c in m.patrol_coverage.items()},
                     m.deal.pressure.tolist()))
    assert left[0] == left[1]
    assert left[0][:2] == (["M9"], {"M9": [1.0]}), "B still patrols the road: A's last coverage still counts"


def test_an_air_policy_that_ends_the_night_another_begins_says_so_however_listed(build):
    # Policy a holds the air effort at 0 until 3 Jan; policy b caps it at 0.4 from 4 Jan, the night a ends. Listed
    # after a, b had not begun when a's end was logged: "air effort no longer capped", on a night it was capped.
    line_theatre(build)
    a = ev(id="a", date="2020-01-02", type="air_policy", ceiling=0.0, until="2020-01-03")
    b = ev(id="b", date="2020-01-04", type="air_policy", ceiling=0.4)
    for events, name in (([a, b], "a_first.yaml"), ([b, a], "b_first.yaml")):
        r = simulate(scenario(build, {**STRONG_REGIME, "russia": {"idle_air": 1.0}}, events, name=name, end="2020-01-05"))
        ends = r.events.loc[r.events["type"] == "air_policy_end", "detail"].tolist()
        assert ends == ["this policy ends; another in force holds air effort at most at 0.4"], name
        assert r.timeseries["air_effort"].tolist()[1:] == [0.0, 0.0, 0.4, 0.4], name


def test_a_counter_offensive_ended_and_a_new_one_opened_the_same_night_leaves_the_new_one_however_listed(build):
    # HTS's counter-offensive toward T1 ends the night its next, toward T2, opens: listed after the new one, the stop
    # ended that one, and HTS struck back nowhere.
    line_theatre(build, controllers=("hts", "regime", "regime", "regime"))
    opened = ev(id="o1", date="2020-01-01", type="offensive", faction="hts", action="start", axis=["T1"])
    stop = ev(id="s1", date="2020-01-03", type="offensive", faction="hts", action="stop")
    next_one = ev(id="o2", date="2020-01-03", type="offensive", faction="hts", action="start", axis=["T2"])
    for events, name in (([opened, stop, next_one], "stop_first.yaml"), ([opened, next_one, stop], "order_first.yaml")):
        m = CeasefireModel(scenario(build, events=events, name=name, end="2020-01-03"))
        m.run_model()
        assert m.hts.axis is not None and m.hts.axis.tolist() == [2], name
