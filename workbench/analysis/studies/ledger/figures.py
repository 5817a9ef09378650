"""Study 12's figure: every design's paired difference from the ideal ledger per cell and primary outcome."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from workbench.analysis.studies.ledger.analysis import LedgerFindings
from workbench.analysis.studies.ledger.design import REFERENCE, SCENARIOS


def cell_label(found: LedgerFindings, scenario: str, level: float) -> str:
    """A cell's tick label: ``"censor\\n10 mal."`` for a level that is a malicious fraction, the level of the
    scenario's own axis otherwise (churn: ``"churn\\nleave 0.02"``, not a malicious count)."""
    sc = SCENARIOS.get(scenario)
    if sc is not None and sc.axis != "malicious_fraction":
        return f"{scenario}\n{sc.axis.removeprefix('churn_').removesuffix('_rate')} {level:g}"
    return f"{scenario}\n{round(level * found.n_nodes)} mal." if found.n_nodes else f"{scenario}\n{level:g}"


def plot_differences(found: LedgerFindings) -> Figure:
    """One row per primary outcome; along x the cells (scenario, level: :func:`cell_label`), in each the paired
    difference ``design - ideal`` of every other design with its 95% interval. Filled: the interval excludes
    zero; hollow: it does not; grey cross: a difference by definition; a design that does not define the
    outcome (a ledger outcome of central or gossip) has no mark."""
    diffs = found.vs_ideal
    cells = list(dict.fromkeys(zip(diffs["scenario"], diffs["level"])))
    designs = [d for d in found.designs if d != REFERENCE]
    n = len(found.outcomes)
    fig, axes = plt.subplots(n, 1, figsize=(max(6.0, 1.2 * len(cells) + 2), 1.9 * n), sharex=True, squeeze=False)
    width = 0.7 / max(1, len(designs))
    colors = {d: f"C{i}" for i, d in enumerate(designs)}
    for ax, o in zip(axes[:, 0], found.outcomes):
        rows = diffs[diffs["outcome"] == o.column]
        for j, design in enumerate(designs):
            mine = rows[rows["design"] == design]
            for i, (scenario, level) in enumerate(cells):
                r = mine[(mine["scenario"] == scenario) & (mine["level"] == level)]
                if not len(r):
                    continue
                r = r.iloc[0]
                x = i - 0.35 + width * (j + 0.5)
                if r["status"] == "by definition":
                    ax.plot(x, r["diff"], "x", color="grey")
                elif r["status"] == "estimate":
                    low, high = r["ci_low"], r["ci_high"]
                    if np.isfinite(low):
                        ax.plot([x, x], [low, high], color=colors[design], lw=1.2)
                    face = colors[design] if r["significant"] else "white"
                    ax.plot(x, r["diff"], "o", color=colors[design], mfc=face, ms=5)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel(f"{o.label}\n({o.unit})", fontsize=7)
        ax.tick_params(labelsize=7)
    for design in designs:
        axes[0, 0].plot([], [], "o", color=colors[design], label=f"{design} - {REFERENCE}")
    axes[0, 0].legend(fontsize=7, ncol=len(designs), loc="lower left", bbox_to_anchor=(0, 1.02))
    labels = [cell_label(found, s, lv) for s, lv in cells]
    axes[-1, 0].set_xticks(range(len(cells)), labels, fontsize=7)
    fig.suptitle("Paired difference from the ideal ledger (95% intervals over replicates)", fontsize=9, y=1.0)
    fig.tight_layout()
    return fig
