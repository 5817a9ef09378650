"""The prose of notebook 09: ranking sentences computed from a summarize() table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.trace_replay import ranking_text


def _table(rows):
    return pd.DataFrame(rows, columns=["sharing", "outcome", "n", "mean", "ci_low", "ci_high"])


def test_best_mode_and_whether_intervals_separate_it():
    t = _table([("gossip", "x", 5, 0.5, 0.4, 0.6), ("ledger", "x", 5, 0.3, 0.25, 0.35), ("none", "x", 5, 0.1, 0, 0.2)])
    text = ranking_text(t, "x", "Blocked", higher_is_better=True)
    assert text.startswith("Blocked: **gossip** has the highest mean, 50.0% (95% interval 40.0% to 60.0%), over 5")
    assert "next is ledger at 30.0%" in text and "the intervals do not overlap" in text
    low = ranking_text(t, "x", "Blocked", higher_is_better=False)
    assert "**none** has the lowest mean" in low and "the intervals overlap" not in low
    overlapping = _table([("a", "x", 3, 0.5, 0.2, 0.8), ("b", "x", 3, 0.4, 0.1, 0.7)])
    assert "the intervals overlap, so these runs do not separate the two" in ranking_text(
        overlapping, "x", "X", higher_is_better=True
    )


def test_ties_undefined_groups_and_unknown_outcomes():
    t = _table([("a", "x", 4, 0.0, 0.0, 0.0), ("b", "x", 4, 0.0, 0.0, 0.0), ("c", "x", 0, np.nan, np.nan, np.nan)])
    text = ranking_text(t, "x", "Benign blocked", higher_is_better=False)
    assert text.startswith("Benign blocked: a, b tie for the lowest mean, 0.00%") and "undefined for c" in text
    with pytest.raises(ValueError, match="outcome='y' is not in the table"):
        ranking_text(t, "y", "Y")


def test_small_shares_keep_two_decimals_and_no_negative_zero():
    t = _table([("a", "x", 4, 0.004, -0.00001, 0.009), ("b", "x", 4, 0.2, 0.1, 0.3)])
    text = ranking_text(t, "x", "X", higher_is_better=False)
    assert "0.40% (95% interval 0.00% to 0.90%)" in text


def test_a_declared_outcome_is_ranked_its_declared_way_and_an_undeclared_one_needs_a_direction():
    t = _table([("a", "benign_blocked_frac", 4, 0.1, 0.05, 0.15), ("b", "benign_blocked_frac", 4, 0.5, 0.4, 0.6)])
    assert "**a** has the lowest mean" in ranking_text(t, "benign_blocked_frac", "Benign blocked")
    with pytest.raises(ValueError, match="'x' is not a declared outcome.*say higher_is_better"):
        ranking_text(_table([("a", "x", 4, 0.1, 0.05, 0.15)]), "x", "X")
