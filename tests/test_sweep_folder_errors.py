"""What sweep-report, discover and sim.read_rows say when given something other than a sweep folder, and how the command
line names a flag that applies to the folder (``--where``, ``--metric``, ``--pair``).

A new user's typo (``results/sweep-campain-...``), a run folder or the scenario file itself all got "not a sweep folder
(no sweep.json)", where map, plot and compare say what the path is and what to give instead; and ``--where 'dayz >= 1'``
was refused as "--where results/s: no metric 'dayz'", as if the folder had been the condition.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec

from . import toys
from .conftest import ROOT

MOSCOW = ROOT / "scenarios" / "moscow.yaml"
READERS = [["sweep-report"], ["discover", "--where", "y >= 1"]]


@pytest.fixture
def sweep(tmp_path) -> Path:
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))])
    run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "sweep-toy", evaluate=toys.linear)
    return tmp_path / "sweep-toy"


def refused(capsys, command: list[str], folder: Path | str) -> str:
    rc = main([command[0], str(folder), *command[1:]])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("command", READERS)
def test_a_path_that_is_not_there_is_said_to_be_missing_with_the_near_miss(sweep, capsys, command):
    err = refused(capsys, command, sweep.parent / "sweep-toi")
    assert err.startswith(f"error: {sweep.parent / 'sweep-toi'}: no such folder (did you mean sweep-toy, in the same folder?)"), err


@pytest.mark.parametrize("command", READERS)
def test_a_path_inside_a_sweep_folder_names_the_sweep_folder(sweep, capsys, command):
    err = refused(capsys, command, sweep / "runs.parquet")
    assert f"is inside the sweep folder {sweep}, not one itself: give {sweep}" in err, err


@pytest.mark.parametrize("command", READERS)
def test_a_scenario_file_says_which_command_sweeps_it(capsys, command):
    err = refused(capsys, command, MOSCOW)
    assert "this is a scenario file, not a sweep folder: python -m sim sweep" in err and "--param" in err, err


@pytest.mark.parametrize("command", READERS)
def test_a_run_folder_says_it_is_a_run_and_what_reads_it(tmp_path, capsys, command):
    run = tmp_path / "moscow-run"
    assert main(["run", str(MOSCOW), "--days", "2", "--no-map", "-q", "--out", str(run)]) == 0
    capsys.readouterr()
    err = refused(capsys, command, run)
    assert "is a run of scenario 'moscow' (seed " in err and "not a sweep" in err and f"python -m sim compare {run}" in err, err


def test_a_flag_about_the_sweep_folder_names_the_folder_then_the_flag(sweep, capsys):
    err = refused(capsys, ["discover", "--where", "yy >= 1"], sweep)
    assert err.startswith(f"error: {sweep}, --where: no metric 'yy'"), err
    err = refused(capsys, ["discover", "--where", "y >>= 1"], sweep)  # the flag named once, not "--where: --where expects"
    assert err.startswith(f"error: {sweep}, --where: expects METRIC OP NUMBER"), err
    err = refused(capsys, ["sweep-report", "--metric", "zzz"], sweep)
    assert err.startswith(f"error: {sweep}, --metric: no metric 'zzz'"), err
    err = refused(capsys, ["sweep-report", "--pair", "a,c"], sweep)
    assert err.startswith(f"error: {sweep}, --pair: 'c' is not a parameter of this sweep"), err


@pytest.mark.parametrize("args, words", [
    (["--param", "regime.commit"], "error: --param: expects PATH=LO:HI[:STEPS] or PATH=A,B,C (got 'regime.commit')"),
    (["--design", "points.csv", "--param", "regime.commit=0.3"], "error: --design: gives the points: no --param, "),
])
def test_a_refused_sweep_flag_is_named_once(capsys, args, words, tmp_path, monkeypatch):
    """They read "--param: --param expects ..." and "--design: --design gives the points ..."."""
    monkeypatch.chdir(tmp_path)  # the design file exists: the flags clash whatever is in it (a missing one is named first)
    (tmp_path / "points.csv").write_text("regime.commit\n0.3\n")
    rc = main(["sweep", str(MOSCOW), *args])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith(words) and err.count("--param:") + err.count("--design:") == 1, err


@pytest.mark.parametrize("command", READERS)
def test_the_folder_that_holds_sweeps_names_them(sweep, capsys, command):
    # `sweep-report results`, the folder every sweep is written into, read only "not a sweep folder (no sweep.json)".
    err = refused(capsys, command, sweep.parent)
    assert f"holds sweep folders, not one itself: give one of them ({sweep.name})" in err, err


def test_read_rows_says_what_a_path_that_is_no_sweep_folder_is(sweep, tmp_path):
    """sim.read_rows, which the docs give for a sweep's rows, said "no sweep rows here yet" of a typo, an ensemble, the
    scenario file, the folder of sweeps and runs.parquet itself, as if a sweep were still running there; sweep-report
    and discover say what each is and what to give instead."""
    from sim.analysis.results import read_rows
    from sim.errors import InputError

    ensemble = tmp_path / "moscow-ensemble"
    assert main(["run", str(MOSCOW), "--runs", "2", "--days", "2", "--workers", "1", "-q", "--out", str(ensemble)]) == 0
    for path, words in [(sweep.parent / "sweep-toi", "no such folder (did you mean sweep-toy, in the same folder?)"),
                        (sweep / "runs.parquet", f"is inside the sweep folder {sweep}, not one itself: give {sweep}"),
                        (MOSCOW, "this is a scenario file, not a sweep folder: python -m sim sweep"),
                        (sweep.parent, f"holds sweep folders, not one itself: give one of them ({sweep.name})"),
                        (ensemble, "is an ensemble of scenario 'moscow' (2 replicates), not a sweep")]:
        with pytest.raises(InputError) as info:
            read_rows(path)
        assert info.value.message.startswith(words) and "yet" not in info.value.message, info.value


def test_read_rows_of_a_sweep_with_no_batch_finished_says_so(sweep):
    """A sweep folder whose first batch has not finished has no rows yet: that, and only that, is what "yet" is for."""
    from sim.analysis.results import read_rows
    from sim.errors import InputError

    for part in (sweep / "runs.parquet").iterdir():
        part.unlink()
    with pytest.raises(InputError) as info:
        read_rows(sweep)
    assert info.value.message == "no sweep rows here yet", info.value
