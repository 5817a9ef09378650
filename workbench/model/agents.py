"""The node agent: a view over the model state's per-node arrays, placed on a network cell."""

from __future__ import annotations

import mesa
from mesa.discrete_space import Cell, FixedAgent

from workbench.model.state import ModelState

NODE_STATES = ("healthy", "under_attack", "protected", "malicious")


class NodeAgent(FixedAgent):
    """An AI-powered network node.

    The model advances all nodes at once with vectorised numpy operations (flows are scored in one
    call per step), so an agent holds no state of its own: its properties read the shared
    :class:`~workbench.model.state.ModelState`.
    """

    def __init__(self, model: mesa.Model, node_id: int, cell: Cell, network: ModelState) -> None:
        super().__init__(model)
        self.node_id = node_id
        self.cell = cell
        self.network = network

    @property
    def state(self) -> str:
        """One of :data:`NODE_STATES`."""
        return self.network.node_state(self.node_id)

    @property
    def detections(self) -> int:
        """Flows this node's detector has flagged so far (count)."""
        return int(self.network.detections[self.node_id])

    @property
    def trust(self) -> float:
        """Beta-reputation trust others hold in this node (0..1)."""
        return float(self.network.trust.trust[self.node_id])
