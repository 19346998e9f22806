"""Parameters that differ between the replicates of one batch: several points of a sweep (or trials of a calibration) stepped together.

A sweep of many points with few replicates each (a Sobol design: hundreds
of points, a handful of replicates) would step each point as a small batch,
and a small batch costs nearly what single runs cost. So the replicates of
different points step together, each with its own values.

A parameter the rules read every day can differ per replicate: the model
then holds it as an array over the replicates instead of a number, and the
rule reads it with :func:`per_town` (beside a (replicates, towns) array) or
:func:`per_pair` (beside (replicate, town) pairs); beside a (replicates,)
array it broadcasts as it is. Everything else is *structural* and must be
the same throughout a batch: whole numbers, switches, dates, names, the
theatre, and the few numbers read once when the model is built
(:data:`STATIC`), which shape its fixed arrays. Points that differ in a
structural value step in separate batches (:func:`batch_key`).

A value the same in every replicate of the batch is one number, so a batch
of one point steps exactly as it always has. The rules read it as a 0-d
array (:func:`for_the_rules`), the same double.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from ..errors import InputError
from ..io.scenario import as_scenario
from ..io.schema import Scenario

# Numbers read once, when the model is built, into the static arrays every replicate shares.
STATIC = {
    "combat": {"rear_km"},  # the rear
    "regime": {"junction_bonus"},  # each town's value
    "hts": {"cohesion"},  # the defence factor by holder
    "rebels": {"cohesion"},
    "russia": {"strike_radius_km"},  # the zones of bombing and flight
}
# Event values the rules read per replicate (others are written into the event log, or are structural).
EVENT_FIELDS = {"truce": {"restraint", "compliance"}, "agreement": {"restraint", "compliance"},
                "offensive": {"force", "intensity"}, "intervention": {"intensity"}}

Params = TypeVar("Params", bound=BaseModel)


def for_the_rules(params: Params) -> Params:
    """``params`` as the model's rules read them: each number a 0-d float array, a per-replicate array as it is.

    numpy takes a 0-d array as an operand at two-thirds of the cost of a
    Python number, which it looks at afresh on every call (some 250 ns of a
    small array's 800 ns multiplication, timed), and the rules read their
    parameters in numpy calls every day. It is the same double: every result
    is the same, bit for bit.
    """
    update = {name: np.asarray(value, float) for name, value in params if isinstance(value, float | np.ndarray)}
    return params.model_copy(update=update) if update else params


def per_town(value: float | np.ndarray) -> float | np.ndarray:
    """``value`` to broadcast over (replicates, towns): a per-replicate array as a column, a number (or a 0-d array) as it is."""
    return value[:, None] if isinstance(value, np.ndarray) and value.ndim else value


def clip_unit(values: np.ndarray) -> np.ndarray:
    """``np.clip(values, 0.0, 1.0)``, bit for bit (NaN and -0.0 as it gives them), at half the cost: its wrappers cost
    more than its two comparisons for a batch's few replicates. ``maximum(lo, x)`` and ``minimum(hi, x)`` return ``x``
    where the two are equal, as the clip does."""
    return np.minimum(1.0, np.maximum(0.0, values))


def per_replicate(value: float | np.ndarray, replicates: int) -> np.ndarray:
    """(replicates,) a new float array of ``value``, a number or already an array over the replicates."""
    return np.broadcast_to(np.asarray(value, float), (replicates,)).copy()


def by_holder(replicates: int, *values: float | np.ndarray) -> np.ndarray:
    """(replicates, holders): one value for each holder, a number or an array over the replicates."""
    return np.stack([per_replicate(v, replicates) for v in values], axis=1)


def per_pair(value: float | np.ndarray, rep: np.ndarray) -> float | np.ndarray:
    """``value`` for each (replicate, town) pair, or each replicate ``rep`` selects: a number (or a 0-d array) as it is."""
    return value[rep] if isinstance(value, np.ndarray) and value.ndim else value


def _varying(section: str, params: BaseModel) -> list[str]:
    """The fields of a faction's, combat's or the civilians' parameters that may differ per replicate."""
    return [name for name, value in params if isinstance(value, float) and name not in STATIC.get(section, ())]


def _event_fields(event: BaseModel) -> set[str]:
    return EVENT_FIELDS.get(getattr(event, "type", ""), set()) - set(event.unused_keys)


def per_replicate_paths(scenario: Scenario) -> list[str]:
    """The dotted parameter paths (as a sweep names them) whose values may differ within one batch."""
    paths = [f"{section}.{name}" for section, params in (("combat", scenario.combat), ("civilians", scenario.civilians))
             for name in _varying(section, params)]
    paths += [f"{faction}.{name}" for faction, params in scenario.factions for name in _varying(faction, params)]
    for event in scenario.events:
        for name in sorted(_event_fields(event)) if event.id else ():
            value = getattr(event, name)
            if isinstance(value, dict):
                paths += [f"events.{event.id}.{name}.{key}" for key in value]
            elif value is not None:
                paths.append(f"events.{event.id}.{name}")
    return paths


def batch_key(scenario: Scenario) -> str:
    """What must be the same for two scenarios' replicates to step in one batch: everything but the per-replicate values.

    A deal's compliance may differ only where it stays positive, or stays
    zero: whether it binds a faction at all is structural.
    """
    data = scenario.model_dump(mode="json")
    for section, params in (("combat", scenario.combat), ("civilians", scenario.civilians), *scenario.factions):
        node = data[section] if section in ("combat", "civilians") else data["factions"][section]
        for name in _varying(section, params):
            node.pop(name)
    for event, spec in zip(data["events"], scenario.events, strict=True):
        for name in _event_fields(spec):
            value = event.pop(name)
            if name == "compliance":
                event["binds"] = sorted(k for k, v in value.items() if v > 0)
            elif name == "force":
                event["moves force"] = value is not None
    return json.dumps(data, sort_keys=True)


def batch_groups(scenarios: Sequence[Scenario]) -> list[list[int]]:
    """The indices of ``scenarios`` grouped by :func:`batch_key`, each group in order, groups by first member."""
    groups: dict[str, list[int]] = {}
    for i, scenario in enumerate(scenarios):
        groups.setdefault(batch_key(scenario), []).append(i)
    return list(groups.values())


def stacked(items: Sequence[Params], fields: list[str] | set[str]) -> Params:
    """One parameter object for a batch: ``items[0]``, with each of ``fields`` that differs between the
    replicates' ``items`` made an array over the replicates (a dict field, such as a deal's compliance,
    per key)."""
    first, update = items[0], {}
    for name in fields:
        values = [getattr(item, name) for item in items]
        if isinstance(values[0], dict):
            keys = dict.fromkeys(key for v in values for key in v)  # a faction a deal leaves out complies with 0
            update[name] = {key: _one_or_each([v.get(key, 0.0) for v in values]) for key in keys}
        elif any(v != values[0] for v in values):
            update[name] = np.array(values, float)
    return first.model_copy(update=update) if update else first


def _one_or_each(values: list[float]) -> float | np.ndarray:
    return values[0] if all(v == values[0] for v in values) else np.array(values, float)


def replicates_of(scenario: Scenario | str | Path | Sequence[Scenario | str | Path], seed: int | None,
                  seeds: list[int] | None) -> tuple[list[Scenario] | None, Scenario, list[int]]:
    """:class:`~sim.model.model.CeasefireModel`'s arguments checked: (the scenarios, one per seed, or None for one
    scenario; the first; the seeds). Each refusal is an InputError naming the argument and what it takes."""
    each = [as_scenario(s) for s in scenario] if isinstance(scenario, Sequence) and not isinstance(scenario, str) else None
    if each == []:
        raise InputError(None, "give a scenario, or one per seed (got an empty list)", key="scenario")
    first = as_scenario(scenario) if each is None else each[0]
    if seeds is None:
        seeds = [first.seed if seed is None else seed]
    elif seed is not None:
        raise InputError(None, f"give either seed or seeds, not both (got seed={seed!r} and seeds={seeds!r}): seed runs "
                         "one replicate, seeds one per seed", key="seeds")
    elif isinstance(seeds, str | bytes) or not isinstance(seeds, Iterable):  # "12" was read as the seeds '1' and '2'
        raise InputError(None, f"must be a list of seeds, one whole number per replicate (got {seeds!r}); for one "
                         "replicate, give seed", key="seeds")
    elif len(seeds := list(seeds)) == 0:
        raise InputError(None, "give at least one seed (got an empty list)", key="seeds")
    if each is not None and len(each) != len(seeds):
        def count(n: int, what: str) -> str:
            return f"{n} {what}{'s' * (n != 1)}"

        raise InputError(None, f"one scenario per seed: {count(len(each), 'scenario')} for {count(len(seeds), 'seed')}; "
                         "give as many scenarios as seeds, or one scenario for all", key="scenario")
    return each, first, seeds


def stacked_scenario(scenarios: Sequence[Scenario]) -> Scenario:
    """One scenario for a batch whose replicates run ``scenarios`` (one each, sharing one :func:`batch_key`).

    Raises:
        InputError: two of them differ in a structural value.
    """
    first = scenarios[0]
    distinct = list({id(s): s for s in scenarios}.values())
    if len(distinct) == 1:
        return first
    key = batch_key(first)
    if any(batch_key(s) != key for s in distinct[1:]):
        raise InputError(None, "the replicates' scenarios differ in a structural value (see sim.model.params), so they "
                         "cannot step in one batch; give them to separate models", key="scenario")
    factions = first.factions.model_copy(update={
        name: stacked([getattr(s.factions, name) for s in scenarios], _varying(name, params)) for name, params in first.factions})
    events = [stacked([s.events[i] for s in scenarios], _event_fields(spec)) for i, spec in enumerate(first.events)]
    return first.model_copy(update={
        "combat": stacked([s.combat for s in scenarios], _varying("combat", first.combat)),
        "civilians": stacked([s.civilians for s in scenarios], _varying("civilians", first.civilians)),
        "factions": factions, "events": events,
    })
