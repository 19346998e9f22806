"""Ground combat: stochastic Lanchester attrition on every assaulted town at once.

Each day, for every assault declared by the factions (attacker, town, force):

- effective attack = force x attacker multiplier (Russian air for the regime,
  reduced by Turkish suppression; Turkish fire support for rebels);
- effective defence = garrison x urban terrain x group cohesion x Turkish posts;
- each side loses ``lethality`` x the other's effective strength, times
  log-normal noise (Lanchester's square law, one day at a time);
- the town falls when its garrison is nearly gone, or when the defenders are
  outnumbered ``break_ratio`` times in effective strength.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..names import HOLDERS, HolderCode

if TYPE_CHECKING:
    from .model import CeasefireModel


def resolve(model: CeasefireModel) -> None:
    """Apply one day of attrition to every declared assault and hand over broken towns."""
    if not model.attacks:
        return
    p = model.combat_params
    turkey = model.turkey
    attacker, town, force = zip(*model.attacks, strict=True)
    town, force = np.array(town), np.array(force)
    by_regime = np.array([a == "regime" for a in attacker])

    regime_mult = model.russia.attack_multiplier * (1.0 - turkey.p.suppression * turkey.escalation)
    rebel_mult = 1.0 + turkey.p.fire_support * turkey.escalation
    attack_mult = np.where(by_regime, regime_mult, rebel_mult)
    holder = model.controller[town]
    turkish = np.where(holder != HolderCode.REGIME, model.posts[town], 0.0)
    defence_mult = model.urban[town] * model.cohesion[holder] * (1.0 + turkey.p.post_defence * turkish)

    noise = model.rng.lognormal(0.0, p.noise, size=(2, town.size))
    garrison = model.garrison[town]
    defender_loss = np.minimum(garrison, p.lethality * force * attack_mult * noise[0])
    attacker_loss = np.minimum(force, p.lethality * garrison * defence_mult * noise[1])
    garrison -= defender_loss
    model.garrison[town] = garrison
    left = force - attacker_loss

    broken = (garrison < p.min_garrison) | (garrison * defence_mult * p.break_ratio < left * attack_mult)
    # Book-keeping per assault (a handful a day) in plain floats: forces and
    # casualties are scalars, and numpy scalars would only slow the arithmetic.
    defenders = [HOLDERS[h] for h in holder.tolist()]
    for name, lost, killed, defender in zip(attacker, attacker_loss.tolist(), defender_loss.tolist(), defenders, strict=True):
        side = model.factions[name]
        side.force = max(0.0, side.force - lost)  # rounding must not leave a committed force below zero
        model.add_casualties(name, lost)
        model.add_casualties(defender, killed)
    for i in np.flatnonzero(broken).tolist():
        occupiers = float(left[i]) * p.occupy
        side = model.factions[attacker[i]]
        side.force = max(0.0, side.force - occupiers)
        model.capture(int(town[i]), attacker[i], occupiers)
