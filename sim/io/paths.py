"""Scenario parameters by name: dotted paths, their Python-name aliases, declared ranges, and setting them.

Every number or switch in a scenario's parameters has a **dotted path**:
``<faction>.<key>`` (``regime.commit``), ``combat.<key>``,
``civilians.<key>``, ``displaced_at_start.<key>`` where the scenario has that
block (``displaced_at_start.taken``), and ``events.<id>.<key>`` for an event
with an ``id`` (``events.jan-truce.restraint``, ``events.jan-truce.compliance.regime``).

Its **alias** is the same path as a Python name, for keyword arguments and
tools that need identifiers (EMA Workbench, ``mesa.batch_run``): every ``.``
becomes ``__`` and every ``-`` becomes ``_`` (``regime__commit``,
``events__jan_truce__restraint``). An alias that two paths share (event ids
``a-b`` and ``a_b``) is refused as ambiguous; use the dotted path. An event
id that is not made of letters, digits, ``-`` and ``_`` has no alias.

This module works on a scenario instance and its ``model_dump()``; it never
imports the schema (which calls it), so the scenario's own classes validate.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import annotated_types as at
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..errors import PARAMETERS, InputError, did_you_mean
from .validation import TaggedUnion, explain, first_error, key_path

if TYPE_CHECKING:
    from .schema import Scenario


# A scenario's blocks of parameters beside the factions' and the events', in the scenario's order; a block that is
# optional (None where the scenario does not give it) has no parameters there. Each is named here once: every route
# that sets, reads or bounds a parameter finds the block a path belongs to by it (:func:`holder`).
GROUPS = ("combat", "civilians", "displaced_at_start")
OPTIONAL_GROUPS = {"displaced_at_start": "people away from home at the start"}


def alias(path: str) -> str:
    """The Python-name alias of a dotted path (or of a metric name): ``.`` and ``:`` become ``__``, ``-`` becomes ``_``.

    Raises:
        InputError: ``path`` is not a string (a number was str.replace's AttributeError).
    """
    if not isinstance(path, str):
        raise InputError(None, f"needs a dotted path or a metric name, a string (got {type(path).__name__} {path!r})",
                         key="path")
    return path.replace(".", "__").replace(":", "__").replace("-", "_")


def parameter_paths(scenario: Scenario) -> list[str]:
    """Every dotted path that can be set in ``scenario``, in the scenario's order."""
    return list(_paths(scenario.model_dump(mode="python"), _unused(scenario)))


def _unused(scenario: Scenario) -> list[tuple[str, ...]]:
    """Each event's keys that do not apply to it (a counter-offensive has no force group): never offered to be set."""
    return [event.unused_keys for event in scenario.events]


def _paths(data: dict, unused: list[tuple[str, ...]]) -> dict[str, tuple[int | None, str]]:
    """path -> (index of its event or None, key); numbers and switches only, and no event's ``unused`` keys."""
    out: dict[str, tuple[int | None, str]] = {}
    for faction, params in data["factions"].items():
        out.update({f"{faction}.{k}": (None, k) for k, v in params.items() if _settable(v)})
    for group in GROUPS:
        out.update({f"{group}.{k}": (None, k) for k, v in (data[group] or {}).items() if _settable(v)})
    for i, event in enumerate(data["events"]):
        if not event.get("id"):
            continue
        for k, v in event.items():
            if k in unused[i]:
                continue
            if _settable(v):
                out[f"events.{event['id']}.{k}"] = (i, k)
            elif isinstance(v, dict):
                out.update({f"events.{event['id']}.{k}.{sub}": (i, f"{k}.{sub}") for sub, x in v.items() if _settable(x)})
    return out


def _settable(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, str)


def resolve(name: str, known: list[str], where: str | None = None) -> str:
    """The dotted path that ``name`` (a dotted path or an alias) stands for.

    Raises:
        InputError: unknown or ambiguous, naming the closest valid one.
    """
    if name in known:
        return name
    if "." not in name:
        matches = [p for p in known if alias(p) == name]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InputError(where, f"alias '{name}' is ambiguous: it stands for {' and '.join(matches)}; give the dotted path", key=name)
        raise InputError(where, no_parameter(name, [alias(p) for p in known]), key=name)
    raise InputError(where, no_parameter(name, known), key=name)


def no_parameter(name: str, known: list[str]) -> str:
    """'no parameter ...' with the closest of ``known`` (dotted paths, or aliases for a name without a dot), or, when
    none is close, how names are made, the groups they begin with and where all are listed: the whole list (121 names
    for the Idlib campaign, 3 KB on one line) was a wall of text. A date is told why and what to do instead: the
    closest name to an event's 'date' was its 'intensity', no help to whoever asked "a week earlier?"."""
    if is_date(name):
        return f"no parameter '{name}': {not_a_date(name)}"
    head = name.strip().replace("__", ".").split(".")[0]
    if head in OPTIONAL_GROUPS and not any(k.replace("__", ".").startswith(head + ".") for k in known):
        return (f"no parameter '{name}': the scenario has no '{head}' ({OPTIONAL_GROUPS[head]}) to set; give it "
                "that block first (scenarios/README.md says its keys)")
    listed = f"{PARAMETERS} lists all {len(known)}"  # sim.parameters in Python, the check command on the command line
    guess = did_you_mean(name, known) if known else ""
    if guess.startswith(" (did you mean"):
        return f"no parameter '{name}'{guess}; {listed}"
    sep = "." if any("." in k for k in known) else "__"
    heads = list(dict.fromkeys(k.split(sep)[0] for k in known))
    if not heads:
        return f"no parameter '{name}'"
    examples = [next(k for k in known if k.startswith(head + sep)) for head in dict.fromkeys((heads[0], heads[-1]))]
    groups = [f"events{sep}<id>" if head == "events" else head for head in heads]
    return (f"no parameter '{name}': a parameter is named by its group and key, such as {' or '.join(examples)}; the "
            f"groups are {', '.join(groups[:-1])}{' and ' if len(groups) > 1 else ''}{groups[-1]}; {listed}, and "
            "scenarios/README.md says what each does")


DATE_KEYS = frozenset({"date", "effective", "until", "announced", "start", "end", "initial_control", "since"})
def not_a_date(name: str) -> str:
    """Why ``name``, a scenario's date (:func:`is_date`), cannot be set, and how to try other dates: a what-if for each
    date that gives again what holds it (an event by its id, a block such as ``displaced_at_start``, or the key itself)."""
    head, *rest = name.strip().replace("__", ".").split(".")
    again = ("giving the event again by its id with the new date" if head == "events" and rest
             else f"giving its '{head}' block again with the new date" if rest else f"with its own '{head}'")
    return f"a date is not a parameter (a sweep varies numbers and switches only); to try other dates, write a what-if for each date, {again}"


def is_date(name: str) -> bool:
    """Whether the parameter ``name`` (a dotted path or an alias) names one of a scenario's dates."""
    return name.strip().replace("__", ".").rsplit(".", 1)[-1] in DATE_KEYS


def given_once(scenario: Scenario, values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` and the keywords ``params`` as one mapping of names (paths or aliases) to values, each parameter once.

    ``with_params({"regime.commit": 0.4}, regime__commit=0.5)`` (or one mapping holding both names) kept the last
    value without a word, where a sweep, ``--param`` and a design file refuse the same parameter given twice.

    Raises:
        InputError: ``values`` not a mapping; a parameter named twice (its path and its alias, or one name in
            ``values`` and as a keyword), naming both and their values; an unknown name, as
            :func:`sim.io.paths.with_values` refuses it.
    """
    if not isinstance(values, Mapping):  # a list or a string was an AttributeError on .items()
        raise InputError(None, f"needs a mapping of parameter names to values, such as {{'regime.commit': 0.7}}, or "
                         f"keywords (regime__commit=0.7), not a {type(values).__name__}", key="values")
    given = [*values.items(), *params.items()]
    if len(given) < 2:  # nothing to meet twice: a design file's check sets one value at a time, thousands of times
        return dict(given)
    here, known = f"scenario {scenario.name}", parameter_paths(scenario)
    first: dict[str, tuple[str, Any]] = {}  # dotted path -> the name and value it was first given by
    for name, value in given:
        path = resolve(str(name), known, here)
        if path in first:
            earlier, was = first[path]
            both = f"as '{earlier}' and as '{name}'" if earlier != name else f"as '{name}' in the mapping and as a keyword"
            raise InputError(here, f"'{path}' is given twice, {both} ({was!r} and {value!r}): give it once", key=path)
        first[path] = (str(name), value)
    return dict(given)


def with_values(scenario: Scenario, values: Mapping[str, Any], union: TaggedUnion) -> Scenario:
    """``scenario`` with ``values`` ({dotted path or alias: value}) set, validated as a new scenario.

    A switch (true/false) takes a bool or 0/1; whole-number parameters take
    whole numbers; every value must lie in the range the schema declares.

    Raises:
        InputError: an unknown parameter, a value of the wrong kind, or outside its range,
            with ``key`` the dotted path.
    """
    data = scenario.model_dump(mode="python")
    known = _paths(data, _unused(scenario))
    paths = list(known)
    here = f"scenario {scenario.name}"
    where: dict[str, str] = {}  # pydantic's key path -> the user's dotted path
    for name, raw in values.items():
        path = resolve(str(name), paths, here)
        value = plain(raw)
        index, key = known[path]
        node = data["events"][index] if index is not None else holder(data, path)[0]
        *inner, last = key.split(".")
        for part in inner:
            node = node[part]
        current = node[last]
        if isinstance(current, bool):
            if not isinstance(value, bool) and not (isinstance(value, int | float) and value in (0, 1)):
                raise InputError(here, f"'{path}' is a switch: give True/False or 1/0, not {value!r}", key=path)
        elif isinstance(value, bool):
            raise InputError(here, f"'{path}' takes a number, not {value!r}", key=path)
        node[last] = as_kind_of(current, value)
        where[_pydantic_key(path, index, key)] = path
    try:
        return type(scenario).model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        problem = explain(error, None, None, root=type(scenario), union=union)
        path = where.get(key_path(error["loc"], union), problem.key)
        raise InputError(here, problem.message, key=path) from None


def as_kind_of(current: Any, value: Any) -> Any:  # noqa: ANN401 - a parameter's value
    """``value`` for a parameter that now holds ``current``: a switch's 0 or 1 as false or true, a whole float (2.0) as
    a whole number's int, numpy's numbers as Python's; anything else as it is, for the schema to judge.

    Designs hold floats (a grid's steps, a CSV's columns, EMA Workbench's and SALib's samples) and the schema reads
    whole numbers and switches strictly, as files must write them; a fraction is left for it to refuse.
    """
    value = plain(value)
    if isinstance(current, bool):
        return bool(value)
    if isinstance(current, int) and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def revalidate(scenario: Scenario, union: TaggedUnion) -> Scenario:
    """``scenario`` validated again, as a new instance: a copy made with ``model_copy(update=...)`` or
    ``model_construct`` skips validation, and this catches what it let through.

    Raises:
        InputError: the first value the schema refuses, with its key.
    """
    try:
        return type(scenario).model_validate(scenario.model_dump())
    except ValidationError as exc:
        problem = explain(first_error(exc.errors()), None, None, root=type(scenario), union=union)
        raise InputError(f"scenario {scenario.name}", problem.message, key=problem.key) from None


def declared_range(scenario: Scenario, path: str) -> tuple[float, float, type]:
    """(lowest, highest, type) the schema allows at ``path`` (a dotted path or an alias); type is float, int or bool."""
    path = resolve(path, parameter_paths(scenario), f"scenario {scenario.name}")
    owner, field, rest = declared_field(scenario, path)
    annotation, metadata = field.annotation, list(field.metadata)
    if len(rest) == 2:  # an entry of a mapping (a truce's compliance) or a field of a part (an agreement's corridor)
        part = next((a for a in (annotation, *typing.get_args(annotation)) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if part is not None:
            field = part.model_fields[rest[1]]
            annotation, metadata = field.annotation, list(field.metadata)
        else:
            annotation, metadata = _unwrap(typing.get_args(annotation)[1])
    annotation, extra = _unwrap(annotation)
    metadata += extra
    kind = bool if annotation is bool else int if annotation is int else float
    if kind is bool:
        return 0.0, 1.0, bool
    lo = next((float(m.ge) for m in metadata if isinstance(m, at.Ge)), float("-inf"))
    lo = next((float(m.gt) for m in metadata if isinstance(m, at.Gt)), lo)
    hi = next((float(m.le) for m in metadata if isinstance(m, at.Le)), float("inf"))
    if path.startswith("events."):  # a bound that another of the event's keys sets (a Turkish reinforcement's, in thousands)
        hi = min(hi, owner.upper_bounds.get(".".join(rest), hi))
    return lo, hi, kind


def declared_field(scenario: Scenario, path: str) -> tuple[BaseModel, FieldInfo, list[str]]:
    """The part of ``scenario`` that holds the dotted ``path`` (a faction's parameters, a block of :data:`GROUPS`, an
    event), the schema's field of the first key below it (its type, constraints and description), and the keys from
    there down: what :func:`holder` finds in a scenario's ``model_dump()``, on the scenario itself.

    Any key the schema has will do, a parameter or not (an event's ``name``): the app names a what-if's every change
    by its description.

    Raises:
        ValueError: an event, or a block (``displaced_at_start``), the scenario does not have.
        KeyError: a faction or a key the schema does not have.
    """
    head, *rest = path.split(".")
    if head == "events":
        part = next((e for e in scenario.events if rest and e.id == rest[0]), None)
        if part is None:
            raise ValueError(f"{scenario.name} has no event '{rest[0] if rest else ''}'")
        rest = rest[1:]
    elif head in GROUPS:
        part = getattr(scenario, head)
        if part is None:
            raise ValueError(f"{scenario.name} has no '{head}'")
    elif head in type(scenario.factions).model_fields:
        part = getattr(scenario.factions, head)
    else:
        raise KeyError(head)
    return part, type(part).model_fields[rest[0]], rest


def value_at(data: dict, path: str) -> Any:  # noqa: ANN401 - a number or a switch
    """The value at a parameter's dotted path in a scenario dumped to a dict (``scenario.model_dump()``)."""
    node, rest = holder(data, path)
    for part in rest:
        node = node[part]
    return node


def holder(data: dict, path: str) -> tuple[Any, list[str]]:
    """The part of a scenario dumped to ``data`` (``scenario.model_dump()``) that holds the parameter at the dotted
    ``path`` (a faction's parameters, a block of :data:`GROUPS`, an event) and the keys from there down to its
    value; None for the part where the scenario has none such (an event id it lacks, a block it does not give)."""
    head, *rest = path.split(".")
    if head == "events":
        return next((e for e in data["events"] if rest and e.get("id") == rest[0]), None), rest[1:]
    return (data.get(head) if head in GROUPS else data["factions"].get(head)), rest


def as_tree(values: Mapping[str, Any]) -> dict:
    """Parameters' values ({dotted path: value}) as the keys of a scenario file that sets them, as a what-if or a
    calibrated layer writes them over the file it ``extends``: under ``factions``, a block of :data:`GROUPS`, or
    ``events`` (a list, each event by its ``id``, after the others)."""
    tree: dict = {}
    events: dict[str, dict] = {}
    for path, value in values.items():
        head, *rest = path.split(".")
        if head == "events":
            node, rest = events.setdefault(rest[0], {"id": rest[0]}), rest[1:]
        elif head in GROUPS:
            node = tree.setdefault(head, {})
        else:
            node = tree.setdefault("factions", {}).setdefault(head, {})
        for key in rest[:-1]:
            node = node.setdefault(key, {})
        node[rest[-1]] = value
    if events:
        tree["events"] = list(events.values())
    return tree


def _unwrap(annotation: Any) -> tuple[Any, list]:  # noqa: ANN401 - a type annotation
    """``Annotated[float, Field(...)]`` -> (float, its constraints); anything else unchanged."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        metadata = []
        for extra in extras:
            metadata += list(getattr(extra, "metadata", [extra]))
        return base, metadata
    return annotation, []


def schema_key(data: dict, path: str) -> str:
    """Where the schema reports an error in the value at the dotted ``path`` of a scenario dumped to ``data``
    (``events[6].restraint`` for ``events.moscow-protocol.restraint``): to name the path the user wrote instead."""
    head, _, rest = path.partition(".")
    if head != "events":
        return _pydantic_key(path, None, rest)
    ident, _, key = rest.partition(".")
    index = next((i for i, e in enumerate(data.get("events", [])) if e.get("id") == ident), None)
    return _pydantic_key(path, index, key) if index is not None else path


def _pydantic_key(path: str, index: int | None, key: str) -> str:
    if index is None:
        head, _, rest = path.partition(".")
        return f"{head}.{rest}" if head in GROUPS else f"factions.{head}.{rest}"
    return f"events[{index}].{key}"


def plain(value: Any) -> Any:  # noqa: ANN401 - any number-like value
    """numpy's numbers and arrays (from EMA Workbench, pandas, a design) as Python's numbers and lists, lists and tuples
    element by element, anything else as it is: pydantic refuses some of numpy's."""
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):  # a number's tolist() is the Python number
        return value.tolist()
    return value

