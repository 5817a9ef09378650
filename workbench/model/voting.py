"""How nodes vote on a signature: from their own evidence, or independently with a set accuracy.

Votes are ``+1`` (approve), ``-1`` (reject) or ``0`` (abstain), one per node, as int8 arrays. An
evidence vote counts the voter's matching and flagged recent flows (:func:`evidence`) and turns them into
a vote by the evidence rule (a component, :mod:`workbench.model.evidence`). The built-in adversaries
apply their behaviour on top of the honest vote by :func:`apply_behaviour`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.model.evidence import EVIDENCE_RULES
from workbench.model.signatures import SignatureTable, rows_match

_GATHER_BUDGET = 1 << 22  # window slots read at once by EvidenceWindow.flows_at (8 bytes each, a few arrays)


class EvidenceWindow:
    """Each node's last ``window`` steps of traffic: key, port, log bytes, log packets, flagged.

    Arrays have shape ``(window, n_nodes, flows_per_node)``; the oldest step is overwritten. Keys are
    int32 (a flow key ``prefix * 256 + protocol`` is below ``2**24``; ``-1``: no flow yet), log sizes
    float64 (rules compare them to float64 bounds): 25 bytes per flow held.
    """

    def __init__(self, window: int, n_nodes: int, flows_per_node: int) -> None:
        shape = (window, n_nodes, flows_per_node)
        self.key = np.full(shape, -1, np.int32)
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

    def drop_nodes(self, nodes: np.ndarray) -> None:
        """Forget the traffic of nodes ``nodes`` (``(N,)`` bools: positions taken by new identities)."""
        self.key[:, nodes] = -1
        self.flagged[:, nodes] = False

    def flag_rate(self, node: np.ndarray) -> np.ndarray:
        """Each node's own flag rate over its window, ``(flagged + 1/2) / (flows + 1)`` per entry of
        ``node`` (float64): the share of its recent flows its detector flagged, with Jeffreys' half count
        so that a node that flagged nothing yet still has a positive rate. Steps not yet filled hold no
        flows (key ``-1``) and count for nothing."""
        nodes, inverse = np.unique(node, return_inverse=True)
        flows = (self.key[:, nodes, :] >= 0).sum(axis=(0, 2))
        flagged = self.flagged[:, nodes, :].sum(axis=(0, 2))
        return ((flagged + 0.5) / (flows + 1.0))[inverse]

    def flows_at(self, key: np.ndarray, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The window's flows with ``key[j]`` at node ``node[j]``, for each pair ``j``.

        Returns ``(pair, pos)``: flat positions ``pos`` into the window's arrays and, for each, the pair
        it belongs to (pairs in order, each pair's flows in position order). Each pair reads only its
        own node's ``window x flows_per_node`` slots (work proportional to the pairs, not to ``N``), a
        chunk of about ``_GATHER_BUDGET`` slots at a time.
        """
        key, node = np.asarray(key, np.int64).ravel(), np.asarray(node, np.int64).ravel()
        w, n, f = self.key.shape
        # a node's slots in ascending flat position: step slot by step slot, flow by flow
        offsets = (np.arange(w, dtype=np.int64)[:, None] * (n * f) + np.arange(f, dtype=np.int64)).ravel()
        flat = self.key.ravel()
        take = max(1, _GATHER_BUDGET // offsets.size)
        pairs, positions = [], []
        for start in range(0, key.size, take):
            cand = node[start : start + take, None] * f + offsets  # (pairs, w * f) flat positions
            hit = flat[cand] == key[start : start + take, None]
            which, _ = np.nonzero(hit)
            pairs.append(which + start)
            positions.append(cand[hit])
        if not pairs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(pairs).astype(np.int64), np.concatenate(positions)


@dataclass(frozen=True)
class Evidence:
    """What honest evidence voters saw of the signatures they vote on, for pairs (``sig[j]``, ``node[j]``).

    ``matched[j]``: flows of node ``node[j]``'s last ``evidence_window_steps`` steps that match signature
    row ``sig[j]``'s rule; ``flagged[j]``: how many of them its own detector flagged (int64 ``(P,)``).
    ``window``: the evidence window itself (each node's recent flows and flags), ``params``: the run's
    parameters, for rules that need more than the counts."""

    sig: np.ndarray
    node: np.ndarray
    matched: np.ndarray
    flagged: np.ndarray
    window: EvidenceWindow
    params: Any = None


#: An evidence rule: ``rule(evidence)`` -> the pairs' votes (int8 +1 / -1 / 0); see ``workbench.model.evidence``.
EvidenceRule = Callable[[Evidence], np.ndarray]


def evidence(
    sigs: SignatureTable, window: EvidenceWindow, sig: np.ndarray, node: np.ndarray, params: Any = None
) -> Evidence:
    """The :class:`Evidence` of the pairs (``sig[j]``, ``node[j]``): matching and flagged flows counted
    over each node's window."""
    pair, pos = window.flows_at(sigs.cols.key[sig], node)
    port, lb, lp = window.port.ravel()[pos], window.log_bytes.ravel()[pos], window.log_packets.ravel()[pos]
    match = rows_match(sigs, sig[pair], port, lb, lp)
    matched = np.bincount(pair[match], minlength=sig.size)
    flagged = np.bincount(pair[match & window.flagged.ravel()[pos]], minlength=sig.size)
    return Evidence(sig, node, matched, flagged, window, params)


def evidence_votes_pairs(
    sigs: SignatureTable,
    window: EvidenceWindow,
    sig: np.ndarray,
    node: np.ndarray,
    rule: str | EvidenceRule = "half",
    params: Any = None,
) -> np.ndarray:
    """Each node's honest evidence vote on a signature, for the pairs (``sig[j]``, ``node[j]``), by the
    evidence ``rule`` (a name, an import path or a rule; see :mod:`workbench.model.evidence`)."""
    vote = EVIDENCE_RULES.get(rule) if isinstance(rule, str) else rule
    return np.asarray(vote(evidence(sigs, window, sig, node, params)), np.int8)


def independent_votes(genuine: bool, accuracy: float, n_nodes: int, rng: np.random.Generator) -> np.ndarray:
    """Each node votes correctly (approve iff genuine) with probability ``accuracy``, independently."""
    correct = rng.random(n_nodes) < accuracy
    truth = 1 if genuine else -1
    return np.where(correct, truth, -truth).astype(np.int8)


def apply_behaviour(
    honest: np.ndarray,
    *,
    lying: np.ndarray,
    colluding: np.ndarray,
    forged: bool | np.ndarray,
    genuine: bool | np.ndarray,
    independent: bool,
) -> np.ndarray:
    """Malicious votes on top of honest ones (all arrays of one length, or ``forged``/``genuine`` scalars).

    Liars vote against their evidence (in independent mode: always wrongly); colluders approve
    forgeries and reject everything else, evidence or not.
    """
    truth = np.where(genuine, 1, -1)
    lie = np.broadcast_to(-truth, honest.shape) if independent else -honest
    votes = np.where(lying, lie, honest)
    return np.where(colluding, np.where(forged, 1, -1), votes).astype(np.int8)
