"""Phase 5b: flows matching a signature in the receiving node's blocklist are blocked.

A node's blocklist holds the confirmed signatures it knows of and, with ``local_first``, the pending
signatures it proposed itself or approved on its own evidence (``knows[s, n]`` is set for those while
they are pending, and cleared if they are rejected).
"""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import CONFIRMED, PENDING, SignatureTable
from workbench.model.traffic import Flows


def in_blocklists(sigs: SignatureTable, local_first: bool) -> np.ndarray:
    """Rows of signatures that some node applies: confirmed ones, and pending ones with ``local_first``."""
    applied = sigs["outcome"] == CONFIRMED
    if local_first:
        applied = applied | (sigs["outcome"] == PENDING)
    return applied


def blocked_flows(sigs: SignatureTable, flows: Flows, local_first: bool = False) -> np.ndarray:
    """Blocked mask ``(N, F)``: per key, only the flows with that key are tested against its rules."""
    blocked = np.zeros(flows.label.shape, bool)
    if len(sigs) == 0:
        return blocked
    confirmed = np.flatnonzero(in_blocklists(sigs, local_first))
    if confirmed.size == 0:
        return blocked
    keys = flows.key
    sig_keys = sigs.cols["key"][confirmed]
    for key in np.unique(sig_keys):
        node, col = np.nonzero(keys == key)
        if node.size == 0:
            continue
        port, lb, lp = flows.dst_port[node, col], flows.log_bytes[node, col], flows.log_packets[node, col]
        hit = np.zeros(node.size, bool)
        for i in confirmed[sig_keys == key]:
            hit |= sigs.knows[i, node] & sigs.rule(i).matches(port, lb, lp)
        blocked[node[hit], col[hit]] = True
    return blocked
