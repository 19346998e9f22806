"""`run -q`, `sweep -q` and `calibrate -q` print the results folder's path and nothing else, as their --help says: what a script reads
back.

`run -q` printed "run folder: results/..." (and "ensemble folder: ... (N replicates across ...)"), which a script had to
cut; `sweep` had no -q, and printed its count of runs and the next command besides the folder; on a terminal both drew a
progress bar under -q.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import sim.cli.running
from sim.cli import main
from sim.cli.arguments import build_parser

from .conftest import ROOT, ev, line_theatre
from .test_calibration import toy_calibration, toy_record


@pytest.fixture
def toy(build):
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts"))
    return build.scenario({"end": "2020-01-04", "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T4"], force=60)]})


def test_quiet_prints_the_bare_folder_path(toy, tmp_path, capsys):
    rows = tmp_path / "set.csv"
    rows.write_text("trial,regime.commit\n0,0.5\n1,0.9\n")
    for name, how in (("run", ["--no-map"]), ("ensemble", ["--runs", "2", "--workers", "1"]),
                      ("across", ["--runs", "2", "--workers", "1", "--param-set", str(rows)])):
        out = tmp_path / name
        assert main(["run", str(toy), *how, "-q", "--out", str(out)]) == 0
        assert capsys.readouterr().out == f"{out}\n", name
        assert (out / "manifest.json").is_file()


@pytest.fixture
def on_a_terminal(monkeypatch):
    """As if standard error were a terminal, where the commands draw progress bars (capsys's is not one)."""
    monkeypatch.setattr(sim.cli.running, "on_terminal", lambda: True)


def test_a_quiet_sweep_prints_the_bare_folder_path_and_draws_no_progress_bar(toy, tmp_path, capsys, on_a_terminal):
    out = tmp_path / "sweep"
    command = ["sweep", str(toy), "--param", "regime.commit=0.5,0.9", "--runs", "2", "--workers", "1", "--out", str(out)]
    assert main([*command, "-q"]) == 0
    assert capsys.readouterr() == (f"{out}\n", "")
    assert (out / "sweep.json").is_file()
    assert main([*command, "-q"]) == 0  # run again: every run already done, and still only the path
    assert capsys.readouterr() == (f"{out}\n", "")
    assert main(command) == 0  # without -q: the count of runs, the folder and the next command, and the bar
    printed = capsys.readouterr()
    assert "2 points x 2 replicates = 4 runs (0 run now, 4 already done)" in printed.out
    assert f"sweep folder: {out}" in printed.out and "sweep-report" in printed.out
    assert "sweep" in printed.err  # the progress bar, named


def test_a_quiet_ensemble_draws_no_progress_bar(toy, tmp_path, capsys, on_a_terminal):
    out = tmp_path / "ensemble"
    assert main(["run", str(toy), "--runs", "2", "--workers", "1", "-q", "--out", str(out)]) == 0
    assert capsys.readouterr() == (f"{out}\n", "")
    out = tmp_path / "shown"
    assert main(["run", str(toy), "--runs", "2", "--workers", "1", "--out", str(out)]) == 0
    assert "2/2" in capsys.readouterr().err  # without -q, on a terminal: the bar


def test_a_quiet_command_still_says_what_it_notes(toy, tmp_path, capsys):
    """Notes go to standard error with or without -q: a sweep that finds a damaged part says it runs it again."""
    out = tmp_path / "sweep"
    command = ["sweep", str(toy), "--param", "regime.commit=0.5,0.9", "--runs", "2", "--workers", "1", "--out", str(out), "-q"]
    assert main(command) == 0
    capsys.readouterr()
    part = next((out / "runs.parquet").glob("part-*.parquet"))
    part.write_bytes(b"not parquet")
    assert main(command) == 0
    printed = capsys.readouterr()
    assert printed.out == f"{out}\n"
    assert "note:" in printed.err


def test_a_quiet_calibration_prints_the_bare_folder_path_and_draws_no_progress_bar(build, tmp_path, capsys, on_a_terminal):
    """`calibrate` had no -q where `run` and `sweep` have one: a script read its folder out of the trial count, the
    report and the list of files written, and on a terminal it drew a progress bar."""
    toy_record(build)
    calibration, out = toy_calibration(build), tmp_path / "cal"
    assert main(["calibrate", str(calibration), "--trials", "4", "--workers", "1", "-q", "--out", str(out)]) == 0
    assert capsys.readouterr() == (f"{out}\n", "")
    assert (out / "report.md").is_file()
    assert main(["calibrate", str(calibration), "--report-only", "--workers", "1", "-q", "--out", str(out)]) == 0
    assert capsys.readouterr() == (f"{out}\n", "")


def test_every_quiet_flag_promises_the_bare_path():
    parser = build_parser("sim")
    commands = next(a for a in parser._actions if a.dest == "command").choices
    quiet = {name: a.help for name, sub in commands.items() for a in sub._actions if "-q" in a.option_strings}
    assert quiet == {"run": "print only the results folder's path (nothing else, for scripts)",
                     "sweep": "print only the sweep folder's path (nothing else, for scripts)",
                     "calibrate": "print only the calibration folder's path (nothing else, for scripts)"}


def holders(pipe: int) -> list[str]:
    """The command lines of the processes (but this one) that have the pipe ``pipe`` (a descriptor of ours) open."""
    name, found = os.readlink(f"/proc/self/fd/{pipe}"), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(pid) != os.getpid() and any(os.readlink(f"/proc/{pid}/fd/{fd}") == name for fd in os.listdir(f"/proc/{pid}/fd")):
                found.append(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "))
        except OSError:  # gone meanwhile, or not ours to look at
            continue
    return found


def piped(args: list[str], err: Path) -> tuple[float, list[str], str, int]:
    """Run ``python ARGS`` with standard output piped (as ``out=$(...)`` does) and standard error into ``err``: how long
    its reader waited for the end of the output after the process itself had ended, the processes that still held the
    output then, what it read, and the status."""
    with err.open("w") as sink, subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=sink,
                                                 env={**os.environ, "MPLBACKEND": "Agg"}) as proc:
        ended = []

        def watch() -> None:  # seen ended without being reaped (WNOWAIT), while the reader still reads
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            ended.extend([time.monotonic(), holders(proc.stdout.fileno())])

        watcher = threading.Thread(target=watch)
        watcher.start()
        out = proc.stdout.read()
        eof = time.monotonic()
        watcher.join()
    return eof - ended[0], ended[1], out.decode(), proc.returncode


# The reader's wait the fix removed: the forkserver's loading of the model (1.5 to 3.4 s) or its shutdown (0.2 s on
# a quiet machine, 0.7 to 1.5 s on a busy one); with it, some hundredths of a second (the resource tracker's end).
EOF_WAIT = 0.5


def test_the_output_of_a_process_that_started_the_forkserver_ends_with_it(tmp_path):
    """The forkserver is given the output of the process that starts it, and loaded the model for a second or more:
    a script that ended meanwhile (a sweep refused, or with nothing left to run) kept its reader waiting for that."""
    code = "from sim.experiments.forkserver import start_forkserver; start_forkserver(); print('done')"
    waited, left, out, status = piped(["-c", code], tmp_path / "err.txt")
    assert (status, out) == (0, "done\n"), (tmp_path / "err.txt").read_text()
    assert not [c for c in left if "forkserver" in c] and waited < EOF_WAIT, (waited, left)


@pytest.mark.slow
def test_a_piped_quiet_sweep_with_workers_ends_its_output_when_it_exits(toy, tmp_path):
    """`out=$(python -m sim sweep ... -q)` waited some 1.6 s longer than the sweep: its forkserver, ending only once
    the command had, held the command's output while it shut down (or still loaded the model)."""
    out = tmp_path / "sweep"
    command = ["-m", "sim", "sweep", str(toy), "--param", "regime.commit=0.5,0.9", "--runs", "2", "--workers", "2", "-q",
               "--out", str(out)]
    waited, left, printed, status = piped(command, tmp_path / "err.txt")
    assert (status, printed) == (0, f"{out}\n"), (tmp_path / "err.txt").read_text()
    assert not [c for c in left if "forkserver" in c] and waited < EOF_WAIT, (waited, left)
