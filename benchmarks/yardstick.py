"""One campaign run against issue 14's 40 ms, on this machine and in the terms of the machine the target was set on.

Run it from the repository root, with the project's environment, on a machine
doing nothing else::

    .venv/bin/python benchmarks/yardstick.py             # about a minute on 2 cores
    .venv/bin/python benchmarks/yardstick.py --rounds 1  # a rough figure in about 20 s

The targets of issues 14 and 15 were set on the 2-core machine of the rounds
before 1 December 2026. The project moved that day to a machine that runs the
very same code more slowly, by a factor that drifts from session to session
and differs a little from one commit to the next. So a target read off this
machine alone says more about the machine than about the code. This
benchmark measures the factor instead of assuming it:

1. each reference commit (:data:`REFERENCES`, measured on the earlier
   machine) is checked out beside the working tree (``git worktree``, removed
   afterwards), and its own ``benchmarks/batches.py`` times one campaign run
   of its own model here, as it did there; what it measured there is read
   from that commit's ``benchmarks/batches.json``;
2. the working tree's ``benchmarks/batches.py`` times one campaign run here,
   in the same way (least CPU time of several, stepping and tables);
3. the references and the working tree are timed in alternation, each in its
   own process, ``--rounds`` times, so a busy minute slows them all.

A run here divided by a reference's slowdown (its time here over its time
there) is what the run would take on the earlier machine. The table gives it
by the median reference and by the slowest and quickest, against the target;
the README and docs/performance.md quote both machines' figures. It writes ``benchmarks/yardstick.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Commits measured on the machine the targets were set on, each by its own benchmarks/batches.json (30 Nov - 1 Dec
# 2026): each is timed here as it timed itself there. One reference alone gave slowdowns from 1.56x to 1.81x.
REFERENCES = ("0b4e326", "e2974f5", "b269681", "b14a136")
TARGET_MS = 40.0  # issue 14: one campaign run, in-process

# Run in a fresh interpreter with a tree's root first on the path: that tree's own batches.py times that tree's model.
TIME_ONE_RUN = """
import json, sys
sys.path.insert(0, sys.argv[1])
from benchmarks import batches
import sim
scenario = sim.load_scenario(batches.CAMPAIGN)
batches.simulate_batch(scenario, [0, 1])  # warm: theatre and outcome caches, imports
print(json.dumps(batches.cpu_per_replicate(scenario, 1, int(sys.argv[2]))["total_ms"]))
"""


def time_one_run(tree: Path, reps: int) -> float:
    """Least CPU ms of one campaign run (stepping + tables) of the model in ``tree``, by its own benchmark."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", TIME_ONE_RUN, str(tree), str(reps)], cwd=tree, env=env,
                          check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def measured_there(reference: str) -> float:
    """What the reference commit's single campaign run took on the earlier machine (its committed batches.json)."""
    text = subprocess.run(["git", "show", f"{reference}:benchmarks/batches.json"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    return float(json.loads(text)["inprocess"]["single"]["total_ms"])


def references_there() -> dict[str, float]:
    """Each reference commit's campaign run on the earlier machine; exits with a message if they are not in the clone."""
    try:
        return {ref: measured_there(ref) for ref in REFERENCES}
    except subprocess.CalledProcessError:
        sys.exit(f"error: the reference commits {', '.join(REFERENCES)} are not in this clone's history (a shallow clone?)")


@contextlib.contextmanager
def reference_trees() -> Iterator[dict[str, Path]]:
    """Each reference commit checked out beside the working tree (``git worktree``), removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        trees = {ref: Path(tmp) / ref for ref in REFERENCES}
        for ref, tree in trees.items():
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=ROOT, check=True, capture_output=True)
        try:
            yield trees
        finally:
            for tree in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the references and this tree (default 3)")
    parser.add_argument("--reps", type=int, default=15, help="runs timed in each, the least kept (default 15, as there)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "yardstick.json")
    args = parser.parse_args(argv)
    there = references_there()
    load = os.getloadavg()[0]
    rounds = []
    with reference_trees() as trees:
        for i in range(args.rounds):
            print(f"round {i + 1} of {args.rounds} ...", file=sys.stderr, flush=True)
            slowdown = {ref: time_one_run(tree, args.reps) / there[ref] for ref, tree in trees.items()}
            now = time_one_run(ROOT, args.reps)
            rounds.append({"slowdown": {ref: round(s, 3) for ref, s in slowdown.items()}, "now_ms": now,
                           "now_in_earlier_machine_ms": [round(now / max(slowdown.values()), 1),
                                                         round(now / statistics.median(slowdown.values()), 1),
                                                         round(now / min(slowdown.values()), 1)]})
    result = {"references_on_earlier_machine_ms": there, "target_ms": TARGET_MS, "rounds": rounds,
              "load_average": [round(load, 2), round(os.getloadavg()[0], 2)]}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\n1-minute load before / after: {result['load_average'][0]} / {result['load_average'][1]} on {os.cpu_count()} CPUs")
    print(f"written: {args.out}")
    return 0


def table(result: dict) -> str:
    """Each reference's slowdown in each round, then this tree's run here and on the earlier machine."""
    there, rounds, target = result["references_on_earlier_machine_ms"], result["rounds"], result["target_ms"]
    lines = [f"{'slowdown here of':<40}" + "".join(f"{f'round {i}':>10}" for i in range(1, len(rounds) + 1))]
    lines += [f"{ref} ({ms:.1f} ms there)".ljust(40) + "".join(f"{r['slowdown'][ref]:>9.2f}x" for r in rounds)
              for ref, ms in there.items()]
    lines.append("one campaign run of this tree, CPU ms".ljust(40) + "".join(f"{r['now_ms']:>10.1f}" for r in rounds))
    lines.append("  on the earlier machine (median)".ljust(40)
                 + "".join(f"{r['now_in_earlier_machine_ms'][1]:>10.1f}" for r in rounds))
    lines.append("  by the slowest and quickest reference".ljust(40)
                 + "".join(f"{f'{lo:.0f}-{hi:.0f}':>10}" for r in rounds for lo, _, hi in [r['now_in_earlier_machine_ms']]))
    here = min(r["now_ms"] for r in rounds)
    worst = max(r["now_in_earlier_machine_ms"][2] for r in rounds)
    lines.append(f"\ntarget <= {target:g} ms: {'met' if here <= target else 'MISSED'} here (least {here:.1f} ms); "
                 f"{'met' if worst <= target else 'MISSED'} on the earlier machine (at most {worst:.1f} ms by any reference)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
