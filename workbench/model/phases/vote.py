"""Phase 3: nodes vote on the open signatures they hold (``sharing`` ``gossip`` or ``ledger``)."""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import PENDING
from workbench.model.state import LedgerRecord, ModelState, StepCounts, StepOutput
from workbench.model.voting import apply_behaviour, evidence_votes, independent_votes


def cast_votes(state: ModelState, t: int, rng: np.random.Generator) -> StepOutput:
    """Each eligible holder (not the origin, not yet voted) votes on every signature still open at ``t``.

    Returns the votes cast, their messages (one to the origin by gossip, or a replicated ledger entry
    to the ``N - 1`` others) and one ``vote`` ledger record per vote.
    """
    p, s = state.params, state.sigs
    if p.sharing in ("none", "central") or len(s) == 0:
        return StepOutput()
    open_ = np.flatnonzero((s["outcome"] == PENDING) & (t - s["created_step"] <= p.vote_deadline_steps))
    lying, colluding = state.lying(), state.colluding(t)
    independent = p.validation == "independent"
    per_vote = 1 if p.sharing == "gossip" else p.n_nodes - 1
    window_cache: dict[int, dict[str, np.ndarray]] = {}
    votes_cast = 0
    entries: list[LedgerRecord] = []
    for i in open_:
        eligible = s.holds[i] & (s.votes[i] == 0)
        eligible[s.cols["origin"][i]] = False
        if not eligible.any():
            continue
        genuine, forged = bool(s.cols["genuine"][i]), bool(s.cols["forged"][i])
        if independent:
            honest = independent_votes(genuine, p.validator_accuracy, p.n_nodes, rng)
        else:
            key = int(s.cols["key"][i])
            if key not in window_cache:
                window_cache[key] = state.window.flows_with_key(key)
            honest = evidence_votes(s.rule(i), window_cache[key], p.n_nodes)
        votes = apply_behaviour(honest, lying=lying, colluding=colluding, forged=forged,
                                genuine=genuine, independent=independent)
        votes = np.where(eligible, votes, 0).astype(np.int8)
        voters = np.flatnonzero(votes)
        if voters.size == 0:
            continue
        s.votes[i, voters] = votes[voters]
        if p.local_first:  # a node applies at once a pending rule its own evidence approves
            s.knows[i, voters[votes[voters] > 0]] = True
        s.cols["messages"][i] += per_vote * voters.size
        votes_cast += voters.size
        sig_id = s.sig_ids[i]
        entries.extend(_vote_record(int(v), sig_id, bool(votes[v] > 0)) for v in voters)
    return StepOutput(StepCounts(votes_cast=votes_cast, messages=per_vote * votes_cast), tuple(entries))


def _vote_record(node: int, sig_id: str, approve: bool) -> LedgerRecord:
    return (node, "vote", {"sig": sig_id, "approve": approve})
