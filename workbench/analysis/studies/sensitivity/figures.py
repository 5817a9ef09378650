"""Study 08's figures, drawn with :mod:`workbench.analysis.sensitivity_plots`; each returns its ``Figure``
(``None`` where there is nothing to draw: no outcome analysed, or PRIM not run)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure, SubFigure

from workbench.analysis import sensitivity_plots as splots
from workbench.analysis.studies.sensitivity.analysis import SensitivityFindings


def plot_indices(found: SensitivityFindings) -> Figure | None:
    """Every analysed outcome's indices with their intervals, one panel each."""
    return splots.plot_indices_grid(found.indices) if found.indices else None


def plot_morris_planes(found: SensitivityFindings) -> Figure | None:
    """The Morris plane (mu* against sigma) of every analysed outcome side by side (Morris designs only)."""
    if found.method != "morris" or not found.indices:
        return None
    n = len(found.indices)
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.5), layout="constrained", squeeze=False)
    for ax, result in zip(axes.flat, found.indices.values()):
        splots.plot_morris_plane(result, ax=ax)
    return fig


def plot_scores(found: SensitivityFindings) -> Figure | SubFigure:
    """The feature scores of every outcome."""
    return splots.plot_indices(found.scores, title="feature scores (extra trees)")


def plot_prim_trajectory(found: SensitivityFindings) -> Figure | SubFigure | None:
    """PRIM's peeling trajectory, the chosen box circled."""
    return splots.plot_prim_trajectory(found.discovery) if found.discovery is not None else None


def plot_prim_box(found: SensitivityFindings) -> Figure | SubFigure | None:
    """The chosen box's limits on each factor, scaled to the sampled range."""
    return splots.plot_prim_box(found.discovery) if found.discovery is not None else None
