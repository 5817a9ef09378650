"""Phase 5b: flows matching a signature in the receiving node's blocklist are blocked.

A node's blocklist holds the confirmed signatures it knows of and, with ``local_first``, the
signatures it proposed itself or approved on its own evidence, until they are rejected (see
:func:`workbench.model.signatures.applied`).
"""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import CONFIRMED, REJECTED, SignatureTable, applied
from workbench.model.traffic import Flows


def in_blocklists(sigs: SignatureTable, local_first: bool) -> np.ndarray:
    """Rows of signatures that some node may apply: confirmed ones, and with ``local_first`` any not rejected."""
    return sigs["outcome"] != REJECTED if local_first else sigs["outcome"] == CONFIRMED


def blocked_flows(sigs: SignatureTable, flows: Flows, local_first: bool = False) -> np.ndarray:
    """Blocked mask ``(N, F)``: per key, only the flows with that key are tested against its rules."""
    blocked = np.zeros(flows.label.shape, bool)
    if len(sigs) == 0:
        return blocked
    confirmed = np.flatnonzero(in_blocklists(sigs, local_first))
    if confirmed.size == 0:
        return blocked
    sig_keys = sigs.cols["key"][confirmed]
    uniq = np.unique(sig_keys)
    # the flows carrying any rule's key, grouped by key in one sort (not one pass over all flows per key)
    flat = flows.key.ravel()
    pos = np.flatnonzero(np.isin(flat, uniq))
    pos = pos[np.argsort(flat[pos], kind="stable")]
    sorted_keys = flat[pos]
    lo, hi = np.searchsorted(sorted_keys, uniq, "left"), np.searchsorted(sorted_keys, uniq, "right")
    for key, a, b in zip(uniq, lo, hi):
        if a == b:
            continue
        node, col = np.divmod(pos[a:b], flows.label.shape[1])
        port, lb, lp = flows.dst_port[node, col], flows.log_bytes[node, col], flows.log_packets[node, col]
        hit = np.zeros(node.size, bool)
        rows = confirmed[sig_keys == key]
        for i, blocking in zip(rows, applied(sigs, rows, local_first, node)):
            hit |= blocking & sigs.rule(i).matches(port, lb, lp)
        blocked[node[hit], col[hit]] = True
    return blocked
