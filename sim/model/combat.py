"""Ground combat in every replicate at once: attrition, withdrawal, rout, and collapse that spreads.

Each day, for every town under assault:

- effective attack = force x the attacker's multiplier (Russian air for the
  regime, less Turkish suppression; Turkish fire support for any opposition
  attacker, HTS as well as the rebels);
- effective defence = garrison x urban terrain x cohesion x (1 - shock)
  x (1 + Turkish fire from the intact posts overlooking the town, which only
  Turkey's escalation switches on);
- each side loses ``lethality`` x the other's effective strength x log-normal
  noise (Lanchester's square law, one day at a time);
- the defenders then hold, or the town falls: they are destroyed (below
  ``min_garrison``), routed (outnumbered ``break_ratio`` times), or they
  withdraw to a neighbour of their own faction once the odds, made worse by
  every neighbour the attacker already holds (``flank_pressure``), pass
  ``withdraw_ratio``. The survivors of a fall, whatever its cause, fall back
  to such a neighbour (HTS's to HTS's, the rebels' to the rebels', though
  the two hold one front); a garrison with none left cannot withdraw, and
  is lost if the town falls. A neighbour that falls the same day is no
  refuge: a garrison whose only refuge falls stays and fights. Where the
  survivors of a fall go is settled once the day's falls are known: the
  strongest of their side's neighbours then, one it took that day included.

Each attacking side books its own part of an assault's losses as its
casualties, in proportion to the force it committed (HTS and the rebels
may assault one town together).

A fall shakes the neighbouring garrisons of the same side (``collapse_shock``,
fading by ``shock_recovery`` a day), and a pocket cut off from the rear shakes
every garrison in it (``pocket_shock`` a day). A shaken town
(``abandon_shock``) that the government outflanks (two or more of its
neighbours), or that is cut off with the government next door, is abandoned
ahead of the assault while the government is on the offensive, and its troops
walk in. So one breach can unravel a line over a few days, as in the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HOLDERS, HolderCode
from . import count_nonzero, streams, towns
from .force_group import ForceGroup
from .params import per_pair, per_town
from .streams import Draw

if TYPE_CHECKING:
    from .model import CeasefireModel

REGIME = HolderCode.REGIME


def resolve(model: CeasefireModel) -> None:
    """Apply one day of combat to every declared assault; hand over the towns that fall."""
    m = model
    if (hit := m.assaulted()) is None:  # no assault declared (every day of a truce): nothing to look at
        return
    n = m.controller.shape[1]
    # The pairs under assault as flat indices (replicate x towns + town): each (replicates, towns) array is read at
    # them with ``take``, a third of the cost of indexing it with (rep, town).
    flat = hit.ravel().nonzero()[0]
    if flat.size == 0:
        return
    rep, town = np.divmod(flat, n)
    p, tp = m.combat_params, m.turkey.p
    force = m.attack_force.take(flat)
    attacker = m.attack_side.take(flat)
    by_regime = attacker == REGIME
    holder = m.controller.take(flat)
    esc = m.turkey.escalation[rep]

    suppression, fire_support, post_defence = (per_pair(v, rep) for v in (tp.suppression, tp.fire_support, tp.post_defence))
    lethality, noise = per_pair(p.lethality, rep), per_pair(p.noise, rep)
    attack_mult = np.where(by_regime, m.russia.attack_multiplier[rep] * (1.0 - suppression * esc), 1.0 + fire_support * esc)
    post_fire = np.where(holder != REGIME, post_defence * esc * m.intact_cover.take(flat), 0.0)
    defence_mult = defence_factor(m, flat, holder) * (1.0 + post_fire)

    garrison = m.garrison.take(flat)
    # Each side's losses from its own stream, both drawn in one pass.
    defence_loss, attack_loss = streams.lognormals(m.keys[rep], m.day, (Draw.DEFENCE_LOSS, Draw.ATTACK_LOSS), noise, town)
    killed = np.minimum(garrison, lethality * force * attack_mult * defence_loss)
    lost = np.minimum(force, lethality * garrison * defence_mult * attack_loss)
    garrison = garrison - killed
    left = force - lost
    m.garrison.put(flat, garrison)

    # The attacker's flanks: the government's neighbours for the regime, the rest for the opposition (HTS and the
    # rebels hold one front).
    gov_flanks = m.government_flanks().take(flat)
    flanks = np.where(by_regime, gov_flanks, m.neighbours.degree[town] - gov_flanks)
    defence = garrison * defence_mult
    attack = left * attack_mult
    # A defence of 0 or 1e-300 gives odds of inf, which is what they are (a defence is never -0.0: none of its factors
    # is negative), and no attack on no defence (0 / 0, NaN) odds of 0: fmax takes the 0 over a NaN. Odds of 1e308
    # pressed by a flank are inf too. (One division and fmax: a masked division into a filled output cost four times as much.)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        odds = np.fmax(attack / defence, 0.0)
        pressure = odds * (1.0 + per_pair(p.flank_pressure, rep) * np.maximum(flanks - 1, 0))
    fallback = towns.best_neighbour(m.neighbours, rep, town, holder, m.controller, m.garrison)
    routed = (garrison < per_pair(p.min_garrison, rep)) | (odds > per_pair(p.break_ratio, rep))
    withdraws = ~routed & (fallback >= 0) & (pressure > per_pair(p.withdraw_ratio, rep))
    falls = routed | withdraws
    if count_nonzero(withdraws):
        stay_without_refuge(m, rep, town, holder, attacker, fallback, falls, withdraws)

    occupiers = np.where(falls, left * per_pair(p.occupy, rep), 0.0)
    pay_for_assaults(m, flat, lost + occupiers, lost, force)
    book_casualties(m, holder, rep, killed)

    fell = falls.nonzero()[0]
    if fell.size:
        m.capture(rep[fell], town[fell], attacker[fell], occupiers[fell], fallback[fell], cause="assault")


def defence_factor(model: CeasefireModel, flat: np.ndarray, holder: np.ndarray | int) -> np.ndarray:
    """What each point of the garrisons at the flat indices ``flat`` (replicate x towns + town) is worth in defence, posts
    aside: urban terrain x the holder's cohesion x (1 - shock). An assault and an HTS raid's return fire both read it."""
    return model.urban.take(flat) * model.cohesion[holder] * (1.0 - model.shock.take(flat))


def book_casualties(model: CeasefireModel, side: np.ndarray, rep: np.ndarray, amount: np.ndarray) -> None:
    """Add what each pair lost (``amount``, strength points) to the casualties of its ``side`` (holder codes)."""
    # Only the sides in ``side``: the others' sums are 0, and adding 0 leaves a count as it was.
    codes = sorted(set(side.tolist()))
    for code in codes:
        mine = side == code if len(codes) > 1 else slice(None)  # (all of them, most days: no copies to pick them out)
        model.add_casualties(HOLDERS[code], np.bincount(rep[mine], amount[mine], model.replicates))


def stay_without_refuge(model: CeasefireModel, rep: np.ndarray, town: np.ndarray, holder: np.ndarray,
                        attacker: np.ndarray, fallback: np.ndarray, falls: np.ndarray, withdraws: np.ndarray) -> None:
    """Garrisons that would withdraw stay where no refuge of their side is left once the day's falls are known.

    ``fallback`` was chosen before any town fell; a garrison whose every
    refuge falls the same day cannot withdraw, and holds (it would otherwise
    walk out into a town that is gone and be lost). One pass decides: a
    garrison that stays does not become a refuge for one that meant to
    withdraw into it (in a chain A -> B -> C where C falls, B holds and so
    does A, though it could have fallen back into B). Letting it would need a
    rule for garrisons that each wait on the other (A's only refuge B, B's
    only A); looking again at those still falling, as this did until round
    45, never changed anything, since a stay only adds refuges. Updates
    ``falls`` and ``withdraws`` (by pair) in place.
    """
    m = model
    fell = falls.nonzero()[0]
    after = m.controller.copy()  # who holds each town once the day's falls are known
    after[rep[fell], town[fell]] = attacker[fell]
    refuge = towns.refuges(m.neighbours, rep[fell], town[fell], holder[fell], fallback[fell], after, m.garrison)
    stay = fell[(refuge < 0) & withdraws[fell]]
    falls[stay] = withdraws[stay] = False


def pay_for_assaults(model: CeasefireModel, flat: np.ndarray, spent: np.ndarray, lost: np.ndarray, force: np.ndarray) -> None:
    """Take what each assault cost (losses, and the new garrison) from the forces that made it, in proportion, and book
    the losses (``lost``) as the casualties of the side of each force: in a joint assault each pays for its own part.

    The assaults are at the flat indices ``flat`` of the (replicates, towns) arrays (replicate x towns + town).
    """
    m = model
    frac = np.zeros((2, *m.attack_force.shape))  # what each point committed cost: spent, and of that lost
    frac[0].put(flat, spent / force)
    frac[1].put(flat, lost / force)
    replicate = np.arange(m.replicates)[:, None]
    for side, target, committed, payers in m.declared:
        cost, dead = (committed * frac[:, replicate, target]).sum(axis=3)  # each (payers, replicates)
        for payer, paid, died in zip(payers, cost, dead, strict=True):
            payer.force = np.maximum(0.0, payer.force - paid)
            if isinstance(payer, ForceGroup):  # what it left as garrisons is not lost to its push (Regime.culminate)
                payer.left_behind = payer.left_behind + (paid - died)
        m.add_casualties(side, dead.sum(axis=0))


def spread_collapse(model: CeasefireModel, rep: np.ndarray, town: np.ndarray, old: np.ndarray) -> None:
    """Towns have fallen: the garrisons of their neighbours on the losing side are shaken."""
    m = model
    nbr = m.neighbours.nbr.take(town, axis=0)  # their rows of the table, as in towns.best_neighbour
    # HTS and the rebels hold one front: the fall of either's town shakes both.
    neighbour_gov = m.controller[rep[:, None], nbr] == REGIME
    losing_side = m.neighbours.valid.take(town, axis=0) & (neighbour_gov == (old == REGIME)[:, None])
    r = rep[losing_side.nonzero()[0]]
    np.add.at(m.shock, (r, nbr[losing_side]), per_pair(m.combat_params.collapse_shock, r))
    np.minimum(m.shock, 1.0, out=m.shock)


def abandon_untenable(model: CeasefireModel) -> None:
    """Shaken towns that are outflanked, or cut off in a pocket, are given up; the government walks in."""
    m, p = model, model.combat_params
    pocket = m.pockets()
    if count_nonzero(pocket):
        m.shock = np.where(pocket, np.minimum(1.0, m.shock + per_town(p.pocket_shock)), m.shock)
    offensive = m.regime.on_offensive
    if not count_nonzero(offensive):  # nothing is given up with no offensive on (every day of a truce): nothing to look at
        return
    flat = m.of_control("untenable", lambda: untenable(m))
    if flat.size == 0:
        return
    n = m.controller.shape[1]
    rep = flat // n
    flat = flat[(m.shock.take(flat) >= per_pair(p.abandon_shock, rep)) & offensive[rep]]
    if flat.size == 0:
        return
    rep, town = np.divmod(flat, n)
    holder = m.controller.take(flat)
    fallback = towns.best_neighbour(m.neighbours, rep, town, holder, m.controller, m.garrison)
    walk_in = m.regime.detach(rep, p.walk_in)
    m.capture(rep, town, np.full(rep.size, REGIME, np.int8), walk_in, fallback, cause="abandoned")


def untenable(model: CeasefireModel) -> np.ndarray:
    """The opposition's towns that the government outflanks (two or more of their neighbours), or that are cut off with
    the government next door, as flat indices (replicate x towns + town, as in resolve): those given up once shaken.

    Who holds the towns decides, and nothing else that changes (pockets and flanks are of control alone): abandonment
    keeps them under :meth:`~sim.model.model.CeasefireModel.of_control`, and on most days reads only their shock.
    """
    m = model
    flanks = m.government_flanks()
    outflanked = (flanks >= 2) | (m.pockets() & (flanks >= 1))
    return ((m.controller != REGIME) & m.contestable & outflanked).ravel().nonzero()[0]


def recover(model: CeasefireModel) -> None:
    """Shaken garrisons steady themselves day by day."""
    model.shock *= 1.0 - per_town(model.combat_params.shock_recovery)
