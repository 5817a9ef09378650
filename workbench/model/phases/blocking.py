"""Phase 5b: flows matching a signature in the receiving node's blocklist are blocked.

A node's blocklist holds the confirmed signatures it knows of and, with ``local_first``, the
signatures it proposed itself or approved on its own evidence, until they are rejected (see
:func:`workbench.model.signatures.applied`).
"""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import CONFIRMED, REJECTED, SignatureTable, applied_at
from workbench.model.traffic import Flows


def in_blocklists(sigs: SignatureTable, local_first: bool) -> np.ndarray:
    """Rows of signatures that some node may apply: confirmed ones, and with ``local_first`` any not rejected."""
    return sigs["outcome"] != REJECTED if local_first else sigs["outcome"] == CONFIRMED


def blocked_flows(sigs: SignatureTable, flows: Flows, local_first: bool = False) -> np.ndarray:
    """Blocked mask ``(N, F)``: per key, only the flows with that key, at the nodes applying a rule, are
    tested against the rule."""
    blocked = np.zeros(flows.label.shape, bool)
    if len(sigs) == 0:
        return blocked
    usable = np.flatnonzero(in_blocklists(sigs, local_first))
    if usable.size == 0:
        return blocked
    sig_keys = sigs.cols["key"][usable]
    uniq = np.unique(sig_keys)
    # the flows carrying any rule's key, grouped by key in one sort (not one pass over all flows per key);
    # within a key, flows are in node order (positions ascend), so a node's flows are one slice
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
        for i in usable[sig_keys == key]:
            at = _flows_applying(sigs, int(i), local_first, node)
            hit[at[sigs.rule(i).matches(port[at], lb[at], lp[at])]] = True
        blocked[node[hit], col[hit]] = True
    return blocked


def _flows_applying(sigs: SignatureTable, row: int, local_first: bool, node: np.ndarray) -> np.ndarray:
    """Indices into ``node`` (sorted) of the flows at nodes whose blocklist holds signature ``row``.

    A pending rule is applied by a few nodes only (its origin and approving voters): their flows are
    found by binary search instead of testing every flow with the key."""
    if sigs.cols["outcome"][row] == CONFIRMED:
        return np.flatnonzero(applied_at(sigs, row, local_first, node))
    appliers = np.union1d(np.flatnonzero(sigs.cast[row] > 0), [sigs.cols["origin"][row]])
    first, last = np.searchsorted(node, appliers, "left"), np.searchsorted(node, appliers, "right")
    counts = last - first
    if counts.sum() == 0:
        return np.zeros(0, np.int64)
    # the concatenated ranges [first, last) of the appliers' flows
    starts = np.repeat(first - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return starts + np.arange(counts.sum())
