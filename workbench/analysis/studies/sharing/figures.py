"""Study 10's figure: small multiples of paired differences, one row per primary outcome and one column per
factor, each design a colour; filled markers where the difference is significant after Holm's correction
within its (design, outcome, reference) family, hollow where it is not, a grey cross where the difference
is of two structural zeros (no interval); a value against a structural zero (messages of ``none``) is no
difference and is not drawn."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from workbench.analysis.studies.sharing.analysis import SharingFindings
from workbench.analysis.studies.sharing.design import SHARING

COLOURS = {"none": "#7f7f7f", "central": "#1f77b4", "ledger": "#2ca02c", "gossip": "#d62728"}


def _level_order(levels: pd.Series) -> list[object]:
    values = list(dict.fromkeys(levels.tolist()))
    try:
        return sorted(values, key=float)
    except (TypeError, ValueError):
        return values


def _point(ax: plt.Axes, r: Any, x: float, colour: str) -> None:
    """One cell's difference: a grey cross for two structural zeros, nothing against one structural zero,
    else its interval and a marker, filled when significant."""
    if r.status == "structural zero":
        ax.plot(x, 0.0, marker="x", color="0.6", ms=4)
        return
    if r.status == "against structural zero" or not np.isfinite(r.diff):
        return
    if np.isfinite(r.ci_low):
        ax.plot([x, x], [r.ci_low, r.ci_high], color=colour, lw=1)
    face = colour if r.significant else "white"
    ax.plot(x, r.diff, marker="o", ms=4.5, color=colour, markerfacecolor=face)


def plot_differences(found: SharingFindings, reference: str = "none") -> Figure:
    """The paired differences ``design - reference`` (``"none"``, ``"central"`` or the tuned isolated arm) of
    every design, outcome and factor level; the base point's level is bold on each factor's axis."""
    diffs = found.diffs(reference)
    designs = [d for d in SHARING if d != reference]
    rows, cols = len(found.outcomes), len(found.blocks)
    fig, axes = plt.subplots(rows, cols, figsize=(2.0 * cols + 1.2, 1.75 * rows + 0.8), squeeze=False, sharey="row")
    offsets = np.linspace(-0.22, 0.22, len(designs))
    for j, block in enumerate(found.blocks):
        panel = diffs[diffs["block"] == block]
        order = _level_order(panel["level"])
        x_of = {level: i for i, level in enumerate(order)}
        for i, outcome in enumerate(found.outcomes):
            ax = axes[i, j]
            ax.axhline(0.0, color="black", lw=0.6)
            sub = panel[panel["outcome"] == outcome.column]
            for offset, design in zip(offsets, designs):
                mine = sub[sub["design"] == design]
                for r in mine.itertuples():
                    _point(ax, r, x_of[r.level] + offset, COLOURS[design])
            ax.set_xticks(range(len(order)))
            ax.set_xticklabels([str(v) for v in order], fontsize=7)
            base = found.base_levels.get(block)
            for tick, level in zip(ax.get_xticklabels(), order):
                if base is not None and level == base:
                    tick.set_fontweight("bold")
            ax.tick_params(axis="y", labelsize=7)
            if i == 0:
                ax.set_title(block, fontsize=8)
            if j == 0:
                ax.set_ylabel(
                    f"{outcome.label}\n({'higher' if outcome.higher_is_better else 'lower'} is better)", fontsize=7
                )
    handles = [plt.Line2D([], [], marker="o", ls="", color=COLOURS[d], label=f"{d} - {reference}") for d in designs] + [
        plt.Line2D([], [], marker="o", ls="", color="black", markerfacecolor="white", label="not significant (Holm)"),
        plt.Line2D([], [], marker="x", ls="", color="0.6", label="structural zero (no interval)"),
    ]
    # a fixed layout: the constraint solver takes seconds over this many panels
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.09, top=0.93, wspace=0.12, hspace=0.35)
    fig.legend(handles=handles, loc="lower center", ncols=len(handles), fontsize=8, frameon=False)
    fig.suptitle(
        f"Paired difference against {reference} (per-cell 95% t intervals over replicates; filled: significant "
        "after Holm's correction within each design and outcome; bold level: base point)",
        fontsize=9,
    )
    return fig
