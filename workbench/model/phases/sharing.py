"""Phase 2: one round of the sharing channel's spreading (if it spreads anything).

The channel (:meth:`~workbench.model.channels.base.Channel.share_round`) decides what travels and draws
what it needs from the model's Generator; this phase only calls it at its place in the step.
"""

from __future__ import annotations

import numpy as np

from workbench.model.channels.base import channel_of
from workbench.model.state import ModelState, StepCounts


def share(state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
    """The channel's round at step ``t``; returns its counts (messages)."""
    return channel_of(state.params).share_round(state, t, rng)
