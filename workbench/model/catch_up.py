"""What the channels' catch-up hooks share (:meth:`~workbench.model.channels.base.Channel.catch_up`, churn).

A joining node (:mod:`workbench.model.churn`) sends one request (a ``pull_request``: its digest of the nothing it
holds) to whoever serves it -- the aggregator, a replica of the log, a present neighbour -- and receives one message
per confirmed rule it is sent; :func:`learn` makes it know each rule's confirmation and hold the rule.
"""

from __future__ import annotations

import numpy as np

from workbench.model.grouped import concat_ranges
from workbench.model.signatures import CONFIRMED
from workbench.model.state import ModelState


def confirmed_rows(state: ModelState) -> np.ndarray:
    """The signature rows confirmed so far."""
    return np.flatnonzero(state.sigs.view.outcome == CONFIRMED)


def learn(state: ModelState, row: np.ndarray, node: np.ndarray) -> None:
    """Nodes ``node[j]`` know the confirmation of (and hold) signature ``row[j]``."""
    if row.size:
        state.sigs.knows.set(row, node)
        state.sigs.holds.set(row, node)


def every_pair(rows: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(row, node)`` pairs of every row with every node."""
    return np.repeat(rows, nodes.size), np.tile(nodes, rows.size)


def random_present_neighbour(state: ModelState, joined: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each of nodes ``joined``, a present neighbour that did not just join either, uniformly at random (``-1``:
    none). One uniform number is drawn per (joiner, neighbour) pair of the adjacency."""
    adj = state.adjacency[joined]
    counts = np.diff(adj.indptr)
    joiner = np.repeat(np.arange(joined.size), counts)
    nb = adj.indices.astype(np.int64)
    keys = rng.random(nb.size)
    eligible = state.present[nb] & ~np.isin(nb, joined)
    keys[~eligible] = -1.0
    out = np.full(joined.size, -1, np.int64)
    if nb.size:
        order = np.lexsort((keys, joiner))  # by joiner, then key: each joiner's last pair has its largest key
        last = np.flatnonzero(np.r_[joiner[order][1:] != joiner[order][:-1], True])
        best = order[last]
        ok = keys[best] >= 0
        out[joiner[best[ok]]] = nb[best[ok]]
    return out


def rows_known_by(state: ModelState, rows: np.ndarray, source: np.ndarray, target: np.ndarray) -> tuple:
    """``(row, target)`` pairs: each of ``rows`` that node ``source[j]`` knows, for ``target[j]`` (``source`` -1:
    none)."""
    ok = source >= 0
    source, target = source[ok], target[ok]
    if rows.size == 0 or source.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, node = state.sigs.knows.pairs(rows)
    order = np.argsort(source, kind="stable")
    src, tgt = source[order], target[order]
    lo, hi = np.searchsorted(src, node, "left"), np.searchsorted(src, node, "right")
    n = hi - lo
    return np.repeat(rows[i], n), tgt[concat_ranges(lo, n)]
