"""The schema's building blocks: bounded numbers and the strict base model (:mod:`sim.io.schema` uses them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
# A log-normal sigma. Bounded because exp(sigma * z) overflows to inf (or
# underflows to 0) for sigma in the hundreds, and inf x 0 = NaN losses.
Spread = Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def bounded(default: float, hi: float, description: str, lo: float = 0.0, **kw: object) -> object:  # noqa: ANN401
    """A number in [lo, hi]; every parameter has a plausible upper bound, with its reason in the description."""
    return Field(default, ge=lo, le=hi, allow_inf_nan=False, description=description, **kw)
