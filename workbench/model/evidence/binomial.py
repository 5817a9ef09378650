"""``evidence_rule="binomial"``: a likelihood-ratio test of a voter's flagged matching flows.

A voter saw ``n`` recent flows that match the signature's rule (``Evidence.matched``) and its detector
flagged ``k`` of them (``Evidence.flagged``). If the rule covers benign traffic, each of those flows is
flagged with the node's false-positive rate ``f``; if it covers an attack, with the detector's recall
under attack ``r``. The binomial log-likelihood ratio of attack against benign is

    LLR(k, n) = k ln(r / f) + (n - k) ln((1 - r) / (1 - f))

and the voter approves (+1) when ``LLR >= 0`` (the counts are at least as likely under attack as under
benign traffic: the Neyman-Pearson test at equal priors and costs), rejects (-1) when ``LLR < 0``, and
abstains (0) when ``n < evidence_min_matched`` (too few flows to tell; it may vote at a later step while
the signature is open) or when ``f >= r`` (its detector cannot tell attack from benign). Equivalently it
approves when the flagged share ``k / n`` reaches

    p*(f, r) = ln((1 - f) / (1 - r)) / (ln(r / f) + ln((1 - f) / (1 - r)))

(0.21 at f = 0.02, r = 0.6; 0.17 at f = 0.02, r = 0.5; 0.29 at f = 0.08, r = 0.6), far below the one half of ``"half"``, which rejects genuine
rules whenever the detector's recall under attack is below one half.

``f`` is the voter's own estimate, its flag rate over its evidence window,
``(flagged + 1/2) / (flows + 1)`` of all its recent flows (:meth:`~workbench.model.voting.EvidenceWindow.flag_rate`):
an upper bound on its false-positive rate, since a node under attack also flags attack flows, so the
test leans towards rejecting on a busy node, never towards approving. ``r`` is ``evidence_recall``,
a property of the detector that no node can measure without ground truth, set by calibration.

Calibration (``python benchmarks/bench_evidence_rule.py --seeds 0 1 2 3 4 --recall 0.4 0.5 0.6
--min-matched 1 2 3``: the realistic world, 60 nodes, 60 steps, ledger and gossip, no malicious nodes,
``proposal_window_steps = 3``; it prints both tables). Honest voters' matching flows of genuine rules
were flagged at 0.69 (ledger) and 0.74 (gossip), pooled: the z-score detector's recall as voters see it
(0.665 per flow in the generator benchmark, ``bench_calibration.py``); those of false-positive rules at
0.21 and 0.10. The voters' own flag rates had a median of 0.17-0.20 (p10-p90 0.03-0.28; the per-flow
false-positive rate is about 0.02): the voters that hold a rule are mostly nodes under attack. Decided
genuine rules rejected / decided false-positive rules confirmed, mean (min-max over seeds for the first):
``"half"`` 0.045 (0.016-0.081) / 0.13 ledger, 0.077 (0.062-0.085) / 0.13 gossip; ``r = 0.5``,
``evidence_min_matched = 2``: 0.025 (0.011-0.053) / 0.07 and 0.071 (0.062-0.092) / 0.09; ``r = 0.6``
rejects no fewer (0.045 with one seed at 0.157, 0.074) and confirms more false rules on the ledger (0.20);
``r = 0.4`` or ``evidence_min_matched = 1`` lower the genuine rejections by up to 0.02 but confirm more
false rules on gossip (0.20-0.23); ``evidence_min_matched = 3`` abstains so often that gossip rejects
0.12 (fewer votes reach the turnout). ``r = 0.5`` sits below every measured recall, so that a voter whose
detector does worse than average still approves; ``evidence_min_matched = 2`` keeps a single flow from
deciding a vote.
Replacing the flag rate by a fixed 0.02 (one-step proposal window, ``r = 0.6``) lowered the genuine
rejections only by 0.01-0.02: the biased estimate costs little; of the honest votes against genuine rules,
33-47% came from voters that flagged none of their matching flows, which no choice of ``f`` or ``r``
turns into approvals.
"""

from __future__ import annotations

import numpy as np

from workbench.model.voting import Evidence

#: Default ``ModelParams.evidence_recall`` and ``evidence_min_matched`` (see the module docstring).
DEFAULT_RECALL = 0.5
DEFAULT_MIN_MATCHED = 2


def log_likelihood_ratio(k: np.ndarray, n: np.ndarray, f: np.ndarray, r: float) -> np.ndarray:
    """``k ln(r / f) + (n - k) ln((1 - r) / (1 - f))``, elementwise (float64; ``0 < f < 1``, ``0 < r < 1``)."""
    k, n, f = np.asarray(k, np.float64), np.asarray(n, np.float64), np.asarray(f, np.float64)
    return k * np.log(r / f) + (n - k) * (np.log1p(-r) - np.log1p(-f))


def binomial(evidence: Evidence) -> np.ndarray:
    """``0`` if ``matched < evidence_min_matched`` or ``f >= r``, else ``+1`` if ``LLR >= 0``, ``-1`` if not
    (int8, per pair; ``f`` the voter's flag rate, ``r`` ``evidence_recall``; see the module docstring)."""
    p = evidence.params
    recall = DEFAULT_RECALL if p is None else p.evidence_recall
    min_matched = DEFAULT_MIN_MATCHED if p is None else p.evidence_min_matched
    n, k = evidence.matched, evidence.flagged
    votes = np.zeros(n.size, np.int8)
    asked = np.flatnonzero(n >= min_matched)
    if asked.size == 0:
        return votes
    f = evidence.window.flag_rate(evidence.node[asked])
    llr = log_likelihood_ratio(k[asked], n[asked], np.minimum(f, recall), recall)
    votes[asked] = np.where(f >= recall, 0, np.where(llr >= 0, 1, -1))
    return votes
