"""Phase 3: nodes vote on the open signatures they hold (``sharing`` ``gossip`` or ``ledger``); votes travel.

``gossip``: a vote travels to the signature's origin along a breadth-first shortest path of the
topology (:func:`workbench.model.topology.vote_ball`, the ball around the origin, cached per origin).
It costs one message per hop it makes and arrives ``hops`` steps later; each hop loses it with
probability ``message_loss`` (so it arrives with probability ``(1 - message_loss) ** hops``) and a
dropping relay on the path (``malicious_relay="drop"``) swallows it. ``ledger``: a vote is a ledger
entry, ``N - 1`` messages, visible to the origin after ``ledger_latency_steps``. Votes that arrive
after the decision count for nothing (:mod:`~workbench.model.phases.delivery`).
"""

from __future__ import annotations

import numpy as np

from workbench.model.phases.delivery import route, send_votes
from workbench.model.signatures import PENDING
from workbench.model.state import LedgerRecord, ModelState, StepCounts, StepOutput
from workbench.model.voting import apply_behaviour, evidence_votes, independent_votes


def cast_votes(state: ModelState, t: int, rng: np.random.Generator) -> StepOutput:
    """Each eligible holder (not the origin, not yet voted) votes on every signature still open at ``t``.

    Returns the votes cast, those that arrived at once (ledger without latency), the votes lost or
    dropped on their way, their messages and one ``vote`` ledger record per vote cast.
    """
    p, s = state.params, state.sigs
    if p.sharing in ("none", "central") or len(s) == 0:
        return StepOutput()
    open_ = np.flatnonzero((s["outcome"] == PENDING) & (t - s["created_step"] <= p.vote_deadline_steps))
    lying, colluding = state.lying(), state.colluding(t)
    independent = p.validation == "independent"
    window_cache: dict[int, dict[str, np.ndarray]] = {}
    votes_cast = arrived = lost = messages = 0
    entries: list[LedgerRecord] = []
    sent_sig: list[np.ndarray] = []
    sent_node: list[np.ndarray] = []
    sent_value: list[np.ndarray] = []
    sent_delay: list[np.ndarray] = []
    # eligible[r, v]: holder v of open signature r that has not voted yet (the origin never votes)
    eligible_all = s.holds[open_] & (s.cast[open_] == 0)
    eligible_all[np.arange(open_.size), s.cols["origin"][open_]] = False
    has = eligible_all.any(axis=1)
    for i, eligible in zip(open_[has], eligible_all[has]):  # a loop over open signatures with new voters
        genuine, forged = bool(s.cols["genuine"][i]), bool(s.cols["forged"][i])
        cand = np.flatnonzero(eligible)  # the work below is over the few eligible holders, not all N nodes
        if independent:
            honest = independent_votes(genuine, p.validator_accuracy, p.n_nodes, rng)[cand]
        else:
            key = int(s.cols["key"][i])
            if key not in window_cache:
                window_cache[key] = state.window.flows_with_key(key)
            flows = window_cache[key]
            mine = eligible[flows["node"]]
            honest = evidence_votes(s.rule(i), {k: v[mine] for k, v in flows.items()}, p.n_nodes)[cand]
        votes = apply_behaviour(
            honest,
            lying=lying[cand],
            colluding=colluding[cand],
            forged=forged,
            genuine=genuine,
            independent=independent,
        )
        voters, value = cand[votes != 0], votes[votes != 0]
        if voters.size == 0:
            continue
        s.cast[i, voters] = value  # with local_first an approving voter applies the rule at once (applied())
        votes_cast += voters.size
        sig_id = s.sig_ids[i]
        entries.extend(_vote_record(int(v), sig_id, bool(a > 0)) for v, a in zip(voters, value))
        if p.sharing == "gossip":
            sent, delay, ok = route(state, int(s.cols["origin"][i]), voters, rng)
            lost += int((~ok).sum())
            voters, value, delay = voters[ok], value[ok], delay[ok]
        else:
            sent = (p.n_nodes - 1) * voters.size
            delay = np.full(voters.size, p.ledger_latency_steps)
        sent_sig.append(np.full(voters.size, i))
        sent_node.append(voters)
        sent_value.append(value)
        sent_delay.append(delay)
        s.cols["messages"][i] += sent
        messages += sent
    if sent_sig:  # one queue update per step
        arrived = send_votes(
            state,
            t,
            np.concatenate(sent_sig),
            np.concatenate(sent_node),
            np.concatenate(sent_value),
            np.concatenate(sent_delay),
        )
    return StepOutput(
        StepCounts(votes_cast=votes_cast, votes_arrived=arrived, votes_lost=lost, messages=messages), tuple(entries)
    )


def _vote_record(node: int, sig_id: str, approve: bool) -> LedgerRecord:
    return (node, "vote", {"sig": sig_id, "approve": approve})
