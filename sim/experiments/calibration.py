"""``python -m sim calibrate``: fit a scenario's parameters to the record with Optuna, resumably and deterministically.

A calibration is a series of *trials*, each a point in the parameter space
run as ``replicates`` seeded replicates of every scenario and scored on the
fitted outcomes (:mod:`sim.experiments.calibration_runs`). The trials live in an
Optuna study in SQLite (``<out>/study.db``), so a calibration stopped with
Ctrl-C keeps every finished trial and the same command resumes it.

**Determinism.** Trials are asked of the sampler in batches of ``batch``, in
trial-number order, before any trial of the batch is told; the batch is then
evaluated in parallel (workers, or a Dask cluster) and each trial is told as
it finishes. Trial *n* is asked with a sampler seeded by (seed, *n*) and sees
exactly the trials of the earlier batches and the ones already asked in its
own, whatever the worker count or the order in which evaluations finish. Every
trial runs the same seeds (replicate *i* of a scenario with seed *s* uses
*s + i*: common random numbers, so trials differ only by their parameters).
So the same file gives the same trials, values and best point with 1 or N
workers, and after an interruption. A ``minutes`` budget stops between
batches: the trials are then a prefix of the same sequence.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Interrupted, check_switch
from ..io.files import remove
from ..io.folder_lock import FolderLock
from ..io.outputs import OUT, claim_folder, mark_folder
from .calibration_file import STUDY_FILE, CalibrationSpec, checked_call, require_optuna
from .calibration_runs import Problem, evaluate, evaluate_all
from .executors import check_executor, deferred_interrupts


class CalibrationInterrupted(Interrupted):
    """A calibration stopped (Ctrl-C) between or inside a batch; the finished trials are kept in the study."""

    def __init__(self, out: Path, finished: int, total: int | None) -> None:
        Exception.__init__(self, f"{finished}{f' of {total}' if total else ''} trials finished in {out / STUDY_FILE}")
        self.out, self.finished, self.total = out, finished, total


@contextlib.contextmanager
def open_study(spec: CalibrationSpec, out: Path) -> Iterator:
    """The calibration's Optuna study in ``out/study.db``, created or resumed (refused if it holds another calibration).

    The database is closed when the block ends.
    """
    require_optuna(spec)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # The command claims its --out before this, but sim.run_calibration and finish come straight here: without the
    # claim they wrote study.db and the marker into a folder of the user's, which then passed for the simulator's own.
    claim_folder(out, "calibration")
    mark_folder(out, "calibration")
    storage = optuna.storages.RDBStorage(f"sqlite:///{(out / STUDY_FILE).resolve()}")
    try:
        # Optuna keeps studies by name, so a calibration of another name would be a second study beside the first,
        # out of sight of the digest check below, and the folder's tables would mix the two.
        others = [name for name in optuna.get_all_study_names(storage) if name != spec.name]
        if others:
            raise InputError(out, f"holds another calibration, '{others[0]}' (this one is '{spec.name}'); choose another "
                                  f"{OUT} or remove the folder")
        study = optuna.create_study(storage=storage, study_name=spec.name, direction="minimize", load_if_exists=True)
        digest = study.user_attrs.get("digest")
        if digest is None:
            study.set_user_attr("digest", spec.digest())
            study.set_user_attr("parameters", list(spec.parameters))
        elif digest != spec.digest():
            raise InputError(out, f"holds another calibration named '{spec.name}' (its scenarios, their theatre or claims, "
                                  "its parameters, fitted or held-out outcomes, the outcomes record, replicates, method or "
                                  f"objective differ, or an earlier version made it); choose another {OUT} or remove "
                                  "the folder")
        yield study
    finally:
        storage.remove_session()
        storage.engine.dispose()


def distributions(spec: CalibrationSpec) -> dict:
    from optuna.distributions import FloatDistribution

    return {k: FloatDistribution(b.low, b.high, log=b.log) for k, b in spec.parameters.items()}


def sampler_for(spec: CalibrationSpec, number: int):  # noqa: ANN201 - an optuna sampler
    """The sampler that asks trial ``number``: its own seed, derived from the file's seed and the number."""
    import optuna
    from optuna.exceptions import ExperimentalWarning

    m = spec.file.method
    seed = (m.seed * 1_000_003 + number) % 2**32
    with warnings.catch_warnings():
        # multivariate TPE and the constant liar are flagged experimental by Optuna; they are what makes batches work.
        warnings.simplefilter("ignore", ExperimentalWarning)
        if m.sampler == "cmaes":
            return optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=m.startup_trials)
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=m.startup_trials, multivariate=True, constant_liar=True)


def _ask(study, spec: CalibrationSpec, number: int, dists: dict):  # noqa: ANN001, ANN202 - optuna objects
    study.sampler = sampler_for(spec, number)
    with warnings.catch_warnings():
        from optuna.exceptions import ExperimentalWarning

        warnings.simplefilter("ignore", ExperimentalWarning)
        trial = study.ask(dists)
    trial.set_user_attr("batch", number // spec.file.method.batch)
    return trial


@dataclass
class CalibrationRun:
    """What a call of :func:`run_calibration` did."""

    ran: int
    total: int
    seconds: float


def run_calibration(spec: CalibrationSpec, out: str | Path, *, workers: int = 1, executor: str | None = None,
                    scheduler: str | None = None, progress: bool = False, trials: int | None = None,
                    minutes: float | None = None) -> CalibrationRun:
    """Run (or resume) the calibration's trials into ``out``.

    Args:
        spec: from :func:`~sim.experiments.calibration_file.load_calibration`.
        out: the calibration folder: ``study.db`` here; :func:`~sim.experiments.calibration_results.finish` then writes
            the report here and the layers where ``layers_folder(spec, out)`` (same module) says: the file's ``layers:``,
            or ``out/layers`` if a layer there is another study's (the command says so before its first trial).
        workers: trials evaluated at once (processes, or Dask workers); the result does not depend on it.
        executor, scheduler: as for :func:`~sim.experiments.sweep.run_sweep`: ``"local"`` or ``"dask"``, and a running
            Dask scheduler's address; a scheduler alone means Dask, and is refused with ``executor="local"``.
        progress: show a progress bar on stderr, a notebook's output as a terminal (the command line asks for one on a terminal only).
        trials, minutes: replace the file's budget.

    Raises:
        CalibrationInterrupted: on Ctrl-C; the finished trials are kept.
        InputError: a ``spec``, ``out``, worker count or budget of the wrong kind or out of range; an executor that is not
            one, or ``"local"`` with a scheduler; ``out`` holds something else, another simulator process is writing it, or the scheduler cannot be
            reached; a folder this call made is removed again if no trial was run in it (it was left marked, holding an
            empty study).
    """
    check_switch(progress, "progress")
    out, workers = checked_call(spec, out, workers, trials, minutes)
    executor = check_executor(executor, scheduler)  # before the folder is made: a typo ("dsak") ran every trial locally, without a word
    with FolderLock(out):  # one writer at a time: a second calibration put its trials into this one's study
        created = claim_folder(out, "calibration")
        empty = False
        try:
            with open_study(spec, out) as study:
                try:
                    return _optimise(study, spec, out, workers, executor, scheduler, progress, trials, minutes)
                except Exception as exc:
                    from optuna.trial import TrialState

                    with contextlib.suppress(Exception):  # the error being raised is the one to report
                        empty = created and not isinstance(exc, Interrupted) and not study.get_trials(
                            deepcopy=False, states=(TrialState.COMPLETE,))
                    raise
        finally:
            if empty:
                remove(out)  # once the study's database is closed


def _optimise(study, spec: CalibrationSpec, out: Path, workers: int, executor: str, scheduler: str | None,  # noqa: ANN001
              progress: bool, trials: int | None, minutes: float | None) -> CalibrationRun:
    from optuna.trial import Trial, TrialState
    from tqdm import tqdm

    dists = distributions(spec)
    budget = trials if trials is not None else spec.file.budget.trials
    minutes = minutes if minutes is not None else spec.file.budget.minutes
    deadline = time.monotonic() + 60 * minutes if minutes else None
    batch = spec.file.method.batch
    problem = Problem.of(spec)
    started, ran = time.monotonic(), 0
    with deferred_interrupts():
        done0 = len([t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE])
    bar = tqdm(total=budget, initial=done0, unit="trial", disable=not progress, desc=spec.name)
    try:
        while True:
            t0 = time.monotonic()  # the batch's cost: asking the sampler and running the trials
            # Ctrl-C waits while the study's database is written (SQLAlchemy logs an interrupted query as an error).
            with deferred_interrupts():
                existing = study.get_trials(deepcopy=False)
            n = len(existing)
            running = [t for t in existing if t.state == TrialState.RUNNING]
            # Optuna writes an asked trial and each of its values in separate commits: one killed (SIGKILL; Ctrl-C
            # waits) between them was resumed with values missing, ran the scenario's own values and then stopped
            # every rerun with NaN. Failed, it is asked again under the next number (its batch's later trials then
            # differ from an uninterrupted study's) and does not count against the budget.
            if broken := [t for t in running if set(t.params) != set(dists)]:
                with deferred_interrupts():
                    for t in broken:
                        study.tell(t.number, state=TrialState.FAIL)
                continue
            spent = n - sum(1 for t in existing if t.state == TrialState.FAIL)  # the trials the budget counts
            if n == 0 and spec.file.method.start_at_hand_set:
                _start_at_hand_set(study, spec, problem, dists)
                ran += 1
                bar.update()
                _add_wall(study, time.monotonic() - t0, problem.replicates * len(problem.scenarios))
                continue
            if not running and ((budget is not None and spent >= budget) or (deadline is not None and time.monotonic() >= deadline)):
                break
            # The batch holding the first unfinished trial (or the next one), filled up in trial-number order.
            first = min(t.number for t in running) if running else n
            end = (first // batch + 1) * batch
            end = max(min(end, budget + n - spent), n) if budget is not None else end
            with deferred_interrupts():
                running += [_ask(study, spec, number, dists) for number in range(n, end)]
            pending = {t.number: t for t in running}
            args = {num: dict(t.params) for num, t in sorted(pending.items())}
            try:
                for num, result in evaluate_all(problem, args, workers=workers, executor=executor, scheduler=scheduler):
                    with deferred_interrupts():
                        trial = Trial(study, pending[num]._trial_id)
                        for key, value in result["fit"].items():
                            trial.set_user_attr(f"fit_{key}", value)
                        for key, value in result["hold_out"].items():
                            trial.set_user_attr(f"hold_{key}", value)
                        trial.set_user_attr("seconds", result["seconds"])
                        study.tell(trial, result["fit"]["objective"])
                        # A kept trial's runs are part of the cost the report gives, counted with its tell (a Ctrl-C
                        # between them left it uncounted), not when the batch ends: killed outright (SIGKILL) in a
                        # batch, a calibration lost the runs of the trials it had told, and its report gave 16 runs
                        # for 6 trials of 4.
                        _count_cost(study, time.monotonic() - t0, problem.replicates * len(problem.scenarios))
                        t0 = time.monotonic()
                        best = study.best_value  # a read of the database too: a Ctrl-C inside it came out as Optuna's error
                    ran += 1
                    bar.update()
                    bar.set_postfix(best=f"{best:.4f}")
            finally:
                _add_wall(study, time.monotonic() - t0, 0)  # on Ctrl-C too: the time spent since the last trial told
    except KeyboardInterrupt:
        with deferred_interrupts():
            done = len([t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE])
        raise CalibrationInterrupted(out, done, budget) from None
    finally:
        bar.close()
    with deferred_interrupts():
        total = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
    return CalibrationRun(ran, total, time.monotonic() - started)


def _start_at_hand_set(study, spec: CalibrationSpec, problem: Problem, dists: dict) -> None:  # noqa: ANN001 - a Study
    """Trial 0: the scenario's own values, run and stored as a finished trial before the sampler asks anything."""
    from optuna.trial import create_trial

    result = evaluate(problem, spec.hand_set())
    attrs = {f"fit_{k}": v for k, v in result["fit"].items()} | {f"hold_{k}": v for k, v in result["hold_out"].items()}
    with deferred_interrupts():
        study.add_trial(create_trial(params=spec.hand_set(), distributions=dists, value=result["fit"]["objective"],
                                     user_attrs=attrs | {"seconds": result["seconds"], "batch": -1, "hand_set": True}))


def _add_wall(study, seconds: float, runs: int) -> None:  # noqa: ANN001 - an optuna Study
    """Keep the calibration's cost: wall-clock seconds spent asking and evaluating, and runs made, over every session."""
    with deferred_interrupts():
        _count_cost(study, seconds, runs)


def _count_cost(study, seconds: float, runs: int) -> None:  # noqa: ANN001 - an optuna Study
    """:func:`_add_wall` inside a block that already holds Ctrl-C (:func:`~.executors.deferred_interrupts`)."""
    attrs = study.user_attrs
    study.set_user_attr("wall_seconds", attrs.get("wall_seconds", 0.0) + seconds)
    study.set_user_attr("runs", attrs.get("runs", 0) + runs)
