"""``sharing="ledger"``: a replicated log. Signatures, votes and decisions are entries every node reads.

Every entry costs ``N - 1`` replication messages and reaches the other nodes ``ledger_latency_steps``
after it is appended (at once for 0): a signature entry makes every node hold the signature, a
decision entry makes every node know the decision (and hold the signature). A vote is an entry too,
visible to the origin after the latency. Nothing is lost on the way. Peers vote and a signature is
decided at its deadline (:class:`~workbench.model.channels.base.VotingChannel`).
"""

from __future__ import annotations

import numpy as np

from workbench.model.channels.base import VotingChannel
from workbench.model.state import ModelState, StepCounts, StepOutput
from workbench.model.transit import send_votes

HOLDS, KNOWS = "holds", "knows"


def entry_messages(n_nodes: int) -> int:
    """Replication messages of one ledger entry: one to every other node."""
    return n_nodes - 1


def publish(state: ModelState, t: int, rows: np.ndarray, kind: str) -> None:
    """Append entries for signature ``rows`` at step ``t``: a signature (``HOLDS``) or a decision
    (``KNOWS``, which carries the signature) reaches every node after the ledger's latency. The caller
    counts their replication messages."""
    latency = state.params.ledger_latency_steps
    if latency == 0:
        _apply(state, kind, rows)
    else:
        state.in_transit.ledger.append((t + latency, kind, np.array(rows, np.int64)))


def _apply(state: ModelState, kind: str, rows: np.ndarray) -> None:
    s = state.sigs
    s.holds.fill(rows)
    if kind == KNOWS:
        s.knows.fill(rows)


class ReplicatedLedger(VotingChannel):
    """Signatures, votes and decisions as ledger entries (see the module docstring)."""

    def arrive(self, state: ModelState, t: int) -> None:
        for kind, rows in state.in_transit.take_ledger(t):
            _apply(state, kind, rows)

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        per_entry = entry_messages(state.params.n_nodes)
        publish(state, t, rows, HOLDS)
        state.sigs.cols.messages[rows] += per_entry
        return StepOutput(StepCounts(messages=per_entry * rows.size))

    def send_votes(
        self,
        state: ModelState,
        t: int,
        sig: np.ndarray,
        voter: np.ndarray,
        value: np.ndarray,
        first_lost: np.ndarray | None,
    ) -> StepCounts:
        p = state.params
        sent = np.full(sig.size, entry_messages(p.n_nodes), np.int64)
        np.add.at(state.sigs.cols.messages, sig, sent)
        arrived = send_votes(state, t, sig, voter, value, np.full(sig.size, p.ledger_latency_steps))
        return StepCounts(votes_arrived=arrived, messages=int(sent.sum()))

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        # every decision is an entry (a rejection too); a confirmation's entry makes every node know it
        per_entry = entry_messages(state.params.n_nodes)
        publish(state, t, confirmed, KNOWS)
        state.sigs.cols.messages[decided] += per_entry
        return per_entry * decided.size
