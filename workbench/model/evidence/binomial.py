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

(0.21 at f = 0.02, r = 0.6; 0.29 at f = 0.08), far below the one half of ``"half"``, which rejects genuine
rules whenever the detector's recall under attack is below one half.

``f`` is the voter's own estimate, its flag rate over its evidence window,
``(flagged + 1/2) / (flows + 1)`` of all its recent flows (:meth:`~workbench.model.voting.EvidenceWindow.flag_rate`):
an upper bound on its false-positive rate, since a node under attack also flags attack flows, so the
test leans towards rejecting on a busy node, never towards approving. ``r`` is ``evidence_recall``,
a property of the detector that no node can measure without ground truth, set by calibration.

Calibration (``python benchmarks/bench_evidence_rule.py``: the realistic world, 60 nodes, 60 steps,
seeds 0-2, ledger and gossip, no malicious nodes; it prints both tables). Honest voters' matching flows
of genuine rules were flagged at 0.71 (ledger) and 0.73 (gossip), pooled: the z-score detector's recall
as voters see it (0.665 per flow in the generator benchmark, ``bench_calibration.py``); ``r = 0.6`` sits
just below both, so that a voter whose detector does somewhat worse than average still approves. The
voters' own flag rates had a median of 0.19-0.21 (p10-p90 0.06-0.29; the per-flow false-positive rate is
about 0.02): the voters that hold a rule are mostly nodes under attack. Share of decided genuine rules
rejected, mean (min-max) over seeds: ``"half"`` 0.095 (0.04-0.14) ledger, 0.086 (0.06-0.13) gossip;
``r = 0.6``, ``evidence_min_matched = 2``: 0.044 (0.02-0.08) and 0.078 (0.07-0.09); ``r`` from 0.4 to 0.7
moves these by at most 0.02, ``evidence_min_matched = 1`` by at most 0.02, and 3 raises them to
0.07 and 0.13 (more abstentions, fewer genuine rules reach their turnout). Honest false-positive rules
are one or two per run under every setting, so their confirmed share rests on tiny denominators; ``2``
keeps a single flow from deciding a vote. Replacing the flag rate by a fixed 0.02 lowers the genuine
rejections only to 0.035 and 0.054, so the biased estimate costs little; of the honest votes against
genuine rules, 47% (ledger) and 33% (gossip) came from voters that flagged none of their matching flows,
which no choice of ``f`` or ``r`` turns into approvals.
"""

from __future__ import annotations

import numpy as np

from workbench.model.voting import Evidence

#: Default ``ModelParams.evidence_recall`` and ``evidence_min_matched`` (see the module docstring).
DEFAULT_RECALL = 0.6
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
