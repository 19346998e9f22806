"""``python -m sim sweep-report``: a sweep's figures, per-point table, sensitivity indices and report.md.

The numbers come from :mod:`sim.analysis.sensitivity`, the figures from
:mod:`sim.viz.sweep_plots`; this writes them all into ``<sweep>/report/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.metrics import is_metric_list, lacking_word, metric_named, runs_missing_a_capture
from ..analysis.outcome_answers import never_in
from ..analysis.report import LOWER_BOUND, decimals_for, markdown_table
from ..analysis.results import load_sweep_manifest, read_rows
from ..analysis.sensitivity import DEFAULT_METRICS, more_points, no_indices, sensitivity, summarise_points, without_indices
from ..errors import InputError, close_or_grouped, flag
from ..io.files import as_path, remove_stale_temps, table_text, write_atomic
from ..io.outputs import REPORT_FILES, named_as, refuse_unmarked, writing_into
from ..io.paths import alias, resolve
from ..io.signatures import signed, signed_markdown
from ..names import replicates
from .style import save_figure
from .sweep_plots import heat_map, response_plot

REPORT_FIGURES = tuple(p for p in REPORT_FILES if p.endswith(".png"))  # the figures' names among a report's files
PAIR = flag("pair", about_file=True)  # the sweep folder's --pair, sweep_report(folder, pair=)
HEAT_MAPS = 3  # metrics given a heat map, the first ones asked for: a report of a dozen metrics stays readable


@dataclass
class SweepReport:
    """The per-point summary, sensitivity indices and the files written."""

    points: pd.DataFrame  # one row per point: parameters, its replicates, then mean/q05/q95 of each metric
    sensitivity: pd.DataFrame  # metric, parameter, index, value, confidence
    files: list[Path]
    text: str
    removed: list[Path] = field(default_factory=list)  # an earlier report's figures this one no longer draws


def sweep_report(folder: str | Path, *, metrics: list[str] | str | None = None,
                 pair: tuple[str, str] | str | None = None) -> SweepReport:
    """Write response plots, a heat map, sensitivity indices and ``report.md`` into ``folder/report``.

    Args:
        folder: the sweep folder.
        metrics: the metrics to report (default: the sweep file's, or a standard set): a list, or a string of one
            name or of several with commas (``"a,b"``, as ``--metric`` takes them).
        pair: the two parameters of the heat maps (default: the first two), by dotted path or alias: ``(a, b)``, or
            ``"a,b"`` as ``--pair``.
    """
    folder = as_path(folder, "folder")
    # A string as the command line gives it: as a list, "towns_regime" was read letter by letter ("no metric 't'").
    if isinstance(metrics, str):
        metrics = [m.strip() for m in metrics.split(",") if m.strip()]
    # A number was "TypeError: 'int' object is not iterable" once the rows were read, and a list holding one a
    # refusal of "no metric '3'" among the sweep's columns.
    if metrics is not None and not is_metric_list(metrics):
        raise InputError(folder, f"expects metric names, a list of strings or 'a,b' (got {type(metrics).__name__} {metrics!r})",
                         key=flag("metric", python="metrics", about_file=True))
    if metrics is not None and not metrics:  # an empty list (or ",") reported the defaults, as if none had been asked
        raise InputError(folder, "names no metric: give one or more, or leave it out for the sweep file's",
                         key=flag("metric", python="metrics", about_file=True))
    given = pair
    if isinstance(pair, str):
        pair = tuple(p.strip() for p in pair.split(","))
    if pair is not None and (not isinstance(pair, tuple | list) or len(pair) != 2):
        raise InputError(folder, f"expects two parameter paths, (a, b) or 'a,b' (got {given!r})", key=PAIR)
    manifest = load_sweep_manifest(folder)
    names = [p["path"] for p in manifest["design"]["parameters"]]
    rows = read_rows(folder)
    choices = [c for c in rows.columns if c not in ("point", "replicate", "seed", *names)]
    # By name or alias, as a parameter is taken by path or alias; each once: one asked for twice (or by its name and
    # its alias) had each index twice, with two bootstraps' confidences.
    wanted = list(dict.fromkeys(metric_named(m, choices)
                                for m in metrics or manifest.get("metrics") or [m for m in DEFAULT_METRICS if m in rows]))
    unknown = [m for m in wanted if m not in choices]
    if unknown:
        raise InputError(folder, f"no metric '{unknown[0]}' in this sweep" + close_or_grouped(unknown[0], choices, f"it has "
                         f"{len(choices)}, the columns of runs.parquet after point, replicate, seed and the parameters"),
                         key=flag("metric", python="metrics", about_file=True))
    absent = [m for m in wanted if rows[m].isna().all()]  # nothing to summarise or draw: said, not dropped unsaid
    wanted = [m for m in wanted if m not in absent]
    if pair is not None:  # by dotted path or alias, as --param and every other route takes a parameter
        pair = tuple(_sweep_parameter(folder, p, names) for p in pair)
    if pair is not None and pair[0] == pair[1]:
        raise InputError(folder, f"names '{pair[0]}' twice: a heat map needs two parameters", key=PAIR)
    points = summarise_points(rows, names, wanted)
    sens = sensitivity(manifest, points, wanted)
    out = folder / "report"
    figures = {f"response_{_safe(m)}.png": response_plot(rows, points, names, m) for m in wanted}
    note = ""
    if len(names) >= 2:
        a, b = pair or (names[0], names[1])
        figures |= {f"heatmap_{_safe(m)}.png": heat_map(rows, a, b, m, grid=manifest["design"]["sample"] == "grid")
                    for m in wanted[:HEAT_MAPS]}
        if len(wanted) > HEAT_MAPS:  # said, or a metric's missing heat map looks like a failure
            note = (f"Heat maps ({a} by {b}) are drawn for the first three metrics only: no heat map for "
                    f"{', '.join(f'`{m}`' for m in wanted[HEAT_MAPS:])} (to get a metric's heat map, list it among the first "
                    "three with --metric).")
    with writing_into(folder):
        out.mkdir(exist_ok=True)
        # Judged before any is written: report.md's mark vouches for the tables beside it.
        mine = [out / name for name in (*figures, "points.csv", "sensitivity.csv", "report.md")]
        refuse_unmarked(mine, f"move it out of {out} and run sweep-report again")
        for path in mine:  # a killed report's temporaries (under the sweep folder's lock: no live writer owns them)
            remove_stale_temps(path)
        files = [_save(fig, out / name) for name, fig in figures.items()]
        stale = remove_stale_figures(out, set(figures))  # before report.md, whose list says which figures were ours
        text = _markdown(manifest, points, sens, wanted, files, out, note,
                         left_out=_left_out(absent, len(rows)), bounds=_lower_bounds(rows, wanted))
        # report.md before the tables its mark vouches for: written after them, a report stopped between them (a
        # Ctrl-C was enough) left a points.csv nothing vouched for, and every rerun refused it as the user's.
        write_atomic(out / "report.md", signed_markdown(text))
        write_atomic(out / "points.csv", table_text(points))
        write_atomic(out / "sensitivity.csv", table_text(sens))
    return SweepReport(points, sens, [*files, out / "points.csv", out / "sensitivity.csv", out / "report.md"], text, stale)


def _sweep_parameter(folder: Path, name: str, names: list[str]) -> str:
    """The dotted path of the sweep's parameter ``name`` (its path or its alias) for ``pair``.

    Raises:
        InputError: not one of the sweep's ``names`` (they are listed: only they have a heat map), or an alias two of
            them share.
    """
    if name not in names and name not in {alias(n) for n in names}:
        raise InputError(folder, f"'{name}' is not a parameter of this sweep ({', '.join(names)})", key=PAIR)
    try:
        return resolve(name, names)
    except InputError as exc:  # an alias two of its parameters share
        raise InputError(folder, exc.message, key=PAIR) from None


FIGURE_LINK = re.compile(r"^!\[[^\]]*\]\(([^()/\\]+\.png)\)$")  # a figure in report.md's list: ![response_y](response_y.png)


def remove_stale_figures(out: Path, current: set[str]) -> list[Path]:
    """Remove the figures an earlier report wrote into ``out`` that this one does not (a metric or pair no longer
    asked for); return them.

    Only a file the simulator can show it wrote there goes: one the earlier ``report.md`` lists among its figures, of
    a report figure's name (``response_*.png``, ``heatmap_*.png``), that is an image it signed (:func:`signed`). Left,
    they stood beside the new report unlisted, as if they belonged to it.
    """
    try:
        listed = [m[1] for line in (out / "report.md").read_text(encoding="utf-8").splitlines() if (m := FIGURE_LINK.match(line))]
    except (OSError, UnicodeDecodeError):
        return []  # no earlier report (or not one it can read): nothing shown to be its own
    removed = []
    for name in dict.fromkeys(listed):
        path = out / name
        if (name not in current and named_as(name, REPORT_FIGURES)
                and path.is_file() and not path.is_symlink() and signed(path)):
            path.unlink()
            removed.append(path)
    return removed


POINTS_IN_A_TABLE = 60  # a design file this small was chosen point by point, and is read as a table


def _markdown(manifest: dict, points: pd.DataFrame, sens: pd.DataFrame, metrics: list[str],
              files: list[Path], out: Path, note: str = "", *, left_out: str = "", bounds: str = "") -> str:
    """report.md; ``note`` goes under Figures, ``left_out`` (:func:`_left_out`) under the design, ``bounds``
    (:func:`_lower_bounds`) under the tables."""
    d = manifest["design"]
    names = [p["path"] for p in d["parameters"]]
    lines = [f"# Sweep of {Path(manifest['scenario']).name}", "",
             f"{d['sample']} design, {counted(points, manifest['runs_per_point'], manifest['points'])}; parameters: "
             f"{', '.join(names)}.", "", *([left_out, ""] if left_out else [])]
    short = (points["replicates"] < manifest["runs_per_point"]).any()
    if len(points) < manifest["points"] or short:
        lines += ["**The sweep is unfinished**: rerun the same command to complete it." + (
            " A point's mean and range are over the replicates it has: points.csv's `replicates` gives each point's "
            "count." if short else ""), ""]
    tables = True  # whether the means are shown in tables here, or in points.csv alone
    if d["sample"] == "grid":
        lines += ["## Mean of each metric at each value of a parameter (over replicates and the other parameters)", ""]
        for name in names:
            lines += [f"### {name}", "", _means_by_value(points, name, metrics), ""]
    elif d["sample"] == "file" and len(points) <= POINTS_IN_A_TABLE:  # chosen points, one-at-a-time say: read them row by row
        with_lacking = {m: _counted_means(points[m], points["replicates"], points[f"{m}_runs"], m)
                        for m in _lacking_metrics(points, metrics)}
        shown = points[["point", *metrics]].assign(**with_lacking, changes=_changes(points, names))
        lines += ["## Each point: the mean of each metric over its replicates", "",
                  "In the design file's order, each point by what it changes from the first; every value and the 5-95% "
                  "ranges are in points.csv.", "",
                  markdown_table(shown.iloc[:, [0, -1, *range(1, len(metrics) + 1)]], right=with_lacking), ""]
    else:  # a sample draws each point's values afresh: no two points share a value to average over
        tables = False
        lines += ["Each point's mean and 5-95% range of each metric are in points.csv; the response plots below set them "
                  "against each parameter.", ""]
    for paragraph in (_lacking(points, metrics, tables=tables), bounds):  # what the tables' means are over, and what they bound
        if paragraph:
            lines += [paragraph, ""]
    if not sens.empty:
        lines += ["## Sensitivity indices", "",
                  "Sobol first-order (S1) and total (ST) indices" if d["sample"] == "sobol"
                  else "RBD-FAST first-order indices (S1) and squared standardised regression coefficients (SRC2)",
                  # Indices are shares of variance, in thousandths each column: by its own size, noise's 1.1 and
                  # 1.5 stood beside 0.000 and 0.763.
                  "", markdown_table(sens.sort_values(["metric", "index", "value"], ascending=[True, True, False]),
                                     column_decimals={"value": 3, "confidence": 3}), "",
                  _reading(sens, d["sample"]), ""]
    if why := no_indices(manifest, points) or without_indices(points, metrics):  # none at all, or none for some metrics
        lines += [why, ""]
    lines += ["## Figures", "", *([note, ""] if note else [])] + [f"![{f.stem}]({f.relative_to(out)})" for f in files]
    return "\n".join(lines) + "\n"


SHORT_LISTED = 5  # points with fewer replicates named in report.md; points.csv's `replicates` has them all


def counted(points: pd.DataFrame, runs: int, planned: int) -> str:
    """The points that have runs and how many replicates each: an unfinished sweep's were said to have the full count
    ("8 of 10 points, 4 replicates each (30 runs)") where one point had 2. The report's and ``discover.md``'s words.

    Args:
        points: one row per point that has runs, with its ``point`` and its number of ``replicates``.
        runs: the replicates the design gives each point (the sweep's ``runs_per_point``).
        planned: the design's points.
    """
    size, runs_in_all = f"{len(points)} of {planned} points", int(points["replicates"].sum())
    short = points.loc[points["replicates"] < runs, ["point", "replicates"]]
    if short.empty:
        return f"{size}, {replicates(runs)} each ({runs_in_all} runs)"
    named = ", ".join(f"point {p}: {n}" for p, n in short.head(SHORT_LISTED).itertuples(index=False))
    more = f", and {len(short) - SHORT_LISTED} more" if len(short) > SHORT_LISTED else ""
    whole = f"none with all {replicates(runs)}" if len(short) == len(points) else \
        f"{len(points) - len(short)} with all {replicates(runs)}, {len(short)} with fewer"
    return f"{size} ({runs_in_all} runs): {whole} ({named}{more})"


def _means_by_value(points: pd.DataFrame, name: str, metrics: list[str]) -> str:
    """The table of each metric's mean at each value of parameter ``name``, each column in one format: cell by cell,
    a deterrence of 0.5 and 4 read "0.500" and "4.0", and a metric's means of 0.8 and 64.3 "0.800" and "64.3"."""
    table = points.groupby(name)[metrics].mean().reset_index()
    # As few decimals as say every value; to within a float's last bits, since a grid's steps (0.4 to 0.8 in 3) make
    # 0.6000000000000001, which only six decimals "said".
    exact = next((k for k in range(7) if np.allclose(table[name].round(k), table[name], rtol=1e-12, atol=1e-12)), 6)
    decimals = {m: decimals_for(table[m].abs().max()) for m in metrics}
    by_value = points.groupby(name)
    lacking = _lacking_metrics(points, metrics)
    for m in lacking:
        table[m] = _counted_means(table[m], by_value["replicates"].sum().to_numpy(), by_value[f"{m}_runs"].sum().to_numpy(),
                                  m, decimals[m])
    return markdown_table(table, column_decimals={name: exact, **decimals}, right=lacking)


def _counted_means(means: pd.Series, runs: pd.Series | np.ndarray, have: pd.Series | np.ndarray, metric: str,
                   decimals: int | None = None) -> pd.Series:
    """A metric some runs lack, its means as text beside how many of the ``runs`` behind each lack it, as compare says
    it of a date some replicates never see ("10.5; never in 2/8"; "never" alone where none of them has it), each in
    ``decimals`` (default: by its own size); a table gives their column ``markdown_table``'s ``right``, as a column of
    numbers is aligned."""
    word = lacking_word(metric)
    return pd.Series([word if k == 0 else f"{mean:,.{decimals_for(abs(mean)) if decimals is None else decimals}f}"
                      + (f"; {never_in(int(n - k), int(n), word)}" if k < n else "")
                      for mean, n, k in zip(means, runs, have, strict=True)], index=means.index)


def _lacking(points: pd.DataFrame, metrics: list[str], *, tables: bool) -> str:
    """The sentences saying over how many runs the means and ranges of the metrics some runs lack are taken ("" where
    every run has every metric): a date's mean over the runs that saw it leans early, and the tables gave it as if
    every run had one. ``tables``: whether report.md shows means in tables (a grid's, a small design file's); a sampled
    design's are in points.csv alone, and the reader was sent to means and counts "here" that it did not show."""
    lacking = _lacking_metrics(points, metrics)
    if not lacking:
        return ""
    its = "Its" if len(lacking) == 1 else "Their"
    if not tables:
        return (f"{no_value_in(points, metrics)} {its} means and 5-95% ranges in points.csv are over the runs that have "
                "one, so those of a date lean early; points.csv's `<metric>_runs` says how many have one at each point.")
    words = " or ".join(f'"{w} in k/n"' for w in dict.fromkeys(lacking_word(m) for m in lacking))
    return (f"{no_value_in(points, metrics)} {its} means and 5-95% ranges, here and in points.csv, are over the runs "
            f"that have one, so those of a date lean early; {words} beside a mean says how many of the n runs behind it "
            "have none, and points.csv's `<metric>_runs` how many have one at each point.")


def no_value_in(points: pd.DataFrame, metrics: list[str]) -> str:
    """The sentence naming each of ``metrics`` some runs lack and how many of all the runs lack it, in compare's words
    ("" where every run has every metric): the report's and ``discover.md``'s (``points`` as :func:`summarise_points`
    gives them, with ``<metric>_runs`` where some run lacks the metric)."""
    lacking = _lacking_metrics(points, metrics)
    if not lacking:
        return ""
    runs = int(points["replicates"].sum())
    named = ", ".join(f"`{m}` ({never_in(runs - int(points[f'{m}_runs'].sum()), runs, lacking_word(m))})" for m in lacking)
    return (f"Some runs have no value of {named}: what {'it' if len(lacking) == 1 else 'each'} measures never came in "
            "them (a change of hands, a deal in force, a patrol).")


def _left_out(absent: list[str], runs: int) -> str:
    """The sentence naming the metrics left out because no run has a value of them ("" where none is): a campaign
    sweep's ``patrol_coverage_mean`` (no patrol before March) vanished from the report without a word."""
    if not absent:
        return ""
    named = ", ".join(f"`{m}`" for m in absent)
    count = ", ".join(dict.fromkeys(never_in(runs, runs, lacking_word(m)) for m in absent))
    return (f"Left out: {named}, which no run has a value of ({count}): what {'it' if len(absent) == 1 else 'each'} "
            "measures never came in any run.")


def _lower_bounds(rows: pd.DataFrame, metrics: list[str]) -> str:
    """:func:`capture_mae_bounds` of the sweep's ``rows`` where ``capture_mae_days`` is among ``metrics`` (the runs
    that never saw a capture it counts: :func:`~sim.analysis.metrics.runs_missing_a_capture`, which its figures count
    too); "" otherwise."""
    return capture_mae_bounds(runs_missing_a_capture(rows), len(rows)) if "capture_mae_days" in metrics else ""


def capture_mae_bounds(never: int, runs: int) -> str:
    """The sentence saying that the means of ``capture_mae_days`` are lower bounds, where a capture it counts never
    came in ``never`` of the ``runs`` (it counts one as the day after the run ends: ``compare`` prints such an MAE
    "≥ 7.2", :data:`~sim.analysis.report.LOWER_BOUND`); "" where ``never`` is 0. report.md's and discover.md's."""
    if not never:
        return ""
    return (f"`capture_mae_days`'s means are lower bounds (compare's {LOWER_BOUND.strip()}): a capture it counts never "
            f"came in {never} of the {runs} runs, and one that never comes counts as the day after the run ends.")


def _lacking_metrics(points: pd.DataFrame, metrics: list[str]) -> list[str]:
    """Those of ``metrics`` some summarised runs lack: those with a ``<metric>_runs`` count."""
    return [m for m in metrics if f"{m}_runs" in points]


def _changes(points: pd.DataFrame, names: list[str]) -> list[str]:
    """Each point's parameter values that differ from the first point's, as ``name=value``."""
    first = points[names].iloc[0]
    return ["(the first point)" if i == 0 else ", ".join(f"{n}={row[n]:.4g}" for n in names if row[n] != first[n]) or "(as the first)"
            for i, (_, row) in enumerate(points[names].iterrows())]


def _reading(sens: pd.DataFrame, sample: str) -> str:
    """How to read the indices of a ``sample`` design: an estimate of an index near zero can come out below it, and
    one near 1 above it, which the table keeps as they are."""
    sobol = sample == "sobol"
    estimated = sens["index"] != "SRC2"  # a regression's share of its own fit, never below 0 or above 1
    negative = int((estimated & (sens["value"] < 0)).sum())
    here = f" ({negative} here)" if negative else ""
    if sobol:
        text = f"Sampling noise can make an index near zero negative{here}: read a negative index as zero."
    else:
        # SALib subtracts RBD-FAST's expected bias (Tissot and Prieur 2012): for a parameter without effect that is
        # the whole expected raw estimate, so what is left scatters about zero, below it about as often as above.
        text = (f"SALib corrects RBD-FAST's S1 for its bias, so the S1 of a parameter with little or no effect scatters "
                f"about zero and sampling noise can make it negative{here}: read a negative S1 as zero.")
    if above := int((estimated & (sens["value"] > 1)).sum()):  # read as a parameter explaining more than all the variance
        text += (f" {'An index' if sobol else 'An S1'} is a share of the variance, at most 1: sampling noise at this "
                 f"number of points can put one above it ({above} here); more points ({more_points(sample)}) narrow it.")
    text += " `confidence` is the half-width of a 95% bootstrap interval: with few points, compare each index with it."
    undefined = sorted(set(sens.loc[estimated & sens["confidence"].isna(), "metric"]))
    if undefined:  # SALib's bootstrap met a resample of the points where the metric did not vary (0/0)
        text += (f" An {'index' if sobol else 'S1'} whose confidence is - has no interval, for "
                 + ", ".join(f"`{m}`" for m in undefined) + ": some bootstrap resamples of the points held one value "
                 "of it only (it changes at few points), so the index is uncertain; more points narrow it.")
    return text


def _save(fig: Figure, path: Path) -> Path:
    return save_figure(fig, path, palette=False, dpi=110, bbox_inches="tight")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
