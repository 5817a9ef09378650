"""pareto_front on hand-made sets whose non-dominated points are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.pareto import pareto_front, pareto_mask


def designs() -> pd.DataFrame:
    # minimise forged and latency, maximise protected
    return pd.DataFrame(
        {
            "design": ["A", "B", "C", "D", "E", "F", "G"],
            "forged": [0.10, 0.05, 0.10, 0.20, 0.05, 0.01, 0.05],
            "latency": [5.0, 8.0, 6.0, 4.0, 8.0, 20.0, 9.0],
            "protected": [0.9, 0.9, 0.9, 0.8, 0.9, 0.95, 0.9],
        }
    )
    # A: on front. B: on front (lowest forged among fast). C: dominated by A (same forged/protected, slower).
    # D: on front (fastest). E: duplicate of B, on front. F: on front (best forged and protected).
    # G: dominated by B (slower, same otherwise).


def test_hand_made_set_returns_exactly_the_non_dominated_rows_with_ties_kept():
    front = pareto_front(designs(), minimize=["forged", "latency"], maximize=["protected"])
    assert front["design"].tolist() == ["A", "B", "D", "E", "F"]


def test_single_objective_front_is_the_minimum_and_its_ties():
    front = pareto_front(designs(), minimize=["forged"])
    assert front["design"].tolist() == ["F"]
    front = pareto_front(designs(), maximize=["protected"])
    assert front["design"].tolist() == ["F"]
    front = pareto_front(designs().assign(protected=0.9), maximize=["protected"])
    assert len(front) == 7  # all tied


def test_brute_force_agrees_on_random_points():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 6, size=(300, 3)), columns=["a", "b", "c"]).astype(float)
    mask = pareto_mask(frame, minimize=["a", "b"], maximize=["c"]).to_numpy()
    v = frame.to_numpy() * [1, 1, -1]
    expected = [not any((w <= u).all() and (w < u).any() for w in v) for u in v]
    assert mask.tolist() == expected


def test_nan_rows_are_left_out_with_a_note():
    frame = designs()
    frame.loc[5, "latency"] = np.nan  # F cannot be compared now
    with pytest.warns(RuntimeWarning, match="1 row"):
        front = pareto_front(frame, minimize=["forged", "latency"], maximize=["protected"])
    assert front["design"].tolist() == ["A", "B", "D", "E"]
    assert front.attrs["n_excluded_nan"] == 1


def test_bad_objectives_fail():
    with pytest.raises(ValueError, match="at least one"):
        pareto_front(designs())
    with pytest.raises(ValueError, match="not in the frame"):
        pareto_front(designs(), minimize=["cost"])
    with pytest.raises(ValueError, match="both"):
        pareto_front(designs(), minimize=["forged"], maximize=["forged"])
