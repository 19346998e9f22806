"""Rules over the towns' arrays that no single faction owns: the front, neighbourhoods, encirclement of posts."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from ..io.theatre import Theatre
from ..names import HolderCode


def any_row(matrix: csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Mask of the columns set in any of ``rows`` of a sparse boolean matrix.

    Reads the CSR arrays directly: a day touches only a few rows, and scipy's
    general row indexing costs more than the work itself.
    """
    mask = np.zeros(matrix.shape[1], bool)
    for row in rows:
        mask[matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]] = True
    return mask


def front_edges(theatre: Theatre, controller: np.ndarray) -> np.ndarray:
    """Indices of the roads whose two ends are held by opposing sides (the government against the rest)."""
    gov = controller == HolderCode.REGIME
    return np.flatnonzero(gov[theatre.edge_u] != gov[theatre.edge_v])


def encircled(theatre: Theatre, controller: np.ndarray, posts: np.ndarray) -> np.ndarray:
    """Towns whose Turkish posts are encircled: the town, or every road out of it, is government-held."""
    gov = controller == HolderCode.REGIME
    # A town keeps a way out while one of its roads leads to a town the government does not hold.
    way_out = np.zeros(theatre.n, bool)
    way_out[theatre.edge_u[~gov[theatre.edge_v]]] = True
    way_out[theatre.edge_v[~gov[theatre.edge_u]]] = True
    return (posts > 0) & (gov | ~way_out)
