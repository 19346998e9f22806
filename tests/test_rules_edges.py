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
