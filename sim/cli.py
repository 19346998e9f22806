"""``python -m sim`` (or ``idlib-sim``): a thin command line over the Python API.

Every flag is checked when it is read (:func:`whole`), every ``--out``
before any work is done (:func:`sim.io.outputs.check_out`), and every
failure ends in one line on stderr with a status: 2 for bad input or a
refused ``--out`` (:class:`~sim.errors.InputError`), 1 when the system
refuses to write, 130 when interrupted (Ctrl-C, or SIGTERM, which is handled
the same way).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
from pathlib import Path

from .errors import InputError, Interrupted, OutputError

MAX_RUNS, MAX_WORKERS, MAX_DAYS, MAX_SEED, MAX_N = 100_000, 64, 36_500, 2**63 - 1, 1_000_000
COMMANDS = {
    "run": "run a scenario (an ensemble with --runs N) and write a results folder under results/",
    "check": "validate a scenario without running it",
    "compare": "score results against the record, or set two results side by side",
    "sweep": "run a parameter sweep (grid or sampled), one Parquet row per run",
    "sweep-report": "response plots, heat map and sensitivity indices of a sweep",
    "discover": "scenario discovery (PRIM): the parameter ranges where a sweep's outcome of interest happens",
    "map": "draw a results folder's control map (or an animation), or a baseline and a what-if side by side",
    "plot": "plot a results folder over time: towns held, capture dates, losses, patrols",
}


def whole(flag: str, lo: int, hi: int):  # noqa: ANN201 - an argparse type
    """An argparse type: a whole number from ``lo`` to ``hi``, else an InputError naming ``flag``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            shown = text if len(text) <= 30 else text[:27] + "..."
            raise InputError(None, f"expects a whole number from {lo:,} to {hi:,}, not {shown!r}", key=flag) from None
        if not lo <= value <= hi:
            shown = f"{value:,}" if abs(value) < 10**30 else f"a number of {len(str(abs(value)))} digits"
            raise InputError(None, f"must be from {lo:,} to {hi:,} (got {shown})", key=flag)
        return value

    return parse


def main(argv: list[str] | None = None, *, prog: str | None = None) -> int:
    """Run the command line; returns the exit status.

    Called with ``argv`` (from Python), it puts the SIGTERM handler back as it found it; as the
    program itself it keeps it to the end, so a SIGTERM just after the work is done is still an interrupt.
    """
    prog = prog or ("idlib-sim" if Path(sys.argv[0]).name == "idlib-sim" else "python -m sim")
    previous = _sigterm_as_interrupt()
    try:
        return _main(argv, prog)
    except KeyboardInterrupt:  # arrived before _main's own handlers (while it still imports)
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    finally:
        if previous is not None and argv is not None:
            signal.signal(signal.SIGTERM, previous)


def _sigterm_as_interrupt():  # noqa: ANN202 - the previous handler
    """SIGTERM (a batch scheduler's kill, ``timeout``) stops the command as Ctrl-C does: workers, temporaries cleaned."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt) or signal.SIG_DFL
    except ValueError:  # not the main thread: leave signals alone
        return None


def _main(argv: list[str] | None, prog: str) -> int:
    from .experiments.executors import WorkerLost

    parser = _parser(prog)
    args = None
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            print(overview(prog))
            return 0
        return COMMAND_FUNCTIONS[args.command](args, parser)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Interrupted as exc:
        print(f"interrupted: {exc}; run the same command again to finish the rest", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except (OutputError, WorkerLost) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the system refused (no space, no permission, a name too long)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


def _parser(prog: str) -> argparse.ArgumentParser:
    from .version import package_version

    parser = argparse.ArgumentParser(prog=prog, description="Idlib ceasefire simulator")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    seed = whole("--seed", 0, MAX_SEED)
    run = sub.add_parser("run", help=COMMANDS["run"])
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--seed", type=seed, help="replace the scenario's seed")
    run.add_argument("--days", type=whole("--days", 1, MAX_DAYS), help="simulate only this many days from the start")
    run.add_argument("--out", help="results folder, new or one of this scenario's (default: results/<scenario>-seed<seed>[-runs<N>][-days<D>])")
    run.add_argument("--runs", type=whole("--runs", 1, MAX_RUNS), help="run an ensemble of this many seeded replicates")
    run.add_argument("--workers", type=whole("--workers", 1, MAX_WORKERS),
                     help="processes for an ensemble (default: one per core; results do not depend on it)")
    run.add_argument("--no-map", action="store_true", help="skip control_map.png")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the results folder")
    check = sub.add_parser("check", help=COMMANDS["check"])
    check.add_argument("scenario", type=Path)
    cmp = sub.add_parser("compare", help=COMMANDS["compare"])
    cmp.add_argument("results", type=Path, nargs="+", metavar="RESULTS_DIR", help="one results folder (A), or two (A B) to compare")
    cmp.add_argument("--outcomes", type=Path, help="reported outcomes (default: outcomes.yaml beside the run's claims record)")
    cmp.add_argument("--out", help="folder for comparison.md/.csv (default: the (last) results folder)")
    sw = sub.add_parser("sweep", help=COMMANDS["sweep"])
    sw.add_argument("target", type=Path, metavar="SCENARIO_OR_SWEEP", help="a scenario, or a sweep file (sweeps/*.yaml)")
    sw.add_argument("--param", action="append", default=[], metavar="PATH=SPEC",
                    help="e.g. regime.commit=0.2:1.0:5 (grid steps), turkey.deterrence=0.5,1,2 (values), russia.truce_air=0:0.5 (bounds)")
    sw.add_argument("--runs", type=whole("--runs", 1, MAX_RUNS), help="replicates per point (default 10)")
    sw.add_argument("--sample", choices=("grid", "lhs", "random", "sobol"), help="design (default grid)")
    sw.add_argument("--n", type=whole("--n", 1, MAX_N), help="sample size for lhs/random; base size (a power of 2) for sobol")
    sw.add_argument("--design", type=Path, metavar="POINTS_CSV", help="points from a CSV file (header: parameter paths or aliases; "
                    "EMA Workbench's experiments table works) instead of --param")
    sw.add_argument("--sample-seed", type=whole("--sample-seed", 0, 2**32 - 1), help="where lhs/random/sobol points fall (default 0)")
    sw.add_argument("--seed", type=seed, help="replicate base seed: replicate r of every point runs with seed + r (default: the scenario's)")
    sw.add_argument("--out", help="sweep folder (default: results/sweep-<scenario>-<hash>)")
    sw.add_argument("--workers", type=whole("--workers", 1, MAX_WORKERS), help="processes or Dask workers (default: one per core)")
    sw.add_argument("--executor", choices=("local", "dask"), default="local", help="local process pool, or a Dask LocalCluster")
    sw.add_argument("--scheduler", help="join a running Dask cluster, e.g. tcp://host:8786")
    rep = sub.add_parser("sweep-report", help=COMMANDS["sweep-report"])
    rep.add_argument("folder", type=Path, metavar="SWEEP_DIR")
    rep.add_argument("--metric", action="append", help="metric to report (repeatable; default: the sweep's, or a standard set)")
    rep.add_argument("--pair", help="two parameters for the heat map, 'a,b' (default: the first two)")
    dis = sub.add_parser("discover", help=COMMANDS["discover"])
    dis.add_argument("folder", type=Path, metavar="SWEEP_DIR")
    dis.add_argument("--where", required=True, help="the outcome of interest on each point's mean, e.g. 'ceasefire_days >= 30'")
    dis.add_argument("--threshold", type=float, default=0.8, help="least density of a box (default 0.8)")
    dis.add_argument("--boxes", type=whole("--boxes", 1, 20), default=3, help="most boxes to look for (default 3)")
    dis.add_argument("--out", help="folder for discover.md, boxes.csv, peeling.png (default: SWEEP_DIR/discover)")
    m = sub.add_parser("map", help=COMMANDS["map"])
    m.add_argument("results", type=Path, nargs="+", metavar="RESULTS_DIR", help="one results folder, or two (baseline, what-if)")
    m.add_argument("--date", help="YYYY-MM-DD (default: the last simulated day); a date the theatre reports control for adds the reported map")
    m.add_argument("--out", help="file to write, .png, .svg or .pdf (.gif with --animate) (default: map_<date>[_<faction>].png "
                   "or control[_<faction>].gif in the (last) results folder)")
    m.add_argument("--faction", choices=("regime", "hts", "rebels"), default="regime", help="whose probability of control ensemble maps shade")
    m.add_argument("--animate", action="store_true", help="write an animated GIF of control, one frame a day (every few days "
                   "beyond 60 days: at most 60 frames), and an MP4 where ffmpeg exists")
    p = sub.add_parser("plot", help=COMMANDS["plot"])
    p.add_argument("results", type=Path, metavar="RESULTS_DIR")
    p.add_argument("--outcomes", type=Path, help="reported outcomes (default: outcomes.yaml beside the run's claims record)")
    p.add_argument("--out", help="folder for the PNGs (default: the results folder)")
    return parser


def overview(prog: str) -> str:
    """What ``python -m sim`` alone prints: the commands, the scenarios shipped, where to start."""
    from .version import package_version

    lines = [f"usage: {prog} COMMAND [options]   ({prog} COMMAND --help for a command's options)", "",
             f"Idlib ceasefire simulator {package_version()}: an agent-based model of the 2019-2020 war in north-west Syria.",
             "", "commands:"]
    lines += [f"  {name:<13} {text}" for name, text in COMMANDS.items()]
    shipped = shipped_scenarios()
    if shipped:
        lines += ["", "scenarios shipped:"]
        width = max(len(str(p)) for p, _ in shipped)
        lines += [f"  {str(p):<{width}}  {text}" for p, text in shipped]
        lines += ["", f"start with: {prog} run {shipped[0][0]}"]
    return "\n".join(lines)


def shipped_scenarios() -> list[tuple[Path, str]]:
    """The scenarios beside the package (a source checkout), with the first sentence of each description."""
    from .io.safe_yaml import load_yaml

    root = Path(__file__).resolve().parents[1] / "scenarios"
    files = sorted(root.glob("*.yaml")) + sorted((root / "whatif").glob("*.yaml"))
    out = []
    for f in files:
        try:
            text = " ".join(str(load_yaml(f).get("description", "")).split())
        except InputError:
            continue
        try:
            shown = f.relative_to(Path.cwd())
        except ValueError:
            shown = f
        out.append((shown, text.split(". ")[0].rstrip(".")[:90]))
    return out


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .io.outputs import check_out, claim_folder
    from .io.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    overrides: dict = {}
    if args.days is not None:
        overrides["end"] = scenario.start + dt.timedelta(days=args.days)
    if args.seed is not None:
        overrides["seed"] = args.seed
    if overrides:
        try:
            scenario = load_scenario(args.scenario, **overrides)
        except InputError as exc:  # the file loaded as written: the flags made it wrong
            raise InputError(None, exc.message, key="--days" if args.days is not None else "--seed") from None
    days = f"-days{args.days}" if args.days is not None else ""
    if args.runs is not None:
        return _ensemble(args, scenario, days, parser.prog)
    out = check_out(args.out) if args.out is not None else check_out(f"results/{scenario.name}-seed{scenario.seed}{days}", default=True)
    claim_folder(out, "run", scenario=scenario.name)  # refuse now, before running (and again when writing)

    from .analysis.summary import summarise
    from .experiments.run import simulate
    from .experiments.rundir import write_run

    result = simulate(scenario)
    write_run(result, out, scenario_path=args.scenario, map_png=not args.no_map)
    if not args.quiet:
        print(summarise(result, folder=out, scenario_path=args.scenario, prog=parser.prog))
    print(f"run folder: {out}")
    return 0


def _ensemble(args: argparse.Namespace, scenario, days: str, prog: str) -> int:  # noqa: ANN001 - a Scenario
    from .analysis.summary import summarise_ensemble
    from .experiments.ensemble import replicate_seeds, run_ensemble
    from .io.outputs import check_out, claim_folder

    replicate_seeds(scenario, args.runs)  # refuse a bad --runs before touching the disk
    default = f"results/{scenario.name}-seed{scenario.seed}-runs{args.runs}{days}"
    out = check_out(args.out) if args.out is not None else check_out(default, default=True)
    claim_folder(out, "ensemble", scenario=scenario.name)
    workers = args.workers or min(args.runs, os.cpu_count() or 1, MAX_WORKERS)
    results = run_ensemble(scenario, args.runs, out, workers=workers, scenario_path=args.scenario, progress=True, notify=_note)
    if not args.quiet:
        print(summarise_ensemble(results, prog=prog))
    print(f"ensemble folder: {out}")
    return 0


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .io.scenario import load_scenario
    from .io.timeline import supersessions

    sc = load_scenario(args.scenario)
    notes = "".join(f"; {s}" for s in supersessions(sc))
    print(f"{args.scenario}: ok ({sc.name}, {sc.start} .. {sc.end}, {len(sc.events)} events{notes})")
    return 0


def _compare(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .analysis.comparison import compare
    from .analysis.report import comparison_csv, comparison_text, scorecard_text, write_report
    from .analysis.results import load_results
    from .analysis.scoring import outcome_table, scorecard
    from .io.outputs import claim_output_folder, writing_into

    if len(args.results) > 2:
        parser.error("compare takes one results folder, or two to set side by side")
    cards = [scorecard(load_results(p), args.outcomes) for p in args.results]
    if args.out is not None and not args.out.strip():
        raise InputError(None, "is empty: give the name of a folder for the comparison", key="--out")
    out = claim_output_folder(Path(args.out)) if args.out is not None else args.results[-1]
    if len(cards) == 1:
        text, table, stem = scorecard_text(cards[0]), outcome_table(cards[0]), "comparison"
    else:
        try:
            comparison = compare(*cards)
        except ValueError as exc:
            raise InputError(args.results[1], str(exc)) from None
        text, table = comparison_text(comparison), comparison_csv(comparison)
        stem = f"comparison_vs_{cards[0].results.path.name}"
    with writing_into(out):
        md, csv = write_report(out, stem, text, table)
    print(text)
    print(f"written: {md}, {csv}")
    return 0


def _sweep(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import re

    from .experiments.designs import make_design
    from .experiments.parameters import parse_param
    from .experiments.sweep import run_sweep
    from .experiments.sweep_file import SweepSpec, load_sweep, sweep_digest
    from .io.outputs import check_out, claim_folder
    from .io.safe_yaml import load_yaml

    if args.scheduler is not None and not re.fullmatch(r"(tcp|tls|ucx|ws|wss|inproc)://\S+", args.scheduler):
        raise InputError(None, f"expects a scheduler address such as tcp://host:8786 (got {args.scheduler!r})", key="--scheduler")
    settings = {"runs": args.runs, "sample": args.sample, "n": args.n, "sample_seed": args.sample_seed}
    if {"parameters", "design"} & set(load_yaml(args.target)):
        if args.param or args.design:
            raise InputError(args.target, "give the points in the sweep file, or with --param or --design, not both", key="--param")
        spec = load_sweep(args.target, **settings)
    elif args.design:
        from .experiments.design_file import load_design
        from .io.scenario import load_scenario

        if args.param or args.sample or args.n or args.sample_seed is not None:
            raise InputError(None, "--design gives the points: no --param, --sample, --n or --sample-seed with it", key="--design")
        spec = SweepSpec(args.target.resolve(), load_design(args.design, load_scenario(args.target)), args.runs or 10)
    else:
        if not args.param:
            raise InputError(None, f"give at least one parameter to sweep, e.g. --param regime.commit=0.2:1.0:5 "
                             f"(or a sweep file instead of {args.target})", key="--param")
        params = [parse_param(p) for p in args.param]
        design = make_design(args.sample or "grid", params, n=args.n, seed=args.sample_seed or 0)
        spec = SweepSpec(args.target.resolve(), design, args.runs or 10)
    default = f"results/sweep-{spec.scenario_path.stem}-{sweep_digest(spec)}"
    out = check_out(args.out) if args.out is not None else check_out(default, default=True)
    claim_folder(out, "sweep")
    workers = args.workers or min(os.cpu_count() or 1, MAX_WORKERS)
    result = run_sweep(spec, out, workers=workers, executor=args.executor, scheduler=args.scheduler, progress=True,
                       seed=args.seed, notify=_note)
    total = len(spec.design.points) * spec.runs
    print(f"{len(spec.design.points)} points x {spec.runs} replicates = {total} runs ({result.ran} run now, "
          f"{total - result.ran} already done)")
    print(f"sweep folder: {out}  (next: {parser.prog} sweep-report {out})")
    return 0


def _sweep_report(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .viz.sweep_report import sweep_report

    pair = tuple(args.pair.split(",")) if args.pair else None
    if pair is not None and len(pair) != 2:
        raise InputError(None, f"expects two parameter paths 'a,b' (got {args.pair!r})", key="--pair")
    report = sweep_report(args.folder, metrics=args.metric, pair=pair)
    print(report.text)
    print("written: " + ", ".join(str(f) for f in report.files))
    return 0


def _discover(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .viz.discovery_report import discovery_report

    if args.out is not None and not args.out.strip():
        raise InputError(None, "is empty: give the name of a folder for the discovery report", key="--out")
    report = discovery_report(args.folder, args.where, out=args.out, threshold=args.threshold, max_boxes=args.boxes)
    print(report.text)
    print("written: " + ", ".join(str(f) for f in report.files))
    return 0


def _figures(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    out = None if args.out is None else Path(args.out)
    if args.out is not None and not args.out.strip():
        raise InputError(None, "is empty: give a file (map) or folder (plot) name", key="--out")
    if args.command == "plot":
        from .viz.plots import make_plots

        written = make_plots(args.results, outcomes=args.outcomes, out=out)
    else:
        from .viz.animation import animate
        from .viz.maps import make_map

        if len(args.results) > 2:
            parser.error("map takes one results folder, or two (baseline, what-if)")
        if args.animate:
            if len(args.results) != 1:
                parser.error("--animate takes one results folder")
            written = animate(args.results[0], out=out, faction=args.faction)
        else:
            written = [make_map(args.results, date=args.date, out=out, faction=args.faction)]
    print("written: " + ", ".join(str(w) for w in written))
    return 0


COMMAND_FUNCTIONS = {"run": _run, "check": _check, "compare": _compare, "sweep": _sweep, "sweep-report": _sweep_report,
                     "discover": _discover, "map": _figures, "plot": _figures}
