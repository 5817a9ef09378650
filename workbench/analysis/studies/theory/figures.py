"""Study 07's figure: each check's formula band against the simulated value with its interval."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from workbench.analysis.studies.theory.analysis import TheoryFindings


def plot_group(found: TheoryFindings, group: str) -> Figure:
    """:func:`plot_checks` of one group of checks (``"consensus"``, ``"gossip"``)."""
    return plot_checks(found.groups[group])


def plot_checks(frame: pd.DataFrame) -> Figure:
    """One small panel per check: the formula's value with its 99% band (grey) and the observed value with
    its 95% interval (black); a red marker where they disagree."""
    n = len(frame)
    fig, axes = plt.subplots(n, 1, figsize=(7.5, 0.9 * n + 0.6), layout="constrained", squeeze=False)
    for ax, row in zip(axes[:, 0], frame.itertuples()):
        ax.axvspan(row.band_low, row.band_high, color="0.85", label="formula, 99% band")
        ax.axvline(row.expected, color="0.4", lw=1)
        ax.errorbar(
            [row.observed],
            [0],
            xerr=[[row.observed - row.obs_low], [row.obs_high - row.observed]],
            fmt="o",
            color="k" if row.agrees else "red",
            label="simulation, 95% interval",
        )
        ax.set_yticks([])
        ax.set_title(f"{row.name}: {row.quantity}", fontsize=8, loc="left")
        span = [v for v in (row.band_low, row.band_high, row.obs_low, row.obs_high) if np.isfinite(v)]
        pad = 0.15 * (max(span) - min(span) or 1e-3)
        ax.set_xlim(min(span) - pad, max(span) + pad)
    handles, labels = axes[0, 0].get_legend_handles_labels()  # below the panels, never over a band
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    return fig
