"""What a new user trips over (issue 12, class 6): the README's Python as scripts, the bare command line,
--version, the console script's name, an old Python, and a run summary in the figures' words."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim import load_scenario, simulate
from sim.analysis.summary import summarise
from sim.cli import COMMANDS, main
from sim.names import date_words

from .conftest import ROOT, readme_and_its_docs, shipped_scenarios

README = ROOT / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def as_script(code: str, tmp: Path) -> str:
    """A README snippet made small and pointed at a temporary folder: 40 replicates become 2, results/ goes to ``tmp``."""
    code = code.replace('"results/', f'"{tmp}/')
    return re.sub(r"\b40\b", "2", code)


def test_the_readme_has_the_ensemble_snippet_under_a_main_guard():
    ensemble = [b for b in python_blocks() if "run_ensemble" in b]
    assert ensemble and all('if __name__ == "__main__":' in b for b in ensemble)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_each_readme_python_snippet_runs_as_a_script(tmp_path, index):
    code = python_blocks()[index]
    if "import sim" not in code:
        code = "import sim\n" + code
    script = tmp_path / "snippet.py"
    script.write_text(as_script(code, tmp_path), encoding="utf-8")
    p = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=900,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr[-3000:]
    assert "Traceback" not in p.stderr and "WorkerLost" not in p.stderr
    assert not (ROOT / "results" / "campaign-2").exists()  # it wrote where it was told


def run(*args: str, exe: list[str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*(exe or [sys.executable, "-m", "sim"]), *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_the_bare_command_lists_the_commands_and_the_scenarios():
    p = run()
    assert p.returncode == 0, p.stderr
    for command in COMMANDS:
        assert f"  {command} " in p.stdout
    for scenario in ("scenarios/campaign.yaml", "scenarios/moscow.yaml", "scenarios/whatif/jan_truce_holds.yaml"):
        assert scenario in p.stdout
    assert "usage: python -m sim" in p.stdout and "start with: python -m sim run scenarios/" in p.stdout


def test_a_shipped_scenarios_description_is_cut_between_words():
    """`python -m sim` alone showed "... to the eve of the Moscow ceas": a long first sentence ends at a word, marked."""
    from sim.cli.arguments import shipped_scenarios

    shown = dict(shipped_scenarios())
    campaign = next(text for path, text in shown.items() if str(path).endswith("campaign.yaml"))
    assert campaign.endswith(" …") and "ceas …" not in campaign and len(campaign) <= 90, campaign
    assert all(text.endswith(" …") or not text or text[-1].isalnum() or text[-1] in ")'" for text in shown.values()), shown


def test_an_installed_copy_says_it_has_no_shipped_scenarios_to_check_an_outcomes_file_against(tmp_path):
    """`check seeds/outcomes.yaml` looks for a scenario citing its claims among the scenarios beside the package, which
    an installed copy (`pip install .`: the package alone) does not have: it said "no shipped scenario cites
    seeds/claims.yaml", as if one might. The package copied alone, as pip installs it, says what is missing, and still
    checks the file given a scenario; the source checkout finds its own."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "sim", site / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(site)}

    def check(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sim", "check", str(ROOT / "seeds" / "outcomes.yaml"), *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    p = check()
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert "installed without the shipped scenarios" in p.stderr and "--scenario SCENARIO" in p.stderr, p.stderr
    assert "no shipped scenario cites" not in p.stderr
    p = check("--scenario", str(ROOT / "scenarios" / "campaign.yaml"))
    assert p.returncode == 0 and "an outcomes file" in p.stdout, p.stderr
    here = subprocess.run([sys.executable, "-m", "sim", "check", "seeds/outcomes.yaml"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert here.returncode == 0 and "towns checked against the theatre of scenario" in here.stdout, here.stderr


def test_version():
    from sim.version import package_version

    p = run("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"python -m sim {package_version()}"


def test_the_console_script_calls_itself_idlib_sim():
    script = Path(sys.executable).parent / "idlib-sim"
    if not script.exists():
        pytest.skip("the package is not installed with its console script here")
    p = run("--help", exe=[str(script)])
    assert p.returncode == 0 and p.stdout.startswith("usage: idlib-sim")
    p = run("sweep", "--help", exe=[str(script)])
    assert p.stdout.startswith("usage: idlib-sim sweep")


def old_python() -> str | None:
    for name in ("python3.11", "python3.10", "python3.9", "python3"):
        exe = shutil.which(name)
        if exe:
            v = subprocess.run([exe, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True, text=True)
            if v.stdout.strip() == "False":
                return exe
    return None


def test_an_old_python_is_told_which_version_it_needs():
    exe = old_python()
    if exe is None:
        pytest.skip("no Python older than 3.12 on this machine")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    p = subprocess.run([exe, "-m", "sim", "run", "scenarios/moscow.yaml"], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=60)
    assert p.returncode == 2 and "needs Python 3.12 or newer" in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_the_run_summary_speaks_as_the_figures_do():
    result = simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2020, 3, 30)))
    text = summarise(result, folder=Path("results/x"), scenario_path=Path("scenarios/moscow.yaml"))
    assert "Towns held (start → end): Government " in text and ", HTS " in text and "Turkish-backed rebels" in text
    assert not re.search(r"(?<!backed )\b(regime|rebels|hts) \d", text)  # no internal codes before numbers
    assert re.search(r"violations of a deal: \d+ \(HTS \d+\)", text)
    assert "brokered by Russia and Turkey" in text
    first = result.patrols[0]
    assert f"covered {first['coverage']:.0%} of the route, stopped at {first['reached']}" in text
    assert "This is one run: one possible history" in text
    assert "run scenarios/moscow.yaml --runs 40" in text and "compare results/x" in text


def test_the_run_summary_warns_that_casualties_under_a_ceasefire_are_partial_and_dates_the_displaced():
    """The Moscow summary printed 'Government 710, HTS 0, Turkish-backed rebels 0' without the README's caveat (then:
    an HTS raid cost HTS nothing; since round 46 only the raids and ambushes kill anyone), and 'Civilians displaced: 0'
    on a day when about a million already were."""
    moscow = summarise(simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2020, 3, 30))))
    lines = moscow.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("Casualties (fighters): "))
    assert lines[at + 1].strip().startswith("strength points lost, at 100 fighters a point: the model's bookkeeping, not estimates")
    caveat = " ".join(line.strip() for line in lines[at + 2:at + 4])
    assert caveat.startswith("a ceasefire was in force on 25 of the 25 days simulated: casualties under it are partial"), caveat
    assert "cost both sides" in caveat and "do not read them as estimates" in caveat, caveat
    assert "Civilians displaced since 5 Mar 2020 (the scenario's start): " in moscow
    assert "Turkish soldiers killed since 5 Mar 2020: " in moscow
    # The Russians killed on joint patrols were in timeseries.csv and nowhere in what a run said (8 by August, seed 20200305).
    full = simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml"))
    russians = int(full.timeseries["casualties_russia"].iloc[-1])
    assert russians > 0 and f"Russian soldiers killed since 5 Mar 2020: {russians}" in summarise(full)
    # Displaced 0 and then some 233,000 gone back home read as people from nowhere: the line says whom the run starts with.
    home = int(full.timeseries["returned"].iloc[-1])
    assert home > 0 and ("Civilians gone back home since 5 Mar 2020 (the run starts with people displaced since 1 Dec 2019 "
                         f"in the camps): {home:,}") in summarise(full)
    assert "gone back home" not in summarise(simulate(load_scenario(ROOT / "scenarios" / "campaign.yaml", end=dt.date(2019, 12, 20))))
    campaign = summarise(simulate(load_scenario(ROOT / "scenarios" / "campaign.yaml", end=dt.date(2019, 12, 20))))
    assert "casualties under it are partial" not in campaign and "Civilians displaced since 1 Dec 2019 (the scenario's start): " in campaign
    assert "the model's bookkeeping, not estimates" in campaign, "the campaign's casualties are no estimates either"


FILES = (".py", ".csv", ".yaml", ".md", ".png", ".json", ".parquet")


def test_every_parameter_the_readme_names_exists_and_is_of_the_kind_it_says():
    """The Sweeps section offered `regime.axes` as a whole-number parameter; no scenario has it (`sweep` said so).
    The text moved from the README to docs/ is read there."""
    import pandas as pd

    import sim

    files = [f for folder in ("", "whatif", "calibrated") for f in shipped_scenarios(folder)]
    table = pd.concat([sim.parameters(load_scenario(f)) for f in files]).drop_duplicates("path")
    kinds = dict(zip(table["path"], table["type"], strict=True))
    text = readme_and_its_docs()
    named = {token.split("=")[0] for token in re.findall(r"`([^`\n]+)`", text)}
    dotted = {n for n in named if re.fullmatch(r"(regime|hts|rebels|russia|turkey|combat|civilians|displaced_at_start|events)\.[\w.-]+", n)
              and not n.endswith(FILES)}
    assert len(dotted) > 20  # the pattern finds them (regime.commit, events.jan-truce.restraint, ...)
    assert sorted(dotted - set(kinds)) == []
    for kind, words in (("int", "whole-number parameters"), ("bool", "Switches")):
        examples = re.findall(rf"{words} \(`([^`]+)`\)", text)
        assert examples and all(kinds[e.split("=")[0]] == kind for e in examples), (kind, examples)


def test_the_run_summary_says_a_deal_was_broken_apart_from_its_violations():
    """The campaign's summary read "violations of a deal: none" under a truce the government broke on its first day:
    a breakdown (the government resuming its offensive) is not a violation (an attack on a deal in force), and the
    summary now says both."""
    result = simulate(load_scenario(ROOT / "scenarios" / "campaign.yaml", end=dt.date(2020, 1, 20)))
    broken = result.events[result.events["type"] == "truce_broken"]
    assert len(broken) == 1  # the seed's history: the truce breaks on 12 January
    text = summarise(result)
    on = date_words(dt.date.fromisoformat(broken["date"].iloc[0]), "%b")
    assert (f"  deals broken: 1 (January 2020 Idlib truce on {on}, the Government resuming its offensive; "
            "a breakdown is not counted among the violations)") in text, text
    assert "violations of a deal: " in text


def test_the_run_summary_writes_every_date_in_words():
    """Its header read "1 Dec 2019 .. 5 Mar 2020" and its rows "2019-12-19": one way of writing a date for readers
    (:func:`sim.names.date_words`), in the changes of hands, the ceasefires (and the model's details of them: 'in force
    from 2020-03-06') and the patrols."""
    campaign = summarise(simulate(load_scenario(ROOT / "scenarios" / "campaign.yaml", end=dt.date(2020, 1, 20))))
    moscow = summarise(simulate(load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2020, 3, 30))))
    for text in (campaign, moscow):
        assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text), re.findall(r"\b\d{4}-\d\d-\d\d\b", text)
    assert re.search(r"^  12 Jan 2020  truce in force   January 2020 Idlib truce$", campaign, re.M), campaign
    assert "Moscow Additional Protocol, in force from 6 Mar 2020 (brokered by Russia and Turkey)" in moscow, moscow
    assert re.search(r"^  15 Mar 2020  covered \d+% of the route", moscow, re.M), moscow


def test_the_summaries_carry_the_runs_flags_and_say_when_nothing_changed_hands(tmp_path, capsys):
    """`run --days 45` suggested an ensemble without --days 45; an ensemble in which no town changed hands printed the
    header "Likeliest changes of hands:" (now "Most populous towns to change hands ...") with nothing under it."""
    from sim.cli import main

    moscow = ROOT / "scenarios" / "moscow.yaml"
    assert main(["run", str(moscow), "--days", "5", "--seed", "9", "--no-map", "--out", str(tmp_path / "one")]) == 0
    assert f"run {moscow} --days 5 --seed 9 --runs 40" in capsys.readouterr().out
    assert main(["run", str(moscow), "--days", "2", "--runs", "2", "--workers", "1", "--out", str(tmp_path / "two")]) == 0
    out = capsys.readouterr().out
    head = out.index("Most populous towns to change hands")
    assert out[head:].splitlines()[1] == "  none: no town changed hands in any replicate", out


def test_no_flags_help_breaks_off_in_mid_sentence():
    """`run --help` ended --days's help with "1 to the scenario's length, up to its end:", a colon with nothing after
    it (the scenario's `end:` key, in words that read as cut off). Every flag's help ends as a sentence does."""
    import argparse

    from sim.cli.arguments import build_parser

    parser = build_parser("python -m sim")
    helps = {(name, action.option_strings[0] if action.option_strings else action.dest): action.help
             for name, command in parser.get_default("subcommands").items()
             for action in command._actions if action.help and action.help != argparse.SUPPRESS}
    cut = {flag: text for flag, text in helps.items() if text.rstrip().endswith((":", ",", ";"))}
    assert not cut, cut


def test_a_day_count_means_one_thing_in_the_help_the_errors_and_the_summary(tmp_path, capsys):
    """`--days 0` said "the scenario has 179 days" while a full run's summary said "in force 179 of 180 days", and
    `--days 10` ended on 15 March, 11 dated rows. A day count is the days simulated after the start day (the state a
    run begins from); the help, the errors and the summary say so, and what is simulated is unchanged."""
    moscow = ROOT / "scenarios" / "moscow.yaml"
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "simulate only DAYS days after the start day" in " ".join(capsys.readouterr().out.split())
    assert main(["run", str(moscow), "--days", "0"]) == 2
    assert "it counts the days simulated after the start day, and the scenario runs 179 days" in capsys.readouterr().err
    assert main(["run", str(moscow), "--days", "10", "--no-map", "--out", str(tmp_path / "ten")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("moscow: 5 Mar 2020 .. 15 Mar 2020 (10 days simulated), seed 20200305\n"), out
    assert "a ceasefire was in force on 10 of the 10 days simulated" in out, out
    rows = (tmp_path / "ten" / "timeseries.csv").read_text().splitlines()[1:]
    assert len(rows) == 11 and rows[0].startswith("2020-03-05,") and rows[-1].startswith("2020-03-15,")


def github_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (lower case, punctuation dropped, spaces as hyphens, a
    repeated heading numbered)."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        fenced ^= line.startswith("```")
        heading = re.match(r"#+\s+(.*)", line)
        if heading and not fenced:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
            seen[slug] = seen.get(slug, 0) + 1
    return anchors


def test_every_relative_link_in_the_readme_and_docs_leads_to_a_file_and_heading_that_exist():
    """Round 31's walk-through: docs/readme_history.md linked 'docs/readme_history.md#the-campaign-calibrated', a path
    written from the repository root, which from docs/ names docs/docs/readme_history.md, a file that does not exist."""
    pages = [README, ROOT / "scenarios" / "README.md", ROOT / "seeds" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            path, _, anchor = target.partition("#")
            linked = (page.parent / path) if path else page
            if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in github_anchors(linked)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert len(pages) > 3 and not broken, broken


def test_the_readmes_contents_lists_every_section_in_order():
    """The README (over 4,000 lines in round 46) had no table of contents: its Contents lists each `## ` section, in the
    README's order, by its heading and anchor, so a section added or renamed without it fails here."""
    text = README.read_text(encoding="utf-8")
    fenced, sections = False, []
    for line in text.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("## ") and line != "## Contents":
            sections.append(line[3:])
    assert "\n## Contents\n" in text, "the README has no Contents"
    start = text.index("\n## Contents\n") + 1
    contents = text[start:text.index("\n## ", start)]
    listed = re.findall(r"^- \[(.*)\]\(#([\w-]+)\)$", contents, flags=re.M)
    assert len(sections) > 10 and [heading for heading, _ in listed] == sections, (listed, sections)
    assert {anchor for _, anchor in listed} <= github_anchors(README), listed


def test_the_readme_counts_the_fitted_parameters_that_the_parameter_file_marks():
    """Round 31's walk-through: the README said 46 parameters were marked as fitted in scenarios/common/idlib.yaml, where
    47 are: its list of those fitted after the first study left out `regime.deploy_km`, set by hand when the force groups
    came in and refitted in round 13. The paragraph moved from the README to docs/record.md, and is read there."""
    lines = (ROOT / "scenarios" / "common" / "idlib.yaml").read_text(encoding="utf-8").splitlines()
    calibrated = [line for line in lines if re.match(r"\s+\w+:[^#]*# calibrated", line)]
    refitted = [line for line in lines if re.match(r"\s+\w+:[^#]*# refitted on the calibration set", line)]
    text = " ".join((ROOT / "docs" / "record.md").read_text(encoding="utf-8").split())
    words = {"eighteen": 18, "nineteen": 19, "twenty": 20, "twenty-one": 21}
    said = re.search(r"marked `# calibrated` \(and the (\S+) since `# refitted on the calibration set`\) in "
                     r"\[`scenarios/common/idlib\.yaml`\]\(\.\./scenarios/common/idlib\.yaml\) — (\d+) of them — were fitted "
                     r"with \[optuna\]\(https://optuna\.org\)'s TPE sampler; (\d+) of them first \((.*?)\) with a first run", text)
    assert said, "the sentence counting the fitted parameters is gone"
    assert words[said.group(1)] == len(refitted)
    assert int(said.group(2)) == len(calibrated) + len(refitted)
    later = re.findall(r"`(\w+)`", said.group(4))
    assert int(said.group(3)) + len(later) == int(said.group(2)), later
    assert {"flee_capture", "deploy_km", "counter_threshold", "air_support", "idle_air"} <= set(later)


def test_the_what_if_table_quotes_the_january_truce_what_if_as_the_ensembles_snippet_prints_it():
    """Round 31's walk-through: the What-ifs table gave the Turkish deaths' interval as (−40.0, −24.8) where the
    Ensembles section's output of the same 40 seeds prints -39.9 to -24.8 (the CSV's -39.95, rounded a second time)."""
    text = README.read_text(encoding="utf-8")
    printed = {m[0]: tuple(float(x.replace(",", "")) for x in m[1:]) for m in re.findall(
        r"^(\w+): [\d,.]+ -> [\d,.]+ \(B - A ([-+][\d,.]+), 90% interval ([-+][\d,.]+) to ([-+][\d,.]+)\)$", text, flags=re.M)}
    row = re.search(r"^\| `jan_truce_holds` [^|]*\| (.*) \|$", text, flags=re.M).group(1).split(" | ")
    towns, deaths = (tuple(float(x) for x in re.findall(r"[−+-]?[\d.]+", cell.replace("−", "-"))) for cell in (row[0], row[4]))
    assert towns == printed["towns_regime"], (towns, printed["towns_regime"])
    assert deaths == printed["turkish_deaths"], (deaths, printed["turkish_deaths"])


def test_the_readme_lists_the_pythons_find_python_tries_in_its_order():
    """Round 31's walk-through: the README said scripts/find-python tries python3.13, python3.12 and python3 on the PATH;
    it tries plain `python` too (a machine whose only Python ≥ 3.12 is `python` is served)."""
    script = (ROOT / "scripts" / "find-python").read_text(encoding="utf-8")
    tried = re.search(r"^for c in (.*); do$", script, flags=re.M).group(1).split()
    text = " ".join(README.read_text(encoding="utf-8").split())
    said = re.search(r"`scripts/find-python` prints the first Python ≥ 3\.12 it finds \((.*?) on the PATH", text).group(1)
    assert re.findall(r"`([^`]+)`", said) == tried, (said, tried)


@pytest.mark.parametrize("folder", ["io", "model", "experiments", "analysis", "viz", "app", "cli"])
def test_the_readmes_table_of_the_code_names_every_module_of_each_folder(folder):
    """Round 45's review: the README's row for sim/model/ left out invariants.py (each folder's __init__.py lists its
    modules, and a test holds that; nothing held the README's table). The table moved to docs/model.md with the rest of
    "How it is built", and is read there."""
    page = ROOT / "docs" / "model.md"
    row = next(line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith(f"| [`sim/{folder}/`]"))
    named = set(re.findall(r"`(\w+\.py)`", row))
    there = {f.name for f in (ROOT / "sim" / folder).glob("*.py")} - {"__init__.py"}
    assert named == there, f"sim/{folder}/: not in {page.name} {sorted(there - named)}, not a module {sorted(named - there)}"


def test_the_readme_gives_the_theatres_coordinates_and_people_as_the_towns_table_has_them():
    """Round 45's review: the README gave the approximate places' likely errors as ±1.5 to ±6 km (two say ±1 km, four
    give none), the verified ones as read from Uzbek Wikipedia (none is; one is from Russian), the opposition's places
    as holding exactly 3 million (3,000,046), and every government-held place its census figure (13 of 18 have none).
    The bullets moved from the README to docs/theatre.md, and are read there."""
    import csv

    with open(ROOT / "scenarios" / "theatres" / "idlib.towns.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    text = " ".join(readme_and_its_docs().split())
    verified = [r for r in rows if r["coord_status"] == "verified"]
    approximate = [r for r in rows if r["coord_status"] == "approximate"]
    assert f"{len(verified)} of {len(rows)} ({round(100 * len(verified) / len(rows))}%) are `verified`" in text
    assert f"The other {len(approximate)} are `approximate`" in text
    errors = [[float(km) for km in re.findall(r"(?:\+-|±)\s*([\d.]+)", r["coord_note"])] for r in approximate]
    low, high = min(min(e) for e in errors if e), max(max(e) for e in errors if e)
    said = re.search(r"and for all but (\w+) its likely error \(±([\d.]+) to ±([\d.]+) km\)", text)
    assert said, "the sentence on the approximate places' errors is gone"
    assert said.group(1) == {4: "four"}.get(sum(not e for e in errors)), said.group(1)
    assert (float(said.group(2)), float(said.group(3))) == (low, high)
    languages = {"en": "English", "ar": "Arabic", "de": "German", "pl": "Polish", "ru": "Russian", "uz": "Uzbek"}
    used = {languages[m] for r in verified for m in re.findall(r"\b([a-z]{2})\.wikipedia", r["coord_source"])}
    listed = re.search(r"taken from an encyclopedia entry \(([^)]*) Wikipedia", text).group(1)
    assert set(re.findall(r"[A-Z]\w+", listed)) == used, (listed, used)
    enclave = sum(int(r["population"]) for r in rows if r["controller_2019_12_01"] != "regime")
    assert f"hold that many ({enclave:,}, from rounding)" in text
    government = [r for r in rows if r["controller_2019_12_01"] == "regime"]
    defaults = sum(r["population_source"].startswith("default for its kind") for r in government)
    assert f"or that default where they have none ({defaults} of {len(government)}," in text

def test_the_bare_command_lists_a_users_own_whatif_apart_from_the_shipped_scenarios():
    """A what-if the app saves (its default folder is scenarios/whatif/) or a user writes there was listed under
    "scenarios shipped:", as if the project had shipped it, and one that did not load was left out without a word.
    Now the shipped ones come alone under that heading, the user's under their own, a broken one with how to check
    it."""
    folder = ROOT / "scenarios" / "whatif"
    mine, broken = folder / "zz_test_my_own_whatif.yaml", folder / "zz_test_my_broken_whatif.yaml"
    assert not mine.exists() and not broken.exists()
    try:
        mine.write_text("extends: ../campaign.yaml\nname: my_own\ndescription: My own what-if. More words.\n")
        broken.write_text("extends: ../campaign.yaml\nname: [\n")
        p = run()
    finally:
        mine.unlink(missing_ok=True)
        broken.unlink(missing_ok=True)
    assert p.returncode == 0, p.stderr
    shipped_part, _, own_part = p.stdout.partition("\nyour own scenarios")
    assert "zz_test_my" not in shipped_part.partition("scenarios shipped:")[2], p.stdout
    assert "scenarios/whatif/jan_truce_holds.yaml" in shipped_part
    assert "scenarios/whatif/zz_test_my_own_whatif.yaml" in own_part and "My own what-if" in own_part, p.stdout
    assert "python -m sim check scenarios/whatif/zz_test_my_broken_whatif.yaml" in own_part, p.stdout
    assert "start with: python -m sim run scenarios/campaign.yaml" in p.stdout


def test_the_list_of_shipped_scenarios_is_what_git_tracks():
    """scenarios/shipped.txt tells the shipped scenarios from a user's own: a scenario added to the project must be
    named there too, or `python -m sim` lists it as the user's."""
    from sim.io.kinds import shipped_names

    listed = subprocess.run(["git", "ls-files", "-z", "--", "*.yaml"], cwd=ROOT / "scenarios", capture_output=True,
                            text=True, check=True).stdout
    tracked = [name for name in listed.split("\0") if name and Path(name).parent.as_posix() in (".", "whatif")]
    assert tracked and sorted(tracked) == sorted(shipped_names())


def test_every_commands_positional_argument_is_explained_in_its_help():
    """`sweep-report --help` showed SWEEP_DIR with no word on what it is, as `discover` and `plot` did theirs."""
    import argparse

    from sim.cli.arguments import build_parser

    parser = build_parser("python -m sim")
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices  # noqa: SLF001
    silent = [f"{name} {action.metavar or action.dest}" for name, sub in commands.items() for action in sub._actions  # noqa: SLF001
              if not action.option_strings and not action.help]
    assert not silent, silent


def test_every_flag_a_command_line_in_the_readme_or_its_docs_gives_is_one_its_command_takes():
    """Round 74's check of the README's commands by hand, kept: each `python -m sim COMMAND ...` the README and the docs
    show (in a shell block or in the text, a command after `&&` apart) names only flags its command's parser has."""
    import argparse

    from sim.cli.arguments import build_parser

    parser = build_parser("python -m sim")
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices  # noqa: SLF001
    text = readme_and_its_docs().replace("\\\n", " ")  # a shell line continued
    lines = [m.group(1).split() for m in re.finditer(r"python -m sim((?:[ \t]+(?!&&|\|)[^\s`#)]+)+)", text)]
    lines = [line for line in lines if line[0] in commands]
    assert len(lines) > 50 and len({line[0] for line in lines}) > 6, "the README was read"
    unknown = [" ".join(line) for line in lines
               for word in line[1:] if re.match(r"--?[a-z]", word)
               and word.split("=")[0].rstrip(",;:.") not in {o for a in commands[line[0]]._actions for o in a.option_strings}]  # noqa: SLF001
    assert not unknown, unknown


def test_the_commands_a_summary_suggests_can_be_pasted_whatever_the_paths(tmp_path):
    """'python -m sim compare /tmp/out dir' was printed for a folder with a space: pasted, it named two folders."""
    import shlex

    sc = load_scenario(ROOT / "scenarios" / "moscow.yaml", end=dt.date(2020, 3, 8))
    text = summarise(simulate(sc), folder=tmp_path / "out dir", scenario_path=tmp_path / "my what if.yaml")
    compare = next(line for line in text.splitlines() if "compare" in line).split(": ", 1)[1]
    rerun = next(line for line in text.splitlines() if "--runs 40" in line).split(": ", 1)[1]
    assert shlex.split(compare)[-1] == str(tmp_path / "out dir"), compare
    assert shlex.split(rerun)[4] == str(tmp_path / "my what if.yaml"), rerun


BEFORE_THE_VERSION_CHECK = ("sim/__init__.py", "sim/__main__.py")  # what `python -m sim` runs before it can say so


def test_what_runs_before_the_version_check_reads_in_any_python_3():
    """`python -m sim` imports the package before its ``__main__`` checks the version: both must parse and run under
    an old Python 3 (3.6 is still a system Python), or it stops with a SyntaxError instead of saying what it needs."""
    import ast

    for name in BEFORE_THE_VERSION_CHECK:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.ImportFrom) and node.module == "__future__"), f"{name}: a __future__ import"
            assert not isinstance(node, ast.JoinedStr | ast.NamedExpr | ast.Match), f"{name}, line {node.lineno}"
            annotations = []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args
                annotations = [node.returns, *(a.annotation for a in [*arguments.posonlyargs, *arguments.args,
                                                                        *arguments.kwonlyargs])]
            elif isinstance(node, ast.AnnAssign):
                annotations = [node.annotation]
            for annotation in annotations:  # evaluated when defined: `list[str]` fails before Python 3.9
                assert annotation is None or (isinstance(annotation, ast.Constant) and isinstance(annotation.value, str)), \
                    f"{name}, line {node.lineno}: an annotation that is not a string"


def oldest_python_3() -> str | None:
    """The oldest Python 3.5 to 3.11 on the PATH or installed by pyenv, if any."""
    found = [shutil.which(f"python3.{minor}") for minor in range(5, 12)]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        found += [str(p) for p in Path(root).glob("versions/3.*/bin/python")] if root else []
    versions = {}
    for exe in filter(None, found):
        v = subprocess.run([exe, "-c", "import sys; print(sys.version_info[1])"], capture_output=True, text=True)
        if v.returncode == 0 and v.stdout.strip().isdigit() and 5 <= int(v.stdout) < 12:
            versions.setdefault(int(v.stdout), exe)
    return versions[min(versions)] if versions else None


def test_the_oldest_python_3_at_hand_is_told_which_version_it_needs():
    exe = oldest_python_3()
    if exe is None:
        pytest.skip("no Python 3.5 to 3.11 on this machine")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    p = subprocess.run([exe, "-m", "sim", "--version"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert p.returncode == 2 and "needs Python 3.12 or newer" in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_the_readmes_own_what_if_is_valid_and_its_commands_name_the_folders_run_writes(tmp_path):
    """The walk-through under Running scenarios: its YAML is a what-if `check` accepts where the README says to save it
    (its `extends` read from scenarios/whatif/), and the folders its compare and map read are those its runs write."""
    text = README.read_text(encoding="utf-8")
    part = text[text.index("**A what-if of your own**"):]
    yaml_block = re.search(r"```yaml\n(.*?)```", part, flags=re.S).group(1)
    saved_as = re.search(r"Save\s+this as `([^`]+)`", part).group(1)
    assert saved_as == "scenarios/whatif/my_early_moscow.yaml"
    # Saved where the README says, in a copy of the scenarios folder (nothing is written into the checkout).
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / saved_as).write_text(yaml_block, encoding="utf-8")
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    scenario = load_scenario(tmp_path / saved_as)
    assert scenario.name == "my_early_moscow" and any(e.id == "early-protocol" for e in scenario.events)
    shell = re.search(r"```sh\n(.*?)```", part, flags=re.S).group(1)
    recorded = load_scenario(ROOT / "scenarios" / "campaign.yaml")
    written = [f"results/{s.name}-seed{s.seed}-runs40" for s in (recorded, scenario)]
    for command in ("compare", "map"):
        line = next(x for x in shell.splitlines() if x.startswith(f"python -m sim {command} "))
        assert line.split()[4:] == written, line  # the baseline first


def test_every_results_folder_a_readme_command_reads_is_one_an_earlier_command_writes():
    """Scoring against the record compared the campaign with results/whatif_jan_truce_holds-seed20191219-runs40, a
    folder no command before it writes: a user following the README was told 'no such folder'. Read in order, each
    `compare`, `map` or `plot` of a results folder must follow the `run` that writes it (by its default name)."""
    text = README.read_text(encoding="utf-8")
    lines = [line.split("  #")[0].split() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)
             for line in block.replace("\\\n", " ").splitlines()]
    written, unwritten = set(), []
    for words in (w for w in lines if w[:3] == ["python", "-m", "sim"] and len(w) > 4):
        command, rest = words[3], words[4:]
        if command == "run":
            option = {flag: value for flag, value in zip(rest[1:], rest[2:]) if flag.startswith("--")}
            path = ROOT / rest[0]
            # The README's own what-if is saved by its user: named as its file, it extends campaign.yaml.
            scenario = load_scenario(path if path.exists() else ROOT / "scenarios" / "campaign.yaml")
            name, seed = scenario.name if path.exists() else path.stem, scenario.seed
            default = f"results/{name}-seed{option.get('--seed', seed)}" + (
                f"-runs{option['--runs']}" if "--runs" in option else "") + (
                f"-days{option['--days']}" if "--days" in option else "") + (
                f"-{Path(option['--param-set']).stem}" if "--param-set" in option else "")
            written.add(option.get("--out", default))
        elif command in ("compare", "map", "plot"):
            unwritten += [f for f in rest if f.startswith("results/") and "<" not in f and f not in written]
    assert written and not unwritten, unwritten
