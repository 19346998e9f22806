"""The campaign scenario against the broad documented record (default seed).

These are honest checks of the model's skill, not of code paths: they fail
if a change to the rules or parameters loses the broad shape of events.
"""

import datetime as dt

import pytest

from sim import load_scenario, simulate

from .conftest import ROOT


@pytest.fixture(scope="module")
def campaign():
    return simulate(load_scenario(ROOT / "scenarios" / "campaign.yaml"))


def test_no_ground_gains_before_the_main_offensive(campaign):
    early = campaign.captures[campaign.captures["date"] < "2019-12-19"]
    assert len(early) <= 2  # the limited first push gains little


def test_january_truce_breaks_within_days(campaign):
    broken = campaign.events[campaign.events["type"] == "truce_broken"]
    assert len(broken) == 1
    days = (dt.date.fromisoformat(broken["date"].iloc[0]) - dt.date(2020, 1, 12)).days
    assert 0 <= days <= 10  # reported: air raids from the 14th, ground assault on the 15th


def test_maarat_falls_in_the_second_half_of_january(campaign):
    falls = campaign.captures[campaign.captures["town"] == "Maarat al-Numan"]
    assert "2020-01-12" <= falls["date"].iloc[0] <= "2020-02-10"  # reported: 28 January


def test_front_on_6_march_beats_the_static_baseline(campaign):
    reported = campaign.theatre.control[dt.date(2020, 3, 6)]
    model = (campaign.history[-1] == reported).sum()
    static = (campaign.history[0] == reported).sum()
    assert model >= static + 5
