"""Fixed hostile inputs: each one a regression test for a way bad input once
escaped as something other than an InputError, plus the CLI's contract.

The property-based search over mutated scenarios is in test_fuzz_input.py.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
import tracemalloc

import pytest

import sim
from sim import InputError, load_scenario
from sim.cli import main
from sim.io.theatre import load_theatre

from .conftest import ROOT, line_theatre

HEAD = "name: toy\ntheatre: toy.yaml\nclaims: seeds/claims.yaml\nstart: 2020-01-01\nend: 2020-01-21\ninitial_control: 2020-01-01\n"


@pytest.fixture
def toy(build):
    line_theatre(build)
    return build


def _bounded(fn, *, seconds: float, megabytes: float):
    """Run ``fn`` and fail unless it finished within the time and Python-heap bounds."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        return fn()
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < seconds, f"took {elapsed:.1f} s"
        assert peak < megabytes * 2**20, f"peak {peak / 2**20:.0f} MB"


def error_of(path, **overrides) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(path, **overrides)
    return info.value


# ---------------------------------------------------------------- numbers


def test_integer_too_long_to_parse(toy):
    # Python refuses int() on more than 4,300 decimal digits (ValueError).
    err = error_of(toy.scenario(HEAD + "seed: " + "9" * 5000 + "\n"))
    assert err.line == 7 and "number too long" in err.message


def test_huge_hex_integer_is_reported_not_printed(toy):
    # A hex literal parses, but its repr in the message used to raise ValueError.
    err = error_of(toy.scenario(HEAD + "seed: 0x" + "f" * 5000 + "\n"))
    assert err.key == "seed" and err.line == 7
    assert "integer of about 6020 digits" in err.message and len(str(err)) < 300


def test_huge_integer_key(toy):
    err = error_of(toy.scenario(HEAD + "factions:\n  regime:\n    ? 0x" + "f" * 5000 + "\n    : 1\n"))
    assert err.line == 9 and "mapping keys must be plain names" in err.message


def test_long_bad_value_is_cut_in_the_message(toy):
    err = error_of(toy.scenario(HEAD + "factions: {regime: {commit: '" + "x" * 10_000 + "'}}\n"))
    assert err.key == "factions.regime.commit" and len(str(err)) < 300


# ---------------------------------------------------------------- theatre tables

TOWNS_HEADER = "name,lat,lon,population,controller_2020_01_01\n"


@pytest.mark.parametrize(
    ("file", "text", "line", "says"),
    [
        # Short rows used to reach .strip() / float() as None.
        ("toy.roads.csv", "from,to,road\nT0\n", 2, "unknown town ''"),
        ("toy.towns.csv", TOWNS_HEADER + "T0,35.5\n", 2, "'' is not a number"),
        ("toy.posts.csv", "post_id,name,town,established\nP1\n", 2, "a post needs the towns it overlooks"),
        # An impossible date in a control column header used to raise ValueError.
        ("toy.towns.csv", "name,lat,lon,population,controller_2020_13_45\nT0,35.5,36,,regime\n", 1, "is not a date"),
        # Silently kept the last of two same-named columns.
        ("toy.towns.csv", "name,lat,lon,population,controller_2020_01_01,controller_2020_01_01\nT0,35.5,36,,regime,hts\n", 1, "appears twice"),
        # An unquoted comma shifts the columns; extra fields were silently dropped.
        ("toy.towns.csv", TOWNS_HEADER + "T0,35.5,36,,regime,x\n", 2, "6 fields, but the header has 5"),
        ("toy.roads.csv", "from,to,road\nT0,T1,M9,x\n", 2, "4 fields, but the header has 3"),
        # Round 75: a road with no name was taken as one (no patrol or corridor can name it, no map draws it as a highway).
        ("toy.roads.csv", "from,to,road\nT0,T1,M9\nT1,T2, \n", 3, "a road needs its name in 'road'"),
    ],
)
def test_broken_theatre_table(toy, file, text, line, says):
    (toy.root / file).write_text(text)
    err = error_of(toy.scenario(HEAD))
    assert err.file == str(toy.root / file) and err.line == line and says in err.message


@pytest.mark.parametrize(("rows", "key", "says"), [
    ("T0,,35.5,36,,regime\nT1,,35.5,36.1,,hts\nT0,,35.6,36,,regime\n", "name", "'T0' is already the name of 'T0' on line 2"),
    ("T0,,35.5,36,,regime\nT1,Tee; t0,35.5,36.1,,hts\n", "alt_names", "'t0' is already the name of 'T0' on line 2"),
    ("T0,Tee,35.5,36,,regime\nTee,,35.5,36.1,,hts\n", "name", "'Tee' is already an alt_name of 'T0' on line 2"),
])
def test_a_town_name_given_twice_names_its_column_and_the_first_line(toy, rows, key, says):
    """A town row repeated was refused at key 'alt_names' ("name 'Saraqib' also names 'Saraqib'"), though the clash
    was in 'name', and the line of the first row was not given."""
    towns = toy.root / "toy.towns.csv"
    towns.write_text("name,alt_names,lat,lon,population,controller_2020_01_01\n" + rows)
    err = error_of(toy.scenario(HEAD))
    assert (err.file, err.line, err.key, err.message) == (str(towns), rows.count("\n") + 1, key, says)


@pytest.mark.parametrize("inside", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"])
def test_a_theatre_field_holding_a_line_separator_of_python_but_not_of_csv_is_read(toy, inside):
    """str.splitlines() also breaks on these, so a town whose note held one (U+2028 from a word processor) was cut in
    two: the town was refused as having no lat, at the next line."""
    towns = toy.root / "toy.towns.csv"
    rows = towns.read_text().splitlines()
    rows[0] += ",note"
    rows[1:] = [row + f",a{inside}b" for row in rows[1:]]
    towns.write_text("\n".join(rows) + "\n", newline="")
    load_scenario(toy.scenario(HEAD))
    theatre = load_theatre(toy.root / "toy.yaml")
    assert theatre.towns == ["T0", "T1", "T2"] and list(theatre.lat) == [35.5] * 3
    towns.write_text("\n".join(rows[:3] + [rows[3].replace("35.5", "north")]) + "\n", newline="")
    err = error_of(toy.scenario(HEAD))  # the line of the bad row, counted as a CSV reader counts lines
    assert err.file == str(towns) and err.line == 4 and err.key == "lat" and "'north' is not a number" in err.message


@pytest.mark.parametrize(("where", "far"), [((0, 0), "5,427 km"), ((35.5, 46.0), "900 km"), (None, None)],
                         ids=["null-island", "far-east", "none"])
def test_check_notes_a_place_far_from_every_other_of_its_theatre(build, where, far):
    """Round 75: a town at 0, 0 (coordinates left unfilled) or hundreds of km from the rest passed `check` without a
    word, and ran joined to the others by roads of thousands of km. Valid (a theatre may be anywhere), so a note."""
    towns = [("T0", 35.5, 36.0, "regime"), ("T1", 35.5, 36.055, "hts")]
    if where is not None:
        towns.append(("Far", *where, "rebels"))
    index = build.theatre(towns, [("T0", "T1", "M9")])
    scenario = build.scenario(HEAD)
    for checked in (sim.check(index), sim.check(scenario)):
        notes = [n for n in checked["notes"] if "from the nearest other place" in n]
        if where is None:
            assert notes == [], checked
            continue
        assert len(notes) == 1 and notes[0].startswith(f"place 'Far' (lat {where[0]:g}, lon {where[1]:g}) lies {far}"), notes


FRONT = ("  - {id: f, kind: front, set: calibration, description: d, date: 2020-03-05, reference: 2020-03-06, "
         "min_accuracy: 0.9, source: [front-2020-03-06], belts: %s}\n")


@pytest.mark.parametrize(("outcomes", "line", "key", "says"), [
    # Round 75: an outcomes file of none passed check; compare and calibrate then scored nothing against it.
    ("outcomes: []\n", 3, "outcomes", "lists no outcomes"),
    # and belts: [''] picked the 26 places of no belt, a set no belt names (the index lists A, B, C and D)
    ("outcomes:\n" + FRONT % "['']", 4, "outcomes[0].belts", "the theatre has no belt ''"),
    ("outcomes:\n" + FRONT % "[A, ' ']", 4, "outcomes[0].belts", "the theatre has no belt ' '"),
], ids=["no-outcomes", "empty-belt", "blank-belt"])
def test_an_outcomes_file_scoring_nothing_or_no_belt_is_refused_at_its_line(tmp_path, outcomes, line, key, says):
    bad = tmp_path / "outcomes.yaml"
    bad.write_text(f"# an outcomes file\nclaims: {ROOT / 'seeds' / 'claims.yaml'}\n{outcomes}")
    with pytest.raises(InputError) as info:
        sim.check(bad, scenario=ROOT / "scenarios" / "campaign.yaml")
    assert (info.value.file, info.value.line, info.value.key) == (str(bad), line, key), info.value
    assert says in info.value.message, info.value.message
    bad.write_text(f"claims: {ROOT / 'seeds' / 'claims.yaml'}\noutcomes:\n" + FRONT % "[A, B]")  # the record's own
    assert "1 reported outcome" in sim.check(bad, scenario=ROOT / "scenarios" / "campaign.yaml")["summary"]


@pytest.mark.parametrize("value", ["5", "[a.csv]", "{x: 1}"])
def test_theatre_index_names_a_table_with_something_not_a_name(toy, value):
    index = toy.root / "toy.yaml"
    index.write_text(index.read_text().replace("towns: toy.towns.csv", f"towns: {value}"))
    err = error_of(toy.scenario(HEAD))
    assert err.file == str(index) and err.key == "towns" and err.line is not None


# Round 75's input hunt: the index's own words were taken whatever they were. A name of null ran as a theatre named
# 'None' (the name is in every manifest and in the inputs hash), [a, b] as "['a', 'b']"; belts and sources of any kind.
@pytest.mark.parametrize(("key", "value"), [("name", "null"), ("name", "[a, b]"), ("name", "''"), ("name", ".nan"),
                                            ("description", "{x: 1}"), ("belts", "5"), ("belts", "{A: [1, 2]}"),
                                            ("sources", "[a, b]")])
def test_theatre_index_words_of_another_kind_are_refused_at_their_key(toy, key, value):
    index = toy.root / "toy.yaml"
    text = index.read_text()
    text = text.replace("name: toy", f"name: {value}") if key == "name" else text + f"{key}: {value}\n"
    index.write_text(text)
    err = error_of(toy.scenario(HEAD))
    assert err.file == str(index) and err.key == key and err.line is not None, err


def test_a_towns_belt_the_index_does_not_list_is_refused_at_its_row(tmp_path):
    """Round 75's input hunt: a town's belt was any text (`b` for `B`, `Q`), so an outcome scored over belt B left the
    town out without a word. Where the index lists its belts, a town's is one of them, or none."""
    folder = tmp_path / "theatres"
    shutil.copytree(ROOT / "scenarios" / "theatres", folder)
    towns = folder / "idlib.towns.csv"
    rows = list(csv.reader(io.StringIO(towns.read_text(encoding="utf-8"))))
    column, row = rows[0].index("belt"), next(i for i, r in enumerate(rows) if i and rows[i][rows[0].index("belt")] == "B")
    for belt, refused in (("", False), ("b", True), ("Q", True)):
        rows[row][column] = belt
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        towns.write_text(text.getvalue(), encoding="utf-8")
        if not refused:
            assert load_theatre(folder / "idlib.yaml").belt[row - 1] == ""
            continue
        with pytest.raises(InputError) as info:
            load_theatre(folder / "idlib.yaml")
        err = info.value
        assert (err.file, err.line, err.key) == (str(towns), row + 1, "belt"), err
        assert f"belt '{belt}' is not one of the belts idlib.yaml lists (valid: A, B, C, D)" in err.message, err.message


@pytest.mark.parametrize(("value", "says"), [
    (".", "'towns' names a directory"),             # was IsADirectoryError
    ("/dev/zero", "names a device, pipe or socket"),  # was read until memory ran out
    ("nope.csv", "names a file that does not exist"),
    ('"a\\0.csv"', "names no file (it holds a NUL character, which no file name can)"),  # was a ValueError's traceback
])
def test_theatre_table_that_is_not_a_file(toy, value, says):
    index = toy.root / "toy.yaml"
    index.write_text(index.read_text().replace("towns: toy.towns.csv", f"towns: {value}"))
    err = _bounded(lambda: error_of(toy.scenario(HEAD)), seconds=5, megabytes=50)
    assert err.file == str(index) and err.key == "towns" and err.line is not None and says in err.message


@pytest.mark.parametrize("key", ["theatre", "claims", "extends"])
def test_scenario_naming_a_device_is_refused_not_read_forever(toy, key):
    text = "extends: /dev/zero\n" if key == "extends" else HEAD.replace(f"{key}: ", f"{key}: /dev/zero #", 1)
    path = toy.scenario(text)
    err = _bounded(lambda: error_of(path), seconds=5, megabytes=50)
    assert err.file == str(path) and err.key == key and "names a device, pipe or socket" in err.message


def test_device_or_oversized_scenario_file_is_refused(toy):
    assert "found a device, pipe or socket" in _bounded(lambda: error_of("/dev/zero"), seconds=5, megabytes=50).message
    big = toy.root / "big.yaml"
    big.write_bytes(b"# " + b"x" * (9 * 2**20) + b"\n")
    assert "larger than 8 MB" in _bounded(lambda: error_of(big), seconds=5, megabytes=50).message


# ---------------------------------------------------------------- files a scenario names


@pytest.mark.parametrize(("key", "value", "says"), [
    ("theatre", "nope.yaml", "'theatre' names a file that does not exist"),
    ("theatre", ".", "'theatre' names a directory"),
    ("claims", "nope.yaml", "'claims' names a file that does not exist"),
    ("claims", "seeds", "'claims' names a directory"),
])
def test_missing_theatre_or_claims_points_at_the_scenario_line(toy, key, value, says):
    # Used to name only the missing path (or the directory), not where it was written.
    lines = HEAD.splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith(key + ":"))
    lines[line - 1] = f"{key}: {value}"
    path = toy.scenario("\n".join(lines) + "\n")
    err = error_of(path)
    assert err.file == str(path) and err.key == key and err.line == line
    assert says in err.message


CAMPAIGN = ROOT / "scenarios" / "campaign.yaml"
CALIBRATION = f"scenarios: {CAMPAIGN}\nparameters:\n  regime.commit: {{low: 0.1, high: 0.9}}\nbudget: {{trials: 2}}\n"


@pytest.mark.parametrize(("name", "text", "line", "key"), [
    ("scenario.yaml", HEAD.replace("theatre: toy.yaml", 'theatre: "\\0"'), 2, "theatre"),
    ("scenario.yaml", HEAD.replace("claims: seeds/claims.yaml", 'claims: "seeds/\\x00claims.yaml"'), 3, "claims"),
    ("whatif.yaml", 'extends: "base.yaml\\0"\nname: x\n', 1, "extends"),
    ("sweep.yaml", 'scenario: "\\0"\nparameters:\n  regime.commit: {values: [0.1, 0.2]}\n', 1, "scenario"),
    ("sweep.yaml", f'scenario: {CAMPAIGN}\ndesign: "\\0"\n', 2, "design"),
    ("calibration.yaml", CALIBRATION.replace(f"scenarios: {CAMPAIGN}", 'scenarios: "\\0"'), 1, "scenarios"),
    ("calibration.yaml", CALIBRATION + 'outcomes: {file: "\\0"}\n', 5, "outcomes.file"),
    ("calibration.yaml", CALIBRATION + 'layers: "out\\0"\n', 5, "layers"),
])
def test_a_path_holding_a_nul_character_is_an_input_error_at_its_line(toy, capsys, name, text, line, key):
    """A path written with a NUL character (a fuzzed scenario's `theatre: "\\x00"`, round 72's CI) raised a ValueError
    from the file system's lookup, a traceback; as any other path no file can have, it is refused at its line."""
    toy.scenario(HEAD, name="base.yaml")
    path = toy.scenario(text, name=name)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}, line {line}, key '{key}': ") and "Traceback" not in err, err
    assert "it holds a NUL character, which no file name can" in err and err.count("\n") == 1, err


@pytest.mark.parametrize(("text", "line", "key", "says"), [
    ("extends: null\nname: x\n", 1, "extends", "'extends' must be the path of another scenario"),
    ("extends: [base.yaml]\nname: x\n", 1, "extends", "'extends' must be the path of another scenario"),
    (HEAD.replace("theatre: toy.yaml", "theatre: 7"), 2, "theatre", "'theatre' must be a path"),
])
def test_a_path_that_is_no_string_is_an_input_error_at_its_line(toy, text, line, key, says):
    """Seen by the fuzzed scenarios while the check for a NUL was written: a value that is no string must still be
    refused as no path, not fail on the check meant for strings."""
    err = error_of(toy.scenario(text))
    assert (err.line, err.key) == (line, key) and err.message == says, err


def test_extends_a_directory(toy):
    path = toy.scenario("extends: .\nname: x\n")
    err = error_of(path)
    assert err.file == str(path) and err.key == "extends" and err.line == 1 and "names a directory" in err.message


def test_extends_a_missing_file_says_where_it_looked_and_finds_it_a_folder_above(toy):
    """A what-if written into scenarios/whatif/ with `extends: campaign.yaml` said only that the file does not exist."""
    toy.scenario(HEAD, name="base.yaml")
    (toy.root / "whatif").mkdir()
    path = toy.root / "whatif" / "mine.yaml"
    path.write_text("extends: base.yaml\nname: mine\n")
    err = error_of(path)
    assert err.key == "extends" and err.line == 1
    assert err.message.endswith(f"a file that does not exist: base.yaml, looked for beside mine.yaml in {path.parent}; "
                                "did you mean ../base.yaml?")
    path.write_text("extends: nowhere.yaml\nname: mine\n")
    assert error_of(path).message.endswith(f"nowhere.yaml, looked for beside mine.yaml in {path.parent}")


def test_extends_a_misspelt_file_names_the_file_it_was_meant_to_be(toy):
    """`extends: ../campain.yaml` said only that the file does not exist, where `run scenarios/campain.yaml` names
    campaign.yaml: the near miss is named as 'extends' would read it, from the what-if's folder."""
    toy.scenario(HEAD, name="base.yaml")
    (toy.root / "whatif").mkdir()
    path = toy.root / "whatif" / "mine.yaml"
    path.write_text("extends: ../bsae.yaml\nname: mine\n")
    err = error_of(path)
    assert err.key == "extends" and err.line == 1
    assert err.message.endswith(f"../bsae.yaml, looked for beside mine.yaml in {path.parent}; did you mean ../base.yaml?")


@pytest.mark.parametrize("ident", ["[x]", "{a: 1}"])
def test_an_event_id_that_is_not_a_string_in_a_file_that_extends(toy, ident):
    # Merging events by id hashed it: a list or a mapping was a TypeError with a traceback.
    base = toy.scenario(HEAD + "events:\n  - {id: push, type: offensive, date: 2020-01-02, action: start, axis: [T1], "
                        "source: [test-claim]}\n",
                        name="base.yaml")
    child = toy.scenario(f"extends: {base.name}\nevents:\n  - {{id: {ident}, type: offensive, date: 2020-01-03, "
                         "action: stop, source: [test-claim]}\nname: child\n", name="child.yaml")
    err = error_of(child)
    assert err.file == str(child) and err.line == 3 and "id" in err.key


def test_a_theatre_table_saved_with_a_byte_order_mark_reads_as_without(toy):
    # A spreadsheet's UTF-8 BOM stuck to the first column's name: "missing column(s): name", with the column there.
    from sim.io.theatre import load_theatre

    path = toy.root / "toy.yaml"
    plain = load_theatre(path).towns
    for table in sorted(toy.root.glob("toy.*.csv")):
        table.write_bytes(b"\xef\xbb\xbf" + table.read_bytes())
    assert load_theatre(path).towns == plain


# ---------------------------------------------------------------- dates out of order


def test_ceasefire_that_expires_before_it_takes_effect(toy):
    path = toy.scenario(HEAD + "events:\n  - {type: agreement, name: a, date: 2020-01-02, effective: 2020-01-10,"
                        " until: 2020-01-05, parties: [russia], source: [test-claim]}\n")
    err = error_of(path)
    assert err.key == "events[0].until" and err.line == 8 and "before 'effective'" in err.message


def test_patrol_announced_after_it_starts(toy):
    path = toy.scenario(HEAD + "events:\n  - {type: joint_patrol, date: 2020-01-02, announced: 2020-01-20,"
                        " route: [T0, T2], road: M9, participants: [russia], source: [test-claim]}\n")
    err = error_of(path)
    assert err.key == "events[0].announced" and err.line == 8


@pytest.mark.parametrize("route", [["T0", "T0"], ["T1", "t1"]])
def test_patrol_route_from_a_town_to_itself(toy, route):
    """Found by test_fuzz_input: a zero-length route loaded, its coverage was
    0 km / 0 km = NaN, and the NaN spread into the regime's truce pressure."""
    path = toy.scenario(HEAD + f"events:\n  - {{type: joint_patrol, date: 2020-01-02, route: [{route[0]}, {route[1]}],"
                        " road: M9, participants: [russia], source: [test-claim]}\n")
    err = error_of(path)
    assert err.key == "events[0].route" and err.line == 8 and "same town" in err.message


def test_window_errors_read_as_sentences(toy):
    err = error_of(toy.scenario(HEAD.replace("end: 2020-01-21", "end: 2019-12-01")))
    assert err.message == "'end' (2019-12-01) must be after 'start' (2020-01-01)" and (err.line, err.key) == (5, "end")


@pytest.mark.parametrize("where", ["combat: {noise: 1000000, lethality: 0}", "factions: {regime: {choice_noise: 1000}}"])
def test_log_normal_spreads_are_bounded(toy, where):
    """Found by test_invariants: noise 1e6 was in range; lognormal(0, 1e6) is inf
    or 0, and with lethality 0 the losses were 0 x inf = NaN — the run crashed
    with ValueError (round(NaN)) in a reporter."""
    err = error_of(toy.scenario(HEAD + where + "\n"))
    assert err.line == 7 and "less than or equal to 10" in err.message


# ---------------------------------------------------------------- caches


def test_theatre_and_claims_edited_without_a_new_mtime_are_reloaded(toy):
    """The caches were keyed on mtime (and size): an edit of the same length
    that keeps the mtime (cp -p, rsync -t, tar, a coarse file-system clock)
    silently reused the old theatre, while the run's content hash already
    described the new one."""
    path = toy.scenario(HEAD + "events: [{type: military_police, date: 2020-01-02, town: T0, source: [test-claim]}]\n")
    assert load_scenario(path).events[0].town == "T0"
    files = [toy.root / "toy.towns.csv", toy.root / "toy.roads.csv", toy.root / "seeds" / "claims.yaml"]
    stamps = {f: f.stat().st_mtime_ns for f in files}
    for f in files:  # the same sizes: T0 -> X0, test-claim -> test-clain
        f.write_text(f.read_text().replace("T0,", "X0,").replace("test-claim", "test-clain"))
    for f, ns in stamps.items():
        os.utime(f, ns=(ns, ns))
    assert "unknown claim id 'test-claim'" in error_of(path).message
    path.write_text(path.read_text().replace("[test-claim]", "[test-clain]"))
    assert "unknown town 'T0'" in error_of(path).message
    path.write_text(path.read_text().replace("town: T0", "town: X0"))
    assert load_scenario(path).events[0].town == "X0"


@pytest.mark.parametrize("racy", [True, False])
def test_a_runs_content_hash_follows_its_inputs_edited_in_place(toy, monkeypatch, racy):
    """inputs_hash is kept while the scenario's files are unchanged (2c8d546): an edit of the same length that keeps
    the mtime must still give the new files' hash, just edited (hashed) or long since (its stamp), or an ensemble of
    the edited record would keep replicates of the old one. ``racy=False`` stands for a file edited long ago."""
    from sim.io import files as file_stamps
    from sim.io.scenario import content_hash, inputs_hash
    from sim.io.theatre import load_theatre

    if not racy:
        monkeypatch.setattr(file_stamps, "RACY_SECONDS", 0.0)
    scenario = load_scenario(toy.scenario(HEAD))
    inputs = [*load_theatre(scenario.theatre).files, scenario.claims]
    before = inputs_hash(scenario)
    assert before == content_hash(scenario, inputs)
    for f in (toy.root / "toy.towns.csv", toy.root / "seeds" / "claims.yaml"):
        ns = f.stat().st_mtime_ns
        f.write_text(f.read_text().replace("35.5", "35.6", 1).replace("a test fact", "a test fast"))  # the same length
        os.utime(f, ns=(ns, ns))
        after = inputs_hash(scenario)
        assert after != before and after == content_hash(scenario, inputs), f.name
        before = after


# ---------------------------------------------------------------- YAML that attacks the loader


@pytest.mark.parametrize("tagged", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!custom {{a: 1}}",
])
def test_tags_that_build_objects_are_refused(toy, tagged):
    marker = toy.root / "PWNED"
    path = toy.scenario(HEAD + "description: " + tagged.format(marker=marker) + "\n")
    err = error_of(path)
    assert err.file == str(path) and err.line == 7 and "tags that build objects are not allowed" in err.message
    assert not marker.exists()


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize("bomb", [
    BILLION_LAUGHS,                                   # 9**9 strings if expanded
    "base: &b {x: 1}\nfactions:\n  <<: *b\n",         # merge keys are aliases too
    "a: &a [*a]\n",                                   # a self-referential alias
])
def test_alias_bombs_are_refused_quickly_and_small(toy, bomb):
    path = toy.scenario(bomb)
    with pytest.raises(InputError) as info:
        _bounded(lambda: load_scenario(path), seconds=2, megabytes=20)
    assert info.value.file == str(path) and info.value.line is not None and "aliases" in info.value.message


def test_an_alias_in_a_sweep_or_calibration_file_is_not_called_a_scenario_files(tmp_path):
    """Every YAML file of the project refuses aliases, through one loader whose message said "not allowed in scenario
    files" of a sweep or calibration file too; it now names no kind of file (the error names the file)."""
    from sim.io.safe_yaml import load_yaml

    path = tmp_path / "smoke.yaml"
    path.write_text("name: smoke\naccept: &a {within_se: 2}\nslices: *a\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert info.value.line == 3 and "aliases" in info.value.message and "scenario" not in info.value.message


def test_a_star_that_is_no_alias_keeps_the_fast_parser(tmp_path, monkeypatch):
    """libyaml reads text with a ``*`` in a string (the claims record has one); only an alias sends it to the slow parser."""
    yaml = pytest.importorskip("yaml")
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    from sim.io import safe_yaml

    bases: list[type] = []
    real = safe_yaml._loader_for
    monkeypatch.setattr(safe_yaml, "_loader_for", lambda path, base=yaml.SafeLoader: bases.append(base) or real(path, base))
    path = tmp_path / "s.yaml"
    path.write_text("note: 'the claims a-hts-counter-* agree'\nitems: [1, 2]\n")
    assert safe_yaml.load_yaml(path) == {"note": "the claims a-hts-counter-* agree", "items": [1, 2]}
    assert bases == [yaml.CSafeLoader]
    path.write_text("a: &x [1]\nb: *x\n")
    with pytest.raises(InputError) as info:
        safe_yaml.load_yaml(path)
    assert info.value.line == 2 and "aliases" in info.value.message and bases[1:] == [yaml.CSafeLoader, yaml.SafeLoader]


# ---------------------------------------------------------------- the command line


CLI_CASES = {
    "empty.yaml": b"",
    "garbage.yaml": bytes(range(256)) * 4,  # also not UTF-8
    "tagged.yaml": HEAD.encode() + b"seed: !!python/object/apply:os.getpid []\n",
    "bomb.yaml": BILLION_LAUGHS.encode(),
    "nul.yaml": HEAD.encode() + b"seed: 1\x00\n",  # a control character YAML refuses: two lines, no line number
    "escape.yaml": HEAD.encode() + b"description: \x1b[31mred\n",
}


@pytest.mark.parametrize(("text", "line"), [(HEAD + "seed: 1\x00\n", 7), ("a: 1\nb: \x07\n", 2), ("\x7f: 1\n", 1)])
def test_a_control_character_is_named_at_its_line_in_one_line(toy, text, line):
    """Round 55: PyYAML's reader refuses most control characters before parsing; the error came through whole, as
    "invalid YAML (unacceptable character #x0000: special characters are not allowed\n in "<unicode string>",
    position 120)": two lines, the parser's own name for the text, and no line number."""
    from sim.io.safe_yaml import load_yaml

    path = toy.root / "c.yaml"
    path.write_bytes(text.encode())
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert info.value.line == line and "\n" not in str(info.value) and "unicode string" not in str(info.value)
    assert "control character" in info.value.message, info.value.message


def test_a_character_yaml_refuses_that_is_no_control_character_is_not_called_one(toy):
    """U+FFFE is a noncharacter, not a control character: the message names the character without calling it one."""
    from sim.io.safe_yaml import load_yaml

    path = toy.root / "c.yaml"
    path.write_bytes('a: 1\nb: "x\ufffe"\n'.encode())
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert info.value.line == 2 and "U+FFFE" in info.value.message and "control" not in info.value.message, info.value.message


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_check_reports_hostile_files_with_status_2(toy, capsys, name):
    path = toy.root / name
    path.write_bytes(CLI_CASES[name])
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"error: {path}") and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize("name", ["garbage.yaml", "tagged.yaml"])
def test_cli_process_exits_2_without_a_traceback(toy, name):
    """The same through a real process (python -m sim), a couple of cases: each costs a start-up."""
    path = toy.root / name
    path.write_bytes(CLI_CASES[name])
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "check", str(path)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {path}")
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_an_extends_name_too_long_for_the_file_system_is_an_input_error(build):
    line_theatre(build)
    path = build.scenario({"extends": "a" * 3000})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "'extends' names a path" in str(err.value) and err.value.line is not None and err.value.key == "extends"


def test_parameters_are_bounded_where_their_products_would_overflow(toy):
    """lethality 1e308 was in range: lethality x force overflowed to inf, and with Turkish suppression
    at full escalation the regime's attack multiplier is 0, so the loss was inf x 0 = NaN and the run
    crashed (round(NaN) in a reporter). Now every parameter has a plausible upper bound (lethality: 1)."""
    err = error_of(toy.scenario(HEAD + "combat: {lethality: 1.0e+308}\n"))
    assert err.line == 7 and err.key == "combat.lethality" and "less than or equal to 1" in err.message
    # At the top of every declared range the run still keeps its invariants.
    extreme = HEAD + ("combat: {lethality: 1.0}\nfactions: {turkey: {suppression: 1.0, drone_strength: 50}, russia: {air_power: 10}}\n"
                      "events:\n  - {type: offensive, action: start, axis: [T1], date: 2020-01-01, source: [test-claim]}\n"
                      "  - {type: intervention, name: x, intensity: 1.0, date: 2020-01-02, source: [test-claim]}\n")
    result = sim.simulate(load_scenario(toy.scenario(extreme, name="extreme.yaml")), check_invariants=True)
    assert len(result.history) == 21


def test_extends_written_from_the_working_folder_or_copied_from_a_shipped_what_if_gives_the_path_from_the_file(
        tmp_path, monkeypatch):
    """A what-if kept outside the checkout with `extends: scenarios/campaign.yaml` (the path as typed at the prompt) or
    `extends: ../campaign.yaml` (copied from a shipped what-if) was told only that the file does not exist; 'extends'
    is read from the file's own folder, and the path from there is what to write."""
    mine = tmp_path / "mine" / "w.yaml"
    mine.parent.mkdir()
    wanted = os.path.relpath(ROOT / "scenarios" / "campaign.yaml", mine.parent)
    monkeypatch.chdir(ROOT)
    for written in ("scenarios/campaign.yaml", "../campaign.yaml"):
        mine.write_text(f"extends: {written}\nname: mine\n")
        err = error_of(mine)
        assert err.key == "extends" and err.line == 1, err
        assert err.message.endswith(f"write {wanted}"), err.message
        mine.write_text(f"extends: {wanted}\nname: mine\n")
        assert load_scenario(mine).name == "mine"  # the advice works
