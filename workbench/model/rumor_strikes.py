"""The counters of rumour mongering's ``rumor_stop="counter"``, kept between gossip rounds for the pairs that need them.

A node that is still interested in an item counts the unnecessary pushes it made of it
(:func:`workbench.model.gossip.rumor`). Only active pairs with a nonzero count are stored, as sorted keys
``item_id * N + node`` with their counts: the state grows with the pairs still spreading, not with
signatures times nodes. ``item_id`` is ``2 * row`` for a pending signature and ``2 * row + 1`` for its
confirmation (two items that travel separately).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.model.node_rows import PairCounts, PairSet


@dataclass
class RumorStrikes:
    """Unnecessary pushes so far per (item, node) pair, for the pairs still active with a nonzero count."""

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))

    def dense(self, item_ids: np.ndarray, n_nodes: int) -> np.ndarray:
        """``(len(item_ids), N)`` int32 counts of items ``item_ids`` (distinct), for one round."""
        out = np.zeros((item_ids.size, n_nodes), np.int32)
        if self.keys.size and item_ids.size:
            item, node = np.divmod(self.keys, n_nodes)
            order = np.argsort(item_ids)
            at = np.searchsorted(item_ids[order], item)
            at = np.minimum(at, item_ids.size - 1)
            found = item_ids[order][at] == item
            out[order[at[found]], node[found]] = self.counts[found]
        return out

    def keep(self, item_ids: np.ndarray, counts: np.ndarray, active: np.ndarray) -> None:
        """After a round: store the counts of items ``item_ids`` (``(I, N)``, as :meth:`dense` gave them and
        the round updated them) where the pair is still ``active``; items not in ``item_ids`` are dropped."""
        n = counts.shape[1]
        row, node = np.divmod(np.flatnonzero((counts > 0) & active), n)
        keys = item_ids[row].astype(np.int64) * n + node
        order = np.argsort(keys)
        self.keys, self.counts = keys[order], counts[row, node][order].astype(np.int32)

    def pairs(self, item_ids: np.ndarray, n_nodes: int) -> PairCounts:
        """:meth:`dense`'s counts as a sparse :class:`~workbench.model.node_rows.PairCounts` (items numbered as
        ``item_ids``, distinct), for one round."""
        if self.keys.size == 0 or item_ids.size == 0:
            return PairCounts(item_ids.size, n_nodes)
        item, node = np.divmod(self.keys, n_nodes)
        order = np.argsort(item_ids)
        at = np.minimum(np.searchsorted(item_ids[order], item), item_ids.size - 1)
        found = item_ids[order][at] == item
        keys = order[at[found]].astype(np.int64) * n_nodes + node[found]
        counts = self.counts[found]
        by_key = np.argsort(keys)
        return PairCounts(item_ids.size, n_nodes, keys[by_key], counts[by_key])

    def keep_pairs(self, item_ids: np.ndarray, counts: PairCounts, active: PairSet) -> None:
        """:meth:`keep` for the sparse counts and active pairs of a round."""
        n = counts.shape[1]
        live = (counts.values > 0) & active.contains(*np.divmod(counts.keys, n))
        row, node = np.divmod(counts.keys[live], n)
        keys = item_ids[row].astype(np.int64) * n + node
        order = np.argsort(keys)
        self.keys, self.counts = keys[order], counts.values[live][order].astype(np.int32)
