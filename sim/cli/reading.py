"""The commands that read files and write no results of a run: ``check`` (inputs), ``compare`` (scores), and the
reports and figures of results already written (``sweep-report``, ``discover``, ``map``, ``plot``)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..errors import InputError
from ..io.files import path_blank
from .printing import note, on_terminal


def _into_results(args: argparse.Namespace) -> Path:
    """The folder ``compare``, ``plot`` and ``map`` write into with no ``--out``: the last results folder given, kept
    on ``args`` as ``default_out``, so that an error about a file there does not name a ``--out`` never typed."""
    args.default_out = Path(args.results[-1] if isinstance(args.results, list) else args.results)  # plot takes one
    return args.default_out


def _usage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The command's own parser, whose error() prints the command's usage (``compare a b c`` printed the top-level one)."""
    return args.subcommands.get(args.command, parser)


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
    for text in checked["notes"]:
        note(text)
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
            written = animate(args.results[0], out=out, faction=args.faction, progress=on_terminal())
        else:
            if out is not None and out.suffix.lower() == ".gif":  # the format is right, the flag missing
                raise InputError(out, "a .gif is an animation: add --animate, or name a .png, .svg or .pdf", key="--out")
            written = [make_map(args.results, date=args.date, out=out, faction=args.faction, notify=note)]
    print("written: " + ", ".join(str(w) for w in written))
    return 0


FUNCTIONS = {"check": _check, "compare": _compare, "sweep-report": _sweep_report, "discover": _discover, "map": _figures,
             "plot": _figures}
