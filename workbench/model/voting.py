"""How nodes vote on a signature: from their own evidence, or independently with a set accuracy.

Votes are ``+1`` (approve), ``-1`` (reject) or ``0`` (abstain), one per node, as int8 arrays.
Behaviour of malicious nodes is applied on top of the honest vote by :func:`apply_behaviour`.
"""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import Rule


class EvidenceWindow:
    """Each node's last ``window`` steps of traffic: key, port, log bytes, log packets, flagged.

    Arrays have shape ``(window, n_nodes, flows_per_node)``; the oldest step is overwritten.
    """

    def __init__(self, window: int, n_nodes: int, flows_per_node: int) -> None:
        shape = (window, n_nodes, flows_per_node)
        self.key = np.full(shape, -1, np.int64)
        self.port = np.zeros(shape, np.int32)
        self.log_bytes = np.zeros(shape)
        self.log_packets = np.zeros(shape)
        self.flagged = np.zeros(shape, bool)
        self.n_nodes, self.flows_per_node = n_nodes, flows_per_node
        self._next = 0

    def push(
        self, key: np.ndarray, port: np.ndarray, log_bytes: np.ndarray, log_packets: np.ndarray, flagged: np.ndarray
    ) -> None:
        slot = self._next % self.key.shape[0]
        self.key[slot], self.port[slot], self.flagged[slot] = key, port, flagged
        self.log_bytes[slot], self.log_packets[slot] = log_bytes, log_packets
        self._next += 1

    def flows_with_key(self, key: int) -> dict[str, np.ndarray]:
        """Flat view of the window's flows with ``key``, with the node each belongs to."""
        pos = np.flatnonzero(self.key.ravel() == key)
        return {
            "node": (pos // self.flows_per_node) % self.n_nodes,
            "port": self.port.ravel()[pos],
            "log_bytes": self.log_bytes.ravel()[pos],
            "log_packets": self.log_packets.ravel()[pos],
            "flagged": self.flagged.ravel()[pos],
        }


def evidence_votes(rule: Rule, flows: dict[str, np.ndarray], n_nodes: int) -> np.ndarray:
    """Each node's honest evidence vote on ``rule``.

    A node abstains when none of its recent flows match the rule; otherwise it approves when its own
    detector flagged at least half of the matching flows and rejects when it flagged fewer.
    """
    match = rule.matches(flows["port"], flows["log_bytes"], flows["log_packets"])
    matched = np.bincount(flows["node"][match], minlength=n_nodes)
    flagged = np.bincount(flows["node"][match & flows["flagged"]], minlength=n_nodes)
    return np.where(matched == 0, 0, np.where(2 * flagged >= matched, 1, -1)).astype(np.int8)


def independent_votes(genuine: bool, accuracy: float, n_nodes: int, rng: np.random.Generator) -> np.ndarray:
    """Each node votes correctly (approve iff genuine) with probability ``accuracy``, independently."""
    correct = rng.random(n_nodes) < accuracy
    truth = 1 if genuine else -1
    return np.where(correct, truth, -truth).astype(np.int8)


def apply_behaviour(
    honest: np.ndarray, *, lying: np.ndarray, colluding: np.ndarray, forged: bool, genuine: bool, independent: bool
) -> np.ndarray:
    """Malicious votes on top of honest ones.

    Liars vote against their evidence (in independent mode: always wrongly); colluders approve
    forgeries and reject everything else, evidence or not.
    """
    truth = 1 if genuine else -1
    lie = np.full_like(honest, -truth) if independent else -honest
    votes = np.where(lying, lie, honest)
    return np.where(colluding, 1 if forged else -1, votes).astype(np.int8)
