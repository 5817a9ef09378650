"""Phase 5b: flows matching a signature in the receiving node's blocklist are blocked.

A node's blocklist holds the confirmed signatures it knows of and, with ``local_first``, the
signatures it proposed itself or approved on its own evidence, until they are rejected (see
:func:`workbench.model.signatures.applied`).

A flow is blocked when a rule on its key that its node applies matches it. Per key, the rules are
read with the (rule, node) pairs that apply them (from the sparse per-node state), and the flows already
blocked are not tested again. How many nodes apply a rule decides how: where few do (a channel that
spreads a confirmation node to node reaches a few), each applying (rule, node) pair brings the node's
flows with the key and only those pairs are tested; where most do (a channel that tells every node at
once), the rule is tested against every flow, a chunk of rules at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from workbench.flows import Flows
from workbench.model.grouped import concat_ranges
from workbench.model.signatures import CONFIRMED, REJECTED, SignatureTable, applied, applied_pairs, rows_match

# Elements of the largest temporaries: a chunk's applied matrix (rows x N bools), a batch of
# (rule, flow) pairs (a few arrays of 8-byte numbers), a block of the rules x flows test (bools).
_BUDGET = 1 << 20
# Share of a chunk's (rule, node) pairs that apply above which every rule is tested against every flow:
# a pair brought flow by flow costs several times one element of the rules x flows test.
_DENSE = 0.125


def in_blocklists(sigs: SignatureTable, local_first: bool) -> np.ndarray:
    """Rows of signatures that some node may apply: confirmed ones, and with ``local_first`` any not rejected."""
    return sigs.view.outcome != REJECTED if local_first else sigs.view.outcome == CONFIRMED


def blocked_flows(
    sigs: SignatureTable, flows: Flows, local_first: bool = False, only: np.ndarray | None = None
) -> np.ndarray:
    """Blocked mask ``(N, F)``: a flow is blocked when a rule on its key, applied by its node, matches it.

    ``only``: ``(len(sigs),)`` bools; when given, only those rules count (e.g. the forged ones: the flows
    forgeries block)."""
    shape = flows.label.shape
    blocked = np.zeros(shape[0] * shape[1], bool)
    if len(sigs) == 0:
        return blocked.reshape(shape)
    usable_mask = in_blocklists(sigs, local_first)
    if only is not None:
        usable_mask &= only[: len(sigs)]
    usable = np.flatnonzero(usable_mask)
    if usable.size == 0:
        return blocked.reshape(shape)
    sig_keys = sigs.cols.key[usable]
    uniq = np.unique(sig_keys)
    pos, lo, hi = _group_by_key(flows.key.ravel(), uniq)
    # np.take of flat positions: much faster than 2-D fancy indexing, above all of strided views
    node = pos // shape[1]
    port, lb, lp = (np.take(a, pos) for a in (flows.dst_port, flows.log_bytes, flows.log_packets))
    for key, a, b in zip(uniq, lo, hi):
        if a == b:
            continue
        hit = _key_hits(sigs, usable[sig_keys == key], local_first, KeyFlows(node[a:b], port[a:b], lb[a:b], lp[a:b]))
        blocked[pos[a:b][hit]] = True
    return blocked.reshape(shape)


def _group_by_key(flat: np.ndarray, uniq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flows carrying one of the keys ``uniq`` (ascending), grouped by key in one sort.

    ``flat``: ``(N * F,)`` flow keys. Returns ``pos``, their flat positions, and ``lo``, ``hi``: key
    ``uniq[k]``'s flows are ``pos[lo[k]:hi[k]]``, in node order (positions ascend)."""
    # a lookup table over the keys' range (at most 2**24 bools): a pass over the flows instead of a sort
    pos = np.flatnonzero(np.isin(flat, uniq, kind="table"))
    # the keys' ranks in the smallest integer type: numpy's stable sort of 8/16-bit integers is a radix sort
    rank = np.searchsorted(uniq, flat[pos]).astype(np.min_scalar_type(uniq.size))
    count = np.bincount(rank, minlength=uniq.size)
    hi = np.cumsum(count)
    return pos[np.argsort(rank, kind="stable")], hi - count, hi


class KeyFlows(NamedTuple):
    """One key's flows, ``(M,)`` arrays: receiving ``node`` (ascending), destination ``port``, natural-log
    ``log_bytes`` and ``log_packets``."""

    node: np.ndarray
    port: np.ndarray
    log_bytes: np.ndarray
    log_packets: np.ndarray

    def take(self, idx: np.ndarray) -> KeyFlows:
        return KeyFlows(*(a[idx] for a in self))

    def matching(self, sigs: SignatureTable, rows: np.ndarray) -> np.ndarray:
        """:func:`~workbench.model.signatures.rows_match` of rules ``rows`` against these flows."""
        return rows_match(sigs, rows, self.port, self.log_bytes, self.log_packets)


def _key_hits(sigs: SignatureTable, rows: np.ndarray, local_first: bool, flows: KeyFlows) -> np.ndarray:
    """Which of one key's ``flows`` the rules ``rows`` (all on that key) block: ``(M,)`` bools.

    The (rule, node) pairs that apply are read from the sparse per-node state. Rules most nodes apply are
    tested against every flow, ``_BUDGET // N`` rules at a time; the others over their applying pairs
    only; flows already blocked are not tested again."""
    hit = np.zeros(flows.node.size, bool)
    which, applier = applied_pairs(sigs, rows, local_first)
    n = sigs.n_nodes
    dense = np.bincount(which, minlength=rows.size) > _DENSE * n
    alive = np.arange(flows.node.size)  # flows not blocked yet, in node order
    wide = rows[dense]
    take = max(1, _BUDGET // n)
    for start in range(0, wide.size, take):
        chunk = wide[start : start + take]
        hit[alive[_all_pairs_hits(sigs, chunk, applied(sigs, chunk, local_first), flows.take(alive))]] = True
        alive = alive[~hit[alive]]
        if alive.size == 0:
            return hit
    narrow = ~dense[which]
    if narrow.any():
        hit[alive[_applying_pairs_hits(sigs, rows, which[narrow], applier[narrow], flows.take(alive))]] = True
    return hit


def _all_pairs_hits(sigs: SignatureTable, rows: np.ndarray, at: np.ndarray, flows: KeyFlows) -> np.ndarray:
    """Which ``flows`` rules ``rows``, applied at nodes ``at`` (``(len(rows), N)`` bools), block: each rule
    tested against every flow, in blocks of about ``_BUDGET``."""
    hit = np.zeros(flows.node.size, bool)
    take = max(1, _BUDGET // max(flows.node.size, 1))
    for start in range(0, rows.size, take):
        block = slice(start, start + take)
        match = flows.matching(sigs, rows[block, None])
        match &= at[block].take(flows.node, axis=1)
        hit |= match.any(axis=0)
    return hit


def _applying_pairs_hits(
    sigs: SignatureTable, rows: np.ndarray, which: np.ndarray, applier: np.ndarray, flows: KeyFlows
) -> np.ndarray:
    """Which ``flows`` rules ``rows`` block, testing only the (rule, flow) pairs whose node applies the rule
    (the pairs ``(rows[which[j]], applier[j])``)."""
    hit = np.zeros(flows.node.size, bool)
    for pick, flow in _applying_pairs(which, applier, flows.node, sigs.n_nodes):
        hit[flow[flows.take(flow).matching(sigs, rows[pick])]] = True
    return hit


def _applying_pairs(
    which: np.ndarray, applier: np.ndarray, node: np.ndarray, n_nodes: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The (rule, flow) pairs where the flow's node applies the rule, in batches of about ``_BUDGET`` pairs.

    ``(which[j], applier[j])``: rule ``which[j]`` applied at node ``applier[j]``; ``node``: ``(M,)`` receiving
    nodes of the flows, ascending. Yields ``(pick, flow)``, equal-length index arrays into the rules and
    into ``node``."""
    # node v's flows are node[first[v] : first[v] + count[v]]
    count = np.bincount(node, minlength=n_nodes)
    first = np.cumsum(count) - count
    counts = count[applier]
    ends = np.cumsum(counts)
    if ends.size == 0:
        return
    cuts = np.searchsorted(ends, np.arange(_BUDGET, ends[-1], _BUDGET), "left")
    for lo, hi in zip([0, *cuts], [*cuts, ends.size]):
        yield np.repeat(which[lo:hi], counts[lo:hi]), concat_ranges(first[applier[lo:hi]], counts[lo:hi])
