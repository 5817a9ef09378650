"""Phase 0: what was on its way arrives -- votes at their signature's origin, ledger entries everywhere.

A vote sent at step ``t`` over ``h`` hops arrives at step ``t + h``; a ledger entry appended at step
``t`` reaches every node at ``t + ledger_latency_steps`` (at once when the latency is 0). Arrivals
are applied at the start of their step, before anything votes or decides. A vote that arrives after
its signature was decided is too late and is dropped.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from workbench.model.grouped import runs
from workbench.model.signatures import PENDING
from workbench.model.state import ModelState, StepCounts
from workbench.model.topology import vote_ball

HOLDS, KNOWS = "holds", "knows"


def deliver(state: ModelState, t: int) -> StepCounts:
    """Apply the votes and ledger entries due by step ``t``; returns the votes that arrived in time."""
    s = state.sigs
    for kind, rows in state.in_transit.take_ledger(t):
        _apply_ledger(state, kind, rows)
    sig, node, value = state.in_transit.take_votes(t)
    if sig.size == 0:
        return StepCounts()
    in_time = s.cols["outcome"][sig] == PENDING
    s.arrived.add(sig[in_time], node[in_time], value[in_time])
    return StepCounts(votes_arrived=int(in_time.sum()))


def publish(state: ModelState, t: int, rows: np.ndarray, kind: str) -> None:
    """Append ledger entries for signature ``rows`` at step ``t``: a signature (``HOLDS``) or a
    decision (``KNOWS``, which carries the signature) reaches every node after the ledger's latency.
    The caller counts their ``N - 1`` replication messages each."""
    latency = state.params.ledger_latency_steps
    if latency == 0:
        _apply_ledger(state, kind, rows)
    else:
        state.in_transit.ledger.append((t + latency, kind, np.array(rows, np.int64)))


def send_votes(
    state: ModelState, t: int, sig: np.ndarray, node: np.ndarray, value: np.ndarray, delay: np.ndarray
) -> int:
    """Votes leave their voters at step ``t`` and arrive ``delay`` steps later (at once for 0). Returns
    the votes that arrived at once."""
    now = delay <= 0
    if now.any():
        state.sigs.arrived.add(sig[now], node[now], value[now])
    if (~now).any():
        state.in_transit.add_votes(sig[~now], node[~now], value[~now], t + delay[~now])
    return int(now.sum())


def lose(hops: np.ndarray, travel: np.ndarray, first_lost: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Messages each message makes and whether it arrives, given its ``hops`` to go (-1: unreachable), the
    hops it makes before a dropping relay (``travel``) and the hop on which it would be lost
    (``first_lost``, a geometric draw; ``None`` without loss)."""
    ok = (hops > 0) & (travel == hops)  # reachable and no dropping relay on the way
    if first_lost is not None:
        ok &= first_lost > hops
        travel = np.minimum(travel, first_lost)
    return np.maximum(travel, 0), ok


def paths(state: ModelState, origin: int, voters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hops between ``origin`` and each of ``voters`` (-1: unreachable) and the hops a message makes
    before a dropping relay swallows it (equal to the hops when none does)."""
    p = state.params
    # a holder of a pending signature is at most one hop further per gossip round, so within the vote
    # deadline's hops of the origin: a search of that ball suffices (and is redone whole if not)
    ball = partial(vote_ball, state.adjacency, max_hops=p.vote_deadline_steps + 1, relays=state.relays)
    nodes, hops, reach = state.routes.get(origin, ball)
    at = np.minimum(np.searchsorted(nodes, voters), nodes.size - 1)
    if (nodes[at] != voters).any():
        nodes, hops, reach = vote_ball(state.adjacency, origin, p.n_nodes, state.relays)
        state.routes.put(origin, (nodes, hops, reach))
        at = np.minimum(np.searchsorted(nodes, voters), nodes.size - 1)
    return np.where(nodes[at] == voters, hops[at], -1).astype(np.int64), reach[at].astype(np.int64)


def grouped_paths(state: ModelState, row: np.ndarray, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`paths` for the pairs (signature ``row[j]``'s origin, ``node[j]``), ``row`` sorted: one route
    lookup per signature."""
    origin = state.sigs.cols["origin"]
    hops = np.empty(row.size, np.int64)
    travel = np.empty(row.size, np.int64)
    for a, b in runs(row):  # a loop over signatures
        hops[a:b], travel[a:b] = paths(state, int(origin[row[a]]), node[a:b])
    return hops, travel


def _apply_ledger(state: ModelState, kind: str, rows: np.ndarray) -> None:
    s = state.sigs
    s.holds[rows] = True
    if kind == KNOWS:
        s.knows[rows] = True
