"""Each faction's rules on hand-built theatres with known answers."""

import numpy as np
import pandas as pd
import pytest

from sim import CeasefireModel, load_scenario, simulate

from .conftest import ev, line_theatre

STRONG_REGIME = {
    "regime": {"force": 100, "commit": 1.0, "axes": 1, "garrison": 5},
    "hts": {"garrison": 1, "reserve": 0, "regen": 0, "spoiler_rate": 0},
    "rebels": {"garrison": 1, "reserve": 0, "regen": 0},
}
PUSH = ev(id="push", date="2020-01-01", type="offensive", action="start")


def truce(**kw):
    base = dict(id="truce", date="2020-01-01", type="truce", name="t", effective="2020-01-02", parties=["russia", "turkey"],
                compliance={"regime": 1.0, "hts": 1.0, "rebels": 1.0}, restraint=0.0)
    base.update(kw)
    return ev(**base)


def captures(result):
    return result.captures[["date", "town", "detail"]].values.tolist()


def test_strong_regime_takes_a_weak_town(build):
    line_theatre(build)
    r = simulate(load_scenario(build.scenario({"factions": STRONG_REGIME, "events": [PUSH]})))
    assert captures(r)[0][1:] == ["T1", "hts -> regime"]
    assert r.controller_on("2020-01-21")["T1"] == "regime"
    assert r.timeseries["displaced"].iloc[-1] > 0


def test_truce_stops_a_compliant_regime(build):
    line_theatre(build)
    r = simulate(load_scenario(build.scenario({"factions": STRONG_REGIME, "events": [PUSH, truce(effective="2020-01-01")]})))
    assert captures(r) == []
    assert (r.timeseries["ceasefire"].iloc[1:] == "in force").all()


def test_truce_with_no_compliance_breaks_on_its_first_day(build):
    line_theatre(build)
    r = simulate(load_scenario(build.scenario({"factions": STRONG_REGIME, "events": [PUSH, truce(compliance={"regime": 0.0001})]})))
    broken = r.events[r.events["type"] == "truce_broken"]
    assert broken["date"].tolist() == ["2020-01-02"]
    assert captures(r), "the regime attacks once it has broken the truce"


def test_russia_restrains_during_truce_and_licenses_after(build):
    line_theatre(build)
    sc = load_scenario(build.scenario({"factions": {**STRONG_REGIME, "russia": {"air_support": 1.0, "truce_air": 0.1}},
                                      "events": [PUSH, truce(effective="2020-01-05", until="2020-01-10")]}))
    air = simulate(sc).timeseries.set_index("date")["air_effort"]
    assert air["2020-01-03"] == 1.0 and air["2020-01-06"] == 0.1 and air["2020-01-12"] == 1.0


def fork(build, post: str):
    """A regime town between two identical opposition towns, both linked to the rear; a post at ``post``."""
    return build.theatre(
        [("R", 35.5, 36.0, "regime"), ("A", 35.5, 36.05, "rebels"), ("B", 35.5, 35.95, "rebels"), ("C", 35.6, 36.0, "rebels")],
        [("R", "A", "M9"), ("R", "B", "M9"), ("A", "C", "secondary"), ("B", "C", "secondary")],
        posts=[("p1", post, "2019-01-01")],
    )


def test_post_deters_the_regime(build):
    fork(build, post="A")
    sc = load_scenario(build.scenario({"factions": {**STRONG_REGIME, "turkey": {"deterrence": 3.0}}, "events": [PUSH]}))
    picks = set()
    for seed in range(20):
        m = CeasefireModel(sc, seed=seed)
        picks.add(m.theatre.towns[int(m.regime.choose_objectives()[0][0])])
    assert picks == {"B"}
    # Once Turkey fights openly the regime stops sparing the post.
    picks = set()
    for seed in range(20):
        m = CeasefireModel(sc, seed=seed)
        m.turkey.escalation = 1.0
        picks.add(m.theatre.towns[int(m.regime.choose_objectives()[0][0])])
    assert picks == {"A", "B"}


def test_post_is_encircled_when_every_road_out_is_lost(build):
    build.theatre(
        [("R1", 35.5, 36.0, "regime"), ("P", 35.5, 36.05, "rebels"), ("R2", 35.5, 36.1, "regime"), ("X", 35.55, 36.05, "rebels")],
        [("R1", "P", "M9"), ("P", "R2", "M9"), ("P", "X", "secondary"), ("R1", "X", "secondary")],
        posts=[("p1", "P", "2019-01-01")],
    )
    sc = load_scenario(build.scenario({"factions": {**STRONG_REGIME, "turkey": {"deterrence": 10.0}}, "events": [PUSH]}))
    r = simulate(sc)
    assert captures(r)[0][1] == "X"  # it goes around the post ...
    enc = r.events[r.events["type"] == "post_encircled"]
    assert enc["town"].tolist() == ["P"]  # ... and the post is cut off
    assert enc["date"].iloc[0] == captures(r)[0][0]


def test_hts_raises_violations_and_regime_pressure(build):
    line_theatre(build, controllers=("regime", "hts"))
    spoiler = {**STRONG_REGIME, "hts": {"spoiler_rate": 1.0, "garrison": 50, "reserve": 0}}
    held = truce(compliance={"regime": 1.0, "hts": 0.0}, restraint=1.0)
    r = simulate(load_scenario(build.scenario({"factions": spoiler, "events": [PUSH, held]})))
    ts = r.timeseries.set_index("date")
    assert ts.loc["2020-01-21", "violations"] == 20  # one raid a day from the 2nd
    assert ts.loc["2020-01-21", "regime_pressure"] == pytest.approx(0.02 * 20)  # the default pretext per raid
    # Without a patron's restraint the pretexts alone end the truce.
    provoked = simulate(load_scenario(build.scenario({"factions": spoiler, "events": [PUSH, truce(compliance={"regime": 1.0, "hts": 0.0})]}, name="c.yaml")))
    assert provoked.events["type"].eq("truce_broken").sum() == 1
    r = simulate(load_scenario(build.scenario({"factions": spoiler, "events": [PUSH, truce(compliance={"regime": 1.0, "hts": 1.0})]}, name="b.yaml")))
    assert r.timeseries["violations"].iloc[-1] == 0


def patrol_scenario(build, block: float):
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, corridor={"road": "M9", "width_km": 6})
    patrol = ev(date="2020-01-05", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=7, participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {"patrol_block": block, "protest_rate": 0.0, "patrol_attack": 0.0, "spoiler_rate": 0.0}}
    return load_scenario(build.scenario({"factions": factions, "events": [PUSH, agreement, patrol]}, name=f"p{block}.yaml"))


def test_patrol_is_blocked_next_to_hts_ground(build):
    r = simulate(patrol_scenario(build, block=1.0))
    runs = r.events[r.events["type"] == "patrol"]
    assert runs["date"].tolist() == ["2020-01-05", "2020-01-12", "2020-01-19"]
    assert (runs["detail"].str.contains("covered 50%.*stopped at T2")).all()  # T2 borders the HTS town T3


def test_unopposed_patrol_covers_the_route(build):
    m = CeasefireModel(patrol_scenario(build, block=0.0))
    m.run_model()
    assert m.patrol_log[-1]["coverage"] == 1.0
    assert m.deal.corridor.tolist() == [True, True, True, True]


def test_rebels_counter_attack_only_with_turkish_escalation(build):
    build.theatre(
        [("R", 35.5, 36.0, "regime"), ("L", 35.5, 36.05, "rebels"), ("H", 35.5, 36.1, "rebels")],
        [("R", "L", "M9"), ("L", "H", "M9")],
    )
    factions = {**STRONG_REGIME, "rebels": {"garrison": 1, "reserve": 200, "regen": 0, "counter_threshold": 0.5, "counter_commit": 0.5}}
    events = [PUSH, ev(date="2020-01-04", type="offensive", action="stop"),
              ev(id="shield", date="2020-01-06", type="intervention", name="shield", intensity=1.0)]
    with_turkey = simulate(load_scenario(build.scenario({"factions": factions, "events": events})))
    caps = captures(with_turkey)
    assert caps[0][1:] == ["L", "rebels -> regime"]
    assert ["L", "regime -> rebels"] in [c[1:] for c in caps]
    assert min(c[0] for c in caps if c[2] == "regime -> rebels") >= "2020-01-06"
    factions["turkey"] = {"may_escalate": False}
    without = simulate(load_scenario(build.scenario({"factions": factions, "events": events}, name="b.yaml")))
    assert [c[2] for c in captures(without)] == ["rebels -> regime"]


def test_strike_adds_turkish_deaths_and_escalation(build):
    line_theatre(build)
    strike = ev(date="2020-01-03", type="strike", by="regime", town="T1", casualties={"turkey": 30})
    r = simulate(load_scenario(build.scenario({"factions": {"turkey": {"escalation_per_death": 0.01, "exposure": 0, "combat_exposure": 0}}, "events": [strike]})))
    ts = r.timeseries.set_index("date")
    assert ts.loc["2020-01-02", "turkish_deaths"] == 0 and ts.loc["2020-01-03", "turkish_deaths"] == 30
    assert ts.loc["2020-01-03", "turkish_escalation"] == pytest.approx(0.3)


@pytest.mark.parametrize("name", ["campaign", "moscow"])
def test_invariants_hold_through_the_real_scenarios(name):
    from .conftest import ROOT

    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    m = CeasefireModel(sc, check_invariants=True)
    m.run_model()
    assert m.steps == sc.days
    assert np.isclose(m.residents.sum() + m.displaced.sum(), m.theatre.population.sum())


# ---------------------------------------------------------------- one place per rule


def test_the_ceasefire_is_a_state_machine():
    from sim.model.ceasefire import Ceasefire, CeasefireState

    def deal():
        day = pd.Timestamp("2020-01-02").date()
        return Ceasefire("t", "truce", day, day, None, ("russia",), {"regime": 1.0}, 0.0)

    cf = deal()
    assert cf.state is CeasefireState.ANNOUNCED
    cf.move_to(CeasefireState.IN_FORCE)
    cf.move_to(CeasefireState.BROKEN)
    for final in (CeasefireState.IN_FORCE, CeasefireState.EXPIRED, CeasefireState.SUPERSEDED):
        with pytest.raises(ValueError, match="cannot go from 'broken'"):
            cf.move_to(final)
    with pytest.raises(ValueError, match="cannot go from 'announced' to 'broken'"):
        deal().move_to(CeasefireState.BROKEN)  # a deal that never bound cannot be broken
    assert [s.value for s in CeasefireState] == ["announced", "in force", "broken", "superseded", "expired"]


def test_a_new_deal_supersedes_the_one_in_force_and_expires_after_its_end(build):
    from sim.model.ceasefire import CeasefireState

    line_theatre(build)
    first = truce(id="first", name="first", effective="2020-01-02", until="2020-01-20")
    second = truce(id="second", date="2020-01-05", name="second", effective="2020-01-06", until="2020-01-10")
    m = CeasefireModel(load_scenario(build.scenario({"factions": STRONG_REGIME, "events": [PUSH, first, second]})))
    for _ in range(3):
        m.step()
    held = m.deal
    assert held.name == "first" and held.state is CeasefireState.IN_FORCE
    m.run_model()
    assert held.state is CeasefireState.SUPERSEDED and m.deal.name == "second" and m.deal.state is CeasefireState.EXPIRED
    log = pd.DataFrame(m.events_log, columns=["date", "type", "town", "actors", "detail"])
    deals = log[log["type"].str.startswith("truce")]
    assert deals[["date", "type", "detail"]].values.tolist() == [
        ["2020-01-01", "truce_announced", "first, in force from 2020-01-02"], ["2020-01-02", "truce_in_force", "first"],
        ["2020-01-05", "truce_announced", "second, in force from 2020-01-06"], ["2020-01-06", "truce_in_force", "second"],
        ["2020-01-11", "truce_expired", "second"]]
    states = m.datacollector.get_model_vars_dataframe()["ceasefire"].tolist()
    # 5 January: the first deal is superseded, the second announced and not yet in force.
    assert states == ["none"] + ["in force"] * 3 + ["announced"] + ["in force"] * 5 + ["expired"] * 11, states


def test_a_broken_deal_records_when_and_by_whom(build):
    line_theatre(build)
    m = CeasefireModel(load_scenario(build.scenario({"factions": STRONG_REGIME, "events": [PUSH, truce(compliance={"regime": 0.0001})]})))
    m.run_model()
    assert m.deal.state.value == "broken" and (str(m.deal.broken_on), m.deal.broken_by) == ("2020-01-02", "regime")


def hts_attacks_every_patrol(build, casualties: float):
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    agreement = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-05", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=2, participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "turkey": {"exposure": 0, "combat_exposure": 0},
                "hts": {"patrol_block": 0.0, "protest_rate": 0.0, "spoiler_rate": 0.0, "patrol_attack": 1.0,
                        "patrol_attack_casualties": casualties}}
    m = CeasefireModel(load_scenario(build.scenario({"factions": factions, "events": [PUSH, agreement, patrol]}, name=f"a{casualties}.yaml")))
    m.run_model()
    return m


def test_hts_attacks_on_patrols_take_their_casualties_from_the_scenario(build):
    none = hts_attacks_every_patrol(build, 0.0)
    attacks = [e for e in none.events_log if e[1] == "violation" and e[4] == "attack on the joint patrol"]
    assert len(attacks) == 9  # every patrol, 5 to 21 January
    assert none.turkey.deaths == 0 and none.casualties["russia"] == 0
    many = hts_attacks_every_patrol(build, 20.0)
    assert many.turkey.deaths > 9 * 10 and many.casualties["russia"] > 9 * 10
    # Every Turkish death is counted by Turkey.lose_soldiers, by cause.
    assert many.turkey.deaths_by_cause == {"attack on a patrol": many.turkey.deaths}
    assert many.casualties["turkey"] == many.turkey.deaths == many.turkish_deaths


def test_turkish_deaths_are_counted_once_whatever_kills_them(build):
    line_theatre(build)
    strike = ev(date="2020-01-03", type="strike", by="regime", town="T1", casualties={"turkey": 30, "rebels": 4})
    factions = {**STRONG_REGIME, "turkey": {"exposure": 5.0}}
    m = CeasefireModel(load_scenario(build.scenario({"factions": factions, "events": [PUSH, strike]})))
    m.run_model()
    assert m.turkey.deaths_by_cause["strike"] == 30 and m.turkey.deaths_by_cause["exposure"] > 0
    assert sum(m.turkey.deaths_by_cause.values()) == m.turkey.deaths == m.casualties["turkey"]
    losses = sum(int(e[4].split()[0]) for e in m.events_log if e[1] == "turkish_losses")
    assert losses == m.turkey.deaths_by_cause["exposure"]


def test_a_regime_that_values_nothing_within_reach_attacks_nowhere(build):
    """Every candidate scoring 0 (a proximity scale of 0) used to give 0/0 = NaN shares of the force."""
    line_theatre(build)
    sc = load_scenario(build.scenario({"factions": {**STRONG_REGIME, "regime": {**STRONG_REGIME["regime"], "proximity_km": 0.0}},
                                       "events": [PUSH]}))
    m = CeasefireModel(sc, seed=1)
    targets, shares = m.regime.choose_objectives()
    assert targets.size == 0 and shares.size == 0
    assert simulate(sc).captures.empty
