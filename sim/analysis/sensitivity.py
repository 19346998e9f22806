"""What a sweep says in numbers: each point's summary over its replicates, and global sensitivity indices.

Sensitivity indices come from SALib (imported only when computed): Sobol
first-order and total indices for ``sobol`` designs; for ``lhs``/``random``,
RBD-FAST first-order indices and squared standardised regression
coefficients. Each point's mean over its replicates is the output the
indices apportion.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd

from .metrics import missing_a_capture

DEFAULT_METRICS = ("ceasefire_days", "outcomes_met", "control_accuracy", "towns_regime", "turkish_deaths", "displaced")


def summarise_points(rows: pd.DataFrame, names: list[str], metrics: list[str]) -> pd.DataFrame:
    """Mean and 5-95% spread of each metric over the replicates of each point, after the point's parameters and its
    number of ``replicates``: in an unfinished sweep some points have fewer than others, and their means stood beside
    the rest with nothing to tell them apart.

    A metric that some run lacks (NaN: a capture's ``day:<id>`` where the town was never taken) is summarised over
    the runs that have it, and gets ``<metric>_runs``, how many those are at each point: its mean leans early (or
    short) where many never saw what it measures, and said nothing of it. ``capture_mae_days`` gets
    :data:`MISSING_A_CAPTURE` (:func:`runs_missing_a_capture_by_point`)."""
    g = rows.groupby("point", sort=True)
    out = g[names].first()
    out["replicates"] = g.size()
    for m in metrics:
        out[f"{m}"] = g[m].mean()
        out[f"{m}_q05"] = g[m].quantile(0.05)
        out[f"{m}_q95"] = g[m].quantile(0.95)
        out = out.assign(**runs_having(rows, m), **runs_missing_a_capture_by_point(rows, m))
    return out.reset_index()


def runs_having(rows: pd.DataFrame, metric: str) -> dict[str, pd.Series]:
    """``{"<metric>_runs": how many runs of each point have a value of it}`` where some run lacks it (NaN), else
    nothing: the count a point's mean of such a metric carries, in sweep-report's points and in discover's."""
    have = rows.groupby("point", sort=True)[metric].count()
    return {f"{metric}_runs": have} if have.sum() < len(rows) else {}


# How many runs of a point never saw a capture capture_mae_days counts: where not 0, the point's mean and range of it
# are lower bounds (points.csv's, discover's points'), as report.md and the figures say of the sweep's.
MISSING_A_CAPTURE = "capture_mae_days_runs_missing_a_capture"


def runs_missing_a_capture_by_point(rows: pd.DataFrame, metric: str) -> dict[str, pd.Series]:
    """``{MISSING_A_CAPTURE: how many runs of each point never saw a capture it counts}`` (0 where none: given whenever
    ``metric`` is ``capture_mae_days``, so that a table without it never reads as exact), else nothing
    (:func:`~sim.analysis.metrics.missing_a_capture`)."""
    if metric != "capture_mae_days":
        return {}
    return {MISSING_A_CAPTURE: missing_a_capture(rows).groupby(rows["point"], sort=True).sum().astype(int)}


MIN_POINTS = 50  # RBD-FAST needs more than 40 (its bootstrap halves them; 2 x 10 harmonics); a file design may be smaller


def sensitivity(manifest: dict, points: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Sobol indices (S1, ST) for a sobol design; otherwise RBD-FAST first-order indices (S1) and
    squared standardised regression coefficients (SRC2, a linear-fit alternative).

    Each point's mean over its replicates is the model output, so replicate
    noise is averaged out before the indices are estimated. Grids get none:
    their points are not a sample of the parameter space. A design read from a file (``sample`` "file")
    is treated as a sample: RBD-FAST and SRC2, over the parameters it varies. Any sampled design needs
    :data:`MIN_POINTS` points or more.
    """
    design = manifest["design"]
    sample = design["sample"]
    params = _varied(design)
    names = [p["path"] for p in params]
    if no_indices(manifest, points):
        return pd.DataFrame(columns=["metric", "parameter", "index", "value", "confidence"])
    problem = {"num_vars": len(names), "names": names, "bounds": [[p["low"], p["high"]] for p in params]}
    rows = []
    for m in metrics:
        y = points[m].to_numpy(dtype=float)
        if _unapportioned(y):
            continue  # no mean at some point, or the same at every one: nothing to apportion
        if sample == "sobol":
            from SALib.analyze import sobol

            with _undefined_resamples_quiet():
                res = sobol.analyze(problem, y, calc_second_order=False, seed=design.get("seed") or 0)
            for k, name in enumerate(names):
                rows.append({"metric": m, "parameter": name, "index": "S1", "value": res["S1"][k], "confidence": res["S1_conf"][k]})
                rows.append({"metric": m, "parameter": name, "index": "ST", "value": res["ST"][k], "confidence": res["ST_conf"][k]})
        else:
            from SALib.analyze import rbd_fast

            x = points[names].to_numpy(dtype=float)
            with _undefined_resamples_quiet():
                res = rbd_fast.analyze(problem, x, y, seed=design.get("seed") or 0)
            src = _src2(x, y)
            for k, name in enumerate(names):
                rows.append({"metric": m, "parameter": name, "index": "S1", "value": res["S1"][k], "confidence": res["S1_conf"][k]})
                rows.append({"metric": m, "parameter": name, "index": "SRC2", "value": src[k], "confidence": np.nan})
    return pd.DataFrame(rows, columns=["metric", "parameter", "index", "value", "confidence"])


def _unapportioned(y: np.ndarray) -> str:
    """Why a metric whose points' means are ``y`` gets no index: "undefined" (some point's mean is NaN: no run there
    has a value), "constant" (the same at every point), or "" (it gets them)."""
    return "undefined" if not np.isfinite(y).all() else "constant" if np.ptp(y) == 0 else ""


def without_indices(points: pd.DataFrame, metrics: list[str]) -> str:
    """The sentences naming those of ``metrics`` that :func:`sensitivity` gives no index, each with its reason ("" if
    none is): report.md said "undefined in some runs (NaN, e.g. no ceasefire in the window) or the same at every point"
    of a capture's day, two reasons and an example of neither."""
    why = {m: _unapportioned(points[m].to_numpy(dtype=float)) for m in metrics}
    undefined = [m for m in metrics if why[m] == "undefined"]
    constant = [m for m in metrics if why[m] == "constant"]
    sentences = []
    if undefined:
        named = ", ".join(f"`{m}` (no value at {int(points[m].isna().sum())} of the {len(points)} points)" for m in undefined)
        sentences.append(f"No indices for {named}: an index needs a mean at every point, and no run at those points has "
                         "a value (what it measures never came in them).")
    if constant:
        sentences.append(f"No indices for {', '.join(f'`{m}`' for m in constant)}: the same at every point, so there is "
                         "no variance to apportion.")
    return " ".join(sentences)


@contextlib.contextmanager
def _undefined_resamples_quiet() -> Iterator[None]:
    """Silence SALib's 0/0 in a bootstrap resample that holds one value of the metric only (a metric nonzero at a few
    points): the confidence is then NaN, which report.md explains; it was a RuntimeWarning on sweep-report's terminal."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="invalid value encountered", category=RuntimeWarning)
        yield


def no_indices(manifest: dict, points: pd.DataFrame) -> str:
    """Why :func:`sensitivity` gives no index for any metric of this sweep's design, as a sentence for report.md ("" if
    it may give some; :func:`without_indices` says why a metric has none): sensitivity.csv with only its header and
    nothing said read as a failure."""
    design = manifest["design"]
    if design["sample"] == "grid":
        return "Sensitivity indices need a sampled design (`--sample sobol|lhs|random`)."
    if not _varied(design):
        return "No sensitivity indices: the design holds every parameter at one value, so there is nothing to apportion."
    if len(points) < MIN_POINTS:
        so_far = f" (of {manifest['points']} in the design: the sweep is unfinished)" if len(points) < manifest["points"] else ""
        if design["sample"] == "sobol":  # no RBD-FAST here: the bound is the one every sampled design is held to
            blocks = len(_varied(design)) + 2
            n = 1 << max(0, math.ceil(math.log2(MIN_POINTS / blocks)))  # Saltelli's n, a power of 2
            return (f"No sensitivity indices: sweep-report gives them from {MIN_POINTS} points or more, and this sweep "
                    f"has {len(points)}{so_far}, so sensitivity.csv holds only its header. For indices, a larger n: "
                    f"`--n {n}` makes {n * blocks} points (n × {blocks} in Saltelli's scheme).")
        return (f"No sensitivity indices: they need {MIN_POINTS} points or more (RBD-FAST's bootstrap halves them, and "
                f"it needs more than 40), and this sweep has {len(points)}{so_far}, so sensitivity.csv holds only its "
                f"header. For indices, sample more points ({more_points(design['sample'])}).")
    if design["sample"] == "sobol" and len(points) < manifest["points"]:  # Saltelli's blocks are read by position
        return (f"No Sobol indices: they need every point of the design, read in blocks of {len(_varied(design)) + 2}, "
                f"and this sweep has {len(points)} of {manifest['points']} (unfinished): rerun the same command to complete it.")
    return ""


def more_points(sample: str) -> str:
    """How a sampled design of ``sample`` gets more points, in report.md's words: a larger ``--n``, or a design
    file's more rows."""
    return "a larger `--n`" if sample != "file" else "more points in the design file"


def _varied(design: dict) -> list[dict]:
    """The parameters a design varies: one read from a file may hold a parameter at one value, with nothing to
    apportion to it."""
    return [p for p in design["parameters"] if design["sample"] != "file" or p["low"] < p["high"]]


def _src2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Squared standardised regression coefficients: each parameter's share of variance under a linear fit."""
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(xs)), xs]), (y - y.mean()) / y.std(), rcond=None)
    return beta[1:] ** 2
