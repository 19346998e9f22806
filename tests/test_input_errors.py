"""Malformed input (issue 12, class 3) and the rules' bookkeeping (class 4).

Every malformed value — a YAML scalar under an explicit tag, an impossible date, a theatre date,
a command-line flag — is an InputError (exit 2, one line, the flag named); errors survive pickling;
sweep points are checked before dispatch; switches are not sampled; duplicate ids and ceasefires
the model cannot hold at once are refused; ceasefire_days follows expiry and supersession.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sim
from sim import load_scenario, simulate
from sim.analysis.metrics import run_metrics
from sim.analysis.results import RunData, load_sweep_manifest
from sim.cli import main
from sim.errors import DamagedResult, InputError, Interrupted, OutputError
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec, load_sweep
from sim.io.safe_yaml import load_yaml

from .conftest import ROOT, ev, line_theatre

MOSCOW = ROOT / "scenarios" / "moscow.yaml"


def cli(capsys, *args) -> tuple[int, str]:
    rc = main([str(a) for a in args])
    return rc, capsys.readouterr().err


def refused(rc: int, err: str, *words: str) -> None:
    assert rc == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)


# ---- YAML scalars ----

BAD_SCALARS = ["!!int abc", "!!int 0x", "!!float x", "!!bool maybe", "!!timestamp foo", "!!timestamp 2020-01-01T25:00:00",
               "!!map abc", "!!seq abc", "!!omap abc", "!!set abc", "!!pairs abc", "!!binary '@@@'", "!!binary a",
               "2020-02-30", "2021-02-29", "0000-01-01", "2020-13-01", "!!timestamp 2020-01-01 10:00:00 +25:00"]


@pytest.mark.parametrize("value", BAD_SCALARS)
def test_a_bad_value_under_a_tag_is_an_input_error_at_its_line(tmp_path, value):
    f = tmp_path / "s.yaml"
    f.write_text(f"name: x\nseed: {value}\n")
    try:
        load_yaml(f)
    except InputError as exc:
        assert exc.file == str(f) and exc.line == 2, exc
    # Some (an empty !!set) load; the schema then judges them. Nothing else may escape.


@pytest.mark.parametrize("value", ["!!int abc", "!!bool maybe", "!!timestamp foo", "2020-02-30", "!!map abc"])
def test_check_and_run_refuse_bad_scalars_in_one_line(tmp_path, capsys, value):
    f = tmp_path / "s.yaml"
    f.write_text(f"extends: {MOSCOW}\nstart: {value}\n")
    for command in ("check", "run"):
        rc, err = cli(capsys, command, f, "--out", tmp_path / "never") if command == "run" else cli(capsys, command, f)
        refused(rc, err, f"{f}, line 2")
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("established, why", [("2020-02-30", "day is out of range for month"),
                                               ("2017-13-45", "month must be in 1..12"), ("2017-13", "month must be in 1..12")])
def test_a_theatre_post_date_that_check_passes_never_crashes_a_run(build, capsys, tmp_path, established, why):
    """`check THEATRE` said ok of an impossible 'established' date (only its form was checked there); a scenario on the
    theatre was refused without the row's line."""
    theatre = line_theatre(build, posts=[("P0", "T0", "2017"), ("P1", "T1", established), ("P2", "T2", "2017-10")])
    posts = build.root / "toy.posts.csv"
    words = (f"error: {posts}, line 3, key 'established': '{established}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD): "
             f"{why}\n")
    scenario = build.scenario({})
    assert cli(capsys, "check", theatre) == (2, words)
    assert cli(capsys, "check", scenario) == (2, words)
    assert cli(capsys, "run", scenario, "--out", tmp_path / "never") == (2, words)
    assert not (tmp_path / "never").exists()
    posts.write_text(posts.read_text().replace(established, "2017-10-20"))  # partial dates (P0, P2) are read as before
    assert cli(capsys, "check", theatre)[0] == 0


def test_check_reads_sweep_and_calibration_files_and_refuses_what_sweep_would(tmp_path, capsys):
    assert main(["check", str(ROOT / "sweeps" / "jan_truce_30_days.yaml")]) == 0
    assert "a sweep of campaign.yaml: 24 points x 20 runs" in capsys.readouterr().out
    assert main(["check", str(ROOT / "calibrations" / "smoke.yaml")]) == 0
    assert "calibration 'smoke': 3 parameters, 1 scenario," in capsys.readouterr().out
    sweep = tmp_path / "sweep.yaml"
    for parameters, words in [("{regime.comit: {low: 0, high: 1}}", ["regime.comit", "did you mean 'regime.commit'"]),
                              ("{regime.commit: {low: 0.5, high: 7, steps: 3}}",
                               ["key 'parameters.regime.commit.high': 7 is outside the parameter's range, 0 to 1"]),
                              # sampled: it was refused at a sampled point, a number the file does not hold (walk-through)
                              ("{turkey.deterrence: {low: -1, high: 2}}\nsample: lhs\nn: 4",
                               ["key 'parameters.turkey.deterrence.low': -1 is outside the parameter's range, 0 to 10"])]:
        sweep.write_text(f"scenario: {MOSCOW}\nparameters: {parameters}\n")
        refused(*cli(capsys, "check", sweep), str(sweep), *words)
    sweep.write_text(f"scenario: {tmp_path / 'nowhere.yaml'}\nparameters: {{regime.commit: {{low: 0, high: 1}}}}\n")
    refused(*cli(capsys, "check", sweep), "line 1, key 'scenario'", "no scenario file", "nowhere.yaml")


# ---- errors cross processes ----


@pytest.mark.parametrize("error", [
    InputError("a.yaml", "bad", line=3, key="x.y"), InputError(None, "must be positive", key="--seed"),
    DamagedResult("r/control.csv", "is cut short"), OutputError("r", "No space left on device"),
    Interrupted(Path("r"), 3, 10, unit="runs", where=Path("r/runs.parquet")),
])
def test_the_projects_errors_survive_pickling(error):
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error) and vars(back) == vars(error)


def test_an_input_error_raised_in_a_worker_reaches_the_caller(tmp_path):
    design = make_design("grid", [Parameter("a", values=(0.0, 0.5, 1.0))])
    with pytest.raises(InputError, match="a worker said no"):
        run_sweep(SweepSpec(Path("toy"), design, runs=70), tmp_path / "s", evaluate=Refuses(), workers=2)


class Refuses:
    """An evaluation that finds its input bad at one point (as a worker finds a bad scenario)."""

    def __call__(self, values: dict[str, float], seed: int) -> dict[str, float]:
        if values["a"] == 1.0:
            raise InputError(None, "a worker said no", key="a")
        return {"y": values["a"]}


# ---- flags ----

FLAG_CASES = [
    (["run", MOSCOW, "--days", "10000000"], "--days: must be from 1 to 179 (got 10,000,000)"), (["run", MOSCOW, "--days", "abc"], "--days"),
    (["run", MOSCOW, "--days", "0"], "--days: must be from 1 to 179 (got 0): it counts the days simulated after the start day, "
                                     "and the scenario runs 179 days, 2020-03-05 to 2020-08-31"),
    (["run", MOSCOW, "--days", "10000"], "the scenario runs 179 days, 2020-03-05 to 2020-08-31; to run longer, change its `end:`"),
    (["run", MOSCOW, "--run", "40"], "--run: not a flag of run (did you mean '--runs'?); python -m sim run --help lists them"),
    (["run", MOSCOW, "--seed", "-1"], "--seed"), (["run", MOSCOW, "--seed", str(10**23)], "--seed"),
    (["run", MOSCOW, "--seed", "1e3"], "--seed: expects a whole number"),
    (["run", MOSCOW, "--seed", str(2**63 - 2), "--runs", "5"], "--seed"),
    (["run", MOSCOW, "--runs", "0"], "--runs"), (["run", MOSCOW, "--runs", "1000000000"], "--runs"),
    (["run", MOSCOW, "--runs", "3", "--workers", "0"], "--workers"), (["run", MOSCOW, "--runs", "3", "--workers", "-3"], "--workers"),
    (["run", MOSCOW, "--runs", "3", "--workers", "65"], "--workers"),
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--runs", "0"], "--runs"),
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--seed", "-1"], "--seed"),
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--seed", str(10**23)], "--seed"),
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--seed", str(2**63 - 1)], "--seed"),
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--workers", "0"], "--workers"),
    (["sweep", MOSCOW, "--param", "regime.commit=0:1", "--sample", "lhs", "--n", "0"], "--n"),
    (["sweep", MOSCOW, "--param", "regime.commit=0,nan"], "--param"), (["sweep", MOSCOW, "--param", "regime.commit=0:inf"], "--param"),
    (["sweep", MOSCOW, "--param", "regime.commit=0:1:100000000"], "--param"),
    # A grid's steps are a whole number, written as one, as in a sweep file (steps: 3.0) and every flag (--runs 2.0).
    (["sweep", MOSCOW, "--param", "regime.commit=0.2:0.8:3.0"], "--param: 'regime.commit=0.2:0.8:3.0': expects finite numbers"),
    (["sweep", MOSCOW, "--param", "regime.commit=0,1.5"], "--param: regime.commit: 1.5 is outside the parameter's range, 0 to 1"),
    # The path as typed, and the bound as typed: it said "events[6].restraint" and "got 1.0666666666666667", a grid point.
    (["sweep", MOSCOW, "--param", "events.moscow-protocol.restraint=0.8:1.2:4"],
     "--param: events.moscow-protocol.restraint: 1.2 is outside the parameter's range, 0 to 1"),
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--scheduler", "nonsense"], "--scheduler"),
    # calibrate never checked the address: its folder was made, marked and given a study before Dask refused it.
    (["calibrate", ROOT / "calibrations" / "smoke.yaml", "--scheduler", "nonsense"],
     "--scheduler: expects a scheduler address such as tcp://host:8786"),
    (["sweep", MOSCOW], "--param: give at least one parameter"),
    (["sweep-report", ROOT, "--pair", "a"], "--pair"),
    (["map", ROOT / "no-such-folder", "--date", "2020-02-29"], "no-such-folder"),
    # A flag is checked as it is read; the day that does not exist is said so (it was "not a date (expected YYYY-MM-DD)").
    (["map", ROOT / "no-such-folder", "--date", "2020-02-30"], "--date: 2020-02-30 does not exist: February 2020 has 29 days"),
    (["map", ROOT, "--date", "2020-3-1"], "--date: '2020-3-1' is not a date as written: write dates as YYYY-MM-DD, here 2020-03-01"),
    (["runn", MOSCOW], "error: unknown command 'runn' (did you mean 'run'?); python -m sim alone lists the commands"),
    # A value outside a flag's few choices printed argparse's usage block (seven lines) before its error.
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--sample", "lhss"],
     "--sample: expects one of grid, lhs, random, sobol, not 'lhss' (did you mean 'lhs'?)"),
    (["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--executor", "dsak"], "--executor: expects one of local, dask, not 'dsak'"),
    (["calibrate", ROOT / "calibrations" / "smoke.yaml", "--executor", "dsak"], "--executor: expects one of local, dask"),
    (["map", ROOT, "--faction", "hst"], "--faction: expects one of regime, hts, rebels, not 'hst' (did you mean 'hts'?)"),
    # With nothing close the choices were listed twice: "... not 'turkey' (valid: hts, rebels, regime)" (round 60).
    (["map", ROOT, "--faction", "turkey"], "--faction: expects one of regime, hts, rebels, not 'turkey'\n"),
    # An empty path (a shell variable unset: run "$SCENARIO") was the current folder: "error: .: expected a file, found a
    # directory", "--param-set .: no parameter set here", naming a '.' never typed (round 55).
    (["run", ""], "SCENARIO is empty"), (["check", ""], "FILE is empty"), (["compare", ""], "RESULTS_DIR is empty"),
    (["sweep-report", ""], "SWEEP_DIR is empty"), (["calibrate", ""], "CALIBRATION is empty"),
    (["run", MOSCOW, "--param-set", ""], "--param-set: is empty"), (["compare", ROOT, "--outcomes", ""], "--outcomes: is empty"),
    (["sweep", MOSCOW, "--design", ""], "--design: is empty"), (["check", MOSCOW, "--scenario", ""], "--scenario: is empty"),
    # Only spaces ("$S" quoted, S set to a space) was read as a name, then "file not found" of '   '.
    (["run", "   "], "SCENARIO is blank (only spaces): give a path"), (["compare", " "], "RESULTS_DIR is blank"),
    (["compare", ROOT, "--outcomes", "  "], "--outcomes: is blank (only spaces): give a path"),
    (["sweep", MOSCOW, "--design", "\t"], "--design: is blank"),
    (["app", "--scenario", "  "], "--scenario: is blank (only spaces): give a path"),
    # An --out of only spaces was refused, but as "is empty".
    (["run", MOSCOW, "--out", "  "], "--out: is blank (only spaces): give the name"),
    (["compare", ROOT, "--out", " "], "--out: is blank (only spaces): give the name"),
    (["discover", ROOT, "--where", "ceasefire_days >= 30", "--out", " "], "--out: is blank (only spaces): give the name"),
    # A port or a seed is a label, printed as written: "--port: must be from 1 to 65,535 (got 99,999)" (round 65). A count
    # (runs, days) reads with its thousands grouped.
    (["app", "--port", "99999"], "--port: must be from 1 to 65535 (got 99999)\n"),
    (["app", "--port", "port"], "--port: expects a whole number from 1 to 65535, not 'port'"),
    (["run", MOSCOW, "--seed", "-1"], "--seed: must be from 0 to 9223372036854775807 (got -1)\n"),
    (["sweep", MOSCOW, "--param", "regime.commit=0:1", "--sample", "lhs", "--n", "4", "--sample-seed", "4294967296"],
     "--sample-seed: must be from 0 to 4294967295 (got 4294967296)\n"),
    (["run", MOSCOW, "--runs", "1000000"], "--runs: must be from 1 to 100,000 (got 1,000,000)\n"),
]


@pytest.mark.parametrize("args,words", FLAG_CASES, ids=[" ".join(map(str, a[2:] or a[:1])) for a, _ in FLAG_CASES])
def test_bad_flags_are_refused_in_one_line_naming_the_flag(args, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a default results/ folder would appear here
    rc, err = cli(capsys, *args)
    refused(rc, err, words)
    assert "<input>" not in err and "line" not in err.split(":")[1]  # a flag's error is never blamed on a scenario's line
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


@pytest.mark.parametrize("extra", [[], ["--runs", "2"]])
def test_days_beyond_the_scenarios_end_are_refused_naming_its_length(build, tmp_path, capsys, monkeypatch, extra):
    """--days 400 ran a 96-day campaign on to 2021, past its `end:` and the events that shape it, without a word."""
    monkeypatch.chdir(tmp_path)
    line_theatre(build)
    scenario = build.scenario({"end": "2020-01-11"}, name="ten.yaml")  # 10 days
    rc, err = cli(capsys, "run", scenario, "--days", "11", "-q", "--no-map", *extra)
    refused(rc, err, "--days", "runs 10 days, 2020-01-01 to 2020-01-11")
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())
    assert cli(capsys, "run", scenario, "--days", "10", "-q", "--no-map", *extra)[0] == 0


def test_a_seed_error_names_the_flag_through_the_real_command_line(tmp_path):
    p = subprocess.run([sys.executable, "-m", "sim", "run", str(MOSCOW), "--seed", "-1"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=300)
    assert p.returncode == 2 and p.stderr.startswith("error: --seed: ") and "Traceback" not in p.stderr


def test_a_port_out_of_range_is_echoed_as_typed_through_the_real_command_line(tmp_path):
    """``app --port 99999`` said "(got 99,999)": a port is a label, not a count."""
    p = subprocess.run([sys.executable, "-m", "sim", "app", "--port", "99999"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=300)
    assert (p.returncode, p.stderr) == (2, "error: --port: must be from 1 to 65535 (got 99999)\n")


@pytest.mark.parametrize("command", [["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--runs", "1"],
                                     ["calibrate", "smoke.yaml"]], ids=["sweep", "calibrate"])
def test_an_unreachable_scheduler_is_a_quick_one_line_error(tmp_path, capsys, monkeypatch, command):
    """calibrate left its folder behind, marked and holding an empty study.

    The smoke calibration is copied with its layers in a folder of the test's own: the shipped file's, the checkout's
    results/calibrated-smoke, holds another study's layers once a user has tried the README's smoke example there, and
    the note saying so came before the error this test reads first."""
    import time

    import sim.experiments.executors as executors

    if command[0] == "calibrate":
        text = (ROOT / "calibrations" / "smoke.yaml").read_text()
        text = text.replace("../scenarios/", f"{ROOT / 'scenarios'}/").replace("../results/calibrated-smoke", "layers")
        smoke = tmp_path / "calibration" / "smoke.yaml"
        smoke.parent.mkdir()
        smoke.write_text(text)
        command, tmp_path = ["calibrate", smoke], tmp_path / "runs"  # the folder that must stay empty
        tmp_path.mkdir()
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", "1s")  # 5 s in use; the test need not wait that long
    t0 = time.monotonic()
    rc, err = cli(capsys, *command, "--scheduler", "tcp://127.0.0.1:9", "--out", tmp_path / "s")
    refused(rc, err, "--scheduler", "cannot reach a Dask scheduler")
    assert time.monotonic() - t0 < 25 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["sweep", MOSCOW, "--param", "regime.commit=0.2,0.8", "--runs", "1"],
                                     ["calibrate", ROOT / "calibrations" / "smoke.yaml"]], ids=["sweep", "calibrate"])
def test_a_local_executor_and_a_scheduler_together_are_refused(tmp_path, capsys, command):
    """Both given, the scheduler won silently: work asked for on this machine went to a cluster (or waited on one)."""
    rc, err = cli(capsys, *command, "--executor", "local", "--scheduler", "tcp://127.0.0.1:9", "--out", tmp_path / "s")
    refused(rc, err, "--executor local", "--scheduler")
    assert "cannot reach" not in err and list(tmp_path.iterdir()) == []


def test_sweep_file_settings_are_checked_with_their_line(tmp_path):
    for body, key in (("runs: 0", "runs"), ("runs: abc", "runs"), ("n: -1\nsample: lhs", "n"), ("seed: -1", "seed"),
                      ("runs: true", "runs"), ("metrics: 3", "metrics")):
        f = tmp_path / "sweep.yaml"
        f.write_text(f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{low: 0.2, high: 0.8, steps: 3}}\n{body}\n")
        with pytest.raises(InputError) as err:
            load_sweep(f)
        assert err.value.key == key and err.value.line is not None, err.value
    f.write_text(f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{low: .nan, high: 0.8}}\n")
    with pytest.raises(InputError, match="finite numbers"):
        load_sweep(f)


def test_a_sweep_too_large_to_plan_is_refused_before_anything_is_written(tmp_path):
    """A million points of 100,000 runs each was accepted, and planning its batches exhausted the memory."""
    f = tmp_path / "sweep.yaml"
    f.write_text(f"scenario: {MOSCOW}\nsample: lhs\nn: 2000\nruns: 100000\nparameters:\n  regime.commit: {{low: 0.2, high: 0.8}}\n")
    with pytest.raises(InputError, match="200,000,000 runs; at most 100,000,000") as err:
        load_sweep(f)
    assert (err.value.key, err.value.line) == ("runs", 4)
    spec = SweepSpec(MOSCOW, make_design("lhs", [Parameter("regime.commit", 0.2, 0.8)], n=2000), 100_000)
    with pytest.raises(InputError, match="at most 100,000,000") as err:
        run_sweep(spec, tmp_path / "out")
    assert err.value.key == "spec.runs" and not (tmp_path / "out").exists()


def test_a_sweep_file_naming_a_missing_scenario_or_design_says_which_line(tmp_path):
    f = tmp_path / "sweep.yaml"
    f.write_text("runs: 2\nscenario: no-such.yaml\nparameters:\n  regime.commit: {low: 0.2, high: 0.8, steps: 3}\n")
    with pytest.raises(InputError, match="no scenario file at") as err:
        load_sweep(f)
    assert (err.value.line, err.value.key) == (2, "scenario")
    f.write_text(f"scenario: {MOSCOW}\n\ndesign: points.csv\n")
    with pytest.raises(InputError, match="no design file at") as err:
        load_sweep(f)
    assert (err.value.line, err.value.key) == (3, "design")


@pytest.mark.parametrize("other", ["sweeps/truce_sensitivity.yaml", "calibrations/smoke.yaml", "seeds/outcomes.yaml"])
@pytest.mark.parametrize("kind", ["sweep", "calibration"])
def test_a_sweep_or_calibration_naming_another_kind_of_file_as_its_scenario_says_which_line(tmp_path, capsys, kind, other):
    """Round 55: the scenario's reader refused the file named, and the error was that file's alone ("sweeps/x.yaml:
    this is a sweep file, not a scenario file: use python -m sim sweep sweeps/x.yaml"), naming neither the file being
    checked nor its key and line, and telling to run the very command that was run. It is said at the key, as an
    'extends' naming a sweep file is."""
    f = tmp_path / f"{kind}.yaml"
    named = ROOT / other
    if kind == "sweep":
        f.write_text(f"runs: 2\nscenario: {named}\nparameters:\n  regime.commit: {{low: 0.2, high: 0.8, steps: 3}}\n")
    else:
        f.write_text(f"name: x\nscenarios: [{MOSCOW}, {named}]\nparameters:\n  regime.commit: {{low: 0.2, high: 0.9}}\n"
                     "budget: {trials: 2}\n")
    rc, err = cli(capsys, "check", f)
    key = "scenario" if kind == "sweep" else "scenarios[1]"
    refused(rc, err, f"{f}, line 2, key '{key}'", "not a scenario", str(named))


def test_a_misspelt_metric_in_a_sweep_file_is_refused_when_the_file_is_read(tmp_path, capsys):
    sweep = tmp_path / "sweep.yaml"
    body = f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{values: [0.5]}}\nmetrics:\n  - ceasefire_days\n"
    sweep.write_text(body + "  - towns_regim\n")
    for args in (["check", sweep], ["sweep", sweep, "--out", tmp_path / "never"]):
        rc, err = cli(capsys, *args)
        # A close name: the guess and how to list them all, not the whole list after it (as parameters do).
        refused(rc, err, f"{sweep}, line 6, key 'metrics[1]': unknown metric 'towns_regim' (did you mean 'towns_regime'?); "
                "sim.simulate(scenario).metrics() names all ")
        assert "valid:" not in err and "met:moscow-front-holds-to-june" not in err, err
        assert err.endswith(f"names all {len(simulate(load_scenario(MOSCOW)).metrics())}\n"), err  # the pointer is true
    assert not (tmp_path / "never").exists()
    # Nothing close: the plain names, and the per-item ones (a deal's, an outcome's) counted by kind, as sweep-report
    # and discover say it: a campaign sweep's 300-odd names on one line were a wall of text.
    sweep.write_text(body + "  - xyzzy\n")
    rc, err = cli(capsys, "check", sweep)
    refused(rc, err, "unknown metric 'xyzzy'; valid: outcomes_met, control_accuracy",
            "per item: ", "ceasefire_days:<id> (1)", "met:<id> (")
    assert "met:moscow-front-holds-to-june" not in err, err
    with pytest.raises(InputError) as err:
        load_sweep(sweep)
    assert "did you mean" not in str(err.value) and "sim.simulate(scenario).metrics() names all" in str(err.value)
    campaign = tmp_path / "campaign_sweep.yaml"
    campaign.write_text(body.replace(str(MOSCOW), str(ROOT / "scenarios" / "campaign.yaml")) + "  - xyzzy\n")
    rc, err = cli(capsys, "check", campaign)
    refused(rc, err, "unknown metric 'xyzzy'; valid: ")
    assert len(err) < 1000, err
    # A deal's and an outcome's own metrics are known before anything runs.
    sweep.write_text(body + "  - ceasefire_days:moscow-protocol\n  - met:moscow-front-holds-to-june\n")
    assert load_sweep(sweep).metrics[1:] == ["ceasefire_days:moscow-protocol", "met:moscow-front-holds-to-june"]


def test_a_metric_listed_twice_in_a_sweep_file_or_spec_is_refused_at_its_second_line(tmp_path, capsys, toy):
    """A sweep file listing a metric twice (by its name, or once by its alias) was read with it twice, and the manifest
    recorded it twice, where the file's parameters and a grid's values are refused when repeated: the repeat is most
    often another metric mistyped (a deal's id copied from the line above), so it is refused where it is written, with
    the line of the first, as a parameter given twice is."""
    sweep = tmp_path / "sweep.yaml"
    body = f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{values: [0.5]}}\nmetrics:\n  - ceasefire_days:moscow-protocol\n"
    for again in ("ceasefire_days:moscow-protocol", "ceasefire_days__moscow_protocol"):
        sweep.write_text(body + f"  - towns_regime\n  - {again}\n")
        for args in (["check", sweep], ["sweep", sweep, "--out", tmp_path / "never"]):
            rc, err = cli(capsys, *args)
            refused(rc, err, f"{sweep}, line 7, key 'metrics[2]': metric 'ceasefire_days:moscow-protocol' is listed twice "
                    "(also on line 5)")
        assert not (tmp_path / "never").exists()
    design = make_design("grid", [Parameter("regime.commit", values=[0.4])])
    with pytest.raises(InputError) as info:
        run_sweep(SweepSpec(Path(toy).resolve(), design, 1, ["towns_regime", "outcomes_met", "towns_regime"]), tmp_path / "s")
    assert info.value.key == "spec.metrics[2]" and "metric 'towns_regime' is listed twice (also spec.metrics[0])" in info.value.message
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("parameter, sample, words", [
    ("turkey.may_escalate: {low: 0, high: 1}", "lhs", "'turkey.may_escalate' is a switch (true or false), which a lhs design cannot sample"),
    ("hts.protest_days: {low: 1, high: 4}", "random", "'hts.protest_days' takes whole numbers, which a random design would not give"),
    ("turkey.may_escalate: {values: [0, 0.5]}", "grid", "'turkey.may_escalate' is a switch: give 0 (false) or 1 (true), not 0.5"),
])
def test_check_refuses_the_sweep_files_that_sweep_refuses_with_the_same_message(tmp_path, capsys, parameter, sample, words):
    sweep = tmp_path / "sweep.yaml"
    text = f"scenario: {MOSCOW}\nsample: {sample}\nn: 4\nparameters:\n  regime.commit: {{low: 0.2, high: 0.8}}\n  {parameter}\n"
    if sample == "grid":  # no n, and values where a sampled design takes bounds
        text = text.replace("n: 4\n", "").replace("{low: 0.2, high: 0.8}", "{values: [0.2, 0.8]}")
    sweep.write_text(text)
    where = f"{sweep}, line {6 if sample != 'grid' else 5}, key 'parameters.{parameter.split(':')[0]}': "
    errors = [cli(capsys, "check", sweep), cli(capsys, "sweep", sweep, "--out", tmp_path / "never")]
    for rc, err in errors:
        refused(rc, err, where + words)
    assert errors[0][1] == errors[1][1] and not (tmp_path / "never").exists()


def test_a_grid_of_bounds_without_steps_is_refused_with_an_example(tmp_path, capsys, monkeypatch):
    """`--param regime.commit=0.1:0.5` without --sample silently became a 2-point grid (its bounds alone); the README says
    LO:HI:STEPS or A,B,C make a grid, and LO:HI bounds a sampled design."""
    monkeypatch.chdir(tmp_path)
    rc, err = cli(capsys, "sweep", MOSCOW, "--param", "regime.commit=0.1:0.5", "--runs", "2")
    refused(rc, err, "--param: 'regime.commit' has bounds but no steps", "regime.commit=0.1:0.5:5", "regime.commit=0.1,0.5", "--sample lhs")
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {MOSCOW}\nsample: grid\nparameters:\n  regime.commit: {{low: 0.1, high: 0.5}}\n")
    refused(*cli(capsys, "check", sweep), "error: sweep.yaml, line 4, key 'parameters.regime.commit'", "steps")  # as typed: in the working folder
    with pytest.raises(InputError, match="'a' has bounds but no steps"):
        make_design("grid", [Parameter("a", 0.1, 0.5)])
    assert make_design("grid", [Parameter("a", 0.1, 0.5, 3)]).points[:, 0].tolist() == [0.1, 0.30000000000000004, 0.5]


def test_a_grid_of_bounds_without_steps_from_python_says_the_python_fix():
    """From Python the refusal gave only --param's and a sweep file's spellings (`regime.commit=0.4:0.8:5`, `steps: 5`,
    `--sample lhs --n N`), none of which a make_design caller can type: it names sim.Parameter's and make_design's too."""
    with pytest.raises(InputError) as refusal:
        make_design("grid", [Parameter("regime.commit", low=0.4, high=0.8)])
    said = str(refusal.value)
    assert "steps=5" in said and "values=[0.4, 0.8]" in said and "n=N" in said


# ---- sweep points, before dispatch ----


@pytest.fixture
def toy(build):
    line_theatre(build, controllers=("regime", "rebels", "rebels", "hts"))
    return build.scenario({"end": "2020-01-15", "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T3"], force=60)]})


@pytest.mark.parametrize("params,sample,words", [
    ([Parameter("turkey.may_escalate", 0, 1)], "lhs", "is a switch"),
    ([Parameter("turkey.may_escalate", 0, 1)], "random", "is a switch"),
    ([Parameter("regime.commit", 0, 1), Parameter("turkey.may_escalate", 0, 1)], "sobol", "is a switch"),
    ([Parameter("turkey.may_escalate", values=(0.0, 0.5))], "grid", "give 0 (false) or 1 (true)"),
    ([Parameter("hts.protest_days", 1, 4)], "lhs", "takes whole numbers"),
    ([Parameter("hts.protest_days", values=(1.0, 2.5))], "grid", "takes whole numbers"),
    ([Parameter("regime.commit", values=(0.5, 1.5))], "grid", "less than or equal to 1"),
    ([Parameter("regime.comit", values=(0.5,))], "grid", "did you mean 'regime.commit'"),
])
def test_every_point_is_checked_before_anything_runs(toy, tmp_path, params, sample, words, monkeypatch):
    import sim.experiments.sweep as sweep

    monkeypatch.setattr(sweep, "run_tasks", lambda *a, **k: pytest.fail("dispatched"))
    design = make_design(sample, params, n=8 if sample != "grid" else None)
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        run_sweep(SweepSpec(Path(toy).resolve(), design, runs=2), tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_a_switch_swept_on_a_grid_really_switches(toy, tmp_path):
    design = make_design("grid", [Parameter("turkey.may_escalate", values=(0.0, 1.0))])
    rows = run_sweep(SweepSpec(Path(toy).resolve(), design, runs=1), tmp_path / "s").table()
    assert rows["turkey.may_escalate"].tolist() == [0.0, 1.0]


def test_sweep_params_and_sweep_files_take_aliases_as_a_design_does(toy, tmp_path, capsys):
    rc, err = cli(capsys, "sweep", toy, "--param", "regime__commit=0.3,0.6", "--runs", "1", "--workers", "1", "--out", tmp_path / "s")
    assert rc == 0, err
    assert load_sweep_manifest(tmp_path / "s")["design"]["parameters"][0]["path"] == "regime.commit"
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {toy}\nparameters:\n  regime__commit: {{values: [0.3, 0.6]}}\n  turkey__may_escalate: {{values: [0, 1]}}\n")
    assert load_sweep(sweep).design.names == ["regime.commit", "turkey.may_escalate"]
    assert main(["check", str(sweep)]) == 0 and "4 points" in capsys.readouterr().out
    # An unknown alias, and one path given twice, are refused as a design's header refuses them.
    sweep.write_text(f"scenario: {toy}\nparameters:\n  regime.commit: {{values: [0.3]}}\n  regime__comit: {{values: [0.3]}}\n")
    refused(*cli(capsys, "check", sweep), f"{sweep}, line 4, key 'parameters.regime__comit': no parameter 'regime__comit' "
            "(did you mean 'regime__commit'?)")
    refused(*cli(capsys, "sweep", toy, "--param", "regime__comit=0.3", "--out", tmp_path / "never"),
            "error: --param: no parameter 'regime__comit' (did you mean 'regime__commit'?)")
    refused(*cli(capsys, "sweep", toy, "--param", "regime__commit=0.3", "--param", "regime.commit=0.4", "--out", tmp_path / "never"),
            "'regime.commit' is swept twice")
    assert not (tmp_path / "never").exists()


def test_run_param_says_where_parameters_are_set_and_no_flag_is_abbreviated(toy, tmp_path, capsys):
    """`run --param regime.commit=0.3` was read as an abbreviation of --param-set ("no parameter set here");
    `run` takes no --param, and says what to use instead. No flag is taken from its first letters any more."""
    for args in (["--param", "regime.commit=0.3"], ["--param=regime.commit=0.3"]):
        refused(*cli(capsys, "run", toy, *args, "--out", tmp_path / "never"), "error: --param: not a flag of run (sweep takes it)",
                "write a what-if that extends the scenario", f"python -m sim sweep {toy} --param regime.commit=0.3 --runs 40")
    refused(*cli(capsys, "run", toy, "--param", "--out", tmp_path / "never"), "--param PATH=VALUE")
    assert not (tmp_path / "never").exists()
    for args, meant in ((["run", toy, "--ru", "2"], "--runs"), (["run", toy, "--param-s", "x.csv"], "--param-set"),
                        (["sweep", toy, "--par", "regime.commit=0.3"], "--param")):
        refused(*cli(capsys, *args), f"error: {args[2]}: not a flag of {args[0]} (did you mean '{meant}'?)")


# ---- parameter sets (run --param-set) ----


def test_a_param_set_that_is_not_there_is_not_found_with_a_did_you_mean(tmp_path, capsys):
    """Round 31's walk-through: a misspelt --param-set file said "no parameter set here", where every other missing
    input file says "file not found" and names a file of the same folder whose name is close."""
    typo = ROOT / "scenarios" / "calibrated" / "campaign.acepted.csv"
    rc, err = cli(capsys, "run", ROOT / "scenarios" / "campaign.yaml", "--param-set", typo, "--out", tmp_path / "never")
    refused(rc, err, f"--param-set {typo}: file not found (did you mean campaign.accepted.csv, in the same folder?)")
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("rows, line, key, words", [
    ("1,0.5,1\n\n2,0.6,0.5\n", 4, "turkey.may_escalate", "is a switch: give 0/1 or true/false, not 0.5"),
    ("1,0.5,true\n2,1.5,false\n", 3, "regime.commit", "less than or equal to 1"),
    ("1,0.5,1\n2,x,0\n", 3, "regime.commit", "'x' is not a number"),
    # Round 65: a switch written as yes/no was told only "'yes' is not a number", of a column that takes true/false.
    ("1,0.5,yes\n", 2, "turkey.may_escalate", "'yes' is not a number, nor true or false"),
])
def test_a_param_set_error_names_the_file_line_and_column(toy, tmp_path, capsys, rows, line, key, words):
    from sim.experiments.design_file import load_param_set

    f = tmp_path / "set.csv"
    f.write_text("trial,regime.commit,turkey.may_escalate\n" + rows)
    with pytest.raises(InputError) as err:
        load_param_set(f, load_scenario(toy))
    assert (err.value.file, err.value.line, err.value.key) == (str(f), line, key) and words in err.value.message, err.value
    refused(*cli(capsys, "run", toy, "--param-set", f, "--out", tmp_path / "never"), f"{f}, line {line}, key '{key}': ", words)
    assert not (tmp_path / "never").exists()


def test_a_param_set_takes_switches_and_aliases_as_a_design_does(toy, tmp_path):
    from sim.experiments.design_file import load_param_set

    f = tmp_path / "set.csv"
    f.write_text("trial,regime__commit,turkey.may_escalate\n1,0.5,True\n2,0.6,0\n")
    assert load_param_set(f, load_scenario(toy)) == [{"regime.commit": 0.5, "turkey.may_escalate": 1.0},
                                                     {"regime.commit": 0.6, "turkey.may_escalate": 0.0}]
    f.write_text("trial,regime.comit\n1,0.5\n")
    with pytest.raises(InputError, match="did you mean 'regime.commit'") as err:
        load_param_set(f, load_scenario(toy))
    assert (err.value.line, err.value.key) == (1, "regime.comit")


# ---- the scenario's bookkeeping ----


def test_duplicate_event_ids_are_refused_with_both_lines(build):
    line_theatre(build)
    f = build.scenario({"events": [ev(id="x", date="2020-01-02", type="offensive", action="start"),
                                   ev(id="x", date="2020-01-05", type="offensive", action="stop")]})
    with pytest.raises(InputError, match="duplicate event id 'x' \\(also on line") as err:
        load_scenario(f)
    assert err.value.key == "events[1].id" and err.value.line is not None


@pytest.mark.parametrize("key, value", [("force", 30), ("frontage", 3), ("intensity", 0.5), ("group", "west")])
def test_a_counter_offensive_refuses_the_government_only_keys_and_does_not_offer_them(build, key, value):
    """``group``, ``force``, ``frontage`` and ``intensity`` do not apply to HTS's or the rebels' counter-offensive: they
    were accepted and ignored, and the parameter list offered them to sweeps, where they changed nothing."""
    line_theatre(build)
    back = ev(id="back", date="2020-01-02", type="offensive", faction="hts", action="start", axis=["T1"])
    with pytest.raises(InputError, match=f"'{key}' does not apply") as err:
        load_scenario(build.scenario({"events": [{**back, key: value}]}, name="bad.yaml"))
    assert err.value.key == f"events[0].{key}" and err.value.line is not None
    scenario = load_scenario(build.scenario({"events": [back]}))
    assert not [p for p in sim.parameters(scenario)["path"] if p.startswith("events.back.")]


@pytest.mark.parametrize("faction", ["regime", "rebels"])
def test_an_axis_through_a_camp_is_refused_at_its_town(build, faction):
    """Camps are where people flee to, no side's objective: the government never attacks one, so a group aimed at one
    pushed forever, and a counter-offensive aimed at one the government held would have taken it."""
    build.theatre([("T0", 35.5, 36.0, "rebels"), ("T1", 35.5, 36.05, "regime"), ("Camp", 35.5, 36.1, "regime", 1000, "camp")],
                  [("T0", "T1", "M9"), ("T1", "Camp", "M9")])
    push = ev(id="go", date="2020-01-02", type="offensive", faction=faction, action="start", axis=["T1", "Camp"])
    with pytest.raises(InputError, match="'Camp' is a camp") as err:
        load_scenario(build.scenario({"events": [push]}, name="bad.yaml"))
    assert err.value.key == "events[0].axis[1]" and err.value.line is not None
    load_scenario(build.scenario({"events": [{**push, "axis": ["T1"]}]}))


@pytest.mark.parametrize("faction, key, value", [("regime", "axis", ["T1"]), ("regime", "force", 30), ("regime", "frontage", 3),
                                                  ("regime", "intensity", 0.5), ("hts", "axis", ["T1"])])
def test_a_stop_refuses_the_keys_it_ignores_and_does_not_offer_them(build, key, value, faction):
    """A stop stands a group down (or ends a counter-offensive): its ``axis``, ``force``, ``frontage`` and ``intensity``
    were accepted and ignored, and the parameter list offered ``frontage`` and ``intensity`` to sweeps and calibrations,
    where any value ran the same."""
    line_theatre(build)
    start = ev(id="go", date="2020-01-02", type="offensive", faction=faction, action="start", axis=["T1"])
    stop = ev(id="halt", date="2020-01-05", type="offensive", faction=faction, action="stop")
    with pytest.raises(InputError, match=f"'{key}' does not apply to a stop") as err:
        load_scenario(build.scenario({"events": [start, {**stop, key: value}]}, name="bad.yaml"))
    assert err.value.key == f"events[1].{key}" and err.value.line is not None
    scenario = load_scenario(build.scenario({"events": [start, stop]}))
    assert not [p for p in sim.parameters(scenario)["path"] if p.startswith("events.halt.")]
    with pytest.raises(InputError, match="no parameter 'events.halt.intensity'"):
        scenario.with_params({"events.halt.intensity": 0.0})


def deal(kind: str, ident: str, date: str, effective: str, until: str | None = None) -> dict:
    d = ev(id=ident, type=kind, name=ident, date=date, effective=effective, parties=["russia"], compliance={"regime": 1.0},
           restraint=1.0)
    return {**d, "until": until} if until else d


def test_ceasefires_the_model_cannot_hold_at_once_are_refused(build, capsys):
    line_theatre(build)
    same_day = build.scenario({"events": [deal("truce", "a", "2020-01-02", "2020-01-03"), deal("truce", "b", "2020-01-02", "2020-01-04")]},
                              name="same.yaml")
    with pytest.raises(InputError, match="both announced on 2020-01-02"):
        load_scenario(same_day)
    # A deal announced before an earlier one takes effect supersedes it, and the run logs it: check says so.
    early = build.scenario({"events": [deal("truce", "a", "2020-01-02", "2020-01-06"), deal("agreement", "b", "2020-01-04", "2020-01-05")]})
    assert main(["check", str(early)]) == 0
    assert "'b' supersedes 'a' on 2020-01-04 before it took effect" in capsys.readouterr().out
    result = simulate(load_scenario(early))
    assert (result.events["type"] == "truce_superseded").sum() == 1
    # Dated on the day the first takes effect, the second is announced the night before: the first is never in force.
    on_the_day = build.scenario({"events": [deal("truce", "a", "2020-01-02", "2020-01-04"), deal("agreement", "b", "2020-01-04", "2020-01-05")]},
                                name="on_the_day.yaml")
    assert main(["check", str(on_the_day)]) == 0
    assert "'b' supersedes 'a' on 2020-01-04 before it took effect" in capsys.readouterr().out
    logged = simulate(load_scenario(on_the_day)).events["type"].tolist()
    assert "truce_superseded" in logged and "truce_in_force" not in logged


def test_a_deal_announced_while_another_is_in_force_supersedes_it(build, capsys):
    line_theatre(build)
    f = build.scenario({"events": [deal("truce", "a", "2020-01-02", "2020-01-03", until="2020-01-19"),
                                   deal("agreement", "b", "2020-01-08", "2020-01-09")]})
    sc = load_scenario(f)
    rc = main(["check", str(f)])
    assert rc == 0 and "'b' supersedes 'a' on 2020-01-08" in capsys.readouterr().out
    result = simulate(sc)
    metrics = run_metrics(RunData.of(result), [], result.theatre)
    assert metrics["ceasefire_days"] == 5 and metrics["ceasefire_broken"] == 0  # in force 3..7 January, then superseded


def test_ceasefire_days_stop_at_expiry(build):
    line_theatre(build)
    sc = load_scenario(build.scenario({"events": [deal("truce", "a", "2020-01-02", "2020-01-03", until="2020-01-06")]}))
    result = simulate(sc)
    metrics = run_metrics(RunData.of(result), [], result.theatre)
    assert metrics["ceasefire_days"] == 4 and metrics["ceasefire_broken"] == 0  # 3, 4, 5 and 6 January; not 19


def test_ceasefire_days_stop_at_a_breakdown(build):
    line_theatre(build)
    truce = {**deal("truce", "a", "2020-01-02", "2020-01-03"), "compliance": {"regime": 0.01}, "restraint": 0.0}
    sc = load_scenario(build.scenario({"events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T2"], force=60), truce]}))
    result = simulate(sc)
    metrics = run_metrics(RunData.of(result), [], result.theatre)
    broken = result.events.loc[result.events["type"] == "truce_broken", "date"].iloc[0]
    assert metrics["ceasefire_broken"] == 1 and metrics["ceasefire_days"] == (int(broken[-2:]) - 3)


@pytest.mark.parametrize("path", ["regime.proximity_km", "regime.axis_km"])
def test_a_declared_range_excludes_values_that_break_a_rule(build, path):
    line_theatre(build)
    faction, key = path.split(".")
    f = build.scenario(textwrap.dedent(f"""\
        name: toy
        theatre: toy.yaml
        claims: seeds/claims.yaml
        start: 2020-01-01
        end: 2020-01-10
        initial_control: 2020-01-01
        factions: {{{faction}: {{{key}: 0}}}}
        """))
    with pytest.raises(InputError):
        load_scenario(f)


def test_an_error_names_a_file_in_the_working_folder_as_the_user_typed_it(tmp_path, capsys, monkeypatch):
    """Scenarios are read by their resolved path; the message gives it back relative to the working folder, and in
    full only when the file lies elsewhere."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "t7.yaml").write_text(f"extends: {MOSCOW}\nname: t7\nbogus: 3\n")
    monkeypatch.chdir(tmp_path)
    rc, err = cli(capsys, "check", "mine/t7.yaml")
    refused(rc, err, "key 'bogus'")
    assert err.startswith("error: mine/t7.yaml, line 3,"), err
    monkeypatch.chdir(mine.parent.parent)
    rc, err = cli(capsys, "check", mine / "t7.yaml")
    refused(rc, err)
    assert err.startswith(f"error: {tmp_path.name}/mine/t7.yaml,") or err.startswith(f"error: {mine / 't7.yaml'},"), err


# ---- round 28: what the messages name ----


def test_a_sweep_files_unknown_key_in_a_parameter_is_named_with_a_guess(tmp_path, capsys):
    """{value: [...]} said only "expected {low, high[, steps]} or {values: [...]}", not which key was wrong."""
    f = tmp_path / "s.yaml"
    f.write_text(f"scenario: {MOSCOW}\nparameters:\n  regime.commit:\n    low: 0\n    hihg: 1\n")
    refused(*cli(capsys, "check", f), f"{f}, line 5, key 'parameters.regime.commit.hihg': unknown key 'hihg' (did you mean 'high'?)")
    f.write_text(f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{value: [0.2, 0.4]}}\n")
    refused(*cli(capsys, "check", f), "line 3, key 'parameters.regime.commit.value': unknown key 'value' (did you mean 'values'?)")


def test_a_point_outside_its_range_is_named_by_the_path_the_user_wrote(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(f"scenario: {MOSCOW}\nparameters:\n  events.moscow-protocol.restraint: {{values: [0.5, 1.5]}}\n")
    rc, err = cli(capsys, "check", f)
    refused(rc, err, "key 'parameters.events.moscow-protocol.restraint.values': 1.5 is outside the parameter's range, 0 to 1")
    assert "events[" not in err, err


@pytest.mark.parametrize(("args", "words"), [
    (["compare", "a", "b", "c"], "error: compare takes one results folder, or two to set side by side (usage: python -m sim compare [-h]"),
    (["map", "a", "b", "c"], "error: map takes one results folder, or two (baseline, what-if) (usage: python -m sim map [-h]"),
    # Round 77: a flag left without its value, or a required argument left out, got argparse's own error, the usage
    # on three or four lines then "python -m sim run: error: argument --runs: expected one argument", where every other
    # refusal of the command line is one line naming the flag.
    (["run", "scenarios/moscow.yaml", "--runs"], "error: --runs: needs a value (usage: python -m sim run [-h]"),
    (["map", "results", "--faction"], "error: --faction: needs a value (usage: python -m sim map [-h]"),
    (["run", "scenarios/moscow.yaml", "--no-map=no"], "error: --no-map: takes no value: give it alone (usage: python -m sim run"),
    (["run"], "error: run needs scenario (usage: python -m sim run [-h]"),
    (["compare"], "error: compare needs RESULTS_DIR (usage: python -m sim compare [-h]"),
    (["discover", "results"], "error: --where: discover needs it (usage: python -m sim discover [-h]"),
])
def test_an_argument_too_many_or_missing_is_refused_in_one_line_with_the_commands_own_usage(capsys, args, words):
    """`compare a b c` printed the top-level usage; then the command's, on lines of its own before argparse's error."""
    rc, err = cli(capsys, *args)
    refused(rc, err, words, f"python -m sim {args[0]} --help says what each is")
    assert "COMMAND" not in err, err


def test_metric_takes_a_comma_list_as_pair_does(capsys, monkeypatch):
    """--pair a,b took a comma list and --metric a,b was refused as one unknown metric."""
    import sim.viz.sweep_report as report

    asked = []
    monkeypatch.setattr(report, "sweep_report", lambda folder, metrics, pair: asked.append(metrics) or pytest.skip("seen"))
    with pytest.raises(pytest.skip.Exception):
        main(["sweep-report", "results/x", "--metric", "ceasefire_days,towns_regime", "--metric", "outcomes_met"])
    assert asked == [["ceasefire_days", "towns_regime", "outcomes_met"]]


def test_a_folder_of_the_users_says_whether_it_holds_files_or_folders(tmp_path, capsys):
    """--out myfolder, holding notes.txt, said it "holds a folder the simulator did not write (notes.txt)"."""
    mine = tmp_path / "myfolder"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    rc, err = cli(capsys, "run", MOSCOW, "--days", "2", "--out", mine)
    refused(rc, err, f"--out {mine}: exists and holds a file the simulator did not write (notes.txt)")
    (mine / "old").mkdir()
    refused(*cli(capsys, "run", MOSCOW, "--days", "2", "--out", mine), "holds files and folders the simulator did not write (notes.txt, old/)")


@pytest.mark.parametrize("written, words", [
    ("2020-6-1", "'2020-6-1' is not a date as written: write dates as YYYY-MM-DD, here 2020-06-01"),
    ("June 1", "'June 1' is not a date: write dates as YYYY-MM-DD, e.g. 2020-06-01"),
    ("2020-06-31", "2020-06-31 does not exist: June 2020 has 30 days"),
    ("2020-13-01", "2020-13-01 is not a date: there is no month 13"),
])
def test_a_date_written_otherwise_says_how_to_write_it(tmp_path, capsys, written, words):
    """`end: 2020-6-1` gave pydantic's "input should be a valid date or datetime, input is too short"."""
    f = tmp_path / "s.yaml"
    f.write_text(f"extends: {MOSCOW}\nend: {written}\nname: mine\n")
    rc, err = cli(capsys, "check", f)
    refused(rc, err, f"{f}, line 2, key 'end': {words}")
    assert "too short" not in err and "datetime" not in err, err


def test_a_misspelt_scenario_path_names_the_file_it_was_close_to(capsys):
    rc, err = cli(capsys, "check", ROOT / "scenarios" / "campain.yaml")
    refused(rc, err, "file not found", "did you mean campaign.yaml, in the same folder?")
    rc, err = cli(capsys, "check", ROOT / "scenarios" / "nothing_like_it.yaml")
    refused(rc, err, "file not found")
    assert "did you mean" not in err, "no guess when nothing is close"


def test_a_scenario_named_without_its_folder_names_the_shipped_file(tmp_path, capsys, monkeypatch):
    """`run campaign.yaml` (or `run campaign`, or `check whatif/jan_truce_holds.yaml`) from the project's root said
    only "file not found", where `python -m sim` lists scenarios/campaign.yaml: the file in scenarios/ is named."""
    monkeypatch.chdir(ROOT)
    for typed, meant in (("campaign.yaml", "scenarios/campaign.yaml"), ("campaign", "scenarios/campaign.yaml"),
                         ("whatif/jan_truce_holds.yaml", "scenarios/whatif/jan_truce_holds.yaml"),
                         ("no_saraqib_posts.yaml", "scenarios/whatif/no_saraqib_posts.yaml")):
        for command in ("run", "check"):  # run reads the file by its resolved path, check as typed
            rc, err = cli(capsys, command, typed)
            refused(rc, err, f"{typed}: file not found (did you mean {meant}?)")
    rc, err = cli(capsys, "check", "idlib.yaml")  # two files of that name under scenarios/: no guess
    refused(rc, err, "idlib.yaml: file not found")
    assert "did you mean" not in err, err
    rc, err = cli(capsys, "check", "no_saraqib_post*.yaml")  # a name, not a pattern: '*' matches nothing but itself
    refused(rc, err, "no_saraqib_post*.yaml: file not found")
    assert "did you mean" not in err, err


def test_a_misspelt_file_and_a_misspelt_name_are_guessed_by_one_matcher_each_with_its_own_bar(tmp_path):
    """near_miss (a file) and did_you_mean (a key, a metric) share one matcher: the same guess among equally close
    names (the last in sorted order, whatever order the folder lists them in), and a file only when it is closer
    (0.8) than a name must be (0.6), since a folder's other files are not a list of valid names."""
    from sim.errors import did_you_mean
    from sim.io.files import near_miss

    for name in ("run_b.yaml", "run_a.yaml", "notes.txt", "run_c.yaml"):
        (tmp_path / name).write_text("")
    assert near_miss(tmp_path / "run_x.yaml") == " (did you mean run_c.yaml, in the same folder?)"
    assert did_you_mean("run_x.yaml", ["run_b.yaml", "run_c.yaml", "run_a.yaml"]) == " (did you mean 'run_c.yaml'?)"
    assert near_miss(tmp_path / "rzz_x.yaml") == ""  # 0.7 alike: too far for a file
    assert did_you_mean("rzz_x.yaml", ["run_a.yaml"]) == " (did you mean 'run_a.yaml'?)"
    assert near_miss(tmp_path / "run_x.txt") == ""  # only a file of the same kind


def test_a_results_folder_that_is_not_there_is_said_so_with_a_near_name(tmp_path, capsys):
    """`compare results/nope` said "no manifest.json in this path", as if the folder were there and not results."""
    (tmp_path / "moscow-seed1-days3").mkdir()
    for command in ("compare", "map", "plot"):
        assert cli(capsys, command, tmp_path / "moscow-seed1-day3") == (
            2, f"error: {tmp_path / 'moscow-seed1-day3'}: no such folder (did you mean moscow-seed1-days3, in the same folder?)\n")
    assert cli(capsys, "compare", tmp_path / "moscow-seed1-days3")[1].endswith("not a results folder (no manifest.json in this folder)\n")


def test_a_file_or_folder_inside_a_results_folder_is_sent_to_the_folder(tmp_path, capsys):
    """`compare results/x/manifest.json` said "not a results folder (no manifest.json in this path)" of a manifest.json,
    and `compare ENSEMBLE/replicates` or `map RUN/control.csv` did not say which folder to give (check takes the
    manifest, so a user tries it)."""
    from sim import run_ensemble, write_run

    run = write_run(simulate(MOSCOW, days=3), tmp_path / "run")
    ens = run_ensemble(MOSCOW, 2, tmp_path / "ens", days=3).path
    for folder, inside in ((run, run / "manifest.json"), (run, run / "control.csv"), (ens, ens / "manifest.json"),
                           (ens, ens / "replicates"), (ens, ens / "replicates" / "days")):
        for command in ("compare", "map"):
            assert cli(capsys, command, inside) == (
                2, f"error: {inside}: is inside the results folder {folder}, not one itself: give {folder}\n")


def test_a_factions_settings_at_the_top_level_are_sent_under_factions(tmp_path, capsys):
    """A top-level `russia:` got "unknown key 'russia'" with no hint of where it belongs."""
    f = tmp_path / "t.yaml"
    f.write_text(f"extends: {MOSCOW}\nname: t\nrussia:\n  strike_radius_km: 10\n")
    refused(*cli(capsys, "check", f), f"{f}, line 3, key 'russia': unknown key 'russia'; a faction's settings go under "
                                      "'factions:' (factions: {russia: ...})")


def test_a_grid_value_listed_twice_is_refused(tmp_path, capsys):
    """A grid with a repeated value ran the same point twice and averaged it as two."""
    f = tmp_path / "s.yaml"
    f.write_text(f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{values: [0.2, 0.4, 0.2]}}\n")
    refused(*cli(capsys, "check", f), f"{f}, line 3, key 'parameters.regime.commit.values': 0.2 is listed twice")
    refused(*cli(capsys, "sweep", MOSCOW, "--param", "regime.commit=0.2,0.4,0.2", "--out", tmp_path / "o"),
            "--param: 'regime.commit=0.2,0.4,0.2': 0.2 is listed twice")
    assert not (tmp_path / "o").exists()
    # Equal bounds with steps were the same value listed three times, and ran the same point thrice.
    f.write_text(f"scenario: {MOSCOW}\nparameters:\n  regime.commit: {{low: 0.5, high: 0.5, steps: 3}}\n")
    refused(*cli(capsys, "check", f), f"{f}, line 3, key 'parameters.regime.commit': 'regime.commit' needs bounds low < high "
                                      "for a grid (got low 0.5, high 0.5)")
    refused(*cli(capsys, "sweep", MOSCOW, "--param", "regime.commit=0.5:0.5:3", "--out", tmp_path / "o"),
            "--param: 'regime.commit' needs bounds low < high for a grid (got low 0.5, high 0.5)")
    refused(*cli(capsys, "sweep", MOSCOW, "--param", "regime.commit=0.9:0.5:3", "--out", tmp_path / "o"),
            "--param: 'regime.commit' needs bounds low < high for a grid (got low 0.9, high 0.5)")
    assert not (tmp_path / "o").exists()


# ---- an outcomes file: values checked against each other ----

RECORD = ROOT / "seeds" / "outcomes.yaml"
OUTCOMES = f"""claims: {ROOT / 'seeds' / 'claims.yaml'}
outcomes:
  - id: calm
    set: validation
    kind: condition
    description: x
    period: [2020-03-06, 2020-04-02]
    max_captures: 0
    source: [maarat-taken]
  - id: dead
    set: calibration
    kind: quantity
    description: x
    variable: turkish_deaths
    date: 2020-03-04
    range: [50, 70]
    source: [maarat-taken]
  - id: taken-again
    set: calibration
    kind: capture
    description: x
    town: Saraqib
    by: regime
    reported: 2020-02-27
    after: 2020-02-10
    tolerance_days: 7
    source: [maarat-taken]
  - id: broken
    set: calibration
    kind: event
    description: x
    event: truce_broken
    reported: 2020-01-15
    window: [2020-01-12, 2020-01-19]
    source: [maarat-taken]
"""


NEVER_MET = OUTCOMES + """  - id: front
    set: calibration
    kind: front
    description: x
    date: 2020-03-05
    reference: 2020-03-06
    belts: [A]
    source: [maarat-taken]
  - id: road
    set: calibration
    kind: road
    description: x
    towns: [Saraqib]
    by: regime
    reported: 2020-02-06
    tolerance_days: 3
    source: [maarat-taken]
"""


@pytest.mark.parametrize("old, new, line, key, words", [
    # A period that ends before it starts counts no change of hands: always met.
    ("period: [2020-03-06, 2020-04-02]", "period: [2020-04-02, 2020-03-06]", 7, "outcomes[0].period",
     "'period' is [start, end]: its start (2020-04-02) is after its end (2020-03-06)"),
    # A range whose low is above its high holds no value: never met.
    ("range: [50, 70]", "range: [70, 50]", 16, "outcomes[1].range",
     "'range' is [low, high]: its low (70) is above its high (50)"),
    # A reported figure outside its own range: the record itself would not meet the outcome (round 55).
    ("range: [50, 70]", "range: [50, 70]\n    reported: 40", 17, "outcomes[1].reported",
     "'reported' (40) is outside the outcome's own 'range' [50, 70]: the record would not meet it"),
    # The change of hands is looked for from 'after' on: an 'after' past 'reported' skips the reported one itself.
    ("after: 2020-02-10", "after: 2020-02-28", 25, "outcomes[2].after",
     "'after' (2020-02-28) is later than 'reported' (2020-02-27): the change of hands is looked for from 'after' on"),
    # An event's 'after' (new in round 74) is refused as a capture's: past 'reported', the reported event is not looked at.
    ("window: [2020-01-12, 2020-01-19]", "window: [2020-01-12, 2020-01-19]\n    after: 2020-01-16", 35, "outcomes[3].after",
     "'after' (2020-01-16) is later than 'reported' (2020-01-15): the event is looked for from 'after' on"),
    # Refused before, but at the key of the outcome, not of its window. At the window's line: it was the 'event' key's,
    # pydantic's location naming the outcome's kind, 'event', which is a key of an event outcome too.
    ("window: [2020-01-12, 2020-01-19]", "window: [2020-01-16, 2020-01-19]", 34, "outcomes[3].window",
     "'reported' must lie inside 'window'"),
    # A window that ends before it starts was refused as not holding 'reported', which lay between its dates.
    ("window: [2020-01-12, 2020-01-19]", "window: [2020-01-19, 2020-01-12]", 34, "outcomes[3].window",
     "'window' is [start, end]: its start (2020-01-19) is after its end (2020-01-12)"),
    # No town to hold: the road "was first held" on no date ("regime first holds all of  on ..."), never met.
    ("towns: [Saraqib]", "towns: []", 48, "outcomes[5].towns", "list should have at least 1 item after validation, not 0"),
    # No belt: a share of no towns is NaN (numpy's "Mean of empty slice"), never met.
    ("belts: [A]", "belts: []", 42, "outcomes[4].belts", "list should have at least 1 item after validation, not 0"),
    # Every comparison with NaN is False: never met, whatever the run shows.
    ("range: [50, 70]", "range: [.nan, 70]", 16, "outcomes[1].range[0]", "input should be a finite number (got nan)"),
    ("range: [50, 70]", "range: [50, .inf]\n    reported: .nan", 17, "outcomes[1].reported", "input should be a finite number (got nan)"),
    # The figures' ranges are drawn about their middle: an infinite bound has none.
    ("range: [50, 70]", "range: [50, .inf]", 16, "outcomes[1].range[1]", "input should be a finite number (got inf)"),
])
def test_an_outcome_that_contradicts_itself_or_can_never_be_met_is_refused_at_its_key(tmp_path, capsys, old, new, line, key,
                                                                                    words):
    """Each of these loaded and was scored: a reversed condition period (always met), a reversed quantity range, a
    capture's 'after' past its 'reported', an empty 'towns' or 'belts', a NaN in a quantity's range (never met; the
    empty belts with a numpy RuntimeWarning). Each is refused at its line and key, exit 2, one line."""
    good = tmp_path / "good.yaml"
    good.write_text(NEVER_MET)
    rc, err = cli(capsys, "check", good, "--scenario", ROOT / "scenarios" / "campaign.yaml")
    assert rc == 0, err
    bad = tmp_path / "outcomes.yaml"
    bad.write_text(NEVER_MET.replace(old, new))
    rc, err = cli(capsys, "check", bad, "--scenario", ROOT / "scenarios" / "campaign.yaml")
    refused(rc, err, f"error: {bad}, line {line}, key '{key}': {words}")


@pytest.mark.parametrize("old, new, line, key", [
    ("town: Saraqib", "town: Nayrab", 22, "outcomes[2].town"),
    ("towns: [Saraqib]", "towns: [Saraqib, Nayrab]", 48, "outcomes[5].towns[1]"),
])
def test_an_unknown_town_of_an_outcome_gets_the_suggestion_a_scenario_gets(tmp_path, capsys, old, new, line, key):
    """An outcome's 'Nayrab' was asked "did you mean 'Saraqib'?" where a scenario's is asked about 'Nayrab (Idlib)'."""
    bad = tmp_path / "outcomes.yaml"
    bad.write_text(NEVER_MET.replace(old, new))
    rc, err = cli(capsys, "check", bad, "--scenario", ROOT / "scenarios" / "campaign.yaml")
    refused(rc, err, f"error: {bad}, line {line}, key '{key}': unknown town 'Nayrab' (did you mean 'Nayrab (Idlib)'?)\n")


def test_an_event_outcomes_own_event_key_is_named_as_its_other_keys_are(tmp_path, capsys):
    """pydantic locates an event outcome's errors through the outcome's kind, 'event', which is also a key of it: a
    wrong 'event' was put at 'outcomes[3]' (the kind dropped with the key), and a wrong 'match' at the line of 'event'."""
    bad = tmp_path / "outcomes.yaml"
    bad.write_text(NEVER_MET.replace("event: truce_broken", "event: [truce_broken]"))
    refused(*cli(capsys, "check", bad, "--scenario", ROOT / "scenarios" / "campaign.yaml"),
            f"error: {bad}, line 32, key 'outcomes[3].event': 'event' is a list, where text is wanted")
    bad.write_text(NEVER_MET.replace("event: truce_broken", "event: truce_broken\n    match: [a]"))
    refused(*cli(capsys, "check", bad, "--scenario", ROOT / "scenarios" / "campaign.yaml"),
            f"error: {bad}, line 33, key 'outcomes[3].match': 'match' is a list, where text is wanted")


def test_the_shipped_record_passes_the_checks_between_its_values(capsys):
    """No outcome of seeds/outcomes.yaml is refused by them (an 'after' equal to its 'reported' is allowed)."""
    rc = main(["check", str(RECORD), "--scenario", str(ROOT / "scenarios" / "campaign.yaml")])
    out = capsys.readouterr().out
    assert rc == 0 and f"{RECORD}: ok (an outcomes file: " in out, out


@pytest.mark.parametrize("named, words", [
    ("nothere.yaml", "'claims' names a file that does not exist"),
    ("7", "'claims' must be the path of the claims record, relative to this file (found 7)"),
    ("''", "'claims' must be the path of the claims record, relative to this file (found '')"),
    (str(ROOT / "scenarios" / "campaign.yaml"), "'claims' names a scenario, not a claims record"),
    (".", "'claims' names a directory"),
])
def test_an_outcomes_files_claims_that_is_no_claims_record_is_refused_at_its_line(tmp_path, capsys, named, words):
    """An outcomes file's 'claims' was read as a path whatever it held (7 as a file '7') and refused with the file named
    alone ('.../nothere.yaml: file not found'), or, naming a scenario, at line 1 of that scenario ('expected a 'claims'
    list'), as if the shipped file were broken. Refused at the outcomes file's own line and key, exit 2, one line."""
    bad = tmp_path / "outcomes.yaml"
    bad.write_text(f"# an outcomes file\nclaims: {named}\noutcomes: []\n")
    refused(*cli(capsys, "check", bad, "--scenario", ROOT / "scenarios" / "campaign.yaml"),
            f"error: {bad}, line 2, key 'claims': {words}")


@pytest.mark.parametrize("variable, words", [("ceasefire", "words"), ("date", "dates")])
def test_a_quantity_outcome_naming_a_series_that_is_not_numeric_is_refused_at_its_key(build, tmp_path, capsys, variable, words):
    """`check` passed a quantity outcome of `variable: ceasefire` (the deal's state in words) or `date`, and `compare`
    then stopped with a traceback (ValueError: could not convert string to float: 'broken'; KeyError: 'date'), as did a
    run's metrics. Refused, in each, at the variable's line and key, exit 2."""
    bad = tmp_path / "outcomes.yaml"
    bad.write_text(NEVER_MET.replace("variable: turkish_deaths", f"variable: {variable}"))
    message = f"error: {bad}, line 14, key 'outcomes[1].variable': time series '{variable}' is not numeric (its values are {words})"
    refused(*cli(capsys, "check", bad, "--scenario", ROOT / "scenarios" / "campaign.yaml"), message)
    line_theatre(build)
    toy = tmp_path / "toy"
    (toy / "seeds").mkdir(parents=True)
    (toy / "seeds" / "outcomes.yaml").write_text(
        f"claims: claims.yaml\noutcomes:\n  - {{id: calm, kind: quantity, set: validation, description: x,\n"
        f"      variable: {variable}, date: 2020-01-03, range: [0, 1], source: [test-claim]}}\n")
    (toy / "seeds" / "claims.yaml").write_text((build.root / "seeds" / "claims.yaml").read_text())
    scenario = build.scenario({"end": "2020-01-05"})
    assert main(["run", str(scenario), "--no-map", "-q", "--out", str(tmp_path / "run")]) == 0
    capsys.readouterr()
    refused(*cli(capsys, "compare", tmp_path / "run", "--outcomes", toy / "seeds" / "outcomes.yaml"), "line 4",
            "key 'outcomes[0].variable'", f"time series '{variable}' is not numeric")
    with pytest.raises(InputError, match=f"time series '{variable}' is not numeric"):
        simulate(load_scenario(scenario)).metrics(toy / "seeds" / "outcomes.yaml")


def test_a_misspelt_event_type_or_outcome_kind_is_refused_at_its_own_line_and_key(tmp_path, capsys):
    """'unknown event type' named the event's first line and the event ('events[0]'), two lines above the misspelt
    'type:' in a block-style file; the outcome's 'kind:' likewise."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {ROOT / 'scenarios' / 'campaign.yaml'}\nname: s\nevents:\n  - id: zz\n"
                        "    date: 2020-01-05\n    type: offensiv\n    source: [saraqib-posts]\n")
    refused(*cli(capsys, "check", scenario), f"error: {scenario}, line 6, key 'events[0].type': unknown event type "
            "'offensiv' (did you mean 'offensive'?)")
    outcomes = tmp_path / "o.yaml"
    outcomes.write_text(f"claims: {ROOT / 'seeds' / 'claims.yaml'}\noutcomes:\n  - id: x\n    set: validation\n"
                        "    kind: controler\n    description: d\n    town: Saraqib\n    date: 2020-02-10\n"
                        "    controller: regime\n    source: [saraqib-posts]\n")
    refused(*cli(capsys, "check", outcomes, "--scenario", ROOT / "scenarios" / "campaign.yaml"),
            f"error: {outcomes}, line 5, key 'outcomes[0].kind': unknown outcome kind 'controler' (did you mean 'controller'?)")


def test_a_scenario_written_yml_is_guessed_as_the_yaml_beside_it(tmp_path, capsys):
    """`run scenarios/moscow.yml` said only "file not found": '.yml' and '.yaml' are one kind of file, and only a name
    with the same ending was looked at."""
    from sim.io.files import near_miss

    (tmp_path / "mine.yaml").write_text("")
    assert near_miss(tmp_path / "mine.yml") == " (did you mean mine.yaml, in the same folder?)"
    rc, err = cli(capsys, "run", ROOT / "scenarios" / "moscow.yml")
    refused(rc, err, "file not found", "did you mean moscow.yaml, in the same folder?")


@pytest.mark.parametrize(("given", "command"), [("scenarios/moscow.yaml", "run"), ("sweeps/jan_truce_30_days.yaml", "sweep")])
def test_a_scenario_given_to_compare_map_or_plot_is_told_to_run_it_first(capsys, given, command):
    """`compare scenarios/moscow.yaml` said "not a results folder (no manifest.json in this path)": a new user who had
    not run the scenario yet learnt nothing of what to give instead."""
    for reader in ("compare", "map", "plot"):
        rc, err = cli(capsys, reader, ROOT / given)
        refused(rc, err, f"python -m sim {command} ")
        assert "no manifest.json" not in err, err


@pytest.mark.parametrize("args,command", [(["plot", ROOT / "a", ROOT / "b"], "plot"), (["run", MOSCOW, MOSCOW], "run"),
                                          (["sweep-report", ROOT / "a", ROOT / "b"], "sweep-report")])
def test_an_argument_too_many_is_refused_in_one_line_with_the_command_s_usage(args, command, capsys):
    """`plot A B` printed the top-level usage, without plot's arguments, and 'python -m sim: error: unrecognized
    arguments: B', where a flag too many is told in one line which command's flags it is not among."""
    rc, err = cli(capsys, *args)
    refused(rc, err, f"error: {command} takes no argument '{args[-1]}'", f"(usage: python -m sim {command} [-h]",
            f"python -m sim {command} --help says what each is")


@pytest.mark.parametrize("args,flag", [(["sweep", MOSCOW, "--design", "points.csv", "--runs", "2"], "--design"),
                                       (["compare", ROOT, "--outcomes", "seeds/outcome.yaml"], "--outcomes"),
                                       (["plot", ROOT, "--outcomes", "seeds/outcome.yaml"], "--outcomes"),
                                       (["check", ROOT / "seeds" / "outcomes.yaml", "--scenario", "campaign.yaml"], "--scenario")])
def test_a_flag_naming_a_missing_file_is_named_with_it(args, flag, capsys, monkeypatch):
    """`sweep --design points.csv` with no such file said 'points.csv: file not found', naming no flag, where
    `run --param-set` and `app --scenario` say which flag named it."""
    monkeypatch.chdir(ROOT)
    rc, err = cli(capsys, *args)
    missing = args[args.index(flag) + 1]
    refused(rc, err, f"error: {flag} {missing}: file not found")
    assert "(did you mean" in err or flag == "--design", err  # a near miss is still offered
