"""Study 05's listing of the front, prose and headline, every number taken from its findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.studies.common import fmt_interval, join_words
from workbench.analysis.studies.frontier.analysis import OBJECTIVES, FrontierFindings
from workbench.analysis.studies.protocol import Headline

NAMES = {
    "protection": "protected over time",
    "benign_blocked": "benign blocked",
    "forged_harm": "forged harm",
    "msgs_node_step": "messages / node / step",
}


def objective_text(row: Any, short: str, percent: bool = True) -> str:
    """``estimate (low to high)``, or ``"0 (structural zero)"`` for a value zero by definition."""
    if getattr(row, f"{short}_structural"):
        return "0 (structural zero)"
    low, high = getattr(row, f"{short}_low"), getattr(row, f"{short}_high")
    if percent:  # a share's t interval, shown inside [0, 1]
        low, high = min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)
    return fmt_interval(getattr(row, short), low, high, percent=percent, digits=1 if percent else 2)


def listing(table: pd.DataFrame) -> pd.DataFrame:
    """Designs with each objective as text, forged reach and the t50 median beside, and why a design is
    off the front (below the floor, or the designs dominating it beyond the intervals)."""
    rows = list(table.itertuples())
    return pd.DataFrame(
        {
            "design": [r.design for r in rows],
            **{
                f"{NAMES[s]} (t 95%)": [objective_text(r, s, percent=s != "msgs_node_step") for r in rows]
                for s in OBJECTIVES
            },
            "forged reach (Wilson 95%)": [
                fmt_interval(r.forged_share, r.forged_low, r.forged_high, percent=True, digits=1)
                if np.isfinite(r.forged_share)
                else ("0 (structural zero)" if r.forged_harm_structural else "no forgery made")
                for r in rows
            ],
            "t50 median, steps (KM 95%)": [
                fmt_interval(r.t50_median, r.t50_low, r.t50_high, digits=0) if r.t50_reached is True else "not reached"
                for r in rows
            ],
            "front": [
                "on the front"
                if r.pareto
                else ("below the protection floor" if not r.above_floor else f"dominated by {r.dominated_by}")
                for r in rows
            ],
            "runs": [r.runs for r in rows],
        }
    ).reset_index(drop=True)


def front_listing(found: FrontierFindings) -> pd.DataFrame:
    """The designs on the front (:func:`listing`)."""
    return listing(found.table[found.table["pareto"].fillna(False).astype(bool)])


def _safe_front(found: FrontierFindings) -> pd.DataFrame:
    """Front designs whose forged harm is at most the target (a structural zero counts as 0)."""
    table = found.table
    front = table[table["pareto"].fillna(False).astype(bool)]
    return front[front["forged_harm"] <= found.forged_target]


def prose(found: FrontierFindings) -> str:
    """Findings as Markdown, every number from ``found.table`` (:func:`~.analysis.design_table`)."""
    table, floor = found.table, found.protection_floor
    front = table[table["pareto"].fillna(False).astype(bool)]
    merged = table[table["same_designs"] > 1]
    below = table[~table["above_floor"]]
    structural = table[table[[f"{s}_structural" for s in OBJECTIVES]].any(axis=1)]
    dominated = table[table["above_floor"] & ~table["pareto"].fillna(False).astype(bool)]
    n_names = int(table["same_designs"].sum())
    text = (
        f"{n_names} designs were run; "
        + (
            f"{len(merged)} group(s) of designs gave identical results on every replicate and are one row each "
            f"({join_words(f'**{m}**' for m in merged['design'])}), so {len(table)} designs are compared. "
            if len(merged)
            else f"no two gave identical results, so {len(table)} designs are compared. "
        )
        + f"{len(below)} protect fewer than {floor:.0%} of honest nodes over a campaign's window (the protection "
        f"floor) and are not on the front" + (f": {join_words(below['design'])}. " if len(below) else ". ")
    )
    if len(structural):
        which = join_words(
            f"{r['design']} ({join_words(NAMES[s] for s in OBJECTIVES if r[f'{s}_structural'])})"
            for _, r in structural.iterrows()
        )
        text += (
            f"Values zero by definition (structural zeros: {which}; no message where nothing travels, no forged "
            "harm where no forgery can reach an honest node) carry no interval and make no design better: on "
            "those objectives the design ties with every other. "
        )
    text += (
        f"Of the {int(table['above_floor'].sum())} designs above the floor, {len(front)} are on the front: no other "
        f"design is better beyond the paired 95% intervals on one of protection over time, benign flows blocked, "
        f"forged harm and messages per node per step while not worse beyond them on any. "
    )
    if len(front):
        text += "By sharing mode: " + ", ".join(f"{m} {c}" for m, c in front["sharing"].value_counts().items()) + ". "
    if len(dominated):
        text += (
            f"{len(dominated)} are shown dominated: "
            + "; ".join(f"{r.design} by {r.dominated_by}" for r in dominated.itertuples())
            + ". "
        )
    safe = _safe_front(found)
    if len(safe):
        best = safe.sort_values(["protection", "msgs_node_step"], ascending=[False, True]).iloc[0]
        cheapest = safe.sort_values(["msgs_node_step", "protection"], ascending=[True, False]).iloc[0]
        text += (
            f"Among front designs whose forged rules block at most {found.forged_target:.1%} of benign flows, the "
            f"best-protecting is **{best['design']}** ({objective_text(best, 'protection')} of honest nodes "
            f"protected over time, {best['msgs_node_step']:.2f} messages per node per step) and the cheapest "
            f"**{cheapest['design']}** ({cheapest['msgs_node_step']:.2f} messages per node per step, "
            f"{objective_text(cheapest, 'protection')} protected)."
        )
    else:
        text += f"No front design keeps forged harm at or below {found.forged_target:.1%} of benign flows."
    return text


def headline(found: FrontierFindings) -> Headline:
    """The report card: designs on the front, designs compared (identical ones merged), and the best
    protection over time among safe front designs, with its interval."""
    table, target = found.table, found.forged_target
    values: dict[str, Any] = {"front_designs": int(table["pareto"].fillna(False).sum()), "designs": len(table)}
    labels = {
        "front_designs": f"designs on the front (protection ≥ {found.protection_floor:.0%}, beyond intervals)",
        "designs": "designs compared (identical ones merged)",
    }
    safe = _safe_front(found)
    if len(safe):
        best = safe.sort_values(["protection", "msgs_node_step"], ascending=[False, True]).iloc[0]
        values["protection_safe"] = (
            float(best["protection"]),
            float(best["protection_low"]),
            float(best["protection_high"]),
        )
        labels["protection_safe"] = f"best protection over time with forged harm ≤ {target:.1%} ({best['design']})"
    else:
        values["protection_safe"] = "no safe design on the front"
        labels["protection_safe"] = f"best protection over time with forged harm ≤ {target:.1%}"
    return Headline(values, labels, outcomes={"protection_safe": "protected_time_frac_mean"})
