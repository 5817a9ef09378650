"""Churn: nodes leave and new nodes join, at per-step rates, at the ``N`` fixed positions of the topology.

The law (``ModelParams.churn_leave_rate`` ``l``, ``churn_join_rate`` ``j``; ``docs/churn.md``): each position is an
independent two-state Markov chain, drawn once per step from one uniform number per position (the model's
Generator, only when a rate is above 0): a present node leaves with probability ``l``; an empty position is taken
by a new node with probability ``j``. Every position is occupied before step 1, so the number present after step
``t`` is exactly ``Binomial(N, p_t)`` with

    p_t = j / (j + l) + (l / (j + l)) (1 - l - j)^t      (p_t = 1 when l = 0),

which tends to ``j / (j + l)`` (:func:`present_probability`). With equal rates the network settles at ``N / 2``
present: the capacity is ``N`` and the network starts full, so no process with leaves keeps the expected size at
``N``; ``j >> l`` keeps it near ``N`` (``j = 19 l``: 95 %).

A departed node does nothing (:attr:`~workbench.model.state.ModelState.present`): it receives no flows, detects and
proposes nothing, casts no votes, relays nothing (it joins the non-relays, so votes routed through it are lost) and
no outcome counts it; the items a channel still addresses to its position while it is away are forgotten when a new
node takes the position. A joining node is a new identity: it holds, knows and has voted on nothing, its trust is
the prior, its traffic history, flagged flows and detections are empty, it is targeted by no campaign (the detector
at a position is kept: the new node runs the position's detector, fitted on its warm-up traffic). It then catches
up from its channel at once (:meth:`~workbench.model.channels.base.Channel.catch_up`), whose messages count in the
step's ``messages`` and ``bytes`` and in the summary's ``catch_up_messages``.
"""

from __future__ import annotations

import numpy as np

from workbench.model.channels.base import channel_of
from workbench.model.state import ModelState, RouteCache, StepCounts


def present_probability(t: int | np.ndarray, leave: float, join: float) -> np.ndarray:
    """``p_t``: the chance a position is occupied after step ``t`` (occupied at step 0; module docstring)."""
    t = np.asarray(t, np.float64)
    if leave == 0:
        return np.ones_like(t)
    stay = join / (join + leave)
    return stay + (1.0 - stay) * (1.0 - leave - join) ** t


def churn_step(state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
    """Step ``t``'s leaves and joins (before anything arrives), and the joiners' catch-up; returns its counts.

    Draws ``N`` uniform numbers when a churn rate is above 0, nothing otherwise."""
    p, log = state.params, state.churn
    if not p.churn:
        return StepCounts()
    u = rng.random(p.n_nodes)
    leave = state.present & (u < p.churn_leave_rate)
    join = ~state.present & (u < p.churn_join_rate)
    counts = StepCounts()
    if leave.any() or join.any():
        state.present = state.present & ~leave | join
        state.sigs.relaying.drop_nodes(leave)  # a departed node passes nothing on
        state.flagged.drop_nodes(leave)  # and proposes nothing from what it flagged before it left
        if join.any():
            _new_identities(state, t, join)
        base = np.ones(p.n_nodes, bool) if log.role_relays is None else log.role_relays
        state.relays = base & state.present
        state.routes = RouteCache(p.n_nodes)  # vote routes avoid the departed (the graph's relays changed)
        log.leaves += int(leave.sum())
        log.joins += int(join.sum())
        if join.any():
            counts = channel_of(p).catch_up(state, t, np.flatnonzero(join), rng)
            log.catch_up_messages += counts.messages
            log.catch_up_bytes += counts.bytes
    log.present_node_steps += int(state.present.sum())
    return counts


def _new_identities(state: ModelState, t: int, join: np.ndarray) -> None:
    """Positions ``join`` (``(N,)`` bools) are taken by new nodes: nothing of their predecessors' is theirs."""
    s = state.sigs
    for rows in (s.holds, s.knows, s.cast, s.relaying):
        rows.drop_nodes(join)
    state.trust.reset(join)
    state.window.drop_nodes(join)
    state.flagged.drop_nodes(join)
    state.detections[join] = 0
    state.targeted[:, join] = False
    state.protected[:, join] = False
    state.churn.joined_step[join] = t


def nodes_present_mean(state: ModelState) -> float:
    """Mean over the steps run of the nodes present (``N`` without churn)."""
    if not state.params.churn:
        return float(state.params.n_nodes)
    return state.churn.present_node_steps / max(1, state.t_last)
