"""The base-rate study (issue 22): precision and recall from the per-step counts, the formula, the design."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import base_rate
from workbench.analysis.stats import mean_ci
from workbench.model.params import ModelParams


def _steps(rows: list[tuple]) -> pd.DataFrame:
    names = ["sharing", "attack_share", "replicate", "step", "attack_flows", "benign_flows", "attack_flagged"]
    names += ["benign_flagged", "attack_flows_blocked", "benign_flows_blocked"]
    return pd.DataFrame(rows, columns=names)


def test_per_run_sums_counts_after_the_warm_up_and_leaves_precision_undefined_when_nothing_is_blocked():
    frame = _steps(
        [
            ("none", 0.01, 0, 1, 99, 99, 99, 99, 99, 99),  # warm-up: left out
            ("none", 0.01, 0, 3, 2, 98, 1, 2, 1, 3),
            ("none", 0.01, 0, 4, 4, 96, 3, 1, 2, 0),
            ("gossip", 0.01, 0, 3, 0, 100, 0, 2, 0, 0),
        ]
    )
    runs = base_rate.per_run(frame, warmup_steps=2).set_index("sharing")
    one = runs.loc["none"]
    assert one.base_rate == pytest.approx(6 / 200) and one.detector_recall == pytest.approx(4 / 6)
    assert one.fpr == pytest.approx(3 / 194) and one.detector_precision == pytest.approx(4 / 7)
    assert one.blocking_precision == pytest.approx(3 / 6) and one.blocking_recall == pytest.approx(3 / 6)
    assert one.benign_blocked_frac == pytest.approx(3 / 194)
    other = runs.loc["gossip"]
    assert math.isnan(other.blocking_precision) and math.isnan(other.blocking_recall)
    assert other.detector_precision == 0


def test_table_gives_a_t_interval_over_replicates_and_counts_the_runs_that_blocked():
    runs = pd.DataFrame(
        {
            "sharing": ["none"] * 3,
            "attack_share": [0.1] * 3,
            "replicate": [0, 1, 2],
            **{name: [0.2, 0.4, 0.6] for name in base_rate.OUTCOMES},
        }
    ).assign(blocking_precision=[0.5, np.nan, 0.7])
    row = base_rate.table(runs).iloc[0]
    half = 4.302653 * 0.2 / math.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert row.blocking_recall == pytest.approx(0.4) and row.blocking_recall_high == pytest.approx(0.4 + half)
    assert row.runs_blocking == 2 and row.replicates == 3 and row.blocking_precision == pytest.approx(0.6)


def test_a_shares_interval_stays_inside_zero_and_one():
    runs = pd.DataFrame(
        {
            "sharing": ["none"] * 3,
            "attack_share": [0.001] * 3,
            "replicate": [0, 1, 2],
            **{name: [0.0, 0.0, 0.06] for name in base_rate.OUTCOMES},
        }
    ).assign(detector_recall=[0.95, 1.0, 0.99])
    row = base_rate.table(runs).iloc[0]
    half = 4.302653 * 0.06 / math.sqrt(3) / math.sqrt(3)  # t(0.975, 2) * sd / sqrt(n); sd of (0, 0, 0.06)
    assert 0.02 - half < 0  # the t interval would reach below zero ...
    assert row.blocking_recall_low == 0.0 and row.blocking_recall_high == pytest.approx(0.02 + half)  # ... clipped
    assert row.detector_recall_high == 1.0 and row.detector_recall_low < row.detector_recall < 1.0
    for outcome in base_rate.OUTCOMES:
        assert 0.0 <= row[f"{outcome}_low"] <= row[outcome] <= row[f"{outcome}_high"] <= 1.0


def test_mean_ci_clips_to_the_bounds_given_and_only_then():
    x = [0.0, 0.0, 0.06]
    mean, low, high = mean_ci(x)
    assert low < 0 and mean_ci(x, bounds=(0.0, 1.0)) == (mean, 0.0, high)


def test_expected_precision_is_axelssons_formula():
    assert base_rate.expected_precision(0.7, 0.017, 0.1) == pytest.approx(0.07 / (0.07 + 0.017 * 0.9))
    assert base_rate.expected_precision(0.7, 0.017, 0.001) < 0.05
    assert math.isnan(base_rate.expected_precision(0.0, 0.0, 0.5))


@pytest.mark.parametrize("size", ["small", "full"])
def test_the_design_reaches_an_attack_share_of_one_in_a_thousand_and_covers_every_window(size):
    design = base_rate.design(size)
    (sweep,) = design.sweeps
    shares = sorted({point["attack_share"] for point in sweep.points()})
    assert shares[0] == 0.001 and shares[-1] == 0.1
    assert {point["sharing"] for point in sweep.points()} == set(base_rate.SHARING)
    params = ModelParams.from_dict(sweep.base.to_dict() if hasattr(sweep.base, "to_dict") else sweep.base)
    assert sweep.steps >= params.steps_covering_windows
