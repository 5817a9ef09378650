"""The quorum explorer behind the notebook's slider: rerun the model at a quorum, draw the outcome.

Runs use ``consensus="supermajority"`` (the only rule that reads ``quorum``) and the same seed, so
moving the slider changes the quorum and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from matplotlib.figure import Figure

from workbench import ModelParams, ThreatIntelModel
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
