"""Signals and processes (issue 12, class 5): SIGTERM is handled as Ctrl-C, and either stops an ensemble or a
sweep at once — workers, the forkserver and the resource tracker gone, no temporary files — keeping what
finished and saying what was written."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from sim.analysis.results import load_results, read_rows

from .conftest import ROOT

pytestmark = pytest.mark.slow


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**os.environ, "MPLBACKEND": "Agg"})


def wait_for(predicate, timeout: float = 180.0) -> None:  # noqa: ANN001
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            pytest.fail("timed out waiting")
        time.sleep(0.05)


def listed_parts(out: Path) -> list:
    """The parts an ensemble's manifest lists (none while it cannot be read)."""
    try:
        return json.loads((out / "manifest.json").read_text()).get("parts", [])
    except (OSError, ValueError):
        return []


def alive_in_session(sid: int) -> list[str]:
    """Processes of the session ``sid`` still running (zombies, already dead, are left to init to reap)."""
    out = []
    for p in psutil.process_iter(["pid", "status", "cmdline"]):
        try:
            if os.getsid(p.pid) == sid and p.info["status"] != psutil.STATUS_ZOMBIE:
                out.append(f"{p.pid} {' '.join(p.info['cmdline'] or [])[:80]}")
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return out


def stop(proc: subprocess.Popen, sig: int, group: bool) -> tuple[str, float]:
    t0 = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return err, time.monotonic() - t0


def assert_nothing_left(sid: int, folder: Path) -> None:
    deadline = time.time() + 10
    while alive_in_session(sid) and time.time() < deadline:
        time.sleep(0.1)
    assert alive_in_session(sid) == []
    temps = [str(p) for p in folder.rglob(".*") if ".tmp-" in p.name or ".old-" in p.name or p.name.endswith(".lock")]
    assert temps == []


@pytest.mark.parametrize("sig,group", [(signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, True)],
                         ids=["SIGTERM to the command", "SIGTERM to its process group", "Ctrl-C"])
def test_a_stopped_sweep_keeps_its_finished_batches_and_leaves_nothing_running(tmp_path, sig, group):
    out = tmp_path / "s"
    args = ["sweep", "scenarios/jan_truce.yaml", "--param", "regime.commit=0.2:0.8:8", "--runs", "100", "--workers", "2",
            "--out", str(out)]
    proc = start(args)
    wait_for(lambda: len(list((out / "runs.parquet").glob("part-*.parquet"))) >= 1 if (out / "runs.parquet").exists() else False)
    err, took = stop(proc, sig, group)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before it could be stopped")
    assert proc.returncode == 130 and took < 10, (proc.returncode, took, err)
    m = re.search(r"interrupted: (\d+) of 800 runs finished and kept in \S+runs\.parquet", err)
    assert m and "Traceback" not in err, err
    assert len(read_rows(out)) == int(m.group(1))  # what it says was written is what was written
    assert_nothing_left(proc.pid, tmp_path)
    again = subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    rows = read_rows(out)
    assert len(rows) == 800 and rows.groupby(["point", "replicate"]).size().max() == 1


def test_ctrl_c_on_a_dask_sweep_says_only_what_the_command_says(tmp_path):
    """Ctrl-C (to the whole group, as a terminal sends it) on `sweep --executor dask`: the scheduler and nannies warned of
    the tasks cancelled and the workers killed, and each worker printed its own KeyboardInterrupt tracebacks, all above
    the command's "interrupted: ..." line."""
    out = tmp_path / "s"
    proc = start(["sweep", "scenarios/jan_truce.yaml", "--param", "regime.commit=0.2:0.8:8", "--runs", "100",
                  "--executor", "dask", "--workers", "2", "--out", str(out)])
    wait_for(lambda: len(list((out / "runs.parquet").glob("part-*.parquet"))) >= 1 if (out / "runs.parquet").exists() else False)
    err, _ = stop(proc, signal.SIGINT, True)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before it could be stopped")
    assert proc.returncode == 130, err
    assert re.fullmatch(r"interrupted: \d+ of 800 runs finished and kept in \S+; run the same command again to finish the "
                        r"rest\n", err), err
    assert_nothing_left(proc.pid, tmp_path)


@pytest.mark.parametrize("group", [False, True], ids=["SIGTERM to the command", "SIGTERM to its process group"])
def test_sigterm_on_an_ensemble_keeps_its_replicates_and_leaves_nothing_running(tmp_path, group):
    out = tmp_path / "ens"
    # Enough replicates that it is still running once its manifest lists two parts (300 took about a second).
    args = ["run", "scenarios/jan_truce.yaml", "--runs", "3000", "--workers", "2", "-q", "--out", str(out)]
    proc = start(args)
    wait_for(lambda: len(listed_parts(out)) >= 2)  # the parent has them: they count
    err, took = stop(proc, signal.SIGTERM, group)
    if proc.returncode == 0:
        pytest.skip("the ensemble finished before it could be stopped")
    assert proc.returncode == 130 and took < 10, (proc.returncode, took, err)
    m = re.search(r"interrupted: (\d+) of 3000 replicates finished and kept in \S+replicates", err)
    assert m and "Traceback" not in err, err
    assert len(load_results(out).runs) == int(m.group(1))
    assert_nothing_left(proc.pid, tmp_path)
    again = subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert load_results(out).complete


def test_sigterm_on_a_single_run_leaves_no_folder_or_a_whole_one(tmp_path):
    out = tmp_path / "run"
    proc = start(["run", "scenarios/moscow.yaml", "-q", "--out", str(out)])
    time.sleep(1.0)
    err, _ = stop(proc, signal.SIGTERM, False)
    # 130: stopped, before the folder was written or while its summary was printed; 0: it had finished (a signal
    # then, even while the interpreter shuts down, is ignored); -SIGTERM: killed before the command set its handlers.
    assert proc.returncode in (0, 130, -signal.SIGTERM) and "Traceback" not in err
    if out.exists():
        assert len(load_results(out).runs) == 1 and "nothing was written" not in err
    else:
        assert proc.returncode != 0 and (proc.returncode != 130 or "nothing was written" in err)
    assert_nothing_left(proc.pid, tmp_path)


def forkserver_loading(command: psutil.Process) -> bool:
    """The command's forkserver has started, and is loading the model (for about a second). The command ignores Ctrl-C
    for the 10 ms or so it takes to start it (forkserver.start_forkserver): the caller waits that out."""
    return any("forkserver" in " ".join(c.cmdline()) for c in command.children())


def worker_forked(command: psutil.Process) -> bool:
    """A process forked by the command's forkserver: a worker starting."""
    return any(c.children() for c in command.children() if "forkserver" in " ".join(c.cmdline()))


@pytest.mark.parametrize("executor,moment", [("local", forkserver_loading), ("local", worker_forked),
                                             ("dask", forkserver_loading), ("dask", worker_forked)],
                         ids=["local, as the forkserver loads the model", "local, as a worker starts",
                              "dask, as the forkserver loads the model", "dask, as a worker starts"])
def test_ctrl_c_as_the_workers_start_says_only_what_the_command_says(tmp_path, executor, moment):
    """Ctrl-C (to the whole group, as a terminal sends it) while the processes that run the batches start. The
    forkserver, loading the model, printed a KeyboardInterrupt traceback of its own below the command's line (any
    Ctrl-C in the first second of an ensemble or a local sweep did). On Dask, each worker, a fresh interpreter, did too
    as it imported, and the cluster's start failed: status 1 and the command's own traceback ("Nanny failed to
    start"). Now the forkserver and every process it forks are born ignoring Ctrl-C, which the command acts on; a
    local pool's worker started as the stop landed is one the pool knows of, and is stopped with the others (one
    forked but not yet listed was never stopped: it printed an error of its own, or waited for ever)."""
    out = tmp_path / "s"
    proc = start(["sweep", "scenarios/jan_truce.yaml", "--param", "regime.commit=0.2:0.8:8", "--runs", "100",
                  "--executor", executor, "--workers", "2", "--out", str(out)])
    command = psutil.Process(proc.pid)

    def at_moment() -> bool:
        try:
            return moment(command)
        except psutil.Error:  # a process gone between the listing and the look
            return False

    wait_for(at_moment, timeout=60)
    time.sleep(0.1)  # the command has its handler back (forkserver_loading)
    err, took = stop(proc, signal.SIGINT, True)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before it could be stopped")
    assert proc.returncode == 130 and took < 30, (proc.returncode, took, err)
    assert re.fullmatch(r"interrupted: (nothing was written|\d+ of 800 runs finished and kept in \S+; run the same "
                        r"command again to finish the rest)\n", err), err
    assert_nothing_left(proc.pid, tmp_path)


def test_ctrl_c_as_dask_starts_a_crashed_worker_again_says_only_what_the_command_says(tmp_path):
    """Ctrl-C (to the whole group) while Dask's nanny starts again a worker that died. The cluster's first workers were
    forked by the command's forkserver, born ignoring Ctrl-C, but Dask started the new one in a fresh interpreter (the
    setting was in force only while the cluster started): it took the Ctrl-C while importing and printed a
    KeyboardInterrupt traceback of its own above the command's line."""
    out = tmp_path / "s"
    proc = start(["sweep", "scenarios/campaign.yaml", "--param", "regime.commit=0.2:1.0:5", "--runs", "40",
                  "--executor", "dask", "--workers", "2", "--out", str(out)])
    wait_for(lambda: len(list((out / "runs.parquet").glob("part-*.parquet"))) >= 1 if (out / "runs.parquet").exists() else False)
    before = {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
    forkserver = next(c for c in psutil.Process(proc.pid).children() if "forkserver" in " ".join(c.cmdline()))
    forkserver.children()[0].kill()  # a worker dies; its nanny starts another

    def restarting() -> bool:
        return bool({p.pid for p in psutil.Process(proc.pid).children(recursive=True)} - before)

    wait_for(restarting, timeout=60)
    time.sleep(0.3)  # past the new interpreter's first moments, before Python has its handler (the signal kills it)
    err, took = stop(proc, signal.SIGINT, True)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before it could be stopped")
    assert proc.returncode == 130 and took < 30, (proc.returncode, took, err)
    assert "Traceback" not in err and re.search(r"(?m)^interrupted: \d+ of 200 runs finished and kept in \S+; run the "
                                                r"same command again to finish the rest\n\Z", err), err
    assert_nothing_left(proc.pid, tmp_path)


def test_a_hung_worker_does_not_keep_a_stopped_dask_computation_from_ending(monkeypatch):
    """Quieting our workers' logs asks each of them: one that never answers (here, stopped) no longer keeps the
    command waiting for ever."""
    from distributed import Client, LocalCluster

    from sim.experiments import executors

    monkeypatch.setattr(executors, "QUIET_TIMEOUT", 1)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        (pid,) = client.run(os.getpid).values()
        os.kill(pid, signal.SIGSTOP)
        try:
            def quiet() -> None:
                with executors._quiet_dask(client):
                    pass

            quieted = threading.Thread(target=quiet, daemon=True)
            quieted.start()
            quieted.join(20)
            assert not quieted.is_alive()
        finally:
            os.kill(pid, signal.SIGCONT)


@pytest.mark.parametrize("sig,group", [(signal.SIGINT, True), (signal.SIGTERM, False)], ids=["Ctrl-C", "SIGTERM"])
def test_the_app_server_stops_as_the_other_commands_do(tmp_path, sig, group):
    """`python -m sim app` stopped by Ctrl-C said Solara's "Aborted." and ended with status 1, a failure to a script or a
    service manager; SIGTERM killed it (status -15). Both now end it with status 130 and one line."""
    import urllib.request

    from .app_browser import free_port

    pytest.importorskip("solara")
    port = free_port()
    proc = start(["app", "--port", str(port)])

    def serving() -> bool:
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/", timeout=5) as r:  # noqa: S310 - our own local server
                return r.status == 200
        except OSError:
            assert proc.poll() is None, proc.communicate()
            return False

    wait_for(serving, timeout=120)
    err, took = stop(proc, sig, group)
    assert proc.returncode == 130 and took < 30, (proc.returncode, took, err)
    assert err.strip() == "interrupted: the app is no longer served", err
    assert_nothing_left(proc.pid, tmp_path)


def test_sigkill_to_the_command_alone_stops_its_workers_and_forkserver(tmp_path):
    # Killed outright, the command cannot stop its pool: until round 53 its workers waited on their task queue for
    # ever, with the forkserver, holding its output open, so that reading it (as a pipe does) never ended.
    out = tmp_path / "ens"
    proc = start(["run", "scenarios/jan_truce.yaml", "--runs", "3000", "--workers", "2", "-q", "--out", str(out)])
    wait_for(lambda: len(listed_parts(out)) >= 1)  # the pool is up and has handed work back
    assert len(alive_in_session(proc.pid)) >= 3  # the command, the forkserver and its workers
    proc.kill()
    proc.communicate(timeout=30)  # ends once nothing holds the command's output open any more
    assert_nothing_left(proc.pid, tmp_path / "nothing")
