"""Times to an event with censoring: the Kaplan-Meier median and its confidence interval.

Typical use: steps until 50% of nodes are protected (``t50_steps``), where a run that ended before
reaching 50% is *right-censored* at its last step: we know only that its time exceeds the run length.
Dropping those runs, or counting them at the run length, biases the median; Kaplan-Meier does not.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from workbench.model.survival import km_median as km_median_point
from workbench.validation import Range, check_choice, check_number


@dataclass(frozen=True)
class KMMedian:
    """Kaplan-Meier median time with its interval, in the units of the input times.

    ``median`` is NaN when the survival curve never falls to 0.5 (fewer than half the runs reached the
    event by the last observed time): report it as "not reached", with ``ci_low`` as a lower bound.
    ``ci_high`` is NaN when the upper band never falls to 0.5 (the upper end is beyond the data).
    ``n`` runs, ``n_events`` of them reached the event.
    """

    median: float
    ci_low: float
    ci_high: float
    n: int
    n_events: int
    confidence: float


def _first_time_at_or_below(times: np.ndarray, survival: np.ndarray, level: float) -> float:
    below = np.flatnonzero(survival <= level + 1e-12)  # tolerance: 0.5 computed as a product of fractions
    return float(times[below[0]]) if below.size else np.nan


def km_median(times: ArrayLike, reached: ArrayLike, confidence: float = 0.95, method: str = "log-log") -> KMMedian:
    """Kaplan-Meier median of ``times`` (e.g. steps, >= 0), where ``reached`` is False for censored runs.

    ``times[i]`` is the event time when ``reached[i]`` is True, else the censoring time (the last time
    the run was observed without the event). The survival function ``S(t)`` is
    ``scipy.stats.ecdf(CensoredData(uncensored=..., right=...)).sf`` (the Kaplan-Meier product
    ``prod_{t_j <= t} (1 - d_j / n_j)``, ``d_j`` events among ``n_j`` runs still at risk at ``t_j``).

    - median: ``min {t : S(t) <= 0.5}`` (Klein & Moeschberger's definition; no midpoint rule when
      ``S`` sits exactly at 0.5), NaN when ``S`` stays above 0.5. This is the model's own rule,
      :func:`workbench.model.survival.km_median` (the run summary's ``t50_median_steps``), called here so
      that the workbench has one Kaplan-Meier median.
    - interval (Brookmeyer & Crowley 1982, as R's ``survfit``): invert scipy's pointwise band of ``S``
      (``sf.confidence_interval(confidence, method)``, ``"log-log"`` or ``"linear"``, Greenwood
      variance): ``ci_low = min {t : S_low(t) <= 0.5}``, ``ci_high = min {t : S_high(t) <= 0.5}``.

    Raises ``ValueError`` when a time is NaN or negative or the inputs differ in length.
    """
    check_number("confidence", confidence, Range(0, 1, low_open=True, high_open=True))
    check_choice("method", method, ("log-log", "linear"))
    t = np.asarray(times, dtype=float).ravel()
    event = np.asarray(reached, dtype=bool).ravel()
    if t.shape != event.shape:
        raise ValueError(f"times has {t.size} values but reached has {event.size}; expected one flag per time")
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        raise ValueError(
            f"times contains {t[bad][0]!r}; expected finite non-negative times "
            "(give a censored run its last observed time, with reached=False)"
        )
    n_events = int(event.sum())
    if n_events == 0:
        return KMMedian(np.nan, np.nan, np.nan, int(t.size), 0, confidence)
    sf = stats.ecdf(stats.CensoredData(uncensored=t[event], right=t[~event])).sf
    with warnings.catch_warnings():
        # the band is undefined where S is 0 or 1; those points are handled as "no information" below
        warnings.filterwarnings("ignore", message="The confidence interval is undefined", category=RuntimeWarning)
        band = sf.confidence_interval(confidence_level=confidence, method=method)
    q = sf.quantiles
    with np.errstate(invalid="ignore"):
        low_curve = np.nan_to_num(band.low.evaluate(q), nan=1.0)  # NaN where undefined: no information
        high_curve = np.nan_to_num(band.high.evaluate(q), nan=1.0)
    return KMMedian(
        median=km_median_point(t, event),
        ci_low=_first_time_at_or_below(q, low_curve, 0.5),
        ci_high=_first_time_at_or_below(q, high_curve, 0.5),
        n=int(t.size),
        n_events=n_events,
        confidence=confidence,
    )


def km_median_table(
    frame: pd.DataFrame,
    time: str,
    reached: str,
    by: Sequence[str] | str | None = None,
    confidence: float = 0.95,
    method: str = "log-log",
) -> pd.DataFrame:
    """:func:`km_median` per group of ``by``: ``*by, median, ci_low, ci_high, reached, n, n_events``.

    ``frame`` has one row per run; ``time`` holds the event time or, where ``reached`` is False, the
    censoring time (e.g. the run's length in steps). ``reached`` (the column of the result) is True
    when the median itself was reached. Rows with ``status != "ok"`` are left out.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in [time, reached, *by] if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame; columns: {list(frame.columns)}")
    data = frame[frame["status"] == "ok"] if "status" in frame.columns else frame
    rows = []
    groups = data.groupby(by, sort=True, dropna=False) if by else [((), data)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        km = km_median(group[time].to_numpy(dtype=float), group[reached].to_numpy(dtype=bool), confidence, method)
        rows.append(
            {
                **dict(zip(by, key)),
                "median": km.median,
                "ci_low": km.ci_low,
                "ci_high": km.ci_high,
                "reached": bool(np.isfinite(km.median)),
                "n": km.n,
                "n_events": km.n_events,
            }
        )
    return pd.DataFrame(rows, columns=[*by, "median", "ci_low", "ci_high", "reached", "n", "n_events"])
