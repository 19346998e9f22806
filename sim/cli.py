"""``python -m sim``: a thin command line over the Python API."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .errors import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim", description="Idlib ceasefire simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario and write a run folder under results/")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--seed", type=int, help="replace the scenario's seed")
    run.add_argument("--days", type=int, help="simulate only this many days from the start")
    run.add_argument("--out", type=Path, help="run folder (default: results/<scenario>-seed<seed>)")
    run.add_argument("--no-map", action="store_true", help="skip control_map.png")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the run folder")
    check = sub.add_parser("check", help="validate a scenario without running it")
    check.add_argument("scenario", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "check":
            from .scenario import load_scenario

            sc = load_scenario(args.scenario)
            print(f"{args.scenario}: ok ({sc.name}, {sc.start} .. {sc.end}, {len(sc.events)} events)")
            return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    return 1


def _run(args: argparse.Namespace) -> int:
    from .output import write_run
    from .run import simulate
    from .scenario import load_scenario
    from .summary import summarise

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
    result = simulate(scenario)
    out = args.out or Path("results") / f"{scenario.name}-seed{result.seed}"
    write_run(result, out, scenario_path=args.scenario, map_png=not args.no_map)
    if not args.quiet:
        print(summarise(result))
    print(f"run folder: {out}")
    return 0
