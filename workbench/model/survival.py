"""Times to an event that may never happen: Kaplan-Meier estimates with right-censoring.

A campaign's time to 50% protection is observed only if protection reached 50% before the campaign's
evaluation window (or the run) ended; otherwise it is *censored* at the time observed so far. Averaging
only the reached times would flatter exactly the designs that fail, so the run summary reports the
Kaplan-Meier median and the share reached instead.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def km_median(times: np.ndarray, reached: np.ndarray) -> float:
    """Kaplan-Meier median of ``times`` (steps), where ``reached[i]`` is False for a censored time.

    The median is the smallest observed time ``t`` with estimated survival ``S(t) <= 0.5`` (the usual
    textbook convention); NaN when the survival curve never falls to 0.5 (too much censoring), or when
    there are no times at all. ``scipy.stats.ecdf`` computes the product-limit estimate.
    """
    times = np.asarray(times, float)
    reached = np.asarray(reached, bool)
    if times.shape != reached.shape:
        raise ValueError(f"times and reached must have the same shape, got {times.shape} and {reached.shape}")
    if times.size == 0 or not reached.any():
        return float("nan")
    if np.isnan(times).any():
        raise ValueError("times must not be NaN; give censored times with reached=False")
    data = stats.CensoredData(uncensored=times[reached], right=times[~reached])
    sf = stats.ecdf(data).sf
    below = np.flatnonzero(sf.probabilities <= 0.5 + 1e-12)
    return float(sf.quantiles[below[0]]) if below.size else float("nan")
