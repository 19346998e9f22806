"""The faction agents' base, and the two patrons: Russia and Turkey. One class each, one method per rule.

The government's ground forces are in :mod:`sim.model.regime`, the armed
opposition in :mod:`sim.model.opposition`.

Factions are Mesa agents; towns are not. Every agent reads and writes the
model's numpy arrays, shaped (replicates, towns), so one call serves every
replicate of a batch and a day costs a handful of array operations whatever
the theatre's size. The order in which they act each day is written out in
:meth:`CeasefireModel.step`: the regime's force groups pick and assault their
objectives, Russia sets its air effort on what they chose, Turkey reacts, then
HTS and the rebels defend, spoil and counter-attack; once all have declared
their assaults, soldiers at Turkish posts overlooking any of them come under
fire, and combat is resolved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..names import HolderCode
from . import ceasefire, count_nonzero, towns
from .params import clip_unit, per_pair
from .streams import Draw

if TYPE_CHECKING:
    from ..io.rule_parameters import RussiaParams, TurkeyParams
    from .model import CeasefireModel

REGIME, HTS_CODE, REBELS = HolderCode.REGIME, HolderCode.HTS, HolderCode.REBELS


class FactionAgent(mesa.Agent):
    """A faction: a name, its parameters and the model it acts in."""

    name: str = ""
    model: CeasefireModel

    def step(self) -> None:  # pragma: no cover - each faction overrides
        raise NotImplementedError


class Russia(FactionAgent):
    """Air power: backs the regime's offensives (it acts after the regime, on what the regime chose that day), restrains it
    where a deal it brokered binds it."""

    name = "russia"

    def __init__(self, model: CeasefireModel, params: RussiaParams) -> None:
        super().__init__(model)
        self.p = params
        self.air = np.zeros(model.replicates)
        self.ceiling = 1.0  # the lowest of the air policies in force (events.AirPolicyEvent): support withheld whatever the regime does

    def step(self) -> None:
        m = self.model
        air = np.where(m.regime.on_offensive, self.p.air_support, self.p.idle_air)
        if m.deal is not None and self.name in m.deal.parties:
            # Its restraint is of the government's offensive: where the deal leaves the government free (it gives it no
            # compliance) there is none to restrain, and Russia backs its pushes as on the day it breaks a deal.
            air = np.where(ceasefire.binding(m, m.regime.name), self.p.truce_air, air)
        self.air = np.minimum(air, self.ceiling)

    @property
    def attack_multiplier(self) -> np.ndarray:
        return 1.0 + self.p.air_power * self.air


class Turkey(FactionAgent):
    """Posts that deter and can be cut off, escalation and drones; and troops, which only make a deal last.

    Troops (thousands, from reinforcement events) do not fight, man posts or
    take losses: they scale the regime's daily chance of breaking a deal in
    force that binds it (:attr:`deterrence`, read by
    :func:`sim.model.ceasefire.regime_holds_back` on days a force group is in
    the field). With no such deal in force they change nothing; they stay, and
    count under a later deal.
    """

    name = "turkey"

    def __init__(self, model: CeasefireModel, params: TurkeyParams) -> None:
        super().__init__(model)
        self.p = params
        r = model.replicates
        self.escalation = np.zeros(r)
        self.floor = 0.0  # the highest intensity of the interventions in force (events.InterventionEvent)
        self.intervening = False  # whether any is in force, whatever its intensity: the drones' campaign (strike)
        self.troops = 0.0  # thousands deployed in the theatre (reinforcement events)
        self.deaths = np.zeros(r, np.int64)
        self._deaths_seen = self.deaths
        self._encircled_seen = model.encircled  # posts cut off before the start are not news
        self._no_news = np.zeros(r, np.int64)  # posts newly cut off on a day none is (read-only)
        self._kept_news = self._no_news  # posts cut off, then withdrawn or set up again before Turkey looked: note_encircled

    def step(self) -> None:
        self.escalate()
        self.strike()  # the posts' exposure waits for every side's assaults: the model calls expose_posts after them

    def escalate(self) -> None:
        """Escalation rises with soldiers killed and posts newly cut off, and relaxes; an intervention holds it up."""
        m, p = self.model, self.p
        if not p.may_escalate:
            self.escalation[:] = 0.0
            return
        # The arrays as they were at the last look, not copies: neither is ever changed in place. Soldiers killed make
        # a new `deaths` (lose_soldiers), and a post cut off, relieved, set up or withdrawn a new `encircled`
        # (encirclement.encircle_posts, ObservationPostEvent): the same array as at the last look holds no
        # news (most days).
        level = self.escalation * (1 - p.escalation_decay)
        # With no news the urge is 0.0 everywhere, and adding it changes no number (the level is never -0.0: see
        # clip_unit): it is worked out only on days with news, a few in a run.
        if self.deaths is not self._deaths_seen or m.encircled is not self._encircled_seen:
            newly = self._no_news
            if m.encircled is not self._encircled_seen:  # not a net count: one post relieved hides no other
                newly = (m.encircled & ~self._encircled_seen).sum(axis=1) + self._kept_news
            level = level + (p.escalation_per_death * (self.deaths - self._deaths_seen) + p.escalation_per_encirclement * newly)
            self._deaths_seen, self._encircled_seen, self._kept_news = self.deaths, m.encircled, self._no_news
        self.escalation = clip_unit(np.maximum(self.floor, level))

    def note_encircled(self, post: int, cut_off: np.ndarray) -> None:
        """Take a post's encirclement (replicates,) as already known: it was cut off when it was set up (or it is
        withdrawn, and no longer cut off). Called before the model's ``encircled`` changes for it.

        Where the government cut it off since Turkey last looked, that is news all the same, kept for Turkey's next
        look: withdrawn the night after, a post cut off added no escalation, where withdrawn a night later it did.
        """
        unseen = self.model.encircled[:, post] & ~self._encircled_seen[:, post]
        if count_nonzero(unseen):
            self._kept_news = self._kept_news + unseen
        seen = self._encircled_seen.copy()  # the model's own, maybe (see escalate)
        seen[:, post] = cut_off
        self._encircled_seen = seen

    def strike(self) -> None:
        """Drones and artillery wear down the regime's force groups in the field (what they have not committed to today's
        assaults, never the pool, the army not yet sent to Idlib), in a declared campaign.

        Only while an intervention holds Turkey's escalation up (a documented
        decision: Spring Shield, counted from 27 February 2020), in proportion
        to escalation: before it Turkey's guns backed the opposition's attacks
        (fire support) but waged no campaign of their own. Not while the regime
        keeps a deal in force that Turkey guarantees (Spring Shield stopped when
        the Moscow ceasefire began), and strikes resume the day the regime
        breaks it if an intervention still holds; a deal Turkey is no party to
        does not hold them back.
        """
        m = self.model
        if not self.intervening:  # no campaign declared: nothing fires (and nothing is drawn)
            return
        guarantor = m.deal is not None and self.name in m.deal.parties
        firing = self.escalation * self.intervening * ~(ceasefire.binding(m, m.regime.name) & guarantor)
        if count_nonzero(firing):
            noise = m.draws.lognormal(m.day, Draw.DRONE_LOSS, m.combat_params.noise)
            m.regime.lose(self.p.drone_strength * firing * noise, pool=False)  # what is in the field, not the reserve

    def expose_posts(self) -> None:
        """Soldiers at posts overlooking the fighting come under fire, whoever attacks, and soldiers in Turkey's open
        fighting (in proportion to escalation) wherever the government is on the offensive: called once every side has
        declared. A government held back by a deal, or with every push spent, fires at no Turkish soldier."""
        m, p = self.model, self.p
        exposed = np.zeros(m.replicates, np.int64)  # posts by the fighting: none on a quiet day (most days of a truce)
        if (hit := m.assaulted()) is not None and count_nonzero(hit):
            exposed = (towns.posts_by(m.theatre, hit) & m.post_standing).sum(axis=1)
        mean = p.exposure * exposed
        if count_nonzero(self.escalation):
            mean = mean + p.combat_exposure * self.escalation * m.regime.on_offensive
        if count_nonzero(mean):  # a count of mean 0 is 0 whatever is drawn (and a draw moves no other stream): not drawn
            self.lose_soldiers(m.draws.poisson(m.day, Draw.POST_DEATHS, mean), "exposure")

    # Each cause: who killed them (the log's actors) and how. Exposure and strikes are the government's fire; an attack
    # on a joint patrol is HTS's (logged the same day as its violation).
    CAUSES = {"exposure": ("regime;turkey", "killed near the fighting"), "strike": ("regime;turkey", "killed in a strike"),
              "attack on a patrol": ("hts;turkey", "killed in an attack on a joint patrol")}

    def lose_soldiers(self, deaths: np.ndarray, cause: str) -> None:
        """The one place Turkish deaths are counted, and logged with their cause (one of :attr:`CAUSES`)."""
        deaths = np.asarray(deaths, np.int64)  # (replicates,)
        if count_nonzero(deaths):
            self.deaths = self.deaths + deaths
            self.model.add_casualties(self.name, deaths, fighters=False)
            rep = deaths.nonzero()[0]
            actors, how = self.CAUSES[cause]
            self.model.journal.counts("turkish_losses", rep, self.model.day, deaths[rep], actors,
                                      f"Turkish soldiers {how}", one=f"Turkish soldier {how}")

    @property
    def deterrence(self) -> float | np.ndarray:
        """Factor in (0, 1] on the regime's daily chance to break a deal in force that binds it: exp(-troop_deterrence
        x thousands of Turkish troops in the theatre). Nothing else reads the troops."""
        return np.exp(-self.p.troop_deterrence * self.troops)

    def deterrence_of_posts(self, rep: np.ndarray, town: np.ndarray) -> np.ndarray:
        """For each pair (rep[i], town[i]): the factor on the regime's wish to assault a town that intact posts overlook.

        Posts deter while Turkey has not escalated past the regime's threshold;
        once it fights openly, they no longer spare anything.
        """
        m = self.model
        factor = np.exp(-per_pair(self.p.deterrence, rep) * m.intact_cover[rep, town])
        return np.where(self.escalation[rep] < per_pair(m.regime.p.escalation_threshold, rep), factor, 1.0)
