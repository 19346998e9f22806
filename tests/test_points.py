"""Several points of a sweep stepped as one batch give each replicate what it gives alone.

Points that differ only in the parameters the rules read per replicate step
together (:mod:`sim.model.params`): every such parameter is then an array
over the replicates, and every rule must read its own replicate's value.
Here every one of them differs between the points at once, on the recorded
scenarios, and each replicate's whole output is compared with its point run
alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import load_scenario
from sim.errors import InputError
from sim.experiments.parameters import _locate, apply
from sim.experiments.run import simulate_batch, simulate_metrics
from sim.experiments.sweep import ScenarioEvaluator, run_batches
from sim.io.paths import declared_range
from sim.model.model import CeasefireModel
from sim.model.params import batch_key, for_the_rules, per_pair, per_replicate_paths, per_town, stacked_scenario

from .conftest import ROOT


def points_of(scenario, factors):  # noqa: ANN001, ANN202
    """One scenario per factor: every per-replicate parameter scaled by it, within its declared range."""
    data = scenario.model_dump(mode="python")
    points = []
    for factor in factors:
        values = {}
        for path in per_replicate_paths(scenario):
            node, key = _locate(data, path)
            low, high, _ = declared_range(scenario, path)
            values[path] = float(np.clip(node[key] * factor, low, high))
        points.append(apply(scenario, values))
    return points


@pytest.mark.parametrize("name", ["campaign", "moscow"])
def test_every_replicate_of_a_mixed_batch_is_what_its_point_gives_alone(name):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    points = points_of(scenario, (0.8, 1.0, 1.25))
    seeds = [7, 8]
    together = simulate_batch([p for p in points for _ in seeds], seeds * len(points))
    apart = [run for point in points for run in simulate_batch(point, seeds)]
    for a, b in zip(apart, together, strict=True):
        assert np.array_equal(a.history, b.history)
        assert np.array_equal(a.post_history, b.post_history) and np.array_equal(a.encircled_history, b.encircled_history)
        assert a.events.equals(b.events) and a.timeseries.equals(b.timeseries)
        assert a.content_hash == b.content_hash and a.scenario == b.scenario
    # The points really differ: a rule that read one point's value for all would not pass unnoticed.
    assert len({(run.timeseries.to_csv()) for run in apart}) == len(apart)


def test_the_sweeps_evaluator_gives_each_point_what_it_gives_alone():
    scenario = load_scenario(ROOT / "scenarios" / "jan_truce.yaml")
    evaluator = ScenarioEvaluator(scenario)
    points = [{"events.jan-truce.restraint": r, "turkey.deterrence": d, "russia.strike_radius_km": k}
              for r, d, k in [(0.1, 1.0, 12.0), (0.5, 2.0, 7.5), (0.9, 3.0, 12.0)]]  # the second steps apart: the radius is static
    seeds = [[3, 4], [5, 6], [3]]
    found = evaluator.batches(points, seeds)
    start = 0
    for values, mine in zip(points, seeds, strict=True):
        alone = simulate_metrics(apply(scenario, values), mine, evaluator.outcomes)
        assert found.keys() == alone.keys()
        for metric, column in alone.items():
            assert column.dtype == found[metric].dtype, metric
            assert np.array_equal(found[metric][start : start + len(mine)], column, equal_nan=True), metric
        start += len(mine)
    # And in a sweep's rows: each row carries its own point, replicate, seed and values.
    items = [(0, p, r, s, tuple(values.values())) for p, (values, mine) in enumerate(zip(points, seeds, strict=True))
             for r, s in enumerate(mine)]
    rows = run_batches(evaluator, list(points[0]), items)[0]
    assert rows["point"].tolist() == [0, 0, 1, 1, 2] and rows["seed"].tolist() == [3, 4, 5, 6, 3]
    assert rows["turkey.deterrence"].tolist() == [1.0, 1.0, 2.0, 2.0, 3.0]
    assert all(np.array_equal(rows[name], found[name], equal_nan=True) for name in found)


def test_values_the_same_throughout_a_batch_stay_numbers():
    scenario = load_scenario(ROOT / "scenarios" / "jan_truce.yaml")
    assert stacked_scenario([scenario, scenario]) is scenario
    other = apply(scenario, {"turkey.deterrence": 2.5, "events.jan-truce.compliance.regime": 0.5})
    both = stacked_scenario([scenario, other, other])
    assert np.array_equal(both.factions.turkey.deterrence, [1.0, 2.5, 2.5])  # the scenario gives 1.0
    assert isinstance(both.factions.turkey.exposure, float) and isinstance(both.combat.lethality, float)
    truce = next(e for e in both.events if e.id == "jan-truce")
    assert np.array_equal(truce.compliance["regime"], [0.85, 0.5, 0.5])  # scenarios/jan_truce.yaml gives 0.85
    assert isinstance(truce.compliance["rebels"], float)


def test_the_rules_read_every_number_as_a_0d_array_and_each_replicates_own_as_it_is():
    # params.for_the_rules: numbers become 0-d arrays of the same double (cheaper numpy operands), arrays over the
    # replicates stay as they are, whole numbers and the rest untouched; per_pair and per_town pass a 0-d one through.
    scenario = load_scenario(ROOT / "scenarios" / "jan_truce.yaml")
    other = apply(scenario, {"turkey.deterrence": 2.5})
    turkey = for_the_rules(stacked_scenario([scenario, other]).factions.turkey)
    assert np.array_equal(turkey.deterrence, [1.0, 2.5]) and turkey.deterrence.shape == (2,)
    assert turkey.exposure.shape == () and turkey.exposure == scenario.factions.turkey.exposure
    assert turkey.may_escalate is scenario.factions.turkey.may_escalate  # a switch
    hts = for_the_rules(scenario.factions.hts)
    assert hts.protest_days == scenario.factions.hts.protest_days and isinstance(hts.protest_days, int)  # a count
    rep = np.array([1, 1, 0])
    assert per_pair(turkey.exposure, rep) is turkey.exposure and per_town(turkey.exposure) is turkey.exposure
    assert per_pair(turkey.deterrence, rep).tolist() == [2.5, 2.5, 1.0] and per_town(turkey.deterrence).shape == (2, 1)
    model = CeasefireModel(scenario, seeds=[1])
    assert model.combat_params.lethality.shape == () and model.turkey.p.deterrence.shape == ()
    assert model.spec.combat.lethality == scenario.combat.lethality and isinstance(model.spec.combat.lethality, float)


def test_structural_differences_keep_points_apart():
    scenario = load_scenario(ROOT / "scenarios" / "jan_truce.yaml")
    # A number read once, when the model is built; whether a deal binds a faction at all.
    static = apply(scenario, {"russia.strike_radius_km": 7.5})
    unbound = apply(scenario, {"events.jan-truce.compliance.regime": 0.0})
    per_replicate = apply(scenario, {"regime.commit": 0.6, "events.jan-truce.compliance.regime": 0.4})
    assert batch_key(per_replicate) == batch_key(scenario)
    assert batch_key(static) != batch_key(scenario) and batch_key(unbound) != batch_key(scenario)
    with pytest.raises(InputError, match="structural"):
        CeasefireModel([scenario, static], seeds=[1, 2])
    with pytest.raises(InputError, match="one scenario per seed"):
        CeasefireModel([scenario, scenario], seeds=[1])
