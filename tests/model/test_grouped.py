"""The index helpers for grouped arrays equal their plain-Python meaning, empty inputs included."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.model.grouped import concat_ranges, runs


@pytest.mark.parametrize("seed", range(3))
def test_concat_ranges_equals_the_concatenated_python_ranges(seed):
    rng = np.random.default_rng(seed)
    first, counts = rng.integers(0, 50, 12), rng.integers(0, 4, 12)  # zero-length ranges too
    want = [i for f, c in zip(first, counts) for i in range(f, f + c)]
    assert concat_ranges(first, counts).tolist() == want
    assert concat_ranges(np.zeros(0, int), np.zeros(0, int)).size == 0


def test_runs_are_the_slices_of_equal_values():
    values = np.array([3, 3, 5, 7, 7, 7])
    assert list(runs(values)) == [(0, 2), (2, 3), (3, 6)]
    assert list(runs(np.array([4]))) == [(0, 1)]
