"""Confirmation-rate predictions against scipy's own pmf sums."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from workbench.analysis.confirmation import (
    betabinom_params,
    betabinomial_confirm_prob,
    binomial_confirm_prob,
    confirmation_predictions,
    effective_confirm_prob,
)
from workbench.model.consensus import approvals_needed


@pytest.mark.parametrize("n, p", [(5, 0.6), (11, 0.7), (20, 0.3)])
def test_binomial_tail_is_the_pmf_sum_over_k_to_n(n, p):
    for k in range(n + 2):
        expected = stats.binom.pmf(np.arange(k, n + 1), n, p).sum()
        assert binomial_confirm_prob(n, k, p) == pytest.approx(expected, abs=1e-12)


def test_effective_is_the_rule_applied_to_integer_committees_and_interpolates_between():
    p = 0.7
    for m in range(1, 16):
        k = int(approvals_needed(m, "supermajority", 0.75))
        expected = stats.binom.pmf(np.arange(k, m + 1), m, p).sum()
        assert effective_confirm_prob(m, p, "supermajority", 0.75) == pytest.approx(expected, abs=1e-12)
    at5, at6 = effective_confirm_prob([5.0, 6.0], p)
    assert effective_confirm_prob(5.25, p) == pytest.approx(0.75 * at5 + 0.25 * at6)
    np.testing.assert_allclose(effective_confirm_prob(10.0, p), binomial_confirm_prob(10, 6, p), atol=1e-12)


def test_effective_limits():
    assert effective_confirm_prob(np.inf, 0.7) == 1.0 and effective_confirm_prob(np.inf, 0.4) == 0.0
    assert effective_confirm_prob(np.inf, 0.7, "supermajority", 0.75) == 0.0
    assert effective_confirm_prob(0.4, 0.7) == pytest.approx(0.7)  # below one voter: a single vote decides
    assert np.isnan(effective_confirm_prob(np.nan, 0.7))


def test_betabinomial_tail_is_the_pmf_sum_and_params_round_trip():
    a, b = betabinom_params(0.8, 0.2)
    assert a / (a + b) == pytest.approx(0.8) and 1 / (a + b + 1) == pytest.approx(0.2)
    for k in range(12):
        expected = stats.betabinom.pmf(np.arange(k, 11), 10, a, b).sum()
        assert betabinomial_confirm_prob(10, k, a, b) == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError, match="rho="):
        betabinom_params(0.5, 0.0)


def test_predictions_together_correlation_lowers_a_supermajority_s_confirmation_rate():
    pred = confirmation_predictions(15, p=0.8, rho=0.2, rule="supermajority", quorum=2 / 3)
    assert pred["k"] == 10
    assert pred["n_eff"] == pytest.approx(15 / (1 + 14 * 0.2))
    assert pred["betabinomial"] < pred["binomial"] and pred["effective"] < pred["binomial"]
    independent = confirmation_predictions(15, p=0.8, rho=0.0, rule="supermajority", quorum=2 / 3)
    assert independent["effective"] == pytest.approx(independent["binomial"]) and np.isnan(independent["betabinomial"])
