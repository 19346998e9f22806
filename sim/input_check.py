"""``python -m sim check`` and :func:`sim.check`: validate an input file without running anything.

It stays light (no Mesa, no pandas, no plotting for a scenario, a sweep or a theatre): a CI job checking files, or
an editor saving one, should not pay for the simulator (issue 17's target, 0.6 s for ``check``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, flag
from .io.kinds import file_kind, shipped_scenario_files
from .io.scenario import as_scenario, load_scenario
from .io.schema import Scenario
from .names import counted

if TYPE_CHECKING:  # imported where an outcomes file is read: checking a scenario never needs it
    from .analysis.outcomes import OutcomeBase
    from .io.theatre import Theatre


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
    from .io.outputs import describe, read_markers
    from .io.files import as_path
    from .io.safe_yaml import load_yaml

    path = as_path(path)
    markers = read_markers(path) if path.is_dir() else (None, None)
    if markers[0] is not None:
        raise results_error(path)
    if markers[1] is not None:
        raise InputError(path, f"holds {describe(Path(path), markers)}: not an input file, and no command can read it; "
                               f"write the results again with another {flag('out')}, or remove the folder")
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
                "notes": ["scenarios name it with `theatre:`", *_places_far_from_the_rest(theatre)]}
    if kind == "sweep":
        from .experiments.sweep_file import load_sweep

        sweep = load_sweep(path)  # every point checked against the scenario, as `sweep` checks them
        summary = f"a sweep of {sweep.scenario_path.name}: {counted(sweep.design.size, 'point')} x {counted(sweep.runs, 'run')}"
    elif kind == "calibration":
        from .experiments.calibration_file import load_calibration

        cal = load_calibration(path)
        scenarios = f"{len(cal.scenarios)} scenario{'s' * (len(cal.scenarios) != 1)}"
        summary = f"calibration '{cal.name}': {len(cal.parameters)} parameters, {scenarios}, {cal.outcome_counts()}"
        # The file is valid (a CI job checking files needs no optimiser), but `calibrate` would refuse to run it here.
        if missing := missing_modules(cal.optimiser_modules):
            notes.append(str(extra_missing("calibrate", "the file is valid, but running it", missing)))
    else:
        from .io.timeline import supersessions

        sc = load_scenario(path)
        summary = f"{sc.name}, {sc.start} .. {sc.end}, {len(sc.events)} events" + "".join(f"; {s}" for s in supersessions(sc))
        from .io.theatre import load_theatre

        theatre = load_theatre(sc.theatre)
        notes += _deals_that_bind_no_government(sc) + _interventions_without_escalation(sc) + _groups_formed_empty(sc)
        notes += _post_orders_that_change_nothing(sc, theatre) + _deals_in_force_only_after_the_end(sc)
        notes += _places_far_from_the_rest(theatre)  # the tables edited, the scenario checked
        if (old := (sc.start - sc.initial_control).days) > 1:  # a later start: the front stays the column's
            notes.append(f"starts on {sc.start} from the front of {sc.initial_control} ({old} days earlier, "
                         "'initial_control'): no change of hands between them is in the run")
    return {"kind": kind, "summary": summary, "notes": notes}


FAR_KM = 100  # more than twice as far as any shipped place lies from its nearest (Latakia, 41 km)


def _places_far_from_the_rest(theatre: Theatre) -> list[str]:
    """A note for each place more than :data:`FAR_KM` from every other: valid (a theatre may lie anywhere, and a road
    be as long as its length says), but most often coordinates left at 0, 0 or mistyped, and the place then ran joined
    to the rest by roads of hundreds or thousands of km."""
    from .io.theatre_tables import nearest_other_km

    km = nearest_other_km(theatre.lat, theatre.lon)
    return [f"place '{theatre.towns[i]}' (lat {theatre.lat[i]:g}, lon {theatre.lon[i]:g}) lies {km[i]:,.0f} km from the "
            "nearest other place: its coordinates are most likely a slip" for i in range(len(km)) if km[i] > FAR_KM]


def _deals_that_bind_no_government(sc: Scenario) -> list[str]:
    """A note for each truce or agreement whose ``compliance`` gives the government no share: valid, and it binds
    whom it names, but it never holds the government back, whatever its ``restraint`` (a what-if that meant to test
    a deal's restraint ran the same as the scenario without it)."""
    return [f"{e.type} '{e.id or e.name}' ({e.date}) binds no government: its compliance gives 'regime' no share, so "
            "it never holds the government back, whatever its restraint" for e in sc.events
            if e.type in ("truce", "agreement") and not e.compliance.get("regime", 0.0) > 0]


def _deals_in_force_only_after_the_end(sc: Scenario) -> list[str]:
    """A note for each truce or agreement announced in the window that takes effect after its end: valid (announced, a
    deal supersedes the one before it, and the run reports it as announced), but it never binds anyone in the run,
    most often a deal dated for a longer scenario, or one a what-if's earlier ``end:`` cut short."""
    return [f"{e.type} '{e.id or e.name}' ({e.date}) takes effect on {e.effective}, after the scenario's end ({sc.end}): "
            "in the run it is only announced, and never in force" for e in sc.events
            if e.type in ("truce", "agreement") and e.effective is not None and e.effective > sc.end]


def _groups_formed_empty(sc: Scenario) -> list[str]:
    """A note for each government force group formed with no ``force`` and never reinforced by name: valid (it starts
    empty and grows only by ``regime.regen``), but most often a misspelt group meant to be re-tasked, whose push then
    went on with nothing. Groups form in date order, as the model runs the events."""
    from .errors import closest

    reinforced = {e.group for e in sc.events if e.type == "reinforcement" and e.group is not None}
    formed: list[str] = []
    notes = []
    for e in sorted((e for e in sc.events if e.type == "offensive" and e.faction == "regime" and e.action == "start"),
                    key=lambda e: e.date):
        if e.group in formed:
            continue
        if e.force is None and e.group not in reinforced:
            guess = closest(e.group, formed)  # a guess only: a list of the valid ones would call a new group invalid
            notes.append(f"offensive '{e.id or e.group}' ({e.date}) forms force group '{e.group}' with no force: it "
                         "starts empty and grows only by regime.regen" + (f" (did you mean '{guess}'?)" if guess else ""))
        formed.append(e.group)
    return notes


def _post_orders_that_change_nothing(sc: Scenario, theatre: Theatre) -> list[str]:
    """A note for each ``observation_post`` order that finds its post already as it asks: withdrawn where the post does
    not stand that night, or set up where it already stands. Valid (the model sets the post's state, and logs the
    order), but the run is the one without it: most often a what-if that meant another post, or a post the theatre has
    standing from before the start. A post stands at the start if the theatre's posts table has it set up by then
    (:meth:`sim.io.theatre.Post.standing_on`, as the model reads it); two orders for one post on one night are refused,
    so date order decides."""
    standing = {post.id: post.standing_on(sc.start) for post in theatre.posts}
    notes = []
    for e in sorted((e for e in sc.events if e.type == "observation_post"), key=lambda e: e.date):
        up = e.action == "establish"
        if standing[e.post] == up:
            what = ("sets up post '{}', which already stands then (the theatre's posts table has it set up before the "
                    "start, or an earlier event did)" if up else "withdraws post '{}', which does not stand then (not "
                    "set up before the start, nor by an earlier event)").format(e.post)
            notes.append(f"observation_post '{e.id or e.post}' ({e.date}) {what}: the run is the one without the order, "
                         "though its event log lists it")
        standing[e.post] = up
    return notes


def _interventions_without_escalation(sc: Scenario) -> list[str]:
    """A note for each intervention in a scenario where Turkey may not escalate: its escalation stays 0, so the
    intervention neither holds it up nor strikes (the drones fire in proportion to it): the run is the one without it."""
    if sc.factions.turkey.may_escalate:
        return []
    return [f"intervention '{e.id or e.name}' ({e.date}) is only logged: with turkey.may_escalate false Turkey's "
            "escalation stays 0, so it is not held up and the strikes, in proportion to it, do nothing" for e in sc.events
            if e.type == "intervention"]


def _check_record(path: Path, tree: Any, kind: str, scenario: Scenario | str | Path | None) -> dict[str, Any]:  # noqa: ANN401
    """:func:`check` of an outcomes file (read as ``compare`` reads it) or a claims record."""
    from .errors import shown_path
    from .io.claims import load_claims

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
    from .analysis.outcomes_file import load_outcomes
    from .io.theatre import load_theatre
    from .model.reporters import REPORTERS  # an outcomes file names the model's reporters

    sc = as_scenario(scenario)
    outcomes = load_outcomes(path, load_theatre(sc.theatre), ["date", *REPORTERS])
    default = "" if path.resolve() != sc.claims.parent / "outcomes.yaml" else (
        f"; compare and plot score a run of {sc.name} (or of any scenario citing {sc.claims.name}) against it by default")
    return {"kind": kind, "summary": f"an outcomes file: {_sets_in_words(outcomes)}, towns checked against "
                                     f"the theatre of scenario {sc.name}",
            "notes": [f"to score a results folder against it: python -m sim compare RESULTS_DIR --outcomes "
                      f"{shown_path(str(path))} (in Python, sim.scorecard(folder, {shown_path(str(path))!r})){default}"]}


def _sets_in_words(outcomes: list[OutcomeBase]) -> str:
    """How many outcomes, and in which set: the two counted apart, or, where all are in one, what that set is for. A blind
    file's are all held out, by design; "34 reported outcomes (34 validation)" read as a slip."""
    from .analysis.outcomes import SET_WORDS

    sets: dict[str, int] = {}
    for o in outcomes:
        sets[o.set] = sets.get(o.set, 0) + 1
    counted = f"{len(outcomes)} reported outcome{'s' * (len(outcomes) != 1)}"
    if len(sets) != 1:
        return f"{counted} ({', '.join(f'{n} {name}' for name, n in sets.items())})"
    (name,) = sets
    return f"{counted}, {'all ' * (len(outcomes) > 1)}{SET_WORDS[name]} as the {name} set"  # no brackets within the summary's


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
