"""A push culminates: a force group that has lost ``breakpoint_loss`` of its peak strength stops (round 49, R49-C).

Before the rule, a push stopped only when its aim fell or its force ran out,
and the army's daily new strength went to the groups in the field whatever
had become of them: a push ground down by Turkish drones was fed, and
struck, for as long as the drones flew. The theatre is a line of towns, a
government town and eight HTS towns garrisoned too strongly to fall in the
window, one group of 20 pushing east with half its force committed, a
regen of 1 a day and Turkish drones striking 3 a day from 4 January; no
combat noise, so every run is the same.
"""

import numpy as np

from sim import CeasefireModel

from .conftest import ev, line_theatre
from .test_rules import STRONG_REGIME, push, scenario

SHIELD = ev(id="shield", date="2020-01-04", type="intervention", name="shield", intensity=1.0)


def ground_down(build, breakpoint_loss, events=(), name="s.yaml") -> tuple[CeasefireModel, list[dict]]:
    """The run described above, stepped by hand: the model and, for each day, the group's and the regime's state."""
    line_theatre(build, controllers=("regime", *["hts"] * 8))
    factions = {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "force": 100, "regen": 1, "commit": 0.5,
                                            "breakpoint_loss": breakpoint_loss},
                "hts": {**STRONG_REGIME["hts"], "garrison": 40},
                "turkey": {"drone_strength": 3.0, "exposure": 0, "combat_exposure": 0}}
    m = CeasefireModel(scenario(build, factions, [push(["T8"], force=20), SHIELD, *events], name=name, end="2020-01-12",
                                combat={"noise": 0.0}))
    days = []
    while m.running:
        m.step()
        g = m.regime.groups["main"]
        days.append({"date": str(m.date), "force": g.force[0], "peak": g.peak[0], "spent": bool(g.spent[0]),
                     "pool": m.regime.pool[0], "dead": m.casualties["regime"][0], "air": m.russia.air[0]})
    return m, days


def culminated(m: CeasefireModel) -> list[tuple[int, str]]:
    """(day, detail) of every culmination the run logged."""
    return [(row[1], row[5]) for row in m.journal.table() if row[2] == "offensive_culminated"]


def test_a_push_ground_down_past_its_breakpoint_stops_and_its_strength_goes_to_the_pool(build):
    boost = ev(id="boost", date="2020-01-03", type="reinforcement", faction="regime", group="main", strength=20)
    m, days = ground_down(build, 0.3, [boost])
    below = next(i for i, d in enumerate(days) if d["force"] < 0.7 * d["peak"])  # the first evening under 70% of its peak
    before, after = days[below], days[below + 1]
    assert days[below - 1]["force"] >= 0.7 * days[below - 1]["peak"] and not before["spent"]
    # Its peak is the most it has had, the reinforcement's too: measured against the 20 it was sent with, it would
    # not be spent yet.
    assert before["peak"] > 35 and before["force"] >= 0.7 * 20
    # The next morning it is spent: what it had left goes to the pool, and the day's new strength with it.
    assert after["spent"] and after["force"] == 0.0
    assert after["pool"] == before["pool"] + before["force"] + 1.0
    assert [detail.split(":")[0] for _, detail in culminated(m)] == ["main"]
    # From then on it commits nothing, so nothing fights and nothing is struck; the pool grows by the regen alone;
    # and with no push left, Russia's air effort drops to its idle level.
    rest = days[below + 1:]
    assert len(rest) >= 3
    assert all(d["force"] == 0.0 and d["dead"] == after["dead"] for d in rest)
    assert np.diff([d["pool"] for d in rest]).tolist() == [1.0] * (len(rest) - 1)
    assert all(d["air"] == m.russia.p.idle_air for d in rest) and before["air"] == m.russia.p.air_support


def test_without_a_breakpoint_the_push_is_fed_and_struck_to_the_end(build):
    """The control: at breakpoint_loss 1 the same group is never spent, and the drones destroy each day's new strength."""
    m, days = ground_down(build, 1.0)
    assert not culminated(m) and not any(d["spent"] for d in days)
    assert days[-1]["pool"] == 80.0, "the regen goes to the group in the field, never to the pool"
    assert days[-1]["dead"] > days[-4]["dead"] + 250, "three more days of strikes on what reaches the front"


def test_a_new_offensive_event_sends_a_spent_push_on_and_a_reinforcement_for_it_goes_to_the_pool(build):
    again = push(["T8"], date="2020-01-10", force=30)
    more = ev(id="more", date="2020-01-08", type="reinforcement", faction="regime", group="main", strength=7)
    m, days = ground_down(build, 0.3, [more, again], name="b.yaml")
    by_date = {d["date"]: d for d in days}
    assert by_date["2020-01-07"]["spent"] and by_date["2020-01-08"]["force"] == 0.0
    assert by_date["2020-01-08"]["pool"] == by_date["2020-01-07"]["pool"] + 7 + 1, "the reinforcement, then the regen"
    sent = by_date["2020-01-10"]
    assert not sent["spent"] and sent["force"] > 0 and sent["peak"] >= 30, "sent on with the strength the event gives it"
    assert days[-1]["dead"] > by_date["2020-01-09"]["dead"], "and it fights (and is struck) again"


def test_each_replicate_culminates_on_its_own(build):
    """In one batch, a replicate whose group is spent and one whose is not are each what they are alone."""
    alone = {bl: ground_down(build, bl, name=f"{bl}.yaml")[0] for bl in (0.3, 1.0)}
    batch = CeasefireModel([alone[0.3].spec, alone[1.0].spec], seeds=[0, 0])
    batch.run_model()
    g = batch.regime.groups["main"]
    assert g.spent.tolist() == [True, False]
    for r, bl in enumerate((0.3, 1.0)):
        assert g.force[r] == alone[bl].regime.groups["main"].force[0]
        assert batch.regime.pool[r] == alone[bl].regime.pool[0]
        assert batch.casualties["regime"][r] == alone[bl].casualties["regime"][0]


def test_a_push_that_loses_almost_nobody_does_not_culminate_by_garrisoning_what_it_takes(build):
    # The breakpoint is read as a unit's losses to fire (the docstring's U.S. Army terms count a unit that has lost
    # 30% as destroyed); until round 63 it counted the garrisons a push left and its walk-ins as lost too. Twelve towns held by a hundredth of a point each, a group of 100 throwing all of it and
    # leaving `occupy` (0.2) of its survivors in each town it takes: on day 3 it "lost 36% of its peak strength"
    # with some 0.1 points dead, and stopped, its 64 points back in the pool. In no_moscow_agreement.yaml's run (peak
    # 60, spent on 17 March) about 8 of the 23 points gone by 16 March were garrisons and walk-ins (round 63).
    line_theatre(build, controllers=("regime", *["hts"] * 12))
    factions = {**STRONG_REGIME, "regime": {"force": 100, "commit": 1.0, "garrison": 5, "regen": 0, "breakpoint_loss": 0.3},
                "hts": {**STRONG_REGIME["hts"], "garrison": 0.01}}
    m = CeasefireModel(scenario(build, factions, [push(["T12"], force=100)], end="2020-01-30"))
    m.run_model()
    assert m.casualties["regime"][0] < 1.0  # what fire took: 1% of the peak at most
    assert not [row for row in m.journal.table().tolist() if row[2] == "offensive_culminated"]
