"""``compare``: two results set side by side, and one against the record, as a new user reads them.

Hand-built ensembles (from :mod:`tests.test_scoring`) check the numbers; small
runs on a line of twenty towns check what the command prints and writes.
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.comparison import Difference, compare
from sim.analysis.outcomes_file import load_outcomes
from sim.analysis.comparison_report import comparison_table, comparison_text
from sim.analysis.report import scorecard_text
from sim.analysis.results import Results
from sim.analysis.scoring import HEADLINES, score
from sim.cli import main

from .conftest import ROOT, ev, line_theatre
from .test_scoring import OUTCOMES, TRUE, TRUTHFUL, B, H, R, outcomes, results, run, theatre  # noqa: F401 - fixtures

FROZEN = [[R, H, B]] * 7


def ensemble(theatre, days: int | None = None):  # noqa: F811 - the fixture's value
    """Six replicates, every other one truthful, the others with the front frozen; cut to ``days`` rows if given."""
    rows = [TRUE if s % 2 else FROZEN for s in range(6)]
    deaths, events = TRUTHFUL["deaths"][:days], TRUTHFUL["events"]
    end = f"2020-01-{days or 7:02d}"
    return results(theatre, [run(s, r[:days], deaths=deaths, events=events) for s, r in enumerate(rows)], end=end)


def test_a_run_cut_short_is_compared_on_what_both_cover_and_shows_no_difference(theatre, outcomes):  # noqa: F811
    """B is A stopped on 4 Jan: the same replicates, so every score and outcome is the same."""
    a, b = score(ensemble(theatre), outcomes), score(ensemble(theatre, 4), outcomes)
    c = compare(a, b)
    assert [d.name for d in c.headlines] == list(HEADLINES)
    for d in [*c.headlines, *c.outcomes]:
        assert (d.a, d.low, d.high) == (d.b, 0.0, 0.0), d.name
    assert [d.name for d in c.outcomes] == ["t1-regime", "t1-falls", "broken"]
    assert [d.name for d in c.only_a] == ["front", "deaths", "calm"] and c.only_b == []
    # A frozen replicate never takes T1: on A's own days it misses by 5 days, on B's by 2. Scored up to B's last
    # day (the day after it stands for "never" in both), the two agree.
    mae = next(d for d in c.headlines if d.name == "capture MAE (days)")
    assert mae.a == mae.b == pytest.approx((0 + 2) / 2)


def test_a_score_that_cannot_be_computed_for_both_says_why(theatre, outcomes):  # noqa: F811
    """Stopped on 3 Jan, B scores no outcome that says who holds a town: no accuracy, no Brier, and the rows say so."""
    c = compare(score(ensemble(theatre), outcomes), score(ensemble(theatre, 3), outcomes))
    rows = {d.name: d for d in c.headlines}
    assert list(rows) == list(HEADLINES)
    for name in ("control accuracy", "Brier"):
        assert math.isnan(rows[name].diff) and "who holds a town" in rows[name].note
    assert rows["outcomes met"].diff == 0 and not rows["outcomes met"].note
    text = comparison_text(c)
    assert "scored on the 2 outcomes both runs cover" in text and "4 outcomes only A covers are left out" in text
    assert "who holds a town" in text
    table = comparison_table(c)
    left_out = table[table["note"].str.contains("only A", na=False)]
    assert sorted(left_out["name"]) == ["calm", "deaths", "front", "t1-regime"] and left_out["B"].isna().all()


def test_a_key_quantity_only_one_side_records_is_left_out_whichever_side_lacks_it(theatre, outcomes):  # noqa: F811
    """A folder written before a daily series existed has no column for it: compare(A, B) left it out when A lacked
    it and stopped with pandas' KeyError when B did. Either way round, the quantities are those both record."""
    full = ensemble(theatre)
    lacking = ensemble(theatre)
    for r in lacking.runs:
        r.timeseries = r.timeseries.drop(columns="turkish_deaths")
    on = [o for o in outcomes if o.kind != "quantity"]  # B has no series for the deaths outcome to read
    for a, b in ((full, lacking), (lacking, full)):
        c = compare(score(a, on), score(b, on))
        assert "turkish_deaths" not in [d.name for d in c.quantities]


def test_outcomes_files_that_list_the_same_outcomes_in_another_order_give_the_brier_score(theatre, outcomes):  # noqa: F811
    """Each folder is scored against its own outcomes file: the same outcomes listed in another order put the reported
    holders in another order, and the Brier score was "not computed: A's and B's outcomes report different
    controllers" for one ensemble set beside itself."""
    controllers = [o for o in outcomes if o.kind in ("front", "controller")]
    a, b = score(ensemble(theatre), controllers), score(ensemble(theatre), controllers[::-1])
    brier = next(d for d in compare(a, b).headlines if d.name == "Brier")
    assert (brier.a, brier.b, brier.low, brier.high, brier.note) == (a.headline()["Brier"], a.headline()["Brier"], 0, 0, "")


def test_the_not_scored_outcomes_are_counted_not_listed(build, theatre):  # noqa: F811
    later = "".join(f"\n  - {{id: later-{i}, set: validation, kind: condition, description: after the window, "
                    f"period: [2020-02-{i + 1:02d}, 2020-02-{i + 2:02d}], max_captures: 0, source: [test-claim]}}"
                    for i in range(20))
    path = build.root / "outcomes.yaml"
    path.write_text(textwrap.dedent(OUTCOMES) + later + "\n")
    card = score(ensemble(theatre), load_outcomes(path, theatre, ["turkish_deaths", "patrol_coverage"]))
    assert len(card.skipped) == 21
    line = next(line for line in scorecard_text(card).splitlines() if line.startswith("Not scored"))
    assert "21 outcomes" in line
    assert sum(f"later-{i}" in line for i in range(20)) <= 5


def test_no_interval_unless_each_ensemble_has_two_replicates(theatre, outcomes):  # noqa: F811
    one = score(results(theatre, [run(0, FROZEN, **TRUTHFUL)]), outcomes)
    many = score(ensemble(theatre), outcomes)
    for a, b in ((one, one), (one, many), (many, one)):
        c = compare(a, b)
        assert not c.intervals
        assert all(math.isnan(d.low) and math.isnan(d.high) for d in [*c.headlines, *c.outcomes, *c.quantities])
        assert c.towns[["low", "high"]].isna().all().all() and not math.isnan(c.headlines[0].diff)
    assert compare(many, many).intervals


# --- the command, on small runs -----------------------------------------------------------------

LINE_OUTCOMES = """\
claims: claims.yaml
outcomes:
  - {id: t5, set: calibration, kind: capture, description: T5 taken, town: T5, by: regime, reported: 2020-01-05, tolerance_days: 2, source: [test-claim]}
  - {id: t9, set: calibration, kind: capture, description: T9 taken, town: T9, by: regime, reported: 2020-01-10, tolerance_days: 2, source: [test-claim]}
  - {id: t12, set: calibration, kind: capture, description: T12 taken, town: T12, by: regime, reported: 2020-01-11, tolerance_days: 2, source: [test-claim]}
  - {id: t15, set: validation, kind: capture, description: T15 taken, town: T15, by: regime, reported: 2020-01-20, tolerance_days: 3, source: [test-claim]}
  - {id: t19-rebels, set: validation, kind: controller, description: T19 still the rebels', town: T19, date: 2020-02-01, controller: rebels, source: [test-claim]}
"""


@pytest.fixture
def line20(build):
    """Twenty towns on a line, two of them the government's: ``push.yaml`` sends it down the line (town k falls on
    k January), ``still.yaml`` does not."""
    line_theatre(build, controllers=("regime",) * 2 + ("rebels",) * 18)
    (build.root / "seeds" / "outcomes.yaml").write_text(LINE_OUTCOMES)
    still = build.scenario({"end": "2020-02-10", "seed": 40}, name="still.yaml")
    push = build.scenario({"end": "2020-02-10", "seed": 40, "factions": {"regime": {"force": 200, "regen": 5},
                                                                         "rebels": {"garrison": 1, "reserve": 1}},
                           "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T19"], force=200)]},
                          name="push.yaml")
    return still, push


def sim_cli(capsys, *args) -> str:
    assert main([str(a) for a in args]) == 0
    return capsys.readouterr().out


def test_cli_compares_a_run_cut_short_on_what_both_cover(line20, tmp_path, capsys):
    _, push = line20
    a, b = tmp_path / "a", tmp_path / "b"
    sim_cli(capsys, "run", push, "--runs", "2", "--workers", "1", "-q", "--out", a)
    sim_cli(capsys, "run", push, "--runs", "2", "--workers", "1", "--days", "10", "-q", "--out", b)
    text = sim_cli(capsys, "compare", a, b)
    assert "scored on the 3 outcomes both runs cover" in text and "2 outcomes only A covers are left out" in text
    # The same scenario run for fewer days: zero by construction, not a what-if "the model never felt" (as it read,
    # pointing to scenarios/README.md for a key that no one changed).
    top = text.split("## ")[0]
    assert "A and B are runs of the same inputs (scenario and values) but for their length" in top, top
    assert "B stops on 11 Jan 2020" in top and "never felt" not in top and "made no difference" not in top, top
    table = pd.read_csv(b / "comparison_vs_a.csv")
    scored = table[table["section"].isin(["score", "outcome"]) & table["note"].isna()]
    assert set(scored["name"]) == {"outcomes met", "capture MAE (days)", "t5", "t9", "t12"}
    assert (scored["B - A"] == 0).all()
    unscored = table[table["section"] == "score"].set_index("name")["note"]
    assert "who holds a town" in unscored["control accuracy"] and "who holds a town" in unscored["Brier"]


def test_cli_calls_the_same_scenario_run_from_another_seed_the_same_inputs_not_a_change(line20, tmp_path, capsys):
    """The same scenario run from --seed 40 and from 41 is paired on the seeds both ran, where each replicate is the
    other's: "the change made no difference ... the model never felt it" pointed to scenarios/README.md for a key no
    one changed, since the seed that starts an ensemble is in its inputs' hash. Run for fewer days too, it is the
    same inputs but for their length."""
    _, push = line20
    for name, more in (("a", []), ("b", ["--seed", "41"]), ("c", ["--seed", "41", "--days", "10"])):
        sim_cli(capsys, "run", push, "--runs", "3", "--workers", "1", "-q", "--out", tmp_path / name, *more)
    top = sim_cli(capsys, "compare", tmp_path / "a", tmp_path / "b").split("## ")[0]
    assert "paired on the 2 seeds both ran (41–42)" in top, top
    assert "A and B are runs of the same inputs (scenario and values)" in top and "made no difference" not in top, top
    top = sim_cli(capsys, "compare", tmp_path / "a", tmp_path / "c").split("## ")[0]
    assert "A and B are runs of the same inputs (scenario and values) but for their length" in top, top
    assert "B stops on 11 Jan 2020" in top and "made no difference" not in top, top


def test_ensembles_across_parameter_sets_are_not_called_runs_of_the_same_inputs(theatre, outcomes):  # noqa: F811
    """Across a parameter set each replicate runs its row's values, and the manifest's hash is "various: see each
    replicate" whatever the rows: two such ensembles of one scenario whose runs agree were called "runs of the same
    inputs", with "no change between them", though their parameter sets differed."""
    a, b = ensemble(theatre), ensemble(theatre)
    for r, rows in ((a, 2), (b, 3)):
        r.manifest.update(content_hash="various: see each replicate", input_sha256={"toy": "x"}, parameters={"seed": 0},
                          parameter_set={"file": f"set{rows}.csv", "rows": rows})
    top = comparison_text(compare(score(a, outcomes), score(b, outcomes))).split("## ")[0]
    assert "same inputs" not in top and "B and A are identical in every replicate" in top, top


def test_cli_names_the_table_it_wrote_for_the_towns_not_shown(line20, tmp_path, capsys):
    still, push = line20
    sim_cli(capsys, "run", still, "--runs", "2", "--workers", "1", "-q", "--out", tmp_path / "still")
    sim_cli(capsys, "run", push, "--runs", "2", "--workers", "1", "-q", "--out", tmp_path / "push")
    text = sim_cli(capsys, "compare", tmp_path / "still", tmp_path / "push")
    assert "... and 3 more in comparison_vs_still.csv." in text  # 18 towns moved, 15 shown
    assert (tmp_path / "push" / "comparison_vs_still.csv").exists()


def test_cli_says_what_each_key_quantity_counts_and_that_casualties_are_bookkeeping(line20, tmp_path, capsys):
    """`compare A B`'s key quantities were bare metric names ("casualties_hts 22,373.5", "displaced 1,075,685.1"):
    nothing said what they count, or that casualties are the model's bookkeeping, as the run summary and the app say;
    a mean number of people came with tenths."""
    still, push = line20
    sim_cli(capsys, "run", still, "--runs", "2", "--workers", "1", "-q", "--out", tmp_path / "still")
    sim_cli(capsys, "run", push, "--runs", "2", "--workers", "1", "-q", "--out", tmp_path / "push")
    text = sim_cli(capsys, "compare", tmp_path / "still", tmp_path / "push")
    section = text.split("means over replicates")[1].split("## Towns")[0]
    key = section.split("\n\n")[2]  # the paragraph under the table
    for name in ("towns_regime", "turkish_deaths", "displaced", "casualties_rebels", "violations"):
        assert f"`{name}`" in key, (name, key)
    assert "bookkeeping, not estimates" in key and "partial under a ceasefire" in key
    assert "since 1 Jan 2020" in key  # counted from the scenario's start, in words
    from sim.analysis.report import markdown_table
    row = markdown_table(pd.DataFrame([{"quantity": "displaced", "A": 1075685.1, "B - A": -406486.6}])).splitlines()[2]
    assert "1,075,685 " in row and "-406,487 " in row and ".1" not in row


def test_each_key_quantity_and_score_is_written_in_one_format_across_its_row(theatre, outcomes):  # noqa: F811
    """Each number was formatted by its own size, so one row read 39.4, -2.8 and -0.875, another 22,757 and 451.4,
    and a Brier of 0.281 stood beside a frozen front's 1.4: now one format a row, the one its quantity needs."""
    import dataclasses

    from sim.analysis.comparison import Difference

    a = score(ensemble(theatre), outcomes)
    c = dataclasses.replace(compare(a, a), quantities=[
        Difference("towns_rebels", 39.4, 36.6, -4.5, -0.875), Difference("casualties_hts", 21642.0, 22757.0, 451.4, 1830.2),
        Difference("violations", 0.875, 0.5, -0.625, 0.0)], headlines=[
        Difference("Brier", 1.41, 0.281, -1.4, -0.9), Difference("capture MAE (days)", 9.2, 8.9, -0.287, -0.075)])
    rows = md_tables(comparison_text(c))
    quantities = {row[0]: row[1:] for table in rows if table[0][0] == "quantity" for row in table[2:]}
    assert quantities == {"towns_rebels": ["39.4", "36.6", "-2.8", "-4.5", "-0.9"],
                          "casualties_hts": ["21,642", "22,757", "1,115", "451", "1,830"],
                          "violations": ["0.875", "0.500", "-0.375", "-0.625", "0.000"]}
    scores = {row[0]: row[1:6] for table in rows if table[0][0] == "score" for row in table[2:]}  # A .. high
    assert scores == {"Brier": ["1.410", "0.281", "-1.129", "-1.400", "-0.900"],
                      "capture MAE (days)": ["9.2", "8.9", "-0.3", "-0.3", "-0.1"]}
    frozen = dataclasses.replace(a, baseline={**a.baseline, "Brier": 1.41})
    assert md_column(scorecard_text(frozen), "frozen front", "better is")["Brier"] == "1.410"


def test_a_number_that_rounds_to_zero_is_written_without_a_sign():
    """The campaign against a truce a week later read "violations | 0.9 | 1.2 | 0.3 | -0.0 | 0.7": an interval's low
    end of -0.04, in tenths, kept its minus sign on a zero (round 69's what-if walk)."""
    from sim.analysis.report import markdown_table

    row = markdown_table(pd.DataFrame([{"quantity": "violations", "low": -0.04, "high": -0.06, "zero": -0.0}]),
                         [1]).splitlines()[2]
    assert [cell.strip() for cell in row.split("|")[2:5]] == ["0.0", "-0.1", "0.0"], row


def test_a_key_quantity_that_is_zero_in_both_is_written_as_a_whole_zero(theatre, outcomes):  # noqa: F811
    """A count that neither ensemble saw any of (no one displaced under the Moscow ceasefire) read "0.000", as if it
    were a share, beside the same count written "1,065,159" where it happened."""
    import dataclasses

    from sim.analysis.comparison import Difference

    a = score(ensemble(theatre), outcomes)
    c = dataclasses.replace(compare(a, a), quantities=[Difference("displaced", 0.0, 0.0, 0.0, 0.0),
                                                       Difference("violations", 0.875, 0.5, -0.625, 0.0)])
    rows = md_tables(comparison_text(c))
    quantities = {row[0]: row[1:] for table in rows if table[0][0] == "quantity" for row in table[2:]}
    assert quantities == {"displaced": ["0", "0", "0", "0", "0"],
                          "violations": ["0.875", "0.500", "-0.375", "-0.625", "0.000"]}


def test_cli_gives_no_interval_from_a_single_replicate(line20, tmp_path, capsys):
    still, push = line20
    sim_cli(capsys, "run", still, "--no-map", "-q", "--out", tmp_path / "one")
    sim_cli(capsys, "run", push, "--no-map", "-q", "--out", tmp_path / "two")
    text = sim_cli(capsys, "compare", tmp_path / "one", tmp_path / "two")
    assert "bootstrap intervals" not in text and "intervals need at least 2 replicates in each" in text
    table = pd.read_csv(tmp_path / "two" / "comparison_vs_one.csv")
    assert table["low"].isna().all() and table["high"].isna().all()
    assert table["B - A"].notna().any()


def test_cli_says_at_the_top_when_b_is_a_in_every_replicate(line20, build, tmp_path, capsys):
    """A what-if the model does not feel (Turkish troops with no deal to deter a break of) printed a page of zeros that
    read like a finding; the same scenario under another name likewise."""
    still, push = line20
    same = build.scenario(f"extends: {push.name}\nname: same\n", name="same.yaml")
    troops = build.scenario(f"extends: {push.name}\nname: troops\nevents:\n  - id: troops\n    date: 2020-01-05\n"
                            "    type: reinforcement\n    faction: turkey\n    strength: 6.2\n    source: [test-claim]\n",
                            name="troops.yaml")
    for scenario in (still, push, same, troops):
        sim_cli(capsys, "run", scenario, "--runs", "2", "--workers", "1", "--no-map", "-q", "--out", tmp_path / scenario.stem)
    text = sim_cli(capsys, "compare", tmp_path / "push", tmp_path / "same")
    top = text.split("## ")[0]
    assert "B and A are identical in every replicate" in top and "the change made no difference" in top, top
    text = sim_cli(capsys, "compare", tmp_path / "push", tmp_path / "troops")
    top = text.split("## ")[0]
    assert "identical in every replicate" in top and "differ only in turkish_troops" in top, top
    assert "identical" not in sim_cli(capsys, "compare", tmp_path / "still", tmp_path / "push")
    # A folder set beside itself: no what-if "that did nothing", but no change at all.
    top = sim_cli(capsys, "compare", tmp_path / "push", tmp_path / "push").split("## ")[0]
    assert "A and B are the same folder" in top and "made no difference" not in top, top


def test_joint_intervals_call_no_change_where_there_is_none_and_keep_the_real_ones():
    # 200 outcomes or towns, A and B drawn alike: one by one, a tenth of the 90% intervals leave out 0 by chance, and
    # the app called each of those a change (a walkthrough saw "12 outcomes changed" that another set of seeds undid).
    # Jointly, all 200 cover 0 together in about 90% of such comparisons.
    import numpy as np

    from sim.analysis.bootstrap import bootstrap_diff, joint_intervals

    alone, together = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        a, b = (rng.random((40, 200)) < 0.3).astype(float), (rng.random((40, 200)) < 0.3).astype(float)
        b[:, 0], a[:, 0] = 1.0, 0.0  # a change in every pair
        b[:30, 1], a[:30, 1] = 1.0, 0.0  # in three quarters of them
        lo, hi = bootstrap_diff(a, b, paired=True, rng=np.random.default_rng(seed))
        alone.append(((lo > 0) | (hi < 0))[2:].sum())
        lo, hi = joint_intervals(a, b, paired=True, rng=np.random.default_rng(seed))
        together.append(((lo > 0) | (hi < 0))[2:].sum())
        assert lo[0] > 0.4 and hi[0] == 1.0 and lo[1] > 0, "the real changes stay"
        assert (lo <= b.mean(0) - a.mean(0)).all() and (b.mean(0) - a.mean(0) <= hi).all()
        assert (lo >= -1).all() and (hi <= 1).all(), "shares' differences"
        assert np.array_equal(*joint_intervals(a[:, 2:3], a[:, 2:3], paired=True, rng=rng)), "no run differs: a point"
    assert min(alone) >= 5, "one by one, chance makes changes in every comparison"
    assert sum(n > 0 for n in together) <= 5, together


def test_intervals_of_ensembles_on_other_seeds_carry_the_luck_of_both():
    """Ensembles that ran other seeds are compared unpaired: each resampled on its own, so the common luck that pairing
    takes out stays in. Only paired intervals were checked, and unpaired ones resampling B as A, or joint ones of zero
    width, went unnoticed."""
    import numpy as np

    from sim.analysis.bootstrap import bootstrap_diff, joint_intervals

    a = np.random.default_rng(0).normal(0.0, 10.0, size=(40, 1))
    b = a + 1.0  # each replicate of B is A's, one later: paired, the difference is exactly 1
    lo, hi = bootstrap_diff(a, b, paired=True, rng=np.random.default_rng(0))
    assert (lo, hi) == (pytest.approx(1.0), pytest.approx(1.0))
    lo, hi = bootstrap_diff(a, b, paired=False, rng=np.random.default_rng(0))
    assert lo < 0 < hi and hi - lo > 4, (lo, hi)  # two spreads of 10 over 40 runs each: some 7 wide
    anywhere = []
    for seed in range(20):  # as the paired case above: A and B drawn alike, but for a real change in column 0
        rng = np.random.default_rng(seed)
        a, b = (rng.random((40, 200)) < 0.3).astype(float), (rng.random((40, 200)) < 0.3).astype(float)
        b[:, 0], a[:, 0] = 1.0, 0.0
        lo, hi = joint_intervals(a, b, paired=False, rng=np.random.default_rng(seed))
        d = b.mean(0) - a.mean(0)
        assert lo[0] > 0.4 and (lo <= d).all() and (d <= hi).all() and (hi - lo)[1:].min() > 0.1, seed
        anywhere.append(((lo > 0) | (hi < 0))[1:].any())
    assert sum(anywhere) <= 5, anywhere


def test_a_joint_interval_that_reaches_zero_ends_at_zero_not_at_a_rounding_error():
    # A walkthrough's what-if listed "Hass passes to the government: 7.5% -> 20%, interval 0 to +25" among the outcomes
    # that changed beyond chance: where a bound is 0 in exact arithmetic (the observed |t| is the critical value drawn
    # from the null), floating point left +-1e-17, and its sign decided "beyond chance". One pair in twenty differing
    # is not told from chance, whichever way the rounding falls.
    import numpy as np

    from sim.analysis.bootstrap import joint_intervals
    from sim.analysis.comparison import Difference
    from sim.app.compare_words import beyond_chance

    a = np.zeros((20, 2))
    a[::3, 0] = 1.0
    b = a.copy()
    b[19, 0] = 1.0  # one pair of twenty differs, in each column
    b[0, 1] = 1.0
    lo, hi = joint_intervals(a, b, paired=True, rng=np.random.default_rng(0))
    assert lo.tolist() == [0.0, 0.0], lo
    assert not any(beyond_chance(Difference("x", a[:, k].mean(), b[:, k].mean(), lo[k], hi[k])) for k in range(2))
    for seed in range(30):  # no bound is left a rounding error away from 0, paired or not
        rng = np.random.default_rng(seed)
        a = (rng.random((40, 8)) < 0.4).astype(float)
        b = np.where(rng.random((40, 8)) < 0.1, 1.0 - a, a)
        for paired in (True, False):
            for bound in joint_intervals(a, b, paired=paired, rng=np.random.default_rng(seed)):
                assert not ((bound != 0) & (np.abs(bound) < 1e-9)).any(), (seed, paired, bound)


def test_a_date_error_counting_never_is_shown_as_a_lower_bound(theatre, outcomes):  # noqa: F811
    """An outcome some replicates never see read as a plain, small |date error| (1.0 d for one never captured):
    "never" counts as the day after the run ends, a lower bound. The table marks it; the number is unchanged."""
    from sim.analysis.outcome_answers import outcome_table

    card = score(ensemble(theatre), outcomes)  # the frozen replicates never take T1: 5 days "late", truthful ones 0
    assert outcome_table(card).set_index("outcome").loc["t1-falls", "date_error_days"] == 2.5
    text = scorecard_text(card)
    row = next(line for line in text.splitlines() if line.startswith("| t1-falls "))
    assert "≥ 2.5 |" in row, row
    broken = next(line for line in text.splitlines() if line.startswith("| broken "))
    assert "≥" not in broken, broken  # every replicate saw the truce break
    assert "so the mean |date error| is a lower bound" in text
    truthful = scorecard_text(score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(2)]), outcomes))
    assert "≥" not in truthful.split("## Outcomes")[1]  # (the frozen front's headline capture MAE is one)


def test_one_folders_csv_says_which_date_errors_are_lower_bounds(theatre, outcomes, tmp_path):  # noqa: F811
    """comparison.csv (compare A's outcome table) gave a |date error| counting a date some replicates never see as a
    plain number: the .md marks it "≥ 2.5", but a reader of the CSV alone took it for exact. Its
    `date_error_lower_bound` says so, row by row, as the .md marks it; the .md shows the mark, not the column."""
    from sim.analysis.outcome_answers import outcome_table
    from sim.analysis.report import write_report

    card = score(ensemble(theatre), outcomes)  # the frozen replicates never take T1; every replicate sees the truce break
    written = pd.read_csv(write_report(tmp_path, "comparison", scorecard_text(card), outcome_table(card))[1])
    assert written["date_error_lower_bound"].dtype == bool  # no blank, in a row that has no date error too
    assert written.loc[written["date_error_lower_bound"], "outcome"].tolist() == ["t1-falls"]
    assert written.set_index("outcome").loc["broken", "date_error_days"] >= 0  # dated, exact
    assert card.scores[[s.outcome.id for s in card.scores].index("t1-falls")].never_seen
    assert "lower_bound" not in scorecard_text(card)
    truthful = outcome_table(score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(2)]), outcomes))
    assert not truthful["date_error_lower_bound"].any()


def test_a_headline_capture_mae_counting_never_is_shown_as_a_lower_bound(theatre, outcomes):  # noqa: F811
    """The headline capture MAE counts a capture that never comes as the day after the run ends, a lower bound, and
    was printed as a plain number beside the outcomes' marked ones. It is marked where a capture it counts never comes
    in some replicate (the frozen front's always), and as it was where none does; the number is unchanged."""
    def mae_row(card) -> list[str]:  # noqa: ANN001 - a Scorecard
        line = next(line for line in scorecard_text(card).splitlines() if line.startswith("| capture MAE (days) "))
        return [cell.strip() for cell in line.split("|")[2:-2]]  # model, frozen front, calibration: model, frozen

    card = score(ensemble(theatre), outcomes)  # the frozen replicates never take T1: 5 days "late", truthful ones 0
    assert card.headline()["capture MAE (days)"] == 2.5
    assert mae_row(card) == ["≥ 2.5", "≥ 5.0", "≥ 2.5", "≥ 5.0"], mae_row(card)
    assert "≥: a lower bound: a change of hands the capture MAE counts never comes" in scorecard_text(card)
    truthful = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(2)]), outcomes)
    assert mae_row(truthful) == ["0.0", "≥ 5.0", "0.0", "≥ 5.0"], mae_row(truthful)
    # The app's table, a row for the model and one for the frozen front, says it as compare does.
    from sim.app.outcome_words import scores_markdown

    lines = scores_markdown(card).splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("| capture MAE (days) "))
    assert [[c.strip() for c in line.split("|")[3:-1]] for line in lines[k:k + 2]] == [["≥ 2.5"] * 2, ["≥ 5.0"] * 2]


def test_two_folders_capture_maes_that_are_lower_bounds_are_marked_and_no_closer_or_further_is_read_off_two(theatre, outcomes):  # noqa: F811
    """compare A B and the What-if tab gave A's and B's capture MAE unmarked where a capture it counts never comes
    (counted as the day after the run ends: a lower bound, '≥ 7.2' in compare A), and a B - A of two lower bounds read
    'closer to the record' or 'further'. Each is marked as compare A marks it; B - A of one lower bound and one exact
    MAE is a bound itself (≥, ≤), and of two it says neither. ``ensemble``'s frozen replicates never take T1 (≥ 2.5)."""
    from sim.app.compare_words import scores_markdown, summary

    truthful = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(6)]), outcomes)  # 0.0, exact
    half = score(ensemble(theatre), outcomes)  # ≥ 2.5
    frozen = score(results(theatre, [run(s, FROZEN, **TRUTHFUL) for s in range(6)]), outcomes)  # ≥ 5.0

    def rows(a, b) -> tuple[list[str], str, str]:  # noqa: ANN001 - Scorecards
        c = compare(a, b)
        text = comparison_text(c)
        cells = next(row for row in md_tables(text)[0] if row[0] == "capture MAE (days)")
        verdict = next(line for line in scores_markdown(c).splitlines() if line.startswith("| capture MAE"))
        held = [Difference("towns_regime", 2.0, 2.0, 0.0, 0.0)]  # the sentence's towns (these runs record none)
        return cells[1:4], text + verdict, summary(c, held, c.towns.assign(diff=0.0), c.date, ("A", "B"))

    cells, text, line = rows(truthful, half)  # B - A is at least 2.5: further from the record, as far as bounds go
    assert cells == ["0.0", "≥ 2.5", "≥ 2.5"], cells
    assert "further from the record beyond chance" in text and "a lower bound" in text, text
    cells, text, line = rows(half, truthful)  # at most -2.5: closer
    assert cells == ["≥ 2.5", "0.0", "≤ -2.5"], cells
    assert "closer to the record beyond chance" in text and "falls (closer to the record) from ≥ 2.5 to 0.0" in line, line
    cells, text, line = rows(half, frozen)  # two lower bounds: 2.5 more as counted, nothing known of which is closer
    assert cells == ["≥ 2.5", "≥ 5.0", "2.5"], cells
    verdict = text.splitlines()[-1]
    assert "further from the record" not in verdict and "not known (lower bounds)" in verdict, verdict
    assert "rises (of lower bounds: not known to be further from the record) from ≥ 2.5 to ≥ 5.0" in line, line
    cells, text, _ = rows(truthful, truthful)
    assert cells == ["0.0", "0.0", "0.0"] and "lower bound" not in text, text


def test_the_two_folders_csv_says_which_sides_capture_mae_is_a_lower_bound(theatre, outcomes, tmp_path):  # noqa: F811
    """comparison_vs_<A>.csv gave a capture MAE that is a lower bound as a plain number: a reader of the CSV alone could
    not tell 2.5 from "≥ 2.5". Each row says, side by side, whether A's and B's value is one, as the .md marks it."""
    from sim.analysis.report import write_report

    truthful = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(6)]), outcomes)  # 0.0, exact
    half = score(ensemble(theatre), outcomes)  # ≥ 2.5
    written = pd.read_csv(write_report(tmp_path, "comparison_vs_a", "", comparison_table(compare(truthful, half)))[1])
    assert written[["a_lower_bound", "b_lower_bound"]].dtypes.tolist() == [bool, bool]  # no blank, as a row that is none
    bounds = written[written["a_lower_bound"] | written["b_lower_bound"]]
    assert bounds[["section", "name", "A", "B", "a_lower_bound", "b_lower_bound"]].values.tolist() == [
        ["score", "capture MAE (days)", 0.0, 2.5, False, True]]


def test_compare_gives_the_shift_in_each_dated_outcomes_median_date(theatre, outcomes):  # noqa: F811
    """`compare A B` gave no date shifts: "how much later does T1 fall?" had no answer. A "never" is a bound, not a date."""
    late = [[R, H, B]] * 4 + [[R, R, B]] * 3  # T1 falls on 5 Jan, and the truce never breaks
    a = score(results(theatre, [run(s, TRUE, **TRUTHFUL) for s in range(4)]), outcomes)
    b = score(results(theatre, [run(s, late) for s in range(4)]), outcomes)
    c = compare(a, b)
    shifts = {d.name: d for d in c.dates}
    assert sorted(shifts) == ["broken", "t1-falls"]  # the capture and the event; not the controller or quantity outcomes
    t1 = shifts["t1-falls"]
    assert (t1.date(t1.a), t1.date(t1.b), t1.diff, t1.low, t1.high, t1.bound) == ("2020-01-03", "2020-01-05", 2.0, 2.0, 2.0, None)
    broken = shifts["broken"]  # A: 2 Jan; B: never by 7 Jan, so at least 8 Jan - 2 Jan = 6 days later
    assert broken.date(broken.b) == "never" and math.isnan(broken.diff) and broken.bound == 6
    text = comparison_text(c)
    section = text[text.index("## Dates"):text.index("## On ")]
    row = next(line for line in section.splitlines() if line.startswith("| t1-falls "))
    assert [cell.strip() for cell in row.split("|")[1:5]] == ["t1-falls", "3 Jan 2020", "5 Jan 2020", "2"], row
    row = next(line for line in section.splitlines() if line.startswith("| broken "))
    assert "never" in row and "≥ 6 |" in row, row
    csv = comparison_table(c).set_index(["section", "name"])
    assert csv.loc[("date_shift", "t1-falls"), "B - A"] == 2.0
    assert math.isnan(csv.loc[("date_shift", "broken"), "B - A"]) and "at least 6 days" in csv.loc[("date_shift", "broken"), "note"]
    same = comparison_text(compare(a, a))
    assert "Each of the 2 has the same median date in A and B." in same


def test_a_date_shifts_interval_is_written_in_days_as_the_shift_is(theatre, outcomes):  # noqa: F811
    """The campaign against no_saraqib_posts listed "| -4 | -6.0 | 0.000 |": the interval's ends took a share's
    format (0.000) or a tenth of a day beside a shift in whole days. Whole days are written whole."""
    on = {3: [[R, H, B]] * 2 + [[R, R, B]] * 5, 5: [[R, H, B]] * 4 + [[R, R, B]] * 3}  # T1 falls on 3 or 5 Jan
    a = score(results(theatre, [run(s, on[5]) for s in range(4)]), outcomes)
    b = score(results(theatre, [run(s, on[day]) for s, day in enumerate((3, 3, 5, 5))]), outcomes)
    c = compare(a, b)
    t1 = next(d for d in c.dates if d.name == "t1-falls")
    assert (t1.diff, t1.low, t1.high) == (-2.0, -2.0, 0.0)  # B's resampled median is 3 or 5 Jan
    shift = {h: md_column(comparison_text(c), h, "B - A (days)")["t1-falls"] for h in ("B - A (days)", "low", "high")}
    assert shift == {"B - A (days)": "-2", "low": "-2", "high": "0"}, shift
    # Written as text ("≥ 6", "-"), they were padded right but ruled '---': rendered, they stood to the left.
    table = next(t for t in md_tables(comparison_text(c)) if "B - A (days)" in t[0])
    rules = dict(zip(*table[:2], strict=True))
    assert all(rules[h].endswith(":") for h in ("B - A (days)", "low", "high")), rules


def test_cli_sets_the_joint_patrols_coverage_beside_the_other_key_quantities(build, tmp_path, capsys):
    """Only the app set the patrols' coverage among the key quantities: `compare A B` of Moscow and a what-if that
    blocks every patrol said nothing of the patrols, what the what-if was about."""
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    (build.root / "seeds" / "outcomes.yaml").write_text(LINE_OUTCOMES.split("  - ")[0] + "  - {id: t2, set: calibration, "
        "kind: capture, description: T2 taken, town: T2, by: regime, reported: 2020-01-05, tolerance_days: 2, source: [test-claim]}\n")
    agreement = ev(id="deal", date="2020-01-01", type="agreement", name="d", effective="2020-01-02",
                   parties=["russia", "turkey"], compliance={"regime": 1.0, "rebels": 1.0, "hts": 0.0}, restraint=1.0)
    patrol = ev(date="2020-01-03", type="joint_patrol", route=["T0", "T2"], road="M9", every_days=2,
                participants=["russia", "turkey"])
    for name, block in (("free", 0.0), ("blocked", 1.0)):
        file = build.scenario({"end": "2020-01-20", "events": [agreement, patrol],
                               "factions": {"hts": {"patrol_block": block, "protest_rate": 0.0, "patrol_attack": 0.0,
                                                    "spoiler_rate": 0.0}}}, name=f"{name}.yaml")
        sim_cli(capsys, "run", file, "--runs", "2", "--workers", "1", "--no-map", "-q",
                "--out", tmp_path / name)
    text = sim_cli(capsys, "compare", tmp_path / "free", tmp_path / "blocked")
    assert "patrol_coverage_mean" in text
    row = pd.read_csv(tmp_path / "blocked" / "comparison_vs_free.csv").set_index("name").loc["patrol_coverage_mean"]
    assert (row["A"], row["section"]) == (1.0, "quantity") and 0 <= row["B"] < 1.0


def md_tables(text: str) -> list[list[list[str]]]:
    """Every pipe table in ``text``: its lines (header, rule, rows), each split into cells on the pipes that are not
    escaped ("\\|" is a pipe inside a cell, as Markdown reads it)."""
    tables, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif current:
            tables.append(current)
            current = []
    return tables


def md_column(text: str, header: str, having: str) -> dict[str, str]:
    """Column ``header`` of the first table whose header has a cell ``having``, by the rows' first cell."""
    table = next(t for t in md_tables(text) if having in t[0] and header in t[0])
    k = table[0].index(header)
    return {row[0]: row[k] for row in table[2:]}


def test_the_outcome_table_and_the_date_shift_give_the_same_median_date(theatre, outcomes):  # noqa: F811
    """`compare A` and `compare A B` gave the same ensemble two medians (Saraqib 5 Feb in one, 4 Feb in the other):
    the table took the later middle date of the replicates that saw it, the shift the earlier middle one counting
    "never" as latest. One rule now: the median replicate's date, a replicate that never sees it counting as later
    than any day (the earlier middle one of an even count), so "never" when more than half never see it."""
    from sim.analysis.aggregate import capture_dates

    falls = [[[R, H, B]] * k + [[R, R, B]] * (7 - k) for k in (2, 3, 4, 5)]  # T1 falls on 3, 4, 5, 6 Jan
    runs_a = [run(s, rows, events=[("2020-01-02", "truce_broken")] if s == 0 else []) for s, rows in enumerate(falls)]
    runs_b = [run(s, [[R, H, B]] * 6 + [[R, R, B]], events=[("2020-01-02", "truce_broken")]) for s in range(4)]
    a, b = score(results(theatre, runs_a), outcomes), score(results(theatre, runs_b), outcomes)
    table = md_column(scorecard_text(a), "simulated", "P(met)")
    shifted = md_column(comparison_text(compare(a, b)), "A", "B - A (days)")
    assert set(shifted) == {"t1-falls", "broken"}
    for name, median in shifted.items():
        assert table[name].split(" (")[0].split(";")[0] == median, (name, table[name], median)
    assert shifted["broken"] == "never"  # 3 of the 4 never see the truce break
    cap = capture_dates(runs_a).set_index(["town", "to"]).loc[("T1", "regime")]
    assert cap.q50 == "2020-01-04"  # the earlier of 4 and 5 Jan, as the shift has it


def test_every_table_of_comparison_md_has_as_many_cells_in_each_row_as_in_its_header(theatre, outcomes):  # noqa: F811
    """The outcomes table of `compare A` did not render: its header `|date error| d` held two bare pipes, 11 cells
    over a rule of 9. Every table `compare` writes (one folder, and two) now has one count of cells throughout."""
    late = [[R, H, B]] * 4 + [[R, R, B]] * 3
    a = score(ensemble(theatre), outcomes)
    b = score(results(theatre, [run(s, late) for s in range(6)]), outcomes)
    for text in (scorecard_text(a), comparison_text(compare(a, b))):
        tables = md_tables(text)
        assert len(tables) >= 2
        for table in tables:
            assert {len(row) for row in table} == {len(table[0])}, table[:2]
            assert all(set(cell) <= set("-:") for cell in table[1]), table[1]  # the rule under the header
    header = md_tables(scorecard_text(a))[1][0]
    assert r"\|date error\| d" in header, header  # escaped: Markdown shows |date error| d


ISO = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def test_summaries_and_compares_markdown_write_dates_in_words(theatre, outcomes):  # noqa: F811
    """The run summary's header read "1 Dec 2019 .. 5 Mar 2020" and its rows "2019-12-19"; the ensemble summary and
    `compare` wrote ISO dates throughout. A reader sees one way of writing a date (:func:`sim.names.date_words`);
    the CSV files keep ISO dates, as data."""
    from sim.analysis.outcome_answers import outcome_table
    from sim.analysis.summary import summarise_ensemble

    late = [[R, H, B]] * 4 + [[R, R, B]] * 3
    a, b = ensemble(theatre), results(theatre, [run(s, late) for s in range(6)])
    for r in [*a.runs, *b.runs]:  # the series an ensemble summary reads
        r.timeseries = r.timeseries.assign(**{f"towns_{h}": (r.history == k).sum(axis=1) for k, h in enumerate(("regime", "hts", "rebels"))},
                                           displaced=0.0)
    a.path = theatre.path.parent / "a"
    card_a, card_b = score(a, outcomes), score(b, outcomes)
    texts = {"ensemble summary": summarise_ensemble(a), "compare A": scorecard_text(card_a),
             "compare A B": comparison_text(compare(card_a, card_b))}
    for name, text in texts.items():
        assert not ISO.search(text), (name, ISO.findall(text), text)
    assert "1 Jan 2020 .. 7 Jan 2020" in texts["ensemble summary"] and "3 Jan 2020" in texts["compare A"]
    assert "3 Jan 2020" in texts["compare A B"] and "On 7 Jan 2020: means over replicates" in texts["compare A B"]
    assert ISO.search(outcome_table(card_a).to_csv()) and ISO.search(comparison_table(compare(card_a, card_b)).to_csv())


def test_the_ensemble_summary_lists_the_largest_towns_to_change_hands(build):
    """The campaign's summary listed twelve December villages certain to fall, under "Likeliest changes of hands", and
    neither Saraqib nor Ma'arat al-Numan: it lists the most populous towns that change hands in one replicate in ten
    or more, and says so; the rest are counted."""
    from sim import load_theatre
    from sim.analysis.summary import summarise_ensemble

    # T1 a hamlet, T2 a city, T3 a village, T4 the largest (the helper's runs name the towns T0 .. T4)
    towns = [(f"T{k}", 35.5, 36.0 + 0.05 * k, "regime" if k == 0 else "hts", p) for k, p in enumerate((1000, 300, 90000, 600, 200000))]
    theatre = load_theatre(build.theatre(towns, [(a[0], b[0], "M9") for a, b in zip(towns, towns[1:], strict=False)]))
    early = [[R, H, H, H, H]] + [[R, R, H, R, H]] * 6  # the hamlet and the village fall on 2 Jan in every replicate
    city = [[R, H, H, H, H]] + [[R, R, H, R, H]] * 3 + [[R, R, R, R, H]] * 3  # ... and the city on 5 Jan in most
    rare = [[R, H, H, H, H]] + [[R, R, H, R, H]] * 5 + [[R, R, H, R, R]]  # the largest falls in one run in twenty
    runs = [run(s, city if s % 5 else early) for s in range(19)] + [run(19, rare)]
    for r in runs:
        r.timeseries = r.timeseries.assign(**{f"towns_{h}": (r.history == k).sum(axis=1) for k, h in enumerate(("regime", "hts", "rebels"))},
                                           displaced=0.0)
    manifest = {"scenario_name": "toy", "start": "2020-01-01", "end": "2020-01-07", "inputs": {"claims": "", "theatre": ""}}
    text = summarise_ensemble(Results(build.root / "e", manifest, theatre, runs, len(runs)), towns_shown=2)
    head = next(k for k, line in enumerate(text.splitlines()) if "towns to change hands" in line)
    lines = text.splitlines()[head:head + 4]
    assert lines[0].startswith("Most populous towns to change hands in one replicate in ten or more"), lines[0]
    assert lines[1].split()[:3] == ["T2", "→", "Government"] and "75%" in lines[1] and "5 Jan 2020" in lines[1], lines
    assert lines[2].split()[:3] == ["T3", "→", "Government"] and "100%" in lines[2], lines
    assert lines[3].strip() == "... 2 more in capture_dates.csv (every change of hands)", lines


def test_the_ensemble_summarys_spreads_are_each_a_replicates_value(theatre):  # noqa: F811
    """`run --runs 20` printed "towns held by Government 112 (98 .. 127)" where timeseries_quantiles.csv, the plots
    and every replicate had 142 at the 95% edge: the summary interpolated (127 is no replicate's count, and an even
    count's median fell between two). It reads the CSV's rule: each quantile a replicate's value."""
    from sim.analysis.summary import summarise_ensemble

    towns, displaced = [1, 1, 2, 3], [0.0, 100.0, 200.0, 1000.0]  # interpolated medians 1.5 and 150, 95% edge 880
    runs = [run(s, [[R, H, B]] * 7) for s in range(4)]
    for r, n, d in zip(runs, towns, displaced, strict=True):
        r.timeseries = r.timeseries.assign(towns_regime=float(n), towns_hts=1.0, towns_rebels=1.0, displaced=d)
    text = summarise_ensemble(results(theatre, runs))
    line = next(x for x in text.splitlines() if "towns held by Government" in x)
    assert line.split()[-4:] == ["1", "(1", "..", "3)"], line
    line = next(x for x in text.splitlines() if "civilians displaced" in x)
    assert line.split()[-4:] == ["100", "(0", "..", "1,000)"], line


def test_the_apps_words_give_the_median_and_the_replicates_that_never_see_it(theatre, outcomes):  # noqa: F811
    """The app's words read "never" for any outcome whose median is never, as if no replicate saw it: the median is
    never when more than half never see it (one rule with `compare`), and the range and the count follow."""
    from sim.app.outcome_words import simulated

    runs = [run(0, TRUE), run(1, [[R, H, B]] * 4 + [[R, R, B]] * 3)] + [run(s, FROZEN) for s in (2, 3, 4)]
    card = score(results(theatre, runs), outcomes)
    s = next(s for s in card.scores if s.outcome.id == "t1-falls")
    assert simulated(s).replace("\u00a0", " ") == "never (3 January 2020 – never); never in 3 of 5"
    assert md_column(scorecard_text(card), "simulated", "P(met)")["t1-falls"] == "never (3 Jan 2020 .. never); never in 3/5"


def test_compare_of_one_folder_says_why_a_headline_score_is_not_given(tmp_path, capsys):
    """`compare` of the Moscow ceasefire printed "-" for control accuracy, Brier and capture MAE and said nothing of
    why (the app says: no outcome in the window reports who holds a town, or is a dated change of hands)."""
    import sim
    from sim.io.scenario import load_scenario

    moscow = load_scenario(ROOT / "scenarios" / "moscow.yaml")
    sim.write_run(sim.simulate(moscow, days=20), tmp_path / "run", map_png=False)
    text = sim_cli(capsys, "compare", tmp_path / "run")
    headline = md_tables(text)[0]
    missing = [row[0] for row in headline[2:] if row[1] == "-"]
    assert set(missing) >= {"control accuracy", "Brier", "capture MAE (days)"}, headline
    # Each reason once, with the scores it stands for (control accuracy and Brier want the same outcomes: said twice
    # in the same words until round 68).
    assert "control accuracy and Brier are not given (-): none of the outcomes in the window reports who holds a town " \
        "on a date." in text, text
    assert "capture MAE (days) is not given (-): none of the outcomes in the window is a dated change of hands." in text
    assert text.count("reports who holds a town on a date") == 1, text


def test_a_towns_changes_of_hands_in_the_ensemble_summary_come_in_the_order_they_happen(theatre):  # noqa: F811
    """`run --runs 40` listed "Ariha → Turkish-backed rebels 32%" above "Ariha → Government 32%": the rebels can
    retake a town only after the government has taken it. A town's changes of hands come earliest first."""
    from sim.analysis.summary import summarise_ensemble

    # T1 (HTS) falls to the government on 3 Jan and the rebels take it on 5 Jan, in every replicate.
    rows = [[R, H, B], [R, H, B], [R, R, B], [R, R, B], [R, B, B], [R, B, B], [R, B, B]]
    runs = [run(s, rows) for s in range(4)]
    for r in runs:
        r.timeseries = r.timeseries.assign(towns_regime=1.0, towns_hts=1.0, towns_rebels=1.0, displaced=0.0)
    lines = [x.split() for x in summarise_ensemble(results(theatre, runs)).splitlines() if x.startswith("  T1 ")]
    assert [x[2] for x in lines] == ["Government", "Turkish-backed"], lines


def test_a_long_outcome_list_shows_the_outcomes_that_changed_largest_first(theatre, outcomes):  # noqa: F811
    """`compare campaign whatif` printed every outcome (172 then), most of them '0.000 | 0.000 | 0.000', while the dates and the
    towns showed what moved, largest first: what a what-if changed was lost among the rows it did not. A list longer
    than a screen now shows the outcomes whose share changed, largest first, and counts the rest (all in the CSV)."""
    import dataclasses

    from sim.analysis.comparison import Difference

    a = score(ensemble(theatre), outcomes)
    listed = [Difference(f"o{i:02d}", 0.5, 0.5, 0.0, 0.0) for i in range(40)]
    listed[7] = Difference("o07", 0.5, 0.75, 0.0, 0.5)
    listed[30] = Difference("o30", 1.0, 0.25, -1.0, -0.5)
    c = dataclasses.replace(compare(a, a), outcomes=listed)
    text = comparison_text(c, csv_name="cmp.csv")
    section = text[text.index("## Outcomes"):text.index("## On ")]
    rows = [t for t in md_tables(section) if t[0][0] == "outcome"][0][2:]
    assert [r[0] for r in rows] == ["o30", "o07"], rows
    assert "38 of the 40 are met in the same share of replicates in A and B (every outcome is in cmp.csv)" in section, section
    assert len(comparison_table(c).query("section == 'outcome'")) == 40
    nothing = dataclasses.replace(c, outcomes=[Difference(f"o{i:02d}", 0.5, 0.5, 0.0, 0.0) for i in range(40)])
    section = comparison_text(nothing)[:]
    assert "Each of the 40 is met in the same share of replicates in A and B." in section
    short = comparison_text(compare(a, a))  # a short list is shown whole, as it was
    assert [r[0] for t in md_tables(short) if t[0][0] == "outcome" for r in t[2:]] == [d.name for d in compare(a, a).outcomes]


def test_an_outcome_defined_differently_in_a_and_b_is_left_out_not_set_side_by_side(line20, build, tmp_path, capsys):
    """Each folder is scored against the outcomes.yaml beside its own claims record: a folder from another checkout,
    whose outcomes.yaml gave the same ids other tolerances, was set beside the same runs outcome by outcome, the report
    saying "every B - A below is zero by construction" above a B - A of -0.3 in outcomes met (the tolerances' doing)."""
    import json
    import shutil

    from sim import compare as api_compare
    from sim import scorecard

    _, push = line20
    a, b = tmp_path / "a", tmp_path / "b"
    sim_cli(capsys, "run", push, "--runs", "2", "--workers", "1", "--no-map", "-q", "--out", a)
    shutil.copytree(a, b)
    other = tmp_path / "other"  # another checkout: the same theatre and claims, its outcomes' tolerances 0 days
    (other / "seeds").mkdir(parents=True)
    for f in build.root.glob("toy.*"):
        shutil.copy(f, other / f.name)
    shutil.copy(build.root / "seeds" / "claims.yaml", other / "seeds" / "claims.yaml")
    (other / "seeds" / "outcomes.yaml").write_text(re.sub(r"tolerance_days: \d", "tolerance_days: 0", LINE_OUTCOMES))
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["inputs"] = {"theatre": str(other / "toy.yaml"), "claims": str(other / "seeds" / "claims.yaml")}
    (b / "manifest.json").write_text(json.dumps(manifest))

    text = sim_cli(capsys, "compare", a, b)
    assert "4 outcomes that A's and B's outcomes files define differently under the same id are left out" in text, text
    assert f"A was scored against {build.root / 'seeds' / 'outcomes.yaml'}, B against {other / 'seeds' / 'outcomes.yaml'}" in text
    table = pd.read_csv(b / "comparison_vs_a.csv")
    scored = table[table["section"].isin(["score", "outcome"]) & table["note"].isna()]
    assert (scored["B - A"] == 0).all(), scored  # what is set side by side is the same runs on the same outcomes
    redefined = table[table["note"].fillna("").str.contains("define it differently")]
    assert sorted(redefined["name"]) == ["t12", "t12", "t15", "t15", "t5", "t5", "t9", "t9"]  # A's share and B's, apart
    # The Python API pairs them alike: B scored against the other file given by name.
    c = api_compare(scorecard(a), scorecard(a, other / "seeds" / "outcomes.yaml"))
    assert set(c.redefined) == set(redefined["name"]) and all(d.diff == 0 for d in c.outcomes + c.headlines if d.note == "")


def test_the_scorecard_functions_refuse_what_is_not_a_scorecard_and_compare_refuses_with_input_errors(theatre, outcomes):  # noqa: F811
    """From Python, ``sim.control_misses("results/x")`` (the folder ``sim.scorecard`` takes) raised "AttributeError: 'str'
    object has no attribute 'pair_places'", and outcome_table, headline_table and compare likewise, given a path or the
    Results; ``compare`` of two results on different theatres, or with no simulated day in common, raised a bare
    ValueError, which only the command line turned into the project's error."""
    import dataclasses

    import sim

    ens = dataclasses.replace(ensemble(theatre), path=Path("results/a"))
    card = score(ens, outcomes)
    for given in ("results/x", ens, None):
        for route, key in [(lambda: sim.outcome_table(given), "card"), (lambda: sim.headline_table(given), "card"),
                           (lambda: sim.control_misses(given), "card"), (lambda: sim.compare(given, card), "a"),
                           (lambda: sim.compare(card, given), "b")]:
            with pytest.raises(sim.InputError) as info:
                route()
            assert info.value.key == key and info.value.message == (
                f"needs a Scorecard: sim.scorecard(folder), of a results folder or the Results of sim.load_results or "
                f"sim.run_ensemble (got a {type(given).__name__})"), info.value
    elsewhere = dataclasses.replace(ens, theatre=dataclasses.replace(theatre, towns=["X0", "X1", "X2"]))
    with pytest.raises(sim.InputError, match="the two results are on different theatres"):
        compare(card, score(elsewhere, outcomes))
    later = dataclasses.replace(ens, path=Path("results/b"), manifest={**ens.manifest, "start": "2020-01-07", "end": "2020-01-13"})
    with pytest.raises(sim.InputError, match="share no simulated day"):
        compare(card, score(later, []))


def test_score_refuses_a_folders_path_or_outcomes_that_are_not_outcomes_naming_the_argument(theatre, outcomes):  # noqa: F811
    """``sim.score`` is exported beside ``sim.scorecard``, yet ``sim.score("results/x", outcomes)`` raised "AttributeError:
    'str' object has no attribute 'runs'" and ``sim.score(results, "seeds/outcomes.yaml")`` "'str' object has no
    attribute 'applies'"; each now names its argument and points to sim.scorecard, which takes paths."""
    import sim

    ens = ensemble(theatre)
    for given in ("results/x", None):
        with pytest.raises(sim.InputError, match=r"^'results': needs the Results of sim.load_results.*sim.scorecard") as info:
            sim.score(given, outcomes)
        assert info.value.key == "results"
    for given in ("seeds/outcomes.yaml", ["t1"], None):
        with pytest.raises(sim.InputError, match=r"^'outcomes': needs a list of outcomes.*sim.scorecard") as info:
            sim.score(ens, given)
        assert info.value.key == "outcomes"
    assert sim.score(ens, outcomes).headline() == score(ens, outcomes).headline()  # the right kinds still score


def test_comparison_table_keeps_every_digit_so_its_a_and_b_subtract_to_its_b_minus_a(theatre, outcomes, tmp_path):  # noqa: F811
    """comparison_vs_*.csv wrote six significant digits: a mean of 1,075,685.1 displaced read 1.07569e+06, so its A
    and B no longer subtracted to its B - A. Each float is now written as Python writes it (its repr, which reads back
    to the very number), in the file compare writes and the app's download alike."""
    import dataclasses

    from sim.analysis.comparison import Difference
    from sim.analysis.report import write_report

    a = score(ensemble(theatre), outcomes)
    c = dataclasses.replace(compare(a, a), quantities=[Difference("displaced", 1075685.1, 669198.5, -410000.25, -400000.75),
                                                      Difference("regime_pressure", 0.4120111684248896, 0.5, -0.1, 0.2)])
    written = pd.read_csv(write_report(tmp_path, "comparison_vs_a", "", comparison_table(c))[1])
    rows = written[written["section"] == "quantity"].set_index("name")
    assert rows.loc["displaced", ["A", "B", "low", "high"]].tolist() == [1075685.1, 669198.5, -410000.25, -400000.75]
    assert rows.loc["regime_pressure", "A"] == 0.4120111684248896
    numbers = written.dropna(subset=["A", "B", "B - A"])
    assert len(numbers) > 2 and ((numbers["B"] - numbers["A"]) == numbers["B - A"]).all()


@pytest.mark.slow
def test_the_readmes_moscow_without_turkish_troops_after_5_march_is_felt_in_nothing(tmp_path, capsys):
    """The third change the model does not feel (docs/record.md): moscow.yaml without its three Turkish build-ups after
    5 March (40 replicates) is identical to it but for the troop count, since its deal never breaks for more troops to
    deter."""
    whatif = tmp_path / "w.yaml"
    whatif.write_text(f"extends: {ROOT / 'scenarios' / 'moscow.yaml'}\nname: w\nremove_events: [turkish-build-up-april, "
                      "turkish-build-up-may, turkish-build-up-summer]\n")
    for name, scenario in (("a", ROOT / "scenarios" / "moscow.yaml"), ("b", whatif)):
        sim_cli(capsys, "run", scenario, "--runs", "40", "--workers", "1", "-q", "--out", tmp_path / name)
    top = sim_cli(capsys, "compare", tmp_path / "a", tmp_path / "b").split("## ")[0]
    assert "identical in every replicate" in top and "differ only in turkish_troops" in top, top


# --- ensembles that share some seeds but not all ---------------------------------------------------------------


def _on_seeds(theatre, outcomes, seeds, rows):  # noqa: F811 - the fixtures' values
    return score(results(theatre, [run(s, rows[s], **TRUTHFUL) for s in seeds]), outcomes)


def test_ensembles_sharing_some_seeds_are_paired_on_those_and_the_report_says_which(theatre, outcomes):  # noqa: F811
    """A on seeds 0-5 and B on 2-7 were scored unpaired over all twelve replicates and called "independent replicates",
    though 2-5 ran the same seeds in both (and so the same luck). They are paired on the four both ran; here the
    change reached none of them, so every difference is zero with a zero-wide interval, which B's own two seeds
    (both truthful, unlike A's 0) would have hidden."""
    rows = {s: TRUE if s % 2 or s >= 6 else FROZEN for s in range(8)}
    a, b = _on_seeds(theatre, outcomes, range(0, 6), rows), _on_seeds(theatre, outcomes, range(2, 8), rows)
    c = compare(a, b)
    assert c.paired and c.same_runs
    assert [r.seed for r in c.a.results.runs] == [r.seed for r in c.b.results.runs] == [2, 3, 4, 5]
    assert (c.seeds.only_a, c.seeds.only_b) == ((0, 1), (6, 7))
    for d in [*c.headlines, *c.outcomes]:
        assert (d.diff, d.low, d.high) == (0.0, 0.0, 0.0) or math.isnan(d.diff), d
    top = comparison_text(c).split("## ")[0]
    assert "paired on the 4 seeds both ran (2–5)" in top, top
    assert "A's 2 other replicates (seeds 0–1) and B's 2 (seeds 6–7) are left out" in top, top
    assert "run B's scenario again on A's seeds (`--seed 0 --runs 6`" in top, top  # how to pair them all
    within = comparison_text(compare(_on_seeds(theatre, outcomes, range(2, 4), rows), b)).split("## ")[0]
    assert "B's 4 other replicates (seeds 4–7) are left out" in within, within  # A's seeds all paired: A's to extend
    assert "run A's scenario again on B's seeds (`--seed 2 --runs 6`" in within, within
    # What the app says above its tables, in its own words.
    from sim.app.compare_words import intro

    assert "paired on the 4 seeds both ran (2–5)" in intro(c)


def test_ensembles_sharing_one_seed_are_compared_unpaired_and_the_report_names_it(theatre, outcomes):  # noqa: F811
    """One shared seed is too few to pair on (a bootstrap over one pair has no spread): all the replicates are compared,
    unpaired, and the report names the seed they share and how to pair them all."""
    rows = {s: TRUE if s % 2 else FROZEN for s in range(5)}
    c = compare(_on_seeds(theatre, outcomes, range(0, 3), rows), _on_seeds(theatre, outcomes, range(2, 5), rows))
    assert not c.paired and len(c.a.results.runs) == len(c.b.results.runs) == 3
    top = comparison_text(c).split("## ")[0]
    assert "independent replicates, though seed 2 is in both (pairing needs 2 or more)" in top, top
    assert "--seed 0 --runs 3" in top, top
    top = comparison_text(compare(*(_on_seeds(theatre, outcomes, s, rows) for s in (range(0, 2), range(3, 5))))).split("## ")[0]
    assert "independent replicates (no seed in common)" in top and "--seed 0 --runs 2" in top, top
    same = comparison_text(compare(*(_on_seeds(theatre, outcomes, range(0, 3), rows),) * 2)).split("## ")[0]
    assert "paired (same seeds)" in same and "--seed" not in same, same


def test_cli_compares_ensembles_sharing_some_seeds_paired_on_those(line20, tmp_path, capsys):
    """The command is a face on :func:`sim.compare`: A on seeds 40-42, B on 41-43 are paired on 41 and 42."""
    still, push = line20
    sim_cli(capsys, "run", still, "--runs", "3", "--workers", "1", "--no-map", "-q", "--out", tmp_path / "a")
    sim_cli(capsys, "run", push, "--runs", "3", "--seed", "41", "--workers", "1", "--no-map", "-q", "--out", tmp_path / "b")
    top = sim_cli(capsys, "compare", tmp_path / "a", tmp_path / "b").split("## ")[0]
    assert "A = toy (2 runs), B = toy (2 runs)" in top, top  # the replicates compared
    assert "paired on the 2 seeds both ran (41–42)" in top, top
    assert "A's 1 other replicate (seed 40) and B's 1 (seed 43) are left out" in top, top
    assert f"python -m sim run {push} --seed 40 --runs 3" in top, top


def test_the_command_to_pair_every_replicate_names_the_scenario_as_found_from_where_compare_runs(line20, tmp_path, capsys,
                                                                                                 monkeypatch):
    """Round 77: B run as `run push.yaml` in its own folder, compared from another, was told to pair its replicates
    with `python -m sim run push.yaml --seed 40 --runs 3`, a path from the folder B was run in, which from here names
    no file. The manifest keeps the file as resolved then; the command names it from where compare runs."""
    still, push = line20
    monkeypatch.chdir(push.parent)
    sim_cli(capsys, "run", still, "--runs", "3", "--workers", "1", "--no-map", "-q", "--out", tmp_path / "a")
    sim_cli(capsys, "run", push.name, "--runs", "3", "--seed", "41", "--workers", "1", "--no-map", "-q", "--out", tmp_path / "b")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    top = sim_cli(capsys, "compare", tmp_path / "a", tmp_path / "b").split("## ")[0]
    named = re.search(r"`python -m sim run (\S+) --seed 40 --runs 3`", top)
    assert named and Path(named[1]).resolve() == push.resolve(), top


def test_the_command_to_pair_every_replicate_can_be_pasted_whatever_the_scenarios_path():
    """A what-if saved as "my what-if.yaml" was named bare in the command, which a shell splits in two."""
    from sim.analysis.shared_seeds import SeedPairing

    said = SeedPairing((1, 2, 3), (2, 3)).rerun("a.yaml", "my runs/my what-if.yaml")
    assert "`python -m sim run 'my runs/my what-if.yaml' --seed 1 --runs 3`" in said, said


def test_counts_of_one_and_of_none_read_as_words():
    """'Of the 1 holders the record gives', 'Each of the 1 has the same median date' and '0 have the same median date'
    were printed for a record of one holder, one dated outcome, and shifts that moved every date."""
    from sim.analysis.comparison_report import _same_dates
    from sim.analysis.report import _holders

    assert _holders(1) == "the one holder" and _holders(4) == "the 4 holders"
    assert _same_dates(0) == "None has the same median date in both."
    assert _same_dates(1) == "1 has the same median date in both."
    assert _same_dates(3) == "3 have the same median date in both."


def test_a_comparison_from_python_gives_the_table_the_command_line_writes(line20, tmp_path, capsys):
    """From Python, sim.compare gave lists of Difference objects only: the long table of comparison_vs_*.csv, with its
    columns (section, name, A, B, B - A, low, high, note), could not be had through the sim namespace, and
    pandas.DataFrame(c.quantities) had other column names and no B - A."""
    import sim

    still, push = line20
    a, b = tmp_path / "a", tmp_path / "b"
    sim_cli(capsys, "run", still, "--runs", "2", "--workers", "1", "-q", "--out", a)
    sim_cli(capsys, "run", push, "--runs", "2", "--workers", "1", "-q", "--out", b)
    sim_cli(capsys, "compare", a, b)
    table = sim.comparison_table(sim.compare(sim.scorecard(a), sim.scorecard(b)))
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["section", "name", "A", "B", "B - A", "low", "high",
                                                                       "note", "a_lower_bound", "b_lower_bound"]
    written = pd.read_csv(b / "comparison_vs_a.csv", keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(table.assign(note=table["note"].replace("", math.nan)), written, check_dtype=False)
    with pytest.raises(sim.InputError) as info:  # one folder's scorecard: its table is outcome_table's
        sim.comparison_table(sim.scorecard(a))
    assert info.value.key == "comparison" and "sim.compare(card_a, card_b)" in info.value.message, info.value
    assert "sim.outcome_table(card)" in info.value.message, info.value


def test_compare_a_b_says_which_way_each_score_is_closer_to_the_record_and_that_closer_is_not_better(theatre, outcomes):  # noqa: F811
    """`compare A` has a "better is" column; `compare A B` gave B - A of four scores, two better higher and two lower,
    with nothing to say which way was which: a what-if's Brier of +0.120 read as an improvement (round 77's new-user
    walk). And a what-if parts from the record by its premise, so a score further from it is no verdict on the
    what-if: the report now says which way each score is closer to the record, and that closer is not better, as the
    app's What-if tab does."""
    late = [[R, H, B]] * 4 + [[R, R, B]] * 3
    a = score(ensemble(theatre), outcomes)
    b = score(results(theatre, [run(s, late) for s in range(6)]), outcomes)
    text = comparison_text(compare(a, b))
    assert md_column(text, "closer to the record when", "B - A") == {
        "outcomes met": "higher", "control accuracy": "higher", "Brier": "lower", "capture MAE (days)": "lower"}
    section = text.split("## Headline scores against the record")[1].split("## ")[0]
    assert "not that B is to be preferred" in section and "premise" in section, section
