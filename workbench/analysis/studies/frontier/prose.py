"""Study 05's listing of the front, prose and headline, every number taken from its findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.studies.common import fmt_interval
from workbench.analysis.studies.frontier.analysis import FrontierFindings
from workbench.analysis.studies.protocol import Headline


def front_listing(found: FrontierFindings) -> pd.DataFrame:
    """The Pareto-optimal designs, with each objective as ``estimate (low to high)`` text."""
    front = found.table[found.table["pareto"]]
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


def prose(found: FrontierFindings) -> str:
    """Findings as Markdown, every number from ``found.table`` (:func:`design_table`)."""
    table, forged_target = found.table, found.forged_target
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


def headline(found: FrontierFindings) -> Headline:
    """The report card: designs on the front, and the fastest safe design's t50."""
    table, forged_target = found.table, found.forged_target
    values: dict[str, Any] = {"pareto_designs": int(table["pareto"].sum()), "designs": len(table)}
    labels = {"pareto_designs": "Pareto-optimal designs", "designs": "designs compared"}
    safe = table[(table["forged_rank"] <= forged_target) & table["t50_reached"].fillna(False).astype(bool)]
    if len(safe):
        best = safe.sort_values(["latency_rank", "msgs_node_step"]).iloc[0]
        values["t50_safe"] = (float(best["t50_median"]), float(best["t50_low"]), float(best["t50_high"]))
        labels["t50_safe"] = f"fastest t50 with forged reach ≤ {forged_target:.0%} ({best['design']})"
    else:
        values["t50_safe"] = "none safe and live"
        labels["t50_safe"] = f"fastest t50 with forged reach ≤ {forged_target:.0%}"
    return Headline(values, labels, outcomes={"t50_safe": "t50_median_steps"})
