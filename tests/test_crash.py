"""Crash safety: processes killed with SIGKILL at a random moment never leave a half-written
result that looks complete, and resuming gives the same result as an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.results import load_results, read_rows
from sim.experiments.designs import make_design
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec

from . import toys
from .conftest import ROOT
from .test_runs import run_cli

pytestmark = pytest.mark.slow
RUN_FILES = {"manifest.json", "control.csv", "events.csv", "timeseries.csv"}


def killed(args: list[str], after: float) -> None:
    """Start ``python -m sim ARGS`` and SIGKILL its whole process group after ``after`` seconds.

    Its temporary folder is one of its own, removed after it: killed outright, a command with a pool of workers
    cannot remove the ``pymp-*`` folder multiprocessing made for its forkserver, and each of these runs left one in
    the system's temporary folder.
    """
    with tempfile.TemporaryDirectory(prefix="killed-") as own_temp:
        proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "MPLBACKEND": "Agg", "TMPDIR": own_temp})
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def assert_complete_run_folder(folder: Path, days: int) -> None:
    towns = len(pd.read_csv(ROOT / "scenarios" / "theatres" / "idlib.towns.csv"))
    assert RUN_FILES <= {f.name for f in folder.iterdir()}, f"{folder} lacks files"
    json.loads((folder / "manifest.json").read_text())
    assert len(pd.read_csv(folder / "control.csv")) == (days + 1) * towns
    assert len(pd.read_csv(folder / "timeseries.csv")) == days + 1
    pd.read_csv(folder / "events.csv")


def test_a_killed_run_leaves_no_folder_or_a_complete_one(tmp_path):
    rng = random.Random(1)
    for k in range(6):
        out = tmp_path / f"run{k}"
        killed(["run", "scenarios/moscow.yaml", "--out", str(out), "-q"], after=rng.uniform(0.3, 3.0))
        if out.exists():  # else: killed before the rename, and nothing is presented as a run
            assert_complete_run_folder(out, days=179)
        # Nothing half-written is left beside it under the final name.
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(f"run{k}")] in ([], [f"run{k}"])


def test_a_killed_ensemble_keeps_complete_replicates_and_resumes_identically(tmp_path):
    out, clean = tmp_path / "ens", tmp_path / "clean"
    args = ["run", "scenarios/jan_truce.yaml", "--runs", "12", "--workers", "2", "-q"]
    for after in (2.0, 3.5):
        killed([*args, "--out", str(out)], after=after)
        if not (out / "manifest.json").exists():  # killed before it began (a loaded machine): no replicate to show
            assert not (out / "replicates").exists() or not list((out / "replicates").rglob("part-*"))
            continue
        manifest = json.loads((out / "manifest.json").read_text())
        if manifest["parts"]:  # every part the manifest lists is whole (checksums, structure) and reads back
            assert len(load_results(out).runs) == sum(len(p["seeds"]) for p in manifest["parts"])
        if not manifest["complete"]:
            assert not (out / "control_prob.csv").exists()  # summaries appear only with a complete ensemble
    assert run_cli(*args, "--out", out).returncode == 0
    assert run_cli(*args, "--out", clean).returncode == 0
    a, b = load_results(out), load_results(clean)
    assert a.complete and [r.seed for r in a.runs] == [r.seed for r in b.runs]
    for name in ("control_prob.csv", "capture_dates.csv", "timeseries_quantiles.csv", "captures.csv"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_a_dask_worker_killed_mid_sweep_loses_and_duplicates_nothing(tmp_path):
    design = make_design("grid", [Parameter("a", values=(0.0, 0.5, 1.0)), Parameter("b", values=(0.0, 1.0))])
    spec = SweepSpec(Path("toy"), design, runs=30)
    run_sweep(spec, tmp_path / "s", evaluate=toys.DiesOnce(str(tmp_path / "died")), workers=2, executor="dask")
    assert (tmp_path / "died").exists()  # a worker really died
    rows = read_rows(tmp_path / "s")
    assert len(rows) == 6 * 30 and rows.groupby(["point", "replicate"]).size().max() == 1
    run_sweep(spec, tmp_path / "clean", evaluate=toys.linear)
    pd.testing.assert_frame_equal(rows, read_rows(tmp_path / "clean"))


def test_killing_leaves_no_temporary_files_that_a_rerun_trips_over(tmp_path):
    out = tmp_path / "ens"
    args = ["run", "scenarios/jan_truce.yaml", "--runs", "6", "--workers", "2", "-q", "--out", str(out)]
    killed(args, after=2.5)
    time.sleep(0.1)
    assert run_cli(*args).returncode == 0
    assert not [p for p in (out / "replicates").rglob(".*")]
    assert load_results(out).complete
