"""Breakdown points: where a replicate-mean curve first crosses a threshold, with a bootstrap interval.

A breakdown point f* answers "how much malice does this design survive?": over a sweep of a factor
``x`` (typically ``malicious_fraction``), it is the smallest ``x`` at which the mean of an outcome
over replicates exceeds (or falls below) a threshold. Between two swept levels the crossing is found
by linear interpolation of the mean curve.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.validation import Range, check_choice, check_int, check_number

COLUMNS = ["estimate", "ci_low", "ci_high", "reached", "reached_share", "left_censored", "n_levels", "n_runs"]


def first_crossing(x: np.ndarray, curves: np.ndarray, threshold: float, direction: str = "above") -> np.ndarray:
    """The interpolated ``x`` where each curve first crosses ``threshold``; NaN where it never does.

    ``x`` has shape ``(L,)`` (increasing levels), ``curves`` shape ``(..., L)``. ``"above"`` looks for the
    first level ``i`` with ``curve[i] > threshold`` (strictly), ``"below"`` for ``curve[i] < threshold``.
    With ``i`` found and ``i > 0`` the crossing is interpolated on the segment before it::

        x* = x[i-1] + (threshold - m[i-1]) * (x[i] - x[i-1]) / (m[i] - m[i-1])

    and when ``i == 0`` (already crossed at the first level) it is ``x[0]``: the true crossing lies
    at or below the swept range. Only the *first* crossing counts, so a curve that crosses and comes
    back still breaks down at its first crossing. NaN points in a curve never count as crossing.
    """
    m = np.asarray(curves, dtype=float)
    with np.errstate(invalid="ignore"):
        crossed = m > threshold if direction == "above" else m < threshold
    any_crossed = crossed.any(axis=-1)
    i = np.argmax(crossed, axis=-1)
    prev = np.maximum(i - 1, 0)
    m_i = np.take_along_axis(m, i[..., None], axis=-1)[..., 0]
    m_prev = np.take_along_axis(m, prev[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = (threshold - m_prev) / (m_i - m_prev)
    # a NaN before the crossing level leaves no segment to interpolate on: take the crossing level itself
    frac = np.where(np.isfinite(frac), np.clip(frac, 0.0, 1.0), 1.0)
    estimate = np.where(i == 0, x[0], x[prev] + frac * (x[i] - x[prev]))
    return np.where(any_crossed, estimate, np.nan)


def _level_means_bootstrap(levels: list[np.ndarray], n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_boot, L)`` means of replicates resampled with replacement within each level."""
    out = np.empty((n_boot, len(levels)))
    for j, values in enumerate(levels):  # a loop over swept levels (tens), vectorised over resamples
        if values.size == 0:
            out[:, j] = np.nan
            continue
        idx = rng.integers(0, values.size, size=(n_boot, values.size))
        out[:, j] = values[idx].mean(axis=1)
    return out


def breakdown_point(
    frame: pd.DataFrame,
    outcome: str,
    x: str,
    threshold: float,
    by: Sequence[str] | str | None = None,
    direction: str = "above",
    replicate_col: str = "replicate",
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Breakdown point of ``outcome`` along ``x``, one row per group of ``by``, with a bootstrap interval.

    ``frame`` is a tidy frame of runs (one row per run; :func:`workbench.experiments.load`): a column
    ``x`` (the swept factor, e.g. ``malicious_fraction`` in [0, 1]), the ``outcome`` column (e.g.
    ``forged_confirmed_frac``, a share in [0, 1]) and, for resampling, ``replicate_col``. Rows whose
    ``status`` is not ``"ok"`` and rows with a NaN outcome are left out. The denominator of each mean
    is the number of remaining runs at that ``x`` level in that group.

    - ``estimate``: the first crossing (see :func:`first_crossing`) of the mean curve ``m(x)`` (mean of
      ``outcome`` over the runs at each level) through ``threshold``: the smallest ``x`` with
      ``m(x) > threshold`` (``direction="above"``, e.g. forged share exceeding 5%) or ``m(x) < threshold``
      (``"below"``, e.g. protected share falling below 90%), linearly interpolated between levels, in the
      units of ``x``. NaN, with ``reached=False``, when the mean curve never crosses in the swept range.
    - ``ci_low``, ``ci_high``: percentile bootstrap interval at ``confidence``. Each of ``n_boot``
      resamples draws the runs *within each x level* with replacement (levels are fixed by design),
      recomputes the mean curve and its crossing. A resample whose curve never crosses counts as
      crossing beyond the largest level (``+inf``), so ``ci_high = inf`` means "the upper end lies beyond
      the swept range", and ``ci_low = ci_high = inf`` means fewer than ``(1 - confidence)/2`` of the
      resamples crossed at all. This is how the interval of a "not reached" row is to be read.
      With few replicates per level the percentile interval is somewhat narrow (about 89% coverage
      for a nominal 95% at 20 replicates on the synthetic logistic curve of the tests); use 30 or more.
    - ``reached_share``: the share of bootstrap resamples that crossed (in [0, 1]).
    - ``left_censored``: True when the mean curve is already across the threshold at the smallest
      level; the estimate is then that level and the true breakdown point is at or below it.
    - ``n_levels``, ``n_runs``: swept levels and replicates (runs) behind the row.

    The resampling unit is the replicate: when ``replicate_col`` is a column, rows sharing one
    ``(group, x, replicate)`` are averaged first; without it every row is its own replicate.

    ``seed`` seeds the bootstrap's own ``numpy`` Generator, so the result is reproducible.
    """
    check_choice("direction", direction, ("above", "below"))
    check_int("n_boot", n_boot, low=1)
    check_number("confidence", confidence, Range(low=0, high=1, low_open=True, high_open=True))
    check_number("threshold", threshold, Range())
    by = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in [outcome, x, *by] if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame; columns: {list(frame.columns)}")
    data = frame[frame["status"] == "ok"] if "status" in frame.columns else frame
    data = data.assign(_y=pd.to_numeric(data[outcome], errors="coerce"))
    data = data[np.isfinite(data["_y"]) & data[x].notna()]
    if replicate_col in data.columns:
        # the resampling unit is a replicate: average any repeated rows of one replicate first
        data = data.groupby([*by, x, replicate_col], dropna=False, sort=False, as_index=False)["_y"].mean()
    rng = np.random.default_rng(seed)
    alpha = (1 - confidence) / 2
    rows = []
    groups = data.groupby(by, sort=True, dropna=False) if by else [((), data)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        levels = np.sort(group[x].unique().astype(float))
        values = [group.loc[group[x] == level, "_y"].to_numpy(dtype=float) for level in levels]
        mean_curve = np.array([v.mean() for v in values])
        estimate = float(first_crossing(levels, mean_curve, threshold, direction))
        boot = first_crossing(levels, _level_means_bootstrap(values, n_boot, rng), threshold, direction)
        boot_inf = np.where(np.isnan(boot), np.inf, boot)
        low, high = np.quantile(boot_inf, [alpha, 1 - alpha], method="inverted_cdf")  # no interpolation into inf
        with np.errstate(invalid="ignore"):
            first_across = mean_curve[0] > threshold if direction == "above" else mean_curve[0] < threshold
        rows.append(
            {
                **dict(zip(by, key)),
                "estimate": estimate,
                "ci_low": float(low),
                "ci_high": float(high),
                "reached": bool(np.isfinite(estimate)),
                "reached_share": float(np.isfinite(boot).mean()),
                "left_censored": bool(first_across),
                "n_levels": int(levels.size),
                "n_runs": len(group),
            }
        )
    result = pd.DataFrame(rows, columns=[*by, *COLUMNS])
    result.attrs.update(
        outcome=outcome, x=x, threshold=threshold, direction=direction, confidence=confidence, n_boot=n_boot, seed=seed
    )
    return result
