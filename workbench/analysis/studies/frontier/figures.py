"""Study 05's figure: protection against each cost objective, every design with its intervals, the front
filled, the protection floor dashed, structural zeros marked apart (no interval)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from workbench.analysis.studies.frontier.analysis import FrontierFindings

COSTS = {
    "benign_blocked": "benign flows blocked at honest nodes (share)",
    "forged_harm": "benign flows blocked by forged rules (share)",
    "msgs_node_step": "messages per node per step",
}


def plot_frontier(found: FrontierFindings) -> Figure:
    """One panel per cost objective against protection over time; designs on the front filled, others
    hollow, colour by sharing mode, t 95% intervals as bars; a structural zero is a grey cross at 0."""
    table = found.table
    fig, axes = plt.subplots(1, len(COSTS), figsize=(14, 4.4), layout="constrained", sharey=True)
    colours = dict(zip(sorted(table["sharing"].unique()), plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for ax, (cost, name) in zip(axes, COSTS.items()):
        for sharing, sub in table.groupby("sharing"):
            zero = sub[f"{cost}_structural"].to_numpy(dtype=bool)
            estimated = sub[~zero]
            for front, face in ((True, colours[sharing]), (False, "none")):
                part = estimated[estimated["pareto"].fillna(False).astype(bool) == front]
                if part.empty:
                    continue
                ax.errorbar(
                    part[cost],
                    part["protection"],
                    xerr=_bars(part, cost),
                    yerr=_bars(part, "protection"),
                    fmt="o",
                    ms=6 if front else 5,
                    mfc=face,
                    mec=colours[sharing],
                    ecolor=colours[sharing],
                    elinewidth=0.6,
                    alpha=0.9,
                    label=sharing if front or not estimated["pareto"].any() else None,
                )
            if zero.any():
                ax.scatter(np.zeros(zero.sum()), sub.loc[zero, "protection"], marker="x", color="0.5", zorder=3)
        ax.axhline(found.protection_floor, color="k", ls="--", lw=0.8)
        ax.set_xlabel(name)
    axes[0].set_ylabel("honest nodes protected per campaign,\nover its window (mean, t 95%)")
    axes[0].legend(title="sharing (filled: on the front)", fontsize=8)
    axes[-1].text(0.98, 0.02, "x: structural zero (no interval)", transform=axes[-1].transAxes, ha="right", fontsize=8)
    return fig


def _bars(part: pd.DataFrame, column: str) -> np.ndarray:
    """Error bar lengths ``(2, n)`` from the interval columns (0 where there is no interval)."""
    mid = part[column].to_numpy(dtype=float)
    low = np.nan_to_num(mid - part[f"{column}_low"].to_numpy(dtype=float), nan=0.0)
    high = np.nan_to_num(part[f"{column}_high"].to_numpy(dtype=float) - mid, nan=0.0)
    return np.vstack([np.clip(low, 0, None), np.clip(high, 0, None)])
