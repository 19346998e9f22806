"""scripts/readme_experiments.py: the one command that regenerates what the README quotes, tested without running it.

The real experiments take half an hour; here the function that runs ``python -m sim`` is replaced by one that
records its arguments (and, for a results command, writes the folder the simulator would mark as complete).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, script_module

README = (ROOT / "README.md").read_text(encoding="utf-8")


def load_script():  # noqa: ANN201 - the script's module
    return script_module("readme_experiments")


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """The script's module, with a runner that records each ``sim`` command and writes what it would have made."""
    module = load_script()
    calls: list[list[str]] = []

    def fake_run(args: list[str]) -> subprocess.CompletedProcess:
        calls.append(list(args))
        if args[0] == "run" and "--runs" in args:  # an ensemble (one run's folder: fake_figures)
            folder = Path(args[args.index("--out") + 1])
            folder.mkdir(exist_ok=True)  # a resumed ensemble keeps its folder
            runs = int(args[args.index("--runs") + 1])
            manifest = {"kind": "ensemble", "scenario": args[1], "scenario_name": Path(args[1]).stem, "seed": 1,
                        "runs": runs, "seeds": list(range(1, runs + 1)), "complete": True}
            (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        return subprocess.CompletedProcess(args, 0, stdout=f"report of {args[-1]}\n", stderr="")

    monkeypatch.setattr(module, "run_sim", fake_run)
    monkeypatch.setattr(module, "drawn_from", lambda exp: f"what {exp.name} drew from")  # no model run for a fake one
    module.calls = calls
    return module


def whatifs_in_readme() -> list[str]:
    """The backticked what-if names in the first column of the table under "### What-ifs"."""
    section = README.split("\n### What-ifs\n", 1)[1]
    section = section[:re.search(r"^#{1,6} ", section, flags=re.M).start()]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [m.group(1) for row in rows[2:] if (m := re.match(r"\|\s*`([a-z0-9_]+)`", row))]


def test_every_whatif_and_sweep_the_readme_quotes_has_an_experiment():
    module = load_script()
    made = {arg for exp in module.EXPERIMENTS if exp.make for arg in exp.make}
    whatifs = whatifs_in_readme()
    sweeps = sorted(set(re.findall(r"sweeps/[A-Za-z0-9_]+\.yaml", README)))
    assert len(whatifs) >= 5 and len(sweeps) >= 3, (whatifs, sweeps)  # the README was read, not an empty match
    for name in whatifs:
        assert f"scenarios/whatif/{name}.yaml" in made, f"the README's what-if {name} has no experiment"
        exp = next(e for e in module.EXPERIMENTS if e.make and e.make[1] == f"scenarios/whatif/{name}.yaml")
        compares = [args for args, _ in exp.reports if args[0] == "compare"]
        assert compares and len(compares[0]) == 3 and exp.needs, f"{name} is not compared with its recorded scenario"
    for path in sweeps:
        assert (ROOT / path).is_file(), path
        assert path in made, f"the README's {path} has no experiment"


def test_list_prints_every_command_and_runs_nothing(script, tmp_path, capsys, monkeypatch):
    def no_subprocess(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("--list ran a command")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    out = tmp_path / "out"
    assert script.main(["--list", "--out", str(out), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert script.calls == [] and not out.exists()
    for exp in script.EXPERIMENTS:
        assert re.search(rf"^{exp.name}\b", printed, flags=re.M), exp.name
        for args in ([exp.make] if exp.make else []) + [r for r, _ in exp.reports]:
            assert shlex.join(script.expand(args, out, 2)) in printed
    assert "--runs 200 --seed 7770000" in printed and "--workers 2" in printed


@pytest.mark.parametrize("stranger", ["notes.txt", "campaign.compare.md", "campaign/notes.txt"])
def test_an_out_holding_a_strangers_file_is_refused_untouched(script, tmp_path, capsys, stranger):
    out = tmp_path / "out"
    file = out / stranger
    file.parent.mkdir(parents=True)
    file.write_text("mine\n", encoding="utf-8")
    assert script.main(["--out", str(out), "--only", "campaign"]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and stranger.split("/")[0] in err and "Traceback" not in err
    assert script.calls == [] and file.read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == sorted({stranger, *(p.as_posix() for p in Path(stranger).parents[:-1])})


def test_a_complete_experiment_is_skipped_and_its_report_rewritten(script, tmp_path, capsys):
    out = tmp_path / "out"
    assert script.main(["--out", str(out), "--only", "jan_truce_holds", "--workers", "2"]) == 0
    first = [args[0] for args in script.calls]
    assert first == ["run", "compare", "run", "compare"]  # campaign (needed), then the what-if against it
    report = out / "jan_truce_holds.compare.md"
    report.write_text(report.read_text(encoding="utf-8").replace("report of", "old report of"), encoding="utf-8")
    script.calls.clear()
    capsys.readouterr()
    manifest = out / "jan_truce_holds" / "manifest.json"  # stopped before its last part: not complete
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"complete": true', '"complete": false'),
                        encoding="utf-8")
    assert script.main(["--out", str(out), "--only", "jan_truce_holds", "--workers", "2"]) == 0
    assert [args[0] for args in script.calls] == ["compare", "run", "compare"]  # campaign kept, the what-if resumed
    printed = capsys.readouterr().out
    assert re.search(r"^skipped +campaign: .*is complete", printed, flags=re.M)
    assert re.search(r"^done +jan_truce_holds:", printed, flags=re.M)
    assert report.read_text(encoding="utf-8").startswith("report of")  # written again, and signed as the script's
    assert script.foreign(out) == []


def test_a_failure_is_reported_and_what_needs_it_is_not_run(script, tmp_path, capsys, monkeypatch):
    def failing(args: list[str]) -> subprocess.CompletedProcess:
        script.calls.append(list(args))
        return subprocess.CompletedProcess(args, 2, stdout="", stderr="line 1\nerror: --out: the disk is full\n")

    monkeypatch.setattr(script, "run_sim", failing)
    out = tmp_path / "out"
    assert script.main(["--out", str(out), "--only", "no_saraqib_posts"]) == 1
    printed = capsys.readouterr().out
    assert len(script.calls) == 1  # campaign's run; the what-if, which needs it, is not started
    assert re.search(r"^failed +campaign: .*exited with 2:\n +line 1\n +error: --out: the disk is full", printed, flags=re.M)
    assert re.search(r"^failed +no_saraqib_posts: not run: it needs campaign", printed, flags=re.M)


# The README's figures that other commands make: the app's screenshots (scripts/app_screenshots.py) and the
# calibration study's plots (a `calibrate` study of several minutes).
FIGURES_MADE_ELSEWHERE = re.compile(r"docs/(app|calibration)_[^/]*\.png")


def test_every_figure_the_readme_shows_is_made_by_an_experiment():
    module = load_script()
    shown = sorted(set(re.findall(r"!\[[^\]]*\]\((docs/[^)\s]+\.png)\)", README)))
    ours = [path for path in shown if not FIGURES_MADE_ELSEWHERE.fullmatch(path)]
    assert len(ours) >= 4 and len(shown) > len(ours), shown  # the links were read, and the screenshots left out
    made = {f"docs/{docs}": file for exp in module.EXPERIMENTS for file, docs in exp.figures}
    for path in ours:
        assert path in made, f"README.md shows {path}, which no experiment of the table makes"
    for path, file in made.items():  # --update-docs replaces the README's figures and adds none
        assert (ROOT / path).is_file(), path
        assert file.endswith(".png") and not file.startswith("/"), file  # a file under --out


def fake_figures(args: list[str]) -> None:
    """Write what ``sim ARGS`` draws, by the simulator's names, as a few bytes naming the command and the file."""
    def draw(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"{args[0]} drew {path.name}".encode())

    if args[0] == "run" and "--runs" not in args:  # one run: its folder appears whole, with its map
        folder = Path(args[args.index("--out") + 1])
        folder.mkdir()
        manifest = {"kind": "run", "scenario": args[1], "seed": 20191219}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        draw(folder / "control_map.png")
    elif args[0] == "map":
        draw(Path(args[1]) / f"map_{args[args.index('--date') + 1]}.png")
    elif args[0] == "plot":
        for name in ("towns_held.png", "capture_dates.png", "losses.png"):
            draw(Path(args[1]) / name)
    elif args[0] == "sweep-report":
        for name in ("heatmap_ceasefire_days.png", "response_ceasefire_days.png"):
            draw(Path(args[1]) / "report" / name)


@pytest.fixture
def drawing_script(script, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """:func:`script`, whose recorded commands also draw their figures."""
    record = script.run_sim

    def run_and_draw(args: list[str]) -> subprocess.CompletedProcess:
        result = record(args)
        fake_figures(args)
        return result

    monkeypatch.setattr(script, "run_sim", run_and_draw)
    return script


def test_update_docs_writes_the_readme_figures_alone_and_says_which_changed(drawing_script, tmp_path, capsys):
    figures = {docs: file for exp in drawing_script.EXPERIMENTS for file, docs in exp.figures}
    makers = [exp.name for exp in drawing_script.EXPERIMENTS if exp.figures]
    out, docs = tmp_path / "out", tmp_path / "docs"
    docs.mkdir()
    unchanged = "campaign_map.png"
    (docs / unchanged).write_bytes(b"run drew control_map.png")  # what the fake run draws: the same bytes
    for name in figures.keys() - {unchanged}:
        (docs / name).write_bytes(b"an older figure")
    (docs / "app_run.png").write_bytes(b"a screenshot")  # made by another command: never touched
    before = {p.name: p.stat() for p in docs.iterdir()}
    assert drawing_script.main(["--out", str(out), "--only", *makers, "--update-docs"], docs=docs) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in docs.iterdir()) == sorted([*before, "figures.json"])  # no temporary left
    recorded = json.loads((docs / "figures.json").read_text(encoding="utf-8"))
    assert recorded == {name: {"experiment": exp.name, "drawn_from": f"what {exp.name} drew from"}
                        for exp in drawing_script.EXPERIMENTS for _, name in exp.figures}
    assert (docs / "app_run.png").read_bytes() == b"a screenshot"
    for name, file in figures.items():
        assert (docs / name).read_bytes() == (out / file).read_bytes(), name
        state = "unchanged" if name == unchanged else "changed"
        assert re.search(rf"^{state} +{re.escape(str(docs / name))} ", printed, flags=re.M), (name, printed)
    assert (docs / unchanged).stat().st_ino == before[unchanged].st_ino  # the same bytes: the file is left as it was
    assert (docs / "ensemble_map.png").read_bytes() == b"map drew map_2020-03-06.png"


def test_update_docs_copies_no_figure_of_a_failed_experiment(drawing_script, tmp_path, capsys, monkeypatch):
    drawing = drawing_script.run_sim

    def plot_fails(args: list[str]) -> subprocess.CompletedProcess:
        if args[0] == "plot":
            return subprocess.CompletedProcess(args, 1, stdout="", stderr="error: no room left\n")
        return drawing(args)

    monkeypatch.setattr(drawing_script, "run_sim", plot_fails)
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("ensemble_map.png", "towns_held.png", "capture_dates.png"):
        (docs / name).write_bytes(b"the shipped figure")
    assert drawing_script.main(["--out", str(tmp_path / "out"), "--only", "campaign20", "--update-docs"],
                               docs=docs) == 1
    printed = capsys.readouterr().out
    assert all((docs / name).read_bytes() == b"the shipped figure" for name in ("ensemble_map.png", "towns_held.png"))
    assert re.search(rf"^not copied {re.escape(str(docs / 'towns_held.png'))}: campaign20 failed", printed, flags=re.M)
    assert "campaign20" not in (docs / "figures.json").read_text(encoding="utf-8")  # what its figures show is not known


def test_each_readme_figure_shows_what_this_checkout_computes():
    """docs/figures.json, written when the figures were last drawn, against the model's outputs and inputs now: a
    change to the rules, the theatre or the record that moves a figure leaves it stale until it is drawn again."""
    module = load_script()
    recorded = json.loads((ROOT / "docs" / module.DRAWN_FROM).read_text(encoding="utf-8"))
    makers = [exp for exp in module.EXPERIMENTS if exp.figures]
    assert sorted(recorded) == sorted(name for exp in makers for _, name in exp.figures)
    for exp in makers:
        now = module.drawn_from(exp)
        for _, name in exp.figures:
            assert recorded[name]["drawn_from"] == now, (
                f"docs/{name} was drawn from other outputs or inputs than this checkout gives: draw it again with "
                f"scripts/readme_experiments.py --out NEW_FOLDER --only {exp.name} --update-docs")


def test_what_a_figure_is_drawn_from_follows_the_runs_outputs(monkeypatch):
    module = load_script()
    exp = module.BY_NAME["campaign_map"]
    before = module.drawn_from(exp)
    assert module.drawn_from(exp) == before  # the same checkout, the same digest
    import sim.experiments.run as run

    simulate_batch = run.simulate_batch

    def one_town_otherwise(scenario, seeds):  # noqa: ANN001, ANN202 - the same arguments as simulate_batch
        results = simulate_batch(scenario, seeds)
        results[0].history[-1, 0] = (results[0].history[-1, 0] + 1) % 3  # one town, on the last day, held by another
        return results

    monkeypatch.setattr(run, "simulate_batch", one_town_otherwise)
    assert module.drawn_from(exp) != before


def test_what_a_figure_is_drawn_from_is_its_files_as_read_not_their_comments(monkeypatch, tmp_path):
    """A comment in a sweep file or a note in the record changes no run and no score, and left every figure and every
    stamped docs file 'stale' (round 74: a timing corrected in a sweep file's comment); a value in them still counts."""
    import shutil

    module = load_script()
    for folder in ("scenarios", "seeds", "sweeps"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    sweep, record = tmp_path / "sweeps" / "no_moscow_breakpoint.yaml", tmp_path / "seeds" / "outcomes.yaml"
    exp = module.BY_NAME["sweep_no_moscow_breakpoint"]
    before = module.drawn_from(exp)
    sweep.write_text(sweep.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    record.write_text(record.read_text(encoding="utf-8").replace("\n  - id: ", "\n  # a comment\n  - id: ", 1),
                      encoding="utf-8")
    assert module.drawn_from(exp) == before
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("window: [2020-03-15, 2020-04-30]", "window: [2020-03-15, 2020-05-01]", 1),
                      encoding="utf-8")
    assert text != record.read_text(encoding="utf-8")
    assert module.drawn_from(exp) != before  # a value of the record as read
    record.write_text(text, encoding="utf-8")
    sweep.write_text(sweep.read_text(encoding="utf-8").replace("runs: 40", "runs: 41"), encoding="utf-8")
    assert module.drawn_from(exp) != before  # a value of the sweep as read
