"""What a control map shows on one date, as plain data read from a run: the *state* layer of the maps.

Every town's controller, the Turkish posts and which are encircled (as the
run recorded them in posts.csv), Russian military police, the security
corridor (only while an agreement with one is in force) and the joint
patrols. :func:`run_state` serves both a run in memory (``write_run``'s map)
and a folder read back, so that what the tests check is what users get.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ..analysis.results import RunData
from ..io.theatre import Theatre
from ..names import HOLDERS, PATROL_EVENTS



@dataclass(frozen=True)
class MapCorridor:
    """A security corridor: ``width_km`` on each side of ``road``."""

    road: str
    width_km: float


@dataclass(frozen=True)
class MapPatrol:
    """A joint-patrol plan in effect and, if one has run, how far the last patrol got.

    Attributes:
        route: town indices along the road from the start of the route to its end.
        reached: index of the town the last patrol reached (None before the first).
        coverage: share of the route's km the last patrol covered.
        date: the last patrol's date.
    """

    road: str
    route: tuple[int, ...]
    reached: int | None = None
    coverage: float | None = None
    date: dt.date | None = None


@dataclass
class MapState:
    """Everything a control map shows on one date.

    Attributes:
        date: the date shown.
        controller: controller code (:class:`~sim.names.HolderCode`) of every town.
        posts: which of the theatre's Turkish posts stand (drawn at their sites).
        encircled: which posts are encircled (every town they overlook government-held).
        military_police: towns with Russian military police.
        corridor: the security corridor, only while an agreement with one is in force.
        patrols: joint-patrol plans announced by then, with their last patrol.
    """

    date: dt.date
    controller: np.ndarray
    posts: np.ndarray
    encircled: np.ndarray
    military_police: np.ndarray
    corridor: MapCorridor | None = None
    patrols: list[MapPatrol] = field(default_factory=list)


def run_state(theatre: Theatre, scenario_events: list[dict], run: RunData, date: dt.date) -> MapState:
    """The map state of one run on ``date``, from the run's records and the scenario's events.

    Args:
        theatre: the run's theatre.
        scenario_events: the resolved scenario's events as JSON-like dicts
            (``manifest["parameters"]["events"]``).
        run: the run (control history, posts, events.csv, timeseries.csv).
        date: a date from the run's start to its last day.
    """
    day = run.day(date)
    if not 0 <= day <= run.days:
        raise ValueError(f"{date} is outside the run ({run.start} .. {run.date(run.days)})")
    if run.post_history is None or run.encircled_history is None:
        raise ValueError("the run has no record of its posts (a folder written before posts.csv)")
    ev = run.events[run.events["type"].isin(("military_police", *PATROL_EVENTS)) & (run.events["date"] <= date.isoformat())]
    police = np.zeros(theatre.n, bool)
    for town in ev.loc[ev["type"] == "military_police", "town"]:
        police[theatre.town(town)] = True
    return MapState(date, run.history[day], run.post_history[day], run.encircled_history[day], police,
                    _corridor(scenario_events, run, date), _patrols(theatre, scenario_events, run, ev[ev["type"].isin(PATROL_EVENTS)], date))


def _corridor(scenario_events: list[dict], run: RunData, date: dt.date) -> MapCorridor | None:
    """The corridor of the last deal announced by ``date``, if it has one and a ceasefire is in force.

    The last by date, as the model announces them (a what-if lists its own events after its base's, whatever their
    dates); of two the same day, the one listed later, as the model runs events of one night in the scenario's order.
    """
    deals = sorted((e for e in scenario_events if e["type"] in ("truce", "agreement") and e["date"] <= date.isoformat()),
                   key=lambda e: e["date"])
    in_force = "ceasefire" in run.timeseries and run.timeseries["ceasefire"].iloc[run.day(date)] == "in force"
    if deals and in_force and deals[-1].get("corridor"):
        c = deals[-1]["corridor"]
        return MapCorridor(c["road"], float(c["width_km"]))
    return None


def _patrols(theatre: Theatre, scenario_events: list[dict], run: RunData, runs_so_far, date: dt.date) -> list[MapPatrol]:  # noqa: ANN001 - a DataFrame
    """The patrol plans in effect on ``date``, each with where its last patrol got to."""
    patrols = []
    for spec in scenario_events:
        if spec["type"] != "joint_patrol" or (spec.get("announced") or spec["date"]) > date.isoformat():
            continue
        if spec.get("until") and spec["until"] < date.isoformat():
            continue
        a, b = (theatre.town(t) for t in spec["route"])
        route = tuple(int(t) for t in theatre.road_path(a, b, spec["road"])[0])
        names = {theatre.towns[t] for t in route}
        mine = runs_so_far[(runs_so_far["date"] >= spec["date"]) & runs_so_far["town"].isin(names)]
        if len(mine):
            last = mine.iloc[-1]
            when = dt.date.fromisoformat(last["date"])
            coverage = float(run.timeseries["patrol_coverage"].iloc[run.day(when)]) if "patrol_coverage" in run.timeseries else None
            patrols.append(MapPatrol(spec["road"], route, theatre.town(last["town"]), coverage, when))
        else:
            patrols.append(MapPatrol(spec["road"], route))
    return patrols


def reported_state(theatre: Theatre, date: dt.date) -> MapState:
    """The reported front of the theatre's control column for ``date`` (towns only)."""
    controller = theatre.control[date]
    no_posts = np.zeros(len(theatre.posts), bool)
    return MapState(date, controller, no_posts, no_posts, np.zeros(theatre.n, bool))


@dataclass
class EnsembleState:
    """What an ensemble says about one date.

    Attributes:
        controllers: (runs, towns) controller codes of every replicate.
        probability: (towns, holders) share of replicates in which each faction holds each town.
        state: what most replicates show: the posts standing, encircled and the military police in more than
            half of them, and the corridor if an agreement with one is in force in more than half; the patrol plans
            (the scenario's, the same in every replicate) without a last patrol.
        encircled_share: share of replicates in which each post is encircled.
        corridor_share: share of replicates in which the corridor is in force.
    """

    date: dt.date
    controllers: np.ndarray
    probability: np.ndarray
    state: MapState
    encircled_share: np.ndarray
    corridor_share: float = 0.0


def majority(shares: np.ndarray | float) -> np.ndarray:
    """The maps' one majority rule: in more than half the runs. Half of an even ensemble (2 runs of 4) is no majority:
    a post or the police in half the runs are not drawn, a town taken in half is not "changed hands"."""
    return np.asarray(shares) > 0.5


NO_ONE = -1  # the holder of a town whose largest share of runs two sides tie for


def modal_holders(probability: np.ndarray) -> np.ndarray:
    """(towns,) the holder code of the side holding each town in the most runs, or :data:`NO_ONE` where two sides
    tie for the most (argmax gave a 50/50 split to the first side in HOLDERS' order)."""
    top = probability.max(axis=1, keepdims=True)
    tied = np.isclose(probability, top).sum(axis=1) > 1
    return np.where(tied, NO_ONE, probability.argmax(axis=1))


def ensemble_state(theatre: Theatre, scenario_events: list[dict], runs: list[RunData], date: dt.date) -> EnsembleState:
    """Control probabilities, fronts and corridor of an ensemble on ``date``."""
    day = runs[0].day(date)
    controllers = np.stack([r.history[day] for r in runs])
    probability = np.stack([(controllers == c).mean(axis=0) for c in range(len(HOLDERS))], axis=1)
    states = [run_state(theatre, scenario_events, r, date) for r in runs]
    with_corridor = [s for s in states if s.corridor is not None]

    def most(flags: list[np.ndarray]) -> np.ndarray:
        return majority(np.mean(flags, axis=0))

    enc = np.mean([s.encircled for s in states], axis=0)
    posts = most([s.posts for s in states])
    base = MapState(date, controllers[0], posts, posts & majority(enc), most([s.military_police for s in states]),
                    with_corridor[0].corridor if majority(len(with_corridor) / len(runs)) else None,
                    [MapPatrol(p.road, p.route) for p in states[0].patrols])
    return EnsembleState(date, controllers, probability, base, enc, len(with_corridor) / len(runs))
