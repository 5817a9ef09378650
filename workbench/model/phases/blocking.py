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
