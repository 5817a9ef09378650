"""Figures and tables of sensitivity results: index bars with their intervals, the Morris mu*-sigma plane,
and PRIM's peeling trajectory and box. Each plotting function returns the matplotlib ``Figure``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.analysis.axes import figure_and_axes
from workbench.analysis.prim import PrimResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

# index column -> its interval column, per kind of result frame
_BARS = {"sobol": [("S1", "S1_conf"), ("ST", "ST_conf")], "morris": [("mu_star", "mu_star_conf")]}


def _kind(indices: pd.DataFrame) -> str:
    if {"S1", "ST"} <= set(indices.columns):
        return "sobol"
    if "mu_star" in indices.columns:
        return "morris"
    return "scores"


def indices_by_outcome(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    method: Callable[..., pd.DataFrame],
    *,
    skip_errors: bool = False,
    **options: Any,
) -> dict[str, pd.DataFrame]:
    """``method(frame, outcome, **options)`` for every outcome (e.g. ``sensitivity.sobol``), keyed by outcome.

    With ``skip_errors`` an outcome whose analysis raises ``ValueError`` (NaN at some points, a constant
    outcome) is left out and its message kept in ``result_dict.skipped`` (outcome -> message), so that a
    notebook can say why instead of failing; otherwise the error propagates.
    """
    results = _Indices()
    for outcome in outcomes:
        try:
            results[outcome] = method(frame, outcome, **options)
        except ValueError as error:
            if not skip_errors:
                raise
            results.skipped[outcome] = str(error)
    return results


class _Indices(dict):
    """A dict of index frames by outcome, with the outcomes left out and why (``skipped``)."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: dict[str, str] = {}


def tidy_indices(results: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (outcome, factor, index) from :func:`indices_by_outcome`: columns ``outcome``, ``factor``,
    ``index``, ``value``, ``conf`` (half-width of the interval; NaN for indices without one)."""
    rows = []
    for outcome, indices in results.items():
        kind = _kind(indices)
        pairs = _BARS.get(kind, [(c, None) for c in indices.columns])
        if kind == "morris":
            pairs = [*pairs, ("mu", None), ("sigma", None)]
        for factor, row in indices.iterrows():
            for column, conf in pairs:
                rows.append(
                    {
                        "outcome": outcome,
                        "factor": factor,
                        "index": column,
                        "value": float(row[column]),
                        "conf": float(row[conf]) if conf else np.nan,
                    }
                )
    return pd.DataFrame(rows, columns=["outcome", "factor", "index", "value", "conf"])


def plot_indices(indices: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Figure | SubFigure:
    """Bars of one outcome's indices per factor with their intervals as error bars.

    Sobol (``S1``, ``ST`` with ``*_conf``): two bars per factor. Morris: ``mu_star`` with ``mu_star_conf``.
    Feature scores (any other frame): one bar per column, no interval. Bars are horizontal, factors top
    to bottom in the frame's order.
    """
    kind = _kind(indices)
    pairs = _BARS.get(kind, [(c, None) for c in indices.columns])
    fig, ax = figure_and_axes(ax)
    factors = [str(f) for f in indices.index]
    positions = np.arange(len(factors))
    height = 0.8 / len(pairs)
    for i, (column, conf) in enumerate(pairs):
        errors = indices[conf].to_numpy(dtype=float) if conf else None
        # horizontal bars: factor names stay readable; the first factor on top
        ax.barh(
            positions + (i - (len(pairs) - 1) / 2) * height,
            indices[column].to_numpy(dtype=float),
            height,
            xerr=errors,
            capsize=3,
            label=column,
        )
    ax.set_yticks(positions, factors)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    confidence = indices.attrs.get("confidence")
    label = {"sobol": "Sobol index", "morris": "mu*", "scores": "importance"}[kind]
    ax.set_xlabel(label + (f" ({confidence:.0%} CI)" if confidence and kind != "scores" else ""))
    if len(pairs) > 1:
        ax.legend(frameon=False)
    ax.set_title(title if title is not None else indices.attrs.get("outcome", ""))
    return fig


def plot_indices_grid(
    results: Mapping[str, pd.DataFrame], *, columns: int = 2, figsize_per: tuple[float, float] = (5.0, 3.2)
) -> Figure:
    """:func:`plot_indices` for every outcome of :func:`indices_by_outcome`, one panel each."""
    import matplotlib.pyplot as plt

    n = len(results)
    if n == 0:
        raise ValueError("results is empty; give indices for at least one outcome")
    cols = min(columns, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(figsize_per[0] * cols, figsize_per[1] * rows), layout="constrained", squeeze=False
    )
    for ax, (outcome, indices) in zip(axes.flat, results.items()):
        plot_indices(indices, ax=ax, title=outcome)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig


def plot_morris_plane(indices: pd.DataFrame, *, ax: Axes | None = None) -> Figure | SubFigure:
    """Morris screening plane: ``mu_star`` (importance) against ``sigma`` (non-linearity, interactions),
    with ``mu_star_conf`` as horizontal error bars and factor names as labels."""
    fig, ax = figure_and_axes(ax)
    ax.errorbar(indices["mu_star"], indices["sigma"], xerr=indices["mu_star_conf"], fmt="o", capsize=3)
    for factor, row in indices.iterrows():
        ax.annotate(str(factor), (row["mu_star"], row["sigma"]), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("mu* (mean |elementary effect|)")
    ax.set_ylabel("sigma (sd of elementary effects)")
    ax.set_title(indices.attrs.get("outcome", ""))
    return fig


def plot_prim_trajectory(result: PrimResult, *, ax: Axes | None = None) -> Figure | SubFigure:
    """PRIM's coverage-density trade-off: one point per box of the peeling trajectory, coloured by the
    number of restricted dimensions; the chosen box is circled."""
    fig, ax = figure_and_axes(ax)
    t = result.trajectory
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    chosen = t.iloc[result.chosen]
    ax.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=140,
        facecolors="none",
        edgecolors="red",
        linewidths=1.5,
        label=f"chosen box (step {int(chosen['step'])})",
    )
    fig.colorbar(points, ax=ax, label="restricted dimensions")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False, loc="lower left")
    ax.set_title(f"PRIM: {result.outcome} {'>' if result.direction == 'above' else '<'} {result.threshold:g}")
    return fig


def plot_prim_box(
    result: PrimResult, ranges: Mapping[str, tuple[float, float]] | None = None, *, ax: Axes | None = None
) -> Figure | SubFigure:
    """The chosen box's limits on its restricted numeric factors, each drawn as a bar over the factor's range
    scaled to 0..1 (``ranges`` default to the limits of the trajectory's first box, i.e. the data's range);
    categorical restrictions are written as text."""
    box, full = result.box, result.boxes[0].limits
    names = box.restricted
    fig, ax = figure_and_axes(ax, (7.0, 1.2 + 0.5 * max(len(names), 1)))
    for i, name in enumerate(names):
        row = box.limits.loc[name]
        qp = row["qp_value"]
        if row["levels"] is not None:
            ax.text(0.0, i, f"{{{', '.join(map(str, row['levels']))}}}", va="center", fontsize=9)
            continue
        low, high = (ranges or {}).get(name, (full.at[name, "low"], full.at[name, "high"]))
        span = (high - low) or 1.0
        left, right = (row["low"] - low) / span, (row["high"] - low) / span
        ax.barh(i, right - left, left=left, height=0.5, color="tab:red" if qp <= 0.05 else "tab:gray", alpha=0.7)
        ax.text(left, i - 0.28, f"{row['low']:.3g}", ha="center", va="bottom", fontsize=8)
        ax.text(right, i - 0.28, f"{row['high']:.3g}", ha="center", va="bottom", fontsize=8)
    ax.set_yticks(range(len(names)), [f"{n} (qp {box.limits.at[n, 'qp_value']:.1e})" for n in names])
    ax.invert_yaxis()  # factors top to bottom in the frame's order
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel("position in the sampled range (0 = lowest, 1 = highest)")
    ax.set_title(f"coverage {box.coverage:.2f}, density {box.density:.2f}, mass {box.mass:.2f}", fontsize=10)
    return fig
