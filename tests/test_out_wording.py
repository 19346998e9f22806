"""A refusal names what its caller gave: ``--out`` on the command line, ``out=`` (the argument) from Python.

The Python writers (write_run, run_ensemble, run_sweep, make_map, make_plots) said "--out mine: ...; choose another
--out" to a caller who had passed no flag at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario, make_map, make_plots, run_ensemble, simulate, write_run
from sim.cli import main
from sim.errors import InputError
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
