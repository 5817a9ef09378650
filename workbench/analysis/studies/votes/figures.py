"""Study 06's figures: observed committee outcomes against their predictions, and Condorcet's promise
under the fitted correlation."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from workbench.analysis.confirmation import betabinomial_confirm_prob, binomial_confirm_prob
from workbench.analysis.studies.votes.analysis import VoteFindings
from workbench.model.consensus import approvals_needed


def plot_observed_vs_predicted(found: VoteFindings) -> Figure:
    """Observed committee outcome (with its Wilson interval) against the three predictions, one row per cell."""
    table, by = found.table, found.by
    shown = table[np.isfinite(table["observed"].astype(float))].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(shown), 4) + 1), layout="constrained")
    y = np.arange(len(shown))
    ax.errorbar(
        shown["observed"],
        y,
        xerr=[shown["observed"] - shown["obs_low"], shown["obs_high"] - shown["observed"]],
        fmt="o",
        color="k",
        label="observed (Wilson 95%)",
    )
    for column, marker in (("binomial", "x"), ("effective", "^"), ("betabinomial", "s")):
        ax.scatter(shown[column], y, marker=marker, label=column, zorder=3)
    ax.set_yticks(y, [" / ".join(str(r[c]) for c in [*by, "sig_class"]) for _, r in shown.iterrows()], fontsize=8)
    ax.set_xlabel("share of signatures on which the honest votes meet the rule")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def plot_promise(found: VoteFindings, sizes: np.ndarray | None = None) -> Figure:
    """Condorcet's promise against the fitted correlation: predicted committee outcome vs committee size,
    binomial (dashed) and beta-binomial (solid), for each cell with a fitted beta-binomial; odd
    committee sizes by default (an even committee needs one vote more than half, a sawtooth that hides the trend)."""
    table, by = found.table, found.by
    sizes = np.arange(1, 62, 2) if sizes is None else sizes
    fitted = table[np.isfinite(table["bb_rho"].astype(float)) & (table["bb_rho"] > 0)]
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for _, row in fitted.iterrows():
        k = approvals_needed(sizes, "majority")
        (line,) = ax.plot(sizes, binomial_confirm_prob(sizes, k, row["approve_share"]), ls="--", lw=1)
        alpha = row["approve_share"] * (1 / row["bb_rho"] - 1)
        beta = (1 - row["approve_share"]) * (1 / row["bb_rho"] - 1)
        ax.plot(
            sizes,
            betabinomial_confirm_prob(sizes, k, alpha, beta),
            color=line.get_color(),
            label=" / ".join(str(row[c]) for c in [*by, "sig_class"]),
        )
    ax.set_xlabel("committee size n (independent: dashed; fitted beta-binomial: solid)")
    ax.set_ylabel("P(majority approves)")
    if len(fitted):
        ax.legend(fontsize=7)
    return fig
