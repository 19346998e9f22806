"""``python -m sim calibrate``: a planted value is recovered, a parameter with no effect stays loose, an interrupted
calibration resumes to the same trials, the worker count changes nothing, and bad files get the usual errors."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import load_scenario
from sim.analysis.calibration_score import Evidence, Weights, components, crps, paired_difference, standard_error
from sim.cli import main
from sim.errors import InputError
from sim.experiments import calibration, calibration_results, calibration_runs
from sim.experiments.calibration import CalibrationInterrupted, run_calibration
from sim.experiments.calibration_file import load_calibration
from sim.experiments.calibration_results import finish, trials_frame
from sim.experiments.parameters import apply
from sim.experiments.run import simulate_batch

from .conftest import ROOT, ev, line_theatre

PLANTED = 0.5  # regime.commit in the toy's "record"
START = dt.date(2020, 1, 1)
TOY = {
    "factions": {"regime": {"force": 30, "commit": 0.3, "garrison": 5},
                 "hts": {"garrison": 8, "reserve": 0, "regen": 0, "spoiler_rate": 0},
                 "rebels": {"garrison": 1, "reserve": 0, "regen": 0}},
    "end": "2020-02-20",
    "events": [ev(id="push", date="2020-01-01", type="offensive", group="main", action="start", axis=["T9"], force=30, frontage=1)],
}


def toy_record(build) -> Path:
    """A line of ten towns; the 'record' is the median capture day of T1-T4 over runs with commit = PLANTED (other seeds)."""
    line_theatre(build, controllers=("regime",) + ("hts",) * 9)
    scenario = load_scenario(build.scenario(TOY, name="world.yaml"))
    runs = simulate_batch(apply(scenario, {"regime.commit": PLANTED}), list(range(1001, 1017)))
    outcomes = []
    for k, town in enumerate(["T1", "T2", "T3", "T4"]):
        days = [(dt.date.fromisoformat(c.loc[c["town"] == town, "date"].iloc[0]) - START).days
                for c in (r.captures for r in runs) if (c["town"] == town).any()]
        outcomes.append({"id": f"capture-{town.lower()}", "set": "validation" if k == 3 else "calibration", "kind": "capture",
                         "description": f"{town} falls", "town": town, "by": "regime",
                         "reported": (START + dt.timedelta(days=int(np.median(days)))).isoformat(), "tolerance_days": 3,
                         "source": ["test-claim"]})
    (build.root / "seeds" / "outcomes.yaml").write_text(yaml.safe_dump({"claims": "claims.yaml", "outcomes": outcomes}, sort_keys=False))
    return build.root / "world.yaml"


def toy_calibration(build, name="toy.calibration.yaml", **changes) -> Path:
    data = {
        "name": "toy",
        "scenarios": "world.yaml",
        "parameters": {"regime.commit": {"low": 0.2, "high": 1.0}, "hts.protest_rate": {"low": 0.0, "high": 0.5}},
        "replicates": 8,
        "budget": {"trials": 24},
        "method": {"seed": 7, "batch": 4, "startup_trials": 8},
        "slices": {"points": 17},
        "report": {"replicates": 8},
        "accept": {"rerank": 4, "rerank_replicates": 8},
        "layers": "calibrated",
    }
    data.update(changes)
    path = build.root / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def toy(build) -> Path:
    toy_record(build)
    return toy_calibration(build)


def trial_table(out: Path) -> pd.DataFrame:
    with calibration.open_study(load_calibration(out.parent / "toy.calibration.yaml"), out) as study:
        table = trials_frame(study)
    return table.drop(columns=["seconds"]).sort_values("trial").reset_index(drop=True)


# ---------------------------------------------------------------- the objective


def test_crps_of_a_point_is_its_error_and_a_sharp_right_ensemble_scores_zero():
    assert crps(np.array([[3.0]]), 0.0)[0] == 3.0
    assert crps(np.zeros((5, 2)), 0.0).tolist() == [0.0, 0.0]
    draws = np.random.default_rng(0).normal(size=(400, 1))
    assert crps(draws, 0.0)[0] < crps(10 * draws, 0.0)[0]  # sharper and right beats vaguer and right
    assert crps(draws, 0.0)[0] < crps(draws + 3, 0.0)[0]  # ... and beats as sharp but wrong
    assert crps(draws, 0.0)[0] == pytest.approx(0.234, abs=0.05)  # the standard normal's CRPS at its centre


def test_components_weigh_each_group_once():
    ev_ = Evidence(np.array([[1], [1]], dtype=np.int8), np.array([1], dtype=np.int8), np.array([[14.0], [14.0]]),
                   np.array([[50.0], [150.0]]), np.array([100.0]), np.array([[1.0], [0.0]]))
    c = components(ev_, Weights(control=1, dates=2, quantities=1, conditions=4, date_scale_days=14))
    assert c["control"] == 0 and c["dates"] == pytest.approx(1.0) and c["conditions"] == pytest.approx(0.25)
    assert c["quantities"] == pytest.approx(0.0)  # members at 50 and 150 around 100: the fair CRPS is 50 - 100/2 = 0
    assert c["objective"] == pytest.approx(2 * 1.0 + 4 * 0.25)
    # Above, control and quantities score 0, so their weights went untested: here every group scores, each its own.
    # Control: P = (0.5, 0.5, 0) against HTS, Brier 0.25 + 0.25; quantities: both members 50 over 100, 50 / 100.
    ev_ = Evidence(np.array([[1], [0]], dtype=np.int8), np.array([1], dtype=np.int8), np.array([[14.0], [14.0]]),
                   np.array([[150.0], [150.0]]), np.array([100.0]), np.array([[1.0], [0.0]]))
    c = components(ev_, Weights(control=3, dates=2, quantities=5, conditions=4, date_scale_days=14))
    assert c == pytest.approx({"control": 0.5, "dates": 1.0, "quantities": 0.5, "conditions": 0.25,
                               "objective": 3 * 0.5 + 2 * 1.0 + 5 * 0.5 + 4 * 0.25})


def test_a_paired_difference_keeps_the_common_luck_out_of_its_standard_error():
    """Two ensembles on the same seeds: replicate i of the second is replicate i of the first, two days later.

    Their objectives differ by exactly the shift, every resample keeps the pairs, so the paired standard error is
    zero, while each ensemble's own standard error (its luck) is not.
    """
    rng = np.random.default_rng(1)
    errors = rng.normal(0.0, 10.0, size=(40, 3))

    def make(e):
        n = len(e)
        return Evidence(np.zeros((n, 0), np.int8), np.zeros(0, np.int8), e, np.zeros((n, 0)), np.zeros(0), np.zeros((n, 0)))

    w = Weights(date_scale_days=1.0)
    base, later = make(np.abs(errors)), make(np.abs(errors) + 2.0)
    diff, se = paired_difference(base, later, w)
    assert diff == pytest.approx(2.0) and se == pytest.approx(0.0, abs=1e-12)
    assert standard_error(base, w) > 0.3 and standard_error(later, w) > 0.3
    # Unpaired luck: the second ensemble's replicates shuffled. The difference's error is then the two lucks'.
    _, shuffled_se = paired_difference(base, make(np.abs(errors[rng.permutation(40)]) + 2.0), w)
    assert shuffled_se > 0.3
    with pytest.raises(ValueError, match="same replicates"):
        paired_difference(base, make(np.abs(errors[:20])), w)


# ---------------------------------------------------------------- recovery


def test_a_planted_value_is_recovered_and_a_parameter_with_no_effect_stays_loose(toy, tmp_path):
    spec = load_calibration(toy)
    out = tmp_path / "out"
    run = run_calibration(spec, out, workers=1)
    assert run.total == 24
    result = finish(spec, out, figures=False)
    best = result["best"]
    assert abs(best["regime.commit"] - PLANTED) <= 0.15, best["regime.commit"]
    verdicts = result["parameters"].set_index("parameter")["verdict"]
    assert verdicts["hts.protest_rate"] == "loose"  # no patrols in the toy: the outcomes cannot see it
    assert verdicts["regime.commit"] == "constrained"
    # The layer extends the toy and carries the best values; the accepted set sits beside it.
    layer = load_scenario(spec.layers / "world.yaml")
    assert layer.factions.regime.commit == pytest.approx(best["regime.commit"])
    accepted = pd.read_csv(spec.layers / "toy.accepted.csv")
    assert accepted["trial"].iloc[0] == best["trial"] and len(accepted) >= 1
    scores = result["scores"]
    assert scores["calibrated"]["fit"]["objective"] < scores["frozen front"]["fit"]["objective"]
    assert set(scores) == {"calibrated", "hand-set", "accepted set", "frozen front"} and "hold_out" in scores["calibrated"]
    # Each ensemble on the hand-set values' seeds carries its paired difference from them.
    for name in ("calibrated", "accepted set"):
        fit = scores[name]["fit"]
        assert fit["minus hand-set"] == pytest.approx(fit["objective"] - scores["hand-set"]["fit"]["objective"])
        assert 0 <= fit["minus hand-set se"]
    assert "minus hand-set" not in scores["hand-set"]["fit"] and "minus hand-set" not in scores["frozen front"]["fit"]
    assert "Unfinished" not in result["text"]  # every trial of the file's budget ran


def test_a_parameter_no_slice_went_through_gets_no_verdict():
    """With `slices: {points: 0}` the verdict fell back on the accepted set's spread: a one-trial set (one replicate a
    trial gives a standard error of 0) has none, and every parameter was called constrained, though the report defines
    the verdict by a slice and none was run."""
    from sim.analysis.calibration_report import NOT_SLICED, parameter_table, report_text, slice_verdicts

    bounds = {"regime.commit": (0.2, 0.9, False), "hts.protest_rate": (0.0, 0.5, False)}
    best = pd.Series({"trial": 3, "regime.commit": 0.4, "hts.protest_rate": 0.1})
    accepted = pd.DataFrame([best])  # one trial
    no_slices = slice_verdicts(pd.DataFrame(columns=["parameter", "value", "objective"]), bounds, 0.01)
    table = parameter_table(bounds, {"regime.commit": 0.3}, best, accepted, no_slices)
    assert list(table["verdict"]) == [NOT_SLICED, NOT_SLICED]
    text = report_text(name="t", header=[], scores={}, parameters=table, figures=[], cost={"runs": 1, "wall_seconds": 1, "trials": 1})
    assert "(0 constrained, 0 partly, 0 loose, 2 not sliced: no slice was run.)" in text
    # A slice through one of them gives it its verdict; the other still has none.
    sliced = pd.DataFrame({"parameter": "regime.commit", "value": np.linspace(0.2, 0.9, 8),
                           "objective": [1.0, 1.0, 1.0, 0.1, 1.0, 1.0, 1.0, 1.0]})  # plausible 0.4-0.6 of 0.2-0.9
    table = parameter_table(bounds, {}, best, accepted, slice_verdicts(sliced, bounds, 0.01))
    assert list(table["verdict"]) == ["constrained", NOT_SLICED]


# ---------------------------------------------------------------- resume, workers


def test_an_interrupted_calibration_resumes_to_the_same_trials(toy, tmp_path, monkeypatch):
    spec = load_calibration(toy)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    run_calibration(spec, whole, trials=12)
    real, calls = calibration_runs.evaluate_points, []

    def stops_in_the_second_batch(problem, points, offset=0):  # noqa: ANN001, ANN202
        calls.append(points)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(problem, points, offset)

    monkeypatch.setattr(calibration_runs, "evaluate_points", stops_in_the_second_batch)
    with pytest.raises(CalibrationInterrupted) as info:
        run_calibration(spec, cut, trials=12)
    assert [len(points) for points in calls] == [4, 4]  # a batch of trials steps as one
    assert info.value.finished == 4  # the trials done are kept
    monkeypatch.setattr(calibration_runs, "evaluate_points", real)
    again = run_calibration(spec, cut, trials=12)
    assert again.ran == 8 and again.total == 12  # only the rest ran
    pd.testing.assert_frame_equal(trial_table(whole), trial_table(cut))


def test_a_trial_killed_while_it_was_asked_is_asked_again_not_run_without_its_values(toy, tmp_path):
    """A SIGKILL between Optuna's commits of an asked trial left it running with some or none of its values: the rerun
    ran it at the scenario's own values and then stopped, and every rerun after it, with "input should be a finite
    number (got nan)". Such a trial is now failed and asked again, and does not count against the budget."""
    from optuna.trial import TrialState

    spec = load_calibration(toy)
    out = tmp_path / "out"
    run_calibration(spec, out, trials=4)
    with calibration.open_study(spec, out) as study:
        study.ask()  # as a killed ask leaves it: running, no values
    again = run_calibration(spec, out, trials=8)
    assert again.total == 8
    with calibration.open_study(spec, out) as study:
        states = [t.state for t in study.get_trials(deepcopy=False)]
        table = trials_frame(study)
    assert states.count(TrialState.FAIL) == 1 and states.count(TrialState.COMPLETE) == 8
    assert table[list(spec.parameters)].notna().all().all() and len(table) == 8
    assert finish(spec, out, figures=False)["best"]["trial"] in set(table["trial"])


def test_trials_told_before_a_ctrl_c_count_in_the_reported_cost(toy, tmp_path, monkeypatch):
    # The batch's runs were added to the study's cost only when the whole batch was told: a Ctrl-C after one of its tasks
    # had finished kept that task's trials, but their runs went uncounted, and the report's "Cost" fell short.
    spec = load_calibration(toy)
    real, batches = calibration.evaluate_all, []

    def stops_after_one_trial_of_the_second_batch(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        batches.append(1)
        for k, item in enumerate(real(*args, **kwargs)):
            if len(batches) == 2 and k == 1:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(calibration, "evaluate_all", stops_after_one_trial_of_the_second_batch)
    with pytest.raises(CalibrationInterrupted) as info:
        run_calibration(spec, tmp_path / "cut", trials=12)
    assert info.value.finished == 5
    monkeypatch.setattr(calibration, "evaluate_all", real)
    run_calibration(spec, tmp_path / "cut", trials=12)
    with calibration.open_study(spec, tmp_path / "cut") as study:
        assert study.user_attrs["runs"] == 12 * spec.file.replicates * len(spec.scenario_paths)


def test_trials_told_before_a_kill_count_in_the_reported_cost(toy, tmp_path):
    """The runs of a batch's told trials were added to the study's cost when the batch ended: a calibration killed
    outright (SIGKILL) in a batch kept those trials but not their runs, and its report gave 16 runs for 6 trials of 4.
    The kill is os._exit in a child process once the second batch's first trial is told: no handler, no finally
    block runs, as under SIGKILL."""
    import os
    import subprocess
    import sys

    out = tmp_path / "cut"
    child = textwrap.dedent(f"""
        import os
        from sim.experiments import calibration
        from sim.experiments.calibration_file import load_calibration
        real, batches = calibration.evaluate_all, []
        def killed_after_one_trial_of_the_second_batch(*args, **kwargs):
            batches.append(1)
            for k, item in enumerate(real(*args, **kwargs)):
                if len(batches) == 2 and k == 1:
                    os._exit(137)  # the batch's first trial is told
                yield item
        calibration.evaluate_all = killed_after_one_trial_of_the_second_batch
        calibration.run_calibration(load_calibration({str(toy)!r}), {str(out)!r}, trials=8, workers=1)
    """)
    killed = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == 137, killed.stderr
    spec = load_calibration(toy)
    with calibration.open_study(spec, out) as study:
        assert len(trials_frame(study)) == 5  # the first batch of 4, and one of the second
    run_calibration(spec, out, trials=8)
    with calibration.open_study(spec, out) as study:
        assert study.user_attrs["runs"] == 8 * spec.file.replicates * len(spec.scenario_paths)


def test_a_ctrl_c_while_the_best_value_is_read_waits_for_the_read(toy, tmp_path, monkeypatch):
    # The progress bar's best value is read from the study's database just after a trial is told. A Ctrl-C there came out
    # of SQLAlchemy as Optuna's StorageInternalError, and the command said only "the signal surfaced as ..." (seen in CI).
    import os
    import signal

    from optuna.study import Study

    real, reads = Study.best_value, []

    def interrupted_read(study):  # noqa: ANN001, ANN202
        if len(reads) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        value = real.fget(study)
        reads.append(value)  # reached only if the signal waited for the read
        return value

    monkeypatch.setattr(Study, "best_value", property(interrupted_read))
    with pytest.raises(CalibrationInterrupted) as info:
        run_calibration(load_calibration(toy), tmp_path / "cut", trials=12, workers=1)
    assert len(reads) == 2 and info.value.finished == 2


def test_the_worker_count_changes_nothing(toy, tmp_path):
    spec = load_calibration(toy)
    run_calibration(spec, tmp_path / "one", trials=8, workers=1)
    run_calibration(spec, tmp_path / "two", trials=8, workers=2)
    one, two = trial_table(tmp_path / "one"), trial_table(tmp_path / "two")
    pd.testing.assert_frame_equal(one, two)
    assert one["regime.commit"].nunique() == 8


def test_trials_stepped_together_score_what_each_scores_alone(toy, monkeypatch):
    problem = calibration_runs.Problem.of(load_calibration(toy))
    # The second point differs in a number read once when the model is built, so it steps apart.
    points = [{"regime.commit": 0.3}, {"regime.commit": 0.7, "russia.strike_radius_km": 5.0}, {"regime.commit": 0.9}]
    batches, real = [], calibration_runs.simulate_batch
    monkeypatch.setattr(calibration_runs, "simulate_batch", lambda sc, seeds: batches.append(len(seeds)) or real(sc, seeds))
    together = calibration_runs.evaluate_points(problem, points)
    assert batches == [2 * problem.replicates, problem.replicates]
    for values, found in zip(points, together, strict=True):
        alone = calibration_runs.evaluate(problem, values)
        assert found["fit"] == alone["fit"] and found["hold_out"] == alone["hold_out"]
    assert len({found["fit"]["objective"] for found in together}) == 3


def test_runs_across_parameter_rows_step_together_and_match_each_row_alone(toy, monkeypatch):
    scenario = calibration_runs.Problem.of(load_calibration(toy)).scenarios[0]
    rows = [{"regime.commit": 0.3}, {"regime.commit": 0.7, "russia.strike_radius_km": 5.0}, {"regime.commit": 0.9}]
    seeds = list(range(50, 57))
    batches, real = [], calibration_runs.simulate_batch
    monkeypatch.setattr(calibration_runs, "simulate_batch", lambda sc, s: batches.append(list(s)) or real(sc, s))
    runs = calibration_runs.simulate_rows(scenario, rows, seeds)
    assert batches == [[50, 52, 53, 55, 56], [51, 54]]  # rows 1 and 3 together; row 2 is structural
    assert [run.seed for run in runs] == seeds
    for i, run in enumerate(runs):
        alone = real(apply(scenario, rows[i % 3]), [seeds[i]])[0]
        np.testing.assert_array_equal(run.history, alone.history)
        pd.testing.assert_frame_equal(run.timeseries, alone.timeseries)
    assert len({run.history.tobytes() for run in runs}) > 1


def test_another_calibration_in_the_same_folder_is_refused(toy, build, tmp_path):
    run_calibration(load_calibration(toy), tmp_path / "out", trials=1)
    other = toy_calibration(build, replicates=4)
    with pytest.raises(InputError, match="holds another calibration"):
        run_calibration(load_calibration(other), tmp_path / "out", trials=1)


def test_a_calibration_on_another_record_or_other_inputs_is_refused(toy, build, tmp_path):
    # The digest held the fitted outcomes' ids only, and the scenarios with their theatre and claims by file name: a
    # calibration resumed after an outcome's date, the held-out outcomes or a theatre file changed, and its trials mixed
    # scores against two records (or two theatres).
    out = tmp_path / "out"
    run_calibration(load_calibration(toy), out, trials=1)
    record = build.root / "seeds" / "outcomes.yaml"
    original = record.read_text()
    data = yaml.safe_load(original)
    data["outcomes"][0]["reported"] = (dt.date.fromisoformat(data["outcomes"][0]["reported"]) + dt.timedelta(days=9)).isoformat()
    record.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match="holds another calibration"):
        run_calibration(load_calibration(toy), out, trials=2)
    record.write_text(original + "# a comment changes no outcome\n")
    assert run_calibration(load_calibration(toy), out, trials=2).ran == 1  # the same record: it resumes
    held = toy_calibration(build, outcomes={"hold_out": []})
    with pytest.raises(InputError, match="holds another calibration"):
        run_calibration(load_calibration(held), out, trials=3)
    towns = build.root / "toy.towns.csv"
    lines = towns.read_text().splitlines()
    fields = lines[5].split(",")  # T4: a town of 1,000 (the theatre's default) becomes one of 5,000
    lines[5] = ",".join([*fields[:3], "5000", *fields[4:]])
    towns.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="holds another calibration"):
        run_calibration(load_calibration(toy), out, trials=3)


def test_a_calibration_of_another_name_in_the_same_folder_is_refused(toy, build, tmp_path):
    # Optuna keeps studies by name: a calibration file of another name added a second study to study.db, the digest
    # check never saw the first, and the report's tables were then the second study's.
    out = tmp_path / "out"
    run_calibration(load_calibration(toy), out, trials=1)
    other = toy_calibration(build, "other.calibration.yaml")
    other.write_text(other.read_text().replace("name: toy", "name: other"))
    with pytest.raises(InputError, match="holds another calibration, 'toy'"):
        run_calibration(load_calibration(other), out, trials=1)
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(out / "study.db")) as db:
        assert db.execute("select study_name from studies").fetchall() == [("toy",)]


def test_a_folder_of_the_users_is_refused_from_python_as_from_the_command(toy, tmp_path):
    # `calibrate --out` refused a folder holding the user's files, but sim.run_calibration (and finish) wrote study.db and
    # the simulator's marker into it, after which the folder passed for one of the simulator's own.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes\n")
    for call in (lambda: run_calibration(load_calibration(toy), mine, trials=1), lambda: finish(load_calibration(toy), mine)):
        with pytest.raises(InputError, match="files the simulator did not write|a file the simulator did not write"):
            call()
        assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_a_report_stopped_while_it_runs_its_slices_changes_no_table_or_layer(toy, tmp_path, monkeypatch):
    # The tables and layers were written first, then minutes of runs: stopped there, the layers stood on a new
    # point beside the old report, and the command said nothing was written.
    import sim.experiments.calibration_results as results

    spec = load_calibration(toy)
    out = tmp_path / "out"
    run_calibration(spec, out, trials=4)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results, "slices", stopped)
    with pytest.raises(KeyboardInterrupt):
        finish(spec, out, figures=False)
    assert not (out / "trials.csv").exists() and not (out / "report.md").exists()
    assert not spec.layers.exists() or not any(spec.layers.iterdir())


def test_layers_that_would_replace_a_scenario_or_a_users_file_are_refused_before_any_trial(toy, build):
    # With `layers: .` the layer of world.yaml is world.yaml: calibrate replaced the scenario with a layer extending itself.
    scenario = (build.root / "world.yaml").read_bytes()
    with pytest.raises(InputError, match="not a calibrated layer this command wrote") as info:
        load_calibration(toy_calibration(build, name="here.yaml", layers="."))
    assert info.value.key == "layers" and info.value.line is not None
    assert (build.root / "world.yaml").read_bytes() == scenario
    mine = build.root / "mine"
    mine.mkdir()
    (mine / "toy.accepted.csv").write_text("my,own,table\n")  # a user's file that happens to have the name
    with pytest.raises(InputError, match="toy.accepted.csv is not a calibrated layer"):
        load_calibration(toy_calibration(build, name="mine.yaml", layers="mine"))
    assert (mine / "toy.accepted.csv").read_text() == "my,own,table\n"


def quick_study(build, slice_points: int):  # noqa: ANN001, ANN201 - the fixture; a CalibrationSpec
    """The toy calibration cut to 3 trials of 2 replicates, for the tests of where a study's layers go."""
    toy_record(build)
    return load_calibration(toy_calibration(build, budget={"trials": 3}, method={"seed": 7, "batch": 3, "startup_trials": 3},
                                            replicates=2, slices={"points": slice_points}, report={"replicates": 2},
                                            accept={"rerank": 0}))


def test_two_studies_finishing_at_once_never_write_over_each_others_layers(build, tmp_path, monkeypatch):
    """Two calibrations of one file into two folders, started together: each chose the layers folder when its report
    began, both found it free, and the second's layers replaced the first's, whose report still named them. The choice
    is now made, and the layers written, under the layers folder's lock: here the first finishes while the second is
    still scoring, and the second's layers go to its own folder."""
    spec = quick_study(build, slice_points=0)
    first, second = tmp_path / "first", tmp_path / "second"
    run_calibration(spec, first)
    run_calibration(spec, second)
    real = calibration_results.final_scores

    def first_finishes_meanwhile(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - final_scores'
        monkeypatch.setattr(calibration_results, "final_scores", real)
        assert finish(spec, first, figures=False)["layers"] == [spec.layers / "world.yaml"]
        return real(*args, **kwargs)

    monkeypatch.setattr(calibration_results, "final_scores", first_finishes_meanwhile)
    assert finish(spec, second, figures=False)["layers"] == [second / "layers" / "world.yaml"]
    assert calibration_results.layer_study(spec.layers / "world.yaml", spec) == first.resolve()


def test_a_second_study_never_replaces_the_layers_another_study_wrote(build, tmp_path, monkeypatch):
    """A 3-trial calibration into another --out replaced the shipped 300-trial layers, silently: layers name the study that
    wrote them, and another study's go into its own folder."""
    spec = quick_study(build, slice_points=3)
    first, second = tmp_path / "first", tmp_path / "second"
    run_calibration(spec, first)
    assert finish(spec, first, figures=False)["layers"] == [spec.layers / "world.yaml"]
    shipped = (spec.layers / "world.yaml").read_bytes()
    run_calibration(spec, second, trials=2)  # another study: fewer trials, its own folder
    assert finish(spec, second, figures=False)["layers"] == [second / "layers" / "world.yaml"]
    assert (spec.layers / "world.yaml").read_bytes() == shipped
    assert load_scenario(second / "layers" / "world.yaml").name == "world_calibrated"  # its extends still finds world.yaml
    # The study that wrote them may write them again.
    assert finish(spec, first, figures=False)["layers"] == [spec.layers / "world.yaml"]
    # A layer from before layers named their study (as the shipped ones are) is no study's, not even the default
    # folder's: on a fresh clone that folder is a new study, and a quick one there replaced the shipped fit.
    old = "".join(line for line in shipped.decode().splitlines(keepends=True) if not line.startswith(calibration_results.STUDY_LINE))
    (spec.layers / "world.yaml").write_text(old)
    monkeypatch.chdir(build.root)
    assert calibration_results.layers_folder(spec, "results/calibration-toy") == Path("results/calibration-toy") / "layers"
    assert calibration_results.layers_folder(spec, first) == first / "layers"


# ---------------------------------------------------------------- the command line


def test_calibrate_and_run_across_the_accepted_set_from_the_command_line(toy, build, tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["calibrate", str(toy), "--trials", "4", "--workers", "1", "--out", str(out)]) == 0
    for name in ("report.md", "trials.csv", "accepted.csv", "history.png", "marginals.png", "slices.png"):
        assert (out / name).stat().st_size > 0, name
    report = (out / "report.md").read_text()
    assert "Held-out outcomes (validation)" in report
    accepted = build.root / "calibrated" / "toy.accepted.csv"
    # Its layers and accepted set are links from the report's folder (they were paths from where calibrate ran, which
    # a reader opening the report anywhere else could not follow).
    line = next(line for line in report.splitlines() if line.startswith("Layers: "))
    links = re.findall(r"\]\(([^)]+)\)", line)
    assert [(out / link).resolve() for link in links] == [(build.root / "calibrated" / "world.yaml").resolve(), accepted.resolve()], line
    ens = tmp_path / "ens"
    assert main(["run", str(build.root / "world.yaml"), "--runs", "4", "--workers", "1", "--param-set", str(accepted),
                 "--out", str(ens), "-q"]) == 0
    import json

    manifest = json.loads((ens / "manifest.json").read_text())
    assert manifest["complete"] and len(manifest["seeds"]) == 4
    # Stored as any ensemble, in parts each of one parameter row, each part made from its row's inputs.
    import pyarrow.parquet as pq

    by_seed = manifest["parameter_set"]["content_hash_of_seed"]
    assert sorted(s for p in manifest["parts"] for s in p["seeds"]) == manifest["seeds"]
    for part in manifest["parts"]:
        made_from = json.loads(pq.read_schema(ens / next(iter(part["files"]))).metadata[b"idlib-sim"])
        assert {by_seed[str(s)] for s in part["seeds"]} == {made_from["content_hash"]} and made_from["seeds"] == part["seeds"]
    assert main(["compare", str(ens)]) == 0
    capsys.readouterr()


# ---------------------------------------------------------------- bad files

BASE = """\
name: toy
scenarios: world.yaml
parameters:
  regime.commit: {low: 0.2, high: 1.0}
replicates: 4
budget: {trials: 4}
"""


@pytest.mark.parametrize("flag", ["--trials", "--minutes"])
def test_report_only_refuses_a_budget_it_would_ignore(toy, tmp_path, capsys, flag):
    # `--report-only --trials 400` ran no trial and said nothing of the 400.
    assert main(["calibrate", str(toy), "--report-only", flag, "5", "--out", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.startswith(f"error: {flag}: ")
    assert not (tmp_path / "none").exists()


def test_report_only_on_a_folder_without_a_study_is_refused_and_makes_nothing(toy, tmp_path, capsys):
    # It made the folder, an empty study.db and the marker, said where the layers would go, and only then refused.
    out = tmp_path / "none"
    assert main(["calibrate", str(toy), "--report-only", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "--report-only" in captured.err and "run the calibration first" in captured.err
    assert "note:" not in captured.out + captured.err
    assert not out.exists()


def test_a_folder_of_another_calibration_is_refused_before_the_note_on_where_layers_go(toy, tmp_path, capsys):
    # Round 65: `calibrate calibrations/campaign.yaml --out FOLDER`, FOLDER holding another study, said "note: ... this
    # one's will be written to FOLDER/layers" and only then refused the folder, whose layers would never be written.
    out = tmp_path / "out"
    run_calibration(load_calibration(toy), out, trials=1)
    capsys.readouterr()
    assert main(["calibrate", str(ROOT / "calibrations" / "campaign.yaml"), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "holds another calibration, 'toy'" in captured.err
    assert "note:" not in captured.out + captured.err


@pytest.mark.parametrize(("edit", "message", "line", "key"), [
    (("budget: {trials: 4}", "budgt: {trials: 4}"), "unknown key 'budgt' (did you mean 'budget'?)", 6, "budgt"),
    (("budget: {trials: 4}", "budget: {}"), "give 'trials', 'minutes' or both", 6, "budget"),
    (("{low: 0.2, high: 1.0}", "{low: 1.0, high: 0.2}"), "must be below", 4, "parameters.regime.commit"),
    (("regime.commit", "regime.comit"), "did you mean 'regime.commit'", 4, "parameters.regime.comit"),
    # An alias was called "no parameter 'regime__commit' (did you mean 'regime.commit'?)", though it is one.
    (("regime.commit", "regime__commit"), "'regime__commit' is an alias: a calibration file names each parameter by its "
     "dotted path ('regime.commit')", 4, "parameters.regime__commit"),
    (("{low: 0.2, high: 1.0}", "{low: 0.2, high: 3.0}"), "outside the parameter's range", 4, "parameters.regime.commit"),
    (("replicates: 4", "replicates: 0"), "greater than or equal to 1", 5, "replicates"),
    (("replicates: 4", "replicates: many"), "the text 'many', where a whole number is wanted", 5, "replicates"),
    (("scenarios: world.yaml", "scenarios: nowhere.yaml"), "no scenario file", 2, "scenarios"),
    (("replicates: 4", "replicates: 4\noutcomes: {fit: calibraton}"), "unknown outcome set 'calibraton'", 6, "outcomes.fit"),
    (("replicates: 4", "replicates: 4\noutcomes: {fit: [capture-t9]}"), "unknown outcome id 'capture-t9'", 6, "outcomes.fit[0]"),
    (("replicates: 4", "replicates: 4\noutcomes: {fit: [capture-t1], hold_out: [capture-t1]}"), "both fitted and held out", 6,
     "outcomes.hold_out"),
    (("replicates: 4", "replicates: 4\nmethod: {sampler: grid}"), "input should be 'tpe' or 'cmaes'", 6, "method.sampler"),
    (("regime.commit: {low: 0.2, high: 1.0}", "regime.commit: {low: 0.2, high: 1.0}\n  turkey.may_escalate: {low: 0, high: 1}"),
     "'turkey.may_escalate' is a switch (true or false), which calibration cannot fit", 5, "parameters.turkey.may_escalate"),
    (("regime.commit: {low: 0.2, high: 1.0}", "hts.protest_days: {low: 1, high: 5}"),
     "'hts.protest_days' takes whole numbers, which calibration cannot fit", 4, "parameters.hts.protest_days"),
    # Round 75's input hunt: an empty path was read as none given, the default folder or outcomes file.
    (("replicates: 4", "replicates: 4\nlayers: ''"), "must be a path (it is empty", 6, "layers"),
    (("replicates: 4", "replicates: 4\noutcomes: {file: ' '}"), "must be a path (it is empty", 6, "outcomes.file"),
])
def test_bad_calibration_files_name_the_file_line_and_key(build, edit, message, line, key):
    toy_record(build)
    path = build.root / "bad.yaml"
    path.write_text(BASE.replace(*edit))
    with pytest.raises(InputError) as info:
        load_calibration(path)
    err = info.value
    assert message.lower() in err.message.lower(), err.message
    assert (err.file, err.line, err.key) == (str(path), line, key), str(err)


def test_a_bad_calibration_file_exits_2_with_one_line_and_no_traceback(build, capsys):
    toy_record(build)
    path = build.root / "bad.yaml"
    path.write_text(textwrap.dedent(BASE) + "ref: &a 1\nother: *a\n")
    assert main(["calibrate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and "Traceback" not in err


def test_check_refuses_calibration_bounds_on_a_switch_in_one_line(build, capsys):
    toy_record(build)
    path = build.root / "bad.yaml"
    path.write_text(BASE.replace("regime.commit:", "turkey.may_escalate: {low: 0, high: 1}\n  regime.commit:"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}, line 4, key 'parameters.turkey.may_escalate': 'turkey.may_escalate' is a switch")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_check_of_a_calibration_file_without_the_calibrate_extra_says_running_it_needs_the_extra(monkeypatch, capsys):
    """`check calibrations/smoke.yaml` said only "ok" without Optuna, though `calibrate` then refuses the same file
    (exit 2). The file is still validated and still "ok" (exit 0: the file is valid, and a CI job checking files
    needs no optimiser), but a note says that running it needs the extra and how to install it."""
    import sys

    smoke = str(ROOT / "calibrations" / "smoke.yaml")
    assert main(["check", smoke]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{smoke}: ok (calibration 'smoke'") and err == "", (out, err)
    monkeypatch.setitem(sys.modules, "optuna", None)  # as if not installed
    assert main(["check", smoke]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{smoke}: ok (calibration 'smoke': 3 parameters"), out
    assert err == ("note: the file is valid, but running it needs the 'calibrate' extra (optuna missing): "
                   "pip install -e '.[calibrate]'\n"), err
    # still validated: a bad file is refused as before, not excused by the missing extra
    assert main(["check", str(ROOT / "calibrations" / "no-such.yaml")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_calibrations_outcome_counts_say_how_many_fall_in_its_scenarios_windows(capsys):
    """`check calibrations/smoke.yaml` and its report said "107 fitted and 74 held-out outcomes", the whole record's
    sets, though its one scenario ends on 31 January and the outcomes after it are never scored. The counts now say
    how many fall in the scenarios' windows where that is fewer; the campaign's two scenarios cover all of them."""
    smoke, campaign = (ROOT / "calibrations" / f"{name}.yaml" for name in ("smoke", "campaign"))
    spec = load_calibration(smoke)
    scored = [sum(any(o.applies(s.start, s.end) for s in spec.scenarios) for o in chosen) for chosen in (spec.fit, spec.hold_out)]
    assert scored[0] < len(spec.fit) and scored[1] < len(spec.hold_out)  # the record goes on after 31 January
    counts = (f"{len(spec.fit)} fitted and {len(spec.hold_out)} held-out outcomes, {scored[0]} and {scored[1]} of them "
              "in the scenario's window (only those are scored)")
    assert spec.outcome_counts() == counts
    assert main(["check", str(smoke)]) == 0
    assert counts in capsys.readouterr().out
    whole = load_calibration(campaign)
    assert whole.outcome_counts() == f"{len(whole.fit)} fitted and {len(whole.hold_out)} held-out outcomes"


def test_the_shipped_calibration_files_and_layers_load():
    from sim.experiments.design_file import load_param_set

    for path in sorted((ROOT / "calibrations").glob("*.yaml")):
        spec = load_calibration(path)
        assert spec.fit and all(o.set == "calibration" for o in spec.fit)
        assert all(o.set == "validation" for o in spec.hold_out)
        assert spec.hand_set().keys() == spec.parameters.keys()
    campaign = load_calibration(ROOT / "calibrations" / "campaign.yaml")
    for path in campaign.scenario_paths:
        layer = load_scenario(campaign.layers / path.name)
        rows = load_param_set(campaign.layers / "campaign.accepted.csv", layer)
        assert apply(layer, rows[0]) == layer  # the layer holds the accepted set's first row: the chosen point


def test_an_executor_that_is_not_one_is_refused_before_the_folder_is_made(toy, tmp_path):
    """run_calibration(executor="dsak") ran every trial locally without a word, where the command line refuses it."""
    with pytest.raises(InputError, match=r"must be 'local' or 'dask' \(got 'dsak'; did you mean 'dask'\?\)") as info:
        run_calibration(load_calibration(toy), tmp_path / "out", executor="dsak")
    assert info.value.key == "executor" and not (tmp_path / "out").exists()


def test_a_warm_start_makes_the_scenarios_own_values_trial_0(build, tmp_path):
    toy_record(build)
    spec = load_calibration(toy_calibration(build, method={"seed": 7, "batch": 4, "startup_trials": 8, "start_at_hand_set": True}))
    run = run_calibration(spec, tmp_path / "out", trials=5)
    assert run.total == 5
    with calibration.open_study(spec, tmp_path / "out") as study:
        table = trials_frame(study).sort_values("trial")
    assert table["regime.commit"].iloc[0] == 0.3 and table["hts.protest_rate"].iloc[0] == spec.hand_set()["hts.protest_rate"]
    assert table["batch"].tolist() == [-1, 0, 0, 0, 1]  # the first batch is filled up to its boundary


def test_a_warm_started_study_re_ranks_the_hand_set_values_wherever_they_came(build, tmp_path, monkeypatch):
    """Round 52's study left the hand-set values (trial 0) 17th on the trials' own seeds, so they were not re-ranked, and
    the trial it chose tied them to the fifth decimal when both were run again: the calibrated point replaces them only
    if it beats them on the re-ranking's seeds, so a warm-started study re-ranks them too."""
    toy_record(build)
    ran: list[list[int]] = []

    def evaluate(problem, args, offset, **kwargs):  # noqa: ANN001, ANN202 - evaluate_all's signature
        ran.append(sorted(args))
        return [(t, {"fit": {"objective": 1.0 - 0.01 * (t == 0), "se": 0.1}}) for t in args]

    monkeypatch.setattr(calibration_results, "evaluate_all", evaluate)
    trials = pd.DataFrame({"trial": range(8), "objective": [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
                           "regime.commit": 0.5, "hts.protest_rate": 0.1})
    for warm, rank in ((True, [0, 1, 2, 3, 4]), (False, [1, 2, 3, 4])):
        spec = load_calibration(toy_calibration(build, method={"seed": 7, "batch": 4, "startup_trials": 8, "start_at_hand_set": warm}))
        (out := tmp_path / str(warm)).mkdir()
        ranked = calibration_results.rerank(spec, trials, out, workers=1, executor="local", scheduler=None)
        assert ran[-1] == rank and sorted(ranked["trial"]) == rank
        words = calibration_results.rerank_words(spec, ranked)
        assert words == ("4 best trials and trial 0 (the hand-set values)" if warm else "4 best trials")


def test_ctrl_c_while_the_report_is_written_says_the_trials_are_kept(toy, tmp_path, capsys, monkeypatch):
    """Stopped while it wrote its report, `calibrate` printed "interrupted: nothing was written", with every trial kept
    in the study; it says so now, and how to write the report without running more."""
    def stopped(*args, **kwargs) -> None:
        raise KeyboardInterrupt

    out = tmp_path / "out"
    monkeypatch.setattr(calibration_results, "finish", stopped)
    for budget in (["--trials", "2"], ["--report-only"]):  # (the study's 2 trials are run by the first)
        assert main(["calibrate", str(toy), *budget, "--workers", "1", "--out", str(out)]) == 130
        err = capsys.readouterr().err
        assert f"interrupted: 2 of 2 trials finished and kept in {out / 'study.db'}; its report and layers were not written: " \
               "run the same command again with --report-only to write them" in err, err
        assert "nothing was written" not in err and "Traceback" not in err
    # The study holds 2 of the file's 24 trials: a report written from it says so.
    monkeypatch.undo()
    assert main(["calibrate", str(toy), "--report-only", "--workers", "1", "--out", str(out)]) == 0
    assert "**Unfinished:** 2 of the 24 trials the calibration file asks for" in (out / "report.md").read_text()


@pytest.mark.slow
def test_ctrl_c_on_the_command_keeps_the_trials_and_the_rerun_finishes_them(toy, tmp_path):
    """A real SIGINT to `python -m sim calibrate` with two worker processes: exit 130, trials kept, the rerun completes
    them, and the trials equal an uninterrupted calibration's."""
    import contextlib
    import os
    import signal
    import subprocess
    import sys
    import time

    def command(out: Path) -> list[str]:
        return [sys.executable, "-m", "sim", "calibrate", str(toy), "--trials", "24", "--workers", "2", "--out", str(out)]

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cut, whole = tmp_path / "cut", tmp_path / "whole"
    # A shell's background job starts with SIGINT ignored, and Python then never turns it into KeyboardInterrupt:
    # give the command the default disposition, as a terminal would.
    proc = subprocess.Popen(command(cut), cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    import sqlite3

    def finished() -> int:  # read the study without Optuna: quick enough to catch the run early
        try:
            with contextlib.closing(sqlite3.connect(cut / "study.db", timeout=1)) as db:
                return db.execute("select count(*) from trials where state = 'COMPLETE'").fetchone()[0]
        except sqlite3.Error:
            return 0

    spec = load_calibration(toy)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and finished() < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted:" in err and "trials finished" in err and "Traceback" not in err
    with calibration.open_study(spec, cut) as study:
        kept = len(trials_frame(study))
    assert 2 <= kept < 24
    for out in (cut, whole):
        done = subprocess.run(command(out), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(trial_table(cut), trial_table(whole))
    assert (cut / "report.md").read_text().split("## Scores")[1] == (whole / "report.md").read_text().split("## Scores")[1]


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_trials(toy, tmp_path):
    spec = load_calibration(toy)
    run_calibration(spec, tmp_path / "one", trials=8, workers=1)
    run_calibration(spec, tmp_path / "dask", trials=8, workers=2, executor="dask")
    pd.testing.assert_frame_equal(trial_table(tmp_path / "one"), trial_table(tmp_path / "dask"))


@pytest.mark.slow
def test_cma_es_gives_the_same_trials_with_any_worker_count(build, tmp_path):
    toy_record(build)
    spec = load_calibration(toy_calibration(build, method={"sampler": "cmaes", "seed": 7, "batch": 4, "startup_trials": 4}))
    run_calibration(spec, tmp_path / "one", trials=12, workers=1)
    run_calibration(spec, tmp_path / "two", trials=12, workers=2)
    one = trial_table(tmp_path / "one")
    pd.testing.assert_frame_equal(one, trial_table(tmp_path / "two"))
    assert abs(one.sort_values("objective")["regime.commit"].iloc[0] - PLANTED) <= 0.15


def test_calibrate_without_the_calibrate_extra_says_how_to_install_it(toy, monkeypatch, capsys, tmp_path):
    """Without Optuna (the optional [calibrate] extra) `calibrate` printed a traceback ending in ModuleNotFoundError,
    exit status 1. It says how to install the extra, exit status 2, as `app` and `discover` do, and makes no folder."""
    import sys

    from sim.analysis.discovery import ema_workbench

    path = toy
    monkeypatch.setitem(sys.modules, "optuna", None)  # as if not installed: `import optuna` raises ImportError
    out = tmp_path / "cal"
    for extra in ([], ["--report-only"]):
        assert main(["calibrate", str(path), "--trials", "1", "--workers", "1", "--out", str(out), *extra]) == 2
        err = capsys.readouterr().err
        assert err.strip() == "error: calibration needs the 'calibrate' extra (optuna missing): pip install -e '.[calibrate]'", err
        assert not out.exists()
    with pytest.raises(InputError, match=r"optuna missing\): pip install -e '\.\[calibrate\]'"):
        run_calibration(load_calibration(path), tmp_path / "api")
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    with pytest.raises(InputError, match=r"^EMA Workbench needs the 'ema' extra \(ema_workbench missing\): pip install -e '\.\[ema\]'$"):
        ema_workbench()


def test_a_calibration_files_trial_budget_is_bounded_as_the_trials_flag_is(build, capsys):
    """The file's `budget: trials:` took up to 1,000,000 where `--trials` stops at 100,000: one bound (sim.names.MAX_TRIALS),
    refused at the file's line and key past it, as the flag is."""
    toy_record(build)
    load_calibration(toy_calibration(build, name="most.calibration.yaml", budget={"trials": 100_000}))
    path = toy_calibration(build, name="more.calibration.yaml", budget={"trials": 100_001})
    with pytest.raises(InputError, match="100000|100,000") as info:
        load_calibration(path)
    assert info.value.line is not None and "trials" in str(info.value)
    assert main(["calibrate", str(build.root / "most.calibration.yaml"), "--trials", "100001"]) == 2
    assert "--trials" in capsys.readouterr().err


def test_a_second_writer_of_a_calibration_folder_is_refused_and_a_killed_ones_temporaries_are_removed(toy, tmp_path,
                                                                                                       capsys):
    """A calibration took no folder lock: a second `calibrate` started into the same --out while the first ran put a
    trial into the first's study (17 trials run on a budget of 16) and stopped with Optuna's traceback, and a
    temporary a killed report left stayed for good. Now the trials and the report each hold the folder's lock, as
    every other writer of a results folder does."""
    from sim.io.folder_lock import FolderLock

    spec = load_calibration(toy)
    out = tmp_path / "out"
    run_calibration(spec, out, trials=4)
    before = sorted(p.name for p in out.iterdir())
    for call in (lambda: run_calibration(spec, out, trials=8), lambda: finish(spec, out, figures=False)):
        with FolderLock(out), pytest.raises(InputError, match="being written by another simulator process"):
            call()
        assert sorted(p.name for p in out.iterdir()) == before
    with FolderLock(out):
        assert main(["calibrate", str(toy), "--report-only", "--out", str(out)]) == 2
    assert "being written by another simulator process" in capsys.readouterr().err
    assert len(trial_table(out)) == 4  # no trial was added behind the lock's back

    stale = [out / ".report.md.tmp-999999-0badc0de", out / ".trials.csv.old-999999-deadbeef.csv"]
    for path in stale:
        path.write_text("half a table\n")
    mine = out / "report.md.tmp-999999-0badc0de"  # not hidden: not a name the simulator gives its temporaries
    mine.write_text("my file\n")
    finish(spec, out, figures=False)
    assert not any(path.exists() for path in stale)
    assert mine.read_text() == "my file\n" and (out / "report.md").is_file()


def test_a_calibration_killed_as_it_marks_its_new_folder_is_finished_by_the_same_command(toy, tmp_path):
    """The folder's marker (``.idlib-sim``, which says the folder is a calibration's) was written in place: killed
    between the file's creation and its one write, a calibration left it empty, and every rerun was refused ("holds a
    file the simulator did not write (.idlib-sim)"). The kill is os._exit in a child process the moment the marker is
    opened for writing, under whatever name: no handler, no finally block runs, as under SIGKILL."""
    import os
    import subprocess
    import sys

    out = tmp_path / "out"
    child = textwrap.dedent(f"""
        import builtins, io, os
        from sim.experiments.calibration import run_calibration
        from sim.experiments.calibration_file import load_calibration
        real = io.open
        def dies(file, mode="r", *args, **kwargs):
            handle = real(file, mode, *args, **kwargs)
            if ".idlib-sim" in os.fspath(file) and "w" in mode:
                os._exit(137)  # created, nothing written yet
            return handle
        io.open = builtins.open = dies
        run_calibration(load_calibration({str(toy)!r}), {str(out)!r}, trials=1)
    """)
    killed = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == 137, killed.stderr
    assert run_calibration(load_calibration(toy), out, trials=1).total == 1
    assert [p.name for p in out.iterdir() if "idlib-sim" in p.name] == [".idlib-sim"]  # the killed one's temporary is gone


def test_the_history_figures_legend_hides_no_trial():
    """history.png's legend sat in the upper right corner, inside the axes, over the trials there: a trial of objective
    1.15 (trial 10 of a 15-trial study) was drawn under it and could not be seen. The legend stands outside the axes."""
    from sim.viz.calibration_plots import history_plot

    objective = [0.54, 0.54, 0.39, 0.98, 1.24, 0.94, 0.39, 0.39, 0.48, 0.42, 1.15, 1.26, 0.49, 0.39, 0.41]
    trials = pd.DataFrame({"trial": range(15), "objective": objective, "hold_objective": np.linspace(0.08, 0.23, 15)})
    fig = history_plot(trials, trials[trials["objective"] < 0.55])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    legends = [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]
    (box,) = [legend.get_window_extent(renderer) for legend in legends]
    low, high = ax.get_ylim()
    for coll in ax.collections:
        for x, y in coll.get_offsets():
            if low <= y <= high:
                px, py = ax.transData.transform((x, y))
                assert not (box.x0 <= px <= box.x1 and box.y0 <= py <= box.y1), (x, y)


def test_the_history_figures_title_counts_the_objectives_it_cuts_off():
    """The title said 'points above the 95th percentile are off the chart', a percentile of fitted and held-out values
    together: in a 15-trial study 2 of the 15 fitted trials were cut off, not the 5% it suggests. It counts them."""
    from sim.viz.calibration_plots import history_plot

    objective = [0.54, 0.54, 0.39, 0.98, 1.24, 0.94, 0.39, 0.39, 0.48, 0.42, 1.15, 1.26, 0.49, 0.39, 0.41]
    trials = pd.DataFrame({"trial": range(15), "objective": objective, "hold_objective": np.linspace(0.08, 0.23, 15)})
    fig = history_plot(trials, trials[trials["objective"] < 0.55])
    top = fig.axes[0].get_ylim()[1]
    fitted, held = int((trials["objective"] > top).sum()), int((trials["hold_objective"] > top).sum())
    assert (fitted, held) == (2, 0)  # the two worst fitted trials, as the review found
    assert f"({fitted} fitted and {held} held-out objectives off the chart" in fig.axes[0].get_title(), fig.axes[0].get_title()


def test_the_history_figures_lowest_line_and_dots_stand_clear_of_its_bottom_edge():
    """The axes began at 95% of the lowest objective, a margin of a twentieth of that value, not of the chart: in the
    campaign's study (0.38 under a top of 3.0) the best-so-far line and the accepted dots on it lay on the bottom spine,
    half hidden. The margin is a share of the chart's height, whatever the values."""
    from sim.viz.calibration_plots import history_plot

    objective = [2.9, 0.54, 0.98, 1.24, 0.94, 0.39, 0.39, 0.48, 0.42, 1.15, 1.26, 0.49, 0.39, 0.41, 0.383]
    trials = pd.DataFrame({"trial": range(15), "objective": objective, "hold_objective": np.linspace(0.6, 3.1, 15)})
    ax = history_plot(trials, trials[trials["objective"] < 0.45]).axes[0]
    low, high = ax.get_ylim()
    lowest = min(np.nanmin(np.asarray(artist.get_offsets())[:, 1]) for artist in ax.collections)
    (best,) = [line for line in ax.get_lines() if line.get_label() == "best so far"]
    assert min(lowest, np.min(best.get_ydata())) == pytest.approx(0.383)  # the data as they were
    assert (0.383 - low) / (high - low) >= 0.03, (low, high)


def test_calibrate_names_what_it_wrote_from_the_working_folder(toy, build, monkeypatch, capsys):
    """Its last line gave the layers by their full path and the report from the working folder
    ("written: /home/.../results/calibrated-smoke/jan_truce.yaml, results/calibration-smoke/report.md")."""
    monkeypatch.chdir(build.root)
    assert main(["calibrate", toy.name, "--trials", "4", "--workers", "1", "--out", "cal"]) == 0
    written = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert written.startswith(f"written: {Path('calibrated', 'world.yaml')}, {Path('cal', 'report.md')}, "), written
    # Another study's layers are there now: the note before its first trial names both folders the same way.
    assert main(["calibrate", toy.name, "--trials", "2", "--workers", "1", "--out", "cal2"]) == 0
    note = capsys.readouterr().err.splitlines()[0]  # a note, on standard error as every other note is
    assert note == f"note: the layers in calibrated are another study's; this one's will be written to {Path('cal2', 'layers')}", note
