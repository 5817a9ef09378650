"""``sharing="ledger"``: a replicated log. Signatures, votes and decisions are entries every node reads.

A signature entry makes a node hold the signature, a decision entry makes it know the decision (and hold
the signature), a vote entry reaches the signature's origin, which decides at the vote deadline over the
votes that arrived (:class:`~workbench.model.channels.base.VotingChannel`: the consensus rule, the turnout
floor, trust). How entries are ordered and when they reach each node is the ledger protocol's
(``ModelParams.ledger_protocol``, :mod:`workbench.model.ledger_protocols`): ``"ideal"`` (the default) is
an idealised log whose every entry costs ``N - 1`` messages and reaches every node after
``ledger_latency_steps``; ``"crash_tolerant"`` (Raft-like) and ``"bft"`` (PBFT-like) order entries into
blocks cut by a leader, with the messages, latency and failures of the protocol. This channel hands every
hook to the protocol and never looks at which one it has.
"""

from __future__ import annotations

import numpy as np

from workbench.model import message_sizes
from workbench.model.channels.base import VotingChannel
from workbench.model.ledger_protocols.base import LedgerStats, protocol_of
from workbench.model.ledger_protocols.ideal import entry_messages, min_vote_deadline, publish
from workbench.model.params import ModelParams
from workbench.model.state import ModelState, StepCounts, StepOutput

__all__ = ["ReplicatedLedger", "entry_messages", "min_vote_deadline", "publish"]


class ReplicatedLedger(VotingChannel):
    """Signatures, votes and decisions as ledger entries, ordered by the ledger protocol (module docstring)."""

    announce_message_bytes = message_sizes.LEDGER_HEADER + message_sizes.DECISION  # see announce_bytes

    def check_params(self, params: ModelParams) -> None:
        protocol_of(params).check_params(params)

    def catch_up(self, state: ModelState, t: int, joined: np.ndarray, rng: np.random.Generator) -> StepCounts:
        return protocol_of(state.params).catch_up(state, t, joined)

    def arrive(self, state: ModelState, t: int) -> None:
        protocol_of(state.params).arrive(state, t)

    def share_round(self, state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
        return protocol_of(state.params).share_round(state, t, rng)

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        return protocol_of(state.params).on_proposed(state, t, rows)

    def send_votes(
        self,
        state: ModelState,
        t: int,
        sig: np.ndarray,
        voter: np.ndarray,
        value: np.ndarray,
        first_lost: np.ndarray | None,
    ) -> StepCounts:
        return protocol_of(state.params).send_votes(state, t, sig, voter, value)

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        return protocol_of(state.params).announce(state, t, decided, confirmed)

    def announce_bytes(self, state: ModelState, messages: int) -> int:
        """Bytes of the ``messages`` :meth:`announce` just sent (their size depends on the protocol)."""
        return protocol_of(state.params).announce_bytes(state, messages)

    def ledger_stats(self, state: ModelState) -> LedgerStats:
        """What the summary's ledger outcomes read (:meth:`~workbench.model.ledger_protocols.base.LedgerProtocol.stats`)."""
        return protocol_of(state.params).stats(state)

    def consistent_by_construction(self, params: ModelParams) -> bool:
        """Whether no two honest nodes can apply different entries at one log position in a run of ``params``."""
        return bool(getattr(protocol_of(params), "consistent_by_construction", False))
