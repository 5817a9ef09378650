"""Figures and a short reading of one run (used by notebooks/01_single_run.ipynb).

Each plotting function takes a :class:`~workbench.model.run.RunResult` (or one of its frames) and an
optional matplotlib ``Axes``, draws, and returns the ``Axes``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from workbench.model.run import RunResult

OUTCOME_COLOURS = {"confirmed": "#2a9d8f", "rejected": "#e76f51", "pending": "#adb5bd"}


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]


RECALL_COLOUR, PRECISION_COLOUR, FPR_COLOUR = "#264653", "#2a9d8f", "#e76f51"
START_STYLE: dict[str, Any] = {"color": "grey", "linewidth": 0.8, "linestyle": "--"}
ROTATION_STYLE: dict[str, Any] = {"color": "#7b2cbf", "linewidth": 1.3, "linestyle": ":"}
ROTATION_LABEL = "prefix rotation"  # the live view's name for the same mark (workbench.viz.style)


def _legend_below(ax: Axes, handles: list[Any], ncol: int = 3) -> None:
    """The legend under the axes, outside the data (the inline backend's tight bounding box keeps it)."""
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=ncol, fontsize=8, frameon=False)


def plot_detection(steps: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Local detection per step: recall and precision (left axis, solid) and false-positive rate (right axis,
    dashed, in its colour); each axis is labelled with its lines, the legend sits below the axes."""
    ax = _axes(ax)
    ax.plot(steps.step, steps.recall, label="recall (left axis)", color=RECALL_COLOUR)
    ax.plot(steps.step, steps.precision, label="precision (left axis)", color=PRECISION_COLOUR)
    ax.set(xlabel="step", ylabel="recall, precision (solid)", ylim=(-0.02, 1.02), title="Local detection")
    right = ax.twinx()
    right.plot(steps.step, steps.fpr, label="false-positive rate (right axis)", color=FPR_COLOUR, linestyle="--")
    right.set_ylabel("false-positive rate (dashed)", color=FPR_COLOUR)
    right.tick_params(axis="y", colors=FPR_COLOUR)
    right.spines["right"].set_color(FPR_COLOUR)
    right.set_ylim(0, max(0.02, float(np.nanmax(steps.fpr.to_numpy(dtype=float), initial=0)) * 1.2))
    _legend_below(ax, [*ax.get_lines(), *right.get_lines()])
    return ax


def rotation_steps(result: RunResult, campaign: Any) -> list[int]:
    """The steps of the run at which ``campaign`` (a row of ``result.campaigns``) moved to fresh prefixes
    (every ``prefix_rotation_steps`` after its start): rules against its old prefixes go stale there, so its
    protection falls. Empty when the parameter is 0 (never)."""
    every = int(getattr(result.params, "prefix_rotation_steps", 0) or 0)
    if every <= 0:
        return []
    start, last = int(campaign.start_step), int(result.steps.step.max())
    return list(range(start + every, last + 1, every))


def plot_spread_vs_protection(result: RunResult, axes: Sequence[Axes] | None = None) -> Sequence[Axes]:
    """Per campaign: fraction of honest nodes the attack reached vs fraction protected, over time; a dashed
    line at the campaign's start and dotted lines at its prefix rotations (:func:`rotation_steps`)."""
    campaigns = result.campaigns
    if axes is None:
        _, grid = plt.subplots(
            1, max(1, len(campaigns)), figsize=(4 * max(1, len(campaigns)), 3.2), sharey=True, squeeze=False
        )
        axes = list(grid[0])
    steps = result.steps
    rotated = False
    for ax, (_, camp) in zip(axes, campaigns.iterrows()):
        c = int(camp.campaign)
        ax.plot(steps.step, steps[f"targeted_frac_c{c}"], color="#e76f51", label="reached by attack")
        ax.plot(steps.step, steps[f"protected_frac_c{c}"], color="#2a9d8f", label="protected")
        ax.axvline(camp.start_step, **START_STYLE)
        for t in rotation_steps(result, camp):
            ax.axvline(t, **ROTATION_STYLE)
            rotated = True
        ax.set(title=f"campaign {c}: {camp.kind}", xlabel="step", ylim=(-0.02, 1.02))
    axes[0].set_ylabel("fraction of honest nodes")
    handles = [*axes[0].get_lines()[:2], Line2D([], [], label="campaign start", **START_STYLE)]
    if rotated:
        handles.append(Line2D([], [], label=f"{ROTATION_LABEL} (old rules go stale)", **ROTATION_STYLE))
    _legend_below(axes[0], handles, ncol=2)
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
    _legend_below(ax, ax.get_legend_handles_labels()[0], ncol=3)
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
    _legend_below(ax, ax.get_legend_handles_labels()[0])
    return ax


def _fmt(x: Any, digits: int = 2) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(share: Any, undefined: str = "undefined") -> str:
    """A share as a percentage (``0.812`` -> ``81.2%``, ``0.0312`` -> ``3.1%``, ``0`` -> ``0%``);
    ``undefined`` when the share has no denominator (NaN). The one format of every share in prose."""
    if _missing(share):
        return undefined
    value = 100 * float(share)
    if value == 0 or value.is_integer():
        return f"{value:.0f}%"
    return f"{value:.1f}%" if value >= 1 else f"{value:.2g}%"


def steps_text(median: Any, what: str) -> str:
    """A Kaplan-Meier median of steps after a campaign's start, in words: ``"at once (in the step the
    campaign started)"`` for 0, ``"3 steps"``, or that it was not reached (the curve never fell to one
    half: censored campaigns, not a measured time)."""
    if _missing(median):
        return f"not reached: fewer than half of the campaigns saw {what} within their window (censored)"
    value = float(median)
    if value == 0:
        return "at once (in the step the campaign started)"
    shown = f"{value:.0f}" if value.is_integer() else f"{value:.1f}"
    return f"{shown} step{'' if value == 1 else 's'} after the campaign started"


def _of_decided(share: Any, kind: str, verb: str, first: bool = True) -> str:
    """``"12% of the genuine signatures decided were rejected"``, or that none of them was decided."""
    text = (
        f"no {kind} signature was decided"
        if _missing(share)
        else f"{pct(share)} of the {kind} signatures decided were {verb}"
    )
    return text[0].upper() + text[1:] if first else text


def describe_run(result: RunResult) -> str:
    """A few sentences (Markdown) that read the run's figures, with the numbers filled in: every share a
    percentage of what it is a share of, every time in steps after a campaign's start."""
    s, p = result.summary, result.params
    camp = result.campaigns
    lines = [
        f"**Setting.** {p.n_nodes} nodes on a `{p.topology}` network share signatures by `{p.sharing}`, vote by "
        f"`{p.validation}` and decide by `{p.consensus}`; {p.n_malicious} nodes are malicious (`{p.malicious_behavior}`). "
        f"Seed {result.seed}, {result.n_steps} steps.",
        f"**Local detection.** The `{p.detector}` detectors flag {pct(s['recall'])} of attack flows; "
        f"{pct(s['fpr'])} of benign flows are flagged (false positives), and {pct(s['precision'])} of the flagged "
        "flows are attacks (precision).",
    ]
    if len(camp):
        hit = (
            "no attack flow reached an honest node"
            if _missing(s["exposed_attack_frac"])
            else f"{pct(s['exposed_attack_frac'])} of the attack flows reached nodes not protected against them"
        )
        lines.append(
            f"**Protection.** Over each campaign's first {p.eval_window_steps} steps (its evaluation window), an "
            f"honest detector first flagged a campaign's traffic (Kaplan-Meier median) "
            f"{steps_text(s['ttd_median_steps'], 'a detection')}. Half of the honest nodes were protected in "
            f"{pct(s['t50_reached_frac'])} of the {len(camp)} campaigns (median "
            f"{steps_text(s['t50_median_steps'], 'half of the nodes protected')}, censored campaigns included) and "
            f"90% in {pct(s['t90_reached_frac'])} of them. Campaigns reached {pct(s['targeted_frac_mean'])} of the "
            f"honest nodes on average; {hit}; {pct(s['attack_blocked_frac'])} of the attack "
            "flows in the windows were blocked."
        )
    forged = (
        f"{_of_decided(s['forged_confirmed_frac'], 'forged', 'confirmed')}; "
        f"{pct(s['forged_reach_frac'])} of all forged signatures reached an honest node's blocklist. "
        if s["signatures_forged"]
        else "No signature was forged. "
    )
    lines.append(
        f"**Security and cost.** {s['signatures_proposed']} signatures were proposed ({s['signatures_forged']} forged): "
        f"{s['signatures_confirmed']} confirmed, {s['signatures_rejected']} rejected, {s['signatures_pending']} still pending. "
        f"{forged}{_of_decided(s['false_positive_confirmed_frac'], 'false-positive', 'confirmed')}; "
        f"{_of_decided(s['genuine_rejected_frac'], 'genuine', 'rejected', first=False)}. "
        f"{pct(s['benign_blocked_frac'])} of the benign flows at honest nodes were blocked. Sharing cost "
        f"{_fmt(s['messages_per_signature'], 0)} messages per signature ({_fmt(s['messages_per_node_step'], 2)} per "
        f"node and step); {s['votes_cast']} votes were cast."
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
    # what is not a scalar (a sweep's spec, a list of stores) as labelled JSON below the table, folded
    # (<details>: a click opens it) so that long specs do not bury the report's end
    for key, value in record.items():
        if key not in standard and not isinstance(value, (str, int, float, bool, type(None))):
            size = f"{len(value)} item{'s' if len(value) != 1 else ''}" if hasattr(value, "__len__") else ""
            table += (
                f"\n\n<details><summary><b>{key}</b> ({size}, JSON)</summary>\n\n"
                f"```json\n{json.dumps(value, indent=1, default=str)}\n```\n\n</details>"
            )
    return table
