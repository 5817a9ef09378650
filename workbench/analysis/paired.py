"""Seed-paired differences of two designs, with a Student-t interval and a paired t test; Holm's correction.

Every cell of a sweep runs the same replicate seeds (common random numbers), so two designs ``a`` and ``b``
are compared replicate by replicate. Over the ``n`` seeds at which both have a finite value, with
``d_i = a_i - b_i``, mean ``d̄`` and sample standard deviation ``s`` (``ddof=1``):

- the difference is ``d̄`` and its two-sided ``confidence`` interval is
  ``d̄ ± t_{(1 + confidence) / 2, n - 1} · s / √n`` (:func:`workbench.analysis.stats.mean_ci` of the
  ``d_i``; NaN with fewer than two pairs, of width zero when every pair differs by the same amount);
- the p value is that of the two-sided paired t test of ``E[d] = 0``: ``2 · P(T_{n-1} > |d̄| / (s / √n))``
  (:func:`paired_p`; NaN with fewer than two pairs, 0 when every ``d_i`` is the same non-zero value and
  1 when every ``d_i`` is zero);
- a seed that only one design ran, or at which either value is NaN (an empty denominator), is no pair and
  is left out.

:func:`paired_difference` computes all of it; the studies (10, 12, 05) and the component comparison call
it and keep only what they report. What a caller does with values that are zero by definition (structural
zeros) is its own rule, decided before it pairs. :func:`holm` adjusts a family of p values (Holm 1979).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from workbench.analysis.stats import mean_ci


@dataclass(frozen=True)
class PairedDifference:
    """``a - b`` over the seeds both designs ran with finite values.

    ``n``: the number of pairs; ``diff``: the mean of the pairs' differences; ``ci_low``, ``ci_high``: its
    Student-t interval (NaN when ``n < 2``); ``p_value``: two-sided paired t test of a zero mean difference
    (NaN when ``n < 2``); ``a_mean``, ``b_mean``: each design's mean over the same pairs. All NaN when
    ``n == 0``. ``confidence``: the interval's level, in (0, 1)."""

    n: int
    diff: float
    ci_low: float
    ci_high: float
    p_value: float
    a_mean: float
    b_mean: float
    confidence: float

    @property
    def excludes_zero(self) -> bool:
        """True when the interval exists and lies entirely above or below zero."""
        return bool(np.isfinite(self.ci_low) and np.isfinite(self.ci_high) and (self.ci_low > 0 or self.ci_high < 0))


def paired_values(a: pd.Series | ArrayLike, b: pd.Series | ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` as float arrays of equal length, one element per pair, both finite.

    Two Series are paired on their index (the replicate seed, or any key): seeds in only one are left
    out, and a key repeated in either is refused (``ValueError``), as a pairing it cannot define. Anything
    else is taken as already paired, position by position (equal lengths, else ``ValueError``). Pairs
    with a non-finite value on either side are then left out."""
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        for name, side in (("a", a), ("b", b)):
            if not side.index.is_unique:
                repeated = sorted(set(side.index[side.index.duplicated()]), key=str)
                raise ValueError(f"{name} repeats the pairing key(s) {repeated[:5]}; expected one value per seed")
        common = a.index.intersection(b.index)
        x = pd.to_numeric(a.loc[common], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(b.loc[common], errors="coerce").to_numpy(dtype=float)
    else:
        x, y = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"a has {x.size} values and b {y.size}; positional pairs need equal lengths")
    keep = np.isfinite(x - y)  # finite exactly when both sides are (up to an overflow)
    return x[keep], y[keep]


def paired_difference(a: pd.Series | ArrayLike, b: pd.Series | ArrayLike, confidence: float = 0.95) -> PairedDifference:
    """The paired difference ``a - b`` (see the module docstring for the formulas).

    ``a``, ``b``: two Series keyed by replicate seed (paired on the index; unpaired seeds left out), or
    two equal-length sequences already paired by position (:func:`paired_values`). ``confidence``: the
    interval's level, in (0, 1); ``ValueError`` otherwise."""
    x, y = paired_values(a, b)
    d = x - y
    _, mean, low, high = paired_interval(x, y, confidence)
    if not d.size:
        return PairedDifference(0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, confidence)
    return PairedDifference(
        n=int(d.size),
        diff=mean,
        ci_low=low,
        ci_high=high,
        p_value=paired_p(d),
        a_mean=float(x.mean()),
        b_mean=float(y.mean()),
        confidence=confidence,
    )


def paired_interval(
    a: pd.Series | ArrayLike, b: pd.Series | ArrayLike, confidence: float = 0.95
) -> tuple[int, float, float, float]:
    """``(n, diff, ci_low, ci_high)`` of :func:`paired_difference` without the test and the means (for
    callers that compare many pairs, as a Pareto front's every ordered pair of designs)."""
    x, y = paired_values(a, b)
    mean, low, high = mean_ci(x - y, confidence)
    return int(x.size), mean, low, high


def paired_p(d: ArrayLike) -> float:
    """Two-sided p value of a paired t test that the mean of the differences ``d`` is zero (NaN with fewer
    than two; 0 when every difference is the same non-zero value, 1 when all are zero)."""
    d = np.asarray(d, dtype=float)
    if len(d) < 2:
        return float("nan")
    sd = d.std(ddof=1)
    if sd == 0:
        return 0.0 if d.mean() != 0 else 1.0
    t = d.mean() / (sd / np.sqrt(len(d)))
    return float(2.0 * stats.t.sf(abs(t), df=len(d) - 1))


def holm(p: Sequence[float] | ArrayLike) -> np.ndarray:
    """Holm's step-down adjusted p values (Holm 1979): the i-th smallest of m becomes
    ``max_{j <= i} min(1, (m - j + 1) p_(j))``; NaN stays NaN and is not counted in m."""
    values = np.asarray(p, dtype=float)
    out = np.full(len(values), np.nan)
    idx = np.flatnonzero(np.isfinite(values))
    if not len(idx):
        return out
    order = idx[np.argsort(values[idx], kind="stable")]
    m = len(order)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * values[order]))
    out[order] = adjusted
    return out
