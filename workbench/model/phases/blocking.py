"""Phase 5b: flows matching a confirmed signature that the receiving node knows of are blocked."""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import CONFIRMED, SignatureTable
from workbench.model.traffic import Flows


def blocked_flows(sigs: SignatureTable, flows: Flows) -> np.ndarray:
    """Blocked mask ``(N, F)``: per key, only the flows with that key are tested against its rules."""
    blocked = np.zeros(flows.label.shape, bool)
    if len(sigs) == 0:
        return blocked
    confirmed = np.flatnonzero(sigs["outcome"] == CONFIRMED)
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
        for i in confirmed[sig_keys == key]:
            hit |= sigs.knows[i, node] & sigs.rule(i).matches(port, lb, lp)
        blocked[node[hit], col[hit]] = True
    return blocked
