"""``extends``: a scenario written as changes to another, resolved into one YAML tree before validation.

Mappings merge key by key; events merge by ``id`` (an event with the id of an
inherited one changes it; others are added; two events with one id in a file
are refused); ``remove_events`` drops
inherited events by id; other values replace. Paths (``theatre``,
``claims``) are resolved against the file that sets them. Every value keeps
the file and line it came from, so errors point at the file that says it.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from ..errors import InputError, did_you_mean, shown_path
from ..names import FACTIONS
from .files import near_name, not_a_file, unnameable
from .kinds import SCENARIO_KEYS, SCENARIOS, named_kind, wrong_kind
from .safe_yaml import LDict, LList, load_yaml
from .schema import EVENT_MODELS

_TOP_KEYS = set(SCENARIO_KEYS)
_PATH_KEYS = ("theatre", "claims")


def resolve(path: Path, stack: tuple[Path, ...] = ()) -> LDict:
    """The YAML tree of scenario ``path`` with its ``extends`` chain merged in (``stack``: the files extending it)."""
    tree = load_yaml(path)
    _unique_event_ids(tree, path)
    unknown = [k for k in tree if k not in _TOP_KEYS]
    if unknown:
        if not stack and (other := wrong_kind(path, tree, "scenario")):
            raise other  # a sweep or calibration file given to `run` or `check`'s scenario reader
        key = unknown[0]
        where = f"; a faction's settings go under 'factions:' (factions: {{{key}: ...}})" if key in FACTIONS else ""
        raise InputError(path, f"unknown key '{key}'" + (where or did_you_mean(str(key), _TOP_KEYS)), line=tree.lines[key][1],
                         key=str(key))
    for key in _PATH_KEYS:
        if key in tree:
            why = unnameable(tree[key])
            if not isinstance(tree[key], str) or why:
                raise InputError(path, f"'{key}' must be a path" + (f" ({why})" if why else ""), line=tree.lines[key][1], key=key)
            tree[key] = str((path.parent / tree[key]).resolve())
    if "extends" not in tree:
        tree.names = ((tree["name"], str(path)),) if "name" in tree else ()
        return tree
    parent_name = tree.pop("extends")
    file, line = tree.lines.pop("extends")
    why = unnameable(parent_name)
    if not isinstance(parent_name, str) or why:
        raise InputError(path, "'extends' must be the path of another scenario" + (f" ({why})" if why else ""), line=line,
                         key="extends")
    parent_path = (path.parent / parent_name).resolve()
    if parent_path in stack or parent_path == path.resolve():
        chain = " -> ".join(p.name for p in (*stack, path.resolve(), parent_path))
        raise InputError(path, f"'extends' makes a cycle: {chain}", line=line, key="extends")
    problem = not_a_file(parent_path)
    if problem:
        where = _looked_for(path, parent_name) if problem == "a file that does not exist" else ""
        raise InputError(path, f"'extends' names {problem}: {parent_name}{where}", line=line, key="extends")
    _a_scenario(parent_path, parent_name, path, line)
    parent = resolve(parent_path, (*stack, path.resolve()))
    if "name" not in tree:
        # The parent's name meant the parent's default results folder: the what-if's runs went there, and the shipped
        # scenario's own run was then refused with advice to rename the shipped file.
        inherited = f"'{parent['name']}' " if isinstance(parent.get("name"), str) else ""
        raise InputError(path, f"a what-if needs its own name: (without one it takes the name {inherited}from {parent_name}, "
                         "and writes into that scenario's results folder)", line=line, key="name")
    # Given as the parent's own, or as it in other letter case (one folder where the file system ignores case): the
    # same folder, refused only once one was run.
    if str(tree["name"]).casefold() == str(parent.get("name", "")).casefold() and "name" in parent:
        raise InputError(path, f"a what-if needs its own name, not '{tree['name']}', the name of {parent_name} (it would "
                         "write into that scenario's results folder)", line=tree.lines["name"][1], key="name")
    # A name from further up the chain shares that scenario's folders just as much (a run of its seed went into them,
    # and `compare` read "jan_truce vs jan_truce"): checked once the parent's own, with the parent's wording, has passed.
    for name, file in parent.names:
        if str(tree["name"]).casefold() == str(name).casefold():
            raise InputError(path, f"a what-if needs its own name, not '{tree['name']}', the name of {shown_path(file)}, "
                             f"further up the extends chain of {parent_name} (it would write into that scenario's results folder)",
                             line=tree.lines["name"][1], key="name")
    merged = _merge(parent, tree)
    merged.names = (*parent.names, (tree["name"], str(path)))
    merged.chain = (*parent.chain, str(path))
    merged.removed = (*parent.removed, *merged.removed)
    return merged


def _a_scenario(parent_path: Path, parent_name: str, path: Path, line: int | None) -> None:
    """Refuse, at the ``extends`` line, a parent that is another kind of file (a sweep, the theatre, the outcomes, a
    table): its first key was reported as unknown in that file, a file the user never meant to change."""
    if what := named_kind(parent_path, "scenario"):
        raise InputError(path, f"'extends' names {what}, not a scenario: {parent_name}", line=line, key="extends")


def _looked_for(path: Path, parent_name: str) -> str:
    """Where a missing parent was looked for, and the file of that name in a folder above, if there is one: a what-if
    written into ``scenarios/whatif/`` that extends ``campaign.yaml`` means ``../campaign.yaml``."""
    said = f", looked for beside {path.name} in {path.parent}"
    for up in (1, 2):
        candidate = Path(*[".."] * up, parent_name)
        if (path.parent / candidate).is_file():
            return f"{said}; did you mean {candidate.as_posix()}?"
    # A file outside the checkout: the path as typed at the prompt (from the working folder), or a shipped what-if's
    # 'extends: ../campaign.yaml' copied with it, names a shipped scenario; the path to it from this file's folder works.
    for found in (Path.cwd() / parent_name, SCENARIOS / Path(parent_name).name):
        if found.is_file():
            written = Path(os.path.relpath(found.resolve(), path.parent.resolve())).as_posix()
            return f"{said}; 'extends' is read from this file's folder: to extend {shown_path(str(found.resolve()))}, write {written}"
    # A misspelt name ('../campain.yaml'), given back as 'extends' reads it, from this file's folder.
    if guess := near_name(path.parent / parent_name):
        return f"{said}; did you mean {(Path(parent_name).parent / guess).as_posix()}?"
    return said

def _unique_event_ids(tree: LDict, path: Path) -> None:
    """Refuse two events with one id in a file: an override, ``remove_events`` or ``--param events.ID`` would pick one."""
    events = tree.get("events")
    if not isinstance(events, LList):
        return
    seen: dict[str, int] = {}
    for i, (event, (_, line)) in enumerate(zip(events, events.lines, strict=True)):
        ident = event.get("id") if isinstance(event, LDict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            raise InputError(path, f"duplicate event id '{ident}' (also on line {seen[ident]}); every event's id must be "
                             "unique", line=line, key=f"events[{i}].id")
        seen[ident] = line


def _merge(base: LDict, over: LDict) -> LDict:
    """``over`` on top of ``base``: mappings merge key by key, events by id, other values replace."""
    if "remove_events" in over and isinstance(over.get("events"), LList):
        _not_removed_and_given(over)
    out = LDict(base, file=over.file, line=over.line)
    out.lines = dict(base.lines)
    for key, value in over.items():
        if key == "events" and isinstance(value, LList) and isinstance(base.get("events"), LList):
            out[key] = _merge_events(base["events"], value)
        elif key == "remove_events":
            continue
        elif isinstance(value, LDict) and isinstance(base.get(key), LDict):
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
        out.lines[key] = over.lines[key]
    if "remove_events" in over:
        out["events"], out.removed = _remove_events(out.get("events", LList()), over["remove_events"], over)
        out.lines.setdefault("events", over.lines["remove_events"])
    return out


def _merge_events(base: LList, over: LList) -> LList:
    out = LList(base, file=over.file, line=over.line)
    out.lines = list(base.lines)
    out.origin = [dict(o) for o in base.origins()]  # so an error names an event as the file it is in lists it
    index = {_event_id(e): i for i, e in enumerate(base) if _event_id(e)}
    for k, (event, where) in enumerate(zip(over, over.lines, strict=True)):
        i = index.get(_event_id(event))
        if i is None:
            _new_event(event, k, index)
            out.append(event)
            out.lines.append(where)
            out.origin.append({where[0]: k})
        else:
            _same_type(base[i], event, k)
            out[i] = _merge(base[i], event)
            out.lines[i] = where
            out.origin[i][where[0]] = k
    return out


def _new_event(event: Any, k: int, inherited: dict[str, int]) -> None:  # noqa: ANN401 - an item of a YAML list
    """An event with an id no inherited event has is a new one, and needs a type: without one, it is most likely an
    override whose id is misspelt (it read "every event needs a 'type'", not which id was meant)."""
    ident = _event_id(event)
    if ident is None or "type" in event:
        return
    file, line = event.lines["id"]
    raise InputError(file, f"no inherited event '{ident}'" + did_you_mean(ident, inherited) + "; a new event needs a 'type' "
                     f"(one of: {', '.join(EVENT_MODELS)})", line=line, key=f"events[{k}].id")


def _not_removed_and_given(over: LDict) -> None:
    """Refuse an event a file both drops with ``remove_events`` and gives: the removal took the file's own event too,
    so a what-if meant to put another in its place (or change it) ran with neither, and ``check`` said ok."""
    ids = over["remove_events"]
    if not isinstance(ids, list):
        return  # _remove_events names that mistake
    removed_at = over.lines["remove_events"][1]
    for k, event in enumerate(over["events"]):
        ident = _event_id(event)
        if ident is not None and ident in ids:
            file, line = event.lines["id"]
            raise InputError(file, f"event '{ident}' is dropped by remove_events (line {removed_at}) and given here too, so "
                             "neither would run: to change the inherited event, take it out of remove_events; to put "
                             "another in its place, give the new one another id", line=line, key=f"events[{k}].id")


def _same_type(base: Any, event: Any, k: int) -> None:  # noqa: ANN401 - items of YAML lists
    """Refuse an override that changes an inherited event's type: the inherited keys of the old type were then
    reported as unknown in the parent's file, which the user never wrote."""
    if not (isinstance(base, LDict) and isinstance(event, LDict)):
        return
    old, new = base.get("type"), event.get("type")
    if "type" not in event or not isinstance(new, str) or new == old:
        return
    file, line = event.lines["type"]
    where = base.lines.get("type", (None, None))
    said = f" ({Path(where[0]).name}, line {where[1]})" if where[0] else ""
    a = "an" if new[:1].lower() in tuple("aeiou") else "a"  # "an 'agreement'", "a 'truce'"
    raise InputError(file, f"'{event['id']}' is an inherited '{old}' event{said}: an override cannot make it {a} '{new}'; "
                     f"drop it with remove_events and add the '{new}' under another id", line=line, key=f"events[{k}].type")


def _event_id(event: Any) -> str | None:
    """An event's id if it is a string; anything else (a list, a mapping: a typo) is left for validation to name."""
    ident = event.get("id") if isinstance(event, LDict) else None
    return ident if isinstance(ident, str) else None


def _remove_events(events: LList, ids: Any, tree: LDict) -> tuple[LList, tuple]:  # noqa: ANN401 - as the YAML gives it
    """``events`` without those ``ids`` names, and the dropped ones as :attr:`LDict.removed` lists them."""
    file, line = tree.lines["remove_events"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputError(file, "'remove_events' must be a list of event ids", line=line, key="remove_events")
    known = {_event_id(e) for e in events}
    for i in ids:
        if i not in known:
            raise InputError(file, f"'remove_events' names no event with id '{i}'" + did_you_mean(i, filter(None, known)), line=line, key="remove_events")
    keep = [not (isinstance(event, LDict) and event.get("id") in ids) for event in events]
    return _keep(events, keep), tuple((e["id"], e, file, line) for e, kept in zip(events, keep, strict=True) if not kept)


def events_until(events: LList, end: Any) -> LList:  # noqa: ANN401 - load_scenario's end=, as the caller gave it
    """The events dated on or before ``end`` (others are kept for validation to judge).

    ``end`` is read as the schema reads it: a date, a datetime or pandas Timestamp (its day) or YYYY-MM-DD; compared as
    given, ``load_scenario(path, end="2020-01-11")`` raised a TypeError. An ``end`` that is none of these leaves the
    events as they are, for validation to refuse it at ``end``.
    """
    end = _day(_as_date(end))
    if end is None:
        return events
    dates = [_day(_as_date(event.get("date"))) if isinstance(event, dict) else None for event in events]
    return _keep(events, [not (date is not None and date > end) for date in dates])


def _day(value: Any) -> dt.date | None:  # noqa: ANN401 - whatever the YAML or the caller holds
    """``value``'s day if it is a date (a datetime's date: a date and a datetime do not compare), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _as_date(value: Any) -> Any:  # noqa: ANN401 - whatever the YAML holds
    """A date written in quotes ("2020-01-20") as the schema reads it: --days kept such events past its end, and the
    run was refused ("outside the scenario window")."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _keep(events: LList, keep: list[bool]) -> LList:
    """The events where ``keep`` is true, each with its line and where its files list it."""
    out = LList(file=events.file, line=events.line)
    out.origin = []
    for event, where, origin, kept in zip(events, events.lines, events.origins(), keep, strict=True):
        if kept:
            out.append(event)
            out.lines.append(where)
            out.origin.append(origin)
    return out
