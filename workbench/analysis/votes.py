"""Do voters err independently? Correlation of votes on the same signature, and what it costs.

Input everywhere is a *vote matrix*: one row per signature, one column per voter (node), with
``1`` for approve, ``-1`` or ``0`` for reject and NaN where that node did not vote on that signature.
The model's own table (``+1`` / ``-1`` / ``0`` = no vote) converts with :func:`from_signed_votes`.
For each signature ``i`` this gives ``n_i`` votes cast and ``y_i`` approvals.

Condorcet's jury theorem assumes the votes on a signature are independent. If they share a cause
(one detector family, overlapping traffic), votes on the same signature are *exchangeable but
correlated*: ``y_i`` is then over-dispersed relative to the binomial. The standard model is the
beta-binomial: each signature has its own approval probability ``p_i ~ Beta(alpha, beta)``, votes are
Bernoulli(``p_i``) given it, and the intra-class correlation of two votes on one signature is
``rho = 1 / (alpha + beta + 1)``. ``n`` such votes carry the information of ``n_eff = n / (1 + (n-1) rho)``
independent ones (the design effect of cluster sampling).

Mixing signatures whose approval rates differ *by design* (malicious and benign ones) inflates
``rho``; pass one class at a time (or votes coded as correct / wrong) to measure shared error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats

from workbench.validation import Range, check_int, check_number


def from_signed_votes(votes: ArrayLike, voters: ArrayLike | None = None) -> np.ndarray:
    """The model's vote table (``+1`` approve, ``-1`` reject, ``0`` no vote) as a vote matrix with NaN for no vote.

    ``votes`` has shape ``(n_signatures, n_nodes)`` as the model's signature table keeps it;
    ``voters`` (optional boolean mask or index array over nodes, e.g. the honest nodes) keeps only
    those columns. Returns floats in {1, -1, NaN}.
    """
    v = np.asarray(votes)
    if v.ndim != 2:
        raise ValueError(f"votes has shape {v.shape}; expected a 2-d table signatures x nodes")
    if not np.isin(v, (-1, 0, 1)).all():
        raise ValueError("votes contains values other than -1, 0, 1; expected the model's signed vote table")
    out = np.where(v == 0, np.nan, v.astype(float))
    return out if voters is None else out[:, np.asarray(voters)]


def approval_counts(votes: ArrayLike | pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(approvals, votes_cast)`` per signature (row) of a vote matrix, as integer arrays.

    Values must be 1 (approve), 0 or -1 (reject) or NaN (no vote); anything else raises ``ValueError``.
    A matrix holding both -1 and 0 is refused as ambiguous: in the model's own table 0 means "did not
    vote", so convert it with :func:`from_signed_votes` first.
    """
    v = np.asarray(votes, dtype=float)
    if v.ndim != 2:
        raise ValueError(f"votes has shape {v.shape}; expected a 2-d matrix signatures x voters")
    cast = ~np.isnan(v)
    bad = cast & ~np.isin(v, (-1.0, 0.0, 1.0))
    if bad.any():
        raise ValueError(f"votes contains {v[bad][0]!r}; expected 1 (approve), 0 or -1 (reject), or NaN (no vote)")
    if (v == -1).any() and (v == 0).any():
        raise ValueError(
            "votes contains both -1 and 0; ambiguous (is 0 a reject or no vote?). Use NaN for no vote, "
            "e.g. from_signed_votes(model_votes)"
        )
    return (v == 1).sum(axis=1).astype(np.int64), cast.sum(axis=1).astype(np.int64)


def anova_icc(approvals: np.ndarray, cast: np.ndarray, axis: int = -1) -> np.ndarray:
    """ANOVA (moment) estimator of the intra-class correlation for clustered binary data.

    For ``K`` clusters (signatures) of sizes ``n_i`` with ``y_i`` successes, ``N = sum n_i``::

        MSB = (sum y_i^2 / n_i - (sum y_i)^2 / N) / (K - 1)        between-signature mean square
        MSW = (sum y_i - sum y_i^2 / n_i) / (N - K)                 within-signature mean square
        n0  = (N - sum n_i^2 / N) / (K - 1)                         average cluster size, adjusted
        rho = (MSB - MSW) / (MSB + (n0 - 1) MSW)

    (Fleiss 1981; Ridout, Demetrio & Firth 1999, Biometrics 55:137). It uses every pair of votes cast
    together on a signature and is consistent under the beta-binomial model. Its range is
    ``[-1/(n0 - 1), 1]``; NaN when the votes do not vary at all (``MSB + (n0-1) MSW = 0``) or fewer than
    two signatures are given. Vectorised: clusters lie along ``axis``, other axes are kept.
    """
    y = np.moveaxis(np.asarray(approvals, dtype=float), axis, -1)
    n = np.moveaxis(np.asarray(cast, dtype=float), axis, -1)
    k = n.shape[-1]
    total = n.sum(axis=-1)
    sum_y = y.sum(axis=-1)
    sum_y2n = (y**2 / n).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        msb = (sum_y2n - sum_y**2 / total) / (k - 1)
        msw = (sum_y - sum_y2n) / (total - k)
        n0 = (total - (n**2).sum(axis=-1) / total) / (k - 1)
        denominator = msb + (n0 - 1) * msw
        rho = np.where(denominator > 0, (msb - msw) / denominator, np.nan)
    return rho


def n_effective(n: ArrayLike, rho: ArrayLike) -> np.ndarray:
    """Effective number of independent voters ``n_eff = n / (1 + (n - 1) rho)`` (elementwise).

    ``rho = 0`` gives ``n``; ``rho = 1`` gives 1; negative ``rho`` gives more than ``n`` and ``inf`` at or
    below ``rho = -1 / (n - 1)``, where the formula has no finite value.
    """
    n, rho = np.asarray(n, dtype=float), np.asarray(rho, dtype=float)
    denominator = 1 + (n - 1) * rho
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, n / denominator, np.where(np.isnan(denominator), np.nan, np.inf))


@dataclass(frozen=True)
class VoteCorrelation:
    """Intra-class correlation of votes on the same signature, with a bootstrap interval.

    ``rho`` (ANOVA estimator, :func:`anova_icc`) and its percentile interval ``ci_low``..``ci_high``
    from resampling signatures; ``n_signatures`` with at least two votes (the others carry no pair);
    ``n_pairs`` pairs of votes cast together; ``mean_votes`` votes per signature (``n`` in ``n_eff``);
    ``approve_share`` approvals / votes cast.
    """

    rho: float
    ci_low: float
    ci_high: float
    n_signatures: int
    n_pairs: int
    mean_votes: float
    approve_share: float
    confidence: float


def vote_correlation(
    votes: ArrayLike | pd.DataFrame, confidence: float = 0.95, n_boot: int = 999, seed: int = 0
) -> VoteCorrelation:
    """Pairwise correlation ``rho`` of votes cast on the same signature (see the module docstring).

    Signatures with fewer than two votes are left out (they contain no pair). The interval resamples
    signatures with replacement (``scipy.stats.bootstrap``, percentile method, ``n_boot`` resamples,
    seeded by ``seed``): signatures are the independent units, votes within one are not.
    """
    check_number("confidence", confidence, Range(0, 1, low_open=True, high_open=True))
    check_int("n_boot", n_boot, low=1)
    y, n = approval_counts(votes)
    keep = n >= 2
    y, n = y[keep], n[keep]
    rho = float(anova_icc(y, n)) if y.size >= 2 else np.nan
    low = high = np.nan
    if y.size >= 3 and np.isfinite(rho):
        res = stats.bootstrap(
            (y, n),
            anova_icc,
            paired=True,
            vectorized=True,
            n_resamples=n_boot,
            confidence_level=confidence,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return VoteCorrelation(
        rho=rho,
        ci_low=low,
        ci_high=high,
        n_signatures=int(y.size),
        n_pairs=int((n * (n - 1) // 2).sum()),
        mean_votes=float(n.mean()) if n.size else np.nan,
        approve_share=float(y.sum() / n.sum()) if n.size else np.nan,
        confidence=confidence,
    )


@dataclass(frozen=True)
class EffectiveVoters:
    """``n`` voters per signature, their correlation ``rho`` and the effective number ``n_eff``.

    ``n_eff_low``..``n_eff_high`` maps the interval of ``rho`` through :func:`n_effective` (which
    decreases in ``rho``, so the high ``rho`` gives the low ``n_eff``).
    """

    n: float
    rho: float
    n_eff: float
    n_eff_low: float
    n_eff_high: float
    correlation: VoteCorrelation


def effective_voters(
    votes: ArrayLike | pd.DataFrame, n: float | None = None, confidence: float = 0.95, n_boot: int = 999, seed: int = 0
) -> EffectiveVoters:
    """Effective number of independent voters ``n / (1 + (n - 1) rho)`` from a vote matrix.

    ``rho`` comes from :func:`vote_correlation`; ``n`` defaults to the mean number of votes cast per
    signature (among signatures with at least two), or give the committee size you want to judge.
    """
    corr = vote_correlation(votes, confidence=confidence, n_boot=n_boot, seed=seed)
    size = corr.mean_votes if n is None else float(check_number("n", n, Range(low=1)))
    return EffectiveVoters(
        n=size,
        rho=corr.rho,
        n_eff=float(n_effective(size, corr.rho)),
        n_eff_low=float(n_effective(size, corr.ci_high)),
        n_eff_high=float(n_effective(size, corr.ci_low)),
        correlation=corr,
    )


@dataclass(frozen=True)
class BetaBinomialFit:
    """Maximum-likelihood beta-binomial fit of approvals per signature.

    ``alpha``, ``beta`` (> 0); the implied mean approval probability ``p = alpha / (alpha + beta)``
    and correlation ``rho = 1 / (alpha + beta + 1)``; the maximised log-likelihood; ``converged``.
    """

    alpha: float
    beta: float
    p: float
    rho: float
    loglik: float
    n_signatures: int
    converged: bool


MAX_PRECISION = 1e7  # alpha + beta beyond this is indistinguishable from independent votes (rho < 1e-7)


def fit_betabinom(votes: ArrayLike | pd.DataFrame) -> BetaBinomialFit:
    """Fit ``approvals_i ~ BetaBinomial(n_i, alpha, beta)`` by maximum likelihood (``scipy.stats.betabinom``).

    Signatures may have different numbers of votes ``n_i``; those with none are left out. The
    likelihood is maximised over ``(logit p, log(alpha + beta))`` with L-BFGS-B (``scipy.optimize``),
    starting from the moment estimates (pooled share, :func:`anova_icc`); ``alpha + beta`` is bounded
    to ``[1e-3, 1e7]``, so independent votes give ``rho`` near 0 rather than an overflow.
    """
    y, n = approval_counts(votes)
    keep = n >= 1
    y, n = y[keep], n[keep]
    if y.size == 0:
        raise ValueError("votes has no signature with a vote cast; cannot fit a beta-binomial")
    p0 = np.clip(y.sum() / n.sum(), 1e-3, 1 - 1e-3)
    rho0 = anova_icc(y[n >= 2], n[n >= 2]) if (n >= 2).sum() >= 2 else np.nan
    rho0 = float(np.clip(rho0, 1e-3, 0.9)) if np.isfinite(rho0) else 0.1
    start = np.array([np.log(p0 / (1 - p0)), np.log(1 / rho0 - 1)])

    def negloglik(theta: np.ndarray) -> float:
        p = 1 / (1 + np.exp(-theta[0]))
        s = np.exp(theta[1])
        return -float(stats.betabinom.logpmf(y, n, p * s, (1 - p) * s).sum())

    res = optimize.minimize(
        negloglik, start, method="L-BFGS-B", bounds=[(-20, 20), (np.log(1e-3), np.log(MAX_PRECISION))]
    )
    p = 1 / (1 + np.exp(-res.x[0]))
    s = float(np.exp(res.x[1]))
    return BetaBinomialFit(
        alpha=float(p * s),
        beta=float((1 - p) * s),
        p=float(p),
        rho=1 / (s + 1),
        loglik=-float(res.fun),
        n_signatures=int(y.size),
        converged=bool(res.success),
    )
