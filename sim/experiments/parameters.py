"""Sweep parameters: the dotted paths into a scenario that a sweep may set, and setting them.

Any numeric or boolean scenario parameter is addressed by a dotted path:
``regime.commit`` (a faction's parameter), ``combat.lethality``,
``civilians.flee_air``, or ``events.<id>.<key>`` for an event's value
(``events.jan-truce.restraint``, ``events.jan-truce.compliance.regime``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from ..errors import InputError
from ..io.paths import as_kind_of, declared_range, holder, is_date, no_parameter, not_a_date, parameter_paths, resolve, schema_key
from ..io.scenario import EVENTS
from ..io.schema import Scenario
from ..io.validation import explain, key_path


MAX_STEPS = 1_000_000  # values of one parameter on a grid


@dataclass(frozen=True)
class Parameter:
    """A swept parameter, for :func:`sim.make_design`: bounds for sampled designs, or values (or bounds and steps) for a grid.

    ``sim.Parameter("regime.commit", values=[0.4, 0.6])``, ``sim.Parameter("regime.commit", low=0.2, high=0.8, steps=4)``,
    or ``sim.Parameter("regime.commit", low=0.2, high=0.8)`` for ``lhs``, ``random`` or ``sobol``.

    Attributes:
        path: the dotted path (``events.jan-truce.restraint``), as :func:`sim.parameters` lists them.
        low, high: the bounds.
        steps: a grid's number of values from ``low`` to ``high``.
        values: a grid's values, as given.
    """

    path: str
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    values: tuple[float, ...] | None = None

    def grid_values(self) -> list[float]:
        """The values a grid takes: ``values``, else ``steps`` values evenly from ``low`` to ``high``."""
        if self.values is not None:
            return list(self.values)
        return list(np.linspace(self.low, self.high, self.steps))


def _sweepable(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, str)


def apply(scenario: Scenario, values: dict[str, float], where: str | Path | None = None, *, named: str = "--param") -> Scenario:
    """``scenario`` with the parameters at ``values`` set (and validated).

    ``named``: what an error names when there is no file ``where``: the flag, or by :func:`sim.errors.flag` the flag on
    the command line and the caller's argument in Python (``run_sweep``'s ``spec.design``).
    """
    data = scenario.model_dump(mode="python")
    known = None
    for path, value in values.items():
        node, key = _locate(data, path)
        if node is None:
            known = known or parameter_paths(scenario)
            raise InputError(where, no_parameter(path, known), key=path if where is not None else named)
        node[key] = as_kind_of(node[key], value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        problem = explain(error, None, where, root=Scenario, union=EVENTS)
        # The path as the user wrote it (--param events.moscow-protocol.restraint=...), not the schema's events[6].restraint.
        written = {schema_key(data, path): path for path in values}.get(key_path(error["loc"], EVENTS), problem.key)
        raise InputError(where, f"{written}: {problem.message}", key=written if where is not None else named) from None


def _locate(data: dict, path: str) -> tuple[dict | None, str]:
    """The dict in ``data`` (a scenario dumped) that holds the number or switch at ``path``, and its key there;
    (None, "") where ``path`` is no parameter (of the factions and the blocks, their own keys only, as sweeps offer)."""
    node, rest = holder(data, path)
    if not rest or (len(rest) > 1 and not path.startswith("events.")):
        return None, ""
    for part in rest[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    key = rest[-1]
    if not isinstance(node, dict) or key not in node or not _sweepable(node[key]):
        return None, ""
    return node, key


SAMPLED = ("lhs", "random", "sobol")
CHECK_ALL = 64  # distinct values of a parameter checked one by one; beyond this, its lowest and highest


def check_design(scenario: Scenario, sample: str, names: list[str], points: np.ndarray, where: str | Path | None = None,
                 *, named: str = "--param") -> None:
    """Check every point of a design against the scenario's schema before anything runs.

    Each parameter must exist and take the values it is given: a switch
    (true/false) only 0 or 1, and only on a grid (a sampled design would
    record fractions while every run used ``True``); a whole-number
    parameter only whole numbers, likewise; every value inside the range the
    schema declares. The schema's constraints on numbers are per field and
    none relates two of them, so checking each parameter's values (all of
    them, or for many the lowest and highest, ranges being intervals) checks
    every point.

    Raises:
        InputError: naming the parameter and the value; with no file ``where``, its key is ``named`` (as for
            :func:`apply`: a design built in Python was blamed on ``--param``, a flag its caller never gave).
    """
    key = None if where is not None else named
    data = scenario.model_dump(mode="python")
    for k, path in enumerate(names):
        node, field = _locate(data, path)
        if node is None:
            apply(scenario, {path: points[0, k]}, where, named=named)  # raises, naming the valid paths
        values = np.unique(points[:, k])
        current = node[field]
        if not np.isfinite(values).all():
            raise InputError(where, f"'{path}' is given a value that is not a finite number", key=key or path)
        if isinstance(current, bool):
            if sample in SAMPLED:
                raise InputError(where, f"'{path}' is a switch (true or false), which a {sample} design cannot sample; "
                                 f"sweep it on a grid (e.g. {path}=0,1)", key=key or path)
            if not set(values.tolist()) <= {0.0, 1.0}:
                raise InputError(where, f"'{path}' is a switch: give 0 (false) or 1 (true), not {values[~np.isin(values, (0, 1))][0]:g}",
                                 key=key or path)
        elif isinstance(current, int):
            if sample in SAMPLED:
                raise InputError(where, f"'{path}' takes whole numbers, which a {sample} design would not give; sweep it on "
                                 "a grid", key=key or path)
            if not all(float(v).is_integer() for v in values):
                raise InputError(where, f"'{path}' takes whole numbers, not {next(v for v in values if not float(v).is_integer()):g}",
                                 key=key or path)
        for v in values if len(values) <= CHECK_ALL else (values[0], values[-1]):
            apply(scenario, {path: float(v)}, where, named=named)


def dotted(params: list[Parameter], scenario: Scenario) -> list[Parameter]:
    """``params`` with each path given as an alias (``regime__commit``) read as its dotted path, as a design's header
    is read (:func:`sim.io.paths.resolve`).

    Raises:
        InputError: a name that is neither (the message names the closest, or says where all are listed), or an alias
            two paths share; its key is ``parameters``, the argument of :func:`sim.make_design` (``--param`` on the
            command line).
    """
    known = parameter_paths(scenario)
    try:
        return [replace(p, path=resolve(p.path, known)) for p in params]
    except InputError as exc:
        raise InputError(None, exc.message, key="parameters") from None


def check_ranges(params: list[Parameter], scenario: Scenario) -> None:
    """Refuse a bound or value of ``params`` outside its parameter's declared range, as typed: a grid's 0.8:1.2:4 was
    refused at a point of it, 1.0666666666666667 (see :func:`out_of_range`).

    Raises:
        InputError: ``path: why``, its key ``parameters`` as for :func:`dotted`.
    """
    for p in params:
        if (outside := out_of_range(scenario, p)) is not None:
            raise InputError(None, f"{p.path}: {outside[1]}", key="parameters")


def out_of_range(scenario: Scenario, p: Parameter) -> tuple[str, str] | None:
    """The first bound or value of ``p`` as given (``low``, ``high`` or ``values``) that its parameter cannot take, and
    why, or None: checked as typed, where the design's points would name a number nobody wrote. A missing bound is
    left to :func:`sim.experiments.designs.make_design`."""
    lo, hi, _ = declared_range(scenario, p.path)
    given = [("values", v) for v in p.values] if p.values is not None else [("low", p.low), ("high", p.high)]
    for name, value in given:
        if value is not None and not lo <= value <= hi:
            return name, f"{value:g} is outside the parameter's range, {lo:g} to {hi:g}"
    return None


def repeated_value(param: Parameter) -> float | None:
    """A value listed twice in ``param``'s explicit values (a grid would run that point twice), or None."""
    seen: set[float] = set()
    for v in param.values or ():
        if v in seen:
            return v
        seen.add(v)
    return None


def parse_param(text: str) -> Parameter:
    """``path=lo:hi:steps``, ``path=lo:hi`` (bounds) or ``path=a,b,c`` (values), from the command line."""
    path, sep, spec = text.partition("=")
    if not sep or not path or not spec:
        raise InputError(None, f"expects PATH=LO:HI[:STEPS] or PATH=A,B,C (got {text!r})", key="--param")
    if is_date(path):  # its values, written as dates, were refused as "expects finite numbers", the name never judged
        raise InputError(None, f"'{path}': {not_a_date(path)}", key="--param")
    try:
        if ":" in spec:
            parts = [float(x) for x in spec.split(":")]
            if not all(math.isfinite(x) for x in parts):
                raise ValueError
            if len(parts) == 2:
                return Parameter(path, parts[0], parts[1])
            if len(parts) == 3 and 2 <= parts[2] <= MAX_STEPS and spec.rsplit(":", 1)[1].strip().isdecimal():  # not 3.0
                return Parameter(path, parts[0], parts[1], int(parts[2]))
            raise ValueError
        values = tuple(float(x) for x in spec.split(","))
        if not all(math.isfinite(x) for x in values) or len(values) > MAX_STEPS:
            raise ValueError
        param = Parameter(path, values=values)
        if (twice := repeated_value(param)) is not None:
            raise InputError(None, f"{text!r}: {twice:g} is listed twice; a grid runs each value once", key="--param")
        return param
    except ValueError:
        raise InputError(None, f"{text!r}: expects finite numbers: LO:HI, LO:HI:STEPS (STEPS from 2 to {MAX_STEPS:,}) "
                         "or A,B,C", key="--param") from None
