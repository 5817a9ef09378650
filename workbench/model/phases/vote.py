"""Phase 3: nodes vote on the open signatures they hold (``sharing`` ``gossip`` or ``ledger``); votes travel.

``gossip``: a vote travels to the signature's origin along a breadth-first shortest path of the
topology (:func:`workbench.model.topology.vote_ball`, the ball around the origin, cached per origin).
It costs one message per hop it makes and arrives ``hops`` steps later; each hop loses it with
probability ``message_loss`` (so it arrives with probability ``(1 - message_loss) ** hops``) and a
dropping relay on the path (``malicious_relay="drop"``) swallows it. ``ledger``: a vote is a ledger
entry, ``N - 1`` messages, visible to the origin after ``ledger_latency_steps``. Votes that arrive
after the decision count for nothing (:mod:`~workbench.model.phases.delivery`).

The phase works on (signature, voter) pairs of all the step's open signatures at once: evidence,
malicious behaviour, routes and losses are arrays over the pairs, ordered by signature, then voter.
"""

from __future__ import annotations

import numpy as np

from workbench.model.grouped import runs
from workbench.model.phases.delivery import grouped_paths, lose, send_votes
from workbench.model.signatures import PENDING
from workbench.model.state import LedgerRecord, ModelState, StepCounts, StepOutput
from workbench.model.voting import apply_behaviour, evidence_votes_pairs, independent_votes


def cast_votes(state: ModelState, t: int, rng: np.random.Generator) -> StepOutput:
    """Each eligible holder (not the origin, not yet voted) votes on every signature still open at ``t``.

    Returns the votes cast, those that arrived at once (ledger without latency), the votes lost or
    dropped on their way, their messages and one ``vote`` ledger record per vote cast.
    """
    p, s = state.params, state.sigs
    if p.sharing in ("none", "central") or len(s) == 0:
        return StepOutput()
    open_ = np.flatnonzero((s["outcome"] == PENDING) & (t - s["created_step"] <= p.vote_deadline_steps))
    # eligible[r, v]: holder v of open signature r that has not voted yet (the origin never votes)
    eligible = s.holds[open_] & (s.cast[open_] == 0)
    eligible[np.arange(open_.size), s.cols["origin"][open_]] = False
    row, voter = np.nonzero(eligible)
    sig = open_[row]
    if sig.size == 0:
        return StepOutput()
    gossip_loss = p.sharing == "gossip" and p.message_loss > 0
    first_lost: np.ndarray | None = None
    if p.validation == "independent":
        votes, first_lost = _independent_votes(state, t, sig, voter, rng, draw_losses=gossip_loss)
    else:
        votes = _behave(state, t, sig, voter, evidence_votes_pairs(s, state.window, sig, voter), independent=False)
    cast = votes != 0
    sig, voter, value = sig[cast], voter[cast], votes[cast]
    if sig.size == 0:
        return StepOutput()
    s.cast[sig, voter] = value  # with local_first an approving voter applies the rule at once (applied())
    entries = tuple(_vote_record(int(v), s.sig_ids[i], bool(a > 0)) for i, v, a in zip(sig, voter, value))
    lost = 0
    if p.sharing == "gossip":
        hops, travel = grouped_paths(state, sig, voter)
        if gossip_loss and first_lost is None:  # the hop on which each vote would be lost, in pair order
            first_lost = rng.geometric(p.message_loss, sig.size)
        sent, ok = lose(hops, travel, first_lost)
        lost = int((~ok).sum())
        np.add.at(s.cols["messages"], sig, sent)
        arrived = send_votes(state, t, sig[ok], voter[ok], value[ok], hops[ok])
    else:
        sent = np.full(sig.size, p.n_nodes - 1, np.int64)
        np.add.at(s.cols["messages"], sig, sent)
        arrived = send_votes(state, t, sig, voter, value, np.full(sig.size, p.ledger_latency_steps))
    counts = StepCounts(votes_cast=int(sig.size), votes_arrived=arrived, votes_lost=lost, messages=int(sent.sum()))
    return StepOutput(counts, entries)


def _behave(
    state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, honest: np.ndarray, independent: bool
) -> np.ndarray:
    """Votes of the (``sig``, ``voter``) pairs once malicious voters' behaviour is applied to ``honest``."""
    s = state.sigs
    return apply_behaviour(
        honest,
        lying=state.lying()[voter],
        colluding=state.colluding(t)[voter],
        forged=s.cols["forged"][sig],
        genuine=s.cols["genuine"][sig],
        independent=independent,
    )


def _independent_votes(
    state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, rng: np.random.Generator, draw_losses: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Independent votes of the pairs, and (with ``draw_losses``) the hop on which each would be lost.

    The random numbers are drawn signature by signature, ``N`` votes and then the losses of those cast,
    as each signature's votes were always drawn."""
    p, s = state.params, state.sigs
    votes = np.zeros(sig.size, np.int8)
    first_lost = np.zeros(sig.size, np.int64) if draw_losses else None
    for a, b in runs(sig):  # a loop over signatures
        i = sig[a]
        honest = independent_votes(bool(s.cols["genuine"][i]), p.validator_accuracy, p.n_nodes, rng)[voter[a:b]]
        votes[a:b] = _behave(state, t, sig[a:b], voter[a:b], honest, independent=True)
        if first_lost is not None:
            cast = np.flatnonzero(votes[a:b] != 0) + a
            first_lost[cast] = rng.geometric(p.message_loss, cast.size)
    return votes, first_lost[votes != 0] if first_lost is not None else None


def _vote_record(node: int, sig_id: str, approve: bool) -> LedgerRecord:
    return (node, "vote", {"sig": sig_id, "approve": approve})
