"""Node positions for drawing a model's network: computed once per model, seeded, cached here.

The layout is a drawing concern, so it lives in the viz layer and never in the model. Positions are
cached per model object (weakly, so a reset model's layout is freed with it): stepping the page
redraws colours and sizes on fixed positions instead of re-running the force layout each step.
"""

from __future__ import annotations

import weakref
from typing import Any

import networkx as nx
import numpy as np

Positions = dict[int, np.ndarray]

_LAYOUTS: weakref.WeakKeyDictionary[Any, Positions] = weakref.WeakKeyDictionary()

# spring_layout is O(iterations * n^2); beyond this many nodes a cheaper layout keeps Reset snappy.
_SPRING_MAX_NODES = 2_000


def layout_seed(model: Any) -> int:
    """Seed for the layout, derived from the model's own seed (Mesa stores it as ``_seed``).

    The same model seed always gives the same picture; models without a seed get 0.
    """
    seed = getattr(model, "_seed", None)
    if seed is None:
        return 0
    try:
        return int(seed) % (2**32)
    except (TypeError, ValueError):
        return abs(hash(seed)) % (2**32)


def compute_layout(graph: nx.Graph, seed: int) -> Positions:
    """Seeded 2-D positions in roughly [-1, 1]^2 for every node of ``graph``."""
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() > _SPRING_MAX_NODES:
        return {n: np.asarray(p) for n, p in nx.circular_layout(graph).items()}
    # k a little above networkx's 1/sqrt(n) default spreads dense small-world graphs so
    # individual nodes stay visible at 200+ nodes.
    k = 1.5 / np.sqrt(graph.number_of_nodes())
    pos = nx.spring_layout(graph, seed=seed, k=k, iterations=50)
    return {n: np.asarray(p) for n, p in pos.items()}


def model_graph(model: Any) -> nx.Graph:
    """The model's networkx graph: ``model.graph``, else the Mesa network's ``grid.G``."""
    graph = getattr(model, "graph", None)
    return graph if graph is not None else model.grid.G


def node_layout(model: Any) -> Positions:
    """Positions of ``model.graph``'s nodes (falls back to ``model.grid.G``), cached per model."""
    try:
        return _LAYOUTS[model]
    except KeyError:
        pass
    pos = compute_layout(model_graph(model), layout_seed(model))
    _LAYOUTS[model] = pos
    return pos
