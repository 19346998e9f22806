"""What a calibration leaves behind: the trials table, the accepted set, the calibrated layers, the slices, the report.

In the calibration folder (``results/calibration-<name>/`` unless ``--out``)::

    study.db        the Optuna study (every trial; resumable)
    trials.csv      one row per finished trial: parameters, objective, its groups, held-out scores
    accepted.csv    the accepted set (also written beside the layers)
    slices.csv      the objective along each parameter through the best point
    scores.json     the final ensembles' scores (best, hand-set, accepted set, frozen front)
    report.md       the report, with history.png, marginals.png, slices.png

and beside the scenarios (``scenarios/calibrated/`` unless the file says
``layers``): one layer per scenario, ``<scenario>.yaml``, that ``extends`` it
with the best values, and ``<name>.accepted.csv``. Each layer names the study
folder that wrote it; where the layers there are another study's (another
``--out``, or another calibration file), this study's go to ``layers/`` in its
own folder instead (:func:`layers_folder`): a quick trial calibration never
replaces the shipped fit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import yaml

from ..analysis.calibration_report import accepted_set, best_trial, parameter_table, report_text, slice_verdicts
from ..analysis.calibration_score import Evidence, paired_difference, pooled_headline
from ..analysis.scoring import score
from ..errors import InputError, check_switch
from ..io.files import remove, table_text, write_atomic
from ..io.folder_lock import FolderLock
from ..io.outputs import TEMP
from ..io.paths import as_tree
from .calibration import open_study
from .calibration_file import LAYER_MARK, CalibrationSpec, checked_call
from .calibration_runs import Problem, ensembles, evaluate_all, frozen, scores
from .executors import check_executor

NOT_PARAMETERS = ("trial", "objective", "se")
STUDY_LINE = "# Study: "  # a layer's line naming the study folder that wrote it, relative to the layer


def layers_folder(spec: CalibrationSpec, out: str | Path) -> Path:
    """Where the study in ``out`` writes its layers: the calibration file's ``layers`` folder, unless a layer there
    was written by another study; then ``out/layers``. (A 3-trial calibration into another ``--out`` had replaced the
    shipped 300-trial fit, which the calibrated scenarios and what-ifs extend, without a word.)

    Raises:
        InputError: ``spec`` not a :class:`CalibrationSpec` (a file's path raised an AttributeError) or ``out`` not a
            path, named as :func:`finish` names them.
    """
    out, _ = checked_call(spec, out, 1, None, None)
    mine = out.resolve()
    for path in spec.scenario_paths:
        owner = layer_study(spec.layers / f"{path.stem}.yaml", spec)
        if owner is not None and owner != mine:
            return Path(out) / "layers"
    return spec.layers


def layer_study(layer: Path, spec: CalibrationSpec) -> Path | None:
    """The study folder that wrote ``layer`` (resolved), or None if there is no such layer.

    A layer that names no study (the shipped ones were written before layers named their study) is no study's: on a
    fresh clone, ``calibrate`` into its default folder is a new study (``results/`` is not shipped), and a 5-trial one
    replaced the shipped 300-trial fit when such layers counted as that folder's.
    """
    try:
        with open(layer, encoding="utf-8", errors="replace") as fh:
            head = [next(fh, "") for _ in range(5)]
    except OSError:
        return None
    for line in head:
        if line.startswith(STUDY_LINE):
            return (layer.parent / line[len(STUDY_LINE):].strip()).resolve()
    return layer.resolve()  # the layer itself, which no study folder is


def trials_frame(study) -> pd.DataFrame:  # noqa: ANN001 - an optuna Study
    """One row per finished trial: number, batch, parameters, the objective and its groups, the held-out scores."""
    from optuna.trial import TrialState

    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        a = t.user_attrs
        row = {"trial": t.number, "batch": a.get("batch"), "objective": t.value, "se": a.get("fit_se")}
        row.update(t.params)
        row.update({k.replace("fit_", "", 1): v for k, v in a.items() if k.startswith("fit_") and k not in ("fit_objective", "fit_se")})
        row.update({k: v for k, v in a.items() if k.startswith("hold_")})
        row["seconds"] = a.get("seconds")
        rows.append(row)
    return pd.DataFrame(rows)


def layer_text(spec: CalibrationSpec, scenario_path: Path, layers: Path, values: dict[str, float], trial: int,
               accepted_file: str, out: Path) -> str:
    """A scenario layer that ``extends`` the original scenario with the calibrated values."""
    tree: dict = {"extends": os.path.relpath(scenario_path, layers), "name": f"{scenario_path.stem}_calibrated",
                  "description": f"{scenario_path.stem} with the values fitted by calibration '{spec.name}' (trial {trial})."}
    tree.update(as_tree({path: float(value) for path, value in values.items()}))
    header = (f"{LAYER_MARK} {spec.path.name}` on {dt.date.today()}: do not edit by hand,\n"
              f"# calibrate again. The calibrated point's values; the accepted set (parameter uncertainty) is\n"
              f"# {accepted_file}: `python -m sim run {scenario_path.stem}.yaml --runs N --param-set {accepted_file}`.\n"
              f"{STUDY_LINE}{os.path.relpath(out, layers)}\n")
    return header + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)


def _bounds(spec: CalibrationSpec) -> dict[str, tuple[float, float, bool]]:
    return {k: (b.low, b.high, b.log) for k, b in spec.parameters.items()}


def _slice_points(spec: CalibrationSpec, best: dict[str, float]) -> list[tuple[str, float]]:
    import numpy as np

    n = spec.file.slices.points
    out = []
    for name, b in spec.parameters.items():
        grid = np.geomspace(b.low, b.high, n) if b.log else np.linspace(b.low, b.high, n)
        out += [(name, float(v)) for v in sorted({*grid.tolist(), best[name]})]
    return out


HAND_SET_TRIAL = 0  # a study started at the hand-set values scores them as its trial 0 (calibration._start_at_hand_set)


def rerank_words(spec: CalibrationSpec, ranked: pd.DataFrame) -> str:
    """Which trials were run again, in words: "10 best trials", or "10 best trials and trial 0 (the hand-set values)"."""
    best = len(ranked) - (spec.file.method.start_at_hand_set and len(ranked) > spec.file.accept.rerank)
    return f"{best} best trials" + (f" and trial {HAND_SET_TRIAL} (the hand-set values)" if best < len(ranked) else "")


def rerank(spec: CalibrationSpec, trials: pd.DataFrame, out: Path, *, workers: int, executor: str,
           scheduler: str | None) -> pd.DataFrame:
    """The ``rerank`` best trials run again on ``rerank_replicates`` other seeds (cached in ``rerank.csv``).

    The best of many noisy trials is partly the best by luck (all trials share
    their seeds, so a point can fit those seeds' luck); choosing among the top
    few on seeds none of them was chosen on undoes most of that. A study
    started at the hand-set values re-ranks them too, wherever they came on
    the trials' seeds: the calibrated point then replaces them only if it
    fits better on seeds neither was chosen on (round 52's study left them
    17th and chose a trial that, run again beside them, tied them to the
    fifth decimal).
    """
    a = spec.file.accept
    if a.rerank == 0:
        return pd.DataFrame(columns=["trial", "rerank_objective", "rerank_se"])
    ordered = trials.sort_values(["objective", "trial"], kind="stable")
    top = ordered.head(a.rerank)
    if spec.file.method.start_at_hand_set and not (top["trial"] == HAND_SET_TRIAL).any():
        top = pd.concat([top, ordered[ordered["trial"] == HAND_SET_TRIAL]])
    key = f"{spec.digest()}:{a.rerank_replicates}:" + ",".join(str(int(t)) for t in top["trial"])
    file = out / "rerank.csv"
    if file.exists():
        cached = pd.read_csv(file, dtype={"key": str})
        if len(cached) and (cached["key"] == key).all():
            return cached.drop(columns=["key"])
    problem = dataclasses.replace(Problem.of(spec), replicates=a.rerank_replicates)
    args = {int(row["trial"]): {k: float(row[k]) for k in spec.parameters} for _, row in top.iterrows()}
    found = dict(evaluate_all(problem, args, spec.file.replicates, workers=workers, executor=executor, scheduler=scheduler))
    table = pd.DataFrame([{"trial": t, "rerank_objective": found[t]["fit"]["objective"], "rerank_se": found[t]["fit"]["se"],
                           "key": key} for t in args])
    write_atomic(file, table_text(table, "%.17g"))
    return table.drop(columns=["key"])


def slices(spec: CalibrationSpec, best: dict[str, float], out: Path, *, workers: int, executor: str, scheduler: str | None,
           key: str) -> pd.DataFrame:
    """The objective along each parameter through ``best`` (cached in ``slices.csv`` for this best point)."""
    file = out / "slices.csv"
    if spec.file.slices.points == 0:
        return pd.DataFrame(columns=["parameter", "value", "objective"])
    if file.exists():
        cached = pd.read_csv(file)
        if len(cached) and (cached["key"] == key).all():
            return cached
    problem = Problem.of(spec)
    points = _slice_points(spec, best)
    args = {i: {**best, name: value} for i, (name, value) in enumerate(points)}
    found = dict(evaluate_all(problem, args, workers=workers, executor=executor, scheduler=scheduler))
    table = pd.DataFrame([{"parameter": name, "value": value, "objective": found[i]["fit"]["objective"],
                           "hold_objective": found[i]["hold_out"].get("objective"), "key": key}
                          for i, (name, value) in enumerate(points)])
    write_atomic(file, table_text(table, "%.17g"))
    return table


def final_scores(spec: CalibrationSpec, best: dict[str, float], accepted: list[dict[str, float]], out: Path,
                 key: str) -> dict[str, dict[str, dict[str, float]]]:
    """Best, hand-set, accepted set and frozen front on the same fresh seeds, each on the fitted and the held-out outcomes."""
    file = out / "scores.json"
    if file.exists():
        cached = json.loads(file.read_text())
        if cached.get("key") == key:
            return cached["scores"]
    problem = Problem.of(spec)
    n, offset = spec.file.report.replicates, spec.file.report.seed_offset  # seeds no trial and no re-ranking ran
    runs = {"calibrated": ensembles(problem, [best], n, offset), "hand-set": ensembles(problem, [spec.hand_set()], n, offset),
            "accepted set": ensembles(problem, accepted, n, offset)}
    runs["frozen front"] = frozen(runs["hand-set"])
    out_scores: dict[str, dict[str, dict[str, float]]] = {}
    evidences: dict[tuple[str, str], Evidence] = {}
    for name, results in runs.items():
        out_scores[name] = {}
        for part, outcomes in (("fit", problem.fit), ("hold_out", problem.hold_out)):
            if not outcomes:
                continue
            evidences[name, part], numbers = scores(problem, results, outcomes)
            numbers.update(pooled_headline([score(r, list(outcomes), by_set=False) for r in results]))
            out_scores[name][part] = numbers
    for name in ("calibrated", "accepted set"):  # the same seeds as the hand-set values: paired differences
        for part, numbers in out_scores[name].items():
            numbers["minus hand-set"], numbers["minus hand-set se"] = paired_difference(
                evidences["hand-set", part], evidences[name, part], problem.weights)
    write_atomic(file, json.dumps({"key": key, "scores": out_scores}, indent=1))
    return out_scores


def finish(spec: CalibrationSpec, out: str | Path, *, workers: int = 1, executor: str | None = None, scheduler: str | None = None,
           figures: bool = True) -> dict:
    """Write the trials table, the accepted set, the calibrated layers, the slices, the scores and the report.

    The folder's lock is held throughout (one writer at a time, as in every results folder), so what a killed writer
    left in it, a hidden temporary no live writer owns, is removed first.

    Args:
        spec: from :func:`~sim.experiments.calibration_file.load_calibration`.
        out: the calibration folder whose trials :func:`~sim.experiments.calibration.run_calibration` ran.
        workers, executor, scheduler: as for :func:`~sim.experiments.calibration.run_calibration`; the re-ranking and
            the scores of the chosen point run there.
        figures: draw the report's figures.

    Returns:
        What was written and chosen: ``best``, ``accepted``, ``layers`` (the files, in the folder :func:`layers_folder`
        names), ``scores``, ``parameters``, ``report``, ``figures``, ``cost`` and ``text`` (the report's text).

    Raises:
        InputError: a ``spec``, ``out``, ``figures`` or worker count of the wrong kind or out of range, an executor that
            is not one (or ``"local"`` with a scheduler), a folder with no study, or another process writing it.
    """
    check_switch(figures, "figures")
    out, workers = checked_call(spec, out, workers)
    executor = check_executor(executor, scheduler)  # unchecked here, a typo ("dsak") re-ranked on this machine unsaid
    with FolderLock(out):
        for entry in sorted(out.iterdir()) if out.is_dir() else []:
            if TEMP.fullmatch(entry.name):
                remove(entry)
        return _finish(spec, out, workers, executor, scheduler, figures)


def _link(path: Path, out: Path) -> str:
    """A markdown link to ``path`` from the report in ``out``: a path from where calibrate ran led a reader of the report
    anywhere else nowhere."""
    to = Path(os.path.relpath(path, out)).as_posix()
    return f"[`{to}`]({to})"


def _finish(spec: CalibrationSpec, out: Path, workers: int, executor: str, scheduler: str | None, figures: bool) -> dict:
    with open_study(spec, out) as study:
        trials = trials_frame(study)
        cost = {"runs": int(study.user_attrs.get("runs", 0)), "wall_seconds": float(study.user_attrs.get("wall_seconds", 0.0)),
                "trials": len(trials)}
    if trials.empty:
        raise InputError(out, "no finished trials yet; run the calibration first")
    f = spec.file
    top = best_trial(trials)  # the best on the trials' own seeds: the accepted set is measured from it
    ranked = rerank(spec, trials, out, workers=workers, executor=executor, scheduler=scheduler)
    if len(ranked):
        trials = trials.merge(ranked, on="trial", how="left")
        best = trials.loc[trials["trial"] == ranked.sort_values(["rerank_objective", "trial"]).iloc[0]["trial"]].iloc[0]
    else:
        best = top
    best_values = {k: float(best[k]) for k in spec.parameters}
    accepted = accepted_set(trials, f.accept.within_se, f.accept.max)
    accepted = pd.concat([trials[trials["trial"] == best["trial"]], accepted[accepted["trial"] != best["trial"]]],
                         ignore_index=True)  # the chosen point first: `run --param-set` without --runs uses it
    columns = ["trial", "objective", "se", *spec.parameters]
    accepted_text = table_text(accepted[columns], "%.17g")
    accepted_file = f"{spec.name}.accepted.csv"
    key = (f"{spec.digest()}:{int(best['trial'])}:{len(accepted)}:{f.report.replicates}:{f.report.seed_offset}:"
           f"{f.slices.points}")
    # Everything is computed (minutes of runs) before any table, layer or report is written: a stop before then leaves
    # them all as they were, not the layers on a new point beside the old report.
    sl = slices(spec, best_values, out, workers=workers, executor=executor, scheduler=scheduler, key=key)
    all_scores = final_scores(spec, best_values, accepted[list(spec.parameters)].to_dict("records"), out, key)
    tolerance = f.accept.within_se * float(best["se"])
    verdicts = slice_verdicts(sl, _bounds(spec), tolerance)
    params = parameter_table(_bounds(spec), spec.hand_set(), best, accepted, verdicts)
    written = _figures(out, trials, accepted, sl, spec, best, tolerance, params) if figures else []
    # Where the layers go is decided, and they are written, under the layers folder's lock: two studies finishing at
    # once both found it free, and the second's layers replaced the first's, whose report still named them.
    with FolderLock(spec.layers):
        folder = layers_folder(spec, out)
        layers = [folder / f"{path.stem}.yaml" for path in spec.scenario_paths]
        header = [f"Calibration file: `{spec.path.name}`; scenarios: {', '.join(p.stem for p in spec.scenario_paths)}; "
                  f"{len(spec.parameters)} parameters; {spec.outcome_counts()}; "
                  f"{f.replicates} replicates a trial; sampler {f.method.sampler} (seed {f.method.seed}, batches of {f.method.batch}).",
                  f"Best trial on the trials' seeds: {int(top['trial'])}, objective {top['objective']:.4f} ± {top['se']:.4f} "
                  f"(bootstrap SE); accepted set: {len(accepted)} trial{"s" * (len(accepted) != 1)} "
                  f"within {f.accept.within_se:g} SE of it. "
                  + (f"Chosen point: trial {int(best['trial'])}, the best of the {rerank_words(spec, ranked)} run again on "
                     f"{f.accept.rerank_replicates} other seeds (objective there {best['rerank_objective']:.4f} ± "
                     f"{best['rerank_se']:.4f}). " if len(ranked) else "Chosen point: that trial. ")
                  + f"Final scores on {f.report.replicates} fresh seeds per scenario (seed + {f.report.seed_offset} on).",
                  "Layers: " + ", ".join(_link(p, out) for p in layers) + f"; accepted set: {_link(folder / accepted_file, out)}."]
        if f.budget.trials is not None and len(trials) < f.budget.trials:  # --report-only on a stopped study, or --trials fewer
            header.append(f"**Unfinished:** {len(trials)} of the {f.budget.trials} trials the calibration file asks for; "
                          "`calibrate` without --report-only runs the rest, then writes this report again.")
        text = report_text(name=spec.name, header=header, scores=all_scores, parameters=params,
                           figures=[p.name for p in written], cost=cost)
        write_atomic(out / "trials.csv", table_text(trials, "%.17g"))
        write_atomic(out / "accepted.csv", accepted_text)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / accepted_file, accepted_text)
        for path, layer in zip(spec.scenario_paths, layers, strict=True):
            write_atomic(layer, layer_text(spec, path, folder, best_values, int(best["trial"]), accepted_file, out))
        write_atomic(out / "report.md", text)
        write_atomic(out / "parameters.csv", table_text(params))
        return {"best": best, "accepted": accepted, "layers": layers, "scores": all_scores, "parameters": params,
                "report": out / "report.md", "figures": written, "cost": cost, "text": text}


def _figures(out: Path, trials: pd.DataFrame, accepted: pd.DataFrame, sl: pd.DataFrame, spec: CalibrationSpec,
             best: pd.Series, tolerance: float, params: pd.DataFrame) -> list[Path]:
    from ..viz.calibration_plots import history_plot, marginals_plot, slices_plot
    from ..viz.style import save_figure

    verdicts = dict(zip(params["parameter"], params["verdict"], strict=True))
    hand = spec.hand_set()
    figs = {"history.png": history_plot(trials, accepted),
            "marginals.png": marginals_plot(accepted, _bounds(spec), best, hand, verdicts)}
    if len(sl):
        figs["slices.png"] = slices_plot(sl, _bounds(spec), best, hand, tolerance, verdicts)
    return [save_figure(fig, out / name, dpi=110) for name, fig in figs.items()]
