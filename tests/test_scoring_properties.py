"""The scoring's invariants, tried on generated histories and outcomes (Hypothesis).

Hand-built answers (tests/test_scoring.py, tests/test_scoring_known_answers.py) pin one rule each; these try the rules
that must hold whatever the runs did: the outcomes' order does not matter, a set's card gives each outcome the whole
card's checks, the scorecard, the sweeps' metrics and the calibration's evidence read a run alike, a batch scores each
replicate as it scores it alone, and the frozen front is scored as a run that never changes.

A world is the 4-town line theatre of tests/test_scoring.py (T0 - T1 - T2 - T3 on the M9), one to four replicates of
three to eight simulated days with random daily holders, truce events and Turkish deaths, and up to eight outcomes of
every kind. Captures and roads are drawn on two towns and two sides, so that captures of a town by one side often meet.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim import load_theatre
from sim.analysis.aggregate import control_probabilities
from sim.analysis.calibration_score import Weights, components, evidence
from sim.analysis.comparison import compare
from sim.analysis.metrics import CAPTURE_DAY, batch_metric_columns, batch_metrics, missing_a_capture, run_metrics
from sim.analysis.outcomes import (CaptureOutcome, ConditionOutcome, ControllerOutcome, EventOutcome, FrontOutcome,
                                   QuantityOutcome, RoadOutcome)
from sim.analysis.rundata import RunBatch
from sim.analysis.scoring import HEADLINES, score
from sim.names import HOLDERS

from .conftest import Builder, line_theatre
from .test_scoring import START, results, run

# As tests/test_fuzz_input.py: no deadline (a first example pays for imports), no explain phase (it reruns a failing
# example under a tracer).
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=tuple(p for p in Phase if p is not Phase.explain))
TOWNS = 4
EVENTS = ("truce_announced", "truce_broken")


@pytest.fixture(scope="module")
def theatre(tmp_path_factory):  # noqa: ANN001, ANN201 - the fixture; a Theatre
    """T0 - T1 - T2 - T3 on the M9; a second control column (4 Jan) for front outcomes to be checked against."""
    build = Builder(tmp_path_factory.mktemp("theatre"))
    path = line_theatre(build, ("regime", "hts", "rebels", "hts"))
    towns = build.root / "toy.towns.csv"
    later = ["controller_2020_01_04", "regime", "regime", "hts", "rebels"]
    towns.write_text("\n".join(f"{line},{c}" for line, c in zip(towns.read_text().splitlines(), later, strict=True)) + "\n")
    return load_theatre(path)


def day(n: int) -> dt.date:
    """The date of day ``n`` (day 0: 1 Jan 2020)."""
    return START + dt.timedelta(days=n)


@st.composite
def runs(draw, replicates: tuple[int, int] = (1, 4)):  # noqa: ANN001, ANN201 - Hypothesis's draw; a list of RunData
    """Replicates over the same days: random daily holders, truce events (some of the 'Jan' truce) and deaths."""
    rows = draw(st.integers(4, 9))
    holders = st.lists(st.lists(st.integers(0, 2), min_size=TOWNS, max_size=TOWNS), min_size=rows, max_size=rows)
    event = st.tuples(st.integers(0, rows - 1), st.sampled_from(EVENTS), st.sampled_from(("Jan truce", "Feb truce")))
    out = []
    for seed in range(draw(st.integers(*replicates))):
        logged = sorted(draw(st.lists(event, max_size=4)))
        r = run(seed, draw(holders), deaths=draw(st.lists(st.integers(0, 5), min_size=rows, max_size=rows)),
                events=[(day(d).isoformat(), t) for d, t, _ in logged])
        named = r.events["type"].isin(EVENTS)
        r.events.loc[named, "detail"] = [w for _, _, w in logged]
        out.append(r)
    return out


def _words(oid: str, draw) -> dict:  # noqa: ANN001 - Hypothesis's draw
    return {"id": oid, "set": draw(st.sampled_from(("calibration", "validation"))), "description": "x", "source": ["c"]}


@st.composite
def outcome(draw, oid: str):  # noqa: ANN001, ANN201 - Hypothesis's draw; an outcome
    """One outcome of any kind, dated over days 1 to 9 (some after a short run ends, and left out)."""
    when = st.integers(1, 9)
    kind = draw(st.sampled_from(("capture", "capture", "capture", "road", "controller", "front", "event", "quantity",
                                 "condition")))
    words = _words(oid, draw)
    if kind in ("capture", "road"):
        reported = draw(when)
        dated = dict(by=draw(st.sampled_from(HOLDERS[:2])), reported=day(reported), tolerance_days=draw(st.integers(0, 3)))
        if kind == "road":
            towns = draw(st.one_of(st.none(), st.lists(st.sampled_from(("T0", "T1")), min_size=1, max_size=2, unique=True)))
            return RoadOutcome(kind="road", **words, **dated, **({"road": "M9"} if towns is None else {"towns": towns}))
        after = draw(st.one_of(st.none(), st.integers(1, reported)))
        return CaptureOutcome(kind="capture", **words, **dated, town=draw(st.sampled_from(("T0", "T1"))),
                              after=None if after is None else day(after))
    if kind == "controller":
        return ControllerOutcome(kind="controller", **words, town=f"T{draw(st.integers(0, TOWNS - 1))}", date=day(draw(when)),
                                 controller=draw(st.sampled_from(HOLDERS)))
    if kind == "front":
        return FrontOutcome(kind="front", **words, date=day(draw(when)), reference=draw(st.sampled_from((day(0), day(3)))),
                            min_accuracy=draw(st.sampled_from((0.5, 0.75, 1.0))))
    if kind == "event":
        first, last = sorted((draw(when), draw(when)))
        reported = draw(st.integers(first, last))
        after = draw(st.one_of(st.none(), st.integers(1, reported)))
        return EventOutcome(kind="event", **words, event=draw(st.sampled_from(EVENTS)), reported=day(reported),
                            match=draw(st.sampled_from((None, "Jan"))), window=(day(first), day(last)),
                            after=None if after is None else day(after))
    if kind == "quantity":
        low, high = sorted((draw(st.integers(0, 5)), draw(st.integers(0, 5))))
        return QuantityOutcome(kind="quantity", **words, variable="turkish_deaths", date=day(draw(when)),
                               range=(low, high), reported=draw(st.sampled_from((None, low))))
    first, last = sorted((draw(when), draw(when)))
    return ConditionOutcome(kind="condition", **words, period=(day(first), day(last)), max_captures=draw(st.integers(0, 2)))


@st.composite
def outcomes(draw):  # noqa: ANN001, ANN201 - Hypothesis's draw; a list of outcomes
    return [draw(outcome(f"o{k}")) for k in range(draw(st.integers(1, 8)))]


def checks_by_id(card) -> dict:  # noqa: ANN001 - a Scorecard
    """Each outcome's checks and its baseline's, by id."""
    return {s.outcome.id: (s.checks, s.baseline) for s in card.scores}


def same_headline(x: dict, y: dict) -> bool:
    """Headline scores equal but for the last bits a sum in another order may move (NaN equal to NaN)."""
    return all(np.isnan(x[k]) and np.isnan(y[k]) or x[k] == pytest.approx(y[k], rel=1e-12, abs=1e-12) for k in HEADLINES)


@PROPERTY
@given(ensemble=runs(), listed=outcomes(), data=st.data())
def test_the_order_of_the_outcomes_changes_no_check_and_no_score(theatre, ensemble, listed, data):
    shuffled = data.draw(st.permutations(listed))
    card, other = (score(results(theatre, ensemble), o) for o in (listed, shuffled))
    assert checks_by_id(card) == checks_by_id(other)
    assert same_headline(card.headline(), other.headline()) and same_headline(card.baseline, other.baseline)
    for name, sub in card.sets.items():
        assert same_headline(sub.headline(), other.sets[name].headline())


@PROPERTY
@given(ensemble=runs(), listed=outcomes())
def test_a_sets_card_gives_each_of_its_outcomes_the_whole_cards_checks(theatre, ensemble, listed):
    card = score(results(theatre, ensemble), listed)
    whole = checks_by_id(card)
    assert set(card.sets) == {s.outcome.set for s in card.scores}
    for name, sub in card.sets.items():
        assert [s.outcome.id for s in sub.scores] == [s.outcome.id for s in card.scores if s.outcome.set == name]
        assert all(whole[s.outcome.id] == (s.checks, s.baseline) for s in sub.scores)
        assert [o.id for o in sub.skipped] == [o.id for o in card.skipped if o.set == name]


@PROPERTY
@given(ensemble=runs(), listed=outcomes(), data=st.data())
def test_the_scorecard_the_sweeps_metrics_and_the_calibrations_evidence_agree(theatre, ensemble, listed, data):
    """For every capture and road: met and day in the scorecard, the sweeps' ``met:<id>`` and ``day:<id>``, and the
    calibration's date errors, replicate by replicate, each reader given the outcomes in an order of its own."""
    res = results(theatre, ensemble)
    card = score(res, listed)
    metrics = batch_metric_columns(RunBatch.of(ensemble), data.draw(st.permutations(listed)), theatre)
    proof = evidence(res, data.draw(st.permutations(listed)))
    dated = {oid: proof.date_errors[:, k] for k, oid in enumerate(proof.ids["dates"])}
    assert {s.outcome.id for s in card.scores} == {k[4:] for k in metrics if k.startswith("met:")}
    for s in card.scores:
        assert metrics[f"met:{s.outcome.id}"].tolist() == [float(c.met) for c in s.checks]
        if not isinstance(s.outcome, CaptureOutcome | RoadOutcome):
            continue
        assert dated[s.outcome.id].tolist() == [c.error_days for c in s.checks]
        if isinstance(s.outcome, CaptureOutcome):
            days = metrics[f"{CAPTURE_DAY}{s.outcome.id}"]
            assert [None if np.isnan(d) else day(int(d)) for d in days] == [c.value for c in s.checks]


@PROPERTY
@given(ensemble=runs(), listed=outcomes(), data=st.data())
def test_the_scorecards_headlines_are_the_sweeps_and_the_calibrations(theatre, ensemble, listed, data):
    """Each replicate's outcomes met, control accuracy and capture MAE in the scorecard and in the sweeps' metrics (of
    the outcomes in another order), and the Brier score of the scorecard and of the calibration's control group."""
    res = results(theatre, ensemble)
    card = score(res, listed)
    metrics = batch_metric_columns(RunBatch.of(ensemble), data.draw(st.permutations(listed)), theatre)
    for name, metric in (("outcomes met", "outcomes_met"), ("control accuracy", "control_accuracy"),
                         ("capture MAE (days)", "capture_mae_days")):
        mine = card.per_run[name]
        assert metrics[metric] == pytest.approx(mine, rel=1e-12, abs=1e-12) if len(mine) else np.isnan(metrics[metric]).all()
    control = components(evidence(res, listed), Weights()).get("control", float("nan"))
    assert same_headline({**card.headline(), "Brier": control}, card.headline())
    rows = pd.DataFrame({k: v for k, v in metrics.items() if k.startswith(CAPTURE_DAY)}, index=range(len(ensemble)))
    assert card.mae_is_lower_bound() == bool(missing_a_capture(rows).any())


@PROPERTY
@given(ensemble=runs(), listed=outcomes())
def test_a_batch_scores_each_replicate_as_it_is_scored_alone(theatre, ensemble, listed):
    """The scorecard's checks and per-run scores, and the sweeps' metrics, of each replicate in a batch and alone."""
    card = score(results(theatre, ensemble), listed)
    rows = batch_metrics(RunBatch.of(ensemble), listed, theatre)
    for r, replicate in enumerate(ensemble):
        alone = score(results(theatre, [replicate]), listed)
        assert [s.checks[r] for s in card.scores] == [s.checks[0] for s in alone.scores]
        assert {k: v[r:r + 1].tolist() for k, v in card.per_run.items()} == {k: v.tolist() for k, v in alone.per_run.items()}
        row = run_metrics(replicate, listed, theatre)
        assert list(row) == list(rows[r]) and row == pytest.approx(rows[r], nan_ok=True, rel=0, abs=0)


@PROPERTY
@given(ensemble=runs(), listed=outcomes())
def test_the_frozen_front_is_scored_as_a_run_whose_history_never_changes(theatre, ensemble, listed):
    first = ensemble[0]
    still = run(0, [first.history[0].tolist()] * len(first.history), deaths=[first.timeseries["turkish_deaths"].iloc[0]] * len(first.history))
    card, frozen = score(results(theatre, ensemble), listed), score(results(theatre, [still]), listed)
    assert [s.baseline for s in card.scores] == [s.checks[0] for s in frozen.scores]
    assert same_headline(card.baseline, frozen.headline())


@PROPERTY
@given(ensemble=runs(), listed=outcomes())
def test_a_control_outcomes_share_met_is_the_share_of_replicates_holding_the_reported_holder(theatre, ensemble, listed):
    card = score(results(theatre, ensemble), listed)
    probabilities = control_probabilities(ensemble, theatre.towns).set_index(["date", "town"])
    for s in card.scores:
        if isinstance(s.outcome, ControllerOutcome):
            o = s.outcome
            held = [r.history[r.day(o.date), theatre.town(o.town)] == HOLDERS.index(o.controller) for r in ensemble]
            assert s.p_met == np.mean(held)
            assert s.p_met == probabilities.loc[(o.date.isoformat(), o.town), f"p_{o.controller}"]


@PROPERTY
@given(ensemble=runs(replicates=(2, 4)), listed=outcomes(), data=st.data())
def test_compare_rescores_each_side_as_a_card_of_the_common_ground_would(theatre, ensemble, listed, data):
    """B: two or more of A's replicates, in another order, up to an earlier last day, scored on some of A's outcomes in
    another order. compare pairs them on the seeds both ran, and gives each outcome both cover, on each side, the share
    met that a card of those replicates up to that day, on those outcomes, gives: the same on both sides, whichever of
    the two is compared with the other."""
    cut = data.draw(st.integers(2, len(ensemble[0].history) - 1))
    shared = data.draw(st.lists(st.sampled_from(range(len(ensemble))), min_size=2, unique=True))
    some = data.draw(st.lists(st.sampled_from(listed), min_size=1, unique_by=lambda o: o.id))
    a = score(results(theatre, ensemble), listed)
    b = score(results(theatre, [ensemble[r].until(day(cut)) for r in shared]), some)
    first, second = (b, a) if data.draw(st.booleans()) else (a, b)  # either side may be the one cut
    c = compare(first, second)
    ids = {s.outcome.id for s in second.scores}
    common = score(results(theatre, [ensemble[r].until(day(cut)) for r in sorted(shared)]),
                   [s.outcome for s in first.scores if s.outcome.id in ids])
    assert c.paired
    assert {d.name: (d.a, d.b) for d in c.outcomes} == {s.outcome.id: (s.p_met, s.p_met) for s in common.scores}
    assert all(d.low == d.high == 0 for d in c.outcomes)
    assert {d.name: (d.a, d.b) for d in c.headlines if not d.note} == {
        k: (v, v) for k, v in common.headline().items() if not np.isnan(v)}

def test_two_captures_reported_on_one_day_are_read_in_the_same_order_however_they_are_listed(theatre):
    """Two captures of T0 by the regime reported on one day, within one and two days: a run that takes T0 once, a day
    late, meets either alone, and read together (one change of hands meets one capture) it met whichever was listed
    first: captures of a town by one side were read in the order of their reported dates and, on one day, as given."""
    def capture(oid: str, tolerance: int) -> CaptureOutcome:
        return CaptureOutcome(kind="capture", id=oid, set="calibration", description="x", source=["c"], town="T0",
                              by="regime", reported=day(2), tolerance_days=tolerance)

    late = run(0, [[1, 1, 2, 1]] * 3 + [[0, 1, 2, 1]] * 2)  # the regime takes T0 on day 3
    narrow, wide = capture("narrow", 1), capture("wide", 2)
    met = [{s.outcome.id: s.checks[0].met for s in score(results(theatre, [late]), listed).scores}
           for listed in ([narrow, wide], [wide, narrow])]
    assert met[0] == met[1] and sorted(met[0].values()) == [False, True]


def test_capture_dates_png_numbers_two_captures_reported_on_one_day_as_the_scorecard_reads_them(theatre):
    """capture_dates.png's rows of a town's captures by one side are numbered 1, 2... in the order the scorecard reads
    them; two reported on one day were numbered as listed, whatever order the scorecard read them in."""
    from sim.analysis.aggregate import all_captures
    from sim.viz.capture_rows import capture_rows, scored_dates

    def capture(oid: str, tolerance: int) -> CaptureOutcome:
        return CaptureOutcome(kind="capture", id=oid, set="calibration", description="x", source=["c"], town="T0",
                              by="regime", reported=day(2), tolerance_days=tolerance)

    runs = [run(0, [[1, 1, 2, 1]] * 3 + [[0, 1, 2, 1]] * 2)]
    for listed in ([capture("narrow", 1), capture("wide", 2)], [capture("wide", 2), capture("narrow", 1)]):
        rows, _ = capture_rows(theatre, all_captures(runs), 1, listed, scored_dates(runs, theatre, listed), 10)
        assert [(r.time, r.outcomes[0].id, r.dates) for r in rows if r.town == "T0"] == [
            (1, "narrow", ("2020-01-04",)), (2, "wide", ())]
