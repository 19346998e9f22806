"""Rules at edges the shipped scenarios never reach, on hand-built theatres with known answers: a deal in force from
the start date, events of one night listed in another order, a raid by a faction with no reserve."""

import numpy as np

from sim import CeasefireModel, simulate

from .conftest import ev, line_theatre
from .test_rules import STRONG_REGIME, push, scenario, truce

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
