"""`run -q` prints the results folder's path and nothing else, as its --help says: what a script reads back.

It printed "run folder: results/..." (and "ensemble folder: ... (N replicates across ...)"), which a script had to cut.
"""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.cli.arguments import build_parser

from .conftest import ev, line_theatre


@pytest.fixture
def toy(build):
    line_theatre(build, controllers=("regime", "regime", "rebels", "rebels", "hts"))
    return build.scenario({"end": "2020-01-04", "events": [ev(date="2020-01-01", type="offensive", action="start", axis=["T4"], force=60)]})


def test_quiet_prints_the_bare_folder_path(toy, tmp_path, capsys):
    rows = tmp_path / "set.csv"
    rows.write_text("trial,regime.commit\n0,0.5\n1,0.9\n")
    for name, how in (("run", ["--no-map"]), ("ensemble", ["--runs", "2", "--workers", "1"]),
                      ("across", ["--runs", "2", "--workers", "1", "--param-set", str(rows)])):
        out = tmp_path / name
        assert main(["run", str(toy), *how, "-q", "--out", str(out)]) == 0
        assert capsys.readouterr().out == f"{out}\n", name
        assert (out / "manifest.json").is_file()


def test_every_quiet_flag_promises_the_bare_path():
    parser = build_parser("sim")
    commands = next(a for a in parser._actions if a.dest == "command").choices
    quiet = {name: a.help for name, sub in commands.items() for a in sub._actions if "-q" in a.option_strings}
    assert quiet == {"run": "print only the results folder's path (nothing else, for scripts)"}
