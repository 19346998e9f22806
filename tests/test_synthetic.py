"""Synthetic theatres (benchmarks/synthetic.py) load and run under the model's invariants."""

import networkx as nx
import numpy as np

from benchmarks import synthetic
from sim import load_scenario, load_theatre, simulate


def test_synthetic_theatre_has_the_idlib_theatres_shape(tmp_path):
    path = synthetic.make(tmp_path, 200, days=5)
    theatre = load_theatre(load_scenario(path).theatre)
    assert theatre.n == 200
    assert nx.is_connected(theatre.graph)
    assert set(theatre.roads) == {"M4", "M5", "secondary"}
    # A planar road graph has fewer than 3n roads; the Gabriel graph about 2n.
    assert 200 <= len(theatre.edge_u) < 3 * 200
    # The trunks cross: at least one town is on both.
    assert (theatre.road_towns("M4") & theatre.road_towns("M5")).any()
    control = next(iter(theatre.control.values()))
    assert set(np.unique(control)) == {0, 1, 2}
    assert theatre.posts and len(theatre.border) >= 4


def test_synthetic_scenario_runs_every_event_with_invariants(tmp_path):
    scenario = load_scenario(synthetic.make(tmp_path, 200, days=5))
    result = simulate(scenario, check_invariants=True)
    assert len(result.history) == 6
    kinds = set(result.events["type"])
    assert {"offensive_start", "truce_announced", "intervention", "agreement_announced"} <= kinds
    assert "patrol" in kinds or "patrol_suspended" in kinds


def test_generator_is_deterministic_for_a_seed(tmp_path):
    a, _ = synthetic.write_theatre(tmp_path / "a", 150, seed=4)
    b, _ = synthetic.write_theatre(tmp_path / "b", 150, seed=4)
    c, _ = synthetic.write_theatre(tmp_path / "c", 150, seed=5)
    for suffix in (".towns.csv", ".roads.csv", ".posts.csv", ".border.csv"):
        assert (a.parent / (a.stem + suffix)).read_bytes() == (b.parent / (b.stem + suffix)).read_bytes()
    assert (a.parent / (a.stem + ".towns.csv")).read_bytes() != (c.parent / (c.stem + ".towns.csv")).read_bytes()
