"""The benchmark of issue 15 (batched replicates): every figure measured side by side in one run.

Run it from the repository root, with the project's environment, on a machine
doing nothing else (the load average is printed with the figures)::

    .venv/bin/python benchmarks/batches.py            # about 3 minutes on 2 cores
    .venv/bin/python benchmarks/batches.py --quick    # smaller counts: about a minute

What it measures, on ``scenarios/campaign.yaml`` (95 days, 189 towns):

1. In-process: one run at a time (``sim.simulate``) against one batch of 256
   replicates (``simulate_batch``), CPU time per replicate, the model's
   stepping and the per-replicate results apart; then reading every table.
2. A sweep with 2 workers (one point, its replicates stepped in batches, one
   row of metrics per run), of 16,384 runs and of 1,024 (about half of which
   is starting the workers), and the Sobol sweep of
   ``sweeps/truce_sensitivity.yaml`` at a base sample of 64 (448 points x 4
   replicates, its points stepped together) and at its own 512 (3,584 points),
   against ``mesa.batch_run`` with 2 processes on the same model (at the
   scenario's values, and at the Sobol design's points), runs per second.
3. A 400-replicate ensemble from the command line, wall time including
   writing its folders and summaries.
4. Start-up: ``check``, ``run --no-map`` and ``run`` of ``scenarios/moscow.yaml``
   as whole processes.

It writes ``benchmarks/batches.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402 - after the path, and before numpy: sim sets BLAS to one thread
from sim.experiments.run import run_results, simulate_batch  # noqa: E402
from sim.model.model import CeasefireModel  # noqa: E402

CAMPAIGN, MOSCOW = ROOT / "scenarios" / "campaign.yaml", ROOT / "scenarios" / "moscow.yaml"
TARGETS = {"batch_ms_per_replicate": 2.0, "batch_speedup": 10.0, "sweep_runs_per_s": 1000.0, "sweep_vs_batch_run": 10.0,
           "check_s": 0.6, "run_no_map_s": 1.2, "run_s": 1.8}


def cpu_per_replicate(scenario, replicates: int, reps: int) -> dict:  # noqa: ANN001 - a Scenario
    """Least CPU ms per replicate over ``reps`` batches: stepping, handing back each replicate's results
    (``run_results``, what ``simulate_batch`` returns), and then reading every table of every replicate
    (events, time series, patrols: built from the batch's arrays when first read)."""
    step, tables, read = [], [], []
    for _ in range(reps):
        t0 = time.process_time()
        model = CeasefireModel(scenario, seeds=list(range(replicates)))
        model.run_model()
        t1 = time.process_time()
        results = run_results(model, "", "")
        t2 = time.process_time()
        for r in results:
            r.events, r.timeseries, r.patrols  # noqa: B018 - reading them is what is timed
        step.append(t1 - t0)
        tables.append(t2 - t1)
        read.append(time.process_time() - t2)
    return {"step_ms": round(1e3 * min(step) / replicates, 3), "tables_ms": round(1e3 * min(tables) / replicates, 3),
            "total_ms": round(1e3 * (min(step) + min(tables)) / replicates, 3),
            "read_tables_ms": round(1e3 * min(read) / replicates, 3)}


def inprocess(quick: bool) -> dict:
    scenario = sim.load_scenario(CAMPAIGN)
    simulate_batch(scenario, [0, 1])  # warm: theatre and outcome caches, imports
    single = cpu_per_replicate(scenario, 1, 5 if quick else 15)
    batch = cpu_per_replicate(scenario, 256, 1 if quick else 3)
    return {"single": single, "batch_256": batch, "speedup": round(single["total_ms"] / batch["total_ms"], 1)}


def sweep_against_batch_run(quick: bool) -> dict:
    from sim import SweepSpec, make_design, run_sweep
    from sim.experiments.parameters import Parameter, apply

    scenario = sim.load_scenario(CAMPAIGN)
    design = make_design("grid", [Parameter("regime.commit", values=(scenario.factions.regime.commit,))])
    rates = {}
    for runs in (1024, 4096) if quick else (1024, 16384):  # a small sweep is mostly start-up; a large one shows the rate
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            run_sweep(SweepSpec(CAMPAIGN, design, runs), Path(tmp) / "s", workers=2)
            rates[runs] = runs / (time.perf_counter() - t0)
    small, (runs, sweep) = rates[1024], max(rates.items())
    # Many points, few replicates each (a Sobol design): the points' replicates step together, each with its values.
    sobol = {}
    for n in (64, 128 if quick else 512):  # a small Sobol design, start-up a third of it, and the sweep file's own
        spec = sim.load_sweep(ROOT / "sweeps" / "truce_sensitivity.yaml", n=n)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            run_sweep(spec, Path(tmp) / "s", workers=2)
            sobol[n] = {"points": len(spec.design.points), "replicates": spec.runs,
                        "runs_per_s": round(len(spec.design.points) * spec.runs / (time.perf_counter() - t0), 1)}
    mesa_runs = 32 if quick else 64
    batch_run = mesa_batch_run([scenario], mesa_runs)
    # The same model on the Sobol design's first points, one run each: its runs cost more than the default's.
    scenarios = [apply(scenario, dict(zip(spec.design.names, map(float, point), strict=True))) for point in spec.design.points[:mesa_runs]]
    batch_run_sobol = mesa_batch_run(scenarios, 1)
    return {"sweep_runs": runs, "sweep_runs_per_s": round(sweep, 1), "sweep_1024_runs_per_s": round(small, 1),
            "sobol": list(sobol.values()), "batch_run_runs": mesa_runs,
            "batch_run_runs_per_s": round(batch_run, 1), "ratio": round(sweep / batch_run, 2),
            "batch_run_sobol_runs_per_s": round(batch_run_sobol, 1)}


def mesa_batch_run(scenarios: list, runs: int) -> float:
    """Runs per second of ``mesa.batch_run`` with 2 processes: ``runs`` seeds of each scenario."""
    import mesa

    t0 = time.perf_counter()
    rows = mesa.batch_run(CeasefireModel, parameters={"scenario": scenarios}, rng=range(runs), number_processes=2,
                          max_steps=scenarios[0].days, data_collection_period=-1, display_progress=False)
    assert len(rows) == len(scenarios) * runs
    return len(rows) / (time.perf_counter() - t0)


def command(*args: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def large_ensemble(quick: bool) -> dict:
    runs = 100 if quick else 400
    with tempfile.TemporaryDirectory() as tmp:
        seconds = command("run", str(CAMPAIGN), "--runs", str(runs), "--workers", "2", "--out", f"{tmp}/e", "-q")
        size = sum(f.stat().st_size for f in Path(tmp, "e").rglob("*") if f.is_file())
    return {"replicates": runs, "seconds": round(seconds, 2), "runs_per_s": round(runs / seconds, 1), "megabytes": round(size / 2**20, 1)}


def startup(quick: bool) -> dict:
    reps = 3 if quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        out = {"check_s": statistics.median(command("check", str(MOSCOW)) for _ in range(reps)),
               "run_no_map_s": statistics.median(command("run", str(MOSCOW), "--no-map", "--out", f"{tmp}/a", "-q") for _ in range(reps)),
               "run_s": statistics.median(command("run", str(MOSCOW), "--out", f"{tmp}/b", "-q") for _ in range(reps))}
    return {k: round(v, 3) for k, v in out.items()}


def table(r: dict) -> str:
    t = TARGETS
    ip, sw, en, st = r["inprocess"], r["sweep"], r["ensemble"], r["startup"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    rows = [
        ("one run at a time, CPU ms per run (stepping + tables)",
         f"{ip['single']['total_ms']:.1f} ({ip['single']['step_ms']:.1f} + {ip['single']['tables_ms']:.1f})", ""),
        ("a batch of 256, CPU ms per replicate (stepping + tables)",
         f"{ip['batch_256']['total_ms']:.2f} ({ip['batch_256']['step_ms']:.2f} + {ip['batch_256']['tables_ms']:.2f})",
         f"<= {t['batch_ms_per_replicate']:g} {verdict(ip['batch_256']['total_ms'] <= t['batch_ms_per_replicate'])}"),
        ("  batch : single, per replicate", f"{ip['speedup']:.1f}x", f">= {t['batch_speedup']:g}x {verdict(ip['speedup'] >= t['batch_speedup'])}"),
        ("  then reading every table of the 256, CPU ms per replicate", f"{ip['batch_256']['read_tables_ms']:.2f}", ""),
        (f"sweep, 2 workers, runs/s ({sw['sweep_runs']} runs)", f"{sw['sweep_runs_per_s']:.0f}",
         f">= {t['sweep_runs_per_s']:g} {verdict(sw['sweep_runs_per_s'] >= t['sweep_runs_per_s'])}"),
        ("sweep, 2 workers, runs/s (1024 runs: half of it start-up)", f"{sw['sweep_1024_runs_per_s']:.0f}", ""),
        (f"mesa.batch_run, 2 processes, runs/s ({sw['batch_run_runs']} runs)", f"{sw['batch_run_runs_per_s']:.0f}", ""),
        ("  sweep : batch_run", f"{sw['ratio']:.1f}x", f">= {t['sweep_vs_batch_run']:g}x {verdict(sw['ratio'] >= t['sweep_vs_batch_run'])}"),
        *[(f"Sobol sweep, 2 workers, runs/s ({so['points']} points x {so['replicates']})", f"{so['runs_per_s']:.0f}",
           f">= {t['sweep_runs_per_s']:g} {verdict(so['runs_per_s'] >= t['sweep_runs_per_s'])}" if so is sw["sobol"][-1]
           else "(a third of it start-up)") for so in sw["sobol"]],
        (f"mesa.batch_run on the Sobol points, runs/s ({sw['batch_run_runs']} runs)", f"{sw['batch_run_sobol_runs_per_s']:.0f}", ""),
        *[(f"  Sobol sweep ({so['points']} points) : batch_run", f"{so['runs_per_s'] / sw['batch_run_sobol_runs_per_s']:.1f}x",
           f">= {t['sweep_vs_batch_run']:g}x {verdict(so['runs_per_s'] / sw['batch_run_sobol_runs_per_s'] >= t['sweep_vs_batch_run'])}")
          for so in sw["sobol"]],
        (f"ensemble of {en['replicates']} from the command line, 2 workers, s", f"{en['seconds']:.1f}",
         f"({en['runs_per_s']:.0f} runs/s, {en['megabytes']:.0f} MB written)"),
        ("python -m sim check scenarios/moscow.yaml, s", f"{st['check_s']:.2f}", f"<= {t['check_s']:g} {verdict(st['check_s'] <= t['check_s'])}"),
        ("python -m sim run scenarios/moscow.yaml --no-map, s", f"{st['run_no_map_s']:.2f}",
         f"<= {t['run_no_map_s']:g} {verdict(st['run_no_map_s'] <= t['run_no_map_s'])}"),
        ("python -m sim run scenarios/moscow.yaml (with its map), s", f"{st['run_s']:.2f}", f"<= {t['run_s']:g} {verdict(st['run_s'] <= t['run_s'])}"),
    ]
    return "\n".join(f"{a:<58} {b:>22}  {c}" for a, b, c in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts: rough figures in about a minute")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "batches.json")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    results = {"cpus": os.cpu_count(), "quick": args.quick}
    for name, section in (("inprocess", inprocess), ("sweep", sweep_against_batch_run), ("ensemble", large_ensemble), ("startup", startup)):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name] = section(args.quick)
    results["load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\n1-minute load before / after: {results['load_average'][0]} / {results['load_average'][1]} on {os.cpu_count()} CPUs")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
