"""Phase 3: nodes vote on the open signatures they hold, when the channel carries votes; votes leave.

How a vote travels -- its delay, its messages, whether it is lost -- is the sharing channel's
(:meth:`~workbench.model.channels.base.Channel.send_votes`). Votes that arrive after the decision
count for nothing (:mod:`workbench.model.transit`).

Honest voters vote by their evidence (the evidence rule, :mod:`workbench.model.evidence`) or as
independent validators; malicious voters as the adversary behaviour says
(:mod:`workbench.model.adversaries`). The phase works on (signature, voter) pairs of all the step's open
signatures at once: evidence, malicious behaviour, routes and losses are arrays over the pairs, ordered by
signature, then voter.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from workbench.model.adversaries.base import adversary_of
from workbench.model.channels.base import Channel, channel_of
from workbench.model.evidence import EVIDENCE_RULES
from workbench.model.grouped import runs
from workbench.model.signatures import PENDING
from workbench.model.state import LedgerRecord, ModelState, StepCounts, StepOutput
from workbench.model.voting import evidence, independent_votes


def cast_votes(state: ModelState, t: int, rng: np.random.Generator) -> StepOutput:
    """Each eligible holder (not the origin, not yet voted) votes on every signature still open at ``t``.

    Returns the votes cast, those that arrived at once, the votes lost or dropped on their way, their
    messages and one ``vote`` ledger record per vote cast.
    """
    p, s = state.params, state.sigs
    channel = channel_of(p)
    if not channel.carries_votes or len(s) == 0:
        return StepOutput()
    open_ = np.flatnonzero((s.view.outcome == PENDING) & (t - s.view.created_step <= p.vote_deadline_steps))
    # (signature, voter) pairs: holder v of open signature r that has not voted yet (the origin never votes)
    row, voter = s.holds.pairs(open_)
    sig = open_[row]
    eligible = (voter != s.cols.origin[sig]) & (s.cast.get(sig, voter) == 0) & state.present[voter]
    sig, voter = sig[eligible], voter[eligible]
    if sig.size == 0:
        return StepOutput()
    first_lost: np.ndarray | None = None
    if p.validation == "independent":
        votes, first_lost = _independent_votes(state, t, sig, voter, rng, channel)
    else:
        honest = EVIDENCE_RULES.get(p.evidence_rule)(evidence(s, state.window, sig, voter, p))
        votes = _behave(state, t, sig, voter, np.asarray(honest, np.int8), independent=False)
    cast = votes != 0
    sig, voter, value = sig[cast], voter[cast], votes[cast]
    if sig.size == 0:
        return StepOutput()
    s.cast.set(sig, voter, value)  # with local_first an approving voter applies the rule at once (applied())
    entries = _vote_records(s.sig_ids, sig, voter, value > 0)
    if first_lost is None:  # the hop on which each vote would be lost, in pair order
        first_lost = channel.vote_losses(state, rng, sig.size)
    counts = StepCounts(votes_cast=int(sig.size)) + channel.send_votes(state, t, sig, voter, value, first_lost)
    return StepOutput(counts, entries)


def _behave(
    state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, honest: np.ndarray, independent: bool
) -> np.ndarray:
    """Votes of the (``sig``, ``voter``) pairs: ``honest`` for honest voters, the adversary's for malicious ones."""
    votes = honest.astype(np.int8)  # a copy: the adversary's votes go into it
    bad = np.flatnonzero(state.malicious[voter])
    if bad.size:
        adversary = adversary_of(state.params)
        votes[bad] = adversary.votes(state, t, sig[bad], voter[bad], honest[bad], independent)
    return votes


def _independent_votes(
    state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, rng: np.random.Generator, channel: Channel
) -> tuple[np.ndarray, np.ndarray | None]:
    """Independent votes of the pairs, and the hop on which each cast vote would be lost (``None`` when the
    channel loses none).

    The random numbers are drawn signature by signature, ``N`` votes and then the losses of those cast,
    as each signature's votes were always drawn."""
    p, s = state.params, state.sigs
    votes = np.zeros(sig.size, np.int8)
    first_lost: np.ndarray | None = None
    for a, b in runs(sig):  # a loop over signatures
        i = sig[a]
        honest = independent_votes(bool(s.cols.genuine[i]), p.validator_accuracy, p.n_nodes, rng)[voter[a:b]]
        votes[a:b] = _behave(state, t, sig[a:b], voter[a:b], honest, independent=True)
        cast = np.flatnonzero(votes[a:b] != 0) + a
        lost = channel.vote_losses(state, rng, cast.size)
        if lost is not None:
            if first_lost is None:
                first_lost = np.zeros(sig.size, np.int64)
            first_lost[cast] = lost
    return votes, first_lost[votes != 0] if first_lost is not None else None


def _vote_records(ids: list[str], sig: np.ndarray, voter: np.ndarray, approve: np.ndarray) -> tuple[LedgerRecord, ...]:
    """One ``vote`` record ``(voter, "vote", {"sig": id, "approve": bool})`` per pair, in pair order. The
    records of one signature and vote share one payload dict (read-only), which the ledger encodes once."""
    code, which = np.unique(sig.astype(np.int64) * 2 + approve, return_inverse=True)
    payloads = [{"sig": ids[c >> 1], "approve": bool(c & 1)} for c in code.tolist()]
    return tuple(zip(voter.tolist(), repeat("vote"), map(payloads.__getitem__, which.tolist())))
