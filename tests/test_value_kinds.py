"""One rule for the kind of every value a user gives: a number is written as a number, a whole number as a whole
number, a switch as true/false, in every input file and in every switch of the Python API.

pydantic's lax mode read ``seed: "5"`` as 5, ``runs: 2.0`` as 2 and ``may_escalate: 1`` as true in scenario,
calibration and outcomes files, where sweep files and the checks on ``true`` refused them; and
``simulate(..., check_invariants="no")`` ran with the checks on, since "no" is truthy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.io.schema import Scenario

from .conftest import ROOT

MOSCOW = ROOT / "scenarios" / "moscow.yaml"
SCENARIO = f"extends: {MOSCOW}\nname: mine\n"  # line 3 is the value under test
STRIKE = ("events:\n  - {type: strike, date: 2020-03-10, by: russia, town: Saraqib, source: [moscow-protocol], "
          "casualties: {turkey: %s}}\n")
CALIBRATION = f"scenarios: {MOSCOW}\nparameters:\n  regime.commit: {{low: 0.2, high: 0.9%s}}\nbudget: {{trials: %s}}\n%s"
OUTCOME = (f"claims: {ROOT / 'seeds' / 'claims.yaml'}\noutcomes:\n  - id: x\n    set: calibration\n    description: d\n"
           "    source: [moscow-protocol]\n%s")  # the outcome's own keys from line 7 on
CAPTURE = "    kind: capture\n    town: Saraqib\n    by: regime\n    reported: 2020-03-02\n    tolerance_days: %s\n"
FRONT = "    kind: front\n    date: 2020-03-06\n    reference: 2020-03-06\n    min_accuracy: %s\n"

# (file, its text, the line and key refused, words of the refusal)
WRONG_KINDS = [
    ("scenario", SCENARIO + "seed: '5'\n", 3, "seed", "the text '5', where a whole number is wanted: write it without quotes"),
    ("scenario", SCENARIO + "seed: 5.0\n", 3, "seed", "5.0, where a whole number is wanted"),
    ("scenario", SCENARIO + "factions: {regime: {commit: '0.5'}}\n", 3, "factions.regime.commit", "the text '0.5', where a number"),
    ("scenario", SCENARIO + "factions: {regime: {commit: yes}}\n", 3, "factions.regime.commit", "true/false, where a number"),
    ("scenario", SCENARIO + "factions: {turkey: {may_escalate: 1}}\n", 3, "factions.turkey.may_escalate", "1, where true or false"),
    ("scenario", SCENARIO + "factions: {turkey: {may_escalate: 'true'}}\n", 3, "factions.turkey.may_escalate",
     "the text 'true', where true or false"),
    ("scenario", SCENARIO + "factions: {hts: {protest_days: 3.0}}\n", 3, "factions.hts.protest_days", "a whole number"),
    ("scenario", SCENARIO + "combat: {noise: '0.2'}\n", 3, "combat.noise", "the text '0.2'"),
    ("scenario", SCENARIO + STRIKE % "3.0", 4, "events[0].casualties.turkey", "3.0, where a whole number"),
    ("calibration", CALIBRATION % ("", "'3'", ""), 4, "budget.trials", "the text '3', where a whole number"),
    ("calibration", CALIBRATION % ("", "3.0", ""), 4, "budget.trials", "3.0, where a whole number"),
    ("calibration", CALIBRATION % ("", "true", ""), 4, "budget.trials", "true/false, where a whole number"),
    ("calibration", CALIBRATION % (", log: 1", "3", ""), 3, "parameters.regime.commit.log", "1, where true or false"),
    ("calibration", CALIBRATION % ("", "3", "objective: {dates: '1'}\n"), 5, "objective.dates", "the text '1'"),
    ("calibration", CALIBRATION % ("", "3", "replicates: 4.0\n"), 5, "replicates", "4.0, where a whole number"),
    ("outcomes", OUTCOME % (CAPTURE % "'7'"), 11, "outcomes[0].tolerance_days", "the text '7', where a whole number"),
    ("outcomes", OUTCOME % (CAPTURE % "7.0"), 11, "outcomes[0].tolerance_days", "7.0, where a whole number"),
    ("outcomes", OUTCOME % (FRONT % "'0.9'"), 10, "outcomes[0].min_accuracy", "the text '0.9', where a number"),
    # Round 75: a date written as a number was read as seconds since 1970 (pydantic's lax dates): 0 as 1970-01-01, an
    # outcome never scored, and 1583452800 as 2020-03-06, run as if written so.
    ("scenario", SCENARIO + "end: 1583452800\n", 3, "end", "1583452800 is a number, where a date is wanted"),
    ("scenario", SCENARIO + STRIKE.replace("2020-03-10", "1583798400") % "3", 4, "events[0].date", "where a date is wanted"),
    ("outcomes", OUTCOME % (FRONT.replace("2020-03-06\n    ref", "0\n    ref") % "0.9"), 8, "outcomes[0].date",
     "0 is a number, where a date is wanted: write dates as YYYY-MM-DD"),
    ("outcomes", OUTCOME % (CAPTURE.replace("2020-03-02", "0.0") % "7"), 10, "outcomes[0].reported", "where a date is wanted"),
    # Round 77: a block left empty while a file is written (`turkey:` with nothing under it) was "input should be a valid
    # dictionary or instance of TurkeyParams (got None)", a class name of the code; a town given alone where a list goes
    # "input should be a valid list". A mapping or a list is a kind of value as a number is.
    ("scenario", SCENARIO + "factions:\n  turkey:\n", 4, "factions.turkey", "'turkey' is empty, where a mapping of keys"),
    ("scenario", SCENARIO + "factions: {turkey: 2}\n", 3, "factions.turkey", "'turkey' is 2, where a mapping of keys"),
    ("scenario", SCENARIO + "combat: [1]\n", 3, "combat", "'combat' is a list, where a mapping of keys"),
    ("scenario", SCENARIO + "events:\n", 3, "events", "'events' is empty, where a list is wanted"),
    ("scenario", SCENARIO + "remove_events: {a: 1}\n", 3, "remove_events", "a list"),
    ("scenario", SCENARIO + STRIKE.replace("town: Saraqib", "town: [Saraqib]") % "3", 4, "events[0].town", "where"),
    ("scenario", SCENARIO + STRIKE.replace("{turkey: %s}", "'5'"), 4, "events[0].casualties",
     "'casualties' is the text '5', where a mapping of keys"),
]


@pytest.mark.parametrize(("kind", "text", "line", "key", "words"), WRONG_KINDS,
                         ids=[f"{kind}-{key}-{i}" for i, (kind, _, _, key, _) in enumerate(WRONG_KINDS)])
def test_a_value_of_the_wrong_kind_is_refused_at_its_file_line_and_key(tmp_path, capsys, kind, text, line, key, words):
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text)
    rc = main(["check", str(path)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert f"{path}, line {line}, key '{key}': " in err and words in err, err


def _nodes(schema: object, skip=lambda node: False):  # noqa: ANN001, ANN202 - a predicate; a generator
    """Every mapping in a pydantic core schema, depth first, but those ``skip`` picks and what lies below them."""
    if isinstance(schema, dict) and not skip(schema):
        yield schema
        for value in schema.values():
            yield from _nodes(value, skip)
    elif isinstance(schema, list):
        for value in schema:
            yield from _nodes(value, skip)


def _lax_leaves(schema: object) -> list:
    """Every int, float or bool in a pydantic core schema that is validated in lax mode (a string or a float read
    as a whole number, a number as a switch)."""
    return [node for node in _nodes(schema) if node.get("type") in ("int", "float", "bool") and not node.get("strict")]


def test_every_number_and_switch_of_the_input_files_is_read_strictly():
    """The rule holds for keys the cases above do not name, and for keys added later."""
    from sim.analysis.outcomes_file import OutcomesFile
    from sim.experiments.calibration_file import CalibrationFile

    for model in (Scenario, CalibrationFile, OutcomesFile):
        assert _lax_leaves(model.__pydantic_core_schema__) == [], model.__name__
        assert _dates_read_from_numbers(model.__pydantic_core_schema__) == [], model.__name__


def _dates_read_from_numbers(schema: object) -> list:
    """Every date in a pydantic core schema that is not a :data:`sim.io.schema_types.Date` (which refuses a number,
    where a plain date reads it as seconds since 1970)."""
    from sim.io.schema_types import no_number_for_a_date

    def is_a_date_type(node: dict) -> bool:
        return node.get("type") == "function-before" and node.get("function", {}).get("function") is no_number_for_a_date

    return [node for node in _nodes(schema, skip=is_a_date_type) if node.get("type") == "date"]


@pytest.mark.parametrize("overrides", [{"seed": 5.0}, {"seed": "5"}, {"seed": -1}, {"factions": {"turkey": {"may_escalate": 1}}}])
def test_a_keyword_of_load_scenario_is_refused_by_its_name_not_at_the_files_line(overrides):
    """moscow.yaml's own `seed: 7` is on line 11: a value given as a keyword was blamed there, on a line that is right."""
    with pytest.raises(sim.InputError) as info:
        sim.load_scenario(MOSCOW, **overrides)
    err = info.value
    assert (err.file, err.line) == (None, None) and err.key.split(".")[0] == next(iter(overrides)), str(err)


def _calls(out: Path) -> dict:
    """Each switch of the Python API (sim's exports), called with a value that is not True or False. Arguments the
    switch is checked before are given as None: nothing may be read, run or written first."""
    return {
        "simulate check_invariants": lambda v: sim.simulate(MOSCOW, days=1, check_invariants=v),
        "CeasefireModel check_invariants": lambda v: sim.CeasefireModel(MOSCOW, check_invariants=v),
        "write_run map_png": lambda v: sim.write_run(None, out, map_png=v),
        "run_ensemble progress": lambda v: sim.run_ensemble(MOSCOW, 1, out, progress=v),
        "run_sweep progress": lambda v: sim.run_sweep(None, out, progress=v),
        "run_calibration progress": lambda v: sim.run_calibration(None, out, progress=v),
        "animate progress": lambda v: sim.animate(out, progress=v),
        "run_with per_replicate": lambda v: sim.run_with(MOSCOW, per_replicate=v),
        "ema_model replicator": lambda v: sim.ema_model(MOSCOW, ["regime.commit"], replicator=v),
        "outcome_table words": lambda v: sim.outcome_table(None, words=v),
        "score by_set": lambda v: sim.score(None, [], by_set=v),
    }


# Exports with bool fields that are not switches of a call: a Comparison is compare()'s result, its fields what it found.
RESULTS = {"Comparison"}


def test_every_switch_of_sim_s_exports_is_among_those_checked():
    """A new bool keyword of an exported function or class would take "no" for True again unless it is checked: every one
    found by reading the signatures must be a call above."""
    import inspect

    found = set()
    for name in set(sim.__all__) - RESULTS:
        obj = getattr(sim, name)
        if not callable(obj):
            continue
        for param in inspect.signature(obj.__init__ if inspect.isclass(obj) else obj).parameters.values():
            if str(param.annotation).replace(" ", "") in ("bool", "bool|None", "<class'bool'>"):
                found.add(f"{name} {param.name}")
    assert found == set(_calls(Path())), found ^ set(_calls(Path()))


@pytest.mark.parametrize("value", ["no", 0, None])
@pytest.mark.parametrize("call", list(_calls(Path())))
def test_a_switch_of_the_python_api_takes_only_true_or_false(tmp_path, call, value):
    """check_invariants="no" ran with the checks on ("no" is truthy), 0 and None with them off, without a word."""
    with pytest.raises(sim.InputError) as info:
        _calls(tmp_path / "out")[call](value)
    assert info.value.key == call.split()[-1] and f"must be True or False (got {value!r})" in str(info.value), str(info.value)
    assert not (tmp_path / "out").exists()


def test_a_keyword_of_load_scenario_takes_numpy_s_whole_number_as_the_api_s_other_routes_do():
    """seed=np.int64(5), as a design or a DataFrame holds it, was refused as "a int64, where a whole number is wanted",
    where simulate, replicate_seeds and with_params take it; a fraction stays refused."""
    import numpy as np

    assert sim.load_scenario(MOSCOW, seed=np.int64(5)).seed == 5
    with pytest.raises(sim.InputError, match="5.0, where a whole number is wanted"):
        sim.load_scenario(MOSCOW, seed=np.float64(5.0))


def test_a_value_of_another_type_is_named_with_its_article():
    import datetime as dt

    import numpy as np

    from sim.io.validation import wrong_kind

    assert wrong_kind(dt.date(2020, 1, 1), "seed", "a whole number") == "'seed' is a date, where a whole number is wanted"
    assert wrong_kind(np.int64(5), "seed", "a whole number") == "'seed' is an int64, where a whole number is wanted"
