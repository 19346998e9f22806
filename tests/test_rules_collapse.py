"""Collapse on hand-built theatres: shock, its recovery and its ceiling, and which shaken towns are given up.

These close gaps a mutation audit found: changes to ``combat.abandon_untenable``,
``combat.spread_collapse``, ``combat.recover`` and ``CeasefireModel.capture``
that no other test noticed. Most call the rule alone on a state set by hand,
with the government's offensive switched on or off where the rule reads it,
so that each answer can be worked out on paper.
"""

import numpy as np
import pytest

from sim import CeasefireModel
from sim.model import combat
from sim.model.regime import Regime

from .test_rules import scenario


def star(build, flanks=2, centre="town", **combat_params) -> CeasefireModel:
    """B (HTS) in the middle: government towns G1 and, if ``flanks`` is 2, G2 (else HTS), and HTS towns C and D.

    No camp and no border: nothing is ever cut off. ``centre`` is B's kind ("camp" makes it one).
    """
    build.theatre([("B", 35.5, 36.0, "hts", 1000, centre), ("G1", 35.5, 35.95, "regime"),
                   ("G2", 35.5, 36.05, "regime" if flanks == 2 else "hts"), ("C", 35.55, 36.0, "hts"), ("D", 35.45, 36.0, "hts")],
                  [("B", "G1", "M9"), ("B", "G2", "M9"), ("B", "C", "secondary"), ("B", "D", "secondary")])
    params = {"abandon_shock": 0.5, "walk_in": 1.0, "shock_recovery": 0.0, **combat_params}
    return CeasefireModel(scenario(build, combat=params))


def offensive(monkeypatch, *flags: bool) -> None:
    """The government is on the offensive in the replicates where ``flags`` says so (the rule reads nothing else of it)."""
    monkeypatch.setattr(Regime, "on_offensive", property(lambda self: np.array(flags)))


def holders(m: CeasefireModel, name: str) -> list[str]:
    return [["regime", "hts", "rebels"][c] for c in m.controller[:, m.theatre.town(name)]]


@pytest.mark.parametrize(("flanks", "holder"), [(1, "hts"), (2, "regime")])
def test_a_shaken_town_is_given_up_with_two_government_neighbours_not_one(build, monkeypatch, flanks, holder):
    # B fully shaken, the government on the offensive, nothing cut off: B is outflanked only with two or more of
    # its neighbours the government's (docs/model.md: "with two or more government-held neighbours").
    m = star(build, flanks=flanks)
    m.shock[0, m.theatre.town("B")] = 1.0
    offensive(monkeypatch, True)
    combat.abandon_untenable(m)
    assert holders(m, "B") == [holder]


@pytest.mark.parametrize(("shock", "holder"), [(0.5, "regime"), (0.4375, "hts")])
def test_a_town_shaken_exactly_to_abandon_shock_is_given_up(build, monkeypatch, shock, holder):
    # abandon_shock 0.5: "a town this shaken is given up" — 0.5 is this shaken; 0.4375 is not.
    m = star(build)
    m.shock[0, m.theatre.town("B")] = shock
    offensive(monkeypatch, True)
    combat.abandon_untenable(m)
    assert holders(m, "B") == [holder]


def test_a_town_is_given_up_only_in_the_replicates_on_the_offensive(build, monkeypatch):
    # Two replicates, B shaken and outflanked in both; the government is on the offensive in the first only. The
    # rule returns early when no replicate is on the offensive, so only a batch that mixes the two tells whether
    # each replicate's own offensive is read.
    build.theatre([("B", 35.5, 36.0, "hts"), ("G1", 35.5, 35.95, "regime"), ("G2", 35.5, 36.05, "regime"),
                   ("C", 35.55, 36.0, "hts")], [("B", "G1", "M9"), ("B", "G2", "M9"), ("B", "C", "secondary")])
    m = CeasefireModel(scenario(build, combat={"abandon_shock": 0.5, "walk_in": 1.0}), seeds=[1, 2])
    m.shock[:, m.theatre.town("B")] = 1.0
    offensive(monkeypatch, True, False)
    combat.abandon_untenable(m)
    assert holders(m, "B") == ["regime", "hts"]


def test_an_abandoned_towns_garrison_falls_back_to_its_strongest_neighbour(build, monkeypatch):
    # B (4 points) is given up; its neighbours of its side are C (1) and D (2). Its garrison walks out to D, the
    # stronger (docs/model.md: "Survivors fall back to their own faction's strongest neighbour"), nobody is lost, and the
    # government walks in with walk_in (1). Neither losing them nor sending them to the weaker C would do.
    m = star(build)
    b, c, d = (m.theatre.town(n) for n in "BCD")
    m.garrison[0, [b, c, d]] = [4.0, 1.0, 2.0]
    m.shock[0, b] = 1.0
    offensive(monkeypatch, True)
    combat.abandon_untenable(m)
    assert holders(m, "B") == ["regime"]
    assert m.garrison[0, [b, c, d]].tolist() == [1.0, 1.0, 6.0]
    assert m.casualties["hts"][0] == 0.0


def test_a_camp_is_never_given_up_however_shaken_and_outflanked(build, monkeypatch):
    m = star(build, centre="camp")
    m.shock[0, m.theatre.town("B")] = 1.0
    offensive(monkeypatch, True)
    combat.abandon_untenable(m)
    assert holders(m, "B") == ["hts"]


def pocket_line(build, **combat_params) -> CeasefireModel:
    """Camp - H1 - P - Q, with G (government) next to H1; H1 is then taken by hand: P and Q are cut off."""
    build.theatre([("Camp", 35.6, 36.0, "hts", 1000, "camp"), ("H1", 35.55, 36.0, "hts"), ("P", 35.5, 36.0, "hts"),
                   ("Q", 35.45, 36.0, "hts"), ("G", 35.55, 36.05, "regime")],
                  [("Camp", "H1", "M9"), ("H1", "P", "M9"), ("P", "Q", "M9"), ("G", "H1", "secondary")])
    m = CeasefireModel(scenario(build, combat={"abandon_shock": 0.5, "walk_in": 1.0, "shock_recovery": 0.0, **combat_params}))
    h1 = m.theatre.town("H1")
    m.capture(np.array([0]), np.array([h1]), np.array([0], np.int8), np.array([1.0]), np.array([-1]), cause="assault")
    assert [m.theatre.towns[i] for i in np.flatnonzero(m.pockets()[0])] == ["P", "Q"]
    return m


def test_a_town_cut_off_is_given_up_only_with_the_government_next_door(build, monkeypatch):
    # P and Q are cut off and fully shaken. P has the government next door (H1, one neighbour: not outflanked, but
    # cut off): given up. Q's neighbours are P and nothing else: it holds (docs/model.md: "or cut off with the government
    # next door"); P's fall is in the same look, so Q is not looked at again until the next day.
    m = pocket_line(build)
    m.shock[0, [m.theatre.town("P"), m.theatre.town("Q")]] = 1.0
    offensive(monkeypatch, True)
    combat.abandon_untenable(m)
    assert holders(m, "P") == ["regime"] and holders(m, "Q") == ["hts"]


def test_a_pocket_is_shaken_up_to_1_and_no_further(build, monkeypatch):
    # pocket_shock 0.5 a day on P at 0.75: 1.0, not 1.25 (defence x (1 - shock) would turn negative); Q from 0
    # to 0.5. With no offensive nothing is given up.
    m = pocket_line(build, pocket_shock=0.5)
    p, q = m.theatre.town("P"), m.theatre.town("Q")
    m.shock[0, [p, q]] = [0.75, 0.0]
    offensive(monkeypatch, False)
    combat.abandon_untenable(m)
    assert m.shock[0, [p, q]].tolist() == [1.0, 0.5]


def test_a_fall_shakes_a_neighbour_up_to_1_and_no_further(build):
    # B falls (by hand); collapse_shock 0.5 on C at 0.75 gives 1.0, not 1.25, and on D at 0 gives 0.5; the
    # government's own G1 and G2 are not shaken.
    m = star(build, collapse_shock=0.5)
    c, d = m.theatre.town("C"), m.theatre.town("D")
    m.shock[0, c] = 0.75
    m.capture(np.array([0]), np.array([m.theatre.town("B")]), np.array([0], np.int8), np.array([1.0]), np.array([c]),
              cause="assault")
    assert m.shock[0, [c, d]].tolist() == [1.0, 0.5]
    assert m.shock[0, [m.theatre.town("G1"), m.theatre.town("G2")]].tolist() == [0.0, 0.0]


def test_shock_wears_off_by_shock_recovery_a_day(build):
    # shock_recovery 0.25: a shock of 0.5 is 0.5 x (1 - 0.25) = 0.375 the next day, 0.28125 the day after.
    m = star(build, shock_recovery=0.25)
    b = m.theatre.town("B")
    m.shock[0, b] = 0.5
    combat.recover(m)
    assert m.shock[0, b] == 0.375
    combat.recover(m)
    assert m.shock[0, b] == 0.28125


def test_a_town_that_changes_hands_is_no_longer_shaken(build):
    # B, shaken to 0.75, is taken: its new holder's garrison is fresh (shock 0), so a counter-attack meets a
    # defence x 1, not x 0.25.
    m = star(build)
    b = m.theatre.town("B")
    m.shock[0, b] = 0.75
    m.capture(np.array([0]), np.array([b]), np.array([0], np.int8), np.array([1.0]), np.array([-1]), cause="assault")
    assert holders(m, "B") == ["regime"] and m.shock[0, b] == 0.0
