"""Network topologies, built with networkx from the model's numpy Generator (no layout here)."""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy import sparse

from workbench.model.grouped import concat_ranges


def build_graph(
    topology: str, n_nodes: int, mean_degree: int, rewire_prob: float, rng: np.random.Generator
) -> nx.Graph:
    """A connected graph on nodes ``0..n_nodes-1``.

    ``small_world``: Watts-Strogatz (connected variant); ``scale_free``: Barabasi-Albert with
    ``m = max(1, mean_degree // 2)``; ``random``: Erdos-Renyi with ``p = mean_degree / (n - 1)``,
    redrawn until connected (at most 50 tries, then the giant component is joined up with a ring).
    """
    seed = int(rng.integers(2**31 - 1))
    k = min(mean_degree, n_nodes - 1)
    if topology == "complete":
        return nx.complete_graph(n_nodes)
    if topology == "ring":
        return nx.cycle_graph(n_nodes)
    if topology == "small_world":
        k = max(2, k - k % 2) if n_nodes > 3 else n_nodes - 1
        return nx.connected_watts_strogatz_graph(n_nodes, k, rewire_prob, tries=100, seed=seed)
    if topology == "scale_free":
        return nx.barabasi_albert_graph(n_nodes, max(1, min(k // 2, n_nodes - 1)), seed=seed)
    if topology == "random":
        p = k / (n_nodes - 1)
        for attempt in range(50):
            g = nx.fast_gnp_random_graph(n_nodes, p, seed=seed + attempt)
            if nx.is_connected(g):
                return g
        g.add_edges_from((i, (i + 1) % n_nodes) for i in range(n_nodes))
        return g
    raise ValueError(
        f"topology={topology!r} is not allowed; choose one of 'complete', 'small_world', 'scale_free', 'random', 'ring'"
    )


def adjacency(graph: nx.Graph) -> sparse.csr_matrix:
    """Sparse adjacency (CSR, int8) with rows and columns in node order ``0..n-1``."""
    return nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()), dtype=np.int8, format="csr")


def hop_counts(adjacency_matrix: sparse.csr_matrix, sources: np.ndarray) -> np.ndarray:
    """Hops from each of ``sources`` to every node, ``(len(sources), n)`` int32 (``-1``: unreachable).

    One breadth-first search per source (``scipy.sparse.csgraph.breadth_first_order``), so memory
    is ``O(n)`` per source asked for; no ``n x n`` matrix is built. About 10 ms per source on a
    100,000-node small world (``benchmarks/bench_gossip.py``); the graph is static, so callers may cache
    rows by source.
    """
    hops, _ = _bfs(adjacency_matrix, np.asarray(sources, np.int64), predecessors=False)
    return hops


def vote_routes(
    adjacency_matrix: sparse.csr_matrix, origins: np.ndarray, relays: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Routes of votes to their signature's origin along breadth-first shortest paths.

    Returns ``(hops, blocked)``, both ``(len(origins), n)``: ``hops[r, v]`` is the number of hops
    (messages, and steps of delay) a vote from ``v`` takes to reach ``origins[r]`` (``-1``:
    unreachable); ``blocked[r, v]`` is True when a node strictly between ``v`` and the origin on
    that path is a dropping relay (``relays`` False), so the vote never arrives. The path is the
    BFS tree path from the origin (one shortest path; routing does not know who drops).
    """
    origins = np.asarray(origins, np.int64)
    hops, pred = _bfs(adjacency_matrix, origins, predecessors=True)
    blocked = np.zeros(hops.shape, bool)
    if relays is None:
        return hops, blocked
    drops = ~np.asarray(relays, bool)
    for depth in range(2, int(hops.max(initial=0)) + 1):  # a loop over BFS depths (the diameter), not nodes
        r, v = np.nonzero(hops == depth)
        parent = pred[r, v]
        blocked[r, v] = blocked[r, parent] | drops[parent]
    return hops, blocked


def vote_paths(
    adjacency_matrix: sparse.csr_matrix, origin: int, relays: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Routes of votes to one ``origin``, as :func:`vote_routes`, with where each vote stops.

    Returns ``(hops, sent)``, both ``(n,)`` int16: ``hops[v]`` as in :func:`vote_routes`; ``sent[v]``
    the messages a vote from ``v`` sends before it arrives (``== hops[v]``) or reaches a dropping
    relay that swallows it (``< hops[v]``: the vote is blocked). Memory ``O(n)``.
    """
    hops, pred = _bfs(adjacency_matrix, np.asarray([origin], np.int64), predecessors=True)
    hops, pred = hops[0], pred[0]
    sent = hops.copy()
    if relays is not None:
        drops = ~np.asarray(relays, bool)
        for depth in range(2, int(hops.max(initial=0)) + 1):  # a loop over BFS depths (the diameter), not nodes
            v = np.flatnonzero(hops == depth)
            parent = pred[v]
            # v's vote goes to its parent (one message); a dropping parent swallows it, else it goes on as
            # the parent's own vote would
            sent[v] = np.where(drops[parent], 1, 1 + sent[parent])
    return hops.astype(np.int16), sent.astype(np.int16)


def vote_ball(
    adjacency_matrix: sparse.csr_matrix, origin: int, max_hops: int, relays: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vote routes to ``origin`` from the nodes within ``max_hops`` hops, as :func:`vote_paths` but local.

    Returns ``(nodes, hops, sent)``: the nodes of the ball in increasing order, their hops to the
    origin along a breadth-first tree and the messages their vote sends before it arrives
    (``sent == hops``) or a dropping relay (``relays`` False) swallows it. A level-by-level search
    that stops at ``max_hops``: work and memory grow with the ball, not with the graph (plus one
    ``(n,)`` visited mask).
    """
    n = adjacency_matrix.shape[0]
    indptr, indices = adjacency_matrix.indptr, adjacency_matrix.indices
    drops = None if relays is None else ~np.asarray(relays, bool)
    visited = np.zeros(n, bool)
    visited[origin] = True
    frontier = np.array([origin], np.int64)
    f_sent = np.zeros(1, np.int64)
    f_drop = np.zeros(1, bool)  # the origin receives its own votes
    out_nodes, out_hops, out_sent = [frontier], [np.zeros(1, np.int64)], [f_sent]
    for depth in range(1, max_hops + 1):  # a loop over levels
        start, count = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        parent = np.repeat(np.arange(frontier.size), count)
        nb = indices[concat_ranges(start, count)].astype(np.int64)
        fresh = ~visited[nb]
        nb, parent = nb[fresh], parent[fresh]
        if nb.size == 0:
            break
        nb, first = np.unique(nb, return_index=True)  # each new node hangs from its first discoverer
        parent = parent[first]
        visited[nb] = True
        sent = np.where(f_drop[parent], 1, 1 + f_sent[parent])
        out_nodes.append(nb)
        out_hops.append(np.full(nb.size, depth))
        out_sent.append(sent)
        frontier, f_sent = nb, sent
        f_drop = np.zeros(nb.size, bool) if drops is None else drops[nb]
    nodes = np.concatenate(out_nodes)
    order = np.argsort(nodes)
    return nodes[order], np.concatenate(out_hops)[order], np.concatenate(out_sent)[order]


def _bfs(adjacency_matrix: sparse.csr_matrix, sources: np.ndarray, predecessors: bool) -> tuple[np.ndarray, np.ndarray]:
    from scipy.sparse.csgraph import breadth_first_order

    n = adjacency_matrix.shape[0]
    hops = np.full((sources.size, n), -1, np.int32)
    pred = np.full((sources.size, n), -1, np.int32)
    for r, source in enumerate(sources):  # a loop over sources; each BFS is compiled
        # the adjacency is symmetric, so the directed search (no transpose) gives the same tree, faster
        order, parent = breadth_first_order(adjacency_matrix, int(source), directed=True, return_predecessors=True)
        # BFS order lists nodes level by level and their parents' positions never decrease, so each
        # level is the block of nodes whose parents lie in the previous block (found by bisection)
        position = np.empty(n, np.int64)
        position[order] = np.arange(order.size)
        parent_position = position[parent[order[1:]]]
        depth_in_order = np.empty(order.size, np.int32)
        lo, hi, level = 0, 1, 0
        while lo < hi:
            depth_in_order[lo:hi] = level
            lo, hi, level = hi, int(np.searchsorted(parent_position, hi)) + 1, level + 1
        hops[r, order] = depth_in_order
        pred[r] = parent
    return hops, pred
