"""Reading an outcomes file (``seeds/outcomes.yaml``, or ``compare --outcomes``): its outcomes validated against the
kinds :mod:`sim.analysis.outcomes` knows, and what they name checked against the theatre, the claims record and the
run's time series, every problem an :class:`~sim.errors.InputError` naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..errors import InputError, did_you_mean, flag, shown_path
from ..io.claims import load_claims_named, unknown_claim_hint
from ..io.kinds import SCENARIO_KEYS, file_kind, wrong_kind
from ..io.safe_yaml import LDict, load_yaml
from ..io.schema_types import Strict
from ..io.theatre import Theatre
from ..io.validation import explain, first_error
from ..model.reporters import TEXT_SERIES
from ..names import EVENT_TYPES
from .outcomes import OUTCOMES, EventOutcome, FrontOutcome, Outcome, OutcomeBase, QuantityOutcome, RoadOutcome

_ADAPTER = TypeAdapter(list[Outcome])


class OutcomesFile(Strict):
    """An outcomes file: the claims record its sources cite (relative to it), and the outcomes."""

    claims: str
    outcomes: list[Outcome]


def load_outcomes(path: str | Path, theatre: Theatre, variables: list[str]) -> list[OutcomeBase]:
    """Read and check an outcomes file against the theatre, the claims record and the run's time series.

    The file holds ``claims:`` (the claims record its sources cite, relative
    to it) and ``outcomes:``, a list of outcomes.

    Raises:
        InputError: naming the file, line and key of the first problem.
    """
    path = Path(path)
    tree = load_yaml(path)
    other = wrong_kind(path, tree, "outcomes")  # a scenario given as --outcomes: say so, not "missing 'claims'"
    if other is not None and (file_kind(tree) != "scenario" or (set(tree) & set(SCENARIO_KEYS)) - set(OutcomesFile.model_fields)):
        raise other  # (an outcomes file with a misspelt 'outcomes' has only 'claims' of a scenario's keys: its key is named below)
    for key in ("claims", "outcomes"):
        if key not in tree:
            raise InputError(path, f"missing required key '{key}'", line=1, key=key)
    if not isinstance(tree["outcomes"], list):
        raise InputError(path, "'outcomes' must be a list", line=tree.lines["outcomes"][1], key="outcomes")
    unknown = [k for k in tree if k not in OutcomesFile.model_fields]
    if unknown:
        key = str(unknown[0])
        raise InputError(path, f"unknown key '{key}'" + did_you_mean(key, OutcomesFile.model_fields), line=tree.lines[unknown[0]][1], key=key)
    try:
        outcomes = _ADAPTER.validate_python(list(tree["outcomes"]))
    except ValidationError as exc:
        raise explain(first_error(exc.errors()), tree, path, root=OutcomesFile, union=OUTCOMES, prefix=("outcomes",)) from None
    claims = load_claims_named(path, tree["claims"], line=tree.lines["claims"][1])
    if not outcomes:  # after 'claims', the line above it: compare and calibrate would score a run against nothing
        raise InputError(path, "lists no outcomes: a run is scored against them, and against none is scored on nothing",
                         line=tree.lines["outcomes"][1], key="outcomes")
    seen, numeric = set(), [v for v in variables if v not in TEXT_SERIES]  # a quantity's value is set against its range
    for i, (o, raw) in enumerate(zip(outcomes, tree["outcomes"], strict=True)):
        where = f"outcomes[{i}]"
        if o.id in seen:
            raise _at(path, raw, "id", f"duplicate outcome id '{o.id}'", where)
        seen.add(o.id)
        for k, claim in enumerate(o.source):
            if claim not in claims:
                raise _at(path, raw, "source", f"unknown claim id '{claim}' in {shown_path(str((path.parent / tree['claims']).resolve()))}"
                             + unknown_claim_hint(claim, claims), f"{where}.source[{k}]")
        named = [("town", f"{where}.town", o.town)] if getattr(o, "town", None) is not None else []
        named += [("towns", f"{where}.towns[{k}]", town) for k, town in enumerate(getattr(o, "towns", None) or [])]
        for key, key_path, town in named:
            try:
                theatre.town(town)
            except KeyError as exc:  # the theatre's own did-you-mean, as a scenario's: 'Nayrab (Idlib)' for 'Nayrab'
                raise _at(path, raw, key, exc.args[0], key_path) from None
        if isinstance(o, RoadOutcome) and o.road is not None and o.road not in theatre.roads:
            raise _at(path, raw, "road", f"unknown road '{o.road}'" + did_you_mean(o.road, theatre.roads), f"{where}.road")
        if isinstance(o, FrontOutcome) and o.belts is not None:
            for belt in o.belts:
                if not belt or belt not in set(theatre.belt.tolist()):  # '': the places of no belt, which no belt names
                    raise _at(path, raw, "belts", f"the theatre has no belt '{belt}'", f"{where}.belts")
        if isinstance(o, FrontOutcome) and o.reference not in theatre.control:
            known = ", ".join(str(d) for d in theatre.control)
            raise _at(path, raw, "reference", f"the theatre has no control column for {o.reference} (it has {known})", f"{where}.reference")
        if isinstance(o, EventOutcome) and o.event not in EVENT_TYPES:
            raise _at(path, raw, "event", f"unknown event type '{o.event}'" + did_you_mean(o.event, EVENT_TYPES) +
                      f"; known: {', '.join(sorted(EVENT_TYPES))}", f"{where}.event")
        if isinstance(o, QuantityOutcome) and o.variable not in numeric:  # 'ceasefire' as a number stopped `compare`
            why = f"is not numeric (its values are {'dates' if o.variable == 'date' else 'words'})" if o.variable in variables else "is unknown"
            raise _at(path, raw, "variable", f"time series '{o.variable}' {why}" + did_you_mean(o.variable, numeric) + f"; numeric ones: {', '.join(numeric)}", f"{where}.variable")
    return outcomes


def _at(path: Path, raw: LDict, key: str, message: str, key_path: str) -> InputError:
    line = raw.lines.get(key, (None, raw.line))[1] if isinstance(raw, LDict) else None
    return InputError(path, message, line=line, key=key_path)


def load_record_outcomes(path: Path, theatre: Theatre, variables: list[str], *, python: str) -> list[OutcomeBase]:
    """:func:`load_outcomes` of the outcomes file a results folder is scored against when none is named: the one beside
    the claims record its runs were made with, which may be an older checkout's. Where that file is refused, the error
    says so and how to score against another (``python``: the caller's argument for it), since the user never chose it.
    """
    try:
        return load_outcomes(path, theatre, variables)
    except InputError as exc:
        if exc.file is None or Path(exc.file).resolve() != path.resolve():
            raise
        hint = (f"; this is the outcomes file beside the claims record these results were made with: score them against "
                f"another with {flag('outcomes', 'FILE', python=python)}")
        raise InputError(exc.file, exc.message + hint, line=exc.line, key=exc.key) from None
