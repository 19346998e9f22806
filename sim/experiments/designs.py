"""Designs: the parameter points of a sweep.

``grid`` takes every combination of listed values (or ``steps`` points
between bounds); ``lhs``, ``random`` and ``sobol`` (Saltelli's scheme, for
Sobol indices) sample within bounds. SALib is imported only for the designs
that need it.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import InputError, did_you_mean, flag
from ..io.paths import plain
from ..io.scenario import as_scenario
from ..io.schema import Scenario
from ..names import is_whole
from .parameters import MAX_STEPS, Parameter, check_design, check_ranges, dotted, repeated_value

SAMPLES = ("grid", "lhs", "random", "sobol")
MAX_POINTS = 1_000_000  # points in one design: far beyond a sweep that finishes, and its table stays small
MAX_DESIGN_SEED = 2**32 - 1
# Where a user gives each setting make_design names in an error (its ``key``): the key in a sweep file and the
# command-line flag. Any other key is a parameter's dotted path, or "parameters" for the design as a whole: a sweep
# file's parameters or ``--param``.
SETTINGS = {"sample": ("sample", flag("sample")), "n": ("n", flag("n")), "seed": ("sample_seed", flag("sample_seed"))}


@dataclass
class Design:
    """The parameter points of a sweep, in a fixed order.

    A sampled design (lhs, random, sobol) draws its points when they are first read, so that checking a sweep file
    (its size, its bounds) never imports SALib nor draws thousands of points.
    """

    sample: str
    parameters: list[Parameter]
    given: np.ndarray | None = field(default=None, repr=False)  # [points, parameters] of a grid or a file; else drawn
    n: int | None = None
    seed: int = 0  # the sample seed: where a sampled design's points fall (replicate seeds are the sweep's)
    source: str | None = None  # an external design: its file and content digest (sim.experiments.design_file)

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.parameters]

    @functools.cached_property
    def points(self) -> np.ndarray:
        """[points, parameters]: the grid's or the file's, or the sample drawn (once) from ``n`` and the seed."""
        return self.given if self.given is not None else _draw(self)

    @property
    def size(self) -> int:
        """How many points, without drawing them (Saltelli's scheme evaluates ``n * (parameters + 2)``)."""
        if self.given is not None:
            return len(self.given)
        return self.n * (len(self.parameters) + 2) if self.sample == "sobol" else self.n

    def span(self, k: int) -> np.ndarray:
        """The values of parameter ``k`` that bound every point's, as a column: all of them for a grid or a file, the
        bounds for a sampled design (every draw falls between them)."""
        if self.given is not None:
            return self.given[:, [k]]
        return np.array([[self.parameters[k].low], [self.parameters[k].high]])

    def problem(self) -> dict:
        """The SALib problem for sampled designs."""
        return {"num_vars": len(self.parameters), "names": self.names,
                "bounds": [[p.low, p.high] for p in self.parameters]}

    def describe(self) -> dict:
        out = {"sample": self.sample, "n": self.n, "seed": self.seed,
               "parameters": [{k: v for k, v in vars(p).items() if v is not None} for p in self.parameters]}
        return out if self.source is None else {**out, "source": self.source}


def make_design(sample: str, parameters: list[Parameter], *, n: int | None = None, seed: int | None = None,
                scenario: Scenario | str | os.PathLike | None = None) -> Design:
    """Points for ``sample`` over ``parameters``.

    A grid takes each parameter's values (or ``steps`` points between its
    bounds: bounds without steps are refused); sampled designs need bounds and ``n`` (for ``sobol``, the base
    sample size: Saltelli's scheme without the second-order indices, which gives the first-order and total ones
    from ``n * (parameters + 2)`` points).

    Args:
        sample: ``grid``, ``lhs``, ``random`` or ``sobol``.
        parameters: the :class:`~sim.experiments.parameters.Parameter` to vary.
        n: a sampled design's size.
        seed: where a sampled design's points fall (not the replicates' seeds).
        scenario: the scenario the design is for (or its file's path): each parameter is then read as ``--param``
            reads it, an alias as its dotted path, and one the scenario does not have, a bound or value outside
            its declared range, or a fraction of a whole-number parameter or a switch that the design would give
            (a grid's steps, any sampled design), is refused here rather than by :func:`sim.run_sweep`. Without it the names are
            free, for an ``evaluate`` function of one's own.

    Raises:
        InputError: with no file; its ``key`` is a setting (``sample``, ``n``, ``seed``: see :data:`SETTINGS`), a
            parameter's dotted path, ``parameters`` or ``scenario``. A caller names the place the user wrote it (a
            sweep file's line, a flag).
    """
    if sample not in SAMPLES:
        raise InputError(None, f"unknown sample '{sample}'" + did_you_mean(sample, SAMPLES), key="sample")
    if not isinstance(parameters, list | tuple) or not all(isinstance(q, Parameter) for q in parameters):
        # A lone Parameter (the list forgotten) or dotted paths were a TypeError or AttributeError from the loop below.
        raise InputError(None, f"needs a list of sim.Parameter (sim.Parameter(path, values=...) or low=, high=, steps=), "
                         f"not {_kind(parameters)}", key="parameters")
    if not parameters:
        raise InputError(None, "a sweep needs at least one parameter", key="parameters")
    if scenario is not None:  # before the check for a parameter given twice: an alias and its path are one
        scenario = as_scenario(scenario)
        parameters = dotted(parameters, scenario)
    twice = sorted({p.path for p in parameters if [q.path for q in parameters].count(p.path) > 1})
    if twice:
        raise InputError(None, f"'{twice[0]}' is swept twice", key=twice[0])
    if sample == "grid" and seed is not None:  # dropped without a word, as n was: a grid's points are not drawn
        raise InputError(None, f"a grid takes no sample seed (got {seed}): its points are every combination of the values "
                         "given; the sample seed places a sampled design's points (lhs, random, sobol)", key="seed")
    seed = 0 if seed is None else plain(seed)  # numpy's integer as Python's, as the values below
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_DESIGN_SEED:
        raise InputError(None, f"the design's seed must be a whole number from 0 to {MAX_DESIGN_SEED} (got {seed!r})", key="seed")
    # An array of values is taken as its list, and numpy's numbers as Python's (either made a design whose sweep could
    # not be recorded: JSON has no arrays, nor numpy's int64).
    parameters = [replace(p, values=plain(p.values), low=plain(p.low), high=plain(p.high), steps=plain(p.steps))
                  for p in parameters]
    for p in parameters:
        _check_fields(p)
        extra = [k for k in ("low", "high", "steps") if getattr(p, k) is not None]
        if p.values is not None and extra:  # a grid took the values and dropped the rest without a word
            raise InputError(None, f"'{p.path}' gives both values and {' and '.join(repr(k) for k in extra)}: values are the "
                             "points as given; give the values alone, or low, high and steps instead", key=p.path)
    if scenario is not None:
        check_ranges(parameters, scenario)
    if sample == "grid":
        if n is not None:  # it was dropped without a word: the user asked for n points and got the grid's
            raise InputError(None, f"a grid takes no n (got {n}): its points are every combination of the values given; "
                             "n is the size of a sampled design (lhs, random, sobol)", key="n")
        for p in parameters:
            if p.values is None and (p.low is None or p.high is None):
                raise InputError(None, f"'{p.path}' needs values or bounds with steps for a grid", key=p.path)
            if p.values is None and p.steps is None:  # once read as 2 steps: a grid of the bounds alone, without a word
                lo, hi = f"{p.low:g}", f"{p.high:g}"
                # One message for every route that builds a grid, so it spells the fix in each: a make_design caller
                # read only --param's and a sweep file's spellings, neither of which Python takes.
                raise InputError(None, f"'{p.path}' has bounds but no steps: a grid (the default design) needs steps, e.g. "
                                 f"5 values from {lo} to {hi} ({p.path}={lo}:{hi}:5 with --param, steps: 5 in a sweep file, "
                                 f"steps=5 in sim.Parameter), or values ({p.path}={lo},{hi}, values: [{lo}, {hi}], or "
                                 f"values=[{lo}, {hi}]); bounds alone are for a sampled design (--sample lhs --n N, sample: lhs "
                                 "and n: N, or sim.make_design(\"lhs\", parameters, n=N))", key=p.path)
            if p.values is None and not p.low < p.high:  # equal bounds ran one point `steps` times, as a value listed twice would
                raise InputError(None, f"'{p.path}' needs bounds low < high for a grid (got low {p.low:g}, high {p.high:g}); "
                                 "for a single value, give values", key=p.path)
        size = math.prod(len(p.values) if p.values is not None else p.steps for p in parameters)
        if size > MAX_POINTS:
            raise InputError(None, f"the grid has {size:,} points; at most {MAX_POINTS:,}", key="parameters")
        axes = [p.grid_values() for p in parameters]
        points = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(axes), -1).T
        return _kinds_checked(Design(sample, parameters, points.astype(float)), scenario)
    for p in parameters:
        if p.low is None or p.high is None or not p.low < p.high:
            raise InputError(None, f"'{p.path}' needs bounds low < high for a {sample} design", key=p.path)
        if p.steps is not None:  # the draw falls anywhere between the bounds: steps would be dropped without a word
            raise InputError(None, f"'{p.path}' gives {p.steps} steps, which a {sample} design does not use (it draws "
                             "between the bounds): give the bounds alone, or use a grid", key=p.path)
    if n is None:
        raise InputError(None, f"a {sample} design needs n, how many points to draw: none is given", key="n")
    n = plain(n)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(None, f"a {sample} design needs n, a whole number of at least 1 (got {n!r})", key="n")
    size = n * (len(parameters) + 2) if sample == "sobol" else n
    if size > MAX_POINTS:
        raise InputError(None, f"n = {n:,} makes {size:,} points; at most {MAX_POINTS:,}", key="n")
    if sample == "sobol" and n & (n - 1):
        raise InputError(None, f"a sobol design needs n a power of 2 (got {n})", key="n")
    return _kinds_checked(Design(sample, parameters, None, n, seed), scenario)


def _kinds_checked(design: Design, scenario: Scenario | None) -> Design:
    """``design``, once each parameter takes its values as run_sweep will check them: a whole-number parameter whole
    numbers and a switch 0 or 1, each on a grid only. check_ranges above reads the values as typed; a grid of 1:4:3
    makes 2.5 and an lhs draws fractions, which --param refused at once and make_design left to run_sweep."""
    if scenario is not None:
        for k, name in enumerate(design.names):
            check_design(scenario, design.sample, [name], design.span(k), named="parameters")
    return design


def _kind(parameters: object) -> str:
    """What was given for a design's parameters, in words: its type, and for a list the type of the first odd item."""
    if isinstance(parameters, list | tuple):
        odd = next(q for q in parameters if not isinstance(q, Parameter))
        return f"a {type(parameters).__name__} holding a {type(odd).__name__} ({odd!r})"
    return f"a {type(parameters).__name__}"


def _number(value: object) -> bool:
    """A number (a NaN or an infinity is left to the check against the scenario: run_sweep names it as the design's)."""
    return isinstance(value, numbers.Real)


def _check_fields(p: Parameter) -> None:
    """``p``'s values, bounds and steps, as ``--param`` and a sweep file check those they read: a Parameter made in
    Python with values ["a", "b"] failed in numpy (a bare ValueError), with values [] made a sweep of no points, and
    with a value listed twice ran that point twice, counted as two."""
    if p.values is not None:
        if not isinstance(p.values, list | tuple):  # a string was read character by character
            raise InputError(None, f"'{p.path}' needs values as a list of numbers (got {p.values!r})", key=p.path)
        if not p.values:
            raise InputError(None, f"'{p.path}' has no values: a grid needs at least one", key=p.path)
        if bad := [v for v in p.values if not _number(v)]:
            raise InputError(None, f"'{p.path}' takes numbers as values, not {bad[0]!r}", key=p.path)
        if (twice := repeated_value(p)) is not None:  # as --param and a sweep file refuse it
            raise InputError(None, f"'{p.path}' has {twice:g} listed twice; a grid runs each value once", key=p.path)
    for name in ("low", "high"):
        if (bound := getattr(p, name)) is not None and not _number(bound):
            raise InputError(None, f"'{p.path}' needs {name} a number (got {bound!r})", key=p.path)
    if p.steps is not None and (not is_whole(p.steps)
                                or not 2 <= p.steps <= MAX_STEPS):  # 0 steps made a sweep of no points, 1 the low bound alone
        raise InputError(None, f"'{p.path}' needs steps a whole number from 2 to {MAX_STEPS:,} (got {p.steps!r})", key=p.path)


def _draw(design: Design) -> np.ndarray:
    """The points of a sampled design, drawn from its ``n`` and seed (the same every time)."""
    n, seed, parameters = design.n, design.seed, design.parameters
    if design.sample == "random":
        unit = np.random.default_rng(seed).random((n, len(parameters)))
        lo, hi = np.array([[p.low, p.high] for p in parameters]).T
        return lo + unit * (hi - lo)
    if design.sample == "lhs":
        from SALib.sample import latin

        return latin.sample(design.problem(), n, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(design.problem(), n, calc_second_order=False, seed=seed)
