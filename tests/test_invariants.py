"""Model invariants under fuzzed parameters, and proof that the checker bites.

``CeasefireModel(check_invariants=True)`` asserts after every day: one valid
controller per town; finite, non-negative garrisons, residents, displaced and
forces; every share or probability (shock, security, escalation, air effort,
patrol coverage, a deal's pressure) in [0, 1]; residents + those outside ==
initial population; those counted away from each town are those missing from
it, and the displaced less the returned are all of them; casualties never decrease; a regime bound by a ceasefire
in force starts no attack; a deal moves only along its TRANSITIONS. Here every
faction, combat, civilian and event parameter is drawn within and at the
edges of the ranges its pydantic Field declares — read from the schema, so a
new parameter or a changed bound is fuzzed without editing this file; and
several such points, differing per replicate, step as one batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import typing

import annotated_types as at
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import sim
from sim.experiments.parameters import apply
from sim.experiments.run import simulate_batch
from sim.io import rule_parameters, schema as s
from sim.model.ceasefire import STATES, CeasefireState
from sim.model.invariants import REACHABLE
from sim.model.model import CeasefireModel
from sim.model.params import per_replicate_paths
from sim.model.force_group import ForceGroup

from .conftest import ev
from .reliability import assert_finite_outputs, simulate_checked

DAYS = 40
UNBOUNDED_EDGES = (0.0, 5e-324, 1e-9, 1.0, 1e6)  # for Positive floats with no upper bound

PARAMETER_MODELS = {
    **{("factions", name): rule_parameters.FactionParams.model_fields[name].annotation
       for name in ("regime", "russia", "turkey", "hts", "rebels")},
    ("combat",): rule_parameters.CombatParams, ("civilians",): rule_parameters.CivilianParams,
}


def bounds(metadata) -> tuple[float | None, float | None, bool, bool]:
    """(lo, hi, lo exclusive, hi exclusive) from annotated-types constraints."""
    lo = hi = None
    lo_open = hi_open = False
    for m in metadata:
        if isinstance(m, at.Ge):
            lo = m.ge
        elif isinstance(m, at.Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, at.Le):
            hi = m.le
        elif isinstance(m, at.Lt):
            hi, hi_open = m.lt, True
    return lo, hi, lo_open, hi_open


def values_for(annotation, metadata) -> st.SearchStrategy:
    """Values inside the declared range, weighted towards its edges."""
    if annotation is bool:
        return st.booleans()
    lo, hi, lo_open, hi_open = bounds(metadata)
    if annotation is int:
        lo, hi = int(lo if lo is not None else -10), int(hi if hi is not None else 10_000)
        return st.one_of(st.sampled_from([lo, hi]), st.integers(lo, hi))
    if annotation is float:
        lo = 0.0 if lo is None else float(lo)
        if hi is None:
            edges = [x for x in UNBOUNDED_EDGES if x > lo or (x == lo and not lo_open)]
            return st.one_of(st.sampled_from(edges), st.floats(lo, 1e6, exclude_min=lo_open))
        edges = [lo if not lo_open else math.nextafter(lo, math.inf), hi if not hi_open else math.nextafter(hi, -math.inf),
                 math.nextafter(lo, math.inf), math.nextafter(hi, -math.inf), (lo + hi) / 2]
        return st.one_of(st.sampled_from(edges), st.floats(lo, hi, exclude_min=lo_open, exclude_max=hi_open))
    raise TypeError(f"no strategy for {annotation}")


def field_strategy(field) -> st.SearchStrategy | None:
    """A strategy for one pydantic field, or None for fields not fuzzed here."""
    annotation, metadata = field.annotation, field.metadata
    if typing.get_origin(annotation) is dict:  # objective_roads: road -> Positive weight
        inner = typing.get_args(annotation)[1]
        weight = values_for(typing.get_args(inner)[0], typing.get_args(inner)[1].metadata) if typing.get_args(inner) else st.floats(0, 1e6)
        return st.dictionaries(st.sampled_from(["M4", "M5", "secondary"]), weight, max_size=3)
    if annotation in (bool, int, float):
        return values_for(annotation, metadata)
    return None


def model_strategy(model: type[BaseModel]) -> st.SearchStrategy[dict]:
    """Some of the model's fields (all of them, often) set to drawn values."""
    fields = {name: strat for name, f in model.model_fields.items() if (strat := field_strategy(f)) is not None}
    return st.fixed_dictionaries({}, optional=fields)


def test_every_parameter_is_fuzzed():
    """The introspection must cover the whole parameter schema, or the property is weaker than it says."""
    for model in PARAMETER_MODELS.values():
        for name, field in model.model_fields.items():
            assert field_strategy(field) is not None, f"{model.__name__}.{name} ({field.annotation}) is not fuzzed"
    for model, names in [(s.TruceSpec, ["compliance", "restraint"]), (s.OffensiveSpec, ["intensity"]), (s.ReinforcementSpec, ["strength"])]:
        assert all(n in model.model_fields for n in names)


def event_field(model: type[BaseModel], name: str) -> st.SearchStrategy:
    f = model.model_fields[name]
    if typing.get_origin(f.annotation) is typing.Annotated or hasattr(f.annotation, "__metadata__"):
        return values_for(typing.get_args(f.annotation)[0], f.annotation.__metadata__)
    return values_for(f.annotation, f.metadata)


SHARE = event_field(s.TruceSpec, "restraint")


@st.composite
def parameters(draw) -> dict:
    body: dict = {}
    for path, model in PARAMETER_MODELS.items():
        node = body
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = draw(model_strategy(model))
    compliance = draw(st.fixed_dictionaries({}, optional={h: SHARE for h in ("regime", "hts", "rebels")}))
    truce_day = draw(st.integers(1, 15))
    body["events"] = [
        ev(date="2020-01-01", type="offensive", action="start", axis=draw(st.sampled_from([["B"], ["C", "F"]])),
           intensity=draw(event_field(s.OffensiveSpec, "intensity")), force=draw(st.sampled_from([None, 0.0, 50.0, 2000.0])),
           frontage=draw(st.integers(1, 20))),
        ev(date="2020-01-03", type="offensive", group="second", action="start", axis=["E"], intensity=draw(SHARE)),
        ev(date="2020-01-02", type="observation_post", action="establish", post="P2"),
        ev(date=f"2020-01-{truce_day:02d}", type=draw(st.sampled_from(["truce", "agreement"])), name="deal",
           effective=f"2020-01-{truce_day + draw(st.integers(0, 3)):02d}", parties=["russia", "turkey"],
           compliance=compliance, restraint=draw(SHARE)),
        ev(date="2020-01-20", announced="2020-01-10", type="joint_patrol", route=["A", "C"], road="M4",
           every_days=draw(st.integers(1, 10)), participants=["russia", "turkey"]),
        ev(date="2020-01-05", type="intervention", name="shield", intensity=draw(SHARE), until="2020-01-25"),
        ev(date="2020-01-06", type="reinforcement", faction=draw(st.sampled_from(["regime", "hts", "rebels"])),
           strength=draw(st.sampled_from([0.0, 1e-9, 1.0, 2000.0]))),
        ev(date="2020-01-06", type="reinforcement", faction="turkey", town="C", strength=draw(st.sampled_from([0.0, 1e-9, 50.0]))),
        ev(date="2020-01-09", type="reinforcement", faction="regime", group="second", strength=draw(st.sampled_from([1e-9, 2000.0]))),
        ev(date="2020-01-07", type="strike", by="russia", town="E",
           casualties={"turkey": draw(st.sampled_from([0, 1, 1_000_000])), "rebels": draw(st.sampled_from([0, 1_000_000]))}),
        ev(date="2020-01-08", type="military_police", town="A"),
        ev(date="2020-01-21", type="sit_in", town="B", until="2020-01-28"),
        ev(date="2020-01-30", type="observation_post", action="withdraw", post="P1"),
        ev(date="2020-02-01", type="offensive", action="stop"),
        ev(date="2020-02-02", type="offensive", group="second", action="stop"),
    ]
    if draw(st.booleans()) and body["events"][3]["type"] == "agreement":
        body["events"][3]["corridor"] = {"road": "M4", "width_km": draw(event_field(s.CorridorSpec, "width_km"))}
    return body


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Seven towns: a government front on the M4/M5 crossing, HTS and rebel ground, posts, an empty village."""
    from .conftest import Builder

    b = Builder(tmp_path_factory.mktemp("inv"))
    towns = [("A", 35.50, 36.00, "regime", 50000), ("B", 35.50, 36.05, "hts", 8000), ("C", 35.50, 36.10, "rebels", 2000),
             ("D", 35.55, 36.05, "regime", 100), ("E", 35.45, 36.05, "rebels", 0), ("F", 35.55, 36.10, "hts"),
             ("G", 35.60, 36.10, "rebels", 1e8)]
    roads = [("A", "B", "M4"), ("B", "C", "M4"), ("A", "D", "M5"), ("D", "F", "M5"), ("F", "G", "M5"),
             ("B", "E", "secondary"), ("C", "F", "secondary"), ("E", "C", "secondary")]
    b.theatre(towns, roads, posts=[("P1", "B", "2019-10-01"), ("P2", "C", ""), ("P3", "F", "2019-10-01")])
    return b


def make(world, body: dict) -> sim.Scenario:
    path = world.scenario({"end": (dt.date(2020, 1, 1) + dt.timedelta(days=DAYS)).isoformat(), **body}, name="inv.yaml")
    return sim.load_scenario(path)  # validates: every drawn value really is inside its declared range


def check_run(scenario: sim.Scenario, seed: int) -> None:
    result = simulate_checked(scenario, seed=seed)  # AssertionError on a broken invariant
    assert_finite_outputs(result)
    casualties = result.timeseries.filter(like="casualties_").to_numpy()
    assert (np.diff(casualties, axis=0) >= 0).all() and (np.diff(result.timeseries["turkish_deaths"]) >= 0).all()
    held = result.timeseries[["towns_regime", "towns_hts", "towns_rebels"]].sum(axis=1)
    assert (held == 7).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=parameters(), seed=st.integers(0, 2**63 - 1))
def test_fuzzed_parameters_break_no_invariant(world, body, seed):
    check_run(make(world, body), seed)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=parameters(), seed=st.integers(0, 2**63 - 1))
def test_fuzzed_parameters_break_no_invariant_long(world, body, seed):
    check_run(make(world, body), seed)


# ---------------------------------------------------------------- a batch of points that differ per replicate


def per_replicate_value(scenario: sim.Scenario, path: str) -> st.SearchStrategy[float]:
    """Values for one of :func:`per_replicate_paths`, within its declared range and keeping the batch's structure:
    a deal's compliance stays positive where it binds and zero where it does not (sim.model.params.batch_key)."""
    parts = path.split(".")
    if parts[0] == "events":
        event = next(e for e in scenario.events if e.id == parts[1])
        if parts[2] == "compliance":
            return SHARE.filter(lambda v: v > 0) if event.compliance[parts[3]] > 0 else st.just(0.0)
        if parts[2] == "force":
            return st.one_of(st.sampled_from([0.0, 1e-9, 2000.0]), st.floats(0.0, 2000.0))
        return event_field(type(event), parts[2])
    model = PARAMETER_MODELS[(parts[0],) if parts[0] in ("combat", "civilians") else ("factions", parts[0])]
    f = model.model_fields[parts[1]]
    return values_for(f.annotation, f.metadata)


def check_batch(world, body: dict, data: st.DataObject, replicates: int) -> None:
    """``replicates`` points that differ in every per-replicate parameter, stepped as one batch with the invariants
    checked: each replicate's outputs are byte for byte those of its point and seed run alone."""
    body["events"] = [{"id": f"e{i}", **e} for i, e in enumerate(body["events"])]  # named: their values may differ
    base = make(world, body)
    paths = per_replicate_paths(base)
    points = [base] + [apply(base, {p: data.draw(per_replicate_value(base, p), label=p) for p in paths})
                       for _ in range(replicates - 1)]
    seeds = data.draw(st.lists(st.integers(0, 2**63 - 1), min_size=replicates, max_size=replicates), label="seeds")
    together = simulate_batch(points, seeds, check_invariants=True)  # AssertionError on a broken invariant
    for point, seed, run in zip(points, seeds, together, strict=True):
        alone = simulate_batch(point, [seed])[0]
        for name in ("history", "post_history", "encircled_history"):
            assert getattr(run, name).tobytes() == getattr(alone, name).tobytes(), name
        assert run.timeseries.to_csv() == alone.timeseries.to_csv()
        assert run.events.to_csv() == alone.events.to_csv() and run.patrols == alone.patrols
        assert_finite_outputs(run)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=parameters(), data=st.data())
def test_a_batch_of_fuzzed_points_breaks_no_invariant_and_each_is_its_point_alone(world, body, data):
    check_batch(world, body, data, replicates=3)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=parameters(), data=st.data())
def test_a_batch_of_fuzzed_points_breaks_no_invariant_and_each_is_its_point_alone_long(world, body, data):
    check_batch(world, body, data, replicates=5)


# ---------------------------------------------------------------- the checker is not vacuous


def _bound_model(world) -> CeasefireModel:
    """A model on day 3 with a truce in force that binds the regime."""
    body = {"events": [ev(date="2020-01-01", type="truce", name="t", effective="2020-01-01", parties=["russia"],
                          compliance={"regime": 1.0})]}
    model = CeasefireModel(make(world, body), seed=1, check_invariants=True)
    for _ in range(3):
        model.step()
    model.assert_invariants()  # a healthy state passes
    return model


def _corrupt_casualties(m):
    m.casualties["regime"] = m.casualties["regime"] + 5
    m.assert_invariants()  # records the higher count
    m.casualties["regime"] = m.casualties["regime"] - 1


def _spent_push_holds_strength(m):
    """A group whose push is spent (its strength went to the pool) that still holds 5 points."""
    group = m.regime.groups["g"] = ForceGroup("g", np.full(m.replicates, 5.0), np.array([0]))
    group.spent[:] = True


CORRUPTIONS = {
    "controller 7": lambda m: m.controller.__setitem__((0, 0), 7),
    "controller -1": lambda m: m.controller.__setitem__((0, 1), -1),
    "NaN garrison": lambda m: m.garrison.__setitem__((0, 2), np.nan),
    "inf garrison": lambda m: m.garrison.__setitem__((0, 2), np.inf),
    "negative garrison": lambda m: m.garrison.__setitem__((0, 0), -1.0),
    "residents removed": lambda m: m.residents.__setitem__((0, 0), m.residents[0, 0] - 100),
    "displaced invented": lambda m: m.displaced.__setitem__(0, m.displaced[0] + 1),
    # Only the head count sees this: those gone abroad are no town's residents and none of the displaced.
    "people invented abroad": lambda m: m.outside.__setitem__(0, m.outside[0] + 0.01 * m.theatre.population.sum()),
    # Ten people in a toy world of some 10**8: inside numpy's default tolerance (1e-5 of the total), which let 31 people
    # a replicate vanish on the Idlib theatre; a run's own drift is some 1e-10 people.
    "ten people invented abroad": lambda m: m.outside.__setitem__(0, m.outside[0] + 10.0),
    "negative residents": lambda m: (m.residents.__setitem__((0, 4), -5.0), m.displaced.__setitem__(0, m.displaced[0] + 5)),
    "NaN force": lambda m: m.regime.pool.__setitem__(0, float("nan")),
    "negative reserve": lambda m: m.hts.force.__setitem__(0, -1.0),
    "shock above one": lambda m: m.shock.__setitem__((0, 1), 1.5),
    "casualties decrease": _corrupt_casualties,
    "bound regime attacks": lambda m: m.attack_side.__setitem__((0, 1), 0),
    "bound regime on the offensive": lambda m: setattr(m.regime, "_on_offensive", np.ones(m.replicates, bool)),
    "spent push holds strength": _spent_push_holds_strength,
    "counted away from a town nobody left": lambda m: m.away.__setitem__((0, 1), 5.0),
    "a return with nobody moved": lambda m: m.returned.__setitem__(0, 5.0),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_the_invariant_checker_catches(world, corruption):
    model = _bound_model(world)
    CORRUPTIONS[corruption](model)
    with pytest.raises(AssertionError):
        model.assert_invariants()


def _code(state: CeasefireState) -> int:
    return STATES.index(state)


def _superseded_deal_moves_back(m):
    """A new deal replaces the one in force, and the old one is put back to announced: no transition leads there."""
    old = m.deal
    m.deal = dataclasses.replace(old, name="next")
    old.state[0] = _code(CeasefireState.ANNOUNCED)


# Before these were checked, each of these states passed: a share or probability outside [0, 1] (or NaN), and a deal that
# moved against its state machine. Each must fail, saying what broke.
SHARE_AND_MOVE_CORRUPTIONS = {
    "pressure above one": (lambda m: m.deal.pressure.__setitem__(0, 1.5), "pressure under 't' is 1.5 .*outside \\[0, 1\\]"),
    "NaN pressure": (lambda m: m.deal.pressure.__setitem__(0, np.nan), "pressure under 't' is nan"),
    "negative security": (lambda m: m.security.__setitem__((0, 3), -0.25), "road security is -0.25"),
    "security above one": (lambda m: m.security.__setitem__((0, 1), 1.5), "road security is 1.5"),
    "escalation above one": (lambda m: m.turkey.escalation.__setitem__(0, 2.0), "Turkish escalation is 2.0"),
    # The model replaces these, as here: the collector stored the old ones read-only (sim.model.collector).
    "infinite air effort": (lambda m: setattr(m.russia, "air", np.full(m.replicates, np.inf)), "Russian air effort is inf"),
    "patrol coverage above one": (lambda m: m.patrol_coverage.__setitem__("M4", np.array([1.5])), "patrol coverage of M4 is 1.5"),
    "reported coverage negative": (lambda m: setattr(m, "coverage_shown", np.full(m.replicates, -0.5)),
                                   "reported patrol coverage is -0.5"),
    "negative shock": (lambda m: m.shock.__setitem__((0, 1), -0.5), "shock is -0.5"),
    "in force back to announced": (lambda m: m.deal.state.__setitem__(0, _code(CeasefireState.ANNOUNCED)),
                                   "'t' moved from 'in force' to 'announced' \\(replicate 0\\), which its TRANSITIONS"),
    "broken, then in force again": (lambda m: (m.deal.state.__setitem__(0, _code(CeasefireState.BROKEN)), m.assert_invariants(),
                                               m.deal.state.__setitem__(0, _code(CeasefireState.IN_FORCE))),
                                    "moved from 'broken' to 'in force'"),
    "a state that is none": (lambda m: m.deal.state.__setitem__(0, 9), "'t' is in state 9 .*not a CeasefireState"),
    "a superseded deal moves back": (_superseded_deal_moves_back, "'t' moved from 'in force' to 'announced'"),
}


@pytest.mark.parametrize("corruption", SHARE_AND_MOVE_CORRUPTIONS)
def test_the_invariant_checker_names_the_share_or_move_that_broke(world, corruption):
    model = _bound_model(world)
    corrupt, message = SHARE_AND_MOVE_CORRUPTIONS[corruption]
    corrupt(model)
    with pytest.raises(AssertionError, match=message):
        model.assert_invariants()


def test_a_deal_may_make_several_moves_in_a_day_but_never_leaves_a_final_state():
    """Announced the night before, in force at dawn and broken the same day is one day's legal move."""
    code = {state: STATES.index(state) for state in STATES}
    assert REACHABLE[code[CeasefireState.ANNOUNCED], code[CeasefireState.BROKEN]]
    assert REACHABLE[code[CeasefireState.ANNOUNCED], code[CeasefireState.EXPIRED]]
    for final in (CeasefireState.BROKEN, CeasefireState.EXPIRED, CeasefireState.SUPERSEDED):
        assert REACHABLE[code[final]].tolist() == [state is final for state in STATES], final
    assert not REACHABLE[code[CeasefireState.IN_FORCE], code[CeasefireState.ANNOUNCED]]


def test_a_corrupted_state_fails_the_run_when_checking(world):
    """check_invariants=True checks after every step, not only when called."""
    model = _bound_model(world)
    model.garrison[0] = np.nan
    with pytest.raises(AssertionError, match="garrison"):
        model.step()


def _regime_force_stays_non_negative(scenario: sim.Scenario) -> None:
    model = sim.CeasefireModel(scenario, seed=0, check_invariants=True)
    while model.running:
        model.step()
        assert (model.regime.force >= 0).all(), f"regime force {model.regime.force} on {model.date}"


def test_regime_force_drained_by_drones_after_committing(world):
    """Found by test_fuzzed_parameters_break_no_invariant with every parameter at its default."""
    events = [
        ev(date="2020-01-01", type="offensive", action="start", axis=["B"], intensity=0.0),
        ev(date="2020-01-01", type="truce", name="deal", effective="2020-01-01", parties=["russia", "turkey"],
           compliance={"regime": 1.0}),
    ]
    scenario = sim.load_scenario(world.scenario({"end": "2020-02-10", "events": events}, name="negative.yaml"))
    _regime_force_stays_non_negative(scenario)


def test_regime_force_slightly_below_zero_made_casualties_decrease(world):
    """Found by test_fuzzed_parameters_break_no_invariant_long (force 0 and a 1e-9 reinforcement: range
    edges): the same double count left -2.5e-10, and the next day's drone loss was negative."""
    events = [
        ev(date="2020-01-01", type="offensive", action="start", axis=["B"]),
        ev(date="2020-01-06", type="reinforcement", faction="regime", strength=1e-9),
    ]
    scenario = sim.load_scenario(world.scenario({"end": "2020-02-10", "events": events, "factions": {"regime": {"force": 0.0}}},
                                                name="tiny.yaml"))
    _regime_force_stays_non_negative(scenario)
