"""Rules over the towns' arrays that no single faction owns: the front, neighbourhoods, pockets, posts.

Every array here is shaped (replicates, towns). The road network is static
and comes from the theatre as a padded neighbour table
(:class:`~sim.io.theatre.NeighbourTable`): one row of neighbours per town,
with ``valid`` marking the real roads, and as a sparse matrix of the same
roads, so "how many of my neighbours does the government hold" is one sparse
product for every replicate at once.

Counts come out of float32 products of 0/1 values, which are exact (far
below 2**24), and leave here as what their rule needs: integers
(:func:`held_neighbours`), a mask where any will do (:func:`posts_near`,
:func:`within_radius`), or float64 where a rule scales by them
(:func:`posts_overlooking`, the posts' cover).
"""

from __future__ import annotations

import numpy as np

from ..io.theatre import NeighbourTable, Theatre
from ..names import HOLDERS, HolderCode
from . import count_nonzero

REGIME = HolderCode.REGIME


def held_neighbours(table: NeighbourTable, held: np.ndarray) -> np.ndarray:
    """(replicates, towns) how many of each town's road neighbours are in ``held`` (a (replicates, towns) mask)."""
    return _counts(table.roads, held).astype(np.int64)


def km_to_held(table: NeighbourTable, held: np.ndarray, rep: np.ndarray, town: np.ndarray) -> np.ndarray:
    """For each pair (rep[i], town[i]): road km to the town's nearest neighbour in ``held`` (inf if none is one road away).

    ``held`` is a (replicates, towns) mask, or a stack of them ((masks, replicates, towns)) with one row of answers each.
    """
    flat = held.reshape(*held.shape[:-2], -1)
    # Neighbours along the second-last axis, pairs along the last: np.take and a minimum across a few long rows are
    # several times quicker for a batch than a fancy index and a minimum along many short ones. A padded
    # entry's km is inf, so it never counts.
    reach = np.take(flat, rep * held.shape[-1] + table.nbr[town].T, axis=-1)  # (..., neighbours, pairs)
    return np.where(reach, table.km[town].T, np.inf).min(axis=-2)


def front_km(theatre: Theatre, controller: np.ndarray) -> np.ndarray:
    """(replicates,) km of road between government-held towns and the rest."""
    gov = controller == REGIME
    # A row sum, not a matrix product: BLAS may add in a different order for another batch size.
    return ((gov[:, theatre.edge_u] != gov[:, theatre.edge_v]) * theatre.edge_km).sum(axis=1)


def held_counts(controller: np.ndarray) -> np.ndarray:
    """(replicates, holders) how many towns each holder holds."""
    r = controller.shape[0]
    offset = np.arange(r)[:, None] * len(HOLDERS)
    return np.bincount((controller + offset).ravel(), minlength=r * len(HOLDERS)).reshape(-1, len(HOLDERS))


def on_front(table: NeighbourTable, controller: np.ndarray) -> np.ndarray:
    """Towns with a road to a town on the other side (the government against everyone else)."""
    gov = controller == REGIME
    by_gov = held_neighbours(table, gov)
    return np.where(gov, table.degree - by_gov, by_gov) > 0


def best_neighbour(table: NeighbourTable, rep: np.ndarray, town: np.ndarray, side: np.ndarray,
                   controller: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """For each pair (rep[i], town[i]): the neighbour held by ``side[i]`` with the highest ``rank``, or -1 if none.

    This is where survivors fall back to when a town is lost or abandoned.
    """
    # The pairs' rows of the table with ``take``: a fancy index that gathers rows costs five times as much.
    cand = table.nbr.take(town, axis=0)  # (pairs, K)
    ok = (controller[rep[:, None], cand] == side[:, None]) & table.valid.take(town, axis=0)
    score = np.where(ok, rank[rep[:, None], cand], -np.inf)
    # A row with none of its side's: every score -inf, argmax 0, and that entry -1.
    return np.where(ok, cand, -1)[np.arange(len(town)), score.argmax(axis=1)]


def refuges(table: NeighbourTable, rep: np.ndarray, town: np.ndarray, side: np.ndarray, fallback: np.ndarray,
            after: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Where the garrisons of towns that ``side`` loses go: each its ``fallback``, unless that changes hands too.

    ``after`` is who holds each town once every town has changed hands. A
    fallback lost in the same breath is no refuge: that garrison goes to the
    best neighbour its side (``side[i]``) holds then, or is lost (-1) if
    there is none. So does one with no fallback (-1): a neighbour its side
    took in the same breath is a refuge, as it is for one whose fallback fell.
    """
    # A fallback of -1 (none) reads the last town: it is looked for again whatever it finds there.
    gone = (fallback < 0) | (after[rep, fallback] != side)
    if not count_nonzero(gone):
        return fallback
    fallback = fallback.copy()
    fallback[gone] = best_neighbour(table, rep[gone], town[gone], side[gone], after, rank)
    return fallback


def rear_of(theatre: Theatre, rear_km: float) -> np.ndarray:
    """(towns,) the opposition's rear: the camps, and the places within ``rear_km`` of the border."""
    return (theatre.kind == "camp") | (theatre.border_km <= rear_km)


def cut_off(theatre: Theatre, controller: np.ndarray, rear: np.ndarray | None = None,
            starts: list[int] | None = None) -> np.ndarray:
    """Opposition towns with no road through opposition ground back to the rear (a pocket).

    The rear is ``rear`` ((towns,), see :func:`rear_of`), by default the camps
    on the border; ``starts``, its towns as a list, if the caller keeps them.
    A theatre without a rear has nothing to be cut off from, and nothing is
    cut off. For a few replicates the towns linked to the rear are found by a
    plain search from it (:func:`_cut_off_by_search`); for more, by scipy's
    connected components over every replicate at once
    (:func:`_linked_by_components`), whose fixed cost (a sparse matrix built
    and checked, some 300 Python calls) is several times a single search's.
    Both give the same booleans.
    """
    if rear is None:
        rear = theatre.kind == "camp"
    if starts is None:
        starts = np.flatnonzero(rear).tolist()
    if not starts:
        return np.zeros(controller.shape, bool)
    held = controller != REGIME
    if len(controller) <= SEARCH_UP_TO:
        return _cut_off_by_search(theatre.neighbour_table, held, starts)
    return held & ~_linked_by_components(theatre, held, rear)


SEARCH_UP_TO = 4  # replicates: up to here, one search per replicate is quicker than scipy's one call for all (timed)


def _cut_off_by_search(table: NeighbourTable, held: np.ndarray, starts: list[int]) -> np.ndarray:
    """(replicates, towns) towns in ``held`` not joined to a rear town (of ``starts``) in ``held`` by roads through ``held``.

    A breadth-first search from the rear over each replicate's held towns, in plain Python: for one replicate of
    two hundred towns it takes a tenth of the time of the numpy and scipy calls that would set it up. It clears
    each town it reaches in a list of the held towns: those left set are cut off. (Read back as bytes: a list of
    Python booleans takes as long to turn into an array as the search.)
    """
    adjacent = table.adjacent
    rows = held.tolist()
    for row in rows:
        reached = [i for i in starts if row[i]]
        for i in reached:
            row[i] = False
        for i in reached:  # towns appended as they are reached are visited in turn: the list is the queue
            for j in adjacent[i]:
                if row[j]:
                    row[j] = False
                    reached.append(j)
    return np.frombuffer(bytearray().join(map(bytes, rows)), bool).reshape(held.shape)  # writable, as the other path


def _linked_by_components(theatre: Theatre, held: np.ndarray, rear: np.ndarray) -> np.ndarray:
    """(replicates, towns) towns in ``held`` joined to a ``rear`` town in ``held`` by roads through ``held``.

    The roads between held towns of every replicate form one graph
    (replicate r's towns are nodes r x towns ... r x towns + towns - 1), laid
    out row by row without sorting, whose connected components scipy finds in
    one call.
    """
    from scipy.sparse import csr_matrix  # here: only batches take this path, and `check` reads this module without it
    from scipy.sparse.csgraph import connected_components

    r, n = held.shape
    order = np.argsort(theatre.edge_u, kind="stable")  # roads by the town they start from: the graph's rows come out sorted
    u, v = theatre.edge_u[order], theatre.edge_v[order]
    rep, edge = np.nonzero(held[:, u] & held[:, v])  # the roads between opposition towns, replicate by replicate
    rows = rep * n + u[edge]
    indptr = np.zeros(r * n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=r * n), out=indptr[1:])
    graph = csr_matrix((np.ones(rows.size, bool), rep * n + v[edge], indptr), shape=(r * n, r * n))
    count, label = connected_components(graph, directed=False)
    label = label.reshape(r, n)
    linked = np.zeros(count, bool)  # the components that hold a piece of the rear
    linked[label[held & rear[None, :]]] = True
    return held & linked[label]


class Pockets:
    """Each replicate's pockets (:func:`cut_off`), kept from day to day and found again only where they may have changed.

    A pocket depends on who holds the towns and nothing else, and finding
    pockets is the dearest part of a day: they are found again only in the
    replicates where a town has passed to or from the government since
    (:meth:`note`), and not even then when the change could cut no one off:
    in a batch, a town with no way through it (:meth:`note`); in a single
    run, towns whose loss leaves their neighbours joined (:meth:`now`).

    Args:
        theatre: the theatre.
        rear: (towns,) what a pocket is cut off from (:func:`rear_of`).
        replicates: how many.
    """

    def __init__(self, theatre: Theatre, rear: np.ndarray, replicates: int) -> None:
        self.theatre, self.rear = theatre, rear
        self.starts = np.flatnonzero(rear).tolist()  # the rear's towns, where a search starts
        self.found = np.zeros((replicates, theatre.n), bool)  # each replicate's, as last found
        self.stale = np.ones(replicates, bool)  # replicates where a town passed to or from the government since
        self.moved: list[int] = []  # a single run's towns that passed to or from the government since: see now()

    def note(self, controller: np.ndarray, table: NeighbourTable, rep: np.ndarray, town: np.ndarray, old: np.ndarray,
             new: np.ndarray) -> None:
        """Before towns change hands (pairs (rep[i], town[i]), holder codes ``old`` to ``new``): which replicates'
        pockets must be found again.

        Taking a town cuts no one off if it lies on no path from another
        opposition town to the rear (at most one opposition neighbour, not of
        the rear), or if it is in a pocket already (what it splits off is cut
        off already); where pockets are to be found again anyway, what they
        say of it does not matter. Any other change may split or join pockets.
        A single run looks later, once at every town lost (:meth:`now`): a
        score of numpy calls for each change, as here, cost more than the
        searches they spared. A town the opposition wins may join a pocket to
        the rear, and one it wins and loses again since the last look may have
        done so in between: it searches again.
        """
        moved = (old == REGIME) != (new == REGIME)
        if len(self.stale) == 1:
            if count_nonzero(moved & (new != REGIME)):
                self.stale[0] = True
            self.moved += town[moved].tolist()
            return
        taken = (old != REGIME) & (new == REGIME)
        others = (controller[rep[:, None], table.nbr[town]] != REGIME) & table.valid[town]
        harmless = taken & (((others.sum(axis=1) <= 1) & ~self.rear[town]) | self.found[rep, town])
        self.stale[rep[moved & ~harmless]] = True
        self.found[rep[harmless], town[harmless]] = False

    def now(self, controller: np.ndarray) -> np.ndarray:
        """(replicates, towns) the pockets of ``controller``, who holds the towns now (read-only)."""
        if self.moved:
            if not self.stale[0]:
                self._look(controller[0] != REGIME)
            self.moved = []
        stale = self.stale.nonzero()[0]
        if stale.size:
            self.found[stale] = cut_off(self.theatre, controller[stale], self.rear, self.starts)
            self.stale[:] = False
        return self.found

    def _look(self, held: np.ndarray) -> None:
        """A single run's pockets after the towns ``moved`` passed to the government (:meth:`note`: none the other way
        since the last look; ``held``: (towns,) the opposition's towns now): kept, if they left their neighbours joined
        and none was of the rear; else stale.

        Taken from the opposition one at a time, a town cuts no one linked to the rear off if it was not of the rear
        and the linked towns beside it are still joined to one another: a way to the rear that led through it entered
        it from one of those and left it from another, which is joined to the rear without it. Pockets stay pockets
        when the opposition only loses towns. The search from one neighbour stops once it has met the others: round a
        town of the front that is a few roads, where a search from the rear crosses the whole of the opposition's ground.
        """
        held, adjacent = held.tolist(), self.theatre.neighbour_table.adjacent
        lost = set(self.moved)
        if not lost.isdisjoint(self.starts):  # one of the rear lost
            self.stale[0] = True
            return
        pocketed = [i for i in lost if self.found.item(0, i)]  # their neighbours are in the pocket too, and stay
        for i in lost:  # the opposition's again, to be taken one at a time
            held[i] = True
        for i in lost:
            held[i] = False
            around = [j for j in adjacent[i] if held[j]]  # joined to it before: linked, as it was (if not in a pocket)
            if len(around) < 2 or i in pocketed:
                continue
            # A search as _cut_off_by_search's, from one of them, through the opposition's towns (none of them in a
            # pocket: none is beside a linked one), until it has met the others.
            row, queue, left = held.copy(), around[:1], len(around) - 1
            row[around[0]] = False
            for k in queue:
                for j in adjacent[k]:
                    if row[j]:
                        row[j] = False
                        queue.append(j)
                        left -= j in around
                if not left:
                    break
            if left:  # some of them not joined to the others: they may be cut off
                self.stale[0] = True
                return
        if pocketed:
            self.found[0, pocketed] = False  # the government's now


def posts_encircled(theatre: Theatre, controller: np.ndarray, standing: np.ndarray) -> np.ndarray:
    """(replicates, posts) standing posts every town around which the government holds: they are cut off."""
    return standing & ~posts_near(theatre, controller != REGIME)  # no town around it left to get out through


def posts_near(theatre: Theatre, mask: np.ndarray) -> np.ndarray:
    """(replicates, posts) posts that overlook at least one town in ``mask`` (replicates, towns)."""
    return _counts(theatre.post_links, mask) > 0


def posts_by(theatre: Theatre, mask: np.ndarray) -> np.ndarray:
    """(replicates, posts) posts that overlook a town in ``mask`` (replicates, towns) or a town one road from one:
    :func:`posts_near` of ``mask`` and its road neighbours, in one product (:attr:`Theatre.post_reach`)."""
    return _counts(theatre.post_reach, mask) > 0


def posts_overlooking(theatre: Theatre, which: np.ndarray) -> np.ndarray:
    """(replicates, towns) how many of the posts in ``which`` (replicates, posts) overlook each town, as floats."""
    return _counts(theatre.town_post_links, which).astype(np.float64)


def within_radius(theatre: Theatre, radius_km: float, mask: np.ndarray) -> np.ndarray:
    """(replicates, towns) towns within ``radius_km`` of any town in ``mask``."""
    zone = theatre.within(radius_km)
    return _counts(zone, mask) > 0


def _counts(links, mask: np.ndarray) -> np.ndarray:  # noqa: ANN001 - a scipy sparse matrix
    """(replicates, rows of ``links``) how many of each row's linked columns are in ``mask`` (replicates, columns).

    One product for the whole batch: for a few replicates and a small matrix, a dense one with a dense copy of
    ``links`` (:func:`_dense_transpose`); otherwise a sparse one, the mask read as 0/1 bytes without a copy. A
    sparse product's fixed cost (some 25 Python calls in scipy) is twice the whole of a dense one for a single
    replicate on a theatre of 200 towns, and a dense one grows with every replicate and every pair of towns.
    Both count in float32, exactly, whatever the order of the additions (see the module's docstring): the same numbers.
    """
    if len(mask) <= DENSE_UP_TO and links.shape[0] * links.shape[1] <= DENSE_CELLS:
        return np.matmul(mask, _dense_transpose(links), dtype=np.float32)
    return (links @ mask.T.view(np.int8)).T


DENSE_UP_TO = 4  # replicates: up to here a dense product is quicker than a sparse one (timed, 200 towns)
DENSE_CELLS = 250_000  # cells of a matrix kept dense (1 MB): the theatre's are some 200 x 200
DENSE_KEPT = 32  # matrices kept dense at once: a theatre has about six; a long session loads many theatres
_DENSE: dict[int, tuple[object, np.ndarray]] = {}  # id(links) -> (links, dense transpose): see _dense_transpose


def _dense_transpose(links) -> np.ndarray:  # noqa: ANN001 - a scipy sparse matrix
    """(columns, rows) float32: ``links`` as a dense array, turned round, made once for each matrix.

    Kept under the matrix's id, with the matrix itself: held here, it is not freed while its entry stands, so the id
    is never another's; past :data:`DENSE_KEPT` entries they are let go together. The theatre's matrices are made once
    and never changed (it keeps each, see :class:`~sim.io.theatre.Theatre`).
    """
    kept = _DENSE.get(id(links))
    if kept is None:
        if len(_DENSE) >= DENSE_KEPT:  # let go of them all (an id freed with its entry cannot be mistaken for another)
            _DENSE.clear()
        kept = _DENSE[id(links)] = (links, np.ascontiguousarray(links.toarray().T, dtype=np.float32))
    return kept[1]
