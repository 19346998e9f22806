"""One rule for which kind of input a YAML file is (scenario, sweep, calibration), shared by `check`, `run`, `sweep`,
`calibrate` and `sim.check` (round 27: `check` and `sweep` each had their own, and `run` on a sweep file said only
"unknown key 'scenario'")."""

from __future__ import annotations

import shutil

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
    ({"claims": [1], "sources": []}, "claims"), ({"claims": "c.yaml", "outcomes": [1]}, "outcomes"), ({"outcomes": [1], "claim": 1}, "outcomes"),
    ({"claims": "c.yaml", "outcomes": {"fit": []}, "scenarios": 1}, "calibration"), ({"outcomes": [1], "scenarios": 1}, "calibration"),
    ({"kind": "run", "scenario_name": "x", "seed": 1}, "results"), ({"kind": "sweep", "scenario": "x"}, "results"),
])
def test_file_kind(keys, kind):
    assert file_kind(keys) == kind


# ---- the record's outcomes and claims files, and results folders (round 28: "unknown key 'claims'") ----

OUTCOMES, CLAIMS = ROOT / "seeds" / "outcomes.yaml", ROOT / "seeds" / "claims.yaml"
ONE_OUTCOME = """claims: {claims}
outcomes:
  - id: jan-truce-broken
    set: calibration
    kind: event
    description: The January truce breaks down
    event: truce_broken
    reported: 2020-01-15
    window: [2020-01-12, 2020-01-19]
    source: [{source}]
    note: a test
"""


def test_check_reads_the_records_outcomes_and_claims_files_as_such(capsys):
    for file, kind, said in ((OUTCOMES, "outcomes", "an outcomes file: "), (CLAIMS, "claims", "a claims record: ")):
        checked = sim.check(file)
        assert checked["kind"] == kind and checked["summary"].startswith(said), checked
        assert main(["check", str(file)]) == 0
        out, err = capsys.readouterr()
        assert out.startswith(f"{file}: ok ({said}") and "unknown key" not in out + err, (out, err)
    assert "compare RESULTS_DIR --outcomes " in " ".join(sim.check(OUTCOMES)["notes"])


def test_sim_checks_note_on_an_outcomes_file_names_the_python_route_too():
    """sim.check's note on how to score against an outcomes file gave the command line alone, to a Python caller; the
    refusal beside it (no scenario named) already gives both."""
    note = " ".join(sim.check(OUTCOMES)["notes"])
    assert f"sim.scorecard(folder, {shown_path(str(OUTCOMES))!r})" in note, note


def test_check_says_a_blind_sets_outcomes_are_all_held_out(capsys):
    """The blind set is scored as held out, so every outcome of it is in the validation set; `check` said "34 reported
    outcomes (34 validation)", which a reader took for a mistake (a blind file, validated?). It says what that means;
    the record's two sets are still counted apart."""
    blind = ROOT / "seeds" / "outcomes_blind.yaml"
    assert main(["check", str(blind)]) == 0
    out = capsys.readouterr().out
    assert f"{blind}: ok (an outcomes file: 34 reported outcomes, all held out as the validation set, towns checked " in out
    assert "34 validation" not in out
    assert "189 reported outcomes (110 calibration, 79 validation)" in sim.check(OUTCOMES)["summary"]


def test_check_of_an_outcomes_file_reports_its_errors_where_they_are(tmp_path, capsys):
    bad = tmp_path / "outcomes.yaml"
    bad.write_text(ONE_OUTCOME.format(claims=CLAIMS, source="no-such-claim"))
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, line 10, key 'outcomes[0].source[0]': unknown claim id 'no-such-claim'" in err and err.count("\n") == 1, err
    good = tmp_path / "good.yaml"
    good.write_text(ONE_OUTCOME.format(claims=CLAIMS, source="jan-truce-effective"))
    assert sim.check(good, scenario=MOSCOW)["summary"].endswith("1 reported outcome, fitted as the calibration set, towns "
                                                                 "checked against the theatre of scenario moscow")
    assert main(["check", str(MOSCOW), "--scenario", str(MOSCOW)]) == 2
    assert "--scenario: is for an outcomes file" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "sweep", "calibrate"])
def test_a_record_file_given_to_a_command_says_what_it_is(tmp_path, capsys, command):
    for file, said in ((OUTCOMES, "this is an outcomes file"), (CLAIMS, "this is a claims record")):
        assert main([command, str(file), "--out", str(tmp_path / "never")]) == 2
        err = capsys.readouterr().err
        assert said in err and f"python -m sim check {shown_path(str(file))} checks it" in err and err.count("\n") == 1, err
    assert not (tmp_path / "never").exists()


def test_check_of_a_results_folder_or_its_manifest_says_what_reads_it(tmp_path, capsys):
    run = tmp_path / "run"
    short = load_scenario(MOSCOW, end=load_scenario(MOSCOW).start.replace(day=7))
    sim.write_run(sim.simulate(short), run, map_png=False)
    for given in (run, run / "manifest.json"):
        assert main(["check", str(given)]) == 2
        err = capsys.readouterr().err
        assert "a run of scenario 'moscow'" in err and "not an input file" in err and f"python -m sim compare {run}" in err, err
        assert "unknown key" not in err and "directory" not in err and err.count("\n") == 1, err
    assert main(["run", str(run / "manifest.json"), "--out", str(tmp_path / "never")]) == 2
    assert "this is the manifest of a run of scenario 'moscow'" in capsys.readouterr().err



def test_check_of_an_unfinished_ensemble_says_how_many_replicates_are_in(tmp_path, capsys):
    """It said "(40 replicates)" of an ensemble stopped at 30 (a walk-through's find)."""
    import json

    from sim.experiments.ensemble import run_ensemble

    out = tmp_path / "ens"
    short = load_scenario(MOSCOW, end=load_scenario(MOSCOW).start.replace(day=7))
    run_ensemble(short, 16, out, workers=1)  # eight parts of 2
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(complete=False, parts=manifest["parts"][:1], seeds=manifest["seeds"] + [10**6])  # as if stopped
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["check", str(out)]) == 2
    assert "an ensemble of scenario 'moscow' (2 of 17 replicates, unfinished)" in capsys.readouterr().err

def test_compare_given_another_kind_of_file_as_its_outcomes_says_what_it_is(tmp_path, capsys):
    # `compare RESULTS --outcomes scenarios/x.yaml` said "missing required key 'claims'", as if the scenario were a
    # broken outcomes file.
    run = tmp_path / "run"
    short = load_scenario(MOSCOW, end=load_scenario(MOSCOW).start.replace(day=7))
    sim.write_run(sim.simulate(short), run, map_png=False)
    for file, said in ((MOSCOW, "this is a scenario file, not an outcomes file: use python -m sim run"),
                       (SWEEP, "this is a sweep file, not an outcomes file"),
                       (CLAIMS, "this is a claims record (the documented claims that events and outcomes cite by id), "
                                "not an outcomes file")):
        assert main(["compare", str(run), "--outcomes", str(file)]) == 2
        err = capsys.readouterr().err
        assert said in err and "missing required key" not in err and err.count("\n") == 1, err
    misspelt = tmp_path / "outcomes.yaml"  # an outcomes file whose 'outcomes' is misspelt is still read as one
    misspelt.write_text("claims: claims.yaml\noutcome:\n  - {id: x}\n")
    assert main(["compare", str(run), "--outcomes", str(misspelt)]) == 2
    assert "missing required key 'outcomes'" in capsys.readouterr().err
    assert not (run / "comparison.md").exists()


# ---- a theatre index (round 31: "unknown key 'towns' (did you mean 'factions'?)") ----

THEATRE = ROOT / "scenarios" / "theatres" / "idlib.yaml"


def test_check_reads_a_theatre_index_with_its_tables_and_run_says_what_it_is(tmp_path, capsys):
    """`check scenarios/theatres/idlib.yaml` read the theatre as a broken scenario ("unknown key 'towns' (did you mean
    'factions'?)"), though the README counts a theatre file among the inputs that load or stop with their own error."""
    checked = sim.check(THEATRE)
    assert checked["kind"] == "theatre", checked
    assert checked["summary"] == "a theatre: 191 places, 249 roads, 35 post sites", checked["summary"]
    assert main(["check", str(THEATRE)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{THEATRE}: ok (a theatre: 191 places") and "unknown key" not in out + err, (out, err)
    # Its tables are read: a broken row is found, at its file and line.
    folder = tmp_path / "theatres"
    shutil.copytree(THEATRE.parent, folder)
    towns = folder / "idlib.towns.csv"
    rows = towns.read_text(encoding="utf-8").splitlines(keepends=True)
    towns.write_text("".join(rows[:3]) + rows[3].replace(",35.", ",north of ", 1) + "".join(rows[4:]), encoding="utf-8")
    assert main(["check", str(folder / "idlib.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {towns}, line 4") and err.count("\n") == 1, err
    # Given where a scenario goes, it is named for what it is.
    assert main(["run", str(THEATRE)]) == 2
    err = capsys.readouterr().err
    assert "this is a theatre" in err and "`theatre:`" in err and "unknown key" not in err, err


@pytest.mark.parametrize("table", ["scenarios/theatres/idlib.towns.csv", "sweeps/group_sizes.csv"])
def test_check_of_a_csv_says_it_reads_yaml_files_and_where_the_table_is_read(capsys, table):
    """`check` of a theatre's towns table answered with a YAML error ("a 'key: value' where none can be ..."), and of
    a sweep's design "the top level must be a mapping": it reads YAML files, and a table is read through the file that
    names it."""
    assert main(["check", str(ROOT / table)]) == 2
    err = capsys.readouterr().err
    assert "a CSV table: check reads the simulator's YAML files" in err and "key: value" not in err, err
    assert "mapping" not in err and err.count("\n") == 1, err


def test_check_lists_a_scenarios_parameters_as_sim_parameters_does(tmp_path, capsys):
    """A sweep's --param takes a parameter's dotted path, and the command line had no way to list them: a wrong path's
    error pointed to sim.parameters(scenario), in Python. `check --parameters` lists each on a line of its own."""
    assert main(["check", str(MOSCOW), "--parameters"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{MOSCOW}: ok (moscow, 2020-03-05 .. 2020-08-31, 9 events)"
    assert lines[1].split() == ["path", "value", "range", "type", "alias"]
    table = sim.parameters(MOSCOW)
    assert [line.split()[0] for line in lines[2:]] == list(table["path"])  # every one, in its order
    assert ["displaced_at_start.taken", "0.58", "0", "..", "1", "float", "displaced_at_start__taken"] in [x.split() for x in lines]
    assert any(x.split()[:4] == ["turkey.may_escalate", "True", "a", "switch"] for x in lines), lines
    assert any(x.split()[:5] == ["hts.protest_days", "4", "1", "..", "365"] for x in lines), lines
    for other, kind in ((SWEEP, "a sweep"), (OUTCOMES, "an outcomes")):
        assert main(["check", str(other), "--parameters"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --parameters: lists a scenario's parameters; ") and f"is {kind} file" in err, err


DESIGN = ROOT / "sweeps" / "group_sizes.csv"


@pytest.mark.parametrize("command", [["run"], ["sweep"], ["calibrate"], ["run", "--runs", "2"]])
def test_a_csv_given_where_a_yaml_file_goes_says_it_is_a_table_and_where_a_design_goes(tmp_path, capsys, command):
    """`sweep points.csv` (the design where the scenario goes, `--design` left out) answered "line 1: the top level must
    be a mapping of keys to values", and `run` of the towns table "line 2: a 'key: value' where none can be": YAML
    errors about a file that is no YAML. `check` said what a table is; the commands that run did not."""
    for table in (DESIGN, ROOT / "scenarios" / "theatres" / "idlib.towns.csv"):
        assert main([command[0], str(table), *command[1:], "--out", str(tmp_path / "never")]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {shown_path(str(table))}: a CSV table, not ") and err.count("\n") == 1, err
        assert "--design" in err and "mapping" not in err and "key: value" not in err, err
        assert not (tmp_path / "never").exists()


def test_an_outcomes_file_that_is_a_csv_is_refused_as_a_table():
    """`compare --outcomes` (and `plot --outcomes`) read the file as YAML: a table gave a YAML error on its line 2."""
    from sim.analysis.outcomes_file import load_outcomes
    from sim.io.theatre import load_theatre

    with pytest.raises(InputError, match="a CSV table, not ") as caught:
        load_outcomes(DESIGN, load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml"), ["date"])
    assert caught.value.line is None, str(caught.value)
