"""Hand-built small theatres and scenarios with known answers."""

from __future__ import annotations

import importlib.util
import signal
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# The README and the reference moved out of it word for word (the README links each): a test that holds everything the
# README says to the code reads all of them, so moving a passage to docs/ does not take it out of the test's sight.
README_AND_ITS_DOCS = (ROOT / "README.md",
                       *(ROOT / "docs" / f"{name}.md" for name in ("calibration", "guarantees", "performance", "tests",
                                                                    "record", "model", "theatre", "results", "sweeps",
                                                                    "calibration_method", "app", "odd")))


def script_module(name: str):  # noqa: ANN201 - the module
    """``scripts/<name>.py`` loaded as a module (the scripts are not a package), registered under its name in
    ``sys.modules``, where dataclasses look their module up while a class is made."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def pytest_configure(config: pytest.Config) -> None:
    """Give the test processes Python's own Ctrl-C handler, however the run was started.

    A process started in the background (``pytest &``, or any command a non-interactive shell runs with ``&``) inherits
    SIGINT ignored, and Python then leaves it ignored: the tests that stop an ensemble or a sweep by sending their own
    process a SIGINT saw nothing happen ("DID NOT RAISE"), in every such run and in none from a terminal. Run in each
    xdist worker too.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def readme_and_its_docs() -> str:
    """The text of the README and of the docs/ pages moved out of it, one after the other."""
    return "\n".join(page.read_text(encoding="utf-8") for page in README_AND_ITS_DOCS)


def shipped_scenarios(folder: str = "") -> list[Path]:
    """The scenario files the project ships in ``scenarios/<folder>`` (``scenarios/shipped.txt``'s), not a user's
    own file beside them (a half-written what-if with a YAML error in scenarios/whatif/ failed every test that
    loaded the folder)."""
    from sim.io.kinds import shipped_scenario_files

    return [f for f in shipped_scenario_files() if f.parent == ROOT / "scenarios" / folder]


class Builder:
    """Writes a tiny theatre, a claims record (seeds/claims.yaml) and scenarios into a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "seeds").mkdir()
        (root / "seeds" / "claims.yaml").write_text("claims:\n  - {id: test-claim, claim: a test fact}\n")

    def theatre(self, towns, roads, posts=(), name="toy", border=()) -> Path:
        """towns: (name, lat, lon, controller[, population[, kind]]); roads: (a, b, road);
        posts: (id, town, established) or (id, "A; B", established, lat, lon) for a site overlooking A and B;
        border: (lat, lon) points of the border line (none by default)."""
        lines = ["name,lat,lon,population,kind,controller_2020_01_01"]
        for t in towns:
            pop = t[4] if len(t) > 4 else ""
            kind = t[5] if len(t) > 5 else "town"
            lines.append(f"{t[0]},{t[1]},{t[2]},{pop},{kind},{t[3]}")
        (self.root / f"{name}.towns.csv").write_text("\n".join(lines) + "\n")
        (self.root / f"{name}.roads.csv").write_text("from,to,road\n" + "".join(f"{a},{b},{r}\n" for a, b, r in roads))
        (self.root / f"{name}.posts.csv").write_text("post_id,name,towns,established,site_lat,site_lon\n" + "".join(
            f"{p[0]},{p[0]},{p[1]},{p[2]},{p[3] if len(p) > 3 else ''},{p[4] if len(p) > 4 else ''}\n" for p in posts))
        index = {"name": name, "towns": f"{name}.towns.csv", "roads": f"{name}.roads.csv", "posts": f"{name}.posts.csv", "default_population": 1000}
        if border:
            (self.root / f"{name}.border.csv").write_text("lat,lon\n" + "".join(f"{lat},{lon}\n" for lat, lon in border))
            index["border"] = f"{name}.border.csv"
        path = self.root / f"{name}.yaml"
        path.write_text(yaml.safe_dump(index))
        return path

    def scenario(self, body: dict | str, name: str = "s.yaml", theatre: str = "toy.yaml") -> Path:
        if isinstance(body, str):
            text = textwrap.dedent(body)
        else:
            data = {"name": "toy", "theatre": theatre, "claims": "seeds/claims.yaml", "start": "2020-01-01",
                    "end": "2020-01-21", "initial_control": "2020-01-01", "seed": 1}
            data.update(body)
            text = yaml.safe_dump(data, sort_keys=False)
        path = self.root / name
        path.write_text(text)
        return path


@pytest.fixture
def build(tmp_path: Path) -> Builder:
    return Builder(tmp_path)


@pytest.fixture(scope="session")
def shared_app_server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - (the URL, a str; its save folder)
    """(the URL of one ``python -m sim app`` that a test process's browser tests share, its save folder).

    Starting and stopping a server took some 9 s of the 25 to 45 of each browser test; every page opened on it is a
    session of its own (Solara gives each its own state), and saves into the folder its address names inside the save
    folder (``?folder=``). The save folder is the test process's base temporary folder, which holds every test's own
    ``tmp_path``: a test that saves opens :func:`app_saving_into`'s address for a folder of its own, and a file it
    saved shows in no other test's picker.
    """
    from .app_browser import app_server

    base = tmp_path_factory.getbasetemp()
    with app_server(base) as url:
        yield url, base


@pytest.fixture(scope="session")
def shared_app(shared_app_server, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The shared server's URL for the browser tests that save nothing, their pages' save folder one of their own.

    Its name is longer than a test's own ``tmp_path``'s (pytest cuts those to 30 characters), so a page that names it
    lays out a path at least as long as a saving test's does.
    """
    return saving_into(shared_app_server, tmp_path_factory.mktemp("app_shared_by_the_browser_tests_that_save_nothing"))


@pytest.fixture
def app_saving_into(shared_app_server):  # noqa: ANN201 - a function
    """A function: the shared server's URL for a page that saves into ``folder``, a test's ``tmp_path`` or a folder in
    it (the address's ``?folder=``, which the page takes inside the server's save folder)."""
    return lambda folder: saving_into(shared_app_server, folder)


def saving_into(server: tuple[str, Path], folder: Path) -> str:
    """The address of a page of ``server`` (its URL, its save folder) that saves into ``folder``, inside its save folder."""
    from sim.app.config import FOLDER

    url, base = server
    return f"{url}?{urlencode({FOLDER: folder.relative_to(base).as_posix()})}"


def line_theatre(build: Builder, controllers=("regime", "hts", "rebels"), aside=(), **kw) -> Path:
    """Towns 5 km apart on a straight east-west 'M9' road; ``aside``, the holders of towns A0, A1... 50 km north of it
    on no road, ground a faction holds that nothing reaches (HTS stages its spoiling only where it holds a town)."""
    towns = [(f"T{i}", 35.5, 36.0 + 0.055 * i, c) for i, c in enumerate(controllers)]
    roads = [(f"T{i}", f"T{i + 1}", "M9") for i in range(len(towns) - 1)]
    towns += [(f"A{i}", 36.0, 36.0 + 0.055 * i, c) for i, c in enumerate(aside)]
    return build.theatre(towns, roads, **kw)


def ev(**kw) -> dict:
    """An event citing the test claim."""
    return {"source": ["test-claim"], **kw}


def legacy_ensemble(scenario_file: Path, runs: int, out: Path) -> Path:
    """An ensemble folder as versions before Parquet parts wrote it: a run folder per replicate, ``runs/seed-<s>/``.

    Written with the code that wrote them (a run folder per replicate, the same manifest, no ``parts``),
    for the tests that old folders are still read, refused when damaged, and rerun in the new format.
    """
    from sim import load_scenario
    from sim.analysis.results import RunData
    from sim.experiments.ensemble import seeds_from, write_summaries
    from sim.experiments.manifest import manifest, manifest_text, now
    from sim.experiments.run import simulate_batch
    from sim.experiments.rundir import write_run_files
    from sim.io.scenario import inputs_hash

    scenario = load_scenario(scenario_file)
    seeds = seeds_from(scenario.seed, runs)
    results = simulate_batch(scenario, seeds)
    for result in results:
        write_run_files(result, out / "runs" / f"seed-{result.seed}", scenario_path=scenario_file, map_png=False)
    data = manifest("ensemble", scenario, scenario_file, content_hash=inputs_hash(scenario), seed=scenario.seed,
                    started=now(), replicates=seeds)
    write_summaries(out, [RunData.of(r) for r in results], results[0].theatre.towns)
    data.update(complete=True, finished_at=now())
    (out / "manifest.json").write_text(manifest_text(data))
    return out
