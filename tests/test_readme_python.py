"""Every snippet of the README's "From Python" section runs as a script, and prints what the README says it prints."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import ROOT

SECTION = "## From Python: parameters, metrics, batch_run and EMA Workbench"
# Outputs the README quotes in comments, and the snippet that prints them.
QUOTED = {0: "4.0 135.0 1.0", 1: "17.9 days, 113.2 towns"}


def snippets() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.S)


def test_the_section_shows_the_whole_api():
    code = "\n".join(snippets())
    for name in ("with_params", "sim.run_with", ".metrics()", "batch_run(", "sim.IdlibModel", "sim.ema_model", "SequentialEvaluator"):
        assert name in code, name
    for k, quoted in QUOTED.items():
        assert f"# {quoted}" in snippets()[k]


@pytest.mark.parametrize("k", range(4))
def test_each_snippet_runs_as_a_script(k, tmp_path):
    script = tmp_path / f"snippet_{k}.py"
    script.write_text(snippets()[k])
    p = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert "ipyparallel" not in p.stderr, p.stderr  # EMA Workbench imported first warned of an extra it does not need here
    if k in QUOTED:
        assert QUOTED[k] in p.stdout, p.stdout
