"""Which files quote numbers read off the README's experiments, and whether this checkout still computes them.

    .venv/bin/python scripts/docs_numbers.py                             # the files to check again, and how
    .venv/bin/python scripts/docs_numbers.py --stamp docs/record.md ...  # once their numbers were checked

The README's headline tables are computed again by ``tests/test_readme_numbers.py``, and its figures carry a digest
of what they were drawn from (``docs/figures.json``). The other numbers of the README's text and of ``docs/*.md``
are read off the reports of ``scripts/readme_experiments.py`` (and of a few commands of their own) by a person;
:data:`QUOTED` says which experiments each file's numbers come from. ``docs/numbers.json`` keeps, for each file, the
digest of what those experiments were computed from when the file was last checked against a complete rerun:
:func:`readme_experiments.drawn_from`, the figures' digest, over :data:`SAMPLE` replicates of each experiment's
scenario and with their scores (``scored``), so that it moves with the rules, the theatre, a scenario, the record
and its scoring, and not with a docstring or a command's flag. No number is kept in it: the docs are the one copy.

A test (``tests/test_docs_numbers.py``) computes the digests again and names each file whose stamp this checkout
no longer gives. Then: regenerate its experiments into a new folder, check each number it quotes against the
reports, correct the ones that moved, and stamp it (``--stamp FILE``); stamping says the file was checked, so it is
never done by the regeneration itself.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/ is no package: readme_experiments beside it

import readme_experiments as experiments  # noqa: E402

from sim.io.files import write_atomic  # noqa: E402

STAMPS = ROOT / "docs" / "numbers.json"  # what each file's numbers were computed from when last checked
# Replicates of each experiment's scenario that stand for its own (a sweep's thousands as well): a change to a rule
# that fires in the scenario changes all of them, and a change to the scoring that moves a score of the 40 moves one of
# these in nearly every case (round 73's, a town's second capture credited by the same change of hands, did).
SAMPLE = experiments.SWEEP_SAMPLE
REGENERATE = ".venv/bin/python scripts/readme_experiments.py --out NEW_FOLDER --only"
RESTAMP = ".venv/bin/python scripts/docs_numbers.py --stamp"


@dataclass(frozen=True)
class Quoted:
    """A file that quotes numbers computed from runs or their scores, and where they come from.

    Attributes:
        file: its path from the repository root.
        experiments: the experiments of ``scripts/readme_experiments.py`` whose reports its numbers are read from
            (with those they need).
        scenarios: shipped scenarios that no experiment runs, whose runs some of its numbers come from.
        commands: the other commands that compute some of its numbers, to run again beside the experiments.
    """

    file: str
    experiments: tuple[str, ...]
    scenarios: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()


COORDINATES = ".venv/bin/python scripts/coordinate_sensitivity.py --out NEW_FOLDER (and --belts A to D, as docs/theatre.md says)"
WHATIFS = ("jan_truce_holds", "russia_withholds_air", "no_turkish_intervention", "no_saraqib_posts",
           "hts_accepts_moscow", "no_moscow_agreement", "no_moscow_agreement_turkey_stands_down")
QUOTED = (
    Quoted("README.md", tuple(e.name for e in experiments.EXPERIMENTS), commands=(COORDINATES,)),
    Quoted("docs/record.md", ("campaign", "moscow", "jan_truce", *WHATIFS, "campaign200", "moscow200",
                              "axes_aims_only", "sweep_group_sizes", "sweep_no_moscow_breakpoint"),
           commands=(".venv/bin/python scripts/opposition_assaults.py",)),
    Quoted("docs/model.md", ("campaign", "moscow")),
    Quoted("docs/odd.md", ("campaign", "moscow")),  # its counts of the theatre and the record, and the rules it tells
    Quoted("docs/results.md", ("campaign", "campaign20")),
    Quoted("docs/theatre.md", ("campaign",), commands=(COORDINATES,)),
    Quoted("docs/app.md", ("campaign_map",)),  # the default-seed run its downloads' example quotes
    Quoted("docs/sweeps.md", ("campaign", "sweep_jan_truce_30_days", "sweep_truce_sensitivity",
                              "discover_jan_truce_30_days")),
    Quoted("docs/calibration.md", ("campaign", "moscow", "jan_truce_holds"),
           scenarios=("scenarios/calibrated/campaign.yaml", "scenarios/whatif/jan_truce_holds_calibrated.yaml"),
           commands=("the `python -m sim run` and `compare` commands docs/calibration.md gives (the calibrated layer, "
                     "--param-set scenarios/calibrated/campaign.accepted.csv)",)),
    Quoted("docs/calibration_method.md", ("campaign", "moscow")),  # the outcomes calibrations/campaign.yaml fits
)
BY_FILE = {q.file: q for q in QUOTED}
# The docs that quote no number a run or a score gives, each with why: a new file must be put in QUOTED or here.
UNQUOTED = {
    "docs/model_changes.md": "each round's numbers as that round gave them: history, never brought up to date",
    "docs/readme_history.md": "the README's earlier numbers: history, never brought up to date",
    "docs/performance.md": "timings, measured on a machine: no digest of what runs give says when they are stale",
    "docs/guarantees.md": "what the simulator promises, and the tests that hold it",
    "docs/tests.md": "what the tests check, and how long they take",
    "docs/record_axes.md": "a survey of the record",
}


def sources(quoted: Quoted) -> list[experiments.Experiment]:
    """The experiments whose runs ``quoted``'s numbers come from: its experiments, those they need, and an ensemble of
    each of its scenarios; a report made from other experiments' folders (``discover``) has runs of none of its own."""
    named = experiments.selected(list(quoted.experiments))
    extra = [experiments.ensemble(Path(path).stem, path) for path in quoted.scenarios]
    return [e for e in [*named, *extra] if e.make is not None]


def computed_from(quoted: Quoted, memo: dict[tuple, str]) -> str:
    """A digest of what ``quoted``'s numbers are computed from in this checkout: each of its :func:`sources` by
    :func:`readme_experiments.drawn_from` on :data:`SAMPLE` replicates, scored. ``memo`` keeps the digests computed
    (each scenario's and each experiment's) for the next file."""
    import hashlib

    digest = hashlib.sha256()
    for exp in sources(quoted):
        key = (exp.kind == "sweep", exp.make[1])  # a sample of a scenario's runs is the same for every experiment of it
        if key not in memo:
            memo[key] = experiments.drawn_from(exp, sample=SAMPLE, scored=True, memo=memo)
        digest.update(f"{exp.make[1]}\n{memo[key]}\n".encode())
    return digest.hexdigest()


def stamped(path: Path = STAMPS) -> dict[str, dict]:
    """The stamps as last written (none if the file is missing)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def stamp(files: list[str], path: Path = STAMPS) -> list[str]:
    """Record, in ``path``, what ``files``' numbers are computed from in this checkout; the other files' stamps are
    kept, but for files :data:`QUOTED` no longer names. Returns what to say."""
    kept, memo = {file: s for file, s in stamped(path).items() if file in BY_FILE}, {}
    for file in files:
        quoted = BY_FILE[file]
        kept[file] = {"experiments": list(quoted.experiments), "scenarios": list(quoted.scenarios),
                      "computed_from": computed_from(quoted, memo)}
    write_atomic(path, json.dumps(dict(sorted(kept.items())), indent=2, ensure_ascii=False) + "\n")
    return [f"stamped {file}" for file in files]


def stale(path: Path = STAMPS) -> list[Quoted]:
    """The files whose stamp is not what this checkout computes (or that have none), in :data:`QUOTED`'s order."""
    kept, memo = stamped(path), {}
    return [q for q in QUOTED if kept.get(q.file, {}).get("computed_from") != computed_from(q, memo)]


def what_to_do(files: list[Quoted]) -> str:
    """What a maintainer does about ``files``: each with the commands that regenerate its numbers, then the one
    command that stamps them all once checked."""
    lines = [f"{len(files)} file(s) quote numbers that this checkout runs or scores otherwise than when they were last "
             "checked (a rule, the theatre, a scenario, the record or its scoring changed):"]
    for q in files:
        every = set(q.experiments) == set(experiments.BY_NAME)
        lines.append(f"- {q.file}: regenerate with `{REGENERATE.removesuffix(' --only') if every else REGENERATE}"
                     f"{'' if every else ' ' + ' '.join(q.experiments)}`" + "".join(f", and {c}" for c in q.commands))
    lines.append("Check every number each file quotes against those reports, correct the ones that moved (leave the "
                 "README's headline tables to tests/test_readme_numbers.py), then stamp them:")
    lines.append(f"    {RESTAMP} {shlex.join(q.file for q in files)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, path: Path = STAMPS) -> int:
    """Say which files to check again (1 if any, else 0), or ``--stamp`` some (0)."""
    parser = argparse.ArgumentParser(description="Which files quote numbers this checkout computes otherwise than when "
                                     "they were checked; --stamp records that some were checked.")
    parser.add_argument("--stamp", nargs="+", choices=list(BY_FILE), metavar="FILE",
                        help="record that these files' numbers were checked against this checkout's: "
                        + ", ".join(BY_FILE))
    args = parser.parse_args(argv)
    if args.stamp:
        print("\n".join(stamp(args.stamp, path)))
        return 0
    files = stale(path)
    print(what_to_do(files) if files else f"every file {path.name} stamps quotes what this checkout computes")
    return 1 if files else 0


if __name__ == "__main__":
    sys.exit(main())
