"""External designs: a sweep's points read from a CSV file made elsewhere (EMA Workbench, SALib, a spreadsheet).

The header names the parameters, by dotted path or alias; each row is a
point. EMA Workbench's experiments table works as it is
(``experiments.to_csv("points.csv", index=False)``): its ``scenario``,
``policy`` and ``model`` columns are left out, as is a ``point`` column (a
sweep's own ``points.csv``). Every value is checked against the scenario
before anything runs, and an error names the file, the line and the column.
A parameter set (``run --param-set``, :mod:`sim.experiments.param_sets`) is
read and checked the same way (:func:`load_param_set`), here, apart from the
ensembles and the model they load: a bad one is refused before that import.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.files import near_miss, read_input
from ..io.paths import declared_range, parameter_paths, resolve
from ..io.schema import Scenario
from .designs import MAX_POINTS, Design
from .parameters import Parameter, apply

IGNORED = ("point", "scenario", "policy", "model")  # a sweep's point index; EMA Workbench's bookkeeping
LABELS = ("trial", "objective", "se")  # a parameter set's labels of its rows (a calibration's accepted set)
LIMIT = 64 * 2**20
SWITCH = {"true": 1.0, "false": 0.0}


@dataclass(frozen=True)
class Points:
    """The points of a CSV file: the parameters' dotted paths, one row of values per point, and each row's line."""

    names: list[str]
    values: np.ndarray  # [points, parameters]
    lines: list[int]
    digest: str  # of the file's bytes


def load_design(path: str | Path, scenario: Scenario) -> Design:
    """The points in the CSV file ``path``, checked against ``scenario``.

    Raises:
        InputError: naming the file, line and column: an unknown parameter, a value that
            is not a finite number, a fraction for a whole number or a switch, a value
            outside the parameter's declared range, no points.
    """
    path = Path(path)
    points = read_points(path, scenario, IGNORED)
    check_points(scenario, points, path)
    values = points.values
    params = [Parameter(n, float(values[:, j].min()), float(values[:, j].max())) for j, n in enumerate(points.names)]
    return Design("file", params, values, n=len(values), source=f"{path.name} sha256:{points.digest}")


def read_points(path: Path, scenario: Scenario, ignored: tuple[str, ...]) -> Points:
    """The CSV file ``path`` read as points: a header naming parameters (dotted paths or aliases, resolved
    against ``scenario``; the ``ignored`` columns are labels), then a row per point of numbers or true/false.

    Raises:
        InputError: naming the file, line and column: an unknown or repeated parameter, a row of the wrong
            length, a value that is not a finite number, no points, too many.
    """
    data = read_input(path, LIMIT)
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(path, "file is not valid UTF-8 text") from None
    why = not_csv(path, lines)
    if why:
        raise InputError(path, f"this is {why}, not a CSV table of points (a header naming the parameters by dotted path or alias, "
                         "then a row of values per point)", line=1)
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader, [])]
    # A spreadsheet set to a language whose decimal mark is a comma writes ';' between columns: read as one column,
    # the header was "no parameter 'a;b' (did you mean 'a'?)".
    if len(header) == 1 and (sep := next((s for s in (";", "\t") if s in header[0]), None)):
        raise InputError(path, f"its columns are separated by {'tabs' if sep == chr(9) else repr(sep)}, not by commas: "
                         "write the table with a comma between columns and '.' in numbers", line=1)
    keep = [k for k, h in enumerate(header) if h not in ignored]
    if not keep:
        raise InputError(path, "no parameter columns (the header names the parameters: dotted paths or aliases)", line=1)
    known = parameter_paths(scenario)
    try:
        names = [resolve(header[k], known, str(path)) for k in keep]
    except InputError as exc:  # the header is line 1
        raise InputError(path, exc.message, line=1, key=exc.key) from None
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(path, f"parameter '{twice[0]}' appears twice", line=1, key=twice[0])
    rows, at = [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) != len(header):
            raise InputError(path, f"{len(row)} fields, but the header has {len(header)}", line=line)
        rows.append([_number(row[k], path, line, name) for k, name in zip(keep, names, strict=True)])
        at.append(line)
        if len(rows) > MAX_POINTS:
            raise InputError(path, f"more than {MAX_POINTS:,} points", line=line)
    if not rows:
        raise InputError(path, "no points (one row per point under the header)", line=2)
    return Points(names, np.array(rows, dtype=float), at, hashlib.sha256(data).hexdigest()[:16])


def not_csv(path: Path, lines: list[str] | None = None) -> str | None:
    """Why ``path`` is plainly YAML, not CSV (its suffix, or a first line that is a comment or a ``key: value``), or
    None. Read as CSV, a calibration file's comment became a parameter's name, refused with all 124 valid ones."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return f"a YAML file ({path.suffix})"
    if lines is None:
        lines = read_input(path, LIMIT).decode("utf-8", errors="replace").splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith(("#", "---")) or ("," not in first and re.fullmatch(r"[\w.-]+ *:( .*)?", first)):
        shown = first if len(first) <= 40 else first[:37] + "..."
        return f"YAML by its first line ({shown!r})"
    return None


def _number(text: str, path: Path, line: int, key: str) -> float:
    text = text.strip()
    if text.lower() in SWITCH:
        return SWITCH[text.lower()]
    try:
        value = float(text)
    except ValueError:
        raise InputError(path, f"'{text}' is not a number, nor true or false", line=line, key=key) from None
    if not math.isfinite(value):
        raise InputError(path, f"'{text}' is not a finite number", line=line, key=key)
    return value


def check_points(scenario: Scenario, points: Points, path: Path) -> None:
    """Every value of every parameter: its kind, then its range (an interval, so the lowest and highest decide),
    each error at the line of the first row that breaks the rule.

    Raises:
        InputError: a fraction for a switch (0/1 or true/false) or a whole number, or a value outside the
            parameter's declared range.
    """
    for j, name in enumerate(points.names):
        values = points.values[:, j]
        _, _, kind = declared_range(scenario, name)
        if kind is bool and not np.isin(values, (0.0, 1.0)).all():
            row = int(np.flatnonzero(~np.isin(values, (0.0, 1.0)))[0])
            raise InputError(path, f"'{name}' is a switch: give 0/1 or true/false, not {values[row]:g}", line=points.lines[row], key=name)
        if kind is int and not (values == np.round(values)).all():
            row = int(np.flatnonzero(values != np.round(values))[0])
            raise InputError(path, f"'{name}' takes whole numbers, not {values[row]:g}", line=points.lines[row], key=name)
        for row in (int(values.argmin()), int(values.argmax())):
            value = values[row]
            try:
                scenario.with_params({name: bool(value) if kind is bool else int(value) if kind is int else float(value)})
            except InputError as exc:
                raise InputError(path, exc.message, line=points.lines[row], key=name) from None


def load_param_set(path: str | Path, scenario: Scenario) -> list[dict[str, float]]:
    """The rows of a parameter-set CSV, each checked against ``scenario``.

    Read as a sweep's design from a file is (:mod:`sim.experiments.design_file`): columns named by dotted
    path or alias, a switch given 0/1 or true/false, a whole-number parameter whole numbers.

    Raises:
        InputError: no such file (naming ``--param-set``), or naming the file, line and column of a bad value.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found" + near_miss(path), key="--param-set")
    if not path.is_file():
        raise InputError(path, "no parameter set here (a CSV with one column per parameter path)", key="--param-set")
    why = not_csv(path)
    if why:
        raise InputError(path, f"is {why}, not a parameter set: --param-set takes a CSV with one column per parameter path "
                         "and one row per parameter vector, as a calibration's accepted set "
                         "(scenarios/calibrated/campaign.accepted.csv)", key="--param-set")
    points = read_points(path, scenario, LABELS)
    check_points(scenario, points, path)
    rows = []
    for values, line in zip(points.values.tolist(), points.lines, strict=True):
        row = dict(zip(points.names, values, strict=True))
        try:
            apply(scenario, row, where=path)  # every row must make a valid scenario
        except InputError as exc:
            raise InputError(path, exc.message, line=line, key=exc.key) from None
        rows.append(row)
    return rows
