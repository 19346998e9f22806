"""The quick forms of the model's hot paths give what their plain definitions give.

Each rule reads a count or a choice that a faster form now computes: a sparse
product for "how many neighbours", maxima for "the frontage's best towns", a
log that keeps a day's captures as arrays. Here each is checked against the
plain definition, on random states and on the ties and edges where a quick
form could differ.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.cli.arguments import build_parser
from sim.cli.running import _forks_workers
from sim.io.theatre import load_theatre
from sim.model import streams, towns
from sim.model.journal import Journal
from sim.model.frontage import Reach, frontage_picks, frontage_rows
from sim.model.streams import Draw

from .conftest import ROOT, line_theatre


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 9)),
              elements=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5])),
       st.lists(st.integers(1, 12), min_size=4, max_size=4))
def test_the_frontage_is_what_a_stable_sort_would_pick(score, frontages):
    # Few distinct values, so ties are everywhere: a stable sort of every (group, replicate) row of the dense scores
    # breaks them toward the lower town. The regime sorts only the towns within reach (here those scored above 0).
    groups, replicates, n = score.shape
    frontage = np.array(frontages[:groups])
    g, r, t = np.nonzero(score)
    reach = Reach(None, t, None, None, None, None, *frontage_rows(g, r, t, frontage, replicates, n))
    best, chosen = frontage_picks(reach, score[g, r, t])
    width = min(frontage.max(), n)
    order = np.argsort(-score, axis=2, kind="stable")[:, :, :width]
    expected = np.where(np.arange(width) < frontage[:, None, None], np.take_along_axis(score, order, axis=2), 0.0)
    assert np.array_equal(chosen, expected)
    assert np.array_equal(best[expected > 0], order[expected > 0])  # where no force goes, the town is not read


def test_neighbour_counts_and_distances_match_the_padded_table(build):
    theatre = load_theatre(build.theatre(
        [("A", 35.5, 36.0, "regime"), ("B", 35.5, 36.05, "hts"), ("C", 35.55, 36.0, "hts"), ("D", 35.6, 36.1, "rebels")],
        [("A", "B", "M9"), ("A", "C", "M9"), ("C", "D", "M9"), ("B", "D", "M9")]))
    table = theatre.neighbour_table
    rng = np.random.default_rng(3)
    held = rng.random((50, theatre.n)) < 0.5
    plain = (held[:, table.nbr] & table.valid).sum(axis=-1)
    counted = towns.held_neighbours(table, held)
    assert counted.dtype == np.int64 and np.array_equal(counted, plain)
    assert plain[:, theatre.town("A")].max() == 2 and plain[:, theatre.town("D")].min() == 0
    rep, town = np.nonzero(np.ones(held.shape, bool))
    km = np.where(held[:, table.nbr] & table.valid, table.km, np.inf).min(axis=-1)
    assert np.array_equal(towns.km_to_held(table, held, rep, town), km[rep, town])


def ring_with_spur(build):  # noqa: ANN001, ANN201 - the fixture; (theatre, rear)
    """A ring of six towns T0-T5 with a spur T2 - T6 - T7, all held by HTS; the rear is T0."""
    names = [f"T{i}" for i in range(8)]
    theatre = load_theatre(build.theatre(
        [(name, 35.5 + 0.03 * (i % 3), 36.0 + 0.04 * i, "hts") for i, name in enumerate(names)],
        [(f"T{i}", f"T{(i + 1) % 6}", "M9") for i in range(6)] + [("T2", "T6", "M9"), ("T6", "T7", "M9")]))
    rear = np.zeros(theatre.n, bool)
    rear[theatre.town("T0")] = True
    return theatre, rear


def test_pockets_found_in_one_batch_are_those_a_plain_search_finds(build):
    # A ring of six towns with a spur, the camp on the ring: random holders in 40 replicates at once, against
    # networkx on each replicate's opposition towns alone.
    import networkx as nx

    theatre, rear = ring_with_spur(build)
    controller = np.random.default_rng(5).integers(0, 3, (40, theatre.n)).astype(np.int8)
    found = towns.cut_off(theatre, controller, rear)
    for r, row in enumerate(controller):
        held = [i for i in range(theatre.n) if row[i] != 0]
        graph = nx.Graph([(u, v) for u, v in zip(theatre.edge_u, theatre.edge_v, strict=True) if row[u] and row[v]])
        graph.add_nodes_from(held)
        linked = set().union(*(nx.node_connected_component(graph, i) for i in held if rear[i]))
        assert found[r].tolist() == [i in held and i not in linked for i in range(theatre.n)], r
    assert found.any() and (~found & (controller != 0)).any()  # both kinds occur


def test_a_pocket_behind_a_lost_town_is_found_by_either_search(build):
    # A - B - C - D, and B - E - F; the rear is A. The government holds C: D is cut off, E and F reach A through B.
    theatre = load_theatre(build.theatre(
        [(name, 35.5 + 0.03 * i, 36.0 + 0.04 * i, "hts") for i, name in enumerate("ABCDEF")],
        [("A", "B", "M9"), ("B", "C", "M9"), ("C", "D", "M9"), ("B", "E", "M9"), ("E", "F", "M9")]))
    rear = np.zeros(theatre.n, bool)
    rear[theatre.town("A")] = True
    controller = np.array([[1, 1, 0, 1, 1, 2],  # C lost: D alone
                           [1, 0, 1, 1, 1, 2],  # B lost: everything beyond it, C to F
                           [0, 1, 1, 1, 1, 1]], np.int8)  # the rear itself lost: every opposition town
    held = controller != 0
    known = np.array([[0, 0, 0, 1, 0, 0], [0, 0, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1]], bool)
    table = theatre.neighbour_table
    assert np.array_equal(towns._cut_off_by_search(table, held, np.flatnonzero(rear).tolist()), known)
    assert np.array_equal(held & ~towns._linked_by_components(theatre, held, rear), known)
    assert np.array_equal(towns.cut_off(theatre, controller, rear), known)


@pytest.mark.parametrize("which", ["ring", "idlib"])
def test_the_search_for_a_few_replicates_finds_what_scipy_finds_for_many(build, which):
    # cut_off searches from the rear for a few replicates and asks scipy for many: the same booleans, on random
    # holders (some nearly all opposition, some nearly all government, so that pockets of every size occur).
    if which == "ring":
        theatre, rear = ring_with_spur(build)
    else:
        theatre = load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml")
        rear = towns.rear_of(theatre, 10.0)
    rng = np.random.default_rng(11)
    gov = rng.random((300, theatre.n)) < rng.random((300, 1))
    controller = np.where(gov, 0, rng.integers(1, 3, (300, theatre.n))).astype(np.int8)
    held = controller != 0
    cut = towns._cut_off_by_search(theatre.neighbour_table, held, np.flatnonzero(rear).tolist())
    assert np.array_equal(cut, held & ~towns._linked_by_components(theatre, held, rear))
    assert cut.any() and (held & ~cut).any()
    assert np.array_equal(towns.cut_off(theatre, controller, rear), cut)  # many: scipy
    few = [towns.cut_off(theatre, controller[r:r + towns.SEARCH_UP_TO], rear) for r in range(0, 300, towns.SEARCH_UP_TO)]
    assert np.array_equal(np.concatenate(few), cut)  # a few at a time: the search


def test_each_day_is_recorded_as_it_was_not_as_the_state_became():
    # The reporters hand Mesa's collector the model's own arrays, some of them updated in place later (a
    # deal's violations), trusting it to store a copy of each day's.
    from sim.io.scenario import load_scenario
    from sim.model.model import CeasefireModel

    m = CeasefireModel(load_scenario("scenarios/moscow.yaml"), seeds=[0, 1, 2])
    m.run_model()
    violations = np.array(m.datacollector.model_vars["violations"])  # (days, replicates)
    assert (violations[-1] == m.deal.violations).all() and violations[-1].max() > 0
    rises = np.diff(violations, axis=0)
    assert (rises >= 0).all() and rises.sum() == violations[-1].sum()  # each counted on its own day, from none
    assert (rises > 0).sum(axis=0).max() >= 2  # on several days (a record that followed the live count jumps once)


def test_the_reporters_stored_without_a_copy_hand_over_a_new_array_each_day():
    # The collector stores the FRESH reporters' values as they are: each must be an array of its own, not the model's
    # (a deal's violations, counted on in place) nor one kept from day to day (of_control's, such as front_km).
    from sim.io.scenario import load_scenario
    from sim.model.model import CeasefireModel
    from sim.model.reporters import FRESH, REPORTERS

    m = CeasefireModel(load_scenario("scenarios/moscow.yaml"), seeds=[0, 1])
    m.run_model()
    assert m.deal is not None and FRESH < set(REPORTERS)
    state = [v for v in vars(m).values() if isinstance(v, np.ndarray)] + [m.deal.violations, m.russia.air, m.turkey.deaths]
    for name in sorted(FRESH):
        first, again = REPORTERS[name](m), REPORTERS[name](m)
        assert first is not again and not np.shares_memory(first, again), name
        assert not any(np.shares_memory(first, v) for v in state), name


def test_the_arrays_the_collector_stores_as_the_model_keeps_them_cannot_be_changed_in_place():
    # The reporters not in FRESH hand over arrays the model keeps (of_control's, Russia's air effort...), stored without
    # a copy: the collector makes them read-only, so that a write in place would fail rather than rewrite the record.
    from sim.io.scenario import load_scenario
    from sim.model.model import CeasefireModel
    from sim.model.reporters import FRESH

    m = CeasefireModel(load_scenario("scenarios/moscow.yaml"), seeds=[0, 1])
    m.run_model()
    kept = {name: values[-1] for name, values in m.datacollector.model_vars.items() if name not in FRESH}
    assert {"front_km", "air_effort", "turkish_deaths", "patrol_coverage", "encircled_posts", "towns_regime"} <= set(kept)
    for name, value in kept.items():
        assert not value.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            value[...] = value
    assert m.turkey.deaths is kept["turkish_deaths"] and m.russia.air is kept["air_effort"]


def test_the_journal_reads_back_in_the_order_things_were_logged(build):
    theatre = load_theatre(line_theatre(build))
    journal = Journal(theatre.towns)
    journal.append((-1, 0, "truce_announced", "", "regime;russia", "a truce"))
    journal.captures(np.array([0, 1]), 3, np.array([1, 2]), np.array([0, 0], np.int8), np.array([1, 2], np.int8), "assault")
    journal.append((1, 3, "violation", "T1", "hts", "raid"))
    journal.captures(np.array([0]), 4, np.array([2]), np.array([0], np.int8), np.array([2], np.int8), "abandoned")
    assert [tuple(row) for row in journal.table()] == [
        (-1, 0, "truce_announced", "", "regime;russia", "a truce"),
        (0, 3, "capture", "T1", "regime;hts", "hts -> regime (assault)"),
        (1, 3, "capture", "T2", "regime;rebels", "rebels -> regime (assault)"),
        (1, 3, "violation", "T1", "hts", "raid"),
        (0, 4, "capture", "T2", "regime;rebels", "rebels -> regime (abandoned)"),
    ]
    assert Journal(theatre.towns).table().shape == (0, 6)


@pytest.mark.parametrize(("argv", "forks"), [
    (["run", "s.yaml"], False),  # one run: no pool
    (["run", "s.yaml", "--runs", "40"], True),
    (["run", "s.yaml", "--runs", "40", "--workers", "1"], False),
    (["sweep", "s.yaml", "--param", "regime.commit=0.2,0.8"], True),
    (["sweep", "s.yaml", "--param", "regime.commit=0.2,0.8", "--executor", "dask"], False),
    (["check", "s.yaml"], False),
])
def test_the_forkserver_is_started_only_for_a_local_pool(argv, forks, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert _forks_workers(build_parser("sim").parse_args(argv)) is forks


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 30.0), min_size=1, max_size=6),
       st.lists(st.floats(0.0, 1.0, exclude_min=True, exclude_max=True), min_size=6, max_size=6))
def test_poisson_counts_are_the_inverse_distribution_and_each_its_own(means, us):
    from scipy.stats import poisson

    from sim.model.streams import poisson_inverse

    mean, u = np.array(means), np.array(us[:len(means)])
    count = poisson_inverse(u, mean)
    expected = poisson.ppf(u, mean)  # the least k whose distribution reaches u
    clear = (np.abs(poisson.cdf(expected, mean) - u) > 1e-9) & (np.abs(poisson.cdf(expected - 1, mean) - u) > 1e-9)
    assert (count[clear] == expected[clear]).all(), (count, expected)  # rounding aside, at a step's edge
    # At u's float limit a count once ran on to a bound set by the batch's largest mean.
    top = np.nextafter(1.0, 0.0)
    alone = poisson_inverse(np.array([top]), mean[:1])
    beside = poisson_inverse(np.array([top, top]), np.array([mean[0], 60.0]))
    assert beside[0] == alone[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 60.0), st.floats(0.0, 1.0, exclude_min=True, exclude_max=True)
                          | st.just(float(np.nextafter(1.0, 0.0)))), min_size=1, max_size=12))
def test_a_few_poisson_counts_drawn_one_by_one_are_those_of_a_batch(pairs):
    """A few counts (FEW or fewer) are summed one at a time in Python's floats: the same counts, bit for bit, as the
    numpy path gives in a batch, at u's float limit and for large means too."""
    mean, u = np.array([m for m, _ in pairs]), np.array([x for _, x in pairs])
    batch = streams.poisson_inverse(np.tile(u, 1 + streams.FEW), np.tile(mean, 1 + streams.FEW))[:len(u)]  # numpy's
    alone = np.concatenate([streams.poisson_inverse(u[i:i + 1], mean[i:i + 1]) for i in range(len(u))])
    few = streams.poisson_inverse(u[:streams.FEW], mean[:streams.FEW])
    assert (alone == batch).all() and (few == batch[:streams.FEW]).all(), (alone, batch)
    assert streams.poisson_inverse(u[:1], np.float64(mean[0])).shape == (1,)  # a scalar mean broadcast to the draws


@pytest.mark.parametrize("seeds", [[3], [1, 2, 3]])
def test_the_targets_kept_from_day_to_day_are_those_found_afresh(seeds, monkeypatch):
    # The regime keeps each group's objective, and what each group can reach and how much it wants it, until towns
    # change hands, a group deploys or the groups in the field change: on every day of a campaign what it kept must be
    # what it finds afresh.
    from sim.io.scenario import load_scenario
    from sim.model.model import CeasefireModel
    from sim.model.targets import TargetChoice

    compared = {"reach": [], "objectives": []}

    def checking(name, cache):  # noqa: ANN001, ANN202
        kept = getattr(TargetChoice, name)

        def checked(self, *args):  # noqa: ANN001, ANN202
            before = getattr(self, cache)[1]
            value = kept(self, *args)
            setattr(self, cache, (None, None))
            fresh = kept(self, *args)
            assert all(np.array_equal(a, b) for a, b in zip(value, fresh, strict=True)), f"{name}, day {self.model.day}"
            compared[name].append(value is before)
            return value

        monkeypatch.setattr(TargetChoice, name, checked)

    checking("reach", "_reach")
    checking("objectives", "_objectives")
    CeasefireModel(load_scenario("scenarios/campaign.yaml"), seeds=seeds).run_model()
    assert sum(compared["objectives"]) > 10 and not all(compared["objectives"])  # many days kept, some found again
    assert any(compared["reach"]) and not all(compared["reach"])  # found only on days a group attacks: kept on a few


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=5), st.integers(0, 5000),
       st.lists(st.sampled_from(list(Draw)), min_size=1, max_size=3, unique=True), st.floats(0.0, 2.0))
def test_streams_drawn_together_are_each_what_it_is_drawn_alone(seeds, day, draws, sigma):
    # Combat draws both sides' losses in one pass: each row must be the stream's own numbers, bit for bit.
    keys = streams.replicate_keys(seeds)
    town = np.arange(len(seeds)) * 37
    together = streams.lognormals(keys, day, tuple(draws), sigma, town)
    for row, draw in zip(together, draws, strict=True):
        assert np.array_equal(row, streams.lognormal(keys, day, draw, sigma, town))
    per_key = np.full(len(seeds), sigma)  # a sigma per replicate, and one town for all
    assert np.array_equal(streams.lognormals(keys, day, tuple(draws), per_key, 5)[-1],
                          streams.lognormal(keys, day, draws[-1], per_key, 5))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=5), st.lists(st.integers(0, 5000), min_size=1, max_size=4),
       st.floats(0.0, 2.0), st.floats(0.0, 30.0))
def test_the_days_draws_made_in_one_pass_are_each_streams_own(seeds, days, sigma, mean):
    # The one-a-replicate draws of a day are made for every stream at once and kept for the day: each must be the
    # number its stream gives alone, on whichever day is asked (and again after another day was).
    keys = streams.replicate_keys(seeds)
    draws = streams.DailyDraws(keys)
    means = np.linspace(0.0, mean, len(seeds))
    for day in [*days, days[0]]:
        for draw in Draw:
            assert np.array_equal(draws.uniform(day, draw), streams.uniform(keys, day, draw))
            assert np.array_equal(draws.lognormal(day, draw, sigma), streams.lognormal(keys, day, draw, sigma))
            assert np.array_equal(draws.poisson(day, draw, means), streams.poisson(keys, day, draw, means))

def test_the_posts_by_the_fighting_are_those_by_a_town_under_assault_or_next_to_one():
    # One product over the posts' reach (a town or its road neighbours) in place of two: the same posts, and a
    # count of mean 0 (no post by the fighting, no open fighting) is 0 whatever its draw, so it is not drawn.
    from sim.model.streams import poisson_inverse

    theatre = load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml")
    rng = np.random.default_rng(7)
    hit = rng.random((60, theatre.n)) < rng.random((60, 1)) * 0.05  # a few towns under assault, none in some rows
    near = hit | (towns.held_neighbours(theatre.neighbour_table, hit) > 0)
    by = towns.posts_by(theatre, hit)
    assert np.array_equal(by, towns.posts_near(theatre, near))
    assert by.any() and not by.all() and not by[~hit.any(axis=1)].any()
    u = np.array([0.0, 0.5, np.nextafter(1.0, 0.0)])
    assert (poisson_inverse(u, np.zeros(3)) == 0).all()


def test_counts_for_a_few_replicates_are_those_of_the_sparse_product_for_each_matrix():
    # A few replicates are counted with a dense copy of each matrix, kept from product to product: each matrix must
    # get its own (several are towns x towns), and the counts must be the sparse product's, whatever the batch.
    theatre = load_theatre(ROOT / "scenarios" / "theatres" / "idlib.yaml")
    rng = np.random.default_rng(11)
    matrices = [theatre.neighbour_table.roads, theatre.within(12.0), theatre.within(5.0), theatre.post_reach,
                theatre.town_post_links]
    for _ in range(2):  # the second time round, from the dense copies kept
        for links in matrices:
            for r in range(1, towns.DENSE_UP_TO + 1):
                mask = rng.random((r, links.shape[1])) < rng.random((r, 1))
                counted = towns._counts(links, mask)
                assert counted.dtype == np.float32 and np.array_equal(counted, (links @ mask.T.astype(np.float32)).T)
    assert towns._counts(matrices[0], np.ones((1, theatre.n), bool)).sum() == theatre.neighbour_table.degree.sum()


def test_the_dense_copies_kept_are_bounded_and_each_matrix_still_counts_its_own():
    # A long session loads many theatres: the dense copies must not pile up, and letting them go must not make a new
    # matrix take an old one's copy.
    from scipy.sparse import random as sparse_random

    rng = np.random.default_rng(5)
    for i in range(towns.DENSE_KEPT * 2 + 3):
        links = sparse_random(30, 30, density=0.1, format="csr", dtype=np.float32, random_state=i)
        links.data[:] = 1.0
        mask = rng.random((2, 30)) < 0.5
        assert np.array_equal(towns._counts(links, mask), (links @ mask.T.astype(np.float32)).T)
        assert len(towns._DENSE) <= towns.DENSE_KEPT


def test_a_patrol_roads_sit_in_security_is_the_mean_over_its_own_towns_a_sit_in_could_block(build):
    # Each patrolled road is its own sit-ins' aim, less often where it is secure: its towns, not every patrolled road's,
    # and of those only the ones the opposition holds, where a sit-in is placed (until round 63 the government's towns
    # counted too: on the M4, Saraqib and Latakia, which no protester reaches).
    from sim.io.scenario import load_scenario
    from sim.model.model import CeasefireModel
    from sim.names import HolderCode

    build.theatre([("A", 35.5, 36.0, "hts"), ("B", 35.5, 36.05, "hts"), ("C", 35.5, 36.1, "hts"),
                   ("D", 35.5, 36.15, "regime")],
                  [("A", "B", "M4"), ("B", "C", "M5"), ("C", "D", "M5")])
    m = CeasefireModel(load_scenario(build.scenario({})))
    m.security[:] = [[0.0, 0.3, 0.9, 1.0]]
    assert m.hts.sit_in_security("M5") == pytest.approx([0.6])  # B and C, not the government's D
    assert m.hts.sit_in_security("M4") == pytest.approx([0.15])  # A and B
    m.controller[:] = HolderCode.REGIME
    m.changes += 1  # as a capture counts one, so what is read off who holds the towns is found again
    assert m.hts.sit_in_security("M4") == pytest.approx([0.0])  # nowhere to sit: no sit-in is placed (and no 0 / 0)


def test_a_faction_with_nothing_to_hold_back_draws_nothing_and_one_with_something_its_own_draw(monkeypatch):
    # Under a deal in force a faction keeps it by its compliance draw; where it would do nothing anyway, nothing is drawn.
    from sim.io.scenario import load_scenario
    from sim.model.model import CeasefireModel

    m = CeasefireModel(load_scenario("scenarios/moscow.yaml"), seeds=[0, 1, 2])
    while m.deal is None or not m.deal.in_force.all():
        m.step()
    drawn, uniform = [], m.draws.uniform  # the day's draws (streams.DailyDraws): what it asks of them
    monkeypatch.setattr(m.draws, "uniform", lambda day, draw: drawn.append(draw) or uniform(day, draw))
    assert not m.hts.unrestrained(np.zeros(3, bool)).any() and not drawn
    some = np.array([True, False, True])
    keeps = streams.uniform(m.keys, m.day, Draw.HTS_RESTRAINT) < m.deal.compliance["hts"]
    assert np.array_equal(m.hts.unrestrained(some), some & ~keeps) and drawn == [Draw.HTS_RESTRAINT]


def test_where_a_deal_is_in_force_follows_every_move_of_its_state():
    # in_force is kept between moves: asked before and after each, it must say what the states say then.
    import datetime as dt

    from sim.model.ceasefire import Ceasefire, CeasefireState

    day = dt.date(2020, 1, 2)
    cf = Ceasefire("t", "truce", day, day, None, ("russia",), {"regime": 1.0}, 0.0, replicates=3)
    seen = [cf.in_force.tolist()]
    cf.move(np.array([True, True, False]), CeasefireState.IN_FORCE)
    seen.append(cf.in_force.tolist())
    kept = cf.in_force
    cf.move(np.array([True, False, False]), CeasefireState.BROKEN)
    seen.append(cf.in_force.tolist())
    cf.move(np.array([False, True, True]), CeasefireState.EXPIRED)  # the third was never in force: it stays announced
    seen.append(cf.in_force.tolist())
    assert seen == [[False] * 3, [True, True, False], [False, True, False], [False] * 3]
    assert kept.tolist() == [True, True, False], "an answer given stays what it was"
    with pytest.raises(ValueError, match="read-only"):
        kept[0] = False  # shared: nobody may change it


@pytest.mark.parametrize("truce", [False, True])
def test_on_a_day_with_no_assault_people_flee_the_coming_front_only_while_an_offensive_runs(build, truce):
    # Flight and abandonment are skipped on days with no assault and no offensive. A group that holds its whole
    # axis assaults nothing, yet its offensive runs: people near the front leave. Under a truce nobody leaves, and a
    # pocket is still shaken (abandonment's skip comes after the pockets' shock).
    from sim.io.scenario import load_scenario
    from sim.model.model import CeasefireModel

    build.theatre([("Camp", 35.6, 36.0, "hts", 1000, "camp"), ("G", 35.5, 36.0, "regime", 1000),
                   ("A", 35.5, 36.05, "hts", 20000), ("P", 35.45, 36.05, "hts", 1000)],
                  [("Camp", "G", "M9"), ("G", "A", "M9"), ("A", "P", "M9")])
    events = [{"source": ["test-claim"], "date": "2020-01-01", "type": "offensive", "group": "main", "action": "start",
               "axis": ["G"], "force": 10}]
    if truce:
        events.append({"source": ["test-claim"], "id": "t", "date": "2020-01-01", "type": "truce", "name": "t",
                       "effective": "2020-01-01", "parties": ["russia", "turkey"], "restraint": 1.0,
                       "compliance": {"regime": 1.0, "hts": 1.0, "rebels": 1.0}})
    m = CeasefireModel(load_scenario(build.scenario({"events": events, "civilians": {"flee_front": 0.5}, "combat": {"pocket_shock": 0.2}})))
    m.controller[0, m.theatre.town("Camp")] = 0  # the camp lost: A and P are cut off from the rear
    m.changes += 1
    m._pockets.stale[:] = True
    m.step()
    a, p = m.theatre.town("A"), m.theatre.town("P")
    assert not (m.attack_force > 0).any() and m.regime.on_offensive[0] != truce
    assert (m.residents[0, a] == 20000) == truce
    assert m.pockets()[0, [a, p]].all() and (m.shock[0, [a, p]] > 0).all()


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(allow_nan=True, allow_infinity=True, width=64)))
def test_the_reporters_rounding_to_6_decimals_is_numpys_bit_for_bit_but_never_a_negative_zero(values):
    """A zero is written 0.0 whatever its sign: a run alone and the same run in a batch gave -0.0 and 0.0 (round 44)."""
    from sim.model.reporters import round6

    values = np.concatenate([values, [-0.0, -1e-9]])  # both round to a negative zero in numpy
    with np.errstate(all="ignore"):  # the largest floats overflow times 1e6 as they do inside numpy's round
        expected = values.round(6) + 0.0
        rounded = round6(values)
        assert np.array_equal(rounded.view(np.int64), expected.view(np.int64))
        assert not np.signbit(rounded[rounded == 0]).any()


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 8), elements=st.one_of(st.sampled_from([-0.0, 0.0, 1.0, np.nan]), st.floats(width=64))))
def test_clipping_to_the_unit_interval_is_numpys_bit_for_bit(values):
    from sim.model.params import clip_unit

    assert np.array_equal(clip_unit(values).view(np.int64), np.clip(values, 0.0, 1.0).view(np.int64))  # -0.0 and NaN too
