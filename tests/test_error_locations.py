"""Errors point where the user has to look: the file, the line and the key they wrote.

A value checked against another (an event's date and its 'effective', a window's start and end) may come
from two files of an ``extends`` chain: the error names the line of the file furthest down the chain (the one
the user changed) and says where the other value is set. Keys are the user's keys, with a did-you-mean where a
name is close to a valid one; YAML the parser cannot read is described in plain words at its line.
"""

from __future__ import annotations

import pytest

from sim import load_scenario
from sim.cli import main
from sim.errors import InputError

from .conftest import ROOT, line_theatre

HEAD = "name: toy\ntheatre: toy.yaml\nclaims: seeds/claims.yaml\nstart: 2020-01-01\nend: 2020-01-21\ninitial_control: 2020-01-01\n"
TRUCE = ("events:\n  - id: t\n    type: truce\n    name: t\n    date: 2020-01-05\n    effective: 2020-01-06\n"  # lines 7-12
         "    until: 2020-01-15\n    parties: [russia]\n    compliance: {regime: 0.85, hts: 0.3}\n    source: [test-claim]\n")


@pytest.fixture
def parent(build):
    line_theatre(build)
    return build.scenario(HEAD + TRUCE)


def child(build, body: str, name: str = "child.yaml", extends: str = "../s.yaml"):
    (build.root / "mine").mkdir(exist_ok=True)
    path = build.root / "mine" / name
    path.write_text(f"extends: {extends}\nname: {path.stem}\n{body}")
    return path


def error_of(path, **overrides) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(path, **overrides)
    return info.value


@pytest.mark.parametrize("body, line, key, elsewhere", [
    # The date moved past the inherited 'effective': the date's line, and where 'effective' is set.
    ("events:\n  - id: t\n    date: 2020-01-10\n", 5, "events[0].date", "s.yaml, line 12"),
    # 'effective' moved before the inherited date: its own line, and where the date is set.
    ("events:\n  - id: t\n    effective: 2020-01-02\n", 5, "events[0].effective", "s.yaml, line 11"),
    # 'until' moved before the inherited 'effective'.
    ("events:\n  - id: t\n    until: 2020-01-05\n", 5, "events[0].until", "s.yaml, line 12"),
    # Both written here: the second of the two, as in one file, and nothing about the parent.
    ("events:\n  - id: t\n    date: 2020-01-08\n    effective: 2020-01-07\n", 6, "events[0].effective", None),
    # The user's file lists the event second: its index there.
    ("events:\n  - {id: new, type: truce, name: n, date: 2020-01-16, effective: 2020-01-16, parties: [russia], "
     "source: [test-claim]}\n  - id: t\n    date: 2020-01-10\n", 6, "events[1].date", "s.yaml, line 12"),
])
def test_a_value_that_breaks_a_rule_with_an_inherited_one_is_blamed_on_the_users_line(parent, build, body, line, key, elsewhere):
    path = child(build, body)
    err = error_of(path)
    assert err.file.endswith("mine/child.yaml") and (err.line, err.key) == (line, key), str(err)
    if elsewhere is None:
        assert "s.yaml" not in err.message, str(err)
    else:
        assert elsewhere in err.message, str(err)


def test_a_value_set_in_the_middle_of_a_chain_is_blamed_there(parent, build):
    middle = child(build, "events:\n  - id: t\n    date: 2020-01-10\n", name="middle.yaml")
    last = child(build, "seed: 4\n", name="last.yaml", extends="middle.yaml")
    err = error_of(last)
    assert err.file == str(middle) and (err.line, err.key) == (5, "events[0].date"), str(err)


def test_the_command_line_names_the_users_file_line_and_key(parent, build, capsys):
    path = child(build, "events:\n  - id: t\n    date: 2020-01-10\n")
    rc = main(["check", str(path)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert f"{path}, line 5, key 'events[0].date': 'effective' (2020-01-06) is before the event's date (2020-01-10)" in err


@pytest.mark.parametrize("body, line, key", [("start: 2020-02-01\n", 3, "start"), ("end: 2019-12-01\n", 3, "end")])
def test_a_window_broken_by_one_file_of_a_chain_points_at_that_files_line(parent, build, body, line, key):
    err = error_of(child(build, body))
    assert err.file.endswith("mine/child.yaml") and (err.line, err.key) == (line, key), str(err)
    assert "must be after 'start'" in err.message and "s.yaml, line" in err.message, str(err)


def test_an_end_before_the_start_points_at_the_end(build):
    line_theatre(build)
    err = error_of(build.scenario(HEAD.replace("start: 2020-01-01", "start: 2020-03-10").replace("end: 2020-01-21", "end: 2020-03-01")))
    assert (err.line, err.key) == (5, "end"), str(err)
    assert err.message == "'end' (2020-03-01) must be after 'start' (2020-03-10)"


def test_a_protest_camp_broken_up_before_it_began_points_at_until(build):
    line_theatre(build)
    err = error_of(build.scenario(HEAD + "events:\n  - id: camp\n    type: sit_in\n    town: T1\n    date: 2020-01-05\n"
                                  "    until: 2020-01-04\n    source: [test-claim]\n"))
    assert (err.line, err.key) == (12, "events[0].until"), str(err)
    assert "'until' must be after the camp's 'date'" in err.message


def test_a_misspelt_faction_in_a_mapping_is_an_unknown_key_with_a_did_you_mean(build):
    """A mapping keyed by faction ('compliance') gave pydantic's key 'events[0].compliance.hst.[key]' and no suggestion."""
    line_theatre(build)
    err = error_of(build.scenario(HEAD + TRUCE.replace("{regime: 0.85, hts: 0.3}", "{regime: 0.85, hst: 0.3}")))
    assert (err.line, err.key) == (15, "events[0].compliance.hst"), str(err)
    assert err.message == "unknown key 'hst' (did you mean 'hts'?)"
    err = error_of(build.scenario(HEAD + TRUCE.replace("{regime: 0.85, hts: 0.3}", "{regime: 0.85, turkey: 0.3}")))
    assert err.key == "events[0].compliance.turkey" and "unknown key 'turkey'" in err.message
    assert "regime" in err.message and "hts" in err.message and "rebels" in err.message, str(err)


@pytest.mark.parametrize("text, line, key", [
    ("name: t\nname: u\n", 2, "name"),
    ("name: t\nfactions:\n  regime:\n    commit: 0.7\n    commit: 0.8\n", 5, "factions.regime.commit"),
    ("name: t\nevents:\n  - id: a\n  - id: b\n    date: 2020-01-05\n    date: 2020-01-06\n", 6, "events[1].date"),
    ("claims: claims.yaml\noutcomes:\n  - id: x\n    town: Saraqib\n    town: Idlib\n", 5, "outcomes[0].town"),
])
def test_a_duplicate_key_is_named_by_its_full_path(tmp_path, capsys, text, line, key):
    """A key given twice inside a mapping was named by its last part alone ('commit', not 'factions.regime.commit'),
    though a bad value there was named in full."""
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}, line {line}, key '{key}': duplicate key '{key.rsplit('.', 1)[-1]}'\n"


@pytest.mark.parametrize("text, line, words", [
    ("name: t\nevents:\n  - id: a\n    restraint: 0.5\n   compliance: {regime: 0.9}\n", 5, "indentation"),
    ("name: t\nevents:\n  - id: a\n  - id: b\n - id: c\n", 5, "indentation"),
    ("name: t\nfactions:\n  regime:\n    commit: 0.5\n  force: 3\n    regen: 1\n", 6, "indented deeper"),
    ("name: t\ndescription: at 3: the truce\n", 2, "needs quotes"),
    ("name: t\n\tseed: 3\n", 2, "tab"),
    ("name: t\nfactions: {regime: {commit: 0.5}\n", 2, "'{' is not closed"),
    ("name: t\naxis: [T1, T2\n", 2, "'[' is not closed"),
    ("name: 'toy\n", 1, "quoted value is never closed"),
    # The parser finds each of these only on a later line, which held nothing wrong: the line named is the one to fix.
    ("name: t\nfactions: {regime: {commit: 0.5}\nseed: 3\n", 2, "'{' is not closed"),
    ("name: t\naxis: [T1, T2\nseed: 3\n", 2, "'[' is not closed"),
    ("name: t\ndescription: 'toy\nseed: 3\n", 2, "quoted value is never closed"),
    ("name: t\nevents:\n  - id: a\n    date 2020-01-05\nseed: 3\n", 4, "a key without its ':'"),
])
def test_yaml_the_parser_cannot_read_is_described_in_plain_words_at_its_line(tmp_path, capsys, text, line, words):
    """A badly indented file gave PyYAML's "expected <block end>, but found '<block mapping start>'"."""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    rc = main(["check", str(path)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: {path}, line {line}: ") and words in err, err
    assert "<" not in err and "expected" not in err, err  # none of the parser's own vocabulary


def test_a_map_date_outside_the_run_names_the_flag_then_the_folder(build, tmp_path, capsys):
    """It read "--date results/campaign-seed20191219: 2020-05-01 is outside the run", the flag and the folder run together."""
    line_theatre(build)
    out = tmp_path / "run"
    assert main(["run", str(build.scenario(HEAD)), "--no-map", "-q", "--out", str(out)]) == 0
    capsys.readouterr()
    rc = main(["map", str(out), "--date", "2020-05-01"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1, err
    assert err.startswith(f"error: --date: 2020-05-01 is outside the run (2020-01-01 .. 2020-01-21) in {out}; "), err


def test_points_given_twice_name_the_flag_then_the_sweep_file(capsys):
    """It read "--param sweeps/x.yaml: give the points ...", as if the file were the value of --param."""
    sweep = ROOT / "sweeps" / "jan_truce_30_days.yaml"
    rc = main(["sweep", str(sweep), "--param", "regime.commit=0.1,0.2"])
    err = capsys.readouterr().err
    assert rc == 2 and err == (f"error: --param: {sweep} is a sweep file, with its own points; give the points there, or with --param "
                               "or --design, not both\n")


def test_a_misspelt_required_key_is_an_unknown_key_at_its_own_line_with_a_did_you_mean(build, tmp_path, capsys):
    """Round 31's walk-through: 'sourc:' in place of 'source:' said "missing required key 'source'" at the event's first
    line, never naming the misspelt key the user wrote nine lines further down (a misspelt key that is not required gets
    the did-you-mean). The same in an outcomes file ('tolerance_day')."""
    line_theatre(build)
    err = error_of(build.scenario(HEAD + TRUCE.replace("    source: [test-claim]", "    sourc: [test-claim]")))
    assert (err.line, err.key) == (16, "events[0].sourc"), str(err)
    assert err.message == "unknown key 'sourc' (did you mean 'source'?)"
    # A key that is really missing, with no near-miss written, is still reported as missing.
    err = error_of(build.scenario(HEAD + TRUCE.replace("    source: [test-claim]\n", "    colour: red\n")))
    assert err.message == "missing required key 'source'", str(err)
    outcomes = tmp_path / "outcomes.yaml"
    outcomes.write_text(
        f"claims: {ROOT / 'seeds' / 'claims.yaml'}\noutcomes:\n  - id: m\n    set: calibration\n    kind: capture\n"
        "    description: x\n    town: Maarat al-Numan\n    by: regime\n    reported: 2020-01-28\n    tolerance_day: 7\n"
        "    source: [maarat-taken]\n    note: n\n")
    rc = main(["check", str(outcomes), "--scenario", str(ROOT / "scenarios" / "campaign.yaml")])
    err = capsys.readouterr().err
    assert rc == 2 and err == (f"error: {outcomes}, line 10, key 'outcomes[0].tolerance_day': unknown key 'tolerance_day' "
                               "(did you mean 'tolerance_days'?)\n"), err
