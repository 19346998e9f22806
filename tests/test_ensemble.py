"""Ensembles: seeds, worker-count independence, resuming, interruption, and the CLI end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import sim
import sim.experiments.ensemble
from sim import load_scenario, simulate
from sim.analysis.results import load_results
from sim.errors import Interrupted
from sim.experiments.ensemble import replicate_seeds, run_ensemble

from .conftest import ROOT, ev, line_theatre
from .test_runs import run_cli

SUMMARIES = ("control_prob.csv", "captures.csv", "capture_dates.csv", "timeseries_quantiles.csv")


@pytest.fixture
def toy(build):
    """Six towns on a line, a regime offensive eastwards: runs differ by seed."""
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts", "hts"))
    body = {"end": "2020-02-10", "seed": 40,
            "factions": {"regime": {"force": 60, "regen": 1}, "rebels": {"garrison": 4, "reserve": 20}},
            "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T5"], force=60)]}
    return build.scenario(body)


def files(folder):
    """Every file under ``folder`` except manifests (which carry timestamps), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def test_replicate_seeds_follow_the_scenario_seed(toy):
    sc = load_scenario(toy)
    assert replicate_seeds(sc, 3) == [40, 41, 42]
    with pytest.raises(Exception, match="--runs: must be a whole number from 1"):
        replicate_seeds(sc, 0)


def test_results_do_not_depend_on_worker_count(toy, tmp_path):
    sc = load_scenario(toy)
    one = run_ensemble(sc, 5, tmp_path / "one", workers=1)
    two = run_ensemble(sc, 5, tmp_path / "two", workers=2)
    a, b = files(tmp_path / "one"), files(tmp_path / "two")
    assert a == b and set(SUMMARIES) <= set(a) and len([k for k in a if k.startswith("runs/")]) == 5 * 4  # control, events, timeseries, posts
    # The replicates really differ, and replicate i is the single run with seed s + i.
    assert len({r.history.tobytes() for r in one.runs}) > 1
    assert [r.seed for r in two.runs] == [40, 41, 42, 43, 44]
    single = simulate(sc, seed=42)
    assert (one.runs[2].history == single.history).all()
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["complete"] and manifest["seeds"] == [40, 41, 42, 43, 44]


def test_summaries_match_the_replicates(toy, tmp_path):
    res = run_ensemble(load_scenario(toy), 4, tmp_path / "e")
    prob = pd.read_csv(tmp_path / "e" / "control_prob.csv")
    last = prob[prob["date"] == "2020-02-10"].set_index("town")
    for t, town in enumerate(res.theatre.towns):
        held = sum(r.history[-1, t] == 0 for r in res.runs)
        assert last.loc[town, "p_regime"] == held / 4
    assert (prob[["p_regime", "p_hts", "p_rebels"]].sum(axis=1) == 1.0).all()
    caps = pd.read_csv(tmp_path / "e" / "captures.csv")
    assert len(caps) == sum(len(r.captures) for r in res.runs)


def test_an_interrupted_ensemble_keeps_its_replicates_and_resumes(toy, tmp_path, monkeypatch):
    sc = load_scenario(toy)
    reference = files(run_ensemble(sc, 4, tmp_path / "ref").path)
    real = sim.experiments.ensemble._replicate_batch  # one worker, 4 replicates: batches [40, 41] and [42, 43]
    calls = []

    def flaky(scenario, seeds, *rest):
        if calls:
            raise KeyboardInterrupt
        calls.extend(seeds)
        return real(scenario, seeds, *rest)

    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch", flaky)
    out = tmp_path / "e"
    with pytest.raises(Interrupted) as stop:
        run_ensemble(sc, 4, out)
    assert stop.value.finished == 2
    partial = load_results(out)
    assert not partial.complete and [r.seed for r in partial.runs] == [40, 41]
    assert not any((out / s).exists() for s in SUMMARIES)

    calls.clear()
    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch",
                        lambda scenario, seeds, *rest: calls.extend(seeds) or real(scenario, seeds, *rest))
    run_ensemble(sc, 4, out)
    assert calls == [42, 43]  # only what was missing
    assert files(out) == reference


def test_a_changed_scenario_reruns_every_replicate(toy, build, tmp_path):
    out = tmp_path / "e"
    run_ensemble(load_scenario(toy), 3, out)
    before = files(out)
    changed = build.scenario(toy.read_text().replace("regen: 1", "regen: 3"), name="changed.yaml")
    run_ensemble(load_scenario(changed), 3, out)
    assert files(out) != before
    hashes = {json.loads((p / "manifest.json").read_text())["content_hash"] for p in (out / "runs").iterdir()}
    assert len(hashes) == 1


def test_cli_ensemble_and_compare_end_to_end(tmp_path):
    base, whatif = tmp_path / "base", tmp_path / "whatif"
    p = run_cli("run", ROOT / "scenarios" / "campaign.yaml", "--runs", "3", "--workers", "2", "--out", base)
    assert p.returncode == 0, p.stderr
    assert "3 replicates" in p.stdout and "Likeliest changes of hands" in p.stdout
    p = run_cli("run", ROOT / "scenarios" / "whatif" / "jan_truce_holds.yaml", "--runs", "3", "-q", "--out", whatif)
    assert p.returncode == 0, p.stderr

    p = run_cli("compare", base)
    assert p.returncode == 0, p.stderr
    table = pd.read_csv(base / "comparison.csv")
    assert {"jan-truce-broken", "maarat-captured", "front-at-moscow-ceasefire-south-east-and-m5", "whole-m5-held"} <= set(table["outcome"])
    assert "moscow-front-stable" not in set(table["outcome"])  # after the campaign's window
    assert "frozen front" in p.stdout and (base / "comparison.md").read_text() in p.stdout + "\n"

    p = run_cli("compare", base, whatif)
    assert p.returncode == 0, p.stderr
    assert "paired (same seeds)" in p.stdout
    diff = pd.read_csv(whatif / "comparison_vs_base.csv")
    assert set(diff["section"]) == {"score", "outcome", "quantity", "town_p_regime"}
    assert len(diff[diff["section"] == "town_p_regime"]) == sim.load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml").n


def test_cli_compare_refuses_a_folder_that_is_not_results(tmp_path):
    p = run_cli("compare", tmp_path)
    assert p.returncode == 2 and "not a results folder" in p.stderr and "Traceback" not in p.stderr
