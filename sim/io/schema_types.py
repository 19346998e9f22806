"""The schema's building blocks: numbers and switches read strictly, bounded numbers, lists of distinct names and the
strict base model (:mod:`sim.io.schema` uses them, and the calibration and outcomes files' models)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ..names import FactionName

# Numbers and switches are read strictly (``strict=True``), one rule for every input file: a number is written as a
# number, a whole number as one, a switch as true/false. pydantic's lax mode read seed: "5" and runs: 2.0 as 5 and 2,
# and may_escalate: 1 as true. tests/test_value_kinds.py finds any int, float or bool of the files' models left lax.
Whole = Annotated[int, Field(strict=True)]
Switch = Annotated[bool, Field(strict=True)]
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]  # any number but NaN and +-inf (an int too)
Share = Annotated[Finite, Field(ge=0.0, le=1.0)]
# A log-normal sigma. Bounded because exp(sigma * z) overflows to inf (or
# underflows to 0) for sigma in the hundreds, and inf x 0 = NaN losses.
Spread = Annotated[Finite, Field(ge=0.0, le=10.0)]


def no_number_for_a_date(value: object) -> object:
    """Refuse a date written as a number: pydantic's lax dates read it as seconds since 1970 (``date: 0`` as
    1970-01-01, ``end: 1583452800`` as 2020-03-06). True and false are left to pydantic, which refuses them."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is a number, where a date is wanted: write dates as YYYY-MM-DD, e.g. 2020-06-01")
    return value


# A date in any input file: written as a date (or, from Python, a date or its YYYY-MM-DD text), never as a number.
# tests/test_value_kinds.py finds any date of the files' models that is not one.
Date = Annotated[dt.date, BeforeValidator(no_number_for_a_date)]


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
    return Field(default, ge=lo, le=hi, allow_inf_nan=False, strict=True, description=description, **kw)
