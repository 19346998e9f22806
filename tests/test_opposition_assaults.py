"""scripts/opposition_assaults.py: its counts are the model's, checked against what the runs themselves log."""

from __future__ import annotations

from sim.experiments.run import simulate
from sim.io.scenario import load_scenario
from sim.model import combat

from .conftest import ROOT, script_module


def test_the_assaults_it_counts_as_taking_a_town_are_the_opposition_s_captures_by_assault_that_the_runs_log():
    # Two campaign runs, whose histories include opposition assaults that take towns. Every government-held town an opposition assault took is a capture the run logs with cause
    # "assault", from the government to HTS or the rebels; and the wrapper is gone afterwards.
    script = script_module("opposition_assaults")
    scenario = load_scenario(ROOT / "scenarios" / "campaign.yaml")
    before = combat.resolve
    counts = script.count(scenario, range(2000, 2002))
    assert combat.resolve is before
    logged = 0
    for seed in (2000, 2001):
        events = simulate(scenario, seed=seed).events
        captures = events[(events.type == "capture") & events.detail.str.endswith("(assault)")]
        logged += int(captures.detail.str.startswith("regime -> ").sum())
    assert counts["taken"] == logged > 0
    assert counts["taken"] <= counts["assaults"] and counts["garrison_under_half"] <= counts["assaults"]
    assert len(counts["first_hts"]) == 2  # one date (or None) a run
