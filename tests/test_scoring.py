"""Scoring against reported outcomes, on hand-built ensembles with known answers."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pandas as pd
import pytest

from sim import InputError, load_theatre
from sim.analysis.aggregate import (
    QUANTILES,
    all_captures,
    capture_dates,
    control_probabilities,
    date_quantile,
    replicate_quantiles,
    timeseries_quantiles,
)
from sim.analysis.comparison import compare
from sim.analysis.metrics import batch_metrics, run_metrics
from sim.analysis.outcome_answers import outcome_table
from sim.analysis.outcomes_file import load_outcomes
from sim.analysis.results import Results, RunData, frozen_front
from sim.analysis.rundata import RunBatch, day_end_captures
from sim.analysis.scoring import brier, score

from .conftest import line_theatre

START = dt.date(2020, 1, 1)
R, H, B = 0, 1, 2  # regime, hts, rebels

OUTCOMES = """
claims: seeds/claims.yaml
outcomes:
  - {id: front, set: calibration, kind: front, description: the reported front, date: 2020-01-05, reference: 2020-01-05, min_accuracy: 1.0, source: [test-claim]}
  - {id: t1-regime, set: calibration, kind: controller, description: T1 held by the regime, town: T1, date: 2020-01-04, controller: regime, source: [test-claim]}
  - {id: t1-falls, set: calibration, kind: capture, description: T1 falls, town: T1, by: regime, reported: 2020-01-03, tolerance_days: 1, source: [test-claim]}
  - {id: broken, set: calibration, kind: event, description: truce breaks, event: truce_broken, reported: 2020-01-02, window: [2020-01-02, 2020-01-03], source: [test-claim]}
  - {id: deaths, set: calibration, kind: quantity, description: deaths, variable: turkish_deaths, date: 2020-01-05, reported: 10, range: [8, 12], source: [test-claim]}
  - {id: calm, set: calibration, kind: condition, description: no change, period: [2020-01-05, 2020-01-06], max_captures: 0, source: [test-claim]}
  - {id: later, set: calibration, kind: condition, description: after the window, period: [2020-02-01, 2020-02-02], max_captures: 0, source: [test-claim]}
"""


def run(seed: int, rows: list[list[int]], *, deaths: list[float] | None = None, events: list[tuple[str, str]] = ()) -> RunData:
    """A replicate of the 3-town line theatre with a given daily control history."""
    days = len(rows)
    dates = [(START + dt.timedelta(days=d)).isoformat() for d in range(days)]
    ts = pd.DataFrame({"date": dates, "turkish_deaths": deaths or [0.0] * days,
                       "ceasefire": ["in force"] * days, "patrol_coverage": [np.nan] * days})
    ev = pd.DataFrame([{"date": d, "type": t, "town": "", "actors": "", "detail": ""} for d, t in events],
                      columns=["date", "type", "town", "actors", "detail"])
    history = np.array(rows, dtype=np.int8)
    caps = [{"date": dates[d], "type": "capture", "town": f"T{t}", "actors": f"{('regime', 'hts', 'rebels')[history[d, t]]};"
             f"{('regime', 'hts', 'rebels')[history[d - 1, t]]}", "detail": ""}
            for d in range(1, days) for t in range(history.shape[1]) if history[d, t] != history[d - 1, t]]
    ev = pd.concat([ev, pd.DataFrame(caps, columns=ev.columns)], ignore_index=True).sort_values("date", kind="stable")
    return RunData(seed, START, history, ev.reset_index(drop=True), ts)


@pytest.fixture
def theatre(build):
    """T0 - T1 - T2 held by regime, HTS, rebels on 1 Jan; the record has T1 with the regime by 5 Jan."""
    path = line_theatre(build)
    towns = build.root / "toy.towns.csv"
    lines = towns.read_text().splitlines()
    later = ["controller_2020_01_05", "regime", "regime", "rebels"]
    towns.write_text("\n".join(f"{line},{c}" for line, c in zip(lines, later, strict=True)) + "\n")
    return load_theatre(path)


@pytest.fixture
def outcomes(build, theatre):
    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES))
    return load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"])


def results(theatre, runs, end="2020-01-07") -> Results:
    manifest = {"scenario_name": "toy", "start": START.isoformat(), "end": end, "inputs": {"claims": "", "theatre": ""}}
    return Results(None, manifest, theatre, runs, len(runs))


# The reported front is [R, H, B] on 2020-01-01; T1 passes to the regime on 3 Jan.
TRUE = [[R, H, B], [R, H, B], [R, R, B], [R, R, B], [R, R, B], [R, R, B], [R, R, B]]
TRUTHFUL = dict(deaths=[0, 2, 4, 6, 8, 10, 10], events=[("2020-01-02", "truce_broken")])


def test_a_perfect_ensemble_meets_everything(theatre, outcomes):
    card = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(4)]), outcomes)
    assert [o.id for o in card.skipped] == ["later"]
    assert all(s.p_met == 1.0 for s in card.scores)
    assert card.headline() == {"outcomes met": 1.0, "control accuracy": 1.0, "Brier": 0.0, "capture MAE (days)": 0.0}


def test_frozen_front_baseline(theatre, outcomes):
    card = score(results(theatre, [run(0, TRUE, **TRUTHFUL)]), outcomes)
    base = {s.outcome.id: s.baseline for s in card.scores}
    # Nothing happens after the start: T1 is still HTS's on 4 and 5 Jan, the capture
    # never comes, no event, no deaths, no changes of hands.
    assert not base["front"].met and base["front"].value == pytest.approx(2 / 3)
    assert not base["t1-regime"].met and base["t1-regime"].value == "hts"
    assert not base["t1-falls"].met and base["t1-falls"].error_days == (dt.date(2020, 1, 8) - dt.date(2020, 1, 3)).days
    assert not base["broken"].met and not base["deaths"].met and base["calm"].met
    # Pairs: 3 front towns (T1 wrong) + T1 on 4 Jan (wrong): accuracy 2/4; each wrong pair costs 2 in Brier.
    assert card.baseline["control accuracy"] == 0.5
    assert card.baseline["Brier"] == pytest.approx(1.0)
    assert card.baseline["outcomes met"] == pytest.approx(1 / 6)
    assert frozen_front(run(0, TRUE)).history.tolist() == [[R, H, B]] * 7


def test_brier_and_accuracy_of_a_split_ensemble(theatre, outcomes):
    late = [[R, H, B]] * 4 + [[R, R, B]] * 3  # T1 falls on 5 Jan: 2 days late
    card = score(results(theatre, [run(0, TRUE, **TRUTHFUL), run(1, late)]), outcomes)
    by = {s.outcome.id: s for s in card.scores}
    assert by["t1-regime"].p_met == 0.5 and by["t1-falls"].p_met == 0.5
    assert [c.error_days for c in by["t1-falls"].checks] == [0.0, 2.0]
    # Each replicate: 4 pairs; the late one gets T1 on 4 Jan wrong.
    assert card.headline()["control accuracy"] == pytest.approx((4 + 3) / 8)
    # Only the T1 pair is uncertain: p = (0.5, 0.5, 0) against regime -> 0.25 + 0.25, over 4 pairs.
    assert card.headline()["Brier"] == pytest.approx(0.5 / 4)
    assert card.headline()["capture MAE (days)"] == pytest.approx(1.0)


def test_brier_bounds():
    reported = np.array([0, 1, 2], dtype=np.int8)
    assert brier(reported[None, :], reported) == 0.0
    assert brier(np.array([[1, 2, 0]], dtype=np.int8), reported) == 2.0


def test_event_quantity_and_condition_checks(theatre, outcomes):
    wrong = run(0, [[R, H, B]] * 3 + [[R, R, B]] * 2 + [[R, R, R]] * 2, deaths=[0, 0, 0, 0, 20, 20, 20],
                events=[("2020-01-05", "truce_broken")])
    card = score(results(theatre, [wrong]), outcomes)
    by = {s.outcome.id: s.checks[0] for s in card.scores}
    assert not by["broken"].met and by["broken"].error_days == 3.0
    assert not by["deaths"].met and by["deaths"].value == 20.0
    assert not by["calm"].met and by["calm"].value == 1  # T2 changed hands on 6 Jan


MORE = """
  - {id: road, set: validation, kind: road, description: the regime holds the M9, road: M9, by: regime, reported: 2020-01-06, tolerance_days: 1, source: [test-claim]}
  - {id: t2-falls, set: validation, kind: capture, description: T2 falls again, town: T2, by: regime, reported: 2020-01-06, after: 2020-01-05, tolerance_days: 0, source: [test-claim]}
  - {id: truce-named, set: validation, kind: event, description: the Jan truce announced, event: truce_announced, match: Jan, reported: 2020-01-02, window: [2020-01-02, 2020-01-02], source: [test-claim]}
"""
DEAL = (("jan", "Jan truce", "2020-01-02", "2020-01-03"),)


def test_a_batch_is_scored_as_each_run_alone(build, theatre):
    """batch_metrics scores every replicate at once, each row what the run scores alone, to the last bit."""
    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + MORE)
    outcomes = load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"])
    truce = [("2020-01-02", "truce_announced"), ("2020-01-03", "truce_in_force"), ("2020-01-05", "truce_broken")]
    runs = [run(0, TRUE, **TRUTHFUL), run(1, [[R, H, B]] * 4 + [[R, R, B]] + [[R, R, R]] * 2, events=truce),
            run(2, [[R, H, B]] * 7, events=[("2020-01-04", "patrol")])]
    for r in runs:
        days = len(r.history)
        r.timeseries = r.timeseries.assign(**{f"towns_{h}": (r.history == k).sum(axis=1) for k, h in enumerate(("regime", "hts", "rebels"))},
                                           displaced=np.arange(days) * 1.5, patrol_coverage=np.linspace(0, 1, days))
        r.events.loc[r.events["type"] == "truce_announced", "detail"] = "Jan truce, in force from 2020-01-03"
        r.deals = DEAL
    rows = batch_metrics(RunBatch.of(runs), outcomes, theatre)
    for row, alone in zip(rows, (run_metrics(r, outcomes, theatre) for r in runs), strict=True):
        assert list(row) == list(alone) and row == pytest.approx(alone, nan_ok=True, rel=0, abs=0)
    # The known answers: T1 falls on day 2, 4 or never (2 and 5 days off), T2 on day 5 in run 1 only (else 2 off);
    # the truce holds 2 days in run 1; run 2 patrols on day 3.
    assert [r["day:t1-falls"] for r in rows[:2]] == [2.0, 4.0] and np.isnan(rows[2]["day:t1-falls"])
    assert [r["capture_mae_days"] for r in rows] == [(0 + 2) / 2, (2 + 0) / 2, (5 + 2) / 2]
    assert (rows[1]["day:t2-falls"], rows[1]["met:t2-falls"], rows[1]["met:road"], rows[0]["met:road"]) == (5.0, 1.0, 1.0, 0.0)
    assert (rows[1]["ceasefire_days:jan"], rows[1]["ceasefire_broken:jan"], rows[1]["met:truce-named"]) == (2.0, 1.0, 1.0)
    assert np.isnan(rows[0]["ceasefire_days:jan"]) and rows[2]["patrol_coverage_mean"] == 0.5
    assert [r["towns_changed_hands"] for r in rows] == [1.0, 2.0, 0.0]


def test_comparing_an_ensemble_with_itself_shows_no_difference(theatre, outcomes):
    runs = [run(s, TRUE if s % 2 else [[R, H, B]] * 7, **TRUTHFUL) for s in range(6)]
    a = score(results(theatre, runs), outcomes)
    c = compare(a, a)
    assert c.paired
    for d in [*c.outcomes, *c.headlines, *c.towns.itertuples()]:
        assert (d.low, d.high) == (0.0, 0.0)


def test_comparison_detects_a_real_difference(theatre, outcomes):
    a = score(results(theatre, [run(s, [[R, H, B]] * 7) for s in range(10)]), outcomes)
    b = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(10)]), outcomes)
    c = compare(a, b)
    t1 = c.towns.set_index("town").loc["T1"]
    assert (t1.p_regime_a, t1.p_regime_b, t1["diff"]) == (0.0, 1.0, 1.0)
    falls = next(d for d in c.outcomes if d.name == "t1-falls")
    assert falls.diff == 1.0 and falls.low == 1.0


def test_ensemble_tables(theatre):
    runs = [run(0, TRUE, deaths=[0, 1, 2, 3, 4, 5, 6]), run(1, [[R, H, B]] * 4 + [[R, R, B]] * 3, deaths=[0] * 7)]
    p = control_probabilities(runs, theatre.towns).set_index(["date", "town"])
    assert p.loc[("2020-01-04", "T1"), ["p_regime", "p_hts", "p_rebels"]].tolist() == [0.5, 0.5, 0.0]
    assert p.loc[("2020-01-05", "T1"), "p_regime"] == 1.0
    cap = capture_dates(runs).set_index(["town", "to"]).loc[("T1", "regime")]
    assert (cap.runs, cap.share, cap.earliest, cap.latest) == (2, 1.0, "2020-01-03", "2020-01-05")
    q = timeseries_quantiles(runs).set_index(["date", "variable"])
    assert q.loc[("2020-01-07", "turkish_deaths"), "mean"] == 3.0
    assert q.loc[("2020-01-07", "ceasefire_in_force"), "mean"] == 1.0


def test_quantiles_of_counts_are_counts_some_replicate_has(theatre):
    """A median of Turkish deaths is whole soldiers (losses.png drew 1.5 of them): each quantile is a replicate's
    value, by the rank rule of the date quantiles; a day no replicate has a value of stays NaN, without a warning."""
    runs = [run(seed, TRUE, deaths=[0] * 6 + [last]) for seed, last in enumerate((5, 0, 2, 1))]
    q = timeseries_quantiles(runs).set_index(["date", "variable"])
    assert q.loc[("2020-01-07", "turkish_deaths"), ["q05", "q25", "q50", "q75", "q95"]].tolist() == [0, 0, 1, 5, 5]
    assert q.loc[("2020-01-07", "turkish_deaths"), "mean"] == 2.0
    assert q.loc[("2020-01-07", "patrol_coverage"), ["mean", "q50"]].isna().all()
    assert replicate_quantiles(np.array([4.0, 1.0, np.nan, 2.0]), (0.5, 0.95)).tolist() == [2.0, 4.0]


def test_capture_dates_and_compare_give_the_same_date_quantiles(theatre, outcomes):
    """One rule for every date quantile (:func:`sim.analysis.aggregate.date_quantile`): ``capture_dates.csv`` and
    ``compare`` agree; the median of an even count is the earlier middle date, the 95% rounds up, and a replicate
    that never sees it counts as later than any day."""
    runs = [run(0, TRUE), run(1, [[R, H, B]] * 4 + [[R, R, B]] * 3)]  # T1 falls on 3 Jan in one, on 5 Jan in the other
    cap = capture_dates(runs).set_index(["town", "to"]).loc[("T1", "regime")]
    simulated = outcome_table(score(results(theatre, runs), outcomes)).set_index("outcome").loc["t1-falls", "simulated"]
    assert simulated == f"{cap.q50} ({cap.q05} .. {cap.q95})" == "2020-01-03 (2020-01-03 .. 2020-01-05)"
    assert [date_quantile(list(range(40)), q) for q in QUANTILES] == [1, 9, 19, 30, 38]
    assert [date_quantile(list(range(20)), q, 40) for q in QUANTILES] == [1, 9, 19, None, None]  # 20 of 40 never
    assert date_quantile(list(range(19)), 0.5, 40) is None  # more than half never: the median is never
    runs += [run(s, [[R, H, B]] * 7) for s in (2, 3, 4)]  # three that never take T1: 3 Jan, 5 Jan, never x 3
    cap = capture_dates(runs).set_index(["town", "to"]).loc[("T1", "regime")]
    simulated = outcome_table(score(results(theatre, runs), outcomes)).set_index("outcome").loc["t1-falls", "simulated"]
    assert (cap.q05, cap.q50, cap.q95, cap.earliest, cap.latest) == ("2020-01-03", None, None, "2020-01-03", "2020-01-05")
    assert simulated == "never (2020-01-03 .. never); never in 3/5"


@pytest.mark.parametrize("edit, message, line", [
    ("town: T1,", "unknown town 'T9'", 5),
    ("kind: capture,", "unknown outcome kind 'captur'", 6),
    ("source: [test-claim]}\n  - {id: broken", "unknown claim id 'no-such-claim'", 6),
])
def test_outcome_file_errors_name_the_line_and_key(build, theatre, edit, message, line):
    text = textwrap.dedent(OUTCOMES)
    bad = {
        "town: T1,": text.replace("town: T1, date", "town: T9, date"),
        "kind: capture,": text.replace("kind: capture,", "kind: captur,"),
        "source: [test-claim]}\n  - {id: broken": text.replace("tolerance_days: 1, source: [test-claim]", "tolerance_days: 1, source: [no-such-claim]"),
    }[edit]
    path = build.root / "outcomes.yaml"
    path.write_text(bad)
    with pytest.raises(InputError) as err:
        load_outcomes(path, theatre, ["turkish_deaths"])
    assert message in str(err.value) and err.value.line == line and str(path) in str(err.value)


def test_an_outcome_naming_an_unknown_event_type_is_refused_at_its_line(build, theatre):
    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES).replace("event: truce_broken", "event: truce_broke"))
    with pytest.raises(InputError) as err:
        load_outcomes(path, theatre, ["turkish_deaths"])
    assert (err.value.file, err.value.line, err.value.key) == (str(path), 7, "outcomes[3].event"), err.value
    assert err.value.message.startswith("unknown event type 'truce_broke' (did you mean 'truce_broken'?); known: ")
    assert "post_encircled" in err.value.message and "capture" in err.value.message


def test_the_event_types_outcomes_may_name_are_those_the_model_logs():
    """Every type the model's code logs (a literal, or an f-string whose blanks are one word) is in EVENT_TYPES,
    and every one of EVENT_TYPES is logged somewhere: the list cannot drift from the model."""
    import ast
    import re

    from sim.names import EVENT_TYPES

    from .conftest import ROOT

    patterns = {"capture"}  # journal.captures(): its rows are typed "capture" in sim/model/journal.py
    for file in (ROOT / "sim" / "model").glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or not node.args:
                continue
            name, first = node.func.attr, node.args[0]
            kind = first.elts[2] if name == "append" and isinstance(first, ast.Tuple) and len(first.elts) == 6 else \
                first if name in ("log_all", "log_each", "counts") else None
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                patterns.add(re.escape(kind.value))
            elif isinstance(kind, ast.JoinedStr):
                patterns.add("".join(re.escape(p.value) if isinstance(p, ast.Constant) else "[a-z]+" for p in kind.values))
    assert len(patterns) > 20
    for pattern in patterns:
        assert any(re.fullmatch(pattern, t) for t in EVENT_TYPES), pattern
    for t in EVENT_TYPES:
        assert any(re.fullmatch(p, t) for p in patterns), t


def test_a_town_taken_and_given_up_on_one_day_changed_no_hands(theatre):
    """An opposition counter-attack takes T2 from the regime and gives it up as untenable before the day ends: the
    event log keeps both captures, but from one day to the next nothing changed, and the capture tables, the run's
    captures and the ``towns_changed_hands`` metric count what the end of each day shows, as scores and maps do."""
    rows = [[R, H, R], [R, H, R], [R, R, R], [R, R, R]]  # T1 falls to the regime on 3 Jan; T2 ends every day the regime's
    round_trip = [("2020-01-02", "T2", "hts;regime"), ("2020-01-02", "T2", "regime;hts")]
    kept = run(0, rows)
    extra = pd.DataFrame([{"date": d, "type": "capture", "town": t, "actors": a, "detail": ""} for d, t, a in round_trip])
    series = kept.timeseries.assign(**{f"towns_{h}": (kept.history == k).sum(axis=1) for k, h in enumerate(("regime", "hts", "rebels"))},
                                    displaced=0.0)
    trip = RunData(0, START, kept.history, pd.concat([kept.events, extra], ignore_index=True).sort_values("date", kind="stable"),
                   series)
    assert (trip.events["type"] == "capture").sum() == 3  # the log says what the rules did
    dates = capture_dates([trip]).set_index(["town", "to"])
    assert list(dates.index) == [("T1", "regime")]
    assert all_captures([trip])[["date", "town", "from", "to"]].values.tolist() == [["2020-01-03", "T1", "hts", "regime"]]
    assert day_end_captures(trip.events)["town"].tolist() == trip.captures["town"].tolist() == ["T1"]
    assert batch_metrics(RunBatch.of([trip]), [], theatre)[0]["towns_changed_hands"] == 1.0


def test_patrol_coverage_mean_counts_the_patrols_that_completed_their_route(theatre):
    """A patrol that drove its whole route is logged as ``patrol_completed``, one stopped on the way as ``patrol``:
    the mean is over both (a suspended patrol did not run). Counting stopped ones only reversed effects in sweeps."""
    r = run(0, [[R, H, B]] * 7, events=[("2020-01-02", "patrol"), ("2020-01-04", "patrol_completed"), ("2020-01-06", "patrol_suspended")])
    r.timeseries = r.timeseries.assign(**{f"towns_{h}": (r.history == k).sum(axis=1) for k, h in enumerate(("regime", "hts", "rebels"))},
                                       displaced=0.0, patrol_coverage=[np.nan, 0.2, 0.2, 1.0, 1.0, 1.0, 1.0])
    assert run_metrics(r, [], theatre)["patrol_coverage_mean"] == pytest.approx((0.2 + 1.0) / 2)


def reported_in_words(build, theatre, outcome: str):  # noqa: ANN001, ANN201 - the fixtures; a Series
    """The 'reported' column of compare's outcome table, by outcome id, for the test outcomes and ``outcome`` (a YAML
    flow mapping) scored on one run."""
    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + f"  - {outcome}\n")
    card = score(results(theatre, [run(0, TRUE)]), load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"]))
    return outcome_table(card, words=True).set_index("outcome")["reported"]


def test_a_captures_reported_date_reads_as_the_day_it_changed_hands_not_as_a_deadline(build, theatre):
    """`compare`'s table read "regime by 20 Dec 2019 (± 7 d)": "by" a date reads as a deadline, where the outcome is
    met by a capture within 7 days either side of it."""
    reported = reported_in_words(build, theatre, "{id: road, set: calibration, kind: road, description: the road, road: M9, "
                                 "by: regime, reported: 2020-01-04, tolerance_days: 2, source: [test-claim]}")
    assert reported["t1-falls"] == "to regime on 3 Jan 2020 (± 1 d)"
    assert reported["road"] == "regime first holds all of M9 on 4 Jan 2020 (± 2 d)"


def test_an_after_inside_a_captures_window_is_shown_as_the_cut_it_makes(build, theatre):
    """A capture's 'after' later than its reported date less the tolerance cuts the window's early side (a change of
    hands before it cannot meet the outcome), and the tables said only "on 6 Jan 2020 (± 3 d)": they say where it is cut.
    An 'after' on the window's first day or before it cuts nothing, and is not shown."""
    from sim.app.outcome_words import reported as in_words

    def capture(name: str, after: str) -> str:
        return (f"{{id: {name}, set: validation, kind: capture, description: x, town: T2, by: regime, reported: 2020-01-06, "
                f"after: {after}, tolerance_days: 3, source: [test-claim]}}")

    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + "".join(f"  - {capture(n, a)}\n" for n, a in
                                                         (("cut", "2020-01-05"), ("edge", "2020-01-03"), ("early", "2020-01-02"))))
    outcomes = {o.id: o for o in load_outcomes(path, theatre, ["turkish_deaths"])}
    card = score(results(theatre, [run(0, TRUE)]), list(outcomes.values()))
    words, iso = (outcome_table(card, words=w).set_index("outcome")["reported"] for w in (True, False))
    assert words["cut"] == "to regime on 6 Jan 2020 (± 3 d, not before 5 Jan 2020)"
    assert iso["cut"] == "to regime on 2020-01-06 (± 3 d, not before 2020-01-05)"
    assert words["edge"] == words["early"] == "to regime on 6 Jan 2020 (± 3 d)"
    assert words["t1-falls"] == "to regime on 3 Jan 2020 (± 1 d)"  # no 'after'
    assert in_words(outcomes["cut"]).replace("\u00a0", " ") == "taken by Government on 6 January 2020 (± 3 days, not before 5 January 2020)"
    assert in_words(outcomes["edge"]).replace("\u00a0", " ") == "taken by Government on 6 January 2020 (± 3 days)"


def test_an_after_inside_an_events_window_is_shown_as_a_captures_is(build, theatre):
    """An event's 'after' inside its window cuts the window's early side as a capture's does, and says so in the same
    words; one on the window's first day cuts nothing, and is not shown."""
    from sim.app.outcome_words import reported as in_words

    def event(name: str, after: str) -> str:
        return (f"{{id: {name}, set: validation, kind: event, description: x, event: truce_broken, reported: 2020-01-04, "
                f"window: [2020-01-02, 2020-01-06], after: {after}, source: [test-claim]}}")

    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + "".join(f"  - {event(n, a)}\n" for n, a in (("cut", "2020-01-03"), ("edge", "2020-01-02"))))
    outcomes = {o.id: o for o in load_outcomes(path, theatre, ["turkish_deaths"])}
    words = outcome_table(score(results(theatre, [run(0, TRUE)]), list(outcomes.values())), words=True).set_index("outcome")["reported"]
    assert words["cut"] == "truce_broken 4 Jan 2020 (window 2 Jan 2020 .. 6 Jan 2020, not before 3 Jan 2020)"
    assert words["edge"] == "truce_broken 4 Jan 2020 (window 2 Jan 2020 .. 6 Jan 2020)"
    assert in_words(outcomes["cut"]).replace("\u00a0", " ") == "truce broken on 4 January 2020 (counted 2 January 2020 – 6 January 2020, not before 3 January 2020)"
    assert "not before" not in in_words(outcomes["edge"])


def test_a_quantity_reported_only_as_a_range_says_so_in_words(build, theatre):
    """`compare` wrote "patrol_coverage - on 15 Mar 2020 (range 0.01 .. 0.99)" for an outcome the record gives only a
    range for: the "-" for "no single figure" read as garbage. A quantity with a figure keeps it."""
    reported = reported_in_words(build, theatre, "{id: share, set: validation, kind: quantity, description: a share, "
                                 "variable: patrol_coverage, date: 2020-01-05, range: [0.01, 0.99], source: [test-claim]}")
    assert reported["share"] == "patrol_coverage on 5 Jan 2020: no single figure reported (range 0.01 .. 0.99)"
    assert reported["deaths"] == "turkish_deaths 10 on 5 Jan 2020 (range 8 .. 12)"


def test_each_set_is_scored_on_its_own_outcomes(build, theatre):
    """The headline scores of the calibration (fitted) and validation (held-out) sets are each on that set's outcomes
    alone: the truthful run meets every calibration outcome and none of the validation ones (T2 never falls, no truce
    is announced), so the pooled share met lies between the two."""
    from sim.analysis.scoring import headline_table

    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + MORE)
    card = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(2)]),
                 load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"]))
    assert {name: [s.outcome.id for s in sub.scores] for name, sub in card.sets.items()} == {
        "calibration": ["front", "t1-regime", "t1-falls", "broken", "deaths", "calm"],
        "validation": ["road", "t2-falls", "truce-named"]}
    calibration, validation = card.sets["calibration"].headline(), card.sets["validation"].headline()
    assert calibration == {"outcomes met": 1.0, "control accuracy": 1.0, "Brier": 0.0, "capture MAE (days)": 0.0}
    assert validation["outcomes met"] == 0.0 and np.isnan(validation["control accuracy"]) and np.isnan(validation["Brier"])
    assert validation["capture MAE (days)"] == 2.0  # T2 never falls again: the day after the run ends, 2 days late
    assert card.headline()["outcomes met"] == pytest.approx(6 / 9)
    table = headline_table(card).set_index("score")
    assert table.loc["outcomes met", ["model", "calibration: model", "validation: model"]].tolist() == pytest.approx([6 / 9, 1.0, 0.0])


def test_the_headline_table_marks_its_lower_bounds_in_columns_of_its_own(build, theatre):
    """headline_table (and so the app's scores.csv) gave a capture MAE that counts a capture never coming as a plain
    number, the mark being a separate call (headline_bounds): a reader of the table alone took a bound for a value.
    Each value column has its ``<column> lower bound`` beside the others at the end, as outcome_table's
    ``date_error_lower_bound`` and comparison_table's ``a_lower_bound``, true at headline_bounds' cells and nowhere else."""
    from sim.analysis.scoring import headline_bounds, headline_table

    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + MORE)
    card = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(2)]),
                 load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"]))
    table = headline_table(card)
    values = ["model", "frozen front", "calibration: model", "calibration: frozen", "validation: model", "validation: frozen"]
    assert table.columns.tolist() == ["score", *values, "better is", *(f"{c} lower bound" for c in values)]
    marked = {(k, c) for c in values for k in range(len(table)) if table.loc[k, f"{c} lower bound"]}
    assert marked == set(headline_bounds(card))
    mae = table.set_index("score").loc["capture MAE (days)"]
    # T2 never falls again in the validation set: its MAE counts the day after the run ends; the calibration set's
    # captures all come, and the frozen front, which takes nothing, never sees one.
    assert mae["validation: model lower bound"] and not mae["calibration: model lower bound"] and mae["frozen front lower bound"]
    assert table[[f"{c} lower bound" for c in values]].dtypes.eq(bool).all()


def test_an_outcomes_options_each_change_its_answer(build, theatre):
    """``after``, ``match``, ``belts`` and ``min_accuracy``, and a road held from the start and won back, each decide an
    outcome here: T2 passes to the regime on 2 Jan, back to the rebels on 3 Jan, to the regime again on 5 Jan; T1 on
    4 Jan."""
    towns = build.root / "toy.towns.csv"
    lines = towns.read_text().splitlines()
    towns.write_text("\n".join(f"{line},{b}" for line, b in zip(lines, ["belt", "", "A", "A"], strict=True)) + "\n")
    theatre = load_theatre(theatre.path)
    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent("""
        claims: seeds/claims.yaml
        outcomes:
          - {id: t2-again, set: calibration, kind: capture, description: x, town: T2, by: regime, reported: 2020-01-05, after: 2020-01-03, tolerance_days: 0, source: [test-claim]}
          - {id: jan-truce, set: calibration, kind: event, description: x, event: truce_announced, match: Jan, reported: 2020-01-04, window: [2020-01-04, 2020-01-04], source: [test-claim]}
          - {id: whole-road, set: calibration, kind: road, description: x, road: M9, by: regime, reported: 2020-01-05, tolerance_days: 0, source: [test-claim]}
          - {id: rebels-t2, set: calibration, kind: road, description: x, towns: [T2], by: rebels, reported: 2020-01-03, tolerance_days: 0, source: [test-claim]}
          - {id: front-all, set: calibration, kind: front, description: x, date: 2020-01-05, reference: 2020-01-05, min_accuracy: 0.6, source: [test-claim]}
          - {id: front-a, set: calibration, kind: front, description: x, date: 2020-01-05, reference: 2020-01-05, belts: [A], min_accuracy: 0.6, source: [test-claim]}
        """))
    outcomes = load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"])
    rows = [[R, H, B], [R, H, R], [R, H, B], [R, R, B], [R, R, R], [R, R, R], [R, R, R]]
    r = run(0, rows, events=[("2020-01-02", "truce_announced"), ("2020-01-04", "truce_announced")])
    r.events.loc[r.events["type"] == "truce_announced", "detail"] = ["Feb truce", "Jan truce"]
    by = {s.outcome.id: s.checks[0] for s in score(results(theatre, [r]), outcomes).scores}
    # From 3 Jan on, T2 passes to the regime on 5 Jan (not 2 Jan); the truce named Jan is announced on 4 Jan (not 2 Jan).
    assert (by["t2-again"].met, by["t2-again"].error_days) == (True, 0)
    assert (by["jan-truce"].met, by["jan-truce"].error_days) == (True, 0)
    # The regime holds all of the M9 first on 5 Jan; the rebels held T2 from the start, lost it on 2 Jan and won it back
    # on 3 Jan: the road is won on 3 Jan (held from the start and never lost, it would never be won in the run).
    assert (by["whole-road"].met, by["whole-road"].error_days) == (True, 0)
    assert (by["rebels-t2"].met, by["rebels-t2"].value, by["rebels-t2"].error_days) == (True, dt.date(2020, 1, 3), 0)
    # On 5 Jan [R, R, R] against the reported [R, R, B]: 2 of 3 towns (>= 0.6, met), 1 of belt A's 2 (not met).
    assert (by["front-all"].met, by["front-all"].value) == (True, pytest.approx(2 / 3))
    assert (by["front-a"].met, by["front-a"].value) == (False, 0.5)


def test_a_quantitys_median_and_range_are_replicates_values_as_in_the_summaries():
    """compare's table interpolated its quantiles (the median of 40 runs the mean of two: 1,052,482 displaced, where
    the run summary beside it gave 1,052,106); every other figure gives a replicate's value."""
    from sim.analysis.outcomes import Check, QuantityOutcome
    from sim.analysis.outcome_answers import answer
    from sim.analysis.scoring import OutcomeScore

    o = QuantityOutcome(kind="quantity", id="q", set="calibration", description="d", source=["c"], variable="displaced",
                        date=dt.date(2020, 1, 1), range=(0.0, 100.0))
    values = [10.0, 40.0, 20.0, 30.0]
    a = answer(OutcomeScore(o, [Check(True, v) for v in values], Check(False, 0.0)))
    assert {a.middle, a.low, a.high} <= set(values)  # interpolated: a median of 25, a 5% quantile of 11.5
    assert (a.low, a.high) == (10.0, 40.0)


def test_a_quantitys_replicates_with_no_value_are_counted_beside_its_median(build, theatre):
    """P(met) counts a replicate with no value (patrol coverage before any patrol) as a miss, but the median and range
    are over the others: "0.50 (0.50 .. 0.50)" beside a P(met) of 0.25 said nothing of the three with none."""
    from sim.app.outcome_words import simulated as in_words

    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + "  - {id: reach, set: validation, kind: quantity, description: x, "
                    "variable: patrol_coverage, date: 2020-01-05, range: [0.4, 1.0], source: [test-claim]}\n")
    runs = [run(s, TRUE) for s in range(4)]
    runs[0].timeseries.loc[4, "patrol_coverage"] = 0.5  # 5 Jan: one replicate has a patrol out, three have none
    card = score(results(theatre, runs), load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"]))
    reach = next(s for s in card.scores if s.outcome.id == "reach")
    table = outcome_table(card).set_index("outcome")
    assert table.loc["reach", "p_met"] == 0.25
    assert table.loc["reach", "simulated"] == "0.50 (0.50 .. 0.50); none in 3/4"
    assert table.loc["deaths", "simulated"] == "0 (0 .. 0)"  # every replicate has one: nothing added
    assert in_words(reach).replace("\u00a0", " ") == "50%; none in 3 of 4"
    for r in runs:
        r.timeseries.loc[4, "patrol_coverage"] = 0.5
    assert outcome_table(score(results(theatre, runs), [reach.outcome])).loc[0, "simulated"] == "0.50 (0.50 .. 0.50)"


def test_control_misses_list_the_towns_the_runs_get_wrong_worst_first_with_what_they_hold_instead(theatre, outcomes):
    from sim.analysis.report import scorecard_text
    from sim.analysis.scoring import control_misses

    late = [[R, H, B]] * 4 + [[R, R, B]] * 3  # T1 still HTS's on 4 Jan (reported: the regime's)
    stray = [row[:2] + [R] for row in TRUE[:4]] + [[R, R, R]] * 3  # T2 the regime's from 1 Jan: wrong on 5 Jan
    card = score(results(theatre, [run(0, TRUE), run(1, late), run(2, late), run(3, stray)]), outcomes)
    misses = control_misses(card)
    # T1 on 4 Jan: right in 2 of 4 (HTS in the others); T2 on 5 Jan (the front): right in 3 of 4; the rest always right.
    assert misses.to_dict("records") == [
        {"town": "T1", "set": "calibration", "date": dt.date(2020, 1, 4), "reported": "regime", "right": 0.5,
         "instead": "hts", "instead_share": 0.5},
        {"town": "T2", "set": "calibration", "date": dt.date(2020, 1, 5), "reported": "rebels", "right": 0.75,
         "instead": "regime", "instead_share": 0.25}]
    assert control_misses(card, at_least=0.3)["town"].tolist() == ["T1"]
    text = scorecard_text(card)
    assert "Of the 4 holders the record gives (a town on a date: those control accuracy counts), the 2 that" in text
    assert "| T1   | calibration | 4 Jan 2020 | regime   | 50%        | hts (50%)" in text
    perfect_card = score(results(theatre, [run(s, TRUE) for s in range(2)]), outcomes)
    assert "Of the 4 holders the record gives (a town on a date), none is wrong in a quarter" in scorecard_text(perfect_card)

    from sim.app.outcome_words import misses_markdown  # the app's Ensemble tab says the same in its words

    page = misses_markdown(card)
    assert page.index("| T1 ") < page.index("| T2 ") and "| fitted " in page and "| HTS (50%) " in page
    # 4 pairs, 3 towns (and the campaign's 166 pairs are 165 towns): a count of pairs is not said as one of towns
    assert "of the 4 times the record says who held a town (on a date), " in page and "4 towns" not in page, page
    assert "| Government " in page and "| Turkish-backed rebels " in page and "| Government (25%)" in page
    assert misses_markdown(perfect_card).endswith("a quarter of the replicates or more get wrong: none.")


def test_a_control_miss_whose_runs_are_split_evenly_between_two_holders_names_both(theatre, outcomes):
    """Where as many replicates had HTS as had the rebels instead, 'instead' named HTS alone (the first in HOLDERS'
    order), as if the runs leaned its way: both are named now, the share being each one's, in the report and the app."""
    from sim.analysis.report import scorecard_text
    from sim.analysis.scoring import control_misses
    from sim.app.outcome_words import misses_markdown

    hts = [[R, H, B]] * 4 + [[R, R, B]] * 3  # T1 still HTS's on 4 Jan (reported: the regime's)
    rebels = [[R, H, B]] * 2 + [[R, B, B]] * 2 + [[R, R, B]] * 3  # T1 the rebels' on 3 and 4 Jan
    card = score(results(theatre, [run(0, TRUE), run(1, hts), run(2, rebels), run(3, TRUE)]), outcomes)
    assert control_misses(card).to_dict("records") == [
        {"town": "T1", "set": "calibration", "date": dt.date(2020, 1, 4), "reported": "regime", "right": 0.5,
         "instead": "hts / rebels", "instead_share": 0.25}]
    assert "| T1   | calibration | 4 Jan 2020 | regime   | 50%        | hts / rebels (25% each) |" in scorecard_text(card)
    assert "| HTS / Turkish-backed rebels (25% each) |" in misses_markdown(card)
    lean = score(results(theatre, [run(0, TRUE), run(1, hts), run(2, rebels), run(3, hts)]), outcomes)
    assert control_misses(lean)[["instead", "instead_share"]].values.tolist() == [["hts", 0.5]]  # no tie: one, no 'each'
    assert "| hts (50%)          |" in scorecard_text(lean)


@pytest.mark.parametrize("at_least", [0, -0.5, 1.5, float("nan"), True])
def test_control_misses_refuse_a_share_that_is_not_one(theatre, outcomes, at_least):
    """``at_least=0`` listed the towns every replicate gets right too, each with 'regime (0%)' as what the runs hold
    instead; above 1 it listed nothing without a word."""
    from sim.analysis.scoring import control_misses

    card = score(results(theatre, [run(0, TRUE), run(1, TRUE)]), outcomes)
    with pytest.raises(InputError, match=r"^'at_least': must be a share of the replicates, above 0 and at most 1 \(got"):
        control_misses(card, at_least=at_least)
    assert control_misses(card, at_least=1e-9).empty and control_misses(card, at_least=1).empty


def test_the_campaign_s_count_of_outcomes_is_the_same_wherever_it_is_given():
    """The docstring of report._outcomes said the campaign has 172 outcomes, where comparison.py's (and the README)
    said 173: each is checked against the outcomes of seeds/outcomes.yaml that the campaign's window scores."""
    import inspect
    import re

    from sim.analysis import comparison, comparison_report
    from sim.io.scenario import load_scenario
    from sim.model.reporters import REPORTERS

    from .conftest import ROOT, readme_and_its_docs

    campaign = load_scenario(ROOT / "scenarios" / "campaign.yaml")
    outcomes = load_outcomes(ROOT / "seeds" / "outcomes.yaml", load_theatre(campaign.theatre), list(REPORTERS))
    scored = sum(o.applies(campaign.start, campaign.end) for o in outcomes)
    readme = " ".join(readme_and_its_docs().split())  # the two-folder comparison's detail is in docs/record.md
    said = {
        "comparison_report._outcomes": re.findall(r"the campaign's (\d+)\)", " ".join(inspect.getsource(comparison_report._outcomes).split())),
        "comparison.py": re.findall(r"among (\d+) outcomes \(the campaign's\)", " ".join(comparison.__doc__.split())),
        "README": re.findall(r"as the campaign's (\d+),", readme) + re.findall(r"a tenth of (\d+) outcomes' intervals", readme),
    }
    assert said == {"comparison_report._outcomes": [str(scored)], "comparison.py": [str(scored)], "README": [str(scored)] * 2}


def test_the_readme_counts_each_set_s_changes_of_hands_as_the_record_has_them():
    """The README gave the calibration set "85 of their dated changes of hands" in belts A and B; the record has 87
    (48 in A, 39 in B). It counts the theatre research's changes of hands (ids 'capture-...'), naming the hand-written
    ones (Ma'arat al-Numan, Saraqib taken, retaken and taken again) apart; each figure is checked against the record."""
    from sim.analysis.outcomes import CaptureOutcome
    from sim.model.reporters import REPORTERS

    from .conftest import ROOT

    idlib = load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml")
    outcomes = load_outcomes(ROOT / "seeds" / "outcomes.yaml", idlib, list(REPORTERS))
    belt = dict(zip(idlib.towns, idlib.belt, strict=True))
    research = [o for o in outcomes if isinstance(o, CaptureOutcome) and o.id.startswith("capture-")]
    hand_written = {o.id for o in outcomes if isinstance(o, CaptureOutcome)} - {o.id for o in research}
    assert hand_written == {"maarat-captured", "saraqib-captured", "saraqib-retaken-by-rebels", "saraqib-regime-again"}

    def count(name: str, belts: str) -> int:
        return sum(o.set == name and belt[idlib.towns[idlib.town(o.town)]] in belts for o in research)

    sets = {name: sum(o.set == name for o in outcomes) for name in ("calibration", "validation")}
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"The record holds **{len(outcomes)} outcomes**: {len(research)} dated changes of hands" in text
    assert (f"**calibration** ({sets['calibration']} outcomes): south-east Idlib and the M5 — belts A and B, with "
            f"{count('calibration', 'AB')} of their dated changes of hands") in text
    assert (f"**validation** ({sets['validation']} outcomes): the western Aleppo countryside and Jabal al-Zawiya with "
            f"the M4 — belts C and D, {count('validation', 'CD')} of their dated changes of hands") in text
