"""The displaced at the start (``displaced_at_start``): moscow.yaml's follow the campaign model, its two shares being
what campaign.yaml leaves on its last day, 5 March (docs/model_changes.md, round 71), so a change to the rules that moves
those shares must move these; and the two shares are parameters, set as every other number of a scenario is.
"""

from pathlib import Path

import numpy as np
import pytest

import sim
from sim import CeasefireModel
from sim.api import replicate_seeds
from sim.analysis.results import read_rows
from sim.errors import InputError
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter, apply
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec
from sim.model import civilians

from .test_rules import truce
from .test_rules_civilians import flight_model, with_earlier_column

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_moscow_starts_with_the_shares_away_the_campaign_ends_with():
    campaign, moscow = (sim.load_scenario(SCENARIOS / name) for name in ("campaign.yaml", "moscow.yaml"))
    m = CeasefireModel(campaign, seeds=replicate_seeds(campaign, 40))  # the 40 runs the shares were measured on
    m.run_model()
    assert m.date == moscow.start  # the campaign ends on the day the Moscow runs start from
    medians = {name: float(np.median(share)) for name, share in civilians.shares_away(m, m.initial_controller).items()}
    start = moscow.displaced_at_start
    assert start.since == campaign.initial_control  # the towns taken since the campaign's start front
    assert abs(start.taken - medians["taken"]) <= 0.1 and abs(start.near_front - medians["near_front"]) <= 0.1, medians


# ------------------------------------------------------------------ the two shares as parameters


def test_the_shares_away_at_the_start_are_parameters_set_by_path_or_alias_within_their_range():
    """`displaced_at_start.taken` and `.near_front` were no parameters: with_params, a sweep's --param and
    sim.parameters knew every other number of a scenario, and refused these as unknown."""
    moscow = sim.load_scenario(SCENARIOS / "moscow.yaml")
    changed = moscow.with_params({"displaced_at_start.taken": 0.3}, displaced_at_start__near_front=0.4)
    assert (changed.displaced_at_start.taken, changed.displaced_at_start.near_front) == (0.3, 0.4)
    assert changed.displaced_at_start.since == moscow.displaced_at_start.since and moscow.displaced_at_start.taken == 0.58
    assert apply(moscow, {"displaced_at_start.taken": 0.2}).displaced_at_start.taken == 0.2  # a sweep's route
    table = sim.parameters(moscow).set_index("path")
    rows = table.loc[["displaced_at_start.taken", "displaced_at_start.near_front"]]
    assert rows["alias"].tolist() == ["displaced_at_start__taken", "displaced_at_start__near_front"]
    assert rows[["value", "low", "high"]].values.tolist() == [[0.58, 0.0, 1.0], [0.58, 0.0, 1.0]]
    assert rows["type"].tolist() == ["float", "float"]
    assert list(table.index).index("civilians.return_rate") < list(table.index).index("displaced_at_start.taken") \
        < list(table.index).index("events.offensive-under-way.force")  # in the scenario's order
    with pytest.raises(InputError) as err:
        moscow.with_params(displaced_at_start__taken=1.5)
    assert err.value.key == "displaced_at_start.taken" and "less than or equal to 1" in str(err.value), err.value
    with pytest.raises(InputError) as err:
        apply(moscow, {"displaced_at_start.near_front": -0.1})
    assert "displaced_at_start.near_front: " in str(err.value) and "greater than or equal to 0" in str(err.value), err.value
    with pytest.raises(InputError, match="displaced_at_start.taken: 2 is outside the parameter's range, 0 to 1"):
        make_design("grid", [Parameter("displaced_at_start.taken", values=(0.5, 2.0))], scenario=moscow)


def test_a_scenario_without_the_block_says_it_has_none_to_set():
    campaign = sim.load_scenario(SCENARIOS / "campaign.yaml")
    for route in (lambda: campaign.with_params(displaced_at_start__taken=0.3),
                  lambda: apply(campaign, {"displaced_at_start.taken": 0.3}),
                  lambda: make_design("grid", [Parameter("displaced_at_start.near_front", values=(0.1, 0.2))], scenario=campaign)):
        with pytest.raises(InputError) as err:
            route()
        said = str(err.value)
        assert "displaced_at_start" in said and "the scenario has no 'displaced_at_start'" in said, said


def test_a_sweep_over_the_shares_runs_each_point_as_the_scenario_with_those_shares_runs(build, tmp_path):
    # The toy of tests/test_rules_civilians.py: G taken since 1 December, A (HTS's) near the start front. A truce binds
    # the government from the start, so people go home to A (not to G, the government's): those sent away from A at
    # the start are who goes home, and how many hangs on near_front.
    flight_model(build)  # the theatre
    with_earlier_column(build, {"G": "hts"})
    path = build.scenario({"factions": {"russia": {"strike_radius_km": 6.0}}, "civilians": {"return_rate": 0.2},
                           "displaced_at_start": {"since": "2019-12-01", "taken": 0.5, "near_front": 0.25, "source": ["test-claim"]},
                           "events": [truce()]})
    design = make_design("grid", [Parameter("displaced_at_start.taken", values=(0.0, 0.5)),
                                  Parameter("displaced_at_start__near_front", values=(0.0, 0.5))], scenario=path)
    run_sweep(SweepSpec(path, design, 2), tmp_path / "sweep")
    rows = read_rows(tmp_path / "sweep")
    assert len(rows) == 8
    scenario = sim.load_scenario(path)
    shares = ["displaced_at_start.taken", "displaced_at_start.near_front"]
    for row in rows.to_dict("records"):
        alone = sim.simulate(scenario.with_params({name: row[name] for name in shares}), seed=row["seed"])
        assert alone.metrics()["returned"] == row["returned"], row
    returned = rows.groupby("displaced_at_start.near_front")["returned"].mean()
    assert returned[0.0] == 0.0 and returned[0.5] > 0.0
