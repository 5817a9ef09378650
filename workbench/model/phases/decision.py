"""Phase 4: the channel decides due signatures; confirmations reach nodes; protection follows."""

from __future__ import annotations

from workbench.model.channels.base import channel_of
from workbench.model.decisions import settle
from workbench.model.state import ModelState, StepOutput


def decide_due(state: ModelState, t: int) -> StepOutput:
    """The signatures the sharing channel decides at ``t`` (:meth:`~workbench.model.channels.base.Channel.decide`),
    recorded and announced to the nodes (:func:`~workbench.model.decisions.settle`)."""
    if len(state.sigs) == 0:
        return StepOutput()
    channel = channel_of(state.params)
    due, confirmed = channel.decide(state, t)
    if due.size == 0:
        return StepOutput()
    return settle(state, channel, t, due, confirmed)


def update_protection(state: ModelState, t: int) -> None:
    """Nodes whose blocklists cover every key a campaign sends from now are protected against it
    (:meth:`~workbench.model.state.ModelState.protection`); note the first steps at which 50 % and 90 % of
    honest nodes are (``t50``, ``t90``, steps after the start), within the campaign's evaluation window
    only (later times are censored, see ``metrics``)."""
    if len(state.sigs) == 0:
        return
    state.protected[:] = state.protection()  # stale rules (keys a campaign left) protect nothing
    honest = state.present_honest  # over the honest nodes present (all honest nodes without churn)
    honest_count = max(1, int(honest.sum()))
    for camp in state.campaigns:
        c = camp.index
        frac = state.protected[c, honest].sum() / honest_count
        if camp.start_step <= t < camp.start_step + state.params.eval_window_steps:
            if state.t50[c] < 0 and frac >= 0.5:
                state.t50[c] = t - camp.start_step
            if state.t90[c] < 0 and frac >= 0.9:
                state.t90[c] = t - camp.start_step
