"""Sweeps: batches and tasks that split any sweep across workers, external designs, the two seeds named apart, and a
design's errors named where the user wrote what they name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import InputError
from sim.errors import in_words
from sim.analysis.results import load_sweep_manifest, read_rows
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import BATCH_RUNS, MIN_BATCHES, TASK_RUNS, TASKS_PER_WORKER, batch_runs, run_sweep, tasks_of
from sim.experiments.sweep_file import SweepSpec, load_sweep

from . import toys
from .test_api import toy  # noqa: F401 - the fixture
from .test_input_errors import MOSCOW, cli, refused
from .test_runs import run_cli


def test_batches_split_any_sweep_across_the_workers(tmp_path):
    assert batch_runs(1) == 1 and batch_runs(20) == 1 and batch_runs(100) == 3 and batch_runs(10**6) == BATCH_RUNS
    for total in (2, 31, 100, 1000, 2047, 2048, 5000):
        batches = -(-total // batch_runs(total))
        assert batches >= min(total, MIN_BATCHES) and batch_runs(total) <= BATCH_RUNS, total
    design = make_design("grid", [Parameter("a", 0, 1, 10), Parameter("b", values=(0.0,))])
    run_sweep(SweepSpec(Path("toy"), design, runs=10), tmp_path / "s", evaluate=toys.linear, workers=2)
    assert len(list((tmp_path / "s" / "runs.parquet").glob("part-*.parquet"))) == 34  # 100 runs: 33 batches of 3, one of 1
    assert load_sweep_manifest(tmp_path / "s")["batch_runs"] == 3


@pytest.mark.parametrize("batches, runs, workers", [(range(34), 3, 2), (range(313), 64, 2), (range(32), 32, 1), (range(32), 32, 64),
                                                    ([1, 5, 6, 30], 64, 2), ([], 8, 2)])
def test_tasks_group_consecutive_batches_a_few_per_worker(batches, runs, workers):
    tasks = tasks_of(list(batches), runs, workers)
    assert [b for task in tasks for b in task] == list(batches)  # every batch once, in order
    assert all(len(task) * runs <= max(TASK_RUNS, runs) for task in tasks)
    assert len(tasks) >= min(len(batches), TASKS_PER_WORKER * workers)


def test_a_large_sweep_steps_more_runs_at_once_than_its_batches():
    assert tasks_of(list(range(32)), 32, 2) == [tuple(range(k, k + 4)) for k in range(0, 32, 4)]  # 1,024 runs: 8 tasks of 128
    assert {len(task) for task in tasks_of(list(range(313)), 64, 2)} == {4, 1}  # 20,000 runs: 256 a task


def test_the_sample_seed_and_the_replicate_seed_are_apart_on_the_command_line(toy, tmp_path):  # noqa: F811
    base = ["sweep", toy, "--param", "regime.commit=0.2:0.9", "--sample", "random", "--n", "3", "--runs", "2", "--workers", "1"]
    assert run_cli(*base, "--out", tmp_path / "a").returncode == 0
    assert run_cli(*base, "--sample-seed", "5", "--out", tmp_path / "b").returncode == 0
    assert run_cli(*base, "--seed", "100", "--out", tmp_path / "c").returncode == 0
    a, b, c = (read_rows(tmp_path / x) for x in "abc")
    assert a["seed"].tolist() == b["seed"].tolist() == [7, 8] * 3  # the scenario's seed + replicate
    assert c["seed"].tolist() == [100, 101] * 3
    assert a["regime.commit"].tolist() == c["regime.commit"].tolist() != b["regime.commit"].tolist()
    assert load_sweep_manifest(tmp_path / "b")["design"]["seed"] == 5 and load_sweep_manifest(tmp_path / "c")["seed"] == 100


def test_the_two_seeds_in_a_sweep_file(toy, tmp_path):  # noqa: F811
    text = f"scenario: {toy}\nsample: lhs\nn: 4\nruns: 2\nparameters:\n  regime.commit: {{low: 0.2, high: 0.9}}\n"
    ambiguous = tmp_path / "ambiguous.yaml"
    ambiguous.write_text(text + "seed: 3\n")
    with pytest.raises(InputError, match="'seed' is ambiguous: write 'sample_seed'") as info:
        load_sweep(ambiguous)
    assert info.value.line == 7
    both = tmp_path / "both.yaml"
    both.write_text(text + "sample_seed: 3\nreplicate_seed: 50\n")
    spec = load_sweep(both)
    assert spec.design.seed == 3 and spec.replicate_seed == 50
    run_sweep(spec, tmp_path / "s")
    assert read_rows(tmp_path / "s")["seed"].tolist() == [50, 51] * 4
    run_sweep(spec, tmp_path / "t", seed=9)  # --seed wins over the file
    assert read_rows(tmp_path / "t")["seed"].tolist() == [9, 10] * 4


def test_a_sweep_file_can_take_its_points_from_a_csv(toy, tmp_path):  # noqa: F811
    (tmp_path / "points.csv").write_text("regime__commit,events.truce.restraint\n0.3,0\n0.6,0.9\n")
    sweep = tmp_path / "external.yaml"
    sweep.write_text(f"scenario: {toy}\ndesign: points.csv\nruns: 2\nreplicate_seed: 0\n")
    spec = load_sweep(sweep)
    assert spec.design.sample == "file" and spec.design.points.tolist() == [[0.3, 0.0], [0.6, 0.9]]
    out = tmp_path / "s"
    p = run_cli("sweep", sweep, "--workers", "1", "--out", out)
    assert p.returncode == 0, p.stderr
    rows = read_rows(out)
    assert rows[["point", "seed"]].values.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert rows["events.truce.restraint"].tolist() == [0, 0, 0.9, 0.9]
    assert pd.read_csv(out / "points.csv")["regime.commit"].tolist() == [0.3, 0.6]
    # The file's content is part of the sweep: another design in the same folder is another sweep.
    (tmp_path / "points.csv").write_text("regime__commit,events.truce.restraint\n0.3,0\n0.6,0.8\n")
    p = run_cli("sweep", sweep, "--workers", "1", "--out", out)
    assert p.returncode == 2 and "holds a different sweep" in p.stderr
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(f"scenario: {toy}\ndesign: points.csv\nsample: lhs\n")
    with pytest.raises(InputError, match="'sample' does not apply"):
        load_sweep(mixed)
    p = run_cli("sweep", toy, "--design", tmp_path / "points.csv", "--param", "regime.commit=0.1,0.2", "--out", tmp_path / "x")
    assert p.returncode == 2 and "--design: gives the points" in p.stderr


def test_a_report_on_a_design_from_a_file_that_holds_a_parameter_still(tmp_path):
    import numpy as np

    from sim.experiments.designs import Design
    from sim.viz.sweep_report import sweep_report

    rng = np.random.default_rng(1)
    points = np.column_stack([rng.random(60), rng.random(60), np.full(60, 0.5)])
    design = Design("file", [Parameter("a", 0, 1), Parameter("b", 0, 1), Parameter("c", 0.5, 0.5)], points, n=60, source="x.csv")
    run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "s", evaluate=toys.linear)
    report = sweep_report(tmp_path / "s", metrics=["y"])
    assert set(report.sensitivity["parameter"]) == {"a", "b"}  # c never moved: no index for it
    s = report.sensitivity.set_index(["parameter", "index"])["value"]
    assert s[("b", "SRC2")] > s[("a", "SRC2")]


# ---- make_design's errors, named where the user wrote what they name ----

BOUNDS = "  regime.commit: {low: 0.2, high: 0.8}\n"
THREE = BOUNDS + "  combat.lethality: {low: 0.1, high: 0.3}\n  civilians.flee_air: {low: 0.1, high: 0.3}\n"

# (a sweep file after its scenario line, the line and key named, the message): every error make_design can raise but
# two a sweep file cannot reach, a design of no parameters ('parameters' must name one) and a bad sample seed
# (refused with the file's other settings, before).
FILE_ERRORS = [
    ("sample: foo\nparameters:\n" + BOUNDS, 2, "sample", "unknown sample 'foo' (valid: grid, lhs, random, sobol)"),
    ("parameters:\n  regime.commit: {values: [0.3]}\n  regime__commit: {values: [0.4]}\n", 4, "parameters.regime__commit",
     "'regime.commit' is swept twice (also on line 3)"),
    ("parameters:\n  regime.commit: {low: 0.2}\n", 3, "parameters.regime.commit",
     "'regime.commit' needs values or bounds with steps for a grid"),
    ("parameters:\n  regime.commit: {low: 0.2, high: 0.8, steps: 1001}\n  combat.lethality: {low: 0.1, high: 0.3, steps: 1000}\n",
     2, "parameters", "the grid has 1,001,000 points; at most 1,000,000"),
    ("sample: lhs\nn: 4\nparameters:\n  combat.lethality: {low: 0.1, high: 0.3}\n  regime.commit: {values: [0.3, 0.5]}\n", 6,
     "parameters.regime.commit", "'regime.commit' needs bounds low < high for a lhs design"),
    ("sample: random\nn: 4\nparameters:\n  regime.commit: {low: 0.8, high: 0.2}\n", 5, "parameters.regime.commit",
     "'regime.commit' needs bounds low < high for a random design"),
    # A missing n, at the line that asks for a sampled design (it read "line 1, key 'n': ... (got None)").
    ("sample: lhs\nparameters:\n" + BOUNDS, 2, "sample", "a lhs design needs n, how many points to draw: none is given; add "
     "n: to this file (or give --n)"),
    ("sample: sobol\nn: 262144\nparameters:\n" + THREE, 3, "n", "n = 262,144 makes 1,310,720 points; at most 1,000,000"),
    ("sample: sobol\nn: 10\nparameters:\n" + BOUNDS, 3, "n", "a sobol design needs n a power of 2 (got 10)"),
    # Values and steps together: the steps were dropped without a word (a grid of the values).
    ("parameters:\n  regime.commit: {values: [0.3, 0.5], steps: 3}\n", 3, "parameters.regime.commit",
     "'regime.commit' gives both values and 'steps': values are the points as given; give the values alone, or low, high and "
     "steps instead"),
]


@pytest.mark.parametrize("body, line, key, message", FILE_ERRORS, ids=["unknown-sample", "swept-twice", "grid-without-bounds",
                         "grid-too-large", "sampled-values", "sampled-reversed", "n-missing", "sobol-too-large", "sobol-n",
                         "values-and-steps"])
def test_a_design_error_in_a_sweep_file_names_its_file_line_and_key(tmp_path, capsys, body, line, key, message):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {MOSCOW}\n{body}")
    with pytest.raises(InputError) as err:
        load_sweep(sweep)
    said = in_words(err.value.message, command_line=True)  # as the command line says it (Python: "or give n=")
    assert (err.value.file, err.value.line, err.value.key, said) == (str(sweep), line, key, message)
    for args in (["check", sweep], ["sweep", sweep, "--out", tmp_path / "never"]):
        refused(*cli(capsys, *args), f"error: {sweep}, line {line}, key '{key}': {message}\n")
    assert not (tmp_path / "never").exists()


# (the flags after the scenario, the error): every error make_design can raise but four the command line cannot reach:
# an unknown sample and a bad sample seed (argparse refuses them), a grid parameter with neither values nor both
# bounds (--param gives one or the other), and no parameters (refused before).
FLAG_ERRORS = [
    (["--param", "regime.commit=0.3", "--param", "regime__commit=0.4"], "--param: 'regime.commit' is swept twice"),
    (["--param", "regime.commit=0.2:0.8:1001", "--param", "combat.lethality=0.1:0.3:1000"],
     "--param: the grid has 1,001,000 points; at most 1,000,000"),
    (["--param", "regime.commit=0.3,0.5", "--sample", "lhs", "--n", "4"], "--param: 'regime.commit' needs bounds low < high for a lhs design"),
    (["--param", "regime.commit=0.8:0.2", "--sample", "random", "--n", "4"],
     "--param: 'regime.commit' needs bounds low < high for a random design"),
    (["--param", "regime.commit=0.2:0.8", "--sample", "lhs"], "--n: a lhs design needs n, how many points to draw: none is given"),
    (["--param", "regime.commit=0.2:0.8", "--param", "combat.lethality=0.1:0.3", "--param", "civilians.flee_air=0.1:0.3",
      "--sample", "sobol", "--n", "262144"], "--n: n = 262,144 makes 1,310,720 points; at most 1,000,000"),
    (["--param", "regime.commit=0.2:0.8", "--sample", "sobol", "--n", "10"], "--n: a sobol design needs n a power of 2 (got 10)"),
]


@pytest.mark.parametrize("flags, error", FLAG_ERRORS, ids=["swept-twice", "grid-too-large", "sampled-values", "sampled-reversed",
                                                           "n-missing", "sobol-too-large", "sobol-n"])
def test_a_design_error_on_the_command_line_names_the_flag(tmp_path, capsys, flags, error):
    refused(*cli(capsys, "sweep", MOSCOW, *flags, "--out", tmp_path / "never"), f"error: {error}\n")
    assert not (tmp_path / "never").exists()


def test_a_design_error_from_a_flag_beside_a_sweep_file_names_the_flag(tmp_path, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {MOSCOW}\nsample: sobol\nn: 16\nparameters:\n{BOUNDS}")
    # --n replaces the file's n: the flag is wrong, not line 3.
    p = run_cli("sweep", sweep, "--n", "12", "--out", tmp_path / "never")
    assert (p.returncode, p.stderr) == (2, "error: --n: a sobol design needs n a power of 2 (got 12)\n")
    with pytest.raises(InputError) as err:  # the overrides load_sweep takes from the command line are its flags
        load_sweep(sweep, sample_seed=2**32)
    # load_sweep's overrides are the command line's flags there, and its arguments in Python (they said "--sample-seed").
    assert (err.value.file, err.value.key) == (None, "sample_seed") and "the design's seed must be" in err.value.message
    assert str(err.value).startswith("'sample_seed': ") and err.value.on_command_line().startswith("--sample-seed: ")
    grid = tmp_path / "grid.yaml"
    grid.write_text(f"scenario: {MOSCOW}\nparameters:\n{BOUNDS}")
    with pytest.raises(InputError) as err:  # --sample lhs on a file without n: the flag that is missing
        load_sweep(grid, sample="lhs")
    assert (err.value.file, err.value.key) == (None, "n") and "a lhs design needs n" in err.value.message, str(err.value)
    assert "--" not in str(err.value) and err.value.on_command_line().startswith("--n: ")
    with pytest.raises(InputError) as err:
        load_sweep(sweep, sample="foo")
    assert (err.value.file, err.value.key) == (None, "sample") and "unknown sample 'foo'" in err.value.message
    # A parameter's own error is still at its line, whichever flag chose the sample.
    sweep.write_text(f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{values: [0.3, 0.5]}}\n")
    refused(*cli(capsys, "sweep", sweep, "--sample", "lhs", "--n", "4", "--out", tmp_path / "never"),
            f"error: {sweep}, line 3, key 'parameters.regime.commit': 'regime.commit' needs bounds low < high for a lhs design\n")
    assert not (tmp_path / "never").exists()


def test_a_sampled_design_refuses_steps_it_would_ignore():
    """`--param a=0:1:5 --sample lhs` drew points between the bounds and dropped the 5 without a word."""
    with pytest.raises(InputError, match=r"'a' gives 5 steps, which a lhs design does not use"):
        make_design("lhs", [Parameter("a", 0.0, 1.0, 5)], n=8)
    assert make_design("lhs", [Parameter("a", 0.0, 1.0)], n=8).points.shape == (8, 1)


@pytest.mark.parametrize("param, words", [
    (Parameter("a", values=["x", "y"]), "'a' takes numbers as values, not 'x'"),  # numpy's bare ValueError
    (Parameter("a", values="0.1,0.5"), "'a' needs values as a list of numbers (got '0.1,0.5')"),  # read letter by letter
    (Parameter("a", values=[]), "'a' has no values: a grid needs at least one"),  # a sweep folder with no rows
    (Parameter("a", values=[0.1, 0.5, 0.1]), "'a' has 0.1 listed twice; a grid runs each value once"),  # run twice
    (Parameter("a", 0.1, 0.5, 0), "'a' needs steps a whole number from 2 to 1,000,000 (got 0)"),  # no points, as values=[]
    (Parameter("a", 0.1, 0.5, 2.5), "'a' needs steps a whole number from 2 to 1,000,000 (got 2.5)"),  # numpy's TypeError
    (Parameter("a", "0.1", "0.5", 3), "'a' needs low a number (got '0.1')"),  # numpy's DTypePromotionError
], ids=["strings", "a-string", "none", "twice", "no-steps", "fractional-steps", "string-bounds"])
def test_a_grid_made_in_python_refuses_what_param_and_a_sweep_file_refuse(param, words):
    """make_design took a Parameter made in Python as it came: values ["x", "y"] failed in numpy, [] made a sweep whose
    folder only said "no sweep rows here yet", and a value listed twice ran that point twice, all of which --param and a
    sweep file refuse as they read them."""
    with pytest.raises(InputError) as info:
        make_design("grid", [Parameter("b", values=[0.0]), param])
    assert info.value.key == "a" and info.value.message.startswith(words), info.value


def test_a_grid_takes_an_arrays_values_as_its_list():
    # An array of values made a design whose sweep could not be recorded (json: "ndarray is not JSON serializable").
    import json

    import numpy as np

    design = make_design("grid", [Parameter("a", values=np.array([0.0, 0.5]))])
    assert design.points[:, 0].tolist() == [0.0, 0.5] and json.loads(json.dumps(design.describe()))["parameters"][0]["values"] == [0.0, 0.5]
    # numpy's numbers too: an int64 of steps, or in a list of values, passed the checks and failed when the sweep
    # recorded its design ("Object of type int64 is not JSON serializable").
    for design in (make_design("grid", [Parameter("a", 0.0, 1.0, np.int64(3))]),
                   make_design("grid", [Parameter("a", values=[np.int64(1), np.float64(2.5)])]),
                   make_design("lhs", [Parameter("a", np.float32(0.0), np.int64(2))], n=4, seed=1)):
        json.dumps(design.describe())


def test_a_small_design_from_a_file_is_reported_as_a_table_of_its_points(tmp_path):
    import numpy as np

    from sim.experiments.designs import Design
    from sim.viz.sweep_report import sweep_report

    # One at a time, as sweeps/group_sizes.yaml is: the first point at the defaults, then one value moved per point.
    points = np.array([[0.5, 0.5], [0.25, 0.5], [1.0, 0.5], [0.5, 0.25], [0.5, 1.0]])
    design = Design("file", [Parameter("a", 0, 1), Parameter("b", 0, 1)], points, n=5, source="x.csv")
    run_sweep(SweepSpec(Path("toy"), design, runs=2), tmp_path / "s", evaluate=toys.linear)
    text = sweep_report(tmp_path / "s", metrics=["y"]).text
    assert "## Each point" in text, text
    table = [[cell.strip() for cell in row.strip("|").split("|")]
             for row in text.split("## Each point", 1)[1].split("\n\n")[2].splitlines()]
    assert len(table) == 2 + 5  # header, rule and one row per point, in the file's order
    rows = [dict(zip(table[0], row, strict=True)) for row in table[2:]]
    assert [row["point"] for row in rows] == ["0", "1", "2", "3", "4"]
    assert [row["changes"] for row in rows] == ["(the first point)", "a=0.25", "a=1", "b=0.25", "b=1"]
    expected = [0.5 + 2 * 0.5, 0.25 + 1.0, 1.0 + 1.0, 0.5 + 0.5, 0.5 + 2.0]  # toys.linear: a + 2b, and noise of 0.01
    assert [float(row["y"]) for row in rows] == pytest.approx(expected, rel=0.05)  # shown to 0.1 above 1


def test_a_sampling_flag_beside_a_sweep_file_with_a_design_file_names_the_flag(toy, tmp_path):  # noqa: F811
    # `sweep FILE --sample lhs` where FILE has `design:` blamed "FILE, line 1, key 'sample'", a key the file has not.
    (tmp_path / "points.csv").write_text("regime__commit\n0.3\n0.6\n")
    sweep = tmp_path / "external.yaml"
    sweep.write_text(f"scenario: {toy}\ndesign: points.csv\nruns: 2\n")
    for key, flag, value in (("sample", "--sample", "lhs"), ("n", "--n", 5), ("sample_seed", "--sample-seed", 3)):
        with pytest.raises(InputError, match="does not apply to a design read from a file") as err:
            load_sweep(sweep, **{key: value})
        assert (err.value.file, err.value.key) == (None, key), str(err.value)  # the argument in Python, the flag on the command line
        assert "--" not in str(err.value) and err.value.on_command_line().startswith(f"{flag}: "), err.value.on_command_line()


def test_a_grid_refuses_a_sample_size_it_would_ignore(toy, tmp_path, capsys):  # noqa: F811
    # `--param a=0:1:3 --n 500` ran the 3-point grid and dropped n without a word, as `n:` in a grid sweep file did.
    with pytest.raises(InputError, match="a grid takes no n") as err:
        make_design("grid", [Parameter("a", 0.0, 1.0, 3)], n=500)
    assert err.value.key == "n"
    p = run_cli("sweep", toy, "--param", "regime.commit=0.2:0.8:3", "--n", "500", "--out", tmp_path / "never")
    assert p.returncode == 2 and p.stderr.startswith("error: --n: a grid takes no n") and not (tmp_path / "never").exists()
    sweep = tmp_path / "grid.yaml"
    sweep.write_text(f"scenario: {toy}\nn: 500\nparameters:\n  regime.commit: {{values: [0.3, 0.5]}}\n")
    with pytest.raises(InputError, match="a grid takes no n") as err:
        load_sweep(sweep)
    assert (err.value.line, err.value.key) == (2, "n")


def test_a_grid_refuses_a_sample_seed_it_would_ignore(toy, tmp_path):  # noqa: F811
    # `--sample-seed 5` beside a grid was dropped without a word (the command line passed `or 0`), as n had been.
    with pytest.raises(InputError, match="a grid takes no sample seed") as err:
        make_design("grid", [Parameter("a", 0.0, 1.0, 3)], seed=5)
    assert err.value.key == "seed"
    p = run_cli("sweep", toy, "--param", "regime.commit=0.2:0.8:3", "--sample-seed", "5", "--out", tmp_path / "never")
    assert p.returncode == 2 and p.stderr.startswith("error: --sample-seed: a grid takes no sample seed"), p.stderr
    assert not (tmp_path / "never").exists()
    sweep = tmp_path / "grid.yaml"
    sweep.write_text(f"scenario: {toy}\nsample_seed: 0\nparameters:\n  regime.commit: {{values: [0.3, 0.5]}}\n")
    with pytest.raises(InputError, match="a grid takes no sample seed") as err:
        load_sweep(sweep)
    assert (err.value.line, err.value.key) == (2, "sample_seed")
    assert make_design("lhs", [Parameter("a", 0.0, 1.0)], n=4).seed == 0  # a sampled design without one: seed 0, as before


def test_a_seed_near_the_last_is_refused_naming_the_flags_and_the_largest_of_each_that_fits(toy, tmp_path, capsys):  # noqa: F811
    """The sweep said "--seed: must be a whole number from 0 to 2**63 - 1 less the replicates", naming neither --runs
    nor a value of either that fits; it now refuses as an ensemble does, and the way out it gives runs."""
    last = 2**63 - 1
    base = ["sweep", toy, "--param", "regime.commit=0.2,0.9", "--workers", "1"]
    rc, err = cli(capsys, *base, "--runs", "3", "--seed", last - 1, "--out", tmp_path / "no")
    refused(rc, err, f"--seed: seed {last - 1} leaves no room for 3 replicates", f"give --runs 2 or fewer, or --seed {last - 2} or less")
    assert not (tmp_path / "no").exists()
    assert cli(capsys, *base, "--runs", "3", "--seed", last - 2, "--out", tmp_path / "yes")[0] == 0
    assert read_rows(tmp_path / "yes")["seed"].tolist() == [last - 2, last - 1, last] * 2


def test_a_sweep_files_replicate_seed_near_the_last_is_refused_at_its_line(toy, tmp_path, capsys):  # noqa: F811
    """A sweep file's replicate_seed that left no room for its runs was blamed on "--seed" (and "--runs"), flags the
    user never gave, with no file, line or key; and `check` passed the file."""
    last = 2**63 - 1
    sweep = tmp_path / "near-the-last.yaml"  # not s.yaml: the scenario
    sweep.write_text(f"scenario: {toy}\nruns: 4\nreplicate_seed: {last}\nparameters:\n  regime.commit: {{values: [0.5]}}\n")
    rc, err = cli(capsys, "sweep", sweep, "--out", tmp_path / "file")
    refused(rc, err, f"error: {sweep}, line 3, key 'replicate_seed': {last} leaves no room for 4 replicates",
            f"write replicate_seed: {last - 3} or less in this file, or write runs: 1 or fewer (line 2)")
    assert "--" not in err and not (tmp_path / "file").exists()
    refused(*cli(capsys, "check", sweep), f"{sweep}, line 3, key 'replicate_seed'")  # check refuses what sweep would
    # runs from the command line: the flag given is the other way out; from Python, the keyword
    rc, err = cli(capsys, "sweep", sweep, "--runs", "2", "--out", tmp_path / "file")
    refused(rc, err, "key 'replicate_seed'", f"replicate_seed: {last - 1} or less in this file, or give --runs 1 or fewer")
    with pytest.raises(InputError) as info:
        load_sweep(sweep, runs=2)
    assert (info.value.file, info.value.line, info.value.key) == (str(sweep), 3, "replicate_seed")
    assert "or give runs=1 or fewer" in str(info.value) and "--" not in str(info.value), str(info.value)
    # no runs: in the file: the default's 10 replicates
    sweep.write_text(f"scenario: {toy}\nreplicate_seed: {last - 5}\nparameters:\n  regime.commit: {{values: [0.5]}}\n")
    with pytest.raises(InputError, match=r"no room for 10 replicates.*or add runs: 6 or fewer") as info:
        load_sweep(sweep)
    assert (info.value.line, info.value.key) == (2, "replicate_seed")
    with pytest.raises(InputError) as info:  # the seed given as a keyword: the keyword named, not the file
        load_sweep(sweep, replicate_seed=last, runs=2)
    assert (info.value.file, info.value.key) == (None, "replicate_seed") and "give replicate_seed=" in str(info.value)
    assert load_sweep(sweep, runs=6).replicate_seed == last - 5  # the last seed it leaves room for: taken
    # A SweepSpec made in Python names its own field, not --seed
    spec = SweepSpec(toy, make_design("grid", [Parameter("regime.commit", values=(0.5,))]), runs=2, replicate_seed=last)
    with pytest.raises(InputError) as info:
        run_sweep(spec, tmp_path / "py")
    assert info.value.key == "spec.replicate_seed" and "--" not in str(info.value), str(info.value)
    assert not (tmp_path / "py").exists()


def test_load_sweeps_keywords_are_checked_as_the_files_keys_are(tmp_path):
    """load_sweep(path, rnus=2) dropped the misspelt keyword without a word, runs=0 read as the default 10,
    runs='2' raised a bare TypeError, and sample='' ran a grid."""
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {MOSCOW}\nruns: 3\nparameters:\n  regime.commit: {{values: [0.5, 0.6]}}\n")
    assert load_sweep(sweep, runs=2).runs == 2 and load_sweep(sweep, runs=None).runs == 3  # None: not given
    for keywords, key, words in [({"rnus": 2}, "rnus", "load_sweep takes no keyword 'rnus' (did you mean 'runs'?)"),
                                 ({"runs": 0}, "runs", "must be a whole number from 1 to 100,000 (got 0)"),
                                 ({"runs": "2"}, "runs", "must be a whole number from 1 to 100,000 (got '2')"),
                                 ({"runs": True}, "runs", "(got True)"),
                                 ({"replicate_seed": 2.5}, "replicate_seed", "must be a whole number from 0 to 9223372036854775807 (got 2.5)"),
                                 ({"replicate_seed": -1}, "replicate_seed", "(got -1)"),
                                 ({"sample": 3}, "sample", "must be one of grid, lhs, random, sobol (got 3)"),
                                 # '' ran a grid, as the file's `sample: ''` did before round 75 (the flag refuses it)
                                 ({"sample": ""}, "sample", "must be one of grid, lhs, random, sobol (got '')"),
                                 ({"sample": " "}, "sample", "must be one of grid, lhs, random, sobol (got ' ')"),
                                 # as make_design refuses them, naming the keyword (as it names the file's keys)
                                 ({"sample": "lsh"}, "sample", "unknown sample 'lsh' (did you mean 'lhs'?)"),
                                 ({"n": "4"}, "n", "a grid takes no n"),
                                 ({"sample_seed": -1}, "sample_seed", "a grid takes no sample seed")]:
        with pytest.raises(InputError) as info:
            load_sweep(sweep, **keywords)
        assert (info.value.file, info.value.key) == (None, key), info.value
        assert str(info.value).startswith(f"'{key}': ") and words in str(info.value), str(info.value)
        assert "--" not in str(info.value), str(info.value)


@pytest.mark.parametrize(("line", "key", "words"), [("metrics: 0", "metrics", "must be a list of metric names"),
                                                   ("metrics: ''", "metrics", "must be a list of metric names"),
                                                   ("metrics: false", "metrics", "must be a list of metric names"),
                                                   ("metrics: {}", "metrics", "must be a list of metric names"),
                                                   ("sample: ''", "sample", "must be one of grid, lhs, random, sobol")])
def test_a_sweep_files_empty_value_of_another_kind_is_refused_not_read_as_the_default(tmp_path, line, key, words):
    """Round 75's input hunt: `metrics: 0`, `''`, `false` or `{}` passed check as if left out (every metric), and
    `sample: ''` ran a grid: a value that is no list of names, or names no sample, was taken as none (`key:` with
    nothing after it, YAML's null, is still "not given")."""
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {MOSCOW}\nruns: 3\nparameters:\n  regime.commit: {{values: [0.5, 0.6]}}\n{line}\n")
    with pytest.raises(InputError) as info:
        load_sweep(sweep)
    assert (info.value.file, info.value.line, info.value.key) == (str(sweep), 5, key), info.value
    assert words in info.value.message, info.value.message
    sweep.write_text(f"scenario: {MOSCOW}\nruns: 3\nparameters:\n  regime.commit: {{values: [0.5, 0.6]}}\n{key}:\n")
    assert load_sweep(sweep).runs == 3


EVENT_AGAIN = "giving the event again by its id with the new date"


@pytest.mark.parametrize(("param", "advice"), [("events.moscow-protocol.date=2020-03-01,2020-03-05", EVENT_AGAIN),
                                               ("events.moscow-protocol.effective=0:3:4", EVENT_AGAIN),
                                               ("events__moscow_protocol__until=1,2", EVENT_AGAIN),
                                               ("end=2020-06-30,2020-08-31", "with its own 'end'"),
                                               ("displaced_at_start.since=1,2", "giving its 'displaced_at_start' block again")])
def test_a_date_swept_is_refused_saying_dates_are_not_parameters_and_what_to_do(tmp_path, capsys, param, advice):
    """Round 62's newcomer asked "what if the convoys came a week earlier?" and swept an event's date: it was refused as
    "expects finite numbers" (the date written as a date) or with a did-you-mean of the event's 'intensity', and
    docs/sweeps.md listed dates among what points may differ in; nothing said a date cannot be swept. The advice fits
    what holds the date: it told one sweeping the run's end, or the start state's date, to give "the event" again."""
    rc, err = cli(capsys, "sweep", MOSCOW, "--param", param, "--out", tmp_path / "never")
    refused(rc, err, "a date is not a parameter", "write a what-if for each date", advice)
    if advice != EVENT_AGAIN:
        assert "the event" not in err, err
    assert not (tmp_path / "never").exists()


def test_a_date_in_a_sweep_files_parameters_is_refused_at_its_line_as_a_date(tmp_path, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {MOSCOW}\nparameters:\n  events.moscow-protocol.date: {{values: [2020-03-01, 2020-03-05]}}\n")
    refused(*cli(capsys, "check", sweep), f"error: {sweep}, line 3, key 'parameters.events.moscow-protocol.date': ",
            "a date is not a parameter")


GOOD_POINTS = "  regime.commit: {values: [0.5, 0.6]}\n"
# A sweep file with two errors, each alone refused at its line: the first in the file is the one reported.
TWO_ERRORS = [
    # Round 75: the metric (line 7) was reported before the parameter above it (line 5), as `check` showed it.
    ("parameters:\n" + GOOD_POINTS + "  regime.comit: {values: [0.5]}\nmetrics:\n  - nope\n", 5, "parameters.regime.comit"),
    ("parameters:\n  regime.commit: {values: [0.5, 0.5]}\nmetrics: [towns_hts, nope]\n", 4, "parameters.regime.commit.values"),
    ("parameters:\n  regime.commit: {values: [7]}\nmetrics: [towns_hts, towns_hts]\n", 4, "parameters.regime.commit.values"),
    ("design: nowhere.csv\nmetrics: [nope]\n", 3, "design"),
    # and a metric above the parameters is still reported first
    ("metrics: [nope]\nparameters:\n  regime.comit: {values: [0.5]}\n", 3, "metrics[0]"),
    # Round 76: the settings were checked before the parameters, the design and the metrics, and in a fixed order of
    # their own (sample, n, sample_seed, runs, replicate_seed), wherever each was written.
    ("parameters:\n  regime.comit: {values: [0.5]}\nsample_seed: -1\n", 4, "parameters.regime.comit"),
    ("parameters:\n  regime.commit: {values: [7]}\nreplicate_seed: x\n", 4, "parameters.regime.commit.values"),
    ("design: nowhere.csv\nreplicate_seed: -1\n", 3, "design"),
    ("metrics: [nope]\nsample: ''\nparameters:\n" + GOOD_POINTS, 3, "metrics[0]"),
    ("replicate_seed: -1\nsample: ''\nparameters:\n" + GOOD_POINTS, 3, "replicate_seed"),
    # and a setting above the parameters is still reported first
    ("sample_seed: -1\nparameters:\n  regime.comit: {values: [0.5]}\n", 3, "sample_seed"),
]


@pytest.mark.parametrize(("text", "line", "key"), TWO_ERRORS, ids=["parameter-then-metric", "values-then-metric",
                                                                    "range-then-repeat", "design-then-metric", "metric-first",
                                                                    "parameter-then-setting", "values-then-setting",
                                                                    "design-then-setting", "metric-then-setting",
                                                                    "setting-then-setting", "setting-first"])
def test_a_sweep_files_first_error_in_file_order_is_reported(tmp_path, capsys, text, line, key):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {MOSCOW}\nruns: 2\n{text}")
    with pytest.raises(InputError) as info:
        load_sweep(sweep)
    assert (info.value.line, info.value.key) == (line, key), info.value
    refused(*cli(capsys, "check", sweep), f"error: {info.value.on_command_line()}\n")  # as `check` words it
