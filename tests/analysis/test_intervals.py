"""wilson_interval: scipy's Wilson score interval broadcast over arrays of counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.analysis.intervals import share_table, wilson_interval


def test_matches_the_closed_form_and_scipy_elementwise():
    k = np.array([[0, 3, 10], [7, 50, 100]])
    n = np.array([[10, 10, 10], [20, 100, 100]])
    low, high = wilson_interval(k, n)
    assert low.shape == high.shape == k.shape
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    np.testing.assert_allclose(low, centre - half, atol=1e-12)
    np.testing.assert_allclose(high, centre + half, atol=1e-12)
    assert low[0, 0] == 0.0 and high[1, 2] == pytest.approx(1.0)


def test_broadcasts_zero_trials_give_nan_and_confidence_widens():
    low, _ = wilson_interval([0, 1, 2], 4)
    assert low.shape == (3,)
    low0, high0 = wilson_interval([0, 5], [0, 10])
    assert np.isnan(low0[0]) and np.isnan(high0[0]) and np.isfinite(low0[1])
    l90, h90 = wilson_interval(5, 10, confidence=0.90)
    l99, h99 = wilson_interval(5, 10, confidence=0.99)
    assert l99 < l90 < 0.5 < h90 < h99


@pytest.mark.parametrize("k, n", [(-1, 5), (6, 5), (1.5, 5), (np.nan, 5)])
def test_bad_counts_fail(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


def test_share_table_pools_counts_per_group_and_skips_failed_runs():
    frame = pd.DataFrame(
        {
            "mode": ["a", "a", "b", "b", "b"],
            "forged_confirmed": [1, 2, 0, 0, 9],
            "forged_total": [10, 10, 0, 0, 9],
            "status": ["ok", "ok", "ok", "ok", "error"],
        }
    )
    table = share_table(frame, "forged_confirmed", "forged_total", by="mode")
    assert table["mode"].tolist() == ["a", "b"]
    assert table["successes"].tolist() == [3, 0] and table["trials"].tolist() == [20, 0]
    assert table["share"].iloc[0] == pytest.approx(0.15) and np.isnan(table["share"].iloc[1])
    low, high = wilson_interval(3, 20)
    assert table["ci_low"].iloc[0] == pytest.approx(low) and table["ci_high"].iloc[0] == pytest.approx(high)
    assert table["n_runs"].tolist() == [2, 2]
