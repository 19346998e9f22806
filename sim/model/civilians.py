"""Civilians: residents flee towns under assault, towns bombed around them, and towns that change hands.

Residents + displaced always equal the initial population: people move from
one array to the other, never appear or vanish.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HolderCode
from .towns import any_row

if TYPE_CHECKING:
    from .model import CeasefireModel


def flee(model: CeasefireModel, towns: np.ndarray | int | slice, share: np.ndarray | float) -> None:
    """Move ``share`` of the residents of ``towns`` to the displaced."""
    moving = model.residents[towns] * share
    model.residents[towns] -= moving
    model.displaced[towns] += moving


def daily_flight(model: CeasefireModel) -> None:
    """Residents leave towns under assault and, with Russian air effort, opposition towns near them."""
    if not model.attacks:
        return
    p = model.civilian_params
    hit = np.array([t for _, t, _ in model.attacks])
    rate = np.zeros(model.n)
    if model.russia.air > 0:
        bombed = any_row(model.strike_zone, hit) & (model.controller != HolderCode.REGIME)
        rate[bombed] = p.flee_air * model.russia.air
    rate[hit] = np.maximum(rate[hit], p.flee_assault)
    flee(model, slice(None), rate)
