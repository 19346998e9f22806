"""Output safety (issue 12, class 1): nothing that is not the simulator's is ever removed or overwritten.

Foreign folders and files at --out, other kinds and other scenarios' results, reruns that change
what a folder holds, a second writer, paths the file system refuses, OS errors, the umask.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim import load_scenario, simulate, write_run
from sim.analysis.results import load_results
from sim.cli import main
from sim.errors import InputError
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec
from sim.io.folder_lock import FolderLock, lock_path
from sim.io.outputs import MARKER
from sim.viz.sweep_report import sweep_report

from . import toys
from .conftest import ROOT, ev, line_theatre


@pytest.fixture
def toy(build):
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts"))
    (build.root / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: t1-held, kind: controller, description: T1 held, town: T1, date: 2020-01-05, controller: regime, "
        "set: calibration, source: [test-claim]}\n")
    return build.scenario({"end": "2020-01-11", "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T4"], force=60)]})


@pytest.fixture
def other(build, toy):
    """Another scenario (another name) on the same theatre."""
    return build.scenario({"name": "other", "end": "2020-01-11"}, name="other.yaml")


def cli(capsys, *args) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(rc: int, err: str, code: int = 2) -> None:
    assert rc == code, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def foreign(tmp_path) -> Path:
    mine = tmp_path / "mine"
    (mine / "data").mkdir(parents=True)
    (mine / "notes.txt").write_text("my notes")
    (mine / "data" / "x.csv").write_text("a,b\n1,2\n")
    return mine


@pytest.mark.parametrize("how", [[], ["--runs", "2"]])
def test_a_folder_that_is_not_results_is_refused_and_left_as_it_was(toy, foreign, capsys, how):
    before = tree(foreign)
    rc, _, err = cli(capsys, "run", toy, "--out", foreign, *how)
    one_line_error(rc, err)
    assert "did not write" in err and "notes.txt" in err and "choose another --out" in err
    assert tree(foreign) == before


def test_a_calibration_folder_at_out_is_said_to_be_one(toy, tmp_path, capsys):
    """It was "a calibration of scenario 'None' (seed None)": a calibration's marker names no scenario or seed."""
    from sim.io.outputs import mark_folder

    folder = tmp_path / "cal"
    mark_folder(folder, "calibration")
    (folder / "study.db").write_bytes(b"a study")
    before = tree(folder)
    rc, _, err = cli(capsys, "run", toy, "-q", "--out", folder)
    one_line_error(rc, err)
    assert "holds a calibration's study and results; a run cannot be written there" in err and "None" not in err, err
    assert tree(folder) == before


def test_a_copy_of_the_scenarios_folder_is_refused_as_out(tmp_path, capsys):
    """The issue's worst case: `run SCENARIO --out scenarios` replaced the scenarios, theatre included."""
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios)
    before = tree(scenarios)
    rc, _, err = cli(capsys, "run", scenarios / "jan_truce.yaml", "--days", "3", "--no-map", "--out", scenarios)
    one_line_error(rc, err)
    assert tree(scenarios) == before


def test_a_sweep_onto_a_foreign_folder_is_refused(toy, foreign, capsys):
    before = tree(foreign)
    rc, _, err = cli(capsys, "sweep", toy, "--param", "regime.commit=0.2,0.8", "--runs", "1", "--out", foreign)
    one_line_error(rc, err)
    assert tree(foreign) == before


def test_a_file_where_a_sweep_keeps_its_rows_is_refused_and_kept(toy, tmp_path, capsys):
    """Round 55: a file in place of the sweep's runs.parquet folder (a user's, or a table saved over it) ended the
    sweep with the system's "File exists" and status 1; it is refused naming it, and kept."""
    out = tmp_path / "sw"
    sweep = ["sweep", toy, "--param", "regime.commit=0.2,0.8", "--runs", "1", "--out", out]
    assert cli(capsys, *sweep)[0] == 0
    shutil.rmtree(out / "runs.parquet")
    (out / "runs.parquet").write_text("precious")
    rc, _, err = cli(capsys, *sweep)
    one_line_error(rc, err)
    assert "runs.parquet" in err and "not a folder" in err, err
    assert (out / "runs.parquet").read_text() == "precious"


@pytest.mark.parametrize("command", ["compare", "map", "plot"])
def test_a_sweeps_folder_given_for_a_runs_says_what_it_is_and_what_reads_it(toy, tmp_path, capsys, command):
    """Round 55: compare, map and plot said of a sweep's folder only 'not a results folder (no manifest.json)'."""
    out = tmp_path / "sw"
    assert cli(capsys, "sweep", toy, "--param", "regime.commit=0.2,0.8", "--runs", "1", "--out", out)[0] == 0
    rc, _, err = cli(capsys, command, out)
    one_line_error(rc, err)
    assert "is a sweep of" in err and f"sweep-report {out}" in err, err


@pytest.mark.parametrize("how", [["run"], ["run", "--runs", "2"], ["sweep", "--param", "regime.commit=0.2,0.8"]])
def test_a_file_at_out_is_refused_and_kept(toy, tmp_path, capsys, how):
    file = tmp_path / "results.txt"
    file.write_text("precious")
    command, *rest = how
    rc, _, err = cli(capsys, command, toy, *rest, "--out", file)
    one_line_error(rc, err)
    assert "is a file" in err and file.read_text() == "precious"


def test_another_scenarios_ensemble_is_refused(toy, other, tmp_path, capsys):
    out = tmp_path / "ens"
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", out)[0] == 0
    before = tree(out)
    rc, _, err = cli(capsys, "run", other, "--runs", "2", "-q", "--out", out)
    one_line_error(rc, err)
    assert "scenario 'toy'" in err and "not of 'other'" in err
    assert tree(out) == before


EDITS = [{"kind": "banana"}, {"kind": None}, {"kind": 5}, {"seeds": 5}, {"parts": 5, "complete": False},
         {"parts": [{"seeds": 5}], "complete": False}]


@pytest.mark.parametrize("edit", EDITS, ids=[json.dumps(e)[:30] for e in EDITS])
def test_an_ensemble_whose_manifest_was_edited_is_refused_as_out_of_another_scenario_in_one_line(
        toy, other, tmp_path, capsys, edit):
    """Round 55: the refusal said what the folder holds from its manifest's values as they came, and an edited one (a
    kind that is none of the simulator's, seeds or parts that are not lists) ended in a KeyError or TypeError
    traceback, status 1, where another scenario's run was refused."""
    out = tmp_path / "ens"
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", out)[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, **edit}))
    before = tree(out)
    rc, _, err = cli(capsys, "run", other, "-q", "--no-map", "--out", out)
    one_line_error(rc, err)
    assert "choose another --out" in err, err
    assert tree(out) == before


def test_a_run_folder_and_an_ensemble_folder_are_never_mixed(toy, tmp_path, capsys):
    run, ens = tmp_path / "run", tmp_path / "ens"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", run)[0] == 0
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", ens)[0] == 0
    before_run, before_ens = tree(run), tree(ens)
    rc, _, err = cli(capsys, "run", toy, "--runs", "2", "-q", "--out", run)
    one_line_error(rc, err)
    assert "a run of scenario 'toy'" in err and "an ensemble cannot be written there" in err
    rc, _, err = cli(capsys, "run", toy, "-q", "--out", ens)
    one_line_error(rc, err)
    assert tree(run) == before_run and tree(ens) == before_ens


def test_a_run_folder_holding_a_users_file_is_not_replaced(toy, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", out)[0] == 0
    (out / "my_analysis.ipynb").write_text("{}")
    rc, _, err = cli(capsys, "run", toy, "--no-map", "-q", "--seed", "2", "--out", out)
    one_line_error(rc, err)
    assert "my_analysis.ipynb" in err and (out / "my_analysis.ipynb").read_text() == "{}"


def test_a_killed_maps_temporary_file_does_not_stop_a_rerun(toy, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", out)[0] == 0
    (out / ".map_2020-01-11.png.tmp-99999-abcdef12.png").write_bytes(b"half a map")
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", out)[0] == 0
    assert not (out / ".map_2020-01-11.png.tmp-99999-abcdef12.png").exists()


@pytest.mark.parametrize(("how", "marker"), [(["run", "--runs", "2", "-q", "--no-map"], "manifest.json"),
                                             (["sweep", "--param", "regime.commit=0.2,0.8", "--runs", "1"], "sweep.json")])
def test_a_folder_a_writer_was_killed_in_before_its_first_manifest_is_written_into_and_cleaned(
        toy, tmp_path, capsys, how, marker):
    """Killed while it wrote its first manifest (round 50's crash test, a SIGKILL 2 s in), an ensemble left a folder
    holding nothing but that temporary, and the next run refused it as "a file the simulator did not write"."""
    out = tmp_path / "out"
    out.mkdir()
    (out / f".{marker}.tmp-99999-abcdef12.json").write_text('{"half a manifest')
    command, *rest = how
    rc, _, err = cli(capsys, command, toy, *rest, "--out", out)
    assert rc == 0, err
    assert json.loads((out / marker).read_text()) and hidden(out) == []
    # A user's file beside such a temporary still makes the folder one the simulator may not write into.
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / f".{marker}.tmp-99999-abcdef12.json").write_text("{")
    (theirs / "notes.txt").write_text("my notes")
    before = tree(theirs)
    rc, _, err = cli(capsys, command, toy, *rest, "--out", theirs)
    one_line_error(rc, err)
    assert "notes.txt" in err and tree(theirs) == before


def test_rerunning_a_run_replaces_it_and_what_was_derived_from_it(toy, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", out)[0] == 0
    assert cli(capsys, "map", out)[0] == 0
    assert cli(capsys, "compare", out)[0] == 0
    derived = {p.name for p in out.iterdir()} - {"manifest.json", "control.csv", "events.csv", "timeseries.csv", "posts.csv"}
    assert {"comparison.md", "comparison.csv", "map_2020-01-11.png"} <= derived
    assert cli(capsys, "run", toy, "--no-map", "-q", "--seed", "5", "--out", out)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["control.csv", "events.csv", "manifest.json", "posts.csv", "timeseries.csv"]


def users_files_named_as_derived(folder: Path) -> dict[str, bytes]:
    """Files of a user's that bear the names of files the simulator derives from a folder's results."""
    from PIL import Image

    Image.new("RGB", (4, 4)).save(folder / "map_my_annotated_front.png")  # a plain PNG, not signed
    (folder / "map_for_briefing.pdf").write_bytes(b"%PDF-1.4 my own\n")
    (folder / "comparison_vs_my_field_report.md").write_text("notes\n")
    (folder / "comparison_vs_my_field_report.csv").write_text("a,b\n1,2\n")
    (folder / "control_mine.mp4").write_bytes(b"my film")
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith(("map_my", "map_for", "comparison_vs_my", "control_mine"))}


def test_an_ensemble_rerun_that_changes_its_content_removes_derived_files_and_nothing_else(toy, tmp_path, capsys):
    """A rerun removed derived files by their names alone: a user's map_my_annotated_front.png, map_for_briefing.pdf
    and comparison_vs_my_field_report.md went, with a note saying they were made from the folder's content."""
    out, base = tmp_path / "ens", tmp_path / "base"
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", out)[0] == 0
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", base)[0] == 0
    before = {p.name for p in out.iterdir()}
    for args in (["compare", out], ["compare", base, out], ["map", out], ["map", out, "--faction", "hts"], ["plot", out]):
        assert cli(capsys, *args)[0] == 0
    derived = sorted({p.name for p in out.iterdir()} - before)
    assert {"comparison.md", "comparison.csv", "comparison_vs_base.md", "comparison_vs_base.csv", "map_2020-01-11.png",
            "map_2020-01-11_hts.png", "towns_held.png"} <= set(derived)
    mine = users_files_named_as_derived(out)
    (out / "notes.txt").write_text("mine")
    (out / "replicates" / "days" / "my.csv").write_text("mine too")
    # The same command again: nothing changes, nothing derived goes.
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", out)[0] == 0
    assert all((out / name).exists() for name in derived)
    # More replicates: the content changes, what the simulator derived from it goes; the user's files stay, said so.
    rc, _, err = cli(capsys, "run", toy, "--runs", "3", "-q", "--out", out)
    assert rc == 0 and "removed comparison.md" in err and "removed map_for_briefing.pdf" not in err
    assert "kept comparison_vs_my_field_report.csv, comparison_vs_my_field_report.md, control_mine.mp4, map_for_briefing.pdf and 1 more" in err
    assert not any((out / name).exists() for name in derived)
    assert {name: (out / name).read_bytes() for name in mine} == mine
    assert (out / "notes.txt").read_text() == "mine" and (out / "replicates" / "days" / "my.csv").read_text() == "mine too"
    assert load_results(out).complete and len(load_results(out).runs) == 3
    # Changed inputs (the same file, edited): every replicate is run again, the folder says so.
    assert cli(capsys, "compare", out)[0] == 0
    toy.write_text(toy.read_text().replace("seed: 1", "seed: 1\nfactions: {regime: {force: 80}}"))
    rc, _, err = cli(capsys, "run", toy, "--runs", "3", "-q", "--out", out)
    assert rc == 0 and "3 replicate(s) of other inputs" in err and not (out / "comparison.md").exists()
    assert {name: (out / name).read_bytes() for name in mine} == mine


def test_a_run_folder_holding_a_users_file_named_as_derived_is_not_replaced(toy, tmp_path, capsys):
    """A run folder is replaced whole: a user's map_my_annotated_front.png in it went with it, its name taken as the
    simulator's."""
    out = tmp_path / "run"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", out)[0] == 0
    mine = users_files_named_as_derived(out)
    for name in sorted(mine):  # the refusal names the first four
        before = tree(out)
        rc, _, err = cli(capsys, "run", toy, "--no-map", "-q", "--seed", "2", "--out", out)
        one_line_error(rc, err)
        assert name in err and tree(out) == before
        (out / name).unlink()
    assert cli(capsys, "run", toy, "--no-map", "-q", "--seed", "2", "--out", out)[0] == 0


def test_a_sweep_that_gains_rows_loses_its_stale_report_but_not_the_users_files(tmp_path):
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))])
    spec, out = SweepSpec(Path("toy"), design, runs=40), tmp_path / "s"
    run_sweep(spec, out, evaluate=toys.linear)
    sweep_report(out, metrics=["y"])
    (out / "report" / "mine.txt").write_text("keep")
    (out / "report" / "response_mine.png").write_bytes(b"a figure of mine, named as the report names its own")
    sorted((out / "runs.parquet").glob("part-*"))[1].unlink()
    notes = []
    run_sweep(spec, out, evaluate=toys.linear, notify=notes.append)
    assert sorted(p.name for p in (out / "report").iterdir()) == ["mine.txt", "response_mine.png"]
    assert any(n.startswith("kept report/response_mine.png:") for n in notes), notes


def test_default_folder_names_include_days_and_the_parameter_set(toy, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "run", toy, "--runs", "2", "-q")[0] == 0
    assert cli(capsys, "run", toy, "--runs", "2", "--days", "4", "-q")[0] == 0
    assert cli(capsys, "run", toy, "--days", "4", "--no-map", "-q")[0] == 0
    # A parameter set's values are not the scenario's: a run with one replaced the plain run (round 33's walk-through),
    # and an ensemble across one with --days refused, finding the full-length one in its folder.
    (tmp_path / "set.csv").write_text("trial,regime.commit\n0,0.7\n1,0.9\n")
    assert cli(capsys, "run", toy, "--no-map", "-q")[0] == 0
    assert cli(capsys, "run", toy, "--param-set", "set.csv", "--no-map", "-q")[0] == 0
    assert cli(capsys, "run", toy, "--runs", "2", "--param-set", "set.csv", "-q")[0] == 0
    assert cli(capsys, "run", toy, "--runs", "2", "--days", "4", "--param-set", "set.csv", "-q")[0] == 0
    names = sorted(p.name for p in (tmp_path / "results").iterdir() if not p.name.startswith("."))
    assert names == ["toy-seed1", "toy-seed1-days4", "toy-seed1-runs2", "toy-seed1-runs2-days4", "toy-seed1-runs2-days4-set",
                     "toy-seed1-runs2-set", "toy-seed1-set"]
    assert len(load_results(tmp_path / "results" / "toy-seed1-runs2").runs[0].history) == 11  # the full run was not replaced
    plain, in_set = (load_results(tmp_path / "results" / name).manifest for name in ("toy-seed1", "toy-seed1-set"))
    assert plain["parameters"] != in_set["parameters"]  # each folder holds what its name says


def test_out_paths_that_cannot_be_results_folders_are_one_line_errors(toy, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    before = tree(tmp_path)
    cases = {".": "current folder", "": "is empty", str(tmp_path / "no" / "such"): "does not exist",
             str(tmp_path / "afile" / "out"): "is a file, not a folder", "x" * 300: "longer than the file system allows",
             "..": "current folder"}
    for out, words in cases.items():
        for extra in ([], ["--runs", "2"]):
            rc, _, err = cli(capsys, "run", toy, *extra, "--out", out)
            one_line_error(rc, err)
            assert words in err and "--out" in err, (out, err)
        rc, _, err = cli(capsys, "sweep", toy, "--param", "regime.commit=0.2,0.8", "--out", out)
        one_line_error(rc, err)
    assert tree(tmp_path) == before


def test_out_among_a_sweeps_rows_or_an_ensembles_parts_is_refused(toy, tmp_path, capsys):
    """`run --out SWEEP/runs.parquet/myrun` and `run --runs 2 --out ENS/replicates/days/ens` were written among the
    Parquet parts, and pandas.read_parquet of those folders then failed."""
    import pandas as pd

    ens, sweep = tmp_path / "ens", tmp_path / "sweep"
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", ens)[0] == 0
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))])
    run_sweep(SweepSpec(Path("toy"), design, runs=2), sweep, evaluate=toys.linear)
    before = tree(tmp_path)
    rows = [sweep / "runs.parquet", ens / "replicates" / "days", ens / "replicates" / "events"]
    for out in [*rows, *(r / "mine" for r in rows)]:
        for how in (["--no-map"], ["--runs", "2"]):
            rc, _, err = cli(capsys, "run", toy, *how, "-q", "--out", out)
            one_line_error(rc, err)
            assert "--out" in err and "pandas.read_parquet" in err, err
        with pytest.raises(InputError, match="pandas.read_parquet"):
            run_sweep(SweepSpec(Path("toy"), design, runs=2), out, evaluate=toys.linear)
    assert tree(tmp_path) == before
    assert len(pd.read_parquet(sweep / "runs.parquet")) == 8 and not pd.read_parquet(ens / "replicates" / "days").empty


def test_a_long_name_that_the_file_system_allows_is_written(toy, tmp_path):
    """The temporary folder's name adds a prefix and a suffix; a 250-byte --out once failed on it."""
    out = tmp_path / ("r" * 250)
    write_run(simulate(load_scenario(toy)), out, map_png=False)
    assert (out / "control.csv").exists() and hidden(tmp_path) == []
    write_run(simulate(load_scenario(toy), seed=3), out, map_png=False)  # replaced, through the old folder's hidden name
    assert hidden(tmp_path) == []


def test_map_out_must_be_a_file_the_simulator_may_write(toy, tmp_path, capsys):
    run = tmp_path / "run"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", run)[0] == 0
    theirs = tmp_path / "theirs.png"
    theirs.write_bytes(b"not ours")
    for out, words in ((tmp_path, "is a folder"), (tmp_path / "m.jpg", "cannot be written as '.jpg'"),
                       (tmp_path / "m", "cannot be written as 'no suffix'"), (theirs, "not written by the simulator"),
                       (tmp_path / "no" / "m.png", "does not exist")):
        rc, _, err = cli(capsys, "map", run, "--out", out)
        one_line_error(rc, err)
        assert words in err, err
    assert theirs.read_bytes() == b"not ours"
    mine = tmp_path / "m.png"
    for _ in range(2):  # the second time it is the simulator's own image (its metadata says so)
        assert cli(capsys, "map", run, "--out", mine)[0] == 0
    for suffix in (".svg", ".pdf"):  # its own SVG and PDF too (their creator): the second time was refused as someone else's
        for _ in range(2):
            assert cli(capsys, "map", run, "--out", tmp_path / f"m{suffix}")[0] == 0
        theirs = tmp_path / f"theirs{suffix}"
        theirs.write_bytes(b"<svg>idlib-sim</svg>" if suffix == ".svg" else b"%PDF-1.4 /Creator (someone else)")
        rc, _, err = cli(capsys, "map", run, "--out", theirs)
        assert rc == 2 and "not written by the simulator" in err, err
    rc, _, err = cli(capsys, "map", run, "--animate", "--out", tmp_path / "a.png")
    one_line_error(rc, err)


def test_ensemble_maps_of_each_faction_have_their_own_file(toy, tmp_path, capsys):
    ens = tmp_path / "ens"
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", ens)[0] == 0
    for faction in ("regime", "hts", "rebels"):
        assert cli(capsys, "map", ens, "--faction", faction)[0] == 0
    assert sorted(p.name for p in ens.glob("map_*")) == ["map_2020-01-11.png", "map_2020-01-11_hts.png", "map_2020-01-11_rebels.png"]


def test_compare_and_plot_write_into_a_users_folder_only_what_is_new(toy, tmp_path, capsys):
    run, report, theirs = tmp_path / "run", tmp_path / "report", tmp_path / "theirs"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", run)[0] == 0
    for command in ("compare", "plot"):
        for _ in range(2):  # a folder it made (marked) is its own to update
            assert cli(capsys, command, run, "--out", report)[0] == 0
    assert (report / MARKER).exists() and {"comparison.md", "towns_held.png"} <= {p.name for p in report.iterdir()}
    theirs.mkdir()
    (theirs / "comparison.md").write_text("my comparison")
    rc, _, err = cli(capsys, "compare", run, "--out", theirs)
    one_line_error(rc, err)
    assert (theirs / "comparison.md").read_text() == "my comparison" and not (theirs / "comparison.csv").exists()
    assert cli(capsys, "plot", run, "--out", theirs)[0] == 0  # new files in a user's folder are fine
    assert (theirs / "towns_held.png").exists()


def test_compare_plot_and_map_refuse_a_users_file_of_a_name_they_write_into_a_results_folder(toy, tmp_path, capsys):
    """In one of the simulator's folders a file's name was enough: `compare A B` wrote over a user's own
    comparison_vs_A.md in B (and plot over a towns_held.png, map over a map_<date>.png) without looking for the mark,
    though a run refuses such a folder and a rerun keeps such files. Refused now, as in a folder of the user's."""
    from PIL import Image

    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", out)[0] == 0
    (b / "comparison_vs_a.md").write_text("my own notes on a and b\n")
    Image.new("RGB", (4, 4)).save(b / "towns_held.png")  # a plain PNG: not signed
    Image.new("RGB", (4, 4)).save(b / "map_2020-01-11.png")
    for args, name in ((["compare", a, b], "comparison_vs_a.md"), (["plot", b], "towns_held.png"), (["map", b], "map_2020-01-11.png")):
        before = tree(b)
        rc, _, err = cli(capsys, *args)
        one_line_error(rc, err)
        assert name in err and "not written by the simulator" in err and tree(b) == before, err
        assert not err.startswith("error: --out"), err  # no --out was given: the name is the default one
        (b / name).unlink()
        for _ in range(2):  # its own files, marked, are replaced as before
            assert cli(capsys, *args)[0] == 0
    assert (b / "comparison_vs_a.md").read_text().endswith("<!-- written by idlib-sim -->\n")
    # A CSV is the simulator's only beside its marked markdown: a user's comparison_vs_a.csv alone is theirs.
    for name in ("comparison_vs_a.md", "comparison_vs_a.csv"):
        (b / name).unlink()
    (b / "comparison_vs_a.csv").write_text("my,table\n")
    rc, _, err = cli(capsys, "compare", a, b)
    one_line_error(rc, err)
    assert "comparison_vs_a.csv" in err and (b / "comparison_vs_a.csv").read_text() == "my,table\n"
    assert not (b / "comparison_vs_a.md").exists()


def test_compare_into_a_users_folder_replaces_its_own_table_too(toy, tmp_path, capsys):
    """The second `compare --out` into a folder of the user's was refused at its own CSV: only an image or markdown's
    own mark was looked for, not the markdown that vouches for the CSV beside it."""
    run, theirs = tmp_path / "run", tmp_path / "theirs"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", run)[0] == 0
    theirs.mkdir()
    for _ in range(2):
        assert cli(capsys, "compare", run, "--out", theirs)[0] == 0
    assert sorted(p.name for p in theirs.iterdir()) == ["comparison.csv", "comparison.md"]


def test_compare_against_another_outcomes_file_writes_beside_the_records_comparison_and_names_the_file(toy, build, tmp_path, capsys):
    """`compare DIR --outcomes seeds/outcomes_blind.yaml` (the README's blind set) wrote over the folder's comparison.md
    and .csv, the record's report, under the title "... against the record", naming no outcomes file."""
    import pandas as pd

    out, base = tmp_path / "ens", tmp_path / "base"
    assert cli(capsys, "run", toy, "--runs", "2", "--no-map", "-q", "--out", out)[0] == 0
    assert cli(capsys, "run", toy, "--runs", "2", "--no-map", "-q", "--out", base)[0] == 0
    blind = build.root / "seeds" / "outcomes_blind.yaml"
    blind.write_text("claims: claims.yaml\noutcomes:\n  - {id: t2-held, kind: controller, description: T2 held, town: T2, "
                     "date: 2020-01-05, controller: rebels, set: validation, source: [test-claim]}\n")
    for args in (["compare", out], ["compare", base, out]):
        assert cli(capsys, *args)[0] == 0
    record = {name: (out / name).read_bytes() for name in
              ("comparison.md", "comparison.csv", "comparison_vs_base.md", "comparison_vs_base.csv")}
    rc, text, _ = cli(capsys, "compare", out, "--outcomes", blind)
    assert rc == 0 and text.splitlines()[0] == f"# toy against {blind}"
    assert (out / "comparison_outcomes_blind.md").read_text().splitlines()[0] == f"# toy against {blind}"
    table = pd.read_csv(out / "comparison_outcomes_blind.csv")
    assert list(table["outcome"]) == ["t2-held"] and set(table["outcomes_file"]) == {str(blind)}
    rc, text, _ = cli(capsys, "compare", base, out, "--outcomes", blind)
    assert rc == 0 and text.splitlines()[0] == f"# toy vs toy, against {blind}"
    assert set(pd.read_csv(out / "comparison_vs_base_outcomes_blind.csv")["outcomes_file"]) == {str(blind)}
    assert {name: (out / name).read_bytes() for name in record} == record  # the record's reports as they were
    # The record's own file named with --outcomes is the record: its report keeps its names and words.
    rc, text, _ = cli(capsys, "compare", out, "--outcomes", build.root / "seeds" / "outcomes.yaml")
    assert rc == 0 and text.splitlines()[0] == "# toy against the record" and not (out / "comparison_outcomes.md").exists()
    # Derived from the folder's content, the blind set's reports go with it when it changes, as the record's do.
    rc, _, err = cli(capsys, "run", toy, "--runs", "3", "--no-map", "-q", "--out", out)
    assert rc == 0 and "removed comparison_outcomes_blind.md" in err
    assert not any(out.glob("comparison*"))


def test_animate_leaves_a_users_mp4_beside_its_gif(toy, tmp_path, capsys, monkeypatch):
    """The MP4 beside the GIF was judged after the GIF was written: the new signed control.gif then vouched for a
    user's control.mp4, which ffmpeg wrote over."""
    from matplotlib import animation as mpl_animation

    from sim.io.files import atomic_file
    from sim.viz import animation

    real_save, real_available = animation.save_animation, mpl_animation.writers.is_available

    def save(anim, path, writer, **kw):  # no ffmpeg here: its film, in one write, as save_animation makes it
        if path.suffix != ".mp4":
            return real_save(anim, path, writer, **kw)
        with atomic_file(path) as tmp:
            tmp.write_bytes(b"the simulator's film")
        return path

    monkeypatch.setattr(animation, "save_animation", save)
    monkeypatch.setattr(mpl_animation.writers, "is_available", lambda name: name == "ffmpeg" or real_available(name))
    run = tmp_path / "run"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", run)[0] == 0
    (run / "control.mp4").write_bytes(b"my film")
    assert cli(capsys, "map", run, "--animate")[0] == 0
    assert (run / "control.mp4").read_bytes() == b"my film" and (run / "control.gif").exists()
    (run / "control.mp4").unlink()
    for _ in range(2):  # its own, beside its signed GIF, is written and replaced
        assert cli(capsys, "map", run, "--animate")[0] == 0
        assert (run / "control.mp4").read_bytes() == b"the simulator's film"


def test_a_sweeps_report_and_discovery_refuse_a_users_file_of_their_names(tmp_path, capsys):
    """sweep-report and discover (without --out) wrote report/ and discover/ in the sweep folder by name alone: a
    user's report.md, points.csv or discover.md there was written over, though a rerun of the sweep keeps them."""
    design = make_design("grid", [Parameter("a", values=(0.0, 0.5, 1.0)), Parameter("b", values=(0.0, 0.5, 1.0))])
    out = tmp_path / "s"
    run_sweep(SweepSpec(Path("toy"), design, runs=2), out, evaluate=toys.linear)
    commands = {"report": ["sweep-report", out, "--metric", "y"], "discover": ["discover", out, "--where", "y >= 2"]}
    for name in ("report/report.md", "report/points.csv", "discover/discover.md", "discover/boxes.csv"):
        mine = out / name
        for _ in range(2):  # its own files are replaced as before
            assert cli(capsys, *commands[mine.parent.name])[0] == 0
        if mine.suffix == ".csv":
            (mine.parent / f"{mine.parent.name}.md").unlink()  # no markdown of its own vouches for the table
        mine.write_text("mine\n")
        before = tree(out)
        rc, _, err = cli(capsys, *commands[mine.parent.name])
        one_line_error(rc, err)
        assert mine.name in err and "not written by the simulator" in err and "move it out of" in err and tree(out) == before, err
        shutil.rmtree(mine.parent)  # the report's tables, with no markdown of its own to vouch for them, are refused too


# ---- one writer at a time ----


def test_a_second_writer_is_refused_at_once(toy, tmp_path, capsys):
    run, ens = tmp_path / "run", tmp_path / "ens"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", run)[0] == 0
    assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", ens)[0] == 0
    before = tree(tmp_path)
    for folder, args in ((run, ["run", toy, "--no-map", "--out", run]), (ens, ["run", toy, "--runs", "3", "--out", ens]),
                         (run, ["compare", run]), (run, ["map", run]), (ens, ["plot", ens]),
                         (tmp_path / "new", ["run", toy, "--out", tmp_path / "new"])):
        with FolderLock(folder):
            t0 = time.monotonic()
            rc, _, err = cli(capsys, *args)
            one_line_error(rc, err)
            assert f"being written by another simulator process (pid {os.getpid()})" in err
            assert time.monotonic() - t0 < 30
    assert tree(tmp_path) == before  # lock files removed, nothing written


def test_a_second_sweep_is_refused_before_it_loads_the_model(toy, tmp_path):
    """A sweep took its folder's lock only once it had loaded the model and planned (5 to 9 s on 2 busy cores): a second
    one into the same folder was refused only then. Now it looks at the lock as soon as its folder is known."""
    out = tmp_path / "sweep"
    code = textwrap.dedent(f"""
        import json, sys
        from sim.cli import main
        status = main(["sweep", {str(toy)!r}, "--param", "regime.commit=0.5,0.9", "--workers", "1", "--out", {str(out)!r}])
        print(json.dumps([status, "sim.experiments.sweep" in sys.modules, "mesa" in sys.modules]))
    """)
    with FolderLock(out):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert json.loads(done.stdout) == [2, False, False], done.stderr
    assert f"being written by another simulator process (pid {os.getpid()})" in done.stderr
    assert not out.exists()


def test_an_ensemble_across_a_parameter_set_is_refused_while_another_writes_its_folder(toy, tmp_path, capsys):
    """`run --param-set` took no lock: a plain ensemble started into its folder 5 s later deleted most of its
    replicates, both exited 0 and the manifest said complete with parts missing."""
    rows = tmp_path / "set.csv"
    rows.write_text("trial,regime.commit\n0,0.5\n1,0.9\n")
    out = tmp_path / "across"
    for existing in (False, True):
        if existing:  # an ensemble's folder being written: still refused at once, not as "not empty"
            assert cli(capsys, "run", toy, "--runs", "2", "-q", "--out", out)[0] == 0
        before = tree(tmp_path)
        with FolderLock(out):
            rc, _, err = cli(capsys, "run", toy, "--runs", "2", "--workers", "1", "--param-set", rows, "-q", "--out", out)
        one_line_error(rc, err)
        assert f"being written by another simulator process (pid {os.getpid()})" in err
        assert tree(tmp_path) == before


def test_a_file_of_the_users_where_the_lock_goes_is_neither_overwritten_nor_removed(toy, tmp_path, capsys):
    """The lock file was opened through a symbolic link, truncated, given the writer's pid and removed: a link
    `.run.lock` to a file of the user's left that file holding "12345", and a file of theirs of that name was deleted.
    A directory there was a failure to write (status 1). Each is now refused, naming it; a killed writer's lock (a pid)
    is still taken over."""
    out = tmp_path / "run"
    theirs = tmp_path / "notes.txt"
    theirs.write_text("my notes")
    for kind in ("link", "file", "folder"):
        lock = lock_path(out)
        if kind == "link":
            lock.symlink_to(theirs)
        elif kind == "file":
            lock.write_text("my lock notes\n")
        else:
            lock.mkdir()
        before = tree(tmp_path)
        rc, _, err = cli(capsys, "run", toy, "--no-map", "-q", "--out", out)
        one_line_error(rc, err)
        assert lock.name in err and "not a lock file of the simulator" in err, err
        assert tree(tmp_path) == before and (lock.is_symlink() or lock.exists()) and not out.exists()
        lock.rmdir() if kind == "folder" else lock.unlink()
    lock_path(out).write_text("99999\n")  # left by a killed writer
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", out)[0] == 0
    assert not lock_path(out).exists() and theirs.read_text() == "my notes"


def test_a_killed_writers_temporary_folder_is_cleaned_only_by_the_next_lock_holder(toy, tmp_path, capsys):
    out = tmp_path / "run"
    in_flight = tmp_path / ".run.tmp-99999-abcdef12"
    in_flight.mkdir()
    (in_flight / "control.csv").write_text("being written")
    with FolderLock(out):  # its writer is alive: a second run must not touch its temporary folder
        rc, _, err = cli(capsys, "run", toy, "--no-map", "--out", out)
        one_line_error(rc, err)
        assert in_flight.exists()
    # The writer is gone (its lock with it): what it left is removed by the next writer.
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", out)[0] == 0
    assert not in_flight.exists() and hidden(tmp_path) == []


def test_reading_a_folder_being_written_is_refused(toy, tmp_path, capsys):
    run = tmp_path / "run"
    assert cli(capsys, "run", toy, "--no-map", "-q", "--out", run)[0] == 0
    with FolderLock(run):
        rc, _, err = cli(capsys, "compare", run, "--out", tmp_path / "elsewhere")
    one_line_error(rc, err)
    assert "being written" in err and not (tmp_path / "elsewhere").exists()
    assert not lock_path(run).exists()


@pytest.mark.slow
def test_two_processes_writing_one_ensemble(tmp_path):
    out = tmp_path / "ens"
    args = [sys.executable, "-m", "sim", "run", "scenarios/jan_truce.yaml", "--runs", "600", "--workers", "1", "-q", "--out", str(out)]
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "manifest.json").exists() and time.time() < deadline:  # written under the lock, before any replicate
        time.sleep(0.05)
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    if second.returncode == 0:  # the second came after the first had finished (a loaded machine)
        pytest.skip("the first writer finished before the second started")
    assert second.returncode == 2 and "being written by another simulator process" in second.stderr
    assert "Traceback" not in second.stderr
    results = load_results(out)
    assert results.complete and len(results.runs) == 600


# ---- the system refuses ----


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT])
def test_os_errors_on_output_are_one_line_and_leave_no_partial_folder(toy, tmp_path, capsys, monkeypatch, code):
    def refuse(self, data):  # noqa: ANN001
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    for args in (["run", toy, "--no-map"], ["run", toy, "--runs", "2", "--workers", "1"]):
        out = tmp_path / "out"
        rc, _, err = cli(capsys, *args, "--out", out)
        one_line_error(rc, err, code=1)
        assert os.strerror(code) in err
        assert not out.exists() and hidden(tmp_path) == [], sorted(p.name for p in tmp_path.iterdir())


def test_a_full_disk_while_writing_sweep_rows(tmp_path, capsys, monkeypatch, toy):
    import sim.experiments.sweep as sweep

    def full(*_):  # noqa: ANN002
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "part")

    monkeypatch.setattr(sweep, "write_part", full)
    out = tmp_path / "s"
    rc, _, err = cli(capsys, "sweep", toy, "--param", "regime.commit=0.2,0.8", "--runs", "1", "--workers", "1", "--out", out)
    one_line_error(rc, err, code=1)
    assert not out.exists()


def test_a_stop_between_the_two_renames_puts_the_old_folder_back(tmp_path, monkeypatch):
    from sim.io.files import atomic_folder

    out = tmp_path / "run"
    out.mkdir()
    (out / "old.txt").write_text("kept")
    real, renames = Path.rename, []

    def rename_then_stop(self, target):
        renamed = real(self, target)
        renames.append(target)
        if len(renames) == 1:  # the old folder is aside; the new one not yet in its place
            raise KeyboardInterrupt
        return renamed

    monkeypatch.setattr(Path, "rename", rename_then_stop)
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(out) as tmp:
            (tmp / "new.txt").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["run"] and (out / "old.txt").read_text() == "kept"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_parent_folder(toy, tmp_path, capsys):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        rc, _, err = cli(capsys, "run", toy, "--no-map", "--out", parent / "out")
        one_line_error(rc, err, code=1)
    finally:
        parent.chmod(0o755)


def test_folders_are_made_with_the_users_umask(toy, tmp_path):
    old = os.umask(0o027)
    try:
        write_run(simulate(load_scenario(toy)), tmp_path / "run", map_png=False)
        from sim.experiments.ensemble import run_ensemble

        run_ensemble(load_scenario(toy), 2, tmp_path / "ens")
    finally:
        os.umask(old)
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "ens" / "replicates" / "days").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "ens" / "replicates" / "days" / "part-1.parquet").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "run" / "control.csv").stat().st_mode & 0o777 == 0o640


def namesake(original: Path, copy: Path) -> None:
    """Write at ``copy`` an edited copy of the scenario ``original`` under its name, as a user copies a file to change
    it (a what-if that `extends` it may not take its name), its theatre and claims found from the copy's folder."""
    import yaml

    data = yaml.safe_load(original.read_text())
    for key in ("theatre", "claims"):
        data[key] = os.path.relpath(original.parent / data[key], copy.parent)
    copy.write_text(yaml.safe_dump({**data, "factions": {"regime": {"force": 80}}}, sort_keys=False))


def test_the_refusal_of_a_namesake_advises_renaming_either_file(toy, build, tmp_path, capsys, monkeypatch):
    """A copy run first holds the default folder: running the original is refused, and the advice is to give either
    file a `name:` of its own (it told the user to rename the original, a shipped what-if, and never the copy)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    namesake(toy, tmp_path / "mine" / "copy.yaml")
    assert cli(capsys, "run", "mine/copy.yaml", "--no-map", "-q")[0] == 0
    rc, _, err = cli(capsys, "run", "s.yaml", "--no-map", "-q")
    one_line_error(rc, err)
    assert "give s.yaml or mine/copy.yaml a `name:` of its own" in err, err


@pytest.mark.parametrize("how", [["--no-map"], ["--runs", "2"]])
def test_a_copy_of_a_scenario_under_the_same_name_does_not_replace_its_results(toy, build, tmp_path, capsys, monkeypatch, how):
    """A what-if copied and edited keeps its `name:`, so its default folder is the original's: refused, naming both files."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    copy = tmp_path / "mine" / "copy.yaml"
    namesake(toy, copy)
    rc, out, _ = cli(capsys, "run", "s.yaml", *how, "-q")
    assert rc == 0
    folder = tmp_path / out.split(": ")[-1].strip()
    assert cli(capsys, "compare", folder)[0] == 0  # derived from the original's results
    before = tree(folder)
    rc, _, err = cli(capsys, "run", "mine/copy.yaml", *how, "-q")
    one_line_error(rc, err)
    assert "s.yaml" in err and "mine/copy.yaml" in err and "--out" in err and "name:" in err, err
    assert tree(folder) == before
    # The same file, edited, is still run again into its own folder (its older results are replaced).
    toy.write_text(toy.read_text().replace("seed: 1", "seed: 1\nfactions: {regime: {force: 80}}"))
    assert cli(capsys, "run", "s.yaml", *how, "-q")[0] == 0
    assert not (folder / "comparison.md").exists()
    # ... and so is a path that names the same file another way.
    assert cli(capsys, "run", str(toy), *how, "-q")[0] == 0
    # ... from another working folder too, where the path the manifest recorded as given ("s.yaml") leads nowhere: it
    # was refused as another file ("not of .../s.yaml (both are named 'toy')"), so an interrupted ensemble could not be
    # finished by a job script run from elsewhere.
    assert cli(capsys, "run", "s.yaml", *how, "-q")[0] == 0
    monkeypatch.chdir(tmp_path / "mine")
    assert cli(capsys, "run", str(toy), *how, "-q", "--out", str(folder))[0] == 0
    assert cli(capsys, "run", "../s.yaml", *how, "-q", "--out", str(folder))[0] == 0


def test_an_interrupt_that_surfaces_as_another_error_is_an_interrupt(monkeypatch, capsys):
    """A SIGTERM inside matplotlib's font module's import came out as "ImportError: initialization failed": a traceback
    and status 1 (once in four CI runs). Any error after an interrupt arrived is the interrupt: status 130, no trace."""
    import sim.cli
    import sim.cli.commands
    from sim import interrupts

    def run_interrupted(args, parser):  # noqa: ANN001
        interrupts._interrupted.set()  # the handler remembered the signal, whose KeyboardInterrupt the import turned into:
        raise ImportError("initialization failed")

    monkeypatch.setitem(sim.cli.commands.COMMAND_FUNCTIONS, "run", run_interrupted)
    try:
        assert sim.cli.main(["run", "scenarios/moscow.yaml"]) == 130
    finally:
        interrupts.forget_interrupts()  # no other test's executor may find it
    err = capsys.readouterr().err
    assert err.startswith("interrupted (the signal surfaced as ImportError)") and "Traceback" not in err

    def fails(args, parser):  # noqa: ANN001 - with no interrupt, a bug stays a bug
        raise ImportError("a real one")

    monkeypatch.setitem(sim.cli.commands.COMMAND_FUNCTIONS, "run", fails)
    with pytest.raises(ImportError, match="a real one"):
        sim.cli.main(["run", "scenarios/moscow.yaml"])


def test_a_process_whose_interrupt_surfaced_inside_an_import_ends_without_finalising_it(tmp_path):
    """A SIGTERM inside a C extension's import leaves that module half made; the command said "interrupted" and
    returned 130, and then Python's shutdown touched the module and aborted ("Fatal Python error: PyThreadState_Get",
    status -6: twice in 80 runs stopped a second in, and once in a CI run). The process now ends at once with 130, its
    output flushed, nothing finalised: an exit handler registered before never runs."""
    script = tmp_path / "stopped.py"
    script.write_text(textwrap.dedent("""
        import atexit, sys
        import sim.cli, sim.cli.commands
        from sim import interrupts
        def run_interrupted(args, parser):
            interrupts._interrupted.set()
            raise ImportError("initialization failed")
        sim.cli.commands.COMMAND_FUNCTIONS["run"] = run_interrupted
        atexit.register(lambda: print("finalised", flush=True))
        sys.argv = ["sim", "run", "scenarios/moscow.yaml"]
        raise SystemExit(sim.cli.main())
    """))
    p = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 130, (p.returncode, p.stderr)
    assert p.stderr.startswith("interrupted (the signal surfaced as ImportError)"), p.stderr
    assert "finalised" not in p.stdout, p.stdout


def test_every_pattern_for_a_killed_writers_temporaries_matches_the_names_written_and_no_other(tmp_path):
    """The cleaners tell temporaries by name: each pattern must match what temp_path writes beside its target (or a
    killed writer's would stay for good) and nothing a user could have put there (or theirs would be removed)."""
    import re

    from sim.experiments import ensemble, storage
    from sim.io import files, outputs

    part = tmp_path / "part-000003.parquet"
    cases = [  # (pattern, what it stands beside, the temporary's kind and suffix)
        (outputs.TEMP, tmp_path / "manifest.json", "tmp", ".json"),
        (outputs.TEMP, tmp_path / "run", "old", ""),
        (storage.PART_TEMP, part, "tmp", ".parquet"),
        (ensemble.PART_TEMP, part, "tmp", ".parquet"),
        (ensemble.REPLICATE_TEMP, tmp_path / "seed-17", "old", ""),
        (files.temp_names(re.escape(files.hidden_prefix("sweep.json"))), tmp_path / "sweep.json", "tmp", ".json"),
    ]
    for pattern, target, kind, suffix in cases:
        written = files.temp_path(target, kind, suffix).name
        assert pattern.fullmatch(written), (pattern.pattern, written)
        for users in (target.name, f"{target.name}.tmp", f".{target.name}.bak-1-abcdef12", f".{target.name}.tmp-1-xyz"):
            assert not pattern.fullmatch(users), (pattern.pattern, users)


def test_a_rerun_removes_the_temporaries_a_killed_writer_left_inside_its_folder(toy, tmp_path, capsys):
    """An ensemble killed while it wrote a summary left `.captures.csv.tmp-*.csv` in its folder, and a sweep-report
    killed while it wrote a file of its report (a figure, a table) its temporary in `report/`: every rerun kept them. The rerun, holding the
    folder's lock (no live writer owns them), removes them; a user's file of another name stays."""
    out = tmp_path / "ens"
    assert cli(capsys, "run", toy, "--runs", "3", "--workers", "1", "-q", "--out", out)[0] == 0
    left = [out / ".captures.csv.tmp-99999-abcdef12.csv", out / ".control_prob.csv.tmp-99999-0123abcd.csv"]
    mine = out / ".my-notes.csv"
    for path in (*left, mine):
        path.write_text("half")
    assert cli(capsys, "run", toy, "--runs", "3", "--workers", "1", "-q", "--out", out)[0] == 0
    assert not any(p.exists() for p in left) and mine.read_text() == "half"

    from sim.viz.sweep_report import sweep_report

    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))])
    run_sweep(SweepSpec(Path("toy"), design, runs=2), tmp_path / "s", evaluate=toys.linear)
    sweep_report(tmp_path / "s")
    stale = tmp_path / "s" / "report" / ".points.csv.tmp-99999-abcdef12.csv"
    stale.write_text("half")
    sweep_report(tmp_path / "s")
    assert not stale.exists()
