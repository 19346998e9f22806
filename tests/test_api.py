"""The keyword API: Scenario.with_params, sim.run_with, RunResult.metrics, and validation on every route."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import InputError, load_scenario
from sim.analysis.results import read_rows
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter, apply, parameter_paths
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec
from sim.model.model import CeasefireModel

from .conftest import ev, line_theatre


def toy_body(**extra) -> dict:
    """Five towns on a line, an offensive, a truce (id 'truce') and a later agreement (id 'deal-2') that supersedes it."""
    return {"end": "2020-01-30", "seed": 7, "factions": {"regime": {"force": 50}},
            "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T4"], force=50),
                       ev(id="truce", date="2020-01-05", type="truce", name="t", effective="2020-01-06", parties=["russia"],
                          compliance={"regime": 0.9}, restraint=0.3),
                       ev(id="deal-2", date="2020-01-20", type="agreement", name="a", effective="2020-01-21", parties=["russia"],
                          compliance={"regime": 0.95}, restraint=0.5)], **extra}


@pytest.fixture
def toy(build) -> Path:
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts"))
    return build.scenario(toy_body())


# ---------------------------------------------------------------- with_params


def test_with_params_takes_dotted_paths_and_aliases_and_validates(toy):
    sc = load_scenario(toy)
    new = sc.with_params({"events.truce.restraint": 0.9}, regime__commit=0.7, events__deal_2__compliance__regime=0.5,
                         turkey__may_escalate=0, combat__lethality=np.float64(0.1))
    assert new.factions.regime.commit == 0.7 and new.combat.lethality == 0.1
    assert new.events[1].restraint == 0.9 and new.events[2].compliance["regime"] == 0.5
    assert new.factions.turkey.may_escalate is False
    assert sc.factions.regime.commit != 0.7 and sc.events[1].restraint == 0.3  # the original is unchanged
    # The same scenario as the sweep's own route.
    assert apply(sc, {"regime.commit": 0.7, "events.truce.restraint": 0.9}) == sc.with_params(regime__commit=0.7,
                                                                                             events__truce__restraint=0.9)


def test_every_sweep_path_has_an_alias_that_with_params_accepts():
    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "moscow.yaml")
    paths = parameter_paths(sc)
    assert sim.io.paths.parameter_paths(sc) == paths
    table = sim.parameters(sc)
    assert table["path"].tolist() == paths and all(a.isidentifier() for a in table["alias"])
    for row in table.itertuples():
        value = row.value if row.type != "float" else (row.low + row.high) / 2 if math.isfinite(row.high) else row.value
        assert sc.with_params({row.alias: value}) == apply(sc, {row.path: value}), row.path
        assert row.low <= row.value <= row.high, row.path
    assert sim.alias("events.jan-truce.restraint") == "events__jan_truce__restraint"
    assert sim.alias("ceasefire_days:jan-truce") == "ceasefire_days__jan_truce"


@pytest.mark.parametrize(("values", "key", "words"), [
    ({"events.truce.restraint": 1.7}, "events.truce.restraint", "less than or equal to 1"),
    ({"events__truce__restraint": -0.1}, "events.truce.restraint", "greater than or equal to 0"),
    ({"russia.air_power": 11}, "russia.air_power", "less than or equal to 10"),
    ({"regime.comit": 0.3}, "regime.comit", "did you mean 'regime.commit'"),
    ({"regime__comit": 0.3}, "regime__comit", "did you mean 'regime__commit'"),
    ({"turkey.may_escalate": 0.5}, "turkey.may_escalate", "is a switch"),
    ({"hts.protest_days": 2.5}, "hts.protest_days", "is 2.5, where a whole number is wanted"),
    ({"regime.commit": "high"}, "regime.commit", "the text 'high', where a number is wanted"),
    ({"regime.commit": True}, "regime.commit", "takes a number"),
    ({"regime.commit": float("nan")}, "regime.commit", "finite number"),
])
def test_with_params_refuses_what_the_schema_refuses(toy, values, key, words):
    with pytest.raises(InputError) as info:
        load_scenario(toy).with_params(values)
    assert info.value.key == key and words in str(info.value), str(info.value)


def test_a_parameter_given_by_its_path_and_its_alias_is_refused_naming_both(toy):
    """with_params({"regime.commit": 0.6}, regime__commit=0.7), or one mapping holding both names, kept the last value
    without a word, where a sweep refuses the same parameter as swept twice."""
    sc = load_scenario(toy)
    for values, keywords, first, second in [({"regime.commit": 0.6}, {"regime__commit": 0.7}, "regime.commit", "regime__commit"),
                                            ({"regime__commit": 0.6, "regime.commit": 0.7}, {}, "regime__commit", "regime.commit"),
                                            ({"events__truce__restraint": 0.6}, {"events__truce__restraint": 0.7},
                                             "events__truce__restraint", "in the mapping and as a keyword")]:
        with pytest.raises(InputError) as info:
            sc.with_params(values, **keywords)
        path = "events.truce.restraint" if "truce" in first else "regime.commit"
        assert info.value.key == path and f"'{path}' is given twice" in str(info.value), str(info.value)
        assert f"'{first}'" in str(info.value) and second in str(info.value) and "(0.6 and 0.7)" in str(info.value), str(info.value)
    # Two different parameters, one by path and one by alias, are two: both set.
    both = sc.with_params({"regime.commit": 0.6}, events__truce__restraint=0.7)
    assert (both.factions.regime.commit, both.events[1].restraint) == (0.6, 0.7)


def test_an_alias_two_event_ids_share_is_refused(build):
    line_theatre(build)
    def truce(**kw) -> dict:  # a fresh dict each time: yaml.safe_dump writes a shared one as an alias
        return ev(type="truce", name="t", parties=["russia"], compliance={"regime": 0.9}, **kw)

    sc = load_scenario(build.scenario({"events": [truce(id="a-b", date="2020-01-05", effective="2020-01-06", until="2020-01-08"),
                                                   truce(id="a_b", date="2020-01-10", effective="2020-01-11")]}))
    with pytest.raises(InputError, match="ambiguous"):
        sc.with_params(events__a_b__restraint=0.5)
    assert sc.with_params({"events.a-b.restraint": 0.5}).events[0].restraint == 0.5


def test_a_scenario_copied_without_validation_is_refused_by_simulate_and_the_model(toy):
    """The issue's case: model_copy(update=...) skips validation; simulate() ran a restraint of 1.7."""
    sc = load_scenario(toy)
    events = list(sc.events)
    events[1] = events[1].model_copy(update={"restraint": 1.7})
    bad = sc.model_copy(update={"events": events})
    for route in (lambda: sim.simulate(bad), lambda: CeasefireModel(bad), lambda: sim.run_with(bad)):
        with pytest.raises(InputError, match="less than or equal to 1") as info:
            route()
        assert info.value.key == "events[1].restraint"
    lethal = sc.model_copy(update={"combat": sc.combat.model_copy(update={"lethality": 7.0})})
    with pytest.raises(InputError, match="combat.lethality"):
        sim.simulate(lethal)


def edited(sc: sim.Scenario, i: int, **update) -> sim.Scenario:
    """``sc`` with event ``i`` changed, by model_copy (no validation, no cross-check)."""
    events = list(sc.events)
    events[i] = events[i].model_copy(update=update)
    return sc.model_copy(update={"events": events})


def test_a_scenario_copied_without_its_cross_checks_is_refused_as_its_file_would_be(toy):
    """Validating a model_copy'd scenario again checked each value alone, not what the file route checks across them:
    two events with one id ran, a truce in force before it was agreed ran, an event after the end ran (and gave NaN),
    an axis through a town the theatre lacks and a start from a front it has no column for stopped with a bare
    KeyError. Each is refused, by every route, naming the scenario and the key."""
    sc = load_scenario(toy)
    cases = [
        (sc.model_copy(update={"events": [*sc.events, sc.events[1]]}), "events[3].id", "duplicate event id 'truce'"),
        (edited(sc, 1, effective=dt.date(2020, 1, 3)), "events[1].effective", "is before the event's date"),
        (edited(sc, 2, date=dt.date(2021, 1, 20), effective=dt.date(2021, 1, 21)), "events[2].date", "outside the scenario window"),
        (edited(sc, 0, axis=["Nowhere"]), "events[0].axis[0]", "unknown town 'Nowhere'"),
        (sc.model_copy(update={"initial_control": dt.date(2030, 1, 1)}), "initial_control", "no control column for 2030-01-01"),
    ]
    for bad, key, words in cases:
        for route in (lambda: sim.simulate(bad), lambda: CeasefireModel(bad), lambda: sim.run_with(bad)):
            with pytest.raises(InputError, match=re.escape(words)) as info:
                route()
            assert info.value.key == key and info.value.line is None and "scenario toy" in str(info.value), str(info.value)
    # A copy that changes only numbers is run (checked once for its shape, whatever its numbers).
    assert sim.simulate(edited(sc, 1, restraint=0.4)).scenario.events[1].restraint == 0.4


def test_simulate_the_model_and_run_ensemble_take_a_path_as_run_with_does(toy, tmp_path):
    """``simulate("scenarios/x.yaml")`` read the path a character at a time ("one scenario per seed: 23 scenarios
    for 1 seeds"); a path is loaded, as run_with and parameters take one, and anything else is an InputError."""
    loaded = sim.simulate(load_scenario(toy), seed=3)
    for path in (str(toy), Path(toy)):
        run = sim.simulate(path, seed=3)
        assert run.scenario == loaded.scenario
        assert np.array_equal(run.history, loaded.history) and run.metrics() == pytest.approx(loaded.metrics(), nan_ok=True)
        model = CeasefireModel(path, seed=3)
        assert model.seeds == [3] and model.spec == loaded.scenario
    assert CeasefireModel([str(toy), load_scenario(toy)], seeds=[1, 2]).replicates == 2
    ensemble = sim.run_ensemble(str(toy), 2, tmp_path / "e")
    assert [r.seed for r in ensemble.runs] == [7, 8] and ensemble.manifest["scenario"] == str(toy)
    for route in (lambda: sim.simulate(42), lambda: CeasefireModel({"end": "2020-01-30"}), lambda: sim.run_with(3.5)):
        with pytest.raises(InputError, match="a Scenario .* or the path of a scenario file") as info:
            route()
        assert info.value.key == "scenario"


def test_simulate_and_run_ensemble_take_seed_and_days_as_run_does(toy, tmp_path, capsys):
    """simulate(days=10) was a TypeError and run_ensemble had no seed or days: --seed and --days were reachable from
    Python only through load_scenario(path, seed=..., end=...). Both go the command line's way now."""
    from sim.cli import main

    short = load_scenario(toy, end=dt.date(2020, 1, 11))  # what `run --days 10` ran: 10 days after 1 January
    for given in (toy, str(toy), load_scenario(toy)):
        run = sim.simulate(given, days=10, seed=3)
        assert run.scenario == short and run.seed == 3 and len(run.timeseries) == 11, run.scenario.end
        assert run.timeseries["date"].iloc[-1] == "2020-01-11"
    assert main(["run", str(toy), "--days", "10", "--seed", "3", "--no-map", "-q", "--out", str(tmp_path / "cli")]) == 0
    assert sim.load_results(tmp_path / "cli").runs[0].timeseries.equals(sim.simulate(toy, days=10, seed=3).timeseries)
    # An ensemble: the same folder as `run --runs 2 --seed 5 --days 10`, manifest and all (but its timestamps).
    assert main(["run", str(toy), "--runs", "2", "--workers", "1", "--seed", "5", "--days", "10", "-q",
                 "--out", str(tmp_path / "cli-e")]) == 0
    capsys.readouterr()
    ens = sim.run_ensemble(toy, 2, tmp_path / "py-e", seed=5, days=10)
    assert [r.seed for r in ens.runs] == [5, 6] and ens.runs[0].days == 10
    timeless = {"started_at", "finished_at", "parts"}
    manifests = [{k: v for k, v in sim.load_results(tmp_path / f).manifest.items() if k not in timeless} for f in ("cli-e", "py-e")]
    assert manifests[0] == manifests[1]
    # Refused in the flag's words, under the keyword's name.
    for days in (0, 30):
        with pytest.raises(InputError) as py:
            sim.simulate(toy, days=days)
        assert py.value.key == "days", py.value
        assert main(["run", str(toy), "--days", str(days), "--out", str(tmp_path / "never")]) == 2
        assert capsys.readouterr().err == f"error: --days: {py.value.message}\n"
    with pytest.raises(InputError, match="'days': expects a whole number of days, not 2.5"):
        sim.simulate(toy, days=2.5)
    with pytest.raises(InputError, match="'seed': must be a whole number from 0"):
        sim.run_ensemble(toy, 2, tmp_path / "never", seed=-1)
    assert not (tmp_path / "never").exists()


def test_scorecard_takes_a_results_folders_path_as_compare_does(toy, tmp_path):
    """sim.scorecard("results/...") raised "AttributeError: 'str' object has no attribute 'claims_file'"."""
    (toy.parent / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: t4, set: calibration, kind: controller, description: x, town: T4, "
        "date: 2020-01-20, controller: hts, source: [test-claim], note: a test}\n")
    folder = sim.write_run(sim.simulate(toy), tmp_path / "run", map_png=False)
    by_path, by_results = sim.scorecard(str(folder)), sim.scorecard(sim.load_results(folder))
    assert sim.outcome_table(by_path).equals(sim.outcome_table(by_results)) and len(by_path.scores) == 1
    assert sim.outcome_table(sim.scorecard(Path(folder))).equals(sim.outcome_table(by_results))
    with pytest.raises(InputError, match="needs a results folder's path, or the Results of sim.load_results") as info:
        sim.scorecard(42)
    assert info.value.key == "results"
    with pytest.raises(InputError, match="nowhere: no such folder"):
        sim.scorecard(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="not a results folder"):
        sim.scorecard(tmp_path / "empty")


def test_the_model_refuses_seed_with_seeds_and_a_scenario_list_of_another_length_as_input_errors(toy):
    """`CeasefireModel(sc, seed=1, seeds=[1, 2])`, a scenario list whose length is not the seeds' and an empty list
    raised ValueError or IndexError ("list index out of range"), where the rest of the API raises InputError naming
    the argument and what is valid."""
    sc = load_scenario(toy)
    cases = [
        (lambda: CeasefireModel(sc, seed=1, seeds=[1, 2]), "seeds",
         "give either seed or seeds, not both (got seed=1 and seeds=[1, 2]): seed runs one replicate, seeds one per seed"),
        (lambda: CeasefireModel([sc, sc], seeds=[1]), "scenario",
         "one scenario per seed: 2 scenarios for 1 seed; give as many scenarios as seeds, or one scenario for all"),
        (lambda: CeasefireModel([sc], seeds=[1, 2, 3]), "scenario",
         "one scenario per seed: 1 scenario for 3 seeds; give as many scenarios as seeds, or one scenario for all"),
        (lambda: CeasefireModel(sc, seeds=[]), "seeds", "give at least one seed (got an empty list)"),
        (lambda: CeasefireModel([], seeds=[1]), "scenario", "give a scenario, or one per seed (got an empty list)"),
    ]
    for route, key, message in cases:
        with pytest.raises(InputError) as info:
            route()
        assert (info.value.key, info.value.message) == (key, message), info.value
        assert str(info.value) == f"'{key}': {message}"
    assert CeasefireModel([sc, sc], seeds=[4, 5]).seeds == [4, 5]  # as many as the seeds: still a batch


def test_seeds_given_as_a_string_or_a_number_are_refused_as_such_naming_seeds(toy):
    """`CeasefireModel(sc, seeds="12")` said "'seed': ... (got '1')": the string was read character by character, as
    the seeds '1' and '2', and the refusal named seed, which the caller had not given; seeds=12 raised a TypeError."""
    for seeds in ("12", b"12", 12):
        with pytest.raises(InputError) as info:
            CeasefireModel(toy, seeds=seeds)
        assert info.value.key == "seeds", info.value
        assert info.value.message == (f"must be a list of seeds, one whole number per replicate (got {seeds!r}); for one "
                                      "replicate, give seed")
    assert CeasefireModel(toy, seeds=np.array([3, 4])).seeds == [3, 4]  # an array, a tuple or a range is a list of seeds
    assert CeasefireModel(toy, seeds=range(2)).seeds == [0, 1]


def test_a_bad_date_or_seed_in_python_is_an_input_error_naming_it_and_the_valid_range(toy):
    """controller_on("2020-02-30") raised pandas' DateParseError, a day outside the run did not say the run's days,
    and simulate(seed=-1) raised numpy's "expected non-negative integer"."""
    run = sim.simulate(toy)  # 2020-01-01 to 2020-01-30
    window = "the run's days are 2020-01-01 to 2020-01-30"
    assert run.controller_on("2020-01-10").equals(run.controller_on(dt.date(2020, 1, 10)))
    for date, words in [("2020-02-30", "2020-02-30 does not exist: February 2020 has 29 days"),
                        ("garbage", "'garbage' is not a date"), (20200110, "20200110 is not a date"),
                        ("2020-06-01", "2020-06-01 is outside the run"), (dt.date(2019, 12, 31), "2019-12-31 is outside the run")]:
        with pytest.raises(InputError) as info:
            run.controller_on(date)
        assert info.value.key == "date" and words in info.value.message and window in info.value.message, info.value
    for seed in (-1, 2**63, 1.5, True):
        for route in (lambda: sim.simulate(toy, seed=seed), lambda: CeasefireModel(toy, seeds=[1, seed])):
            with pytest.raises(InputError) as info:
                route()
            assert str(info.value) == f"'seed': must be a whole number from 0 to 9223372036854775807 (got {seed!r})"
    assert sim.simulate(toy, seed=np.int64(2**63 - 1)).seed == 2**63 - 1
    assert run.controller_on(pd.Timestamp("2020-01-30")).name == "2020-01-30"  # named by the day, whatever the type


# ---------------------------------------------------------------- metrics


def test_metrics_are_the_sweep_row_with_per_event_ceasefire_days(toy, tmp_path):
    sc = load_scenario(toy)
    design = make_design("grid", [Parameter("regime.commit", values=(0.4, 0.8))])
    run_sweep(SweepSpec(Path(toy).resolve(), design, 3), tmp_path / "s")
    rows = read_rows(tmp_path / "s").set_index(["point", "replicate"])
    for (point, replicate), row in rows.iterrows():
        commit = design.points[point][0]
        mine = sim.simulate(sc.with_params(regime__commit=commit), seed=7 + replicate).metrics()
        expected = row.drop(["seed", "regime.commit"]).to_dict()
        assert mine.keys() == expected.keys()
        assert all(mine[k] == expected[k] or (math.isnan(mine[k]) and math.isnan(expected[k])) for k in mine), (point, replicate)
    assert {"ceasefire_days:truce", "ceasefire_broken:truce", "ceasefire_days:deal-2", "ceasefire_broken:deal-2"} <= set(rows)


def test_ceasefire_days_per_event(toy):
    sc = load_scenario(toy)
    for seed in range(6):
        m = sim.simulate(sc, seed=seed).metrics()
        # The first deal ends by breakdown (then it is ceasefire_days, the first ceasefire's) or when the
        # agreement is announced (20 Jan), which supersedes it.
        if m["ceasefire_broken:truce"] == 1:
            assert m["ceasefire_days:truce"] == m["ceasefire_days"] < 14
        else:
            assert m["ceasefire_days:truce"] == 14  # in force 6 Jan, superseded on 20 Jan
        assert 0 <= m["ceasefire_days:deal-2"] <= 10  # in force from 21 Jan to at most the end (30 Jan)
    held = sc.with_params(events__truce__restraint=1.0, events__deal_2__restraint=1.0)
    m = sim.simulate(held).metrics()
    assert (m["ceasefire_days:truce"], m["ceasefire_broken:truce"]) == (14, 0)
    assert (m["ceasefire_days:deal-2"], m["ceasefire_broken:deal-2"]) == (10, 0)



def test_a_deal_that_never_comes_into_force_has_no_days(build):
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts"))
    sc = load_scenario(build.scenario(toy_body(end="2020-01-20")))  # the agreement is announced on the last day
    m = sim.simulate(sc.with_params(events__truce__restraint=1.0)).metrics()
    assert (m["ceasefire_days:truce"], m["ceasefire_broken:truce"]) == (14, 0)
    assert math.isnan(m["ceasefire_days:deal-2"]) and math.isnan(m["ceasefire_broken:deal-2"])


# ---------------------------------------------------------------- run_with


def test_run_with_averages_seeded_replicates(toy):
    out = sim.run_with(toy, replicates=4, per_replicate=True, regime__commit=0.8, events__truce__restraint=0.6)
    runs = pd.DataFrame(out.pop("runs"))
    assert runs["seed"].tolist() == [7, 8, 9, 10]  # replicate i: scenario seed + i
    assert out["ceasefire_days"] == pytest.approx(runs["ceasefire_days"].mean())
    assert all(isinstance(v, float) for v in out.values())
    sc = load_scenario(toy).with_params(regime__commit=0.8, events__truce__restraint=0.6)
    assert runs.iloc[2].drop("seed").to_dict() == pytest.approx(sim.simulate(sc, seed=9).metrics(), nan_ok=True)
    again = sim.run_with(load_scenario(toy), seed=9, **{"regime.commit": 0.8, "events.truce.restraint": 0.6})
    assert again == pytest.approx(runs.iloc[2].drop("seed").to_dict(), nan_ok=True)
    assert sim.replicate_seeds(toy, 3) == [7, 8, 9] and sim.replicate_seeds(toy, 2, seed=100) == [100, 101]


def test_run_with_refuses_bad_values_seeds_and_counts(toy):
    with pytest.raises(InputError, match="less than or equal to 1"):
        sim.run_with(toy, events__truce__restraint=1.7)
    for bad in ({"replicates": 0}, {"replicates": 1.5}, {"seed": -1}, {"seed": 2**63}):
        with pytest.raises(InputError):
            sim.run_with(toy, **bad)


def test_the_scenario_readme_shows_every_declared_range():
    """Each faction, combat and civilian parameter's row in scenarios/README.md gives the range the schema declares."""
    import re

    from sim.io import rule_parameters as params

    doc = (Path(__file__).resolve().parents[1] / "scenarios" / "README.md").read_text()
    parts = re.split(r"^#### `([\w.]+)`", doc, flags=re.M)
    tables = {title.removeprefix("factions."): dict(re.findall(r"^\| `(\w+)` \| `[^`]*` \| ([^|]+) \|", body, flags=re.M))
              for title, body in zip(parts[1::2], parts[2::2], strict=True)}
    groups = {"regime": params.RegimeParams, "russia": params.RussiaParams, "turkey": params.TurkeyParams, "hts": params.HTSParams,
              "rebels": params.RebelParams, "combat": params.CombatParams, "civilians": params.CivilianParams}
    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "moscow.yaml")
    for group, model in groups.items():
        for name, field in model.model_fields.items():
            if name == "objective_roads":
                continue  # a mapping, not a number
            low, high, kind = sim.io.paths.declared_range(sc, f"{group}.{name}")
            shown = tables[group][name].strip()
            if kind is bool:
                assert shown == "yes / no", name
                continue
            lo, hi = (float(x.replace(",", "")) for x in shown.split(" – "))
            assert (lo, hi) == (low, high), f"{group}.{name}: README {shown}, schema {low} - {high}"
            assert math.isfinite(high) and field.description, f"{group}.{name} has no upper bound or no reason"


def test_what_the_api_returns_shows_in_a_few_lines_at_a_prompt(tmp_path):
    """At a Python prompt or in a notebook, `sim.simulate(...)`, `sim.load_results(...)`, `sim.scorecard(...)` and
    `sim.compare(...)` printed 45,000 to 310,000 characters, a scenario 12,000: the theatre's every town and coordinate array, the
    manifest, every outcome scored. Each now shows what it is in a few lines, and its fields are all still there."""
    from .conftest import ROOT

    run = sim.simulate(ROOT / "scenarios" / "campaign.yaml", seed=1, days=3)
    sim.write_run(run, tmp_path / "a")
    results = sim.load_results(tmp_path / "a")
    card = sim.scorecard(results)
    shown = {"scenario": repr(run.scenario), "printed scenario": str(run.scenario), "run": repr(run), "theatre": repr(run.theatre), "results": repr(results), "scorecard": repr(card),
             "comparison": repr(sim.compare(card, card))}
    for what, text in shown.items():
        assert len(text) < 1000, (what, len(text), text[:2000])
    assert "191 towns" in shown["theatre"] and "campaign" in shown["run"] and str(tmp_path / "a") in shown["results"]
    assert len(run.theatre.towns) == 191 and results.manifest["scenario_name"] == "campaign" and card.skipped


# ---------------------------------------------------------------- round 55: the Python API's own inputs


def test_load_scenario_takes_end_as_a_date_string_or_a_datetime_as_its_docstring_says(toy):
    """``load_scenario(path, end="2020-01-11")`` (the docstring's own override, written as the file writes it) raised
    "TypeError: '>' not supported between instances of 'datetime.date' and 'str'", as did a datetime or a pandas
    Timestamp: the events after the new end were picked by comparing their dates with it as given."""
    short = load_scenario(toy, end=dt.date(2020, 1, 11))
    assert len(short.events) == 2 and short.end == dt.date(2020, 1, 11)  # the agreement of 20 January left out
    for end in ("2020-01-11", dt.datetime(2020, 1, 11), pd.Timestamp("2020-01-11")):
        assert load_scenario(toy, end=end) == short, end
    for end, words in [("2020-02-30", "2020-02-30 does not exist: February 2020 has 29 days"),
                       ("soon", "'soon' is not a date: write dates as YYYY-MM-DD"), (5, "5 is a number, where a date is wanted")]:
        with pytest.raises(InputError) as info:
            load_scenario(toy, end=end)
        assert info.value.key == "end" and info.value.message.startswith(words), info.value


def test_controller_on_reads_a_string_only_as_yyyy_mm_dd(toy):
    """``controller_on("01/05/2020")`` answered for 5 January, pandas' month-first reading, where a reader of day-first
    dates meant 1 May: a silent wrong day. Strings are read as YYYY-MM-DD, as the files and the flags read them."""
    run = sim.simulate(toy)  # 2020-01-01 to 2020-01-30
    for text, words in [("01/05/2020", "'01/05/2020' is not a date: write dates as YYYY-MM-DD"),
                        ("5 Jan 2020", "'5 Jan 2020' is not a date: write dates as YYYY-MM-DD"),
                        ("2020-1-5", "'2020-1-5' is not a date as written: write dates as YYYY-MM-DD, here 2020-01-05")]:
        with pytest.raises(InputError) as info:
            run.controller_on(text)
        assert info.value.key == "date" and info.value.message.startswith(words), info.value
        assert info.value.message.endswith("the run's days are 2020-01-01 to 2020-01-30"), info.value
    assert run.controller_on(" 2020-01-05 ").name == "2020-01-05"
    assert run.controller_on(np.datetime64("2020-01-05")).equals(run.controller_on("2020-01-05"))


def json_of(path: Path) -> dict:
    """A JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))


def test_numpy_whole_numbers_are_taken_as_seeds_counts_and_workers_on_every_route(toy, tmp_path):
    """``run_with(sc, seed=np.int64(1))``, ``replicates=``, ``run_ensemble(sc, np.int64(2), ...)`` and ``workers=``
    were refused as "must be a whole number ... (got np.int64(2))" (a whole number, as the message did not see), where
    ``simulate`` and ``CeasefireModel`` take numpy's integers: a loop over ``np.arange`` failed on some routes only."""
    sc = load_scenario(toy)
    assert sim.run_with(sc, seed=np.int64(3), replicates=np.int64(2)) == pytest.approx(
        sim.run_with(sc, seed=3, replicates=2), nan_ok=True)
    seeds = sim.replicate_seeds(sc, np.int32(2), seed=np.uint64(3))
    assert seeds == [3, 4] and all(type(s) is int for s in seeds)
    ens = sim.run_ensemble(sc, np.int64(2), tmp_path / "e", seed=np.int64(3), workers=np.int64(1))
    assert [r.seed for r in ens.runs] == [3, 4] and ens.manifest["seeds"] == [3, 4]
    design = make_design("lhs", [Parameter("regime.commit", low=0.4, high=0.8)], n=np.int64(2), seed=np.int64(5))
    assert design.describe() == make_design("lhs", [Parameter("regime.commit", low=0.4, high=0.8)], n=2, seed=5).describe()
    run_sweep(SweepSpec(Path(toy).resolve(), design, 2), tmp_path / "s", seed=np.int64(3), workers=np.int64(1))
    assert sorted(set(read_rows(tmp_path / "s")["seed"])) == [3, 4] and json_of(tmp_path / "s" / "sweep.json")["seed"] == 3
    for bad in (np.int64(0), np.float64(2.0), np.bool_(True)):
        with pytest.raises(InputError, match="must be a whole number from 1 to 100,000"):
            sim.run_with(sc, replicates=bad)


def test_write_run_refuses_what_is_not_a_run_before_touching_the_folder(toy, tmp_path):
    """``write_run(sim.load_results(folder), out)`` or ``write_run(None, out)`` raised "AttributeError: ... has no
    attribute 'scenario'"; the RunResult of simulate is what it writes, and an ensemble is run_ensemble's to write."""
    ens = sim.run_ensemble(toy, 1, tmp_path / "e")
    for given in (ens, None, "results/x"):
        with pytest.raises(InputError) as info:
            sim.write_run(given, tmp_path / "out")
        assert info.value.key == "result" and info.value.message == (
            f"needs the RunResult of sim.simulate (got a {type(given).__name__}); an ensemble's folder is written by "
            "sim.run_ensemble"), info.value
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("read", [sim.load_scenario, sim.load_results, sim.load_theatre, sim.check, read_rows,
                                  "load_sweep", "load_calibration", "sweep_report", "discover"])
@pytest.mark.parametrize("given", [None, 3, "scenario"])
def test_a_reader_given_no_path_says_it_needs_one(toy, read, given):
    """Round 55: given None, a number or a loaded Scenario, each public reader of a file or folder raised pathlib's
    TypeError ("argument should be a str or an os.PathLike object ..., not 'NoneType'")."""
    if isinstance(read, str):
        read = getattr(sim, read, None) or getattr(__import__("sim.api", fromlist=[read]), read)
    value = load_scenario(toy) if given == "scenario" else given
    with pytest.raises(InputError) as info:
        read(*([value, "x > 0"] if read.__name__ == "discover" else [value]))
    said = str(info.value)
    assert "needs a path" in said and type(value).__name__ in said, said
    assert given != "scenario" or "loaded already" in said, said
