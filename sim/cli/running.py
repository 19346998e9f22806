"""The commands that run the model and write a results folder: ``run``, ``sweep`` and ``calibrate``."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError, Interrupted, shown_path
from ..interrupts import raise_if_interrupted
from ..names import MAX_WORKERS, counted, replicates
from .printing import note, on_terminal


@contextlib.contextmanager
def _printing_only(out: Path, runs: int, unit: str = "replicates") -> Iterator[None]:
    """``out`` is whole on disk: an interrupt from here on stops only the summary (which scores the results, and
    takes a moment) and says so, where it said "nothing was written"."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(out, runs, runs, unit=unit, advice="only its summary was not printed") from None


def _bar(args: argparse.Namespace) -> bool:
    """Whether to draw a progress bar: on a terminal, and not under ``-q``, which prints the folder's path and nothing
    else (notes and errors still go to standard error)."""
    return on_terminal() and not args.quiet


def _out_folder(args: argparse.Namespace, default: str) -> Path:
    """The results folder: ``--out`` checked, or else ``default`` (under ``results/``), which is kept on ``args`` as
    ``default_out`` for the error it may meet (:meth:`~sim.errors.InputError.on_command_line` names it as the default:
    "--out results/x: ..." misled a user who had given no ``--out``)."""
    from ..io.out_names import check_out

    if args.out is not None:
        return check_out(args.out)
    args.default_out = Path(default)
    return check_out(default, default=True)


def _start_workers(args: argparse.Namespace) -> None:
    """Start the process a local pool's workers are forked from (:func:`~sim.experiments.forkserver.start_forkserver`),
    if the command will run one: once its input is checked, and before this process imports the model, which that
    process then loads on another core meanwhile. Started with the command, as it was, it loaded the model while the
    input was read, and a refusal waited for it (``run bad.yaml --runs 4``: 2.1 s, where ``run bad.yaml`` took 1.0)."""
    if _forks_workers(args):
        from ..experiments.forkserver import start_forkserver

        start_forkserver()


def _forks_workers(args: argparse.Namespace) -> bool:
    """Whether the command will run a local pool of more than one process (by default, one per core)."""
    # --executor is unset unless given (a --scheduler alone means Dask): see _check_scheduler.
    if not hasattr(args, "workers") or getattr(args, "executor", None) not in (None, "local") or getattr(args, "scheduler", None):
        return False
    if args.command == "run" and not (args.runs and args.runs > 1):
        return False  # one run: no pool
    return (args.workers or os.cpu_count() or 1) > 1


def _claim(out: Path, kind: str, **given: object) -> None:
    """Refuse ``out`` now, before the slow part (loading the model, running): a folder another simulator process is
    writing, or one :func:`~sim.io.outputs.claim_folder` refuses (``given``: its ``scenario`` and ``source``).

    Nothing is made or held, so a command that fails before it writes leaves nothing behind: the writer takes the
    folder's lock when it writes, and checks again under it.
    """
    from ..io.folder_lock import check_not_being_written
    from ..io.outputs import claim_folder

    check_not_being_written(out, writing=True)
    claim_folder(out, kind, **given)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..io.scenario import for_run

    scenario = for_run(args.scenario, days=args.days, seed=args.seed, flags=True)  # as simulate(days=) and run_ensemble(seed=)
    # The default folder's name carries every flag that changes what is run, so that no run replaces another unasked.
    tail = f"-days{args.days}" if args.days is not None else ""
    if args.param_set is not None:
        from ..experiments.design_file import load_param_set
        from ..experiments.parameters import apply

        rows = load_param_set(args.param_set, scenario)
        if args.runs is not None:
            return _across(args, scenario, rows, tail, parser.prog)
        scenario = apply(scenario, rows[0], where=args.param_set)
        tail += f"-{args.param_set.stem}"  # the set's first row, not the scenario's own values
    if args.runs is not None:
        return _ensemble(args, scenario, tail, parser.prog)
    out = _out_folder(args, f"results/{scenario.name}-seed{scenario.seed}{tail}")
    _claim(out, "run", scenario=scenario.name, source=args.scenario)

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
    from ..experiments.seeds import seeds_from

    seeds_from(scenario.seed, args.runs)  # refuse a bad --runs before touching the disk
    default = f"results/{scenario.name}-seed{scenario.seed}-runs{args.runs}{tail}"
    out = _out_folder(args, default)
    _claim(out, "ensemble", scenario=scenario.name, source=args.scenario)
    _start_workers(args)
    from ..analysis.summary import summarise_ensemble
    from ..experiments.ensemble import run_ensemble  # the model, some seconds of imports: once the input is known good

    workers = args.workers or min(args.runs, os.cpu_count() or 1, MAX_WORKERS)
    results = run_ensemble(scenario, args.runs, out, workers=workers, scenario_path=args.scenario, progress=_bar(args),
                           notify=note)
    with _printing_only(out, args.runs):
        if not args.quiet:
            print(summarise_ensemble(results, prog=prog))
        print(out if args.quiet else f"ensemble folder: {out}")
    return 0


def _across(args: argparse.Namespace, scenario, rows: list[dict], tail: str, prog: str) -> int:  # noqa: ANN001 - a Scenario
    from ..experiments.seeds import seeds_from

    seeds_from(scenario.seed, args.runs)  # as an ensemble's, before the model is imported
    default = f"results/{scenario.name}-seed{scenario.seed}-runs{args.runs}{tail}-{args.param_set.stem}"
    out = _out_folder(args, default)
    _claim(out, "ensemble", scenario=scenario.name, source=args.scenario)
    _start_workers(args)
    from ..analysis.summary import summarise_ensemble
    from ..experiments.param_sets import run_across  # the model: once the input is known good

    workers = args.workers or min(args.runs, os.cpu_count() or 1, MAX_WORKERS)
    results = run_across(scenario, rows, args.runs, out, workers=workers, scenario_path=args.scenario, param_set=args.param_set,
                         progress=_bar(args))
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


def _sweep(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:

    from ..experiments.designs import SETTINGS, make_design
    from ..experiments.parameters import parse_param
    from ..experiments.sweep_file import SweepSpec, load_sweep, sweep_digest
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
    _claim(out, "sweep")
    _start_workers(args)
    from ..experiments.sweep import run_sweep  # the model, some seconds of imports: once the folder is known to be free

    workers = args.workers or min(os.cpu_count() or 1, MAX_WORKERS)
    result = run_sweep(spec, out, workers=workers, executor=args.executor, scheduler=args.scheduler, progress=_bar(args),
                       seed=args.seed, notify=note)
    if args.quiet:
        print(out)  # the bare path, which a script reads back
        return 0
    total = len(spec.design.points) * spec.runs
    print(f"{counted(len(spec.design.points), 'point')} x {replicates(spec.runs)} = {counted(total, 'run')} ({result.ran} run now, "
          f"{total - result.ran} already done)")
    print(f"sweep folder: {out}  (next: {parser.prog} sweep-report {shlex.quote(str(out))})")
    return 0


def _calibrate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..experiments.calibration_file import STUDY_FILE, load_calibration, require_optuna

    if args.minutes is not None and not args.minutes > 0:
        raise InputError(None, f"must be positive (got {args.minutes})", key="--minutes")
    _check_scheduler(args)
    spec = load_calibration(args.calibration)
    require_optuna(spec)  # before the folder is made
    if args.report_only and (flag := "--trials" if args.trials is not None else "--minutes" if args.minutes is not None else None):
        raise InputError(None, "--report-only runs no trials, so it takes no budget: give the budget without "
                         "--report-only (the study resumes, then the report is written)", key=flag)
    out = _out_folder(args, f"results/calibration-{spec.name}")
    _claim(out, "calibration")
    if args.report_only and not (out / STUDY_FILE).is_file():  # before open_study makes an empty one, and the folder
        raise InputError(out, "holds no calibration study: run the calibration first (without --report-only)",
                         key="--report-only")
    _start_workers(args)
    # The model and the study, some seconds of imports: once the input is known good.
    from ..experiments.calibration import open_study, run_calibration
    from ..experiments.calibration_results import finish, layers_folder

    if (out / STUDY_FILE).is_file():  # another calibration's study is refused here, not after the note on its layers
        with open_study(spec, out):
            pass
    if (folder := layers_folder(spec, out)) != spec.layers:
        note(f"the layers in {shown_path(str(spec.layers))} are another study's; this one's will be written to "
             f"{shown_path(str(folder))}")
    workers = args.workers or min(os.cpu_count() or 1, MAX_WORKERS)
    if not args.report_only:
        done = run_calibration(spec, out, workers=workers, executor=args.executor, scheduler=args.scheduler, progress=_bar(args),
                               trials=args.trials, minutes=args.minutes)
        if not args.quiet:
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
    if args.quiet:
        print(out)  # the bare path, which a script reads back (the report there names the layers)
        return 0
    print(result["text"])
    # The layers' paths are resolved from the calibration file's folder: said from the working folder, as the rest are.
    print("written: " + ", ".join(shown_path(str(p)) for p in [*result["layers"], result["report"], *result["figures"]]))
    return 0


FUNCTIONS = {"run": _run, "sweep": _sweep, "calibrate": _calibrate}
