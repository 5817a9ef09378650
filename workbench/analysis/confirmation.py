"""Predicted confirmation rates: P(approvals >= k) under independent, effective and correlated voters.

``n`` voters each approve a signature with probability ``p`` (their accuracy on a true threat, or
their false-approval rate on a forged / benign one); the signature is confirmed when at least ``k``
approve (``k`` from :func:`workbench.model.consensus.approvals_needed`). Three predictions:

- ``binomial``: Condorcet's independent voters, ``P(Bin(n, p) >= k)``.
- ``effective``: the same rule applied to a committee of ``n_eff`` independent voters,
  ``P(Bin(m, p) >= approvals_needed(m))``, linearly interpolated between the integers around ``n_eff``.
- ``betabinomial``: correlated voters, ``P(BetaBin(n, alpha, beta) >= k)`` with ``alpha``, ``beta``
  fitted (:func:`workbench.analysis.votes.fit_betabinom`) or from ``(p, rho)`` (:func:`betabinom_params`).

All functions broadcast over array arguments and return probabilities in [0, 1].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from workbench.analysis.votes import n_effective
from workbench.model.consensus import approvals_needed


def binomial_confirm_prob(n: ArrayLike, k: ArrayLike, p: ArrayLike) -> np.ndarray:
    """``P(Bin(n, p) >= k)`` for integer ``n >= 0``, ``k``, accuracy ``p`` in [0, 1] (``binom.sf(k - 1, n, p)``)."""
    return np.asarray(stats.binom.sf(np.asarray(k) - 1, n, p), dtype=float)


def effective_confirm_prob(n_eff: ArrayLike, p: ArrayLike, rule: str = "majority", quorum: float = 2 / 3) -> np.ndarray:
    """Binomial confirmation probability for a committee of ``n_eff`` independent voters under ``rule``.

    At integer ``m`` this is ``P(Bin(m, p) >= k_m)`` with ``k_m = approvals_needed(m, rule, quorum)``:
    the same rule applied to ``m`` independent voters. A real ``n_eff`` interpolates linearly between
    ``floor(n_eff)`` and ``ceil(n_eff)``; ``n_eff < 1`` counts as one voter (a signature needs a vote),
    ``n_eff = inf`` (perfectly anti-correlated votes) gives the law-of-large-numbers limit: 1 where
    ``p`` exceeds the rule's share (1/2, or ``quorum``), 0 below it, 1/2 at it.
    """
    n_eff, p = np.broadcast_arrays(np.asarray(n_eff, dtype=float), np.asarray(p, dtype=float))
    finite = np.isfinite(n_eff)
    m = np.where(finite, np.maximum(n_eff, 1.0), 1.0)
    lower, upper = np.floor(m), np.ceil(m)

    def tail(size: np.ndarray) -> np.ndarray:
        k = approvals_needed(size.astype(np.int64), rule, quorum)
        return np.asarray(stats.binom.sf(k - 1, size, p), dtype=float)

    weight = m - lower
    interpolated = (1 - weight) * tail(lower) + weight * tail(upper)
    share = quorum if rule == "supermajority" else 0.5
    limit = np.where(p > share, 1.0, np.where(p < share, 0.0, 0.5))
    return np.where(finite, interpolated, np.where(np.isnan(n_eff), np.nan, limit))


def betabinom_params(p: ArrayLike, rho: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``(alpha, beta)`` of the beta-binomial with mean ``p`` in (0, 1) and correlation ``rho`` in (0, 1).

    ``alpha = p (1 / rho - 1)``, ``beta = (1 - p)(1 / rho - 1)``, since ``rho = 1 / (alpha + beta + 1)``.
    """
    p, rho = np.asarray(p, dtype=float), np.asarray(rho, dtype=float)
    if ((rho <= 0) | (rho >= 1)).any():
        raise ValueError(f"rho={rho!r} is out of range; expected a number with 0 < x < 1")
    if ((p <= 0) | (p >= 1)).any():
        raise ValueError(f"p={p!r} is out of range; expected a number with 0 < x < 1")
    precision = 1 / rho - 1
    return p * precision, (1 - p) * precision


def betabinomial_confirm_prob(n: ArrayLike, k: ArrayLike, alpha: ArrayLike, beta: ArrayLike) -> np.ndarray:
    """``P(BetaBin(n, alpha, beta) >= k)`` (``betabinom.sf(k - 1, n, alpha, beta)``)."""
    return np.asarray(stats.betabinom.sf(np.asarray(k) - 1, n, alpha, beta), dtype=float)


def confirmation_predictions(
    n: int, p: float, rho: float, rule: str = "majority", quorum: float = 2 / 3
) -> dict[str, float]:
    """The three predictions for one committee of ``n`` voters with accuracy ``p`` and correlation ``rho``.

    ``k = approvals_needed(n, rule, quorum)``. Keys ``binomial``, ``effective`` (with
    ``n_eff = n / (1 + (n-1) rho)``), ``betabinomial`` (NaN unless ``0 < rho < 1``: no beta-binomial
    has zero or negative correlation), ``n_eff`` and ``k``.
    """
    k = int(approvals_needed(n, rule, quorum))
    n_eff = float(n_effective(n, rho))
    if 0 < rho < 1 and 0 < p < 1:
        a, b = betabinom_params(p, rho)
        beta_binomial = float(betabinomial_confirm_prob(n, k, a, b))
    else:
        beta_binomial = np.nan
    return {
        "binomial": float(binomial_confirm_prob(n, k, p)),
        "effective": float(effective_confirm_prob(n_eff, p, rule, quorum)),
        "betabinomial": beta_binomial,
        "n_eff": n_eff,
        "k": k,
    }
