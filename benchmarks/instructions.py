"""One campaign run against issue 14's 40 ms, counted in instructions: what the machine's load cannot move.

Run it from the repository root, with the project's environment (needs
valgrind: ``apt-get install valgrind``)::

    .venv/bin/python benchmarks/instructions.py     # about 20 minutes of CPU, two processes at a time

:mod:`benchmarks.yardstick` times this tree against commits that timed
themselves on the machine the target was set on; on a shared machine whose
speed swings from minute to minute, its slowdowns spread widely (from 2.5x to
3.7x in one round of 4 December 2026). Valgrind's callgrind counts the
instructions a process executes instead, which is the same on a busy machine
as on a quiet one. So, for this tree and each reference commit
(:data:`benchmarks.yardstick.REFERENCES`, each checked out beside it and
measured by its own ``benchmarks/batches.py``, in this environment):

1. one process warms up (imports, the theatre and outcome caches) and runs
   one campaign run; another warms up the same way and runs three; the
   difference over two is one run's instructions (stepping, tables, and
   reading the tables back, as ``batches.cpu_per_replicate`` does);
2. a reference's time there, times this tree's instructions over the
   reference's, is what this tree's run would take there, if an instruction
   costs what it did in the reference.

That last "if" is this estimate's assumption: the same interpreter and numpy
run both, on arrays of the same sizes, but a change of code can change how
many instructions the machine retires per cycle. So it is a second estimate
beside the yardstick's timings, not a replacement. It writes
``benchmarks/instructions.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.yardstick import REFERENCES, TARGET_MS, reference_trees, references_there  # noqa: E402 - after the path

# Run under valgrind with a tree's root first on the path: that tree's batches.py runs that tree's model ``argv[2]`` times.
RUN_SOME = """
import sys
sys.path.insert(0, sys.argv[1])
from benchmarks import batches
import sim
scenario = sim.load_scenario(batches.CAMPAIGN)
batches.simulate_batch(scenario, [0, 1])  # warm: theatre and outcome caches, imports
batches.cpu_per_replicate(scenario, 1, int(sys.argv[2]))
"""


def instructions(tree: Path, runs: int) -> int:
    """Instructions callgrind counts in a process that warms up and then makes ``runs`` campaign runs of ``tree``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/callgrind.out",
                               sys.executable, "-c", RUN_SOME, str(tree), str(runs)],
                              cwd=tree, env=env, check=True, capture_output=True, text=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def per_run(tree: Path, pool: ThreadPoolExecutor) -> int:
    """One campaign run's instructions in ``tree``: three runs' process less one run's, over two."""
    one, three = pool.map(lambda runs: instructions(tree, runs), (1, 3))
    return (three - one) // 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "instructions.json")
    args = parser.parse_args(argv)
    there = references_there()
    counts = {}
    with reference_trees() as trees, ThreadPoolExecutor(2) as pool:
        for name, tree in [("this tree", ROOT), *trees.items()]:
            print(f"counting {name} ...", file=sys.stderr, flush=True)
            counts[name] = per_run(tree, pool)
    now = counts["this tree"]
    estimate = {ref: round(there[ref] * now / counts[ref], 1) for ref in REFERENCES}
    result = {"references_on_earlier_machine_ms": there, "target_ms": TARGET_MS, "instructions_per_run": counts,
              "now_in_earlier_machine_ms": estimate}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"written: {args.out}")
    return 0


def table(result: dict) -> str:
    """Each tree's instructions per run, and this tree's run on the earlier machine by each reference."""
    there, counts, estimate = result["references_on_earlier_machine_ms"], result["instructions_per_run"], result["now_in_earlier_machine_ms"]
    lines = [f"{'one campaign run':<40}{'instructions':>14}{'ms there':>10}{'this tree there':>17}"]
    lines.append(f"{'this tree':<40}{counts['this tree'] / 1e6:>13.0f}M")
    lines += [f"{ref:<40}{counts[ref] / 1e6:>13.0f}M{there[ref]:>10.1f}{estimate[ref]:>14.1f} ms" for ref in there]
    median = statistics.median(estimate.values())
    lines.append(f"\ntarget <= {result['target_ms']:g} ms on the earlier machine: {median:.1f} ms by the median reference "
                 f"({min(estimate.values()):.1f}-{max(estimate.values()):.1f})")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
