"""A what-if's mistakes, as a new user makes them (round 26's walkthrough): each error names the user's own
file, line and key, says what goes wrong, and never ends with an empty list of valid names."""

from __future__ import annotations

import re

import pytest

from sim import load_scenario
from sim.cli import main
from sim.errors import InputError, did_you_mean, in_words
from sim.io.claims import load_claims

from .conftest import ROOT

MOSCOW = ROOT / "scenarios" / "moscow.yaml"
CAMPAIGN = ROOT / "scenarios" / "campaign.yaml"
JAN_TRUCE = ROOT / "scenarios" / "jan_truce.yaml"


def whatif(tmp_path, parent, body: str):
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: {parent}\nname: mine\n{body}")
    return path


def jan_truce_line(event_id: str, key: str) -> int:
    """The line of ``key`` in jan_truce.yaml's event ``event_id``: an error about an inherited event names it."""
    lines = JAN_TRUCE.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  - id: {event_id}")
    return next(i for i, line in enumerate(lines[start:], start + 1) if line.startswith(f"    {key}:"))


def error_of(path) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


def test_no_valid_names_is_no_empty_list():
    assert did_you_mean("x", []) == ""
    assert did_you_mean("x", ["a", "b"]) == " (valid: a, b)"


def test_a_misspelt_corridor_key_lists_the_corridors_keys(tmp_path):
    """It read "unknown key 'widht_km' (valid: )": the corridor sits behind 'CorridorSpec | None', and no keys were found."""
    err = error_of(whatif(tmp_path, MOSCOW, "events:\n  - id: moscow-protocol\n    corridor: {road: M4, widht_km: 12}\n"))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (5, "events[0].corridor.widht_km"), str(err)
    assert err.message == "unknown key 'widht_km' (did you mean 'width_km'?)", str(err)
    err = error_of(whatif(tmp_path, MOSCOW, "events:\n  - id: moscow-protocol\n    corridor: {road: M4, size: 12}\n"))
    assert err.message == "unknown key 'size' (valid: road, width_km)", str(err)


def test_a_misspelt_id_in_an_override_suggests_the_inherited_id(tmp_path, capsys):
    """It read "every event needs a 'type'": the override was taken for a new event."""
    path = whatif(tmp_path, MOSCOW, "events:\n  - id: moscow-protocl\n    corridor: {road: M4, width_km: 12}\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (4, "events[0].id"), str(err)
    assert "no inherited event 'moscow-protocl' (did you mean 'moscow-protocol'?)" in err.message, str(err)
    assert "a new event needs a 'type'" in err.message, str(err)
    assert main(["check", str(path)]) == 2
    assert "did you mean 'moscow-protocol'" in capsys.readouterr().err


def test_a_new_event_without_a_type_and_no_close_id_still_says_it_needs_a_type(tmp_path):
    err = error_of(whatif(tmp_path, MOSCOW, "events:\n  - id: zzzz-qqqq\n    date: 2020-04-01\n    source: [roads-objective]\n"))
    assert (err.line, err.key) == (4, "events[0].id") and "no inherited event 'zzzz-qqqq'" in err.message, str(err)
    assert "a new event needs a 'type' (one of: offensive, truce" in err.message, str(err)


def test_removing_an_event_that_forms_a_group_blames_the_remove_events_line(tmp_path, capsys):
    """It named jan_truce.yaml's line 37 and "(valid: )", never the user's remove_events line."""
    path = whatif(tmp_path, CAMPAIGN, "remove_events: [first-push]\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (3, "remove_events"), str(err)
    assert "'first-push'" in err.message and "force group 'south-east'" in err.message, str(err)
    assert "'first-push-pause'" in err.message and f"jan_truce.yaml, line {jan_truce_line('first-push-pause', 'group')}" in err.message, str(err)
    assert "valid: )" not in err.message
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().err
    assert out.startswith(f"error: {path}, line 3, key 'remove_events': ") and out.count("\n") == 1, out


def test_removing_the_group_and_what_names_it_is_fine(tmp_path):
    """The same what-if with the group's every event removed loads."""
    path = whatif(tmp_path, CAMPAIGN, "remove_events: [first-push, first-push-pause]\n")
    assert load_scenario(path).name == "mine"


@pytest.mark.parametrize("name, meant", [("regime.comit", "regime.commit"), ("regime__comit", "regime__commit"),
                                         ("events.moscow-protocl.restraint", "events.moscow-protocol.restraint")])
def test_a_misspelt_parameter_gets_its_did_you_mean_without_every_name(name, meant):
    """Each of these printed all 124 names after a correct did-you-mean: a wall of text in a notebook."""
    sc = load_scenario(MOSCOW)
    with pytest.raises(InputError) as info:
        sc.with_params({name: 0.5})
    message = in_words(info.value.message, command_line=False)  # as Python says it
    assert f"did you mean '{meant}'?" in message and "sim.parameters(scenario) lists all" in message, message
    assert "valid:" not in message and "hts.spoiler_rate" not in message and len(message) < 200, message


def test_a_parameter_like_no_other_says_where_they_are_listed():
    """It listed all 93 names (122 for the campaign): the groups and where to see them all are the help."""
    sc = load_scenario(MOSCOW)
    with pytest.raises(InputError) as info:
        sc.with_params({"qqqq.zzzz": 0.5})
    message = in_words(info.value.message, command_line=False)  # as Python says it
    assert "did you mean" not in message and "valid:" not in message and "hts.spoiler_rate" not in message, message
    assert "sim.parameters(scenario) lists all 95" in message and len(message) < 400, message


def test_sweep_param_and_the_python_tools_say_it_the_same_way(tmp_path, capsys):
    assert main(["sweep", str(MOSCOW), "--param", "regime.comit=0.3,0.5", "--out", str(tmp_path / "never")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --param: no parameter 'regime.comit' (did you mean 'regime.commit'?); ") and "valid:" not in err, err
    from sim.experiments.parameters import apply

    with pytest.raises(InputError) as info:
        apply(load_scenario(MOSCOW), {"regime.comit": 0.3}, where=tmp_path / "x.yaml")
    assert "did you mean 'regime.commit'?" in info.value.message and "valid:" not in info.value.message, str(info.value)


def test_a_yaml_file_given_as_a_parameter_set_is_refused_as_not_csv(tmp_path, capsys):
    """Read as a CSV, a calibration file's first comment line became a parameter name, then came all 124 names."""
    smoke = ROOT / "calibrations" / "smoke.yaml"
    assert main(["run", str(CAMPAIGN), "--runs", "2", "--param-set", str(smoke), "--out", str(tmp_path / "never")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --param-set {smoke}: ") and err.count("\n") == 1, err
    assert "YAML" in err and "a CSV" in err and "accepted.csv" in err and "no parameter" not in err, err
    assert not (tmp_path / "never").exists()
    # A YAML file by its content, whatever its name; and the same file as a sweep's design.
    renamed = tmp_path / "set.txt"
    renamed.write_text("# my parameters\nregime.commit: 0.5\n")
    assert main(["run", str(CAMPAIGN), "--param-set", str(renamed), "--out", str(tmp_path / "never")]) == 2
    assert "YAML" in capsys.readouterr().err
    assert main(["sweep", str(CAMPAIGN), "--design", str(smoke), "--out", str(tmp_path / "never")]) == 2
    err = capsys.readouterr().err
    assert "YAML" in err and "CSV" in err and "no parameter" not in err, err


@pytest.mark.parametrize("scenario", [MOSCOW, CAMPAIGN])
def test_every_declared_range_is_what_the_checks_accept(scenario):
    """sim.parameters() gave the corridor's width a low of 0, which was refused ('greater than 0')."""
    import sim

    sc = load_scenario(scenario)
    for row in sim.parameters(sc).itertuples():
        for value in (row.low, row.high):
            sc.with_params({row.path: bool(value) if row.type == "bool" else value})  # raises if refused


def test_a_turkish_reinforcement_is_bounded_by_a_plausible_number_of_troops(tmp_path, capsys):
    """500,000 (thousands: half a billion soldiers) passed check."""
    import sim

    table = sim.parameters(CAMPAIGN).set_index("path")
    assert table.loc["events.turkish-convoys.strength", "high"] == 50
    assert table.loc["events.hezbollah-reinforcement.strength", "high"] == 2000  # strength points: 200,000 fighters
    path = whatif(tmp_path, CAMPAIGN, "events:\n  - id: turkish-convoys\n    strength: 500000\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (5, "events[0].strength"), str(err)
    assert "thousands" in err.message and "at most 50" in err.message, str(err)
    with pytest.raises(InputError, match="at most 50"):
        load_scenario(CAMPAIGN).with_params({"events.turkish-convoys.strength": 51})
    assert load_scenario(whatif(tmp_path, CAMPAIGN, "events:\n  - id: turkish-convoys\n    strength: 50\n")).name == "mine"


def test_a_whatif_window_that_leaves_out_inherited_events_names_its_own_end_line_and_the_way_out(tmp_path, capsys):
    """It named campaign.yaml's line of 'events[6].date', a file the user never touched, and not their `end:`."""
    path = whatif(tmp_path, CAMPAIGN, "end: 2020-02-01\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (3, "end"), str(err)
    lines = (ROOT / "scenarios" / "campaign.yaml").read_text().splitlines()
    at = lines.index("  - id: saraqib-from-the-east") + 2  # its date, the next line (1-based)
    assert lines[at - 1].strip() == "date: 2020-02-04"
    assert "'saraqib-from-the-east' on 2020-02-04" in err.message and f"campaign.yaml, line {at}, key 'events[6].date'" in err.message, str(err)
    assert "--days 62" in err.message and "remove_events: [saraqib-from-the-east, " in err.message, str(err)
    removal = err.message.split("remove_events: ")[1]
    assert load_scenario(whatif(tmp_path, CAMPAIGN, f"end: 2020-02-01\nremove_events: {removal}\n")).end.isoformat() == "2020-02-01"
    assert main(["check", str(whatif(tmp_path, CAMPAIGN, "end: 2020-02-01\n"))]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}, line 3, key 'end': 2020-02-01 ends the scenario before ")


def test_a_whatif_start_after_inherited_events_names_its_own_start_line(tmp_path):
    err = error_of(whatif(tmp_path, ROOT / "scenarios" / "jan_truce.yaml", "start: 2020-01-01\n"))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (3, "start"), str(err)
    assert "'first-push' on 2019-12-01" in err.message and f"jan_truce.yaml, line {jan_truce_line('first-push', 'date')}" in err.message, str(err)
    assert "remove_events: [first-push, first-push-pause, main-offensive, abu-duhur-front]" in err.message, str(err)
    assert "--days" not in err.message, str(err)  # --days shortens the end, not the start


def test_an_event_dated_outside_its_own_files_window_is_still_blamed_on_its_date(tmp_path):
    """The date, not the window, is what to fix when the user wrote the event."""
    body = ("events:\n  - id: late\n    date: 2020-04-01\n    type: reinforcement\n    faction: hts\n    strength: 1\n"
            "    source: [roads-objective]\n")
    err = error_of(whatif(tmp_path, CAMPAIGN, body))
    assert err.file == str(tmp_path / "mine.yaml") and err.key == "events[0].date" and "outside the scenario window" in err.message, str(err)



def test_an_impossible_date_names_its_key(tmp_path):
    """'2020-02-30' is not a valid date named the line only."""
    err = error_of(whatif(tmp_path, CAMPAIGN, "events:\n  - id: jan-truce\n    effective: 2020-02-30\n"))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (5, "events[0].effective"), str(err)
    assert "2020-02-30 does not exist: February 2020 has 29 days" in err.message, str(err)  # round 28: it was "not a valid date"


def test_a_misspelt_corridor_road_is_named_at_its_own_line_and_key(tmp_path):
    """It read "line 4, key 'events[0].road'": the event's line, and a key the agreement does not have."""
    err = error_of(whatif(tmp_path, MOSCOW, "events:\n  - id: moscow-protocol\n    restraint: 0.5\n    corridor:\n"
                                            "      road: M-4\n      width_km: 6\n"))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (7, "events[0].corridor.road"), str(err)
    assert "unknown road 'M-4' (did you mean 'M4'?)" in err.message, str(err)


def test_a_patrol_moved_to_a_road_its_route_is_not_on_is_blamed_on_the_road(tmp_path):
    """The what-if changed the road; the error named moscow.yaml's route, a line the user never wrote."""
    err = error_of(whatif(tmp_path, MOSCOW, "events:\n  - id: joint-patrols\n    every_days: 3\n    road: M5\n"))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (6, "events[0].road"), str(err)
    assert "no path along the M5 from Tronba to Ain al-Havr" in err.message and "moscow.yaml" in err.message, str(err)


def test_a_town_named_without_its_qualifier_is_offered_the_qualified_one(tmp_path):
    """'Nayrab' read "did you mean 'Saraqib'?": the theatre's town is 'Nayrab (Idlib)', a name difflib rates far off."""
    err = error_of(whatif(tmp_path, MOSCOW, "events:\n  - {id: x, date: 2020-04-01, type: sit_in, town: Nayrab, "
                                            "until: 2020-04-05, source: [m4-sit-ins]}\n"))
    assert (err.line, err.key) == (4, "events[0].town"), str(err)
    assert err.message == "unknown town 'Nayrab' (did you mean 'Nayrab (Idlib)'?)", str(err)


def test_extending_a_sweep_file_says_so_at_the_extends_line(tmp_path):
    """It read "sweeps/jan_truce_30_days.yaml, line 6, key 'scenario': unknown key 'scenario'", in a file the user
    never touched, not that `extends:` names a sweep file."""
    err = error_of(whatif(tmp_path, ROOT / "sweeps" / "jan_truce_30_days.yaml", ""))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (1, "extends"), str(err)
    assert "sweep file, not a scenario" in err.message, str(err)


@pytest.mark.parametrize("body, line, key", [
    ("initial_control: 2020-03-06\n", 3, "initial_control"),  # the campaign run from the front it is scored against
    ("start: 2020-02-01\nremove_events: [first-push, first-push-pause, main-offensive, abu-duhur-front, jan-truce]\n"
     "initial_control: 2020-03-06\n", 5, "initial_control"),
])
def test_a_run_cannot_start_from_a_front_the_record_reports_after_its_start(tmp_path, body, line, key):
    """The one rule: no key says who holds a town after the start date. 'initial_control: 2020-03-06' on the
    campaign (1 Dec .. 5 Mar) began the run from the 6 March front, the outcome it is scored against; check said ok."""
    err = error_of(whatif(tmp_path, CAMPAIGN, body))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (line, key), str(err)
    assert "after the start" in err.message, str(err)


def test_moving_the_start_before_the_initial_front_is_blamed_on_the_start(tmp_path):
    err = error_of(whatif(tmp_path, MOSCOW, "start: 2020-02-01\n"))
    assert (err.line, err.key) == (3, "start") and "initial_control" in err.message, str(err)


def test_the_initial_front_may_be_the_day_after_the_start(tmp_path):
    """moscow.yaml starts on 5 March from the 6 March front (the state when the protocol took effect): day 1's."""
    assert load_scenario(whatif(tmp_path, MOSCOW, "")).initial_control.isoformat() == "2020-03-06"


@pytest.mark.parametrize("body, line, key", [
    ("seed: true\n", 3, "seed"),  # ran seed 1
    ("factions:\n  regime:\n    commit: yes\n", 5, "factions.regime.commit"),  # committed the whole force
    ("events:\n  - {id: x, date: 2020-02-20, type: strike, by: regime, town: Balyun, casualties: {turkey: on},\n     source: [balyun-strike]}\n",
     4, "events[0].casualties.turkey"),
])
def test_true_or_false_where_a_number_is_wanted_is_refused(tmp_path, body, line, key):
    """pydantic reads true as 1: YAML's yes/on/true for a number passed check and ran as 1, without a word."""
    err = error_of(whatif(tmp_path, CAMPAIGN, body))
    assert err.file == str(tmp_path / "mine.yaml") and (err.line, err.key) == (line, key), str(err)
    assert "true/false" in err.message, str(err)


def test_a_true_or_false_that_is_wanted_is_kept(tmp_path):
    """The walk refuses only numbers: a key that takes true/false still takes it."""
    assert load_scenario(whatif(tmp_path, CAMPAIGN, "factions:\n  turkey:\n    may_escalate: no\n")).factions.turkey.may_escalate is False


def test_a_name_with_a_space_is_explained_in_words(tmp_path):
    """It said "string should match pattern '^[A-Za-z0-9_.-]+$'", which speaks to programmers."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: {CAMPAIGN}\nname: my what if\n")
    err = error_of(path)
    assert (err.line, err.key) == (2, "name") and "pattern" not in err.message, str(err)
    assert "letters, digits" in err.message and "'my what if'" in err.message, str(err)


def test_check_notes_a_deal_that_binds_no_government(tmp_path):
    """Valid, and it binds whom it names, but a deal whose compliance leaves out 'regime' never holds the government
    back whatever its restraint: check said only "ok", and a what-if meant to test the restraint changed nothing."""
    import sim

    deal = ("events:\n  - {id: my-truce, date: 2020-02-20, type: truce, name: a truce, effective: 2020-02-21, "
            "parties: [russia, turkey], compliance: {hts: 0.9, rebels: 0.9}, restraint: 0.9, source: [saraqib-posts]}\n")
    notes = sim.check(whatif(tmp_path, CAMPAIGN, deal))["notes"]
    assert [n for n in notes if "binds no government" in n and "my-truce" in n], notes
    assert not [n for n in sim.check(CAMPAIGN)["notes"] if "binds no government" in n]  # the January truce binds it


def test_check_notes_a_force_group_formed_with_no_force(tmp_path):
    """Round 75's input hunt: re-tasking a group under a misspelt name (`abu-duhurr` for `abu-duhur`) formed a new group
    with no force, as the scenarios README allows (it starts empty), so the push went on with nothing and check said
    only "ok". It is valid, and noted, with the group the name is close to."""
    import sim

    typo = ("events:\n  - {id: abu-jarif-push, date: 2020-01-15, type: offensive, group: abu-duhurr, action: start, "
            "axis: [Abu Jarif], source: [a-abu-jarif-15jan]}\n")
    notes = sim.check(whatif(tmp_path, JAN_TRUCE, typo))["notes"]
    assert [n for n in notes if "offensive 'abu-jarif-push' (2020-01-15) forms force group 'abu-duhurr' with no force"
            in n and "did you mean 'abu-duhur'" in n], notes
    assert not [n for n in sim.check(JAN_TRUCE)["notes"] if "with no force" in n]  # each group formed with its force


def test_check_notes_an_intervention_that_turkey_may_not_escalate_for(tmp_path):
    """With turkey.may_escalate false, escalation stays 0: an intervention is logged but neither holds it up nor
    strikes (drones fire in proportion to escalation), so the run is the one without it; check said only "ok"."""
    import sim

    notes = sim.check(whatif(tmp_path, CAMPAIGN, "factions:\n  turkey:\n    may_escalate: false\n"))["notes"]
    assert [n for n in notes if "intervention 'spring-shield'" in n and "may_escalate" in n], notes
    assert not [n for n in sim.check(CAMPAIGN)["notes"] if "may_escalate" in n]  # Turkey may escalate there
    shipped = ROOT / "scenarios" / "whatif" / "no_turkish_intervention.yaml"  # removes its intervention as well
    assert not [n for n in sim.check(shipped)["notes"] if "may_escalate" in n]


def test_check_notes_a_deal_that_takes_effect_after_the_scenarios_end(tmp_path):
    """Round 77's new-user hunt: a truce announced on 1 March and in force from 10 March, written on the campaign (which
    ends on 5 March), passed check with "ok" and ran: it never bound anyone, only its date inside the window having been
    looked at. It is valid (announced, a deal supersedes the one before it, and the run reports it as announced), and
    noted; so is an inherited deal that a what-if's earlier `end:` leaves announced only."""
    import sim

    late = ("events:\n  - {id: late, date: 2020-03-01, type: truce, name: late, effective: 2020-03-10, parties: [russia], "
            "compliance: {regime: 0.9}, restraint: 0.5, source: [saraqib-posts]}\n")
    notes = [n for n in sim.check(whatif(tmp_path, CAMPAIGN, late))["notes"] if "after the scenario's end" in n]
    assert notes == ["truce 'late' (2020-03-01) takes effect on 2020-03-10, after the scenario's end (2020-03-05): in the "
                     "run it is only announced, and never in force"], notes
    cut = "end: 2020-01-11\nremove_events: [abu-jarif-push, hts-strikes-back-at-abu-jarif, hts-strikes-toward-samkah, " \
          "maarat-push, aleppo-front]\n"
    notes = sim.check(whatif(tmp_path, JAN_TRUCE, cut))["notes"]
    assert [n for n in notes if n.startswith("truce 'jan-truce' (2020-01-10) takes effect on 2020-01-12, after")], notes
    for shipped in (CAMPAIGN, JAN_TRUCE, ROOT / "scenarios" / "moscow.yaml"):
        assert not [n for n in sim.check(shipped)["notes"] if "after the scenario's end" in n], shipped


def test_check_notes_a_post_order_that_changes_nothing(tmp_path):
    """Round 77's new-user hunt: withdrawing a post that does not stand that night (the Nahlaya post, which in the
    campaign stands only from an event of its own that never comes) ran as the scenario without the order, and the
    event log still said "post_withdraw"; setting up a post that already stands (Surman's, since 2018) did the same.
    Valid, and check said only "ok"; each is noted, a withdrawal of a post that stands is not."""
    import sim

    post = "  - {{id: {id}, date: 2020-02-01, type: observation_post, action: {action}, post: {post}, source: [saraqib-posts]}}\n"
    orders = "events:\n" + "".join(post.format(id=i, action=a, post=p) for i, a, p in (
        ("gone", "withdraw", "feb2020-nahlaya"), ("twice", "establish", "astana-06"), ("real", "withdraw", "astana-09")))
    notes = [n for n in sim.check(whatif(tmp_path, CAMPAIGN, orders))["notes"] if "observation_post" in n]
    assert len(notes) == 2, notes
    assert notes[0].startswith("observation_post 'gone' (2020-02-01) withdraws post 'feb2020-nahlaya', which does not "
                               "stand then"), notes
    assert notes[1].startswith("observation_post 'twice' (2020-02-01) sets up post 'astana-06', which already stands "
                               "then"), notes
    for shipped in (CAMPAIGN, ROOT / "scenarios" / "moscow.yaml", ROOT / "scenarios" / "whatif" / "no_saraqib_posts.yaml"):
        assert not [n for n in sim.check(shipped)["notes"] if "observation_post" in n], shipped


def test_check_notes_a_start_later_than_the_front_it_begins_from(tmp_path):
    """Moving `start:` later kept the front of `initial_control` without a word: the changes of hands in between are
    in no run."""
    import sim

    later = "start: 2019-12-10\nremove_events: [first-push, first-push-pause]\n"
    notes = sim.check(whatif(tmp_path, ROOT / "scenarios" / "jan_truce.yaml", later))["notes"]
    assert [n for n in notes if "from the front of 2019-12-01 (9 days earlier" in n], notes
    assert not [n for n in sim.check(MOSCOW)["notes"] if "from the front of" in n]  # 5 March from the 6 March front


def test_an_event_both_removed_and_given_in_one_file_is_refused(tmp_path, capsys):
    """'Replace Spring Shield with a half-hearted one' (remove_events and a new event under the same id) loaded, and ran
    with no intervention at all: the new event was dropped with the old, and check said ok."""
    body = ("remove_events: [spring-shield]\nevents:\n  - id: spring-shield\n    date: 2020-02-27\n"
            "    type: intervention\n    faction: turkey\n    name: half\n    intensity: 0.5\n    source: [spring-shield]\n")
    path = whatif(tmp_path, CAMPAIGN, body)
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (5, "events[0].id"), str(err)
    assert "'spring-shield'" in err.message and "remove_events (line 3)" in err.message, str(err)
    assert "another id" in err.message, str(err)
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}, line 5, key 'events[0].id': ")
    # an override of a removed event (only some keys) is refused the same way
    err = error_of(whatif(tmp_path, CAMPAIGN, "remove_events: [spring-shield]\nevents:\n  - id: spring-shield\n    intensity: 0.5\n"))
    assert (err.line, err.key) == (5, "events[0].id") and "remove_events (line 3)" in err.message, str(err)
    # the same event under another id loads, with its intensity
    sc = load_scenario(whatif(tmp_path, CAMPAIGN, body.replace("id: spring-shield", "id: half-shield")))
    assert [(e.id, e.intensity) for e in sc.events if e.type == "intervention"] == [("half-shield", 0.5)]


def test_an_override_that_changes_an_events_type_is_blamed_on_its_type(tmp_path, capsys):
    """Turning the main offensive into a truce by its id blamed jan_truce.yaml ("line 43, key 'events[2].group':
    unknown key 'group'"), a file and a key the user never wrote."""
    body = ("events:\n  - id: main-offensive\n    type: truce\n    name: x\n    effective: 2019-12-20\n"
            "    parties: [russia]\n")
    path = whatif(tmp_path, CAMPAIGN, body)
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (5, "events[0].type"), str(err)
    assert "'main-offensive'" in err.message and "offensive" in err.message and "remove_events" in err.message, str(err)
    assert "cannot make it a 'truce'" in err.message, str(err)
    err = error_of(whatif(tmp_path, CAMPAIGN, body.replace("type: truce", "type: agreement")))
    assert "cannot make it an 'agreement'" in err.message, str(err)  # it read "a 'agreement'"
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}, line 5, key 'events[0].type': ")
    # giving the inherited type again is an override like any other
    sc = load_scenario(whatif(tmp_path, CAMPAIGN, "events:\n  - id: main-offensive\n    type: offensive\n    date: 2020-01-02\n"))
    assert [e.date.isoformat() for e in sc.events if e.id == "main-offensive"] == ["2020-01-02"]


def test_moving_the_event_that_forms_a_group_past_its_stop_blames_the_moved_date(tmp_path, capsys):
    """Moving 'first-push' to 10 December blamed jan_truce.yaml ("line 37, key 'events[1].group': no force group
    'south-east' is in the field on 2019-12-06"), a file and a key the user never touched, and not the date they moved."""
    path = whatif(tmp_path, CAMPAIGN, "events:\n  - id: first-push\n    date: 2019-12-10\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (5, "events[0].date"), str(err)
    assert "when 'first-push-pause' stops it; 'first-push' forms it only on 2019-12-10" in err.message, str(err)
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}, line 5, key 'events[0].date': ")


THEATRES = ROOT / "scenarios" / "theatres"


@pytest.mark.parametrize("key, named, what", [
    ("theatre", THEATRES / "idlib.towns.csv", "a CSV table, not a theatre index"),
    ("theatre", ROOT / "scenarios" / "jan_truce.yaml", "a scenario, not a theatre index"),
    ("theatre", ROOT / "seeds" / "claims.yaml", "a claims record, not a theatre index"),
    ("claims", ROOT / "seeds" / "outcomes.yaml", "an outcomes file, not a claims record"),
    ("claims", THEATRES / "idlib.roads.csv", "a CSV table, not a claims record"),
    ("claims", THEATRES / "idlib.yaml", "a theatre index, not a claims record"),
    ("extends", THEATRES / "idlib.towns.csv", "a CSV table, not a scenario"),
])
def test_a_theatre_or_claims_file_of_another_kind_is_refused_at_the_line_naming_it(tmp_path, key, named, what):
    """`theatre:` naming the towns table read "idlib.towns.csv, line 2: a 'key: value' where none can be", `theatre:`
    naming a scenario "jan_truce.yaml, line 15: unknown key 'extends'", `claims:` naming the outcomes file "outcomes.yaml,
    line 1: expected a 'claims' list": each an error in a file the user never wrote, not at the line that named it."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: mine\nextends: {named}\n" if key == "extends" else
                    f"extends: {ROOT / 'scenarios' / 'jan_truce.yaml'}\nname: mine\n{key}: {named}\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (2 if key == "extends" else 3, key), str(err)
    assert err.message.startswith(f"'{key}' names {what}"), str(err)


HTS_BACK = ("  - {id: hts-back, type: offensive, faction: hts, action: start, date: 2019-12-02, axis: [Saraqib], "
            "source: [offensive-begins]}\n")


@pytest.mark.parametrize("then, line, key, words", [
    ("  - {id: to-main, type: reinforcement, faction: regime, group: main, strength: 500, date: 2019-12-03, "
     "source: [offensive-begins]}\n", 5, "events[1].group", "no force group 'main' has been formed by 2019-12-03"),
    ("  - {id: main-stops, type: offensive, action: stop, date: 2019-12-04, source: [offensive-begins]}\n", 5,
     "events[1].group", "no force group 'main' is in the field on 2019-12-04"),
])
def test_a_counter_offensive_forms_no_government_force_group(tmp_path, capsys, then, line, key, words):
    """HTS's counter-offensive has no group, yet its default 'main' counted as a government force group: a what-if
    reinforcing or stopping a government group 'main' never formed passed check, and the run put the 500 points in the
    pool ("main stood down")."""
    path = whatif(tmp_path, JAN_TRUCE, "events:\n" + HTS_BACK + then)
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (line, key), str(err)
    assert words in err.message and err.message.endswith("(valid: south-east)"), str(err)
    assert "hts" not in err.message, str(err)
    assert main(["check", str(path)]) == 2


def test_a_counter_offensive_stop_is_judged_by_its_own_factions_counter_offensives(tmp_path, capsys):
    """An HTS stop before HTS's counter-offensive opens was refused for a government force group ("no force group
    'main' is in the field on 2019-12-05 ... 'hts-strikes-back-at-abu-jarif' forms it"); after it opens, a stop is fine,
    whatever government groups exist."""
    early = whatif(tmp_path, JAN_TRUCE, "events:\n  - {id: hts-halts, type: offensive, faction: hts, action: stop, "
                                        "date: 2019-12-05, source: [offensive-begins]}\n")
    err = error_of(early)
    assert err.file == str(early) and (err.line, err.key) == (4, "events[0].action"), str(err)
    assert err.message == ("no HTS counter-offensive is under way on 2019-12-05, when 'hts-halts' stops it; "
                           "'hts-strikes-back-at-abu-jarif' opens it only on 2020-01-16 ('date' is set in "
                           f"scenarios/jan_truce.yaml, line {jan_truce_line('hts-strikes-back-at-abu-jarif', 'date')})"), str(err)
    rebels = whatif(tmp_path, JAN_TRUCE, "events:\n  - {id: rebels-halt, type: offensive, faction: rebels, action: stop, "
                                         "date: 2020-01-20, source: [offensive-begins]}\n")
    assert error_of(rebels).message == "no rebel counter-offensive is under way on 2020-01-20", str(error_of(rebels))
    late = whatif(tmp_path, JAN_TRUCE, "events:\n  - {id: hts-halts, type: offensive, faction: hts, action: stop, "
                                       "date: 2020-01-20, source: [offensive-begins]}\n")
    sc = load_scenario(late)
    assert [e.id for e in sc.events if e.type == "offensive" and e.faction == "hts"] == [
        "hts-strikes-back-at-abu-jarif", "hts-strikes-toward-samkah", "hts-halts"]


def test_removing_the_counter_offensive_a_stop_ends_blames_the_remove_events_line(tmp_path):
    path = whatif(tmp_path, JAN_TRUCE, "remove_events: [hts-strikes-back-at-abu-jarif]\nevents:\n  - {id: hts-halts, "
                                       "type: offensive, faction: hts, action: stop, date: 2020-01-20, source: [offensive-begins]}\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (3, "remove_events"), str(err)
    assert "it drops 'hts-strikes-back-at-abu-jarif', which opens HTS's counter-offensive; 'hts-halts'" in err.message, str(err)


def test_a_stop_given_an_axis_by_an_override_is_refused_at_the_users_line(tmp_path):
    """An override giving the inherited stop 'first-push-pause' an axis and a force passed check and ran as if they
    were not there; one making an inherited start a stop is blamed at its action, not at the parent's axis."""
    path = whatif(tmp_path, JAN_TRUCE, "events:\n  - id: first-push-pause\n    axis: [Saraqib]\n    force: 50\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (5, "events[0].axis"), str(err)
    assert err.message.startswith("'axis' does not apply to a stop"), str(err)
    path = whatif(tmp_path, JAN_TRUCE, "events:\n  - id: main-offensive\n    action: stop\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (5, "events[0].action"), str(err)
    assert "'axis' does not apply to a stop" in err.message and f"jan_truce.yaml, line {jan_truce_line('main-offensive', 'axis')}" in err.message, str(err)
    # An override cannot take an inherited key away: the way out is said.
    assert "list the event in 'remove_events' and add the stop under a new id" in err.message, str(err)


def test_a_whatif_without_a_name_of_its_own_is_refused_at_check(tmp_path, capsys):
    """A what-if without `name:` took its parent's, and its runs went to the parent's default results folder
    (results/campaign-seed...); the shipped scenario's own run was then refused, with advice to rename
    scenarios/campaign.yaml, a file the user never meant to touch. `check` and `run` now point at the file with no name."""
    path = tmp_path / "noname.yaml"
    path.write_text(f"extends: {CAMPAIGN}\nremove_events: [balyun-strike]\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (1, "name"), str(err)
    assert "needs its own name" in err.message and "'campaign'" in err.message, str(err)
    for command in (["check", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        assert main(command) == 2
        said = capsys.readouterr().err
        assert f"{path}, line 1" in said and "name" in said and "Traceback" not in said, said
    assert not (tmp_path / "out").exists()
    path.write_text(f"extends: {CAMPAIGN}\nname: noname\nremove_events: [balyun-strike]\n")
    assert load_scenario(path).name == "noname"  # with a name of its own, as every shipped what-if has



def test_a_whatif_named_as_its_parent_is_refused_at_its_name(tmp_path):
    """Given as the parent's own, the name passed `check`: the what-if's runs went to the parent's results folder, and
    were refused only once the parent had been run there (or took the folder the parent's own run then was refused)."""
    path = tmp_path / "samename.yaml"
    path.write_text(f"extends: {CAMPAIGN}\nname: campaign\nremove_events: [balyun-strike]\n")
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (2, "name"), str(err)
    assert "needs its own name, not 'campaign'" in err.message, str(err)
    # Differing only in case, it named the same folder on a file system that ignores case (macOS's, Windows'): the
    # what-if's runs went into the parent's folder there, and were refused only once the parent had been run.
    path.write_text(f"extends: {CAMPAIGN}\nname: Campaign\nremove_events: [balyun-strike]\n")
    err = error_of(path)
    assert (err.line, err.key) == (2, "name") and "needs its own name, not 'Campaign'" in err.message, str(err)
    path.write_text(f"extends: {CAMPAIGN}\nname: campaign_without_balyun\nremove_events: [balyun-strike]\n")
    assert load_scenario(path).name == "campaign_without_balyun"


# A what-if's name against the names further up its extends chain: (the file it extends, its name, the file whose name
# it takes, or None where it is its own).
ANCESTOR_NAMES = [(CAMPAIGN, "jan_truce", "jan_truce.yaml"), (CAMPAIGN, "Jan_Truce", "jan_truce.yaml"),
                  (CAMPAIGN, "idlib-common", "idlib.yaml"),
                  (ROOT / "scenarios" / "whatif" / "jan_truce_holds.yaml", "jan_truce", "jan_truce.yaml"),
                  (MOSCOW, "jan_truce", None)]  # another scenario's, not an ancestor's: its folder is refused on a run


@pytest.mark.parametrize(("parent", "name", "owner"), ANCESTOR_NAMES, ids=["grandparent", "grandparent-case",
                                                                          "common", "three-up", "not-an-ancestor"])
def test_a_whatif_named_as_a_scenario_further_up_its_chain_is_refused_at_its_name(tmp_path, parent, name, owner):
    """Round 75: only the parent's name was refused; `name: jan_truce` over campaign.yaml passed `check`, and its runs
    of jan_truce's seed went to jan_truce's default folder (refused there once jan_truce had run), and `compare` of
    the two read "jan_truce vs jan_truce"."""
    path = tmp_path / "clash.yaml"
    path.write_text(f"extends: {parent}\nname: {name}\n")
    if owner is None:
        assert load_scenario(path).name == name
        return
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (2, "name"), str(err)
    assert f"needs its own name, not '{name}', the name of" in err.message and owner in err.message, str(err)


def test_a_source_id_cited_as_a_claim_is_named_as_a_source_with_claims_that_cite_it(tmp_path):
    """An event citing 'turkish-mod', an id that is in seeds/claims.yaml but under 'sources:' (an outlet), was told
    "unknown claim id ... (did you mean 'turkish-convoys'?)": the user had copied the id from that very file, and the
    guess was a claim about something else."""
    body = ("events:\n  - {id: mine, date: 2020-02-01, type: air_policy, ceiling: 0, until: 2020-03-05,"
            " source: [turkish-mod]}\n")
    message = str(error_of(whatif(tmp_path, CAMPAIGN, body)))
    assert "'turkish-mod' is one of the sources (outlets)" in message, message
    assert "did you mean 'turkish-convoys'" not in message, message
    cited = re.search(r"such as ((?:'[^']+'(?:, )?)+)", message)
    assert cited, message
    claims = load_claims(ROOT / "seeds" / "claims.yaml")
    for claim in re.findall(r"'([^']+)'", cited.group(1)):
        assert "turkish-mod" in claims[claim]["sources"], claim


def test_an_unknown_claim_id_with_nothing_close_says_where_the_ids_are(tmp_path):
    body = ("events:\n  - {id: mine, date: 2020-02-01, type: air_policy, ceiling: 0, until: 2020-03-05,"
            " source: [zzqx-nothing-like-it]}\n")
    message = str(error_of(whatif(tmp_path, CAMPAIGN, body)))
    assert "unknown claim id 'zzqx-nothing-like-it'" in message
    assert "the 'id' of an entry under 'claims:'" in message, message


def test_a_town_outside_the_theatre_with_nothing_close_says_where_the_places_are_listed(tmp_path):
    """`town: Damascus` was told only "unknown town 'Damascus'": a user with no name close to any of the 191 places was
    not told where the theatre's places and their other spellings are."""
    body = ("events:\n  - {id: mp-x, date: 2020-04-01, type: military_police, town: Damascus,"
            " source: [russian-mp-saraqib]}\n")
    message = str(error_of(whatif(tmp_path, MOSCOW, body)))
    assert "unknown town 'Damascus'" in message
    assert "idlib.towns.csv" in message and "alt_names" in message, message


def test_an_unknown_post_with_nothing_close_says_where_the_posts_are_listed(tmp_path):
    """`post: saraqib` said only "unknown post 'saraqib'": with over a hundred posts no list is given, and an unknown
    town already says which table lists the places."""
    body = ("events:\n  - {id: mine, date: 2020-02-01, type: observation_post, action: establish, post: saraqib, "
            "source: [saraqib-posts]}\n")
    error = error_of(whatif(tmp_path, CAMPAIGN, body))
    assert error.key == "events[0].post" and error.line == 4, str(error)
    assert re.search(r"unknown post 'saraqib' \(no post in the theatre has that id: its \d+ posts are the 'post_id' "
                     r"column of \S*idlib\.posts\.csv, their places in 'name'\)", error.message), error.message


@pytest.mark.parametrize("order, line, key", [
    ("  - {id: south-east-again, type: offensive, group: south-east, action: start, date: 2019-12-19, "
     "axis: [Saraqib], source: [offensive-begins]}\n", 4, "events[0].group"),
    ("  - {id: hts-again, type: offensive, faction: hts, action: start, date: 2020-01-16, axis: [Saraqib], "
     "source: [offensive-begins]}\n", 4, "events[0].action"),
])
def test_two_orders_sending_one_force_on_one_night_are_refused(tmp_path, order, line, key):
    """A what-if that sent 'south-east' a second time on 19 December passed check, and the group took the axis of
    whichever order the file listed last: a night's outcome hung on the file's order, which docs/odd.md says it never
    does. Two orders of one night for one group (or one faction's counter-offensive) are now refused, at the one the
    user wrote."""
    path = whatif(tmp_path, JAN_TRUCE, "events:\n" + order)
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (line, key), str(err)
    assert "two orders" in err.message and "on the same night" in err.message, str(err)
    assert main(["check", str(path)]) == 2
    # A day apart, the second is the group's new axis, as the scenario README says: no error.
    later = whatif(tmp_path, JAN_TRUCE, "events:\n" + order.replace("2019-12-19", "2019-12-21").replace("2020-01-16", "2020-01-18"))
    load_scenario(later)


def test_two_orders_for_one_post_on_one_night_are_refused(tmp_path):
    """A what-if that withdrew a post on the night the campaign sets it up passed check, and whether the post stood
    hung on which of the two lines the file listed last (round 70's audit). Two orders for one post on one night are
    refused, at the one the user wrote, as two orders for one force group are."""
    order = ("  - {id: withdraw-east, type: observation_post, action: withdraw, post: feb2020-saraqib-east, "
             "date: 2020-02-01, source: [saraqib-posts]}\n")
    path = whatif(tmp_path, CAMPAIGN, "events:\n" + order)
    err = error_of(path)
    assert err.file == str(path) and (err.line, err.key) == (4, "events[0].action"), str(err)
    assert "two orders" in err.message and "feb2020-saraqib-east" in err.message and "same night" in err.message, str(err)
    assert main(["check", str(path)]) == 2
    # A night later, the withdrawal follows the setting up: no error.
    load_scenario(whatif(tmp_path, CAMPAIGN, "events:\n" + order.replace("2020-02-01", "2020-02-02")))
