"""Study 05's analysis: what does protection cost? The security-latency-overhead frontier of sharing designs.

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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.intervals import share_table
from workbench.analysis.pareto import pareto_mask
from workbench.analysis.stats import mean_ci
from workbench.analysis.studies.frontier.design import FACTORS
from workbench.analysis.studies.protocol import StudyDesign
from workbench.analysis.survival import km_median_table
from workbench.model.outcomes.catalog import directions

#: The frontier's objectives: a column of the design table -> the declared outcome it ranks (its Pareto
#: direction is the outcome's, :mod:`workbench.model.outcomes`).
OBJECTIVES = {
    "forged_rank": "forged_reach_frac",
    "latency_rank": "t50_median_steps",
    "msgs_node_step": "messages_per_node_step",
}


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
    table["pareto"] = pareto_mask(table, **directions(OBJECTIVES)).to_numpy()
    return table.sort_values(
        ["pareto", "forged_rank", "latency_rank"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


@dataclass(frozen=True)
class FrontierFindings:
    """What study 05 found: one row per design with its objectives and Pareto membership
    (:func:`design_table`), and the forged-reach target that makes a design "safe"."""

    table: pd.DataFrame
    forged_target: float


def analyse(
    design: StudyDesign, results: pd.DataFrame, campaigns: pd.DataFrame, forged_target: float = 0.05
) -> FrontierFindings:
    """The design table of ``results`` and their kept ``campaigns`` (``design.kept(results, "campaigns")``),
    latency ranked within the design's evaluation window."""
    return FrontierFindings(design_table(results, campaigns, window_steps=design.base.eval_window_steps), forged_target)
