"""The command line's commands and flags: every flag checked as it is read, and the overview."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import textwrap
from pathlib import Path
from typing import NoReturn

from ..errors import InputError, did_you_mean
from ..io.files import not_found, path_blank
from ..names import MAX_BOXES, MAX_N, MAX_RUNS, MAX_SEED, MAX_TRIALS, MAX_WORKERS

COMMANDS = {
    "run": "run a scenario (an ensemble with --runs N) and write a results folder under results/",
    "check": "validate a scenario (or a sweep or calibration file, the record's outcomes or claims) without running it",
    "compare": "score results against the record, or set two results side by side",
    "sweep": "run a parameter sweep (grid or sampled), one Parquet row per run",
    "sweep-report": "response plots, heat map and sensitivity indices of a sweep",
    "discover": "scenario discovery (PRIM): the parameter ranges where a sweep's outcome of interest happens",
    "map": "draw a results folder's control map (or an animation), or a baseline and a what-if side by side",
    "plot": "plot a results folder over time: towns held, capture dates, losses, patrols",
    "app": "start the browser app (what-if dashboard) on this machine; needs the app extra",
    "calibrate": "fit a scenario's parameters to the record's calibration set (Optuna), resumable; a calibrated layer and a report",
}


def whole(flag: str, lo: int, hi: int, *, count: bool = True):  # noqa: ANN201 - an argparse type
    """An argparse type: a whole number from ``lo`` to ``hi``, else an InputError naming ``flag``.

    Args:
        flag: the flag, as the error names it.
        lo: the smallest value taken.
        hi: the largest value taken.
        count: whether the number counts something (runs, workers), whose error groups its thousands ("1,000,000");
            a label (a port, a seed) is not a quantity, and its error writes it and its bounds as they are typed: "got
            99,999" read as a number, not the port typed.
    """
    shown_as = "{:,}" if count else "{}"
    bounds = f"from {shown_as.format(lo)} to {shown_as.format(hi)}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            shown = text if len(text) <= 30 else text[:27] + "..."
            raise InputError(None, f"expects a whole number {bounds}, not {shown!r}", key=flag) from None
        if not lo <= value <= hi:
            shown = shown_as.format(value) if abs(value) < 10**30 else f"a number of {len(str(abs(value)))} digits"
            raise InputError(None, f"must be {bounds} (got {shown})", key=flag)
        return value

    return parse


def one_of(flag: str, options: tuple[str, ...]) -> dict:
    """An argparse flag's ``type`` and ``metavar`` for one of ``options``: a value outside them is an InputError naming
    ``flag``, one line with a did-you-mean (argparse's own ``choices`` printed the command's whole usage block)."""

    def parse(text: str) -> str:
        if text not in options:
            guess = did_you_mean(text, options)  # with nothing close, the valid names: listed already, here
            raise InputError(None, f"expects one of {', '.join(options)}, not {text!r}"
                             + (guess if guess.startswith(" (did you mean") else ""), key=flag)
        return text

    return {"type": parse, "metavar": "{" + ",".join(options) + "}"}


def path(name: str):  # noqa: ANN201 - an argparse type
    """An argparse type: a file's or folder's path, refusing an empty one (an unset shell variable: ``run "$S"``), which
    ``Path`` reads as the current folder: the error then named a '.' never typed ("error: .: expected a file, found a
    directory"). ``name``: the flag (``--design``), or the argument's name in the usage line (``SCENARIO``)."""

    def parse(text: str) -> Path:
        if blank := path_blank(text):  # (only spaces: read as a name, then "file not found")
            if name.startswith("--"):
                raise InputError(None, f"{blank}: give a path", key=name)
            raise InputError(None, f"{name} {blank}: give a path")
        return Path(text)

    return parse


def input_file(name: str):  # noqa: ANN201 - an argparse type
    """An argparse type: the path of a file the flag ``name`` reads, refused as :func:`path` refuses one, and refused
    naming the flag when there is no such file: ``sweep --design points.csv`` said 'points.csv: file not found', the
    flag nowhere, where ``run --param-set`` and ``app --scenario`` name theirs."""
    as_path = path(name)

    def parse(text: str) -> Path:
        given = as_path(text)
        if not given.exists():
            raise InputError(given, not_found(given), key=name)
        return given

    return parse


def days(text: str) -> int:
    """``run --days``: a whole number; whether it fits the scenario (1 to its length) is
    :func:`sim.io.scenario.check_days`'s to say, once the scenario is read (``--days 0`` said "1 to 36,500" and
    ``--days 500`` "1 to 95")."""
    try:
        return int(text)
    except ValueError:
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise InputError(None, f"expects a whole number of days, not {shown!r}", key="--days") from None


def flag_date(flag: str):  # noqa: ANN201 - an argparse type
    """An argparse type: a YYYY-MM-DD date, else an InputError naming ``flag`` and why (``--date 2020-02-30``: "does not
    exist: February 2020 has 29 days"; it said "not a date (expected YYYY-MM-DD)", of a date written just so)."""

    def parse(text: str) -> dt.date:
        from ..io.safe_yaml import date_problem

        if problem := date_problem(text):
            raise InputError(None, problem, key=flag)
        return dt.date.fromisoformat(text.strip())

    return parse


def unknown_flag(parser: argparse.ArgumentParser, args: argparse.Namespace, extra: list[str]) -> InputError:
    """The error for arguments no command takes: for a flag, a did-you-mean among the command's own flags (argparse
    printed the top-level usage and "unrecognized arguments", the command's flags nowhere); for an argument too many
    (``plot A B``), the command's usage in one line (argparse printed the top-level's, without the command's arguments);
    with no command, argparse's own error (a usage line, exit status 2)."""
    flags = [e.split("=", 1)[0] for e in extra if e.startswith("-") and len(e) > 1]
    command = getattr(args, "command", None)
    sub = getattr(args, "subcommands", {}).get(command) if command else None
    if not flags and sub:
        usage = " ".join(sub.format_usage().split())
        return InputError(None, f"{command} takes no argument '{extra[0]}' ({usage}); {sub.prog} --help says what each is")
    if not flags:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    options = [o for a in (sub or parser)._actions if a.help != argparse.SUPPRESS for o in a.option_strings if o.startswith("--")]
    where = f"{command}" if sub else "the simulator"
    prog = parser.prog + (f" {command}" if sub else "")
    return InputError(None, f"not a flag of {where}" + did_you_mean(flags[0], options) + f"; {prog} --help lists them",
                      key=flags[0])


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose own refusals are the project's: one line, the flag named as every other refusal of the
    command line names it, and the command's usage in brackets. argparse printed its usage on lines of its own, then
    "python -m sim run: error: argument --runs: expected one argument" (a flag left without its value), or "the
    following arguments are required: scenario"."""

    VALUES = {"expected one argument": "needs a value", "expected at least one argument": "needs at least one value"}

    def error(self, message: str) -> NoReturn:
        usage = " ".join(self.format_usage().split())
        tail = f" ({usage}); {self.prog} --help says what each is"
        command = self.prog.rpartition(" ")[2]
        names, flag = message.partition("argument ")[2].partition(": ")[::2], None
        if message.startswith("argument ") and names[0].startswith("-"):  # --runs/-r: the long name, as a user types it
            flag = max(names[0].split("/"), key=len)
            said = "takes no value: give it alone" if names[1].startswith("ignored explicit argument") else names[1]
            raise InputError(None, self.VALUES.get(said, said) + tail, key=flag)
        required = message.partition("the following arguments are required: ")[2].split(", ")
        if required[0].startswith("-"):
            raise InputError(None, f"{command} needs it" + tail, key=required[0])
        if required[0]:
            raise InputError(None, f"{command} needs {' and '.join(required)}" + tail)
        raise InputError(None, message + tail)


class RunParam(argparse.Action):
    """``run --param``, which ``run`` does not take (``sweep`` does): an InputError saying what to do instead.

    Without it argparse read ``--param`` as an abbreviation of ``--param-set``; abbreviations are off now, and
    a bare "unrecognized arguments" would not say where a parameter is set.
    """

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # noqa: ANN001 - argparse's
        prog, scenario = parser.prog.rpartition(" ")[0], getattr(namespace, "scenario", None) or "SCENARIO"
        raise InputError(None, f"not a flag of run (sweep takes it): to run with a parameter changed, write a what-if that "
                               f"extends the scenario and sets it (scenarios/README.md), or run it as a one-point sweep: "
                               f"{prog} sweep {scenario} --param {values or 'PATH=VALUE'} --runs 40", key="--param")


def build_parser(prog: str) -> argparse.ArgumentParser:
    from ..version import package_version

    # No abbreviated flags: `run --param` was taken for --param-set, a typo for another flag.
    parser = Parser(prog=prog, description="Idlib ceasefire simulator", allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.set_defaults(subcommands=sub.choices)  # for unknown_flag: each command's own flags
    command = functools.partial(sub.add_parser, allow_abbrev=False)
    seed = whole("--seed", 0, MAX_SEED, count=False)
    run = command("run", help=COMMANDS["run"])
    run.add_argument("scenario", type=path("SCENARIO"), help="scenario YAML file")
    run.add_argument("--seed", type=seed, help="replace the scenario's seed")
    run.add_argument("--days", type=days, help="simulate only DAYS days after the start day, which is the state the run "
                     "begins from (--days 10 from 5 March ends on 15 March); from 1 to the scenario's length (to its end: date)")
    run.add_argument("--out", help="results folder, new or one of this scenario's (default: results/<scenario>-seed<seed>[-runs<N>][-days<D>][-<param set>])")
    run.add_argument("--runs", type=whole("--runs", 1, MAX_RUNS), help="run an ensemble of this many seeded replicates")
    run.add_argument("--workers", type=whole("--workers", 1, MAX_WORKERS),
                     help="processes for an ensemble (default: one per core; results do not depend on it)")
    run.add_argument("--no-map", action="store_true", help="skip control_map.png")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the results folder's path (nothing else, for scripts)")
    run.add_argument("--param-set", type=path("--param-set"), metavar="CSV",
                     help="parameter vectors (a calibration's accepted set): --runs draws replicates across them; one run uses the first")
    run.add_argument("--param", action=RunParam, nargs="?", help=argparse.SUPPRESS)
    check = command("check", help=COMMANDS["check"])
    check.add_argument("file", type=path("FILE"), metavar="FILE", help="a scenario, sweep, calibration, outcomes or claims file, or a theatre")
    check.add_argument("--scenario", type=input_file("--scenario"), help="for an outcomes file: the scenario whose theatre its towns are checked "
                       "against (default: the first shipped scenario citing the same claims record)")
    check.add_argument("--parameters", action="store_true", help="for a scenario: then list every parameter a sweep, --param or a "
                       "what-if can set (dotted path, alias, value, declared range and type), as sim.parameters does")
    cmp = command("compare", help=COMMANDS["compare"])
    cmp.add_argument("results", type=path("RESULTS_DIR"), nargs="+", metavar="RESULTS_DIR", help="one results folder (A), or two (A B) to compare")
    cmp.add_argument("--outcomes", type=input_file("--outcomes"), help="reported outcomes (default: outcomes.yaml beside the run's claims record)")
    cmp.add_argument("--out", help="folder for the comparison's .md and .csv (comparison.md, comparison_vs_<A>.md of two, or named "
                     "after an --outcomes file other than the record's) (default: the (last) results folder)")
    sw = command("sweep", help=COMMANDS["sweep"])
    sw.add_argument("target", type=path("SCENARIO_OR_SWEEP"), metavar="SCENARIO_OR_SWEEP", help="a scenario, or a sweep file (sweeps/*.yaml)")
    sw.add_argument("--param", action="append", default=[], metavar="PATH=SPEC",
                    help="e.g. regime.commit=0.2:1.0:5 (grid steps), turkey.deterrence=0.5,1,2 (values), russia.truce_air=0:0.5 (bounds, for --sample)")
    sw.add_argument("--runs", type=whole("--runs", 1, MAX_RUNS), help="replicates per point (default: a sweep file's runs:, else 10)")
    sw.add_argument("--sample", **one_of("--sample", ("grid", "lhs", "random", "sobol")), help="design (default: a sweep file's sample:, else grid)")
    sw.add_argument("--n", type=whole("--n", 1, MAX_N), help="sample size for lhs/random; base size (a power of 2) for sobol")
    sw.add_argument("--design", type=input_file("--design"), metavar="POINTS_CSV", help="points from a CSV file (header: parameter paths or aliases; "
                    "EMA Workbench's experiments table works) instead of --param")
    sw.add_argument("--sample-seed", type=whole("--sample-seed", 0, 2**32 - 1, count=False), help="where lhs/random/sobol points fall (default: a sweep file's sample_seed:, else 0)")
    sw.add_argument("--seed", type=seed, help="replicate base seed: replicate r of every point runs with seed + r (default: a sweep file's replicate_seed:, "
                    "else the scenario's)")
    sw.add_argument("--out", help="sweep folder (default: results/sweep-<scenario>-<hash>)")
    sw.add_argument("--workers", type=whole("--workers", 1, MAX_WORKERS), help="processes or Dask workers (default: one per core)")
    sw.add_argument("--executor", **one_of("--executor", ("local", "dask")),
                    help="local process pool (the default; not with --scheduler), or a Dask LocalCluster")
    sw.add_argument("--scheduler", help="join a running Dask cluster, e.g. tcp://host:8786 (implies --executor dask)")
    sw.add_argument("-q", "--quiet", action="store_true", help="print only the sweep folder's path (nothing else, for scripts)")
    rep = command("sweep-report", help=COMMANDS["sweep-report"])
    rep.add_argument("folder", type=path("SWEEP_DIR"), metavar="SWEEP_DIR", help="a sweep's folder (what `sweep --out` wrote)")
    rep.add_argument("--metric", action="append", help="metrics to report, 'a,b' or the flag repeated (default: the sweep's, or "
                     "a standard set)")
    rep.add_argument("--pair", help="two parameters for the heat map, 'a,b', by path or alias (default: the first two)")
    dis = command("discover", help=COMMANDS["discover"])
    dis.add_argument("folder", type=path("SWEEP_DIR"), metavar="SWEEP_DIR", help="a sweep's folder (what `sweep --out` wrote)")
    dis.add_argument("--where", required=True, help="the outcome of interest on each point's mean, e.g. 'ceasefire_days >= 30'")
    dis.add_argument("--threshold", type=float, default=0.8, help="least density of a box (default 0.8)")
    dis.add_argument("--boxes", type=whole("--boxes", 1, MAX_BOXES), default=3, help="most boxes to look for (default 3)")
    dis.add_argument("--out", help="folder for discover.md, boxes.csv, peeling.png (default: SWEEP_DIR/discover)")
    m = command("map", help=COMMANDS["map"])
    m.add_argument("results", type=path("RESULTS_DIR"), nargs="+", metavar="RESULTS_DIR", help="one results folder, or two (baseline, what-if)")
    m.add_argument("--date", type=flag_date("--date"), help="YYYY-MM-DD (default: the last simulated day); a date the theatre reports control for adds the reported map "
                   "(not with --animate, which shows every day)")
    m.add_argument("--out", help="file to write, .png, .svg or .pdf (.gif with --animate) (default: map_<date>[_<faction>].png "
                   "or control[_<faction>].gif in the results folder; of two, map_<date>_vs_<A>[_<faction>].png in B)")
    m.add_argument("--faction", **one_of("--faction", ("regime", "hts", "rebels")), default="regime", help="whose probability of control ensemble maps shade (default regime)")
    m.add_argument("--animate", action="store_true", help="write an animated GIF of control, one frame a day (every few days "
                   "beyond 60 days: at most 60 frames), and an MP4 where ffmpeg exists")
    p = command("plot", help=COMMANDS["plot"])
    p.add_argument("results", type=path("RESULTS_DIR"), metavar="RESULTS_DIR", help="a results folder: one run or an ensemble (what `run` wrote)")
    p.add_argument("--outcomes", type=input_file("--outcomes"), help="reported outcomes (default: outcomes.yaml beside the run's claims record)")
    p.add_argument("--out", help="folder for the PNGs (default: the results folder)")
    app = command("app", help=COMMANDS["app"])
    app.add_argument("--host", default="localhost", help="address to serve on (default: localhost, this machine only)")
    app.add_argument("--port", type=whole("--port", 1, 65535, count=False), default=8765, help="port (default 8765)")
    app.add_argument("--save-dir", type=path("--save-dir"), help="where 'Save what-if' writes (default: scenarios/whatif)")
    app.add_argument("--scenario", type=path("--scenario"), help="the scenario the page opens with (default: scenarios/campaign.yaml)")
    app.add_argument("--open", action="store_true", help="open the page in a browser")
    cal = command("calibrate", help=COMMANDS["calibrate"])
    cal.add_argument("calibration", type=path("CALIBRATION"), metavar="CALIBRATION", help="a calibration file (calibrations/*.yaml)")
    cal.add_argument("--trials", type=whole("--trials", 1, MAX_TRIALS), help="replace the file's trial budget")
    cal.add_argument("--minutes", type=float, help="replace the file's wall-time budget (checked between batches)")
    cal.add_argument("--out", help="calibration folder (default: results/calibration-<name>)")
    cal.add_argument("--workers", type=whole("--workers", 1, MAX_WORKERS),
                     help="trials evaluated at once (default: one per core; the result does not depend on it)")
    cal.add_argument("--executor", **one_of("--executor", ("local", "dask")),
                    help="local process pool (the default; not with --scheduler), or a Dask LocalCluster")
    cal.add_argument("--scheduler", help="join a running Dask cluster, e.g. tcp://host:8786 (implies --executor dask)")
    cal.add_argument("--report-only", action="store_true", help="run no new trials: rewrite the layers and the report from the study")
    cal.add_argument("-q", "--quiet", action="store_true", help="print only the calibration folder's path (nothing else, for scripts)")
    return parser


def overview(prog: str) -> str:
    """What ``python -m sim`` alone prints: the commands, the scenarios shipped, where to start."""
    from ..version import package_version

    lines = [f"usage: {prog} COMMAND [options]   ({prog} COMMAND --help for a command's options)", "",
             f"Idlib ceasefire simulator {package_version()}: an agent-based model of the 2019-2020 war in north-west Syria.",
             "", "commands:"]
    lines += [f"  {name:<13} {text}" for name, text in COMMANDS.items()]
    shipped, own = shipped_scenarios(), own_scenarios()
    width = max((len(str(p)) for p, _ in shipped + own), default=0)
    if shipped:
        lines += ["", "scenarios shipped:"]
        lines += [f"  {str(p):<{width}}  {text}" for p, text in shipped]
    if own:
        lines += ["", "your own scenarios (beside the shipped ones, in scenarios/):"]
        lines += [f"  {str(p):<{width}}  {text}" for p, text in own]
    if shipped:
        lines += ["", f"start with: {prog} run {shipped[0][0]}"]
    return "\n".join(lines)


def shipped_scenarios() -> list[tuple[Path, str]]:
    """The scenarios beside the package (a source checkout; none installed), with the first sentence of each description."""
    from ..io.kinds import shipped_scenario_files

    return [(shown, text) for shown, text in _described(shipped_scenario_files()) if text is not None]


def own_scenarios() -> list[tuple[Path, str]]:
    """The user's own files among them, with the first sentence of each description, or, for one that does not load,
    how to see why (it was left out without a word)."""
    from ..io.kinds import own_scenario_files

    return [(shown, f"(does not load: python -m sim check {shown})" if text is None else text)
            for shown, text in _described(own_scenario_files())]


def _described(files: list[Path]) -> list[tuple[Path, str | None]]:
    """Each file as shown (relative to the working folder where it can be) and its description's first sentence, or
    None if the file does not load."""
    from ..io.safe_yaml import load_yaml

    out = []
    for f in files:
        try:
            shown = f.relative_to(Path.cwd())
        except ValueError:
            shown = f
        try:
            text = " ".join(str(load_yaml(f).get("description", "")).split())
        except InputError:
            out.append((shown, None))
            continue
        # The first sentence, cut between words if it is long: "... the eve of the Moscow ceas" read as a typo.
        out.append((shown, textwrap.shorten(text.split(". ")[0].rstrip("."), width=90, placeholder=" …")))
    return out

