"""Confidence intervals for shares: the Wilson score interval, vectorised over arrays of counts.

A *share* here is ``successes / trials`` for counts from one run or pooled over replicates (for
example forged signatures confirmed out of forged signatures proposed). The interval is scipy's
``binomtest(k, n).proportion_ci(method="wilson")``; this module only broadcasts it over arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats


def wilson_interval(successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval ``(low, high)`` for the share ``successes / trials``, elementwise.

    With ``z`` the two-sided normal quantile for ``confidence``, ``p = k / n``::

        centre = (p + z^2 / (2n)) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))

    (computed by ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``). Unlike the Wald
    interval it stays inside [0, 1] and is not degenerate at ``k = 0`` or ``k = n``.

    ``successes`` and ``trials`` are counts (non-negative integers, ``successes <= trials``) of any
    broadcastable shapes; the result has their broadcast shape, as floats in [0, 1]. Zero trials give
    NaN bounds (no information). ``confidence`` is in (0, 1). Raises ``ValueError`` for counts that are
    negative, non-integer or with more successes than trials.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is out of range; expected a number with 0 < x < 1")
    k_raw, n_raw = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(trials, dtype=float))
    for name, raw in (("successes", k_raw), ("trials", n_raw)):
        bad = ~np.isfinite(raw) | (raw < 0) | (raw != np.round(raw))
        if bad.any():
            raise ValueError(f"{name}={raw[bad].flat[0]!r} is out of range; expected a non-negative integer count")
    if (k_raw > n_raw).any():
        where = np.argwhere(k_raw > n_raw)[0]
        raise ValueError(
            f"successes={k_raw[tuple(where)]!r} exceeds trials={n_raw[tuple(where)]!r}; "
            "expected 0 <= successes <= trials"
        )
    k, n = k_raw.astype(np.int64), n_raw.astype(np.int64)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    if k.size == 0:
        return low, high
    # binomtest is scalar and costs ~1 ms, so compute each distinct (k, n) pair once
    pairs, inverse = np.unique(np.stack([k.ravel(), n.ravel()], axis=1), axis=0, return_inverse=True)
    lows, highs = np.full(len(pairs), np.nan), np.full(len(pairs), np.nan)
    for i, (ki, ni) in enumerate(pairs):
        if ni > 0:
            ci = stats.binomtest(int(ki), int(ni)).proportion_ci(confidence_level=confidence, method="wilson")
            lows[i], highs[i] = ci.low, ci.high
    inverse = inverse.ravel()
    return lows[inverse].reshape(k.shape), highs[inverse].reshape(k.shape)


def share_table(
    frame: pd.DataFrame, successes: str, trials: str, by: Sequence[str] | str, confidence: float = 0.95
) -> pd.DataFrame:
    """Pooled share ``sum(successes) / sum(trials)`` per group of ``by``, with its Wilson interval.

    One row per group: ``*by, successes, trials, share, ci_low, ci_high, n_runs``. Counts are summed
    over the group's runs (rows with ``status != "ok"`` or a missing count are left out), so the
    denominator is every trial of every run. The Wilson interval treats the pooled trials as
    independent; when runs differ more than binomial noise allows (over-dispersion between replicates)
    it is too narrow, and a replicate-level interval (:func:`workbench.analysis.stats.summarize`) is
    the honest one. ``share`` is NaN for a group without trials.
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [successes, trials, *by] if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame; columns: {list(frame.columns)}")
    data = frame[frame["status"] == "ok"] if "status" in frame.columns else frame
    data = data.dropna(subset=[successes, trials])
    table = (
        data.groupby(by, sort=True, dropna=False)
        .agg(successes=(successes, "sum"), trials=(trials, "sum"), n_runs=(successes, "size"))
        .reset_index()
    )
    low, high = wilson_interval(table["successes"].to_numpy(), table["trials"].to_numpy(), confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = table["successes"].to_numpy(dtype=float) / table["trials"].to_numpy(dtype=float)
    table = table.assign(share=np.where(table["trials"] > 0, share, np.nan), ci_low=low, ci_high=high)
    return table[[*by, "successes", "trials", "share", "ci_low", "ci_high", "n_runs"]]
