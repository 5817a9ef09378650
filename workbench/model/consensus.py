"""Consensus: pure decision rules over votes, and Beta-reputation trust.

The decision functions are pure and vectorised: they take vote counts (or weighted sums) for any
number of signatures and return which are confirmed. The model calls exactly these functions; the rule
itself is a component (:mod:`workbench.model.consensus_rules`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from workbench.model.consensus_rules import CONSENSUS_RULES

#: A consensus rule: ``rule(tally, quorum)`` -> which of the tally's signatures are confirmed (bools).
ConsensusRule = Callable[["Tally", float], np.ndarray]


@dataclass(frozen=True)
class Tally:
    """The arrived votes on ``S`` signatures, what a consensus rule decides on.

    ``votes_for``/``votes_against``: approving / rejecting votes (int64 ``(S,)``); ``weight_for``/
    ``weight_against``: the same votes weighted by the voters' trust (float ``(S,)``, ``None`` when not
    given). ``votes_cast``: their sum."""

    votes_for: np.ndarray
    votes_against: np.ndarray
    weight_for: np.ndarray | None = None
    weight_against: np.ndarray | None = None

    @property
    def votes_cast(self) -> np.ndarray:
        return self.votes_for + self.votes_against


def consensus_rule(rule: str | ConsensusRule) -> ConsensusRule:
    """The rule ``rule`` names (a registered name or an import path, see
    :mod:`workbench.model.consensus_rules`), or ``rule`` itself when it is one."""
    return CONSENSUS_RULES.get(rule) if isinstance(rule, str) else rule


def reads_weights(rule: str | ConsensusRule) -> bool:
    """Whether ``rule`` may read the trust weights of a :class:`Tally` (every rule but those that declare
    ``counts_only = True``, deciding on vote counts alone: their callers need not compute the weights)."""
    return not getattr(consensus_rule(rule), "counts_only", False)


def approvals_needed(votes_cast: np.ndarray | int, rule: str = "majority", quorum: float = 2 / 3) -> np.ndarray:
    """Approving votes needed to confirm, given the number of votes cast (the rule's ``approvals_needed``).

    ``majority``: more than half (``floor(v / 2) + 1``); ``supermajority``: ``ceil(quorum * v)``.
    ``trust_weighted`` decides on weights, not counts; its count threshold is the majority one. A rule
    without a count threshold raises ``ValueError``.
    """
    needed = getattr(consensus_rule(rule), "approvals_needed", None)
    if needed is None:
        raise ValueError(f"rule={rule!r} has no vote-count threshold (it gives no approvals_needed)")
    return np.asarray(needed(np.asarray(votes_cast, dtype=np.int64), quorum))


def decide(
    votes_for: np.ndarray | int,
    votes_against: np.ndarray | int,
    rule: str | ConsensusRule = "majority",
    quorum: float = 2 / 3,
    min_votes: int = 1,
    weight_for: np.ndarray | float | None = None,
    weight_against: np.ndarray | float | None = None,
    *,
    eligible: np.ndarray | int | None = None,
    min_participation: float = 0.0,
) -> np.ndarray:
    """Which signatures are confirmed (``True``) rather than rejected.

    A signature needs at least ``min_votes`` votes cast and, when ``eligible`` (the number of nodes that
    could have voted) is given, a turnout of at least ``min_participation`` of them:
    ``votes_cast >= min_participation * eligible``. Turnout matters because honest evidence voters abstain
    when they have not seen the traffic a rule describes while colluders always vote: without a turnout
    floor, a handful of colluders decide every signature that honest nodes know nothing about.
    Past the floor, the consensus ``rule`` decides (a name, an import path or a rule itself; see
    :mod:`workbench.model.consensus_rules`): ``majority`` and ``supermajority`` count votes (see
    :func:`approvals_needed`); ``trust_weighted`` confirms when the trust-weighted approving weight exceeds
    half the weight of all votes cast.
    """
    vf, va = np.asarray(votes_for, np.int64), np.asarray(votes_against, np.int64)
    cast = vf + va
    enough = cast >= min_votes
    if eligible is not None and min_participation > 0:
        # the small epsilon keeps 0.1 * 30 = 3 votes sufficient despite floating-point error
        enough = enough & (cast >= min_participation * np.asarray(eligible, float) - 1e-9)
    wf = None if weight_for is None else np.asarray(weight_for, float)
    wa = None if weight_against is None else np.asarray(weight_against, float)
    return enough & np.asarray(consensus_rule(rule)(Tally(vf, va, wf, wa), quorum), bool)


def binomial_tail(n: int, p: float, k: int) -> float:
    """P(Bin(n, p) >= k); 1 for k <= 0, 0 for k > n."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return float(stats.binom.sf(k - 1, n, p))


def condorcet_confirm_probability(voters: int, accuracy: float, rule: str = "majority", quorum: float = 2 / 3) -> float:
    """Chance a genuine signature is confirmed when ``voters`` vote independently, each correct with
    probability ``accuracy`` (Condorcet's jury theorem): ``P(Bin(voters, accuracy) >= k)``."""
    return binomial_tail(voters, accuracy, int(approvals_needed(voters, rule, quorum)))


def collusion_false_acceptance(voters: int, colluders: int, error: float, approvals: int) -> float:
    """Chance a forgery is confirmed when ``colluders`` of ``voters`` always approve it and every honest
    voter wrongly approves with probability ``error``: ``P(Bin(voters - colluders, error) >= approvals - colluders)``,
    which is 1 once ``colluders >= approvals``."""
    if colluders >= approvals:
        return 1.0
    return binomial_tail(voters - colluders, error, approvals - colluders)


class BetaTrust:
    """Beta-reputation trust per node (Josang and Ismail 2002): ``trust = alpha / (alpha + beta)``,
    starting from the uniform prior ``Beta(1, 1)``.

    After each decision round, every voter whose vote agreed with the outcome gains one positive
    observation and every voter who disagreed one negative. With ``decay`` > 0 (the forgetting factor
    ``lambda = 1 - decay`` of Josang and Ismail), the evidence gathered so far is multiplied by
    ``1 - decay`` before the new observations are added, so old behaviour fades and a node that turns
    bad (``betray``) loses trust faster.

    What this model is and is not: its feedback is *agreement with the consensus outcome*, not ground
    truth, because no node knows the truth. A colluding majority that decides outcomes therefore earns
    trust for itself and costs the honest minority theirs: reputation here amplifies whoever controls
    the outcomes; it cannot rescue a network whose votes are already captured.
    """

    def __init__(self, n_nodes: int, prior: tuple[float, float] = (1.0, 1.0), decay: float = 0.0) -> None:
        self.prior = prior
        self.decay = decay
        self.alpha = np.full(n_nodes, prior[0])
        self.beta = np.full(n_nodes, prior[1])

    @property
    def trust(self) -> np.ndarray:
        return self.alpha / (self.alpha + self.beta)

    def reset(self, nodes: np.ndarray) -> None:
        """Nodes ``nodes`` (an index or bool array) are new identities: back to the prior."""
        self.alpha[nodes], self.beta[nodes] = self.prior

    def update(self, votes: np.ndarray, confirmed: np.ndarray) -> None:
        """``votes``: ``(n_signatures, n_nodes)`` in {-1, 0, +1}; ``confirmed``: ``(n_signatures,)`` bools."""
        outcome = np.where(confirmed, 1, -1)[:, None]
        self.update_counts((votes == outcome).sum(axis=0), ((votes != 0) & (votes != outcome)).sum(axis=0))

    def update_counts(self, agreed: np.ndarray, disagreed: np.ndarray) -> None:
        """As :meth:`update`, from each node's ``(N,)`` counts of votes that agreed and disagreed with the outcome."""
        if self.decay > 0:
            keep = 1.0 - self.decay
            self.alpha = self.prior[0] + keep * (self.alpha - self.prior[0])
            self.beta = self.prior[1] + keep * (self.beta - self.prior[1])
        self.alpha += agreed
        self.beta += disagreed


def forgery_confirm_probability(
    eligible: int,
    colluders: int,
    reject: float,
    approve: float = 0.0,
    rule: str = "majority",
    quorum: float = 2 / 3,
    min_votes: int = 1,
    min_participation: float = 0.0,
) -> float:
    """Chance a forgery is confirmed by the vote the model holds, computed exactly.

    The voter model is the model's own (:class:`~workbench.model.channels.base.VotingChannel`): the
    ``eligible`` voters are the holders of the signature but its forging origin (``E = N - 1`` once every
    node holds it, as on the ledger); ``colluders`` of them (``c``) always vote to approve; each of the
    ``H = E - c`` honest voters independently has an approving vote counted with probability ``approve``
    (``a``), a rejecting one with probability ``reject`` (``r``), and none (abstention, or a vote that did
    not arrive by the deadline) with probability ``1 - a - r``. With ``A_h`` approving and ``R`` rejecting
    honest votes, ``(A_h, R) ~ Multinomial(H; a, r)``, approvals ``A = c + A_h`` and votes cast ``A + R``,

        P(confirm) = sum over (A_h, R) of P(A_h, R) * [decide(A, R)],

    where ``decide`` is :func:`decide` itself with ``eligible = E``: at least ``min_votes`` votes, a
    turnout of at least ``min_participation * E``, then the ``rule``'s count (``approvals_needed``). With
    ``r + a = 1`` and no binding turnout floor this is :func:`collusion_false_acceptance`; with ``r = a = 0``
    (every honest voter abstains) it is 1 exactly when the colluders alone meet the turnout floor and the
    rule. A rule that weighs votes by trust (``trust_weighted``) is evaluated at equal trust, every vote
    weighing 1 (trust evolves in a run; the study leaves such rules out); a rule without a count
    threshold (no ``approvals_needed``) gives NaN.
    """
    if not 0 <= colluders <= eligible:
        raise ValueError(f"colluders={colluders!r} is out of range; expected an integer with 0 <= x <= {eligible}")
    if not (reject >= 0.0 and approve >= 0.0 and reject + approve <= 1.0 + 1e-12):
        raise ValueError(f"reject={reject!r}, approve={approve!r}: expected probabilities with reject + approve <= 1")
    if getattr(consensus_rule(rule), "approvals_needed", None) is None:
        return float("nan")
    honest = eligible - colluders
    k = np.arange(honest + 1)
    # P(A_h = i) * P(R = j | A_h = i): approvals first, then rejections among the rest
    p_approve = stats.binom.pmf(k, honest, approve)
    rest = max(1.0 - approve, 1e-300)
    p_reject = stats.binom.pmf(k[None, :], (honest - k)[:, None], min(reject / rest, 1.0))  # [i, j]
    joint = p_approve[:, None] * np.where(k[None, :] <= (honest - k)[:, None], p_reject, 0.0)
    approvals = colluders + np.broadcast_to(k[:, None], joint.shape)
    rejections = np.broadcast_to(k[None, :], joint.shape)
    confirmed = decide(
        approvals.ravel(),
        rejections.ravel(),
        rule,
        quorum,
        min_votes,
        weight_for=approvals.ravel().astype(float),
        weight_against=rejections.ravel().astype(float),
        eligible=np.full(joint.size, eligible),
        min_participation=min_participation,
    ).reshape(joint.shape)
    return float(min(1.0, joint[confirmed].sum()))
