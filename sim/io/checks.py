"""Cross-checks of a scenario against its theatre and the claims record.

The schema says what shape a scenario has; these checks say whether what it
names exists: towns, posts, roads, claim ids, and dates inside the window.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, did_you_mean, shown_path
from ..names import HolderCode
from .claims import load_claims, unknown_claim_hint
from .files import not_a_file
from .kinds import NAMED, named_kind
from .safe_yaml import LDict, as_written, blame, location
from .schema import Scenario
from .theatre import NoRoadPath, Theatre, load_theatre


# How many days after `start:` the control column a run begins from may be dated: one, the state on day 1 (moscow.yaml
# starts on 5 March from the 6 March front, the line when the protocol took effect). Any later column says who holds
# towns after the start, which no key may (scenarios/README.md, "The one rule").
INITIAL_FRONT_LEAD_DAYS = 1


def check_scenario(scenario: Scenario, tree: LDict, path: Path) -> Theatre:
    """Raise :class:`InputError` on the first thing the scenario names that does not exist."""

    def fail(loc: tuple, message: str, *others: tuple) -> None:
        """Raise at ``loc``, or at the one of ``others`` (values judged with it) that the user changed (:func:`blame`)."""
        loc, note = blame(tree, loc, *others)
        file, line = location(tree, loc)
        key = "".join(f"[{p}]" if isinstance(p, int) else (("." if i else "") + p) for i, p in enumerate(as_written(tree, loc, file)))
        raise InputError(file or path, message + note, line=line, key=key)

    # A missing theatre or claims file is the scenario's mistake: point at the
    # line that names it, not only at a path the user never typed in full.
    for key in ("theatre", "claims"):
        problem = not_a_file(getattr(scenario, key))
        if problem:
            fail((key,), f"'{key}' names {problem}: {getattr(scenario, key)}")

    def read(key: str, reader: Any) -> Any:  # noqa: ANN401 - load_theatre or load_claims, and what it returns
        """``reader`` of the file ``key`` names; refused at that line if it is another kind of file (a table, a scenario,
        the outcomes): its reader's error was at a line of its own, as if it were broken. Judged only when the reader
        fails: reading the claims record's kind took longer than loading the whole scenario did."""
        named = getattr(scenario, key)
        try:
            return reader(named)
        except InputError as exc:
            if exc.file is not None and Path(exc.file).resolve() == named.resolve() and (other := named_kind(named, key)):
                fail((key,), f"'{key}' names {other}, not {NAMED[key]}: {shown_path(str(named))}")
            raise

    theatre = read("theatre", load_theatre)
    claims = read("claims", load_claims)

    if scenario.initial_control not in theatre.control:
        days = ", ".join(str(d) for d in sorted(theatre.control))
        fail(("initial_control",), f"the theatre has no control column for {scenario.initial_control} (it has: {days})")
    if (late := (scenario.initial_control - scenario.start).days) > INITIAL_FRONT_LEAD_DAYS:
        fail(("initial_control",), f"'initial_control' ({scenario.initial_control}) is {late} days after the start "
             f"({scenario.start}): the run would begin from a front the record reports later, an outcome the rules must "
             f"produce; start from a control column dated on or before the start, or the day after it", ("start",))

    def cited(at: tuple, source: list[str]) -> None:
        """Raise at the first of ``source`` (the list at ``at``) that is not a claim id in the claims record."""
        for j, claim in enumerate(source):
            if claim not in claims:
                fail((*at, "source", j), f"unknown claim id '{claim}' in {shown_path(str(scenario.claims))}" + unknown_claim_hint(claim, claims))

    if (away := scenario.displaced_at_start) is not None:
        at = ("displaced_at_start",)
        if away.since not in theatre.control:
            days = ", ".join(str(d) for d in sorted(theatre.control))
            fail((*at, "since"), f"the theatre has no control column for {away.since}, the date the towns the displaced "
                 f"left are found against (it has: {days})")
        if away.since >= scenario.initial_control:
            fail((*at, "since"), f"'since' ({away.since}) must be before the front the run starts from ('initial_control', "
                 f"{scenario.initial_control}): the towns taken between them are those the displaced left",
                 ("initial_control",))
        cited(at, away.source)
    for road in scenario.factions.regime.objective_roads:
        if road not in theatre.roads:
            fail(("factions", "regime", "objective_roads", road), f"unknown road '{road}'" + did_you_mean(road, theatre.roads))

    # What the government can come to hold: the towns a road joins to its own at the start, through none of the camps
    # it does not hold (it never attacks one, and no side takes one from it). It takes towns only next to its own.
    held = theatre.control[scenario.initial_control] == HolderCode.REGIME
    area = theatre.areas((theatre.kind != "camp") | held)
    reachable = (area >= 0) & np.isin(area, area[held])
    post_ids = {p.id for p in theatre.posts}
    opened: set[tuple[str, ...]] = set()  # force groups formed and counter-offensives opened so far (_force), in date order
    last_sent: dict[tuple[str, ...], tuple[dt.date, int]] = {}  # each one's latest start order: its date and index
    post_orders: dict[str, tuple[dt.date, int]] = {}  # each post's latest order (set up, withdraw): its date and index

    def no_force(at: tuple, event: Any, does: str, problem: str) -> None:  # noqa: ANN401 - an event of the schema
        """Raise ``problem`` for ``event``, which ``does`` (stops, reinforces) a force group or counter-offensive no earlier
        event formed or opened: at the remove_events line that dropped the event that did, at the date of one moved
        later, or at the event's group (its action, for a counter-offensive, which has no group)."""
        _removed_force(tree, at, event, does)
        later, moved = _formed_later(scenario, event, does)
        if event.faction != "regime":
            fail((*at, "action"), problem + later, *moved)
        groups = {force[1] for force in opened if force[0] == "regime"}
        fail((*at, "group"), problem + later + did_you_mean(event.group, groups), *moved)

    for i, event in sorted(enumerate(scenario.events), key=lambda ie: ie[1].date):
        at = ("events", i)
        if not scenario.start <= event.date <= scenario.end:
            _moved_window(scenario, tree, at, "start" if event.date < scenario.start else "end")
            widen = (f"set the scenario's 'end:' to {event.date} or later" if event.date > scenario.end
                     else "start the scenario earlier (its 'start:')")
            fail((*at, "date"), f"{event.date} is outside the scenario window {scenario.start} .. {scenario.end}: move the "
                                f"event into it, or {widen}")
        for later in ("effective", "until"):
            when = getattr(event, later, None)
            if when is not None and not event.date <= when:
                fail((*at, later), f"'{later}' ({when}) is before the event's date ({event.date})", (*at, "date"))
        effective, until = getattr(event, "effective", None), getattr(event, "until", None)
        if effective is not None and until is not None and until < effective:
            fail((*at, "until"), f"'until' ({until}) is before 'effective' ({effective}): the ceasefire would never be in force",
                 (*at, "effective"))
        announced = getattr(event, "announced", None)
        if announced is not None and announced > event.date:
            fail((*at, "announced"), f"'announced' ({announced}) is after the first patrol ({event.date})", (*at, "date"))
        cited(at, event.source)
        towns = [("town", getattr(event, "town", None))]
        towns += [(("route", j), t) for j, t in enumerate(getattr(event, "route", []))]
        towns += [(("axis", j), t) for j, t in enumerate(getattr(event, "axis", []))]
        for key, name in towns:
            if name is None:
                continue
            try:
                i = theatre.town(name)
            except KeyError as exc:
                fail((*at, *(key if isinstance(key, tuple) else (key,))), exc.args[0])
            # No side's objective: the government never attacks a camp (a group aimed at one pushed forever), and a
            # counter-offensive on one would take it.
            if isinstance(key, tuple) and key[0] == "axis" and theatre.kind[i] == "camp":
                fail((*at, *key), f"'{name}' is a camp, where people flee to, and no side's objective: leave it out of the axis")
            # A group aimed there would stand "on the offensive" for good with nothing it could attack.
            if isinstance(key, tuple) and key[0] == "axis" and event.faction == "regime" and not reachable[i]:
                fail((*at, *key), f"'{name}' is out of the government's reach: no road leads there from the towns it holds "
                     f"on {scenario.initial_control}, other than through a camp it does not hold (it never attacks one), "
                     "so a group sent at it would never take it: leave it out of the axis", ("initial_control",), ("theatre",))
        road, road_at = _road_of(event)
        if road is not None and road not in theatre.roads:
            fail((*at, *road_at), f"unknown road '{road}'" + did_you_mean(road, theatre.roads))
        if event.type == "joint_patrol":
            a, b = (theatre.town(t) for t in event.route)
            if a == b:  # a zero-length route made patrol coverage 0/0 = NaN, and the regime's pressure with it
                fail((*at, "route"), f"the route starts and ends at the same town ({theatre.towns[a]})")
            try:
                theatre.road_path(a, b, event.road)
            except NoRoadPath:
                # judged with the road: a what-if that moves an inherited patrol to another road changed the road
                fail((*at, "route"), f"no path along the {event.road} from {event.route[0]} to {event.route[1]}",
                     (*at, "road"))
        if event.type == "offensive":
            if event.action == "start":
                force = _force(event.faction, event.group)
                if force in last_sent and last_sent[force][0] == event.date:
                    _two_orders_one_night(scenario, fail, at, event, last_sent[force][1])
                last_sent[force] = (event.date, at[1])
                opened.add(force)
            elif _force(event.faction, event.group) not in opened:
                no_force(at, event, "stops", f"no force group '{event.group}' is in the field on {event.date}"
                         if event.faction == "regime" else
                         f"no {COUNTER_OFFENSIVES[event.faction][0]} counter-offensive is under way on {event.date}")
        if event.type == "reinforcement" and event.group is not None:
            if event.faction != "regime":
                fail((*at, "group"), "only the regime has force groups")
            elif _force(event.faction, event.group) not in opened:
                no_force(at, event, "reinforces", f"no force group '{event.group}' has been formed by {event.date}")
        if event.type == "observation_post":
            if event.post not in post_ids:
                fail((*at, "post"), f"unknown post '{event.post}'" + _suggest_post(theatre, event.post))
            if event.post in post_orders and post_orders[event.post][0] == event.date:
                _two_post_orders_one_night(scenario, fail, at, event, post_orders[event.post][1])
            post_orders[event.post] = (event.date, at[1])
    return theatre


def _suggest_post(theatre: Theatre, post_id: str) -> str:
    """The did-you-mean for an unknown post id, else where the ids are listed (too many to list), as for a town."""
    guess = did_you_mean(post_id, [p.id for p in theatre.posts])
    listed = next((f for f in theatre.files if f.name.endswith(".posts.csv")), None)
    if guess or listed is None:
        return guess
    return (f" (no post in the theatre has that id: its {len(theatre.posts)} posts are the 'post_id' column of "
            f"{shown_path(str(listed))}, their places in 'name')")


# HTS's and the rebels' counter-offensives, as errors name them: "no HTS counter-offensive", "HTS's counter-offensive".
COUNTER_OFFENSIVES = {"hts": ("HTS", "HTS's"), "rebels": ("rebel", "the rebels'")}


def _force(faction: Any, group: Any) -> tuple:  # noqa: ANN401 - as an event says them, or an inherited event's raw values
    """What an offensive event starts or stops: a government force group, or a faction's counter-offensive, which has
    no group (its default group 'main' was taken for a government group that a reinforcement or a stop could name)."""
    return ("regime", group) if faction == "regime" else (faction,)


def _two_orders_one_night(scenario: Scenario, fail: Any, at: tuple, event: Any, first: int) -> None:  # noqa: ANN401 - check_scenario's fail, an event of the schema
    """Refuse ``event``, a second order the same night for the force group (or counter-offensive) that the event at
    index ``first`` sends: which axis, frontage and intensity it kept hung on the order the file lists them in, and
    within a night the file's order decides nothing (docs/odd.md). Raised at whichever of the two the user wrote."""
    other = scenario.events[first]
    name = f"'{other.id}'" if other.id else "another offensive"
    what = (f"force group '{event.group}'" if event.faction == "regime"
            else f"{COUNTER_OFFENSIVES[event.faction][1]} counter-offensive")
    key = "group" if event.faction == "regime" else "action"
    fail((*at, key), f"two orders send the {what} on the same night ({event.date}: this one and {name}): which axis it "
         "takes would hang on the order the file lists them in; make them one order, or date them a day apart",
         ("events", first, key))


def _two_post_orders_one_night(scenario: Scenario, fail: Any, at: tuple, event: Any, first: int) -> None:  # noqa: ANN401 - check_scenario's fail, an event of the schema
    """Refuse ``event``, a second order the same night for the post that the event at index ``first`` sets up or
    withdraws: whether the post stands would hang on the order the file lists them in. Raised at whichever of the two
    the user wrote, as :func:`_two_orders_one_night` is."""
    other = scenario.events[first]
    name = f"'{other.id}'" if other.id else "another observation_post event"
    fail((*at, "action"), f"two orders for post '{event.post}' on the same night ({event.date}: this one, "
         f"{event.action}, and {name}, {other.action}): whether it stands would hang on the order the file lists them "
         "in; keep one, or date them a day apart", ("events", first, "action"))


def _formed_later(scenario: Scenario, event: Any, does: str) -> tuple[str, tuple[tuple, ...]]:  # noqa: ANN401 - an event of the schema
    """What forms ``event``'s force group (or opens its counter-offensive) after its date, and where that date is (judged
    with the error, so that a what-if that moved it later is blamed, not the inherited event it left behind in a file
    the user never touched)."""
    force = _force(event.faction, event.group)
    for j, other in sorted(enumerate(scenario.events), key=lambda je: je[1].date):
        if (other.type == "offensive" and other.action == "start" and _force(other.faction, other.group) == force
                and other.date > event.date):
            name = f"'{other.id}'" if other.id else "an offensive"
            by = f", when '{event.id}' {does} it" if event.id else ""
            return f"{by}; {name} {'forms' if event.faction == 'regime' else 'opens'} it only on {other.date}", (("events", j, "date"),)
    return "", ()


def _road_of(event: Any) -> tuple[str | None, tuple[str, ...]]:  # noqa: ANN401 - an event of the schema
    """The road an event names and where it is written: its own ``road`` (a patrol's), or its corridor's (an
    agreement's, under ``corridor:``; the error pointed at the event's first line, with a key it has not)."""
    if getattr(event, "road", None) is not None:
        return event.road, ("road",)
    if getattr(event, "corridor", None) is not None:
        return event.corridor.road, ("corridor", "road")
    return None, ()


def _moved_window(scenario: Scenario, tree: LDict, at: tuple, bound: str) -> None:
    """Raise at ``start:`` or ``end:`` (``bound``) when a file further down the ``extends`` chain than the event at
    ``at`` set it: a what-if's window left out inherited events, and the error named only the file it extends."""
    date_at = (*at, "date")
    if blame(tree, date_at, (bound,))[0] != (bound,):
        return  # the event's date is the later word (or both are in one file): the date is what to fix
    file, line = location(tree, (bound,))
    date_file, date_line = location(tree, date_at)
    key = "".join(f"[{p}]" if isinstance(p, int) else (("." if i else "") + p)
                  for i, p in enumerate(as_written(tree, date_at, date_file)))
    value, event = getattr(scenario, bound), scenario.events[at[1]]
    late = bound == "end"
    out = sorted((e for e in scenario.events if (e.date > value if late else e.date < value)), key=lambda e: e.date)
    name = f"'{event.id}'" if event.id else "an event"
    n = len(out)
    message = (f"{value} {'ends' if late else 'starts'} the scenario {'before' if late else 'after'} {n} of its events (the "
               f"first: {name} on {event.date}, {shown_path(date_file)}, line {date_line}, key '{key}')")
    ways = []
    if late and (days := (value - scenario.start).days) >= 1:
        ways.append(f"leave `end:` out and run only the first {days} days with --days {days}")
    if all(e.id for e in out):
        ways.append(f"drop {'them' if n > 1 else 'it'} with remove_events: [{', '.join(e.id for e in out)}]")
    raise InputError(file, message + (": " + ", or ".join(ways) if ways else ""), line=line, key=bound)


def _removed_force(tree: LDict, at: tuple, event: Any, does: str) -> None:  # noqa: ANN401 - an event of the schema
    """Raise at the ``remove_events`` line that dropped the event forming ``event``'s force group (or opening its
    counter-offensive), if one did: the error was the inherited event's, in a file the user never touched ("no force
    group 'south-east' is in the field")."""
    force = _force(event.faction, event.group)
    what, verb = ((f"force group '{event.group}'", "forms") if event.faction == "regime" else
                  (f"{COUNTER_OFFENSIVES[event.faction][1]} counter-offensive", "opens"))
    for ident, removed, file, line in tree.removed:
        formed = (removed.get("type"), removed.get("action"), _force(removed.get("faction", "regime"), removed.get("group", "main")))
        date = removed.get("date")
        if formed == ("offensive", "start", force) and not (isinstance(date, dt.date) and date > event.date):
            where, at_line = location(tree, (*at, "group" if event.faction == "regime" else "action"))
            name = f"'{event.id}'" if event.id else f"the event of {event.date}"
            raise InputError(file, f"it drops '{ident}', which {verb} {what}; {name} ({shown_path(where)}, line {at_line}) "
                             f"still {does} {'that group' if event.faction == 'regime' else 'it'} on {event.date}, before "
                             f"any other event {verb} it: remove {name} too, or keep '{ident}'", line=line, key="remove_events")
