"""Routes and losses of messages that travel hop by hop over the topology (votes, decisions sent back).

A message from node ``a`` to node ``b`` follows a breadth-first shortest path (the ball around the
signature's origin, :func:`workbench.model.topology.vote_ball`, cached per origin in
``state.routes``). It costs one message per hop it makes and takes one step per hop; each hop loses it
with probability ``message_loss`` and a dropping relay on the path (``state.relays`` False) swallows it.
Channels whose messages travel this way use these functions; nothing here knows which channel does.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from workbench.model.grouped import runs
from workbench.model.state import ModelState
from workbench.model.topology import vote_ball


def lose(hops: np.ndarray, travel: np.ndarray, first_lost: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Messages each message makes and whether it arrives, given its ``hops`` to go (-1: unreachable), the
    hops it makes before a dropping relay (``travel``) and the hop on which it would be lost
    (``first_lost``, a geometric draw; ``None`` without loss)."""
    ok = (hops > 0) & (travel == hops)  # reachable and no dropping relay on the way
    if first_lost is not None:
        ok &= first_lost > hops
        travel = np.minimum(travel, first_lost)
    return np.maximum(travel, 0), ok


def _routes(state: ModelState, origin: int) -> tuple[np.ndarray, ...]:
    """``origin``'s cached routes ``(nodes, hops, reach)`` (nodes ascending), computed on first use."""
    routes = state.routes.rows.get(origin)
    if routes is None:
        # a holder of a pending signature is at most one hop further per gossip round, so within the vote
        # deadline's hops of the origin: a search of that ball suffices (and is redone whole if not)
        p = state.params
        ball = partial(vote_ball, state.adjacency, max_hops=p.vote_deadline_steps + 1, relays=state.relays)
        return state.routes.get(origin, ball)
    state.routes.touch(origin)
    return routes


def _whole_ball(state: ModelState, origin: int, voters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`paths` from a search of the whole graph (some voter lies outside the cached ball), cached."""
    nodes, hops, reach = vote_ball(state.adjacency, origin, state.params.n_nodes, state.relays)
    state.routes.put(origin, (nodes, hops, reach))
    at = np.minimum(np.searchsorted(nodes, voters), nodes.size - 1)
    found = nodes[at] == voters
    return np.where(found, hops[at], -1).astype(np.int64), reach[at].astype(np.int64)


def paths(state: ModelState, origin: int, voters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hops between ``origin`` and each of ``voters`` (-1: unreachable) and the hops a message makes
    before a dropping relay swallows it (equal to the hops when none does)."""
    nodes, hops, reach = _routes(state, origin)
    at = np.searchsorted(nodes, voters)
    np.minimum(at, nodes.size - 1, out=at)
    found = nodes[at] == voters
    if not found.all():
        return _whole_ball(state, origin, voters)
    return hops[at].astype(np.int64, copy=False), reach[at].astype(np.int64, copy=False)


def grouped_paths(state: ModelState, row: np.ndarray, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`paths` for the pairs (signature ``row[j]``'s origin, ``node[j]``): one route lookup per origin
    (a node's signatures of one step share their routes), then one search over the origins' routes end to
    end (keyed ``origin's rank * N + node``); an origin with a voter outside its cached ball is looked up
    again in the whole graph, as :func:`paths` does."""
    origin = state.sigs.cols.origin[row]
    order = np.argsort(origin, kind="stable")
    origin, node = origin[order], np.asarray(node, np.int64)[order]
    hops = np.empty(row.size, np.int64)
    travel = np.empty(row.size, np.int64)
    if row.size == 0:
        return hops, travel
    bounds = list(runs(origin))
    owners = origin[[a for a, _ in bounds]].tolist()
    routes = [_routes(state, o) for o in owners]  # a loop over origins: cache look-ups only
    n = state.params.n_nodes
    sizes = np.fromiter((r[0].size for r in routes), np.int64, len(routes))
    keys = np.concatenate([r[0] for r in routes]).astype(np.int64)
    keys += np.repeat(np.arange(len(routes), dtype=np.int64) * n, sizes)
    rank = np.repeat(np.arange(len(routes), dtype=np.int64), [b - a for a, b in bounds])
    want = rank * n + node
    at = np.minimum(np.searchsorted(keys, want), keys.size - 1)
    found = keys[at] == want
    got_hops = np.concatenate([r[1] for r in routes])[at].astype(np.int64)
    got_travel = np.concatenate([r[2] for r in routes])[at].astype(np.int64)
    for k in np.unique(rank[~found]).tolist():  # origins with a voter beyond the ball (rare)
        a, b = bounds[k]
        got_hops[a:b], got_travel[a:b] = _whole_ball(state, owners[k], node[a:b])
    hops[order], travel[order] = got_hops, got_travel
    return hops, travel
