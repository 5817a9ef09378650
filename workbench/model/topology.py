"""Network topologies, built with networkx from the model's numpy Generator (no layout here)."""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy import sparse


def build_graph(topology: str, n_nodes: int, mean_degree: int, rewire_prob: float,
                rng: np.random.Generator) -> nx.Graph:
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
    raise ValueError(f"topology={topology!r} is not allowed; choose one of 'complete', 'small_world', 'scale_free', 'random', 'ring'")


def adjacency(graph: nx.Graph) -> sparse.csr_matrix:
    """Sparse adjacency (CSR, int8) with rows and columns in node order ``0..n-1``."""
    return nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()), dtype=np.int8, format="csr")
