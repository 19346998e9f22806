"""Fixed hostile inputs: each one a regression test for a way bad input once
escaped as something other than an InputError, plus the CLI's contract.

The property-based search over mutated scenarios is in test_fuzz_input.py.
"""

from __future__ import annotations


import pytest

from sim import InputError, load_scenario

from .conftest import line_theatre

HEAD = "name: toy\ntheatre: toy.yaml\nseeds: seeds/claims.yaml\nstart: 2020-01-01\nend: 2020-01-21\ninitial_control: 2020-01-01\n"


@pytest.fixture
def toy(build):
    line_theatre(build)
    return build


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
    err = error_of(toy.scenario(HEAD + "factions: {regime: {axes: '" + "x" * 10_000 + "'}}\n"))
    assert err.key == "factions.regime.axes" and len(str(err)) < 300
