"""Where each force group finds its targets: the government's front, what parts of the road network it can push
into, its candidate towns laid out one row per (group, replicate), and its best ``frontage`` of them picked from their
scores. :meth:`sim.model.targets.TargetChoice.reach` and :meth:`sim.model.regime.Regime.assault` use it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..names import HolderCode
from .params import per_pair

if TYPE_CHECKING:
    from ..io.rule_parameters import RegimeParams
    from .model import CeasefireModel


def front(m: CeasefireModel, p: RegimeParams, value: np.ndarray) -> tuple[np.ndarray, ...]:
    """The enemy towns on the government's front, their value (``value``, the regime's static one, plus ``retake_bonus``
    where it lost them) and outflanking factor (see :meth:`sim.model.targets.TargetChoice.front_today`)."""
    gov = m.controller == HolderCode.REGIME
    flanks = m.government_flanks()
    rep, town = np.nonzero(~gov & (flanks > 0) & m.contestable)
    flanks = flanks[rep, town]
    value = value[town] + per_pair(p.retake_bonus, rep) * m.lost_by_regime[rep, town]
    return rep, town, value, 1.0 + per_pair(p.flank_bonus, rep) * (flanks - 1)


def areas_held(area: np.ndarray, gov: np.ndarray) -> np.ndarray:
    """(replicates, parts) whether the government holds a town (``gov``, (replicates, towns)) in each part of the road
    network it can push through, by its number (``area``: :meth:`sim.io.theatre.Theatre.areas` of the towns it can
    take, none of the camps it does not hold). The last column, read for a town in none (-1), is False."""
    rep, town = np.nonzero(gov)
    held = np.zeros((gov.shape[0], int(area.max(initial=-1)) + 2), bool)
    held[rep, area[town]] = True
    held[:, -1] = False
    return held


class Reach(NamedTuple):
    """What :meth:`sim.model.targets.TargetChoice.reach` finds, kept until towns change hands or a group deploys.

    One entry for each (group, replicate, town) within a group's reach, in
    that order: a row of the groups' choices, a (group, replicate), is a run
    of entries, its towns in order.
    """

    k: np.ndarray  # each entry's pair in the front (TargetChoice.front_today)
    town: np.ndarray
    base: np.ndarray  # value x nearness to the ground x nearness to the objective x outflanking (score_targets' first factors)
    keys: np.ndarray  # its replicate's key, for the noise
    sigma: float | np.ndarray  # the noise's, its replicate's
    salted: np.ndarray  # the town, salted by the group (ForceGroup.salt): its noise's
    # Where each entry stands among its group's choices, laid out one row per (group, replicate) (frontage_rows):
    at: np.ndarray  # each entry's place, flat in (groups x replicates, columns)
    towns: np.ndarray  # (groups x replicates, columns) the town at each place (0 where none)
    starts: np.ndarray  # (groups x replicates, 1) each row's first flat place
    within: np.ndarray  # (groups, 1, width) whether a pick's place is within its group's frontage
    shape: tuple[int, int, int]  # (groups, replicates, width): width the largest frontage, at most every town


def frontage_rows(g: np.ndarray, r: np.ndarray, t: np.ndarray, frontage: np.ndarray, replicates: int,
                  towns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int]]:
    """Where :func:`frontage_picks` finds each group's candidate towns: :class:`Reach`'s last fields, ``at`` to ``shape``.

    ``g``, ``r`` and ``t`` are the group, replicate and town of each entry, in
    (group, replicate, town) order (np.nonzero's): each row of the choices, a
    (group, replicate), is a run of entries, its towns in order, and is laid
    out in that order from the row's first column, padded to the longest run
    (and to the width). ``frontage`` is each group's; the width is the
    largest, but no more than there are ``towns`` (the dense top-k took no more).
    """
    row = g * replicates + r
    slot = np.arange(row.size) - np.searchsorted(row, row)  # the place in its row of the entry at each index
    width = min(int(frontage.max()), towns)
    columns = max(width, int(slot.max(initial=-1)) + 1)
    at = row * columns + slot
    town_at = np.zeros(len(frontage) * replicates * columns, np.int64)
    town_at[at] = t
    starts = np.arange(len(frontage) * replicates)[:, None] * columns
    within = np.arange(width) < frontage[:, None, None]
    return at, town_at.reshape(-1, columns), starts, within, (len(frontage), replicates, width)


def frontage_picks(reach: Reach, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(groups, replicates, width) each group's best towns and their scores, best first, ties to the lower town.

    What a stable sort of every row of the dense (groups, replicates, towns)
    scores would give, where they are more than 0, up to each group's
    frontage; the places left, with a score of 0, and those beyond a group's
    frontage, are town 0 and score 0 (their force is 0, and a town's is not
    read where it is). Only the entries within reach are sorted, each row laid
    out in the towns' order (:func:`frontage_rows`), so that a stable sort
    breaks ties as the dense one did.
    """
    scores = np.zeros(reach.towns.size)
    scores[reach.at] = score
    picked = np.argsort(-scores.reshape(reach.towns.shape), axis=1, kind="stable")[:, :reach.shape[2]] + reach.starts
    best = reach.towns.ravel()[picked].reshape(reach.shape)
    return best, np.where(reach.within, scores[picked].reshape(reach.shape), 0.0)
