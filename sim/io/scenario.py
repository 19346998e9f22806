"""Loading a scenario: ``extends``, validation against the schema, cross-checks; and its content hash.

``load_scenario`` resolves the ``extends`` chain (:mod:`sim.io.extends`),
validates the result against the schema (:mod:`sim.io.schema`) and checks
what it names against the theatre and the claims record
(:mod:`sim.io.checks`), turning every problem into one
:class:`~sim.errors.InputError` that names the file, the line and the key.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError
from .checks import check_scenario
from .extends import events_until, resolve
from .safe_yaml import LList
from .schema import EVENT_MODELS, Scenario
from .theatre import load_theatre
from .timeline import check_post_dates, check_timeline
from .validation import TaggedUnion, explain

EVENTS = TaggedUnion("event", "type", EVENT_MODELS)


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Load, merge and validate a scenario file.

    Args:
        path: the YAML scenario.
        **overrides: top-level values replacing the file's (``seed``, ``end``).
            A shortened window leaves out the events dated after it.

    Raises:
        InputError: with file, line and key of the first problem found.
    """
    path = Path(path)
    tree = resolve(path.resolve())
    tree.file = str(path)
    for key, value in overrides.items():
        if value is not None:
            tree[key] = value
            tree.lines.setdefault(key, (str(path), None))
    if overrides.get("end") is not None and isinstance(tree.get("events"), LList):
        tree["events"] = events_until(tree["events"], overrides["end"])
    try:
        scenario = Scenario.model_validate(dict(tree))
    except ValidationError as exc:
        raise explain(exc.errors()[0], tree, path, root=Scenario, union=EVENTS) from None
    check_scenario(scenario, tree, path)
    check_timeline(scenario, tree, path)
    check_post_dates(scenario)
    return scenario


def as_scenario(scenario: Scenario | str | os.PathLike) -> Scenario:
    """``scenario`` itself, or the scenario file at that path loaded (:func:`load_scenario`): the Python API
    (``simulate``, ``CeasefireModel``, ``run_ensemble``, ``run_with``, ``parameters``) takes either.

    Raises:
        InputError: it is neither (a path given as a string was read a character at a time before).
    """
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | os.PathLike):
        return load_scenario(scenario)
    raise InputError(None, f"needs a Scenario (sim.load_scenario(path)) or the path of a scenario file, "
                           f"not a {type(scenario).__name__}", key="scenario")


def content_hash(scenario: Scenario, files: list[Path]) -> str:
    """SHA-256 over the resolved scenario and every input file that shapes the result."""
    digest = hashlib.sha256(scenario.canonical_json().encode())
    for file in sorted(set(files)):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def inputs_hash(scenario: Scenario) -> str:
    """The content hash of a scenario's run: the resolved scenario, every theatre file and the claims record."""
    theatre = load_theatre(scenario.theatre)
    return content_hash(scenario, [*theatre.files, scenario.claims])
