"""The browser app's responsiveness (issue 18): page load, one map redraw, a 40-replicate ensemble.

Run it from the repository root, with the app extra and Debian's headless Chromium installed::

    .venv/bin/python benchmarks/app.py            # ~2 minutes on 2 cores
    .venv/bin/python benchmarks/app.py --reps 5

Each figure is the median of ``--reps`` repetitions after one warm-up, and is
measured twice where it can be: in the server's process (what the app computes)
and in the browser (what a user waits for, round trips and rendering included):

1. ``page_load``: from navigation to the first run's map on screen (target < 3 s).
2. ``map_redraw``: one day: ``step()``, the run read back, the control map drawn and
   encoded as PNG as the page does it, on the figure it keeps (target < 200 ms);
   ``day_redraw`` adds the time series, all the server does for a day; in the
   browser, a click on Step until the next day is shown (the map and the time
   series redrawn).
3. ``ensemble_40``: 40 replicates of ``scenarios/campaign.yaml`` stepped as batches,
   scored against the record, with the probability map and towns held drawn
   (target < 5 s); in the browser, from the click on Run until the ensemble is shown.

Writes ``benchmarks/app_results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's `sim` and `tests`, whatever the current directory

from sim.app.ensemble import ensemble_of_settings  # noqa: E402
from sim.app.figures import LiveMap, LiveSeries, live_map_state, png  # noqa: E402
from sim.app.live import WhatIfModel, live_run  # noqa: E402
from sim.app.settings import Settings, load_controls  # noqa: E402
from sim.viz.maps import map_figure  # noqa: E402
from sim.viz.plots import towns_held_figure  # noqa: E402
from tests.app_browser import app_server, browser_page, find_browser, open_app, tab  # noqa: E402

TARGETS = {"page_load_s": 3.0, "map_redraw_ms": 200.0, "ensemble_40_s": 5.0}
CAMPAIGN = "scenarios/campaign.yaml"


def median_of(fn, reps: int) -> tuple[float, list[float]]:  # noqa: ANN001
    fn()  # warm-up
    times = [fn() for _ in range(reps)]
    return statistics.median(times), times


def in_process(reps: int) -> dict:
    controls = load_controls(ROOT / "scenarios" / "app" / "controls.yaml")
    model = WhatIfModel(Settings(CAMPAIGN), controls, root=ROOT)

    live_map, live_series = LiveMap(model.theatre), LiveSeries(model.theatre, model.spec)
    cpu: dict[str, list[float]] = {"map": [], "ensemble": []}

    def redraw() -> float:
        t, c = time.perf_counter(), time.process_time()
        model.step()
        live_map.pieces(*live_map_state(model.theatre, model.events_json, live_run(model))[1:])
        cpu["map"].append((time.process_time() - c) * 1000)
        return (time.perf_counter() - t) * 1000

    def day() -> float:
        t = time.perf_counter()
        model.step()
        run = live_run(model)
        live_map.pieces(*live_map_state(model.theatre, model.events_json, run)[1:])
        live_series.pieces(run)
        return (time.perf_counter() - t) * 1000

    map_ms, map_all = median_of(redraw, max(reps, 10))
    day_ms, day_all = median_of(day, max(reps, 10))

    def ensemble() -> float:
        t, c = time.perf_counter(), time.process_time()
        ens = ensemble_of_settings(Settings(CAMPAIGN), controls, 40, ROOT)
        png(map_figure(ens.results, ens.last))
        png(towns_held_figure(ens.results))
        cpu["ensemble"].append(time.process_time() - c)
        return time.perf_counter() - t

    ens_s, ens_all = median_of(ensemble, reps)
    # CPU time of this process: what the work costs on a core of its own, whatever else the machine runs
    return {"map_redraw_ms": round(map_ms, 1), "map_redraw_ms_all": [round(x, 1) for x in map_all],
            "map_redraw_cpu_ms": round(statistics.median(cpu["map"][1:]), 1),
            "day_redraw_ms": round(day_ms, 1), "day_redraw_ms_all": [round(x, 1) for x in day_all],
            "ensemble_40_s": round(ens_s, 2), "ensemble_40_s_all": [round(x, 2) for x in ens_all],
            "ensemble_40_cpu_s": round(statistics.median(cpu["ensemble"][1:]), 2)}


def in_browser(reps: int, executable: str) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp, app_server(Path(tmp)) as url, browser_page(executable) as (page, refused):
        loads = [open_app(page, url) for _ in range(reps + 1)][1:]
        out["page_load_s"] = round(statistics.median(loads), 2)
        out["page_load_s_all"] = [round(x, 2) for x in loads]

        def day() -> int:
            return int(re.search(r"Day (\d+) of", page.get_by_text(re.compile(r"^Day \d+ of")).first.inner_text()).group(1))

        steps = []
        for _ in range(max(reps, 10) + 1):
            before = day()
            t = time.perf_counter()
            page.get_by_role("button", name="Step").click()
            page.get_by_text(re.compile(rf"^Day {before + 1} of")).first.wait_for()
            steps.append((time.perf_counter() - t) * 1000)
        out["step_in_browser_ms"] = round(statistics.median(steps[1:]), 1)
        out["step_in_browser_ms_all"] = [round(x, 1) for x in steps[1:]]

        tab(page, "Ensemble")
        runs = []
        for _ in range(reps + 1):
            t = time.perf_counter()
            page.get_by_role("button", name="Run ensemble (40)").click()
            page.get_by_text(re.compile(r"^running")).first.wait_for()
            page.get_by_text(re.compile(r"^running")).first.wait_for(state="detached", timeout=120_000)
            page.get_by_text(re.compile(r"^40 replicates of")).first.wait_for()
            runs.append(time.perf_counter() - t)
        out["ensemble_40_in_browser_s"] = round(statistics.median(runs[1:]), 2)
        out["ensemble_40_in_browser_s_all"] = [round(x, 2) for x in runs[1:]]
        out["requests_off_machine"] = len(refused)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    result = {"machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
              "reps": args.reps, "targets": TARGETS, "load_before": os.getloadavg()}
    result["in_process"] = in_process(args.reps)
    executable = find_browser()
    result["in_browser"] = in_browser(args.reps, executable) if executable else {"skipped": "no headless Chromium"}
    result["load_after"] = os.getloadavg()
    (ROOT / "benchmarks" / "app_results.json").write_text(json.dumps(result, indent=2) + "\n")
    p, b = result["in_process"], result["in_browser"]
    rows = [("page load (browser)", b.get("page_load_s"), "s", TARGETS["page_load_s"]),
            ("map redraw, one step (server, wall)", p["map_redraw_ms"], "ms", TARGETS["map_redraw_ms"]),
            ("map redraw, one step (server, CPU time)", p["map_redraw_cpu_ms"], "ms", TARGETS["map_redraw_ms"]),
            ("one step, map and time series (server, wall)", p["day_redraw_ms"], "ms", None),
            ("one step, click to shown (browser)", b.get("step_in_browser_ms"), "ms", None),
            ("40-replicate ensemble (server, wall)", p["ensemble_40_s"], "s", TARGETS["ensemble_40_s"]),
            ("40-replicate ensemble (server, CPU time)", p["ensemble_40_cpu_s"], "s", TARGETS["ensemble_40_s"]),
            ("40-replicate ensemble, click to shown (browser)", b.get("ensemble_40_in_browser_s"), "s", TARGETS["ensemble_40_s"])]
    print(f"1-minute load average {result['load_before'][0]:.1f} before, {result['load_after'][0]:.1f} after (2 cores)")
    print(f"{'measure':50} {'median':>10}  target")
    for name, value, unit, target in rows:
        shown = "-" if value is None else f"{value:g} {unit}"
        verdict = "" if target is None or value is None else ("met" if value < target else "NOT met") + f" (< {target:g} {unit})"
        print(f"{name:50} {shown:>10}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
