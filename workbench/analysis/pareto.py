"""Pareto fronts: the designs no other design beats on every objective at once.

Used for the security-latency-overhead frontier: each row is a design (its mean outcomes over
replicates), each objective a column to minimise (forged share, median time to protection, messages
per signature) or maximise (protected share).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

CHUNK = 512  # rows compared at once: memory is CHUNK * n * objectives booleans


def pareto_mask(frame: pd.DataFrame, minimize: Sequence[str] = (), maximize: Sequence[str] = ()) -> pd.Series:
    """Boolean Series, True for the non-dominated rows of ``frame`` (index aligned with it).

    Row ``a`` *dominates* row ``b`` when ``a`` is at least as good as ``b`` on every objective and
    strictly better on at least one (better = smaller for ``minimize`` columns, larger for
    ``maximize`` columns). A row is on the front when no row dominates it. Ties: rows equal on every
    objective do not dominate one another, so duplicates of a front point are all on the front.
    Rows with NaN in any objective cannot be compared; they are False here and counted in the
    Series' ``attrs["n_excluded_nan"]`` (with a ``RuntimeWarning``).
    """
    minimize, maximize = list(minimize), list(maximize)
    objectives = [*minimize, *maximize]
    if not objectives:
        raise ValueError("pareto_mask needs at least one column in minimize or maximize")
    missing = [c for c in objectives if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame; columns: {list(frame.columns)}")
    overlap = set(minimize) & set(maximize)
    if overlap:
        raise ValueError(f"column(s) {sorted(overlap)} are in both minimize and maximize")
    # turn every objective into "smaller is better"
    values = np.column_stack(
        [frame[c].to_numpy(dtype=float) for c in minimize] + [-frame[c].to_numpy(dtype=float) for c in maximize]
    )
    complete = np.isfinite(values).all(axis=1) if values.size else np.ones(len(frame), bool)
    points = values[complete]
    on_front = np.ones(len(points), dtype=bool)
    for start in range(0, len(points), CHUNK):
        block = points[start : start + CHUNK]
        # dominated[i] if any row j is <= block[i] everywhere and < somewhere
        no_worse = (points[None, :, :] <= block[:, None, :]).all(axis=2)
        better = (points[None, :, :] < block[:, None, :]).any(axis=2)
        on_front[start : start + CHUNK] = ~(no_worse & better).any(axis=1)
    mask = np.zeros(len(frame), dtype=bool)
    mask[np.flatnonzero(complete)[on_front]] = True
    result = pd.Series(mask, index=frame.index, name="pareto")
    n_nan = int((~complete).sum())
    result.attrs["n_excluded_nan"] = n_nan
    if n_nan:
        warnings.warn(
            f"pareto: {n_nan} row(s) with NaN in {objectives} left out (not comparable)", RuntimeWarning, stacklevel=2
        )
    return result


def pareto_front(frame: pd.DataFrame, minimize: Sequence[str] = (), maximize: Sequence[str] = ()) -> pd.DataFrame:
    """The non-dominated rows of ``frame`` (see :func:`pareto_mask`), in their original order.

    ``attrs["n_excluded_nan"]`` counts rows left out for a NaN objective; ``attrs["minimize"]`` and
    ``attrs["maximize"]`` record the objectives.
    """
    mask = pareto_mask(frame, minimize, maximize)
    front = frame.loc[mask.to_numpy()].copy()
    front.attrs.update(n_excluded_nan=mask.attrs["n_excluded_nan"], minimize=list(minimize), maximize=list(maximize))
    return front
