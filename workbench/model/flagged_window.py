"""Each node's flagged flows of its last ``proposal_window_steps`` steps, from which it proposes rules.

A node proposes a rule for a source key (/16 prefix and protocol) once its detector has flagged at
least ``min_flagged`` flows with that key within the window (:mod:`workbench.model.phases.proposal`),
not in one step: a campaign that spreads its attack flows over several prefixes sends each prefix only
a few flows per node and step. Flows that reached ``min_flagged`` leave the window at once (they are
used up: they went into a new rule, or the node already holds or knows one for their key, and the next
rule on that key needs fresh flags); the others leave when they are older than the window.
State is bounded by the window: the flagged flows of its last ``steps`` steps. The default window and
its calibration are documented at ``ModelParams.proposal_window_steps``
(``python benchmarks/bench_proposal_window.py``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

#: keys (``prefix * 256 + proto``) are below 2**24: a (node, key) pair's code is ``node * KEY_SPAN + key``
KEY_SPAN = 1 << 24


@dataclass(frozen=True)
class FlaggedFlows:
    """Flagged flows, 1-D arrays over them: ``node``, ``key``, ``port``, ``log_bytes``, ``log_packets``;
    ``key_flows``: the flows its node saw with its key in its step, set on the first flagged flow of each
    (node, key) of a step and 0 on the others (so a sum over any flows counts each step once)."""

    node: np.ndarray
    key: np.ndarray
    port: np.ndarray
    log_bytes: np.ndarray
    log_packets: np.ndarray
    key_flows: np.ndarray

    @property
    def code(self) -> np.ndarray:
        return self.node.astype(np.int64) * KEY_SPAN + self.key

    def take(self, keep: np.ndarray) -> FlaggedFlows:
        return FlaggedFlows(*(getattr(self, f)[keep] for f in _FIELDS))


_FIELDS = ("node", "key", "port", "log_bytes", "log_packets", "key_flows")


def step_flows(
    node: np.ndarray,
    col: np.ndarray,
    keys: np.ndarray,
    port: np.ndarray,
    log_bytes: np.ndarray,
    log_packets: np.ndarray,
) -> FlaggedFlows:
    """One step's flagged flows at (``node[j]``, ``col[j]``) of the step's ``(N, F)`` arrays, with their
    ``key_flows`` (``keys``: the step's flow keys)."""
    key = keys[node, col]
    first = np.ones(node.size, bool)  # np.nonzero orders by node, then column: a pair's first flow is its leftmost
    if node.size:
        code = node.astype(np.int64) * KEY_SPAN + key
        _, first_at = np.unique(code, return_index=True)
        first[:] = False
        first[first_at] = True
    counts = np.zeros(node.size, np.int64)
    idx = np.flatnonzero(first)
    counts[idx] = (keys[node[idx]] == key[idx, None]).sum(axis=1)
    return FlaggedFlows(node, key, port[node, col], log_bytes[node, col], log_packets[node, col], counts)


class FlaggedWindow:
    """The flagged flows of the last ``steps`` steps, one :class:`FlaggedFlows` per step (oldest first)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self._steps: deque[FlaggedFlows] = deque(maxlen=steps)

    def push(self, flows: FlaggedFlows) -> None:
        """Add a step's flagged flows; the step older than the window leaves."""
        self._steps.append(flows)

    def flows(self) -> FlaggedFlows:
        """All the window's flagged flows, oldest step first."""
        if len(self._steps) == 1:
            return self._steps[0]
        return FlaggedFlows(*(np.concatenate([getattr(s, f) for s in self._steps]) for f in _FIELDS))

    def key_flows(self, node: np.ndarray, key: np.ndarray) -> np.ndarray:
        """For each (``node[j]``, ``key[j]``), a pair with flagged flows in the window: the flows with that
        key the node saw in the window's steps in which it flagged one (int64)."""
        flows = self.flows()
        codes, inverse = np.unique(flows.code, return_inverse=True)
        totals = np.bincount(inverse, weights=flows.key_flows, minlength=codes.size)
        return totals[np.searchsorted(codes, node.astype(np.int64) * KEY_SPAN + key)].astype(np.int64)

    def drop_nodes(self, nodes: np.ndarray) -> None:
        """Forget the flagged flows of nodes ``nodes`` (``(N,)`` bools: positions taken by new identities)."""
        for i, s in enumerate(self._steps):
            self._steps[i] = s.take(~nodes[s.node])

    def use_up(self, node: np.ndarray, key: np.ndarray) -> None:
        """Drop the flagged flows of the pairs (``node[j]``, ``key[j]``) from every step of the window."""
        if node.size == 0 or self.steps == 1:  # a one-step window is replaced at the next push anyway
            return
        want = node.astype(np.int64) * KEY_SPAN + key
        for i, s in enumerate(self._steps):
            self._steps[i] = s.take(~np.isin(s.code, want))
