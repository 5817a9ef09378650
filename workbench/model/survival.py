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


def km_median_counts(events: np.ndarray, censored: np.ndarray) -> float:
    """Kaplan-Meier median from counts on the integer times ``0, 1, ..., len - 1`` (steps): ``events[d]`` times
    observed at ``d``, ``censored[d]`` censored at ``d``. The same estimate and convention as :func:`km_median`
    on the times these counts stand for (a censored time is at risk at its own time), without expanding them:
    ``S(d) = prod_{j <= d} (1 - events[j] / at_risk[j])`` with ``at_risk[j]`` the times not removed before ``j``;
    the median is the smallest ``d`` with ``S(d) <= 0.5``, NaN when there is none or no time at all."""
    events, censored = np.asarray(events, np.int64), np.asarray(censored, np.int64)
    if events.shape != censored.shape or events.ndim != 1:
        raise ValueError(f"events and censored must be 1-D of one shape, got {events.shape} and {censored.shape}")
    if (events < 0).any() or (censored < 0).any():
        raise ValueError("events and censored are counts: they must not be negative")
    removed = events + censored
    at_risk = int(removed.sum()) - np.concatenate([[0], np.cumsum(removed)[:-1]])
    if not events.any():
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1.0 - events / np.maximum(at_risk, 1), 1.0)
    survival = np.cumprod(factor)
    below = np.flatnonzero((survival <= 0.5 + 1e-12) & (events > 0))
    return float(below[0]) if below.size else float("nan")
