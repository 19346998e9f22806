"""The manifest's content hash changes with every input that shapes a run.

``sim.simulate(...).content_hash`` covers the resolved scenario (so a parent
reached through ``extends`` counts by its effect on the parameters) and the
bytes of every theatre file and the claims record. Formatting of the scenario
YAML does not count: the resolved parameters, not the text, are hashed.
"""

from __future__ import annotations

import shutil

import pytest

import sim

from .conftest import Builder


def world(root) -> Builder:
    b = Builder(root)
    towns = [("A", 35.50, 36.00, "regime", 20000), ("B", 35.50, 36.05, "hts"), ("C", 35.50, 36.10, "rebels")]
    b.theatre(towns, [("A", "B", "M4"), ("B", "C", "M4")], posts=[("P1", "B", "2019-10-01")])
    (root / "toy.border.csv").write_text("lat,lon\n36.0,36.0\n36.0,36.2\n")
    with (root / "toy.yaml").open("a") as f:
        f.write("border: toy.border.csv\n")
    b.scenario({"name": "base", "factions": {"regime": {"force": 50}, "hts": {"reserve": 20}}}, name="base.yaml")
    b.scenario(
        "# a child scenario\n"
        "extends: base.yaml\n"
        "name: child\n"
        "end: 2020-01-08\n"
        "factions:\n"
        "  regime: {commit: 0.5}\n"
        "events:\n"
        "  - {type: offensive, action: start, axis: [C], date: 2020-01-01, source: [test-claim]}\n",
        name="child.yaml",
    )
    return b


def content_hash(root) -> str:
    return sim.simulate(sim.load_scenario(root / "child.yaml"), seed=1).content_hash


def edit(root, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


# Each edit changes something a run reads; the hash must notice every one.
EDITS = {
    "scenario parameter": ("child.yaml", "commit: 0.5", "commit: 0.6"),
    "scenario event": ("child.yaml", "date: 2020-01-01", "date: 2020-01-02"),
    "scenario window": ("child.yaml", "end: 2020-01-08", "end: 2020-01-09"),
    "parent parameter": ("base.yaml", "reserve: 20", "reserve: 21"),
    "parent seed": ("base.yaml", "seed: 1", "seed: 2"),
    "theatre index": ("toy.yaml", "default_population: 1000", "default_population: 1001"),
    "towns": ("toy.towns.csv", "C,35.5,36.1", "C,35.5,36.11"),
    "roads": ("toy.roads.csv", "B,C,M4", "B,C,M5"),
    "posts": ("toy.posts.csv", "2019-10-01", "2019-10-02"),
    "border": ("toy.border.csv", "36.0,36.2", "36.0,36.3"),
    "claims record": ("seeds/claims.yaml", "a test fact", "a test fact, corrected"),
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    root = tmp_path_factory.mktemp("hash-base")
    world(root)
    return content_hash(root)


@pytest.mark.parametrize("what", EDITS)
def test_hash_changes_with_every_input(tmp_path, baseline, what):
    world(tmp_path)
    assert content_hash(tmp_path) == baseline  # same content in another folder: same hash
    edit(tmp_path, *EDITS[what])
    assert content_hash(tmp_path) != baseline


def test_every_edit_gives_its_own_hash(tmp_path_factory, baseline):
    hashes = {baseline}
    for what, change in EDITS.items():
        root = tmp_path_factory.mktemp(what.replace(" ", "-"))
        world(root)
        edit(root, *change)
        hashes.add(content_hash(root))
    assert len(hashes) == len(EDITS) + 1


def test_every_theatre_file_is_covered(tmp_path):
    """If the theatre gains a file kind, EDITS must gain an edit of it."""
    world(tmp_path)
    files = {p.name for p in sim.load_theatre(tmp_path / "toy.yaml").files}
    assert files == {"toy.yaml", "toy.towns.csv", "toy.roads.csv", "toy.posts.csv", "toy.border.csv"}
    assert files <= {name for name, _, _ in EDITS.values()}


def test_formatting_of_the_scenario_does_not_change_the_hash(tmp_path, baseline):
    """Comments, blank lines, key order and flow vs block style resolve to the same scenario."""
    world(tmp_path)
    (tmp_path / "child.yaml").write_text(
        "name: child   # renamed comment\n"
        "\n"
        "factions:\n"
        "  regime:\n"
        "    commit: 0.5\n"
        "events:\n"
        "  - type: offensive\n"
        "    date: 2020-01-01\n"
        "    action: start\n"
        "    axis: [C]\n"
        "    source:\n"
        "      - test-claim\n"
        "end: 2020-01-08\n"
        "extends: base.yaml\n"
    )
    assert content_hash(tmp_path) == baseline


def test_a_parent_value_the_child_overrides_does_not_count(tmp_path, baseline):
    """The hash is of the resolved scenario: an inherited value nobody uses is not an input."""
    world(tmp_path)
    edit(tmp_path, "base.yaml", "end: '2020-01-21'", "end: '2020-01-30'")
    assert content_hash(tmp_path) == baseline


def test_same_inputs_same_outputs_across_repeated_runs(tmp_path):
    """Determinism in one process: a second run (theatre now cached) gives identical tables."""
    world(tmp_path)
    scenario = sim.load_scenario(tmp_path / "child.yaml")
    a, b = sim.simulate(scenario, seed=3), sim.simulate(scenario, seed=3)
    assert a.content_hash == b.content_hash
    for table in ("control", "events", "timeseries"):
        assert getattr(a, table).equals(getattr(b, table)), table


def test_copying_the_world_keeps_the_hash(tmp_path, baseline):
    (tmp_path / "one").mkdir()
    world(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    assert content_hash(tmp_path / "two") == baseline
