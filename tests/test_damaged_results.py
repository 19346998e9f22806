"""Damaged results (issue 12, class 2): repaired on resume, refused (named, exit 2) when read for analysis, never counted.

An ensemble's parts cut short, altered, emptied, missing, copied from another part or ensemble, or
written and never listed; replicate folders of older ensembles cut short, altered, emptied or missing
a file; unknown controller codes; a sweep's Parquet parts cut short, copied under another name or
over another batch; a change of package version.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
import sim.experiments.ensemble
import sim.experiments.manifest
from sim import load_scenario
from sim.analysis.results import load_results, read_rows
from sim.cli import main
from sim.errors import DamagedResult
from sim.experiments.designs import make_design
from sim.experiments.ensemble import run_ensemble
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec
from sim.io.scenario import for_run

from . import toys
from .conftest import ev, legacy_ensemble, line_theatre
from .test_ensemble import files, part_metadata


@pytest.fixture
def toy(build):
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts", "hts"))
    (build.root / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: t2, kind: controller, description: T2 held, town: T2, date: 2020-01-20, "
        "controller: regime, set: calibration, source: [test-claim]}\n")
    body = {"end": "2020-01-31", "seed": 40, "factions": {"regime": {"force": 60, "regen": 1}},
            "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T5"], force=60)]}
    return build.scenario(body)


@pytest.fixture
def ensemble(toy, tmp_path):
    """A finished 4-replicate ensemble (a part per replicate), and a reference copy of its files."""
    out = tmp_path / "ens"
    run_ensemble(load_scenario(toy), 4, out)
    return out, files(out)


@pytest.fixture
def legacy(toy, tmp_path):
    """A 4-replicate ensemble as versions before parts wrote it (runs/seed-<s>/), and the files of the same ensemble now."""
    return legacy_ensemble(toy, 4, tmp_path / "old"), files(run_ensemble(load_scenario(toy), 4, tmp_path / "new").path)


def rerun(toy, out, monkeypatch, notes: list[str] | None = None) -> list[int]:
    """Run the ensemble again; the seeds that had to be run."""
    real, calls = sim.experiments.ensemble._replicate_batch, []
    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch", lambda sc, seeds, *rest: calls.extend(seeds) or real(sc, seeds, *rest))
    run_ensemble(load_scenario(toy), 4, out, notify=(notes if notes is not None else []).append)
    return sorted(calls)


def cut(file: Path, keep: float = 0.5) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: int(len(data) * keep)])


def flip(file: Path) -> None:
    """Change one byte in the middle of ``file`` (a bit rotted, a careless edit)."""
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))


def days(out: Path, seed: int) -> Path:
    return out / "replicates" / "days" / f"part-{seed}.parquet"


def events(out: Path, seed: int) -> Path:
    return out / "replicates" / "events" / f"part-{seed}.parquet"


def other_ensemble(toy, build, tmp_path) -> Path:
    """The same seeds of another scenario (another regime force), as an ensemble of its own."""
    changed = build.scenario(toy.read_text().replace("force: 60", "force: 90", 1), name="other.yaml")
    run_ensemble(load_scenario(changed), 4, tmp_path / "other")
    return tmp_path / "other"


PART_DAMAGE = {
    "days cut short": (lambda out, **_: cut(days(out, 42)), "days/part-42.parquet: is cut short"),
    "events cut short": (lambda out, **_: cut(events(out, 42), 0.9), "events/part-42.parquet: is cut short"),
    "days altered": (lambda out, **_: flip(days(out, 42)), "days/part-42.parquet: has changed since the ensemble wrote it"),
    "events emptied": (lambda out, **_: events(out, 42).write_bytes(b""), "events/part-42.parquet: is cut short"),
    "days missing": (lambda out, **_: days(out, 42).unlink(), "days/part-42.parquet: is missing"),
    "another part's file": (lambda out, **_: shutil.copy(days(out, 41), days(out, 42)),
                            "days/part-42.parquet: holds seeds [41], not [42]: it is another part's"),
    "another ensemble's part": (lambda out, other, **_: shutil.copy(events(other, 42), events(out, 42)),
                                "events/part-42.parquet: its content_hash is"),
    "not listed as complete": (lambda out, **_: unlist(out, 42), "manifest.json: lists no part holding seed 42"),
}


def unlist(out: Path, seed: int) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["parts"] = [p for p in manifest["parts"] if seed not in p["seeds"]]
    (out / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage", PART_DAMAGE)
def test_a_damaged_ensemble_part_is_refused_when_read_and_rerun_on_resume(toy, build, tmp_path, ensemble, monkeypatch, capsys, damage):
    out, reference = ensemble
    make, message = PART_DAMAGE[damage]
    make(out, other=other_ensemble(toy, build, tmp_path) if "ensemble's" in damage else None)
    with pytest.raises(DamagedResult) as err:
        load_results(out)
    assert message in str(err.value) and "run the command that wrote it again" in str(err.value)
    for command in (["compare", out], ["map", out], ["plot", out]):
        assert main([str(a) for a in command]) == 2
        stderr = capsys.readouterr().err
        assert stderr.startswith("error: ") and message in stderr and "Traceback" not in stderr
    notes: list[str] = []
    assert rerun(toy, out, monkeypatch, notes) == [42]
    assert files(out) == reference
    assert damage == "not listed as complete" or any(message in n and "run again" in n for n in notes), notes


def test_part_files_a_stopped_writer_did_not_list_are_removed_and_rerun(toy, ensemble, monkeypatch):
    out, reference = ensemble
    unlist(out, 43)  # as if killed (SIGKILL) after writing the part and before listing it
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "complete": False}))
    assert [r.seed for r in load_results(out).runs] == [40, 41, 42]  # an unlisted part does not count
    notes: list[str] = []
    assert rerun(toy, out, monkeypatch, notes) == [43]
    assert any("2 part file(s) not listed in its manifest" in n for n in notes), notes
    assert files(out) == reference


def test_bad_codes_in_a_part_are_refused_even_with_a_matching_checksum(toy, ensemble):
    """The structure is checked beyond the checksum, so a writer's bug cannot pass an unknown controller as the regime."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out, _ = ensemble
    table = pq.read_table(days(out, 40))
    table = table.set_column(2, table.column_names[2], pa.array(np.full(table.num_rows, 7, np.int8)))
    pq.write_table(table, days(out, 40))
    manifest = json.loads((out / "manifest.json").read_text())
    raw = days(out, 40).read_bytes()
    manifest["parts"][0]["files"]["replicates/days/part-40.parquet"].update(bytes=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DamagedResult, match="part-40.parquet: its control columns hold codes other than 0 to 2"):
        load_results(out)


def test_a_new_package_version_reruns_every_replicate(toy, ensemble, monkeypatch):
    out, _ = ensemble
    monkeypatch.setattr(sim.experiments.manifest, "package_version", lambda: "99.0")
    notes: list[str] = []
    assert rerun(toy, out, monkeypatch, notes) == [40, 41, 42, 43]
    assert any("4 replicate(s) of other inputs, window or package version; they are removed, and this ensemble's 4 "
               "written in their place" in n for n in notes), notes
    versions = {part_metadata(p)["package_version"] for p in (out / "replicates" / "days").iterdir()}
    assert versions == {"99.0"} and load_results(out).complete


# ---- ensembles written before parts: a run folder per replicate ----


def drop_checksums(folder: Path) -> None:
    """Make a replicate look like one written before manifests recorded checksums (structure alone is then checked)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("files")
    (folder / "manifest.json").write_text(json.dumps(manifest))


DAMAGE = {
    "control.csv cut short": lambda f: cut(f / "control.csv"),
    "control.csv cut at a line": lambda f: (f / "control.csv").write_text("".join((f / "control.csv").read_text().splitlines(True)[:100])),
    "unknown controller": lambda f: (f / "control.csv").write_text((f / "control.csv").read_text().replace(",rebels\n", ",isis\n", 1)),
    "events.csv missing": lambda f: (f / "events.csv").unlink(),
    "timeseries.csv empty": lambda f: (f / "timeseries.csv").write_text(""),
    "posts.csv missing": lambda f: (f / "posts.csv").unlink(),
    "manifest missing": lambda f: (f / "manifest.json").unlink(),
    "events.csv altered": lambda f: (f / "events.csv").write_text((f / "events.csv").read_text() + "2020-01-05,capture,T3,regime;rebels,x\n"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_replicate_folder_is_refused_when_read_and_its_ensemble_rerun(toy, legacy, monkeypatch, capsys, damage):
    out, reference = legacy
    DAMAGE[damage](out / "runs" / "seed-42")
    with pytest.raises(DamagedResult) as err:
        load_results(out)
    assert "seed-42" in str(err.value)
    for command in (["compare", out], ["map", out], ["plot", out]):
        assert main([str(a) for a in command]) == 2
        stderr = capsys.readouterr().err
        assert stderr.startswith("error: ") and "seed-42" in stderr and "Traceback" not in stderr
    assert rerun(toy, out, monkeypatch) == [40, 41, 42, 43]  # an old folder is stored anew, as parts
    assert files(out) == reference


@pytest.mark.parametrize("damage", ["control.csv cut at a line", "unknown controller", "events.csv missing", "timeseries.csv empty"])
def test_damage_is_found_from_the_structure_alone_in_older_folders(legacy, damage):
    """Without checksums in the manifest: row counts, dates, towns and controller codes still tell."""
    out, _ = legacy
    folder = out / "runs" / "seed-41"
    drop_checksums(folder)
    DAMAGE[damage](folder)
    with pytest.raises(DamagedResult, match="seed-41"):
        load_results(out)


def test_an_unknown_controller_is_never_read_as_the_government(legacy):
    out, _ = legacy
    folder = out / "runs" / "seed-40"
    drop_checksums(folder)
    text = (folder / "control.csv").read_text()
    (folder / "control.csv").write_text(text.replace(",hts\n", ",Hts\n", 1))
    with pytest.raises(DamagedResult, match="unknown controller 'Hts'"):
        load_results(out)


def test_a_missing_replicate_in_a_complete_old_ensemble_is_damage(legacy):
    out, _ = legacy
    shutil.rmtree(out / "runs" / "seed-43")
    with pytest.raises(DamagedResult, match="seed-43: is missing, though the ensemble is marked complete"):
        load_results(out)


def test_a_replicate_from_other_inputs_is_refused_when_read(legacy):
    out, _ = legacy
    manifest = json.loads((out / "runs" / "seed-40" / "manifest.json").read_text())
    manifest["content_hash"] = "0" * 64
    (out / "runs" / "seed-40" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DamagedResult, match="belongs to other inputs"):
        load_results(out)


# ---- sweeps ----


def sweep(tmp_path, runs=40):
    """A 4-point sweep of a known function, 160 runs in 32 parts of 5 rows."""
    design = make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))])
    spec, out = SweepSpec(Path("toy"), design, runs=runs), tmp_path / "s"
    run_sweep(spec, out, evaluate=toys.linear)
    return spec, out, read_rows(out)


def test_a_copied_part_is_not_counted_twice(tmp_path):
    spec, out, reference = sweep(tmp_path)
    parts = out / "runs.parquet"
    (parts / "part-000000 (copy).parquet").write_bytes((parts / "part-000000.parquet").read_bytes())
    (parts / "part-000000.parquet.bak").write_bytes((parts / "part-000000.parquet").read_bytes())
    pd.testing.assert_frame_equal(read_rows(out), reference)
    assert run_sweep(spec, out, evaluate=toys.linear).ran == 0  # resume does not trip over it either
    assert (parts / "part-000000 (copy).parquet").exists()  # and leaves the user's file alone


@pytest.mark.parametrize("damage", ["cut", "copied over another batch", "beyond the last batch", "another schema"])
def test_a_damaged_sweep_part_is_refused_when_read_and_rerun_on_resume(tmp_path, capsys, damage):
    spec, out, reference = sweep(tmp_path)
    parts = out / "runs.parquet"
    if damage == "cut":
        cut(parts / "part-000001.parquet", 0.6)
    elif damage == "copied over another batch":
        (parts / "part-000001.parquet").write_bytes((parts / "part-000000.parquet").read_bytes())
    elif damage == "beyond the last batch":
        (parts / "part-000040.parquet").write_bytes((parts / "part-000000.parquet").read_bytes())
    else:
        pd.read_parquet(parts / "part-000001.parquet").drop(columns=["b"]).to_parquet(parts / "part-000001.parquet")
    with pytest.raises(DamagedResult, match="part-0000(01|40)"):
        read_rows(out)
    assert main(["sweep-report", str(out)]) == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("error: ") and "part-0000" in stderr and "Traceback" not in stderr
    notes: list[str] = []
    again = run_sweep(spec, out, evaluate=toys.linear, notify=notes.append)
    assert notes and "run again" in notes[0]
    assert again.ran == (0 if damage == "beyond the last batch" else again.manifest["batch_runs"])
    pd.testing.assert_frame_equal(read_rows(out), reference)


def test_a_cut_sweep_part_says_why_it_cannot_be_read_without_repeating_its_path(tmp_path):
    """Round 65: pyarrow's message names the file again ("Could not open Parquet input source '<path>': Parquet magic
    bytes not found in footer. ..."), and cut at 120 characters it ended "...not found in )" under a results folder of
    ordinary depth: the path twice and no reason."""
    _, out, _ = sweep(tmp_path / ("deep" * 12))
    part = out / "runs.parquet" / "part-000001.parquet"
    part.write_bytes(part.read_bytes()[:40])
    with pytest.raises(DamagedResult) as info:
        read_rows(out)
    said = str(info.value)
    assert said.count(part.name) == 1, said
    assert "magic bytes not found in footer)" in said, said


def _run_in_a_checkout_that_moves(tmp_path: Path, *, runs: int = 1) -> tuple[Path, Path]:
    """A results folder written from a copy of the project's scenarios and record in ``tmp_path/old``, which is then
    removed (a checkout moved, renamed or cloned afresh): its manifest names inputs that are gone."""
    from .conftest import ROOT

    old = tmp_path / "old"
    for folder in ("scenarios", "seeds"):
        shutil.copytree(ROOT / folder, old / folder)
    scenario = for_run(old / "scenarios" / "jan_truce.yaml", days=10)
    out = tmp_path / "results"
    if runs == 1:
        sim.write_run(sim.simulate(scenario), out)
    else:
        run_ensemble(scenario, runs, out, workers=1)
    return old, out


@pytest.mark.parametrize("runs", [1, 3])
def test_a_results_folder_is_read_after_the_checkout_that_wrote_it_has_moved(tmp_path, runs):
    """A run made in one clone and read in another was refused: "the run's theatre is not found at /old/clone/...".
    The same inputs are found where a checkout keeps them and taken because the manifest's content hash says they
    are the very files the run read; the manifest on disk is left alone."""
    from .conftest import ROOT

    old, out = _run_in_a_checkout_that_moves(tmp_path, runs=runs)
    written = (out / "manifest.json").read_bytes()
    shutil.rmtree(old)
    results = load_results(out)
    assert Path(results.manifest["inputs"]["theatre"]) == ROOT / "scenarios" / "theatres" / "idlib.yaml"
    assert results.claims_file == ROOT / "seeds" / "claims.yaml"
    assert len(results.runs) == runs and len(results.theatre.towns) == 191
    assert (out / "manifest.json").read_bytes() == written


def test_inputs_found_elsewhere_with_other_content_are_read_on_as_changed_inputs_are(tmp_path, monkeypatch):
    """Files at the same place in another checkout but with other content (a claims record a later round changed) were
    refused, blaming the theatre ("the run's theatre is not found"), though the same changed files at the recorded
    place are read on: now a moved folder reads on them too, and a table that no longer fits says the inputs changed.
    With no theatre anywhere it is still refused, saying where it was looked for."""
    old, out = _run_in_a_checkout_that_moves(tmp_path)
    other = tmp_path / "other"
    shutil.copytree(old, other)
    shutil.rmtree(old)
    with (other / "seeds" / "claims.yaml").open("a") as f:
        f.write("\n# an edited record\n")
    monkeypatch.chdir(other)
    monkeypatch.setattr("sim.analysis.relocated.CHECKOUT", other)
    results = load_results(out)
    assert results.claims_file == other / "seeds" / "claims.yaml" and len(results.runs) == 1
    assert Path(results.manifest["inputs"]["theatre"]) == other / "scenarios" / "theatres" / "idlib.yaml"
    _add_a_town(other / "scenarios" / "theatres")  # and a table that no longer fits them: the change named as the cause
    with pytest.raises(DamagedResult, match=r"of the theatre and claims record the run read, .* have changed since") as info:
        load_results(out)
    named = info.value.message.split("the run read, ")[1].split(" have changed")[0]  # the files the new theatre found
    assert named.split(", ") == [str(other / "scenarios" / "theatres" / "idlib.towns.csv"), str(other / "seeds" / "claims.yaml")]
    shutil.rmtree(other / "scenarios")
    with pytest.raises(sim.InputError, match="theatre and claims record are not found at .*nor under"):
        load_results(out)


@pytest.mark.parametrize("kind", ["run", "ensemble"])
def test_a_manifest_cut_short_is_named_with_what_to_do_and_the_folder_is_left_alone(toy, tmp_path, capsys, kind):
    """A walk-through cut a run's manifest short: `compare` said "unreadable manifest" with no way on, and a rerun into
    the folder was refused as if it held "files the simulator did not write" (every one of them its own)."""
    out = tmp_path / kind
    assert main(["run", str(toy), "--out", str(out), "--no-map", "-q", "--workers", "1"] + (["--runs", "2"] if kind == "ensemble" else [])) == 0
    (out / "manifest.json").write_text('{"kind": "run", ')
    before = files(out)
    capsys.readouterr()
    for command in (["compare", str(out)], ["check", str(out)], ["run", str(toy), "--out", str(out)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "another --out" in err and "remove the folder" in err, (command, err)
        assert "did not write" not in err and ("cannot be read" in err or "unreadable manifest" in err), (command, err)
    assert files(out) == before  # refused, never removed


REMOVED = "(removed)"  # the key taken out of the manifest, not given a value

# A hand edit that leaves valid JSON with a value of the wrong kind where the readers look (found by a fuzzer in round 44).
EDITED_MANIFESTS = [("run", "inputs", 1.5), ("run", "start", 10 ** 30), ("run", "files", {"control.csv": {"rows": None}}),
                    ("ensemble", "seeds", 1e308), ("ensemble", "start", "x"), ("ensemble", "inputs", {"claims": "c"}),
                    ("sweep", "runs_per_point", [1, 2]), ("sweep", "design", 1.5), ("sweep", "seed", "2020-02-30"),
                    ("sweep", "points", None), ("ensemble", "scenario_name", None), ("sweep", "points", 10 ** 30),
                    # Round 55: inputs null passed the check (a traceback); an end before the start was read as a run of
                    # minus 7,368 days ("the run's -7368 days x 191 towns make -1,407,288" rows), not an edited manifest.
                    ("run", "inputs", None), ("run", "end", "2000-01-01"), ("ensemble", "end", "2000-01-01"),
                    ("run", "kind", "banana"), ("ensemble", "kind", None),  # a run said "ok"; an ensemble "control.csv missing"
                    # sweep-report's TypeError and ZeroDivisionError tracebacks (round 55):
                    ("sweep", "scenario", None), ("sweep", "design", {"sample": "grid", "parameters": []}),
                    # Round 75's input hunt: a key every version wrote, removed, or the scenario without its events:
                    # plot and map read the events (KeyError), an ensemble's parts the dates (TypeError), tracebacks.
                    ("ensemble", "start", REMOVED), ("ensemble", "end", REMOVED), ("run", "parameters", REMOVED),
                    ("ensemble", "parameters", {"name": "x"}), ("run", "parameters", {"events": "x"}),
                    ("run", "parameters", {"events": [{"id": "a"}]}),
                    # A count of points the design does not give (its 4): 7 made a whole sweep read as unfinished,
                    # "4 of 7 points" (discover, sweep-report, status 0); 3 blamed a part for naming a batch past the end.
                    ("sweep", "points", 7), ("sweep", "points", 3)]


@pytest.mark.parametrize("kind,key,value", EDITED_MANIFESTS, ids=[f"{k} {key}={v!r}"[:40] for k, key, v in EDITED_MANIFESTS])
def test_a_manifest_edited_into_other_kinds_of_values_is_named_not_a_traceback(toy, tmp_path, capsys, kind, key, value):
    """A manifest still JSON but with a value of another kind (a list for a number, a number for the inputs) passed the
    check that it could be read, then failed in whatever used the value: compare, plot, map, sweep-report and discover
    printed a TypeError, KeyError or ValueError traceback (status 1). It is damage, named with its key, as a manifest
    cut short is."""
    if kind == "sweep":
        _, out, _ = sweep(tmp_path, runs=2)
        marker, commands = "sweep.json", (["sweep-report", str(out)], ["discover", str(out), "--where", "y >= 0"])
    else:
        out = tmp_path / kind
        assert main(["run", str(toy), "--out", str(out), "--no-map", "-q", "--workers", "1"]
                    + (["--runs", "2"] if kind == "ensemble" else [])) == 0
        marker, commands = "manifest.json", (["compare", str(out)], ["plot", str(out)], ["map", str(out), "--out", str(tmp_path / "m.png")])
    data = json.loads((out / marker).read_text())
    if value == REMOVED:
        del data[key]
    else:
        data[key] = value
    (out / marker).write_text(json.dumps(data))
    before = files(out)
    capsys.readouterr()
    with pytest.raises((sim.InputError, DamagedResult), match=f"'{key}"):
        read_rows(out) if kind == "sweep" else load_results(out)
    for command in commands:
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and marker in err and f"'{key}" in err and "another --out" in err, (command, err)
    assert files(out) == before


# Designs whose count of points does not change with a parameter taken out of sweep.json: a sampled one (n points
# whatever the parameters) and a grid parameter of one value.
ONE_LESS = {"lhs": ("lhs", [Parameter("a", low=0.0, high=1.0), Parameter("b", low=0.0, high=1.0)], 8),
            "grid of one value": ("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.5,))], None)}


@pytest.mark.parametrize("design", list(ONE_LESS))
def test_a_sweep_json_with_a_parameter_taken_out_is_refused_not_read_as_a_metric(tmp_path, capsys, design):
    """A parameter removed from sweep.json's design passed every check of a sampled design (its count of points is
    n whatever the parameters), and discover and sweep-report then took that parameter's column for a metric
    ("the mean of `b` over its replicates meets `b >= 0.5`"). points.csv beside it, written with the manifest, holds the
    design's columns: the two must agree."""
    sample, parameters, n = ONE_LESS[design]
    out = tmp_path / "s"
    run_sweep(SweepSpec(Path("toy"), make_design(sample, parameters, n=n), runs=2), out, evaluate=toys.linear)
    data = json.loads((out / "sweep.json").read_text())
    data["design"]["parameters"] = data["design"]["parameters"][:1]
    (out / "sweep.json").write_text(json.dumps(data))
    before = files(out)
    with pytest.raises(sim.InputError, match="'design'.*points.csv beside it \\(a, b\\)"):
        read_rows(out)
    for command in (["sweep-report", str(out)], ["discover", str(out), "--where", "b >= 0.5"]):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert err.startswith(f"error: {out / 'sweep.json'}, key 'design': ") and err.count("\n") == 1, (command, err)
    assert files(out) == before


@pytest.mark.parametrize("damaged", ["manifest.json", "sweep.json"])
def test_a_refusal_reads_the_folders_marker_once(tmp_path, monkeypatch, damaged):
    """claim_folder read a damaged marker again and again to say what the folder holds and whether to suggest removing
    it (4 reads of manifest.json): once is enough, and then both parts of the message come from the same content."""
    from sim.io.outputs import claim_folder

    out = tmp_path / "r"
    out.mkdir()
    (out / damaged).write_text('{"kind": "run", ')  # cut short
    (out / "control.csv").write_text("date,town,controller\n")
    reads: dict[str, int] = {}
    real = Path.read_text

    def counted(self, *args, **kwargs):
        reads[self.name] = reads.get(self.name, 0) + 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counted)
    with pytest.raises(sim.InputError) as info:
        claim_folder(out, "run", scenario="toy")
    assert info.value.on_command_line() == (f"--out {out}: exists and holds results whose {damaged} cannot be read (damaged or cut "
                               "short); a run cannot be written there; choose another --out (a new folder's name), or "
                               "remove the folder if its results are no longer needed")
    assert reads[damaged] == 1 and max(reads.values()) == 1, reads


def _add_a_town(theatre_dir: Path) -> None:
    """The theatre's towns table grown by a town (as a `git pull` of a newer theatre would)."""
    file = theatre_dir / "idlib.towns.csv"
    towns = pd.read_csv(file, dtype=str, keep_default_na=False)
    new = towns.iloc[-1].copy()
    new["name"], new["alt_names"], new["lat"] = "Newtown", "", str(float(new["lat"]) + 0.01)
    towns.loc[len(towns)] = new
    towns.to_csv(file, index=False)


@pytest.mark.parametrize("runs", [1, 3])
def test_a_theatre_changed_since_the_run_is_said_to_be_the_cause_not_damage_alone(tmp_path, monkeypatch, runs):
    """After the theatre at the manifest's path gained a town, intact tables were reported as damaged ("has 2,101 rows;
    the run's 11 days x 192 towns make 2,112"), though the manifest's content hash shows the inputs changed; and a copy
    of the very files the run read, in the working folder, was not looked for while the changed ones were there."""
    old, out = _run_in_a_checkout_that_moves(tmp_path, runs=runs)
    pristine = tmp_path / "pristine"
    shutil.copytree(old, pristine)
    _add_a_town(old / "scenarios" / "theatres")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.analysis.relocated.CHECKOUT", tmp_path / "no-checkout")  # nor in this one
    towns = old / "scenarios" / "theatres" / "idlib.towns.csv"
    with pytest.raises(DamagedResult, match=rf"the run read, {re.escape(str(towns))} has changed since .*input_sha256"):
        load_results(out)
    monkeypatch.chdir(pristine)  # the version the run was made with, where a checkout keeps it
    results = load_results(out)
    assert Path(results.manifest["inputs"]["theatre"]) == pristine / "scenarios" / "theatres" / "idlib.yaml"
    assert len(results.runs) == runs


def test_a_folder_keeps_each_input_files_hash_and_one_written_before_them_is_still_read(tmp_path, monkeypatch):
    """A manifest kept one hash over the theatre and the record together, so a changed input could not be named: it
    keeps each file's SHA-256 now (by its path from the theatre's folder), and a folder written before, without them,
    is read as it was, its message saying only that the theatre or the record changed."""
    old, out = _run_in_a_checkout_that_moves(tmp_path)
    theatre_dir = old / "scenarios" / "theatres"
    manifest = json.loads((out / "manifest.json").read_text())
    recorded = manifest["input_sha256"]
    assert recorded["claims"] == hashlib.sha256((old / "seeds" / "claims.yaml").read_bytes()).hexdigest()
    assert recorded["theatre"] == {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in theatre_dir.glob("idlib.*")}
    del manifest["input_sha256"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert len(load_results(out).runs) == 1
    _add_a_town(theatre_dir)
    monkeypatch.setattr("sim.analysis.relocated.CHECKOUT", tmp_path / "no-checkout")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DamagedResult, match=r"the theatre or claims record the run read \(.*\) has changed since \(the "
                       "manifest's content_hash"):
        load_results(out)


def test_an_ensemble_across_a_parameter_set_tells_its_changed_inputs_by_each_files_hash(tmp_path):
    """Its content hash is one a replicate ("various: see each replicate"), so any theatre that loaded was taken for
    the run's, changed or not: each file's own hash now tells, and names the one that changed."""
    from sim.analysis.relocated import changed_inputs, inputs_changed
    from sim.io.scenario import input_file_hashes

    from .conftest import ROOT

    for folder in ("scenarios", "seeds"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    scenario = load_scenario(tmp_path / "scenarios" / "jan_truce.yaml")
    manifest = {"content_hash": "various: see each replicate", "parameters": json.loads(scenario.canonical_json()),
                "inputs": {"theatre": str(scenario.theatre), "claims": str(scenario.claims)},
                "input_sha256": input_file_hashes(scenario)}
    assert not inputs_changed(manifest) and changed_inputs(manifest) == []
    roads = tmp_path / "scenarios" / "theatres" / "idlib.roads.csv"
    roads.write_text(roads.read_text() + "\n")
    assert inputs_changed(manifest) and changed_inputs(manifest) == [str(roads)]
    roads.unlink()
    assert changed_inputs(manifest) == [f"{roads} (gone)"]


def test_part_files_removed_for_a_damaged_list_of_parts_are_not_blamed_on_a_stopped_writer(toy, ensemble, monkeypatch):
    """With the manifest's list of parts unreadable, every part file is unlisted, and the note blamed 'a stopped
    writer', which is not what happened: the list itself is damaged (said first), and the files are removed for it."""
    out, _ = ensemble
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["parts"][0]["seeds"] = "forty"
    (out / "manifest.json").write_text(json.dumps(manifest))
    notes: list[str] = []
    assert rerun(toy, out, monkeypatch, notes) == [40, 41, 42, 43]
    assert "every replicate is run again" in notes[0], notes
    assert any("part file(s) that its damaged list of parts cannot vouch for were removed" in n for n in notes), notes
    assert not any("stopped writer" in n for n in notes), notes
    assert load_results(out).complete


def test_a_folder_whose_own_record_is_refused_is_told_of_outcomes_to_score_it_against_another(tmp_path, capsys):
    """Results written by an older checkout are scored against the outcomes.yaml beside that checkout's claims record;
    where today's rules refuse that old file, compare and plot named a line of it and stopped, and the user (who never
    chose that file) was not told that --outcomes scores the folder against another, this checkout's record say."""
    from sim import load_scenario, simulate, write_run
    from sim.cli import main

    from .conftest import Builder
    from .test_maps import grid_theatre

    build = Builder(tmp_path)
    grid_theatre(build)
    path = build.scenario({"end": "2020-01-10", "seed": 5})
    folder = write_run(simulate(load_scenario(path)), tmp_path / "run", scenario_path=path)
    (tmp_path / "seeds" / "outcomes.yaml").write_text(
        "claims: claims.yaml\noutcomes:\n  - {id: a, set: calibration, kind: capture, description: x, town: T00, by: hts,"
        " reported: 2020-01-03, after: 2020-01-05, tolerance_days: 2, source: [test-claim]}\n")
    for command in ("compare", "plot"):
        assert main([command, str(folder)]) == 2
        err = capsys.readouterr().err
        assert "'after' (2020-01-05) is later than 'reported'" in err, err
        assert "the outcomes file beside the claims record these results were made with" in err, err
        assert "--outcomes" in err and err.count("\n") == 1, err
