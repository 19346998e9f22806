"""Which reported outcomes a run of a scenario is scored against, read once per file version and theatre.

Apart from the scoring and the runs, so that ``check`` of a sweep file (which checks its metric names against these
outcomes) imports neither Mesa nor pandas.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..io.files import as_path
from ..io.schema import Scenario
from ..io.theatre import Theatre, load_theatre
from ..model.reporters import REPORTERS
from .outcomes import OutcomeBase
from .outcomes_file import load_outcomes

_OUTCOMES: dict[tuple, tuple[Theatre, list[OutcomeBase]]] = {}  # read once per process, not once per run


def outcomes_for(scenario: Scenario, theatre: Theatre, variables: list[str], file: str | Path | None = None, *,
                 key: str = "outcomes") -> list[OutcomeBase]:
    """The reported outcomes a run of ``scenario`` is scored against, read once per file version and theatre.

    ``file`` defaults to ``outcomes.yaml`` beside the scenario's claims record
    (no outcomes if there is none); a file given and missing is an InputError, and so is one that is not a path,
    naming ``key``, the caller's argument (``run_with(outcomes=3)`` was pathlib's TypeError).
    """
    path = as_path(file, key) if file is not None else scenario.claims.parent / "outcomes.yaml"
    if file is None and not path.is_file():
        return []
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, id(theatre), tuple(variables))
    except OSError:
        return load_outcomes(path, theatre, variables)  # raises the project's error for a missing file
    hit = _OUTCOMES.get(key)
    if hit is None or hit[0] is not theatre:
        if len(_OUTCOMES) >= 8:
            _OUTCOMES.clear()
        hit = _OUTCOMES[key] = (theatre, load_outcomes(path, theatre, variables))
    return hit[1]


def scored_outcomes(scenario: Scenario, file: str | Path | None = None, *, key: str = "outcomes") -> list[OutcomeBase]:
    """The reported outcomes a run of ``scenario`` is scored against (see :func:`outcomes_for`), read before it runs."""
    return outcomes_for(scenario, load_theatre(scenario.theatre), ["date", *REPORTERS], file, key=key)


def outcomes_hash(outcomes: list[OutcomeBase]) -> str:
    """The content hash of the outcomes runs are scored against: what a sweep's rows and a calibration's trials
    depend on besides the scenario's inputs. Of the outcomes as read, so a comment or a reformatting changes nothing."""
    data = [[type(o).__name__, o.model_dump(mode="json")] for o in outcomes]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
