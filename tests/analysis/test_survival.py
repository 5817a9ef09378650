"""Kaplan-Meier median with censoring, on the textbook leukaemia remission data (Freireich et al. 1963)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.survival import km_median, km_median_table

# weeks of remission, 6-MP arm; False = censored (still in remission when last seen)
MP_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_RELAPSED = [
    True,
    True,
    True,
    False,
    True,
    False,
    True,
    False,
    False,
    True,
    True,
    False,
    False,
    False,
    True,
    True,
    False,
    False,
    False,
    False,
    False,
]
PLACEBO_WEEKS = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


def test_textbook_medians_with_censoring():
    # 6-MP: S(22) = 0.538, S(23) = 0.448 (Kaplan-Meier by hand) -> median 23 weeks; placebo: S(8) = 8/21 -> 8
    mp = km_median(MP_WEEKS, MP_RELAPSED)
    assert mp.median == 23.0 and mp.n == 21 and mp.n_events == 9
    assert mp.ci_low <= 23 and np.isnan(mp.ci_high)  # the upper band never reaches 0.5: upper end unknown
    placebo = km_median(PLACEBO_WEEKS, [True] * 21)
    assert placebo.median == 8.0
    assert placebo.ci_low <= 8 <= placebo.ci_high


def test_linear_band_matches_greenwood_by_hand():
    # Greenwood at t = 11 (placebo): S = 6/21, sum d/(n(n-d)) = 0.119048 -> S + 1.96 se = 0.479 <= 0.5,
    # at t = 8: S = 8/21, upper = 0.589 > 0.5, so the upper limit of the median is 11 weeks.
    assert km_median(PLACEBO_WEEKS, [True] * 21, method="linear").ci_high == 11.0


def test_censoring_is_not_ignored():
    # dropping the censored runs: S falls to 4/9 at 10 weeks among the 9 relapses alone
    assert km_median(np.array(MP_WEEKS)[MP_RELAPSED], [True] * 9).median == 10.0
    assert km_median(MP_WEEKS, MP_RELAPSED).median == 23.0


def test_not_reached_gives_nan_median():
    few = km_median([5, 10, 10, 10, 10], [True, False, False, False, False])
    assert np.isnan(few.median) and few.n_events == 1
    none = km_median([10, 10], [False, False])
    assert np.isnan(none.median) and none.n_events == 0


def test_bad_inputs_fail():
    with pytest.raises(ValueError, match="nan"):
        km_median([1.0, np.nan], [True, False])
    with pytest.raises(ValueError, match="one flag per time"):
        km_median([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="method="):
        km_median([1.0], [True], method="log")


def test_table_per_group_matches_the_single_call():
    frame = pd.DataFrame(
        {
            "arm": ["6-MP"] * 21 + ["placebo"] * 21,
            "weeks": MP_WEEKS + PLACEBO_WEEKS,
            "relapsed": MP_RELAPSED + [True] * 21,
            "status": "ok",
        }
    )
    table = km_median_table(frame, "weeks", "relapsed", by="arm")
    assert table["arm"].tolist() == ["6-MP", "placebo"]
    assert table["median"].tolist() == [23.0, 8.0] and table["n_events"].tolist() == [9, 21]
    assert table["reached"].all()
