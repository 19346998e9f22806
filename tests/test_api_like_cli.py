"""The Python API refuses what the command line refuses, in the caller's own words.

Three gaps the command line had closed and Python had not: a scheduler quietly overrode ``executor="local"``;
``make_design`` took any parameter name, to be refused only by ``run_sweep``; and a name like no parameter was
answered with all 121 of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario, parameters
from sim.cli import main
from sim.errors import InputError, in_words
from sim.experiments.calibration import run_calibration
from sim.experiments.calibration_file import load_calibration
from sim.experiments.calibration_results import finish
from sim.experiments.designs import make_design
from sim.experiments.executors import check_executor
from sim.experiments.parameters import Parameter
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_file import SweepSpec

from . import toys
from .conftest import ROOT

MOSCOW = ROOT / "scenarios" / "moscow.yaml"
SMOKE = ROOT / "calibrations" / "smoke.yaml"
NOWHERE = "tcp://127.0.0.1:9"  # a scheduler address where none answers
BOTH = "sends the work to a running Dask cluster, and executor='local' keeps it on this machine: give one or the other"


@pytest.fixture
def quick_scheduler_timeout(monkeypatch):
    """Before the fix the call tried the scheduler: it need not wait the 5 s it waits in use to say so."""
    import sim.experiments.executors as executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", "1s")


def _toy_spec() -> SweepSpec:
    return SweepSpec(Path("toy"), make_design("grid", [Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0,))]), runs=1)


@pytest.mark.usefixtures("quick_scheduler_timeout")
@pytest.mark.parametrize("call", ["run_sweep", "run_calibration", "finish"])
def test_a_local_executor_with_a_scheduler_is_refused_from_python(tmp_path, call):
    """``executor="local", scheduler=...`` sent the work to the cluster without a word, where the command line
    refuses ``--executor local --scheduler ...``."""
    out = tmp_path / "x"
    calls = {
        "run_sweep": lambda: run_sweep(_toy_spec(), out, evaluate=toys.linear, executor="local", scheduler=NOWHERE),
        "run_calibration": lambda: run_calibration(load_calibration(SMOKE), out, executor="local", scheduler=NOWHERE),
        "finish": lambda: finish(load_calibration(SMOKE), out, executor="local", scheduler=NOWHERE),
    }
    with pytest.raises(InputError) as info:
        calls[call]()
    assert str(info.value) == f"'scheduler': {BOTH}" and info.value.key == "scheduler"
    assert not out.exists()


def test_the_executor_follows_the_scheduler_when_left_out():
    """As on the command line, a scheduler alone means Dask, and no scheduler means this machine."""
    assert check_executor(None, NOWHERE) == "dask"
    assert check_executor(None) == "local"
    assert check_executor("dask", NOWHERE) == "dask"


def test_a_scheduler_that_is_no_address_is_refused_from_python(tmp_path):
    """Dask's own error for it was a long traceback; the command line says what an address looks like."""
    with pytest.raises(InputError) as info:
        run_sweep(_toy_spec(), tmp_path / "x", evaluate=toys.linear, scheduler="localhost")
    assert str(info.value) == "'scheduler': expects a scheduler address such as tcp://host:8786 (got 'localhost')"
    assert not (tmp_path / "x").exists()


def test_the_command_line_says_the_same_with_its_flags(tmp_path, capsys):
    rc = main(["sweep", str(MOSCOW), "--param", "regime.commit=0.2,0.8", "--executor", "local", "--scheduler", NOWHERE,
               "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert rc == 2 and err == ("error: --scheduler: sends the work to a running Dask cluster, and --executor local keeps "
                               "it on this machine: give one or the other\n"), err


def test_make_design_refuses_a_name_the_scenario_does_not_have():
    """It made the design, and run_sweep refused it later; the message is the one run_sweep and --param give."""
    with pytest.raises(InputError) as info:
        make_design("grid", [Parameter("regime.comit", values=(0.4, 0.6))], scenario=MOSCOW)
    assert info.value.message.startswith("no parameter 'regime.comit' (did you mean 'regime.commit'?); "), str(info.value)
    assert info.value.key == "parameters"
    with pytest.raises(InputError, match="no parameter 'events.moscow-protocl.restraint' \\(did you mean "
                                         "'events.moscow-protocol.restraint'\\?\\)"):
        make_design("lhs", [Parameter("events.moscow-protocl.restraint", low=0.1, high=0.5)], n=4,
                    scenario=load_scenario(MOSCOW))


def test_make_design_reads_aliases_and_ranges_as_the_command_line_does():
    design = make_design("grid", [Parameter("regime__commit", values=(0.6, 0.7))], scenario=MOSCOW)
    assert design.names == ["regime.commit"]
    with pytest.raises(InputError) as info:
        make_design("grid", [Parameter("regime.commit", values=(0.6, 1.5))], scenario=MOSCOW)
    assert info.value.message == "regime.commit: 1.5 is outside the parameter's range, 0 to 1", info.value.message
    with pytest.raises(InputError, match="'regime.commit' is swept twice"):  # an alias and its path are one parameter
        make_design("grid", [Parameter("regime__commit", values=(0.6,)), Parameter("regime.commit", values=(0.7,))],
                    scenario=MOSCOW)


@pytest.mark.parametrize("sample, parameter, words", [
    ("grid", Parameter("hts.protest_days", values=(2.0, 2.5)), "'hts.protest_days' takes whole numbers, not 2.5"),
    ("grid", Parameter("hts.protest_days", low=1, high=4, steps=3), "'hts.protest_days' takes whole numbers, not 2.5"),
    ("lhs", Parameter("hts.protest_days", low=1, high=4), "'hts.protest_days' takes whole numbers, which a lhs design "
                                                         "would not give; sweep it on a grid"),
    ("lhs", Parameter("turkey.may_escalate", low=0, high=1), "'turkey.may_escalate' is a switch (true or false), which a "
                                                            "lhs design cannot sample"),
], ids=["int-value", "int-steps", "int-lhs", "switch-lhs"])
def test_make_design_refuses_a_whole_number_or_switch_parameter_the_design_cannot_give_as_param_does(sample, parameter, words):
    """Given the scenario, make_design refused a name or a range at once, as README says --param does, but made a design
    of 2.5 days of protest, or an lhs over a switch, which --param refuses at once and run_sweep refused only later."""
    with pytest.raises(InputError) as info:
        make_design(sample, [parameter], n=4 if sample == "lhs" else None, scenario=MOSCOW)
    assert info.value.message.startswith(words), info.value.message
    assert info.value.key == "parameters"
    assert make_design("grid", [Parameter("hts.protest_days", values=(2, 3))], scenario=MOSCOW).names == ["hts.protest_days"]


def test_make_design_without_a_scenario_takes_any_name():
    """The names are an evaluate function's own when run_sweep is given one (toys.linear reads 'a' and 'b')."""
    assert make_design("grid", [Parameter("a", values=(0.0, 1.0))]).names == ["a"]


def test_make_design_refuses_a_scenario_of_the_wrong_kind():
    with pytest.raises(InputError) as info:
        make_design("grid", [Parameter("regime.commit", values=(0.6,))], scenario=3)
    assert str(info.value).startswith("'scenario': needs a Scenario (sim.load_scenario(path)) or the path of a scenario file"), str(info.value)


@pytest.mark.parametrize("name, sep", [("qqqq.zzzz", "."), ("qqqqzzzz", "__")], ids=["path", "alias"])
def test_a_name_like_no_parameter_says_where_they_are_listed_not_all_of_them(name, sep):
    """Such a name was answered with every one of the scenario's parameters, about 3 KB on one line. An alias is
    answered in aliases."""
    with pytest.raises(InputError) as info:
        load_scenario(MOSCOW).with_params({name: 0.5})
    message = in_words(info.value.message, command_line=False)  # as Python says it
    event = "events.offensive-under-way.force".replace(".", sep).replace("-", "_" if sep == "__" else "-")
    assert message == (f"no parameter '{name}': a parameter is named by its group and key, such as regime{sep}force or "
                       f"{event}; the groups are regime, russia, turkey, hts, rebels, combat, civilians, displaced_at_start and "
                       f"events{sep}<id>; sim.parameters(scenario) lists all {len(parameters(load_scenario(MOSCOW)))}, and "
                       "scenarios/README.md says what each "
                       "does"), message


def test_the_command_line_says_it_as_briefly_and_names_its_own_list(tmp_path, capsys):
    """The list it points to is the command line's own (round 72's check --parameters): it named sim.parameters, a
    Python call, to a user at a shell."""
    rc = main(["sweep", str(MOSCOW), "--param", "qqqq.zzzz=0.2,0.8", "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: --param: no parameter 'qqqq.zzzz': a parameter is named by its group and key")
    listed = f"python -m sim check SCENARIO --parameters lists all {len(parameters(load_scenario(MOSCOW)))}"
    assert listed in err and "sim.parameters" not in err and len(err) < 400 and "valid:" not in err, err
    rc = main(["sweep", str(MOSCOW), "--param", "regime.comit=0.3", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert rc == 2 and "did you mean 'regime.commit'" in err and "python -m sim check SCENARIO --parameters" in err, err
