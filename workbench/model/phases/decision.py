"""Phase 4: due signatures are decided by consensus; confirmations reach nodes; protection follows."""

from __future__ import annotations

import numpy as np

from workbench.model.aggregator import central_decisions
from workbench.model.consensus import decide
from workbench.model.phases.delivery import KNOWS, publish
from workbench.model.phases.sharing import share_decisions
from workbench.model.signatures import CONFIRMED, OUTCOME_NAMES, PENDING, REJECTED
from workbench.model.state import LedgerRecord, ModelState, StepCounts, StepOutput


def decide_due(state: ModelState, t: int) -> StepOutput:
    """Decide the signatures due at ``t`` and :func:`settle` them.

    ``central``: the aggregator confirms a rule key once ``central_quorum`` distinct nodes reported it
    within ``vote_deadline_steps`` and rejects reports left alone that long (see
    :mod:`workbench.model.aggregator`, also for the ``compromised`` and ``down`` aggregators).
    ``gossip``/``ledger``: a signature is due at its vote deadline (its origin cannot know that every
    vote is in: votes travel); the consensus rule decides over the votes that have arrived, with the
    turnout floor ``min_participation`` of the nodes that held it, and trust is updated.
    ``none``: nothing to decide (isolated nodes confirm their own at creation).
    """
    p, s = state.params, state.sigs
    if len(s) == 0 or p.sharing == "none":
        return StepOutput()
    pending = s["outcome"] == PENDING
    if p.sharing == "central":
        origin = s["origin"]
        favoured = state.malicious[origin] | s["forged"]
        confirm, reject = central_decisions(
            s["key"],
            origin,
            s["created_step"],
            pending,
            favoured,
            t,
            central_quorum=p.central_quorum,
            window=p.vote_deadline_steps,
            mode=p.aggregator,
            down_step=p.aggregator_down_step,
        )
        due = np.flatnonzero(confirm | reject)
        confirmed = confirm[due]
    else:
        due = np.flatnonzero(pending & (t - s["created_step"] >= p.vote_deadline_steps))
        if due.size == 0:
            return StepOutput()
        v = s.arrived.of_rows(due)
        approve, reject = v > 0, v < 0
        trust = state.trust.trust
        eligible = s.holds[due].sum(axis=1) - 1  # every holder but the origin could vote
        confirmed = decide(
            approve.sum(1),
            reject.sum(1),
            p.consensus,
            p.quorum,
            p.min_votes,
            weight_for=approve @ trust,
            weight_against=reject @ trust,
            eligible=eligible,
            min_participation=p.min_participation,
        )
        state.trust.update(v, confirmed)
    if due.size == 0:
        return StepOutput()
    return settle(state, t, due, confirmed)


def settle(state: ModelState, t: int, due: np.ndarray, confirmed: np.ndarray) -> StepOutput:
    """Record the decisions on rows ``due`` and let the right nodes learn of confirmations.

    ``gossip``: the origin knows and sends the decision back to every holder, and gossip spreads it
    from all of them (:func:`~workbench.model.phases.sharing.share_decisions`); ``none``: the origin knows;
    ``ledger``: a replicated entry reaches everyone after ``ledger_latency_steps``, ``N - 1`` messages
    per decision; ``central``: the aggregator broadcasts each confirmation to all ``N`` nodes at once (a
    rejection is not broadcast). A rejected signature leaves every blocklist. Returns the
    decisions' counts and one ``decision`` ledger record each.
    """
    p, s = state.params, state.sigs
    v = s.arrived.of_rows(due)
    s.cols["outcome"][due] = np.where(confirmed, CONFIRMED, REJECTED)
    s.cols["decided_step"][due] = t
    s.cols["votes_for"][due] = (v > 0).sum(1)
    s.cols["votes_against"][due] = (v < 0).sum(1)
    ok = due[confirmed]
    messages = 0
    if p.sharing == "gossip":
        share_decisions(state, t, due, ok)
    elif p.sharing == "none":
        s.knows[ok, s.cols["origin"][ok]] = True
    else:
        if p.sharing == "ledger":
            publish(state, t, ok, KNOWS)
        else:
            s.knows[ok] = True
            s.holds[ok] = True
        informed = ok if p.sharing == "central" else due
        per_decision = p.n_nodes if p.sharing == "central" else p.n_nodes - 1
        s.cols["messages"][informed] += per_decision
        messages = per_decision * informed.size
    counts = StepCounts(
        signatures_confirmed=int(confirmed.sum()), signatures_rejected=int((~confirmed).sum()), messages=messages
    )
    return StepOutput(counts, tuple(_decision_record(state, int(i)) for i in due))


def _decision_record(state: ModelState, i: int) -> LedgerRecord:
    s = state.sigs
    return (
        int(s.cols["origin"][i]),
        "decision",
        {
            "sig": s.sig_ids[i],
            "outcome": OUTCOME_NAMES[int(s.cols["outcome"][i])],
            "votes_for": int(s.cols["votes_for"][i]),
            "votes_against": int(s.cols["votes_against"][i]),
        },
    )


def update_protection(state: ModelState, t: int) -> None:
    """Nodes whose blocklists cover every key a campaign sends from now are protected against it
    (:meth:`~workbench.model.state.ModelState.protection`); note the first steps at which 50 % and 90 % of
    honest nodes are (``t50``, ``t90``, steps after the start), within the campaign's evaluation window
    only (later times are censored, see ``metrics``)."""
    if len(state.sigs) == 0:
        return
    state.protected[:] = state.protection()  # stale rules (keys a campaign left) protect nothing
    honest_count = max(1, int(state.honest.sum()))
    for camp in state.campaigns:
        c = camp.index
        frac = state.protected[c, state.honest].sum() / honest_count
        if camp.start_step <= t < camp.start_step + state.params.eval_window_steps:
            if state.t50[c] < 0 and frac >= 0.5:
                state.t50[c] = t - camp.start_step
            if state.t90[c] < 0 and frac >= 0.9:
                state.t90[c] = t - camp.start_step
