"""The ecosystem's own tools: mesa.batch_run drives sim.IdlibModel, EMA Workbench drives sim.ema_model, and
both give the numbers `sim sweep` gives for the same points and seeds."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import InputError, load_scenario
from sim.analysis.discovery import ema_workbench
from sim.analysis.results import read_rows
from sim.experiments.design_file import load_design
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec

from .test_api import toy  # noqa: F401 - the fixture
from .test_runs import run_cli

KEEP = ["ceasefire_days", "ceasefire_days:truce", "ceasefire_broken:deal-2", "towns_regime", "turkish_deaths", "outcomes_met"]


@pytest.fixture
def start_method():
    """mesa.batch_run sets multiprocessing's start method to spawn for the whole process; put it back."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def test_batch_run_drives_a_full_factorial_grid(toy, tmp_path, start_method):  # noqa: F811
    from mesa.batchrunner import batch_run

    rows = pd.DataFrame(batch_run(
        sim.IdlibModel,
        parameters={"scenario": str(toy), "regime__commit": [0.4, 0.8], "events__truce__restraint": [0.0, 0.9]},
        rng=sim.replicate_seeds(toy, 2), number_processes=1, display_progress=False))
    assert len(rows) == 2 * 2 * 2
    assert sorted(rows["seed"].unique()) == [7, 8]
    assert rows.groupby(["regime__commit", "events__truce__restraint", "seed"]).size().eq(1).all()
    assert rows["scenario"].eq(str(toy)).all()  # a short path in every row, not a scenario's repr
    # The same numbers as a sweep of the same grid with the same replicate seeds.
    design = make_design("grid", [Parameter("regime.commit", values=(0.4, 0.8)), Parameter("events.truce.restraint", values=(0.0, 0.9))])
    run_sweep(SweepSpec(Path(toy).resolve(), design, 2), tmp_path / "s")
    sweep = read_rows(tmp_path / "s").rename(columns={"regime.commit": "regime__commit", "events.truce.restraint": "events__truce__restraint"})
    keys = ["regime__commit", "events__truce__restraint", "seed"]
    merged = rows.merge(sweep, on=keys, suffixes=("", "_sweep"))
    assert len(merged) == 8
    for metric in KEEP:
        pd.testing.assert_series_equal(merged[metric], merged[f"{metric}_sweep"], check_names=False)


def test_idlib_model_keeps_our_scenario_apart_from_mesas(toy):  # noqa: F811
    model = sim.IdlibModel(toy, seed=3, regime__commit=0.8)
    assert model.spec.factions.regime.commit == 0.8 and model.spec.name == "toy"
    assert model.scenario.rng == 3  # Mesa's own experiment object
    model.run_model()
    assert model.metrics == pytest.approx(sim.run_with(toy, seed=3, regime__commit=0.8), nan_ok=True)
    assert model.datacollector.get_model_vars_dataframe().shape == (1, len(model.metrics))
    with pytest.raises(InputError, match="less than or equal to 1"):
        sim.IdlibModel(toy, regime__commit=1.2)
    with pytest.raises(InputError, match="replicate_seeds"):
        sim.IdlibModel(toy, seed=np.random.SeedSequence(1))


def test_batch_run_with_iterations_is_refused_not_run_n_times_alike(toy, start_method):  # noqa: F811
    """Mesa's iterations=3 (rng=[None] * 3) means three seeds left to chance; read as the scenario's seed, it gave three
    identical rows with seed None."""
    from mesa.batchrunner import batch_run

    with pytest.raises(InputError, match="needs a seed.*replicate_seeds"):
        batch_run(sim.IdlibModel, parameters={"scenario": str(toy)}, rng=[None, None], number_processes=1,
                  display_progress=False)


def test_an_ema_experiment_gives_the_numbers_of_sim_sweep(toy, tmp_path):  # noqa: F811
    ema = ema_workbench()
    model = sim.ema_model(toy, {"regime.commit": (0.2, 0.9), "events__truce__restraint": None}, replicates=3,
                          outcomes=KEEP)
    assert [u.name for u in model.uncertainties] == ["regime__commit", "events__truce__restraint"]
    assert (model.uncertainties["events__truce__restraint"].lower_bound, model.uncertainties["events__truce__restraint"].upper_bound) == (0, 1)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=5)
    assert set(outcomes) == {sim.alias(m) for m in KEEP}
    csv = tmp_path / "points.csv"
    experiments.to_csv(csv, index=False)  # EMA's own table, its bookkeeping columns and all
    out = tmp_path / "sweep"
    p = run_cli("sweep", toy, "--design", csv, "--runs", 3, "--workers", 1, "--out", out)
    assert p.returncode == 0, p.stderr
    rows = read_rows(out)
    means = rows.groupby("point").mean()
    assert rows.groupby("point")["regime.commit"].first().tolist() == experiments["regime__commit"].tolist()  # exactly EMA's points
    for metric in KEEP:
        assert np.allclose(means[metric], outcomes[sim.alias(metric)], rtol=1e-12, equal_nan=True), metric


def test_an_ema_replicator_model_keeps_every_replicate(toy, tmp_path):  # noqa: F811
    ema = ema_workbench()
    # EMA registers each outcome name with one class per process: this test's outcome is not a ScalarOutcome elsewhere.
    model = sim.ema_model(toy, ["regime.commit"], replicates=3, replicator=True, outcomes=["ceasefire_broken:truce"], seed=20)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2)
    values = np.asarray(outcomes["ceasefire_broken__truce"])
    assert values.shape == (2, 3)
    sc = load_scenario(toy)
    for i, commit in enumerate(experiments["regime__commit"]):
        runs = sim.run_with(sc, seed=20, replicates=3, per_replicate=True, regime__commit=commit)["runs"]
        assert values[i].tolist() == [r["ceasefire_broken:truce"] for r in runs]


def test_ema_model_refuses_unknown_names_and_ranges_outside_the_declared_ones(toy):  # noqa: F811
    with pytest.raises(InputError, match="did you mean 'regime.commit'"):
        sim.ema_model(toy, ["regime.comit"])
    with pytest.raises(InputError, match="not inside the declared 0 to 1"):
        sim.ema_model(toy, {"regime.commit": (0.5, 1.5)})
    model = sim.ema_model(toy, ["regime.commit", "hts.protest_days", "turkey.may_escalate"])
    assert [type(u).__name__ for u in model.uncertainties] == ["RealParameter", "IntegerParameter", "BooleanParameter"]
    # A misspelt outcome is refused when the model is made: it was refused in EMA's first experiment, in a worker.
    with pytest.raises(InputError, match="did you mean 'ceasefire_days'") as close:
        sim.ema_model(toy, ["regime.commit"], outcomes=["ceasefire_dayz"])
    assert "towns_regime" not in close.value.message  # a good guess, not every metric after it
    with pytest.raises(InputError, match="valid: outcomes_met, ") as info:  # none close: every metric, in order
        sim.ema_model(toy, ["regime.commit"], outcomes=["zzz"])
    assert "towns_regime" in info.value.message
    # One name as a string is one name, not its letters ("no parameter 'r'").
    one = sim.ema_model(toy, "regime.commit", outcomes="ceasefire_days")
    assert [u.name for u in one.uncertainties] == ["regime__commit"] and [o.name for o in one.outcomes] == ["ceasefire_days"]


def test_ema_model_takes_an_outcome_by_the_alias_it_names_it_by(toy):  # noqa: F811
    """An outcome comes back from EMA Workbench by its alias (ceasefire_days__truce): given back to ema_model, it was
    refused as no metric, with the dotted name as the guess."""
    model = sim.ema_model(toy, ["regime.commit"], outcomes=["ceasefire_days__truce", "towns_regime"], seed=3)
    assert [o.name for o in model.outcomes] == ["ceasefire_days__truce", "towns_regime"]
    got = model.function(regime__commit=0.5)
    expected = sim.run_with(toy, seed=3, regime__commit=0.5)
    assert got == {"ceasefire_days__truce": expected["ceasefire_days:truce"], "towns_regime": expected["towns_regime"]}


def test_ema_model_refuses_a_bad_replicate_count_or_seed_when_made(toy):  # noqa: F811
    # replicates=0 made a Model that failed in EMA's first experiment, as an EMAError around the InputError.
    for kw in ({"replicates": 0}, {"replicates": 2.5}, {"seed": -1}):
        with pytest.raises(InputError, match="must be a whole number"):
            sim.ema_model(toy, ["regime.commit"], **kw)


def test_ema_model_says_reversed_bounds_are_reversed(toy):  # noqa: F811
    # (0.5, 0.1) lies inside 0 to 1, and was refused as "not inside the declared 0 to 1".
    with pytest.raises(InputError, match=r"low 0.5 is not below high 0.1") as info:
        sim.ema_model(toy, {"regime.commit": (0.5, 0.1)})
    assert "not inside" not in info.value.message


def test_ema_model_refuses_a_range_that_is_not_two_numbers_a_fraction_of_a_whole_number_and_no_parameter(toy):  # noqa: F811
    """A range of three numbers was a bare ValueError ("too many values to unpack"), [] made a model of no uncertainty,
    and (1.5, 4.5) on a whole number became the IntegerParameter 1 to 4 without a word (a sweep refuses the fraction)."""
    cases = [({"regime.commit": (0.1, 0.2, 0.3)}, "regime.commit", "a range is (low, high), two finite numbers (got (0.1, 0.2, 0.3))"),
             ({"regime.commit": ("0.1", "0.2")}, "regime.commit", "a range is (low, high), two finite numbers (got ('0.1', '0.2'))"),
             ({"regime.commit": 0.2}, "regime.commit", "a range is (low, high), two finite numbers (got 0.2)"),
             ({"hts.protest_days": (1.5, 4.5)}, "hts.protest_days", "takes whole numbers, not 1.5: give whole-number bounds"),
             ({"hts.protest_days": (2, 4.5)}, "hts.protest_days", "takes whole numbers, not 4.5: give whole-number bounds"),
             ({"turkey.may_escalate": (0, 0.5)}, "turkey.may_escalate", "is a switch (true or false), sampled as either"),
             ([], "parameters", "needs at least one parameter: a path or alias, or {path: (low, high)}"),
             ({}, "parameters", "needs at least one parameter: a path or alias, or {path: (low, high)}"),
             (["regime.commit", "regime__commit"], "parameters", "'regime.commit' is given twice (as 'regime.commit' and 'regime__commit')")]
    for parameters, key, words in cases:
        with pytest.raises(InputError) as info:
            sim.ema_model(toy, parameters)
        assert info.value.key == key and info.value.message.startswith(words), (parameters, info.value)
    model = sim.ema_model(toy, {"hts.protest_days": (2, 5), "turkey.may_escalate": (0, 1)})  # whole bounds; a switch's own
    assert [(type(u).__name__, u.lower_bound, u.upper_bound) for u in model.uncertainties] == [
        ("IntegerParameter", 2, 5), ("BooleanParameter", 0, 1)]


def test_a_design_file_names_its_problems(toy, tmp_path):  # noqa: F811
    sc = load_scenario(toy)
    good = tmp_path / "good.csv"
    good.write_text("scenario,regime__commit,events.truce.restraint,turkey.may_escalate,policy,model\n"
                    "0,0.5,0.25,true,None,toy\n1,0.75,1,0,None,toy\n")
    d = load_design(good, sc)
    assert d.names == ["regime.commit", "events.truce.restraint", "turkey.may_escalate"]
    assert d.points.tolist() == [[0.5, 0.25, 1.0], [0.75, 1.0, 0.0]] and d.describe()["source"].startswith("good.csv sha256:")
    cases = {
        "regime.comit\n0.5\n": ("did you mean 'regime.commit'", None),
        "regime.commit\n0.5\nhigh\n": ("'high' is not a number", 3),
        "regime.commit\n0.5\n1.5\n": ("less than or equal to 1", None),
        "regime.commit,regime__commit\n0.5,0.5\n": ("appears twice", 1),
        "hts.protest_days\n2.5\n": ("whole numbers", None),
        "turkey.may_escalate\n0.5\n": ("is a switch", None),
        "regime.commit\n": ("no points", 2),
        "regime.commit,combat.lethality\n0.5\n": ("1 fields, but the header has 2", 2),
        "regime.commit\ninf\n": ("not a finite number", 2),
        # A spreadsheet set to a language whose decimal mark is a comma writes ';' between columns (round 77): it was
        # "no parameter 'regime.commit;turkey.deterrence' (did you mean 'regime.commit'?)".
        "regime.commit;turkey.deterrence\n0,5;1\n": ("columns are separated by ';', not by commas", 1),
        "regime.commit\tturkey.deterrence\n0.5\t1\n": ("columns are separated by tabs, not by commas", 1),
    }
    for text, (words, line) in cases.items():
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(InputError) as info:
            load_design(bad, sc)
        assert words in str(info.value) and info.value.file == str(bad), text
        if line is not None:
            assert info.value.line == line, text


def test_a_replicator_model_after_a_plain_one_in_one_process_says_why_it_cannot_be(tmp_path):
    """EMA keeps one outcome class per name per process: the second model raised EMA's bare ValueError ("outcome with
    this name but of different class already exists"). In a process of its own, since the registry outlives it."""
    import subprocess
    import sys

    from .conftest import ROOT

    code = """
import sim
from sim.errors import InputError
sim.ema_model("scenarios/jan_truce.yaml", ["regime.commit"], replicates=2, outcomes=["towns_regime"])
try:
    sim.ema_model("scenarios/jan_truce.yaml", ["regime.commit"], replicates=2, replicator=True, outcomes=["towns_regime"])
except InputError as exc:
    print(exc.key, "|", exc.message)
"""
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    key, message = p.stdout.strip().split(" | ")
    assert key == "replicator" and "replicator=False" in message and "new process" in message, p.stdout


def test_idlib_model_given_rng_as_mesa_models_take_it_says_to_give_seed(toy):  # noqa: F811
    """``sim.IdlibModel(path, rng=1)``, Mesa 3's own name for a model's seed, was read as a parameter: "no parameter
    'rng'; valid: regime__force, ..." listed 99 parameters and not the seed."""
    for rng in (1, np.random.default_rng(1)):
        with pytest.raises(InputError) as info:
            sim.IdlibModel(toy, rng=rng)
        assert info.value.key == "rng" and info.value.message.startswith(
            "IdlibModel takes its seed as seed= (batch_run passes each value of its rng= there)"), info.value
    assert sim.IdlibModel(toy, seed=1).seed == 1


@pytest.mark.parametrize("rng", [-1, 2**63, 1.5, True, np.random.default_rng(1)])
def test_idlib_model_given_an_rng_that_is_no_seed_does_not_suggest_it_as_one(toy, rng):  # noqa: F811
    """``IdlibModel(path, rng=-1)`` said "give seed=-1 if it is a whole number", and seed=-1 was then refused as out of
    range: the hint offers ``seed=`` with the value only when that value would be taken, else says what a seed is."""
    with pytest.raises(InputError) as info:
        sim.IdlibModel(toy, rng=rng)
    assert info.value.key == "rng" and "seed=" + repr(rng) not in info.value.message, info.value
    assert "a whole number from 0 to 2**63 - 1" in info.value.message, info.value
    if isinstance(rng, int):
        with pytest.raises(InputError, match="the seed must be a whole number from 0 to 2"):
            sim.IdlibModel(toy, seed=rng)  # the value is indeed no seed


def test_batch_run_given_a_bare_scenario_object_says_to_put_it_in_a_list(toy, start_method):  # noqa: F811
    """``parameters={"scenario": load_scenario(path)}``: batch_run iterates over any value that is not a string, and a
    pydantic Scenario iterates as its (field, value) pairs, so IdlibModel got ``("name", "toy")`` and failed deep in
    pathlib with "argument should be a str or an os.PathLike object ... not 'tuple'"."""
    from mesa.batchrunner import batch_run

    with pytest.raises(InputError, match=r"'scenario'.*a list: \{'scenario': \[scenario\]\}"):
        batch_run(sim.IdlibModel, parameters={"scenario": load_scenario(toy)}, rng=[1], number_processes=1,
                  display_progress=False)
    with pytest.raises(InputError, match="'scenario'.*not a int"):
        sim.IdlibModel(3, seed=1)
    rows = batch_run(sim.IdlibModel, parameters={"scenario": [load_scenario(toy)]}, rng=[1], number_processes=1,
                     display_progress=False)
    assert len(rows) == 1 and rows[0]["seed"] == 1  # in a list, as the docstring says, it runs


def test_idlib_model_given_days_says_how_to_run_fewer_days(toy, start_method):  # noqa: F811
    """``batch_run(..., parameters={"days": [10]})`` was answered "no parameter 'days'" and a list of parameter groups,
    as if days were a misspelt parameter; batch_run's own max_steps, the other way a user tries, gives no rows at all
    (the metrics are collected when the run ends). run_with says what to do instead, and so does IdlibModel now."""
    from mesa.batchrunner import batch_run

    with pytest.raises(InputError) as info:
        batch_run(sim.IdlibModel, parameters={"scenario": str(toy), "days": [3]}, rng=[1], number_processes=1,
                  display_progress=False)
    assert info.value.key == "days" and "sim.load_scenario(path, end=DATE)" in info.value.message, info.value
    assert "max_steps" in info.value.message, info.value
    short = load_scenario(toy, end="2020-01-05")
    rows = batch_run(sim.IdlibModel, parameters={"scenario": [short]}, rng=[1], number_processes=1, display_progress=False)
    assert len(rows) == 1 and rows[0]["Step"] == (short.end - short.start).days  # the way the message gives runs


def test_ema_model_refuses_no_outcomes_and_a_name_that_is_no_python_name_naming_the_argument(toy):  # noqa: F811
    """``outcomes=[]`` made a model whose experiments report nothing, without a word (no parameters is refused as a
    model of no uncertainty), and ``name="a b"`` raised EMA's own EMAError from inside ema_workbench, naming no
    argument of ema_model."""
    with pytest.raises(InputError) as info:
        sim.ema_model(toy, ["regime.commit"], outcomes=[])
    assert info.value.key == "outcomes" and "at least one" in info.value.message, info.value
    with pytest.raises(InputError) as info:
        sim.ema_model(toy, ["regime.commit"], name="a b")
    assert info.value.key == "name" and "Python name" in info.value.message, info.value
    assert sim.ema_model(toy, ["regime.commit"], name="toy_2").name == "toy_2"
