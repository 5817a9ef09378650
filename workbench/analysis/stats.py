"""Replicate statistics for sweep results: mean and t-based confidence interval per design cell.

Takes the tidy frame of :func:`workbench.experiments.load` and returns tidy frames: one row per
(factor values, outcome).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _stats

from workbench.analysis.structural import mark_structural


def mean_ci(
    values: Sequence[float] | np.ndarray, confidence: float = 0.95, bounds: tuple[float, float] | None = None
) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval ``(mean, low, high)``; NaNs are ignored.

    One finite value gives a NaN interval; no finite values give NaN throughout. ``bounds``: the range the
    quantity cannot leave (``(0, 1)`` for a share): the interval is clipped to it (a clipped t interval, so
    a share's interval never reaches below 0 or above 1; the mean itself lies inside already).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is out of range; expected a number with 0 < x < 1")
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if x.size == 1:
        return (mean, np.nan, np.nan)
    half = float(_stats.t.ppf(0.5 + confidence / 2, df=x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    if bounds is None:
        return (mean, mean - half, mean + half)
    low, high = bounds
    return (mean, max(low, mean - half), min(high, mean + half))


def factor_columns(frame: pd.DataFrame) -> list[str]:
    """The factor columns of a sweep frame (from ``frame.attrs``, else between replicate and seed)."""
    if "factors" in frame.attrs:
        return list(frame.attrs["factors"])
    columns = list(frame.columns)
    return columns[columns.index("replicate") + 1 : columns.index("seed")]


def outcome_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric outcome columns of a sweep frame."""
    if "outcomes" in frame.attrs:
        return [c for c in frame.attrs["outcomes"] if c in frame.columns]
    columns = list(frame.columns)
    tail = columns[columns.index("status") + 1 :]
    return [
        c for c in tail if c not in ("error", "traceback", "duration_s") and pd.api.types.is_numeric_dtype(frame[c])
    ]


def summarize(
    frame: pd.DataFrame,
    outcomes: Sequence[str] | str | None = None,
    by: Sequence[str] | None = None,
    confidence: float = 0.95,
    base: Any = None,
) -> pd.DataFrame:
    """Mean and confidence interval over replicates, one row per (``by`` values, outcome).

    ``by`` defaults to the sweep's factors, ``outcomes`` to every numeric outcome. Only runs with
    ``status == "ok"`` count; ``n`` is the number of finite values behind each mean. Columns:
    ``*by, outcome, n, mean, std, ci_low, ci_high, structural``: ``structural`` is the value the outcome has
    by definition in that group's design(s) (0 messages for ``sharing="none"``), measured so in every run, and
    NaN for an estimate; a structural row has no interval and no ``std``
    (:func:`workbench.analysis.structural.mark_structural`; ``base``: the sweep's base parameters, default
    ``frame.attrs["base"]``).
    """
    by = list(factor_columns(frame) if by is None else by)
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes or outcome_columns(frame))
    missing = [c for c in [*by, *outcomes] if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame; columns: {list(frame.columns)}")
    ok = frame[frame["status"] == "ok"] if "status" in frame.columns else frame
    rows = []
    groups = ok.groupby(by, sort=False, dropna=False) if by else [((), ok)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        for outcome in outcomes:
            values = pd.to_numeric(group[outcome], errors="coerce").to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            mean, low, high = mean_ci(finite, confidence)
            rows.append(
                {
                    **dict(zip(by, key)),
                    "outcome": outcome,
                    "n": int(finite.size),
                    "mean": mean,
                    "std": float(finite.std(ddof=1)) if finite.size > 1 else np.nan,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    result = pd.DataFrame(rows, columns=[*by, "outcome", "n", "mean", "std", "ci_low", "ci_high"])
    result = mark_structural(result, frame, base=base, by=by)
    result.attrs.update(confidence=confidence)
    return result
