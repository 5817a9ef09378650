"""Study 06's analysis: do honest voters err independently? Vote correlation, effective voters, and Condorcet's promise.

Condorcet's jury theorem promises that a majority of ``n`` independent voters, each right with
probability ``p > 1/2``, is right with a probability that tends to 1 as ``n`` grows. Evidence voters
share a detector family and overlapping traffic, so their errors on one signature may be correlated.
For each cell of the design (topology x voter kind), using the honest votes of every run:

- the intra-class correlation ``rho`` of votes on the same signature (:func:`vote_correlation`, one
  signature class at a time, so that the difference between classes does not pass for correlation),
  and ``n_eff = n / (1 + (n - 1) rho)`` (:func:`effective_voters`);
- the *observed committee outcome*: the share of signatures on which the honest votes cast meet the
  rule (``approvals >= approvals_needed(votes cast)``), with its Wilson interval;
- three predictions of it, averaged over the same signatures (each with its own number of votes
  ``n_i``): binomial with the pooled approval share ``p`` (independence), the binomial rule on
  ``n_eff_i`` voters, and the fitted beta-binomial (:func:`fit_betabinom`).

Independence "breaks the theory's promise" where the binomial prediction falls outside the observed
interval; the beta-binomial's limit ``P(p_i > 1/2)`` (``Beta(alpha, beta)`` tail) is then the best any
committee size can do.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.analysis.confirmation import (
    betabinomial_confirm_prob,
    binomial_confirm_prob,
    effective_confirm_prob,
)
from workbench.analysis.intervals import wilson_interval
from workbench.analysis.studies.protocol import StudyDesign
from workbench.analysis.studies.votes.design import CONTROL_ACCURACY
from workbench.analysis.votes import effective_voters, fit_betabinom, n_effective
from workbench.model.consensus import approvals_needed

# the cells of the analysis: one per topology and kind of voter (and signature class)
BY = ["topology", "voters"]


def voter_kind(frame: pd.DataFrame) -> pd.Series:
    """``"zscore z>4"``, ``"iforest"`` or ``"independent p=0.7"`` from a frame's ``block`` (and threshold)."""

    def one(row: pd.Series) -> str:
        if row["block"] == "zscore":
            return f"zscore z>{row['zscore_threshold']:g}"
        if row["block"] == "independent":
            return f"independent p={CONTROL_ACCURACY:g}"
        return str(row["block"])

    return frame.apply(one, axis=1) if len(frame) else pd.Series([], dtype=object)


def vote_matrix(votes: pd.DataFrame) -> np.ndarray:
    """Signatures x nodes matrix of honest votes (1 approve, 0 reject, NaN no vote) from a votes frame
    (``sig_id``, ``node``, ``vote`` +-1, ``node_malicious``; ``run_id`` when several runs are stacked)."""
    honest = votes[~votes["node_malicious"].astype(bool)]
    if honest.empty:
        return np.empty((0, 0))
    key = honest["run_id"].astype(str) + "/" + honest["sig_id"].astype(str) if "run_id" in honest else honest["sig_id"]
    table = honest.assign(key=key.to_numpy(), approve=(honest["vote"] > 0).astype(float))
    return table.pivot_table(index="key", columns="node", values="approve", aggfunc="first").to_numpy(dtype=float)


def compare(
    matrix: np.ndarray,
    rule: str = "majority",
    quorum: float = 2 / 3,
    confidence: float = 0.95,
    n_boot: int = 499,
    seed: int = 0,
) -> dict[str, Any]:
    """Correlation, effective voters, observed committee outcome and its three predictions for one matrix.

    Keys: ``n_signatures``, ``mean_votes``, ``approve_share``, ``rho``, ``rho_low``, ``rho_high``, ``n_eff``,
    ``n_eff_low``, ``n_eff_high``, ``observed``, ``obs_low``, ``obs_high`` (Wilson), ``binomial``,
    ``effective``, ``betabinomial``, ``bb_rho``, ``bb_limit`` (the beta-binomial's large-committee limit
    ``P(p_i > share)``, ``share`` = 1/2 or the quorum) and ``verdict``.
    """
    cast = (~np.isnan(matrix)).sum(axis=1) if matrix.size else np.zeros(0, int)
    rows = matrix[cast >= 1] if matrix.size else matrix
    n_i = cast[cast >= 1]
    out: dict[str, Any] = {"n_signatures": int(n_i.size)}
    if n_i.size < 3:
        return {**out, "verdict": "too few signatures"}
    approvals = np.nansum(rows, axis=1).astype(int)
    k_i = approvals_needed(n_i, rule, quorum)
    passed = approvals >= k_i
    low, high = wilson_interval(int(passed.sum()), int(passed.size), confidence)
    p = float(approvals.sum() / n_i.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate bootstraps (unanimous votes) give NaN intervals
        ev = effective_voters(rows, confidence=confidence, n_boot=n_boot, seed=seed)
    out.update(
        mean_votes=float(n_i.mean()),
        approve_share=p,
        rho=ev.rho,
        rho_low=ev.correlation.ci_low,
        rho_high=ev.correlation.ci_high,
        n_eff=ev.n_eff,
        n_eff_low=ev.n_eff_low,
        n_eff_high=ev.n_eff_high,
        observed=float(passed.mean()),
        obs_low=float(low),
        obs_high=float(high),
        binomial=float(binomial_confirm_prob(n_i, k_i, p).mean()),
    )
    rho = ev.rho if np.isfinite(ev.rho) else 0.0
    out["effective"] = float(effective_confirm_prob(n_effective(n_i, rho), p, rule, quorum).mean())
    share = quorum if rule == "supermajority" else 0.5
    if 0 < p < 1:
        fit = fit_betabinom(rows)
        out.update(
            betabinomial=float(betabinomial_confirm_prob(n_i, k_i, fit.alpha, fit.beta).mean()),
            bb_rho=fit.rho,
            bb_limit=float(stats.beta.sf(share, fit.alpha, fit.beta)),
        )
    else:
        out.update(betabinomial=np.nan, bb_rho=np.nan, bb_limit=float(p > share))
    if not np.isfinite(ev.rho):
        out["verdict"] = "unanimous: no error to correlate"
    elif out["obs_low"] <= out["binomial"] <= out["obs_high"]:
        out["verdict"] = "consistent with independence"
    else:
        out["verdict"] = "independence fails"
    return out


CLASSES = {"genuine": "genuine", "false positive": "false_positive", "forged": "forged"}


def signature_class(votes: pd.DataFrame) -> pd.Series:
    """``genuine``, ``forged`` or ``false positive`` (honest, matching no campaign) per vote row."""
    return pd.Series(
        np.where(votes["genuine"], "genuine", np.where(votes["forged"], "forged", "false positive")), index=votes.index
    )


def cell_table(
    votes: pd.DataFrame,
    by: list[str],
    rule: str = "majority",
    quorum: float = 2 / 3,
    confidence: float = 0.95,
    n_boot: int = 499,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`compare` per group of ``by`` and signature class, one row each (classes with no vote are absent)."""
    data = votes.assign(sig_class=signature_class(votes).to_numpy())
    rows = []
    for key, group in data.groupby([*by, "sig_class"], sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            {
                **dict(zip([*by, "sig_class"], key)),
                **compare(vote_matrix(group), rule, quorum, confidence, n_boot, seed),
            }
        )
    columns = [
        *by,
        "sig_class",
        "n_signatures",
        "mean_votes",
        "approve_share",
        "rho",
        "rho_low",
        "rho_high",
        "n_eff",
        "n_eff_low",
        "n_eff_high",
        "observed",
        "obs_low",
        "obs_high",
        "binomial",
        "effective",
        "betabinomial",
        "bb_rho",
        "bb_limit",
        "verdict",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


@dataclass(frozen=True)
class VoteFindings:
    """What study 06 found: :func:`compare` per cell (``by`` and signature class, :func:`cell_table`)."""

    table: pd.DataFrame
    by: list[str]


def analyse(design: StudyDesign, votes: pd.DataFrame, n_boot: int = 499, seed: int = 0) -> VoteFindings:
    """The cell table of the honest votes the design's runs kept (``design.kept(results, "votes")``), per
    topology and kind of voter (:func:`voter_kind`)."""
    votes = votes.assign(voters=voter_kind(votes).to_numpy())
    return VoteFindings(cell_table(votes, BY, n_boot=n_boot, seed=seed), BY)
