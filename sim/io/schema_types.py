"""The schema's building blocks: bounded numbers, lists of distinct names and the strict base model (:mod:`sim.io.schema`
uses them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..names import FactionName

Finite = Annotated[float, Field(allow_inf_nan=False)]  # any number but NaN and +-inf
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
# A log-normal sigma. Bounded because exp(sigma * z) overflows to inf (or
# underflows to 0) for sigma in the hundreds, and inf x 0 = NaN losses.
Spread = Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]


def _each_once(value: list[str]) -> list[str]:
    twice = sorted({who for who in value if value.count(who) > 1})
    if twice:
        raise ValueError(f"'{twice[0]}' is listed twice: each faction takes part once")
    return value


# Factions that each take part once: a joint patrol's participants each take their own faction's casualty draw
# (sim.model.opposition.PATROL_DRAWS), so one listed twice had the same draw counted twice.
DistinctFactions = Annotated[list[FactionName], AfterValidator(_each_once), Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def bounded(default: float, hi: float, description: str, lo: float = 0.0, **kw: object) -> object:  # noqa: ANN401
    """A number in [lo, hi]; every parameter has a plausible upper bound, with its reason in the description."""
    return Field(default, ge=lo, le=hi, allow_inf_nan=False, description=description, **kw)
