"""The ceasefire period's rules at edges the shipped scenarios never reach, on hand-built theatres with known answers:
two patrols on one road in one night, a deal that leaves the government free, a post withdrawn the night after it was cut
off, a road made safe under one deal and patrolled under the next, a patrol without Turkey, a counter-offensive with no
ground to strike from, a patrol whose start is lost."""

import pytest

from sim import CeasefireModel, simulate
from sim.experiments.run import simulate_batch

from .conftest import ev, line_theatre
from .test_rules import STRONG_REGIME, captures, push, scenario, truce


def test_two_patrols_on_one_road_in_one_night_open_it_as_far_as_the_farther_got_however_listed(build):
    # Two plans patrol the M9 on 3 Jan: the long one (T0 to T3) is stopped at the protest camp at T2 and covers half
    # its route, the short one (T0 to T1) drives all of it. The road counted as partly open by whichever the file
    # listed last, so the government's pressure (fed by the unmet share of the road) hung on the order of two lines.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"), aside=("hts",))  # HTS's ground: its camp
    deal = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    camp = ev(id="camp", date="2020-01-02", type="sit_in", town="T2", until="2020-01-20")
    long, short = (ev(id=plan, date="2020-01-03", type="joint_patrol", route=["T0", end], road="M9", every_days=7,
                      participants=["russia", "turkey"]) for plan, end in (("long", "T3"), ("short", "T1")))
    factions = {**STRONG_REGIME, "hts": {**STRONG_REGIME["hts"], "patrol_block": 0.0, "patrol_attack": 0.0, "protest_rate": 0.0},
                "regime": {**STRONG_REGIME["regime"], "pressure_growth": 0.5, "pressure_easing": 0.0, "patrol_relief": 0.0,
                           "objective_roads": {"M9": 1}}}
    seen = []
    for plans, name in (([long, short], "long_first.yaml"), ([short, long], "short_first.yaml")):
        m = CeasefireModel(scenario(build, factions, [push(["T3"]), deal, camp, *plans], name=name, end="2020-01-05"))
        m.run_model()
        assert sorted(row[3] for row in m.patrol_rows) == [0.5, 1.0], name  # both drove, as before
        seen.append((m.patrol_coverage["M9"].tolist(), m.deal.pressure.tolist()))
    assert seen[0][0] == [1.0]  # the road is open as far as the farther of the night's patrols got
    assert seen[1] == seen[0]


def test_a_deal_that_leaves_the_government_free_gives_it_no_pressure_to_break_it(build):
    # A deal with no compliance from the government does not bind it: its pressure neither grows nor eases, but HTS's
    # raids under it added their pretext every day, so the reported pressure climbed to 1 and stayed there, where at a
    # compliance of 0.001 it eased to a level. A pretext and a patrol's relief move it only where the deal binds the
    # government, as its growth and easing do; the raids still count as violations.
    line_theatre(build, controllers=("regime", "hts"))
    factions = {**STRONG_REGIME, "hts": {"spoiler_rate": 1.0, "garrison": 50, "reserve": 100},
                "regime": {**STRONG_REGIME["regime"], "pretext": 0.1, "pressure_growth": 0.02, "pressure_easing": 0.5}}
    free = simulate(scenario(build, factions, [truce(compliance={"regime": 0.0, "hts": 0.0})], name="free.yaml"))
    assert (free.timeseries["regime_pressure"] == 0.0).all()
    assert free.timeseries["violations"].iloc[-1] == 20  # a raid every day from 2 Jan
    bound = simulate(scenario(build, factions, [truce(compliance={"regime": 0.001, "hts": 0.0}, restraint=1.0)],
                              name="bound.yaml"))
    assert bound.timeseries["regime_pressure"].iloc[-1] > 0.1  # bound, the same raids feed it


@pytest.mark.parametrize("withdrawn", ["2020-01-03", "2020-01-04"])
def test_a_post_cut_off_is_news_to_turkey_even_if_withdrawn_before_turkey_looks(build, withdrawn):
    # The government takes T1 on 2 Jan and cuts off the post beside it; Turkey counts a post cut off the next day.
    # Withdrawn that night (3 Jan), the post was no longer cut off when Turkey looked, and its encirclement added
    # nothing; withdrawn a night later, it added its escalation: the news hung on the night of the withdrawal.
    line_theatre(build, controllers=("regime", "rebels", "regime"), posts=[("P1", "T1", "2019-01-01")])
    factions = {**STRONG_REGIME, "turkey": {"escalation_per_encirclement": 0.5, "escalation_decay": 0.0}}
    out = ev(id="out", date=withdrawn, type="observation_post", action="withdraw", post="P1")
    r = simulate(scenario(build, factions, [push(["T1"]), out], end="2020-01-05"))
    assert r.captures[["date", "town"]].values.tolist() == [["2020-01-02", "T1"]]
    assert r.timeseries["turkish_escalation"].iloc[2] == pytest.approx(0.5)  # 3 Jan: the day Turkey looks


def test_hts_blocks_patrols_only_as_far_as_it_rejects_the_deal(build):
    """HTS's every other spoiling (raids, sit-ins, ambushes) comes at its rate x how far it rejects the deal (1 - its
    compliance), but its blocking of patrols came at the full `patrol_block` whatever it had agreed: an HTS party to a
    deal it kept in full still stopped every patrol next to its ground (round 70's audit)."""
    from .test_rules import patrol_scenario

    kept = simulate(patrol_scenario(build, block=1.0, hts_compliance=1.0, name="kept.yaml"))
    assert len(kept.patrols) == 10
    assert {p["coverage"] for p in kept.patrols} == {1.0}, "no patrol stopped by an HTS that keeps the deal"
    rejected = simulate(patrol_scenario(build, block=1.0, hts_compliance=0.0, name="rejected.yaml"))
    assert {p["coverage"] for p in rejected.patrols} == {0.75}, "every one stopped by an HTS that rejects it"


def _spoiling(build, controllers, name):
    """A run of an agreement HTS rejects on the M9 (T0 to T3, the government's at both ends), with HTS at full spoiling
    strength (every chance 1, a reserve to raid with) and a protest camp dated at T1: (event types, violations' details,
    the patrols' coverage)."""
    line_theatre(build, controllers=controllers)
    deal = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    camp = ev(id="camp", date="2020-01-02", type="sit_in", town="T1", until="2020-01-20")
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=2,
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {"garrison": 1, "reserve": 100, "regen": 0, "spoiler_rate": 1.0,
                                         "protest_rate": 1.0, "patrol_block": 1.0, "patrol_attack": 1.0}}
    r = simulate(scenario(build, factions, [deal, camp, patrol], name=name, end="2020-01-10"))
    violations = r.events[r.events["type"] == "violation"]["detail"].tolist()
    return set(r.events["type"]), violations, [p["coverage"] for p in r.patrols]


def test_hts_that_holds_no_town_stages_no_sit_in_ambush_or_raid(build):
    # The road's towns between the government's two ends are the rebels'; HTS holds nothing. Its sit-ins (the random
    # ones and the protest camp the scenario dates) and its ambushes were staged at any opposition town, so an HTS with
    # no ground of its own still camped on the road, stopped every patrol and ambushed them (round 70's audit). A raid
    # needs a government town next to HTS ground, and a patrol is stopped by chance only next to it: those it never
    # staged.
    types, violations, coverage = _spoiling(build, ("regime", "rebels", "rebels", "regime"), "no_ground.yaml")
    assert "sit_in" not in types and "sit_in_not_held" in types  # the dated camp is logged as not pitched
    assert violations == []  # no raid, no ambush
    assert coverage == [1.0, 1.0, 1.0, 1.0]  # nothing stops the patrols
    # With one town of its own (T4, beyond the route's end, next to the government's T3), the same HTS camps on the
    # road, stops the patrols, ambushes them and raids T3: the rule asks that it hold ground, not that the ground be
    # the road's.
    types, violations, coverage = _spoiling(build, ("regime", "rebels", "rebels", "regime", "hts"), "ground.yaml")
    assert "sit_in" in types
    assert "attack on the joint patrol" in violations and "raid on government positions" in violations
    assert max(coverage) < 1.0


@pytest.mark.parametrize("first_until", [None, "2020-01-05"])
def test_a_new_deal_counts_the_road_open_only_as_far_as_patrols_under_it_got(build, first_until):
    # A weekly patrol plan drives the whole M9 (T0 to T3) on 3 Jan under a first deal; a second deal is announced on
    # 6 Jan (superseding the first, or after it ran out on the 5th) and is in force from 8 Jan; its first patrol is on
    # 10 Jan. The road stayed counted open by the 3 Jan patrol, so the second deal's pressure, fed by the unmet share
    # of the road (3/4 of its towns not the government's), did not grow on 8 and 9 Jan: it read what patrols did under
    # a deal no longer there. Under the second deal the road is now unmet in full until its own first patrol.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"))
    first, second = (truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0, **dates)
                     for dates in ({"until": first_until},
                                   {"id": "second", "name": "second", "date": "2020-01-06", "effective": "2020-01-08"}))
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=7,
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {**STRONG_REGIME["hts"], "patrol_block": 0.0, "patrol_attack": 0.0, "protest_rate": 0.0},
                "regime": {**STRONG_REGIME["regime"], "pressure_growth": 0.5, "pressure_easing": 0.0, "patrol_relief": 0.0,
                           "objective_roads": {"M9": 1}}}
    r = simulate(scenario(build, factions, [first, second, patrol], end="2020-01-11"))  # no push: the road stays unmet
    assert [p["coverage"] for p in r.patrols] == [1.0, 1.0]
    pressure = r.timeseries.set_index("date")["regime_pressure"]
    assert pressure["2020-01-02"] == pytest.approx(0.375)  # the first deal's first day: 0.5 x 3/4, before any patrol
    assert pressure["2020-01-07"] == 0.0  # the second deal announced, not yet in force: its own pressure, none yet
    grown = 0.375 + 0.5 * 0.75 * (1 - 0.375)
    assert pressure["2020-01-08"] == pytest.approx(0.375) and pressure["2020-01-09"] == pytest.approx(grown)
    assert pressure["2020-01-11"] == pytest.approx(grown)  # its own patrol of 10 Jan opened the whole road


@pytest.mark.parametrize(("route", "runs"), [(["T0", "T3"], False), (["T3", "T0"], True)])
def test_a_patrol_sets_out_only_from_a_town_the_government_holds(build, route, runs):
    # The rebels hold T0 to T2, the government T3. A joint patrol sets out from the government's ground into the
    # opposition's (the Moscow patrols from Tronba, by Saraqib, where Russian military police stood): from T0 it set
    # out from the rebels' town all the same, drove the whole road, made it safer and opened it to the government.
    # Now it does not set out, and says why; the same route driven from T3 runs as before.
    line_theatre(build, controllers=("rebels", "rebels", "rebels", "regime"))
    deal = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-03", type="joint_patrol", route=route, road="M9", every_days=2, participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {**STRONG_REGIME["hts"], "patrol_block": 0.0, "patrol_attack": 0.0, "protest_rate": 0.0},
                "turkey": {"patrol_security": 0.5, "corridor_policing": 0.0}}
    m = CeasefireModel(scenario(build, factions, [deal, patrol], end="2020-01-07"))
    m.run_model()
    logged = [(day, kind, town, detail) for _, day, kind, town, _, detail in m.journal.table().tolist()
              if kind.startswith("patrol")]  # days 2, 4 and 6: 3, 5 and 7 Jan
    if runs:
        assert [row[:3] for row in logged] == [(d, "patrol_completed", "T0") for d in (2, 4, 6)]
        assert [row[3] for row in m.patrol_rows] == [1.0, 1.0, 1.0] and m.security[0].tolist() == [0.875, 0.875, 0.875, 0.875]
    else:
        assert logged == [(d, "patrol_suspended", "T0", "its start, T0, is not the government's: it does not set out")
                          for d in (2, 4, 6)]
        assert m.patrol_rows == [] and m.patrol_coverage == {"M9": [0.0]} and not m.security.any()


@pytest.mark.parametrize(("parties", "policed"), [(["russia", "turkey"], True), (["russia"], False)])
def test_only_a_deal_turkey_is_party_to_has_its_corridor_policed_by_turkey(build, parties, policed):
    # An agreement with a corridor along the M9, in force from 2 Jan to the end (5 Jan): four days. Turkey's troops
    # policed it (corridor_policing) whoever the parties were, so a deal Russia alone brokered had its corridor made
    # safer by Turkey all the same. Now only a deal Turkey is party to is: the opposition's towns in it are then as safe as
    # 1 - 0.5^4, and the government's, where Turkish troops did not stand, not at all.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    deal = truce(type="agreement", parties=parties, compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0,
                 corridor={"road": "M9", "width_km": 1})
    factions = {**STRONG_REGIME, "turkey": {"corridor_policing": 0.5}}
    m = CeasefireModel(scenario(build, factions, [deal], end="2020-01-05"))
    m.run_model()
    assert m.security[0].tolist() == ([0.0, 0.9375, 0.9375, 0.9375] if policed else [0.0] * 4)


@pytest.mark.parametrize("hts_ground", [False, True])
def test_a_counter_offensive_strikes_only_where_its_faction_holds_ground(build, hts_ground):
    # HTS's counter-offensive names T1, the government's town between two of the rebels'. HTS struck from the rebels'
    # ground (the one front) in a run where it held no town at all, and took T1 with a reserve that stood nowhere. A
    # faction with no town of its own has nothing to attack from; with one (A0, on no road), it strikes from the front
    # it holds with the rebels, as before.
    line_theatre(build, controllers=("rebels", "regime", "rebels"), aside=("hts",) if hts_ground else ())
    factions = {**STRONG_REGIME, "hts": {**STRONG_REGIME["hts"], "reserve": 200, "counter_commit": 0.5}}
    back = ev(id="back", date="2020-01-02", type="offensive", faction="hts", action="start", axis=["T1"])
    r = simulate(scenario(build, factions, [back], end="2020-01-05"))
    assert captures(r) == ([["2020-01-02", "T1", "regime -> hts (assault)"]] if hts_ground else [])
    assert (r.timeseries["casualties_hts"].iloc[-1] > 0) == hts_ground  # with no ground, it never attacked


_QUIET_HTS = {**STRONG_REGIME["hts"], "patrol_attack": 0.0, "protest_rate": 0.0}  # it neither ambushes nor camps


@pytest.mark.parametrize("first_until", [None, "2020-01-05"])
def test_a_road_made_safe_under_one_deal_is_not_safe_under_the_next(build, first_until):
    # Under a first deal HTS keeps (compliance 1), the 3 Jan patrol drives the whole M9 (T0 to T3) and leaves every town
    # on it half as risky (patrol_security 0.5). A second deal, which HTS rejects, is announced on 6 Jan (superseding
    # the first, or after it ran out on the 5th) and is in force from the 8th; its first patrol is on the 10th. The
    # road's safety is what a deal's patrols and Turkey's policing under it earned: it carried over, so HTS, next to
    # T1, stopped the new deal's patrol only half the time, as if its patrols had driven the road before. Now the new
    # deal starts from an unpatrolled road: with `patrol_block` 1 HTS stops every patrol at T1, the first town it reaches.
    line_theatre(build, controllers=("regime", "rebels", "hts", "rebels"))
    first, second = (truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": hts}, restraint=1.0, **dates)
                     for hts, dates in ((1.0, {"until": first_until}),
                                        (0.0, {"id": "second", "name": "second", "date": "2020-01-06", "effective": "2020-01-08"})))
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=7,
                participants=["russia", "turkey"])
    factions = {**STRONG_REGIME, "hts": {**_QUIET_HTS, "patrol_block": 1.0}, "turkey": {"patrol_security": 0.5}}
    batch = simulate_batch(scenario(build, factions, [first, second, patrol], end="2020-01-10"), list(range(12)))
    for r in batch:
        first_patrol, second_patrol = r.patrols
        assert (first_patrol["coverage"], first_patrol["reached"]) == (1.0, "T3")
        assert second_patrol["reached"] == "T1" and second_patrol["coverage"] == pytest.approx(1 / 6, abs=1e-3)


@pytest.mark.parametrize(("participants", "safer"), [(["russia", "turkey"], True), (["turkey"], True), (["russia"], False),
                                                     (["russia", "regime"], False)])
def test_only_a_patrol_turkey_rides_in_makes_the_road_safer_by_turkeys_patrol_security(build, participants, safer):
    # Three patrols drive the whole M9 (T0 to T3). The road's safety grew by Turkey's `patrol_security` whoever patrolled:
    # a patrol of Russia's military police alone left the opposition's towns as much safer as one Turkey rode in. That
    # safety is Turkey's part (the opposition let through what Turkey escorted); with no Turkish troops in a patrol, it
    # adds none, and there is no parameter of anyone else's to stand in for it.
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"))
    deal = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=2, participants=participants)
    factions = {**STRONG_REGIME, "hts": {**_QUIET_HTS, "patrol_block": 0.0}, "turkey": {"patrol_security": 0.5}}
    m = CeasefireModel(scenario(build, factions, [deal, patrol], end="2020-01-07"))
    m.run_model()
    assert [row[3] for row in m.patrol_rows] == [1.0, 1.0, 1.0]  # they drove it all, whoever rode
    assert m.security[0].tolist() == ([0.875] * 4 if safer else [0.0] * 4)


def _patrols_that_cannot_set_out(build, until=None):
    """An agreement on the M9 (T0, the government's, to T3, the rebels'), in force from 2 Jan, with a patrol every two
    days from 3 Jan out of T0. Ending on ``until``, or (with none) the rebels, who reject it, take T0 on 4 Jan on a
    counter-offensive. The run to 7 Jan: (the patrol days' event types, the pressure and the reported coverage by day)."""
    line_theatre(build, controllers=("regime", "rebels", "rebels", "rebels"))
    deal = truce(type="agreement", compliance={"regime": 1.0, "rebels": 0.0, "hts": 0.0}, restraint=1.0, until=until)
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T3"], road="M9", every_days=2,
                participants=["russia", "turkey"])
    events = [deal, patrol]
    if until is None:
        events.append(ev(id="back", date="2020-01-04", type="offensive", faction="rebels", action="start", axis=["T0"]))
    factions = {**STRONG_REGIME, "hts": {**_QUIET_HTS, "patrol_block": 0.0},
                "rebels": {**STRONG_REGIME["rebels"], "reserve": 500, "counter_commit": 1.0},
                "regime": {**STRONG_REGIME["regime"], "pressure_growth": 0.5, "pressure_easing": 0.0, "patrol_relief": 0.0,
                           "pretext": 0.0, "objective_roads": {"M9": 1}}}
    r = simulate(scenario(build, factions, events, end="2020-01-07"))
    patrols = r.events[r.events["type"].str.startswith("patrol")][["date", "type"]].values.tolist()
    series = r.timeseries.set_index("date")
    return [[str(d)[:10], t] for d, t in patrols], series["regime_pressure"], series["patrol_coverage"]


def test_a_road_whose_patrols_cannot_set_out_is_no_longer_counted_open(build):
    # The 3 Jan patrol drives the whole road from T0; the rebels take T0 on the 4th, so the patrols of the 5th and 7th
    # do not set out. The road went on counting as open as far as the 3 Jan patrol had got (all of it), so the
    # government's pressure, fed by the unmet share of the road, did not grow though it now held none of it; and the
    # reported coverage read 100 % on days no patrol could set out. A patrol that does not set out opens none of the
    # road: the road counts as unpatrolled for the pressure, and the reported coverage is blank, as before the first
    # patrol, until one sets out again.
    patrols, pressure, coverage = _patrols_that_cannot_set_out(build)
    assert patrols == [["2020-01-03", "patrol_completed"], ["2020-01-05", "patrol_suspended"],
                       ["2020-01-07", "patrol_suspended"]]
    # 0.5 x 3/4 on the deal's first day; none on the 3rd and 4th (the whole road open); T0 falls in the 4th's fighting.
    assert pressure[["2020-01-02", "2020-01-03", "2020-01-04"]].tolist() == pytest.approx([0.375] * 3)
    grown = 0.375 + 0.5 * (1 - 0.375)  # the whole road unmet and unpatrolled
    assert pressure["2020-01-05"] == pytest.approx(grown) and pressure["2020-01-06"] == pytest.approx(grown + 0.5 * (1 - grown))
    assert coverage[["2020-01-03", "2020-01-04"]].tolist() == [1.0, 1.0]
    assert coverage[["2020-01-05", "2020-01-06", "2020-01-07"]].isna().all()


def test_the_reported_coverage_is_blank_once_patrols_stop_with_their_deal(build):
    # The deal runs out on 4 Jan: the 5th's patrol is suspended for want of a deal, and the coverage read 100 % to the
    # end of the run, from the 3 Jan patrol. It is blank from the day a patrol could not set out, whatever the reason.
    patrols, _, coverage = _patrols_that_cannot_set_out(build, until="2020-01-04")
    assert patrols == [["2020-01-03", "patrol_completed"], ["2020-01-05", "patrol_suspended"],
                       ["2020-01-07", "patrol_suspended"]]
    assert coverage[["2020-01-03", "2020-01-04"]].tolist() == [1.0, 1.0]
    assert coverage[["2020-01-05", "2020-01-06", "2020-01-07"]].isna().all()


def test_a_patrol_that_cannot_set_out_leaves_the_road_as_open_as_another_plans_patrol_left_it_that_night(build):
    # Two plans on the M9 on 3 Jan: one out of T0, the rebels', cannot set out; the other, out of T3, the government's,
    # drives the whole road. However the scenario lists them, the road is open all the way and the day reads 100 %.
    line_theatre(build, controllers=("rebels", "rebels", "rebels", "regime"))
    deal = truce(type="agreement", compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    plans = [ev(id=f"from-{a}", date="2020-01-03", type="joint_patrol", route=[a, b], road="M9", every_days=7,
                participants=["russia", "turkey"]) for a, b in (("T0", "T3"), ("T3", "T0"))]
    factions = {**STRONG_REGIME, "hts": {**_QUIET_HTS, "patrol_block": 0.0}}
    for order, name in ((plans, "lost_first.yaml"), (plans[::-1], "driven_first.yaml")):
        m = CeasefireModel(scenario(build, factions, [deal, *order], name=name, end="2020-01-04"))
        m.run_model()
        assert [row[3] for row in m.patrol_rows] == [1.0], name
        assert m.patrol_coverage["M9"].tolist() == [1.0], name
        assert m.datacollector.get_model_vars_dataframe()["patrol_coverage"].iloc[-1].tolist() == [1.0], name
