"""Issue 16's benchmark: a 100-run sweep with 2 workers against 1 worker (target: at least 1.7x faster).

Run it from the repository root, with the project's environment::

    .venv/bin/python benchmarks/sweep_workers.py            # ~3 minutes on 2 idle cores
    .venv/bin/python benchmarks/sweep_workers.py --reps 3   # fewer repetitions

The sweep: ``scenarios/campaign.yaml``, the January truce's restraint at 10
values, 10 replicates each (100 runs). Measured three ways, each the median
of ``--reps`` repetitions, 1 and 2 workers alternating:

- ``in_process``: ``sim.run_sweep`` called again in one Python process (the
  forkserver that starts the workers is already up, as in a notebook or a
  script that sweeps more than once);
- ``command``: ``python -m sim sweep`` as a whole process (imports, loading
  the scenario, and starting the workers included);
- ``batches_of_64``: in process, with the old fixed batches of 64 runs (100
  runs split 64 + 36), to show what the batch size does.

In process, the CPU time of the parent and its workers is recorded too: on
a shared machine the wall-clock speed-up depends on the cores others leave
free, while the CPU time says what parallelism itself costs.

It prints a table and writes ``benchmarks/sweep_workers.json`` with the
machine and the load average around each measure (the machine is shared:
figures are inflated by others' work when the load is high).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.experiments import sweep as sweep_module  # noqa: E402
from sim.experiments.designs import make_design  # noqa: E402
from sim.experiments.parameters import Parameter  # noqa: E402
from sim.experiments.sweep_file import SweepSpec  # noqa: E402

SCENARIO = ROOT / "scenarios" / "campaign.yaml"
VALUES = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"
TARGET = 1.7


def spec() -> SweepSpec:
    design = make_design("grid", [Parameter("events.jan-truce.restraint", values=tuple(float(v) for v in VALUES.split(",")))])
    return SweepSpec(SCENARIO, design, runs=10)


CPU: list[float] = []  # CPU seconds (this process and its workers) of each in-process measure, in order


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def cpu_timed(fn: Callable[[], object]) -> float:
    """Wall time of ``fn``; its CPU time (this process and every worker it started) goes to :data:`CPU`."""
    import psutil  # a dependency of Dask's distributed

    me, seen, done = psutil.Process(), {}, threading.Event()

    def watch() -> None:  # workers come from a forkserver: sample them while they live
        while not done.wait(0.05):
            for child in me.children(recursive=True):
                try:
                    t = child.cpu_times()
                    seen[child.pid] = t.user + t.system
                except psutil.Error:
                    pass

    before = dict(seen)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    own = me.cpu_times()
    wall = timed(fn)
    after = me.cpu_times()
    done.set()
    thread.join()
    forkserver = {c.pid for c in me.children() if "forkserver" in " ".join(c.cmdline())}
    CPU.append(after.user - own.user + after.system - own.system
               + sum(v - before.get(pid, 0.0) for pid, v in seen.items() if pid not in forkserver))
    return wall


def in_process(workers: int, tmp: Path, k: int) -> float:
    return cpu_timed(lambda: sweep_module.run_sweep(spec(), tmp / f"in-{workers}-{k}", workers=workers))


def command(workers: int, tmp: Path, k: int) -> float:
    args = [sys.executable, "-m", "sim", "sweep", str(SCENARIO), "--param", f"events.jan-truce.restraint={VALUES}",
            "--runs", "10", "--workers", str(workers), "--out", str(tmp / f"cmd-{workers}-{k}")]
    return timed(lambda: subprocess.run(args, cwd=ROOT, check=True, capture_output=True))


def batches_of_64(workers: int, tmp: Path, k: int) -> float:
    fixed, sweep_module.batch_runs = sweep_module.batch_runs, lambda total: 64
    try:
        return in_process(workers, tmp / "b64", k)
    finally:
        sweep_module.batch_runs = fixed


def measure(name: str, fn: Callable[[int, Path, int], float], reps: int, tmp: Path) -> dict:
    load_before = os.getloadavg()[0]
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    for k in range(reps):
        for workers in (1, 2):
            CPU.clear()
            times[workers].append(fn(workers, tmp, k))
            cpu[workers] += CPU
    one, two = statistics.median(times[1]), statistics.median(times[2])
    out = {"workers_1_s": round(one, 3), "workers_2_s": round(two, 3), "speed_up": round(one / two, 2),
           "all_1_s": [round(t, 3) for t in times[1]], "all_2_s": [round(t, 3) for t in times[2]],
           "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2), "target": TARGET,
           "met": one / two >= TARGET}
    if cpu[1] and cpu[2]:  # how much CPU the same sweep costs on 1 and 2 workers (the extra is the price of parallelism)
        out |= {"cpu_1_s": round(statistics.median(cpu[1]), 3), "cpu_2_s": round(statistics.median(cpu[2]), 3)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each measure (default 5)")
    args = parser.parse_args(argv)
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
                     "runs": 100, "batch_runs": sweep_module.batch_runs(100)}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        in_process(2, base / "warm-up", 0)  # imports, theatre, outcomes, and the forkserver
        in_process(1, base / "warm-up", 1)
        for name, fn in (("in_process", in_process), ("command", command), ("batches_of_64", batches_of_64)):
            results[name] = measure(name, fn, args.reps, base)
    (ROOT / "benchmarks" / "sweep_workers.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"100-run sweep of campaign.yaml ({results['batch_runs']} runs a batch), median of {args.reps}:")
    print(f"{'measure':<16}{'1 worker, s':>13}{'2 workers, s':>14}{'speed-up':>10}{'load':>12}")
    for name in ("in_process", "command", "batches_of_64"):
        r = results[name]
        print(f"{name:<16}{r['workers_1_s']:>13.2f}{r['workers_2_s']:>14.2f}{r['speed_up']:>9.2f}x"
              f"{r['load_before']:>6.1f}-{r['load_after']:<5.1f}")
    r = results["in_process"]
    print(f"CPU seconds in process (both processes' and the workers'): 1 worker {r['cpu_1_s']:.1f}, 2 workers {r['cpu_2_s']:.1f}")
    print(f"target: >= {TARGET}x with 2 workers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
