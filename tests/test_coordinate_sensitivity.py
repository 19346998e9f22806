"""scripts/coordinate_sensitivity.py: the perturbed theatres it writes, its flags and its --out, on tiny cases."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest

from sim.io.scenario import load_scenario
from sim.io.signatures import MD_MARK

from .conftest import ROOT, script_module

THEATRE = ROOT / "scenarios" / "theatres"
TOWNS = THEATRE / "idlib.towns.csv"


@pytest.fixture(scope="module")
def script():  # noqa: ANN201 - the script's module
    return script_module("coordinate_sensitivity")


def km_between(a: dict, b: dict) -> float:
    kx = math.cos(math.radians(float(a["lat"])))
    return 111.195 * math.hypot(float(b["lat"]) - float(a["lat"]), (float(b["lon"]) - float(a["lon"])) * kx)


def test_only_the_approximate_places_move_and_by_sigma_km(script):
    text = TOWNS.read_text(encoding="utf-8")
    new, km = script.perturbed_towns(text, np.random.default_rng(1), 3.0)
    moved = []
    for a, b in zip(csv.DictReader(io.StringIO(text)), csv.DictReader(io.StringIO(new)), strict=True):
        assert {k: v for k, v in a.items() if k not in ("lat", "lon")} == {k: v for k, v in b.items() if k not in ("lat", "lon")}
        if a["coord_status"] == "verified":
            assert (b["lat"], b["lon"]) == (a["lat"], a["lon"]), a["name"]
        else:
            assert b["lat"] != a["lat"] and b["lon"] != a["lon"], a["name"]
            moved.append(km_between(a, b))
    assert len(moved) == len(km) == 124
    np.testing.assert_allclose(moved, km, atol=0.005)  # what it reports is what it wrote (5 decimals: about a metre)
    per_axis = math.sqrt(np.mean(np.square(moved)) / 2)  # 248 normal draws: 3 km within a few standard errors
    assert 2.5 < per_axis < 3.5, per_axis


def test_belts_move_only_their_own_places_and_as_far_as_when_all_move(script):
    text = TOWNS.read_text(encoding="utf-8")
    everywhere = list(csv.DictReader(io.StringIO(script.perturbed_towns(text, np.random.default_rng(4), 3.0)[0])))
    new, km = script.perturbed_towns(text, np.random.default_rng(4), 3.0, frozenset({"A", "none"}))
    for a, b, c in zip(csv.DictReader(io.StringIO(text)), csv.DictReader(io.StringIO(new)), everywhere, strict=True):
        mine = a["coord_status"] == "approximate" and (a["belt"] or "none") in ("A", "none")
        assert (b["lat"], b["lon"]) == ((c["lat"], c["lon"]) if mine else (a["lat"], a["lon"])), a["name"]
    assert len(km) == 37 + 3  # the approximate places of belt A and of no belt


def towns_written(script, out, *flags: str) -> list[bytes]:  # noqa: ANN001
    assert script.main(["--out", str(out), "--k", "2", "--theatres-only", *flags]) == 0
    return [(out / f"theatre_{k}" / "idlib.towns.csv").read_bytes() for k in (1, 2)]


def test_the_seed_alone_decides_the_theatres_and_sigma_0_changes_nothing(script, tmp_path):
    first = towns_written(script, tmp_path / "a", "--seed", "5")
    assert towns_written(script, tmp_path / "b", "--seed", "5") == first  # byte for byte
    other = towns_written(script, tmp_path / "c", "--seed", "6")
    assert first[0] != first[1] and other[0] != first[0] and other[1] != first[1]
    assert towns_written(script, tmp_path / "z", "--sigma-km", "0") == [TOWNS.read_bytes()] * 2
    folder = tmp_path / "a" / "theatre_2"
    for name in ("idlib.yaml", "idlib.roads.csv", "idlib.posts.csv", "idlib.border.csv"):  # copied as they are
        assert (folder / name).read_bytes() == (THEATRE / name).read_bytes(), name
    scenario = load_scenario(folder / "scenario.yaml")
    campaign = load_scenario(ROOT / "scenarios" / "campaign.yaml")
    assert Path(scenario.theatre) == folder / "idlib.yaml" and scenario.name == "campaign_coords_2"
    assert scenario.seed == campaign.seed and scenario.events == campaign.events  # the recorded campaign, elsewhere


def test_a_draw_the_loader_refuses_is_said_and_drawn_again(script, tmp_path, monkeypatch, capsys):
    real, draws = script.perturbed_towns, []

    def first_off_the_globe(text, rng, sigma_km, belts):  # noqa: ANN001, ANN202
        new, km = real(text, rng, sigma_km, belts)
        draws.append(new)
        return (new.replace(",35.86447,36.80591,", ",135.86447,36.80591,") if len(draws) == 1 else new), km

    monkeypatch.setattr(script, "perturbed_towns", first_off_the_globe)
    assert script.main(["--out", str(tmp_path / "out"), "--k", "1", "--theatres-only"]) == 0
    err = capsys.readouterr().err
    assert "theatre 1: draw 1 refused" in err and "135.86447 is outside [-90, 90]" in err and len(draws) == 2
    folder = tmp_path / "out" / "theatre_1"
    assert (folder / "idlib.towns.csv").read_text(encoding="utf-8") == draws[1]
    assert "draw 2 of numpy default_rng(1)" in (folder / "draw.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("flags, named", [
    (["--k", "0"], "--k"), (["--k", "two"], "--k"), (["--sigma-km", "-1"], "--sigma-km"),
    (["--sigma-km", "nan"], "--sigma-km"), (["--seed", "-3"], "--seed"), (["--seed", "1.5"], "--seed"),
    (["--runs", "1"], "--runs"), (["--workers", "0"], "--workers"), (["--belts", "E"], "--belts"), ([], "--out")])
def test_a_bad_flag_exits_with_status_2_naming_it(script, tmp_path, capsys, flags, named):
    out = ["--out", str(tmp_path / "out")] if named != "--out" else []
    with pytest.raises(SystemExit) as stop:
        script.main([*out, *flags])
    assert stop.value.code == 2 and named in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("stranger", ["notes.txt", "theatre_1/notes.txt", "base_runs/notes.txt", "coordinate_sensitivity.md"])
def test_an_out_holding_a_strangers_file_is_refused_untouched(script, tmp_path, capsys, stranger):
    out = tmp_path / "out"
    assert script.main(["--out", str(out), "--k", "1", "--theatres-only"]) == 0  # an --out of its own, then a stranger
    (out / stranger).parent.mkdir(exist_ok=True)
    (out / stranger).write_text("mine\n", encoding="utf-8")
    before = snapshot(out)
    capsys.readouterr()
    assert script.main(["--out", str(out), "--k", "1", "--theatres-only", "--seed", "2"]) == 2
    assert f"{stranger.split('/')[0]} (" in capsys.readouterr().err and snapshot(out) == before


def test_a_tiny_study_scores_the_base_and_the_perturbed_theatre(script, tmp_path, capsys):
    out, flags = tmp_path / "out", ["--k", "1", "--runs", "2", "--workers", "1", "--sigma-km", "1"]
    assert script.main(["--out", str(out), *flags]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "coordinate_sensitivity.csv").read_text(encoding="utf-8"))))
    assert [r["theatre"] for r in rows] == ["base", "theatre_1", "min over perturbed", "max over perturbed"]
    assert rows[0]["posts off rule"] == "0" and rows[0]["minus base: Brier"] == ""  # the shipped theatre keeps its rule
    assert 0 < float(rows[1]["mean move km"]) < 3 and float(rows[1]["outcomes met (all)"]) > 0
    assert rows[2]["outcomes met (all)"] == rows[1]["outcomes met (all)"] == rows[3]["outcomes met (all)"]
    report = (out / "coordinate_sensitivity.md").read_text(encoding="utf-8")
    assert "| range of 1 |" in report and report.removesuffix(MD_MARK + "\n") in capsys.readouterr().out  # printed too
    assert report.endswith(MD_MARK + "\n")  # signed, so that a rerun knows it
    assert script.foreign(out) == [] and script.main(["--out", str(out), *flags]) == 0  # its own --out: accepted again
