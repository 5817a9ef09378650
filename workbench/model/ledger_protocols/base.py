"""The ledger-protocol protocol: what the ledger channel asks of the way its entries are ordered.

The ledger channel (:class:`~workbench.model.channels.ledger.ReplicatedLedger`) hands every hook a step
calls on it to its protocol, in the step's order (see :mod:`workbench.model.channels.base`):

* :meth:`LedgerProtocol.arrive` (phase 0) and :meth:`LedgerProtocol.share_round` (phase 2): entries due
  reach nodes; an ordering protocol runs its round here (leader election, blocks, their messages);
* :meth:`LedgerProtocol.send_votes` (phase 3), :meth:`LedgerProtocol.announce` (phase 4) and
  :meth:`LedgerProtocol.on_proposed` (phase 6): votes, decisions and signatures become entries.

A protocol owns its message costs (it adds each signature's messages to ``sigs.cols.messages`` and returns
the step's totals with their bytes, :mod:`workbench.model.message_sizes`). It keeps no state of its own
(one instance serves every run of a process): what changes lives in the
:class:`~workbench.model.state.ModelState` (``state.ledger_order`` for the ordering protocols).
:meth:`LedgerProtocol.stats` reports what the summary's ledger outcomes read
(``conflicting_entries``, ``entry_commit_delay_steps``, ``view_changes``, ``ledger_blocks``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from workbench.model import message_sizes
from workbench.model.catch_up import confirmed_rows, every_pair, learn
from workbench.model.ledger_protocols import LEDGER_PROTOCOLS
from workbench.model.params import ModelParams
from workbench.model.state import ModelState, StepCounts, StepOutput


@dataclass(frozen=True)
class LedgerStats:
    """A run's ledger, as the summary reports it.

    ``conflicting_entries``: log positions (block height, place in the block) at which two honest nodes
    applied different entries (0 when every honest log is a prefix of one log); ``entry_delay_steps``:
    mean steps from an honest node's entry's submission to the first application of it by an honest node
    (entries still waiting at the run's end count with their wait so far: a lower bound; NaN without
    entries); ``entry_delay_max_steps``: the longest such wait; ``view_changes``: leader changes (elections,
    view changes); ``blocks``: blocks cut."""

    conflicting_entries: float = 0.0
    entry_delay_steps: float = math.nan
    entry_delay_max_steps: float = math.nan
    view_changes: float = 0.0
    blocks: float = 0.0


class LedgerProtocol:
    """A protocol whose hooks do nothing (subclass it and override what your protocol does)."""

    #: every honest node applies the same entries in the same order, whatever the adversary does
    #: (``conflicting_entries`` is 0 by definition); ``False`` unless a protocol declares it
    consistent_by_construction: bool = False

    def check_params(self, params: ModelParams) -> None:
        """Refuse parameters under which the protocol cannot work (``ValueError`` naming field, value, range)."""

    def arrive(self, state: ModelState, t: int) -> None:
        """Phase 0: entries due at ``t`` reach the nodes."""

    def share_round(self, state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
        """Phase 2: the protocol's round at ``t`` (draws from ``rng`` only if it must); returns its counts."""
        return StepCounts()

    def send_votes(
        self, state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, value: np.ndarray
    ) -> StepCounts:
        """Phase 3: votes ``value`` of ``voter`` on signature rows ``sig`` become entries at ``t``."""
        return StepCounts()

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        """Phase 4: decisions on rows ``decided`` (``confirmed`` among them) become entries; the messages sent now."""
        return 0

    def announce_bytes(self, state: ModelState, messages: int) -> int:
        """Bytes of the ``messages`` :meth:`announce` returned (default: each a ``decision``)."""
        return messages * message_sizes.DECISION

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        """Phase 6: new signature rows ``rows`` become entries."""
        return StepOutput()

    def catch_up(self, state: ModelState, t: int, joined: np.ndarray) -> StepCounts:
        """New nodes ``joined`` read the log from a present replica (churn): a ``pull_request`` each, then the
        log's confirmed rules -- the confirmed signatures whose decision entry some present replica has applied --
        as two entries each (the signature's and the decision's, ``ledger_header`` plus payload). Protocols whose
        replicas keep more state than what they know override it."""
        rows = confirmed_rows(state)
        others = state.present.copy()
        others[joined] = False
        rows = rows[state.sigs.knows.counts(rows, where=others) > 0] if rows.size else rows
        learn(state, *every_pair(rows, joined))
        k = rows.size * joined.size
        return (
            message_sizes.sent("pull_request", joined.size)
            + message_sizes.sent("signature", k, ledger=True)
            + message_sizes.sent("decision", k, ledger=True)
        )

    def stats(self, state: ModelState) -> LedgerStats:
        """What the summary's ledger outcomes report of the run so far."""
        return LedgerStats()


def protocol_of(params: ModelParams) -> LedgerProtocol:
    """The protocol ``params.ledger_protocol`` names (imported on first use, then cached)."""
    protocol: LedgerProtocol = LEDGER_PROTOCOLS.get(params.ledger_protocol)
    return protocol
