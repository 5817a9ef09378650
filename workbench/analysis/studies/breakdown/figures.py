"""Study 04's figures: the outcome curves against the malicious fraction, per behaviour."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from workbench.analysis.studies.breakdown.analysis import BreakdownFindings


def plot_curves(found: BreakdownFindings) -> Figure:
    """Two rows of panels (forged reach, protected share) x one column per behaviour; a line per design,
    with its interval band and the threshold dashed."""
    curve, forged_threshold, protected_level = found.curves, found.forged_threshold, found.protected_level
    behaviours = sorted(curve["malicious_behavior"].unique())
    fig, axes = plt.subplots(
        2,
        len(behaviours),
        figsize=(4.2 * len(behaviours), 7),
        squeeze=False,
        sharex=True,
        sharey="row",
        layout="constrained",
    )
    for j, behaviour in enumerate(behaviours):
        sub = curve[curve["malicious_behavior"] == behaviour]
        for (sharing, rule), line in sub.groupby(["sharing", "rule"], sort=True):
            label = f"{sharing} / {rule}"
            for i, (mid, low, high) in enumerate(
                (("forged_share", "forged_low", "forged_high"), ("protected", "protected_low", "protected_high"))
            ):
                ax = axes[i, j]
                shown = line.dropna(subset=[mid])
                (drawn,) = ax.plot(shown["malicious_fraction"], shown[mid], marker="o", ms=3, label=label)
                ax.fill_between(
                    shown["malicious_fraction"],
                    shown[low].clip(0, 1),
                    shown[high].clip(0, 1),
                    color=drawn.get_color(),
                    alpha=0.15,
                    linewidth=0,
                )
        if not np.isfinite(sub["forged_share"].astype(float)).any():
            axes[0, j].text(0.5, 0.5, "no forgery made", ha="center", va="center", transform=axes[0, j].transAxes)
        axes[0, j].axhline(forged_threshold, color="k", ls="--", lw=0.8)
        axes[1, j].axhline(protected_level, color="k", ls="--", lw=0.8)
        axes[0, j].set_title(behaviour)
        axes[1, j].set_xlabel("malicious fraction")
    axes[0, 0].set_ylabel("forged signatures reaching honest blocklists\n(pooled share, Wilson 95%)")
    axes[1, 0].set_ylabel("honest nodes protected per campaign,\nover its window (mean, t 95%)")
    for ax in axes.flat:
        ax.set_ylim(-0.02, 1.02)
    handles, names = axes[1, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right center", fontsize=8)
    return fig
