"""Scenario discovery: the region of a sweep's parameter space where an outcome of interest happens (PRIM).

``discover(folder, "ceasefire_days >= 30")`` averages each point's
replicates, marks the points whose mean meets the condition, and runs EMA
Workbench's PRIM (Friedman and Fisher's patient rule induction) on them:
boxes, each a range of some parameters, that hold many of the points of
interest (coverage) and few others (density). On each box's peeling
trajectory the box reported is the one with the highest coverage among
those with density at least ``threshold`` (else the densest); with its
limits come Bryant and Lempert's quasi-p values, a one-sided binomial test
of each limit (small: the limit matters). Later boxes look at the points
the earlier ones left.
"""

from __future__ import annotations

import importlib
import numbers
import operator
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, close_or_grouped, extra_missing, flag
from ..io.files import as_path
from ..names import MAX_BOXES, is_whole
from .metrics import metric_named
from .results import load_sweep_manifest, read_rows
from .sensitivity import runs_having, runs_missing_a_capture_by_point

OPERATORS = {">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne, ">": operator.gt, "<": operator.lt}
WHERE = flag("where", about_file=True)  # the condition on the sweep folder's rows: --where, or discover(folder, where)
# The value may not start with an operator's character: "x >= " was read as x > "=" and refused as "'=' is not a number".
CONDITION = re.compile(r"^\s*(?P<metric>[^\s<>=!]+)\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>[^\s<>=!]\S*)?\s*$")


@dataclass
class Box:
    """One box: the limits of the parameters it restricts, and how well it separates.

    Attributes:
        limits: per restricted parameter: ``low``, ``high``, and the quasi-p values of
            each limit, ``qp_low`` and ``qp_high`` (NaN where that side is not restricted).
        coverage: share of all points of interest inside the box.
        density: share of the points inside the box that are of interest.
        mass: share of all points inside the box.
        points: points inside the box; ``of_interest`` of them meet the condition.
        step: the box's index on its peeling trajectory.
        meets_threshold: density >= the threshold asked for.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    points: int
    of_interest: int
    step: int
    meets_threshold: bool


@dataclass
class Discovery:
    """What :func:`discover` found: the data it looked at, the boxes and each box's peeling trajectory."""

    folder: Path
    condition: str
    metric: str
    parameters: list[str]
    bounds: dict[str, tuple[float, float]]
    # One row per point with runs: parameters, its ``replicates``, the metric's mean, ``of_interest``; where some runs
    # lack the metric, ``<metric>_runs``, how many have it (its mean is over those); of ``capture_mae_days``, how many
    # never saw a capture it counts (MISSING_A_CAPTURE: its mean is a lower bound where not 0).
    points: pd.DataFrame
    runs_per_point: int  # the replicates the design gives a point; an unfinished sweep's points may have fewer
    design_points: int  # the design's points; an unfinished sweep has runs at fewer
    threshold: float
    boxes: list[Box] = field(default_factory=list)
    trajectories: list[pd.DataFrame] = field(default_factory=list)  # coverage, density, mass, res_dim per step

    def table(self) -> pd.DataFrame:
        """The boxes in one table, the one ``discover`` writes to ``boxes.csv``: a row per (box, restricted parameter)
        with its ``low``, ``high`` and quasi-p values, and the box's ``coverage``, ``density``, ``mass``, ``points`` and
        ``of_interest`` (a box that restricts nothing has one row, its parameter ``(none)``)."""
        rows = []
        for k, box in enumerate(self.boxes, start=1):
            stats = {"box": k, "coverage": box.coverage, "density": box.density, "mass": box.mass,
                     "points": box.points, "of_interest": box.of_interest}
            if box.limits.empty:
                rows.append({**stats, "parameter": "(none)", "low": np.nan, "high": np.nan, "qp_low": np.nan, "qp_high": np.nan})
            rows += [{**stats, **limit} for limit in box.limits.to_dict("records")]
        return pd.DataFrame(rows, columns=["box", "parameter", "low", "high", "qp_low", "qp_high", "coverage", "density", "mass",
                                           "points", "of_interest"])

    def __repr__(self) -> str:
        """The condition, the points of interest and each box in a line: the dataclass's own printed every point and
        every step of each trajectory."""
        shown = [f"box {k}: coverage {b.coverage:.2f}, density {b.density:.2f}, "
                 f"on {', '.join(b.limits['parameter']) or 'no parameter'}" for k, b in enumerate(self.boxes, start=1)]
        boxes = f"{len(self.boxes)} box{'es' * (len(self.boxes) != 1)}" + (f" ({'; '.join(shown)})" if shown else "")
        return (f"Discovery({str(self.folder)!r}, {self.condition!r}: {int(self.points['of_interest'].sum())} of "
                f"{len(self.points)} points of interest, {boxes})")


QUIET = ("ipyparallel not installed", "altair based interactive inspection not available")  # its optional extras


def ema_workbench(module: str = "ema_workbench"):  # noqa: ANN201 - the module
    """``import ema_workbench`` (or one of its modules), without its warnings about optional packages it lacks.

    Raises:
        InputError: it is not installed (it is the optional extra ``[ema]``).
    """
    try:
        with warnings.catch_warnings():
            for message in QUIET:
                warnings.filterwarnings("ignore", message=message)
            return importlib.import_module(module)
    except ImportError:
        raise extra_missing("ema", "EMA Workbench", ["ema_workbench"]) from None


def parse_condition(text: str, metrics: list[str], where: str | Path | None = None) -> tuple[str, str, float]:
    """``"ceasefire_days >= 30"`` -> (metric, operator, value); the metric must be a column of the rows, named as
    it is or by its alias (``ceasefire_days__jan_truce``, :func:`~sim.analysis.metrics.metric_named`)."""
    match = CONDITION.match(text)
    if match is None:
        raise InputError(where, f"expects METRIC OP NUMBER, OP one of {' '.join(OPERATORS)} (got {text!r})",
                         key=WHERE)
    metric, op, value = metric_named(match["metric"], metrics), match["op"], match["value"]  # by name or by alias
    if value is None:
        raise InputError(where, f"{text.strip()!r} has no number after '{op}': a condition is METRIC OP NUMBER "
                         f"(e.g. '{metric} {op} 30')", key=WHERE)
    if metric not in metrics:
        raise InputError(where, f"no metric '{metric}' in the sweep's rows"
                         + close_or_grouped(metric, metrics, f"the rows hold {len(metrics)}, the columns of runs.parquet after "
                                            "point, replicate, seed and the parameters (sim.read_rows reads them)"), key=WHERE)
    try:
        number = float(value)
    except ValueError:
        raise InputError(where, f"'{value}' is not a number", key=WHERE) from None
    return metric, op, number


def discover(folder: str | Path, where: str, *, threshold: float = 0.8, max_boxes: int = 3, peel_alpha: float = 0.05,
             paste_alpha: float = 0.05, mass_min: float = 0.05) -> Discovery:
    """PRIM on a sweep: the boxes of parameter space where the mean of a metric meets ``where``.

    Args:
        folder: a sweep folder (``sim sweep``).
        where: ``METRIC OP NUMBER`` (``"ceasefire_days >= 30"``, ``"met:maarat-captured == 1"``); a
            point is of interest when its metric's mean over its replicates meets it (NaN never does;
            replicates where the metric is NaN are left out of the mean).
        threshold: the least density of a box worth reporting; the search stops at the first box below it.
        max_boxes: the most boxes to look for.
        peel_alpha, paste_alpha, mass_min: PRIM's settings (share of points peeled or pasted per
            step; the least share of points a box may hold).

    Raises:
        InputError: not a sweep, a bad condition, a setting out of its range (named), EMA Workbench missing.
    """
    _check_settings(threshold, max_boxes, peel_alpha, paste_alpha, mass_min)
    folder = as_path(folder, "folder")
    if not isinstance(where, str):  # a number or None was re's TypeError ("expected string or bytes-like object")
        raise InputError(folder, f"expects METRIC OP NUMBER as a string ('ceasefire_days >= 30'), not "
                         f"{type(where).__name__} {where!r}", key=WHERE)
    manifest = load_sweep_manifest(folder)
    rows = read_rows(folder)
    names = [p["path"] for p in manifest["design"]["parameters"]]
    metric, op, value = parse_condition(where, [c for c in rows.columns if c not in ("point", "replicate", "seed", *names)], folder)
    means = rows.groupby("point")[[*names, metric]].mean()
    interest = OPERATORS[op](means[metric].to_numpy(dtype=float), value)  # NaN compares False
    # Each point's count, as sweep-report's points.csv has it: an unfinished sweep's points have unequal numbers, and a
    # metric some runs lack (a day:<id> where the change never came) is averaged over those that have it, and a capture
    # MAE counting a capture that never came is a lower bound.
    points = means[names].assign(replicates=rows.groupby("point").size(), **{metric: means[metric]},
                                 **runs_having(rows, metric), **runs_missing_a_capture_by_point(rows, metric),
                                 of_interest=interest)
    # Written with the metric as the rows name it: asked by its alias, discover.md named one metric two ways.
    condition = metric + where.strip()[len(CONDITION.match(where)["metric"]):]
    found = Discovery(folder, condition, metric, names, {n: (float(means[n].min()), float(means[n].max())) for n in names},
                      points.reset_index(), int(manifest["runs_per_point"]), int(manifest["points"]), threshold)
    if not interest.any():
        return found
    prim = ema_workbench("ema_workbench.analysis.prim")

    with warnings.catch_warnings():
        # EMA Workbench 3.0 calls pandas in ways pandas 3 deprecates; its warnings are its own, not a problem in the data.
        warnings.filterwarnings("ignore", module=r"ema_workbench\.")
        return _prim(prim, found, means[names], interest, threshold, max_boxes, peel_alpha, paste_alpha, mass_min)


def _check_settings(threshold: float, max_boxes: int, peel_alpha: float, paste_alpha: float, mass_min: float) -> None:
    """Each of discover's settings, before anything is read: in PRIM they failed late and without a word (an
    AssertionError with no message for peel_alpha=0, a TypeError for max_boxes='3')."""
    def share(value: object) -> bool:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)

    # A density is a share: 80 (a percentage), nan or -1 matched every box or none.
    if not share(threshold) or not 0.0 < threshold <= 1.0:
        raise InputError(None, f"must be a share of points above 0 and at most 1 (got {threshold!r})", key=flag("threshold"))
    if not is_whole(max_boxes) or not 1 <= max_boxes <= MAX_BOXES:
        raise InputError(None, f"must be a whole number from 1 to {MAX_BOXES} (got {max_boxes!r})",
                         key=flag("boxes", python="max_boxes"))
    for name, alpha in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha)):
        # EMA Workbench's PRIM takes the quantiles alpha and 1 - alpha of the points, which it asserts lie strictly
        # between 0 and 1.
        if not share(alpha) or not 0.0 < alpha < 1.0:
            raise InputError(None, f"must be a share of points above 0 and below 1 (got {alpha!r}): the share PRIM "
                             f"{name.split('_')[0]}s per step, 0.05 by default", key=name)
    if not share(mass_min) or not 0.0 <= mass_min < 1.0:  # at 1 or more no box could be smaller than the whole space
        raise InputError(None, f"must be a share of points from 0 up to, not including, 1 (got {mass_min!r}): the "
                         "least share of the points a box holds, 0.05 by default", key="mass_min")


def _prim(prim, found: Discovery, x: pd.DataFrame, interest: np.ndarray, threshold: float, max_boxes: int,  # noqa: ANN001, PLR0913
          peel_alpha: float, paste_alpha: float, mass_min: float) -> Discovery:
    algorithm = prim.Prim(x.reset_index(drop=True).astype(float), interest, peel_alpha=peel_alpha,
                          paste_alpha=paste_alpha, mass_min=mass_min)
    for _ in range(max_boxes):
        box = algorithm.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]].astype(float)
        good = trajectory.index[trajectory["density"] >= threshold]
        step = int(trajectory.loc[good, "coverage"].idxmax()) if len(good) else int(trajectory["density"].idxmax())
        box.select(step)
        chosen = _box(box, step, trajectory, threshold)
        if found.boxes and not chosen.meets_threshold:
            break  # a later box is worth reporting only if it is dense enough
        found.trajectories.append(trajectory.assign(selected=trajectory.index == step))
        found.boxes.append(chosen)
        left = int(interest.sum()) - sum(b.of_interest for b in found.boxes)
        if not chosen.meets_threshold or left <= 0:
            break
    return found


def _box(box, step: int, trajectory: pd.DataFrame, threshold: float) -> Box:  # noqa: ANN001 - an EMA Workbench PrimBox
    lims, initial = box.box_lims[step], box.box_lims[0]
    qp = box.p_values[step]
    restricted = [c for c in lims.columns if not np.allclose(lims[c].to_numpy(dtype=float), initial[c].to_numpy(dtype=float))]
    limits = pd.DataFrame(
        [{"parameter": c, "low": float(lims[c].iloc[0]), "high": float(lims[c].iloc[1]),
          "qp_low": _qp(qp, c, 0), "qp_high": _qp(qp, c, 1)} for c in restricted],
        columns=["parameter", "low", "high", "qp_low", "qp_high"])
    row = trajectory.loc[step]
    return Box(limits, float(row["coverage"]), float(row["density"]), float(row["mass"]), int(row["n"]), int(row["k"]), step,
               bool(row["density"] >= threshold))


def _qp(values: dict, name: str, side: int) -> float:
    """A quasi-p value; EMA Workbench writes -1 for a side that is not restricted."""
    try:
        p = float(values[name][side])
    except (KeyError, IndexError):
        return float("nan")
    return float("nan") if p < 0 else p
