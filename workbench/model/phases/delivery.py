"""Phase 0: what was on its way and is due now arrives -- the channel's deliveries, then votes at origins.

Arrivals are applied at the start of their step, before anything votes or decides: first what the
sharing channel carries itself (replicated entries, see :meth:`~workbench.model.channels.base.Channel.arrive`),
then the votes due (:func:`workbench.model.transit.receive_votes`; a vote arriving after its signature
was decided is too late and counts for nothing).
"""

from __future__ import annotations

from workbench.model.channels.base import channel_of
from workbench.model.state import ModelState, StepCounts
from workbench.model.transit import receive_votes


def deliver(state: ModelState, t: int) -> StepCounts:
    """Apply the channel's deliveries and the votes due by step ``t``; returns the votes that arrived in time
    (and the messages of the channel's admission control at ``t``, :meth:`~workbench.model.channels.base.Channel.admission`)."""
    channel = channel_of(state.params)
    channel.arrive(state, t)
    return channel.admission(state, t) + StepCounts(votes_arrived=receive_votes(state, t))
