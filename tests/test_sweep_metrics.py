"""What a sweep can ask about and what its report says (round 27's walkthrough): every quantity `compare` sets side by side is
a metric of a run (a sweep or a discovery on `violations` was refused), and a report too small for indices says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate
from sim.analysis.comparison import QUANTITIES
from sim.analysis.metrics import metric_names
from sim.analysis.scored_outcomes import scored_outcomes
from sim.experiments.sweep_file import load_sweep

from .conftest import ROOT

CAMPAIGN = ROOT / "scenarios" / "campaign.yaml"


@pytest.fixture(scope="module")
def truce():
    return load_scenario(ROOT / "scenarios" / "jan_truce.yaml")


def test_every_quantity_compare_reports_is_a_metric_with_its_last_days_value(truce):
    result = simulate(truce, seed=3)
    metrics = result.metrics()
    assert {"violations", "casualties_regime", "casualties_hts", "casualties_rebels"} <= set(QUANTITIES)
    for name in QUANTITIES:
        assert metrics[name] == float(result.timeseries[name].iloc[-1]), name
    assert metrics["casualties_hts"] > 0  # a war: these are not the zeros of a missing column
    assert list(metrics) == metric_names(truce, scored_outcomes(truce))


def test_a_sweep_file_may_name_them(tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {CAMPAIGN}\nruns: 2\nparameters:\n  events.jan-truce.restraint: {{values: [0.3, 0.9]}}\n"
                     "metrics: [violations, casualties_hts, casualties_regime]\n")
    assert load_sweep(sweep).metrics == ["violations", "casualties_hts", "casualties_regime"]


def test_a_sweep_file_and_a_sweep_spec_may_name_a_metric_by_its_alias(tmp_path):
    """EMA Workbench's outcome name (ceasefire_days__jan_truce) was refused, with the dotted name as the guess; it is
    read as the metric it stands for, which the manifest records, as a parameter's alias is read as its path."""
    from sim.experiments.designs import make_design
    from sim.experiments.parameters import Parameter
    from sim.experiments.sweep import run_sweep
    from sim.experiments.sweep_file import SweepSpec
    from sim.viz.sweep_report import sweep_report

    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {CAMPAIGN}\nruns: 2\nparameters:\n  events.jan-truce.restraint: {{values: [0.3, 0.9]}}\n"
                     "metrics: [ceasefire_days__jan_truce, met__maarat_captured, violations]\n")
    assert load_sweep(sweep).metrics == ["ceasefire_days:jan-truce", "met:maarat-captured", "violations"]
    design = make_design("grid", [Parameter("regime.commit", values=(0.5,))])
    spec = SweepSpec((ROOT / "scenarios" / "jan_truce.yaml").resolve(), design, 1, metrics=["ceasefire_days__jan_truce"])
    result = run_sweep(spec, tmp_path / "s", workers=1)
    assert result.manifest["metrics"] == ["ceasefire_days:jan-truce"]
    report = sweep_report(tmp_path / "s", metrics="towns_regime, day__maarat_captured")  # as --metric takes them
    assert {"towns_regime", "day:maarat-captured"} <= set(report.points.columns), report.points.columns


def test_run_with_averages_them(truce):
    import sim

    out = sim.run_with(truce, replicates=2, per_replicate=True)
    for name in ("violations", "casualties_rebels"):
        assert out[name] == pytest.approx(np.mean([r[name] for r in out["runs"]]))


def test_a_sampled_sweep_too_small_for_indices_says_so_in_its_report(tmp_path):
    """sensitivity.csv held its header alone and report.md said nothing: 20 points are below MIN_POINTS (50)."""
    from sim.analysis.sensitivity import MIN_POINTS
    from sim.experiments.designs import make_design
    from sim.experiments.parameters import Parameter
    from sim.experiments.sweep import run_sweep
    from sim.experiments.sweep_file import SweepSpec
    from sim.viz.sweep_report import sweep_report

    from . import toys

    design = make_design("lhs", [Parameter("a", 0, 1), Parameter("b", 0, 1)], n=20, seed=1)
    run_sweep(SweepSpec(Path("toy"), design, runs=2), tmp_path / "small", evaluate=toys.linear)
    report = sweep_report(tmp_path / "small", metrics=["y"])
    assert report.sensitivity.empty and (tmp_path / "small" / "report" / "sensitivity.csv").read_text().count("\n") == 1
    text = (tmp_path / "small" / "report" / "report.md").read_text()
    assert f"No sensitivity indices: they need {MIN_POINTS} points or more" in text and "this sweep has 20" in text, text
    assert "sensitivity.csv holds only its header" in text and "`--n`" in text, text


def test_sweep_report_names_an_unknown_metric_with_a_guess_or_a_count_not_every_name(tmp_path, capsys):
    """`sweep-report --metric violations` on a sweep without it printed all 344 metric names on one line."""
    from sim.cli import main
    from sim.experiments.designs import make_design
    from sim.experiments.parameters import Parameter
    from sim.experiments.sweep import run_sweep
    from sim.experiments.sweep_file import SweepSpec

    design = make_design("grid", [Parameter("regime.commit", values=(0.5,))])
    run_sweep(SweepSpec((ROOT / "scenarios" / "jan_truce.yaml").resolve(), design, 1), tmp_path / "s", workers=1)
    assert main(["sweep-report", str(tmp_path / "s"), "--metric", "zzzz"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 's'}, --metric: no metric 'zzzz' in this sweep; valid: outcomes_met, ") and err.count("\n") == 1, err
    assert "and per item: " in err and "met:<id> (" in err and "day:<id> (" in err and "runs.parquet" in err, err
    assert "met:capture-" not in err and len(err) < 800, err
    assert main(["sweep-report", str(tmp_path / "s"), "--metric", "violation"]) == 2
    err = capsys.readouterr().err
    assert "(did you mean 'violations'?); it has " in err and "outcomes_met" not in err, err


def test_a_sobol_sweep_too_small_for_indices_gives_its_own_reason_and_the_n_that_would_do(tmp_path):
    """A Sobol design of 3 points (one parameter, n = 1) was told its indices "need 50 points or more (RBD-FAST's
    bootstrap halves them, and it needs more than 40)": a Sobol design uses no RBD-FAST. It is told the smallest n
    (a power of 2) whose Saltelli design reaches the bound."""
    from sim.analysis.sensitivity import MIN_POINTS, no_indices
    from sim.experiments.designs import make_design
    from sim.experiments.parameters import Parameter

    for k, n, smallest in ((1, 1, 32), (3, 4, 16), (5, 2, 8)):
        design = make_design("sobol", [Parameter(f"p{i}", 0, 1) for i in range(k)], n=n)
        points = pd.DataFrame({"point": range(design.size)})
        text = no_indices({"design": design.describe(), "points": design.size}, points)
        assert "RBD-FAST" not in text and f"{MIN_POINTS} points or more" in text, text
        assert f"this sweep has {design.size}" in text and f"`--n {smallest}`" in text, text


def test_a_sweeps_count_of_runs_missing_a_capture_is_the_scorers_own(truce, tmp_path):
    """report.md and the figures say a sweep's capture_mae_days are lower bounds, and in how many runs, from its rows'
    `day:<id>` columns; compare says it of an ensemble from its scorer (Scorecard.mae_is_lower_bound). The two agree
    run by run: the day columns are those of the captures the MAE counts, and no dated outcome that is not one (the
    truce's breaking has no day column)."""
    from sim.analysis.metrics import run_metrics, runs_missing_a_capture
    from sim.analysis.shared_seeds import on_seeds
    from sim.api import scorecard
    from sim.experiments.ensemble import run_ensemble

    results = run_ensemble(truce, 4, tmp_path / "e")
    card = scorecard(results)
    outcomes = [s.outcome for s in card.scores]
    rows = pd.DataFrame([run_metrics(r, outcomes, results.theatre) for r in results.runs])
    assert "met:jan-truce-broken" in rows and "day:jan-truce-broken" not in rows  # dated, scored, not a capture
    lacking = [on_seeds(card, (r.seed,)).mae_is_lower_bound() for r in results.runs]
    assert 0 < sum(lacking) and runs_missing_a_capture(rows) == sum(lacking), lacking
    for k, lacks in enumerate(lacking):
        assert runs_missing_a_capture(rows.iloc[[k]]) == lacks, k


def test_a_sweeps_rows_are_read_by_a_metrics_or_a_parameters_alias_too(tmp_path):
    """read_rows(columns=) and SweepResult.table() refused ``ceasefire_days__jan_truce`` and ``regime__commit``, the names
    EMA Workbench and keyword calls use, which every other route takes (sim.analysis.metrics.metric_named for a metric,
    sim.io.paths.resolve for a parameter); the columns come back under the names the rows hold them by."""
    from sim.analysis.results import read_rows
    from sim.errors import InputError
    from sim.experiments.designs import make_design
    from sim.experiments.parameters import Parameter
    from sim.experiments.sweep import run_sweep
    from sim.experiments.sweep_file import SweepSpec

    design = make_design("grid", [Parameter("regime.commit", values=(0.5,))])
    result = run_sweep(SweepSpec((ROOT / "scenarios" / "jan_truce.yaml").resolve(), design, 1), tmp_path / "s")
    asked = ["regime__commit", "ceasefire_days__jan_truce", "point", "day__maarat_captured"]
    named = ["regime.commit", "ceasefire_days:jan-truce", "point", "day:maarat-captured"]
    whole = read_rows(tmp_path / "s")
    pd.testing.assert_frame_equal(read_rows(tmp_path / "s", columns=asked), whole[named])
    pd.testing.assert_frame_equal(result.table(asked), whole[named])
    assert read_rows(tmp_path / "s", columns="ceasefire_days__jan_truce").columns.tolist() == ["ceasefire_days:jan-truce"]
    # A column asked for by its name and by its alias is one column, not two of the same name.
    assert result.table(["regime.commit", "regime__commit"]).columns.tolist() == ["regime.commit"]
    with pytest.raises(InputError, match="no column 'regime__comit' in the sweep's rows") as info:
        result.table(["regime__comit"])
    assert info.value.key == "columns"
