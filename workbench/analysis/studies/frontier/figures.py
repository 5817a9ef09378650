"""Study 05's figure: the three objectives of every design, pairwise, the Pareto front filled."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from workbench.analysis.studies.frontier.analysis import FrontierFindings


def plot_frontier(found: FrontierFindings) -> Figure:
    """Three pairwise scatter panels of the objectives; Pareto-optimal designs filled, others hollow,
    colour by sharing mode."""
    table = found.table
    pairs = [("latency_rank", "forged_rank"), ("msgs_node_step", "forged_rank"), ("msgs_node_step", "latency_rank")]
    names = {
        "forged_rank": "forged reach (share)",
        "latency_rank": "t50 median (steps; window = not reached)",
        "msgs_node_step": "messages per node per step",
    }
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")
    colours = dict(zip(sorted(table["sharing"].unique()), plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for ax, (x, y) in zip(axes, pairs):
        for sharing, sub in table.groupby("sharing"):
            front, rest = sub[sub["pareto"]], sub[~sub["pareto"]]
            ax.scatter(rest[x], rest[y], facecolors="none", edgecolors=colours[sharing], s=30)
            ax.scatter(front[x], front[y], color=colours[sharing], s=45, label=sharing)
        ax.set_xlabel(names[x])
        ax.set_ylabel(names[y])
    axes[0].legend(title="sharing (filled: Pareto-optimal)", fontsize=8)
    return fig
