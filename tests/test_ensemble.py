"""Ensembles: seeds, worker-count independence, resuming, interruption, and the CLI end to end."""

from __future__ import annotations

import io
import json
import os
import shlex
import signal

import numpy as np
import pandas as pd
import pytest

import sim
import sim.experiments.ensemble
from sim import load_scenario, simulate
from sim.analysis.results import load_results
from sim.cli import main
from sim.errors import InputError, Interrupted
from sim.experiments.ensemble import run_ensemble, seeds_from
from sim.experiments.storage import PartLog
from sim.interrupts import forget_interrupts
from sim.io.signatures import MD_MARK

from .conftest import ROOT, ev, legacy_ensemble, line_theatre
from .test_runs import run_cli

SUMMARIES = ("control_prob.csv", "captures.csv", "capture_dates.csv", "timeseries_quantiles.csv")


@pytest.fixture
def toy(build):
    """Six towns on a line, a regime offensive eastwards: runs differ by seed."""
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts", "hts"))
    body = {"end": "2020-02-10", "seed": 40,
            "factions": {"regime": {"force": 60, "regen": 1}, "rebels": {"garrison": 4, "reserve": 20}},
            "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T5"], force=60)]}
    return build.scenario(body)


def files(folder):
    """Every file under ``folder`` except manifests (which carry timestamps), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def test_a_summarys_whole_numbers_are_written_whole_and_the_rest_with_every_digit():
    """timeseries_quantiles.csv wrote a replicate's 1,005,209 displaced as 1.00521e+06, a number no replicate had, and
    then (whole numbers whole, others to six significant digits) the mean of 1,064,218.33 people as 1.06422e+06, and
    a replicate's regime force of 528.597908 as 528.598: each float that is not whole is now written as Python writes
    it, which reads back to the very number, as the run folder's and the comparison's tables have it."""
    from sim.analysis.aggregate import replicate_quantiles
    from sim.io.files import table_text

    displaced = np.array([[1_005_209.0], [1_067_730.0], [1_119_716.0]])
    q = replicate_quantiles(displaced, (0.05, 0.5))[:, 0]
    table = pd.DataFrame({"variable": ["displaced"], "mean": [displaced.mean()], "q05": [q[0]], "q50": [q[1]],
                          "share": [0.25], "force": [np.float64(528.597908)]})
    assert table_text(table).splitlines()[1] == "displaced,1064218.3333333333,1005209,1067730,0.25,528.597908"
    read = pd.read_csv(io.StringIO(table_text(table)))
    assert read.loc[0, "mean"] == displaced.mean() and read.loc[0, "force"] == 528.597908


def test_replicate_seeds_follow_the_scenario_seed(toy):
    sc = load_scenario(toy)
    assert seeds_from(sc.seed, 3) == [40, 41, 42] == sim.replicate_seeds(sc, 3)
    with pytest.raises(InputError, match="^'runs': must be a whole number from 1") as err:  # as Python names it
        seeds_from(sc.seed, 0)
    assert err.value.on_command_line().startswith("--runs: must be a whole number from 1")
    # sim.replicate_seeds is the same check under its own argument names, capped as --runs is
    with pytest.raises(InputError, match="'replicates': must be a whole number from 1 to 100,000"):
        sim.replicate_seeds(sc, 100_001)
    with pytest.raises(InputError, match="'seed': seed 9223372036854775807 leaves no room"):
        sim.replicate_seeds(sc, 2, seed=2**63 - 1)
    # past the last seed no count fits: it said "give replicates -9223372036854775808 or fewer"
    with pytest.raises(InputError, match=r"'seed': must be a whole number from 0 to 9223372036854775807 \(got 18446744073709551616\)"):
        sim.replicate_seeds(sc, 1, seed=2**64)


def test_the_last_seed_runs_alone_and_more_replicates_past_it_are_refused_naming_both_flags(toy, tmp_path, capsys):
    """--seed 2**63 - 1: one replicate runs; two were refused naming --seed alone, without the way out; and a single
    run's summary suggested an ensemble (--runs 40 from its seed) that the same refusal stopped."""
    last = 2**63 - 1
    assert main(["run", str(toy), "--seed", str(last), "--runs", "1", "--workers", "1", "-q", "--out", str(tmp_path / "one")]) == 0
    assert [r.seed for r in load_results(tmp_path / "one").runs] == [last]
    capsys.readouterr()
    assert main(["run", str(toy), "--seed", str(last), "--runs", "2", "--out", str(tmp_path / "two")]) == 2
    assert capsys.readouterr().err == (f"error: --seed: seed {last} leaves no room for 2 replicates (replicate i runs with "
                                       f"seed + i; seeds stop at 2**63 - 1): give --runs 1 or fewer, or --seed {last - 1} "
                                       "or less\n")
    assert not (tmp_path / "two").exists()
    assert main(["run", str(toy), "--seed", str(last), "--no-map", "--out", str(tmp_path / "single")]) == 0
    hint = next(line for line in capsys.readouterr().out.splitlines() if "--runs 40" in line).split(": ", 1)[1]
    assert hint.startswith("python -m sim run ")
    assert main([*shlex.split(hint)[3:], "--workers", "1", "-q", "--out", str(tmp_path / "forty")]) == 0, capsys.readouterr().err
    assert [r.seed for r in load_results(tmp_path / "forty").runs][-1] == last  # the ensemble holds the run


def part_metadata(file):
    """What a part file says it was made from (its ``idlib-sim`` Parquet metadata)."""
    import pyarrow.parquet as pq

    return json.loads(pq.read_schema(file).metadata[b"idlib-sim"])


def test_results_do_not_depend_on_worker_count(toy, tmp_path):
    sc = load_scenario(toy)
    one = run_ensemble(sc, 20, tmp_path / "one", workers=1)
    two = run_ensemble(sc, 20, tmp_path / "two", workers=2)
    a, b = files(tmp_path / "one"), files(tmp_path / "two")
    # Byte-identical parts and summaries: a part's replicates follow from the ensemble's size, not from the workers.
    assert a == b and set(SUMMARIES) <= set(a)
    parts = sorted(k for k in a if k.startswith("replicates/"))
    assert len(parts) == 2 * 7 and parts[:2] == ["replicates/days/part-40.parquet", "replicates/days/part-43.parquet"]
    manifests = [json.loads((tmp_path / name / "manifest.json").read_text()) for name in ("one", "two")]
    assert manifests[0]["parts"] == manifests[1]["parts"]
    assert [p["seeds"] for p in manifests[0]["parts"]][:2] == [[40, 41, 42], [43, 44, 45]]
    # The replicates really differ, and replicate i is the single run with seed s + i, also as read back.
    assert len({r.history.tobytes() for r in one.runs}) > 1
    assert [r.seed for r in two.runs] == list(range(40, 60))
    single = simulate(sc, seed=42)
    back = load_results(tmp_path / "two").runs[2]
    assert (one.runs[2].history == single.history).all() and (back.history == single.history).all()
    pd.testing.assert_frame_equal(back.timeseries, single.timeseries)
    pd.testing.assert_frame_equal(back.events, single.events)
    assert (back.post_history == single.post_history).all() and (back.encircled_history == single.encircled_history).all()
    assert manifests[1]["complete"] and manifests[1]["seeds"] == list(range(40, 60))


def test_parts_follow_the_ensembles_size_alone():
    from sim.experiments.ensemble import part_runs, parts_to_run

    assert [part_runs(n) for n in (1, 5, 8, 9, 40, 256, 400, 100_000)] == [1, 1, 1, 2, 5, 32, 50, 64]
    assert parts_to_run(list(range(10, 19)), set()) == [[10, 11], [12, 13], [14, 15], [16, 17], [18]]
    # Resumed after another grouping (another --runs) kept 12..14: the rest runs in this grouping's parts.
    assert parts_to_run(list(range(10, 19)), {12, 13, 14}) == [[10, 11], [15], [16, 17], [18]]


def test_a_summary_on_disk_belongs_to_a_complete_ensemble(toy, tmp_path, monkeypatch):
    """Killed while its summaries were being written, an ensemble left one beside a manifest marked unfinished (a
    crash test caught it, now and then). Simulated: the writer dies after the first summary."""
    real = sim.experiments.ensemble.write_atomic

    def dies_after_one(path, text):
        real(path, text)
        raise RuntimeError("killed")

    monkeypatch.setattr(sim.experiments.ensemble, "write_atomic", dies_after_one)
    with pytest.raises(RuntimeError, match="killed"):
        run_ensemble(load_scenario(toy), 4, tmp_path / "e")
    written = [p.name for p in (tmp_path / "e").iterdir() if p.suffix == ".csv"]
    assert written, "the first summary was written"
    assert json.loads((tmp_path / "e" / "manifest.json").read_text())["complete"]
    monkeypatch.undo()
    again = run_ensemble(load_scenario(toy), 4, tmp_path / "e")  # the same command writes the rest
    assert again.complete and all((tmp_path / "e" / name).exists() for name in sim.experiments.ensemble.SUMMARY_FILES)


def test_summaries_match_the_replicates(toy, tmp_path):
    res = run_ensemble(load_scenario(toy), 4, tmp_path / "e")
    prob = pd.read_csv(tmp_path / "e" / "control_prob.csv")
    last = prob[prob["date"] == "2020-02-10"].set_index("town")
    for t, town in enumerate(res.theatre.towns):
        held = sum(r.history[-1, t] == 0 for r in res.runs)
        assert last.loc[town, "p_regime"] == held / 4
    assert (prob[["p_regime", "p_hts", "p_rebels"]].sum(axis=1) == 1.0).all()
    caps = pd.read_csv(tmp_path / "e" / "captures.csv")
    assert len(caps) == sum(len(r.captures) for r in res.runs)


def test_an_interrupted_ensemble_keeps_its_replicates_and_resumes(toy, tmp_path, monkeypatch):
    sc = load_scenario(toy)
    reference = files(run_ensemble(sc, 16, tmp_path / "ref").path)
    real = sim.experiments.ensemble._replicate_batch  # one worker, 16 replicates: parts [40, 41], [42, 43], ...
    calls = []

    def flaky(scenario, seeds, *rest):
        if len(calls) == 4:
            raise KeyboardInterrupt
        calls.extend(seeds)
        return real(scenario, seeds, *rest)

    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch", flaky)
    out = tmp_path / "e"
    with pytest.raises(Interrupted) as stop:
        run_ensemble(sc, 16, out)
    assert stop.value.finished == 4 and stop.value.where == out / "replicates"
    partial = load_results(out)
    assert not partial.complete and [r.seed for r in partial.runs] == [40, 41, 42, 43]
    assert not any((out / s).exists() for s in SUMMARIES)

    calls.clear()
    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch",
                        lambda scenario, seeds, *rest: calls.extend(seeds) or real(scenario, seeds, *rest))
    run_ensemble(sc, 16, out)
    assert calls == list(range(44, 56))  # only what was missing
    assert files(out) == reference


def test_a_stop_just_after_a_part_is_listed_counts_that_part(toy, tmp_path, monkeypatch):
    # A signal that landed between listing a part and counting it: the message said fewer than the folder held.
    real_add, listed = PartLog.add, []

    def add_then_signal(log, record):
        real_add(log, record)
        listed.append(record)
        if len(listed) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # delivered at the next bytecode: inside the ensemble's loop

    monkeypatch.setattr(PartLog, "add", add_then_signal)
    out = tmp_path / "e"
    with pytest.raises(Interrupted) as stop:
        run_ensemble(load_scenario(toy), 16, out)
    assert stop.value.finished == len(load_results(out).runs) == 4


def test_a_stop_while_a_resumed_ensemble_reads_its_parts_leaves_them_listed(toy, tmp_path, monkeypatch):
    # The manifest's parts are filled in once every kept part is read: written before that, it listed none, and the
    # next run removed every part file as a stopped writer's and ran them all again.
    sc = load_scenario(toy)
    out = tmp_path / "e"
    reference = files(run_ensemble(sc, 16, out).path)
    real_read, reads = sim.experiments.ensemble.read_part, []

    def read_then_signal(*args):
        reads.append(1)
        if len(reads) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return real_read(*args)

    monkeypatch.setattr(sim.experiments.ensemble, "read_part", read_then_signal)
    with pytest.raises(KeyboardInterrupt):  # nothing was written: the CLI says so
        run_ensemble(sc, 16, out)
    assert len(load_results(out).runs) == 16
    monkeypatch.undo()
    notes = []
    run_ensemble(sc, 16, out, notify=notes.append)
    assert notes == [f"16 of the 16 replicates are in {out} already, and kept; none to run"]  # none damaged
    assert files(out) == reference


def test_a_stop_while_the_summaries_are_written_keeps_every_replicate(toy, tmp_path, monkeypatch):
    sc = load_scenario(toy)
    out = tmp_path / "e"
    monkeypatch.setattr(sim.experiments.ensemble, "write_summaries", lambda *args: os.kill(os.getpid(), signal.SIGINT))
    with pytest.raises(BaseException) as stop:
        run_ensemble(sc, 16, out)
    assert isinstance(stop.value, Interrupted)  # not a bare KeyboardInterrupt ("nothing was written"), parts unlisted
    assert stop.value.finished == len(load_results(out).runs) == 16
    assert stop.value.advice == "every replicate is in: call it again with the same arguments to write the summaries"  # not "finish the rest"
    monkeypatch.undo()
    real, calls = sim.experiments.ensemble._replicate_batch, []
    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch",
                        lambda scenario, seeds, *rest: calls.extend(seeds) or real(scenario, seeds, *rest))
    assert run_ensemble(sc, 16, out).complete and calls == []


@pytest.mark.parametrize("runs", [None, "2"], ids=["run", "ensemble"])
def test_a_stop_while_the_summary_is_printed_says_the_folder_is_whole(toy, tmp_path, monkeypatch, capsys, runs):
    """Stopped once its folder was written, while the summary scored it, a command said "nothing was written"."""
    import sim.analysis.summary

    name = "summarise" if runs is None else "summarise_ensemble"
    monkeypatch.setattr(sim.analysis.summary, name, lambda *a, **k: os.kill(os.getpid(), signal.SIGINT))
    out = tmp_path / "out"
    try:
        assert main(["run", str(toy), "--out", str(out), "--workers", "1", "--no-map"] + (["--runs", runs] if runs else [])) == 130
    finally:
        forget_interrupts()  # remembered by the handler: the next test's calls would stop at their first check
    err = capsys.readouterr().err
    kept = "1 of 1 run" if runs is None else "2 of 2 replicates"
    assert err == f"interrupted: {kept} finished and kept in {out}; only its summary was not printed\n"
    assert load_results(out).complete

def test_a_command_started_from_code_run_from_a_string_still_stops_at_once(toy, tmp_path, monkeypatch, capsys):
    """Code run from a string that *called* the command (``python -c``, a pytest-xdist worker's bootstrap) is never
    left by its interrupt: every interrupt was deferred there as if inside such code, and a command with no check
    left (its summary being printed) ran on to its end and said nothing of the stop."""
    import sim.analysis.summary

    monkeypatch.setattr(sim.analysis.summary, "summarise", lambda *a, **k: os.kill(os.getpid(), signal.SIGINT))
    out = tmp_path / "out"
    try:
        exec("status = main(argv)", namespace := {"main": main, "argv": ["run", str(toy), "--out", str(out), "--workers", "1", "--no-map"]})
    finally:
        forget_interrupts()
    assert namespace["status"] == 130
    assert capsys.readouterr().err == f"interrupted: 1 of 1 run finished and kept in {out}; only its summary was not printed\n"


def test_a_stopped_ensemble_across_a_parameter_set_says_what_it_kept_and_what_to_do(toy, tmp_path, monkeypatch, capsys):
    from sim.experiments.param_sets import run_across

    real_add, listed = PartLog.add, []

    def add_then_signal(log, record):
        real_add(log, record)
        listed.append(record)
        if len(listed) == 2:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(PartLog, "add", add_then_signal)
    out = tmp_path / "across"
    with pytest.raises(BaseException) as stop:  # it was a bare KeyboardInterrupt: "nothing was written"
        run_across(load_scenario(toy), [{"regime.commit": 0.5}, {"regime.commit": 0.9}], 16, out)
    assert isinstance(stop.value, Interrupted) and stop.value.finished == len(load_results(out).runs) == 4
    # Not "run the same command again": it would refuse the folder. Python names the argument, the command line the flag.
    assert "another out=" in stop.value.advice and "another --out" in stop.value.on_command_line()


def test_run_across_a_parameter_set_says_how_many_of_its_vectors_it_used(toy, tmp_path, capsys):
    """`run moscow.yaml --runs 4 --param-set campaign.accepted.csv` said "4 replicates across 36 parameter vectors":
    replicate i runs with row i mod K, so 4 replicates use 4 of the 36."""
    rows = tmp_path / "set.csv"
    rows.write_text("trial,regime.commit\n" + "".join(f"{k},{0.5 + 0.1 * k}\n" for k in range(3)))
    assert main(["run", str(toy), "--runs", "2", "--workers", "1", "--param-set", str(rows), "--out", str(tmp_path / "two")]) == 0
    assert f"(2 replicates across 2 of the 3 parameter vectors in {rows})" in capsys.readouterr().out
    assert main(["run", str(toy), "--runs", "4", "--workers", "1", "--param-set", str(rows), "--out", str(tmp_path / "four")]) == 0
    assert "(4 replicates across all 3 parameter vectors" in capsys.readouterr().out
    # Replicate i ran with row i mod 3: seeds 40..43 with commit 0.5, 0.6, 0.7, 0.5, each as that point run alone.
    sc = load_scenario(toy)
    for run, commit in zip(load_results(tmp_path / "four").runs, (0.5, 0.6, 0.7, 0.5), strict=True):
        alone = [simulate(sc.with_params(regime__commit=c), seed=run.seed) for c in (0.5, 0.6, 0.7)]
        assert [c for c, a in zip((0.5, 0.6, 0.7), alone, strict=True) if a.timeseries.equals(run.timeseries)] == [commit], run.seed


def test_more_replicates_keep_the_parts_already_written(toy, tmp_path, monkeypatch):
    sc = load_scenario(toy)
    out = tmp_path / "e"
    run_ensemble(sc, 8, out)  # parts of one replicate
    real, calls = sim.experiments.ensemble._replicate_batch, []
    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch",
                        lambda scenario, seeds, *rest: calls.append(seeds) or real(scenario, seeds, *rest))
    grown = run_ensemble(sc, 12, out)  # parts of two: 40..47 are kept as they are
    assert calls == [[48, 49], [50, 51]]
    fresh = run_ensemble(sc, 12, tmp_path / "fresh")
    for name in SUMMARIES:  # summaries depend on the replicates, not on how they were stored
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    assert [r.seed for r in load_results(out).runs] == [r.seed for r in grown.runs] == [r.seed for r in fresh.runs]


def test_fewer_replicates_than_the_folder_holds_are_refused_and_delete_nothing(toy, tmp_path, capsys):
    """A rerun with fewer --runs deleted the finished replicates outside them without a word (832 of an interrupted 3,000)."""
    sc = load_scenario(toy)
    out = tmp_path / "e"
    run_ensemble(sc, 8, out)
    before = files(out)
    with pytest.raises(InputError, match=r"holds 8 finished replicates .* 3 of them \(seeds 45–47\) are not among the 5 "
                                         r"asked for.*give seed=40 runs=8, which keeps them and runs those asked for too") as info:
        run_ensemble(sc, 5, out)  # named as the call gave them: seed=, runs=, out= (it said --seed, --runs, --out)
    assert str(info.value).startswith(f"out='{out}': ") and "--" not in str(info.value)
    assert files(out) == before
    assert main(["run", str(toy), "--runs", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: --out {out}: holds 8" in err and "give --seed 40 --runs 8, which" in err and files(out) == before
    run_ensemble(sc, 8, out)  # the same command still finds everything in place


def test_another_seed_is_refused_and_deletes_nothing(toy, tmp_path, capsys):
    """Another --seed into a folder changed its inputs' hash (the seed is in it), so every finished replicate was taken
    for one of other inputs and deleted, with a note saying so, where the README promises a refusal."""
    sc = load_scenario(toy)
    out = tmp_path / "e"
    run_ensemble(sc, 6, out)
    before = files(out)
    with pytest.raises(InputError, match=r"holds 6 finished replicates .* 2 of them \(seeds 40–41\) are not among the 6 "
                                         r"asked for.*give seed=40 runs=8, which keeps them"):
        run_ensemble(sc, 6, out, seed=42)
    assert files(out) == before
    assert main(["run", str(toy), "--runs", "3", "--seed", "50", "--out", str(out)]) == 2
    assert f"error: --out {out}: holds 6" in capsys.readouterr().err and files(out) == before
    run_ensemble(sc, 8, out, seed=40)  # as the refusal says: the six kept, 46 and 47 run
    assert sorted(r.seed for r in load_results(out).runs) == list(range(40, 48))


def test_a_refusal_names_only_the_replicates_it_would_delete(toy, tmp_path):
    """Asked for seeds in the middle of those a folder holds, the refusal named one span from the first to the last
    ('20 of them (seeds 20191219..20191243)': 25 seeds, the 5 asked for among them); and one replicate read '1 of them
    (seeds 40..40) are'."""
    sc = load_scenario(toy)
    out = tmp_path / "e"
    run_ensemble(sc, 8, out)  # seeds 40..47
    with pytest.raises(InputError, match=r"; 5 of them \(seeds 40–41, 45–47\) are not among the 3 asked for"):
        run_ensemble(sc, 3, out, seed=42)
    with pytest.raises(InputError, match=r"; 1 of them \(seed 40\) is not among the 8 asked for"):
        run_ensemble(sc, 8, out, seed=41)


def test_another_seed_keeps_the_finished_replicates_it_asks_for(toy, tmp_path, monkeypatch):
    """A --seed whose replicates include every finished one ran them all again (the seed is in the inputs' hash),
    though replicate s is the same whichever seed the ensemble starts from: they are kept, as a resume keeps them."""
    sc = load_scenario(toy)
    out = tmp_path / "e"
    first = run_ensemble(sc, 6, out)
    old = json.loads((out / "manifest.json").read_text())
    before = files(out)
    real, calls, notes = sim.experiments.ensemble._replicate_batch, [], []
    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch",
                        lambda scenario, seeds, *rest: calls.append(seeds) or real(scenario, seeds, *rest))
    reseeded = run_ensemble(sc, 8, out, seed=38, notify=notes.append)
    assert calls == [[38], [39]]
    assert notes == [f"6 of the 8 replicates are in {out} already, and kept; 2 to run"]  # nothing damaged to tell
    kept = {name: data for name, data in files(out).items() if name.startswith("replicates/")}
    assert {name: before[name] for name in kept if name in before} == {n: d for n, d in kept.items() if n in before}
    assert len([n for n in kept if n in before]) == 12  # the 6 parts' two files, untouched
    # each kept part says in the manifest which inputs hash (the seed's) its files carry; new parts carry the manifest's
    records = json.loads((out / "manifest.json").read_text())["parts"]
    assert [r.get("content_hash") for r in records] == [None, None] + [old["content_hash"]] * 6
    fresh = run_ensemble(sc, 8, tmp_path / "fresh", seed=38)
    for name in SUMMARIES:
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    assert [r.seed for r in load_results(out).runs] == [r.seed for r in reseeded.runs] == list(range(38, 46))
    assert [r.seed for r in first.runs] == list(range(40, 46))
    calls.clear()
    run_ensemble(sc, 8, out, seed=38)  # resumed: nothing to run, the kept parts read by their own inputs hash
    run_ensemble(sc, 9, out, seed=37)  # reseeded again: parts of both earlier seeds kept
    assert calls == [[37]]
    records = json.loads((out / "manifest.json").read_text())["parts"]
    assert [r.get("content_hash") for r in records][:3] == [None, fresh.manifest["content_hash"], fresh.manifest["content_hash"]]
    assert [r.get("content_hash") for r in records][3:] == [old["content_hash"]] * 6
    assert [r.seed for r in load_results(out).runs] == list(range(37, 46))


def test_a_changed_scenario_reruns_every_replicate(toy, build, tmp_path):
    out = tmp_path / "e"
    run_ensemble(load_scenario(toy), 3, out)
    before = files(out)
    changed = build.scenario(toy.read_text().replace("regen: 1", "regen: 3"), name="changed.yaml")
    run_ensemble(load_scenario(changed), 3, out)
    assert files(out) != before
    hashes = {part_metadata(p)["content_hash"] for p in (out / "replicates" / "days").iterdir()}
    assert hashes == {json.loads((out / "manifest.json").read_text())["content_hash"]}


def test_cli_ensemble_and_compare_end_to_end(tmp_path):
    base, whatif = tmp_path / "base", tmp_path / "whatif"
    p = run_cli("run", ROOT / "scenarios" / "campaign.yaml", "--runs", "3", "--workers", "2", "--out", base)
    assert p.returncode == 0, p.stderr
    assert "3 replicates" in p.stdout and "Most populous towns to change hands" in p.stdout
    p = run_cli("run", ROOT / "scenarios" / "whatif" / "jan_truce_holds.yaml", "--runs", "3", "-q", "--out", whatif)
    assert p.returncode == 0, p.stderr

    p = run_cli("compare", base)
    assert p.returncode == 0, p.stderr
    table = pd.read_csv(base / "comparison.csv")
    assert {"jan-truce-broken", "maarat-captured", "front-at-moscow-ceasefire-south-east-and-m5", "whole-m5-held"} <= set(table["outcome"])
    assert "moscow-front-stable" not in set(table["outcome"])  # after the campaign's window
    assert "frozen front" in p.stdout and (base / "comparison.md").read_text().removesuffix(MD_MARK + "\n") in p.stdout + "\n"

    p = run_cli("compare", base, whatif)
    assert p.returncode == 0, p.stderr
    assert "paired (same seeds)" in p.stdout
    diff = pd.read_csv(whatif / "comparison_vs_base.csv")
    assert set(diff["section"]) == {"score", "outcome", "date_shift", "quantity", "town_p_regime"}
    assert len(diff[diff["section"] == "town_p_regime"]) == sim.load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml").n


def test_cli_compare_refuses_a_folder_that_is_not_results(tmp_path):
    p = run_cli("compare", tmp_path)
    assert p.returncode == 2 and "not a results folder" in p.stderr and "Traceback" not in p.stderr


def test_an_ensemble_written_as_run_folders_is_still_read_and_compared(toy, build, tmp_path, capsys):
    """Folders written before ensembles stored parts (runs/seed-<s>/) are read as they were, by Python and the CLI."""
    (build.root / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: t3, kind: controller, description: T3 taken, town: T3, date: 2020-02-01, "
        "controller: regime, set: calibration, source: [test-claim]}\n")
    old = legacy_ensemble(toy, 4, tmp_path / "old")
    new = run_ensemble(load_scenario(toy), 4, tmp_path / "new")
    read = load_results(old)
    assert read.complete and [r.seed for r in read.runs] == [40, 41, 42, 43]
    for a, b in zip(read.runs, new.runs, strict=True):
        assert (a.history == b.history).all() and (a.post_history == b.post_history).all()
        assert a.events.astype(str).equals(b.events.astype(str))
    assert main(["compare", str(old)]) == 0 and main(["compare", str(tmp_path / "new")]) == 0
    capsys.readouterr()
    assert (old / "comparison.csv").read_bytes() == (tmp_path / "new" / "comparison.csv").read_bytes()


def test_rerunning_an_ensemble_written_as_run_folders_stores_it_as_parts(toy, tmp_path):
    old = legacy_ensemble(toy, 4, tmp_path / "old")
    (old / "runs" / "notes.txt").write_text("mine")
    notes: list[str] = []
    run_ensemble(load_scenario(toy), 4, old, notify=notes.append)
    assert any("4 replicate folder(s) written by an earlier version" in n for n in notes), notes
    assert sorted(p.name for p in (old / "runs").iterdir()) == ["notes.txt"]  # the user's file stays
    assert files(old) == {**files(run_ensemble(load_scenario(toy), 4, tmp_path / "new").path), "runs/notes.txt": b"mine"}


def test_an_ensemble_of_one_says_one_replicate(toy, tmp_path, capsys):
    """`run --runs 1` printed "1 replicates (seeds 40 .. 40)"; its folder was described, and a run across a parameter
    set summed up, as "1 replicates" too."""
    from sim.io.outputs import describe

    assert main(["run", str(toy), "--runs", "1", "--workers", "1", "--no-map", "--out", str(tmp_path / "one")]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(", 1 replicate (seed 40)")
    assert describe(tmp_path / "one") == "an ensemble of scenario 'toy' (1 replicate)"
    assert main(["run", str(toy), "--runs", "2", "--workers", "1", "--no-map", "--out", str(tmp_path / "two")]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(", 2 replicates (seeds 40 .. 41)")
    assert describe(tmp_path / "two") == "an ensemble of scenario 'toy' (2 replicates)"
    rows = tmp_path / "set.csv"
    rows.write_text("trial,regime.commit\n0,0.5\n1,0.6\n")
    assert main(["run", str(toy), "--runs", "1", "--workers", "1", "--param-set", str(rows), "--out", str(tmp_path / "p")]) == 0
    assert f"(1 replicate across 1 of the 2 parameter vectors in {rows})" in capsys.readouterr().out


def test_progress_asked_for_from_python_shows_wherever_stderr_goes_and_the_command_line_only_on_a_terminal(toy, tmp_path,
                                                                                                             monkeypatch):
    """An analyst's run_ensemble(..., progress=True) in a notebook showed nothing: the bar was drawn on a terminal only
    (tqdm's disable=None), and a notebook's stderr is none. Asked for from Python, it shows; the command line asks for
    one only where its stderr is a terminal, so a log or a pipe still gets none."""
    import sys

    notebook = io.StringIO()  # no terminal
    monkeypatch.setattr(sys, "stderr", notebook)
    sim.run_ensemble(toy, 3, tmp_path / "py", progress=True)
    assert "3/3" in notebook.getvalue() and "run" in notebook.getvalue(), notebook.getvalue()

    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    assert main(["run", str(toy), "--runs", "3", "-q", "--out", str(tmp_path / "cli")]) == 0
    assert "3/3" not in log.getvalue(), log.getvalue()
