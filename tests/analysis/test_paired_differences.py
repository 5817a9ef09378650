"""The one seed-paired difference of the analysis layer (workbench.analysis.paired) against scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.analysis.paired import holm, paired_difference, paired_p, paired_values


def _scipy_interval(d: np.ndarray, confidence: float) -> tuple[float, float]:
    half = stats.t.ppf(0.5 + confidence / 2, df=d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return d.mean() - half, d.mean() + half


@pytest.mark.parametrize("confidence", [0.95, 0.8])
def test_paired_difference_matches_scipy_t_interval_and_ttest_rel(confidence):
    rng = np.random.default_rng(3)
    a = rng.normal(0.5, 0.2, size=12)
    b = a - rng.normal(0.1, 0.15, size=12)
    result = paired_difference(a, b, confidence)
    low, high = _scipy_interval(a - b, confidence)
    assert result.n == 12
    assert result.diff == pytest.approx(np.mean(a - b), rel=1e-12)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert result.p_value == pytest.approx(stats.ttest_rel(a, b).pvalue, rel=1e-10)
    assert (result.a_mean, result.b_mean) == pytest.approx((a.mean(), b.mean()), rel=1e-12)
    assert result.confidence == confidence


def test_the_interval_excludes_zero_exactly_when_the_p_value_is_below_its_level():
    rng = np.random.default_rng(11)
    for shift in np.linspace(-0.3, 0.3, 13):
        a = rng.normal(size=8)
        b = a - shift - rng.normal(0, 0.2, size=8)
        result = paired_difference(a, b)
        assert result.excludes_zero == (result.p_value < 0.05)


def test_fewer_than_two_pairs_give_no_interval_and_no_p_value():
    one = paired_difference([0.4], [0.1])
    assert one.n == 1 and one.diff == pytest.approx(0.3)
    assert np.isnan(one.ci_low) and np.isnan(one.ci_high) and np.isnan(one.p_value) and not one.excludes_zero
    none = paired_difference([np.nan, 1.0], [0.2, np.nan])
    assert none.n == 0
    assert all(np.isnan(v) for v in (none.diff, none.ci_low, none.ci_high, none.p_value, none.a_mean, none.b_mean))


def test_identical_pairs_give_a_zero_width_interval():
    a = np.array([0.125, 0.75, 0.375, 0.875])  # dyadic: the shifts below are exact
    same = paired_difference(a, a.copy())
    assert (same.diff, same.ci_low, same.ci_high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    assert not same.excludes_zero
    # every pair differs by the same (exactly representable) amount: zero width, certainly non-zero
    shifted = paired_difference(a + 0.5, a - 0.5)
    assert shifted.ci_low == shifted.ci_high == 1.0 and shifted.p_value == 0.0
    assert shifted.excludes_zero


def test_series_are_paired_on_the_seed_and_unpaired_seeds_are_dropped():
    a = pd.Series([0.5, 0.6, 0.2, 0.9], index=[101, 102, 103, 104])
    b = pd.Series([0.3, 0.1, 0.4, 0.0], index=[104, 102, 101, 105])  # another order; 103 and 105 unpaired
    result = paired_difference(a, b)
    x = np.array([0.5, 0.6, 0.9])  # seeds 101, 102, 104
    y = np.array([0.4, 0.1, 0.3])
    low, high = _scipy_interval(x - y, 0.95)
    assert result.n == 3
    assert (result.diff, result.ci_low, result.ci_high) == pytest.approx(((x - y).mean(), low, high), rel=1e-12)
    assert result.p_value == pytest.approx(stats.ttest_rel(x, y).pvalue, rel=1e-10)
    assert (result.a_mean, result.b_mean) == pytest.approx((x.mean(), y.mean()))


def test_a_nan_on_either_side_drops_that_pair_only():
    a = np.array([0.5, np.nan, 0.2, 0.9, 0.4])
    b = np.array([0.1, 0.3, np.nan, 0.5, 0.45])
    x, y = paired_values(a, b)
    assert x.tolist() == [0.5, 0.9, 0.4] and y.tolist() == [0.1, 0.5, 0.45]
    assert paired_difference(a, b).n == 3


def test_pairing_that_cannot_be_defined_is_refused():
    with pytest.raises(ValueError, match="equal lengths"):
        paired_difference([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"repeats the pairing key\(s\) \[7\]"):
        paired_difference(pd.Series([1.0, 2.0], index=[7, 7]), pd.Series([1.0], index=[7]))
    with pytest.raises(ValueError, match="confidence=1.5"):
        paired_difference([1.0, 2.0], [0.0, 0.5], confidence=1.5)


def test_paired_p_edge_cases():
    assert np.isnan(paired_p([0.3]))
    assert paired_p([0.25, 0.25, 0.25]) == 0.0 and paired_p([0.0, 0.0]) == 1.0
    d = np.array([0.1, -0.05, 0.3, 0.2])
    assert paired_p(d) == pytest.approx(stats.ttest_1samp(d, 0.0).pvalue, rel=1e-10)


def test_holm_against_its_definition():
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.5, 0.2])
    finite = p[np.isfinite(p)]
    m = finite.size
    order = np.argsort(finite)
    expected = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):  # step down: the i-th smallest times (m - i), never below the one before
        running = max(running, min(1.0, (m - rank) * finite[i]))
        expected[i] = running
    adjusted = holm(p)
    assert np.isnan(adjusted[3])
    assert adjusted[np.isfinite(p)] == pytest.approx(expected)
    assert np.isnan(holm([np.nan, np.nan])).all() and holm([]).size == 0
