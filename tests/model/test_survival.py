"""The Kaplan-Meier median the campaign outcomes use (``workbench.model.survival.km_median``), with censoring."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.model.survival import km_median


def test_km_median_matches_the_textbook_example():
    # Freireich et al. (1963) 6-MP arm, remission times in weeks ('+' = censored), as tabulated in
    # Kleinbaum & Klein, Survival Analysis: the Kaplan-Meier median is 23 weeks.
    times = np.array([6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35], float)
    censored = {3, 5, 7, 8, 11, 12, 13, 16, 17, 18, 19, 20}
    reached = np.array([i not in censored for i in range(times.size)])
    assert km_median(times, reached) == 23.0


def test_km_median_without_censoring_is_the_sample_median_rule():
    assert km_median(np.array([1.0, 2, 3, 4]), np.ones(4, bool)) == 2.0  # S(2) = 0.5
    assert km_median(np.array([1.0, 2, 3]), np.ones(3, bool)) == 2.0


def test_km_median_is_nan_when_never_reached_or_too_censored():
    assert np.isnan(km_median(np.array([5.0, 5, 5]), np.zeros(3, bool)))
    assert np.isnan(km_median(np.array([1.0, 9, 9, 9]), np.array([True, False, False, False])))
    assert np.isnan(km_median(np.array([]), np.array([], bool)))
    with pytest.raises(ValueError, match="same shape"):
        km_median(np.array([1.0, 2]), np.array([True]))
