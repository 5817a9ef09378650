"""Figures of sweep results: an outcome against one factor with confidence bands, and a heatmap
of an outcome over two factors. Each function returns the matplotlib ``Figure``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.analysis.axes import figure_and_axes
from workbench.analysis.stats import summarize

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


def plot_outcome(
    frame: pd.DataFrame,
    outcome: str,
    x: str,
    hue: str | None = None,
    *,
    ax: Axes | None = None,
    confidence: float = 0.95,
    hue_order: Sequence | None = None,
) -> Figure | SubFigure:
    """Mean of ``outcome`` over replicates against factor ``x`` (one line per ``hue`` level),
    with a shaded ``confidence`` interval band. Other factors are pooled."""
    by = [x] if hue is None else [hue, x]
    table = summarize(frame, outcome, by=by, confidence=confidence)
    fig, ax = figure_and_axes(ax)
    levels = [None] if hue is None else list(hue_order or pd.unique(table[hue]))
    for level in levels:
        part = table if level is None else table[table[hue] == level]
        part = part.sort_values(x)
        (line,) = ax.plot(part[x], part["mean"], marker="o", label=None if level is None else str(level))
        ax.fill_between(part[x], part["ci_low"], part["ci_high"], color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{outcome} (mean, {confidence:.0%} CI)")
    if hue is not None:
        ax.legend(title=hue, frameon=False)
    return fig


def plot_heatmap(
    frame: pd.DataFrame,
    outcome: str,
    x: str,
    y: str,
    *,
    ax: Axes | None = None,
    cmap: str = "viridis",
    annotate: bool = True,
    fmt: str = ".2f",
) -> Figure | SubFigure:
    """Mean of ``outcome`` over replicates on a grid of factors ``x`` (columns) and ``y`` (rows)."""
    table = summarize(frame, outcome, by=[y, x])
    grid = table.pivot(index=y, columns=x, values="mean")
    grid = grid.reindex(index=pd.unique(table[y]), columns=pd.unique(table[x]))  # design order, not sorted
    fig, ax = figure_and_axes(ax)
    image = ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, aspect="auto", origin="lower")
    ax.set_xticks(range(grid.shape[1]), [str(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [str(v) for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.colorbar(image, ax=ax, label=f"{outcome} (mean)")
    if annotate:
        values = grid.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(
                    j,
                    i,
                    format(value, fmt),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if value > middle else "white",
                )
    return fig
