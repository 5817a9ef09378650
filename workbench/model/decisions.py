"""Recording decisions: a decided signature's outcome, its vote tally, and one ``decision`` ledger record.

Every channel decides in its own way (:meth:`~workbench.model.channels.base.Channel.decide`, or at once
when a rule is proposed) and lets nodes learn of confirmations in its own way
(:meth:`~workbench.model.channels.base.Channel.announce`); :func:`settle` is what all decisions share.
"""

from __future__ import annotations

import numpy as np

from workbench.model.channels.base import Channel
from workbench.model.signatures import CONFIRMED, OUTCOME_NAMES, REJECTED
from workbench.model.state import LedgerRecord, ModelState, StepCounts, StepOutput


def settle(state: ModelState, channel: Channel, t: int, due: np.ndarray, confirmed: np.ndarray) -> StepOutput:
    """Record the decisions on rows ``due`` (``confirmed``: which were confirmed) at step ``t`` and let the
    channel tell the nodes. A rejected signature leaves every blocklist. Returns the decisions' counts
    (with the channel's messages) and one ``decision`` ledger record each."""
    s = state.sigs
    s.cols.outcome[due] = np.where(confirmed, CONFIRMED, REJECTED)
    s.cols.decided_step[due] = t
    s.cols.votes_for[due], s.cols.votes_against[due] = s.arrived.tally(due)
    messages = channel.announce(state, t, due, due[confirmed])
    price = getattr(channel, "announce_bytes", None)  # a channel whose announce messages vary in size
    counts = StepCounts(
        signatures_confirmed=int(confirmed.sum()),
        signatures_rejected=int((~confirmed).sum()),
        messages=messages,
        bytes=int(price(state, messages)) if callable(price) else messages * channel.announce_message_bytes,
    )
    return StepOutput(counts, tuple(_decision_record(state, int(i)) for i in due))


def _decision_record(state: ModelState, i: int) -> LedgerRecord:
    s = state.sigs
    return (
        int(s.cols.origin[i]),
        "decision",
        {
            "sig": s.sig_ids[i],
            "outcome": OUTCOME_NAMES[int(s.cols.outcome[i])],
            "votes_for": int(s.cols.votes_for[i]),
            "votes_against": int(s.cols.votes_against[i]),
        },
    )
