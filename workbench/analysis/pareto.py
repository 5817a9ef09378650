"""Pareto fronts: the designs no other design beats on every objective at once.

:func:`pareto_mask` compares point estimates (one row per design); :func:`interval_front` compares
designs from their runs, paired by replicate, and keeps a design off the front only when another
dominates it beyond the intervals (the frontier of study 05).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.analysis.paired import paired_interval

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


def paired_improvements(
    runs: pd.DataFrame,
    objective: str,
    better: str,
    design: str = "design",
    replicate: str = "replicate",
    structural: pd.Series | None = None,
    confidence: float = 0.95,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``(designs, low, high)``: for every ordered pair of designs ``(a, b)``, the ``confidence`` Student-t
    interval of a's improvement over b on ``objective``, paired by replicate (common random numbers: the
    same replicate seed in every design).

    The improvement of replicate ``i`` is ``x_a[i] - x_b[i]`` when ``better == "maximize"`` and
    ``x_b[i] - x_a[i]`` when ``"minimize"``, over the replicates both designs ran; ``low[a, b]``,
    ``high[a, b]`` bound its mean (NaN with fewer than two pairs;
    :func:`workbench.analysis.paired.paired_interval`). Where every paired difference is 0 the interval is
    ``[0, 0]`` (a tie). Where either design's value is a structural zero (``structural``, a
    boolean Series aligned with ``runs``: zero by definition, no estimate) the objective is a tie,
    ``[0, 0]``, whatever the values: a value that is zero by definition makes no design better.
    """
    if better not in ("minimize", "maximize"):
        raise ValueError(f"better={better!r} is not allowed; expected 'minimize' or 'maximize'")
    data = runs.assign(_y=pd.to_numeric(runs[objective], errors="coerce"))
    wide = data.pivot_table(index=design, columns=replicate, values="_y", aggfunc="mean", dropna=False)
    designs = [str(d) for d in wide.index]
    values = wide.to_numpy(dtype=float)  # (D, R), NaN where a design lacks a replicate
    low = np.full((len(designs), len(designs)), np.nan)
    high = low.copy()
    for a, b in itertools.product(range(len(designs)), repeat=2):
        # a's improvement over b, replicate by replicate (the columns are the replicates)
        ahead, behind = (values[a], values[b]) if better == "maximize" else (values[b], values[a])
        low[a, b], high[a, b] = paired_interval(ahead, behind, confidence)[2:]
    if structural is not None:
        flagged = data.assign(_s=structural.to_numpy(dtype=bool)).groupby(design)["_s"].any()
        zero = flagged.reindex(wide.index).fillna(False).to_numpy(dtype=bool)
        either = zero[:, None] | zero[None, :]
        low, high = np.where(either, 0.0, low), np.where(either, 0.0, high)
    return designs, low, high


def interval_front(
    runs: pd.DataFrame,
    minimize: Sequence[str] = (),
    maximize: Sequence[str] = (),
    design: str = "design",
    replicate: str = "replicate",
    structural: pd.DataFrame | None = None,
    eligible: pd.Series | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The designs no other design dominates *beyond its intervals*, from one row per run.

    Design ``a`` dominates ``b`` beyond intervals when, on every objective, the interval of a's paired
    improvement over ``b`` (:func:`paired_improvements`) lies at or above 0 (a is not worse, beyond the
    interval) and, on at least one, strictly above 0 (a is better, beyond the interval). Ties count as
    not worse; a structural zero (``structural``: a boolean frame with a column per objective, aligned
    with ``runs``) makes the objective a tie for both designs, so no design is optimal by a value that is
    zero by definition. A pair with no interval (fewer than two shared replicates) is no dominance: a
    design is kept off the front only when it is shown dominated.

    ``eligible`` (a boolean Series indexed by design, e.g. a protection floor) leaves designs out: they
    are neither on the front nor dominate others. Returns one row per design (sorted by name):
    ``design``, ``eligible``, ``pareto`` (True on the front) and ``dominated_by`` (the designs that
    dominate it, ``", "``-joined; empty on the front).
    """
    objectives = [(c, "minimize") for c in minimize] + [(c, "maximize") for c in maximize]
    if not objectives:
        raise ValueError("interval_front needs at least one column in minimize or maximize")
    missing = [c for c, _ in objectives if c not in runs.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame; columns: {list(runs.columns)}")
    designs: list[str] = []
    not_worse: np.ndarray | None = None
    better: np.ndarray | None = None
    for column, direction in objectives:
        zero = structural[column] if structural is not None and column in structural.columns else None
        designs, low, _ = paired_improvements(runs, column, direction, design, replicate, zero, confidence)
        with np.errstate(invalid="ignore"):
            nw, bt = low >= 0.0, low > 0.0  # NaN compares False: no interval, no dominance
        not_worse = nw if not_worse is None else not_worse & nw
        better = bt if better is None else better | bt
    assert not_worse is not None and better is not None
    ok = np.ones(len(designs), bool) if eligible is None else eligible.reindex(designs).fillna(False).to_numpy(bool)
    dominates = not_worse & better & ok[:, None] & ok[None, :]
    np.fill_diagonal(dominates, False)
    dominated_by = [", ".join(designs[a] for a in np.flatnonzero(dominates[:, b])) for b in range(len(designs))]
    return pd.DataFrame(
        {
            "design": designs,
            "eligible": ok,
            "pareto": ok & ~dominates.any(axis=0),
            "dominated_by": dominated_by,
        }
    )
