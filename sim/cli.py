"""``python -m sim``: a thin command line over the Python API."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .errors import InputError, Interrupted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim", description="Idlib ceasefire simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario and write a run folder under results/")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--seed", type=int, help="replace the scenario's seed")
    run.add_argument("--days", type=int, help="simulate only this many days from the start")
    run.add_argument("--out", type=Path, help="run folder (default: results/<scenario>-seed<seed>[-runs<N>])")
    run.add_argument("--runs", type=int, help="run an ensemble of this many seeded replicates")
    run.add_argument("--workers", type=int, help="processes for an ensemble (default: one per core; results do not depend on it)")
    run.add_argument("--no-map", action="store_true", help="skip control_map.png")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the run folder")
    check = sub.add_parser("check", help="validate a scenario without running it")
    check.add_argument("scenario", type=Path)
    cmp = sub.add_parser("compare", help="score results against the record, or set two results side by side")
    cmp.add_argument("results", type=Path, nargs="+", metavar="RESULTS_DIR", help="one results folder (A), or two (A B) to compare")
    cmp.add_argument("--outcomes", type=Path, help="reported outcomes (default: outcomes.yaml beside the run's claims record)")
    cmp.add_argument("--out", type=Path, help="folder for comparison.md/.csv (default: the (last) results folder)")
    sw = sub.add_parser("sweep", help="run a parameter sweep (grid or sampled), streaming one Parquet row per run")
    sw.add_argument("target", type=Path, metavar="SCENARIO_OR_SWEEP", help="a scenario, or a sweep file (sweeps/*.yaml)")
    sw.add_argument("--param", action="append", default=[], metavar="PATH=SPEC",
                    help="e.g. regime.commit=0.2:1.0:5 (grid steps), turkey.deterrence=0.5,1,2 (values), russia.truce_air=0:0.5 (bounds)")
    sw.add_argument("--runs", type=int, help="replicates per point (default 10)")
    sw.add_argument("--sample", choices=("grid", "lhs", "random", "sobol"), help="design (default grid)")
    sw.add_argument("--n", type=int, help="sample size for lhs/random; base size (a power of 2) for sobol")
    sw.add_argument("--design", type=Path, metavar="POINTS_CSV", help="points from a CSV file (header: parameter paths or aliases; "
                    "EMA Workbench's experiments table works) instead of --param")
    sw.add_argument("--sample-seed", type=int, help="seed of a sampled design: where lhs/random/sobol points fall (default 0)")
    sw.add_argument("--seed", type=int, help="replicate base seed: replicate r of every point runs with seed + r (default: the scenario's)")
    sw.add_argument("--out", type=Path, help="sweep folder (default: results/sweep-<scenario>-<hash>)")
    sw.add_argument("--workers", type=int, help="processes or Dask workers (default: one per core)")
    sw.add_argument("--executor", choices=("local", "dask"), default="local", help="local process pool, or a Dask LocalCluster")
    sw.add_argument("--scheduler", help="join a running Dask cluster, e.g. tcp://host:8786")
    rep = sub.add_parser("sweep-report", help="response plots, heat map and sensitivity indices of a sweep")
    rep.add_argument("folder", type=Path, metavar="SWEEP_DIR")
    rep.add_argument("--metric", action="append", help="metric to report (repeatable; default: the sweep's, or a standard set)")
    rep.add_argument("--pair", help="two parameters for the heat map, 'a,b' (default: the first two)")
    dis = sub.add_parser("discover", help="scenario discovery (PRIM): the parameter ranges where a sweep's outcome of interest happens")
    dis.add_argument("folder", type=Path, metavar="SWEEP_DIR")
    dis.add_argument("--where", required=True, help='the outcome of interest, METRIC OP NUMBER on each point\'s mean, e.g. "ceasefire_days >= 30"')
    dis.add_argument("--threshold", type=float, default=0.8, help="least density of a box (default 0.8)")
    dis.add_argument("--boxes", type=int, default=3, help="most boxes to look for (default 3)")
    dis.add_argument("--out", type=Path, help="folder for discover.md, boxes.csv, peeling.png (default: SWEEP_DIR/discover)")
    _add_figure_commands(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "compare":
            return _compare(args, parser)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "sweep-report":
            return _sweep_report(args)
        if args.command == "discover":
            return _discover(args)
        if args.command in ("map", "plot"):
            return _figures(args, parser)
        if args.command == "check":
            from .io.scenario import load_scenario

            sc = load_scenario(args.scenario)
            print(f"{args.scenario}: ok ({sc.name}, {sc.start} .. {sc.end}, {len(sc.events)} events)")
            return 0
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
    return 1


def _run(args: argparse.Namespace) -> int:
    from .analysis.summary import summarise
    from .experiments.run import simulate
    from .experiments.rundir import write_run
    from .io.scenario import load_scenario

    overrides: dict = {}
    if args.days is not None:
        if args.days < 1:
            raise InputError(None, f"--days must be at least 1 (got {args.days})", key="--days")
        base = load_scenario(args.scenario)
        overrides["end"] = base.start + dt.timedelta(days=args.days)
    if args.seed is not None:
        if args.seed < 0:
            raise InputError(None, f"--seed must be non-negative (got {args.seed})", key="--seed")
        overrides["seed"] = args.seed
    scenario = load_scenario(args.scenario, **overrides)
    if args.runs is not None:
        return _ensemble(args, scenario)
    result = simulate(scenario)
    out = args.out or Path("results") / f"{scenario.name}-seed{result.seed}"
    write_run(result, out, scenario_path=args.scenario, map_png=not args.no_map)
    if not args.quiet:
        print(summarise(result))
    print(f"run folder: {out}")
    return 0


def _ensemble(args: argparse.Namespace, scenario) -> int:  # noqa: ANN001 - a Scenario
    import os

    from .analysis.summary import summarise_ensemble
    from .experiments.ensemble import replicate_seeds, run_ensemble

    replicate_seeds(scenario, args.runs)  # refuse a bad --runs before touching the disk
    if args.workers is not None and args.workers < 1:
        raise InputError(None, f"--workers must be at least 1 (got {args.workers})", key="--workers")
    workers = args.workers or min(args.runs, os.cpu_count() or 1)
    out = args.out or Path("results") / f"{scenario.name}-seed{scenario.seed}-runs{args.runs}"
    results = run_ensemble(scenario, args.runs, out, workers=workers, scenario_path=args.scenario, progress=True)
    if not args.quiet:
        print(summarise_ensemble(results))
    print(f"ensemble folder: {out}")
    return 0


def _compare(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .analysis.comparison import compare
    from .analysis.report import comparison_csv, comparison_text, scorecard_text, write_report
    from .analysis.results import load_results
    from .analysis.scoring import outcome_table, scorecard

    if len(args.results) > 2:
        parser.error("compare takes one results folder, or two to set side by side")
    cards = [scorecard(load_results(p), args.outcomes) for p in args.results]
    if len(cards) == 1:
        text, table, stem = scorecard_text(cards[0]), outcome_table(cards[0]), "comparison"
    else:
        try:
            comparison = compare(*cards)
        except ValueError as exc:
            raise InputError(args.results[1], str(exc)) from None
        text, table = comparison_text(comparison), comparison_csv(comparison)
        stem = f"comparison_vs_{cards[0].results.path.name}"
    out = args.out or args.results[-1]
    out.mkdir(parents=True, exist_ok=True)
    md, csv = write_report(out, stem, text, table)
    print(text)
    print(f"written: {md}, {csv}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    import os

    from .experiments.designs import make_design
    from .experiments.parameters import parse_param
    from .experiments.sweep import run_sweep
    from .experiments.sweep_file import SweepSpec, load_sweep, sweep_digest
    from .io.safe_yaml import load_yaml

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
        params = [parse_param(p) for p in args.param]
        design = make_design(args.sample or "grid", params, n=args.n, seed=args.sample_seed or 0)
        spec = SweepSpec(args.target.resolve(), design, args.runs or 10)
    if spec.runs < 1:
        raise InputError(None, f"--runs must be at least 1 (got {spec.runs})", key="--runs")
    workers = args.workers or os.cpu_count() or 1
    out = args.out or Path("results") / f"sweep-{spec.scenario_path.stem}-{sweep_digest(spec)}"
    result = run_sweep(spec, out, workers=workers, executor=args.executor, scheduler=args.scheduler, progress=True,
                       seed=args.seed)
    total = len(spec.design.points) * spec.runs
    print(f"{len(spec.design.points)} points x {spec.runs} replicates = {total} runs ({result.ran} run now, "
          f"{total - result.ran} already done)")
    print(f"sweep folder: {out}  (next: python -m sim sweep-report {out})")
    return 0


def _sweep_report(args: argparse.Namespace) -> int:
    from .viz.sweep_report import sweep_report

    pair = tuple(args.pair.split(",")) if args.pair else None
    if pair is not None and len(pair) != 2:
        raise InputError(None, f"--pair expects two parameter paths 'a,b' (got {args.pair!r})", key="--pair")
    report = sweep_report(args.folder, metrics=args.metric, pair=pair)
    print(report.text)
    print("written: " + ", ".join(str(f) for f in report.files))
    return 0


def _discover(args: argparse.Namespace) -> int:
    from .viz.discovery_report import discovery_report

    report = discovery_report(args.folder, args.where, out=args.out, threshold=args.threshold, max_boxes=args.boxes)
    print(report.text)
    print("written: " + ", ".join(str(f) for f in report.files))
    return 0


# ---- maps and plots (sim/viz/) ----


def _add_figure_commands(sub) -> None:  # noqa: ANN001 - argparse's subparsers
    m = sub.add_parser("map", help="draw a results folder's control map, or a baseline and a what-if side by side")
    m.add_argument("results", type=Path, nargs="+", metavar="RESULTS_DIR", help="one results folder, or two (baseline, what-if)")
    m.add_argument("--date", help="YYYY-MM-DD (default: the last simulated day); a date the theatre reports control for adds the reported map")
    m.add_argument("--out", type=Path, help="file to write (default: map_<date>.png or control.gif in the (last) results folder)")
    m.add_argument("--faction", choices=("regime", "hts", "rebels"), default="regime", help="whose probability of control ensemble maps shade")
    m.add_argument("--animate", action="store_true", help="write an animated GIF of daily control (and an MP4 where ffmpeg exists)")
    p = sub.add_parser("plot", help="plot a results folder over time: towns held, capture dates, losses, patrols")
    p.add_argument("results", type=Path, metavar="RESULTS_DIR")
    p.add_argument("--outcomes", type=Path, help="reported outcomes (default: outcomes.yaml beside the run's claims record)")
    p.add_argument("--out", type=Path, help="folder for the PNGs (default: the results folder)")


def _figures(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "plot":
        from .viz.plots import make_plots

        written = make_plots(args.results, outcomes=args.outcomes, out=args.out)
    else:
        from .viz.animation import animate
        from .viz.maps import make_map

        if len(args.results) > 2:
            parser.error("map takes one results folder, or two (baseline, what-if)")
        if args.animate:
            if len(args.results) != 1:
                parser.error("--animate takes one results folder")
            written = animate(args.results[0], out=args.out, faction=args.faction)
        else:
            written = [make_map(args.results, date=args.date, out=args.out, faction=args.faction)]
    print("written: " + ", ".join(str(w) for w in written))
    return 0
