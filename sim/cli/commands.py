"""One function per command: read the flags, call the Python API, print what was done."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError, Interrupted, shown_path
from ..interrupts import raise_if_interrupted
from ..io.files import path_blank
from ..names import MAX_WORKERS, replicates


def _on_terminal() -> bool:
    """Whether to draw progress bars: on a terminal, not into a log or a pipe (the Python API draws one wherever it is
    asked to, a notebook's output included)."""
    return sys.stderr.isatty()


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


@contextlib.contextmanager
def _printing_only(out: Path, runs: int, unit: str = "replicates") -> Iterator[None]:
    """``out`` is whole on disk: an interrupt from here on stops only the summary (which scores the results, and
    takes a moment) and says so, where it said "nothing was written"."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(out, runs, runs, unit=unit, advice="only its summary was not printed") from None


def _out_folder(args: argparse.Namespace, default: str) -> Path:
    """The results folder: ``--out`` checked, or else ``default`` (under ``results/``), which is kept on ``args`` as
    ``default_out`` for the error it may meet (:meth:`~sim.errors.InputError.on_command_line` names it as the default:
    "--out results/x: ..." misled a user who had given no ``--out``)."""
    from ..io.out_names import check_out

    if args.out is not None:
        return check_out(args.out)
    args.default_out = Path(default)
    return check_out(default, default=True)


def _into_results(args: argparse.Namespace) -> Path:
    """The folder ``compare``, ``plot`` and ``map`` write into with no ``--out``: the last results folder given, kept
    on ``args`` as ``default_out``, so that an error about a file there does not name a ``--out`` never typed."""
    args.default_out = Path(args.results[-1] if isinstance(args.results, list) else args.results)  # plot takes one
    return args.default_out


def _usage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The command's own parser, whose error() prints the command's usage (``compare a b c`` printed the top-level one)."""
    return args.subcommands.get(args.command, parser)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..io.outputs import claim_folder
    from ..io.scenario import for_run

    scenario = for_run(args.scenario, days=args.days, seed=args.seed, flags=True)  # as simulate(days=) and run_ensemble(seed=)
    # The default folder's name carries every flag that changes what is run, so that no run replaces another unasked.
    tail = f"-days{args.days}" if args.days is not None else ""
    if args.param_set is not None:
        from ..experiments.param_sets import load_param_set
        from ..experiments.parameters import apply

        rows = load_param_set(args.param_set, scenario)
        if args.runs is not None:
            return _across(args, scenario, rows, tail, parser.prog)
        scenario = apply(scenario, rows[0], where=args.param_set)
        tail += f"-{args.param_set.stem}"  # the set's first row, not the scenario's own values
    if args.runs is not None:
        return _ensemble(args, scenario, tail, parser.prog)
    out = _out_folder(args, f"results/{scenario.name}-seed{scenario.seed}{tail}")
    claim_folder(out, "run", scenario=scenario.name, source=args.scenario)  # refuse now, before running (and again when writing)

    from ..analysis.summary import ensemble_seed, summarise
    from ..experiments.run import simulate
    from ..experiments.rundir import write_run

    result = simulate(scenario)
    raise_if_interrupted()  # one swallowed on the way (in a finalizer) still stops the run before it is written
    write_run(result, out, scenario_path=args.scenario, map_png=not args.no_map)
    with _printing_only(out, 1, unit="run"):
        if not args.quiet:
            fit = ensemble_seed(scenario.seed)  # None: the suggested ensemble fits from this run's seed
            seed = args.seed if fit is None else fit
            options = "".join(f" {flag} {shlex.quote(str(value))}" for flag, value in (("--days", args.days), ("--seed", seed),
                                                                      ("--param-set", args.param_set)) if value is not None)
            print(summarise(result, folder=out, scenario_path=args.scenario, prog=parser.prog, options=options))
        print(out if args.quiet else f"run folder: {out}")  # -q: the bare path, which a script reads back
    return 0


def _ensemble(args: argparse.Namespace, scenario, tail: str, prog: str) -> int:  # noqa: ANN001 - a Scenario
    from ..analysis.summary import summarise_ensemble
    from ..experiments.ensemble import run_ensemble, seeds_from
    from ..io.outputs import claim_folder

    seeds_from(scenario.seed, args.runs)  # refuse a bad --runs before touching the disk
    default = f"results/{scenario.name}-seed{scenario.seed}-runs{args.runs}{tail}"
    out = _out_folder(args, default)
    claim_folder(out, "ensemble", scenario=scenario.name, source=args.scenario)
    workers = args.workers or min(args.runs, os.cpu_count() or 1, MAX_WORKERS)
    results = run_ensemble(scenario, args.runs, out, workers=workers, scenario_path=args.scenario, progress=_on_terminal(), notify=_note)
    with _printing_only(out, args.runs):
        if not args.quiet:
            print(summarise_ensemble(results, prog=prog))
        print(out if args.quiet else f"ensemble folder: {out}")
    return 0


def _across(args: argparse.Namespace, scenario, rows: list[dict], tail: str, prog: str) -> int:  # noqa: ANN001 - a Scenario
    from ..analysis.summary import summarise_ensemble
    from ..experiments.param_sets import run_across
    from ..io.outputs import claim_folder

    default = f"results/{scenario.name}-seed{scenario.seed}-runs{args.runs}{tail}-{args.param_set.stem}"
    out = _out_folder(args, default)
    claim_folder(out, "ensemble", scenario=scenario.name, source=args.scenario)
    workers = args.workers or min(args.runs, os.cpu_count() or 1, MAX_WORKERS)
    results = run_across(scenario, rows, args.runs, out, workers=workers, scenario_path=args.scenario, param_set=args.param_set,
                         progress=_on_terminal())
    with _printing_only(out, args.runs):
        if args.quiet:
            print(out)
            return 0
        print(summarise_ensemble(results, prog=prog))
        used = min(args.runs, len(rows))  # replicate i runs with row i mod K: fewer replicates than rows leave rows out
        vectors = ("the one parameter vector" if len(rows) == 1 else f"all {len(rows)} parameter vectors" if used == len(rows)
                   else f"{used} of the {len(rows)} parameter vectors")
        print(f"ensemble folder: {out} ({replicates(args.runs)} across {vectors} in {args.param_set})")
    return 0


def _check_scheduler(args: argparse.Namespace) -> None:
    """Settle the executor by the API's rule before anything is made (a Dask address, not with ``--executor local``;
    ``--scheduler`` alone means Dask): whether a scheduler answers there is found when the work begins, and a folder
    made for it is removed again if nothing ran."""
    from ..experiments.executors import check_executor

    args.executor = check_executor(args.executor, args.scheduler)


def _calibrate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..experiments.calibration import STUDY_FILE, open_study, require_optuna, run_calibration
    from ..experiments.calibration_file import load_calibration
    from ..experiments.calibration_results import finish, layers_folder
    from ..io.outputs import claim_folder

    if args.minutes is not None and not args.minutes > 0:
        raise InputError(None, f"must be positive (got {args.minutes})", key="--minutes")
    _check_scheduler(args)
    spec = load_calibration(args.calibration)
    require_optuna(spec)  # before the folder is made
    if args.report_only and (flag := "--trials" if args.trials is not None else "--minutes" if args.minutes is not None else None):
        raise InputError(None, "--report-only runs no trials, so it takes no budget: give the budget without "
                         "--report-only (the study resumes, then the report is written)", key=flag)
    out = _out_folder(args, f"results/calibration-{spec.name}")
    claim_folder(out, "calibration")
    if args.report_only and not (out / STUDY_FILE).is_file():  # before open_study makes an empty one, and the folder
        raise InputError(out, "holds no calibration study: run the calibration first (without --report-only)",
                         key="--report-only")
    if (out / STUDY_FILE).is_file():  # another calibration's study is refused here, not after the note on its layers
        with open_study(spec, out):
            pass
    if (folder := layers_folder(spec, out)) != spec.layers:
        print(f"note: the layers in {shown_path(str(spec.layers))} are another study's; this one's will be written to "
              f"{shown_path(str(folder))}")
    workers = args.workers or min(os.cpu_count() or 1, MAX_WORKERS)
    if not args.report_only:
        done = run_calibration(spec, out, workers=workers, executor=args.executor, scheduler=args.scheduler, progress=_on_terminal(),
                               trials=args.trials, minutes=args.minutes)
        print(f"{done.ran} trials run now, {done.total} in all ({done.seconds:.0f} s)")
    try:
        result = finish(spec, out, workers=workers, executor=args.executor, scheduler=args.scheduler)
    except KeyboardInterrupt:  # it said "nothing was written", with every trial kept in the study
        if args.report_only:
            with open_study(spec, out) as study:
                trials = len(study.trials)
        else:
            trials = done.total
        raise Interrupted(out, trials, trials, unit="trials", where=out / STUDY_FILE,
                          advice="its report and layers were not written: run the same command again with --report-only "
                                 "to write them (it runs no more trials)") from None
    print(result["text"])
    # The layers' paths are resolved from the calibration file's folder: said from the working folder, as the rest are.
    print("written: " + ", ".join(shown_path(str(p)) for p in [*result["layers"], result["report"], *result["figures"]]))
    return 0


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..input_check import check

    try:
        checked = check(args.file, scenario=args.scenario)
    except InputError as exc:
        if exc.key == "scenario" and exc.file is None:  # the keyword's error, worded for the flag
            raise InputError(None, exc.message, key="--scenario") from None
        raise
    if args.parameters and (kind := checked["kind"]) != "scenario":
        article = "an" if kind[0] in "aeiou" else "a"
        raise InputError(None, f"lists a scenario's parameters; {args.file} is {article} {kind} file, not a scenario "
                               "(a sweep's and a calibration's parameters are those of their scenarios)", key="--parameters")
    print(f"{args.file}: ok ({checked['summary']})")
    for note in checked["notes"]:
        _note(note)
    if args.parameters:
        print(parameter_lines(args.file))
    return 0


def parameter_lines(scenario: str | Path) -> str:
    """``check --parameters``: :func:`sim.parameters`'s table as aligned lines (path, value, range, type, alias)."""
    from ..api import parameters

    rows = parameters(scenario)
    cells = [("path", "value", "range", "type", "alias")] + [
        (r.path, f"{r.value:g}" if isinstance(r.value, float) else str(r.value), "a switch" if r.type == "bool" else f"{r.low:g} .. {r.high:g}", r.type, r.alias)
        for r in rows.itertuples(index=False)]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    return "\n".join(f"{p:<{widths[0]}}  {v:>{widths[1]}}  {g:<{widths[2]}}  {t:<{widths[3]}}  {a}" for p, v, g, t, a in cells)


def _compare(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..analysis.comparison import compare
    from ..analysis.comparison_report import comparison_table, comparison_text
    from ..analysis.report import scorecard_text, write_report
    from ..analysis.outcome_answers import outcome_table
    from ..api import scorecard
    from ..io.outputs import claim_output_folder, writing_into

    if len(args.results) > 2:
        _usage(args, parser).error("compare takes one results folder, or two to set side by side")
    if args.out is not None and (blank := path_blank(args.out)):  # before any folder is read and scored
        raise InputError(None, f"{blank}: give the name of a folder for the comparison", key="--out")
    cards = [scorecard(p, args.outcomes) for p in args.results]  # as sim.scorecard(path) does
    out = claim_output_folder(Path(args.out)) if args.out is not None else _into_results(args)
    # Scored against another file than the record's (the blind set), the report is written beside the record's, under a
    # name that says which: it replaced comparison.md, and said "against the record".
    named = next((card.outcomes_named for card in cards if card.outcomes_named), None)
    tail = f"_{Path(named).stem}" if named else ""
    if len(cards) == 1:
        text, table, stem = scorecard_text(cards[0]), outcome_table(cards[0]), f"comparison{tail}"
    else:
        comparison = compare(*cards)  # its InputError names B's folder, as given
        stem = f"comparison_vs_{cards[0].results.path.name}{tail}"
        text, table = comparison_text(comparison, csv_name=f"{stem}.csv"), comparison_table(comparison)
    if named:
        table = table.assign(outcomes_file=named)
    with writing_into(out):
        md, csv = write_report(out, stem, text, table)
    print(text)
    print(f"written: {md}, {csv}")
    return 0


def _sweep(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:

    from ..experiments.designs import SETTINGS, make_design
    from ..experiments.parameters import parse_param
    from ..experiments.sweep import run_sweep
    from ..experiments.sweep_file import SweepSpec, load_sweep, sweep_digest
    from ..io.outputs import claim_folder
    from ..io.kinds import file_kind, wrong_kind
    from ..io.safe_yaml import load_yaml
    from ..io.scenario import load_scenario

    _check_scheduler(args)
    settings = {"runs": args.runs, "sample": args.sample, "n": args.n, "sample_seed": args.sample_seed}
    tree = load_yaml(args.target)
    if file_kind(tree) not in ("sweep", "scenario"):  # a calibration, the record's outcomes or claims, a results manifest
        raise wrong_kind(args.target, tree, "sweep")
    if file_kind(tree) == "sweep":
        if args.param or args.design:
            raise InputError(None, f"{args.target} is a sweep file, with its own points; give the points there, or with --param "
                             "or --design, not both", key="--param" if args.param else "--design")
        spec = load_sweep(args.target, **settings)
    elif args.design:
        from ..experiments.design_file import load_design

        if args.param or args.sample or args.n or args.sample_seed is not None:
            raise InputError(None, "gives the points: no --param, --sample, --n or --sample-seed with it", key="--design")
        spec = SweepSpec(args.target.resolve(), load_design(args.design, load_scenario(args.target)), args.runs or 10)
    else:
        if not args.param:
            raise InputError(None, f"give at least one parameter to sweep, e.g. --param regime.commit=0.2:1.0:5 "
                             f"(or a sweep file instead of {args.target})", key="--param")
        params, scenario = [parse_param(p) for p in args.param], load_scenario(args.target)
        try:  # the scenario's names and ranges are make_design's to check, as from Python
            design = make_design(args.sample or "grid", params, n=args.n, seed=args.sample_seed, scenario=scenario)
        except InputError as exc:  # it names a setting or a parameter: here, the flag that gave it
            raise InputError(None, exc.message, key=SETTINGS[exc.key][1] if exc.key in SETTINGS else "--param") from None
        spec = SweepSpec(args.target.resolve(), design, args.runs or 10)
    default = f"results/sweep-{spec.scenario_path.stem}-{sweep_digest(spec, args.seed)}"
    out = _out_folder(args, default)
    claim_folder(out, "sweep")
    workers = args.workers or min(os.cpu_count() or 1, MAX_WORKERS)
    result = run_sweep(spec, out, workers=workers, executor=args.executor, scheduler=args.scheduler, progress=_on_terminal(),
                       seed=args.seed, notify=_note)
    total = len(spec.design.points) * spec.runs
    print(f"{len(spec.design.points)} points x {replicates(spec.runs)} = {total} runs ({result.ran} run now, "
          f"{total - result.ran} already done)")
    print(f"sweep folder: {out}  (next: {parser.prog} sweep-report {shlex.quote(str(out))})")
    return 0


def _sweep_report(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..viz.sweep_report import sweep_report

    pair = tuple(args.pair.split(",")) if args.pair else None
    if pair is not None and len(pair) != 2:
        raise InputError(None, f"expects two parameter paths 'a,b' (got {args.pair!r})", key="--pair")
    # A comma list, as --pair takes one (metric names have no commas): --metric a,b was refused as one unknown metric.
    metrics = [m.strip() for given in args.metric for m in given.split(",") if m.strip()] if args.metric else None
    if args.metric and not metrics:
        raise InputError(None, "is empty: give metric names, 'a,b' or the flag repeated", key="--metric")
    try:
        report = sweep_report(args.folder, metrics=metrics, pair=pair)
    except KeyboardInterrupt:  # it said "nothing was written", with figures and tables of the new report written
        print(f"interrupted: the report in {Path(args.folder) / 'report'} may be part rewritten (each file whole, the "
              "old one or the new); run the same command again to write it all", file=sys.stderr)
        return 130
    print(_terminal_report(report.text, report.files))
    for file in report.removed:  # said, as a rerun of `run` or `sweep` says what it removed
        print(f"removed {file}: an earlier report's figure, not drawn this time", file=sys.stderr)
    return 0


def _terminal_report(text: str, files: list[Path]) -> str:
    """``report.md``'s text for a terminal, and where it is: its figures' links (``![y](response_y.png)``, a line each)
    show nothing there, and the list of every file's full path ran to 500 characters on the shipped Sobol sweep."""
    kept = "\n".join(line for line in text.splitlines() if not line.startswith("!["))
    kept = re.sub(r"\n{3,}", "\n\n", kept).strip().removesuffix("## Figures").rstrip()
    figures = sum(f.suffix == ".png" for f in files)
    tables = " and ".join(f.name for f in files if f.suffix == ".csv")
    md = next(f for f in files if f.name == "report.md")
    return f"{kept}\n\nreport: {md} ({figures} figure{'s' * (figures != 1)}, {tables} beside it)"


def _discover(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..viz.discovery_report import discovery_report

    if args.out is not None and (blank := path_blank(args.out)):
        raise InputError(None, f"{blank}: give the name of a folder for the discovery report", key="--out")
    report = discovery_report(args.folder, args.where, out=args.out, threshold=args.threshold, max_boxes=args.boxes)
    print(report.text)
    print("written: " + ", ".join(str(f) for f in report.files))
    return 0


def _figures(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    out = None if args.out is None else Path(args.out)
    if out is None:
        _into_results(args)
    if args.out is not None and not args.out.strip():
        raise InputError(None, "is empty: give a file (map) or folder (plot) name", key="--out")
    if args.command == "plot":
        from ..viz.plots import make_plots

        written = make_plots(args.results, outcomes=args.outcomes, out=out)
    else:
        from ..viz.animation import animate
        from ..viz.maps import make_map

        if len(args.results) > 2:
            _usage(args, parser).error("map takes one results folder, or two (baseline, what-if)")
        if args.animate:
            if len(args.results) != 1:
                _usage(args, parser).error("--animate takes one results folder")
            if args.date is not None:
                raise InputError(str(args.date), "an animation shows every day of the run, one frame a day (or every few "
                                                 "days); leave --date out, or map the day without --animate", key="--date")
            written = animate(args.results[0], out=out, faction=args.faction, progress=_on_terminal())
        else:
            if out is not None and out.suffix.lower() == ".gif":  # the format is right, the flag missing
                raise InputError(out, "a .gif is an animation: add --animate, or name a .png, .svg or .pdf", key="--out")
            written = [make_map(args.results, date=args.date, out=out, faction=args.faction, notify=_note)]
    print("written: " + ", ".join(str(w) for w in written))
    return 0


def _app(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..app.server import serve

    scenario = None if args.scenario is None else str(args.scenario)  # (refused by the flag if empty or blank)
    return serve(args.host, args.port, save_dir=args.save_dir, scenario=scenario, open_browser=args.open)


COMMAND_FUNCTIONS = {"run": _run, "check": _check, "compare": _compare, "sweep": _sweep, "sweep-report": _sweep_report,
                     "discover": _discover, "map": _figures, "plot": _figures, "calibrate": _calibrate, "app": _app}

