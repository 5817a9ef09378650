"""Figures and a short reading of one run (used by notebooks/01_single_run.ipynb).

Each plotting function takes a :class:`~workbench.model.run.RunResult` (or one of its frames) and an
optional matplotlib ``Axes``, draws, and returns the ``Axes``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from workbench.model.run import RunResult

OUTCOME_COLOURS = {"confirmed": "#2a9d8f", "rejected": "#e76f51", "pending": "#adb5bd"}


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]


def plot_detection(steps: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Local detection per step: recall and precision (left axis) and false-positive rate (right axis)."""
    ax = _axes(ax)
    ax.plot(steps.step, steps.recall, label="recall", color="#264653")
    ax.plot(steps.step, steps.precision, label="precision", color="#2a9d8f")
    ax.set(xlabel="step", ylabel="recall / precision", ylim=(-0.02, 1.02), title="Local detection")
    right = ax.twinx()
    right.plot(steps.step, steps.fpr, label="false-positive rate", color="#e76f51", linestyle="--")
    right.set_ylabel("false-positive rate")
    right.set_ylim(0, max(0.02, float(np.nanmax(steps.fpr.to_numpy(dtype=float), initial=0)) * 1.2))
    lines = ax.get_lines() + right.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], loc="lower right", fontsize=8)
    return ax


def plot_spread_vs_protection(result: RunResult, axes: Sequence[Axes] | None = None) -> Sequence[Axes]:
    """Per campaign: fraction of honest nodes the attack reached vs fraction protected, over time."""
    campaigns = result.campaigns
    if axes is None:
        _, grid = plt.subplots(
            1, max(1, len(campaigns)), figsize=(4 * max(1, len(campaigns)), 3.2), sharey=True, squeeze=False
        )
        axes = list(grid[0])
    steps = result.steps
    for ax, (_, camp) in zip(axes, campaigns.iterrows()):
        c = int(camp.campaign)
        ax.plot(steps.step, steps[f"targeted_frac_c{c}"], color="#e76f51", label="reached by attack")
        ax.plot(steps.step, steps[f"protected_frac_c{c}"], color="#2a9d8f", label="protected")
        ax.axvline(camp.start_step, color="grey", linewidth=0.8, linestyle=":")
        ax.set(title=f"campaign {c}: {camp.kind}", xlabel="step", ylim=(-0.02, 1.02))
    axes[0].set_ylabel("fraction of honest nodes")
    axes[0].legend(fontsize=8, loc="lower right")
    return axes


def plot_signature_outcomes(signatures: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Signatures by origin class (genuine, false positive, forged) and outcome (stacked bars)."""
    ax = _axes(ax)
    kind = np.select([signatures.forged, signatures.genuine], ["forged", "genuine"], "false positive")
    table = pd.crosstab(pd.Series(kind, name="signature"), signatures.outcome).reindex(
        index=["genuine", "false positive", "forged"], columns=list(OUTCOME_COLOURS), fill_value=0
    )
    table.plot.bar(stacked=True, ax=ax, color=[OUTCOME_COLOURS[c] for c in table.columns], rot=0)
    ax.set(ylabel="signatures", xlabel="", title="Signature outcomes")
    return ax


def plot_blocking(steps: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Attack flows blocked vs let through, and benign flows blocked (collateral damage), per step."""
    ax = _axes(ax)
    ax.stackplot(
        steps.step,
        steps.attack_flows_blocked,
        steps.attack_flows_passed,
        labels=["attack blocked", "attack let through"],
        colors=["#2a9d8f", "#e76f51"],
        alpha=0.85,
    )
    ax.plot(steps.step, steps.benign_flows_blocked, color="black", linewidth=1, label="benign blocked")
    ax.set(xlabel="step", ylabel="flows per step (honest nodes)", title="Blocking")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def _fmt(x: Any, digits: int = 2) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def describe_run(result: RunResult) -> str:
    """A few sentences (Markdown) that read the run's figures, with the numbers filled in."""
    s, p = result.summary, result.params
    camp = result.campaigns
    lines = [
        f"**Setting.** {p.n_nodes} nodes on a `{p.topology}` network share signatures by `{p.sharing}`, vote by "
        f"`{p.validation}` and decide by `{p.consensus}`; {p.n_malicious} nodes are malicious (`{p.malicious_behavior}`). "
        f"Seed {result.seed}, {result.n_steps} steps.",
        f"**Local detection.** The `{p.detector}` detectors flag {_fmt(100 * s['recall'], 1)}% of attack flows at a "
        f"false-positive rate of {_fmt(100 * s['fpr'], 2)}% (precision {_fmt(s['precision'])}).",
    ]
    if len(camp):
        lines.append(
            f"**Protection.** Over each campaign's first {p.eval_window_steps} steps (its evaluation window), the "
            f"Kaplan-Meier median time to first detection is {_fmt(s['ttd_median_steps'], 1)} steps; half of the "
            f"honest nodes were protected in {_fmt(100 * s['t50_reached_frac'], 0)}% of the {len(camp)} campaigns "
            f"(median {_fmt(s['t50_median_steps'], 1)} steps, censored campaigns included) and 90% in "
            f"{_fmt(100 * s['t90_reached_frac'], 0)}%. Campaigns reached {_fmt(100 * s['targeted_frac_mean'], 0)}% of honest "
            f"nodes on average; {_fmt(100 * s['hit_before_protected_frac'], 0)}% of the targeted ones were hit before "
            f"they were protected; {_fmt(100 * s['attack_blocked_frac'], 1)}% of the attack flows in the windows were blocked."
        )
    lines.append(
        f"**Security and cost.** {s['signatures_proposed']} signatures were proposed ({s['signatures_forged']} forged): "
        f"{s['signatures_confirmed']} confirmed, {s['signatures_rejected']} rejected, {s['signatures_pending']} still pending. "
        f"Forged signatures confirmed: {_fmt(s['forged_confirmed_frac'])} of those decided; reaching an honest "
        f"blocklist: {_fmt(s['forged_reach_frac'])} of all forged. Detector false positives confirmed: "
        f"{_fmt(s['false_positive_confirmed_frac'])}; genuine signatures rejected: {_fmt(s['genuine_rejected_frac'])}. "
        f"{_fmt(100 * s['benign_blocked_frac'], 2)}% of benign flows were blocked; "
        f"{_fmt(s['messages_per_signature'], 0)} messages per signature, {_fmt(s['messages_per_node_step'], 2)} per node per step."
    )
    return "\n\n".join(lines)


def provenance_markdown(record: dict) -> str:
    """A provenance record (see :func:`workbench.provenance.provenance`) as a Markdown table."""
    rows = [
        ("created (UTC)", record.get("created_utc")),
        ("git commit", record.get("git_commit") or "not a git checkout"),
        ("python", record.get("python")),
    ]
    rows += [("seed", record["seed"])] if "seed" in record else []
    # every other scalar a notebook passed (steps, size, backend, ...): what a rerun needs
    standard = {"created_utc", "git_commit", "python", "platform", "packages", "parameters", "seed"}
    rows += [
        (key, value)
        for key, value in record.items()
        if key not in standard and isinstance(value, (str, int, float, bool, type(None)))
    ]
    rows += [(name, version) for name, version in record.get("packages", {}).items()]
    table = "| item | value |\n|---|---|\n" + "\n".join(f"| {k} | `{v}` |" for k, v in rows)
    if "parameters" in record:
        params = ", ".join(f"{k}={v!r}" for k, v in record["parameters"].items())
        table += f"\n\n**Parameters:** `{params}`"
    return table
