"""The quorum explorer behind the notebook's slider: rerun the model at a quorum, draw the outcome.

Runs use ``consensus="supermajority"`` (the only rule that reads ``quorum``) and the same seed, so
moving the slider changes the quorum and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
from matplotlib.figure import Figure

from workbench import ModelParams, ThreatIntelModel, run_model
from workbench.viz.static import draw_forged_reach, draw_network, draw_protection


def run_at_quorum(params: ModelParams, quorum: float, *, seed: int, steps: int) -> ThreatIntelModel:
    """A model with ``params`` under a supermajority rule at ``quorum``, run for ``steps`` steps."""
    model = ThreatIntelModel(params.replace(consensus="supermajority", quorum=quorum), rng=seed)
    for _ in range(steps):
        model.step()
    return model


def quorum_figure(params: ModelParams, quorum: float, *, seed: int, steps: int) -> Figure:
    """Network, protection per campaign and forged signatures reaching honest blocklists after ``steps`` steps at ``quorum``."""
    model = run_at_quorum(params, quorum, seed=seed, steps=steps)
    fig = Figure(figsize=(13, 3.8), constrained_layout=True)
    axes = fig.subplots(1, 3)
    draw_network(model, axes[0], title=f"quorum {quorum:.2f}, step {model.steps}")
    draw_protection(model, axes[1])
    draw_forged_reach(model, axes[2])
    return fig


def quorum_comparison(params: ModelParams, quorums: Iterable[float], *, seed: int, steps: int) -> Figure:
    """Protection per campaign (top) and forged signatures reaching honest blocklists (bottom), one column per quorum."""
    quorums = list(quorums)
    fig = Figure(figsize=(4 * len(quorums), 6), constrained_layout=True)
    axes = fig.subplots(2, len(quorums), squeeze=False, sharey="row")
    for col, quorum in enumerate(quorums):
        model = run_at_quorum(params, quorum, seed=seed, steps=steps)
        draw_protection(model, axes[0, col])
        axes[0, col].set_title(f"quorum {quorum:.2f}: protection", fontsize="medium")
        draw_forged_reach(model, axes[1, col])
        axes[1, col].set_title(f"quorum {quorum:.2f}: forged reach", fontsize="medium")
    return fig


QUORUM_OUTCOMES = (
    "forged_confirmed_frac",
    "forged_reach_frac",
    "t50_median_steps",
    "t50_reached_frac",
    "protected_frac_mean",
    "genuine_rejected_frac",
)


def quorum_outcomes(params: ModelParams, quorums: Iterable[float], *, seed: int, steps: int) -> pd.DataFrame:
    """One row per quorum: the run's security and protection outcomes (see docs/outcomes.md)."""
    rows = []
    for quorum in quorums:
        result = run_model(params.replace(consensus="supermajority", quorum=quorum), seed=seed, steps=steps)
        rows.append({"quorum": quorum, **{name: result.summary[name] for name in QUORUM_OUTCOMES}})
    return pd.DataFrame(rows)


def _pct(x: float) -> str:
    return "undefined (nothing forged was decided)" if math.isnan(x) else f"{100 * x:.0f}%"


def quorum_prose(table: pd.DataFrame, *, seed: int) -> str:
    """What the quorum runs show, in words computed from ``table`` (one seed: a mechanism, not an effect)."""
    low, high = table.iloc[0], table.iloc[-1]
    reach = table["forged_reach_frac"]
    if reach.isna().all():
        security = "No forged signature was made in these runs, so they say nothing about forgeries."
    elif (reach.fillna(0) == 0).all():
        security = (
            "No forged signature reached an honest node's blocklist at any quorum: honest nodes checked "
            "forgeries against their own traffic and voted them down."
        )
    else:
        per_quorum = ", ".join(
            f"{_pct(row.forged_reach_frac)} at quorum {row.quorum:.2f}" for row in table.itertuples()
        )
        security = f"Share of forged signatures that reached an honest node's blocklist: {per_quorum}."
    speed = (
        f"Half of the honest nodes were protected in {_pct(low.t50_reached_frac)} of the campaigns at quorum "
        f"{low.quorum:.2f} (Kaplan-Meier median {low.t50_median_steps:.0f} steps) and in "
        f"{_pct(high.t50_reached_frac)} at {high.quorum:.2f}; genuine signatures rejected: "
        f"{_pct(low.genuine_rejected_frac)} and {_pct(high.genuine_rejected_frac)}."
    )
    return (
        f"{security} {speed} These are single runs (seed {seed}): they show the mechanism, not an effect "
        "size; sweeps with replicates and intervals are in `02_parameter_sweep` and `04_breakdown`."
    )
