"""Damaged results (issue 12, class 2): repaired on resume, refused (named, exit 2) when read for analysis, never counted.

Replicates cut short, altered, emptied or missing a file; unknown controller codes; Parquet parts
cut short, copied under another name or over another batch; a change of package version.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import sim.experiments.ensemble
import sim.experiments.manifest
from sim import load_scenario
from sim.analysis.integrity import EVENT_COLUMNS
from sim.analysis.results import load_results, read_rows
from sim.cli import main
from sim.errors import DamagedResult
from sim.experiments.designs import make_design
from sim.experiments.ensemble import run_ensemble
from sim.experiments.parameters import Parameter
from sim.experiments.run import EVENT_COLUMNS as WRITTEN_EVENT_COLUMNS
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec

from . import toys
from .conftest import ev, line_theatre
from .test_ensemble import files


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
    """A finished 4-replicate ensemble, and a reference copy of its files."""
    out = tmp_path / "ens"
    run_ensemble(load_scenario(toy), 4, out)
    return out, files(out)


def rerun(toy, out, monkeypatch) -> list[int]:
    """Run the ensemble again; the seeds that had to be run."""
    real, calls = sim.experiments.ensemble._replicate_batch, []
    monkeypatch.setattr(sim.experiments.ensemble, "_replicate_batch", lambda sc, seeds, *rest: calls.extend(seeds) or real(sc, seeds, *rest))
    notes: list[str] = []
    run_ensemble(load_scenario(toy), 4, out, notify=notes.append)
    return calls


def cut(file: Path, keep: float = 0.5) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: int(len(data) * keep)])


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
def test_a_damaged_replicate_is_rerun_on_resume_and_refused_when_read(toy, ensemble, monkeypatch, capsys, damage):
    out, reference = ensemble
    DAMAGE[damage](out / "runs" / "seed-42")
    with pytest.raises(DamagedResult) as err:
        load_results(out)
    assert "seed-42" in str(err.value)
    for command in (["compare", out], ["map", out], ["plot", out]):
        assert main([str(a) for a in command]) == 2
        stderr = capsys.readouterr().err
        assert stderr.startswith("error: ") and "seed-42" in stderr and "Traceback" not in stderr
    assert rerun(toy, out, monkeypatch) == [42]
    assert files(out) == reference


@pytest.mark.parametrize("damage", ["control.csv cut at a line", "unknown controller", "events.csv missing", "timeseries.csv empty"])
def test_damage_is_found_from_the_structure_alone_in_older_folders(toy, ensemble, monkeypatch, damage):
    """Without checksums in the manifest: row counts, dates, towns and controller codes still tell."""
    out, reference = ensemble
    folder = out / "runs" / "seed-41"
    drop_checksums(folder)
    DAMAGE[damage](folder)
    with pytest.raises(DamagedResult, match="seed-41"):
        load_results(out)
    assert rerun(toy, out, monkeypatch) == [41]
    assert files(out) == reference


def test_an_unknown_controller_is_never_read_as_the_government(toy, ensemble):
    out, _ = ensemble
    folder = out / "runs" / "seed-40"
    drop_checksums(folder)
    text = (folder / "control.csv").read_text()
    (folder / "control.csv").write_text(text.replace(",hts\n", ",Hts\n", 1))
    with pytest.raises(DamagedResult, match="unknown controller 'Hts'"):
        load_results(out)


def test_a_missing_replicate_in_a_complete_ensemble_is_damage(toy, ensemble, monkeypatch):
    out, reference = ensemble
    import shutil

    shutil.rmtree(out / "runs" / "seed-43")
    with pytest.raises(DamagedResult, match="seed-43: is missing, though the ensemble is marked complete"):
        load_results(out)
    assert rerun(toy, out, monkeypatch) == [43]
    assert files(out) == reference


def test_a_new_package_version_reruns_every_replicate(toy, ensemble, monkeypatch):
    out, _ = ensemble
    monkeypatch.setattr(sim.experiments.manifest, "package_version", lambda: "99.0")
    assert sorted(rerun(toy, out, monkeypatch)) == [40, 41, 42, 43]
    versions = {json.loads((p / "manifest.json").read_text())["package_version"] for p in (out / "runs").iterdir()}
    assert versions == {"99.0"}


def test_a_replicate_from_other_inputs_is_refused_when_read(toy, ensemble):
    out, _ = ensemble
    manifest = json.loads((out / "runs" / "seed-40" / "manifest.json").read_text())
    manifest["content_hash"] = "0" * 64
    (out / "runs" / "seed-40" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DamagedResult, match="belongs to other inputs"):
        load_results(out)


def test_the_reader_and_the_writer_agree_on_the_events_columns():
    assert EVENT_COLUMNS == WRITTEN_EVENT_COLUMNS


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
def test_a_damaged_part_is_refused_when_read_and_rerun_on_resume(tmp_path, capsys, damage):
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
