"""Study 05: what does protection cost? The security-latency-overhead frontier of sharing designs.

Every design (sharing mode with its quorum, gossip fanout and vote deadline) is run under the same
adversary and measured on three objectives, each with an interval:

- security: forged signatures reaching an honest node's blocklist, pooled over replicates
  (``forged_reach_frac`` counts; Wilson interval), smaller is better;
- latency: Kaplan-Meier median of the campaigns' time to 50% of honest nodes protected, pooled over
  the campaigns of all replicates with censoring (:func:`workbench.analysis.survival.km_median_table`),
  smaller is better; a design whose median is not reached within the evaluation window ranks behind
  every design that reaches it;
- overhead: messages per node per step (mean over replicates, t interval), smaller is better;
  messages per signature are reported beside it.

The Pareto-optimal designs (:func:`workbench.analysis.pareto.pareto_mask`) are those no other design
beats on all three at once.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from workbench.analysis.intervals import share_table
from workbench.analysis.pareto import pareto_mask
from workbench.analysis.stats import mean_ci
from workbench.analysis.studies import check_size, fmt_interval
from workbench.analysis.survival import km_median_table
from workbench.experiments import Sweep

FACTORS = ("quorum", "gossip_fanout", "vote_deadline_steps", "central_quorum")

SIZES: dict[str, dict[str, Any]] = {
    # gossip 2x2x2 + ledger 2x2 + central 2x2 + none = 17 designs x 3 replicates = 51 runs
    "small": {
        "quorum": [0.6, 0.8],
        "gossip_fanout": [1, 3],
        "vote_deadline_steps": [2, 6],
        "central_quorum": [1, 3],
        "replicates": 3,
        "steps": 30,
        "base": {"n_nodes": 20, "flows_per_node": 20},
    },
    # gossip 4x3x3 + ledger 4x3 + central 3x3 + none = 58 designs x 30 replicates = 1,740 runs
    "full": {
        "quorum": [0.55, 0.67, 0.8, 0.9],
        "gossip_fanout": [1, 2, 4],
        "vote_deadline_steps": [2, 4, 8],
        "central_quorum": [1, 2, 4],
        "replicates": 30,
        "steps": 40,
        "base": {"n_nodes": 30, "flows_per_node": 20},
    },
}


def build_sweeps(
    size: str = "small", seed: int = 0, base: dict[str, Any] | None = None, replicates: int | None = None
) -> tuple[list[Sweep], list[dict[str, Any]]]:
    """One sweep per sharing mode, crossing the factors that matter for it, and their labels.

    gossip: ``quorum`` x ``gossip_fanout`` x ``vote_deadline_steps`` (supermajority); ledger: ``quorum`` x
    ``vote_deadline_steps``; central: ``central_quorum`` x ``vote_deadline_steps`` (the aggregator's report
    window); none: one design, the isolated reference. ``base`` (e.g. the adversary) applies to all.
    """
    plan = SIZES[check_size(size)]
    common = {**plan["base"], **(base or {})}
    blocks = {
        "gossip": ({"consensus": "supermajority"}, ["quorum", "gossip_fanout", "vote_deadline_steps"]),
        "ledger": ({"consensus": "supermajority"}, ["quorum", "vote_deadline_steps"]),
        "central": ({}, ["central_quorum", "vote_deadline_steps"]),
        "none": ({}, []),
    }
    sweeps, labels = [], []
    for sharing, (extra, factors) in blocks.items():
        sweeps.append(
            Sweep(
                {**common, **extra, "sharing": sharing},
                {f: plan[f] for f in factors},
                replicates=replicates or plan["replicates"],
                steps=plan["steps"],
                seed=seed,
                keep=["campaigns"],
                name=f"05_frontier_{size}_{sharing}",
            )
        )
        labels.append({"sharing": sharing})
    return sweeps, labels


def design_labels(frame: pd.DataFrame) -> pd.Series:
    """A short name per row: ``"gossip q=0.8 k=3 d=6"`` (only the factors that row's block varies)."""

    def one(row: pd.Series) -> str:
        parts = [str(row["sharing"])]
        for column, short in (
            ("quorum", "q"),
            ("central_quorum", "c"),
            ("gossip_fanout", "k"),
            ("vote_deadline_steps", "d"),
        ):
            value = row.get(column)
            if value is not None and not (isinstance(value, float) and np.isnan(value)):
                parts.append(f"{short}={value:g}")
        return " ".join(parts)

    return frame.apply(one, axis=1) if len(frame) else pd.Series([], dtype=object)


def design_table(
    runs: pd.DataFrame, campaigns: pd.DataFrame, window_steps: int, confidence: float = 0.95
) -> pd.DataFrame:
    """One row per design: the three objectives with intervals, and ``pareto`` (True on the front).

    ``runs``: one row per run with ``sharing``, the factor columns present, ``forged_reach_frac``,
    ``signatures_forged``, ``messages_per_node_step``, ``messages_per_signature`` (and ``status``).
    ``campaigns``: one row per campaign with the same design columns, ``t50_steps``, ``t50_reached``.
    ``window_steps``: the evaluation window; a design whose latency median is not reached is ranked at
    ``window_steps`` (behind every reached median, which is at most ``window_steps - 1``).
    Columns: ``design, sharing, *factors, forged_share, forged_low, forged_high, forged_made,
    t50_median, t50_low, t50_high, t50_reached, msgs_node_step, msgs_node_step_low, msgs_node_step_high,
    msgs_per_signature, runs, latency_rank, pareto``.
    """
    ok_runs = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    ok_runs = ok_runs.assign(design=design_labels(ok_runs).to_numpy())
    camps = campaigns.assign(design=design_labels(campaigns).to_numpy())
    reached = np.round(ok_runs["forged_reach_frac"].astype(float) * ok_runs["signatures_forged"].astype(float))
    counted = ok_runs.assign(forged_reached=reached).dropna(subset=["forged_reached"])
    forged = share_table(counted, "forged_reached", "signatures_forged", "design", confidence).rename(
        columns={"share": "forged_share", "ci_low": "forged_low", "ci_high": "forged_high", "trials": "forged_made"}
    )
    latency = km_median_table(camps, "t50_steps", "t50_reached", by="design", confidence=confidence).rename(
        columns={
            "median": "t50_median",
            "ci_low": "t50_low",
            "ci_high": "t50_high",
            "reached": "t50_reached",
            "n": "campaigns",
        }
    )
    factors = [c for c in FACTORS if c in ok_runs.columns]
    rows = []
    for design, group in ok_runs.groupby("design", sort=True):
        mean, low, high = mean_ci(group["messages_per_node_step"].to_numpy(dtype=float), confidence)
        first = group.iloc[0]
        rows.append(
            {
                "design": design,
                "sharing": first["sharing"],
                **{f: first[f] for f in factors},
                "msgs_node_step": mean,
                "msgs_node_step_low": low,
                "msgs_node_step_high": high,
                "msgs_per_signature": float(np.nanmean(group["messages_per_signature"].to_numpy(dtype=float))),
                "runs": len(group),
            }
        )
    table = pd.DataFrame(rows)
    table = table.merge(
        forged[["design", "forged_made", "forged_share", "forged_low", "forged_high"]], on="design", how="left"
    )
    table = table.merge(
        latency[["design", "t50_median", "t50_low", "t50_high", "t50_reached", "campaigns"]], on="design", how="left"
    )
    # no forgery made: nothing reached an honest blocklist; count it as 0 for ranking (the interval stays NaN)
    table["forged_rank"] = table["forged_share"].fillna(0.0)
    table["latency_rank"] = table["t50_median"].fillna(float(window_steps))
    table["pareto"] = pareto_mask(table, minimize=["forged_rank", "latency_rank", "msgs_node_step"]).to_numpy()
    return table.sort_values(
        ["pareto", "forged_rank", "latency_rank"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def front_listing(table: pd.DataFrame) -> pd.DataFrame:
    """The Pareto-optimal designs, with each objective as ``estimate (low to high)`` text."""
    front = table[table["pareto"]]
    return pd.DataFrame(
        {
            "design": front["design"],
            "forged reach (Wilson 95%)": [
                fmt_interval(r.forged_share, r.forged_low, r.forged_high, percent=True, digits=1)
                if np.isfinite(r.forged_share)
                else "no forgery made"
                for r in front.itertuples()
            ],
            "t50 median, steps (KM 95%)": [
                fmt_interval(r.t50_median, r.t50_low, r.t50_high, digits=0) if r.t50_reached else "not reached"
                for r in front.itertuples()
            ],
            "messages / node / step (t 95%)": [
                fmt_interval(r.msgs_node_step, r.msgs_node_step_low, r.msgs_node_step_high) for r in front.itertuples()
            ],
            "messages / signature": front["msgs_per_signature"].round(1),
            "runs": front["runs"],
        }
    ).reset_index(drop=True)


def plot_frontier(table: pd.DataFrame) -> plt.Figure:
    """Three pairwise scatter panels of the objectives; Pareto-optimal designs filled, others hollow,
    colour by sharing mode."""
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


def prose(table: pd.DataFrame, forged_target: float = 0.05) -> str:
    """Findings as Markdown, every number from ``table`` (:func:`design_table`)."""
    front = table[table["pareto"]]
    modes = front["sharing"].value_counts()
    text = (
        f"{len(front)} of {len(table)} designs are Pareto-optimal (no other design is at least as good on "
        f"forged reach, time to 50% protection and messages per node per step, and better on one). By sharing "
        f"mode: " + ", ".join(f"{mode} {count}" for mode, count in modes.items()) + ". "
    )
    safe = table[(table["forged_rank"] <= forged_target) & table["t50_reached"].fillna(False).astype(bool)]
    if len(safe):
        fastest = safe.sort_values(["latency_rank", "msgs_node_step"]).iloc[0]
        cheapest = safe.sort_values(["msgs_node_step", "latency_rank"]).iloc[0]
        text += (
            f"Among designs whose forged reach is at most {forged_target:.0%} and whose median time to 50% "
            f"protection is reached, the fastest is **{fastest['design']}** (t50 median "
            f"{fmt_interval(fastest['t50_median'], fastest['t50_low'], fastest['t50_high'], digits=0)} steps, "
            f"{fastest['msgs_node_step']:.2f} messages per node per step) and the cheapest is "
            f"**{cheapest['design']}** ({cheapest['msgs_node_step']:.2f} messages per node per step, t50 median "
            f"{cheapest['t50_median']:.0f} steps)."
        )
    else:
        text += (
            f"No design keeps forged reach at or below {forged_target:.0%} while reaching 50% protection "
            f"within the window."
        )
    return text


def headline(table: pd.DataFrame, forged_target: float = 0.05) -> tuple[dict[str, Any], dict[str, str]]:
    """Values and labels for the report card: designs on the front, and the fastest safe design's t50."""
    values: dict[str, Any] = {"pareto_designs": int(table["pareto"].sum()), "designs": len(table)}
    labels = {"pareto_designs": "Pareto-optimal designs", "designs": "designs compared"}
    safe = table[(table["forged_rank"] <= forged_target) & table["t50_reached"].fillna(False).astype(bool)]
    if len(safe):
        best = safe.sort_values(["latency_rank", "msgs_node_step"]).iloc[0]
        values["t50_safe"] = (float(best["t50_median"]), float(best["t50_low"]), float(best["t50_high"]))
        labels["t50_safe"] = f"fastest t50 with forged reach ≤ {forged_target:.0%} ({best['design']}), steps"
    else:
        values["t50_safe"] = "none safe and live"
        labels["t50_safe"] = f"fastest t50 with forged reach ≤ {forged_target:.0%}"
    return values, labels
