"""Civilian flight on a hand-built theatre, each day's answer worked out by hand.

These close gaps a mutation audit found: changes to ``sim.model.civilians``
and to the flight on a capture that no other test noticed (which towns are
bombed, the highest rate and not the latest, the front as the government's
towns with a road to the enemy, flight in proportion to air effort and only
during an offensive, nobody leaving the rear). Each test calls the rule alone
on a state set by hand; the shares are exact in binary, so the head counts are.

The theatre, about 5 km between neighbours (0.055 degrees of longitude, or
0.045 of latitude), every town 1,000 people::

        GN              Camp (33 km north of N, the rear)
        |  \\             |
        G -- A -- N -----+
        |
        I (5 km south of N, 11 km from G; its only road is to G)

G, GN and I are the government's; A and N HTS's. Within the strike radius
(6 km) of A: G, GN and N; of G: A alone; of GN: A alone; of I: N alone.
G and GN are on the front (each has A as a neighbour); I is not (its one
neighbour is G).
"""

import numpy as np
import pytest

from sim import CeasefireModel
from sim.model import civilians
from sim.model.regime import Regime

from .test_rules import scenario


def flight_model(build, seeds=(1,), **flight) -> CeasefireModel:
    build.theatre([("G", 35.5, 36.0, "regime"), ("A", 35.5, 36.055, "hts"), ("N", 35.5, 36.11, "hts"),
                   ("GN", 35.545, 36.055, "regime"), ("I", 35.455, 36.11, "regime"), ("Camp", 35.8, 36.11, "hts", 1000, "camp")],
                  [("G", "A", "M9"), ("A", "N", "M9"), ("A", "GN", "secondary"), ("G", "GN", "secondary"), ("N", "Camp", "M9"),
                   ("G", "I", "secondary")])
    civilians_ = {"flee_assault": 0.0, "flee_air": 0.0, "flee_front": 0.0, "flee_capture": 0.0, **flight}
    m = CeasefireModel(scenario(build, {"russia": {"strike_radius_km": 6.0}}, civilians=civilians_), seeds=list(seeds))
    m.russia.air[:] = 0.5
    return m


def offensive(monkeypatch, *flags: bool) -> None:
    monkeypatch.setattr(Regime, "on_offensive", property(lambda self: np.array(flags)))


def residents(m: CeasefireModel, rep: int = 0) -> dict[str, float]:
    return dict(zip(m.theatre.towns, m.residents[rep].tolist(), strict=True))


def test_an_assault_drives_out_its_town_and_the_bombing_the_opposition_towns_around_it(build, monkeypatch):
    # The government assaults A; air effort 0.5, flee_air 0.5: the opposition towns within 6 km of A (A itself and
    # N) are bombed, a share of 0.5 x 0.5 = 0.25 a day. A is also under assault (flee_assault 0.125): its share is
    # the higher of the two, 0.25, not the assault's alone. The government's own towns near A (G, GN) are not
    # bombed. 250 + 250 leave for the camp; no offensive, so no front flight.
    m = flight_model(build, flee_assault=0.125, flee_air=0.5)
    offensive(monkeypatch, False)
    a = m.theatre.town("A")
    m.declare_attacks("regime", np.array([[[a]]]), np.array([[[10.0]]]), [m.hts])
    civilians.flee(m)
    assert residents(m) == {"G": 1000.0, "A": 750.0, "N": 750.0, "GN": 1000.0, "I": 1000.0, "Camp": 1500.0}
    assert m.displaced.tolist() == [500.0]


def test_the_coming_front_drives_out_the_opposition_towns_near_it_in_proportion_to_air_and_only_on_the_offensive(build, monkeypatch):
    # No assault. Two replicates, the government on the offensive in the first only. flee_front 0.5 x air 0.5:
    # a share of 0.25 leaves the opposition towns within 6 km of a government town on the front (G or GN): A
    # alone. N is within 6 km of I, a government town, but I is no front (its one neighbour, G, is the
    # government's): N's people stay. In the second replicate nobody leaves.
    m = flight_model(build, seeds=(1, 2), flee_front=0.5)
    offensive(monkeypatch, True, False)
    civilians.flee(m)
    assert residents(m, 0) == {"G": 1000.0, "A": 750.0, "N": 1000.0, "GN": 1000.0, "I": 1000.0, "Camp": 1250.0}
    assert residents(m, 1) == {name: 1000.0 for name in m.theatre.towns}
    assert m.displaced.tolist() == [250.0, 0.0]


def test_a_town_that_changes_hands_loses_flee_capture_of_its_people_and_the_rear_none(build):
    # flee_capture 0.5: N taken, 500 of its 1,000 leave for the camp. The camp (the rear) taken too: nobody leaves it
    # (docs/model.md: "Nobody leaves the rear"), and nobody is counted displaced for it.
    m = flight_model(build, flee_capture=0.5)
    n, camp = m.theatre.town("N"), m.theatre.town("Camp")
    m.capture(np.array([0]), np.array([n]), np.array([0], np.int8), np.array([1.0]), np.array([-1]), cause="assault")
    assert residents(m)["N"] == 500.0 and residents(m)["Camp"] == 1500.0 and m.displaced.tolist() == [500.0]
    m.capture(np.array([0]), np.array([camp]), np.array([0], np.int8), np.array([1.0]), np.array([-1]), cause="assault")
    assert residents(m)["Camp"] == 1500.0 and m.displaced.tolist() == [500.0]


@pytest.mark.parametrize("air", [0.0, 1.0])
def test_bombing_and_front_flight_follow_air_effort(build, monkeypatch, air):
    # The same day as the first test's, plus the front (flee_front 0.5), at air effort 0 and 1: with no air,
    # only the assault's 0.125 drives A's people out and N's stay; at full effort A and N lose 0.5 each.
    m = flight_model(build, flee_assault=0.125, flee_air=0.5, flee_front=0.5)
    m.russia.air[:] = air
    offensive(monkeypatch, True)
    a = m.theatre.town("A")
    m.declare_attacks("regime", np.array([[[a]]]), np.array([[[10.0]]]), [m.hts])
    civilians.flee(m)
    assert (residents(m)["A"], residents(m)["N"]) == ((875.0, 1000.0) if air == 0 else (500.0, 500.0))
