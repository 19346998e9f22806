"""The keyword API: one parameterised run, or a few seeded replicates of it, as numbers; scoring a results folder by its
path; and checking an input file.

::

    import sim
    sim.run_with("scenarios/campaign.yaml", replicates=10, events__jan_truce__restraint=0.9)
    # {'ceasefire_days': 17.4, 'ceasefire_days:jan-truce': 17.4, 'towns_regime': ..., ...}

Parameters are named by dotted path or by alias (see :mod:`sim.io.paths`);
replicate ``i`` runs with seed ``seed + i`` (the scenario's seed by default),
the convention of ensembles and sweeps, so the same point and seeds give the
same numbers whichever route ran them: ``run_with``, ``sim sweep``,
:class:`sim.IdlibModel` under ``mesa.batch_run``, or EMA Workbench
(:func:`sim.ema_model`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .experiments.ensemble import seeds_from
from .experiments.run import scored_outcomes, simulate_metrics
from .errors import InputError
from .io.kinds import file_kind, shipped_scenario_files
from .io.paths import alias, declared_range, parameter_paths, value_at
from .io.scenario import as_scenario, load_scenario
from .io.schema import Scenario

if TYPE_CHECKING:
    from .analysis.results import Results
    from .analysis.scoring import Scorecard


def scenario_of(scenario: Scenario | str | Path, params: dict[str, Any] | None = None) -> Scenario:
    """A scenario (loaded from its path if need be) with ``params`` set and validated."""
    sc = as_scenario(scenario)
    return sc.with_params(params) if params else sc


def replicate_seeds(scenario: Scenario | str | Path, replicates: int, seed: int | None = None) -> list[int]:
    """The seeds of ``replicates`` replicates: replicate ``i`` runs with ``seed + i`` (``seed``: the scenario's by default).

    The convention of ensembles, sweeps and :func:`run_with`, checked as an ensemble's ``--runs`` is (at most
    100,000; :func:`sim.experiments.ensemble.seeds_from`); give these seeds to
    ``mesa.batch_run(..., rng=...)`` or an EMA ``ReplicatorModel`` to get the same numbers.
    """
    base = scenario_of(scenario).seed if seed is None else seed
    return seeds_from(base, replicates, keys=("seed", "replicates"))


def run_with(scenario: Scenario | str | Path, *, seed: int | None = None, replicates: int = 1,
             per_replicate: bool = False, outcomes: str | Path | None = None, **params: Any) -> dict[str, Any]:
    """Run ``scenario`` with parameters set; return its metrics, averaged over replicates.

    Args:
        scenario: a :class:`~sim.Scenario`, or the path of a scenario file.
        seed: seed of replicate 0 (default: the scenario's). Replicate ``i`` runs
            with ``seed + i``, as in ensembles and sweeps (``--seed``, ``--runs``).
        replicates: how many seeded replicates to run (stepped together, as one batch).
        per_replicate: also return each replicate's metrics, under ``"runs"``: a
            list of dicts, each with its ``"seed"``.
        outcomes: the reported outcomes to score against (default:
            ``outcomes.yaml`` beside the scenario's claims record).
        **params: parameter values by alias (``regime__commit=0.7``) or, unpacked
            from a dict, by dotted path (``**{"events.jan-truce.restraint": 0.9}``).

    Returns:
        ``{metric: mean over the replicates}``: the metrics of a sweep row (see
        :meth:`sim.RunResult.metrics`), each a float. A metric that is NaN in some
        replicates (a town never captured, a truce never in force) is averaged
        over the others, NaN if it is NaN in all.

    Raises:
        InputError: an unknown parameter, a value outside its declared range, a bad seed or count.
    """
    sc = scenario_of(scenario, params)
    seeds = replicate_seeds(sc, replicates, seed)
    columns = simulate_metrics(sc, seeds, scored_outcomes(sc, outcomes))
    means = pd.DataFrame(columns, dtype=float).mean(skipna=True)
    out: dict[str, Any] = {name: float(means[name]) for name in columns}
    if per_replicate:
        out["runs"] = [{"seed": s, **{name: float(values[i]) for name, values in columns.items()}} for i, s in enumerate(seeds)]
    return out


def parameters(scenario: Scenario | str | Path) -> pd.DataFrame:
    """Every parameter that can be set in ``scenario``: dotted path, alias, value, declared range and type."""
    sc = scenario_of(scenario)
    rows = []
    data = sc.model_dump(mode="python")
    for path in parameter_paths(sc):
        low, high, kind = declared_range(sc, path)
        rows.append({"path": path, "alias": alias(path), "value": value_at(data, path), "low": low, "high": high,
                     "type": kind.__name__})
    return pd.DataFrame(rows)


def scorecard(results: Results | str | Path, outcomes_file: str | Path | None = None) -> Scorecard:
    """Score a run or an ensemble against the record (``python -m sim compare RESULTS_DIR``).

    Args:
        results: a results folder's path (``sim.load_results`` reads it here), or the :class:`~sim.Results` that
            :func:`sim.run_ensemble` or :func:`sim.load_results` returned.
        outcomes_file: the reported outcomes (``--outcomes``; default: ``outcomes.yaml`` beside the run's claims record).

    Raises:
        InputError: ``results`` is neither (a path gave a raw AttributeError), not a results folder, or an outcome's problem.
        DamagedResult: a file of the folder missing, cut short or altered.
    """
    from .analysis.results import Results, load_results
    from .analysis.scoring import scorecard as score_results

    if isinstance(results, str | os.PathLike):
        results = load_results(results)
    elif not isinstance(results, Results):
        raise InputError(None, f"needs a results folder's path, or the Results of sim.load_results(folder) or sim.run_ensemble, "
                               f"not a {type(results).__name__}", key="results")
    return score_results(results, outcomes_file)


def check(path: str | Path, *, scenario: Scenario | str | Path | None = None) -> dict[str, Any]:
    """Validate an input file without running anything (``python -m sim check``): a scenario, a sweep or a calibration
    file, the record's outcomes file or its claims record, or a theatre index (with its tables).

    Which kind the file is comes from its top-level keys (:func:`sim.io.kinds.file_kind`, the rule ``run``,
    ``sweep`` and ``calibrate`` use too); it is then read as that kind's command reads it: a sweep's every point
    against its scenario, a calibration's scenarios, parameters and outcomes, an outcomes file as ``compare`` reads
    it (its claim ids against its claims record, its towns against ``scenario``'s theatre).

    Args:
        path: the file.
        scenario: for an outcomes file, the scenario whose theatre its towns are checked against (default: the first
            shipped scenario citing the same claims record); for any other file, not given.

    Returns:
        ``{"kind": "scenario" | "sweep" | "calibration" | "outcomes" | "claims" | "theatre", "summary": what it holds, in a phrase,
        "notes": [...]}``; the notes say what would still stop it running here (a calibration whose optimiser is not
        installed), or how the file is used.

    Raises:
        InputError: the first problem, with its file, line and key; a results folder or its manifest (no input: the
            error says what reads it).
    """
    from .errors import extra_missing, missing_modules
    from .io.kinds import results_error
    from .io.outputs import damaged_marker, describe, marker
    from .io.safe_yaml import load_yaml

    if Path(path).is_dir() and marker(Path(path)) is not None:
        raise results_error(path)
    if Path(path).is_dir() and damaged_marker(Path(path)) is not None:
        raise InputError(path, f"holds {describe(Path(path))}: not an input file, and no command can read it; write the "
                               "results again with another --out, or remove the folder")
    if Path(path).suffix.lower() == ".csv":  # read as YAML it gave a parse error that said nothing of what it is
        raise InputError(path, "a CSV table: check reads the simulator's YAML files (a scenario, sweep, calibration, "
                               "outcomes or claims file, or a theatre); a table is checked with the file that names it "
                               "(a theatre's tables with its index, a sweep's design with the sweep file)")
    kind, notes = file_kind(tree := load_yaml(path)), []
    if scenario is not None and kind != "outcomes":
        raise InputError(None, f"is for an outcomes file, checked against a scenario's theatre; {path} is a {kind} file",
                         key="scenario")
    if kind == "results":
        raise results_error(path)
    if kind in ("outcomes", "claims"):
        return _check_record(Path(path), tree, kind, scenario)
    if kind == "theatre":
        from .io.theatre import load_theatre

        theatre = load_theatre(path)  # its tables too, as a scenario naming it reads them
        return {"kind": kind, "summary": f"a theatre: {len(theatre.towns)} places, {len(theatre.edge_km)} roads, "
                                         f"{len(theatre.posts)} post sites",
                "notes": ["scenarios name it with `theatre:`"]}
    if kind == "sweep":
        from .experiments.sweep_file import load_sweep

        sweep = load_sweep(path)  # every point checked against the scenario, as `sweep` checks them
        summary = f"a sweep of {sweep.scenario_path.name}: {len(sweep.design.points)} points x {sweep.runs} runs"
    elif kind == "calibration":
        from .experiments.calibration import optimiser_modules
        from .experiments.calibration_file import load_calibration

        cal = load_calibration(path)
        scenarios = f"{len(cal.scenarios)} scenario{'s' * (len(cal.scenarios) != 1)}"
        summary = (f"calibration '{cal.name}': {len(cal.parameters)} parameters, {scenarios}, {len(cal.fit)} fitted and "
                   f"{len(cal.hold_out)} held-out outcomes")
        # The file is valid (a CI job checking files needs no optimiser), but `calibrate` would refuse to run it here.
        if missing := missing_modules(optimiser_modules(cal)):
            notes.append(str(extra_missing("calibrate", "the file is valid, but running it", missing)))
    else:
        from .io.timeline import supersessions

        sc = load_scenario(path)
        summary = f"{sc.name}, {sc.start} .. {sc.end}, {len(sc.events)} events" + "".join(f"; {s}" for s in supersessions(sc))
    return {"kind": kind, "summary": summary, "notes": notes}


def _check_record(path: Path, tree: Any, kind: str, scenario: Scenario | str | Path | None) -> dict[str, Any]:  # noqa: ANN401
    """:func:`check` of an outcomes file (read as ``compare`` reads it) or a claims record."""
    from .analysis.outcomes import load_outcomes
    from .errors import shown_path
    from .io.claims import load_claims
    from .io.theatre import load_theatre
    from .model.model import REPORTERS

    if kind == "claims":
        claims = load_claims(path)
        sources = tree.get("sources")
        counted = f", {len(sources)} sources" if isinstance(sources, list) else ""
        return {"kind": kind, "summary": f"a claims record: {len(claims)} claims{counted}",
                "notes": ["scenarios and outcomes files name it with `claims:` and cite its claims by id"]}
    cited = (path.parent / tree["claims"]).resolve() if isinstance(tree.get("claims"), str) else None
    if scenario is None:
        shipped = shipped_scenario_files()
        scenario = _first_citing(shipped, cited)
        if scenario is None:
            # An installed copy has no scenarios beside it: "no shipped scenario cites it" would send the user looking.
            none = (f"no shipped scenario cites {shown_path(str(cited))}" if shipped else
                    "this copy of the simulator is installed without the shipped scenarios to look for one in")
            raise InputError(path, f"an outcomes file's towns are checked against a scenario's theatre, and {none}: name one, "
                             f"python -m sim check {shown_path(str(path))} --scenario SCENARIO (in Python, sim.check(path, "
                             "scenario=...))")
    sc = as_scenario(scenario)
    outcomes = load_outcomes(path, load_theatre(sc.theatre), ["date", *REPORTERS])
    sets = {}
    for o in outcomes:
        sets[o.set] = sets.get(o.set, 0) + 1
    split = ", ".join(f"{n} {name}" for name, n in sets.items())
    default = "" if path.resolve() != sc.claims.parent / "outcomes.yaml" else (
        f"; compare and plot score a run of {sc.name} (or of any scenario citing {sc.claims.name}) against it by default")
    return {"kind": kind, "summary": f"an outcomes file: {len(outcomes)} reported outcomes ({split}), towns checked against "
                                     f"the theatre of scenario {sc.name}",
            "notes": [f"to score a results folder against it: python -m sim compare RESULTS_DIR --outcomes "
                      f"{shown_path(str(path))}{default}"]}


def _first_citing(files: list[Path], claims: Path | None) -> Path | None:
    """The first scenario of ``files`` whose claims record is ``claims`` (any, if None)."""
    from .io.extends import resolve

    for file in files:
        try:
            tree = resolve(file)
        except InputError:
            continue
        if claims is None or Path(str(tree.get("claims"))) == claims:
            return file
    return None
