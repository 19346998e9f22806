"""The claims record (``seeds/claims.yaml``): documented claims that scenarios and outcomes cite by id.

The data folder is called ``seeds/`` for the seed articles the record grew
from; in the code "seed" means only a random seed, and the record is "claims".
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import InputError
from .files import stamp
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
