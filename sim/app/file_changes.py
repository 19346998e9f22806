"""What a what-if file changes from the scenario it ``extends``, read from the two as loaded: the sidebar lists it,
the toggles it already makes are shown as its own, and the What-if tab describes B by it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..io.paths import GROUPS
from ..io.safe_yaml import load_yaml
from ..names import date_words
from .settings import Controls, base_scenario, path_words, relative_to_root, shown_value


def _event_words(event: dict) -> str:
    return f"{event.get('name') or event['id']} ({date_words(event['date'])})"


# The scenario's own keys beside its parameters and events: a what-if that sets one (a seed, a window) changes what
# it runs, and the What-if tab said 'changes from A: nothing that this page can name' of one that set only its seed.
TOP_LEVEL = ("seed", "start", "end", "initial_control", "theatre", "claims")
NOT_VALUES = (".source", ".note")  # what an event or a block cites and says: no change to what it runs


def _leaves(node: object, prefix: str) -> dict[str, object]:
    """Every number, flag and word below ``node`` by its dotted path (lists as they are)."""
    if isinstance(node, dict):
        return {k: v for key, child in node.items() for k, v in _leaves(child, f"{prefix}.{key}" if prefix else str(key)).items()}
    return {prefix: node}


@dataclass(frozen=True)
class FileChanges:
    """What a what-if file changes from the scenario it ``extends``: events left out, events added, values set."""

    parent: str
    removed: tuple[str, ...] = ()  # event ids
    added: tuple[str, ...] = ()
    values: tuple[tuple[str, object, object], ...] = ()  # (dotted path, the parent's value, the file's)
    lines: tuple[str, ...] = ()  # the above in words


def file_changes(path: str, controls: Controls, root: Path = Path(".")) -> FileChanges | None:
    """What the scenario file ``path`` changes from the one it ``extends`` (None: it extends none, or either does
    not load). Read from the two scenarios as loaded, so whatever way the file says it (``remove_events``, an
    event's values, a faction's) is found; a value is named by its slider's label where ``controls`` has one."""
    file = (root / path).resolve()
    try:
        parent = load_yaml(file).get("extends")
        if not isinstance(parent, str):
            return None
        parent_path = relative_to_root(file.parent / parent, root)
        parent_scenario = base_scenario(parent_path, root)
        mine, theirs = base_scenario(path, root).model_dump(mode="python"), parent_scenario.model_dump(mode="python")
    except (InputError, OSError):
        return None
    own = {e["id"]: e for e in mine["events"]}
    old = {e["id"]: e for e in theirs["events"]}
    removed = tuple(i for i in old if i not in own)
    added = tuple(i for i in own if i not in old)
    values: list[tuple[str, object, object]] = []
    for key in TOP_LEVEL:  # (paths as the page names files: from the project's folder)
        a, b = (relative_to_root(x, root) if isinstance(x, Path) else x for x in (theirs[key], mine[key]))
        values += [(key, a, b)] if a != b else []
    for key in ("factions", *GROUPS):
        # A block one of the two does not give (displaced_at_start) is None there: each of the other's values changed.
        a, b = (_leaves(x[key] or {}, "" if key == "factions" else key) for x in (theirs, mine))
        values += [(p, a.get(p), b.get(p)) for p in {**a, **b} if a.get(p) != b.get(p) and not p.endswith(NOT_VALUES)]
    for i in own.keys() & old.keys():
        a, b = _leaves(old[i], f"events.{i}"), _leaves(own[i], f"events.{i}")
        values += [(p, a.get(p), v) for p, v in b.items() if a.get(p) != v and not p.endswith(NOT_VALUES)]
    lines = ([f"{_event_words(old[i])} removed" for i in removed] + [f"{_event_words(own[i])} added" for i in added]
             + [f"{p if p in TOP_LEVEL else path_words(controls, p, parent_scenario)}: {_value(a)} → {_value(b)}"
                for p, a, b in sorted(values)])
    return FileChanges(parent_path, removed, added, tuple(sorted(values)), tuple(lines))


def _value(x: object) -> str:
    if x is None:  # a block the scenario does not give (displaced_at_start)
        return "none"
    if isinstance(x, dt.date):
        return date_words(x)
    return shown_value(x) if isinstance(x, float) else str(x)  # a whole number in full: a seed, not '2.02001e+07'


def toggles_done_by(controls: Controls, changed: FileChanges | None) -> set[str]:
    """The toggles whose change the file itself makes: every event the toggle removes is one it removes, or every
    value the toggle sets is one it sets to that value."""
    if changed is None:
        return set()
    mine = {p: b for p, _, b in changed.values}
    return {t.id for t in controls.toggles if (t.remove_events and set(t.remove_events) <= set(changed.removed))
            or (t.set and all(p in mine and mine[p] == v for p, v in t.set))}
