"""The seeds record: documented claims that scenarios cite by id."""

from __future__ import annotations

import functools
from pathlib import Path

from .errors import InputError
from .yamlio import LDict, load_yaml


@functools.lru_cache(maxsize=4)
def _claims(path: Path, stamp: int) -> dict[str, LDict]:
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
    """Claims by id from a seeds YAML file (cached while it is unchanged)."""
    path = Path(path).resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise InputError(path, "seeds file not found") from None
    return _claims(path, stamp)
