"""Scenario discovery (PRIM) on a planted sweep whose answer is known: days >= 30 exactly where a > 0.6 and b < 0.3."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import InputError
from sim.analysis.discovery import discover, parse_condition
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec

from . import toys
from .test_runs import run_cli


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """400 LHS points over a, b, c in [0, 1], 3 noisy replicates each (toys.planted)."""
    design = make_design("lhs", [Parameter("a", 0, 1), Parameter("b", 0, 1), Parameter("c", 0, 1)], n=400, seed=3)
    out = tmp_path_factory.mktemp("planted") / "sweep"
    run_sweep(SweepSpec(Path("toy"), design, runs=3), out, evaluate=toys.planted)
    return out


def test_prim_finds_the_planted_box(planted):
    found = discover(planted, "days >= 30")
    inside = found.points["a"].gt(0.6) & found.points["b"].lt(0.3)
    assert found.points["of_interest"].tolist() == inside.tolist()  # the means over replicates are exact here
    box = found.boxes[0]
    limits = box.limits.set_index("parameter")
    assert set(limits.index) == {"a", "b"}  # c does nothing: left free
    assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05) and limits.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    assert limits.loc["a", "qp_low"] < 1e-6 and limits.loc["b", "qp_high"] < 1e-6  # both limits matter
    assert np.isnan(limits.loc["a", "qp_high"]) and np.isnan(limits.loc["b", "qp_low"])  # the other sides are not restricted
    assert box.coverage >= 0.95 and box.density >= 0.8 and box.meets_threshold
    assert box.of_interest == int(inside.sum() * box.coverage + 0.5)
    assert len(found.boxes) == 1  # nothing of interest is left outside it
    trajectory = found.trajectories[0]
    assert trajectory["selected"].sum() == 1 and trajectory.loc[box.step, "density"] == box.density


def test_a_box_of_one_point_is_counted_in_words(tmp_path):
    """A box holding a single point read "(1 of the 1 points inside are of interest" (round 69's what-if walk: a grid
    of four restraints, the truce holding 20 days at the highest alone)."""
    import sim

    design = make_design("grid", [Parameter("a", values=(0.0, 0.3, 0.5, 0.9)), Parameter("b", values=(0.1,)),
                                  Parameter("c", values=(0.5,))])
    run_sweep(SweepSpec(Path("toy"), design, runs=2), tmp_path / "s", evaluate=toys.planted)
    text = sim.discovery_report(tmp_path / "s", "days >= 30", out=tmp_path / "d").text
    assert "(the one point inside is of interest;" in text and "1 of the 1 points" not in text, text


def test_discover_says_how_many_runs_lack_the_metric_its_means_are_of(tmp_path):
    """A day:<id> is NaN where the change never came: a point was 'of interest' by the mean of the runs that saw it,
    half of them at a sweep of the drones' strength, and discover.md said 'the mean over its replicates' and
    peeling.png 'mean of 4 replicates per point' (round 69's what-if walk). day:late never comes where a = 0, nor in
    replicate 0 (seed 0) of the point a = 1."""
    import sim
    from sim.viz.discovery_report import peeling_figure

    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.5,))])
    run_sweep(SweepSpec(Path("toy"), design, runs=4), tmp_path / "s", evaluate=toys.sometimes_never, seed=0)
    report = sim.discovery_report(tmp_path / "s", "day:late <= 40", out=tmp_path / "d")
    points = report.discovery.points
    assert points["day:late_runs"].tolist() == [0, 3] and points["of_interest"].tolist() == [False, True], points
    assert "`day:late` (never in 5/8)" in report.text, report.text  # the sweep report's words
    assert "A point's mean of it is over the runs that have one" in report.text, report.text
    title = " ".join(peeling_figure(report.discovery).get_suptitle().split())  # broken between words to fit
    assert title.endswith("(mean of 4 replicates per point, of those with a value)"), title
    whole = sim.discovery_report(tmp_path / "s", "y >= 0.5", out=tmp_path / "y")
    assert "no value" not in whole.text and "y_runs" not in whole.discovery.points, whole.text
    assert peeling_figure(whole.discovery).get_suptitle().endswith("(mean of 4 replicates per point)")


def test_discover_on_capture_mae_says_its_means_are_lower_bounds_where_a_capture_never_came(tmp_path):
    """capture_mae_days counts a capture that never comes as the day after the run ends, a lower bound: compare marks
    it "≥ 7.2", and the sweep's report.md and figures say so, but discover.md and peeling.png tested and drew points'
    means of it as exact. They say so, with how many runs, as the sweep report does, and its points count them point by
    point as points.csv does; with every capture seen, nothing is said. day:t1 never comes in replicate 0 (seed 0) of
    each point; with seeds 1 to 3 it always comes."""
    import sim
    from sim.viz.discovery_report import peeling_figure

    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.5,))])
    run_sweep(SweepSpec(Path("toy"), design, runs=4), tmp_path / "s", evaluate=toys.captures, seed=0)
    report = sim.discovery_report(tmp_path / "s", "capture_mae_days >= 15", out=tmp_path / "d")
    assert report.discovery.points["capture_mae_days_runs_missing_a_capture"].tolist() == [1, 1]
    assert "`capture_mae_days`'s means are lower bounds (compare's ≥): a capture it counts never came in 2 of the 8 runs" \
        in " ".join(report.text.split()), report.text
    title = " ".join(peeling_figure(report.discovery).get_suptitle().split())
    assert "lower bounds: a capture never came in 2 of the 8 runs" in title, title
    run_sweep(SweepSpec(Path("toy"), design, runs=3), tmp_path / "every", evaluate=toys.captures, seed=1)
    every = sim.discovery_report(tmp_path / "every", "capture_mae_days >= 5", out=tmp_path / "e")
    assert every.discovery.points["capture_mae_days_runs_missing_a_capture"].tolist() == [0, 0]
    assert "lower bound" not in every.text and "lower bound" not in peeling_figure(every.discovery).get_suptitle()
    # Another metric of the same runs: no capture MAE, nothing said of one.
    other = sim.discovery_report(tmp_path / "s", "y >= 0.5", out=tmp_path / "y")
    assert "lower bound" not in other.text and "capture_mae_days_runs_missing_a_capture" not in other.discovery.points


def test_python_writes_what_discover_writes_through_the_sim_namespace(planted, tmp_path):
    """``sim.discover`` returns the boxes and writes nothing: ``discover.md``, ``boxes.csv`` and ``peeling.png`` came
    from ``sim.viz.discovery_report``, which neither ``import sim`` nor the README offered."""
    import sim

    report = sim.discovery_report(planted, "days >= 30", out=tmp_path / "d")
    assert sorted(f.name for f in report.files) == ["boxes.csv", "discover.md", "peeling.png"]
    assert all(f.parent == tmp_path / "d" for f in report.files)
    assert "## Box 1" in report.text and report.discovery.boxes[0].meets_threshold
    assert "discovery_report" in dir(sim) and inspect.getdoc(type(report)).startswith("What ")


def test_a_discovery_gives_the_table_discover_writes_to_boxes_csv(planted, tmp_path):
    """``sim.discover`` returned a list of Box objects, each with its own small table of limits: the one table of
    boxes.csv (a row per box and parameter, with the box's coverage and density) was only to be had by writing it."""
    import sim

    found = sim.discover(planted, "days >= 30")
    sim.discovery_report(planted, "days >= 30", out=tmp_path / "d")
    table = found.table()
    assert isinstance(table, pd.DataFrame) and table["parameter"].tolist() == ["a", "b"]
    pd.testing.assert_frame_equal(table, pd.read_csv(tmp_path / "d" / "boxes.csv"), check_dtype=False)


def test_a_discovery_prints_as_a_few_lines_not_every_point(planted):
    """``print(sim.discover(...))`` printed the dataclass whole: every point's row and every step of each trajectory."""
    found = discover(planted, "days >= 30")
    of_interest = int(found.points["of_interest"].sum())
    shown = repr(found)
    assert len(shown.splitlines()) <= 3 and len(shown) < 300, shown
    assert "'days >= 30'" in shown and f"{of_interest} of 400 points" in shown and "1 box" in shown, shown
    assert "coverage 1.00" in shown or "coverage 0.9" in shown, shown
    assert str(found) == shown


def test_discover_on_the_command_line(planted, tmp_path):
    out = tmp_path / "d"
    p = run_cli("discover", planted, "--where", "days >= 30", "--out", out)
    assert p.returncode == 0, p.stderr
    assert {f.name for f in out.iterdir()} == {"discover.md", "boxes.csv", "peeling.png", ".idlib-sim"}  # a folder marked as ours
    text = (out / "discover.md").read_text()
    assert "## Box 1" in text and "| a " in text and "| b " in text and "coverage **1.00**" in text
    boxes = pd.read_csv(out / "boxes.csv")
    assert boxes["parameter"].tolist() == ["a", "b"] and (boxes["box"] == 1).all()
    png = (out / "peeling.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    p = run_cli("discover", planted, "--where", "dayz >= 30", "--out", tmp_path / "bad")
    assert p.returncode == 2 and "did you mean 'days'" in p.stderr and "Traceback" not in p.stderr
    p = run_cli("discover", planted, "--where", "days => 30", "--out", tmp_path / "bad")
    assert p.returncode == 2 and "METRIC OP NUMBER" in p.stderr
    p = run_cli("discover", planted, "--where", "days >= ", "--out", tmp_path / "bad")
    assert p.returncode == 2 and "'days >=' has no number after '>='" in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_nothing_of_interest_is_said_so(planted, tmp_path):
    found = discover(planted, "days > 1000")
    assert not found.boxes and not found.points["of_interest"].any()
    p = run_cli("discover", planted, "--where", "days > 1000", "--out", tmp_path / "none")
    assert p.returncode == 0 and "No point meets the condition" in (tmp_path / "none" / "discover.md").read_text()


def test_conditions():
    assert parse_condition("ceasefire_days:jan-truce >= 30", ["ceasefire_days:jan-truce"]) == ("ceasefire_days:jan-truce", ">=", 30.0)
    assert parse_condition(" met:x==1", ["met:x"]) == ("met:x", "==", 1.0)
    for bad in ("ceasefire_days", "ceasefire_days >= thirty", "ceasefire_days >= 30 and towns > 3"):
        with pytest.raises(InputError):
            parse_condition(bad, ["ceasefire_days"])
    # A condition without its number: "'=' is not a number" (read as ceasefire_days > "=").
    for bad, op in (("ceasefire_days >= ", ">="), ("ceasefire_days<=", "<="), ("ceasefire_days >", ">")):
        with pytest.raises(InputError) as info:
            parse_condition(bad, ["ceasefire_days"])
        assert info.value.message == (f"{bad.strip()!r} has no number after '{op}': a condition is METRIC OP NUMBER "
                                      f"(e.g. 'ceasefire_days {op} 30')"), info.value
    assert parse_condition("ceasefire_days >= -3", ["ceasefire_days"]) == ("ceasefire_days", ">=", -3.0)


def test_a_condition_names_its_metric_by_its_alias_too():
    """EMA Workbench names an outcome by its alias (ceasefire_days__jan_truce): given it, discover said "no metric
    ..., did you mean 'ceasefire_days:jan-truce'?", where every route takes a parameter's alias for its path."""
    metrics = ["ceasefire_days", "ceasefire_days:jan-truce", "met:maarat-captured"]
    assert parse_condition("ceasefire_days__jan_truce >= 30", metrics) == ("ceasefire_days:jan-truce", ">=", 30.0)
    assert parse_condition("met__maarat_captured == 1", metrics) == ("met:maarat-captured", "==", 1.0)
    with pytest.raises(InputError, match="did you mean 'ceasefire_days:jan-truce'"):  # an alias of none: as any unknown
        parse_condition("ceasefire_days__jan_truse >= 30", metrics)


def test_a_discovery_asked_by_a_metrics_alias_writes_its_condition_as_the_rows_name_it(tmp_path):
    """discover.md read "the mean of `day:late` over its replicates meets `day__late <= 40`": two names for one metric."""
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.5,))])
    run_sweep(SweepSpec(Path("toy"), design, runs=4), tmp_path / "s", evaluate=toys.sometimes_never, seed=0)
    found = discover(tmp_path / "s", " day__late <=40 ")
    assert (found.metric, found.condition) == ("day:late", "day:late <=40")
    assert discover(tmp_path / "s", "day:late<= 40").condition == "day:late<= 40"  # as written, where it names the column


@pytest.mark.parametrize("threshold", [80.0, float("nan"), -1.0, 0.0])
def test_a_threshold_that_is_not_a_share_is_refused(planted, threshold):
    # 80 (a percentage) or nan ran, and the report spoke of a density threshold of 80 or nan.
    with pytest.raises(InputError, match="must be a share") as info:
        discover(planted, "y >= 1", threshold=threshold)
    assert info.value.key == "threshold"


@pytest.mark.parametrize("setting, value, words", [
    ("peel_alpha", 0, "must be a share of points above 0 and below 1 (got 0)"),  # EMA's AssertionError, no message
    ("peel_alpha", 2, "must be a share of points above 0 and below 1 (got 2)"),
    ("paste_alpha", 1.0, "must be a share of points above 0 and below 1 (got 1.0)"),
    ("paste_alpha", "0.1", "must be a share of points above 0 and below 1 (got '0.1')"),
    ("mass_min", 1, "must be a share of points from 0 up to, not including, 1 (got 1)"),  # ran: no box could be peeled
    ("mass_min", float("nan"), "must be a share of points from 0 up to, not including, 1 (got nan)"),
    ("max_boxes", "3", "must be a whole number from 1 to 20 (got '3')"),  # a TypeError in range()
    ("max_boxes", 0, "must be a whole number from 1 to 20 (got 0)"),  # ran, and looked for no box
    ("max_boxes", 2.0, "must be a whole number from 1 to 20 (got 2.0)"),
    ("threshold", "0.8", "must be a share of points above 0 and at most 1 (got '0.8')"),  # a TypeError in the comparison
])
def test_prims_settings_out_of_their_range_are_refused_naming_them(planted, setting, value, words):
    with pytest.raises(InputError) as info:
        discover(planted, "days >= 30", **{setting: value})
    assert info.value.key == setting and info.value.message.startswith(words), info.value


def test_an_unknown_metric_in_where_is_named_with_its_guess_or_every_metric():
    """With many metrics and none close, the error listed none (the sweep's rows hold dozens); after a close guess it
    says how many there are, not all of them. Round 27: with none close, the plain names and a count of the per-outcome
    ones (a real sweep's 344 names on one line were a wall); and the rows are runs.parquet's columns, not points.csv's."""
    metrics = [f"met:outcome-{k}" for k in range(30)] + ["ceasefire_days", "turkish_deaths"]
    with pytest.raises(InputError) as far:
        parse_condition("zzz >= 1", metrics)
    assert "valid: ceasefire_days, turkish_deaths, and per item: met:<id> (30); the rows hold 32" in far.value.message, far.value
    assert "met:outcome-0" not in far.value.message and "points.csv" not in far.value.message and "runs.parquet" in far.value.message
    with pytest.raises(InputError) as close:
        parse_condition("turkish_death >= 1", metrics)
    assert "did you mean 'turkish_deaths'" in close.value.message and "met:outcome-0" not in close.value.message


def test_a_report_is_never_written_among_a_sweeps_rows(tmp_path):
    """`discover --out SWEEP/runs.parquet` wrote discover.md, boxes.csv and peeling.png among the part files, and
    pandas.read_parquet, which the README gives for reading the rows, then failed on boxes.csv."""
    design = make_design("lhs", [Parameter("a", 0, 1), Parameter("b", 0, 1)], n=60, seed=1)
    sweep = tmp_path / "sweep"
    run_sweep(SweepSpec(Path("toy"), design, runs=2), sweep, evaluate=toys.planted)
    for out in (sweep / "runs.parquet", sweep / "runs.parquet" / "inside"):
        p = run_cli("discover", sweep, "--where", "days >= 30", "--out", out)
        assert p.returncode == 2 and "runs.parquet" in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert len(pd.read_parquet(sweep / "runs.parquet")) == 120


def test_a_sweep_of_one_replicate_a_point_is_said_so(tmp_path):
    """The discovery report said '1 replicates each' of a sweep run with one replicate a point."""
    from sim.viz.discovery_report import discovery_report

    design = make_design("lhs", [Parameter("a", 0, 1), Parameter("b", 0, 1), Parameter("c", 0, 1)], n=100, seed=3)
    run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "sweep", evaluate=toys.planted)
    report = discovery_report(tmp_path / "sweep", "days >= 30", out=tmp_path / "d")
    assert "100 of 100 points, 1 replicate each (100 runs); a point is of interest" in (tmp_path / "d" / "discover.md").read_text(), report


def test_an_unfinished_sweeps_discovery_counts_each_points_replicates(tmp_path):
    """discover.md said "N replicates each" of a sweep stopped part-way through a point's replicates, as sweep-report did:
    it now counts them as the sweep's report does."""
    from sim.viz.discovery_report import discovery_report

    design = make_design("lhs", [Parameter("a", 0, 1), Parameter("b", 0, 1)], n=20, seed=3)
    out = tmp_path / "stopped"
    run_sweep(SweepSpec(Path("toy"), design, runs=2), out, evaluate=toys.planted)  # 40 runs: 40 batches of one
    parts = sorted((out / "runs.parquet").glob("part-*.parquet"))
    assert len(parts) == 40
    for part in parts[37:]:  # as a stop after 37 runs leaves it: points 0-17 whole, point 18 with 1 of its 2, 19 none
        part.unlink()
    report = discovery_report(out, "days >= 30", out=tmp_path / "d")
    assert report.discovery.points["replicates"].tolist() == [2] * 18 + [1]
    text = (tmp_path / "d" / "discover.md").read_text()
    assert "Sweep `" + str(out) + "`: 19 of 20 points (37 runs): 18 with all 2 replicates, 1 with fewer (point 18: 1); " \
           "a point is of interest" in text, text
    assert "replicates each" not in text


def test_a_boxs_limits_in_discover_md_are_those_of_boxes_csv_to_the_parameters_resolution(tmp_path):
    """A limit PRIM put midway between a grid's 0.5 and 2 (1.25) read "1.2" in discover.md, 1.25 in boxes.csv: a limit
    of a parameter over a range of one to ten was written to tenths, whatever the range. Each row's limits keep three
    significant digits of the range the sweep covered."""
    from sim.viz.discovery_report import discovery_report

    design = make_design("grid", [Parameter("a", values=[0.5, 2.0]), Parameter("b", values=[0.1, 0.9]),
                                  Parameter("c", values=[0.0, 1.0])])
    run_sweep(SweepSpec(Path("toy"), design, runs=2), tmp_path / "sweep", evaluate=toys.planted)
    discovery_report(tmp_path / "sweep", "days >= 30", out=tmp_path / "d")
    boxes = pd.read_csv(tmp_path / "d" / "boxes.csv").set_index("parameter")
    assert boxes.loc["a", "low"] == pytest.approx(1.25) and boxes.loc["b", "high"] == pytest.approx(0.5)
    text = (tmp_path / "d" / "discover.md").read_text()
    assert "| a | 1.25 | 2.00 |" in " ".join(text.split()), text
    assert "| b | 0.100 | 0.500 |" in " ".join(text.split()), text


def test_discover_md_writes_the_ranges_the_sweep_covered_to_the_resolution_of_its_limits(planted, tmp_path):
    """A sampled sweep's ranges read "`a` 0.0296357–0.899125", six digits of a drawn point, above a table of limits to
    three significant digits of the same ranges."""
    from sim.viz.discovery_report import discovery_report

    text = discovery_report(planted, "days >= 30", out=tmp_path / "d").text
    (line,) = [line for line in text.splitlines() if line.startswith("Parameters and the ranges the sweep covered")]
    ranges = re.findall(r"`([abc])` (\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)", line)
    assert [name for name, *_ in ranges] == ["a", "b", "c"], line
    assert all(len(x.partition(".")[2]) <= 3 for _, *bounds in ranges for x in bounds), line  # as the limits are
    points = discover(planted, "days >= 30").points
    for name, low, high in ranges:
        assert float(low) == pytest.approx(points[name].min(), abs=5e-4) and float(high) == pytest.approx(points[name].max(), abs=5e-4)
