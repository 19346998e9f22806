"""Round 62: arguments of the Python API that are the wrong kind or out of range are refused as an InputError naming
the argument, before anything runs or any folder is made, where they were a TypeError or AttributeError from pathlib,
re or deep in the code, or were taken without a word (``run_calibration(..., trials=-1)`` ran nothing and returned)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim import InputError, load_scenario
from sim.experiments.calibration_file import load_calibration
from sim.experiments.calibration_results import finish, layers_folder
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep_file import SweepSpec

from .conftest import ROOT
from .test_api import toy  # noqa: F401 - the fixture: test_api's five towns on a line

SMOKE = ROOT / "calibrations" / "smoke.yaml"


def refusal(call, *args, **kwargs) -> InputError:  # noqa: ANN001 - the function called
    """The InputError ``call(*args, **kwargs)`` raises (any other exception fails the test)."""
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.mark.parametrize("given", [None, 3])
def test_a_writer_given_no_folder_path_says_it_needs_one_and_makes_nothing(toy, tmp_path, monkeypatch, given):
    """``run_ensemble(sc, 2, None)``, ``write_run(result, 3)``, ``run_sweep(spec, None)``, ``run_calibration(spec,
    None)`` and ``finish(spec, None)`` raised pathlib's TypeError ("argument should be a str or an os.PathLike
    object"), which named no argument; the readers have said "needs a path" since round 55."""
    work = tmp_path / "work"  # the toy's files are in tmp_path: nothing may appear here
    work.mkdir()
    monkeypatch.chdir(work)
    sc = load_scenario(toy)
    spec = SweepSpec(Path(toy).resolve(), make_design("grid", [Parameter("regime.commit", values=[0.4, 0.6])]), 1)
    calibration = load_calibration(SMOKE)
    calls = [lambda: sim.run_ensemble(sc, 2, given), lambda: sim.write_run(sim.simulate(sc, days=2), given),
             lambda: sim.run_sweep(spec, given), lambda: sim.run_calibration(calibration, given),
             lambda: finish(calibration, given), lambda: layers_folder(calibration, given)]
    for call in calls:
        said = str(refusal(call))
        assert "'out'" in said and "needs a path" in said and type(given).__name__ in said, said
    assert list(work.iterdir()) == []


def test_run_sweep_and_run_calibration_given_a_files_path_say_how_to_load_it(tmp_path):
    """``sim.run_sweep("sweeps/x.yaml", out)`` raised "AttributeError: 'str' object has no attribute
    'replicate_seed'", and ``run_calibration`` "... no attribute 'optimiser_modules'": the spec is what the load
    functions return, as the README's table of commands says, and the refusal names the function that reads the file."""
    sweep = refusal(sim.run_sweep, str(ROOT / "sweeps" / "jan_truce_30_days.yaml"), tmp_path / "s")
    assert sweep.key == "spec" and "sim.load_sweep" in sweep.message, sweep
    for call in (sim.run_calibration, finish, layers_folder):  # layers_folder: the README's table names it beside finish
        error = refusal(call, SMOKE, tmp_path / "c")
        assert error.key == "spec" and "sim.load_calibration" in error.message and "PosixPath" in error.message, error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("keyword", "value"), [("workers", 0), ("workers", "2"), ("trials", -1), ("trials", 0),
                                                ("trials", "3"), ("trials", 2.5), ("minutes", -1), ("minutes", 0),
                                                ("minutes", "5"), ("minutes", float("nan")), ("minutes", True)])
def test_run_calibration_refuses_a_budget_or_worker_count_the_command_would(tmp_path, keyword, value):
    """The command refuses ``--trials 0``, ``--minutes -1`` and ``--workers 0``; from Python ``trials=-1`` and
    ``minutes=-1`` ran no trial and returned as if the budget were spent, ``workers=0`` ran, and ``trials="3"`` was a
    TypeError from a comparison deep in the study's loop."""
    error = refusal(sim.run_calibration, load_calibration(SMOKE), tmp_path / "c", **{keyword: value})
    assert str(error).startswith(f"'{keyword}': "), error
    assert not (tmp_path / "c").exists()


def test_finish_refuses_a_worker_count_out_of_range(tmp_path):
    """``finish(spec, out, workers=0)`` went on to rerun the best trials with no worker check at all."""
    error = refusal(finish, load_calibration(SMOKE), tmp_path / "c", workers=0)
    assert str(error).startswith("'workers': must be a whole number from 1 to 64"), error
    assert not (tmp_path / "c").exists()


def test_an_outcomes_file_that_is_not_a_path_is_named(toy, tmp_path):
    """``run_with(sc, outcomes=3)``, ``RunResult.metrics(outcomes=3)``, ``ema_model(..., outcomes_file=3)`` and
    ``scorecard(folder, 3)`` raised pathlib's TypeError."""
    sc = load_scenario(toy)
    result = sim.simulate(sc, days=2)
    ens = sim.run_ensemble(sc, 1, tmp_path / "e")
    for call, key in ((lambda: sim.run_with(sc, outcomes=3), "outcomes"), (lambda: result.metrics(outcomes=3), "outcomes"),
                      (lambda: sim.scorecard(ens, 3), "outcomes_file"),
                      (lambda: sim.ema_model(sc, ["regime.commit"], outcomes_file=3), "outcomes_file")):
        said = str(refusal(call))
        assert said.startswith(f"'{key}': needs a path") and "int" in said, said


@pytest.mark.parametrize("given", [0, "", False])
def test_scorecard_refuses_an_outcomes_file_that_is_empty_or_false_by_name(toy, tmp_path, given):
    """``sim.scorecard(folder, outcomes_file=0)`` or ``outcomes_file=""`` scored against the record's outcomes without a
    word, as if none were given: only None means the record's (and "" is no path anywhere in the API, as on the command
    line: pathlib reads it as the current folder)."""
    ens = sim.run_ensemble(load_scenario(toy), 1, tmp_path / "e")
    said = str(refusal(sim.scorecard, ens, given))
    assert said.startswith("'outcomes_file': "), said
    assert "beside the claims record" in str(refusal(sim.scorecard, ens, None))  # None: the record's (the toy has none)
    if given == "":
        assert said == "'outcomes_file': is empty: give a path", said
        assert str(refusal(sim.load_scenario, "")) == "'path': is empty: give a path"

def test_a_path_of_only_spaces_is_refused_by_name_as_an_empty_one_is(toy, tmp_path):
    """``sim.load_scenario("   ")`` read the spaces as a file's name: "file not found", of a name never meant."""
    assert str(refusal(sim.load_scenario, "   ")) == "'path': is blank (only spaces): give a path"
    assert str(refusal(sim.load_results, Path(" "))) == "'path': is blank (only spaces): give a path"
    ens = sim.run_ensemble(load_scenario(toy), 1, tmp_path / "e")
    assert str(refusal(sim.scorecard, ens, " \t")) == "'outcomes_file': is blank (only spaces): give a path"


def test_discover_and_sweep_report_name_a_condition_or_metrics_of_the_wrong_kind(toy, tmp_path):
    """``discover(folder, 30)`` raised re's "TypeError: expected string or bytes-like object", and ``sweep_report(folder,
    metrics=3)`` "TypeError: 'int' object is not iterable"."""
    spec = SweepSpec(Path(toy).resolve(), make_design("grid", [Parameter("regime.commit", values=[0.4, 0.6])]), 1)
    sim.run_sweep(spec, tmp_path / "s")
    for where in (30, None):
        error = refusal(sim.discover, tmp_path / "s", where)
        assert error.key == "where" and "METRIC OP NUMBER" in error.message, error
    error = refusal(sim.sweep_report, tmp_path / "s", metrics=3)
    assert "'metrics'" in str(error) and "int" in error.message, error
    assert not (tmp_path / "s" / "report").exists()


def test_alias_of_what_is_not_a_path_is_named():
    """``sim.alias(3)`` raised "AttributeError: 'int' object has no attribute 'replace'"."""
    error = refusal(sim.alias, 3)
    assert error.key == "path" and "int" in error.message, error


def test_run_sweep_checks_the_metrics_of_a_spec_built_in_python_before_anything_runs(toy, tmp_path):
    """A SweepSpec built in Python (no sweep file, whose metrics load_sweep checks at their lines) had its ``metrics``
    unchecked: a misspelt one ran every run and was refused by sweep_report after them, and a number in the list was
    written into a manifest that every reader of the folder then called damaged."""
    design = make_design("grid", [Parameter("regime.commit", values=[0.4, 0.6])])
    for metrics, key, words in ((["ceasefire_dayz"], "spec.metrics[0]", "did you mean 'ceasefire_days'"),
                                (["towns_regime", 3], "spec.metrics", "a list of metric names"),
                                ("towns_regime", "spec.metrics", "a list of metric names")):
        error = refusal(sim.run_sweep, SweepSpec(Path(toy).resolve(), design, 1, metrics), tmp_path / "s")
        assert error.key == key and words in error.message, error
        assert not (tmp_path / "s").exists()
    assert sim.run_sweep(SweepSpec(Path(toy).resolve(), design, 1, ["towns_regime"]), tmp_path / "s").ran == 2
    # A tuple of names, which sweep_report takes, was "must be a list of metric names" here: one test now serves both.
    assert sim.run_sweep(SweepSpec(Path(toy).resolve(), design, 1, ("towns_regime",)), tmp_path / "t").ran == 2
    assert "towns_regime" in sim.sweep_report(tmp_path / "t").text  # the spec's metrics, read back from its manifest


@pytest.mark.parametrize("given", ["one Parameter", "names", "a dict"])
def test_make_design_names_parameters_that_are_not_a_list_of_parameter(given):
    """Round 65: ``make_design("grid", sim.Parameter(...))`` (the list forgotten) raised "TypeError: 'Parameter' object
    is not iterable", and a list of dotted paths "AttributeError: 'str' object has no attribute 'path'"."""
    one = Parameter("regime.commit", values=[0.4, 0.6])
    parameters = {"one Parameter": one, "names": ["regime.commit"], "a dict": {"regime.commit": [0.4, 0.6]}}[given]
    error = refusal(make_design, "grid", parameters)
    assert error.key == "parameters" and "sim.Parameter" in error.message, error


def test_run_sweep_names_a_design_that_make_design_did_not_make(tmp_path):
    """Round 65: ``SweepSpec(path, {"regime.commit": [0.4]}, runs=2)`` ran into "AttributeError: 'dict' object has no
    attribute 'size'" inside run_sweep."""
    spec = SweepSpec(ROOT / "scenarios" / "campaign.yaml", {"regime.commit": [0.4, 0.6]}, 2)
    error = refusal(sim.run_sweep, spec, tmp_path / "s")
    assert error.key == "spec.design" and "sim.make_design" in error.message and "dict" in error.message, error
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("values", [["regime.commit", 0.4], ("regime.commit", 0.4), "regime.commit=0.4"])
def test_with_params_names_values_that_are_not_a_mapping(toy, values):
    """Round 65: ``scenario.with_params(["regime.commit", 0.4])`` raised "AttributeError: 'list' object has no
    attribute 'items'"; the first argument is a mapping of names to values, or keywords."""
    error = refusal(load_scenario(toy).with_params, values)
    assert error.key == "values" and "mapping" in error.message and type(values).__name__ in error.message, error


@pytest.mark.parametrize("keyword, words", [
    ("days", "run_with runs the scenario to its end: to stop it sooner, give it sim.load_scenario(path, end=DATE)"),
    ("runs", "run_with takes the replicates as replicates="),
    ("workers", "run_with steps its replicates together in this process: it takes no workers"),
])
def test_run_with_says_what_a_keyword_of_the_other_runners_is_here(toy, keyword, words):  # noqa: F811
    """``run_with(path, days=30)`` (a keyword of simulate and run_ensemble), ``runs=`` and ``workers=`` were read as
    parameters: "no parameter 'days': a parameter is named by its group and key", which said nothing of what to do."""
    error = refusal(sim.run_with, toy, **{keyword: 4})
    assert error.key == keyword and error.message.startswith(words), error


def test_a_reader_given_what_run_ensemble_or_run_sweep_returned_says_to_give_its_path(toy, tmp_path):  # noqa: F811
    """``sim.sweep_report(sweep)``, ``sim.discover(sweep, ...)`` and ``sim.make_plots(ens)``, given the object the runner
    had just returned rather than its folder, said only "needs a path (a str or a pathlib.Path), not SweepResult", and
    ``sim.make_map(ens)`` "needs one results folder, or two (baseline, what-if); got a Results"."""
    from . import toys

    ens = sim.run_ensemble(load_scenario(toy), 1, tmp_path / "e")
    design = make_design("grid", [Parameter("a", values=[0.0, 1.0]), Parameter("b", values=[0.0])])
    sweep = sim.run_sweep(SweepSpec(Path("toy"), design, runs=1), tmp_path / "s", evaluate=toys.linear)
    for call, given, key in [(lambda: sim.make_plots(ens), ens, "path"), (lambda: sim.make_map(ens), ens, "path"),
                             (lambda: sim.make_map([ens]), ens, "path"), (lambda: sim.sweep_report(sweep), sweep, "folder"),
                             (lambda: sim.discover(sweep, "y >= 1"), sweep, "folder"), (lambda: sim.read_rows(sweep), sweep, "out")]:
        error = refusal(call)
        assert error.key == key and error.message.endswith(
            f"not {type(given).__name__}: give its .path, the folder ({given.path})"), error


def test_numpys_whole_numbers_are_counts_and_seeds_of_a_sweep_as_of_every_other_runner(toy, tmp_path):  # noqa: F811
    """``run_ensemble``, ``run_with`` and ``replicate_seeds`` take numpy's integers (a loop over ``np.arange``, a value
    read from a DataFrame), but ``SweepSpec(..., runs=np.int64(2))`` and ``load_sweep(path, runs=np.int64(2))`` were
    refused as "must be a whole number from 1 to 100,000 (got np.int64(2))", a whole number in the user's eyes."""
    import json

    import numpy as np

    design = make_design("grid", [Parameter("regime.commit", values=[0.4])])
    result = sim.run_sweep(SweepSpec(Path(toy).resolve(), design, runs=np.int64(2)), tmp_path / "s", seed=np.int64(3))
    assert result.ran == 2
    recorded = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert recorded["runs_per_point"] == 2 and recorded["seed"] == 3
    spec = sim.load_sweep(ROOT / "sweeps" / "truce_sensitivity.yaml", runs=np.int64(2), replicate_seed=np.int64(5))
    assert (spec.runs, spec.replicate_seed) == (2, 5) and type(spec.runs) is int and type(spec.replicate_seed) is int
    assert str(refusal(sim.load_sweep, ROOT / "sweeps" / "truce_sensitivity.yaml", runs=np.float64(2.0))).startswith("'runs': ")
