"""The claims record (``seeds/claims.yaml``): documented claims that scenarios and outcomes cite by id.

The data folder is called ``seeds/`` for the seed articles the record grew
from; in the code "seed" means only a random seed, and the record is "claims".
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import InputError, did_you_mean, shown_path
from .files import not_a_file, stamp
from .kinds import NAMED, named_kind
from .safe_yaml import YAML_LIMIT, LDict, load_yaml


@functools.lru_cache(maxsize=4)
def _claims(path: Path, key: tuple) -> dict[str, LDict]:
    data = load_yaml(path)
    claims = data.get("claims")
    if not isinstance(claims, list):
        raise InputError(path, "expected a 'claims' list", line=1)
    out: dict[str, LDict] = {}
    for claim, (_, line) in zip(claims, claims.lines, strict=True):
        if not isinstance(claim, dict) or not isinstance(claim.get("id"), str):
            raise InputError(path, "every claim needs an 'id'", line=line)
        if claim["id"] in out:
            raise InputError(path, f"duplicate claim id '{claim['id']}'", line=line, key="id")
        out[claim["id"]] = claim
    return out


def load_claims(path: str | Path) -> dict[str, LDict]:
    """Claims by id from a claims YAML file (cached while its content is unchanged)."""
    path = Path(path).resolve()
    return _claims(path, stamp(path, YAML_LIMIT))


def load_claims_named(owner: Path, named: object, line: int | None) -> dict[str, LDict]:
    """The claims record that ``owner`` (an outcomes file) names under ``claims:`` at ``line``, relative to itself.

    A value that is no path, names no file, or names another kind of file (a
    scenario, say) is refused at that line of ``owner``: the claims record's
    own reader would have blamed a line of the file named, as if it were a
    broken record, or a path the user never typed in full.
    """
    def refuse(message: str) -> InputError:
        return InputError(owner, message, line=line, key="claims")

    if not isinstance(named, str) or not named.strip():
        raise refuse(f"'claims' must be the path of the claims record, relative to this file (found {named!r})")
    path = owner.parent / named
    if problem := not_a_file(path):
        raise refuse(f"'claims' names {problem}: {shown_path(str(path))}")
    try:
        return load_claims(path)
    except InputError as exc:
        if exc.file is not None and Path(exc.file).resolve() == path.resolve() and (other := named_kind(path, "claims")):
            raise refuse(f"'claims' names {other}, not {NAMED['claims']}: {shown_path(str(path))}") from None
        raise


def unknown_claim_hint(word: str, claims: dict[str, LDict]) -> str:
    """What follows "unknown claim id 'word'": the record holds outlets too, under ``sources:``, and an id copied from
    there is no claim, so such an id is named as a source with a few claims that cite it; otherwise the closest claim
    id, or, with none close, where the ids are (a guess at a far-off id only misled)."""
    citing = [cid for cid, claim in claims.items() if word in (claim.get("sources") or [])]
    if citing:
        shown = ", ".join(f"'{c}'" for c in citing[:3])
        more = f" ({len(citing)} in all)" if len(citing) > 3 else ""
        return (f": '{word}' is one of the sources (outlets) the claims cite, not a claim; cite a claim that names it"
                f" under its 'sources:', such as {shown}{more}")
    guess = did_you_mean(word, claims)
    if guess:
        return guess
    return " (a claim id is the 'id' of an entry under 'claims:' in that file, not of one under 'sources:')"
