"""``ledger_protocol="ideal"``: an idealised replicated log (the ledger as it was before ordering protocols).

Every entry costs ``N - 1`` replication messages and reaches the other nodes ``ledger_latency_steps``
after it is appended (at once for 0): a signature entry makes every node hold the signature, a
decision entry makes every node know the decision (and hold the signature). A vote is an entry too,
visible to the origin after the latency. Nothing is lost, nothing is reordered, no node can withhold,
censor or equivocate: there is no leader, no block, no quorum. It is an idealisation -- a trusted oracle
that every node reads -- against which the ordering protocols (``crash_tolerant``, ``bft``) show what
ordering costs and what it lets go wrong (``docs/ledger-protocols.md``).

Deadline and latency (:func:`min_vote_deadline`): a signature appended at step ``t0`` (proposals are a
step's last phase) is held by the voters from step ``t0 + max(1, L)`` on (``L = ledger_latency_steps``;
entries are applied at the start of a step, before the vote phase); the first votes are cast then and,
being entries too, reach the origin ``L`` steps later, at the start of step ``t0 + max(1, L) + L``; the
signature is decided at step ``t0 + vote_deadline_steps`` over the votes that arrived by then. So with
``vote_deadline_steps < max(1, L) + L`` no vote is ever counted and every rule is rejected: such
parameters are refused (measured: with ``L`` = 1, 2, 3, 4 the realistic world confirms no genuine rule at
deadlines 1, 3, 5, 7 and most at 2, 4, 6, 8).
"""

from __future__ import annotations

import math

import numpy as np

from workbench.model import message_sizes
from workbench.model.ledger_protocols.base import LedgerProtocol, LedgerStats
from workbench.model.params import ModelParams
from workbench.model.reach import note_carrying, note_reached
from workbench.model.state import ModelState, StepCounts, StepOutput
from workbench.model.transit import send_votes

HOLDS, KNOWS = "holds", "knows"


def entry_messages(n_nodes: int) -> int:
    """Replication messages of one ledger entry: one to every other node."""
    return n_nodes - 1


def min_vote_deadline(latency_steps: int) -> int:
    """The shortest ``vote_deadline_steps`` at which a vote can arrive before the decision on the ledger:
    ``max(1, L) + L`` for a latency of ``L`` steps (see the module docstring)."""
    return max(1, latency_steps) + latency_steps


def publish(state: ModelState, t: int, rows: np.ndarray, kind: str) -> None:
    """Append entries for signature ``rows`` at step ``t``: a signature (``HOLDS``) or a decision
    (``KNOWS``, which carries the signature) reaches every node after the ledger's latency. The caller
    counts their replication messages."""
    latency = state.params.ledger_latency_steps
    if latency == 0:
        _apply(state, t, kind, rows)
    else:
        state.in_transit.ledger.append((t + latency, kind, np.array(rows, np.int64)))


def _apply(state: ModelState, t: int, kind: str, rows: np.ndarray) -> None:
    s = state.sigs
    s.holds.fill(rows)
    note_reached(s.cols, np.asarray(rows, np.int64), np.full(len(rows), state.params.n_nodes), t)
    if kind == KNOWS:
        s.knows.fill(rows)


class IdealLog(LedgerProtocol):
    """Signatures, votes and decisions as entries of an idealised log (see the module docstring)."""

    consistent_by_construction = True

    def check_params(self, params: ModelParams) -> None:
        latency, deadline = params.ledger_latency_steps, params.vote_deadline_steps
        needed = min_vote_deadline(latency)
        if deadline < needed:
            raise ValueError(
                f"vote_deadline_steps={deadline} is too short for ledger_latency_steps={latency}: a ledger "
                f"signature reaches the voters after max(1, {latency}) steps and their votes reach its origin "
                f"{latency} steps later, so no vote would arrive before the decision; the smallest valid "
                f"vote_deadline_steps is {needed} (or ledger_latency_steps <= {deadline // 2})"
            )

    def arrive(self, state: ModelState, t: int) -> None:
        for kind, rows in state.in_transit.take_ledger(t):
            _apply(state, t, kind, rows)

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        per_entry = entry_messages(state.params.n_nodes)
        publish(state, t, rows, HOLDS)
        state.sigs.cols.messages[rows] += per_entry
        note_carrying(state.sigs.cols, rows, per_entry)
        return StepOutput(message_sizes.sent("signature", per_entry * rows.size, ledger=True))

    def send_votes(
        self, state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, value: np.ndarray
    ) -> StepCounts:
        p = state.params
        sent = np.full(sig.size, entry_messages(p.n_nodes), np.int64)
        np.add.at(state.sigs.cols.messages, sig, sent)
        arrived = send_votes(state, t, sig, voter, value, np.full(sig.size, p.ledger_latency_steps))
        return StepCounts(votes_arrived=arrived) + message_sizes.sent("vote", int(sent.sum()), ledger=True)

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        # every decision is an entry (a rejection too); a confirmation's entry makes every node know it
        per_entry = entry_messages(state.params.n_nodes)
        publish(state, t, confirmed, KNOWS)
        state.sigs.cols.messages[decided] += per_entry
        note_carrying(state.sigs.cols, confirmed, per_entry)  # a confirmation's entry carries the signature
        return per_entry * decided.size

    def announce_bytes(self, state: ModelState, messages: int) -> int:
        return messages * (message_sizes.LEDGER_HEADER + message_sizes.DECISION)  # each a decision entry

    def stats(self, state: ModelState) -> LedgerStats:
        # every entry reaches every node exactly the latency after it was appended; one log, no leader
        delay = float(state.params.ledger_latency_steps) if len(state.sigs) else math.nan
        return LedgerStats(conflicting_entries=0.0, entry_delay_steps=delay, entry_delay_max_steps=delay)
