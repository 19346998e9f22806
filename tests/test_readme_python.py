"""Every snippet of the README's "From Python" section runs as a script, and prints what the README says it prints (the
Ensembles section's snippet too, on fewer replicates); so do the section's batch_run and EMA Workbench snippets, moved
to docs/sweeps.md."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import ROOT, readme_and_its_docs

SECTION = "## From Python: parameters, metrics, batch_run and EMA Workbench"
MOVED = "## Mesa's batch_run and EMA Workbench"  # the section's last part, in docs/sweeps.md
# Outputs the README quotes in comments, and the snippet that prints them.
QUOTED = {0: "4.0 133.0 1.0", 1: "17.9 days, 122.7 towns"}


def snippets() -> list[str]:
    found = []
    for page, heading in (("README.md", SECTION), ("docs/sweeps.md", MOVED)):
        text = (ROOT / page).read_text(encoding="utf-8")
        start = text.index(f"\n{heading}\n")
        end = text.find("\n## ", start + len(heading) + 1)
        found += re.findall(r"```python\n(.*?)```", text[start:end if end >= 0 else len(text)], flags=re.S)
    return found


def test_the_section_shows_the_whole_api():
    code = "\n".join(snippets())
    for name in ("with_params", "sim.run_with", ".metrics()", "batch_run(", "sim.IdlibModel", "sim.ema_model", "SequentialEvaluator",
                 "sim.Parameter(", "sim.make_design(", "sim.SweepSpec(", "sim.run_sweep("):
        assert name in code, name
    for k, quoted in QUOTED.items():
        assert f"# {quoted}" in snippets()[k]


def test_every_sim_name_the_readme_uses_exists():
    """A name written ``sim.something(`` anywhere in the README (or in the docs/ pages moved out of it) is one
    ``import sim`` gives (a renamed or unexported function in the command table or a snippet would send a reader to
    nothing)."""
    import sim

    used = set(re.findall(r"\bsim\.([a-zA-Z_]\w*)\(", readme_and_its_docs()))
    assert {"discover", "run_sweep", "run_calibration", "check"} <= used
    assert not [name for name in sorted(used) if not hasattr(sim, name)]


def test_the_command_table_names_what_writes_a_calibrations_layers_and_report():
    """The table gave `calibrate FILE` as sim.run_calibration alone, which runs the trials and writes no layer or report."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `calibrate FILE`"))
    assert "sim.run_calibration(" in row and "calibration_results import finish" in row


def test_the_command_table_names_the_call_that_writes_what_discover_writes():
    """The table gave `discover` as sim.discover, which returns the boxes and writes none of discover.md, boxes.csv and
    peeling.png; the call that writes them was in a module the README never named."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `discover FOLDER"))
    assert "sim.discovery_report(" in row and "sim.discover(" in row, row


def test_a_python_calibration_is_told_where_its_layers_go_before_its_first_trial():
    """The command says before its first trial when the layers will go to the study's own folder, not the calibration
    file's `layers:` (another study's are there); from Python nothing said so, nor what to call to know."""
    import sim
    from sim.experiments import calibration_results

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `calibrate FILE`"))
    assert "layers_folder(spec, folder)" in row, row
    assert callable(calibration_results.layers_folder)
    assert "layers_folder" in sim.run_calibration.__doc__ and "layers_folder" in calibration_results.finish.__doc__


@pytest.mark.parametrize("k", range(5))
def test_each_snippet_runs_as_a_script(k, tmp_path):
    script = tmp_path / f"snippet_{k}.py"
    script.write_text(snippets()[k].replace('"results/', f'"{tmp_path}/'))  # what a snippet writes, written here
    p = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert "ipyparallel" not in p.stderr, p.stderr  # EMA Workbench imported first warned of an extra it does not need here
    if k in QUOTED:
        assert QUOTED[k] in p.stdout, p.stdout


FIRST = "### From Python"


def test_the_first_section_runs_and_names_every_function_that_takes_a_scenario_path(tmp_path):
    """The Usage section's "From Python" snippet was not run by any test, and its sentence on paths named five of the
    eight functions that take a scenario file's path (replicate_seeds, ema_model and IdlibModel take one too)."""
    import inspect
    import os
    from pathlib import Path

    import sim

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(FIRST)
    section = text[start:text.index("\n## ", start)]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert '"results/campaign-1"' in code
    script = tmp_path / "first.py"
    script.write_text(code.replace('"results/campaign-1"', repr(str(tmp_path / "campaign-1"))))
    p = subprocess.run([sys.executable, "-W", "error", str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "campaign-1" / "manifest.json").is_file()
    # Every public function or class whose `scenario` may be a path, and the sentence that says so.
    takes = sorted(name for name in sim.__all__ if callable(getattr(sim, name))
                   and "str" in str(inspect.signature(getattr(sim, name)).parameters.get("scenario", "")))
    assert {"simulate", "CeasefireModel", "run_ensemble", "run_with", "parameters", "replicate_seeds", "ema_model",
            "IdlibModel"} <= set(takes), takes
    sentence = section[section.index("```\n\n", section.index("```python")):]
    sentence = sentence[:sentence.index("`import sim`")]
    for name in takes:
        assert f"`{name}`" in sentence, (name, sentence)
    # ... and each does take one (a Path as well as a str).
    path = ROOT / "scenarios" / "moscow.yaml"
    assert sim.replicate_seeds(path, 2) == sim.replicate_seeds(str(path), 2)
    assert len(sim.parameters(path)) == len(sim.parameters(str(path))) > 0
    assert sim.CeasefireModel(path, seed=2).seeds == [2]
    assert sim.IdlibModel(path, seed=2).spec == sim.load_scenario(path)


def test_the_ensembles_snippet_prints_whole_tables_as_the_readme_shows_them(tmp_path):
    """The Ensembles section's snippet printed pandas' truncated tables ("..." for the columns and rows in between):
    it runs (on 4 replicates, into a temporary folder) and prints every column it asks for, and the README shows each
    table's header as the snippet prints it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Ensembles")
    section = text[start:text.index("\n## ", start + 1)]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    [shown] = re.findall(r"```text\n(.*?)```", section, flags=re.S)
    for folder in ("results/campaign-40", "results/whatif-40"):
        assert f'"{folder}"' in code, folder
        code = code.replace(f'"{folder}"', repr(str(tmp_path / folder.split("/")[1])))
    script = tmp_path / "ensembles.py"
    script.write_text(code.replace(", 40, ", ", 4, ").replace(", 40,\n", ", 4,\n"))
    p = subprocess.run([sys.executable, "-W", "error", str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "..." not in p.stdout and "…" not in p.stdout, p.stdout
    # The tables' headers (the lines without a number), their spacing aside: the columns' widths follow the figures.
    headers = [" ".join(line.split()) for line in p.stdout.splitlines() if not re.search(r"\d", line)]
    assert len(headers) == 3 and set(headers) <= {" ".join(line.split()) for line in shown.splitlines()}, (headers, shown)
    assert "frozen front" in headers[0] and "simulated" in headers[1] and "p_regime_b" in headers[2]
