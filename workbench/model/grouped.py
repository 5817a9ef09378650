"""Index helpers for arrays grouped into runs: the concatenated ranges of several slices, and the runs of
equal values of a sorted array. Pure numpy, no model state."""

from __future__ import annotations

import numpy as np


def concat_ranges(first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenated index ranges ``[first[i], first[i] + counts[i])``, in order, as one int64 array."""
    first, counts = np.asarray(first, np.int64), np.asarray(counts, np.int64)
    ends = np.cumsum(counts)
    total = int(ends[-1]) if ends.size else 0
    return np.repeat(first - (ends - counts), counts) + np.arange(total)


def runs(values: np.ndarray) -> zip[tuple[int, int]]:
    """``(start, stop)`` of each run of equal ``values`` (sorted, or grouped), in order."""
    bounds = (np.flatnonzero(np.diff(values)) + 1).tolist()
    return zip([0, *bounds], [*bounds, values.size])
