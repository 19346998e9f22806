"""Civilian flight toward the camps on the border, in every replicate at once.

Residents leave a town:

- under ground assault (``flee_assault`` a day);
- bombed: opposition-held and within ``strike_radius_km`` of an assault, in
  proportion to Russian air effort (``flee_air``);
- with the front close: opposition-held and within the same radius of a
  government-held town on the front, while an offensive runs (``flee_front``
  x air effort) — the emptying of a town before it is attacked;
- when it changes hands (``flee_capture`` of those still there).

Those who leave go to the theatre's camps, in proportion to the camps'
populations, and are counted as displaced: nobody is lost. A theatre with no
camp counts them outside it. Nobody leaves the rear (the camps and the
border strip, see :func:`towns.rear_of`): with the border closed there was
nowhere further to go, and the displaced were counted as they reached it.

The model keeps, for each town, how many of its people are away
(``model.away``), so that they can go back to it (:func:`go_home`): while a
deal in force binds the government, ``return_rate`` a day of those away from
an opposition town go home from the camps, unless an assault today comes
within the strike radius. Return mirrors flight from the front, which runs
only while an offensive does: a deal that binds the government holds its
offensive back, so the towns near a quiet front take their people back (in
the record most went home to such towns: Ariha, Ihsim, Atarib, Idlib
city). Those who went
back may flee again, and are then counted as displaced again: the UN's
count, which the displaced series is scored against, counted movements, not
people. ``returned`` counts the movements home.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HolderCode
from . import ceasefire, count_nonzero, towns
from .params import per_pair, per_town

if TYPE_CHECKING:
    from ..io.schema import DisplacedAtStart
    from ..io.theatre import Theatre
    from .model import CeasefireModel

REGIME = HolderCode.REGIME


def destinations(theatre: Theatre, rear: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Who may leave each town, and where those who leave go; found once, when the model is built.

    Returns ``leaves`` (towns,), 1.0 outside the ``rear`` and 0.0 in it; the camps' town indices; each camp's share
    of arrivals (its population's share of theirs); and the share that goes outside the theatre (the rest: all of
    them with no camp). Those already in the rear stay: with the border closed there was nowhere further to go, and
    the UN counted as displaced the people who reached it, not those who lived there.
    """
    in_camps = np.where(theatre.kind == "camp", theatre.population, 0.0)
    camp_share = in_camps / in_camps.sum() if in_camps.sum() > 0 else np.zeros(theatre.n)
    camps = np.flatnonzero(camp_share > 0)
    return (~rear).astype(float), camps, camp_share[camps], 1.0 - camp_share.sum()


def flee(model: CeasefireModel) -> None:
    """One day of flight from assaults, bombing and the approaching front."""
    m, p = model, model.civilian_params
    assaults = (hit := m.assaulted()) is not None and count_nonzero(hit)  # none declared on most days of a truce
    offensive = m.regime.on_offensive
    if not (fronts := count_nonzero(offensive)) and not assaults:  # no assault, no bombing, no front coming: nobody leaves
        return  # (every day of a truce kept; leaving shares of 0 would change no number)
    radius = m.russia.p.strike_radius_km
    air = m.russia.air[:, None]
    rate = 0.0  # each town's share leaving today: the highest of the rates that apply to it
    if assaults:
        rate = np.where(towns.within_radius(m.theatre, radius, hit) & (m.controller != REGIME), per_town(p.flee_air) * air, rate)
    if fronts:
        near = m.of_control("near_front", lambda: near_front(m, radius)) & offensive[:, None]
        rate = np.maximum(rate, np.where(near, per_town(p.flee_front) * air, 0.0))
    if assaults:
        rate = np.where(hit, np.maximum(rate, per_town(p.flee_assault)), rate)
    leave(m, rate * m.leaves)


def near_front(model: CeasefireModel, radius: float) -> np.ndarray:
    """(replicates, towns) opposition towns within ``radius`` km of a government-held town on the front."""
    gov = model.controller == REGIME
    front = gov & (model.government_flanks() < model.neighbours.degree)  # government towns on the front
    return towns.within_radius(model.theatre, radius, front) & ~gov


def flee_capture(model: CeasefireModel, rep: np.ndarray, town: np.ndarray) -> None:
    """A share (``flee_capture``) of those still living in a town that changes hands leave it."""
    share = np.zeros(model.controller.shape)
    share[rep, town] = per_pair(model.civilian_params.flee_capture, rep) * model.leaves[town]
    leave(model, share)


def go_home(model: CeasefireModel) -> None:
    """One day of return: ``return_rate`` of those away from each opposition town no assault threatens go back to it.

    Only where a deal in force binds the government (after the factions have acted: not where it broke one today). A
    town is threatened when any assault today, by either side, comes within the strike radius of it (the zone that
    bombing empties, see :func:`flee`). Its nearness to the front does not keep anyone away: the front drives people
    out only while an offensive runs (:func:`flee`), and a deal that binds the government holds its offensive back
    (:attr:`Regime.on_offensive <sim.model.regime.Regime.on_offensive>` is false wherever one binds it, an invariant
    the model checks). The government's towns take nobody back: in the record those whose homes it had taken could
    not go home.
    """
    m, p = model, model.civilian_params
    bound = ceasefire.binding(m, m.regime.name)
    # (count_nonzero, not np.any: a float or a replicate's array alike, in a fifth of the time, every day of a deal)
    if not count_nonzero(bound) or not count_nonzero(p.return_rate):  # no deal binding the government, or no return
        return
    safe = m.of_control("opposition_held", lambda: m.controller != REGIME)
    if (hit := m.assaulted()) is not None and count_nonzero(hit):
        safe = safe & ~towns.within_radius(m.theatre, m.russia.p.strike_radius_km, hit)
    come_back(m, m.away * np.where(bound[:, None] & safe, per_town(p.return_rate), 0.0))


def come_back(model: CeasefireModel, moving: np.ndarray) -> None:
    """Move ``moving`` (replicates, towns) people from the camps (and from outside the theatre, in the shares they
    went there) back to the towns they fled, and count them as returned."""
    m = model
    m.away -= moving
    m.residents += moving
    back = moving.sum(axis=1)
    np.subtract.at(m.residents, (slice(None), m.camps), back[:, None] * m.camp_share)
    if m.outside_share:  # 0 where the camps took everyone
        m.outside -= back * m.outside_share
    m.returned += back


def where_from(model: CeasefireModel, before: np.ndarray) -> dict[str, np.ndarray]:
    """(replicates, towns) the two places the displaced come from, of the towns people may leave (outside the rear).

    ``taken``: the towns the government holds now and did not in ``before`` (the control, (towns,) or (replicates,
    towns), of an earlier day); ``near_front``: the opposition's within the strike radius of the government's front
    (:func:`near_front`, whose towns the front empties). Both :func:`displace_at_start` and the measure of a run's
    shares away (:func:`shares_away`) find them here, so that a start state taken from a run's end means the same.
    """
    m = model
    may_leave = m.leaves > 0
    return {"taken": (m.controller == REGIME) & (before != REGIME) & may_leave,
            "near_front": near_front(m, m.russia.p.strike_radius_km) & may_leave}


def shares_away(model: CeasefireModel, before: np.ndarray) -> dict[str, np.ndarray]:
    """(replicates,) the share of the residents of each place of :func:`where_from` who are away from home now."""
    m = model
    return {name: (m.away * towns_).sum(axis=1) / np.maximum((m.theatre.population * towns_).sum(axis=1), 1.0)
            for name, towns_ in where_from(m, before).items()}


def displace_at_start(model: CeasefireModel, start: DisplacedAtStart) -> None:
    """Send away those a scenario's ``displaced_at_start`` says were displaced before the start, as :func:`leave` does.

    The towns the government took between ``start.since`` and the start (the theatre's control columns, as
    ``initial_control`` gives the front) lose ``start.taken`` of their residents, the opposition's near the start front
    ``start.near_front``. They are in the camps, away from those towns (so they may go home): the start state, as the
    front is; no later number is set by it. They are kept apart (``away_at_start``) from the ``displaced``, which counts
    the flights after the start, as every other count of a run does (the Turkish dead, the casualties): a what-if's
    displaced against its base's then says how many more fled, not how many had before either began.
    """
    m = model
    places = where_from(m, m.theatre.control[start.since])
    leave(m, np.where(places["taken"], start.taken, 0.0) + np.where(places["near_front"], start.near_front, 0.0))
    m.away_at_start, m.displaced = m.displaced, np.zeros_like(m.displaced)  # what leave() counted is the start's


def leave(model: CeasefireModel, share: np.ndarray) -> None:
    """Move ``share`` of each town's residents to the camps, and count them as displaced and as away from that town."""
    m = model
    moving = m.residents * share
    m.residents -= moving
    m.away += moving
    arrivals = moving.sum(axis=1)
    # np.add.at adds in place at an index, some 40 % quicker there than `+=`; each camp is listed once, so the same numbers.
    np.add.at(m.residents, (slice(None), m.camps), arrivals[:, None] * m.camp_share)
    if m.outside_share:  # 0 where the camps take everyone: adding 0 would change nothing
        m.outside += arrivals * m.outside_share
    m.displaced += arrivals
