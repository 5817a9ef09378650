"""Study 04's prose and headline, every number taken from its findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.studies.breakdown.analysis import DESIGN, BreakdownFindings
from workbench.analysis.studies.common import fmt_interval, join_words
from workbench.analysis.studies.protocol import Headline


def f_star_text(row: pd.Series) -> str:
    """A breakdown point as text: ``"0.31 (0.27 to 0.35)"``, ``"≤ 0.15"`` (left-censored) or ``"not reached (…)"``."""
    if not row["reached"]:
        low = row["ci_low"]
        bound = f"; 95% lower bound {low:.2f}" if np.isfinite(low) else ""
        return f"not reached{bound}"
    if row["left_censored"]:
        return f"≤ {row['estimate']:.2f} (already at the smallest level)"
    return fmt_interval(row["estimate"], row["ci_low"], row["ci_high"])


def display_table(found: BreakdownFindings) -> pd.DataFrame:
    """The f* table for reading: one text column per breakdown point, the voter model's band beside it
    (``"0.15 to 0.55"``: all honest voters abstaining to all rejecting; ``"—"`` where it does not apply)."""
    table = found.table
    out = table[[*DESIGN, "outcome"]].copy()
    out["f_star (95% CI)"] = [f_star_text(row) for _, row in table.iterrows()]
    out["voter model (abstain to all vote)"] = [
        band_text(lo, hi) for lo, hi in zip(table["voter_low"], table["voter_high"])
    ]
    out["runs"] = table["n_runs"]
    return out


def band_text(low: float, high: float) -> str:
    """The voter model's band as text; an end beyond every ``m < N`` is "none"; ``"—"`` without a band."""
    if np.isnan(low) and np.isnan(high):
        return "—"
    return f"{'none' if np.isnan(low) else f'{low:.2f}'} to {'none' if np.isnan(high) else f'{high:.2f}'}"


def prose(found: BreakdownFindings) -> str:
    """The study's findings as Markdown, every number taken from ``found.table`` (:func:`breakdown_table`).

    Designs already across the threshold at the smallest swept fraction (``left_censored``, e.g. an isolated
    network that never protects half its nodes) are named apart: they do not break down, they never held.
    """
    table = found.table
    lines = []
    for outcome, what in (
        ("security", "forged signatures reaching honest blocklists exceed {:.0%}"),
        ("protection", "the share of honest nodes protected falls below {:.0%}"),
        (
            "advantage",
            "a design protects fewer honest nodes over time than isolated nodes with the same seeds (the mean "
            "paired difference falls below 0): where sharing stops paying",
        ),
    ):
        sub = table[table["outcome"] == outcome]
        if sub.empty:
            continue
        threshold = sub["threshold"].iloc[0]
        never_held = sub[sub["reached"] & sub["left_censored"]]
        reached = sub[sub["reached"] & ~sub["left_censored"]].sort_values("estimate")
        never = sub[~sub["reached"]]
        text = f"**{outcome.capitalize()}** (f* = smallest malicious fraction at which {what.format(threshold)}): "
        if len(reached):
            worst, best = reached.iloc[0], reached.iloc[-1]
            text += (
                f"{len(reached)} of {len(sub)} design-behaviour pairs break down inside the swept range; the "
                f"earliest is {worst['sharing']} / {worst['rule']} against `{worst['malicious_behavior']}` at "
                f"f* = {f_star_text(worst)}, the latest {best['sharing']} / {best['rule']} against "
                f"`{best['malicious_behavior']}` at {f_star_text(best)}. "
            )
        if len(never_held):
            names = join_words(f"{r.sharing} / {r.rule} (`{r.malicious_behavior}`)" for r in never_held.itertuples())
            smallest = never_held["estimate"].min()
            text += f"Already across the threshold at the smallest fraction swept ({smallest:g}): {names}. "
        if len(never):
            names = join_words(f"{r.sharing} / {r.rule} (`{r.malicious_behavior}`)" for r in never.itertuples())
            text += f"Not reached within the swept fractions: {names}. "
        if outcome == "security":
            text += _band_comparison(sub)
        lines.append(text)
    if len(table[table["outcome"] == "protection"]):
        lines.append(
            "Protection has no formula to compare with: it depends on detection and on how rules spread, not only "
            "on the vote."
        )
    return "\n\n".join(lines)


def _band_comparison(sub: pd.DataFrame) -> str:
    """Where the security f* of the colluding rows lie against the voter model's band (every honest voter
    abstaining .. every honest voter rejecting), counted from ``sub``."""
    banded = sub[np.isfinite(sub["voter_low"].astype(float))]
    if banded.empty:
        return ""
    reached = banded[banded["reached"]]
    high = reached["voter_high"].astype(float).fillna(np.inf)
    below = int((reached["estimate"] < reached["voter_low"]).sum())
    above = int((reached["estimate"] > high).sum())
    inside = len(reached) - below - above
    not_reached = len(banded) - len(reached)
    lows = sorted(set(banded["voter_low"].round(2)))
    highs = banded.drop_duplicates("rule").sort_values("rule")
    by_rule = join_words(
        f"{r.rule} {band_text(r.voter_low, r.voter_high).split(' to ')[1]}" for r in highs.itertuples()
    )
    return (
        f"The voter model (every node but a forgery's origin eligible, colluders approving, votes counted over "
        f"those that arrived, with the turnout floor) puts a colluding design's security f* between "
        f"{join_words(f'{x:.2f}' for x in lows)} (honest voters all abstain: colluders alone meet the floor) and "
        f"the fraction at which colluders outvote every honest voter ({by_rule}). Of the {len(banded)} colluding "
        f"design-behaviour pairs, {inside} break down inside that band, {below} below it, {above} above it "
        f"and {not_reached} not within the swept fractions. The band assumes every node holds the "
        f"forgery by the deadline, as on the ledger; a gossip forgery reaches fewer holders, so its turnout floor "
        f"is lower. "
    )


def headline(found: BreakdownFindings) -> Headline:
    """The report card: the earliest security and protection breakdown points (with their intervals, the
    design named in the label), as shares of nodes. Without one, the card says why (:func:`_no_breakdown`)."""
    table = found.table
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for outcome in ("security", "protection", "advantage"):
        # designs across the threshold with no malice at all never held: they are not breakdown points
        rows = table[table["outcome"] == outcome]
        if outcome == "advantage" and rows.empty:
            continue  # no isolated runs to compare with
        sub = rows[rows["reached"] & ~rows["left_censored"]].sort_values("estimate")
        key = f"f_star_{outcome}_min"
        if sub.empty:
            values[key], labels[key] = _no_breakdown(rows, outcome), f"earliest {outcome} f*"
        else:
            row = sub.iloc[0]
            values[key] = (float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]))
            labels[key] = f"earliest {outcome} f* ({row['sharing']} / {row['rule']} / {row['malicious_behavior']})"
    return Headline(values, labels, {k: "of nodes" for k in values})


def _no_breakdown(rows: pd.DataFrame, outcome: str) -> str:
    """Why an outcome has no breakdown point: every design already across the threshold without malice
    (``"below the level without malice"`` for protection), none crossing in the swept range, or both."""
    across = {"protection": "below the level", "advantage": "below isolated nodes"}.get(outcome, "above the threshold")
    held = int((rows["left_censored"] & rows["reached"]).sum())
    if len(rows) and held == len(rows):
        return f"{across} without malice"
    if held:
        return f"not reached ({held} of {len(rows)} {across} without malice)"
    return "not reached"
