"""Regenerate every experiment whose numbers or figures README.md shows, into one folder.

    .venv/bin/python scripts/readme_experiments.py --out results/readme --workers 2    # all of them
    .venv/bin/python scripts/readme_experiments.py --out results/readme --only campaign moscow
    .venv/bin/python scripts/readme_experiments.py --out results/readme --only campaign_map campaign20 \
        sweep_jan_truce_30_days --update-docs                                          # the README's figures
    .venv/bin/python scripts/readme_experiments.py --list                               # the commands, nothing run

Each experiment of :data:`EXPERIMENTS` is one or more ``python -m sim`` commands,
run as subprocesses of this interpreter from the repository root. The one that
makes its results folder (``run --runs``, ``sweep``) is skipped when that folder
is already complete, so a stopped regeneration resumes; the reports made from it
(``compare``, ``sweep-report``, ``discover``), whose standard output is the text
the README's tables are read from, are written again every time. After a change
to the model's rules, give a new ``--out``: a complete folder is not rerun.

The README's figures are outputs of experiments too (:attr:`Experiment.figures`):
``docs/campaign_map.png`` (one run of the campaign, default seed),
``docs/ensemble_map.png``, ``docs/towns_held.png`` and ``docs/capture_dates.png``
(20 runs, ``map --date 2020-03-06`` and ``plot``) and ``docs/sweep_truce_heatmap.png``
(the ``jan_truce_30_days`` sweep's report). ``--update-docs`` copies them into
``docs/`` once their experiments ran, says which changed, and records in
``docs/figures.json`` what each was drawn from (:func:`drawn_from`: the model's
outputs and their inputs), which a test computes again: a figure left stale by a
change to the rules, the theatre or the record fails it. (It records what this
checkout computes: a folder kept from older rules must not be reused, as said
below.) The numbers the README's text and docs/ read off the reports are
stamped with the same digest, scored, by ``scripts/docs_numbers.py``. Two groups of
figures are not made here: the app's screenshots (``docs/app_*.png``), which
``scripts/app_screenshots.py`` takes again, and ``docs/calibration_*.png``, which
come from a ``calibrate`` study of several minutes (see docs/calibration.md).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's sim, whatever the editable install points at

from sim.analysis.integrity import batches  # noqa: E402
from sim.analysis.results import part_files  # noqa: E402
from sim.io.files import atomic_file, write_atomic  # noqa: E402
from sim.io.outputs import describe, folder_of_kind, marker, strangers  # noqa: E402
from sim.io.signatures import provably_ours, signed_markdown  # noqa: E402
from sim.names import MAX_WORKERS  # noqa: E402

DOCS = ROOT / "docs"  # where README.md's figures are kept (main's docs= points a test elsewhere)
DRAWN_FROM = "figures.json"  # in DOCS: what each figure was drawn from (drawn_from), written by --update-docs
SWEEP_SAMPLE = 4  # replicates of a sweep's scenario that stand for its thousands in drawn_from
OUT = "{out}"  # stands for the --out folder in the commands below, filled in by expand()
SEED_200 = "7770000"  # the README's 200 other seeds: replicates 7,770,000 to 7,770,199


@dataclass(frozen=True)
class Experiment:
    """One experiment: the command that makes its results folder, then the reports made from it.

    Attributes:
        name: its name, which is also its results folder's under ``--out``.
        make: the ``sim`` arguments that make the folder (``None``: reports only, nothing to resume).
        kind: what the folder is, as its manifest says ("run", "ensemble" or "sweep"): how completeness is judged.
        reports: ``(arguments, file)`` pairs: each command's standard output is written to ``--out``/file (``None``:
            a command that writes its own figures into the folder, such as ``map`` or ``plot``; its output is not kept).
        needs: experiments whose folders the reports read, run first.
        runs: the replicates asked for (an ensemble), and seed: its first seed if not the scenario's.
        figures: ``(file, docs name)`` pairs: a figure the commands write (its path under ``--out``) that README.md
            shows as ``docs/<docs name>``, which ``--update-docs`` replaces with it.
    """

    name: str
    make: tuple[str, ...] | None
    kind: str
    reports: tuple[tuple[tuple[str, ...], str | None], ...]
    needs: tuple[str, ...] = ()
    runs: int = 40
    seed: str | None = None
    figures: tuple[tuple[str, str], ...] = ()


def ensemble(name: str, scenario: str, *, versus: str | None = None, runs: int = 40, seed: str | None = None) -> Experiment:
    """``runs`` replicates of ``scenario``, and its ``compare`` report: against the record, or paired with ``versus``."""
    make = ("run", scenario, "--runs", str(runs), *(("--seed", seed) if seed else ()), "-q", "--no-map",
            "--out", f"{OUT}/{name}")
    folders = (f"{OUT}/{versus}", f"{OUT}/{name}") if versus else (f"{OUT}/{name}",)
    return Experiment(name, make, "ensemble", ((("compare", *folders), f"{name}.compare.md"),),
                      needs=(versus,) if versus else (), runs=runs, seed=seed)


def sweep(name: str, figures: tuple[tuple[str, str], ...] = ()) -> Experiment:
    """The sweep file ``sweeps/<name>.yaml``, and its ``sweep-report`` (its figures in the folder's ``report/``)."""
    folder = f"{OUT}/sweep_{name}"
    return Experiment(f"sweep_{name}", ("sweep", f"sweeps/{name}.yaml", "--out", folder), "sweep",
                      ((("sweep-report", folder), f"sweep_{name}.report.md"),),
                      figures=tuple((f"sweep_{name}/report/{file}", docs) for file, docs in figures))


# What allcmp.sh and exps.sh ran by hand each round, in an order that puts every experiment after those it needs.
EXPERIMENTS = (
    ensemble("campaign", "scenarios/campaign.yaml"),
    ensemble("moscow", "scenarios/moscow.yaml"),
    ensemble("jan_truce", "scenarios/jan_truce.yaml"),
    *(ensemble(w, f"scenarios/whatif/{w}.yaml", versus="campaign") for w in (
        "jan_truce_holds", "russia_withholds_air", "no_turkish_intervention", "no_saraqib_posts")),
    *(ensemble(w, f"scenarios/whatif/{w}.yaml", versus="moscow") for w in (
        "hts_accepts_moscow", "no_moscow_agreement", "no_moscow_agreement_turkey_stands_down")),
    ensemble("campaign200", "scenarios/campaign.yaml", runs=200, seed=SEED_200),
    ensemble("moscow200", "scenarios/moscow.yaml", runs=200, seed=SEED_200),
    ensemble("axes_aims_only", "scenarios/checks/axes_aims_only.yaml", versus="campaign"),
    sweep("jan_truce_30_days", figures=(("heatmap_ceasefire_days.png", "sweep_truce_heatmap.png"),)),
    sweep("group_sizes"),
    sweep("truce_sensitivity"),
    sweep("no_moscow_breakpoint"),
    Experiment("discover_jan_truce_30_days", None, "outputs", (
        (("discover", f"{OUT}/sweep_jan_truce_30_days", "--where", "ceasefire_days >= 30",
          "--out", f"{OUT}/discover_jan_truce_30_days"), "discover_jan_truce_30_days.md"),),
               needs=("sweep_jan_truce_30_days",)),
    # The README's figures, each made by the command its caption gives: one run of the campaign (its map is the one
    # `run` draws), and 20 replicates mapped beside the front reported on 6 March and plotted.
    Experiment("campaign_map", ("run", "scenarios/campaign.yaml", "-q", "--out", f"{OUT}/campaign_map"), "run", (),
               figures=(("campaign_map/control_map.png", "campaign_map.png"),)),
    Experiment("campaign20", ("run", "scenarios/campaign.yaml", "--runs", "20", "-q", "--no-map",
                              "--out", f"{OUT}/campaign20"), "ensemble",
               ((("map", f"{OUT}/campaign20", "--date", "2020-03-06"), None), (("plot", f"{OUT}/campaign20"), None)),
               runs=20, figures=(("campaign20/map_2020-03-06.png", "ensemble_map.png"),
                                 ("campaign20/towns_held.png", "towns_held.png"),
                                 ("campaign20/capture_dates.png", "capture_dates.png"))),
)
BY_NAME = {e.name: e for e in EXPERIMENTS}
OWN_FILES = {file for e in EXPERIMENTS for _, file in e.reports if file is not None}


def expand(args: tuple[str, ...], out: Path | str, workers: int | None) -> list[str]:
    """``args`` with the --out folder filled in and, for the commands that make results, ``--workers``."""
    filled = [a.replace(OUT, str(out)) for a in args]
    if workers is not None and filled[0] in ("run", "sweep"):
        filled += ["--workers", str(workers)]
    return filled


def run_sim(args: list[str]) -> subprocess.CompletedProcess:
    """Run ``python -m sim ARGS`` with this interpreter from the repository root (where the README's paths start)."""
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def complete(exp: Experiment, folder: Path) -> bool:
    """Whether ``folder`` already holds ``exp``'s finished results, as the simulator records them."""
    m = marker(folder) if folder.is_dir() else None
    if m is None or m.get("kind") != exp.kind:
        return False
    if exp.kind == "run":  # a run folder appears whole (written aside, then renamed); the map is what it is kept for
        return m.get("scenario") == exp.make[1] and (folder / "control_map.png").is_file()
    if exp.kind == "ensemble":  # every replicate in (manifest "complete"), the ones asked for, from this scenario file
        return (m.get("complete") is True and m.get("runs") == exp.runs and m.get("scenario") == exp.make[1]
                and (exp.seed is None or str(m.get("seed")) == exp.seed))
    # A sweep keeps no "complete" flag: it is complete when every batch of its design has its part file.
    return exp.kind == "sweep" and set(range(batches(m))) <= set(part_files(folder))


def foreign(out: Path) -> list[str]:
    """What in ``out`` this script did not write: anything but its experiments' folders (each of the simulator's own
    kind, which the ``sim`` command judges further) and reports it signed; empty if ``out`` is new."""
    def ours(entry: Path) -> bool:
        exp = BY_NAME.get(entry.name)
        if exp is not None:  # discover's --out is a folder of reports
            return folder_of_kind(entry, "outputs" if exp.make is None else exp.kind)
        return entry.name in OWN_FILES and provably_ours(entry)
    return strangers(out, ours)


def write_report(path: Path, text: str) -> None:
    """Write a report whole (readers never see half of one), signed as the simulator signs its markdown, so that the
    next run can tell it from a user's file of the same name."""
    write_atomic(path, signed_markdown(text if text.endswith("\n") else text + "\n"))


def failure(args: list[str], result: subprocess.CompletedProcess, lines: int = 8) -> str:
    """What to say of a ``sim`` command that failed: the command, its status, and the last ``lines`` lines of its error
    output, indented under the status line."""
    said = "\n".join("    " + line for line in result.stderr.rstrip().splitlines()[-lines:])
    return f"`{shlex.join(['sim', *args])}` exited with {result.returncode}:\n{said}"


def perform(exp: Experiment, out: Path, workers: int | None) -> tuple[str, str]:
    """Run ``exp`` (its results folder unless complete, then its reports); return (status, what to say)."""
    started, said = time.monotonic(), []
    status = "done"
    if exp.make is not None and complete(exp, out / exp.name):
        status, said = "skipped", [f"{out / exp.name} is complete"]
    elif exp.make is not None:
        args = expand(exp.make, out, workers)
        if (result := run_sim(args)).returncode != 0:
            return "failed", failure(args, result)
        said.append(f"{exp.name} made")
    for report, file in exp.reports:
        args = expand(report, out, workers)
        if (result := run_sim(args)).returncode != 0:
            return "failed", failure(args, result)
        if file is not None:
            write_report(out / file, result.stdout)
            said.append(f"{file} written")
        else:
            said.append(f"`sim {args[0]}` drew its figures")
    missing = [file for file, _ in exp.figures if not (out / file).is_file()]
    if missing:  # a figure the README shows, not where the table says the commands put it: not to be copied blind
        return "failed", f"the commands ran but did not write {', '.join(str(out / f) for f in missing)}"
    return status, f"{', '.join(said)} ({time.monotonic() - started:.0f} s)"


def selected(only: list[str] | None) -> list[Experiment]:
    """The experiments named (all if none), with every one they need, in the table's order."""
    wanted = set(only or BY_NAME)
    grow = list(wanted)
    while grow:
        for need in BY_NAME[grow.pop()].needs:
            if need not in wanted:
                wanted.add(need)
                grow.append(need)
    return [e for e in EXPERIMENTS if e.name in wanted]


def listing(experiments: list[Experiment], out: str, workers: int | None) -> str:
    """The experiments and the commands each runs, as they would be typed."""
    lines = []
    for exp in experiments:
        needs = f"  (after {', '.join(exp.needs)})" if exp.needs else ""
        lines.append(f"{exp.name}{needs}")
        if exp.make is not None:
            lines.append(f"  python -m sim {shlex.join(expand(exp.make, out, workers))}    # skipped once complete")
        for report, file in exp.reports:
            redirect = f" > {shlex.quote(f'{out}/{file}')}" if file is not None else ""
            lines.append(f"  python -m sim {shlex.join(expand(report, out, workers))}{redirect}")
        for file, docs in exp.figures:
            lines.append(f"  figure {out}/{file} is docs/{docs}")
    return "\n".join(lines)


def update_docs(experiments: list[Experiment], failed: set[str], out: Path, docs: Path) -> list[str]:
    """Copy the README figures that ``experiments`` made from ``out`` into ``docs`` (each whole: a temporary file
    renamed into place) and say, for each, whether its bytes changed; a failed experiment's figures are not copied.

    Only the figures of :attr:`Experiment.figures` are written, and one whose bytes are the same is left untouched.
    """
    said = []
    for exp in experiments:
        for file, name in exp.figures:
            target = docs / name
            if exp.name in failed:
                said.append(f"not copied {target}: {exp.name} failed")
                continue
            new = (out / file).read_bytes()
            if target.is_file() and target.read_bytes() == new:
                said.append(f"unchanged  {target} (the same bytes as {out / file})")
                continue
            with atomic_file(target) as tmp:
                shutil.copyfile(out / file, tmp)
            said.append(f"changed    {target} (copied from {out / file})")
    return said


def drawn_from(exp: Experiment, *, sample: int | None = None, scored: bool = False,
               memo: dict[tuple, str] | None = None) -> str:
    """A digest of what ``exp``'s figures show: the inputs of its scenario and the model's outputs from them.

    For a run or an ensemble: its scenario's inputs (:func:`sim.io.scenario.inputs_hash`: the resolved scenario,
    the theatre's files, the claims record), the record it is drawn beside (the outcomes of ``outcomes.yaml``
    beside the claims, as read: a note or a comment there changes nothing) and every table and history of its runs,
    simulated here with the same seeds (:func:`outputs_of`). A sweep's thousands of runs stand as its file reads
    (its design's points, its replicates and metrics) and :data:`SWEEP_SAMPLE` replicates of its scenario: a change
    to the rules shows in them.

    ``docs/figures.json`` keeps it for each figure (:func:`record_drawn_from`), and a test computes it again: a
    change to the model, the theatre or the record that moves what a figure shows fails that test until the figure
    is drawn again. How a figure is drawn (``sim/viz``) is not in it.

    Args:
        exp: the experiment.
        sample: if given, the scenario's first ``sample`` replicates stand for a run's or an ensemble's (whatever
            its ``--seed``), as for a sweep, whose sample is :data:`SWEEP_SAMPLE` whatever this says.
        scored: the runs' scores too (:func:`scores_of`): what a change to the scoring moves while the runs stay
            the same. The numbers the docs quote ask for it (``scripts/docs_numbers.py``); a figure shows no score.
        memo: the digests of the outputs already computed, by scenario and seeds, which this adds to: experiments
            that share a scenario's sample simulate and score it once.
    """
    import hashlib

    import numpy as np

    import sim
    from sim.analysis.scored_outcomes import outcomes_hash, scored_outcomes
    from sim.io.scenario import inputs_hash

    digest = hashlib.sha256()
    if exp.kind == "sweep":  # the sweep as read, so that a comment in its file changes nothing
        spec = sim.load_sweep(ROOT / exp.make[1])
        digest.update(json.dumps([spec.design.describe(), spec.runs, spec.metrics, spec.replicate_seed],
                                 sort_keys=True).encode())
        digest.update(np.ascontiguousarray(spec.design.points, dtype=float).tobytes())
        scenario = sim.load_scenario(spec.scenario_path)
        seeds = sim.replicate_seeds(scenario, SWEEP_SAMPLE)
    else:
        scenario = sim.load_scenario(ROOT / exp.make[1])
        seeds = (sim.replicate_seeds(scenario, sample) if sample else
                 sim.replicate_seeds(scenario, exp.runs if exp.kind == "ensemble" else 1,
                                     int(exp.seed) if exp.seed else None))
    inputs = inputs_hash(scenario)
    digest.update(inputs.encode())
    digest.update(outcomes_hash(scored_outcomes(scenario)).encode())  # the record as read: a note in it changes nothing
    memo = {} if memo is None else memo
    key = (inputs, tuple(seeds), scored)  # the resolved scenario and its files: what its runs are made from
    if key not in memo:
        memo[key] = outputs_of(scenario, seeds, scored=scored)
    digest.update(memo[key].encode())
    return digest.hexdigest()


def outputs_of(scenario, seeds: list[int], *, scored: bool) -> str:  # noqa: ANN001 - a sim Scenario
    """A digest of every table and history of ``scenario``'s runs on ``seeds``, simulated here, and with ``scored``
    of their scores (:func:`scores_of`). The control table is left out: it is ``history`` written out by date and
    town (the scenario's start and the theatre's towns, both in its inputs), and writing it cost two thirds of this."""
    import hashlib

    from sim.experiments.run import simulate_batch

    digest = hashlib.sha256()
    results = simulate_batch(scenario, seeds)
    for result in results:
        for table in (result.events, result.timeseries, result.posts):
            digest.update(table.to_csv(index=False).encode())
        for history in (result.history, result.post_history, result.encircled_history):
            digest.update(history.tobytes())
    if scored:
        digest.update(scores_of(scenario, results).encode())
    return digest.hexdigest()


BLIND = ROOT / "seeds" / "outcomes_blind.yaml"  # the other outcomes file the docs quote scores against


def scores_of(scenario, results: list) -> str:  # noqa: ANN001 - a sim Scenario and its RunResults
    """Every score of ``results``, as text: as ``compare`` gives them against the record and against :data:`BLIND`
    (each outcome's check of each run and of the frozen front: met, what the run shows, the error in days; the
    outcomes outside the run; the headline scores of all outcomes and of each set), and each run's metrics as a sweep
    row holds them. Scoring code that changes any of them changes this; one that changes none (a docstring, a
    report's wording) does not."""
    from sim.analysis.metrics import batch_metrics
    from sim.analysis.rundata import RunBatch, RunData
    from sim.analysis.scored_outcomes import outcomes_for
    from sim.analysis.scoring import scorecard
    from sim.experiments.run import memory_results

    runs = [RunData.of(r) for r in results]
    ran = memory_results(scenario, runs, results[0].theatre)
    said = []
    for outcomes in (None, BLIND):
        card = scorecard(ran, outcomes)
        said.append(repr([(s.outcome.id, s.outcome.set, s.checks, s.baseline) for s in card.scores]))
        said.append(repr([o.id for o in card.skipped]))
        said.append(repr([(name, c.headline(), c.baseline) for name, c in [("all", card), *card.sets.items()]]))
    record = outcomes_for(scenario, ran.theatre, list(runs[0].timeseries.columns))  # as RunResult.metrics() reads it
    said.append(repr(batch_metrics(RunBatch.of(runs), record, ran.theatre)))
    return "\n".join(said)


def record_drawn_from(experiments: list[Experiment], failed: set[str], docs: Path) -> str:
    """Set, in ``docs``/figures.json, what each figure of ``experiments`` now in ``docs`` was drawn from
    (:func:`drawn_from`); the other figures' entries are kept. Returns what to say."""
    path = docs / DRAWN_FROM
    kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for exp in experiments:
        if exp.figures and exp.name not in failed:
            digest = drawn_from(exp)
            kept.update({name: {"experiment": exp.name, "drawn_from": digest} for _, name in exp.figures})
    write_atomic(path, json.dumps(dict(sorted(kept.items())), indent=2) + "\n")
    return f"recorded   {path} (what each figure was drawn from)"


def workers_flag(text: str) -> int:
    """``--workers``, checked here: a bad value would otherwise fail every experiment, one by one."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"expects a whole number from 1 to {MAX_WORKERS}, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None, *, docs: Path = DOCS) -> int:
    """Run the experiments asked for; 0 if all succeeded, 1 if any failed, 2 for an --out that is not this script's.

    ``docs`` is the folder ``--update-docs`` writes the README's figures into (the repository's ``docs/``).
    """
    parser = argparse.ArgumentParser(description="Regenerate the experiments whose numbers and figures README.md "
                                     "shows.")
    parser.add_argument("--out", type=Path, help="folder for every experiment's results and reports (new, or one this "
                        "script wrote: complete results in it are kept)")
    parser.add_argument("--only", nargs="+", choices=list(BY_NAME), metavar="NAME",
                        help="run these experiments (and those they need) alone: " + ", ".join(BY_NAME))
    parser.add_argument("--list", action="store_true", help="print the experiments and their commands; run nothing")
    parser.add_argument("--update-docs", action="store_true", help="then copy the README's figures these experiments "
                        "made into docs/ (only those; each says whether it changed)")
    parser.add_argument("--workers", type=workers_flag, help="processes for each ensemble and sweep (default: one per core)")
    args = parser.parse_args(argv)
    experiments = selected(args.only)
    if args.list:
        print(listing(experiments, str(args.out or "OUT"), args.workers))
        return 0
    if args.out is None:
        parser.error("--out is required (or --list)")  # exits with status 2
    out = args.out.resolve()  # the commands run from the repository root, not from here
    if out.exists() and not out.is_dir():
        print(f"error: --out {args.out}: is {describe(out)}, not a folder; choose another --out", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"error: --out {args.out}: its parent folder does not exist; create it first", file=sys.stderr)
        return 2
    strangers = foreign(out)
    if strangers:
        shown = "; ".join(strangers[:4]) + (f" and {len(strangers) - 4} more" if len(strangers) > 4 else "")
        print(f"error: --out {args.out}: holds what this script did not write ({shown}); nothing is run, so nothing "
              f"there is touched: choose another --out (a new folder's name)", file=sys.stderr)
        return 2
    out.mkdir(exist_ok=True)
    failed: set[str] = set()
    for exp in experiments:
        missing = [n for n in exp.needs if n in failed]
        if missing:
            status, said = "failed", f"not run: it needs {', '.join(missing)}, which failed"
        else:
            try:
                status, said = perform(exp, out, args.workers)
            except KeyboardInterrupt:  # the sim command got the Ctrl-C too, and kept its finished replicates
                print(f"interrupted during {exp.name}: the same command resumes", file=sys.stderr)
                return 130
        if status == "failed":
            failed.add(exp.name)
        print(f"{status:8} {exp.name}: {said}", flush=True)
    print(f"{len(experiments) - len(failed)} of {len(experiments)} experiments finished; results in {out}")
    if args.update_docs:
        said = update_docs(experiments, failed, out, docs)
        if said:
            said.append(record_drawn_from(experiments, failed, docs))
        print("\n".join(said) if said else "--update-docs: none of these experiments makes a README figure")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
