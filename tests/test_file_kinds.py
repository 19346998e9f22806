"""One rule for which kind of input a YAML file is (scenario, sweep, calibration), shared by `check`, `run`, `sweep`,
`calibrate` and `sim.check` (round 27: `check` and `sweep` each had their own, and `run` on a sweep file said only
"unknown key 'scenario'")."""

from __future__ import annotations

import pytest

import sim
from sim import InputError, load_scenario
from sim.cli import main
from sim.errors import shown_path
from sim.experiments.calibration_file import CalibrationFile
from sim.io.kinds import CALIBRATION_KEYS, file_kind

from .conftest import ROOT

SWEEP = ROOT / "sweeps" / "jan_truce_30_days.yaml"
SMOKE = ROOT / "calibrations" / "smoke.yaml"
MOSCOW = ROOT / "scenarios" / "moscow.yaml"


def test_the_calibration_keys_are_the_calibration_files():
    assert set(CALIBRATION_KEYS) == set(CalibrationFile.model_fields)


def test_sim_check_reads_each_kind_as_its_command_does():
    assert sim.check(SWEEP) == {"kind": "sweep", "summary": "a sweep of campaign.yaml: 24 points x 20 runs", "notes": []}
    smoke = sim.check(SMOKE)
    assert smoke["kind"] == "calibration" and smoke["summary"].startswith("calibration 'smoke': 3 parameters, 1 scenario, ")
    assert sim.check(MOSCOW) == {"kind": "scenario", "summary": "moscow, 2020-03-05 .. 2020-08-31, 9 events", "notes": []}
    assert "check" in sim.__all__


@pytest.mark.parametrize("command, file, kind, use", [
    ("run", SWEEP, "sweep", "sweep"), ("run", SMOKE, "calibration", "calibrate"), ("sweep", SMOKE, "calibration", "calibrate"),
    ("calibrate", SWEEP, "sweep", "sweep"), ("calibrate", MOSCOW, "scenario", "run"),
])
def test_a_file_given_to_the_wrong_command_names_the_right_one(tmp_path, capsys, command, file, kind, use):
    assert main([command, str(file), "--out", str(tmp_path / "never")]) == 2
    err = capsys.readouterr().err
    assert f"this is a {kind} file" in err and f"use python -m sim {use} {shown_path(str(file))} " in err and err.count("\n") == 1, err
    assert "unknown key" not in err and not (tmp_path / "never").exists(), err


def test_load_scenario_of_a_sweep_file_says_what_it_is():
    with pytest.raises(InputError, match="this is a sweep file, not a scenario file: use python -m sim sweep .*sim.load_sweep"):
        load_scenario(SWEEP)


def test_check_and_sweep_agree_on_what_a_sweep_file_is(tmp_path, capsys):
    """A sweep file without its 'scenario' was a scenario to `check` ("unknown key 'design'") and a sweep to `sweep`."""
    path = tmp_path / "points.yaml"
    path.write_text("design: points.csv\nruns: 2\n")
    errors = []
    for command in (["check", str(path)], ["sweep", str(path), "--out", str(tmp_path / "never")]):
        assert main(command) == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1] and "missing required key 'scenario'" in errors[0], errors


@pytest.mark.parametrize("keys, kind", [
    ({"scenario": 1, "parameters": 1}, "sweep"), ({"parameters": 1}, "sweep"), ({"design": 1}, "sweep"),
    ({"scenarios": 1, "parameters": 1, "name": 1}, "calibration"), ({"extends": 1, "name": 1}, "scenario"),
    ({"start": 1, "end": 1, "scenario": 1}, "scenario"), ({"scenario": 1, "parameters": 1, "seed": 1}, "sweep"), ([1, 2], "scenario"), ({}, "scenario"),
])
def test_file_kind(keys, kind):
    assert file_kind(keys) == kind
