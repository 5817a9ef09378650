"""pareto_front on hand-made sets whose non-dominated points are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.pareto import interval_front, paired_improvements, pareto_front, pareto_mask


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


# --- dominance beyond intervals, from runs paired by replicate ----------------------------------------
def _runs(values: dict[str, list[tuple[float, float]]]) -> pd.DataFrame:
    """One row per (design, replicate) with objectives ``protected`` (maximise) and ``cost`` (minimise)."""
    return pd.DataFrame(
        [
            {"design": d, "replicate": r, "protected": p, "cost": c}
            for d, rows in values.items()
            for r, (p, c) in enumerate(rows)
        ]
    )


def test_a_design_is_kept_off_the_front_only_when_dominated_beyond_its_intervals():
    rng = np.random.default_rng(4)
    shared = rng.normal(0.5, 0.15, 6)  # replicate effects common to every design (common random numbers)
    runs = _runs(
        {
            "A": [(p, 1.0) for p in shared],
            # B: 0.05 less protection on every replicate, same cost: dominated beyond the paired interval
            "B": [(p - 0.05, 1.0) for p in shared],
            # C: 0.02 less on average but with noise of its own: behind A on the point estimate only
            "C": [(p - 0.02 + e, 1.0) for p, e in zip(shared, rng.normal(0, 0.05, 6))],
        }
    )
    front = interval_front(runs, minimize=["cost"], maximize=["protected"]).set_index("design")
    assert front["pareto"].to_dict() == {"A": True, "B": False, "C": True}
    assert front.loc["B", "dominated_by"] == "A" and front.loc["C", "dominated_by"] == ""
    # the point-estimate front drops C; the interval front keeps it
    means = runs.groupby("design")[["protected", "cost"]].mean()
    assert not pareto_mask(means, minimize=["cost"], maximize=["protected"])["C"]


def test_pairing_by_replicate_shows_what_unpaired_intervals_would_hide():
    shared = np.linspace(0.2, 0.8, 5)  # large between-replicate spread, a constant paired difference
    runs = _runs({"A": [(p, 1.0) for p in shared], "B": [(p - 0.03, 1.0) for p in shared]})
    _, low, high = paired_improvements(runs, "protected", "maximize")
    assert low[0, 1] == pytest.approx(0.03) and high[0, 1] == pytest.approx(0.03)
    assert interval_front(runs, maximize=["protected"]).set_index("design")["pareto"].to_dict() == {
        "A": True,
        "B": False,
    }


def test_a_structural_zero_makes_no_design_optimal():
    # Z protects less than A on every replicate; its cost is 0 by definition (it sends nothing)
    runs = _runs({"A": [(0.6 + 0.01 * r, 2.0 + 0.1 * r) for r in range(4)], "Z": [(0.1, 0.0)] * 4})
    by_value = interval_front(runs, minimize=["cost"], maximize=["protected"]).set_index("design")
    assert by_value.loc["Z", "pareto"]  # read as an estimate, the zero would put Z on the front
    zero = pd.DataFrame({"cost": runs["design"] == "Z"})
    front = interval_front(runs, minimize=["cost"], maximize=["protected"], structural=zero).set_index("design")
    assert not front.loc["Z", "pareto"] and front.loc["Z", "dominated_by"] == "A"
    assert front.loc["A", "pareto"]


def test_ineligible_designs_are_neither_on_the_front_nor_dominate():
    runs = _runs({"A": [(0.6, 1.0)] * 3, "B": [(0.5, 1.0)] * 3})
    eligible = pd.Series({"A": False, "B": True})
    front = interval_front(runs, maximize=["protected"], eligible=eligible).set_index("design")
    assert front["pareto"].to_dict() == {"A": False, "B": True} and front.loc["B", "dominated_by"] == ""


def test_interval_front_needs_objectives_present():
    runs = _runs({"A": [(0.6, 1.0)] * 2})
    with pytest.raises(ValueError, match="at least one"):
        interval_front(runs)
    with pytest.raises(ValueError, match="not in the frame"):
        interval_front(runs, minimize=["latency"])
