"""Where a figure function draws: on the caller's ``Axes``, or on a new figure of a given size.

``matplotlib.pyplot`` is imported only when a figure is made here, so that the analysis functions that
never draw import without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


def figure_and_axes(
    ax: Axes | None = None, figsize: tuple[float, float] = (6.0, 4.0)
) -> tuple[Figure | SubFigure, Axes]:
    """``ax`` and the figure it belongs to; with ``ax=None`` a new constrained-layout figure of ``figsize``
    inches with one ``Axes``."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, new_ax
