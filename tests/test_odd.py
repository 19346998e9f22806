"""docs/odd.md, the model in the ODD protocol, stays in step with the code it describes.

A parameter, an event kind or a reported column added without a word in it, or a rule renamed under it, fails here.
Rules are written as calls (`combat.resolve()`), parameters without (`combat.lethality`): the two share a prefix.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import sim
import sim.model
from sim.io import rule_parameters, schema
from sim.model.reporters import REPORTERS

ROOT = Path(__file__).resolve().parents[1]
ODD = (ROOT / "docs" / "odd.md").read_text(encoding="utf-8")
CODE = set(re.findall(r"`([^`\s]+)`", ODD))  # every name written as code

# The scenario's parameter sections and the schema class of each.
FILE_SUFFIXES = ("py", "yaml", "md", "csv")  # `regime.py` names a file, not a rule

SECTIONS = {
    "combat": rule_parameters.CombatParams, "civilians": rule_parameters.CivilianParams, "regime": rule_parameters.RegimeParams,
    "russia": rule_parameters.RussiaParams, "turkey": rule_parameters.TurkeyParams, "hts": rule_parameters.HTSParams, "rebels": rule_parameters.RebelParams,
}


def _model_names() -> dict[str, object]:
    """Each module of sim.model by its short name, and each class defined in one by its name."""
    names: dict[str, object] = {}
    for info in pkgutil.iter_modules(sim.model.__path__):
        module = importlib.import_module(f"sim.model.{info.name}")
        names[info.name] = module
        names.update({n: c for n, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__})
    return names


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_every_parameter_of_each_section_is_named(section: str) -> None:
    """As its path (`regime.commit`), or by its name alone where it is no single value a sweep could set (a table)."""
    settable = set(sim.parameters(ROOT / "scenarios" / "campaign.yaml")["path"])
    missing = [f"{section}.{f}" for f in SECTIONS[section].model_fields
               if f"{section}.{f}" not in CODE and (f"{section}.{f}" in settable or f not in CODE)]
    assert not missing, f"docs/odd.md does not name {missing}"


def test_every_kind_of_scenario_event_is_named() -> None:
    kinds = {spec.model_fields["type"].annotation.__args__[0] for spec in _event_specs()}
    assert len(kinds) == 11
    assert not kinds - CODE, f"docs/odd.md does not name the events {sorted(kinds - CODE)}"


def _event_specs() -> list[type]:
    return [c for _, c in inspect.getmembers(schema, inspect.isclass)
            if issubclass(c, schema.EventSpec) and c is not schema.EventSpec]


def test_every_reported_column_is_named() -> None:
    assert not set(REPORTERS) - CODE, f"docs/odd.md does not name the columns {sorted(set(REPORTERS) - CODE)}"


def test_every_rule_it_names_exists() -> None:
    """Each `section.field` written as code is a parameter, and each `thing.name()` a function or method of the model."""
    names = _model_names()
    wrong = []
    for token in sorted(CODE):
        called = token.endswith("()")
        owner, _, attribute = token.removesuffix("()").partition(".")
        if not attribute or "/" in token or attribute in FILE_SUFFIXES or owner not in names and owner not in SECTIONS:
            continue  # a file, a column, a value: not a rule's name
        if not called and owner in SECTIONS and attribute in SECTIONS[owner].model_fields:
            continue
        if called and owner in names and callable(getattr(names[owner], attribute, None)):
            continue
        wrong.append(token)
    assert not wrong, f"docs/odd.md names what the model does not have: {wrong}"


def test_the_day_s_order_is_the_one_step_runs() -> None:
    """The process overview lists the factions in the order CeasefireModel.step activates them."""
    step = inspect.getsource(importlib.import_module("sim.model.model").CeasefireModel.step)
    in_code = re.search(r"for faction in \(([^)]*)\)", step).group(1)
    order = [n.strip().removeprefix("self.") for n in in_code.split(",")]
    classes = {"regime": "Regime", "russia": "Russia", "turkey": "Turkey", "hts": "HTS", "rebels": "Rebels"}
    overview = ODD[ODD.index("### 3. Process overview"):ODD.index("## 4. Design concepts")]
    listed = [m.group(1) for m in re.finditer(r"^\d+\. `(\w+)\.step\(\)`", overview, flags=re.M)]
    assert listed == [classes[n] for n in order]


def test_its_counts_are_those_of_the_record_and_the_theatre() -> None:
    import yaml

    from sim.io.theatre import load_theatre

    def outcomes(name: str) -> list[dict]:
        return yaml.safe_load((ROOT / "seeds" / name).read_text(encoding="utf-8"))["outcomes"]

    flat = " ".join(ODD.split())  # as read, whatever the line breaks
    record = outcomes("outcomes.yaml")
    theatre = load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml")
    assert f"{len(record)} outcomes" in flat
    assert f"{sum(o['kind'] == 'capture' for o in record)} dated changes of hands" in flat
    assert f"{len(outcomes('outcomes_blind.yaml'))} outcomes) was encoded after all fitting" in flat
    assert f"{theatre.n} places" in flat and f"{len(theatre.posts)} post sites" in flat


# Parameters a submodel row lists whose rule reads them through something made before it runs: a value the model works
# out when it is built, or a property. Each maps to what reads it, and the test checks that it does.
READ_ELSEWHERE = {
    "combat.urban_defence": "CeasefireModel.__init__",  # the urban factor, which combat.defence_factor reads
    "combat.rear_km": "CeasefireModel.__init__",  # the rear: pockets, and who may leave
    "combat.fighters_per_point": "CeasefireModel.add_casualties",
    "regime.objective_roads": "Regime.__init__",  # each town's value, which Regime._front reads
    "regime.junction_bonus": "Regime.__init__",
    "turkey.troop_deterrence": "Turkey.deterrence",  # a property: the factor ceasefire.regime_holds_back reads
    "russia.air_power": "Russia.attack_multiplier",  # a property: the factor combat.resolve reads
}


def _source(name: str, names: dict[str, object]) -> str:
    """The source of `Owner.attribute` (a method, a property's getter, or a module's function)."""
    owner, _, attribute = name.partition(".")
    thing = inspect.getattr_static(names[owner], attribute)
    return inspect.getsource(thing.fget if isinstance(thing, property) else getattr(names[owner], attribute))


def test_each_submodel_s_parameters_are_read_by_its_rules() -> None:
    """A parameter listed in a row of the submodels' table is read by a function that row names (or, for the few in
    READ_ELSEWHERE, where the model builds what that rule reads), not by another rule's."""
    names = _model_names()
    table = ODD[ODD.index("### 7. Submodels"):]
    rows = [line.split("|")[1:4] for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 10
    wrong = []
    for rule, where, params in rows:
        sources = [_source(f, names) for f in re.findall(r"`([\w.]+)\(\)`", where)]
        for section, field in re.findall(r"`(\w+)\.(\w+)`", params):
            path = f"{section}.{field}"
            if section not in SECTIONS:
                continue
            read = [_source(READ_ELSEWHERE[path], names)] if path in READ_ELSEWHERE else sources
            if not any(re.search(rf"\b{field}\b", text) for text in read):
                wrong.append(f"{path} ({rule.strip()})")
    assert not wrong, f"docs/odd.md lists parameters under rules that do not read them: {wrong}"
