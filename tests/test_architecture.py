"""The package's shape: layers that import only downwards, no cycles, no private names across modules,
no module too long to read, and imports that cost nothing until used.

The layers, lowest first (a module may import from its own layer and those below):

    names, errors, interrupts, version  <  io  <  model  <  analysis  <  viz  <  experiments, api, input_check  <  app  <  cli

``experiments`` sits above ``viz`` because a run folder includes its map; ``analysis``
reads results back and never runs anything; ``app`` (the browser app) uses them all, and
only ``cli`` starts it. Imports under ``if TYPE_CHECKING:`` do not
run and are not counted.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

SIM = ROOT / "sim"
LAYERS = {"names": 0, "errors": 0, "interrupts": 0, "version": 0, "io": 1, "model": 2, "analysis": 3, "viz": 4, "experiments": 5,
          "api": 5, "input_check": 5, "app": 6, "cli": 7, "__main__": 7}
MAX_LINES = 400
HEAVY = ("matplotlib", "dask", "distributed", "pyarrow", "SALib")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def runtime_imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) for every import that runs (at module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):  # imports under `if TYPE_CHECKING:` never run
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [a.name for a in node.names]
            # `from . import ceasefire` imports a module
            modules = [f"{base}.{n}" for n in names if f"{base}.{n}" in MODULES]
            out += [(m, [], node.lineno) for m in modules] if modules else [(base, names, node.lineno)]
    return out


def graph() -> dict[str, set[str]]:
    return {m: {target for target, _, _ in runtime_imports(p) if target in MODULES and target != m} for m, p in MODULES.items()}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for n in sorted(edges[m]):
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_layers_import_only_downwards():
    wrong = []
    for m, targets in graph().items():
        if m == "sim":
            continue  # the package's face imports its API lazily, from every layer
        for t in targets:
            if t != "sim" and layer(t) is not None and layer(m) is not None and layer(t) > layer(m):
                wrong.append(f"{m} imports {t}")
    assert not wrong, wrong
    assert all(layer(m) is not None for m in MODULES if m != "sim"), "a module outside the known layers"


def test_no_private_name_is_imported_across_modules():
    private = [f"{m}:{line} imports {name} from {target}" for m, p in MODULES.items()
               for target, names, line in runtime_imports(p) if target.startswith("sim")
               for name in names if name.startswith("_") and name != "__version__"]
    private += [f"{m} imports the private module {t}" for m, targets in graph().items() for t in targets
                if t.rpartition(".")[2].startswith("_") and not t.endswith("__init__")]
    assert not private, private


@pytest.mark.parametrize("name", ["MAX_SEED", "MAX_RUNS", "MAX_WORKERS", "MAX_N", "MAX_TRIALS", "MAX_BOXES"])
def test_the_limits_every_layer_checks_are_defined_once(name):
    """The largest seed (2**63 - 1) was written out in four modules (the model's streams, the schema's bound on `seed:`,
    the scenario loader's --seed, the command line's flags), the most replicates in three (the flags, ensembles, sweep
    files) and the most workers in two: one name, one definition, in sim.names, imported where it is checked."""
    defined, written = [], []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            defined += [module] * names.count(name)
            if name == "MAX_SEED" and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and ast.unparse(node) == "2 ** 63":
                written.append(module)
    assert defined == ["sim.names"], defined
    assert name != "MAX_SEED" or written == ["sim.names"], written


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_too_long_to_read(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_import_sim_imports_nothing_heavy():
    """`import sim` costs nothing; loading and running a scenario draws nothing, so imports no plotting or Dask."""
    code = f"""
import sys
def loaded():
    return sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))
import sim
print(loaded())
sc = sim.load_scenario('scenarios/moscow.yaml', end=sim.load_scenario('scenarios/moscow.yaml').start.replace(day=10))
sim.simulate(sc)
print(loaded())
"""
    p = run_python(code)
    assert p.returncode == 0, p.stderr
    bare, after_a_run = p.stdout.splitlines()
    assert bare == "[]"
    # pandas itself imports pyarrow (its string backend); nothing of ours does before a sweep writes Parquet.
    assert after_a_run in ("[]", "['pyarrow']"), after_a_run



def test_check_of_a_scenario_a_theatre_the_record_a_sweep_or_a_calibration_imports_neither_mesa_nor_pandas():
    """`check` is for CI jobs and editors: it had come to import Mesa and pandas through the keyword API (1.4 s, where
    the target is 0.6). An outcomes file's and a sweep file's checks read the model's reporter names and the metric
    names, which came with Mesa (the collector shared their module, the outcomes were read in the runs' module), pandas
    (with the run tables the scoring reads) and scipy (pockets); a calibration file's came with the calibration's
    runner (1.3 s); a sampled sweep's with SALib, SciPy and pandas, drawing its 3,584 points to count them (1.3 s)."""
    code = """
import sys
from sim.cli import main
for f in ('scenarios/moscow.yaml', 'seeds/claims.yaml', 'scenarios/theatres/idlib.yaml', 'seeds/outcomes.yaml',
          'sweeps/jan_truce_30_days.yaml', 'sweeps/truce_sensitivity.yaml', 'calibrations/campaign.yaml'):
    assert main(['check', f]) == 0
print(sorted(m for m in ('mesa', 'pandas', 'scipy', 'matplotlib', 'SALib') if m in sys.modules))
"""
    p = run_python(code)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1] == "[]"


def test_an_ensemble_refused_for_its_input_starts_no_workers_and_imports_no_model(tmp_path):
    """`run --runs N` started the process the workers are forked from, which loads the model, before the scenario was
    read (a bad scenario was refused in 2.1 s, where `run` without --runs took 1.0), and imported the ensemble's module,
    with Mesa, pandas and SciPy, before its --out, its seeds and its --param-set were checked. A refusal waits for neither
    now."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstart: 2019-12-01\nend: 2020-03-05\nseed: 1\n")
    taken = tmp_path / "taken"
    taken.write_text("a file where the folder would go")
    rows = tmp_path / "set.csv"
    rows.write_text("regime.comit\n0.5\n")
    code = f"""
import sys
from sim.cli import main
for args in ([{str(bad)!r}], ['scenarios/moscow.yaml', '--out', {str(taken)!r}],
             ['scenarios/moscow.yaml', '--seed', '9223372036854775807'], ['scenarios/moscow.yaml', '--param-set', {str(rows)!r}]):
    assert main(['run', *args, '--runs', '4', '--workers', '2']) == 2, args
print(sorted(m for m in ('multiprocessing.forkserver', 'sim.experiments.ensemble', 'mesa', 'pandas') if m in sys.modules))
"""
    p = run_python(code)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1] == "[]", p.stderr
    assert p.stderr.count("error: ") == 4, p.stderr


def test_a_report_only_calibration_with_no_study_is_refused_before_the_study_is_imported(tmp_path):
    """`calibrate --report-only` on a folder that holds no study is refused before the study's module (optuna, the
    model) is imported, as every other refusal of `calibrate` is: the study file's name was known only there."""
    code = f"""
import sys
from sim.cli import main
assert main(['calibrate', 'calibrations/campaign.yaml', '--report-only', '--out', {str(tmp_path / 'none')!r}]) == 2
print(sorted(m for m in ('sim.experiments.calibration', 'optuna', 'mesa', 'multiprocessing.forkserver') if m in sys.modules))
"""
    p = run_python(code)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1] == "[]", p.stderr
    assert "holds no calibration study" in p.stderr, p.stderr


def test_drawing_leaves_the_users_matplotlib_backend_alone(tmp_path):
    """Maps and plots draw on Figure objects: a notebook's backend stays what it was, and pyplot is never imported."""
    code = f"""
import sys
import matplotlib
matplotlib.use("svg")
import sim
sc = sim.load_scenario('scenarios/moscow.yaml', end=sim.load_scenario('scenarios/moscow.yaml').start.replace(day=10))
out = sim.write_run(sim.simulate(sc), {str(tmp_path / "run")!r})
sim.make_plots(out)
sim.make_map([out], date="2020-03-08")
print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
"""
    p = run_python(code)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["svg", "False"]
    assert (tmp_path / "run" / "control_map.png").stat().st_size > 10_000


def test_the_public_api_resolves():
    import sim

    for name in sim.__all__:
        assert getattr(sim, name) is not None, name
    assert sim.__version__ and sim.__version__ != "unknown"
    with pytest.raises(AttributeError):
        sim.no_such_name  # noqa: B018


PACKAGES = sorted(p.parent for p in SIM.rglob("__init__.py"))


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: module_name(p / "__init__.py"))
def test_every_module_is_listed_in_its_packages_docstring(package):
    """Each folder's ``__init__`` docstring lists its modules (and the package's, its folders), by ``name``."""
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    here = module_name(package / "__init__.py")
    children = [p.stem for p in package.glob("*.py") if not p.stem.startswith("__")]
    children += [p.parent.name for p in package.glob("*/__init__.py")]
    missing = [c for c in sorted(children) if f"``{c}``" not in doc and f"``{here}.{c}``" not in doc]
    assert not missing, f"{here}'s docstring does not list {missing}"
