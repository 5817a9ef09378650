"""Vote correlation, effective voters and the beta-binomial fit on synthetic votes with known correlation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.analysis.votes import (
    anova_icc,
    approval_counts,
    effective_voters,
    fit_betabinom,
    from_signed_votes,
    n_effective,
    vote_correlation,
)


def beta_binomial_votes(
    seed: int, p: float, rho: float, signatures: int = 2000, voters: int = 10, missing: float = 0.0, coding: str = "01"
) -> np.ndarray:
    """Exchangeable votes: p_i ~ Beta(p (1/rho - 1), (1-p)(1/rho - 1)), votes Bernoulli(p_i); rho = 0 is iid."""
    rng = np.random.default_rng(seed)
    if rho > 0:
        s = 1 / rho - 1
        p_i = rng.beta(p * s, (1 - p) * s, size=(signatures, 1))
    else:
        p_i = np.full((signatures, 1), p)
    votes = (rng.random((signatures, voters)) < p_i).astype(float)
    if coding == "pm":
        votes = 2 * votes - 1
    votes[rng.random(votes.shape) < missing] = np.nan
    return votes


def test_approval_counts_reads_both_codings_and_skips_nan():
    y, n = approval_counts([[1, 0, np.nan], [1, 0, 1], [np.nan, np.nan, np.nan]])
    assert y.tolist() == [1, 2, 0] and n.tolist() == [2, 3, 0]
    y, n = approval_counts([[1, -1, np.nan], [1, -1, 1]])
    assert y.tolist() == [1, 2] and n.tolist() == [2, 3]
    with pytest.raises(ValueError, match="expected 1"):
        approval_counts([[2, 1]])
    with pytest.raises(ValueError, match="2-d"):
        approval_counts([1, 0])
    with pytest.raises(ValueError, match="ambiguous"):
        approval_counts([[1, -1, 0]])


def test_model_signed_votes_convert_with_zero_as_no_vote():
    table = np.array([[1, 0, -1], [0, 0, 1]], dtype=np.int8)
    matrix = from_signed_votes(table)
    np.testing.assert_array_equal(np.isnan(matrix), table == 0)
    y, n = approval_counts(matrix)
    assert y.tolist() == [1, 1] and n.tolist() == [2, 1]
    assert from_signed_votes(table, voters=[True, False, True]).shape == (2, 2)
    with pytest.raises(ValueError, match="signed vote table"):
        from_signed_votes([[2, 0]])


def test_anova_icc_on_a_hand_computed_example():
    # clusters (y, n): (2, 2), (0, 2), (1, 2): N=6, K=3, sum y=3, sum y^2/n = 2 + 0 + 0.5 = 2.5
    # MSB = (2.5 - 9/6) / 2 = 0.5, MSW = (3 - 2.5) / 3 = 1/6, n0 = 2 -> rho = (1/2 - 1/6) / (1/2 + 1/6) = 0.5
    assert anova_icc(np.array([2, 0, 1]), np.array([2, 2, 2])) == pytest.approx(0.5)
    assert np.isnan(anova_icc(np.array([2, 2]), np.array([2, 2])))  # no variation at all


@pytest.mark.parametrize("rho", [0.05, 0.2, 0.5])
def test_recovers_known_correlation_and_n_eff_within_sampling_error(rho):
    covered = 0
    for seed in range(3):
        votes = beta_binomial_votes(seed, p=0.8, rho=rho, missing=0.2, coding="pm")
        eff = effective_voters(votes, n=10, n_boot=300, seed=seed)
        assert abs(eff.rho - rho) < 0.05
        assert eff.correlation.ci_low < eff.rho < eff.correlation.ci_high
        true_n_eff = 10 / (1 + 9 * rho)
        assert abs(eff.n_eff - true_n_eff) / true_n_eff < 0.25
        assert eff.n_eff_low <= eff.n_eff <= eff.n_eff_high
        covered += eff.correlation.ci_low <= rho <= eff.correlation.ci_high
        assert eff.correlation.mean_votes == pytest.approx(8, abs=0.2)  # 20% of 10 votes missing
    assert covered >= 2


def test_independent_votes_give_rho_near_zero_and_n_eff_near_n():
    for seed in range(3):
        eff = effective_voters(beta_binomial_votes(seed, p=0.7, rho=0.0), n_boot=300, seed=seed)
        assert abs(eff.rho) < 0.03
        assert eff.n_eff == pytest.approx(10, rel=0.25)
    assert n_effective(10, 0.0) == 10.0


def test_n_effective_formula_edges():
    np.testing.assert_allclose(n_effective([10, 10, 1], [0.0, 1.0, 0.3]), [10.0, 1.0, 1.0])
    assert n_effective(10, 1 / 9) == pytest.approx(5.0)
    assert np.isinf(n_effective(10, -1 / 9)) and n_effective(10, -0.05) > 10
    assert np.isnan(n_effective(10, np.nan))


def test_vote_correlation_accepts_frames_and_drops_signatures_without_pairs():
    votes = beta_binomial_votes(4, p=0.6, rho=0.3, signatures=300, voters=6)
    votes[:50, 1:] = np.nan  # 50 signatures with a single vote: no pairs
    corr = vote_correlation(pd.DataFrame(votes), n_boot=200)
    assert corr.n_signatures == 250
    assert corr.n_pairs == 250 * 15
    assert 0 < corr.approve_share < 1


def test_betabinom_fit_recovers_parameters_and_maximises_scipys_likelihood():
    votes = beta_binomial_votes(5, p=0.75, rho=0.25, missing=0.1)
    fit = fit_betabinom(votes)
    assert fit.converged
    assert fit.p == pytest.approx(0.75, abs=0.03) and fit.rho == pytest.approx(0.25, abs=0.05)
    y, n = approval_counts(votes)
    y, n = y[n > 0], n[n > 0]
    assert fit.loglik == pytest.approx(stats.betabinom.logpmf(y, n, fit.alpha, fit.beta).sum())
    for a, b in ((fit.alpha * 1.2, fit.beta), (fit.alpha, fit.beta * 1.2), (2.25, 0.75)):
        assert stats.betabinom.logpmf(y, n, a, b).sum() < fit.loglik
    independent = fit_betabinom(beta_binomial_votes(6, p=0.7, rho=0.0))
    assert independent.rho < 0.02
