"""Scoring against the record, on hand-built ensembles whose answers are worked out by hand.

Each test pins one rule that a plausible slip in the scoring would break and that no other fast test caught (a
mutation audit of sim/analysis/scoring.py, outcomes.py, comparison.py, calibration_score.py and aggregate.py): an
edge of a window or a range, a sign, what an average is taken over. Day 0 is 1 Jan 2020; a run of seven rows ends
on 7 Jan, so "never" counts as 8 Jan.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.analysis.outcomes import (CaptureOutcome, ConditionOutcome, ControllerOutcome, EventOutcome, QuantityOutcome,
                                   RoadOutcome)

from .test_scoring import TRUE, B, H, R, results, run, theatre  # noqa: F401 - the fixture

FROZEN = [[R, H, B]] * 7


def day(n: int) -> dt.date:
    """The date of day ``n`` (day 0: 1 Jan 2020)."""
    return dt.date(2020, 1, 1) + dt.timedelta(days=n)


def outcome(model, oid: str = "o", **kw):  # noqa: ANN001, ANN201 - an outcome class, and one of it
    """An outcome of kind ``model`` with the words every outcome needs."""
    kind = model.model_fields["kind"].annotation.__args__[0]
    return model(kind=kind, id=oid, set=kw.pop("set", "calibration"), description="x", source=["c"], **kw)


def falls_on(town: int, n: int, to: int = R) -> list[list[int]]:
    """The frozen front, but ``town`` passes to ``to`` on day ``n`` and stays."""
    return [[to if t == town and d >= n else c for t, c in enumerate(row)] for d, row in enumerate(FROZEN)]


def checks(theatre, o, *histories, **kw):  # noqa: ANN001, ANN201
    """Each replicate's check of ``o``, one replicate per history."""
    from sim.analysis.scoring import score

    return score(results(theatre, [run(s, h, **kw) for s, h in enumerate(histories)]), [o]).scores[0].checks


# ---------------------------------------------------------------- each kind's rule, at its edges


def test_a_capture_on_the_after_day_itself_counts_and_one_the_day_before_does_not(theatre):  # noqa: F811
    """``after`` is "from this date on": T2 passing to the regime on 3 Jan meets a capture looked for from 3 Jan; one
    that passed on 2 Jan (and stayed) never changes hands from 3 Jan on: 'never', 8 Jan - 3 Jan = 5 days late."""
    o = outcome(CaptureOutcome, town="T2", by="regime", reported=day(2), after=day(2), tolerance_days=0)
    on_the_day, day_before = checks(theatre, o, falls_on(2, 2), falls_on(2, 1))
    assert (on_the_day.met, on_the_day.value, on_the_day.error_days) == (True, day(2), 0.0)
    assert (day_before.met, day_before.value, day_before.error_days) == (False, None, 5.0)


def test_a_capture_on_the_runs_last_day_is_seen(theatre):  # noqa: F811
    """T1 falls on 7 Jan, the last day the run simulates: a capture reported then with no tolerance is met (a change
    on the last day is not lost off the end of the history)."""
    o = outcome(CaptureOutcome, town="T1", by="regime", reported=day(6), tolerance_days=0)
    (last_day,) = checks(theatre, o, falls_on(1, 6))
    assert (last_day.met, last_day.value, last_day.error_days) == (True, day(6), 0.0)


def test_a_road_held_from_the_start_is_dated_by_its_retaking_and_is_never_won_if_never_lost(theatre):  # noqa: F811
    """The regime holds T0 on 1 Jan. Where HTS takes it on 3 Jan and the regime takes it back on 5 Jan, the road of
    T0 is won on 5 Jan, as a capture of T0 would be (met, 0 days); where it is never lost, it is never won in the run
    ('never', 8 Jan - 5 Jan = 3 days late). A road held on day 0 was read 'never' in both."""
    o = outcome(RoadOutcome, towns=["T0"], by="regime", reported=day(4), tolerance_days=0)
    lost_and_retaken = [[H if t == 0 and d in (2, 3) else c for t, c in enumerate(row)] for d, row in enumerate(FROZEN)]
    retaken, held = checks(theatre, o, lost_and_retaken, FROZEN)
    assert (retaken.met, retaken.value, retaken.error_days) == (True, day(4), 0.0)
    assert (held.met, held.value, held.error_days) == (False, None, 3.0)


def test_the_first_event_of_its_type_is_the_one_dated(theatre):  # noqa: F811
    """The truce breaks on 2 Jan and again on 5 Jan: the event outcome dates the first (met, 0 days), not the last."""
    o = outcome(EventOutcome, event="truce_broken", reported=day(1), window=(day(1), day(2)))
    (c,) = checks(theatre, o, FROZEN, events=[("2020-01-02", "truce_broken"), ("2020-01-05", "truce_broken")])
    assert (c.met, c.value, c.error_days) == (True, day(1), 0.0)


def test_an_events_after_passes_over_the_events_of_its_type_before_it(theatre):  # noqa: F811
    """An outcome about the first Turkish deaths of a period that opens on 4 Jan (``after``, as a capture's) is about
    none of an earlier period's: deaths on 2 Jan and 5 Jan are dated 5 Jan (met, 0 days), where the run's first event
    of the type, 2 Jan, outside the window, was read as a miss; one on the ``after`` day itself counts (4 Jan, 1 day
    early); one that comes only before it is never (8 Jan - 5 Jan = 3 days late)."""
    o = outcome(EventOutcome, event="turkish_losses", reported=day(4), window=(day(3), day(6)), after=day(3))
    earlier, on_the_day, only_before = (checks(theatre, o, FROZEN, events=[("2020-01-02", "turkish_losses"), *later])[0]
                                        for later in ([("2020-01-05", "turkish_losses")], [("2020-01-04", "turkish_losses")], []))
    assert (earlier.met, earlier.value, earlier.error_days) == (True, day(4), 0.0)
    assert (on_the_day.met, on_the_day.value, on_the_day.error_days) == (True, day(3), -1.0)
    assert (only_before.met, only_before.value, only_before.error_days) == (False, None, 3.0)


def test_a_quantitys_range_holds_both_its_ends(theatre):  # noqa: F811
    """Turkish deaths of 8 and of 12 on 5 Jan both lie in [8, 12]; 7.5 and 12.5 do not."""
    from sim.analysis.scoring import score

    o = outcome(QuantityOutcome, variable="turkish_deaths", date=day(4), reported=10, range=(8, 12))
    runs = [run(s, FROZEN, deaths=[0, 0, 0, 0, v, 0, 0]) for s, v in enumerate((8.0, 12.0, 7.5, 12.5))]
    (s,) = score(results(theatre, runs), [o]).scores
    assert [(c.met, c.value) for c in s.checks] == [(True, 8.0), (True, 12.0), (False, 7.5), (False, 12.5)]


def test_a_conditions_period_counts_a_change_on_its_first_day_but_not_the_day_before(theatre):  # noqa: F811
    """At most 0 changes of hands from 3 to 4 Jan: T1 falling on 3 Jan is 1 change (not met); on 2 Jan, 0 (met); the
    period's last day counts too (T1 falling on 4 Jan: 1)."""
    o = outcome(ConditionOutcome, period=(day(2), day(3)), max_captures=0)
    first, before, last = checks(theatre, o, falls_on(1, 2), falls_on(1, 1), falls_on(1, 3))
    assert [(c.met, c.value) for c in (first, before, last)] == [(False, 1), (True, 0), (False, 1)]


def test_a_controller_is_read_on_its_own_date_as_control_accuracy_reads_it(theatre):  # noqa: F811
    """T1 passes to the regime on 4 Jan: a controller outcome 'T1 the regime's on 4 Jan' is met (the day before it
    was HTS's), and the same (town, date) pair counts as right in control accuracy."""
    from sim.analysis.scoring import score

    o = outcome(ControllerOutcome, town="T1", date=day(3), controller="regime")
    card = score(results(theatre, [run(0, falls_on(1, 3)), run(1, falls_on(1, 4))]), [o])
    assert [(c.met, c.value) for c in card.scores[0].checks] == [(True, "regime"), (False, "hts")]
    assert card.per_run["control accuracy"].tolist() == card.per_run["outcomes met"].tolist() == [1.0, 0.0]
    assert card.baseline["control accuracy"] == card.baseline["outcomes met"] == 0.0  # frozen: T1 HTS's throughout


def test_an_outcome_is_scored_only_if_the_run_simulates_its_whole_span(theatre):  # noqa: F811
    """From 1 to 7 Jan: a controller on 1 Jan (the start: given, not simulated) and one on 8 Jan are skipped, one on
    7 Jan is scored; a capture reported on 3 Jan but looked for from 1 Jan (``after`` on the start) is skipped, and
    from 2 Jan on it is scored; so is an event's, whose window opens on 3 Jan (the run cannot tell the first event of
    a period that opens on its first day)."""
    from sim.analysis.scoring import score

    def held(oid: str, n: int):  # noqa: ANN202
        return outcome(ControllerOutcome, oid, town="T0", date=day(n), controller="regime")

    from_start = outcome(CaptureOutcome, "from-start", town="T1", by="regime", reported=day(2), after=day(0), tolerance_days=0)
    from_day_1 = outcome(CaptureOutcome, "from-day-1", town="T1", by="regime", reported=day(2), after=day(1), tolerance_days=0)
    event_from_start, event_from_day_1 = (outcome(EventOutcome, f"event-from-{n}", event="truce_broken", reported=day(2),
                                                  window=(day(2), day(3)), after=day(n)) for n in (0, 1))
    card = score(results(theatre, [run(0, TRUE)]), [held("start", 0), held("last", 6), held("after", 7), from_start, from_day_1,
                                                    event_from_start, event_from_day_1])
    assert [s.outcome.id for s in card.scores] == ["last", "from-day-1", "event-from-1"]
    assert [o.id for o in card.skipped] == ["start", "after", "from-start", "event-from-0"]


def test_one_change_of_hands_meets_at_most_one_of_a_towns_captures_by_that_side(theatre):  # noqa: F811
    """The record has T1 taken by the regime on 2 Jan (± 2 days) and, after a loss, again on 5 Jan (± 2, looked for from
    3 Jan). A run that takes T1 once, on 3 Jan, inside both windows, meets the first only: the second is looked for
    after the change that met the first and never comes (8 Jan - 5 Jan = 3 days late); it was met by the same change
    of hands, 2 days early. A run that takes T1 on 3 Jan, loses it on 4 Jan and takes it back on 5 Jan meets both, the
    second on the day (it was dated 3 Jan). The sweeps' metrics and the calibration's date errors read them alike."""
    from sim.analysis.calibration_score import evidence
    from sim.analysis.metrics import batch_metric_columns
    from sim.analysis.rundata import RunBatch
    from sim.analysis.scoring import score

    first = outcome(CaptureOutcome, "first", town="T1", by="regime", reported=day(1), tolerance_days=2)
    again = outcome(CaptureOutcome, "again", town="T1", by="regime", reported=day(4), after=day(2), tolerance_days=2)
    back_and_forth = [[R, R if d in (2, 4, 5, 6) else H, B] for d in range(7)]
    ensemble = results(theatre, [run(0, falls_on(1, 2)), run(1, back_and_forth)])
    card = score(ensemble, [again, first])  # in any order: the record's captures of a town are read by their dates
    checked = {s.outcome.id: [(c.met, c.value, c.error_days) for c in s.checks] for s in card.scores}
    assert checked == {"first": [(True, day(2), 1.0), (True, day(2), 1.0)],
                       "again": [(False, None, 3.0), (True, day(4), 0.0)]}
    metrics = batch_metric_columns(RunBatch.of(ensemble.runs), [again, first], theatre)
    assert metrics["met:again"].tolist() == [0.0, 1.0] and np.isnan(metrics["day:again"][0]) and metrics["day:again"][1] == 4
    assert evidence(ensemble, [again, first]).date_errors.tolist() == [[3.0, 1.0], [0.0, 1.0]]


# ---------------------------------------------------------------- headline scores, date quantiles, the objective


def test_capture_mae_is_of_absolute_errors_so_early_and_late_do_not_cancel(theatre):  # noqa: F811
    """T1 reported falling on 3 Jan: one replicate takes it on 2 Jan (1 day early), one on 4 Jan (1 day late). Each
    replicate's MAE over its one capture is 1 day, and so is the headline; the frozen front never takes it (8 Jan: 5)."""
    from sim.analysis.scoring import score

    o = outcome(CaptureOutcome, town="T1", by="regime", reported=day(2), tolerance_days=0)
    card = score(results(theatre, [run(0, falls_on(1, 1)), run(1, falls_on(1, 3))]), [o])
    assert [c.error_days for c in card.scores[0].checks] == [-1.0, 1.0]
    assert card.per_run["capture MAE (days)"].tolist() == [1.0, 1.0]
    assert card.headline()["capture MAE (days)"] == 1.0 and card.baseline["capture MAE (days)"] == 5.0


def test_a_replicates_date_for_a_town_taken_twice_is_the_first(theatre):  # noqa: F811
    """T1 passes to the regime on 3 Jan, back to HTS on 4 Jan, to the regime again on 6 Jan: in ``capture_dates`` the
    replicate counts with 3 Jan (its first), as the capture outcome's first change from the start does."""
    from sim.analysis.aggregate import capture_dates

    twice = [[R, H, B], [R, H, B], [R, R, B], [R, H, B], [R, H, B], [R, R, B], [R, R, B]]
    row = capture_dates([run(0, twice), run(1, falls_on(1, 4))]).set_index(["town", "to"]).loc[("T1", "regime")]
    assert (row.runs, row.earliest, row.q50, row.latest) == (2, "2020-01-03", "2020-01-03", "2020-01-05")



def test_pooled_headline_scores_count_each_pair_once_not_each_scenario(theatre):  # noqa: F811
    """Two scenarios' scorecards pooled: the first reports 3 holders on 5 Jan that its replicate gets right, the
    second 1 (T1 the regime's) that its frozen replicate gets wrong. Over the 4 pairs: accuracy 3/4 (not the mean of
    the two scenarios, 1/2), Brier (0 + 0 + 0 + 2) / 4, outcomes met 3/4."""
    from sim.analysis.calibration_score import pooled_headline
    from sim.analysis.scoring import score

    def held(town: str, holder: str):  # noqa: ANN202
        return outcome(ControllerOutcome, f"{town.lower()}-{holder}", town=town, date=day(4), controller=holder)

    three = score(results(theatre, [run(0, TRUE)]), [held("T0", "regime"), held("T1", "regime"), held("T2", "rebels")])
    one = score(results(theatre, [run(0, FROZEN)]), [held("T1", "regime")])
    pooled = pooled_headline([three, one])
    assert (pooled["control accuracy"], pooled["Brier"], pooled["outcomes met"]) == (0.75, 0.5, 0.75)


def test_the_objective_scores_signed_date_errors_and_each_quantity_in_its_group(theatre):  # noqa: F811
    """One replicate takes T1 2 days early, one 2 days late: the fair CRPS of {-2, +2} against 0 is
    E|X| - E|X - X'| / 2 = 2 - 4 / 2 = 0 (an ensemble spread evenly about the record; of |errors| {2, 2} it would be 2).
    A quantity with a figure (deaths 8 and 8 against 10) is scored by CRPS / figure = 2 / 10 in ``quantities``; one
    given only as a range, met by both, is a condition scored (1 - 1)^2 = 0."""
    from sim.analysis.calibration_score import Weights, components, evidence

    capture = outcome(CaptureOutcome, "capture", town="T1", by="regime", reported=day(3), tolerance_days=0)
    figure = outcome(QuantityOutcome, "figure", variable="turkish_deaths", date=day(6), reported=10, range=(5, 15))
    ranged = outcome(QuantityOutcome, "ranged", variable="turkish_deaths", date=day(6), range=(5, 15))
    deaths = [0, 0, 0, 0, 0, 0, 8]
    ev = evidence(results(theatre, [run(0, falls_on(1, 1), deaths=deaths), run(1, falls_on(1, 5), deaths=deaths)]),
                  [capture, figure, ranged])
    assert ev.ids == {"control": [], "dates": ["capture"], "quantities": ["figure"], "conditions": ["ranged"]}
    assert ev.date_errors.tolist() == [[-2.0], [2.0]]
    assert components(ev, Weights()) == pytest.approx({"dates": 0.0, "quantities": 0.2, "conditions": 0.0,
                                                       "objective": 0.2})


def test_the_outcomes_hash_changes_with_what_an_outcome_asks_of_a_run():
    """A sweep's rows and a calibration's trials are keyed by the hash of the outcomes scored: a tolerance of 2 days
    where there was 1 scores the same runs differently, and must not reuse their rows; the same outcomes hash alike."""
    from sim.analysis.scored_outcomes import outcomes_hash

    def falls(tolerance: int):  # noqa: ANN202
        return [outcome(CaptureOutcome, town="T1", by="regime", reported=day(2), tolerance_days=tolerance)]

    assert outcomes_hash(falls(1)) == outcomes_hash(falls(1))
    assert outcomes_hash(falls(1)) != outcomes_hash(falls(2))


# ---------------------------------------------------------------- B - A


def test_a_bootstrap_interval_is_the_5_to_95_percent_of_the_resampled_differences():
    """B is 1 in one replicate of 10 and 0 in the others, A is 0 throughout: a resample's B - A is k / 10, k of
    Binomial(10, 0.1). P(k = 0) = 0.35 > 5%, P(k <= 2) = 0.93 < 95% <= P(k <= 3) = 0.99: the 90% interval is
    0 .. 0.3 (an 80% interval would end at 0.2), paired or not (A has no spread), for any stream of 2000 resamples."""
    from sim.analysis.bootstrap import bootstrap_diff

    a, b = np.zeros(10), np.array([1.0] + [0.0] * 9)
    for paired in (True, False):
        for seed in (0, 1):
            assert bootstrap_diff(a, b, paired=paired, rng=np.random.default_rng(seed)) == (0.0, pytest.approx(0.3))


def test_a_date_shifts_interval_takes_each_resamples_median_by_the_rank_rule(theatre):  # noqa: F811
    """A's four replicates take T1 on days 1, 2, 3 and 4, B's all on day 3. The median of four is the earlier middle
    one (day 2 for A): B - A = 1. A resample of A has median day 1 whenever two or more of its four draws are day 1
    (67/256, some 26%), and then B - A = 2: the 95% bound is 2 days, a shift some replicates show (the mean of the
    middle two would end it at 1.5)."""
    from sim.analysis.comparison import compare
    from sim.analysis.scoring import score

    o = [outcome(CaptureOutcome, town="T1", by="regime", reported=day(3), tolerance_days=0)]
    a = score(results(theatre, [run(s, falls_on(1, n)) for s, n in enumerate((1, 2, 3, 4))]), o)
    b = score(results(theatre, [run(s, falls_on(1, 3)) for s in range(4)]), o)
    (shift,) = compare(a, b).dates
    assert (shift.a, shift.b, shift.diff, shift.high) == (2.0, 3.0, 1.0, 2.0)


def test_a_change_on_the_last_shared_day_counts_for_the_towns_and_for_same_runs(theatre):  # noqa: F811
    """B is A but for T2 passing to the regime on 7 Jan, the last day both simulate: the towns are compared on that
    day (T2's P(regime) 0 in A, 1 in B; and the other way round), and B's runs are not A's."""
    from sim.analysis.comparison import compare
    from sim.analysis.scoring import score

    held = [outcome(ControllerOutcome, town="T0", date=day(6), controller="regime")]
    a = score(results(theatre, [run(s, FROZEN) for s in range(2)]), held)
    b = score(results(theatre, [run(s, falls_on(2, 6)) for s in range(2)]), held)
    c = compare(a, b)
    assert c.date == day(6) and c.paired and not c.same_runs
    assert c.towns.set_index("town")["diff"].to_dict() == {"T0": 0.0, "T1": 0.0, "T2": 1.0}
    assert compare(b, a).towns.set_index("town")["diff"].to_dict() == {"T0": 0.0, "T1": 0.0, "T2": -1.0}
    assert compare(a, a).same_runs


def test_same_runs_needs_the_same_key_quantities_and_names_the_other_series_that_differ(theatre):  # noqa: F811
    """Every town held alike on every day: B's runs are A's, but for what else differs. A post that falls in B only
    (not a key quantity) is named in ``differs_in``; a Turkish death in B only (a key quantity, set side by side
    below) means B's runs are not A's."""
    from sim.analysis.comparison import compare
    from sim.analysis.scoring import score

    held = [outcome(ControllerOutcome, town="T0", date=day(6), controller="regime")]

    def card(posts: list[int], deaths: list[float]):  # noqa: ANN202
        runs = [run(s, FROZEN, deaths=deaths) for s in range(2)]
        for r in runs:
            r.post_history = np.array([[p] for p in posts], dtype=bool)
        return score(results(theatre, runs), held)

    standing, a_death = [1] * 7, [0.0] * 6 + [1.0]
    a = card(standing, [0.0] * 7)
    posts = compare(a, card([1] * 5 + [0] * 2, [0.0] * 7))
    assert (posts.same_runs, posts.differs_in) == (True, ("posts",))
    assert not compare(a, card(standing, a_death)).same_runs


def test_same_runs_is_not_claimed_where_an_outcome_the_histories_do_not_show_differs(theatre):  # noqa: F811
    """Every town held alike and every key quantity alike, but A's runs log the truce broken on 2 Jan and B's do not
    (B's ceasefire column says broken all the same): the outcome 'truce broken 2-3 Jan' is met in every run of A and in
    none of B's. compare said B's runs were A's ('every B - A is zero') beside a B - A of -1 for that outcome."""
    from sim.analysis.comparison import compare
    from sim.analysis.comparison_report import comparison_text
    from sim.analysis.scoring import score

    broken = [outcome(EventOutcome, oid="broken", event="truce_broken", reported=day(1), window=(day(1), day(2)))]
    a = score(results(theatre, [run(s, TRUE, events=[("2020-01-02", "truce_broken")]) for s in range(2)]), broken)
    b = score(results(theatre, [run(s, TRUE) for s in range(2)]), broken)
    for r in b.results.runs:
        r.timeseries.loc[1:, "ceasefire"] = "broken"
    c = compare(a, b)
    assert [(d.name, d.a, d.b) for d in c.outcomes] == [("broken", 1.0, 0.0)]
    assert not c.same_runs and "every B - A is zero" not in comparison_text(c)
    assert compare(a, a).same_runs


def test_a_sets_card_reads_a_towns_captures_in_turn_across_the_sets(theatre):  # noqa: F811
    """As above, but the first capture is fitted and the second held out. The held-out card reads 'again' as the
    whole card does, after the change that met 'first' (never: 3 days late), not as a capture with none before it,
    which the run's one change of hands on 3 Jan would meet (2 days early, inside its tolerance)."""
    from sim.analysis.scoring import score

    first = outcome(CaptureOutcome, "first", town="T1", by="regime", reported=day(1), tolerance_days=2)
    again = outcome(CaptureOutcome, "again", set="validation", town="T1", by="regime", reported=day(4), after=day(2),
                    tolerance_days=2)
    card = score(results(theatre, [run(0, falls_on(1, 2))]), [first, again])
    held_out = card.sets["validation"]
    assert [s.outcome.id for s in held_out.scores] == ["again"]
    assert [(c.met, c.value, c.error_days) for c in held_out.scores[0].checks] == [(False, None, 3.0)]
    assert held_out.per_run["outcomes met"].tolist() == [0.0] and held_out.per_run["capture MAE (days)"].tolist() == [3.0]
    assert card.sets["calibration"].per_run["outcomes met"].tolist() == [1.0]
