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

from .theatre import Holder

if TYPE_CHECKING:
    from .model import CeasefireModel


def resolve(model: CeasefireModel) -> None:
    """Apply one day of attrition to every declared assault and hand over broken towns."""
    if not model.attacks:
        return
    p = model.combat
    turkey = model.turkey
    attacker = [name for name, _, _ in model.attacks]
    town = np.array([t for _, t, _ in model.attacks])
    force = np.array([f for _, _, f in model.attacks])
    by_regime = np.array([a == "regime" for a in attacker])

    regime_mult = model.russia.attack_multiplier * (1.0 - turkey.p.suppression * turkey.escalation)
    rebel_mult = 1.0 + turkey.p.fire_support * turkey.escalation
    attack_mult = np.where(by_regime, regime_mult, rebel_mult)
    holder = model.controller[town]
    turkish = np.where(holder != Holder.REGIME, model.posts[town], 0.0)
    defence_mult = model.urban[town] * model.cohesion[holder] * (1.0 + turkey.p.post_defence * turkish)

    noise = model.rng.lognormal(0.0, p.noise, size=(2, town.size))
    defender_loss = np.minimum(model.garrison[town], p.lethality * force * attack_mult * noise[0])
    attacker_loss = np.minimum(force, p.lethality * model.garrison[town] * defence_mult * noise[1])
    model.garrison[town] -= defender_loss
    left = force - attacker_loss

    for i, name in enumerate(attacker):
        getattr(model, name).force -= attacker_loss[i]
        model.add_casualties(name, attacker_loss[i])
        model.add_casualties(("regime", "hts", "rebels")[holder[i]], defender_loss[i])

    broken = (model.garrison[town] < p.min_garrison) | (
        model.garrison[town] * defence_mult * p.break_ratio < left * attack_mult
    )
    for i in np.flatnonzero(broken):
        occupiers = left[i] * p.occupy
        getattr(model, attacker[i]).force -= occupiers
        model.capture(int(town[i]), attacker[i], occupiers)
