"""The ceasefire model: a theatre, five factions, scenario events, one day per step.

``CeasefireModel`` owns the state over towns as numpy arrays (who holds each
town, with what garrison, how many residents are left, which Turkish posts
stand there) and the faction agents that act on it. Scenario events are
scheduled with Mesa's ``schedule_event`` for the night before their date, so
a truce "from 00:01 on 12 January" binds the step that simulates 12 January.

Time: step ``d`` simulates the date ``start + d`` days; the state recorded
for ``start`` itself is the initial front line. Run to the end with Mesa's
``run_model()``.
"""

from __future__ import annotations

import datetime as dt
import math

import mesa
import numpy as np
from mesa.datacollection import DataCollector

from ..io.schema import Scenario
from ..io.theatre import Theatre, load_theatre
from ..names import FACTIONS, HOLDERS, HolderCode
from . import ceasefire, civilians, combat, towns
from .ceasefire import Ceasefire
from .events import build_events
from .factions import HTS, FactionAgent, Rebels, Regime, Russia, Turkey

REGIME, HTS_CODE, REBELS = HolderCode.REGIME, HolderCode.HTS, HolderCode.REBELS

# timeseries.csv column -> the model property that reports it
REPORTERS = {
    "towns_regime": "towns_regime",
    "towns_hts": "towns_hts",
    "towns_rebels": "towns_rebels",
    "front_km": "front_km",
    "ceasefire": "ceasefire_state",
    "violations": "violations",
    "regime_pressure": "regime_pressure",
    "air_effort": "air_effort",
    "turkish_escalation": "turkish_escalation",
    "encircled_posts": "encircled_posts",
    "regime_force": "regime_force",
    "hts_reserve": "hts_reserve",
    "rebel_reserve": "rebel_reserve",
    "casualties_regime": "casualties_regime",
    "casualties_hts": "casualties_hts",
    "casualties_rebels": "casualties_rebels",
    "casualties_russia": "casualties_russia",
    "turkish_deaths": "turkish_deaths",
    "displaced": "displaced_total",
    "patrol_coverage": "patrol_coverage",
}


class CeasefireModel(mesa.Model):
    """Agent-based model of a contested ceasefire on a road network.

    Args:
        scenario: a validated scenario (see :func:`sim.io.scenario.load_scenario`).
        seed: overrides the scenario's seed.
        check_invariants: verify the model's invariants after every step
            (slower; the tests turn it on).
    """

    def __init__(self, scenario: Scenario, *, seed: int | None = None, check_invariants: bool = False) -> None:
        super().__init__(rng=scenario.seed if seed is None else seed)
        # Mesa reserves `scenario` for its own experiment object.
        self.spec = scenario
        self.theatre: Theatre = load_theatre(scenario.theatre)
        self.combat_params = scenario.combat
        self.civilian_params = scenario.civilians
        self.start: dt.date = scenario.start
        self.days = scenario.days
        self.check_invariants = check_invariants
        t = self.theatre
        self.n = t.n
        self.adjacency = t.adjacency  # built once per theatre, shared by every run on it

        # State over towns.
        self.controller = t.control[scenario.initial_control].copy()
        self.initial_controller = self.controller.copy()
        self.residents = t.population.copy()
        self.displaced = np.zeros(t.n)
        self.posts = np.zeros(t.n)
        self.encircled = np.zeros(t.n, bool)
        self.military_police = np.zeros(t.n, bool)
        self.lost_by_regime = np.zeros(t.n, bool)
        self.sit_in_until = np.full(t.n, -1)
        self.urban = 1.0 + self.combat_params.urban_defence * np.log10(np.maximum(t.population, 1000.0) / 1000.0)
        self.cohesion = np.ones(len(HOLDERS))
        self.cohesion[HTS_CODE] = scenario.factions.hts.cohesion
        self.cohesion[REBELS] = scenario.factions.rebels.cohesion
        self.casualties = dict.fromkeys(FACTIONS, 0.0)
        self._casualties_seen = dict(self.casualties)  # for the invariant check
        self.deal: Ceasefire | None = None  # the current truce or agreement; sim.model.ceasefire holds its rules
        self.patrol_roads: dict[str, None] = {}  # roads with an announced patrol plan, in the order announced
        self.attacks: list[tuple[str, int, float]] = []
        self.events_log: list[tuple[str, str, str, str, str]] = []
        self.patrol_log: list[dict] = []

        f = scenario.factions
        self.russia = Russia(self, f.russia)
        self.regime = Regime(self, f.regime)
        self.turkey = Turkey(self, f.turkey)
        self.hts = HTS(self, f.hts)
        self.rebels = Rebels(self, f.rebels)
        self.factions: dict[str, FactionAgent] = {a.name: a for a in (self.regime, self.russia, self.turkey, self.hts, self.rebels)}
        self.strike_zone = t.within(f.russia.strike_radius_km)  # towns bombed around an assault
        garrison = np.array([f.regime.garrison, f.hts.garrison, f.rebels.garrison])
        self.garrison = garrison[self.controller].astype(float)
        front = self.front_edges()
        on_front = np.unique(np.r_[t.edge_u[front], t.edge_v[front]])
        fortify = np.array([0.0, f.hts.front_garrison, f.rebels.front_garrison])
        self.garrison[on_front] += fortify[self.controller[on_front]]

        for post in t.posts:
            if post.standing_on(self.start):
                self.posts[post.towns[0]] += 1
        self.encircled = towns.encircled(t, self.controller, self.posts)

        # Scenario events: objects the model owns, so Mesa's weak references hold.
        self.scheduled = build_events(self, scenario.events)
        for event in self.scheduled:
            event.schedule()

        # What is recorded each day (row d is the state at the end of day d).
        self.history = np.empty((self.days + 1, t.n), np.int8)
        self.post_history = np.empty((self.days + 1, t.n))
        self.encircled_history = np.empty((self.days + 1, t.n), bool)
        self.datacollector = DataCollector(model_reporters=REPORTERS)
        self._record()

    # ------------------------------------------------------------------ time

    @property
    def day(self) -> int:
        """Days since the start; events firing the night before a date already count as that day."""
        return math.ceil(self.time)

    @property
    def date(self) -> dt.date:
        return self.start + dt.timedelta(days=self.day)

    def time_of(self, date: dt.date) -> float:
        """Model time at which something dated ``date`` takes effect: the night before."""
        return max(0.0, (date - self.start).days - 0.5)

    def step(self) -> None:
        """One day: the ceasefire's dates, the factions' moves in a fixed order, combat, flight, posts, records."""
        self.attacks = []
        ceasefire.begin_day(self)
        for faction in (self.russia, self.regime, self.turkey, self.hts, self.rebels):
            faction.step()
        combat.resolve(self)
        civilians.daily_flight(self)
        self._update_encirclement()
        self._record()
        if self.check_invariants:
            self.assert_invariants()
        if self.steps >= self.days:
            self.running = False

    # ------------------------------------------------- queries used by agents

    def front_edges(self) -> np.ndarray:
        """Indices of the roads whose two ends are held by opposing sides."""
        return towns.front_edges(self.theatre, self.controller)

    def front_pairs(self, holder: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For front roads with ``holder`` at one end: (the other end, km, edge index)."""
        t = self.theatre
        front = self.front_edges()
        u, v = t.edge_u[front], t.edge_v[front]
        at_u, at_v = self.controller[u] == holder, self.controller[v] == holder
        edge = np.concatenate([front[at_u], front[at_v]])
        return np.concatenate([v[at_u], u[at_v]]), t.edge_km[edge], edge

    def neighbours(self, town: int) -> np.ndarray:
        row = self.adjacency
        return row.indices[row.indptr[town] : row.indptr[town + 1]]

    def assaulted_and_adjacent(self) -> np.ndarray:
        """Mask of towns under ground assault today and their road neighbours."""
        mask = np.zeros(self.n, bool)
        if self.attacks:
            hit = np.array([t for _, t, _ in self.attacks])
            mask[hit] = True
            mask |= towns.any_row(self.adjacency, hit)
        return mask

    # ------------------------------------------------------ actions by agents

    def attack(self, faction: str, town: int, force: float) -> None:
        """Declare a ground assault on ``town`` for today's combat."""
        if force > 0 and all(t != town for _, t, _ in self.attacks):
            self.attacks.append((faction, town, force))

    def capture(self, town: int, faction: str, garrison: float) -> None:
        """``faction`` takes ``town``; survivors of the garrison fall back to a friendly neighbour."""
        old = int(self.controller[town])
        friends = self.neighbours(town)
        friends = friends[self.controller[friends] == old]
        if friends.size:
            fallback = friends[np.argmax(self.garrison[friends])]
            self.garrison[fallback] += self.garrison[town]
        self.controller[town] = HOLDERS.index(faction)
        self.garrison[town] = garrison
        if old == REGIME:
            self.lost_by_regime[town] = True
        civilians.flee(self, town, self.civilian_params.flee_capture)
        self.log_event("capture", town, f"{faction};{HOLDERS[old]}", f"{HOLDERS[old]} -> {faction}")

    def add_casualties(self, faction: str, amount: float, *, fighters: bool = True) -> None:
        """Record losses: strength points (converted to fighters) or a head count."""
        self.casualties[faction] += amount * (self.combat_params.fighters_per_point if fighters else 1.0)

    def log_event(self, kind: str, town: int | None, actors: str, detail: str) -> None:
        name = self.theatre.towns[town] if town is not None else ""
        self.events_log.append((self.date.isoformat(), kind, name, actors, detail))

    # ------------------------------------------------------------- internals

    def _update_encirclement(self) -> None:
        """Encircle posts cut off by the day's fighting (see :func:`sim.model.towns.encircled`), and say so."""
        now = towns.encircled(self.theatre, self.controller, self.posts)
        for town in np.flatnonzero(now & ~self.encircled):
            self.log_event("post_encircled", int(town), "turkey;regime", f"{int(self.posts[town])} Turkish post(s) encircled")
        self.encircled = now

    def _record(self) -> None:
        self.history[self.steps] = self.controller
        self.post_history[self.steps] = self.posts
        self.encircled_history[self.steps] = self.encircled
        self.datacollector.collect(self)

    def assert_invariants(self) -> None:
        """Raise AssertionError if the state is impossible."""
        assert np.isin(self.controller, range(len(HOLDERS))).all(), "a town without a valid controller"
        for name, arr in (("garrison", self.garrison), ("residents", self.residents), ("displaced", self.displaced)):
            assert np.isfinite(arr).all() and (arr >= -1e-9).all(), f"negative or non-finite {name}"
        assert np.allclose(self.residents + self.displaced, self.theatre.population), "people created or lost"
        for f in (self.regime, self.hts, self.rebels):
            assert math.isfinite(f.force) and f.force >= -1e-9, f"{f.name} force is {f.force}"
        assert all(self.casualties[k] >= v for k, v in self._casualties_seen.items()), "casualties decreased"
        self._casualties_seen = dict(self.casualties)
        deal = ceasefire.in_force(self)
        if deal is not None and deal.binds("regime"):
            assert all(a != "regime" for a, _, _ in self.attacks), "the regime attacked while bound by a ceasefire"

    # -------------------------------------------------------------- reporters

    @property
    def towns_regime(self) -> int:
        return int(np.count_nonzero(self.controller == REGIME))

    @property
    def towns_hts(self) -> int:
        return int(np.count_nonzero(self.controller == HTS_CODE))

    @property
    def towns_rebels(self) -> int:
        return int(np.count_nonzero(self.controller == REBELS))

    @property
    def front_km(self) -> float:
        return round(float(self.theatre.edge_km[self.front_edges()].sum()), 3)

    @property
    def ceasefire_state(self) -> str:
        return ceasefire.state_label(self)

    @property
    def violations(self) -> int:
        return self.deal.violations if self.deal else 0

    @property
    def regime_pressure(self) -> float:
        return round(self.deal.pressure, 6) if self.deal else 0.0

    @property
    def air_effort(self) -> float:
        return self.russia.air

    @property
    def turkish_escalation(self) -> float:
        return round(self.turkey.escalation, 6)

    @property
    def encircled_posts(self) -> int:
        return int(self.posts[self.encircled].sum())

    @property
    def regime_force(self) -> float:
        return round(self.regime.force, 6)

    @property
    def hts_reserve(self) -> float:
        return round(self.hts.force, 6)

    @property
    def rebel_reserve(self) -> float:
        return round(self.rebels.force, 6)

    @property
    def casualties_regime(self) -> int:
        return round(self.casualties["regime"])

    @property
    def casualties_hts(self) -> int:
        return round(self.casualties["hts"])

    @property
    def casualties_rebels(self) -> int:
        return round(self.casualties["rebels"])

    @property
    def casualties_russia(self) -> int:
        return round(self.casualties["russia"])

    @property
    def turkish_deaths(self) -> int:
        return self.turkey.deaths

    @property
    def displaced_total(self) -> int:
        return round(float(self.displaced.sum()))

    @property
    def patrol_coverage(self) -> float:
        return self.patrol_log[-1]["coverage"] if self.patrol_log else float("nan")
