"""Votes on their way to a signature's origin: they leave at one step and arrive at a later one.

A vote sent at step ``t`` with a delay of ``d`` steps arrives at the start of step ``t + d`` (at once
for ``d <= 0``), before anything votes or decides; one that arrives after its signature was decided is
too late and counts for nothing. How long a vote takes, what it costs and whether it is lost is the
sharing channel's business (:mod:`workbench.model.channels`); this module only carries it.
"""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import PENDING
from workbench.model.state import ModelState


def send_votes(
    state: ModelState, t: int, sig: np.ndarray, node: np.ndarray, value: np.ndarray, delay: np.ndarray
) -> int:
    """Votes leave their voters at step ``t`` and arrive ``delay`` steps later (at once for 0). Returns
    the votes that arrived at once."""
    now = delay <= 0
    if now.any():
        state.sigs.arrived.add(sig[now], node[now], value[now])
    if (~now).any():
        state.in_transit.add_votes(sig[~now], node[~now], value[~now], t + delay[~now])
    return int(now.sum())


def receive_votes(state: ModelState, t: int) -> int:
    """The votes due by step ``t`` arrive; returns those that arrived in time (their signature still pending)."""
    s = state.sigs
    sig, node, value = state.in_transit.take_votes(t)
    if sig.size == 0:
        return 0
    in_time = s.cols.outcome[sig] == PENDING
    s.arrived.add(sig[in_time], node[in_time], value[in_time])
    return int(in_time.sum())
