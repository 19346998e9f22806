"""What a sweep says: response of each metric to each parameter, a two-parameter heat map,
and global sensitivity indices (SALib) for sampled designs."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..experiments.rundir import write_atomic
from ..experiments.sweep import read_rows

DEFAULT_METRICS = ("ceasefire_days", "outcomes_met", "control_accuracy", "towns_regime", "turkish_deaths", "displaced")


@dataclass
class SweepReport:
    """The per-point summary, sensitivity indices and the files written."""

    points: pd.DataFrame  # one row per point: parameters, then mean/q05/q95 of each metric
    sensitivity: pd.DataFrame  # metric, parameter, index, value, confidence
    files: list[Path]
    text: str


def load_manifest(folder: Path) -> dict:
    file = folder / "sweep.json"
    if not file.exists():
        raise InputError(folder, "not a sweep folder (no sweep.json)")
    return json.loads(file.read_text())


def summarise_points(rows: pd.DataFrame, names: list[str], metrics: list[str]) -> pd.DataFrame:
    """Mean and 5-95% spread of each metric over the replicates of each point."""
    g = rows.groupby("point", sort=True)
    out = g[names].first()
    for m in metrics:
        out[f"{m}"] = g[m].mean()
        out[f"{m}_q05"] = g[m].quantile(0.05)
        out[f"{m}_q95"] = g[m].quantile(0.95)
    return out.reset_index()


def sensitivity(manifest: dict, points: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Sobol indices (S1, ST) for a sobol design; otherwise RBD-FAST first-order indices (S1) and
    squared standardised regression coefficients (SRC2, a linear-fit alternative).

    Each point's mean over its replicates is the model output, so replicate
    noise is averaged out before the indices are estimated. Grids get none:
    their points are not a sample of the parameter space.
    """
    design = manifest["design"]
    sample = design["sample"]
    names = [p["path"] for p in design["parameters"]]
    if sample == "grid":
        return pd.DataFrame(columns=["metric", "parameter", "index", "value", "confidence"])
    problem = {"num_vars": len(names), "names": names, "bounds": [[p["low"], p["high"]] for p in design["parameters"]]}
    rows = []
    for m in metrics:
        y = points[m].to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0:
            continue  # undefined somewhere (e.g. no ceasefire in the window) or constant: nothing to apportion
        if sample == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=design.get("seed") or 0)
            for k, name in enumerate(names):
                rows.append({"metric": m, "parameter": name, "index": "S1", "value": res["S1"][k], "confidence": res["S1_conf"][k]})
                rows.append({"metric": m, "parameter": name, "index": "ST", "value": res["ST"][k], "confidence": res["ST_conf"][k]})
        else:
            from SALib.analyze import rbd_fast

            x = points[names].to_numpy(dtype=float)
            res = rbd_fast.analyze(problem, x, y, seed=design.get("seed") or 0)
            src = _src2(x, y)
            for k, name in enumerate(names):
                rows.append({"metric": m, "parameter": name, "index": "S1", "value": res["S1"][k], "confidence": res["S1_conf"][k]})
                rows.append({"metric": m, "parameter": name, "index": "SRC2", "value": src[k], "confidence": np.nan})
    return pd.DataFrame(rows, columns=["metric", "parameter", "index", "value", "confidence"])


def _src2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Squared standardised regression coefficients: each parameter's share of variance under a linear fit."""
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(xs)), xs]), (y - y.mean()) / y.std(), rcond=None)
    return beta[1:] ** 2


def sweep_report(folder: str | Path, *, metrics: list[str] | None = None, pair: tuple[str, str] | None = None) -> SweepReport:
    """Write response plots, a heat map, sensitivity indices and ``report.md`` into ``folder/report``."""
    folder = Path(folder)
    manifest = load_manifest(folder)
    names = [p["path"] for p in manifest["design"]["parameters"]]
    rows = read_rows(folder)
    wanted = metrics or manifest.get("metrics") or [m for m in DEFAULT_METRICS if m in rows]
    unknown = [m for m in wanted if m not in rows]
    if unknown:
        choices = [c for c in rows.columns if c not in ("point", "replicate", "seed", *names)]
        raise InputError(folder, f"no metric '{unknown[0]}' in this sweep; it has: {', '.join(choices)}", key="--metric")
    wanted = [m for m in wanted if rows[m].notna().any()]
    points = summarise_points(rows, names, wanted)
    sens = sensitivity(manifest, points, wanted)
    out = folder / "report"
    out.mkdir(exist_ok=True)
    files = []
    from ..viz.sweep_plots import heat_map, response_plot  # matplotlib is slow to import

    for m in wanted:
        files.append(_save(response_plot(rows, points, names, m), out / f"response_{_safe(m)}.png"))
    if len(names) >= 2:
        a, b = pair or (names[0], names[1])
        for m in wanted[:3]:
            files.append(_save(heat_map(rows, a, b, m, grid=manifest["design"]["sample"] == "grid"), out / f"heatmap_{_safe(m)}.png"))
    write_atomic(out / "points.csv", points.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
    write_atomic(out / "sensitivity.csv", sens.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
    text = _markdown(manifest, rows, points, sens, wanted, files, out)
    write_atomic(out / "report.md", text)
    return SweepReport(points, sens, [*files, out / "points.csv", out / "sensitivity.csv", out / "report.md"], text)


def _markdown(manifest: dict, rows: pd.DataFrame, points: pd.DataFrame, sens: pd.DataFrame, metrics: list[str],
              files: list[Path], out: Path) -> str:
    from .report import markdown_table

    d = manifest["design"]
    names = [p["path"] for p in d["parameters"]]
    lines = [f"# Sweep of {Path(manifest['scenario']).name}", "",
             f"{d['sample']} design, {len(points)} of {manifest['points']} points, {manifest['runs_per_point']} replicates each "
             f"({len(rows)} runs); parameters: {', '.join(names)}.", ""]
    if len(points) < manifest["points"]:
        lines += ["**The sweep is unfinished**: rerun the same command to complete it.", ""]
    lines += ["## Mean of each metric at each value of a parameter (over replicates and the other parameters)", ""]
    for name in names:
        g = points.groupby(name)[metrics].mean() if d["sample"] == "grid" else None
        if g is not None:
            lines += [f"### {name}", "", markdown_table(g.reset_index()), ""]
    if not sens.empty:
        lines += ["## Sensitivity indices", "",
                  "Sobol first-order (S1) and total (ST) indices" if d["sample"] == "sobol"
                  else "RBD-FAST first-order indices (S1) and squared standardised regression coefficients (SRC2)",
                  "", markdown_table(sens.sort_values(["metric", "index", "value"], ascending=[True, True, False])), ""]
    elif d["sample"] == "grid":
        lines += ["Sensitivity indices need a sampled design (`--sample sobol|lhs|random`).", ""]
    lines += ["## Figures", ""] + [f"![{f.stem}]({f.relative_to(out)})" for f in files]
    return "\n".join(lines) + "\n"


def _save(fig, path: Path) -> Path:  # noqa: ANN001 - a matplotlib Figure
    import matplotlib.pyplot as plt

    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    os.replace(tmp, path)
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
