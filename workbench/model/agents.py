"""The node agent: a view over the model's per-node arrays, placed on a network cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import Cell, FixedAgent

if TYPE_CHECKING:
    from workbench.model.model import ThreatIntelModel

NODE_STATES = ("healthy", "under_attack", "protected", "malicious")


class NodeAgent(FixedAgent):
    """An AI-powered network node.

    The model advances all nodes at once with vectorised numpy operations (flows are scored in one
    call per step), so an agent holds no state of its own: its properties read the model's arrays.
    """

    def __init__(self, model: "ThreatIntelModel", node_id: int, cell: Cell) -> None:
        super().__init__(model)
        self.node_id = node_id
        self.cell = cell

    @property
    def is_malicious(self) -> bool:
        return bool(self.model.malicious[self.node_id])

    @property
    def state(self) -> str:
        """One of :data:`NODE_STATES`."""
        return self.model.node_state(self.node_id)

    @property
    def detections(self) -> int:
        """Flows this node's detector has flagged so far (count)."""
        return int(self.model.detections[self.node_id])

    @property
    def trust(self) -> float:
        """Beta-reputation trust others hold in this node (0..1)."""
        return float(self.model.trust.trust[self.node_id])
