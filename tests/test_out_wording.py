"""A refusal names what its caller gave: ``--out`` on the command line, ``out=`` (the argument) from Python.

The Python writers (write_run, run_ensemble, run_sweep, make_map, make_plots) said "--out mine: ...; choose another
--out" to a caller who had passed no flag at all.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
from pathlib import Path

import pytest

from sim import discover, load_scenario, make_map, make_plots, run_ensemble, simulate, sweep_report, write_run
from sim.cli import main
from sim.errors import InputError, Interrupted
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec
from sim.io.folder_lock import FolderLock

from . import toys
from .conftest import ev, line_theatre


@pytest.fixture
def toy(build):
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts"))
    return build.scenario({"end": "2020-01-05", "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T4"], force=60)]})


@pytest.fixture
def mine(tmp_path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes")
    return folder


def python_wording(exc: InputError, out: Path) -> str:
    text = str(exc)
    assert text.startswith(f"out='{out}': "), text
    assert "--" not in text, text  # no flag: the caller gave none
    return text


def test_the_python_writers_name_their_out_argument(toy, mine, tmp_path):
    result = simulate(load_scenario(toy))
    with pytest.raises(InputError) as run:
        write_run(result, mine, map_png=False)
    assert "choose another out= (a new folder's name)" in python_wording(run.value, mine)
    with pytest.raises(InputError) as ens:
        run_ensemble(toy, 2, mine)
    assert "an ensemble cannot be written there; choose another out=" in python_wording(ens.value, mine)
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0))])
    with pytest.raises(InputError) as sweep:
        run_sweep(SweepSpec(Path("toy"), design, runs=1), mine, evaluate=toys.linear)
    assert "a sweep cannot be written there; choose another out=" in python_wording(sweep.value, mine)
    locked = tmp_path / "locked"
    with FolderLock(locked), pytest.raises(InputError) as lock:
        write_run(result, locked, map_png=False)
    assert "wait for it to finish, or choose another out=" in python_wording(lock.value, locked)


def test_the_python_figures_name_their_arguments(toy, mine, tmp_path):
    run = tmp_path / "run"
    write_run(simulate(load_scenario(toy)), run, map_png=False)
    with pytest.raises(InputError) as jpg:
        make_map([run], out=tmp_path / "m.jpg")
    assert "choose a file name ending in" in python_wording(jpg.value, tmp_path / "m.jpg")
    with pytest.raises(InputError) as faction:
        make_map([run], faction="turkey")
    assert str(faction.value).startswith("'faction': unknown faction 'turkey'"), str(faction.value)
    with pytest.raises(InputError) as date:
        make_map([run], date="5 January")
    assert str(date.value).startswith("'date': '5 January' is not a date"), str(date.value)
    with pytest.raises(InputError) as plots:
        make_plots(run, out=mine / "notes.txt")
    assert "not a folder; choose another out=" in python_wording(plots.value, mine / "notes.txt")


def test_the_command_line_still_names_the_flag(toy, mine, tmp_path, capsys):
    for how, kind in (([], "a run"), (["--runs", "2"], "an ensemble")):
        assert main(["run", str(toy), *how, "--out", str(mine)]) == 2
        err = capsys.readouterr().err
        assert err == (f"error: --out {mine}: exists and holds a file the simulator did not write (notes.txt); {kind} cannot be "
                       "written there; choose another --out (a new folder's name)\n")
    run = tmp_path / "run"
    assert main(["run", str(toy), "--no-map", "-q", "--out", str(run)]) == 0
    with FolderLock(run):
        assert main(["run", str(toy), "--no-map", "--out", str(run)]) == 2  # refused inside write_run, under the lock
    assert capsys.readouterr().err.endswith("wait for it to finish, or choose another --out\n")
    assert main(["map", str(run), "--date", "5 January"]) == 2
    assert capsys.readouterr().err.startswith("error: --date: '5 January' is not a date")


def named_in_python(exc: InputError, argument: str) -> str:
    text = str(exc)
    assert "--" not in text and argument in text, text  # the caller's argument, and no flag: the caller gave none
    return text


@pytest.fixture
def sweep(tmp_path) -> Path:
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))])
    run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "s", evaluate=toys.linear)
    return tmp_path / "s"


def test_the_python_api_names_its_arguments_not_flags(toy, sweep, tmp_path):
    # run_ensemble(workers=0) said "--workers: ...", run_sweep "--runs", sweep_report "--metric" (its argument is
    # metrics) and "--pair", discover "--where" and "--threshold", to a caller who had given no flag.
    with pytest.raises(InputError) as workers:
        run_ensemble(toy, 2, tmp_path / "e", workers=0)
    assert named_in_python(workers.value, "'workers': must be a whole number from 1 to 64") and workers.value.key == "workers"
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0,))])
    with pytest.raises(InputError) as runs:
        run_sweep(SweepSpec(Path("toy"), design, runs=0), tmp_path / "s0", evaluate=toys.linear)
    assert named_in_python(runs.value, "'spec.runs': must be a whole number from 1") and runs.value.key == "spec.runs"
    with pytest.raises(InputError) as seed:
        run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "s1", evaluate=toys.linear, seed=-1)
    assert named_in_python(seed.value, "'seed': must be a whole number from 0") and seed.value.key == "seed"
    with pytest.raises(InputError) as metric:
        sweep_report(sweep, metrics=["zzz"])
    assert named_in_python(metric.value, f"{sweep}, argument 'metrics': no metric 'zzz'") and metric.value.key == "metrics"
    for nothing in (",", [], " "):  # fell back to the default metrics, as if none had been given
        with pytest.raises(InputError) as empty:
            sweep_report(sweep, metrics=nothing)
        assert named_in_python(empty.value, f"{sweep}, argument 'metrics': names no metric") and empty.value.key == "metrics"
    with pytest.raises(InputError) as pair:
        sweep_report(sweep, pair=("a", "a"))
    assert named_in_python(pair.value, f"{sweep}, argument 'pair': names 'a' twice") and pair.value.key == "pair"
    with pytest.raises(InputError) as where:
        discover(sweep, "y => 1")
    assert named_in_python(where.value, f"{sweep}, argument 'where': expects METRIC OP NUMBER")
    with pytest.raises(InputError) as threshold:
        discover(sweep, "y >= 1", threshold=80)
    assert named_in_python(threshold.value, "'threshold': must be a share") and threshold.value.key == "threshold"


def test_a_design_the_scenario_refuses_names_the_spec_in_python_and_param_on_the_command_line(build, toy, tmp_path, capsys):
    """run_sweep's check of the design against the scenario said "--param: no parameter 'regime.comit'" and "--param:
    ... not a finite number" to a caller who had built the design in Python and given no flag."""
    for parameter, words in [(Parameter("regime.comit", values=(0.6, 0.7)), "no parameter 'regime.comit' (did you mean 'regime.commit'?)"),
                             (Parameter("regime.commit", values=(math.nan, 0.7)), "'regime.commit' is given a value that is not a finite number")]:
        with pytest.raises(InputError) as info:
            run_sweep(SweepSpec(toy, make_design("grid", [parameter]), runs=1), tmp_path / "s")
        assert named_in_python(info.value, f"'spec.design': {words}") and info.value.key == "spec.design"
        assert not (tmp_path / "s").exists()
    # The command line's --param reaches the same check (a switch in a sampled design), and it names the flag there.
    rc = main(["sweep", str(toy), "--param", "turkey.may_escalate=0:1", "--sample", "lhs", "--n", "4", "--out", str(tmp_path / "c")])
    assert rc == 2 and capsys.readouterr().err.startswith("error: --param: 'turkey.may_escalate' is a switch")


def test_an_executor_that_is_not_one_is_refused_from_python(toy, tmp_path):
    """run_sweep(executor="dsak") ran locally without a word, where the command line refuses the same typo."""
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0,))])
    for executor, said in [("dsak", "(got 'dsak'; did you mean 'dask'?)"), ("", "(got '')"), ("cluster", "(got 'cluster')")]:
        with pytest.raises(InputError) as info:
            run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "x", evaluate=toys.linear, executor=executor)
        assert named_in_python(info.value, f"'executor': must be 'local' or 'dask' {said}") and info.value.key == "executor"
        assert not (tmp_path / "x").exists()
    assert run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "x", evaluate=toys.linear, executor="local").ran == 2


def test_an_unreachable_scheduler_is_named_as_the_argument(sweep, tmp_path, monkeypatch):
    import sim.experiments.executors as executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", "0.5s")  # 5 s in use; the test need not wait that long
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0,))])
    with pytest.raises(InputError) as info:
        run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "d", evaluate=toys.linear, executor="dask",
                  scheduler="tcp://127.0.0.1:9")
    assert named_in_python(info.value, "'scheduler': cannot reach a Dask scheduler") and info.value.key == "scheduler"


def test_a_stopped_python_call_advises_calling_it_again(toy, tmp_path, monkeypatch):
    # Its advice was "run the same command again", to a caller who had typed no command.
    import sim.experiments.sweep
    from sim.experiments.storage import PartLog

    real_add, real_write = PartLog.add, sim.experiments.sweep.write_part

    def add_then_stop(log, record):
        real_add(log, record)
        os.kill(os.getpid(), signal.SIGINT)

    def write_then_stop(*args):
        written = real_write(*args)
        os.kill(os.getpid(), signal.SIGINT)
        return written

    monkeypatch.setattr(PartLog, "add", add_then_stop)
    with pytest.raises(Interrupted) as ensemble:
        run_ensemble(toy, 16, tmp_path / "e")
    monkeypatch.setattr(sim.experiments.sweep, "write_part", write_then_stop)
    design = make_design("grid", [Parameter("a", values=(0.0, 0.5, 1.0)), Parameter("b", values=(0.0,))])
    with pytest.raises(Interrupted) as sweep:
        run_sweep(SweepSpec(Path("toy"), design, runs=30), tmp_path / "s", evaluate=toys.linear)
    for stop in (ensemble.value, sweep.value):
        assert stop.advice == "call it again with the same arguments to finish the rest", stop.advice
        assert stop.on_command_line() == f"{stop}; run the same command again to finish the rest"


@pytest.mark.parametrize("damage", ['{"kind": "run", ', "seeds"])
def test_a_damaged_manifest_read_from_python_names_the_out_argument(toy, tmp_path, damage):
    """load_results on a manifest cut short, or edited into a value of another kind, advised "write the results again
    with another --out" to a caller who had given no flag."""
    import json

    from sim import load_results

    out = tmp_path / "ens"
    run_ensemble(toy, 2, out)
    manifest = out / "manifest.json"
    if damage == "seeds":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "seeds": 1.5}))
    else:
        manifest.write_text(damage)
    with pytest.raises(InputError) as refused:
        load_results(out)
    assert "write the results again with another out=, or remove the folder" in named_in_python(refused.value, "out="), \
        refused.value


def said(capsys, *command) -> str:
    """What the command line printed on stderr for ``command``, which must have been refused (status 2, one line)."""
    assert main([str(part) for part in command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_refused_default_run_folder_is_named_as_the_default_not_as_a_flag(toy, mine, tmp_path, capsys, monkeypatch):
    """With no --out, `run` writes into results/<name>-seed<seed>; a refusal of that folder said "--out results/...:
    ...; choose another --out" to a user who had typed no --out."""
    monkeypatch.chdir(tmp_path)
    default = Path("results/toy-seed1")
    default.mkdir(parents=True)
    (default / "notes.txt").write_text("my notes")
    assert said(capsys, "run", toy, "--no-map") == (
        f"error: the default output folder {default}: exists and holds a file the simulator did not write (notes.txt); "
        "a run cannot be written there; choose another folder with --out (a new folder's name)\n")
    (default / "notes.txt").unlink()
    with FolderLock(default):  # refused inside write_run, under the lock
        assert said(capsys, "run", toy, "--no-map").endswith(
            "wait for it to finish, or choose another folder with --out\n")
    assert said(capsys, "run", toy, "--no-map", "--out", mine).startswith(f"error: --out {mine}: ")  # given: the flag


def test_a_default_ensemble_folder_under_a_results_file_is_named_as_the_default(toy, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("results").write_text("not a folder")
    assert said(capsys, "run", toy, "--runs", "2", "--workers", "1") == (
        "error: the default output folder results/toy-seed1-runs2: 'results' is a file, not a folder; choose another "
        "folder with --out\n")


def test_a_default_folder_across_a_parameter_set_that_is_not_empty_is_named_as_the_default(toy, tmp_path, capsys,
                                                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = tmp_path / "set.csv"
    rows.write_text("trial,regime.commit\n0,0.5\n1,0.6\n")
    command = ["run", toy, "--runs", "2", "--workers", "1", "--param-set", rows]
    assert main([str(part) for part in command]) == 0
    capsys.readouterr()
    assert said(capsys, *command) == (  # refused inside run_across: not resumed
        "error: the default output folder results/toy-seed1-runs2-set: exists and is not empty; choose another folder "
        "with --out (an ensemble across a parameter set is not resumed)\n")


def test_a_refused_default_sweep_folder_is_named_as_the_default(toy, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command = ["sweep", toy, "--param", "regime.commit=0.2:1.0:2", "--runs", "1", "--workers", "1"]
    assert main([str(part) for part in command]) == 0
    default = next(Path("results").iterdir())  # its name holds a digest of the sweep
    shutil.rmtree(default)
    default.mkdir()
    (default / "notes.txt").write_text("my notes")
    capsys.readouterr()
    assert said(capsys, *command) == (
        f"error: the default output folder {default}: exists and holds a file the simulator did not write (notes.txt); "
        "a sweep cannot be written there; choose another folder with --out (a new folder's name)\n")


def test_a_refused_default_calibration_folder_is_named_as_the_default(toy, tmp_path, capsys, monkeypatch):
    pytest.importorskip("optuna")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: t1-held, kind: controller, description: T1 held, town: T1, date: "
        "2020-01-05, controller: regime, set: calibration, source: [test-claim]}\n")
    calibration = tmp_path / "toy.calibration.yaml"
    calibration.write_text(f"name: toy\nscenarios: {toy.name}\nparameters: {{regime.commit: {{low: 0.2, high: 1.0}}}}\n"
                           "replicates: 2\nbudget: {trials: 2}\n")
    default = Path("results/calibration-toy")
    default.mkdir(parents=True)
    (default / "notes.txt").write_text("my notes")
    assert said(capsys, "calibrate", calibration) == (
        f"error: the default output folder {default}: exists and holds a file the simulator did not write (notes.txt); "
        "a calibration cannot be written there; choose another folder with --out (a new folder's name)\n")


def test_a_report_or_figure_written_where_the_command_chose_names_no_flag_never_given(toy, tmp_path, capsys):
    """compare, plot and map write into the results folder unless given --out: a folder standing where one of their
    files goes was "--out x/comparison.md: is a folder; --out names the file to write (e.g. x/comparison.md/map.png)"
    to a user who had typed no --out, for a file whose name the command chose."""
    (tmp_path / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: t1-held, kind: controller, description: T1 held, town: T1, date: "
        "2020-01-05, controller: regime, set: calibration, source: [test-claim]}\n")
    run = tmp_path / "run"
    assert main(["run", str(toy), "--no-map", "--out", str(run)]) == 0
    capsys.readouterr()
    for command, name in (("compare", "comparison.md"), ("plot", "towns_held.png"), ("map", "map_2020-01-05.png")):
        (run / name).unlink(missing_ok=True)
        (run / name).mkdir()
        assert said(capsys, command, run) == (
            f"error: {run / name}: is a folder where the simulator writes a file of that name; move it, or choose "
            "another folder with --out\n"), command
        (run / name).rmdir()
    # Given --out, the flag is named, and a map's file name is what --out gives: the example stays.
    (tmp_path / "here.png").mkdir()
    assert said(capsys, "map", run, "--out", tmp_path / "here.png") == (
        f"error: --out {tmp_path / 'here.png'}: is a folder; --out names the file to write (e.g. "
        f"{tmp_path / 'here.png' / 'map.png'})\n")


def test_out_naming_the_folder_that_holds_results_says_so_and_how_to_name_a_new_one(toy, tmp_path, capsys):
    """Round 62's newcomer gave ``--out results`` (the folder results go in, not a new one) and was told it "holds
    folders the simulator did not write", naming the very run and ensemble folders the simulator had written there."""
    holder = tmp_path / "results"
    holder.mkdir()
    assert main(["run", str(toy), "--no-map", "-q", "--out", str(holder / "one")]) == 0
    assert main(["run", str(toy), "--runs", "2", "-q", "--out", str(holder / "two")]) == 0
    capsys.readouterr()
    for how, kind in (([], "a run"), (["--runs", "2"], "an ensemble")):
        assert main(["run", str(toy), *how, "--out", str(holder)]) == 2
        err = capsys.readouterr().err
        assert err == (f"error: --out {holder}: exists and holds the simulator's results folders (one/, two/); {kind} "
                       f"cannot be written there; --out names a new folder for these results: {holder / 'NAME'}, "
                       "say\n"), err
    (holder / "notes.txt").write_text("mine")  # one thing of the user's among them: said as such
    assert main(["run", str(toy), "--out", str(holder)]) == 2
    err = capsys.readouterr().err
    assert "holds the simulator's results folders (one/, two/) and a file it did not write (notes.txt); " in err, err
