"""The ceasefire model: a theatre, five factions, scenario events, one day per step, a batch of replicates.

``CeasefireModel`` owns the state as numpy arrays shaped (replicates, towns):
who holds each town, with what garrison and how shaken, how many residents
are left, how secure the patrol road is; and (replicates, posts) for the
Turkish posts, which stand at their own sites beside the towns they
overlook. The faction agents act on those arrays, so one call serves every
replicate of a batch. A single run is a batch of one.

Replicate ``r`` draws its random numbers from its own counter-based stream
(:mod:`sim.model.streams`), keyed by its seed alone: it gives the same
results whether it runs alone or in a batch of any size.

Scenario events are scheduled with Mesa's ``schedule_event`` for the night
before their date, so a truce "from 00:01 on 12 January" binds the step that
simulates 12 January. Step ``d`` simulates the date ``start + d`` days; the
state recorded for ``start`` itself is the initial front line, with what
the events dated on the start date did (they fire before the first step). Run to the
end with ``run_model()``, one call of Mesa's ``run_until``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import mesa
import numpy as np
from mesa.time import Priority

from ..errors import check_switch
from ..io.paths import revalidate
from ..io.scenario import check_again
from ..io.schema import EVENT_UNION, Scenario
from ..io.theatre import Theatre, load_theatre
from ..names import FACTIONS, HOLDERS, HolderCode
from . import ceasefire, civilians, collector, combat, count_nonzero, encirclement, invariants, patrols, streams, towns
from .ceasefire import Ceasefire
from .events import build_events
from .journal import Journal
from .factions import FactionAgent, Russia, Turkey
from .opposition import HTS, Rebels
from .params import by_holder, for_the_rules, per_town, replicates_of, stacked_scenario
from .regime import Regime
from .reporters import REPORTERS

REGIME = HolderCode.REGIME


class CeasefireModel(mesa.Model):
    """Agent-based model of a contested ceasefire on a road network, for a batch of replicates.

    Args:
        scenario: a scenario (see :func:`sim.io.scenario.load_scenario`) or its file's path, or one per seed: several
            points of a sweep stepped together, which may differ only in the parameters the rules
            read per replicate (:mod:`sim.model.params`). Each is validated again here, so a value
            outside its declared range is an :class:`~sim.errors.InputError` however the scenario
            was made (``model_copy(update=...)`` does not validate).
        seed: one replicate with this seed (default: the scenario's).
        seeds: a batch, one replicate per seed (instead of ``seed``).
        check_invariants: verify the model's invariants after every step
            (slower; the tests turn it on).
    """

    def __init__(self, scenario: Scenario | str | Path | Sequence[Scenario | str | Path], *, seed: int | None = None,
                 seeds: list[int] | None = None, check_invariants: bool = False) -> None:
        check_switch(check_invariants, "check_invariants")
        each, first, seeds = replicates_of(scenario, seed, seeds)  # a path is loaded, as run_with takes one
        super().__init__(rng=streams.check_seeds(seeds)[0])  # Mesa's own generators; the rules draw from streams keyed by each seed
        # Validated again, whatever route it came by: model_copy(update=...) and model_construct skip validation.
        # And cross-checked as a file is (what its events name exists, their ids are unique...), once for its shape.
        if each is None:
            scenario = revalidate(first, EVENT_UNION)
            check_again(scenario)
            self.replicate_specs = [scenario] * len(seeds)
        else:
            valid = {key: revalidate(s, EVENT_UNION) for key, s in {id(s): s for s in each}.items()}  # once a scenario
            for s in valid.values():
                check_again(s)
            self.replicate_specs = [valid[id(s)] for s in each]
            scenario = stacked_scenario(self.replicate_specs)
        self.spec = scenario  # the batch's: numbers per replicate where its scenarios differ. Mesa reserves `scenario`.
        self.theatre: Theatre = load_theatre(scenario.theatre)
        self.seeds = [int(s) for s in seeds]
        self.keys = streams.replicate_keys(self.seeds)
        self.draws = streams.DailyDraws(self.keys)  # the one-a-replicate draws of a day, all in one pass
        self.replicates = r = len(self.seeds)
        self.combat_params = for_the_rules(scenario.combat)
        self.civilian_params = for_the_rules(scenario.civilians)
        self.start: dt.date = scenario.start
        self.days = scenario.days
        self.check_invariants = check_invariants
        t = self.theatre
        self.neighbours = t.neighbour_table  # built once per theatre, shared by every run on it
        self.town_ids = np.arange(t.n, dtype=np.uint64)[None, :]

        # Static, per town.
        camp = t.kind == "camp"
        self.contestable = ~camp  # camps are where people go, not objectives
        self.rear = towns.rear_of(t, self.combat_params.rear_km)  # what a pocket is cut off from
        self.leaves, self.camps, self.camp_share, self.outside_share = civilians.destinations(t, self.rear)
        # (replicates, towns): a batch's points may differ in the urban factor and the capacity.
        urban = 1.0 + per_town(self.combat_params.urban_defence) * np.log10(np.maximum(t.population, 1000.0) / 1000.0)
        self.urban = np.broadcast_to(urban, (r, t.n))
        self.garrison_cap = per_town(self.combat_params.garrison_cap) * self.urban
        f = scenario.factions
        self.cohesion = np.array([1.0, f.hts.cohesion, f.rebels.cohesion])

        # State over (replicates, towns).
        self.controller = np.repeat(t.control[scenario.initial_control][None, :], r, axis=0).astype(np.int8)
        self.initial_controller = self.controller.copy()
        self.residents = np.repeat(t.population[None, :], r, axis=0).astype(float)
        self.displaced = np.zeros(r)
        self.returned = np.zeros(r)  # people gone back home from the camps since the start (sim.model.civilians.go_home)
        self.away = np.zeros((r, t.n))  # people displaced from each town and not back: who may go home to it
        self.away_at_start = np.zeros(r)  # of them, those a scenario's displaced_at_start sends away before day 1
        self.outside = np.zeros(r)  # people who left with no camp in the theatre to count them in
        self.shock = np.zeros((r, t.n))
        self._pockets = towns.Pockets(t, self.rear, r)  # opposition towns cut off from the rear: see pockets()
        self.changes = 0  # how often towns have changed hands (in any replicate): see of_control()
        self._of_control: dict[str, tuple[int, np.ndarray]] = {}  # name -> (`changes` then, value): see of_control()
        self.security = np.zeros((r, t.n))  # how safe a patrol is at each town
        self.military_police = np.zeros((r, t.n), bool)
        self.lost_by_regime = np.zeros((r, t.n), bool)
        self.sit_in_until = np.full((r, t.n), -1, np.int64)
        self.attack_force = np.zeros((r, t.n))
        self.attack_side = np.full((r, t.n), -1, np.int8)
        self.declared: list[tuple[str, np.ndarray, np.ndarray, list]] = []  # (side, target, force, payers) of each declare_attacks
        self._assaulted: np.ndarray | None = None  # see assaulted()
        self.casualties = {name: np.zeros(r) for name in FACTIONS}
        # What the invariants compare the next day with: kept only where they are checked (sim.model.invariants).
        self._last_check = invariants.LastCheck(self) if check_invariants else None

        # Turkish posts, each a site that overlooks the towns beside it.
        self.post_standing = np.repeat(np.array([p.standing_on(self.start) for p in t.posts], bool)[None, :], r, axis=0)
        self.encircled = towns.posts_encircled(t, self.controller, self.post_standing)  # replaced, never changed in place
        self.encircled_at = self.changes  # the value of `changes` when they were last looked at (encirclement)
        encirclement.survey_posts(self)

        self.deal: Ceasefire | None = None  # the current truce or agreement; sim.model.ceasefire holds its rules
        self.patrol_roads: set[str] = set()  # roads with an announced patrol plan
        self.patrol_coverage: dict[str, np.ndarray] = {}  # road -> share of the route the last patrol covered (the farther of one night's)
        self.patrolled_today: dict[str, np.ndarray] = {}  # road -> (replicates,) where it was patrolled since the last record
        self.patrol_suspended_today = np.zeros(r, bool)  # where a patrol due since the last record could not set out
        self.coverage_shown = np.full(r, np.nan)  # the last patrols' coverage, their mean if several; blank once one cannot set out
        self.journal = Journal(t.towns)  # every event: (replicate or -1 for all, day, type, town, actors, detail)
        self.patrol_rows: list[tuple] = []  # (replicate, day, road, coverage, the town where it was stopped or its end)

        self.russia = Russia(self, for_the_rules(f.russia))
        self.regime = Regime(self, for_the_rules(f.regime))
        self.turkey = Turkey(self, for_the_rules(f.turkey))
        self.hts = HTS(self, for_the_rules(f.hts))
        self.rebels = Rebels(self, for_the_rules(f.rebels))
        self.factions: dict[str, FactionAgent] = {a.name: a for a in (self.regime, self.russia, self.turkey, self.hts, self.rebels)}
        if scenario.displaced_at_start is not None:  # those away at the start: the front, and Russia's strike radius, known
            civilians.displace_at_start(self, scenario.displaced_at_start)

        held = self.controller.astype(np.intp)
        garrison = by_holder(r, f.regime.garrison, f.hts.garrison, f.rebels.garrison)
        self.garrison = np.take_along_axis(garrison, held, axis=1)
        fortify = by_holder(r, 0.0, f.hts.front_garrison, f.rebels.front_garrison)
        self.garrison += np.where(towns.on_front(self.neighbours, self.controller), np.take_along_axis(fortify, held, axis=1), 0.0)
        self.garrison[:, camp] = 0.0

        # Scenario events: objects the model owns, so Mesa's weak references hold.
        self.scheduled = build_events(self, scenario.events)
        self.patrol_road_k = patrols.number_patrol_plans(self.scheduled)  # road -> the k of its sit-ins' numbers
        for event in sorted(self.scheduled, key=lambda e: e.last):  # the last kind after the others (ScenarioEvent.last)
            event.schedule()

        # What is recorded each day (row d is the state at the end of day d).
        self.history = np.empty((r, self.days + 1, t.n), np.int8)
        self.post_history = np.empty((r, self.days + 1, len(t.posts)), bool)
        self.encircled_history = np.empty((r, self.days + 1, len(t.posts)), bool)
        self.datacollector = collector.DailyCollector(model_reporters=REPORTERS)
        self._record()
        # The start date's events fire at 0, before the first step: its row is written again after them (LOW: after
        # every other event of that night), with its deal's dates settled as a step settles its own day's.
        self.schedule_event(self._record_start_date, at=0.0, priority=Priority.LOW)

    # ------------------------------------------------------------------ time

    @property
    def day(self) -> int:
        """Days since the start; events firing the night before a date already count as that day."""
        return math.ceil(self.time)

    @property
    def date(self) -> dt.date:
        """The date of the current day (:attr:`day` days after the start)."""
        return self.start + dt.timedelta(days=self.day)

    def time_of(self, date: dt.date) -> float:
        """Model time at which something dated ``date`` takes effect: the night before (-0.5 for the start date: see events)."""
        return (date - self.start).days - 0.5

    def step(self) -> None:
        """One day: the deal's dates, the factions in a fixed order, combat and collapse, flight and return, posts, records."""
        self.attack_force[:], self.attack_side[:] = 0.0, -1
        self.declared, self._assaulted = [], None
        ceasefire.begin_day(self)
        for faction in (self.regime, self.russia, self.turkey, self.hts, self.rebels):  # Russia backs what the regime chose
            faction.step()
        self.turkey.expose_posts()  # soldiers at posts overlooking any of the day's assaults, the opposition's too
        combat.resolve(self)
        combat.abandon_untenable(self)
        civilians.flee(self)
        # After the day's fighting and flight, when who holds each town and which came under fire today are known: no
        # one goes back to a town taken or shelled today, nor on the day the government breaks a deal.
        civilians.go_home(self)
        combat.recover(self)
        patrols.police_corridor(self)
        encirclement.encircle_posts(self)
        self._record()
        if self.check_invariants:
            self.assert_invariants()
        if self.steps >= self.days:
            self.running = False

    def run_model(self) -> None:
        """Step to the end, as Mesa's ``run_model``, but in one pass of Mesa's clock (its ``run_until``): a pass a day
        also takes the next event off the queue and puts it back: 17 Python calls a day, 4 % of those of a day of truce."""
        if self.running:
            self.run_until(self.days)

    # ------------------------------------------------------ actions by agents

    def declare_attacks(self, side: str, target: np.ndarray, force: np.ndarray, payers: list) -> None:
        """Assaults for today's combat by ``payers`` (force groups, or a faction): ``target`` and ``force`` are
        (payers, replicates, k), each payer's force pays for its own, and a town's first attacker leads (takes it)."""
        which = force > 0
        rep, town = np.nonzero(which)[1], target[which]
        np.add.at(self.attack_force, (rep, town), force[which])
        lead = self.attack_side[rep, town]
        self.attack_side[rep, town] = np.where(lead < 0, HOLDERS.index(side), lead)
        self.declared.append((side, target, force, payers))
        self._assaulted = None  # more towns may be under assault now

    def assaulted(self) -> np.ndarray | None:
        """(replicates, towns) the towns under assault so far today (read-only); None if none has been declared."""
        if self._assaulted is None and self.declared:
            self._assaulted = self.attack_force > 0
        return self._assaulted

    def capture(self, rep: np.ndarray, town: np.ndarray, new: np.ndarray, garrison: np.ndarray, fallback: np.ndarray,
                cause: str) -> None:
        """Towns change hands; the old garrison falls back to ``fallback`` (:func:`towns.refuges`; -1: lost, a casualty)."""
        # The towns as flat indices (replicate x towns + town): each (replicates, towns) array is read at them with
        # ``take`` and written with ``put``, a third of the cost of indexing it with (rep, town) each time.
        flat = rep * self.controller.shape[1] + town
        old = self.controller.take(flat)  # a copy, as any gather
        self._pockets.note(self.controller, self.neighbours, rep, town, old, new)  # before they change hands
        self.changes += 1
        self.controller.put(flat, new)
        leaving = self.garrison.take(flat)  # a copy, read before any new garrison is set
        # New garrisons, then the survivors' refuges: a refuge may be a town their side took in this call
        # (towns.refuges), and the strongest is found by the garrisons as the falls leave them, that town's new one.
        self.garrison.put(flat, garrison)
        fallback = towns.refuges(self.neighbours, rep, town, old, fallback, self.controller, self.garrison)
        away = fallback >= 0
        to = away.nonzero()[0]  # the pairs by position: three reads with a mask would cost three times as much
        np.add.at(self.garrison, (rep[to], fallback[to]), leaving[to])
        if to.size < away.size:  # nowhere to go: lost (with every garrison away, no casualties to add)
            combat.book_casualties(self, old[~away], rep[~away], leaving[~away])
        self.shock.put(flat, 0.0)
        self.lost_by_regime.put(flat[old == REGIME], True)
        civilians.flee_capture(self, rep, town)
        self.journal.captures(rep, self.day, town, new, old, cause)
        combat.spread_collapse(self, rep, town, old)

    def of_control(self, name: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """``compute()``, which reads who holds each town and nothing else that changes, kept under ``name`` and
        computed again only after towns have changed hands (read-only): on most days none do."""
        at, value = self._of_control.get(name, (-1, None))
        if at != self.changes:
            value = compute()
            self._of_control[name] = (self.changes, value)
        return value

    def government_flanks(self) -> np.ndarray:
        """(replicates, towns) how many of each town's road neighbours the government holds (read-only): the regime's
        choice of targets, abandonment and flight all read it."""
        return self.of_control("flanks", lambda: towns.held_neighbours(self.neighbours, self.controller == REGIME))

    def pockets(self) -> np.ndarray:
        """(replicates, towns) opposition towns cut off from the rear (read-only): kept from day to day, and found again
        only where they may have changed (:class:`towns.Pockets`)."""
        return self._pockets.now(self.controller)

    def release(self) -> None:
        """Let go of everything the model holds, once what it produced has been read out.

        Its agents, events and schedule refer back to it, and Python frees such
        cycles only when its cycle collector runs, which counts objects, not
        bytes: a finished batch's arrays (tens of MB for 256 replicates) waited
        for it long enough that a worker's memory grew with every task it ran.
        With the model's own references gone, they are freed at once.
        """
        vars(self).clear()

    def add_casualties(self, faction: str, amount: np.ndarray, *, fighters: bool = True) -> None:
        """Record losses per replicate: strength points (converted to fighters) or a head count."""
        self.casualties[faction] = self.casualties[faction] + np.asarray(amount, float) * (self.combat_params.fighters_per_point if fighters else 1.0)

    def log_all(self, kind: str, town: int | None, actors: str, detail: str) -> None:
        """An event in every replicate (a scenario event)."""
        self.journal.append((-1, self.day, kind, self.theatre.towns[town] if town is not None else "", actors, detail))

    def log_each(self, kind: str, which: np.ndarray, town: np.ndarray | int | None, actors: str, detail) -> None:  # noqa: ANN001
        """An event in the replicates ``which``; ``town`` is one index, one per replicate, or None."""
        for r in which.nonzero()[0].tolist():
            k = town if town is None or np.ndim(town) == 0 else town[r]
            self.journal.append((r, self.day, kind, self.theatre.towns[k] if k is not None else "", actors, detail(r)))

    # -------------------------------------------------------------- internals

    def _record_start_date(self) -> None:
        ceasefire.begin_day(self)  # never stepped: unsettled, a deal in force from the start read "announced" on it
        self._record(again=True)

    def _record(self, *, again: bool = False) -> None:
        """Write row ``steps`` of the histories and the day's reporters (``again``: in place of the day's last)."""
        self.history[:, self.steps] = self.controller
        self.post_history[:, self.steps] = self.post_standing
        self.encircled_history[:, self.steps] = self.encircled
        # (holders,) of (replicates,): the towns each holds today, counted once for the three reporters that read them, as
        # the same three arrays until towns change hands (the collector stores them without a copy).
        self.towns_held = self.of_control("towns_held", lambda: tuple(towns.held_counts(self.controller).T))
        drove = None  # where a patrol drove since the last record
        if roads := sorted(self.patrolled_today):  # each patrol read on its own day, only where it drove
            went = np.array([self.patrolled_today.pop(road) for road in roads])  # (roads, replicates)
            drove = went.any(axis=0)
            driven = np.where(went, [self.patrol_coverage[road] for road in roads], 0.0).sum(axis=0)
            self.coverage_shown = np.where(drove, driven / np.maximum(went.sum(axis=0), 1), self.coverage_shown)
        if count_nonzero(self.patrol_suspended_today):
            # A patrol due that could not set out (no deal in force, or its start lost) covers nothing: the coverage is
            # blank, as before the first patrol, until one sets out, not the share of the last that did. A patrol on
            # another road that day is the day's reading.
            blank = self.patrol_suspended_today if drove is None else self.patrol_suspended_today & ~drove
            self.coverage_shown = np.where(blank, np.nan, self.coverage_shown)
            self.patrol_suspended_today = np.zeros(self.replicates, bool)
        if again:
            self.datacollector.collect_again(self)
        else:
            self.datacollector.collect(self)

    def assert_invariants(self) -> None:
        """Raise AssertionError if the state is impossible, in any replicate (:func:`sim.model.invariants.check`)."""
        if self._last_check is None:  # a model that does not check every day, checked now
            self._last_check = invariants.LastCheck(self)
        invariants.check(self, self._last_check)
